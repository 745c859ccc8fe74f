import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tensor } from "../../src/tensor/creation.js";
import { oneHot } from "../../src/nn/functional/one-hot.js";

const ints = (data: number[] | number[][], shape?: number[]) =>
  tensor(data, { dtype: "int32", ...(shape ? { shape } : {}) });

describe("oneHot", () => {
  test("explicit numClasses", () => {
    const out = oneHot(ints([0, 2, 1]), 4);
    assert.equal(out.dtype, "float32");
    assert.deepEqual(out.toArray(), [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 1, 0, 0],
    ]);
  });

  test("numClasses -1 (default) is max + 1, and a trailing dim is appended", () => {
    const out = oneHot(ints([[3, 0]]));
    assert.deepEqual(out.shape, [1, 2, 4]);
    assert.deepEqual(out.toArray(), [
      [
        [0, 0, 0, 1],
        [1, 0, 0, 0],
      ],
    ]);
  });

  test("a 0-d index gives a vector; an empty tensor works with explicit numClasses", () => {
    assert.deepEqual(oneHot(ints([2], []), 3).toArray(), [0, 0, 1]);
    assert.deepEqual(oneHot(ints([], [2, 0]), 5).shape, [2, 0, 5]);
  });

  test("does not require grad", () => {
    assert.equal(oneHot(ints([1]), 2).requiresGrad, false);
  });

  test("errors: negative, too large, float indices, empty with -1, bad numClasses", () => {
    assert.throws(
      () => oneHot(ints([1, -1]), 3),
      /oneHot: class values must be non-negative, got -1 at flat position 1/,
    );
    assert.throws(
      () => oneHot(ints([1, 5, 3]), 3),
      /oneHot: class values must be smaller than numClasses=3, got 5 \(first too large value 5 at flat position 1\)/,
    );
    assert.throws(
      () => oneHot(tensor([1, 0]), 2),
      /oneHot: expected int32 class indices, got float32 of shape \[2\]/,
    );
    assert.throws(
      () => oneHot(ints([], [0])),
      /oneHot: cannot infer numClasses from an empty tensor of shape \[0\]/,
    );
    assert.throws(
      () => oneHot(ints([0]), -2),
      /oneHot: expected numClasses to be -1 or a non-negative integer, got -2/,
    );
  });
});
