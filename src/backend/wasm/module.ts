/**
 * Loads the WebAssembly SIMD kernels synchronously from the bytes embedded in
 * kernels.generated.ts and manages their linear memory as a per-call bump arena: a kernel call
 * reserves its operands with `alloc`, copies them in, runs, copies results out and `reset`s.
 * Browser-safe (no node:*): base64 is decoded with `atob`.
 *
 * @example
 *   const k = loadKernels();
 *   k.reset();
 *   const p = k.alloc(16);
 *   k.heap().set(data, p >> 2);
 */
import { KERNELS_WASM_BASE64 } from "./kernels.generated.js";

/** The kernel exports; every pointer is a byte address in `memory`, bools are passed as 0/1. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemmNN(
    transA: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    b: number,
    beta: number,
    c: number,
    pack: number,
  ): void;
  gemmNT(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    b: number,
    beta: number,
    c: number,
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
  ): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
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
}

/** Packed-B scratch of gemmNN: KC · (NC + 8) floats (wasm/assembly/gemm.ts). */
export const GEMM_PACK_FLOATS = 256 * (256 + 8);

const PAGE = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The embedded module's bytes (for WebAssembly.validate and tests). */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(KERNELS_WASM_BASE64);
}

/** An instance of the kernels plus its arena. */
export class Kernels {
  readonly k: KernelExports;
  private readonly base: number;
  private top: number;
  private view: Float32Array;

  constructor(bytes: Uint8Array<ArrayBuffer> = kernelBytes()) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    this.k = instance.exports as unknown as KernelExports;
    this.base = (this.k.heapBase() + 63) & ~63;
    this.top = this.base;
    this.view = new Float32Array(this.k.memory.buffer);
  }

  /** Frees everything allocated since the last reset. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * Reserves `floats` float32 slots (64-byte aligned) and returns their byte address. Grows memory
   * when needed; a grow detaches the old buffer, so take `heap()` after the last alloc of a call.
   */
  alloc(floats: number): number {
    const p = this.top;
    this.top = (p + floats * 4 + 63) & ~63;
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) {
      this.k.memory.grow(Math.ceil((this.top - have) / PAGE));
      this.view = new Float32Array(this.k.memory.buffer);
    }
    return p;
  }

  /** Float32 view of the whole memory (cached; rebuilt after a grow). */
  heap(): Float32Array {
    return this.view;
  }

  /** Copies `len` floats of `src` starting at `offset` into the arena and returns the address. */
  put(src: Float32Array, offset: number, len: number): number {
    const p = this.alloc(len);
    const whole = offset === 0 && src.length === len;
    this.view.set(whole ? src : src.subarray(offset, offset + len), p >> 2);
    return p;
  }

  /** Copies `len` floats at address `p` out into `dst` at `offset`. */
  get(p: number, len: number, dst: Float32Array, offset: number): void {
    dst.set(this.view.subarray(p >> 2, (p >> 2) + len), offset);
  }
}
