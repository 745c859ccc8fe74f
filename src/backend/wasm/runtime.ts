/**
 * One instance of the kernels: the memory (shared where the runtime has SharedArrayBuffer, so
 * resident views survive growth and workers can join), its heap, the worker pool, and each
 * thread's GEMM buffers. The thread count is RECURRENT_THREADS when set (1 = never use workers),
 * else the number of cores, at most 4; `threads` in the options overrides both.
 *
 * @example
 *   const rt = new Runtime({ threads: 2 });
 *   rt.parts(); // threads usable now (workers start asynchronously)
 */
import { Heap } from "./heap.js";
import { kernelBytes, MAX_PAGES, nodeProcess, pickFlavour, unshared } from "./module.js";
import type { KernelExports, SimdFlavour } from "./module.js";
import { ThreadPolicy } from "./policy.js";
import { MAX_CHUNKS, Pool } from "./pool.js";

/** Floats of each thread's packing buffer: KC · (NC + MC) (wasm/assembly/gemm.ts). */
export const PACK_FLOATS = 256 * (516 + 96);

export interface RuntimeOptions {
  /** Threads including the caller's; default RECURRENT_THREADS or the core count (≤ 4). */
  threads?: number;
  /** Force a build; default the best the runtime validates. */
  flavour?: SimdFlavour;
  /** Use an unshared memory (no workers, no resident scratch), as in a non-isolated web page. */
  unshared?: boolean;
  /** Learn per kind of call whether the pool pays (default true); false always uses it (tests). */
  adaptive?: boolean;
}

function defaultThreads(): number {
  const proc = nodeProcess();
  const env = Number(proc?.env?.RECURRENT_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  const os = proc?.getBuiltinModule?.("node:os") as
    { availableParallelism?: () => number } | undefined;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = os?.availableParallelism?.() ?? nav?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, cores));
}

/** True where a shared WebAssembly.Memory can be created and handed to workers. */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  // A browser page must be cross-origin isolated; Node always can.
  const node = (nodeProcess() as { versions?: { node?: string } } | undefined)?.versions?.node;
  return (
    node !== undefined ||
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
  );
}

export class Runtime {
  readonly k: KernelExports;
  readonly heap: Heap;
  readonly flavour: SimdFlavour;
  readonly threads: number;
  /** Per thread: [packed-B buffer, 16 floats of tile scratch] (byte addresses). */
  readonly buffers: number[][] = [];
  private readonly pool: Pool | null = null;
  private readonly policy: ThreadPolicy | null;
  /** The call between `chunks` and `settle`: its kind, work, whether pooled, start time. */
  private current: { kind: string; work: number; pooled: boolean; start: number } | null = null;

  constructor(options: RuntimeOptions = {}) {
    const flavour = options.flavour ?? pickFlavour();
    if (!flavour) throw new Error("wasm backend: this runtime cannot compile WebAssembly SIMD");
    this.flavour = flavour;
    const shared = !options.unshared && canShare();
    const bytes = shared ? kernelBytes(flavour) : unshared(kernelBytes(flavour));
    const module = new WebAssembly.Module(bytes);
    const memory = shared
      ? sharedMemory()
      : new WebAssembly.Memory({ initial: 32, maximum: MAX_PAGES });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.k = instance.exports as unknown as KernelExports;
    this.heap = new Heap(this.k, memory, shared);
    const wanted = shared ? (options.threads ?? defaultThreads()) : 1;
    for (let t = 0; t < wanted; t++) {
      this.buffers.push([this.heap.alloc(PACK_FLOATS), this.heap.alloc(16)]);
    }
    if (wanted > 1) {
      try {
        this.pool = new Pool(this.k, module, memory, this.heap.alloc(Pool.bytes / 4), this.buffers);
      } catch {
        this.pool = null; // no worker support here: one thread
      }
    }
    this.threads = this.pool ? wanted : 1;
    this.policy = options.adaptive === false ? null : new ThreadPolicy();
  }

  /** Workers running now (they start asynchronously after construction). */
  workersReady(): number {
    return this.pool ? this.pool.ready() : 0;
  }

  /** Why the worker pool stopped being used (a worker failed or stopped), or null. */
  get poolBroken(): string | null {
    return this.pool ? this.pool.broken : "no worker pool";
  }

  /** The pool's counters (null without workers). */
  get poolStats(): Pool["stats"] | null {
    return this.pool ? this.pool.stats : null;
  }

  /**
   * How many chunks to cut a call of `kind` and `flops` into: one below `minFlops`, while no worker
   * runs, or while the pool does not pay for this kind of call (policy.ts); else about two per
   * thread, each at least half of `minFlops`. The caller reports the call's end with `settle`.
   */
  chunks(kind: string, flops: number, minFlops: number): number {
    this.current = null;
    if (!this.pool || flops < minFlops) return 1;
    const threads = 1 + this.pool.ready();
    if (threads === 1) return 1;
    const pooled = this.policy ? this.policy.decide(kind, flops) : true;
    if (this.policy) this.current = { kind, work: flops, pooled, start: performance.now() };
    if (!pooled) return 1;
    return Math.max(2, Math.min(2 * threads, MAX_CHUNKS, Math.floor((2 * flops) / minFlops)));
  }

  /** Ends the call `chunks` planned, so the policy learns how long it took. */
  settle(): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    this.policy?.record(c.kind, c.work, c.pooled, performance.now() - c.start);
  }

  /**
   * Runs `op` once per argument list, on every free thread; each call gets that thread's GEMM
   * buffers (packed-B block, tile scratch) appended as its last two arguments.
   */
  run(op: keyof KernelExports, chunks: number[][]): void {
    if (chunks.length === 1 || !this.pool) {
      const fn = this.k[op] as (...a: number[]) => void;
      for (const args of chunks) fn(...args, ...this.buffers[0]);
      return;
    }
    this.pool.run(op, chunks);
  }
}

function sharedMemory(): WebAssembly.Memory {
  // A shared memory reserves its maximum up front; ask for less where address space is short.
  for (const maximum of [MAX_PAGES, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: 32, maximum, shared: true });
    } catch {
      // try a smaller reservation
    }
  }
  throw new Error("wasm backend: cannot reserve a shared memory");
}
