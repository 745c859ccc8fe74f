/** Reading tensors back: toArray, item, the PyTorch-like toString, and reshape's shared storage. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { arange, flatten, reshape, tensor, zeros } from "../../src/ops/index.js";

describe("toArray and item", () => {
  test("nested arrays like tolist(), numbers for 0-d, ints for int32", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 1, 3] });
    assert.deepEqual(x.toArray(), [[[1, 2, 3]], [[4, 5, 6]]]);
    assert.equal(tensor(3).toArray(), 3);
    assert.deepEqual(tensor([[], []]).toArray(), [[], []]);
    assert.deepEqual(arange(3).toArray(), [0, 1, 2]);
    assert.equal(tensor([[7]]).item(), 7);
    assert.throws(
      () => tensor([1, 2]).item(),
      /item: expected a tensor with one element, got shape \[2\]/,
    );
  });
});

describe("toString", () => {
  test("floats with four decimals, aligned like PyTorch", () => {
    assert.equal(
      tensor([
        [1.5, -2],
        [3, 4],
      ]).toString(),
      "tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]])",
    );
    assert.equal(tensor(3.5).toString(), "tensor(3.5000)");
  });
  test("3-D tensors separate matrices by a blank line", () => {
    assert.equal(
      arange(8, { dtype: "float32" }).reshape(2, 2, 2).toString(),
      "tensor([[[0.0000, 1.0000],\n         [2.0000, 3.0000]],\n\n        [[4.0000, 5.0000],\n         [6.0000, 7.0000]]])",
    );
  });
  test("scientific notation with two exponent digits for tiny or huge values", () => {
    assert.equal(tensor([1e-5, 1]).toString(), "tensor([1.0000e-05, 1.0000e+00])");
    assert.equal(tensor([2e9]).toString(), "tensor([2.0000e+09])");
  });
  test("int32 dtype, requiresGrad and gradFn suffixes", () => {
    assert.equal(
      tensor(
        [
          [1, 2],
          [3, 40],
        ],
        { dtype: "int32" },
      ).toString(),
      "tensor([[ 1,  2],\n        [ 3, 40]], dtype=int32)",
    );
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(x.toString(), "tensor([1.0000, 2.0000], requiresGrad=true)");
    assert.equal(x.mul(2).toString(), "tensor([2.0000, 4.0000], gradFn=<mul>)");
    assert.equal(zeros([0, 3]).toString(), "tensor([], size=[0, 3])");
  });
  test("big tensors are summarised with edge items and their size", () => {
    const s = arange(2000).toString();
    assert.equal(s, "tensor([   0,    1,    2, ..., 1997, 1998, 1999], size=[2000], dtype=int32)");
    const m = zeros([100, 100]).toString();
    assert.match(
      m,
      /^tensor\(\[\[0\.0000, 0\.0000, 0\.0000, \.\.\., 0\.0000, 0\.0000, 0\.0000\],\n/,
    );
    assert.match(m, /\.\.\.,\n/);
    assert.ok(m.endsWith("size=[100, 100])"));
    // A million elements must not overflow the stack (Math.max over a spread array would).
    assert.ok(zeros([1_000_000]).toString().length < 200);
  });
});

describe("reshape", () => {
  test("-1 is inferred; reshape, view and flatten share storage", () => {
    const x = arange(12, { dtype: "float32" });
    const y = reshape(x, [3, -1]);
    assert.deepEqual(y.shape, [3, 4]);
    assert.deepEqual(x.view(-1, 2, 3).shape, [2, 2, 3]);
    y.data[5] = 100;
    assert.equal(x.data[5], 100);
    assert.equal(flatten(y).data, x.data);
    assert.deepEqual(reshape(tensor(5), [1, 1]).shape, [1, 1]);
    assert.deepEqual(reshape(tensor([5]), []).shape, []);
  });
  test("errors name the op, the requested and the actual shape", () => {
    const x = arange(6);
    assert.throws(
      () => reshape(x, [4, -1]),
      /reshape: shape \[4, -1\] is invalid for input of shape \[6\] \(6 elements\)/,
    );
    assert.throws(
      () => reshape(x, [4, 2]),
      /reshape: shape \[4, 2\] is invalid for input of shape \[6\]/,
    );
    assert.throws(
      () => reshape(x, [-1, -1]),
      /reshape: only one dimension can be -1, got \[-1, -1\]/,
    );
  });
});
