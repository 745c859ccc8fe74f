/**
 * A persistent pool of worker threads running the same kernels on the same shared memory. A call
 * that is big enough is cut into chunks (disjoint blocks of its output, each an argument list for
 * one export); the caller publishes them in a control block in the shared memory, wakes the
 * workers, and then every thread — the caller included — claims chunks until none are left. The
 * caller waits only for chunks a worker has claimed and is running: where a worker is not
 * scheduled for a while, the caller simply runs the chunks itself (and policy.ts stops using the
 * pool where it does not pay).
 *
 * The hand-off protocol. One int32 word, CLAIM = (job << 10) | (count << 5) | next, says which
 * chunk of the current job is the next unclaimed one and how many there are. A thread claims
 * chunk `next` by a compare-and-swap of the whole word to next + 1, and only then reads the job's
 * kernel and arguments. Because count and next travel in the word the swap checks, a claim can
 * only succeed for the job that is current at that instant, whose fields cannot change until all
 * its chunks are done (the caller waits for DONE = count before it publishes another). A thread
 * that read an old word — descheduled for any length of time, or a job number that wrapped —
 * fails its swap and sees the new job instead. (Issue 5: the first version took count from its
 * own slot, read before the claim; a late worker could read the next job's larger count against
 * the old job's word, claim a chunk that did not exist, run the new job's chunk twice and count
 * it done twice, so the caller waited forever for DONE to come back to count.)
 *
 * Idle workers spin on the job number briefly after each job and then sleep in Atomics.wait; a
 * sleeping worker wakes in some microseconds and joins the chunks that are left. Workers start
 * asynchronously; until one is running, calls simply run on the caller. Node workers come from
 * `process.getBuiltinModule("node:worker_threads")` (a runtime lookup, not an import, so the core
 * still bundles for browsers), get a clean `execArgv` (the parent's `--input-type=module` or
 * loaders would change how the eval'd source runs) and are unref'd, so they never keep a process
 * alive; browsers get Web Workers from a Blob URL where the page is cross-origin isolated. A
 * worker that fails to start or stops ('error', 'exit') marks the pool broken and every later call
 * runs on the caller alone: a worker can slow a call down but never crash or hang the process.
 *
 * Memory growth: only the caller grows the memory, between jobs. Workers hold views of the
 * control block only, which lies below every later growth, and their kernels address the shared
 * memory directly, so a growth never leaves a worker with a stale view of anything it uses.
 *
 * Each element of an output is computed by one chunk in a fixed order, so results do not depend
 * on the number of threads or on which thread ran which chunk.
 */
import { nodeProcess, type KernelExports } from "./module.js";

// Control block (int32 slots), then MAX_CHUNKS argument lists of MAX_ARGS float64s.
const SEQ = 0; // job number, bumped (after CLAIM) to wake the workers
const CLAIM = 2; // (job << 10) | (count << 5) | next unclaimed chunk
const DONE = 3; // chunks finished
// (claim() below uses these slots as literals: CLAIM 2, DONE 3, OP 4, NARGS 5, FAILED 6, and
// MAX_ARGS 24.)
const OP = 4;
const NARGS = 5;
const FAILED = 6;
const READY = 7; // workers that have started
const CTRL_BYTES = 64;
export const MAX_CHUNKS = 16;
const MAX_ARGS = 24;
/** Job numbers fit the 21 bits above count and next in CLAIM; they wrap, which is harmless. */
const JOB_MASK = 0x1fffff;

/** How long an idle worker spins before it sleeps, and the caller before it blocks (ms). */
const WORKER_SPIN_MS = 0.05;
const CALLER_SPIN_MS = 0.2;

/** The CLAIM word of a job with `count` chunks, none claimed yet. */
export function claimWord(job: number, count: number): number {
  return ((job & JOB_MASK) << 10) | (count << 5);
}

/**
 * Claims and runs chunks of the current job until none are left, appending this thread's `extra`
 * arguments (its GEMM buffers) to each chunk's; returns how many it ran. The caller runs it, and
 * workers run its source text, so it refers to nothing outside itself (slots are literals).
 */
export function claim(
  i32: Int32Array,
  f64: Float64Array,
  fns: ((...a: number[]) => void)[],
  args: number[],
  extra: number[],
): number {
  for (let ran = 0; ; ran++) {
    let v = Atomics.load(i32, 2);
    for (;;) {
      if ((v & 31) >= ((v >>> 5) & 31)) return ran;
      const seen = Atomics.compareExchange(i32, 2, v, v + 1);
      if (seen === v) break;
      v = seen;
    }
    // Chunk v & 31 is ours: the job's fields stay as they are until we count it done.
    const count = (v >>> 5) & 31;
    try {
      const fn = fns[i32[4]];
      const nargs = i32[5];
      const base = (v & 31) * 24; // MAX_ARGS
      args.length = nargs + extra.length;
      for (let i = 0; i < nargs; i++) args[i] = f64[base + i];
      for (let i = 0; i < extra.length; i++) args[nargs + i] = extra[i];
      fn(...args);
    } catch {
      Atomics.store(i32, 6, 1);
    } finally {
      if (Atomics.add(i32, 3, 1) + 1 === count) Atomics.notify(i32, 3);
    }
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
    claim(i32, f64, fns, args, d.extra);
  }
}
`;

/** The worker's entry, in Node: workerData through the built-in lookup, valid as CJS and ESM. */
const NODE_ENTRY = `run(process.getBuiltinModule("node:worker_threads").workerData);`;

type Op = keyof KernelExports;

interface WorkerLike {
  unref?: () => void;
  postMessage?: (data: unknown) => void;
  on?: (event: string, listener: (arg: unknown) => void) => void;
  onerror?: ((e: unknown) => void) | null;
}

type NodeWorker = new (src: string, o: object) => WorkerLike;

export class Pool {
  private readonly names: Op[];
  private readonly fns: ((...a: number[]) => void)[];
  private readonly opIndex = new Map<Op, number>();
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly canBlock: boolean;
  private readonly args: number[] = [];
  private seq = 0;
  /** Set once a worker failed to start or stopped: from then on calls run on the caller. */
  private failure: string | null = null;
  /** Counters for benchmarks: pooled calls, and the chunks the caller and the workers ran. */
  readonly stats = { calls: 0, callerChunks: 0, workerChunks: 0 };

  /**
   * Starts extra.length − 1 workers over the shared `memory` running `module`. `ctrl` is a block of
   * `Pool.bytes` bytes in that memory; extra[t] are the arguments thread t (0: the caller) appends
   * to every chunk it runs. Throws when this runtime has no workers at all.
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
    const proc = nodeProcess();
    const nodeWorker = (
      proc?.getBuiltinModule?.("node:worker_threads") as { Worker: NodeWorker } | undefined
    )?.Worker;
    const WebWorker = (globalThis as unknown as { Worker?: new (url: string) => WorkerLike })
      .Worker;
    if (!nodeWorker && !WebWorker) throw new Error("wasm pool: no worker threads here");
    // The main thread of a browser page may not block; Node's may.
    this.canBlock = nodeWorker !== undefined;
    for (let w = 1; w < extra.length; w++) {
      const data = { module, memory, ctrl, names: this.names, extra: extra[w] };
      try {
        let worker: WorkerLike;
        if (nodeWorker) {
          worker = new nodeWorker(`${WORKER_BODY}\n${NODE_ENTRY}`, {
            eval: true,
            workerData: data,
            execArgv: [],
          });
          worker.on?.("error", (e) => this.fail(`worker ${w} failed: ${String(e)}`));
          worker.on?.("exit", (code) => this.fail(`worker ${w} exited (code ${String(code)})`));
        } else {
          const src = `${WORKER_BODY}\nself.onmessage = (e) => run(e.data);`;
          const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
          worker = new WebWorker!(url);
          worker.onerror = (e) => this.fail(`worker ${w} failed: ${String(e)}`);
          worker.postMessage!(data);
        }
        worker.unref?.();
      } catch (e) {
        this.fail(`worker ${w} could not start: ${String(e)}`);
        break;
      }
    }
  }

  /** Bytes of the control block. */
  static readonly bytes = CTRL_BYTES + 8 * MAX_CHUNKS * MAX_ARGS;

  private fail(why: string): void {
    this.failure ??= why;
  }

  /** Why the pool stopped being used (a worker failed or stopped), or null while it works. */
  get broken(): string | null {
    return this.failure;
  }

  /** Workers that have started (0 once the pool is broken: calls then run on the caller). */
  ready(): number {
    return this.failure === null ? Atomics.load(this.i32, READY) : 0;
  }

  /**
   * Runs `op` once per argument list (at most MAX_CHUNKS, all the same length), on every thread
   * that is free, each appending its own extra arguments.
   */
  run(op: Op, chunks: number[][]): void {
    const i32 = this.i32;
    const count = chunks.length;
    if (count < 1 || count > MAX_CHUNKS) throw new Error(`wasm pool: ${count} chunks`);
    if (chunks[0].length > MAX_ARGS) {
      throw new Error(
        `wasm pool: ${op} takes ${chunks[0].length} arguments, at most ${MAX_ARGS} fit`,
      );
    }
    for (let c = 0; c < count; c++) {
      const args = chunks[c];
      for (let j = 0; j < args.length; j++) this.f64[c * MAX_ARGS + j] = args[j];
    }
    this.seq = (this.seq + 1) & JOB_MASK;
    i32[OP] = this.opIndex.get(op)!;
    i32[NARGS] = chunks[0].length;
    Atomics.store(i32, DONE, 0);
    // Publishing the word makes the fields above visible to whoever claims a chunk.
    Atomics.store(i32, CLAIM, claimWord(this.seq, count));
    Atomics.store(i32, SEQ, this.seq);
    Atomics.notify(i32, SEQ);
    const mine = claim(i32, this.f64, this.fns, this.args, this.extra[0]);
    // What is left are chunks that workers are running.
    const own = performance.now();
    let done: number;
    while ((done = Atomics.load(i32, DONE)) !== count) {
      if (done > count) throw new Error(`wasm pool: ${done} of ${count} chunks done`);
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
