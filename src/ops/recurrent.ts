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
 */
import { record } from "../autograd/derivatives.js";
import { backend } from "../backend/registry.js";
import type { F32 } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { f32, needsGrad } from "./util.js";

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

/** What the backward needs, all packed like x. */
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

/** Runs one layer in one direction. Shapes are checked by the caller (nn/rnn). */
export function recurrentLayer(input: RecurrentLayerInput): RecurrentLayerOutput {
  const { mode, batchSizes, wIh, wHh, bIh, bHh, wHr } = input;
  const be = backend();
  const G = GATES[mode];
  const H = wHh.shape[0] / G;
  const P = wHr ? wHr.shape[0] : H;
  const I = wIh.shape[1];
  const N = input.x.shape[0];
  const B = input.h0.shape[0];
  const offsets = stepOffsets(batchSizes);
  const X = f32(input.x);
  const Wih = f32(wIh);
  const Whh = f32(wHh);

  // [N, G·H] input projection for all steps at once.
  const gates = new Float32Array(N * G * H);
  be.gemm(false, true, N, G * H, I, 1, X, 0, Wih, 0, 0, gates, 0);
  if (bIh) be.addRowVector(gates, f32(bIh), N, G * H);
  // GRU keeps bhh inside the hidden projection because n = tanh(xn + r·(h·Whnᵀ + bhn)).
  if (bHh && mode !== "gru") be.addRowVector(gates, f32(bHh), N, G * H);

  const y = new Float32Array(N * P);
  const hPrev = new Float32Array(N * P);
  const h = Float32Array.from(f32(input.h0)); // [B, P] running state
  const lstm = mode === "lstm";
  const c = lstm ? Float32Array.from(f32(input.c0!)) : null; // [B, H]
  const cPrevAll = lstm ? new Float32Array(N * H) : null;
  const cAll = lstm ? new Float32Array(N * H) : null;
  const mAll = lstm && wHr ? new Float32Array(N * H) : null;
  const Whr = wHr ? f32(wHr) : null;
  const gh = mode === "gru" ? new Float32Array(N * 3 * H) : null;
  const bhh = bHh ? f32(bHh) : null;

  for (const t of stepOrder(batchSizes.length, input.reverse)) {
    const bs = batchSizes[t];
    const row = offsets[t];
    hPrev.set(h.subarray(0, bs * P), row * P);
    const gt = gates.subarray(row * G * H, (row + bs) * G * H);
    const yt = y.subarray(row * P, (row + bs) * P);
    if (mode === "gru") {
      const ght = gh!.subarray(row * 3 * H, (row + bs) * 3 * H);
      be.gemm(false, true, bs, 3 * H, P, 1, h, 0, Whh, 0, 0, ght, 0);
      if (bhh) be.addRowVector(ght, bhh, bs, 3 * H);
      be.gruGatesForward(gt, ght, h.subarray(0, bs * H), bs, H, yt);
    } else {
      be.gemm(false, true, bs, G * H, P, 1, h, 0, Whh, 0, 1, gt, 0);
      if (lstm) {
        cPrevAll!.set(c!.subarray(0, bs * H), row * H);
        const ct = cAll!.subarray(row * H, (row + bs) * H);
        const mt = mAll ? mAll.subarray(row * H, (row + bs) * H) : yt;
        be.lstmGatesForward(gt, c!.subarray(0, bs * H), bs, H, ct, mt);
        c!.set(ct);
        if (Whr) be.gemm(false, true, bs, P, H, 1, mt, 0, Whr, 0, 0, yt, 0);
      } else {
        be.rnnGatesForward(gt, mode === "rnnRelu");
        yt.set(gt);
      }
    }
    h.set(yt);
  }

  const output = new Tensor(y, [N, P]);
  const hN = new Tensor(h, [B, P]);
  const cN = c ? new Tensor(c, [B, H]) : null;
  const inputs = [input.x, input.h0, ...(input.c0 ? [input.c0] : []), wIh, wHh];
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
    };
    record("recurrentLayer", inputs, cN ? [output, hN, cN] : [output, hN], saved);
  }
  return { output, hN, cN };
}

/**
 * Gradients of every input of recurrentLayer, in the order it recorded them:
 * x, h0, [c0], wIh, wHh, [bIh], [bHh], [wHr].
 */
export function recurrentLayerBackward(s: RecurrentSaved, grads: (Tensor | null)[]): Tensor[] {
  const { input, offsets, gateCount: G, hidden: H, outSize: P } = s;
  const { mode, batchSizes, wIh, wHh, bIh, bHh, wHr } = input;
  const be = backend();
  const N = input.x.shape[0];
  const I = wIh.shape[1];
  const B = input.h0.shape[0];
  const lstm = mode === "lstm";
  const gru = mode === "gru";
  const dY = grads[0] ? f32(grads[0]) : null;
  const dh = grads[1] ? Float32Array.from(f32(grads[1])) : new Float32Array(B * P); // running dh
  const dc = lstm ? (grads[2] ? Float32Array.from(f32(grads[2])) : new Float32Array(B * H)) : null;
  const Whh = f32(wHh);
  const Whr = wHr ? f32(wHr) : null;

  const dG = new Float32Array(N * G * H); // pre-activation gate grads (input side)
  const dGh = gru ? new Float32Array(N * 3 * H) : null; // GRU: hidden side differs in the n gate
  const dHout = Whr ? new Float32Array(N * P) : null; // LSTM projection: dh per step
  const dm = Whr ? new Float32Array(B * H) : null;
  const dhStep = new Float32Array(B * P);

  for (const t of stepOrder(batchSizes.length, !input.reverse)) {
    const bs = batchSizes[t];
    const row = offsets[t];
    // Total gradient reaching this step's output: from above (dY) and from the next step (dh).
    for (let i = 0; i < bs * P; i++) dhStep[i] = dh[i] + (dY ? dY[row * P + i] : 0);
    const dgt = dG.subarray(row * G * H, (row + bs) * G * H);
    const gt = s.gates.subarray(row * G * H, (row + bs) * G * H);
    if (lstm) {
      let dmt = dhStep.subarray(0, bs * H);
      if (Whr) {
        dHout!.set(dhStep.subarray(0, bs * P), row * P);
        dmt = dm!.subarray(0, bs * H);
        be.gemm(false, false, bs, H, P, 1, dhStep, 0, Whr, 0, 0, dmt, 0);
      }
      be.lstmGatesBackward(
        gt,
        s.cPrev!.subarray(row * H, (row + bs) * H),
        s.c!.subarray(row * H, (row + bs) * H),
        dmt,
        dc!.subarray(0, bs * H),
        bs,
        H,
        dgt,
      );
      be.gemm(false, false, bs, P, G * H, 1, dgt, 0, Whh, 0, 0, dh, 0);
    } else if (gru) {
      const dght = dGh!.subarray(row * 3 * H, (row + bs) * 3 * H);
      dh.fill(0, 0, bs * H);
      be.gruGatesBackward(
        gt,
        s.gh!.subarray(row * 3 * H, (row + bs) * 3 * H),
        s.hPrev.subarray(row * H, (row + bs) * H),
        dhStep.subarray(0, bs * H),
        bs,
        H,
        dgt,
        dght,
        dh.subarray(0, bs * H),
      );
      be.gemm(false, false, bs, H, 3 * H, 1, dght, 0, Whh, 0, 1, dh, 0);
    } else {
      be.rnnGatesBackward(
        s.y.subarray(row * H, (row + bs) * H),
        dhStep.subarray(0, bs * H),
        mode === "rnnRelu",
        dgt,
      );
      be.gemm(false, false, bs, H, H, 1, dgt, 0, Whh, 0, 0, dh, 0);
    }
  }

  // Whole-sequence weight gradients: single GEMMs over all N rows.
  const dGhAll = dGh ?? dG;
  const dX = new Float32Array(N * I);
  be.gemm(false, false, N, I, G * H, 1, dG, 0, f32(wIh), 0, 0, dX, 0);
  const dWih = new Float32Array(G * H * I);
  be.gemm(true, false, G * H, I, N, 1, dG, 0, f32(input.x), 0, 0, dWih, 0);
  const dWhh = new Float32Array(G * H * P);
  be.gemm(true, false, G * H, P, N, 1, dGhAll, 0, s.hPrev, 0, 0, dWhh, 0);

  const out: Tensor[] = [new Tensor(dX, [N, I]), new Tensor(dh, [B, P])];
  if (lstm) out.push(new Tensor(dc!, [B, H]));
  out.push(new Tensor(dWih, wIh.shape), new Tensor(dWhh, wHh.shape));
  if (bIh) {
    const db = new Float32Array(G * H);
    be.sumRows(dG, N, G * H, db);
    out.push(new Tensor(db, bIh.shape));
  }
  if (bHh) {
    const db = new Float32Array(G * H);
    be.sumRows(dGhAll, N, G * H, db);
    out.push(new Tensor(db, bHh.shape));
  }
  if (wHr) {
    // h = m·Whrᵀ, so dWhr = dHᵀ·M over all steps.
    const dWhr = new Float32Array(P * H);
    be.gemm(true, false, P, H, N, 1, dHout!, 0, s.m!, 0, 0, dWhr, 0);
    out.push(new Tensor(dWhr, wHr.shape));
  }
  return out;
}
