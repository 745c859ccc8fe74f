/**
 * Every shape or type mismatch throws an Error that names the op, what was expected and what came
 * (STYLE: `LSTM: expected input of size 64 in the last dimension, got [16, 40, 32]`).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as ops from "../../src/ops/index.js";

const { tensor, zeros } = ops;
const idx = (values: number[], shape?: number[]) =>
  tensor(values, { shape: shape ?? [values.length], dtype: "int32" });
const x = zeros([2, 3]);

describe("shape errors", () => {
  test("broadcasting", () => {
    assert.throws(
      () => ops.add(x, zeros([4])),
      /^Error: add: shapes \[2, 3\] and \[4\] cannot be broadcast together \(dimension 1 of the result: 3 vs 4\)$/,
    );
    assert.throws(
      () => ops.mul(zeros([2, 1, 3]), zeros([4, 2])),
      /mul: shapes \[2, 1, 3\] and \[4, 2\] cannot be broadcast/,
    );
    assert.throws(
      () => ops.where(zeros([3]), x, zeros([4])),
      /where: shapes \[2, 3\] and \[4\] cannot be broadcast/,
    );
    assert.throws(
      () => ops.maskedFill(zeros([3]), x, 1),
      /maskedFill: mask of shape \[2, 3\] does not broadcast to the input's shape \[3\]/,
    );
    assert.throws(
      () => ops.expand(x, [4, 3]),
      /expand: the size 2 of dim 0 of input \[2, 3\] must match 4 in \[4, 3\]/,
    );
    assert.throws(
      () => ops.expand(x, [3]),
      /expand: the target shape \[3\] has fewer dims than the input \[2, 3\]/,
    );
  });
  test("matmul, bmm and linear", () => {
    assert.throws(
      () => ops.matmul(x, zeros([4, 5])),
      /matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 ≠ 4\)/,
    );
    assert.throws(
      () => ops.matmul(zeros([3]), zeros([4])),
      /matmul: shapes \[1, 3\] and \[4, 1\] cannot be multiplied \(3 ≠ 4\)/,
    );
    assert.throws(
      () => ops.matmul(zeros([2, 3, 4]), zeros([3, 4, 5])),
      /matmul: the batch dims of \[2, 3, 4\] and \[3, 4, 5\] cannot be broadcast together \(\[2\] vs \[3\]\)/,
    );
    assert.throws(
      () => ops.matmul(tensor(1), x),
      /matmul: both operands need at least 1 dim, got \[\] and \[2, 3\]/,
    );
    assert.throws(
      () => ops.bmm(zeros([2, 3, 4]), zeros([3, 4, 5])),
      /bmm: expected \[B, m, k\] and \[B, k, n\], got \[2, 3, 4\] and \[3, 4, 5\]/,
    );
    assert.throws(
      () => ops.linear(x, zeros([4, 5])),
      /linear: expected input with last dimension 5, got \[2, 3\]/,
    );
    assert.throws(
      () => ops.linear(x, zeros([4, 3]), zeros([3])),
      /linear: expected a bias of shape \[4\], got \[3\]/,
    );
  });
  test("reshape, permute, repeat, cat, stack, split", () => {
    assert.throws(
      () => ops.reshape(x, [4, 2]),
      /reshape: shape \[4, 2\] is invalid for input of shape \[2, 3\] \(6 elements\)/,
    );
    assert.throws(
      () => ops.permute(x, [0]),
      /permute: expected 2 dims for shape \[2, 3\], got \[0\]/,
    );
    assert.throws(() => ops.permute(x, [0, 0]), /permute: dims \[0, 0\] repeat a dimension/);
    assert.throws(
      () => ops.repeat(x, [2]),
      /repeat: expected at least 2 repeat counts for shape \[2, 3\], got \[2\]/,
    );
    assert.throws(
      () => ops.cat([x, zeros([2, 4])], 0),
      /cat: tensors\[1\] has shape \[2, 4\] \(float32\); expected float32 with the shape of tensors\[0\] \[2, 3\] except in dim 0/,
    );
    assert.throws(() => ops.cat([x, zeros([6])]), /cat: tensors\[1\] has shape \[6\]/);
    assert.throws(
      () => ops.cat([x, idx([0, 0, 0, 0, 0, 0], [2, 3])]),
      /cat: tensors\[1\] has shape \[2, 3\] \(int32\); expected float32/,
    );
    assert.throws(
      () => ops.cat([tensor(1), tensor(2)]),
      /cat: tensors\[0\] is 0-d and cannot be concatenated/,
    );
    assert.throws(() => ops.cat([]), /cat: expected a non-empty array of tensors/);
    assert.throws(
      () => ops.stack([x, zeros([3, 2])]),
      /stack: expects tensors of equal shape, but tensors\[0\] is \[2, 3\] and tensors\[1\] is \[3, 2\]/,
    );
    assert.throws(
      () => ops.split(x, [1, 1], 1),
      /split: sizes \[1, 1\] sum to 2, but dim 1 has size 3/,
    );
    assert.throws(() => ops.chunk(x, 0), /chunk: chunks must be a positive integer, got 0/);
    assert.throws(
      () => ops.t(zeros([1, 2, 3])),
      /t: expects a tensor of rank ≤ 2, got shape \[1, 2, 3\]/,
    );
  });
  test("dims out of range name the op and the rank", () => {
    assert.throws(
      () => ops.sum(x, 2),
      /sum: dim 2 is out of range for a tensor of rank 2 \(expected -2..1\)/,
    );
    assert.throws(
      () => ops.softmax(x, -3),
      /softmax: dim -3 is out of range for a tensor of rank 2/,
    );
    assert.throws(() => ops.flip(x, [2]), /flip: dim 2 is out of range/);
    assert.throws(() => ops.squeeze(x, 3), /squeeze: dim 3 is out of range/);
    assert.throws(() => ops.sum(x, [0, -2]), /sum: dim \[0, -2\] repeats a dimension/);
    assert.throws(
      () => ops.max(zeros([0, 3]), 0),
      /max: cannot reduce over dim 0 of size 0 \(shape \[0, 3\]\)/,
    );
    assert.throws(() => zeros([0]).max(), /max: cannot take the maximum of an empty tensor/);
  });
  test("narrow, slice and select out of range", () => {
    assert.throws(
      () => ops.narrow(zeros([4]), 0, 2, 3),
      /narrow: start 2 and length 3 are out of range for dim 0 of size 4/,
    );
    assert.throws(
      () => ops.narrow(zeros([4]), 0, -5, 1),
      /narrow: start -5 and length 1 are out of range for dim 0 of size 4/,
    );
    assert.throws(
      () => ops.narrow(tensor(1), 0, 0, 1),
      /narrow: cannot be applied to a 0-d tensor/,
    );
    assert.throws(() => ops.select(x, 1, 3), /select: index 3 is out of range for dim 1 of size 3/);
    assert.throws(
      () => ops.select(x, 0, -3),
      /select: index -3 is out of range for dim 0 of size 2/,
    );
    assert.throws(() => ops.select(tensor(1), 0, 0), /select: cannot be applied to a 0-d tensor/);
  });
});

describe("index errors", () => {
  test("indices out of range", () => {
    assert.throws(
      () => ops.indexSelect(x, 1, idx([0, 3])),
      /indexSelect: index 3 is out of range for a dimension of size 3 \(at flat position 1\)/,
    );
    assert.throws(
      () => ops.indexSelect(x, 1, idx([-1])),
      /indexSelect: index -1 is out of range for a dimension of size 3/,
    );
    assert.throws(
      () => ops.gather(x, 1, idx([0, 5], [2, 1])),
      /gather: index 5 is out of range for a dimension of size 3/,
    );
    assert.throws(
      () => ops.embedding(idx([2]), x),
      /embedding: index 2 is out of range for a dimension of size 2/,
    );
  });
  test("float indices where int32 is required", () => {
    assert.throws(
      () => ops.indexSelect(x, 1, tensor([0])),
      /indexSelect: expected an int32 index tensor, got float32/,
    );
    assert.throws(
      () => ops.gather(x, 1, tensor([[0], [1]])),
      /gather: expected an int32 index tensor, got float32/,
    );
    assert.throws(
      () => ops.embedding(tensor([0]), x),
      /embedding: expected int32 indices, got float32 of shape \[1\]/,
    );
  });
  test("index shapes", () => {
    assert.throws(
      () => ops.indexSelect(x, 0, idx([0, 1], [1, 2])),
      /indexSelect: expected a 1-D index, got shape \[1, 2\]/,
    );
    assert.throws(
      () => ops.gather(x, 1, idx([0, 1, 1], [3, 1])),
      /gather: index of shape \[3, 1\] must have the input's shape \[2, 3\] in every dim but 1/,
    );
    assert.throws(
      () => ops.embedding(idx([0]), zeros([3])),
      /embedding: expected a 2-D weight, got shape \[3\]/,
    );
  });
  test("non-tensor operands name the op", () => {
    assert.throws(
      () => ops.add(1, 2),
      /add: expected at least one Tensor operand, got two numbers/,
    );
    assert.throws(() => ops.exp(null as never), /exp: expected input to be a Tensor, got null/);
    assert.throws(
      () => ops.clamp(x, null, null),
      /clamp: at least one of min and max must be given/,
    );
  });
});
