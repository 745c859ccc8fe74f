/**
 * Fused softmax cross-entropy over rows of logits [rows, classes] with class targets (Backend
 * contract in backend.ts). The same arithmetic as logSoftmax followed by a gather: the row's max
 * and Σ exp in float64, one float32 rounding per stored value.
 */
import type { F32, I32 } from "../backend.js";

export function crossEntropyForward(
  x: F32,
  rows: number,
  classes: number,
  target: I32,
  weight: F32 | null,
  ignoreIndex: number,
  lse: F32,
  loss: F32,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, x[base + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(x[base + c] - max);
    const l = max + Math.log(sum);
    lse[r] = l;
    const t = target[r];
    loss[r] = t === ignoreIndex ? 0 : -(weight ? weight[t] : 1) * Math.fround(x[base + t] - l);
  }
}

export function crossEntropyBackward(
  x: F32,
  lse: F32,
  rows: number,
  classes: number,
  target: I32,
  weight: F32 | null,
  ignoreIndex: number,
  scale: number,
  dx: F32,
): void {
  for (let r = 0; r < rows; r++) {
    const t = target[r];
    if (t === ignoreIndex) continue;
    const k = scale * (weight ? weight[t] : 1);
    const base = r * classes;
    const l = lse[r];
    for (let c = 0; c < classes; c++) {
      dx[base + c] += k * (Math.exp(x[base + c] - l) - (c === t ? 1 : 0));
    }
  }
}
