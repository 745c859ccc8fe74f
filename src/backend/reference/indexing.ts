import type { F32, I32 } from "../backend.js";

export function gatherRows(x: F32, width: number, index: I32, out: F32): void {
  for (let r = 0; r < index.length; r++) {
    const src = index[r] * width;
    out.set(x.subarray(src, src + width), r * width);
  }
}

export function scatterAddRows(dy: F32, width: number, index: I32, dx: F32): void {
  for (let r = 0; r < index.length; r++) {
    const dst = index[r] * width;
    const src = r * width;
    for (let j = 0; j < width; j++) dx[dst + j] += dy[src + j];
  }
}

export function gatherAxis(
  x: F32,
  outer: number,
  size: number,
  inner: number,
  index: I32,
  k: number,
  out: F32,
): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * k + j) * inner + i;
        out[at] = x[(o * size + index[at]) * inner + i];
      }
    }
  }
}

export function scatterAddAxis(
  dy: F32,
  outer: number,
  size: number,
  inner: number,
  index: I32,
  k: number,
  dx: F32,
): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * k + j) * inner + i;
        dx[(o * size + index[at]) * inner + i] += dy[at];
      }
    }
  }
}
