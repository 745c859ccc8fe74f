import type { F32, I32, ReduceOp } from "../backend.js";

export function reduceForward(
  op: ReduceOp,
  x: F32,
  outer: number,
  size: number,
  inner: number,
  out: F32,
  argOut?: I32,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) {
      let acc = op === "sum" ? 0 : x[base + i];
      let arg = 0;
      if (op === "sum") {
        for (let s = 0; s < size; s++) acc += x[base + s * inner + i];
      } else if (op === "max") {
        for (let s = 1; s < size; s++) {
          const v = x[base + s * inner + i];
          // NaN propagates, like PyTorch's max.
          if (v > acc || (Number.isNaN(v) && !Number.isNaN(acc))) {
            acc = v;
            arg = s;
          }
        }
      } else {
        for (let s = 1; s < size; s++) {
          const v = x[base + s * inner + i];
          if (v < acc || (Number.isNaN(v) && !Number.isNaN(acc))) {
            acc = v;
            arg = s;
          }
        }
      }
      out[o * inner + i] = acc;
      if (argOut) argOut[o * inner + i] = arg;
    }
  }
}

export function softmaxForward(
  x: F32,
  outer: number,
  size: number,
  inner: number,
  log: boolean,
  out: F32,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let s = 0; s < size; s++) max = Math.max(max, x[base + s * inner]);
      let sum = 0;
      for (let s = 0; s < size; s++) sum += Math.exp(x[base + s * inner] - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let s = 0; s < size; s++) out[base + s * inner] = x[base + s * inner] - lse;
      } else {
        for (let s = 0; s < size; s++)
          out[base + s * inner] = Math.exp(x[base + s * inner] - max) / sum;
      }
    }
  }
}

export function softmaxBackward(
  y: F32,
  dy: F32,
  outer: number,
  size: number,
  inner: number,
  log: boolean,
  dx: F32,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      if (log) {
        // y = x − lse: dx = dy − softmax · Σ dy
        let sum = 0;
        for (let s = 0; s < size; s++) sum += dy[base + s * inner];
        for (let s = 0; s < size; s++) {
          const k = base + s * inner;
          dx[k] += dy[k] - Math.exp(y[k]) * sum;
        }
      } else {
        // dx = y · (dy − Σ y·dy)
        let dot = 0;
        for (let s = 0; s < size; s++) dot += y[base + s * inner] * dy[base + s * inner];
        for (let s = 0; s < size; s++) {
          const k = base + s * inner;
          dx[k] += y[k] * (dy[k] - dot);
        }
      }
    }
  }
}
