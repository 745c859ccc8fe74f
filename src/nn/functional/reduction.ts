/**
 * The `reduction` option every loss shares: "mean" (the default), "sum" or "none" (the
 * per-element losses, unreduced).
 */
import { mean, sum } from "../../ops/reduction.js";
import type { Tensor } from "../../tensor/tensor.js";

export type Reduction = "mean" | "sum" | "none";

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new Error(
      `${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`,
    );
  }
  return reduction;
}

/** Reduces per-element losses; the mean of no elements is NaN, as in PyTorch. */
export function applyReduction(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : mean(loss);
}
