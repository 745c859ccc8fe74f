/**
 * Gradient clipping, as PyTorch's `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`.
 *
 *   clipGradNorm:  N = ‖(‖g₁‖ₚ, …, ‖gₖ‖ₚ)‖ₚ  (the p-norm of all grads viewed as one vector;
 *                  p = Infinity gives max |g|), then every g ← g · min(1, maxNorm / (N + 1e-6))
 *   clipGradValue: every g ← clamp(g, −clipValue, clipValue)
 *
 * Both work in place on `p.grad` and skip parameters whose grad is null. A row-sparse grad
 * (nn.Embedding({ sparse: true })) is coalesced, so the norm of its stored values is its norm and
 * scaling or clamping them in place is right; so is the dense gradient a non-sparse embedding's
 * weight holds as its rows (Tensor.heldGrad), which clipGradNorm leaves so. Unlike PyTorch, which
 * returns the total norm as a 0-d tensor, `clipGradNorm` returns it as a number (the float32
 * value PyTorch's tensor would hold).
 *
 * @example
 * loss.backward();
 * const norm = utils.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
import type { Tensor } from "../tensor/tensor.js";

export interface ClipGradNormOptions {
  /** The p of the p-norm (> 0), or Infinity for the largest absolute value. Default 2. */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

const f = Math.fround;

function paramsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = Symbol.iterator in params ? [...(params as Iterable<Tensor>)] : [params as Tensor];
  for (const p of list) {
    if (p === null || typeof p !== "object" || !("grad" in p)) {
      throw new Error(`${op}: expected an iterable of Tensors, got an element of type ${typeof p}`);
    }
  }
  return list;
}

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Float32Array[] {
  const grads: Float32Array[] = [];
  for (const p of paramsOf(op, params))
    if (p.grad !== null) grads.push(p.grad.data as Float32Array);
  return grads;
}

/** ‖g‖ₚ in float64, rounded to float32 like the per-tensor norm PyTorch computes. */
function norm(g: Float32Array, p: number): number {
  let acc = 0;
  if (p === Infinity) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]);
      if (a > acc || Number.isNaN(a)) acc = a;
    }
    return acc;
  }
  if (p === 2) {
    for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
    return f(Math.sqrt(acc));
  }
  if (p === 1) {
    for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]);
    return f(acc);
  }
  for (let i = 0; i < g.length; i++) acc += Math.pow(Math.abs(g[i]), p);
  return f(Math.pow(acc, 1 / p));
}

/**
 * Scales all gradients together so that their total p-norm is at most `maxNorm`; returns the
 * total norm before clipping (0 when no parameter has a gradient).
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): number {
  const normType = options.normType ?? 2;
  if (!(normType > 0)) {
    throw new Error(`clipGradNorm: expected normType > 0 or Infinity, got ${normType}`);
  }
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) {
    throw new Error(`clipGradNorm: expected a number maxNorm, got ${String(maxNorm)}`);
  }
  // A gradient held as its rows (a non-sparse embedding's) is read as those rows: the zeros
  // elsewhere add nothing to a norm, and stay zeros when scaled by a coefficient ≥ +0.
  const held = paramsOf("clipGradNorm", params)
    .map((p) => ({ p, h: p.heldGrad() }))
    .filter(({ h }) => h !== null);
  if (held.length === 0) return 0;
  const norms = held.map(({ h }) => norm(h!.grad.data as Float32Array, normType));
  const total = norm(Float32Array.from(norms), normType);
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(
      `clipGradNorm: The total norm of order ${normType} for gradients from \`parameters\` is ` +
        "non-finite, so it cannot be clipped. To disable this error and scale the gradients by " +
        "the non-finite norm anyway, set `errorIfNonfinite: false`",
    );
  }
  // PyTorch computes maxNorm / (total + 1e-6) as a float32 reciprocal times maxNorm.
  const coef = Math.min(f(f(1 / f(total + f(1e-6))) * f(maxNorm)), 1);
  if (coef < 1 || Number.isNaN(coef)) {
    // 0 · NaN and 0 · (−c) are not +0: then rows are made dense (by reading `grad`) first.
    const keepRows = coef > 0 || Object.is(coef, 0);
    for (const { p, h } of held) {
      const g = (keepRows ? h!.grad : p.grad!).data as Float32Array;
      for (let i = 0; i < g.length; i++) g[i] *= coef;
    }
  }
  return total;
}

/** Clamps every gradient element into [−clipValue, clipValue] in place. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== "number" || Number.isNaN(clipValue)) {
    throw new Error(`clipGradValue: expected a number clipValue, got ${String(clipValue)}`);
  }
  const hi = f(clipValue);
  const lo = f(-clipValue);
  for (const g of gradsOf("clipGradValue", params)) {
    for (let i = 0; i < g.length; i++) {
      const x = g[i];
      g[i] = x < lo ? lo : x > hi ? hi : x;
    }
  }
}
