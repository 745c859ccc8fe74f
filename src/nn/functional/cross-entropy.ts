/**
 * Cross entropy between unnormalised scores and targets, with PyTorch 1.13's semantics. Input
 * [N, C], [C] (unbatched) or [N, C, d1, …, dK]; the target is either int32 class indices of the
 * input's shape without C, or float class probabilities of the input's own shape.
 *
 *   class indices:   ℓᵢ = −w[yᵢ]·log softmax(xᵢ)[yᵢ]     (as nllLoss; ignoreIndex skipped)
 *   label smoothing: ℓ = (1 − ε)·ℓ_nll + (ε / C)·ℓ_smooth,  ℓ_smooth,i = −Σ_c w[c]·log softmax(xᵢ)[c]
 *                    ("mean" divides ℓ_smooth by Σ w[yᵢ] over non-ignored targets, or their count)
 *   probabilities:   ℓᵢ = −Σ_c w[c]·pᵢ[c]·log softmax(xᵢ)[c],  pᵢ ← (1 − ε)·pᵢ + ε / C;
 *                    "mean" divides by the number of samples N·d1·…·dK (not by weights)
 *
 * Composed from logSoftmax, gather, mul and sum, so autograd gives the backward; the common case
 * (2-D input, class indices, no smoothing, "mean" or "sum") runs as the fused primitive
 * softmaxCrossEntropy (ops/loss.ts) instead, which the composed version reproduces in tests.
 *
 * @example
 * const logits = randn([4, 5], { requiresGrad: true });
 * const loss = crossEntropy(logits, tensor([1, 0, 4, 2], { dtype: "int32" }), { labelSmoothing: 0.1 });
 * loss.backward();
 */
import { add, div, mul, neg, where } from "../../ops/elementwise.js";
import { softmaxCrossEntropy } from "../../ops/loss.js";
import { reshape } from "../../ops/movement.js";
import { logSoftmax, sum } from "../../ops/reduction.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import {
  checkClassWeight,
  classDimOf,
  classTargets,
  nllFromTargets,
  type NLLLossOptions,
} from "./nll-loss.js";
import { checkReduction, type Reduction } from "./reduction.js";

export interface CrossEntropyOptions extends NLLLossOptions {
  /** Mixes the target with the uniform distribution: ε in [0, 1] (default 0). */
  labelSmoothing?: number;
}

export function crossEntropy(
  input: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const reduction = checkReduction("crossEntropy", options.reduction ?? "mean");
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) {
    throw new Error(`crossEntropy: labelSmoothing must be between 0 and 1, got ${eps}`);
  }
  const classDim = classDimOf("crossEntropy", input);
  const numClasses = input.shape[classDim];
  const weight = checkClassWeight("crossEntropy", options.weight, numClasses);
  if (!(target instanceof Tensor)) {
    throw new Error(
      `crossEntropy: expected target to be a Tensor, got ${target === null ? "null" : typeof target}`,
    );
  }
  if (target.dtype === "float32" && !sameShape(target.shape, input.shape)) {
    const indexShape = formatShape(input.shape.filter((_, d) => d !== classDim));
    throw new Error(
      `crossEntropy: expected int32 class indices of shape ${indexShape} or float class probabilities of the ` +
        `input's shape ${formatShape(input.shape)}, got float32 ${formatShape(target.shape)} ` +
        `(for class indices convert with .int() or create them with dtype: "int32")`,
    );
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (target.dtype === "int32" && eps === 0 && input.dim() === 2 && reduction !== "none") {
    // The common case as one fused primitive (ops/loss.ts); the composed path below is its oracle.
    const targets = classTargets("crossEntropy", input, target, weight, ignoreIndex);
    const weightSum = weight ? targets.weightSum : targets.validCount;
    return softmaxCrossEntropy(input, target, { weight, ignoreIndex, reduction, weightSum });
  }
  const logp = logSoftmax(input, classDim);
  // weight [C] broadcast against [N, C, d1, …]: [C, 1, …, 1] (leading dims broadcast by themselves).
  const classWeight =
    weight && reshape(weight, [numClasses, ...input.shape.slice(classDim + 1).map(() => 1)]);
  if (target.dtype === "float32") {
    return probabilityLoss(logp, target, classWeight, classDim, numClasses, eps, reduction);
  }

  const targets = classTargets("crossEntropy", input, target, weight, ignoreIndex);
  const nll = nllFromTargets(logp, targets, reduction);
  if (eps === 0) return nll;
  // −Σ_c w[c]·log p[c], zero where the target is ignored.
  const smooth = where(
    targets.valid,
    neg(sum(classWeight ? mul(logp, classWeight) : logp, classDim)),
    0,
  );
  let smoothReduced: Tensor;
  if (reduction === "none") smoothReduced = smooth;
  else if (reduction === "sum") smoothReduced = sum(smooth);
  else smoothReduced = div(sum(smooth), weight ? targets.weightSum : targets.validCount);
  return add(mul(nll, 1 - eps), mul(smoothReduced, eps / numClasses));
}

function probabilityLoss(
  logp: Tensor,
  target: Tensor,
  classWeight: Tensor | null,
  classDim: number,
  numClasses: number,
  eps: number,
  reduction: Reduction,
): Tensor {
  const p = eps > 0 ? add(mul(target, 1 - eps), eps / numClasses) : target;
  let prod = mul(logp, p);
  if (classWeight) prod = mul(prod, classWeight);
  const loss = neg(sum(prod, classDim)); // the input's shape without C
  if (reduction === "none") return loss;
  if (reduction === "sum") return sum(loss);
  return div(sum(loss), logp.numel() / numClasses);
}
