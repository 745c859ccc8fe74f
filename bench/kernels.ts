/**
 * GEMM throughput: square sizes and the W2 workload's shapes (DESIGN.md: char-LM, batch 32, T 100,
 * embed 128, LSTM hidden 256, vocab 96), on the wasm backend with 1 thread and with every thread,
 * and the reference for scale. GFLOP/s count 2·m·n·k. B is tensor storage (Backend.storage, as a
 * parameter is: resident in the kernels' memory), A and C ordinary arrays whose copies in and out
 * are included; "packed" rows reuse a B packed once (Backend.packB), as the recurrent layers do for
 * their weights. The machine may be shared: each figure is the best of several rounds.
 *
 * Run: npm run bench:kernels [-- --ms 200 --rounds 3 --reference]
 * Napkin math: 40 GFLOP/s per core at best (2 FMA ports × 4 lanes × 2.6 GHz, relaxed build).
 */
import { parseArgs } from "node:util";
import type { Backend } from "../src/backend/backend.js";
import { referenceBackend } from "../src/backend/reference/index.js";
import { WasmBackend } from "../src/backend/wasm/backend.js";

const { values } = parseArgs({
  options: {
    ms: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
    reference: { type: "boolean", default: false },
  },
});
const budget = Number(values.ms);
const rounds = Number(values.rounds);
const one = new WasmBackend({ threads: 1 });
const all = new WasmBackend();

type Shape = [label: string, transA: boolean, transB: boolean, m: number, n: number, k: number];
const shapes: Shape[] = [
  ["square 256", false, false, 256, 256, 256],
  ["square 512", false, false, 512, 512, 512],
  ["square 1024", false, false, 1024, 1024, 1024],
  ["square 512, Bᵀ", false, true, 512, 512, 512],
  ["W2 input proj x·W_ihᵀ (L1)", false, true, 3200, 1024, 128],
  ["W2 input proj x·W_ihᵀ (L2)", false, true, 3200, 1024, 256],
  ["W2 step h·W_hhᵀ", false, true, 32, 1024, 256],
  ["W2 step h·W_hhᵀ, packed", false, true, 32, 1024, 256],
  ["W2 step dGates·W_hh, packed", false, false, 32, 256, 1024],
  ["W2 dW_hh = dGatesᵀ·h", true, false, 1024, 256, 3200],
  ["W2 dx = dGates·W_ih", false, false, 3200, 128, 1024],
  ["W2 fc y·Wᵀ", false, true, 3200, 96, 256],
  ["batch-1 step h·W_hhᵀ", false, true, 1, 2048, 512],
  ["batch-1 step h·W (gemv)", false, false, 1, 2048, 512],
];

function random(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

function gflops(be: Backend, [label, tA, tB, m, n, k]: Shape): number {
  const a = random(m * k);
  const b = be.storage(k * n);
  b.set(random(k * n));
  const c = random(m * n);
  const packed = label.endsWith("packed") ? be.packB(tB, k, n, b, 0) : null;
  const run = packed
    ? () => be.gemmPacked(tA, m, 1, a, 0, packed, 0, c, 0)
    : () => be.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0);
  run();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let reps = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budget / rounds || reps < 2) {
      run();
      reps++;
      now = performance.now();
    }
    best = Math.max(best, (2 * m * n * k * reps) / ((now - start) / 1000) / 1e9);
  }
  if (packed) be.release(packed);
  return best;
}

// Let the workers start before timing.
await new Promise((r) => setTimeout(r, 200));
const info = all.info;
console.log(
  `GEMM GFLOP/s, wasm ${info.flavour} SIMD, best of ${rounds} rounds of ${budget / rounds} ms`,
);
const ref = values.reference ? "  reference" : "";
console.log(`${"shape".padEnd(30)} ${"m×n×k".padEnd(16)}${ref}  1 thread  ${info.threads} threads`);
for (const shape of shapes) {
  const [label, , , m, n, k] = shape;
  const r = values.reference ? ` ${gflops(referenceBackend, shape).toFixed(2).padStart(10)}` : "";
  const w1 = gflops(one, shape);
  const w2 = gflops(all, shape);
  console.log(
    `${label.padEnd(30)} ${`${m}×${n}×${k}`.padEnd(16)}${r} ${w1.toFixed(1).padStart(9)} ${w2.toFixed(1).padStart(10)}`,
  );
}
