import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BucketSampler } from "../../src/data/bucket.js";
import { padCollate, type PaddedSampleBatch } from "../../src/data/collate.js";
import { ArrayDataset } from "../../src/data/dataset.js";
import { DataLoader } from "../../src/data/loader.js";
import { Generator } from "../../src/tensor/random.js";

/** Lengths 1..60 drawn from a fixed generator. */
function randomLengths(n: number, seed = 0): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => 1 + g.integer(60));
}

/** Padding tokens a batching would need: Σ (max length in batch − each length). */
function padding(batches: number[][], lengths: number[]): number {
  let pad = 0;
  for (const b of batches) {
    const max = Math.max(...b.map((i) => lengths[i]));
    for (const i of b) pad += max - lengths[i];
  }
  return pad;
}

describe("BucketSampler", () => {
  const lengths = randomLengths(1000);

  test("each epoch visits every index once, in `length` batches of batchSize", () => {
    const s = new BucketSampler(lengths, { batchSize: 32, poolFactor: 4, seed: 1 });
    const batches = [...s];
    assert.equal(s.length, 32); // ⌈1000 / 32⌉
    assert.equal(batches.length, s.length);
    assert.equal(batches.filter((b) => b.length !== 32).length, 1);
    const seen = batches.flat().sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  test("batches are sorted longest first and need far less padding than random batches", () => {
    const s = new BucketSampler(lengths, { batchSize: 32, poolFactor: 8, seed: 2 });
    const batches = [...s];
    for (const b of batches) {
      for (let k = 1; k < b.length; k++) assert.ok(lengths[b[k - 1]] >= lengths[b[k]]);
    }
    const g = new Generator(3);
    const perm = Array.from({ length: 1000 }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = g.integer(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const random = Array.from({ length: 32 }, (_, k) => perm.slice(k * 32, k * 32 + 32));
    const bucketPad = padding(batches, lengths);
    const randomPad = padding(random, lengths);
    // A sorted pool of 256 over lengths 1..60 puts ~7.5 length values in each batch of 32 (≈ 3.5
    // padding per sample); a random batch pads to its max ≈ 59 (≈ 29 per sample).
    assert.ok(bucketPad * 5 < randomPad, `bucketed padding ${bucketPad} vs random ${randomPad}`);
  });

  test("without shuffle: pools in dataset order, sorted, batches in sorted order", () => {
    const lens = [5, 1, 4, 2, 3, 9, 7, 8, 6, 0];
    const s = new BucketSampler(lens, {
      batchSize: 2,
      poolFactor: 2,
      shuffle: false,
      sortWithinBatch: false,
    });
    // pools [0..3], [4..7], [8, 9]; sorted by length within each
    assert.deepEqual(
      [...s],
      [
        [1, 3],
        [2, 0],
        [4, 6],
        [7, 5],
        [9, 8],
      ],
    );
    const desc = new BucketSampler(lens, { batchSize: 2, poolFactor: 2, shuffle: false });
    assert.deepEqual([...desc][0], [3, 1]);
  });

  test("seeded epochs: reproducible, different from each other, resumable", () => {
    const a = new BucketSampler(lengths, { batchSize: 16, poolFactor: 3, seed: 5 });
    const b = new BucketSampler(lengths, { batchSize: 16, poolFactor: 3, seed: 5 });
    const a0 = [...a];
    const a1 = [...a];
    assert.deepEqual([...b], a0);
    assert.notDeepEqual(a0, a1);
    b.setEpoch(1);
    assert.deepEqual([...b], a1);
    assert.deepEqual(a.batches(1), a1);
  });

  test("dropLast drops n mod batchSize random samples, not the longest ones", () => {
    const s = new BucketSampler(lengths, { batchSize: 32, seed: 4, dropLast: true });
    const batches = [...s];
    assert.equal(s.length, 31);
    assert.equal(batches.length, 31);
    assert.ok(batches.every((b) => b.length === 32));
    const kept = new Set(batches.flat());
    const dropped = lengths.map((_, i) => i).filter((i) => !kept.has(i));
    assert.equal(dropped.length, 8);
    assert.ok(Math.min(...dropped.map((i) => lengths[i])) < 55);
  });

  test("drives a DataLoader with padCollate", () => {
    const data = lengths.slice(0, 100).map((n, i) => [Array.from({ length: n }, () => i), i % 3]);
    const sampler = BucketSampler.fromDataset(
      new ArrayDataset(data),
      (s) => (s[0] as number[]).length,
      {
        batchSize: 10,
        seed: 0,
      },
    );
    const loader = new DataLoader<(number | number[])[], PaddedSampleBatch>(data, {
      batchSampler: sampler,
      collate: padCollate({ batchFirst: true }) as never,
    });
    let rows = 0;
    for (const { padded, lengths: lens } of loader) {
      const l = Array.from(lens.data);
      assert.equal(padded.shape[1], l[0]); // longest first → width is the first length
      rows += padded.shape[0];
    }
    assert.equal(rows, 100);
  });

  test("bad arguments", () => {
    assert.throws(
      () => new BucketSampler([1, -2], { batchSize: 2 }),
      /BucketSampler: expected non-negative integer lengths, got -2 at index 1/,
    );
    assert.throws(
      () => new BucketSampler([1], { batchSize: 0 }),
      /BucketSampler: expected batchSize to be a positive integer, got 0/,
    );
  });
});
