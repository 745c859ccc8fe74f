/**
 * Fused recurrent layers: one tape node per layer and direction, with a hand-written backward over
 * the whole sequence (DESIGN.md §3). Data is time-major and packed: x is [N, I] with
 * N = Σ batchSizes[t], step t owning rows offsets[t]..offsets[t]+batchSizes[t]. A padded [T, B, I]
 * input is the case batchSizes = [B, B, …]. Batch sizes never increase, so at each step the
 * active sequences are rows 0..bs-1 of the state, and finished ones simply stop being touched:
 * no arithmetic on padding.
 *
 * Forward per layer: G = X·Wihᵀ + b for all steps (one GEMM), then per step one GEMM h·Whhᵀ into
 * G's rows and one gate kernel. Backward runs the steps in reverse, saving dG, so that dWih, dWhh
 * and dX are again single large GEMMs. The composed cells in nn/rnn/cells.ts are the oracle.
 *
 * Everything the step loop touches is backend scratch (Backend.scratch: for the wasm backend, its
 * own memory, so the per-step kernels run without copies), and the recurrent weights are packed
 * once per call (Backend.packB) when more than one step uses them. The outputs are copied out into
 * ordinary arrays; what the backward needs stays in scratch until the backward has run.
 */
import { record } from "../autograd/derivatives.js";
import { backend } from "../backend/registry.js";
import type { Backend, F32, PackedMatrix } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { projectInput, projectInputBackward, type ProjectedRows } from "./recurrent-input.js";
import { f32, needsGrad } from "./util.js";
import { Workspace } from "./workspace.js";

export type RecurrentMode = "lstm" | "gru" | "rnnTanh" | "rnnRelu";

export interface RecurrentLayerInput {
  mode: RecurrentMode;
  /** [N, I] packed time-major input. */
  x: Tensor;
  /** Active batch per step, non-increasing; batchSizes[0] is the batch. */
  batchSizes: Int32Array;
  /** Initial hidden state [B, P] (P = projection size or H). */
  h0: Tensor;
  /** Initial cell state [B, H] (LSTM only). */
  c0: Tensor | null;
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  /** LSTM projection [P, H], or null. */
  wHr: Tensor | null;
  reverse: boolean;
}

export interface RecurrentLayerOutput {
  /** [N, P] */
  output: Tensor;
  /** [B, P] */
  hN: Tensor;
  /** [B, H] (LSTM only) */
  cN: Tensor | null;
}

/**
 * What the backward needs, all packed like x: backend scratch, handed back by `release` (the tape
 * calls it once the backward has run) or, for a graph dropped without a backward, when garbage
 * collection reclaims this object.
 */
export interface RecurrentSaved {
  input: RecurrentLayerInput;
  offsets: Int32Array;
  gateCount: number;
  hidden: number;
  outSize: number;
  /** [N, G·H] activated gates. */
  gates: F32;
  /** [N, P] state entering each step. */
  hPrev: F32;
  /** [N, P] outputs. */
  y: F32;
  /** LSTM: [N, H] cell entering / leaving each step, and [N, H] m = o·tanh(c) when projecting. */
  cPrev: F32 | null;
  c: F32 | null;
  m: F32 | null;
  /** GRU: [N, 3H] h·Whhᵀ + bhh. */
  gh: F32 | null;
  /** The table x's rows came from (recurrent-input.ts), or null. */
  rows: ProjectedRows | null;
  /** Whether the node's first input (x, or the table) wants a gradient. */
  firstNeedsGrad: boolean;
  release(): void;
}

const GATES: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };

function stepOffsets(batchSizes: Int32Array): Int32Array {
  const offsets = new Int32Array(batchSizes.length);
  for (let t = 1; t < batchSizes.length; t++) offsets[t] = offsets[t - 1] + batchSizes[t - 1];
  return offsets;
}

function stepOrder(T: number, reverse: boolean): number[] {
  return Array.from({ length: T }, (_, i) => (reverse ? T - 1 - i : i));
}

/** C [m, n] = A·op(B) + beta·C through the packed B when there is one. */
function product(
  be: Backend,
  packed: PackedMatrix | null,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: F32,
  b: F32,
  beta: number,
  c: F32,
): void {
  if (packed) be.gemmPacked(false, m, 1, a, 0, packed, beta, c, 0);
  else be.gemm(false, transB, m, n, k, 1, a, 0, b, 0, beta, c, 0);
}

/** Runs one layer in one direction. Shapes are checked by the caller (nn/rnn). */
export function recurrentLayer(input: RecurrentLayerInput): RecurrentLayerOutput {
  const { mode, batchSizes, wIh, wHh, bIh, bHh, wHr } = input;
  const be = backend();
  const G = GATES[mode];
  const H = wHh.shape[0] / G;
  const P = wHr ? wHr.shape[0] : H;
  const N = input.x.shape[0];
  const B = input.h0.shape[0];
  const T = batchSizes.length;
  const offsets = stepOffsets(batchSizes);
  const Whh = f32(wHh);
  const lstm = mode === "lstm";
  const ws = new Workspace(be);
  try {
    // [N, G·H] input projection for all steps at once.
    const gates = ws.take(N * G * H);
    // GRU keeps bhh inside the hidden projection because n = tanh(xn + r·(h·Whnᵀ + bhn)).
    const rows = projectInput(be, ws, input.x, wIh, bIh, bHh, mode !== "gru", gates);

    // Every row of these is written by its step before anything reads it.
    const y = ws.take(N * P);
    const hPrev = ws.take(N * P);
    const h = ws.copy(f32(input.h0)); // [B, P] running state
    const c = lstm ? ws.copy(f32(input.c0!)) : null; // [B, H]
    const cPrevAll = lstm ? ws.take(N * H) : null;
    const cAll = lstm ? ws.take(N * H) : null;
    const mAll = lstm && wHr ? ws.take(N * H) : null;
    const Whr = wHr ? f32(wHr) : null;
    const gh = mode === "gru" ? ws.take(N * 3 * H) : null;
    const bhh = bHh ? f32(bHh) : null;
    const WhhP = ws.pack(T, true, P, G * H, Whh); // Whhᵀ [P, G·H]
    const WhrP = Whr ? ws.pack(T, true, H, P, Whr) : null; // Whrᵀ [H, P]

    for (const t of stepOrder(T, input.reverse)) {
      const bs = batchSizes[t];
      const row = offsets[t];
      hPrev.set(h.subarray(0, bs * P), row * P);
      const gt = gates.subarray(row * G * H, (row + bs) * G * H);
      const yt = y.subarray(row * P, (row + bs) * P);
      if (mode === "gru") {
        const ght = gh!.subarray(row * 3 * H, (row + bs) * 3 * H);
        product(be, WhhP, true, bs, 3 * H, P, h, Whh, 0, ght);
        if (bhh) be.addRowVector(ght, bhh, bs, 3 * H);
        be.gruGatesForward(gt, ght, h.subarray(0, bs * H), bs, H, yt);
      } else {
        product(be, WhhP, true, bs, G * H, P, h, Whh, 1, gt);
        if (lstm) {
          cPrevAll!.set(c!.subarray(0, bs * H), row * H);
          const ct = cAll!.subarray(row * H, (row + bs) * H);
          const mt = mAll ? mAll.subarray(row * H, (row + bs) * H) : yt;
          be.lstmGatesForward(gt, c!.subarray(0, bs * H), bs, H, ct, mt);
          c!.set(ct);
          if (Whr) product(be, WhrP, true, bs, P, H, mt, Whr, 0, yt);
        } else {
          be.rnnGatesForward(gt, mode === "rnnRelu");
          yt.set(gt);
        }
      }
      h.set(yt);
    }

    const output = new Tensor(y.slice(), [N, P]);
    const hN = new Tensor(h.slice(), [B, P]);
    const cN = c ? new Tensor(c.slice(), [B, H]) : null;
    const first = rows?.toTable ? rows.table : input.x;
    const inputs = [first, input.h0, ...(input.c0 ? [input.c0] : []), wIh, wHh];
    if (bIh) inputs.push(bIh);
    if (bHh) inputs.push(bHh);
    if (wHr) inputs.push(wHr);
    if (needsGrad(...inputs)) {
      const saved: RecurrentSaved = {
        input,
        offsets,
        gateCount: G,
        hidden: H,
        outSize: P,
        gates,
        hPrev,
        y,
        cPrev: cPrevAll,
        c: cAll,
        m: mAll,
        gh,
        rows,
        firstNeedsGrad: first.requiresGrad,
        release: () => {},
      };
      saved.release = ws.keep(saved, [
        gates,
        hPrev,
        y,
        cPrevAll,
        cAll,
        mAll,
        gh,
        rows && rows.values,
      ]);
      record("recurrentLayer", inputs, cN ? [output, hN, cN] : [output, hN], saved);
    }
    return { output, hN, cN };
  } finally {
    ws.release();
  }
}

/**
 * Gradients of every input of recurrentLayer, in the order it recorded them:
 * x (or the table its rows came from; null when it needs none), h0, [c0], wIh, wHh, [bIh], [bHh],
 * [wHr].
 */
export function recurrentLayerBackward(
  s: RecurrentSaved,
  grads: (Tensor | null)[],
): (Tensor | null)[] {
  const { input, offsets, gateCount: G, hidden: H, outSize: P } = s;
  const { mode, batchSizes, wIh, wHh, bIh, bHh, wHr } = input;
  const be = backend();
  const N = input.x.shape[0];
  const B = input.h0.shape[0];
  const T = batchSizes.length;
  const lstm = mode === "lstm";
  const gru = mode === "gru";
  const ws = new Workspace(be);
  try {
    const dY = grads[0] ? ws.copy(f32(grads[0])) : null;
    const dh = grads[1] ? ws.copy(f32(grads[1])) : ws.zeros(B * P); // running dh
    const dc = lstm ? (grads[2] ? ws.copy(f32(grads[2])) : ws.zeros(B * H)) : null;
    const Whh = f32(wHh);
    const Whr = wHr ? f32(wHr) : null;
    const { gates, cPrev, c: cAll, hPrev, gh: ghAll, y: yAll } = s;

    // Every step writes its rows of these before anything reads them.
    const dG = ws.take(N * G * H); // pre-activation gate grads (input side)
    const dGh = gru ? ws.take(N * 3 * H) : null; // GRU: hidden side differs in the n gate
    const dHout = Whr ? ws.take(N * P) : null; // LSTM projection: dh per step
    const dm = Whr ? ws.take(B * H) : null;
    const dhStep = ws.take(B * P);
    const WhhP = ws.pack(T, false, G * H, P, Whh); // Whh [G·H, P]
    const WhrP = Whr ? ws.pack(T, false, P, H, Whr) : null; // Whr [P, H]

    for (const t of stepOrder(T, !input.reverse)) {
      const bs = batchSizes[t];
      const row = offsets[t];
      // Total gradient reaching this step's output: from above (dY) and from the next step (dh).
      const dht = dhStep.subarray(0, bs * P);
      if (dY)
        be.binaryForward("add", dh, [1], dY.subarray(row * P, (row + bs) * P), [1], dht, [bs * P]);
      else dht.set(dh.subarray(0, bs * P));
      const dgt = dG.subarray(row * G * H, (row + bs) * G * H);
      const gt = gates.subarray(row * G * H, (row + bs) * G * H);
      if (lstm) {
        let dmt = dhStep.subarray(0, bs * H);
        if (Whr) {
          dHout!.set(dht, row * P);
          dmt = dm!.subarray(0, bs * H);
          product(be, WhrP, false, bs, H, P, dhStep, Whr, 0, dmt);
        }
        be.lstmGatesBackward(
          gt,
          cPrev!.subarray(row * H, (row + bs) * H),
          cAll!.subarray(row * H, (row + bs) * H),
          dmt,
          dc!.subarray(0, bs * H),
          bs,
          H,
          dgt,
        );
        product(be, WhhP, false, bs, P, G * H, dgt, Whh, 0, dh);
      } else if (gru) {
        const dght = dGh!.subarray(row * 3 * H, (row + bs) * 3 * H);
        dh.fill(0, 0, bs * H);
        be.gruGatesBackward(
          gt,
          ghAll!.subarray(row * 3 * H, (row + bs) * 3 * H),
          hPrev.subarray(row * H, (row + bs) * H),
          dhStep.subarray(0, bs * H),
          bs,
          H,
          dgt,
          dght,
          dh.subarray(0, bs * H),
        );
        product(be, WhhP, false, bs, H, 3 * H, dght, Whh, 1, dh);
      } else {
        be.rnnGatesBackward(
          yAll.subarray(row * H, (row + bs) * H),
          dhStep.subarray(0, bs * H),
          mode === "rnnRelu",
          dgt,
        );
        product(be, WhhP, false, bs, H, H, dgt, Whh, 0, dh);
      }
    }

    // Whole-sequence weight gradients: single GEMMs over all N rows.
    const dGhAll = dGh ?? dG;
    const [dFirst, dWih] = projectInputBackward(be, ws, input.x, wIh, s.rows, dG, s.firstNeedsGrad);
    const dWhh = new Float32Array(G * H * P);
    be.gemm(true, false, G * H, P, N, 1, dGhAll, 0, hPrev, 0, 0, dWhh, 0);

    const out: (Tensor | null)[] = [dFirst, new Tensor(dh.slice(), [B, P])];
    if (lstm) out.push(new Tensor(dc!.slice(), [B, H]));
    out.push(dWih, new Tensor(dWhh, wHh.shape));
    let dbIh: Float32Array | null = null;
    if (bIh) {
      dbIh = new Float32Array(G * H);
      be.sumRows(dG, N, G * H, dbIh);
      out.push(new Tensor(dbIh, bIh.shape));
    }
    if (bHh) {
      // Outside GRU the hidden side's gate gradients are the input side's: the same sum.
      const db = dbIh && dGhAll === dG ? dbIh.slice() : new Float32Array(G * H);
      if (!(dbIh && dGhAll === dG)) be.sumRows(dGhAll, N, G * H, db);
      out.push(new Tensor(db, bHh.shape));
    }
    if (wHr) {
      // h = m·Whrᵀ, so dWhr = dHᵀ·M over all steps.
      const dWhr = new Float32Array(P * H);
      be.gemm(true, false, P, H, N, 1, dHout!, 0, s.m!, 0, 0, dWhr, 0);
      out.push(new Tensor(dWhr, wHr.shape));
    }
    return out;
  } finally {
    ws.release();
  }
}
