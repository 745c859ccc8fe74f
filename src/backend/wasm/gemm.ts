/**
 * The GEMM driver: picks a kernel by shape and splits the output between threads.
 *
 * - m < 4: no packing (it would cost more than it saves). B [k, n] runs `gemv` per row of op(A);
 *   B stored [n, k] runs `gemmNT` (dot products along k), after transposing op(A) = Aᵀ when needed.
 * - otherwise the packed 3×12 kernel (`gemm`), or `gemmPacked` over a B packed once by `packB`.
 *
 * A big call is cut into chunks (runtime.ts: about two per thread) that threads claim as they come
 * free: by columns (whole 12-column panels; 16 or 4 columns on the unpacked paths) when each chunk
 * gets at least 48 of them, else by rows (multiples of 3; also when a tall Aᵀ is taller than B is
 * wide, since each column chunk packs all of Aᵀ). A call below PARALLEL_FLOPS stays on the
 * calling thread: a hand-off costs a few microseconds. Chunks never change how an element is
 * summed, so results are the same for any thread count.
 *
 * Napkin math: the 3×12 tile does 9 multiply-adds per 3 loads of B and 3 splats of A; at 2.6 GHz
 * with two FMA ports of 4 lanes that is ≈ 40 GFLOP/s per core at best (relaxed build).
 */
import type { F32, PackedMatrix } from "../backend.js";
import type { Runtime } from "./runtime.js";

const NR = 12;
/** About 50 µs of single-thread work: below it, a second thread does not pay for its hand-off. */
export const PARALLEL_FLOPS = 3e6;

/** A packed op(B) in the kernels' memory (freed by WasmBackend.release). */
export interface WasmPacked extends PackedMatrix {
  readonly at: number;
}

type Parts = number[][];

/** [start, end) ranges of `count` items in units of `unit`, one per part, dropping empty ones. */
function ranges(count: number, unit: number, parts: number): [number, number][] {
  const units = Math.ceil(count / unit);
  const per = Math.ceil(units / parts);
  const out: [number, number][] = [];
  for (let t = 0; t < parts; t++) {
    const lo = t * per * unit;
    const hi = Math.min(count, (t + 1) * per * unit);
    if (lo < hi) out.push([lo, hi]);
  }
  return out;
}

/**
 * A product of fewer than 4 rows streams B through once (from L3 at 17–20 GFLOP/s per core here,
 * from memory at ~11, against the packed GEMM's ~40), so its flops count this many times over when
 * deciding whether a second thread pays: a batch-1 step h·W_hhᵀ of a 512-unit LSTM (2.1 MFLOP,
 * ~105 µs alone) runs in ~65 µs on two threads.
 */
const STREAMING_WEIGHT = 4;

function partsFor(rt: Runtime, kind: string, m: number, n: number, k: number): number {
  const flops = 2 * m * n * k;
  return rt.chunks(kind, m < 4 ? STREAMING_WEIGHT * flops : flops, PARALLEL_FLOPS);
}

/** C = alpha · op(A) · op(B) + beta · C (Backend.gemm), with k > 0 and alpha ≠ 0. */
export function gemm(
  rt: Runtime,
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
  const H = rt.heap;
  H.reset();
  let pa = H.put(a, aOffset, m * k);
  const pb = H.put(b, bOffset, k * n);
  const pc = beta === 0 ? H.out(c, cOffset, m * n) : H.put(c, cOffset, m * n);
  const parts = partsFor(rt, m < 4 ? "gemv" : "gemm", m, n, k);
  if (m < 4 && !transB) {
    // One row of op(A) at a time against B [k, n]; a column of A when transposed.
    const xs = transA ? 4 * m : 4;
    for (let i = 0; i < m; i++) {
      const x = transA ? pa + 4 * i : pa + 4 * i * k;
      const y = pc + 4 * i * n;
      rt.run(
        "gemv",
        ranges(n, 16, parts).map(([j0, j1]) => [n, k, alpha, x, xs, pb, beta, y, j0, j1]),
      );
    }
  } else if (m < 4) {
    if (transA) pa = transposeSmall(rt, pa, k, m);
    rt.run(
      "gemmNT",
      ranges(n, 4, parts).map(([j0, j1]) => [m, n, k, alpha, pa, pb, beta, pc, j0, j1]),
    );
  } else {
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    // Column chunks read A in place and pack only their share of B, but each packs all of a tall
    // Aᵀ when the kernels pack it (packsAt in wasm/assembly/gemm.ts, for a chunk's n / parts
    // columns): then row chunks (which each pack all of B) repack less when m > n.
    const packsA = transA && (m >= 512 || (m >= 64 && n / parts >= 128));
    const split: Parts =
      n >= 48 * parts && !(packsA && m > n)
        ? ranges(n, NR, parts).map(([j0, j1]) => [0, m, j0, j1])
        : ranges(m, 3, parts).map(([i0, i1]) => [i0, i1, 0, n]);
    rt.run(
      "gemm",
      split.map(([i0, i1, j0, j1]) => [tA, tB, m, n, k, alpha, pa, pb, beta, pc, i0, i1, j0, j1]),
    );
  }
  rt.settle();
  H.get(pc, m * n, c, cOffset);
}

/** A [rows, cols] at p (arena) transposed into new arena space [cols, rows]. */
function transposeSmall(rt: Runtime, p: number, rows: number, cols: number): number {
  const H = rt.heap;
  const dst = H.temp(rows * cols);
  const f = H.heap();
  const s = p >> 2;
  const d = dst >> 2;
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) f[d + j * rows + r] = f[s + r * cols + j];
  return dst;
}

/** Packs op(B) [k, n] into a block of the kernels' memory (Backend.packB). */
export function packB(
  rt: Runtime,
  transB: boolean,
  k: number,
  n: number,
  b: F32,
  bOffset: number,
): WasmPacked {
  const H = rt.heap;
  const at = H.alloc(Math.max(1, rt.k.packedSize(k, n)));
  H.reset();
  const pb = H.put(b, bOffset, k * n);
  rt.k.packB(transB ? 1 : 0, k, n, pb, at);
  return { k, n, transB, at };
}

/** C = alpha · op(A) · P + beta · C over a packed P (Backend.gemmPacked). */
export function gemmPacked(
  rt: Runtime,
  transA: boolean,
  m: number,
  alpha: number,
  a: F32,
  aOffset: number,
  p: WasmPacked,
  beta: number,
  c: F32,
  cOffset: number,
): void {
  const { k, n } = p;
  const H = rt.heap;
  H.reset();
  const pa = H.put(a, aOffset, m * k);
  const pc = beta === 0 ? H.out(c, cOffset, m * n) : H.put(c, cOffset, m * n);
  const parts = partsFor(rt, "gemmPacked", m, n, k);
  const panels = Math.ceil(n / NR);
  const split: Parts =
    panels >= 4 * parts || m < 3 * parts
      ? ranges(panels, 1, parts).map(([q0, q1]) => [0, m, q0, q1])
      : ranges(m, 3, parts).map(([i0, i1]) => [i0, i1, 0, panels]);
  const tA = transA ? 1 : 0;
  rt.run(
    "gemmPacked",
    split.map(([i0, i1, q0, q1]) => [tA, m, n, k, alpha, pa, p.at, beta, pc, i0, i1, q0, q1]),
  );
  rt.settle();
  H.get(pc, m * n, c, cOffset);
}
