import type { F32 } from "../backend.js";
import { sigmoid } from "./elementwise.js";

export function lstmGatesForward(
  gates: F32,
  cPrev: F32,
  batch: number,
  hidden: number,
  c: F32,
  m: F32,
): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const g0 = b * 4 * H;
    const h0 = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[g0 + j]);
      const f = sigmoid(gates[g0 + H + j]);
      const g = Math.tanh(gates[g0 + 2 * H + j]);
      const o = sigmoid(gates[g0 + 3 * H + j]);
      const ct = f * cPrev[h0 + j] + i * g;
      gates[g0 + j] = i;
      gates[g0 + H + j] = f;
      gates[g0 + 2 * H + j] = g;
      gates[g0 + 3 * H + j] = o;
      c[h0 + j] = ct;
      m[h0 + j] = o * Math.tanh(ct);
    }
  }
}

export function lstmGatesBackward(
  gates: F32,
  cPrev: F32,
  c: F32,
  dm: F32,
  dc: F32,
  batch: number,
  hidden: number,
  dGates: F32,
): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const g0 = b * 4 * H;
    const h0 = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + j];
      const f = gates[g0 + H + j];
      const g = gates[g0 + 2 * H + j];
      const o = gates[g0 + 3 * H + j];
      const tc = Math.tanh(c[h0 + j]);
      const dmj = dm[h0 + j];
      const dct = dc[h0 + j] + dmj * o * (1 - tc * tc);
      dGates[g0 + j] = dct * g * i * (1 - i);
      dGates[g0 + H + j] = dct * cPrev[h0 + j] * f * (1 - f);
      dGates[g0 + 2 * H + j] = dct * i * (1 - g * g);
      dGates[g0 + 3 * H + j] = dmj * tc * o * (1 - o);
      dc[h0 + j] = dct * f;
    }
  }
}

export function gruGatesForward(
  gx: F32,
  gh: F32,
  hPrev: F32,
  batch: number,
  hidden: number,
  h: F32,
): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const g0 = b * 3 * H;
    const h0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gx[g0 + j] + gh[g0 + j]);
      const z = sigmoid(gx[g0 + H + j] + gh[g0 + H + j]);
      const n = Math.tanh(gx[g0 + 2 * H + j] + r * gh[g0 + 2 * H + j]);
      gx[g0 + j] = r;
      gx[g0 + H + j] = z;
      gx[g0 + 2 * H + j] = n;
      h[h0 + j] = (1 - z) * n + z * hPrev[h0 + j];
    }
  }
}

export function gruGatesBackward(
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
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const g0 = b * 3 * H;
    const h0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = gates[g0 + j];
      const z = gates[g0 + H + j];
      const n = gates[g0 + 2 * H + j];
      const d = dh[h0 + j];
      const dnPre = d * (1 - z) * (1 - n * n);
      const dzPre = d * (hPrev[h0 + j] - n) * z * (1 - z);
      const drPre = dnPre * gh[g0 + 2 * H + j] * r * (1 - r);
      dGx[g0 + j] = drPre;
      dGx[g0 + H + j] = dzPre;
      dGx[g0 + 2 * H + j] = dnPre;
      dGh[g0 + j] = drPre;
      dGh[g0 + H + j] = dzPre;
      dGh[g0 + 2 * H + j] = dnPre * r;
      dhPrev[h0 + j] += d * z;
    }
  }
}

export function rnnGatesForward(pre: F32, relu: boolean): void {
  if (relu) for (let i = 0; i < pre.length; i++) pre[i] = pre[i] > 0 ? pre[i] : 0;
  else for (let i = 0; i < pre.length; i++) pre[i] = Math.tanh(pre[i]);
}

export function rnnGatesBackward(h: F32, dh: F32, relu: boolean, dPre: F32): void {
  if (relu) for (let i = 0; i < h.length; i++) dPre[i] = h[i] > 0 ? dh[i] : 0;
  else for (let i = 0; i < h.length; i++) dPre[i] = dh[i] * (1 - h[i] * h[i]);
}
