import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultCollate } from "../../src/data/collate.js";
import { ArrayDataset, asDataset, Subset, TensorDataset } from "../../src/data/dataset.js";
import {
  BatchSampler,
  DataLoader,
  mixSeed,
  RandomSampler,
  SequentialSampler,
} from "../../src/data/loader.js";
import { tensor } from "../../src/tensor/creation.js";
import { Generator, manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Flattens one epoch of index batches (collate = identity) into the visiting order. */
function order(loader: DataLoader<number, number[]>): number[] {
  return [...loader].flat();
}

describe("datasets", () => {
  test("ArrayDataset, Subset and asDataset index by reference", () => {
    const ds = new ArrayDataset(["a", "b", "c", "d"]);
    assert.equal(ds.length, 4);
    assert.equal(ds.get(2), "c");
    const sub = new Subset(ds, [3, 1]);
    assert.equal(sub.length, 2);
    assert.deepEqual([sub.get(0), sub.get(1)], ["d", "b"]);
    assert.equal(asDataset(ds), ds);
    assert.equal(asDataset([7, 8]).get(1), 8);
    assert.throws(
      () => ds.get(4),
      /ArrayDataset\.get: expected an integer index in \[0, 4\), got 4/,
    );
    assert.throws(() => new Subset(ds, [0, 9]), /Subset: indices\[1\]: .*\[0, 4\), got 9/);
    assert.throws(() => asDataset({} as never), /asDataset: expected an array or an object/);
  });

  test("TensorDataset returns the rows of each tensor", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = tensor(new Int32Array([7, 8, 9]));
    const ds = new TensorDataset(x, y);
    assert.equal(ds.length, 3);
    const [xi, yi] = ds.get(1);
    assert.deepEqual(xi.toArray(), [3, 4]);
    assert.equal(yi.item(), 8);
    assert.equal(yi.dtype, "int32");
    assert.throws(
      () => new TensorDataset(x, tensor([1, 2])),
      /TensorDataset: expected tensors with the same size 3 in dim 0, but tensors\[1\] has shape \[2\]/,
    );
  });
});

describe("DataLoader", () => {
  const identity = (s: number[]) => s;

  test("sequential batches, last one short unless dropLast", () => {
    const loader = new DataLoader(range(10), { batchSize: 4, collate: identity });
    assert.equal(loader.length, 3);
    assert.deepEqual(
      [...loader],
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ],
    );
    const dropped = new DataLoader(range(10), { batchSize: 4, dropLast: true, collate: identity });
    assert.equal(dropped.length, 2);
    assert.deepEqual(
      [...dropped],
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
    );
    assert.deepEqual([...new DataLoader([5, 6], { collate: identity })], [[5], [6]]);
  });

  test("seeded shuffle: a permutation per epoch, new each epoch, replayed by the same seed", () => {
    const make = (seed: number) =>
      new DataLoader(range(50), { batchSize: 8, shuffle: true, seed, collate: identity });
    const a = make(3);
    const e0 = order(a);
    const e1 = order(a);
    assert.deepEqual(
      [...e0].sort((p, q) => p - q),
      range(50),
    );
    assert.deepEqual(
      [...e1].sort((p, q) => p - q),
      range(50),
    );
    assert.notDeepEqual(e0, e1);
    assert.notDeepEqual(e0, range(50));
    const b = make(3);
    assert.deepEqual(order(b), e0);
    assert.deepEqual(order(b), e1);
    const c = make(3);
    c.setEpoch(1);
    assert.deepEqual(order(c), e1);
    assert.notDeepEqual(order(make(4)), e0);
  });

  test("without a seed, the shuffle follows manualSeed", () => {
    manualSeed(11);
    const a = order(new DataLoader(range(20), { shuffle: true, batchSize: 5, collate: identity }));
    manualSeed(11);
    const b = order(new DataLoader(range(20), { shuffle: true, batchSize: 5, collate: identity }));
    assert.deepEqual(a, b);
    const g = new Generator(5);
    const c = order(
      new DataLoader(range(20), { shuffle: true, generator: g, batchSize: 5, collate: identity }),
    );
    const d = order(
      new DataLoader(range(20), { shuffle: true, generator: g, batchSize: 5, collate: identity }),
    );
    assert.notDeepEqual(c, d); // the second loader drew the next base seed
  });

  test("RandomSampler permutation(e) is what epoch e yields; mixSeed separates epochs", () => {
    const s = new RandomSampler(30, { seed: 9 });
    const p2 = Array.from(s.permutation(2));
    for (let e = 0; e < 2; e++) assert.equal([...s].length, 30);
    assert.equal(s.epoch, 2);
    assert.deepEqual([...s], p2);
    assert.notEqual(mixSeed(9, 0), mixSeed(9, 1));
    assert.notEqual(mixSeed(0, 1), mixSeed(1, 0));
  });

  test("custom sampler and batchSampler", () => {
    const reversed = {
      length: 5,
      *[Symbol.iterator]() {
        for (let i = 4; i >= 0; i--) yield i;
      },
    };
    const loader = new DataLoader(["a", "b", "c", "d", "e"], {
      sampler: reversed,
      batchSize: 2,
      collate: (s: string[]) => s.join(""),
    });
    assert.deepEqual([...loader], ["ed", "cb", "a"]);
    const bs = new BatchSampler(new SequentialSampler(5), 2, true);
    const l2 = new DataLoader(range(5), { batchSampler: bs, collate: identity });
    assert.equal(l2.length, 2);
    assert.deepEqual(
      [...l2],
      [
        [0, 1],
        [2, 3],
      ],
    );
    assert.throws(
      () => new DataLoader(range(5), { batchSampler: bs, batchSize: 2 }),
      /DataLoader: batchSampler option is mutually exclusive/,
    );
    assert.throws(
      () => new DataLoader(range(5), { sampler: reversed, shuffle: true }),
      /DataLoader: sampler option is mutually exclusive with shuffle/,
    );
    assert.throws(
      () => new DataLoader(range(5), { batchSize: 0 }),
      /BatchSampler: expected batchSize/,
    );
  });

  test("default collate stacks tensors and numbers", () => {
    const ds = new TensorDataset(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      tensor(new Int32Array([0, 1, 0])),
    );
    const batches = [...new DataLoader(ds, { batchSize: 2 })] as Tensor[][];
    assert.equal(batches.length, 2);
    assert.deepEqual(batches[0][0].toArray(), [
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(batches[0][1].toArray(), [0, 1]);
    assert.equal(batches[0][1].dtype, "int32");
    assert.deepEqual(batches[1][0].shape, [1, 2]);
  });
});

describe("defaultCollate", () => {
  test("numbers: all integers give int32, otherwise float32", () => {
    const ints = defaultCollate([3, 1, 2]) as Tensor;
    assert.equal(ints.dtype, "int32");
    assert.deepEqual(ints.toArray(), [3, 1, 2]);
    const floats = defaultCollate([0.5, 1, 2]) as Tensor;
    assert.equal(floats.dtype, "float32");
    assert.deepEqual(floats.toArray(), [0.5, 1, 2]);
  });

  test("arrays, typed arrays, objects, tuples and strings", () => {
    const grid = defaultCollate([
      [1, 2],
      [3, 4],
    ]) as Tensor;
    assert.deepEqual(grid.shape, [2, 2]);
    assert.equal(grid.dtype, "int32");
    const f = defaultCollate([new Float32Array([1, 2]), new Float32Array([3, 4])]) as Tensor;
    assert.equal(f.dtype, "float32");
    assert.deepEqual(f.toArray(), [
      [1, 2],
      [3, 4],
    ]);
    const obj = defaultCollate([
      { x: [1.5, 2], y: 1, name: "a" },
      { x: [3, 4], y: 0, name: "b" },
    ]) as Record<string, Tensor | string[]>;
    assert.deepEqual((obj.x as Tensor).toArray(), [
      [1.5, 2],
      [3, 4],
    ]);
    assert.equal((obj.x as Tensor).dtype, "float32");
    assert.deepEqual((obj.y as Tensor).toArray(), [1, 0]);
    assert.deepEqual(obj.name, ["a", "b"]);
    const tuples = defaultCollate([
      [tensor([1, 2]), 0],
      [tensor([3, 4]), 1],
    ]) as Tensor[];
    assert.deepEqual(tuples[0].toArray(), [
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(tuples[1].toArray(), [0, 1]);
  });

  test("mismatches name the problem", () => {
    assert.throws(() => defaultCollate([]), /defaultCollate: expected a non-empty array/);
    assert.throws(() => defaultCollate([1, "a"]), /sample 0 is number but sample 1 is string/);
    assert.throws(
      () => defaultCollate([[1, 2], [3]]),
      /defaultCollate: numeric array samples must have equal shapes .*use padCollate/,
    );
    assert.throws(
      () => defaultCollate([new Int32Array([1, 2]), new Int32Array([3])]),
      /expected samples of equal length 2, got 1 at sample 1; use padCollate/,
    );
    assert.throws(() => defaultCollate([{ a: 1 }, { b: 2 }]), /sample 1 has no key "a"/);
    assert.throws(() => defaultCollate([null]), /cannot collate null/);
  });
});
