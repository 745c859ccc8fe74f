/**
 * Calls of the fused recurrent gate kernels (one time step for a whole batch; equations in
 * nn/rnn and backend.ts). Operands that are `scratch` arrays are used in place; others are copied
 * in and the outputs out, as everywhere in the wasm backend. A big batch is split by rows between
 * threads (rows are independent, so results do not depend on the split).
 */
import type { F32 } from "../backend.js";
import type { KernelExports } from "./module.js";
import type { Runtime } from "./runtime.js";
import { PARALLEL_FLOPS } from "./gemm.js";

/** A gate step costs about as much as this many GEMM flops per hidden unit (~25 ns for LSTM). */
const UNIT_COST = 600;

/**
 * Runs `op` over batch rows, in chunks when the batch is big: args(b0, rows) gives the argument
 * list for rows [b0, b0 + rows).
 */
function byRows(
  rt: Runtime,
  op: keyof KernelExports,
  batch: number,
  hidden: number,
  args: (b0: number, rows: number) => number[],
): void {
  const parts = Math.min(batch, rt.chunks(op, batch * hidden * UNIT_COST, PARALLEL_FLOPS));
  const per = Math.ceil(batch / parts);
  const chunks: number[][] = [];
  for (let b0 = 0; b0 < batch; b0 += per) chunks.push(args(b0, Math.min(per, batch - b0)));
  rt.run(op, chunks);
  rt.settle();
}

export function lstmForward(
  rt: Runtime,
  gates: F32,
  cPrev: F32,
  batch: number,
  hidden: number,
  c: F32,
  m: F32,
): void {
  const n = batch * hidden;
  const H = rt.heap;
  H.reset();
  const pg = H.put(gates, 0, 4 * n);
  const pcp = H.put(cPrev, 0, n);
  const pc = H.out(c, 0, n);
  const pm = H.out(m, 0, n);
  const [g4, h4] = [16 * hidden, 4 * hidden]; // bytes per row of gates, of c
  byRows(rt, "lstmGatesForward", batch, hidden, (b, rows) => [
    pg + b * g4,
    pcp + b * h4,
    rows,
    hidden,
    pc + b * h4,
    pm + b * h4,
  ]);
  H.get(pg, 4 * n, gates, 0);
  H.get(pc, n, c, 0);
  H.get(pm, n, m, 0);
}

export function lstmBackward(
  rt: Runtime,
  gates: F32,
  cPrev: F32,
  c: F32,
  dm: F32,
  dc: F32,
  batch: number,
  hidden: number,
  dGates: F32,
): void {
  const n = batch * hidden;
  const H = rt.heap;
  H.reset();
  const pg = H.put(gates, 0, 4 * n);
  const pcp = H.put(cPrev, 0, n);
  const pc = H.put(c, 0, n);
  const pdm = H.put(dm, 0, n);
  const pdc = H.put(dc, 0, n);
  const pdg = H.out(dGates, 0, 4 * n);
  const [g4, h4] = [16 * hidden, 4 * hidden];
  byRows(rt, "lstmGatesBackward", batch, hidden, (b, rows) => [
    pg + b * g4,
    pcp + b * h4,
    pc + b * h4,
    pdm + b * h4,
    pdc + b * h4,
    rows,
    hidden,
    pdg + b * g4,
  ]);
  H.get(pdg, 4 * n, dGates, 0);
  H.get(pdc, n, dc, 0);
}

export function gruForward(
  rt: Runtime,
  gx: F32,
  gh: F32,
  hPrev: F32,
  batch: number,
  hidden: number,
  h: F32,
): void {
  const n = batch * hidden;
  const H = rt.heap;
  H.reset();
  const pgx = H.put(gx, 0, 3 * n);
  const pgh = H.put(gh, 0, 3 * n);
  const php = H.put(hPrev, 0, n);
  const ph = H.out(h, 0, n);
  const [g3, h4] = [12 * hidden, 4 * hidden];
  byRows(rt, "gruGatesForward", batch, hidden, (b, rows) => [
    pgx + b * g3,
    pgh + b * g3,
    php + b * h4,
    rows,
    hidden,
    ph + b * h4,
  ]);
  H.get(pgx, 3 * n, gx, 0);
  H.get(ph, n, h, 0);
}

export function gruBackward(
  rt: Runtime,
  gates: F32,
  gh: F32,
  hPrev: F32,
  dh: F32,
  batch: number,
  hidden: number,
  dGx: F32,
  dGh: F32,
  dhPrev: F32,
): void {
  const n = batch * hidden;
  const H = rt.heap;
  H.reset();
  const pg = H.put(gates, 0, 3 * n);
  const pgh = H.put(gh, 0, 3 * n);
  const php = H.put(hPrev, 0, n);
  const pdh = H.put(dh, 0, n);
  const pdhp = H.put(dhPrev, 0, n);
  const pdgx = H.out(dGx, 0, 3 * n);
  const pdgh = H.out(dGh, 0, 3 * n);
  const [g3, h4] = [12 * hidden, 4 * hidden];
  byRows(rt, "gruGatesBackward", batch, hidden, (b, rows) => [
    pg + b * g3,
    pgh + b * g3,
    php + b * h4,
    pdh + b * h4,
    rows,
    hidden,
    pdgx + b * g3,
    pdgh + b * g3,
    pdhp + b * h4,
  ]);
  H.get(pdgx, 3 * n, dGx, 0);
  H.get(pdgh, 3 * n, dGh, 0);
  H.get(pdhp, n, dhPrev, 0);
}

export function rnnForward(rt: Runtime, pre: F32, relu: boolean): void {
  const n = pre.length;
  const H = rt.heap;
  H.reset();
  const p = H.put(pre, 0, n);
  rt.k.rnnGatesForward(p, n, relu ? 1 : 0);
  H.get(p, n, pre, 0);
}

export function rnnBackward(rt: Runtime, h: F32, dh: F32, relu: boolean, dPre: F32): void {
  const n = h.length;
  const H = rt.heap;
  H.reset();
  const ph = H.put(h, 0, n);
  const pdh = H.put(dh, 0, n);
  const pd = H.out(dPre, 0, n);
  rt.k.rnnGatesBackward(ph, pdh, n, relu ? 1 : 0, pd);
  H.get(pd, n, dPre, 0);
}
