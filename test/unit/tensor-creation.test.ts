/** Creating tensors: from JS data, filled, ranges, seeded random draws and the Generator. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  arange,
  full,
  fullLike,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from "../../src/ops/index.js";
import { Generator, getRngState, manualSeed, setRngState } from "../../src/tensor/random.js";

describe("tensor() from JS data", () => {
  test("nested arrays: shape inference and row-major data", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(x.shape, [2, 3]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual(Array.from(x.data), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(tensor([[[1], [2]]]).shape, [1, 2, 1]);
    assert.deepEqual(tensor([[], []]).shape, [2, 0]);
    assert.deepEqual(tensor([]).shape, [0]);
    assert.deepEqual(Array.from(tensor([true, false]).data), [1, 0]);
  });
  test("a number gives a 0-d tensor", () => {
    const x = tensor(2.5);
    assert.deepEqual(x.shape, []);
    assert.equal(x.item(), 2.5);
    assert.equal(x.toArray(), 2.5);
  });
  test("flat data with a shape; typed arrays", () => {
    assert.deepEqual(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const i = tensor(Int32Array.of(3, 1, 2));
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.shape, [3]);
    const src = Float32Array.of(1, 2, 3, 4);
    const f = tensor(src, { shape: [2, 2] });
    src[0] = 99; // the tensor owns a copy
    assert.equal(f.data[0], 1);
    const d = tensor(Float64Array.of(0.1, 1 / 3));
    assert.equal(d.dtype, "float32");
    assert.deepEqual(Array.from(d.data), [Math.fround(0.1), Math.fround(1 / 3)]);
    assert.equal(tensor([1, 2], { dtype: "int32" }).dtype, "int32");
    assert.equal(tensor(Int32Array.of(1), { dtype: "float32" }).dtype, "float32");
  });
  test("errors: ragged arrays, wrong counts, fractional int32 data", () => {
    assert.throws(
      () => tensor([[1, 2], [3]]),
      /tensor: ragged nested array at data\[1\]: expected 2 elements, got 1/,
    );
    assert.throws(
      () => tensor([[1, 2], 3] as never),
      /tensor: ragged nested array at data\[1\]: expected 2 elements, got a number/,
    );
    assert.throws(
      () => tensor([1, [2]] as never),
      /tensor: ragged nested array at data\[1\]: expected a number, got an array/,
    );
    assert.throws(
      () => tensor([1, 2, 3], { shape: [2, 2] }),
      /tensor: 3 values cannot have shape \[2, 2\]/,
    );
    assert.throws(
      () => tensor([1.5], { dtype: "int32" }),
      /tensor: int32 data must be integers, got 1.5/,
    );
    assert.throws(
      () => tensor([1, 2], { shape: [-1, 2] }),
      /tensor: expected a shape of non-negative integers, got \[-1, 2\]/,
    );
  });
});

describe("filled tensors and ranges", () => {
  test("zeros, ones, full and the *Like forms", () => {
    assert.deepEqual(zeros([2, 2]).toArray(), [
      [0, 0],
      [0, 0],
    ]);
    assert.deepEqual(Array.from(ones([3]).data), [1, 1, 1]);
    const f = full([2], 7, { dtype: "int32" });
    assert.equal(f.dtype, "int32");
    assert.deepEqual(Array.from(f.data), [7, 7]);
    const i = tensor([1, 2, 3], { dtype: "int32" });
    assert.equal(zerosLike(i).dtype, "int32");
    assert.equal(onesLike(i, { dtype: "float32" }).dtype, "float32");
    assert.deepEqual(Array.from(fullLike(i, -4).data), [-4, -4, -4]);
    assert.equal(ones([2], { requiresGrad: true }).requiresGrad, true);
    assert.deepEqual(zeros([]).shape, []);
    assert.throws(
      () => zeros([2, 1.5]),
      /full: expected a shape of non-negative integers, got \[2, 1.5\]/,
    );
  });
  test("arange: integers give int32, a fraction gives float32, dtype overrides", () => {
    const a = arange(5);
    assert.equal(a.dtype, "int32");
    assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(arange(2, 5).data), [2, 3, 4]);
    assert.deepEqual(Array.from(arange(5, 0, -2).data), [5, 3, 1]);
    const f = arange(0, 1, 0.25);
    assert.equal(f.dtype, "float32");
    assert.deepEqual(Array.from(f.data), [0, 0.25, 0.5, 0.75]);
    assert.equal(arange(0, 2.5).dtype, "float32");
    assert.deepEqual(Array.from(arange(0, 2.5).data), [0, 1, 2]);
    assert.equal(arange(3, { dtype: "float32" }).dtype, "float32");
    assert.equal(arange(0, 3, 1, { dtype: "float32" }).dtype, "float32");
    assert.deepEqual(arange(3, 1).shape, [0]);
    assert.throws(() => arange(0, 3, 0), /arange: step must be a non-zero finite number, got 0/);
  });
});

describe("seeded random draws", () => {
  test("rand, randn, randint, randperm repeat after manualSeed", () => {
    const draw = () =>
      [rand([5]), randn([5]), randint(-3, 4, [6]), randperm(8)].map((t) => Array.from(t.data));
    manualSeed(42);
    const first = draw();
    manualSeed(42);
    assert.deepEqual(draw(), first);
    manualSeed(43);
    assert.notDeepEqual(draw(), first);
  });
  test("ranges and dtypes of the draws", () => {
    manualSeed(1);
    const u = rand([1000]);
    assert.ok(u.data.every((v) => v >= 0 && v < 1));
    const r = randint(-3, 4, [1000]);
    assert.equal(r.dtype, "int32");
    assert.ok(r.data.every((v) => v >= -3 && v < 4));
    assert.deepEqual(new Set(r.data), new Set([-3, -2, -1, 0, 1, 2, 3]));
    const p = randperm(50);
    assert.equal(p.dtype, "int32");
    assert.deepEqual(
      [...p.data].sort((a, b) => a - b),
      [...Array(50).keys()],
    );
    assert.deepEqual(randperm(0).shape, [0]);
    assert.throws(() => randperm(-1), /randperm: expected a non-negative integer n, got -1/);
    assert.throws(() => randint(3, 3, [2]), /randint: expected low < high, got low=3, high=3/);
  });
  test("randn: mean ≈ 0 and std ≈ 1 over 100k draws; rand mean ≈ 1/2", () => {
    manualSeed(7);
    const x = randn([100_000]).data;
    let s = 0;
    let s2 = 0;
    for (const v of x) {
      s += v;
      s2 += v * v;
    }
    const mean = s / x.length;
    const std = Math.sqrt(s2 / x.length - mean * mean);
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.02, `std ${std}`);
    const u = rand([100_000]).data;
    const um = Array.from(u).reduce((a, b) => a + b, 0) / u.length;
    assert.ok(Math.abs(um - 0.5) < 0.01, `uniform mean ${um}`);
  });
  test("a Generator's state round-trips and continues the same stream", () => {
    const g = new Generator(5);
    rand([3], { generator: g });
    const state = g.getState();
    const next = Array.from(randn([4], { generator: g }).data);
    g.manualSeed(99);
    g.setState(state);
    assert.deepEqual(Array.from(randn([4], { generator: g }).data), next);
    assert.throws(
      () => g.setState([1, 2, 3] as never),
      /Generator.setState: expected 4 unsigned 32-bit integers/,
    );
  });
  test("a private generator leaves the global stream alone; getRngState/setRngState", () => {
    manualSeed(3);
    const saved = getRngState();
    const expected = Array.from(rand([4]).data);
    setRngState(saved);
    rand([10], { generator: new Generator(11) });
    assert.deepEqual(Array.from(rand([4]).data), expected);
  });
});
