import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ArrayDataset } from "../../src/data/dataset.js";
import { randomSplit, splitLengths } from "../../src/data/split.js";
import { Generator, manualSeed } from "../../src/tensor/random.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const items = (s: { length: number; get(i: number): number }) =>
  Array.from({ length: s.length }, (_, i) => s.get(i));

describe("splitLengths", () => {
  test("fractions: floors, then the remainder round-robin from the first split", () => {
    // 11·0.8 = 8.8 → 8, 11·0.1 → 1, 1; remainder 1 goes to split 0.
    assert.deepEqual(splitLengths(11, [0.8, 0.1, 0.1]), [9, 1, 1]);
    // 10·(1/3) → 3 each; remainder 1 → first.
    assert.deepEqual(splitLengths(10, [1 / 3, 1 / 3, 1 / 3]), [4, 3, 3]);
    // 7·0.25 = 1.75 → 1 each; remainder 3 → splits 0, 1, 2.
    assert.deepEqual(splitLengths(7, [0.25, 0.25, 0.25, 0.25]), [2, 2, 2, 1]);
    assert.deepEqual(splitLengths(0, [0.5, 0.5]), [0, 0]);
  });

  test("counts are used as given and must sum to the dataset length", () => {
    assert.deepEqual(splitLengths(10, [3, 7]), [3, 7]);
    assert.throws(
      () => splitLengths(10, [3, 6]),
      /randomSplit: sum of input lengths \(9\) does not equal the length of the dataset \(10\)/,
    );
    assert.throws(
      () => splitLengths(10, [2.5, 7.5]),
      /expected non-negative integer counts .*got 2.5/,
    );
    assert.throws(
      () => splitLengths(10, [1.5, -0.5]),
      /fraction at index 0 is not between 0 and 1/,
    );
    assert.throws(() => splitLengths(10, []), /expected a non-empty array/);
  });

  test("like PyTorch, lengths summing to 1 are read as fractions", () => {
    assert.deepEqual(splitLengths(5, [0, 1]), [0, 5]);
  });
});

describe("randomSplit", () => {
  test("disjoint subsets that cover the dataset, with the requested sizes", () => {
    const ds = new ArrayDataset(range(100).map((i) => i * 10));
    const parts = randomSplit(ds, [0.7, 0.2, 0.1], { seed: 1 });
    assert.deepEqual(
      parts.map((p) => p.length),
      [70, 20, 10],
    );
    const all = parts.flatMap(items).sort((a, b) => a - b);
    assert.deepEqual(
      all,
      range(100).map((i) => i * 10),
    );
    assert.notDeepEqual(
      items(parts[0]),
      range(70).map((i) => i * 10),
    );
  });

  test("the same seed gives the same split; another seed another", () => {
    const a = randomSplit(range(40), [30, 10], { seed: 7 }).map(items);
    const b = randomSplit(range(40), [30, 10], { seed: 7 }).map(items);
    const c = randomSplit(range(40), [30, 10], { seed: 8 }).map(items);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test("generator and global generator are advanced and reproducible", () => {
    const g1 = new Generator(3);
    const g2 = new Generator(3);
    const a1 = items(randomSplit(range(20), [10, 10], { generator: g1 })[0]);
    const a2 = items(randomSplit(range(20), [10, 10], { generator: g1 })[0]);
    assert.notDeepEqual(a1, a2);
    assert.deepEqual(items(randomSplit(range(20), [10, 10], { generator: g2 })[0]), a1);
    manualSeed(5);
    const m1 = items(randomSplit(range(20), [10, 10])[1]);
    manualSeed(5);
    assert.deepEqual(items(randomSplit(range(20), [10, 10])[1]), m1);
  });
});
