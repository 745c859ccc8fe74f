/**
 * One-hot encoding, torch.nn.functional.one_hot: out[..., c] = 1 if indices[...] == c else 0,
 * so int32 indices [*] give [*, numClasses]. `numClasses = -1` (the default) means
 * max(indices) + 1. The result is float32 (PyTorch returns int64; here a float tensor is what a
 * one-hot input is for: feeding a Linear or RNN layer, as d2l's char-RNN does). It is a leaf: one
 * hot vectors of integer indices have no gradient.
 *
 * @example
 * oneHot(tensor([0, 2, 1], { dtype: "int32" }), 3).toArray();
 * // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
 */
import { formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";

export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (!(indices instanceof Tensor)) {
    throw new Error(
      `oneHot: expected an int32 Tensor of class indices, got ${indices === null ? "null" : typeof indices}`,
    );
  }
  if (indices.dtype !== "int32") {
    throw new Error(
      `oneHot: expected int32 class indices, got ${indices.dtype} of shape ${formatShape(indices.shape)} ` +
        `(create them with dtype: "int32")`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < -1) {
    throw new Error(
      `oneHot: expected numClasses to be -1 or a non-negative integer, got ${numClasses}`,
    );
  }
  const idx = indices.data;
  let max = -1;
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0) {
      throw new Error(
        `oneHot: class values must be non-negative, got ${idx[i]} at flat position ${i}`,
      );
    }
    if (idx[i] > max) max = idx[i];
  }
  let classes = numClasses;
  if (classes === -1) {
    if (idx.length === 0) {
      throw new Error(
        `oneHot: cannot infer numClasses from an empty tensor of shape ${formatShape(indices.shape)}; pass numClasses`,
      );
    }
    classes = max + 1;
  } else if (max >= classes) {
    const at = idx.findIndex((v) => v >= classes);
    throw new Error(
      `oneHot: class values must be smaller than numClasses=${classes}, got ${max} ` +
        `(first too large value ${idx[at]} at flat position ${at})`,
    );
  }
  const out = new Float32Array(idx.length * classes);
  for (let i = 0; i < idx.length; i++) out[i * classes + idx[i]] = 1;
  return new Tensor(out, [...indices.shape, classes]);
}
