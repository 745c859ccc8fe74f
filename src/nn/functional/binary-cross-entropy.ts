/**
 * Binary cross entropy on logits, computed stably (PyTorch's formulation): for input x, target
 * y ∈ [0, 1] of the same shape, optional `weight` w (broadcast to x) and `posWeight` p (broadcast
 * along the last dim, one per class):
 *
 *   ℓ = w·[(1 − y)·x + (1 + (p − 1)·y)·log(1 + e^(−x))]
 *   log(1 + e^(−x)) = log(e^(−m) + e^(−x−m)) + m,  m = max(−x, 0)   (no overflow for large |x|)
 *
 * which equals −w·[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]. Reduced by `reduction`.
 *
 * @example
 * binaryCrossEntropyWithLogits(randn([8, 3]), rand([8, 3]), { posWeight: tensor([1, 2, 3]) });
 */
import { add, clamp, exp, log, mul, neg, sub } from "../../ops/elementwise.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { applyReduction, checkReduction, type Reduction } from "./reduction.js";

export interface BCEWithLogitsOptions {
  /** A rescaling weight, broadcast to the input's shape. */
  weight?: Tensor | null;
  /** The weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
  reduction?: Reduction;
}

export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  const reduction = checkReduction(op, options.reduction ?? "mean");
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) {
    throw new Error(`${op}: expected input and target to be Tensors`);
  }
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `${op}: expected target of the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  if (target.dtype !== "float32") {
    throw new Error(
      `${op}: expected a float32 target of probabilities, got ${target.dtype} (convert with .float())`,
    );
  }
  const m = clamp(neg(input.detach()), 0); // max(−x, 0), a constant shift: its gradient cancels
  const logTerm = log(add(exp(neg(m)), exp(sub(neg(input), m)))); // log(1 + e^(−x)) − m
  const linearTerm = mul(sub(1, target), input);
  let loss: Tensor;
  if (options.posWeight) {
    const logWeight = add(mul(sub(options.posWeight, 1), target), 1);
    loss = add(linearTerm, mul(logWeight, add(logTerm, m)));
  } else {
    loss = add(add(linearTerm, m), logTerm); // PyTorch's order of additions, for bitwise parity
  }
  if (options.weight) loss = mul(loss, options.weight);
  return applyReduction(loss, reduction);
}
