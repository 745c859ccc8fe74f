/**
 * Single-precision GEMM, C = alpha · op(A) · op(B) + beta · C, row-major, byte pointers.
 *
 * - B not transposed (`gemmNN`): op(B) is packed per [KC × NC] block into panels of 8 columns
 *   (zero-padded), then a 4×8 register tile (8 f32x4 accumulators) runs over each panel; A is read
 *   in place, splatting one element per row and k step, so op(A) may be A or Aᵀ at no cost.
 * - B transposed (`gemmNT`): rows of op(A) and of B are both contiguous along k, so a 4×2 tile of
 *   dot products vectorised along k needs no packing; op(A) = Aᵀ is transposed into scratch first.
 * - `gemv`: one row of op(A) times B [k, n], a 1×16 tile along n (batch-1 and tiny m).
 * beta = 0 never reads C (NaN in C is ignored, like the reference).
 */

const KC: i32 = 256;
const NC: i32 = 256;

// Scratch for the partial-width stores of edge tiles.
const TMP: usize = memory.data(128, 16);

// @ts-ignore: decorator
@inline
function upd(p: usize, acc: v128, alpha: v128, beta: v128, mode: i32): void {
  let v = f32x4.mul(acc, alpha);
  if (mode == 1) v = f32x4.add(v, v128.load(p));
  else if (mode == 2) v = f32x4.add(v, f32x4.mul(beta, v128.load(p)));
  v128.store(p, v);
}

// @ts-ignore: decorator
@inline
function updScalar(p: usize, s: f32, alpha: f32, beta: f32, mode: i32): void {
  let v = s * alpha;
  if (mode == 1) v += load<f32>(p);
  else if (mode == 2) v += beta * load<f32>(p);
  store<f32>(p, v);
}

/** Stores the row tile (two vectors) into C, all 8 columns or the first `cols`. */
// @ts-ignore: decorator
@inline
function storeRow(p: usize, x0: v128, x1: v128, alpha: f32, beta: f32, mode: i32, cols: i32): void {
  if (cols == 8) {
    upd(p, x0, f32x4.splat(alpha), f32x4.splat(beta), mode);
    upd(p + 16, x1, f32x4.splat(alpha), f32x4.splat(beta), mode);
  } else {
    v128.store(TMP, x0);
    v128.store(TMP + 16, x1);
    for (let j = 0; j < cols; j++) {
      updScalar(p + (<usize>j << 2), load<f32>(TMP + (<usize>j << 2)), alpha, beta, mode);
    }
  }
}

/** Packs op(B)[p0 : p0+kc, j0 : j0+nc] (B stored [k, n]) into 8-column panels of kc rows each. */
function packB(b: usize, n: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  const panels = nc >> 3;
  const rem = nc & 7;
  const panelBytes = <usize>kc << 5;
  for (let kk = 0; kk < kc; kk++) {
    const src = b + ((<usize>(p0 + kk) * <usize>n + <usize>j0) << 2);
    const d = dst + (<usize>kk << 5);
    for (let q = 0; q < panels; q++) {
      const s = src + (<usize>q << 5);
      const o = d + <usize>q * panelBytes;
      v128.store(o, v128.load(s));
      v128.store(o + 16, v128.load(s + 16));
    }
    if (rem) {
      const s = src + (<usize>panels << 5);
      const o = d + <usize>panels * panelBytes;
      for (let j = 0; j < 8; j++) store<f32>(o + (<usize>j << 2), j < rem ? load<f32>(s + (<usize>j << 2)) : 0);
    }
  }
}

/** 4×8 tile: rows of op(A) start at a + r·rs, advance by cs per k step; bp is a packed panel. */
function kernel4x8(
  a: usize, rs: usize, cs: usize, bp: usize, kc: i32, c: usize, ldc: usize,
  alpha: f32, beta: f32, mode: i32, cols: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a;
  const r2 = rs + rs;
  const r3 = r2 + rs;
  let p = bp;
  for (let kk = 0; kk < kc; kk++) {
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    let x = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a0 + rs);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a0 + r2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a0 + r3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    a0 += cs;
    p += 32;
  }
  storeRow(c, c00, c01, alpha, beta, mode, cols);
  storeRow(c + ldc, c10, c11, alpha, beta, mode, cols);
  storeRow(c + 2 * ldc, c20, c21, alpha, beta, mode, cols);
  storeRow(c + 3 * ldc, c30, c31, alpha, beta, mode, cols);
}

/** 1×8 tile for the m mod 4 leftover rows. */
function kernel1x8(
  a: usize, cs: usize, bp: usize, kc: i32, c: usize, alpha: f32, beta: f32, mode: i32, cols: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let a0 = a;
  let p = bp;
  for (let kk = 0; kk < kc; kk++) {
    const x = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(x, v128.load(p)));
    c01 = f32x4.add(c01, f32x4.mul(x, v128.load(p, 16)));
    a0 += cs;
    p += 32;
  }
  storeRow(c, c00, c01, alpha, beta, mode, cols);
}

/** C [m, n] = alpha · op(A) · B + beta · C with B stored [k, n]; `pack` holds KC·(NC + 8) floats. */
export function gemmNN(
  transA: bool, m: i32, n: i32, k: i32, alpha: f32, a: usize, b: usize, beta: f32, c: usize, pack: usize,
): void {
  const ldc = <usize>n << 2;
  // Address of op(A)[i, p] = a + i·rs + p·cs.
  const rs: usize = transA ? 4 : <usize>k << 2;
  const cs: usize = transA ? <usize>m << 2 : 4;
  const m4 = m & ~3;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    const panels = (nc + 7) >> 3;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB(b, n, p0, kc, j0, nc, pack);
      const mode = p0 > 0 || beta == 1 ? 1 : beta == 0 ? 0 : 2;
      const panelBytes = <usize>kc << 5;
      for (let i = 0; i < m; ) {
        const four = i < m4;
        const ai = a + <usize>i * rs + <usize>p0 * cs;
        const ci = c + <usize>i * ldc + (<usize>j0 << 2);
        for (let q = 0; q < panels; q++) {
          const cols = min(8, nc - (q << 3));
          const bp = pack + <usize>q * panelBytes;
          const cq = ci + (<usize>q << 5);
          if (four) kernel4x8(ai, rs, cs, bp, kc, cq, ldc, alpha, beta, mode, cols);
          else kernel1x8(ai, cs, bp, kc, cq, alpha, beta, mode, cols);
        }
        i += four ? 4 : 1;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Four rows of A against two rows of B: C[i..i+3, j..j+1]. */
function dot4x2(a: usize, b: usize, k: i32, c: usize, ldc: usize, alpha: f32, beta: f32, mode: i32): void {
  const lda = <usize>k << 2;
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  const k4 = <usize>(k & ~3) << 2;
  const b1p = b + lda;
  const a1p = a + lda;
  const a2p = a1p + lda;
  const a3p = a2p + lda;
  for (let o: usize = 0; o < k4; o += 16) {
    const b0 = v128.load(b + o);
    const b1 = v128.load(b1p + o);
    let x = v128.load(a + o);
    s00 = f32x4.add(s00, f32x4.mul(x, b0));
    s01 = f32x4.add(s01, f32x4.mul(x, b1));
    x = v128.load(a1p + o);
    s10 = f32x4.add(s10, f32x4.mul(x, b0));
    s11 = f32x4.add(s11, f32x4.mul(x, b1));
    x = v128.load(a2p + o);
    s20 = f32x4.add(s20, f32x4.mul(x, b0));
    s21 = f32x4.add(s21, f32x4.mul(x, b1));
    x = v128.load(a3p + o);
    s30 = f32x4.add(s30, f32x4.mul(x, b0));
    s31 = f32x4.add(s31, f32x4.mul(x, b1));
  }
  let t00 = hsum(s00), t01 = hsum(s01), t10 = hsum(s10), t11 = hsum(s11);
  let t20 = hsum(s20), t21 = hsum(s21), t30 = hsum(s30), t31 = hsum(s31);
  for (let o = k4; o < lda; o += 4) {
    const b0 = load<f32>(b + o);
    const b1 = load<f32>(b1p + o);
    let x = load<f32>(a + o);
    t00 += x * b0;
    t01 += x * b1;
    x = load<f32>(a1p + o);
    t10 += x * b0;
    t11 += x * b1;
    x = load<f32>(a2p + o);
    t20 += x * b0;
    t21 += x * b1;
    x = load<f32>(a3p + o);
    t30 += x * b0;
    t31 += x * b1;
  }
  updScalar(c, t00, alpha, beta, mode);
  updScalar(c + 4, t01, alpha, beta, mode);
  updScalar(c + ldc, t10, alpha, beta, mode);
  updScalar(c + ldc + 4, t11, alpha, beta, mode);
  updScalar(c + 2 * ldc, t20, alpha, beta, mode);
  updScalar(c + 2 * ldc + 4, t21, alpha, beta, mode);
  updScalar(c + 3 * ldc, t30, alpha, beta, mode);
  updScalar(c + 3 * ldc + 4, t31, alpha, beta, mode);
}

/** One row of A against four rows of B: C[i, j..j+3]. */
function dot1x4(a: usize, b: usize, k: i32, c: usize, alpha: f32, beta: f32, mode: i32): void {
  const ldb = <usize>k << 2;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  const k4 = <usize>(k & ~3) << 2;
  const b1 = b + ldb;
  const b2 = b1 + ldb;
  const b3 = b2 + ldb;
  for (let o: usize = 0; o < k4; o += 16) {
    const x = v128.load(a + o);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(b + o)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(b1 + o)));
    s2 = f32x4.add(s2, f32x4.mul(x, v128.load(b2 + o)));
    s3 = f32x4.add(s3, f32x4.mul(x, v128.load(b3 + o)));
  }
  let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
  for (let o = k4; o < ldb; o += 4) {
    const x = load<f32>(a + o);
    t0 += x * load<f32>(b + o);
    t1 += x * load<f32>(b1 + o);
    t2 += x * load<f32>(b2 + o);
    t3 += x * load<f32>(b3 + o);
  }
  updScalar(c, t0, alpha, beta, mode);
  updScalar(c + 4, t1, alpha, beta, mode);
  updScalar(c + 8, t2, alpha, beta, mode);
  updScalar(c + 12, t3, alpha, beta, mode);
}

function dot1x1(a: usize, b: usize, k: i32, c: usize, alpha: f32, beta: f32, mode: i32): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  const bytes = <usize>k << 2;
  const k8 = <usize>(k & ~7) << 2;
  let o: usize = 0;
  for (; o < k8; o += 32) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  let t = hsum(f32x4.add(s0, s1));
  for (; o < bytes; o += 4) t += load<f32>(a + o) * load<f32>(b + o);
  updScalar(c, t, alpha, beta, mode);
}

/** Transposes src [rows, cols] into dst [cols, rows]. */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>r * <usize>cols << 2);
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + ((<usize>j * <usize>rows + <usize>r) << 2), load<f32>(s + (<usize>j << 2)));
    }
  }
}

/** C [m, n] = alpha · A · Bᵀ + beta · C with A [m, k] and B [n, k], both row-major. */
export function gemmNT(m: i32, n: i32, k: i32, alpha: f32, a: usize, b: usize, beta: f32, c: usize): void {
  const mode = beta == 1 ? 1 : beta == 0 ? 0 : 2;
  const ldc = <usize>n << 2;
  const lda = <usize>k << 2;
  // Rows of A per chunk: about 64 KiB, reused from cache across every column of the chunk.
  const mc = max(4, (16384 / max(k, 1)) & ~3);
  for (let i0 = 0; i0 < m; i0 += mc) {
    const ie = min(m, i0 + mc);
    const i4 = i0 + ((ie - i0) & ~3);
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const bj = b + <usize>j * lda;
      for (let i = i0; i < i4; i += 4) {
        dot4x2(a + <usize>i * lda, bj, k, c + <usize>i * ldc + (<usize>j << 2), ldc, alpha, beta, mode);
      }
    }
    if (j < n) {
      for (let i = i0; i < i4; i++) {
        dot1x1(a + <usize>i * lda, b + <usize>j * lda, k, c + <usize>i * ldc + (<usize>j << 2), alpha, beta, mode);
      }
    }
    for (let i = i4; i < ie; i++) {
      const ai = a + <usize>i * lda;
      const ci = c + <usize>i * ldc;
      let jj = 0;
      for (; jj + 4 <= n; jj += 4) dot1x4(ai, b + <usize>jj * lda, k, ci + (<usize>jj << 2), alpha, beta, mode);
      for (; jj < n; jj++) dot1x1(ai, b + <usize>jj * lda, k, ci + (<usize>jj << 2), alpha, beta, mode);
    }
  }
}

/**
 * y [n] = alpha · x · B + beta · y for B stored [k, n]; x[p] is at x + p·xs (xs in bytes, so a
 * column of a transposed A works in place).
 */
export function gemv(n: i32, k: i32, alpha: f32, x: usize, xs: usize, b: usize, beta: f32, y: usize): void {
  const mode = beta == 1 ? 1 : beta == 0 ? 0 : 2;
  const ldb = <usize>n << 2;
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let p = b + (<usize>j << 2);
    let xp = x;
    for (let kk = 0; kk < k; kk++) {
      const xv = v128.load32_splat(xp);
      s0 = f32x4.add(s0, f32x4.mul(xv, v128.load(p)));
      s1 = f32x4.add(s1, f32x4.mul(xv, v128.load(p, 16)));
      s2 = f32x4.add(s2, f32x4.mul(xv, v128.load(p, 32)));
      s3 = f32x4.add(s3, f32x4.mul(xv, v128.load(p, 48)));
      p += ldb;
      xp += xs;
    }
    const yp = y + (<usize>j << 2);
    upd(yp, s0, va, vb, mode);
    upd(yp + 16, s1, va, vb, mode);
    upd(yp + 32, s2, va, vb, mode);
    upd(yp + 48, s3, va, vb, mode);
  }
  for (; j + 4 <= n; j += 4) {
    let s0 = f32x4.splat(0);
    let p = b + (<usize>j << 2);
    let xp = x;
    for (let kk = 0; kk < k; kk++) {
      s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(xp), v128.load(p)));
      p += ldb;
      xp += xs;
    }
    upd(y + (<usize>j << 2), s0, va, vb, mode);
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    let p = b + (<usize>j << 2);
    let xp = x;
    for (let kk = 0; kk < k; kk++) {
      s += load<f32>(xp) * load<f32>(p);
      p += ldb;
      xp += xs;
    }
    updScalar(y + (<usize>j << 2), s, alpha, beta, mode);
  }
}
