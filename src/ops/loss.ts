/**
 * Fused softmax cross-entropy: one primitive for logSoftmax → gather → weight → reduce over
 * logits x [N, C] with int32 class targets t [N] (nn/functional/cross-entropy.ts uses it for the
 * common case; the composed version is the oracle in tests).
 *
 *   ℓᵣ = −w[tᵣ]·(x[r, tᵣ] − lseᵣ),  lseᵣ = log Σ_c exp x[r, c]   (0 where tᵣ = ignoreIndex)
 *   sum = Σᵣ ℓᵣ,  mean = Σᵣ ℓᵣ / Σᵣ w[tᵣ]                         (over non-ignored r)
 *   ∂/∂x[r, c] = s·w[tᵣ]·(softmax(x)[r, c] − [c = tᵣ]),  s = g (sum) or g / Σ w (mean)
 *
 * One pass over the logits forward (saving lse, N floats) and one backward, instead of a
 * [N, C] log-probability tensor, a gather, a scatter and four elementwise tensors.
 *
 * @example
 *   const loss = softmaxCrossEntropy(logits, targets, { weight: null, ignoreIndex: -100,
 *     reduction: "mean", weightSum: 32 });
 */
import { record } from "../autograd/derivatives.js";
import { backend } from "../backend/registry.js";
import { Tensor } from "../tensor/tensor.js";
import { f32, needsGrad, scalarTensor } from "./util.js";

export interface SoftmaxCrossEntropyOptions {
  /** Per-class weight [C], or null. */
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: "mean" | "sum";
  /** Σ w[tᵣ] over non-ignored targets (the mean's denominator), rounded to float32. */
  weightSum: number;
}

export interface SoftmaxCrossEntropySaved {
  x: Tensor;
  target: Int32Array;
  weight: Float32Array | null;
  ignoreIndex: number;
  lse: Float32Array;
  /** 1 for sum, the float32 denominator for mean. */
  denominator: number;
}

/** x [N, C] float32, target [N] int32 already checked to be classes or ignoreIndex. */
export function softmaxCrossEntropy(
  x: Tensor,
  target: Tensor,
  o: SoftmaxCrossEntropyOptions,
): Tensor {
  const [N, C] = x.shape;
  const t = target.data as Int32Array;
  const weight = o.weight ? f32(o.weight) : null;
  const lse = new Float32Array(N);
  const loss = new Float32Array(N);
  backend().crossEntropyForward(f32(x), N, C, t, weight, o.ignoreIndex, lse, loss);
  let total = 0;
  for (let r = 0; r < N; r++) total += loss[r];
  const denominator = o.reduction === "mean" ? o.weightSum : 1;
  const out = scalarTensor(Math.fround(total) / denominator);
  if (needsGrad(x)) {
    const saved = { x, target: t, weight, ignoreIndex: o.ignoreIndex, lse, denominator };
    record("softmaxCrossEntropy", [x], [out], saved);
  }
  return out;
}

/** The rule in autograd/derivatives.ts: dx for the incoming scalar gradient g. */
export function softmaxCrossEntropyBackward(g: number, s: SoftmaxCrossEntropySaved): Tensor {
  const [N, C] = s.x.shape;
  const dx = new Float32Array(N * C);
  const scale = Math.fround(g / s.denominator);
  backend().crossEntropyBackward(
    f32(s.x),
    s.lse,
    N,
    C,
    s.target,
    s.weight,
    s.ignoreIndex,
    scale,
    dx,
  );
  return new Tensor(dx, s.x.shape);
}
