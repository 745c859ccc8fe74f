/**
 * A persistent pool of worker threads running the same kernels on the same shared memory. A call
 * that is big enough is cut into chunks (disjoint blocks of its output, each an argument list for
 * one export); the caller publishes them in a control block in the shared memory, wakes the
 * workers, and then every thread — the caller included — claims chunks from an atomic counter
 * until none are left. The caller waits only for chunks a worker has claimed and is running: where
 * a worker is not scheduled for a while, the caller simply runs the chunks itself (and policy.ts
 * stops using the pool where it does not pay).
 *
 * Idle workers spin on the job number briefly after each job and then sleep in Atomics.wait; a
 * sleeping worker wakes in some microseconds and joins the chunks that are left, so spinning longer
 * would only burn a core that a busy machine needs. Workers start
 * asynchronously; until one is running, calls simply run on the caller. Node workers come from
 * `process.getBuiltinModule("node:worker_threads")` (a runtime lookup, not an import, so the core
 * still bundles for browsers) and are unref'd, so they never keep a process alive; browsers get
 * Web Workers from a Blob URL where the page is cross-origin isolated.
 *
 * Each element of an output is computed by one chunk in a fixed order, so results do not depend
 * on the number of threads or on which thread ran which chunk.
 */
import { nodeProcess, type KernelExports } from "./module.js";

// Control block (int32 slots), then MAX_CHUNKS argument lists of MAX_ARGS float64s.
const SEQ = 0; // job number, bumped to publish a job
const COUNT = 1; // chunks in the job
const NEXT = 2; // (job << 8) | next unclaimed chunk: claims made for an old job fail
const DONE = 3; // chunks finished
// (claim() below uses these slots as literals: COUNT 1, NEXT 2, DONE 3, OP 4, NARGS 5, FAILED 6.)
const OP = 4;
const NARGS = 5;
const FAILED = 6;
const READY = 7; // workers that have started
const CTRL_BYTES = 64;
export const MAX_CHUNKS = 16;
const MAX_ARGS = 20;
const JOB_MASK = 0x7fffff;

/** How long an idle worker spins before it sleeps, and the caller before it blocks (ms). */
const WORKER_SPIN_MS = 0.05;
const CALLER_SPIN_MS = 0.2;

/**
 * Claims and runs chunks of job `job` until none are left, appending this thread's `extra`
 * arguments (its GEMM buffers) to each chunk's; returns how many it ran. The caller runs it, and workers run its source
 * text, so it refers to nothing outside itself (the slots are the constants above, as literals).
 */
function claim(
  i32: Int32Array,
  f64: Float64Array,
  fns: ((...a: number[]) => void)[],
  job: number,
  args: number[],
  extra: number[],
): number {
  const count = i32[1];
  const fn = fns[i32[4]];
  const nargs = i32[5];
  for (let ran = 0; ; ran++) {
    let v = Atomics.load(i32, 2);
    while (
      v >>> 8 === job &&
      (v & 255) < count &&
      Atomics.compareExchange(i32, 2, v, v + 1) !== v
    ) {
      v = Atomics.load(i32, 2);
    }
    if (v >>> 8 !== job || (v & 255) >= count) return ran;
    const base = (v & 255) * 20;
    args.length = nargs + extra.length;
    for (let i = 0; i < nargs; i++) args[i] = f64[base + i];
    for (let i = 0; i < extra.length; i++) args[nargs + i] = extra[i];
    try {
      fn(...args);
    } catch {
      Atomics.store(i32, 6, 1);
    }
    if (Atomics.add(i32, 3, 1) + 1 === count) Atomics.notify(i32, 3);
  }
}

const WORKER_BODY = `const claim = (${claim.toString()});
function run(d) {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const fns = d.names.map((n) => inst.exports[n]);
  const i32 = new Int32Array(d.memory.buffer, d.ctrl, ${CTRL_BYTES / 4});
  const f64 = new Float64Array(d.memory.buffer, d.ctrl + ${CTRL_BYTES}, ${MAX_CHUNKS * MAX_ARGS});
  const args = [];
  Atomics.add(i32, ${READY}, 1);
  let seen = Atomics.load(i32, ${SEQ});
  for (;;) {
    let t = performance.now();
    let seq;
    while ((seq = Atomics.load(i32, ${SEQ})) === seen) {
      if (performance.now() - t > ${WORKER_SPIN_MS}) {
        Atomics.wait(i32, ${SEQ}, seen);
        t = performance.now();
      }
    }
    seen = seq;
    claim(i32, f64, fns, seq, args, d.extra);
  }
}
`;

type Op = keyof KernelExports;

interface WorkerLike {
  unref?: () => void;
  postMessage?: (data: unknown) => void;
}

export class Pool {
  private readonly names: Op[];
  private readonly fns: ((...a: number[]) => void)[];
  private readonly opIndex = new Map<Op, number>();
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly canBlock: boolean;
  private readonly args: number[] = [];
  private seq = 0;
  /** Calls left to run on the caller alone after the pool stopped paying (see `run`). */
  /** Counters for benchmarks: pooled calls, and the chunks the caller and the workers ran. */
  readonly stats = { calls: 0, callerChunks: 0, workerChunks: 0 };

  /**
   * Starts extra.length − 1 workers over the shared `memory` running `module`. `ctrl` is a block of
   * `Pool.bytes` bytes in that memory; extra[t] are the arguments thread t (0: the caller) appends
   * to every chunk it runs.
   */
  constructor(
    k: KernelExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    ctrl: number,
    private readonly extra: number[][],
  ) {
    this.names = Object.keys(k).filter(
      (n) => typeof (k as unknown as Record<string, unknown>)[n] === "function",
    ) as Op[];
    this.fns = this.names.map((n) => k[n] as (...a: number[]) => void);
    this.names.forEach((n, i) => this.opIndex.set(n, i));
    this.i32 = new Int32Array(memory.buffer, ctrl, CTRL_BYTES / 4);
    this.f64 = new Float64Array(memory.buffer, ctrl + CTRL_BYTES, MAX_CHUNKS * MAX_ARGS);
    this.i32.fill(0);
    const nodeWorker = (
      nodeProcess()?.getBuiltinModule?.("node:worker_threads") as
        { Worker: new (src: string, o: object) => WorkerLike } | undefined
    )?.Worker;
    // The main thread of a browser page may not block; Node's may.
    this.canBlock = nodeWorker !== undefined;
    for (let w = 1; w < extra.length; w++) {
      const data = { module, memory, ctrl, names: this.names, extra: extra[w] };
      let worker: WorkerLike;
      if (nodeWorker) {
        const src = `${WORKER_BODY}\nrun(require("node:worker_threads").workerData);`;
        worker = new nodeWorker(src, { eval: true, workerData: data });
      } else {
        const src = `${WORKER_BODY}\nself.onmessage = (e) => run(e.data);`;
        const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
        const W = (globalThis as unknown as { Worker: new (url: string) => WorkerLike }).Worker;
        worker = new W(url);
        worker.postMessage!(data);
      }
      worker.unref?.();
    }
  }

  /** Bytes of the control block. */
  static readonly bytes = CTRL_BYTES + 8 * MAX_CHUNKS * MAX_ARGS;

  /** Workers that have started. */
  ready(): number {
    return Atomics.load(this.i32, READY);
  }

  /**
   * Runs `op` once per argument list (at most MAX_CHUNKS, all the same length), on every thread
   * that is free, each appending its own extra arguments.
   */
  run(op: Op, chunks: number[][]): void {
    const i32 = this.i32;
    const count = chunks.length;
    for (let c = 0; c < count; c++) {
      const args = chunks[c];
      for (let j = 0; j < args.length; j++) this.f64[c * MAX_ARGS + j] = args[j];
    }
    this.seq = (this.seq + 1) & JOB_MASK || 1;
    i32[COUNT] = count;
    i32[OP] = this.opIndex.get(op)!;
    i32[NARGS] = chunks[0].length;
    i32[DONE] = 0;
    Atomics.store(i32, NEXT, this.seq << 8);
    Atomics.store(i32, SEQ, this.seq);
    Atomics.notify(i32, SEQ);
    const mine = claim(i32, this.f64, this.fns, this.seq, this.args, this.extra[0]);
    // What is left are chunks that workers are running.
    const own = performance.now();
    let done: number;
    while ((done = Atomics.load(i32, DONE)) !== count) {
      if (this.canBlock && performance.now() - own > CALLER_SPIN_MS) {
        Atomics.wait(i32, DONE, done, 20);
      }
    }
    this.stats.calls++;
    this.stats.callerChunks += mine;
    this.stats.workerChunks += count - mine;
    if (Atomics.load(i32, FAILED) === 1) {
      Atomics.store(i32, FAILED, 0);
      throw new Error("wasm worker: a kernel trapped");
    }
  }
}
