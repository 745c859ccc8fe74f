import type { F32, PackedMatrix } from "../backend.js";

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

/** The reference's "packed" B is op(B) copied into [k, n] row-major. */
interface ReferencePacked extends PackedMatrix {
  readonly data: F32;
}

export function packB(
  transB: boolean,
  k: number,
  n: number,
  b: F32,
  bOffset: number,
): PackedMatrix {
  const data = new Float32Array(k * n);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++)
      data[p * n + j] = transB ? b[bOffset + j * k + p] : b[bOffset + p * n + j];
  }
  const packed: ReferencePacked = { k, n, transB, data };
  return packed;
}

export function gemmPacked(
  transA: boolean,
  m: number,
  alpha: number,
  a: F32,
  aOffset: number,
  p: PackedMatrix,
  beta: number,
  c: F32,
  cOffset: number,
): void {
  const { data } = p as ReferencePacked;
  gemm(transA, false, m, p.n, p.k, alpha, a, aOffset, data, 0, beta, c, cOffset);
}

export function scratch(n: number): F32 {
  return new Float32Array(n);
}

export function release(): void {}

export function storage(n: number): F32 {
  return new Float32Array(n);
}
