/**
 * In-place optimizer updates on parameter storage (off the tape). optim/ calls these so that the
 * update of one tensor is one kernel call on any backend. Every state tensor must have the
 * parameter's shape; the kernels follow PyTorch's single-tensor algorithms (see
 * backend/reference/optim.ts).
 *
 * The `…SparseUpdate` kernels take a row-sparse gradient (`Tensor.rowSparse`, coalesced) and touch
 * only its rows, following PyTorch 1.13's sparse paths op for op in float32. They are plain loops
 * here rather than backend kernels: they run over the nnz rows of a batch, not the whole table,
 * and parameter storage is a Float32Array on every backend.
 */
import type {
  AdagradOptions,
  AdamOptions,
  RmspropOptions,
  SgdOptions,
} from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { formatShape, numel } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

type State = Tensor | null;

function raw(op: string, p: Tensor, t: Tensor, what: string): Float32Array {
  if (t.dtype !== "float32") throw new Error(`${op}: expected a float32 ${what}, got ${t.dtype}`);
  if (t.isSparse) throw new Error(`${op}: expected a dense ${what}, got a row-sparse one`);
  if (t.shape.length !== p.shape.length || t.shape.some((s, i) => s !== p.shape[i])) {
    throw new Error(
      `${op}: expected ${what} of shape ${formatShape(p.shape)} like the parameter, got ${formatShape(t.shape)}`,
    );
  }
  return t.data as Float32Array;
}

const rawOrNull = (op: string, p: Tensor, t: State, what: string) =>
  t ? raw(op, p, t, what) : null;

export function sgdUpdate(p: Tensor, g: Tensor, buf: State, o: SgdOptions): void {
  const op = "sgdUpdate";
  backend().sgdUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    rawOrNull(op, p, buf, "momentum buffer"),
    o,
  );
}

/**
 * Dense Adam/AdamW. A row-sparse `g` is taken as the dense gradient that is 0 outside its rows
 * (what a parameter holds as rows, Tensor.heldGrad): every element is updated, exactly as from
 * the dense gradient. PyTorch's lazy sparse update is SparseAdam's (`sparseAdamUpdate`).
 */
export function adamUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  vMax: State,
  o: AdamOptions,
): void {
  const op = "adamUpdate";
  const theta = raw(op, p, p, "parameter");
  const mRaw = raw(op, p, m, "exp_avg");
  const vRaw = raw(op, p, v, "exp_avg_sq");
  const vMaxRaw = rawOrNull(op, p, vMax, "max_exp_avg_sq");
  if (g.isSparse) {
    const { rows, values, width } = sparseRaw(op, p, g);
    backend().adamUpdateRows(theta, rows, values, width, mRaw, vRaw, vMaxRaw, o);
  } else {
    backend().adamUpdate(theta, raw(op, p, g, "gradient"), mRaw, vRaw, vMaxRaw, o);
  }
}

export function rmspropUpdate(
  p: Tensor,
  g: Tensor,
  sq: Tensor,
  gAvg: State,
  buf: State,
  o: RmspropOptions,
): void {
  const op = "rmspropUpdate";
  backend().rmspropUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    raw(op, p, sq, "square_avg"),
    rawOrNull(op, p, gAvg, "grad_avg"),
    rawOrNull(op, p, buf, "momentum buffer"),
    o,
  );
}

export function adagradUpdate(p: Tensor, g: Tensor, sum: Tensor, o: AdagradOptions): void {
  const op = "adagradUpdate";
  backend().adagradUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    raw(op, p, sum, "sum"),
    o,
  );
}

/** A row-sparse gradient of `p`: its rows [nnz], their values [nnz·width] and the row width. */
function sparseRaw(op: string, p: Tensor, g: Tensor) {
  if (!g.isSparse) throw new Error(`${op}: expected a row-sparse gradient, got a dense one`);
  if (g.dtype !== "float32") throw new Error(`${op}: expected a float32 gradient, got ${g.dtype}`);
  if (g.shape.length !== p.shape.length || g.shape.some((s, i) => s !== p.shape[i])) {
    throw new Error(
      `${op}: expected gradient of shape ${formatShape(p.shape)} like the parameter, got ${formatShape(g.shape)}`,
    );
  }
  return {
    rows: g.indices().data as Int32Array,
    values: g.data as Float32Array,
    width: numel(p.shape.slice(1)),
  };
}

const f = Math.fround;

export interface SparseSgdOptions {
  lr: number;
  maximize: boolean;
}

/** θ[R] −= lr·g (+= when maximize): SGD without momentum or weight decay, as the dense kernel. */
export function sgdSparseUpdate(p: Tensor, g: Tensor, o: SparseSgdOptions): void {
  const op = "sgdSparseUpdate";
  const theta = raw(op, p, p, "parameter");
  const { rows, values, width } = sparseRaw(op, p, g);
  const negLr = f(-o.lr);
  for (let k = 0; k < rows.length; k++) {
    for (let j = 0, i = rows[k] * width; j < width; j++, i++) {
      const d = o.maximize ? -values[k * width + j] : values[k * width + j];
      theta[i] = theta[i] + negLr * d;
    }
  }
}

export interface SparseAdagradOptions {
  /** The decayed learning rate of this step, lr / (1 + (step − 1)·lrDecay). */
  lr: number;
  eps: number;
  maximize: boolean;
}

/** s[R] += g², θ[R] −= lr·g / (√s[R] + ε): Adagrad's `_make_sparse` path. */
export function adagradSparseUpdate(
  p: Tensor,
  g: Tensor,
  sum: Tensor,
  o: SparseAdagradOptions,
): void {
  const op = "adagradSparseUpdate";
  const theta = raw(op, p, p, "parameter");
  const s = raw(op, p, sum, "sum");
  const { rows, values, width } = sparseRaw(op, p, g);
  const negLr = f(-o.lr);
  const eps = f(o.eps);
  for (let k = 0; k < rows.length; k++) {
    for (let j = 0, i = rows[k] * width; j < width; j++, i++) {
      const d = o.maximize ? -values[k * width + j] : values[k * width + j];
      s[i] = s[i] + f(d * d);
      const std = f(f(Math.sqrt(s[i])) + eps);
      theta[i] = theta[i] + negLr * f(d / std);
    }
  }
}

export interface SparseAdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** This update's step, counted from 1. */
  step: number;
  maximize: boolean;
}

/**
 * SparseAdam's lazy update of the rows R in the gradient (PyTorch 1.13 `_functional.sparse_adam`):
 * m[R] += (g − m[R])(1 − β₁), v[R] += (g² − v[R])(1 − β₂),
 * θ[R] −= lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m[R] / (√v[R] + ε).
 */
export function sparseAdamUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  o: SparseAdamOptions,
): void {
  const op = "sparseAdamUpdate";
  const theta = raw(op, p, p, "parameter");
  const expAvg = raw(op, p, m, "exp_avg");
  const expAvgSq = raw(op, p, v, "exp_avg_sq");
  const { rows, values, width } = sparseRaw(op, p, g);
  const keep1 = f(1 - o.beta1);
  const keep2 = f(1 - o.beta2);
  const eps = f(o.eps);
  const stepSize =
    (o.lr * Math.sqrt(1 - Math.pow(o.beta2, o.step))) / (1 - Math.pow(o.beta1, o.step));
  const negStepSize = f(-stepSize);
  for (let k = 0; k < rows.length; k++) {
    for (let j = 0, i = rows[k] * width; j < width; j++, i++) {
      const d = o.maximize ? -values[k * width + j] : values[k * width + j];
      const oldM = expAvg[i];
      const mUpd = f(f(d - oldM) * keep1);
      expAvg[i] = oldM + mUpd;
      const oldV = expAvgSq[i];
      const vUpd = f(f(f(d * d) - oldV) * keep2);
      expAvgSq[i] = oldV + vUpd;
      // PyTorch re-adds the old values to the update values (the same sums as the state rows).
      const numer = f(mUpd + oldM);
      const denom = f(f(Math.sqrt(f(vUpd + oldV))) + eps);
      theta[i] = theta[i] + f(negStepSize * f(numer / denom));
    }
  }
}

export type { AdagradOptions, AdamOptions, RmspropOptions, SgdOptions };
