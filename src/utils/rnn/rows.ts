/**
 * Row gathers shared by packing and padding: out[k] = x[index[k]] for a 2-D x [R, F]. Float rows
 * go through the differentiable indexSelect (its backward scatter-adds into x's gradient); int32
 * rows (token ids) are copied directly, as they never carry a gradient.
 */
import { indexSelect } from "../../ops/indexing.js";
import { Tensor } from "../../tensor/tensor.js";

export function selectRows(x: Tensor, index: Int32Array): Tensor {
  if (x.dtype === "float32") return indexSelect(x, 0, new Tensor(index, [index.length]));
  const F = x.shape[1];
  const src = x.data as Int32Array;
  const out = new Int32Array(index.length * F);
  for (let k = 0; k < index.length; k++) {
    out.set(src.subarray(index[k] * F, (index[k] + 1) * F), k * F);
  }
  return new Tensor(out, [index.length, F]);
}
