/**
 * Calls of the optimizer update kernels (wasm/assembly/optim.ts), with the scalar constants
 * computed and rounded exactly as src/backend/reference/optim.ts does, so the updates are
 * bit-identical to the reference's.
 */
import type { AdagradOptions, AdamOptions, F32, RmspropOptions, SgdOptions } from "../backend.js";
import { PARALLEL_FLOPS } from "./gemm.js";
import type { KernelExports } from "./module.js";
import type { Runtime } from "./runtime.js";

const f = Math.fround;

/**
 * Elements per slice. A large parameter (a 95 812 × 64 embedding) that does not live in wasm
 * memory is copied in, updated and copied back one slice at a time, so the copies run out of the
 * cache; a slice big enough is split between the pool's threads. The updates are elementwise, so
 * slices and threads change nothing in the result.
 */
const SLICE = 1 << 16;
/** An update costs about as much as this many GEMM flops per element (~3 ns for Adam). */
const UNIT_COST = 100;

/**
 * Runs kernel `op` over the in-place arrays (operands that are not resident copied in, and every
 * array but the gradient, index 1, copied back) slice by slice; args(at, n) gives its argument
 * list for n elements at addresses `at` (0 for a missing array).
 */
function sliced(
  rt: Runtime,
  op: keyof KernelExports,
  arrays: (F32 | null)[],
  args: (at: number[], n: number) => number[],
): void {
  const H = rt.heap;
  const total = arrays[0]!.length;
  for (let offset = 0; offset < total; offset += SLICE) {
    const n = Math.min(SLICE, total - offset);
    H.reset();
    const at = arrays.map((x) => (x ? H.put(x, offset, n) : 0));
    const parts = rt.chunks(op, n * UNIT_COST, PARALLEL_FLOPS);
    // Chunks of whole 4-float vectors, so every element takes the same (vector) path.
    const per = Math.ceil(n / parts / 4) * 4;
    const chunks: number[][] = [];
    for (let c0 = 0; c0 < n; c0 += per) {
      const bytes = 4 * c0;
      chunks.push(
        args(
          at.map((a) => (a ? a + bytes : 0)),
          Math.min(per, n - c0),
        ),
      );
    }
    rt.run(op, chunks);
    rt.settle();
    arrays.forEach((x, i) => {
      if (x && i !== 1) H.get(at[i], n, x, offset);
    });
  }
}

export function sgd(rt: Runtime, p: F32, g: F32, buf: F32 | null, o: SgdOptions): void {
  sliced(rt, "sgd", [p, g, buf], ([pp, pg, pb], n) => [
    pp,
    pg,
    pb,
    n,
    o.maximize ? 1 : 0,
    f(o.weightDecay),
    f(o.momentum),
    f(1 - o.dampening),
    o.nesterov ? 1 : 0,
    o.firstStep ? 1 : 0,
    f(-o.lr),
  ]);
}

/** Adam's scalar arguments after the arrays and counts, rounded as the reference rounds them. */
function adamScalars(o: AdamOptions): number[] {
  const bc1 = 1 - Math.pow(o.beta1, o.step);
  return [
    o.maximize ? 1 : 0,
    o.decoupled ? 1 : 0,
    f(o.weightDecay),
    f(1 - o.lr * o.weightDecay),
    f(o.beta1),
    f(o.beta2),
    f(1 - o.beta1),
    f(1 - o.beta2),
    f(o.eps),
    f(Math.sqrt(1 - Math.pow(o.beta2, o.step))),
    f(-(o.lr / bc1)),
  ];
}

export function adam(
  rt: Runtime,
  p: F32,
  g: F32,
  m: F32,
  v: F32,
  vMax: F32 | null,
  o: AdamOptions,
): void {
  const scalars = adamScalars(o);
  sliced(rt, "adam", [p, g, m, v, vMax], ([pp, pg, pm, pv, px], n) => [
    pp,
    pg,
    pm,
    pv,
    px,
    n,
    ...scalars,
  ]);
}

/**
 * Adam from the nonzero rows of the gradient, in place on resident p, m, v (and vMax), the row
 * range split between the threads. Returns false, doing nothing, when any of them is not
 * resident: the caller then runs the dense update.
 */
export function adamRows(
  rt: Runtime,
  p: F32,
  rows: Int32Array,
  values: F32,
  width: number,
  m: F32,
  v: F32,
  vMax: F32 | null,
  o: AdamOptions,
): boolean {
  const H = rt.heap;
  const state = [p, m, v, vMax].map((x) => (x ? H.addressOf(x) : 0));
  if (state.some((at) => at < 0)) return false;
  H.reset();
  const g = H.put(values, 0, values.length);
  const r = H.putInt(rows);
  const scalars = adamScalars(o);
  const R = p.length / width;
  const parts = Math.min(R, rt.chunks("adamRows", p.length * UNIT_COST, PARALLEL_FLOPS));
  const chunks: number[][] = [];
  for (let c = 0; c < parts; c++) {
    const r0 = Math.floor((c * R) / parts);
    const r1 = Math.floor(((c + 1) * R) / parts);
    const [pp, pm, pv, px] = state;
    chunks.push([
      pp,
      g,
      pm,
      pv,
      px,
      r,
      lowerBound(rows, r0),
      rows.length,
      width,
      r0,
      r1,
      ...scalars,
    ]);
  }
  rt.run("adamRows", chunks);
  rt.settle();
  return true;
}

/** The first k with rows[k] ≥ r (rows ascending). */
function lowerBound(rows: Int32Array, r: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function rmsprop(
  rt: Runtime,
  p: F32,
  g: F32,
  sq: F32,
  gAvg: F32 | null,
  buf: F32 | null,
  o: RmspropOptions,
): void {
  sliced(rt, "rmsprop", [p, g, sq, gAvg, buf], ([pp, pg, ps, pa, pb], n) => [
    pp,
    pg,
    ps,
    pa,
    pb,
    n,
    o.maximize ? 1 : 0,
    f(o.weightDecay),
    f(o.alpha),
    f(1 - o.alpha),
    f(o.eps),
    f(o.momentum),
    f(-o.lr),
  ]);
}

export function adagrad(rt: Runtime, p: F32, g: F32, sum: F32, o: AdagradOptions): void {
  sliced(rt, "adagrad", [p, g, sum], ([pp, pg, ps], n) => [
    pp,
    pg,
    ps,
    n,
    o.maximize ? 1 : 0,
    f(o.weightDecay),
    f(o.eps),
    f(-o.lr),
  ]);
}
