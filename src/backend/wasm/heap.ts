/**
 * The kernels' linear memory and its allocator. Three kinds of space live in it:
 *
 * - **blocks** (`alloc`/`free`): first-fit over a sorted free list with coalescing, 64-byte
 *   aligned. Scratch arrays of fused ops, packed weights, per-thread GEMM buffers.
 * - **the call arena** (`reset`/`temp`): where a kernel call copies operands that do not already
 *   live in this memory; everything in it dies when the next call resets it.
 * - **resident views** (`view`): Float32Arrays over blocks, handed to ops as scratch storage.
 *   Kernels recognise them (`addressOf`) and use them in place, without copies.
 *
 * Resident views need a shared memory: growing a shared memory keeps every existing view valid,
 * while growing an unshared one detaches them. Where memory is unshared (a browser page without
 * cross-origin isolation) `canView` is false and callers get ordinary arrays instead.
 *
 * @example
 *   const heap = new Heap(kernels, memory, true);
 *   heap.reset();
 *   const p = heap.put(x, 0, x.length); // copies x in unless it is resident
 */
import type { KernelExports } from "./module.js";

const PAGE = 65536;
const ALIGN = 64;

interface Span {
  at: number;
  bytes: number;
}

export class Heap {
  readonly k: KernelExports;
  readonly memory: WebAssembly.Memory;
  /** True when views over this memory survive growth (shared memory). */
  readonly canView: boolean;
  private f32: Float32Array;
  private readonly buffers = new Set<ArrayBufferLike>();
  /** Free spans sorted by address; allocated spans by address → size. */
  private readonly free: Span[] = [];
  private readonly used = new Map<number, number>();
  private inUse = 0;
  private arena = 0;
  private arenaBytes = 0;
  private arenaTop = 0;
  private readonly overflow: number[] = [];
  private arenaWant = 1 << 20;

  constructor(k: KernelExports, memory: WebAssembly.Memory, shared: boolean) {
    this.k = k;
    this.memory = memory;
    this.canView = shared;
    const base = (k.heapBase() + ALIGN - 1) & ~(ALIGN - 1);
    const size = memory.buffer.byteLength;
    if (size > base) this.free.push({ at: base, bytes: size - base });
    this.f32 = new Float32Array(memory.buffer);
    this.buffers.add(memory.buffer);
  }

  /** Float32 view of the whole memory (rebuilt after a grow: take it after the call's allocs). */
  heap(): Float32Array {
    return this.f32;
  }

  /** Bytes of memory in use by blocks (the arena counts as one). */
  usedBytes(): number {
    return this.inUse;
  }

  /** Reserves `floats` float32 slots; returns their byte address. */
  alloc(floats: number): number {
    const bytes = Math.max(ALIGN, (floats * 4 + ALIGN - 1) & ~(ALIGN - 1));
    let i = this.free.findIndex((s) => s.bytes >= bytes);
    if (i < 0) i = this.grow(bytes);
    const span = this.free[i];
    const at = span.at;
    if (span.bytes === bytes) this.free.splice(i, 1);
    else {
      span.at += bytes;
      span.bytes -= bytes;
    }
    this.used.set(at, bytes);
    this.inUse += bytes;
    return at;
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  release(at: number): void {
    const bytes = this.used.get(at);
    if (bytes === undefined) throw new Error(`Heap.release: ${at} is not an allocated block`);
    this.used.delete(at);
    this.inUse -= bytes;
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid].at < at) lo = mid + 1;
      else hi = mid;
    }
    const span: Span = { at, bytes };
    this.free.splice(lo, 0, span);
    const next = this.free[lo + 1];
    if (next && span.at + span.bytes === next.at) {
      span.bytes += next.bytes;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.at + prev.bytes === span.at) {
      prev.bytes += span.bytes;
      this.free.splice(lo, 1);
    }
  }

  /** Grows memory so that a free span of `bytes` exists at the end; returns its index. */
  private grow(bytes: number): number {
    const size = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.at + last.bytes === size ? last.bytes : 0;
    // Geometric growth keeps the number of grows (and of buffers to recognise) logarithmic.
    const need = Math.max(bytes - tail, size >> 2);
    const pages = Math.ceil(need / PAGE);
    this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
    this.buffers.add(this.memory.buffer);
    if (tail > 0) last.bytes += pages * PAGE;
    else this.free.push({ at: size, bytes: pages * PAGE });
    return this.free.length - 1;
  }

  /** A resident Float32Array over `floats` slots of a block at `at`. */
  view(at: number, floats: number): Float32Array {
    return new Float32Array(this.f32.buffer, at, floats);
  }

  /** Byte address of x[0] when x lives in this memory, else -1. */
  addressOf(x: Float32Array | Int32Array): number {
    return this.buffers.has(x.buffer) ? x.byteOffset : -1;
  }

  /** Starts a kernel call: frees everything the previous call put in the arena. */
  reset(): void {
    this.arenaTop = 0;
    for (const at of this.overflow) this.release(at);
    this.overflow.length = 0;
    if (this.arenaBytes < this.arenaWant) {
      if (this.arena) this.release(this.arena);
      this.arena = this.alloc(this.arenaWant / 4);
      this.arenaBytes = this.arenaWant;
    }
  }

  /** Arena space for `floats` floats, valid until the next `reset`. */
  temp(floats: number): number {
    const bytes = (floats * 4 + ALIGN - 1) & ~(ALIGN - 1);
    if (this.arenaTop + bytes <= this.arenaBytes) {
      const at = this.arena + this.arenaTop;
      this.arenaTop += bytes;
      return at;
    }
    // Too big for the arena this time: a block of its own, and a bigger arena from the next call.
    this.arenaWant = Math.max(this.arenaWant, 2 ** Math.ceil(Math.log2(this.arenaTop + bytes)));
    const at = this.alloc(floats);
    this.overflow.push(at);
    return at;
  }

  /** Address of `len` floats of `src` from `offset`: in place when resident, else copied in. */
  put(src: Float32Array, offset: number, len: number): number {
    const at = this.addressOf(src);
    if (at >= 0) return at + 4 * offset;
    const p = this.temp(len);
    const whole = offset === 0 && src.length === len;
    this.f32.set(whole ? src : src.subarray(offset, offset + len), p >> 2);
    return p;
  }

  /** Address for an output of `len` floats at `offset` of dst: in place when resident. */
  out(dst: Float32Array, offset: number, len: number): number {
    const at = this.addressOf(dst);
    return at >= 0 ? at + 4 * offset : this.temp(len);
  }

  /** Copies a result computed at `p` back into dst, unless dst is resident (then p is dst). */
  get(p: number, len: number, dst: Float32Array, offset: number): void {
    if (this.addressOf(dst) >= 0) return;
    dst.set(this.f32.subarray(p >> 2, (p >> 2) + len), offset);
  }

  /** Copies an int32 array in (indices), unless resident. */
  putInt(src: Int32Array): number {
    const at = this.addressOf(src);
    if (at >= 0) return at;
    const p = this.temp(src.length);
    new Int32Array(this.f32.buffer, p, src.length).set(src);
    return p;
  }
}
