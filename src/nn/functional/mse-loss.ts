/**
 * Mean squared error: ℓ = (x − y)² elementwise, reduced by `reduction` ("mean" by default). Input
 * and target must have the same shape (PyTorch only warns when they broadcast; that is nearly
 * always a bug, so here it is an error).
 *
 * @example
 * mseLoss(tensor([1, 2, 3]), tensor([1, 2, 5])).item(); // 4/3
 */
import { mul, sub } from "../../ops/elementwise.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { applyReduction, checkReduction, type Reduction } from "./reduction.js";

export interface MSELossOptions {
  reduction?: Reduction;
}

export function mseLoss(input: Tensor, target: Tensor, options: MSELossOptions = {}): Tensor {
  const reduction = checkReduction("mseLoss", options.reduction ?? "mean");
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) {
    throw new Error("mseLoss: expected input and target to be Tensors");
  }
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `mseLoss: expected target of the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  const d = sub(input, target);
  return applyReduction(mul(d, d), reduction);
}
