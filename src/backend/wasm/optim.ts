/**
 * Calls of the optimizer update kernels (wasm/assembly/optim.ts), with the scalar constants
 * computed and rounded exactly as src/backend/reference/optim.ts does, so the updates are
 * bit-identical to the reference's.
 */
import type { AdagradOptions, AdamOptions, F32, RmspropOptions, SgdOptions } from "../backend.js";
import type { Runtime } from "./runtime.js";

const f = Math.fround;

/** Addresses for the in-place arrays (copied in unless resident), or 0 for a missing one. */
function operands(rt: Runtime, arrays: (F32 | null)[]): number[] {
  const H = rt.heap;
  H.reset();
  return arrays.map((x) => (x ? H.put(x, 0, x.length) : 0));
}

function writeBack(rt: Runtime, arrays: (F32 | null)[], at: number[]): void {
  arrays.forEach((x, i) => {
    if (x) rt.heap.get(at[i], x.length, x, 0);
  });
}

export function sgd(rt: Runtime, p: F32, g: F32, buf: F32 | null, o: SgdOptions): void {
  const at = operands(rt, [p, g, buf]);
  const [pp, pg, pb] = at;
  rt.k.sgd(
    pp,
    pg,
    pb,
    p.length,
    o.maximize ? 1 : 0,
    f(o.weightDecay),
    f(o.momentum),
    f(1 - o.dampening),
    o.nesterov ? 1 : 0,
    o.firstStep ? 1 : 0,
    f(-o.lr),
  );
  writeBack(rt, [p, null, buf], at);
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
  const bc1 = 1 - Math.pow(o.beta1, o.step);
  const at = operands(rt, [p, g, m, v, vMax]);
  const [pp, pg, pm, pv, px] = at;
  rt.k.adam(
    pp,
    pg,
    pm,
    pv,
    px,
    p.length,
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
  );
  writeBack(rt, [p, null, m, v, vMax], at);
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
  const at = operands(rt, [p, g, sq, gAvg, buf]);
  const [pp, pg, ps, pa, pb] = at;
  rt.k.rmsprop(
    pp,
    pg,
    ps,
    pa,
    pb,
    p.length,
    o.maximize ? 1 : 0,
    f(o.weightDecay),
    f(o.alpha),
    f(1 - o.alpha),
    f(o.eps),
    f(o.momentum),
    f(-o.lr),
  );
  writeBack(rt, [p, null, sq, gAvg, buf], at);
}

export function adagrad(rt: Runtime, p: F32, g: F32, sum: F32, o: AdagradOptions): void {
  const at = operands(rt, [p, g, sum]);
  const [pp, pg, ps] = at;
  rt.k.adagrad(pp, pg, ps, p.length, o.maximize ? 1 : 0, f(o.weightDecay), f(o.eps), f(-o.lr));
  writeBack(rt, [p, null, sum], at);
}
