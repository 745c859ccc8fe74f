import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  fixLengthCollate,
  padCollate,
  padTokenIds,
  type PaddedSampleBatch,
} from "../../src/data/collate.js";
import { DataLoader } from "../../src/data/loader.js";
import { tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const seqs = [[5, 6, 7], [8], [9, 10]];

describe("padTokenIds", () => {
  test("pads to the longest, time-major by default, batch-first on request", () => {
    const { padded, lengths } = padTokenIds(seqs);
    assert.equal(padded.dtype, "int32");
    assert.deepEqual(padded.toArray(), [
      [5, 8, 9],
      [6, 0, 10],
      [7, 0, 0],
    ]);
    assert.deepEqual(lengths.toArray(), [3, 1, 2]);
    const bf = padTokenIds(seqs, { batchFirst: true, padIndex: 1 });
    assert.deepEqual(bf.padded.toArray(), [
      [5, 6, 7],
      [8, 1, 1],
      [9, 10, 1],
    ]);
  });

  test("accepts typed arrays and 1-D tensors", () => {
    const { padded } = padTokenIds([new Int32Array([1, 2]), tensor(new Int32Array([3]))], {
      batchFirst: true,
    });
    assert.deepEqual(padded.toArray(), [
      [1, 2],
      [3, 0],
    ]);
  });

  test("fixLength truncates and pads like torchtext Field.pad", () => {
    const keepStart = padTokenIds(seqs, { fixLength: 2, batchFirst: true });
    assert.deepEqual(keepStart.padded.toArray(), [
      [5, 6],
      [8, 0],
      [9, 10],
    ]);
    assert.deepEqual(keepStart.lengths.toArray(), [2, 1, 2]);
    const keepEnd = padTokenIds(seqs, { fixLength: 2, batchFirst: true, truncateFirst: true });
    assert.deepEqual(keepEnd.padded.toArray(), [
      [6, 7],
      [8, 0],
      [9, 10],
    ]);
    const long = padTokenIds(seqs, { fixLength: 4, batchFirst: true, padFirst: true });
    assert.deepEqual(long.padded.toArray(), [
      [0, 5, 6, 7],
      [0, 0, 0, 8],
      [0, 0, 9, 10],
    ]);
  });

  test("init and eos tokens count towards fixLength and lengths", () => {
    const { padded, lengths } = padTokenIds(seqs, {
      fixLength: 4,
      initToken: 2,
      eosToken: 3,
      batchFirst: true,
    });
    assert.deepEqual(padded.toArray(), [
      [2, 5, 6, 3],
      [2, 8, 3, 0],
      [2, 9, 10, 3],
    ]);
    assert.deepEqual(lengths.toArray(), [4, 3, 4]);
    const free = padTokenIds(seqs, { initToken: 2, eosToken: 3, batchFirst: true });
    assert.deepEqual(free.padded.shape, [3, 5]);
    assert.deepEqual((free.padded.toArray() as number[][])[1], [2, 8, 3, 0, 0]);
  });

  test("errors name the function and the bad value", () => {
    assert.throws(() => padTokenIds([]), /padTokenIds: expected a non-empty array of sequences/);
    assert.throws(() => padTokenIds([[1.5]]), /padTokenIds: expected integer token ids, got 1.5/);
    assert.throws(
      () => padTokenIds(seqs, { fixLength: 1, initToken: 2, eosToken: 3 }),
      /padTokenIds: expected fixLength to be an integer ≥ 2 \(the init\/eos tokens\), got 1/,
    );
    assert.throws(
      () => padTokenIds([tensor([[1, 2]])]),
      /padTokenIds: expected 1-D token sequences, got shape \[1, 2\] at sample 0/,
    );
    assert.throws(() => padTokenIds([3 as never]), /expected a sequence of token ids at sample 0/);
  });
});

describe("padCollate", () => {
  test("[ids, label] pairs give padded, lengths and labels", () => {
    const collate = padCollate({ batchFirst: true });
    const out = collate([
      [[1, 2, 3], 0],
      [[4], 2],
    ]);
    assert.deepEqual(out.padded.toArray(), [
      [1, 2, 3],
      [4, 0, 0],
    ]);
    assert.deepEqual(out.lengths.toArray(), [3, 1]);
    assert.deepEqual((out.labels as Tensor).toArray(), [0, 2]);
    assert.equal((out.labels as Tensor).dtype, "int32");
    assert.equal(out.indices, undefined);
  });

  test("{ tokens, label } objects and bare sequences", () => {
    const out = padCollate()([
      { tokens: [1], label: 0.5 },
      { tokens: [2, 3], label: 1 },
    ]);
    assert.deepEqual(out.padded.toArray(), [
      [1, 2],
      [0, 3],
    ]);
    assert.deepEqual((out.labels as Tensor).toArray(), [0.5, 1]);
    const bare = padCollate()([new Int32Array([7, 8]), new Int32Array([9])]);
    assert.equal(bare.labels, undefined);
    assert.deepEqual(bare.lengths.toArray(), [2, 1]);
  });

  test("sortByLength orders rows longest first and reports where they came from", () => {
    const out = padCollate({ batchFirst: true, sortByLength: true })([
      [[1], 10],
      [[2, 3, 4], 11],
      [[5, 6], 12],
    ]);
    assert.deepEqual(Array.from(out.indices!), [1, 2, 0]);
    assert.deepEqual(out.lengths.toArray(), [3, 2, 1]);
    assert.deepEqual((out.labels as Tensor).toArray(), [11, 12, 10]);
    assert.deepEqual((out.padded.toArray() as number[][])[0], [2, 3, 4]);
  });

  test("fixLengthCollate gives a constant width through a DataLoader", () => {
    const data: [number[], number][] = [
      [[1, 2, 3, 4, 5], 1],
      [[6], 0],
      [[7, 8, 9], 1],
    ];
    const loader = new DataLoader<[number[], number], PaddedSampleBatch>(data, {
      batchSize: 2,
      collate: fixLengthCollate(3, 1, { batchFirst: true }),
    });
    const batches = [...loader];
    assert.equal(batches.length, 2);
    assert.deepEqual(batches[0].padded.toArray(), [
      [1, 2, 3],
      [6, 1, 1],
    ]);
    assert.deepEqual(batches[1].padded.toArray(), [[7, 8, 9]]);
    assert.throws(
      () => fixLengthCollate(0),
      /fixLengthCollate: expected fixLength to be a positive integer/,
    );
  });

  test("mixing labelled and unlabelled samples is an error", () => {
    assert.throws(
      () =>
        padCollate()([
          [[1], 0],
          [2, 3],
        ] as never),
      /padCollate: either every sample carries a label or none does/,
    );
    assert.throws(() => padCollate()([]), /padCollate: expected a non-empty array of samples/);
  });
});
