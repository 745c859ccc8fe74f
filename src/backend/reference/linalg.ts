import type { F32 } from "../backend.js";

/**
 * Row-major GEMM, C = alpha · op(A) · op(B) + beta · C. Loops are ordered so that the innermost
 * one runs along contiguous rows of B and C (i-p-j), which is what plain JS can do well.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: F32,
  aOffset: number,
  b: F32,
  bOffset: number,
  beta: number,
  c: F32,
  cOffset: number,
): void {
  if (beta !== 1) {
    for (let i = 0; i < m * n; i++) c[cOffset + i] = beta === 0 ? 0 : beta * c[cOffset + i];
  }
  if (alpha === 0 || k === 0) return;
  if (!transB) {
    // C[i, :] += alpha · A[i, p] · B[p, :]
    for (let i = 0; i < m; i++) {
      const ci = cOffset + i * n;
      for (let p = 0; p < k; p++) {
        const av = alpha * (transA ? a[aOffset + p * m + i] : a[aOffset + i * k + p]);
        if (av === 0) continue;
        const bp = bOffset + p * n;
        for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
      }
    }
    return;
  }
  // B stored [n, k]: C[i, j] += alpha · dot(A[i, :], B[j, :]), both rows contiguous when !transA.
  if (!transA) {
    for (let i = 0; i < m; i++) {
      const ai = aOffset + i * k;
      for (let j = 0; j < n; j++) {
        const bj = bOffset + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        c[cOffset + i * n + j] += alpha * s;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const bj = bOffset + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOffset + p * m + i] * b[bj + p];
      c[cOffset + i * n + j] += alpha * s;
    }
  }
}

export function addRowVector(out: F32, bias: F32, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] += bias[j];
  }
}

export function sumRows(dy: F32, rows: number, cols: number, dBias: F32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) dBias[j] += dy[o + j];
  }
}
