// The worker pool's hand-off under stress, as a child process (test/conformance/pool.test.ts runs
// it with a timeout, so a hang fails the test instead of stopping the runner). Many tiny jobs, one
// after another, with chunk counts that change every job (a late worker must never claim a chunk
// of a job it did not see published), on more threads than cores plus busy threads that keep the
// machine oversubscribed (so threads are descheduled in the middle of a hand-off), with the
// memory grown between jobs and single-thread calls in between (as the policy makes). Each job
// adds 1 to every row it covers exactly once: a chunk run twice or skipped shows as a 2 or a 0.
//
// Run: node --import tsx test/conformance/pool-stress.ts [seconds] [threads] [busy threads]
// Prints one JSON line: jobs, bad jobs, chunks the workers ran, grows; exits 1 on a bad job.
import { Worker } from "node:worker_threads";
import { Runtime } from "../../src/backend/wasm/runtime.js";

const [seconds, threads, busy] = [3, 4, 2].map((d, i) => Number(process.argv[2 + i] ?? d));
const rt = new Runtime({ threads, adaptive: false });
for (let i = 0; i < busy; i++) new Worker("for (;;) {}", { eval: true }).unref();
const started = performance.now();
while (rt.workersReady() < threads - 1 && performance.now() - started < 10_000) {
  await new Promise((r) => setTimeout(r, 10));
}

const H = rt.heap;
const COLS = 8;
const ROWS = 48;
let s = 12345;
const next = (n: number) => {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  return (s >>> 8) % n;
};
const bias = H.alloc(COLS);
H.heap().fill(1, bias >> 2, (bias >> 2) + COLS);
let out = H.alloc(ROWS * COLS);
const BLOCK = 1 << 18;
let [jobs, bad, grows, blocks] = [0, 0, 0, 0];
const end = performance.now() + seconds * 1000;
while (performance.now() < end) {
  for (let rep = 0; rep < 256; rep++, jobs++) {
    const choice = next(1000);
    if (choice === 0 && blocks < 40) {
      // A new 1 MiB block, which now and then grows the memory: the next jobs run at its end.
      const before = H.memory.buffer.byteLength;
      const at = H.alloc(BLOCK);
      blocks++;
      if (H.memory.buffer.byteLength > before) grows++;
      out = at + 4 * (BLOCK - ROWS * COLS);
    }
    const f = H.heap();
    f.fill(0, out >> 2, (out >> 2) + ROWS * COLS);
    const count = choice < 50 ? 1 : 1 + next(16);
    const per = Math.ceil(ROWS / count);
    const chunks: number[][] = [];
    for (let c = 0; c < count; c++) {
      const rows = Math.max(0, Math.min(per, ROWS - c * per));
      chunks.push([out + 4 * c * per * COLS, bias, rows, COLS]);
    }
    rt.run("addRowVector", chunks);
    const v = H.heap().subarray(out >> 2, (out >> 2) + ROWS * COLS);
    if (v.some((x) => x !== 1)) bad++;
  }
}
const stats = rt.poolStats;
console.log(
  JSON.stringify({
    jobs,
    bad,
    workerChunks: stats?.workerChunks ?? 0,
    grows,
    broken: rt.poolBroken,
  }),
);
process.exit(bad === 0 ? 0 : 1);
