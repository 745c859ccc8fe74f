/**
 * Masked sequence cross-entropy (d2l's MaskedSoftmaxCELoss): per-token cross entropy over a
 * padded batch, with the tokens past each sequence's valid length masked out.
 *
 *   input [B, T, V] logits, target int32 [B, T], lengths [B] (valid lengths)
 *   ℓ[b, t] = −log softmax(input[b, t])[target[b, t]]
 *   loss[b] = (1/T) Σ_t ℓ[b, t] · 1[t < lengths[b]]          reduction "none" (default): [B]
 *   "mean" → (1/B) Σ_b loss[b];  "sum" → Σ_b loss[b]
 *
 * As in d2l, the per-sequence loss is averaged over all T steps (padding counts as zero), not over
 * the valid tokens; weight the result by T / lengths[b] for a per-token mean. Composed from
 * crossEntropy, mul and mean, so autograd gives the backward (padding gets zero gradient).
 *
 * @example
 * const logits = randn([2, 4, 10], { requiresGrad: true });     // [B, T, V]
 * const labels = randint(0, 10, [2, 4]);                        // int32 [B, T]
 * const loss = maskedCrossEntropy(logits, labels, [4, 2]);      // [2]
 * loss.sum().backward();
 */
import { mul } from "../../ops/elementwise.js";
import { reshape } from "../../ops/movement.js";
import { mean, sum } from "../../ops/reduction.js";
import { formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { lengthsArray, type Lengths } from "../../utils/rnn/packed-sequence.js";
import { sequenceMask } from "../../utils/rnn/sequence-mask.js";
import { crossEntropy } from "./cross-entropy.js";
import { checkReduction, type Reduction } from "./reduction.js";

export interface MaskedCrossEntropyOptions {
  /** "none" (default: the per-sequence losses [B], as d2l), "mean" or "sum" over the batch. */
  reduction?: Reduction;
}

export function maskedCrossEntropy(
  input: Tensor,
  target: Tensor,
  lengths: Lengths,
  options: MaskedCrossEntropyOptions = {},
): Tensor {
  const op = "maskedCrossEntropy";
  const reduction = checkReduction(op, options.reduction ?? "none");
  if (!(input instanceof Tensor) || input.dim() !== 3 || input.dtype !== "float32") {
    const got =
      input instanceof Tensor ? `${input.dtype} ${formatShape(input.shape)}` : typeof input;
    throw new Error(`${op}: expected float32 logits of shape [B, T, V], got ${got}`);
  }
  const [B, T, V] = input.shape;
  if (
    !(target instanceof Tensor) ||
    target.dtype !== "int32" ||
    target.dim() !== 2 ||
    target.shape[0] !== B ||
    target.shape[1] !== T
  ) {
    const got =
      target instanceof Tensor ? `${target.dtype} ${formatShape(target.shape)}` : typeof target;
    throw new Error(
      `${op}: expected int32 targets of shape [${B}, ${T}] for logits ${formatShape(input.shape)}, got ${got}`,
    );
  }
  const lens = lengthsArray(op, lengths);
  if (lens.length !== B) {
    throw new Error(
      `${op}: expected ${B} lengths (one per sequence of logits ${formatShape(input.shape)}), got ${lens.length}`,
    );
  }
  const perToken = crossEntropy(reshape(input, [B * T, V]), reshape(target, [B * T]), {
    reduction: "none",
  }); // [B·T]
  const masked = mul(reshape(perToken, [B, T]), sequenceMask(lens, T)); // [B, T]
  const loss = mean(masked, 1); // [B]
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : mean(loss);
}
