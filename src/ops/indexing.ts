/** Index-driven primitives: indexSelect, gather, embedding lookup. Indices are int32 tensors. */
import { record } from "../autograd/derivatives.js";
import { backend } from "../backend/registry.js";
import { formatShape, normalizeDim, splitAt } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { setRowSource } from "./row-source.js";
import { checkTensor, empty, f32, i32, needsGrad } from "./util.js";

function checkRange(op: string, index: Int32Array, size: number): void {
  for (let i = 0; i < index.length; i++) {
    const v = index[i];
    if (v < 0 || v >= size) {
      throw new Error(
        `${op}: index ${v} is out of range for a dimension of size ${size} (at flat position ${i})`,
      );
    }
  }
}

/** Rows `index` of x along `dim` (index is 1-D int32). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor("indexSelect", x);
  checkTensor("indexSelect", index, "index");
  const d = normalizeDim("indexSelect", dim, x.dim());
  if (index.dim() > 1)
    throw new Error(`indexSelect: expected a 1-D index, got shape ${formatShape(index.shape)}`);
  const idx = i32("indexSelect", index);
  const { outer, size, inner } = splitAt(x.shape, d);
  checkRange("indexSelect", idx, size);
  const shape = [...x.shape];
  if (shape.length > 0) shape[d] = idx.length;
  const out = empty(shape);
  const xs = f32(x);
  const os = out.data as Float32Array;
  for (let o = 0; o < outer; o++) {
    backend().gatherRows(
      xs.subarray(o * size * inner, (o + 1) * size * inner),
      inner,
      idx,
      os.subarray(o * idx.length * inner, (o + 1) * idx.length * inner),
    );
  }
  if (needsGrad(x)) record("indexSelect", [x], [out], { inputShape: x.shape, dim: d, index: idx });
  return out;
}

/**
 * torch.gather: out[..., j, ...] = x[..., index[..., j, ...], ...] along `dim`. `index` has x's rank
 * and x's sizes in every other dim.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor("gather", x);
  checkTensor("gather", index, "index");
  const d = normalizeDim("gather", dim, x.dim());
  const idx = i32("gather", index);
  const ok = index.dim() === x.dim() && index.shape.every((s, k) => k === d || s === x.shape[k]);
  if (!ok) {
    throw new Error(
      `gather: index of shape ${formatShape(index.shape)} must have the input's shape ${formatShape(x.shape)} in every dim but ${d}`,
    );
  }
  const { outer, size, inner } = splitAt(x.shape, d);
  checkRange("gather", idx, size);
  const k = index.dim() === 0 ? 1 : index.shape[d];
  const out = empty(index.shape);
  backend().gatherAxis(f32(x), outer, size, inner, idx, k, out.data as Float32Array);
  if (needsGrad(x))
    record("gather", [x], [out], { inputShape: x.shape, outer, size, inner, index: idx, k });
  return out;
}

/**
 * Looks up rows of `weight` [numEmbeddings, dim] for int32 `indices` of any shape; the result is
 * [...indices.shape, dim]. Rows equal to `paddingIdx` get no gradient, as in PyTorch. With
 * `sparse` the weight's gradient is row-sparse (tensor/sparse.ts): only the rows looked up.
 */
export function embedding(
  indices: Tensor,
  weight: Tensor,
  paddingIdx: number | null = null,
  sparse = false,
): Tensor {
  checkTensor("embedding", indices, "indices");
  checkTensor("embedding", weight, "weight");
  if (weight.dim() !== 2)
    throw new Error(`embedding: expected a 2-D weight, got shape ${formatShape(weight.shape)}`);
  if (indices.dtype !== "int32") {
    throw new Error(
      `embedding: expected int32 indices, got ${indices.dtype} of shape ${formatShape(indices.shape)}`,
    );
  }
  const idx = indices.data as Int32Array;
  const [rows, width] = weight.shape;
  checkRange("embedding", idx, rows);
  const out = empty([...indices.shape, width]);
  backend().gatherRows(f32(weight), width, idx, out.data as Float32Array);
  const recorded = needsGrad(weight);
  if (recorded) record("embedding", [weight], [out], { index: idx, paddingIdx, sparse });
  setRowSource(out, { table: weight, index: idx, paddingIdx, onTape: recorded && !sparse });
  return out;
}
