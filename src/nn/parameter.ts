import { Tensor } from "../tensor/tensor.js";

/**
 * A tensor that a Module owns as a weight: listed by `parameters()` and saved in `stateDict()`.
 * It requires grad unless created with `requiresGrad: false` (a frozen weight stays a parameter).
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(
      data.dtype === "float32" ? (data.data as Float32Array) : Float32Array.from(data.data),
      data.shape,
    );
    this.requiresGrad = requiresGrad;
  }
}
