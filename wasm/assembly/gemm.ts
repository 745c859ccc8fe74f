/**
 * Single-precision GEMM, C = alpha · op(A) · op(B) + beta · C, row-major, byte pointers.
 *
 * Packed path (`gemm`, `gemmPacked`): op(B) is packed per [KC × NC] block into panels of NR = 12
 * columns (zero-padded, `packB`), and a 3×12 register tile (9 accumulators) runs over each panel
 * with A read in place, one splat per row and k step (op(A) = Aᵀ of a tall A is first packed into
 * 3-row panels, MC rows at a time, so that its k steps are contiguous). The
 * relaxed-SIMD build fuses each multiply-add (f32x4.relaxed_madd); the baseline build multiplies
 * and adds. A whole op(B) packed once (`packB` over every block, e.g. a recurrent weight used at
 * every time step) is used by `gemmPacked` without repacking.
 *
 * Every export computes the block rows [i0, i1) × columns [j0, j1) of C, so two threads can split
 * C between them; each element is always summed in the same order (k blocks of KC, then lanes),
 * whatever the split, so results do not depend on the thread count.
 *
 * Small-m paths without packing: `gemv` (one row of op(A) times B [k, n], a 1×16 tile along n)
 * and `gemmNT` (rows of A against rows of B [n, k], dot products vectorised along k).
 * beta = 0 never reads C (NaN in C is ignored, like the reference).
 */
import { hsum } from "./math";

export const KC: i32 = 256;
/** Columns per packed block: 43 panels, so a [KC × NC] block (528 KiB) stays in L2. */
export const NC: i32 = 516;
/** Rows of op(A) = Aᵀ packed at a time (96 KiB per block). */
export const MC: i32 = 96;
const NR: i32 = 12;

// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

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

/** Stores one row of a tile (three vectors): all 12 columns, or the first `cols` through `tmp`. */
// @ts-ignore: decorator
@inline
function storeRow(
  p: usize, x0: v128, x1: v128, x2: v128, alpha: f32, beta: f32, mode: i32, cols: i32, tmp: usize,
): void {
  if (cols == NR) {
    const va = f32x4.splat(alpha);
    const vb = f32x4.splat(beta);
    upd(p, x0, va, vb, mode);
    upd(p + 16, x1, va, vb, mode);
    upd(p + 32, x2, va, vb, mode);
  } else {
    v128.store(tmp, x0);
    v128.store(tmp, x1, 16);
    v128.store(tmp, x2, 32);
    for (let j = 0; j < cols; j++) {
      updScalar(p + (<usize>j << 2), load<f32>(tmp + (<usize>j << 2)), alpha, beta, mode);
    }
  }
}

/** 3×12 tile: rows of op(A) at a, a + rs, a + 2rs, advancing cs per k step; bp is a panel. */
function kernel3x12(
  a: usize, rs: usize, cs: usize, bp: usize, kc: i32, c: usize, ldc: usize,
  alpha: f32, beta: f32, mode: i32, cols: i32, tmp: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  let a0 = a;
  const r2 = rs + rs;
  let p = bp;
  for (let kk = 0; kk < kc; kk++) {
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    const b2 = v128.load(p, 32);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    c02 = madd(x, b2, c02);
    x = v128.load32_splat(a0 + rs);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    c12 = madd(x, b2, c12);
    x = v128.load32_splat(a0 + r2);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    c22 = madd(x, b2, c22);
    a0 += cs;
    p += 48;
  }
  storeRow(c, c00, c01, c02, alpha, beta, mode, cols, tmp);
  storeRow(c + ldc, c10, c11, c12, alpha, beta, mode, cols, tmp);
  storeRow(c + 2 * ldc, c20, c21, c22, alpha, beta, mode, cols, tmp);
}

/** 2×12 tile for two leftover rows. */
function kernel2x12(
  a: usize, rs: usize, cs: usize, bp: usize, kc: i32, c: usize, ldc: usize,
  alpha: f32, beta: f32, mode: i32, cols: i32, tmp: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let a0 = a;
  let p = bp;
  for (let kk = 0; kk < kc; kk++) {
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    const b2 = v128.load(p, 32);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    c02 = madd(x, b2, c02);
    x = v128.load32_splat(a0 + rs);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    c12 = madd(x, b2, c12);
    a0 += cs;
    p += 48;
  }
  storeRow(c, c00, c01, c02, alpha, beta, mode, cols, tmp);
  storeRow(c + ldc, c10, c11, c12, alpha, beta, mode, cols, tmp);
}

/** 1×12 tile for one leftover row (and batch-1 products over a packed B). */
function kernel1x12(
  a: usize, cs: usize, bp: usize, kc: i32, c: usize,
  alpha: f32, beta: f32, mode: i32, cols: i32, tmp: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let a0 = a;
  let p = bp;
  for (let kk = 0; kk < kc; kk++) {
    const x = v128.load32_splat(a0);
    c00 = madd(x, v128.load(p), c00);
    c01 = madd(x, v128.load(p, 16), c01);
    c02 = madd(x, v128.load(p, 32), c02);
    a0 += cs;
    p += 48;
  }
  storeRow(c, c00, c01, c02, alpha, beta, mode, cols, tmp);
}

/** Rows of A whose k block (24 · KC floats, 24 KiB) stays in L1 while each panel of B passes. */
const MB: i32 = 24;

/**
 * Runs the tiles of rows [i0, i1) over `panels` packed panels of one k block (kc rows, starting at
 * row p0 of op(B)); panel q covers columns j + 12q of C. op(A)[i, p] is at a + i·rs + p·cs. Rows go
 * MB at a time, and within them panel by panel, so one panel (12 KiB) serves MB rows from L1.
 */
function macro(
  a: usize, rs: usize, cs: usize, p0: i32, kc: i32, pack: usize, panels: i32, j: i32, ncols: i32,
  c: usize, ldc: usize, i0: i32, i1: i32, alpha: f32, beta: f32, mode: i32, tmp: usize,
): void {
  const panelBytes = <usize>kc * 48;
  const i3 = i0 + (i1 - i0) / 3 * 3;
  for (let ib = i0; ib < i1; ib += MB) {
    const ie = min(i1, ib + MB);
    for (let q = 0; q < panels; q++) {
      const cols = min(NR, ncols - q * NR);
      const bp = pack + <usize>q * panelBytes;
      const cj = c + (<usize>j << 2) + <usize>q * 48;
      for (let i = ib; i < ie; ) {
        const ai = a + <usize>i * rs + <usize>p0 * cs;
        const cq = cj + <usize>i * ldc;
        if (i < i3) {
          kernel3x12(ai, rs, cs, bp, kc, cq, ldc, alpha, beta, mode, cols, tmp);
          i += 3;
        } else if (i + 1 < ie) {
          kernel2x12(ai, rs, cs, bp, kc, cq, ldc, alpha, beta, mode, cols, tmp);
          i += 2;
        } else {
          kernel1x12(ai, cs, bp, kc, cq, alpha, beta, mode, cols, tmp);
          i++;
        }
      }
    }
  }
}

/**
 * Packs op(A)[i0 : i0+mc, p0 : p0+kc] for op(A) = Aᵀ (A stored [k, m]) into panels of 3 rows,
 * each [kc][3] (zero-padded). Read in place, Aᵀ walks A with a stride of m floats per k step — a
 * new page every step for large m — while each k step of A's own rows is contiguous here.
 */
function packA(a: usize, m: i32, p0: i32, kc: i32, i0: i32, mc: i32, dst: usize): void {
  const tiles = (mc + 2) / 3;
  const panelBytes = <usize>kc * 12;
  for (let kk = 0; kk < kc; kk++) {
    const src = a + ((<usize>(p0 + kk) * <usize>m + <usize>i0) << 2);
    const d = dst + <usize>kk * 12;
    for (let t = 0; t < tiles; t++) {
      const o = d + <usize>t * panelBytes;
      const r = t * 3;
      store<f32>(o, load<f32>(src + (<usize>r << 2)));
      store<f32>(o, r + 1 < mc ? load<f32>(src + (<usize>(r + 1) << 2)) : 0, 4);
      store<f32>(o, r + 2 < mc ? load<f32>(src + (<usize>(r + 2) << 2)) : 0, 8);
    }
  }
}

/** `macro` for op(A) = Aᵀ: packs MC rows of it at a time into `apack`, then runs the tiles there. */
function macroT(
  a: usize, m: i32, p0: i32, kc: i32, pack: usize, panels: i32, j: i32, ncols: i32,
  c: usize, ldc: usize, i0: i32, i1: i32, alpha: f32, beta: f32, mode: i32, tmp: usize, apack: usize,
): void {
  const panelBytes = <usize>kc * 48;
  const tileBytes = <usize>kc * 12;
  for (let ib = i0; ib < i1; ib += MC) {
    const mc = min(MC, i1 - ib);
    packA(a, m, p0, kc, ib, mc, apack);
    const tiles = (mc + 2) / 3;
    for (let t0 = 0; t0 < tiles; t0 += MB / 3) {
      const te = min(tiles, t0 + MB / 3);
      for (let q = 0; q < panels; q++) {
        const cols = min(NR, ncols - q * NR);
        const bp = pack + <usize>q * panelBytes;
        const cj = c + (<usize>j << 2) + <usize>q * 48;
        for (let t = t0; t < te; t++) {
          const rows = min(3, mc - t * 3);
          const ai = apack + <usize>t * tileBytes;
          const cq = cj + <usize>(ib + t * 3) * ldc;
          if (rows == 3) kernel3x12(ai, 4, 12, bp, kc, cq, ldc, alpha, beta, mode, cols, tmp);
          else if (rows == 2) kernel2x12(ai, 4, 12, bp, kc, cq, ldc, alpha, beta, mode, cols, tmp);
          else kernel1x12(ai, 12, bp, kc, cq, alpha, beta, mode, cols, tmp);
        }
      }
    }
  }
}

/**
 * Whether `macroT` packs op(A) = Aᵀ [m rows] for a block of `ncols` columns: when its rows lie far
 * apart in A (a new page every few k steps), or when enough 12-column panels reuse the packing.
 * Packing costs ~3 ns a float, which a narrow block does not win back: a weight gradient dWᵀ·x of
 * a 32-unit GRU (96 × 32 × 640) ran at 12 GFLOP/s packed, 28 read in place.
 */
// @ts-ignore: decorator
@inline
function packsAt(m: i32, ncols: i32): bool {
  return m >= 512 || (m >= 64 && ncols >= 128);
}

/** Tiles of one k block, through `macroT` when it packs op(A) = Aᵀ (`packsAt`). */
// @ts-ignore: decorator
@inline
function tiles(
  transA: bool, a: usize, m: i32, k: i32, p0: i32, kc: i32, pack: usize, panels: i32, j: i32,
  ncols: i32, c: usize, ldc: usize, i0: i32, i1: i32, alpha: f32, beta: f32, mode: i32, tmp: usize,
  apack: usize,
): void {
  if (transA && packsAt(m, ncols)) {
    macroT(a, m, p0, kc, pack, panels, j, ncols, c, ldc, i0, i1, alpha, beta, mode, tmp, apack);
  } else {
    const rs: usize = transA ? 4 : <usize>k << 2;
    const cs: usize = transA ? <usize>m << 2 : 4;
    macro(a, rs, cs, p0, kc, pack, panels, j, ncols, c, ldc, i0, i1, alpha, beta, mode, tmp);
  }
}

/** Packs op(B)[p0 : p0+kc, j0 : j0+nc] into 12-column panels (kc rows each, zero-padded). */
function packBlock(transB: bool, b: usize, n: i32, k: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  const full = nc / NR;
  const panelBytes = <usize>kc * 48;
  if (!transB) {
    // B stored [k, n]: each panel row is 12 contiguous floats.
    for (let kk = 0; kk < kc; kk++) {
      const src = b + ((<usize>(p0 + kk) * <usize>n + <usize>j0) << 2);
      const d = dst + <usize>kk * 48;
      for (let q = 0; q < full; q++) {
        const s = src + <usize>q * 48;
        const o = d + <usize>q * panelBytes;
        v128.store(o, v128.load(s));
        v128.store(o, v128.load(s, 16), 16);
        v128.store(o, v128.load(s, 32), 32);
      }
    }
  } else {
    // B stored [n, k]: a panel is 12 rows of B; transpose 4×4 blocks of (column, k).
    const ldb = <usize>k << 2;
    const k4 = kc & ~3;
    for (let q = 0; q < full; q++) {
      const o = dst + <usize>q * panelBytes;
      for (let g = 0; g < 3; g++) {
        const r0 = b + <usize>(j0 + q * NR + g * 4) * ldb + (<usize>p0 << 2);
        const og = o + (<usize>g << 4);
        for (let kk = 0; kk < k4; kk += 4) {
          const off = <usize>kk << 2;
          const v0 = v128.load(r0 + off);
          const v1 = v128.load(r0 + ldb + off);
          const v2 = v128.load(r0 + 2 * ldb + off);
          const v3 = v128.load(r0 + 3 * ldb + off);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          const d = og + <usize>kk * 48;
          v128.store(d, v128.shuffle<f64>(t0, t1, 0, 2));
          v128.store(d + 48, v128.shuffle<f64>(t0, t1, 1, 3));
          v128.store(d + 96, v128.shuffle<f64>(t2, t3, 0, 2));
          v128.store(d + 144, v128.shuffle<f64>(t2, t3, 1, 3));
        }
        for (let kk = k4; kk < kc; kk++) {
          const d = og + <usize>kk * 48;
          const s = r0 + (<usize>kk << 2);
          for (let jj = 0; jj < 4; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(s + <usize>jj * ldb));
        }
      }
    }
  }
  const rem = nc - full * NR;
  if (rem == 0) return;
  const o = dst + <usize>full * panelBytes;
  const jr = j0 + full * NR;
  for (let kk = 0; kk < kc; kk++) {
    const d = o + <usize>kk * 48;
    for (let jj = 0; jj < NR; jj++) {
      let v: f32 = 0;
      if (jj < rem) {
        const row = <usize>(p0 + kk);
        const col = <usize>(jr + jj);
        v = transB ? load<f32>(b + ((col * <usize>k + row) << 2)) : load<f32>(b + ((row * <usize>n + col) << 2));
      }
      store<f32>(d + (<usize>jj << 2), v);
    }
  }
}

// @ts-ignore: decorator
@inline
function modeOf(beta: f32, p0: i32): i32 {
  return p0 > 0 || beta == 1 ? 1 : beta == 0 ? 0 : 2;
}

/**
 * C [m, n] = alpha · op(A) · op(B) + beta · C over rows [i0, i1) and columns [j0, j1), packing
 * op(B) block by block into `pack` (KC · (NC + MC) floats: B's block, then A's when transposed);
 * `tmp` is 16 floats of per-thread scratch.
 */
export function gemm(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32, a: usize, b: usize, beta: f32,
  c: usize, i0: i32, i1: i32, j0: i32, j1: i32, pack: usize, tmp: usize,
): void {
  const ldc = <usize>n << 2;
  const apack = pack + (<usize>(KC * NC) << 2);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    const panels = (nc + NR - 1) / NR;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packBlock(transB, b, n, k, p0, kc, jc, nc, pack);
      tiles(transA, a, m, k, p0, kc, pack, panels, jc, nc, c, ldc, i0, i1, alpha, beta, modeOf(beta, p0), tmp, apack);
    }
  }
}

/** Floats `packB` writes for op(B) [k, n]: every column panel padded to 12, for all k rows. */
export function packedSize(k: i32, n: i32): i32 {
  return k * ((n + NR - 1) / NR) * NR;
}

/**
 * Packs the whole op(B) [k, n] for `gemmPacked`: k blocks of KC rows, each holding every panel
 * (block p0 starts at float p0 · 12·panels; panel q of a block at q · 12·kc within it).
 */
export function packB(transB: bool, k: i32, n: i32, b: usize, dst: usize): void {
  const width = <usize>((n + NR - 1) / NR) * NR;
  for (let p0 = 0; p0 < k; p0 += KC) {
    packBlock(transB, b, n, k, p0, min(KC, k - p0), 0, n, dst + ((<usize>p0 * width) << 2));
  }
}

/** As `gemm` with op(B) already packed by `packB`; threads split C by panels [q0, q1). */
export function gemmPacked(
  transA: bool, m: i32, n: i32, k: i32, alpha: f32, a: usize, packed: usize, beta: f32, c: usize,
  i0: i32, i1: i32, q0: i32, q1: i32, pack: usize, tmp: usize,
): void {
  const ldc = <usize>n << 2;
  const apack = pack + (<usize>(KC * NC) << 2);
  const width = <usize>((n + NR - 1) / NR) * NR;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const block = packed + ((<usize>p0 * width) << 2) + <usize>q0 * <usize>kc * 48;
    const j = q0 * NR;
    const ncols = min(n, q1 * NR) - j;
    tiles(transA, a, m, k, p0, kc, block, q1 - q0, j, ncols, c, ldc, i0, i1, alpha, beta, modeOf(beta, p0), tmp, apack);
  }
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
    s0 = madd(x, v128.load(b + o), s0);
    s1 = madd(x, v128.load(b1 + o), s1);
    s2 = madd(x, v128.load(b2 + o), s2);
    s3 = madd(x, v128.load(b3 + o), s3);
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
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    s1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), s1);
  }
  let t = hsum(f32x4.add(s0, s1));
  for (; o < bytes; o += 4) t += load<f32>(a + o) * load<f32>(b + o);
  updScalar(c, t, alpha, beta, mode);
}

/**
 * C [m, n] = alpha · A · Bᵀ + beta · C with A [m, k] and B [n, k] row-major, columns [j0, j1):
 * dot products along k, for small m where packing B would cost more than it saves.
 */
export function gemmNT(
  m: i32, n: i32, k: i32, alpha: f32, a: usize, b: usize, beta: f32, c: usize, j0: i32, j1: i32,
): void {
  const mode = modeOf(beta, 0);
  const ldc = <usize>n << 2;
  const lda = <usize>k << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * lda;
    const ci = c + <usize>i * ldc;
    let j = j0;
    for (; j + 4 <= j1; j += 4) dot1x4(ai, b + <usize>j * lda, k, ci + (<usize>j << 2), alpha, beta, mode);
    for (; j < j1; j++) dot1x1(ai, b + <usize>j * lda, k, ci + (<usize>j << 2), alpha, beta, mode);
  }
}

/**
 * y [j0, j1) = alpha · x · B + beta · y for B stored [k, n]; x[p] is at x + p·xs (xs in bytes, so
 * a column of a transposed A works in place).
 */
export function gemv(
  n: i32, k: i32, alpha: f32, x: usize, xs: usize, b: usize, beta: f32, y: usize, j0: i32, j1: i32,
): void {
  const mode = modeOf(beta, 0);
  const ldb = <usize>n << 2;
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  let j = j0;
  for (; j + 16 <= j1; j += 16) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let p = b + (<usize>j << 2);
    let xp = x;
    for (let kk = 0; kk < k; kk++) {
      const xv = v128.load32_splat(xp);
      s0 = madd(xv, v128.load(p), s0);
      s1 = madd(xv, v128.load(p, 16), s1);
      s2 = madd(xv, v128.load(p, 32), s2);
      s3 = madd(xv, v128.load(p, 48), s3);
      p += ldb;
      xp += xs;
    }
    const yp = y + (<usize>j << 2);
    upd(yp, s0, va, vb, mode);
    upd(yp + 16, s1, va, vb, mode);
    upd(yp + 32, s2, va, vb, mode);
    upd(yp + 48, s3, va, vb, mode);
  }
  for (; j + 4 <= j1; j += 4) {
    let s0 = f32x4.splat(0);
    let p = b + (<usize>j << 2);
    let xp = x;
    for (let kk = 0; kk < k; kk++) {
      s0 = madd(v128.load32_splat(xp), v128.load(p), s0);
      p += ldb;
      xp += xs;
    }
    upd(y + (<usize>j << 2), s0, va, vb, mode);
  }
  for (; j < j1; j++) {
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
