/**
 * WasmBackend: the Backend contract on WebAssembly SIMD kernels (wasm/assembly/), with big GEMMs
 * split across a worker pool over shared memory (runtime.ts, pool.ts).
 *
 * Operands that are ordinary arrays are copied into the kernels' memory for the call and results
 * copied out (O(n) copies against the kernel's work); `scratch` arrays already live there and are
 * used in place, which is how the fused recurrent layer runs its per-step GEMM and gate kernel
 * without copies. Calls below a measured size stay on the reference kernels (the copies would
 * dominate), as do the kernels with nothing to gain from SIMD (movement, gather/scatter, which are
 * memory copies either way, and the rarely hot sin, cos, pow, where, reductions).
 *
 * Agreement with the reference: add/sub/mul/div/sqrt/max/min/comparisons, the bias kernels and the
 * optimizer updates are bit-identical; GEMM sums in another order (blocked, vectorised; fused
 * multiply-adds in the relaxed build); exp/log/tanh/sigmoid, softmax and the gate kernels use
 * ~1–2 ulp approximations. test/conformance/ checks each against the reference.
 *
 * @example
 *   const be = new WasmBackend({ threads: 1 });
 *   be.gemm(false, true, 32, 1024, 256, 1, h, 0, whh, 0, 1, gates, 0);
 */
import type {
  AdagradOptions,
  AdamOptions,
  Backend,
  BinaryOp,
  F32,
  I32,
  PackedMatrix,
  RmspropOptions,
  SgdOptions,
  UnaryOp,
} from "../backend.js";
import { referenceBackend as ref } from "../reference/index.js";
import { gemm, gemmPacked, packB, type WasmPacked } from "./gemm.js";
import { BINARY_CODE, twoLevel, UNARY_CODE } from "./ops.js";
import { Runtime, type RuntimeOptions } from "./runtime.js";
import { warmUp } from "./warmup.js";
import * as optim from "./optim.js";
import * as gates from "./gates.js";

/** Sizes below which a call runs on the reference backend. 0 sends everything to wasm (tests). */
export interface WasmBackendOptions extends RuntimeOptions {
  /** Minimum m·n·k for gemm. */
  minGemmVolume?: number;
  /** Minimum batch·hidden for the gate kernels (elements for the RNN activation). */
  minGateElements?: number;
  /** Minimum rows·cols for addRowVector / sumRows. */
  minRowElements?: number;
  /** Minimum elements for elementwise, softmax and optimizer kernels. */
  minElements?: number;
  /** Run each kernel a few times at construction so V8 tiers it up (default true). */
  warmUp?: boolean;
  /** Bytes of the kernels' memory that scratch may occupy before it falls back to ordinary arrays. */
  scratchBudget?: number;
  /** Bytes of tensor storage the kernels' memory may hold (beyond it, ordinary arrays). */
  storageBudget?: number;
}

/** Tensor storage smaller than this stays an ordinary array: its copies cost next to nothing. */
const MIN_STORAGE = 1024;

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly rt: Runtime;
  readonly minGemm: number;
  readonly minGate: number;
  readonly minRows: number;
  readonly minElements: number;
  readonly scratchBudget: number;
  readonly storageBudget: number;
  private storageBytes = 0;
  /** Hands a storage block back once its array has been garbage-collected. */
  private readonly reclaim = new FinalizationRegistry<[number, number]>(([at, bytes]) => {
    this.rt.heap.release(at);
    this.storageBytes -= bytes;
  });

  // On the reference kernels: memory movement, indexing, and ops without a wasm kernel.
  readonly whereForward = ref.whereForward;
  readonly stridedCopy = ref.stridedCopy;
  readonly stridedAccumulate = ref.stridedAccumulate;
  readonly reduceForward = ref.reduceForward;
  readonly gatherAxis = ref.gatherAxis;
  readonly scatterAddAxis = ref.scatterAddAxis;

  constructor(options: WasmBackendOptions = {}) {
    this.rt = new Runtime(options);
    this.minGemm = options.minGemmVolume ?? 256;
    this.minGate = options.minGateElements ?? 16;
    this.minRows = options.minRowElements ?? 256;
    this.minElements = options.minElements ?? 1024;
    this.scratchBudget = options.scratchBudget ?? 1.5 * 2 ** 30;
    this.storageBudget = options.storageBudget ?? 2 ** 30;
    if (options.warmUp ?? true) warmUp(this.rt);
  }

  /** Which build runs ("relaxed" or "baseline") and on how many threads. */
  get info(): { flavour: string; threads: number; shared: boolean } {
    return { flavour: this.rt.flavour, threads: this.rt.threads, shared: this.rt.heap.canView };
  }

  // Workspace ------------------------------------------------------------------------------------
  scratch(n: number, zero: boolean): F32 {
    const H = this.rt.heap;
    // Past the budget (scratch that garbage collection has yet to hand back), ordinary arrays.
    if (!H.canView || n === 0 || H.usedBytes() + 4 * n > this.scratchBudget) {
      return new Float32Array(n);
    }
    const view = H.view(H.alloc(n), n);
    if (zero) view.fill(0);
    return view;
  }

  storage(n: number): F32 {
    const H = this.rt.heap;
    if (!H.canView || n < MIN_STORAGE || this.storageBytes + 4 * n > this.storageBudget) {
      return new Float32Array(n);
    }
    const at = H.alloc(n);
    const view = H.view(at, n);
    view.fill(0);
    this.storageBytes += 4 * n;
    this.reclaim.register(view, [at, 4 * n]);
    return view;
  }

  release(x: F32 | PackedMatrix): void {
    const H = this.rt.heap;
    if (x instanceof Float32Array) {
      if (x.length > 0 && H.addressOf(x) >= 0) H.release(x.byteOffset);
    } else if ("at" in x) {
      H.release((x as WasmPacked).at);
    }
  }

  // Linear algebra -------------------------------------------------------------------------------
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
    gemm(this.rt, transA, transB, m, n, k, alpha, a, aOffset, b, bOffset, beta, c, cOffset);
  }

  packB(transB: boolean, k: number, n: number, b: F32, bOffset: number): PackedMatrix {
    return packB(this.rt, transB, k, n, b, bOffset);
  }

  gemmPacked(
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
    if (m === 0 || p.n === 0) return;
    if (p.k === 0 || alpha === 0) {
      ref.gemm(transA, false, m, p.n, 0, alpha, a, aOffset, a, 0, beta, c, cOffset);
      return;
    }
    gemmPacked(this.rt, transA, m, alpha, a, aOffset, p as WasmPacked, beta, c, cOffset);
  }

  addRowVector(out: F32, bias: F32, rows: number, cols: number): void {
    const n = rows * cols;
    if (n < this.minRows) return ref.addRowVector(out, bias, rows, cols);
    const H = this.rt.heap;
    H.reset();
    const po = H.put(out, 0, n);
    const pb = H.put(bias, 0, cols);
    this.rt.k.addRowVector(po, pb, rows, cols);
    H.get(po, n, out, 0);
  }

  sumRows(dy: F32, rows: number, cols: number, dBias: F32): void {
    const n = rows * cols;
    if (n < this.minRows) return ref.sumRows(dy, rows, cols, dBias);
    const H = this.rt.heap;
    H.reset();
    const py = H.put(dy, 0, n);
    const pb = H.put(dBias, 0, cols);
    this.rt.k.sumRows(py, rows, cols, pb);
    H.get(pb, cols, dBias, 0);
  }

  // Elementwise ----------------------------------------------------------------------------------
  unaryForward(op: UnaryOp, x: F32, out: F32): void {
    const code = UNARY_CODE[op];
    const n = x.length;
    if (code === undefined || n < this.minElements) return ref.unaryForward(op, x, out);
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, n);
    const po = H.out(out, 0, n);
    this.rt.k.unary(code, px, n, po);
    H.get(po, n, out, 0);
  }

  unaryBackward(op: UnaryOp, x: F32, y: F32, dy: F32, dx: F32): void {
    const code = UNARY_CODE[op];
    const n = x.length;
    if (code === undefined || n < this.minElements) return ref.unaryBackward(op, x, y, dy, dx);
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, n);
    const py = H.put(y, 0, n);
    const pdy = H.put(dy, 0, n);
    const pdx = H.put(dx, 0, n);
    this.rt.k.unaryBackward(code, px, py, pdy, pdx, n);
    H.get(pdx, n, dx, 0);
  }

  binaryForward(
    op: BinaryOp,
    a: F32,
    aStrides: readonly number[],
    b: F32,
    bStrides: readonly number[],
    out: F32,
    shape: readonly number[],
  ): void {
    const code = BINARY_CODE[op];
    const loops =
      code === undefined || out.length < this.minElements
        ? null
        : twoLevel(shape, aStrides, bStrides);
    if (!loops) return ref.binaryForward(op, a, aStrides, b, bStrides, out, shape);
    const H = this.rt.heap;
    H.reset();
    const pa = H.put(a, 0, a.length);
    const pb = H.put(b, 0, b.length);
    const po = H.out(out, 0, out.length);
    const { outer, width, as0, as1, bs0, bs1 } = loops;
    this.rt.k.binary(code!, pa, as0, as1, pb, bs0, bs1, po, outer, width);
    H.get(po, out.length, out, 0);
  }

  scalarForward(op: BinaryOp, x: F32, s: number, reverse: boolean, out: F32): void {
    const code = BINARY_CODE[op];
    const n = x.length;
    // The reference applies s unrounded, in float64: only a float32 s rounds the same way here.
    if (code === undefined || n < this.minElements || Math.fround(s) !== s) {
      return ref.scalarForward(op, x, s, reverse, out);
    }
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, n);
    const ps = H.temp(1);
    H.heap()[ps >> 2] = s;
    const po = H.out(out, 0, n);
    if (reverse) this.rt.k.binary(code, ps, 0, 0, px, 0, 1, po, 1, n);
    else this.rt.k.binary(code, px, 0, 1, ps, 0, 0, po, 1, n);
    H.get(po, n, out, 0);
  }

  clampForward(x: F32, lo: number, hi: number, out: F32): void {
    const n = x.length;
    if (n < this.minElements || Math.fround(lo) !== lo || Math.fround(hi) !== hi) {
      return ref.clampForward(x, lo, hi, out);
    }
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, n);
    const po = H.out(out, 0, n);
    this.rt.k.clamp(px, n, lo, hi, po);
    H.get(po, n, out, 0);
  }

  // Softmax --------------------------------------------------------------------------------------
  softmaxForward(x: F32, outer: number, size: number, inner: number, log: boolean, out: F32): void {
    const n = outer * size * inner;
    if (n < this.minElements) return ref.softmaxForward(x, outer, size, inner, log, out);
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, n);
    const po = H.out(out, 0, n);
    this.rt.k.softmaxForward(px, outer, size, inner, log ? 1 : 0, po);
    H.get(po, n, out, 0);
  }

  softmaxBackward(
    y: F32,
    dy: F32,
    outer: number,
    size: number,
    inner: number,
    log: boolean,
    dx: F32,
  ): void {
    const n = outer * size * inner;
    if (n < this.minElements) return ref.softmaxBackward(y, dy, outer, size, inner, log, dx);
    const H = this.rt.heap;
    H.reset();
    const py = H.put(y, 0, n);
    const pdy = H.put(dy, 0, n);
    const pdx = H.put(dx, 0, n);
    this.rt.k.softmaxBackward(py, pdy, outer, size, inner, log ? 1 : 0, pdx);
    H.get(pdx, n, dx, 0);
  }

  crossEntropyForward(
    x: F32,
    rows: number,
    classes: number,
    target: I32,
    weight: F32 | null,
    ignoreIndex: number,
    lse: F32,
    loss: F32,
  ): void {
    if (rows * classes < this.minElements) {
      return ref.crossEntropyForward(x, rows, classes, target, weight, ignoreIndex, lse, loss);
    }
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, rows * classes);
    const pt = H.putInt(target);
    const pw = weight ? H.put(weight, 0, classes) : 0;
    const pl = H.out(lse, 0, rows);
    const po = H.out(loss, 0, rows);
    this.rt.k.crossEntropyForward(px, rows, classes, pt, pw, ignoreIndex, pl, po);
    H.get(pl, rows, lse, 0);
    H.get(po, rows, loss, 0);
  }

  crossEntropyBackward(
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
    const n = rows * classes;
    if (n < this.minElements) {
      return ref.crossEntropyBackward(
        x,
        lse,
        rows,
        classes,
        target,
        weight,
        ignoreIndex,
        scale,
        dx,
      );
    }
    const H = this.rt.heap;
    H.reset();
    const px = H.put(x, 0, n);
    const pl = H.put(lse, 0, rows);
    const pt = H.putInt(target);
    const pw = weight ? H.put(weight, 0, classes) : 0;
    const pd = H.put(dx, 0, n);
    this.rt.k.crossEntropyBackward(px, pl, rows, classes, pt, pw, ignoreIndex, scale, pd);
    H.get(pd, n, dx, 0);
  }

  // Indexing -------------------------------------------------------------------------------------
  gatherRows(x: F32, width: number, index: I32, out: F32): void {
    const n = index.length;
    const H = this.rt.heap;
    // A big table that is not resident would cost more to copy in than the gather itself.
    const copyTable = H.addressOf(x) < 0 && x.length > 2 * n * width;
    if (n * width < this.minElements || width < 4 || copyTable) {
      return ref.gatherRows(x, width, index, out);
    }
    H.reset();
    const px = H.put(x, 0, x.length);
    const pi = H.putInt(index);
    const po = H.out(out, 0, n * width);
    this.rt.k.gatherRows(px, width, pi, n, po);
    H.get(po, n * width, out, 0);
  }

  scatterAddRows(dy: F32, width: number, index: I32, dx: F32): void {
    const n = index.length;
    const H = this.rt.heap;
    const copyTable = H.addressOf(dx) < 0 && dx.length > 2 * n * width;
    if (n * width < this.minElements || width < 4 || copyTable) {
      return ref.scatterAddRows(dy, width, index, dx);
    }
    H.reset();
    const py = H.put(dy, 0, n * width);
    const pi = H.putInt(index);
    const pd = H.put(dx, 0, dx.length);
    this.rt.k.scatterAddRows(py, width, pi, n, pd);
    H.get(pd, dx.length, dx, 0);
  }

  // Recurrent gates (gates.ts) -------------------------------------------------------------------
  lstmGatesForward(g: F32, cPrev: F32, batch: number, hidden: number, c: F32, m: F32): void {
    if (batch * hidden < this.minGate) return ref.lstmGatesForward(g, cPrev, batch, hidden, c, m);
    gates.lstmForward(this.rt, g, cPrev, batch, hidden, c, m);
  }

  lstmGatesBackward(
    g: F32,
    cPrev: F32,
    c: F32,
    dm: F32,
    dc: F32,
    batch: number,
    hidden: number,
    dGates: F32,
  ): void {
    if (batch * hidden < this.minGate) {
      return ref.lstmGatesBackward(g, cPrev, c, dm, dc, batch, hidden, dGates);
    }
    gates.lstmBackward(this.rt, g, cPrev, c, dm, dc, batch, hidden, dGates);
  }

  gruGatesForward(gx: F32, gh: F32, hPrev: F32, batch: number, hidden: number, h: F32): void {
    if (batch * hidden < this.minGate) return ref.gruGatesForward(gx, gh, hPrev, batch, hidden, h);
    gates.gruForward(this.rt, gx, gh, hPrev, batch, hidden, h);
  }

  gruGatesBackward(
    g: F32,
    gh: F32,
    hPrev: F32,
    dh: F32,
    batch: number,
    hidden: number,
    dGx: F32,
    dGh: F32,
    dhPrev: F32,
  ): void {
    if (batch * hidden < this.minGate) {
      return ref.gruGatesBackward(g, gh, hPrev, dh, batch, hidden, dGx, dGh, dhPrev);
    }
    gates.gruBackward(this.rt, g, gh, hPrev, dh, batch, hidden, dGx, dGh, dhPrev);
  }

  rnnGatesForward(pre: F32, relu: boolean): void {
    if (pre.length < this.minGate) return ref.rnnGatesForward(pre, relu);
    gates.rnnForward(this.rt, pre, relu);
  }

  rnnGatesBackward(h: F32, dh: F32, relu: boolean, dPre: F32): void {
    if (h.length < this.minGate) return ref.rnnGatesBackward(h, dh, relu, dPre);
    gates.rnnBackward(this.rt, h, dh, relu, dPre);
  }

  // Optimizer updates (optim.ts) -----------------------------------------------------------------
  sgdUpdate(p: F32, g: F32, buf: F32 | null, o: SgdOptions): void {
    if (p.length < this.minElements) return ref.sgdUpdate(p, g, buf, o);
    optim.sgd(this.rt, p, g, buf, o);
  }

  adamUpdate(p: F32, g: F32, m: F32, v: F32, vMax: F32 | null, o: AdamOptions): void {
    if (p.length < this.minElements) return ref.adamUpdate(p, g, m, v, vMax, o);
    optim.adam(this.rt, p, g, m, v, vMax, o);
  }

  adamUpdateRows(
    p: F32,
    rows: I32,
    values: F32,
    width: number,
    m: F32,
    v: F32,
    vMax: F32 | null,
    o: AdamOptions,
  ): void {
    if (p.length < this.minElements)
      return ref.adamUpdateRows(p, rows, values, width, m, v, vMax, o);
    if (optim.adamRows(this.rt, p, rows, values, width, m, v, vMax, o)) return;
    // Not resident (memory unshared, or past the storage budget): the dense update.
    const g = new Float32Array(p.length);
    for (let k = 0; k < rows.length; k++) {
      g.set(values.subarray(k * width, (k + 1) * width), rows[k] * width);
    }
    optim.adam(this.rt, p, g, m, v, vMax, o);
  }

  rmspropUpdate(
    p: F32,
    g: F32,
    sq: F32,
    gAvg: F32 | null,
    buf: F32 | null,
    o: RmspropOptions,
  ): void {
    if (p.length < this.minElements) return ref.rmspropUpdate(p, g, sq, gAvg, buf, o);
    optim.rmsprop(this.rt, p, g, sq, gAvg, buf, o);
  }

  adagradUpdate(p: F32, g: F32, sum: F32, o: AdagradOptions): void {
    if (p.length < this.minElements) return ref.adagradUpdate(p, g, sum, o);
    optim.adagrad(this.rt, p, g, sum, o);
  }
}
