/**
 * GEMM throughput, reference vs wasm backend: square sizes and the W2 workload's shapes (DESIGN.md
 * §5: char-LM, batch 32, T 100, embed 128, LSTM hidden 256, vocab 96). Prints GFLOP/s per shape,
 * counting 2·m·n·k and including the wasm backend's copies in and out of its memory.
 *
 * Run: npm run bench:kernels [-- --ms 300]
 */
import { parseArgs } from "node:util";
import type { Backend } from "../src/backend/backend.js";
import { referenceBackend } from "../src/backend/reference/index.js";
import { WasmBackend } from "../src/backend/wasm/backend.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "300" } } });
const budget = Number(values.ms);
const wasm = new WasmBackend();

type Shape = [label: string, transA: boolean, transB: boolean, m: number, n: number, k: number];
const shapes: Shape[] = [
  ["square 256", false, false, 256, 256, 256],
  ["square 512", false, false, 512, 512, 512],
  ["square 1024", false, false, 1024, 1024, 1024],
  ["square 512, Bᵀ", false, true, 512, 512, 512],
  ["W2 input proj x·W_ihᵀ (L1)", false, true, 3200, 1024, 128],
  ["W2 input proj x·W_ihᵀ (L2)", false, true, 3200, 1024, 256],
  ["W2 step h·W_hhᵀ", false, true, 32, 1024, 256],
  ["W2 step dGates·W_hh", false, false, 32, 256, 1024],
  ["W2 dW_hh = dGatesᵀ·h", true, false, 1024, 256, 3200],
  ["W2 dx = dGates·W_ih", false, false, 3200, 128, 1024],
  ["W2 fc y·Wᵀ", false, true, 3200, 96, 256],
  ["batch-1 step h·W_hhᵀ", false, true, 1, 1024, 256],
  ["batch-1 step h·W (gemv)", false, false, 1, 1024, 256],
];

function random(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

function gflops(be: Backend, [, tA, tB, m, n, k]: Shape): number {
  const a = random(m * k);
  const b = random(k * n);
  const c = random(m * n);
  const run = () => be.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0);
  run();
  let reps = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budget || reps < 2) {
    run();
    reps++;
    now = performance.now();
  }
  return (2 * m * n * k * reps) / ((now - start) / 1000) / 1e9;
}

console.log(`GEMM GFLOP/s (1 thread), ${budget} ms per measurement`);
console.log(`${"shape".padEnd(30)} ${"m×n×k".padEnd(16)} reference      wasm  speed-up`);
for (const shape of shapes) {
  const [label, , , m, n, k] = shape;
  const r = gflops(referenceBackend, shape);
  const w = gflops(wasm, shape);
  console.log(
    `${label.padEnd(30)} ${`${m}×${n}×${k}`.padEnd(16)} ${r.toFixed(2).padStart(9)} ${w.toFixed(2).padStart(9)} ${(w / r).toFixed(1).padStart(8)}×`,
  );
}
