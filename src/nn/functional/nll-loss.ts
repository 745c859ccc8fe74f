/**
 * Negative log-likelihood loss over class-index targets. For log-probabilities `input` of shape
 * [N, C], [C] (unbatched) or [N, C, d1, …, dK] and int32 targets of shape [N], [] or
 * [N, d1, …, dK]:
 *
 *   ℓᵢ = −w[yᵢ]·input[i, yᵢ]          (ℓᵢ = 0 where yᵢ = ignoreIndex)
 *   mean = Σᵢ ℓᵢ / Σᵢ w[yᵢ]           (over non-ignored i; NaN when every target is ignored)
 *
 * with w = 1 when no `weight` [C] is given. Composed from gather, mul and sum, so autograd gives
 * the backward.
 *
 * @example
 * const logp = logSoftmax(logits, 1);                        // [4, 5]
 * nllLoss(logp, tensor([1, 0, 4, 2], { dtype: "int32" }));   // scalar
 */
import { div, mul, neg, where } from "../../ops/elementwise.js";
import { gather } from "../../ops/indexing.js";
import { reshape } from "../../ops/movement.js";
import { sum } from "../../ops/reduction.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkReduction, type Reduction } from "./reduction.js";

export interface NLLLossOptions {
  /** A manual rescaling weight for each class, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this value contribute nothing, to the loss or to the mean (default −100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Validated class-index targets, ready for gathering from [*, C, *] scores. */
export interface ClassTargets {
  classDim: number;
  numClasses: number;
  /** The target's shape (the input's without the class dim). */
  shape: readonly number[];
  /** int32, the target's shape with 1 at classDim; ignored targets point at class 0. */
  index: Tensor;
  /** w[yᵢ], 0 where ignored (the target's shape). */
  weights: Tensor;
  /** 1 where the target counts, 0 where it is ignored (the target's shape). */
  valid: Tensor;
  /** Σ w[yᵢ] and the number of non-ignored targets: the two denominators of "mean". */
  weightSum: number;
  validCount: number;
}

/** The class dim of a loss input: 0 for unbatched [C], else 1. */
export function classDimOf(op: string, input: Tensor): number {
  if (!(input instanceof Tensor))
    throw new Error(`${op}: expected input to be a Tensor, got ${typeof input}`);
  if (input.dim() === 0)
    throw new Error(`${op}: expected input of shape [N, C], [C] or [N, C, d1, ...], got []`);
  return input.dim() === 1 ? 0 : 1;
}

/** Checks a per-class weight of shape [C], naming `op`. */
export function checkClassWeight(
  op: string,
  weight: Tensor | null | undefined,
  numClasses: number,
): Tensor | null {
  if (weight === null || weight === undefined) return null;
  if (!(weight instanceof Tensor) || weight.dim() !== 1 || weight.shape[0] !== numClasses) {
    const got = weight instanceof Tensor ? formatShape(weight.shape) : typeof weight;
    throw new Error(`${op}: expected weight of shape [${numClasses}] (one per class), got ${got}`);
  }
  return weight;
}

export function classTargets(
  op: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
): ClassTargets {
  const classDim = classDimOf(op, input);
  const numClasses = input.shape[classDim];
  const shape = input.shape.filter((_, d) => d !== classDim);
  if (!(target instanceof Tensor))
    throw new Error(`${op}: expected target to be a Tensor, got ${typeof target}`);
  if (target.dtype !== "int32") {
    throw new Error(
      `${op}: expected int32 class indices as target, got ${target.dtype} of shape ${formatShape(target.shape)} ` +
        `(convert with .int() or create it with dtype: "int32")`,
    );
  }
  if (!sameShape(target.shape, shape)) {
    throw new Error(
      `${op}: expected target of shape ${formatShape(shape)} for input of shape ${formatShape(input.shape)}, ` +
        `got ${formatShape(target.shape)}`,
    );
  }
  const t = target.data as Int32Array;
  const index = new Int32Array(t.length);
  const weights = new Float32Array(t.length);
  const valid = new Float32Array(t.length);
  let weightSum = 0;
  let validCount = 0;
  for (let i = 0; i < t.length; i++) {
    const y = t[i];
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= numClasses) {
      throw new Error(
        `${op}: target ${y} is out of bounds for ${numClasses} classes (expected 0 ≤ target < ${numClasses}, ` +
          `or ignoreIndex ${ignoreIndex}) at flat position ${i}`,
      );
    }
    index[i] = y;
    weights[i] = weight ? weight.data[y] : 1;
    valid[i] = 1;
    weightSum += weights[i];
    validCount++;
  }
  const indexShape = [...shape];
  indexShape.splice(classDim, 0, 1);
  return {
    classDim,
    numClasses,
    shape,
    index: new Tensor(index, indexShape),
    weights: new Tensor(weights, shape),
    valid: new Tensor(valid, shape),
    weightSum: Math.fround(weightSum),
    validCount,
  };
}

/** The NLL of gathered log-probabilities, reduced; shared with crossEntropy. */
export function nllFromTargets(logp: Tensor, targets: ClassTargets, reduction: Reduction): Tensor {
  const picked = reshape(gather(logp, targets.classDim, targets.index), targets.shape); // log p[i, yᵢ]
  // where (not a multiply by the mask) so that ignored entries are exactly +0, as in PyTorch.
  const loss = where(targets.valid, neg(mul(picked, targets.weights)), 0);
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : div(sum(loss), targets.weightSum);
}

export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const reduction = checkReduction("nllLoss", options.reduction ?? "mean");
  const classDim = classDimOf("nllLoss", input);
  const weight = checkClassWeight("nllLoss", options.weight, input.shape[classDim]);
  const targets = classTargets("nllLoss", input, target, weight, options.ignoreIndex ?? -100);
  return nllFromTargets(input, targets, reduction);
}
