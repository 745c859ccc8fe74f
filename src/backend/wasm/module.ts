/**
 * The WebAssembly SIMD kernels as bytes and as a typed export table, and the choice between the
 * two builds (scripts/build-wasm.mjs): relaxed SIMD (fused multiply-add in the GEMM tiles, ~1.5×
 * faster) where the runtime validates it, else baseline SIMD. Browser-safe (no node:*): base64 is
 * decoded with `atob`.
 *
 * Node 20 validates relaxed SIMD only behind V8's `--experimental-wasm-relaxed-simd` flag, which
 * NODE_OPTIONS refuses; it can be set at run time before the first compile. The core reaches V8
 * through `process.getBuiltinModule` (Node ≥ 20.16), a runtime lookup rather than an import, so
 * the core still bundles for browsers, where relaxed SIMD is on by default. RECURRENT_SIMD=baseline
 * opts out (e.g. to compare the builds, or where fused rounding is unwanted).
 *
 * @example
 *   const bytes = kernelBytes(pickFlavour()!);
 */
import { KERNELS_BASELINE_BASE64, KERNELS_RELAXED_BASE64 } from "./kernels.generated.js";

export type SimdFlavour = "relaxed" | "baseline";

/** The kernel exports; every pointer is a byte address in the memory, bools are passed as 0/1. */
export interface KernelExports {
  heapBase(): number;
  gemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    b: number,
    beta: number,
    c: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    pack: number,
    tmp: number,
  ): void;
  gemmPacked(
    transA: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    packed: number,
    beta: number,
    c: number,
    i0: number,
    i1: number,
    q0: number,
    q1: number,
    pack: number,
    tmp: number,
  ): void;
  packB(transB: number, k: number, n: number, b: number, dst: number): void;
  packedSize(k: number, n: number): number;
  gemmNT(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    b: number,
    beta: number,
    c: number,
    j0: number,
    j1: number,
  ): void;
  gemv(
    n: number,
    k: number,
    alpha: number,
    x: number,
    xs: number,
    b: number,
    beta: number,
    y: number,
    j0: number,
    j1: number,
  ): void;
  lstmGatesForward(gates: number, cPrev: number, b: number, h: number, c: number, m: number): void;
  lstmGatesBackward(
    gates: number,
    cPrev: number,
    c: number,
    dm: number,
    dc: number,
    b: number,
    h: number,
    dGates: number,
  ): void;
  gruGatesForward(gx: number, gh: number, hPrev: number, b: number, h: number, hOut: number): void;
  gruGatesBackward(
    gates: number,
    gh: number,
    hPrev: number,
    dh: number,
    b: number,
    h: number,
    dGx: number,
    dGh: number,
    dhPrev: number,
  ): void;
  rnnGatesForward(pre: number, count: number, relu: number): void;
  rnnGatesBackward(h: number, dh: number, count: number, relu: number, dPre: number): void;
  addRowVector(out: number, bias: number, rows: number, cols: number): void;
  sumRows(dy: number, rows: number, cols: number, dBias: number): void;
  unary(op: number, x: number, n: number, out: number): void;
  unaryBackward(op: number, x: number, y: number, dy: number, dx: number, n: number): void;
  binary(
    op: number,
    a: number,
    as0: number,
    as1: number,
    b: number,
    bs0: number,
    bs1: number,
    out: number,
    outer: number,
    width: number,
  ): void;
  clamp(x: number, n: number, lo: number, hi: number, out: number): void;
  softmaxForward(
    x: number,
    outer: number,
    size: number,
    inner: number,
    log: number,
    out: number,
  ): void;
  softmaxBackward(
    y: number,
    dy: number,
    outer: number,
    size: number,
    inner: number,
    log: number,
    dx: number,
  ): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    vMax: number,
    n: number,
    maximize: number,
    decoupled: number,
    wd: number,
    decay: number,
    beta1: number,
    beta2: number,
    omb1: number,
    omb2: number,
    eps: number,
    bc2Sqrt: number,
    negStep: number,
  ): void;
  adamRows(
    p: number,
    g: number,
    m: number,
    v: number,
    vMax: number,
    rows: number,
    k: number,
    nnz: number,
    width: number,
    r0: number,
    r1: number,
    maximize: number,
    decoupled: number,
    wd: number,
    decay: number,
    beta1: number,
    beta2: number,
    omb1: number,
    omb2: number,
    eps: number,
    bc2Sqrt: number,
    negStep: number,
  ): void;
  sgd(
    p: number,
    g: number,
    buf: number,
    n: number,
    maximize: number,
    wd: number,
    momentum: number,
    keep: number,
    nesterov: number,
    firstStep: number,
    negLr: number,
  ): void;
  rmsprop(
    p: number,
    g: number,
    sq: number,
    gAvg: number,
    buf: number,
    n: number,
    maximize: number,
    wd: number,
    alpha: number,
    oma: number,
    eps: number,
    momentum: number,
    negLr: number,
  ): void;
  adagrad(
    p: number,
    g: number,
    sum: number,
    n: number,
    maximize: number,
    wd: number,
    eps: number,
    negLr: number,
  ): void;
  gatherRows(x: number, width: number, index: number, n: number, out: number): void;
  scatterAddRows(dy: number, width: number, index: number, n: number, dx: number): void;
  crossEntropyForward(
    x: number,
    rows: number,
    classes: number,
    target: number,
    weight: number,
    ignoreIndex: number,
    lse: number,
    loss: number,
  ): void;
  crossEntropyBackward(
    x: number,
    lse: number,
    rows: number,
    classes: number,
    target: number,
    weight: number,
    ignoreIndex: number,
    scale: number,
    dx: number,
  ): void;
}

/** The largest memory the modules declare (4 GiB, every page a wasm32 address can reach). */
export const MAX_PAGES = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** One build's bytes; they import a shared memory (see `unshared` for runtimes without threads). */
export function kernelBytes(flavour: SimdFlavour): Uint8Array<ArrayBuffer> {
  return decodeBase64(flavour === "relaxed" ? KERNELS_RELAXED_BASE64 : KERNELS_BASELINE_BASE64);
}

interface NodeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's `process`, or undefined in browsers (read through globalThis: no node:* import). */
export function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

let chosen: SimdFlavour | null | undefined;

/**
 * The build this runtime runs: "relaxed" where it validates (after turning on V8's flag in Node
 * 20), "baseline" where only SIMD does, null where neither (the reference backend runs instead).
 */
export function pickFlavour(): SimdFlavour | null {
  if (chosen !== undefined) return chosen;
  const proc = nodeProcess();
  if (typeof WebAssembly !== "object") return (chosen = null);
  const relaxed = unshared(kernelBytes("relaxed"));
  if (proc?.env?.RECURRENT_SIMD !== "baseline") {
    if (validates(relaxed)) return (chosen = "relaxed");
    const v8 = proc?.getBuiltinModule?.("node:v8") as
      { setFlagsFromString?: (flags: string) => void } | undefined;
    if (v8?.setFlagsFromString) {
      v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
      if (validates(relaxed)) return (chosen = "relaxed");
    }
  }
  return (chosen = validates(unshared(kernelBytes("baseline"))) ? "baseline" : null);
}

/**
 * The same module importing an unshared memory: the memory import's limits flag 0x03 (shared,
 * with maximum) becomes 0x01. For runtimes without SharedArrayBuffer (a browser page that is not
 * cross-origin isolated); the kernels use no atomics, so nothing else changes.
 */
export function unshared(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  let at = 8; // magic + version
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = out[at++];
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  };
  while (at < out.length) {
    const id = out[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          const len = leb(); // module name, then field name
          at += len;
        }
        const kind = out[at++];
        if (kind === 2) {
          if (out[at] === 0x03) out[at] = 0x01;
          return out;
        }
        throw new Error("unshared: the kernels import nothing but their memory");
      }
    }
    at = end;
  }
  return out;
}
