/**
 * WasmBackend: the Backend contract with GEMM, the fused recurrent gate kernels and the bias
 * kernels running as WebAssembly SIMD (wasm/assembly/). Each accelerated call copies its operands
 * into the module's memory, runs, and copies results out — O(n²) copies against O(n³) GEMM work.
 * Calls below a measured size fall back to the reference kernels (copies would dominate), and so
 * does everything else: elementwise, reductions, indexing and, deliberately, the optimizer
 * updates, whose float64-then-round arithmetic is bit-exact against PyTorch today.
 *
 * GEMM sums in a different order than the reference (blocked, vectorised along n or k), so results
 * differ by float32 rounding; gate activations use ~1–2 ulp exp/tanh approximations.
 *
 * @example
 *   const be = new WasmBackend();
 *   be.gemm(false, true, 32, 1024, 256, 1, h, 0, whh, 0, 1, gates, 0);
 */
import type { Backend, F32 } from "../backend.js";
import { referenceBackend as ref } from "../reference/index.js";
import { GEMM_PACK_FLOATS, Kernels } from "./module.js";

/** Sizes below which a call runs on the reference backend. 0 sends everything to wasm (tests). */
export interface WasmBackendOptions {
  /** Minimum m·n·k for gemm. */
  minGemmVolume?: number;
  /** Minimum batch·hidden for the gate kernels (elements for the RNN activation). */
  minGateElements?: number;
  /** Minimum rows·cols for addRowVector / sumRows. */
  minRowElements?: number;
  /** Run each kernel a few times at construction so V8 tiers it up (default true). */
  warmUp?: boolean;
}

/** Below this many rows of op(A) (with B not transposed) gemv per row beats packing B. */
const GEMV_ROWS = 3;

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly kernels: Kernels;
  private readonly minGemm: number;
  private readonly minGate: number;
  private readonly minRows: number;

  // Delegated to the reference backend.
  readonly unaryForward = ref.unaryForward;
  readonly unaryBackward = ref.unaryBackward;
  readonly binaryForward = ref.binaryForward;
  readonly scalarForward = ref.scalarForward;
  readonly clampForward = ref.clampForward;
  readonly whereForward = ref.whereForward;
  readonly stridedCopy = ref.stridedCopy;
  readonly stridedAccumulate = ref.stridedAccumulate;
  readonly reduceForward = ref.reduceForward;
  readonly softmaxForward = ref.softmaxForward;
  readonly softmaxBackward = ref.softmaxBackward;
  readonly gatherRows = ref.gatherRows;
  readonly scatterAddRows = ref.scatterAddRows;
  readonly gatherAxis = ref.gatherAxis;
  readonly scatterAddAxis = ref.scatterAddAxis;
  readonly sgdUpdate = ref.sgdUpdate;
  readonly adamUpdate = ref.adamUpdate;
  readonly rmspropUpdate = ref.rmspropUpdate;
  readonly adagradUpdate = ref.adagradUpdate;

  constructor(options: WasmBackendOptions = {}) {
    this.kernels = new Kernels();
    this.minGemm = options.minGemmVolume ?? 256;
    this.minGate = options.minGateElements ?? 16;
    this.minRows = options.minRowElements ?? 256;
    if (options.warmUp ?? true) warmUp(this);
  }

  gemm(
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
    if (m === 0 || n === 0) return;
    if (k === 0 || alpha === 0 || m * n * k < this.minGemm) {
      ref.gemm(transA, transB, m, n, k, alpha, a, aOffset, b, bOffset, beta, c, cOffset);
      return;
    }
    const K = this.kernels;
    const w = K.k;
    K.reset();
    const pa = K.put(a, aOffset, m * k);
    const pb = K.put(b, bOffset, k * n);
    const pc = beta === 0 ? K.alloc(m * n) : K.put(c, cOffset, m * n);
    if (transB) {
      let rows = pa;
      if (transA && m > 1) {
        rows = K.alloc(m * k);
        w.transpose(pa, k, m, rows);
      }
      w.gemmNT(m, n, k, alpha, rows, pb, beta, pc);
    } else if (m < GEMV_ROWS) {
      for (let i = 0; i < m; i++) {
        const x = transA ? pa + 4 * i : pa + 4 * i * k;
        w.gemv(n, k, alpha, x, transA ? 4 * m : 4, pb, beta, pc + 4 * i * n);
      }
    } else {
      const pack = K.alloc(GEMM_PACK_FLOATS);
      w.gemmNN(transA ? 1 : 0, m, n, k, alpha, pa, pb, beta, pc, pack);
    }
    K.get(pc, m * n, c, cOffset);
  }

  addRowVector(out: F32, bias: F32, rows: number, cols: number): void {
    const n = rows * cols;
    if (n < this.minRows) return ref.addRowVector(out, bias, rows, cols);
    const K = this.kernels;
    K.reset();
    const po = K.put(out, 0, n);
    const pb = K.put(bias, 0, cols);
    K.k.addRowVector(po, pb, rows, cols);
    K.get(po, n, out, 0);
  }

  sumRows(dy: F32, rows: number, cols: number, dBias: F32): void {
    const n = rows * cols;
    if (n < this.minRows) return ref.sumRows(dy, rows, cols, dBias);
    const K = this.kernels;
    K.reset();
    const py = K.put(dy, 0, n);
    const pb = K.put(dBias, 0, cols);
    K.k.sumRows(py, rows, cols, pb);
    K.get(pb, cols, dBias, 0);
  }

  lstmGatesForward(gates: F32, cPrev: F32, batch: number, hidden: number, c: F32, m: F32): void {
    const n = batch * hidden;
    if (n < this.minGate) return ref.lstmGatesForward(gates, cPrev, batch, hidden, c, m);
    const K = this.kernels;
    K.reset();
    const pg = K.put(gates, 0, 4 * n);
    const pcp = K.put(cPrev, 0, n);
    const pc = K.alloc(n);
    const pm = K.alloc(n);
    K.k.lstmGatesForward(pg, pcp, batch, hidden, pc, pm);
    K.get(pg, 4 * n, gates, 0);
    K.get(pc, n, c, 0);
    K.get(pm, n, m, 0);
  }

  lstmGatesBackward(
    gates: F32,
    cPrev: F32,
    c: F32,
    dm: F32,
    dc: F32,
    batch: number,
    hidden: number,
    dGates: F32,
  ): void {
    const n = batch * hidden;
    if (n < this.minGate) {
      return ref.lstmGatesBackward(gates, cPrev, c, dm, dc, batch, hidden, dGates);
    }
    const K = this.kernels;
    K.reset();
    const pg = K.put(gates, 0, 4 * n);
    const pcp = K.put(cPrev, 0, n);
    const pc = K.put(c, 0, n);
    const pdm = K.put(dm, 0, n);
    const pdc = K.put(dc, 0, n);
    const pdg = K.alloc(4 * n);
    K.k.lstmGatesBackward(pg, pcp, pc, pdm, pdc, batch, hidden, pdg);
    K.get(pdg, 4 * n, dGates, 0);
    K.get(pdc, n, dc, 0);
  }

  gruGatesForward(gx: F32, gh: F32, hPrev: F32, batch: number, hidden: number, h: F32): void {
    const n = batch * hidden;
    if (n < this.minGate) return ref.gruGatesForward(gx, gh, hPrev, batch, hidden, h);
    const K = this.kernels;
    K.reset();
    const pgx = K.put(gx, 0, 3 * n);
    const pgh = K.put(gh, 0, 3 * n);
    const php = K.put(hPrev, 0, n);
    const ph = K.alloc(n);
    K.k.gruGatesForward(pgx, pgh, php, batch, hidden, ph);
    K.get(pgx, 3 * n, gx, 0);
    K.get(ph, n, h, 0);
  }

  gruGatesBackward(
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
    const n = batch * hidden;
    if (n < this.minGate) {
      return ref.gruGatesBackward(gates, gh, hPrev, dh, batch, hidden, dGx, dGh, dhPrev);
    }
    const K = this.kernels;
    K.reset();
    const pg = K.put(gates, 0, 3 * n);
    const pgh = K.put(gh, 0, 3 * n);
    const php = K.put(hPrev, 0, n);
    const pdh = K.put(dh, 0, n);
    const pdhp = K.put(dhPrev, 0, n);
    const pdgx = K.alloc(3 * n);
    const pdgh = K.alloc(3 * n);
    K.k.gruGatesBackward(pg, pgh, php, pdh, batch, hidden, pdgx, pdgh, pdhp);
    K.get(pdgx, 3 * n, dGx, 0);
    K.get(pdgh, 3 * n, dGh, 0);
    K.get(pdhp, n, dhPrev, 0);
  }

  rnnGatesForward(pre: F32, relu: boolean): void {
    const n = pre.length;
    if (n < this.minGate) return ref.rnnGatesForward(pre, relu);
    const K = this.kernels;
    K.reset();
    const p = K.put(pre, 0, n);
    K.k.rnnGatesForward(p, n, relu ? 1 : 0);
    K.get(p, n, pre, 0);
  }

  rnnGatesBackward(h: F32, dh: F32, relu: boolean, dPre: F32): void {
    const n = h.length;
    if (n < this.minGate) return ref.rnnGatesBackward(h, dh, relu, dPre);
    const K = this.kernels;
    K.reset();
    const ph = K.put(h, 0, n);
    const pdh = K.put(dh, 0, n);
    const pd = K.alloc(n);
    K.k.rnnGatesBackward(ph, pdh, n, relu ? 1 : 0, pd);
    K.get(pd, n, dPre, 0);
  }
}

/**
 * Runs every kernel path a few times on mid-sized operands: V8 first compiles wasm with its
 * baseline tier (~3× slower here) and tiers a function up to TurboFan once it has executed enough
 * code (a budget of roughly 10⁴ inner-loop iterations), so each kernel gets a few times that. About
 * 2 ms, once per process.
 */
function warmUp(be: WasmBackend): void {
  const w = be.kernels;
  const K = w.k;
  const size = 64;
  const [B, H] = [16, 64]; // 4·B·H = size²
  w.reset();
  const a = w.alloc(size * size);
  const b = w.alloc(size * size);
  const c = w.alloc(size * size);
  const d = w.alloc(size * size);
  const pack = w.alloc(GEMM_PACK_FLOATS);
  for (let rep = 0; rep < 8; rep++) {
    w.heap().fill(0.25, a >> 2, (d >> 2) + size * size);
    K.gemmNN(rep & 1, size, size, size, 1, a, b, 0, c, pack);
    K.gemmNN(0, 7, 9, size, 1, a, b, 1, c, pack);
    K.gemmNT(size, size, size, 1, a, b, 1, c);
    K.gemmNT(5, 9, 7, 1, a, b, 0, c);
    K.gemv(size * 4, 16, 1, a, 4, b, 1, c);
    K.gemv(9, 8, 1, a, 4, b, 0, c);
    K.transpose(a, size, size, c);
    K.addRowVector(a, b, size, size);
    K.sumRows(a, size, size, b);
    w.heap().fill(0.25, a >> 2, (d >> 2) + size * size);
    K.lstmGatesForward(a, b, B, H, c, d);
    K.lstmGatesBackward(a, b, c, d, b, B, H, c);
    K.gruGatesForward(a, b, c, B, H + 1, d);
    K.gruGatesBackward(a, b, c, d, B, H + 1, a, b, c);
    K.rnnGatesForward(a, B * H + 3, rep & 1);
    K.rnnGatesBackward(a, b, B * H + 3, rep & 1, c);
  }
  w.reset();
}
