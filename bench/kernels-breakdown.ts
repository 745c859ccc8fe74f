/**
 * Where the time of each standard workload (bench/workloads.ts, W1–W6) goes, kernel by kernel: a
 * timing proxy around the active backend records every call of a few steps, split into GEMM, the
 * fused gate kernels, the other kernels and the JS outside kernels (tape, allocation, bookkeeping).
 * Also prints the median step and the process's CPU time per step: on a shared machine a one-thread
 * run's CPU time is the better estimate of its speed on an idle one (RECURRENT_THREADS=1).
 *
 * Run: npx tsx bench/kernels-breakdown.ts [--only W1,W5-step] [--steps 3] [--top 12]
 */
import { parseArgs } from "node:util";
import { backend, setBackend } from "../src/backend/registry.js";
import { timed } from "./timed.js";
import { workloads } from "./workloads.js";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    steps: { type: "string", default: "3" },
    top: { type: "string", default: "12" },
  },
});
const steps = Number(values.steps);
const only = values.only?.split(",");

const info = (backend() as { info?: { flavour: string; threads: number } }).info;
console.log(
  `backend ${backend().name}${info ? ` (${info.flavour} SIMD, ${info.threads} thread(s))` : ""}, ` +
    `median of ${steps} steps after 2 warm-up steps`,
);
for (const w of workloads) {
  if (only && !only.includes(w.id)) continue;
  const built = w.build(w.config);
  built.step();
  built.step();
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    built.step();
    times.push(performance.now() - start);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / steps;
  const ms = times.sort((a, b) => a - b)[times.length >> 1];
  const totals = new Map<string, number>();
  const inner = backend();
  setBackend(timed(inner, totals));
  const start = performance.now();
  built.step();
  const total = performance.now() - start;
  setBackend(inner);
  const sum = (pred: (k: string) => boolean) =>
    [...totals].filter(([k]) => pred(k)).reduce((s, [, v]) => s + v, 0);
  const gemm = sum((k) => k.startsWith("gemm"));
  const gates = sum((k) => /Gates/.test(k));
  const kernels = sum(() => true);
  const pct = (v: number) => `${((100 * v) / total).toFixed(0).padStart(3)}%`;
  console.log(
    `\n${w.id} ${w.what}: ${ms.toFixed(1)} ms/step, ${(built.perStep / (ms / 1000)).toFixed(1)} ${w.unit} ` +
      `(CPU ${cpuMs.toFixed(1)} ms/step, ${(built.perStep / (cpuMs / 1000)).toFixed(1)} per CPU-s)`,
  );
  console.log(
    `  one step ${total.toFixed(1)} ms: GEMM ${pct(gemm)}, gates ${pct(gates)}, ` +
      `other kernels ${pct(kernels - gemm - gates)}, outside kernels ${pct(total - kernels)}`,
  );
  const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  console.log(`  ${top.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(" · ")}`);
}
