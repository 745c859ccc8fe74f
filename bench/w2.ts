/**
 * W2 (DESIGN.md): char-LM train step. Embedding(96, 128) → 2-layer LSTM(256) → Linear(256, 96) at
 * every step, batch 32, T 100, Adam. Prints tokens/s for forward alone and for a full train step
 * (forward + backward + Adam) on the active backend. The baseline the WASM backend must beat.
 *
 * `--breakdown` also times every backend call of one train step (a timing proxy around the active
 * backend) and prints where the time goes: GEMM, gate kernels, the rest of the kernels, and the JS
 * outside kernels (tape, allocation, per-step bookkeeping).
 *
 * Run: npm run bench [-- --steps 3 --breakdown]
 * Napkin math: ≈ 5.9 GFLOP forward (4 LSTM GEMMs dominate), ≈ 3× that per train step.
 */
import { parseArgs } from "node:util";
import { manualSeed, nn, noGrad, optim, randint, type Tensor } from "../src/index.js";
import { backend, setBackend } from "../src/backend/registry.js";
import { timed } from "./timed.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "3" },
    breakdown: { type: "boolean", default: false },
  },
});
const steps = Number(values.steps);
const [vocab, embed, hidden, batch, T] = [96, 128, 256, 32, 100];

class CharLM extends nn.Module {
  embedding = new nn.Embedding(vocab, embed);
  lstm = new nn.LSTM({ inputSize: embed, hiddenSize: hidden, numLayers: 2, batchFirst: true });
  fc = new nn.Linear(hidden, vocab);
  forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embedding.forward(x)); // [B, T, H]
    return this.fc.forward(out); // [B, T, V]
  }
}

manualSeed(0);
const model = new CharLM();
const optimizer = new optim.Adam(model.parameters(), { lr: 2e-3 });
const x = randint(0, vocab, [batch, T]);
const y = randint(0, vocab, [batch * T]);

function trainStep(): number {
  optimizer.zeroGrad();
  const logits = model.forward(x).reshape(-1, vocab); // [B·T, V]
  const loss = nn.functional.crossEntropy(logits, y);
  loss.backward();
  optimizer.step();
  return loss.item();
}

/**
 * Median wall time per step, and the process's CPU time per step (all threads): on a shared
 * machine the CPU time of a one-thread run is the better estimate of its speed on an idle one.
 */
function time(label: string, fn: () => unknown): number {
  fn(); // warm-up: let the JIT tier up
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    fn();
    times.push((performance.now() - start) / 1000);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / steps;
  const seconds = times.sort((a, b) => a - b)[times.length >> 1];
  const tokens = (batch * T) / seconds;
  console.log(
    `${label.padEnd(28)} ${(seconds * 1000).toFixed(0).padStart(7)} ms/step ${tokens.toFixed(0).padStart(8)} tokens/s` +
      `   (CPU ${cpuMs.toFixed(0)} ms/step, ${((batch * T) / (cpuMs / 1000)).toFixed(0)} tokens/CPU-s)`,
  );
  return tokens;
}

function breakdown(): void {
  const totals = new Map<string, number>();
  const inner = backend();
  setBackend(timed(inner, totals));
  const start = performance.now();
  trainStep();
  const total = performance.now() - start;
  setBackend(inner);
  const sum = (pred: (k: string) => boolean) =>
    [...totals].filter(([k]) => pred(k)).reduce((s, [, v]) => s + v, 0);
  const gemm = sum((k) => k.startsWith("gemm"));
  const gates = sum((k) => /Gates/.test(k));
  const kernels = sum(() => true);
  const pct = (v: number) =>
    `${v.toFixed(1).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%`;
  console.log(`\nOne train step, ${total.toFixed(0)} ms (timing proxy adds ~0.2 µs per call):`);
  console.log(`  GEMM                         ${pct(gemm)}`);
  console.log(`  gate kernels                 ${pct(gates)}`);
  console.log(`  other kernels                ${pct(kernels - gemm - gates)}`);
  console.log(`  outside kernels (JS)         ${pct(total - kernels)}`);
  console.log("  by call:");
  for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 24)) {
    console.log(`    ${k.padEnd(30)} ${pct(v)}`);
  }
}

const info = (backend() as { info?: { flavour: string; threads: number } }).info;
const how = info ? `, ${info.flavour} SIMD, ${info.threads} thread(s)` : "";
console.log(
  `W2 char-LM (${backend().name} backend${how}), batch ${batch}, T ${T}, median of ${steps} timed steps after 1 warm-up`,
);
time("forward", () => noGrad(() => model.forward(x)));
time("train step (fwd+bwd+Adam)", trainStep);
if (values.breakdown) breakdown();
