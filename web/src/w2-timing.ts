/**
 * Times W2 (bench/workloads.ts: the char-LM train step, Embedding(96, 128) → 2-layer LSTM(256) →
 * Linear(256, 96), batch 32, T 100, Adam) the same way in Node and in a browser worker, so the
 * two figures compare: warm-up steps until ≥ `warmSeconds` have passed (at least two, so the JIT
 * tiers up), then `steps` timed steps; the figure is the median.
 *
 * @example
 * const r = timeW2({ steps: 5 });   // { msPerStep, tokensPerSec, samples, params, ... }
 */
import { workloads } from "../../bench/workloads.js";

export interface W2Result {
  msPerStep: number;
  tokensPerSec: number;
  /** Every timed step, in ms. */
  samples: number[];
  warmupSteps: number;
  params: number;
  loss: number;
}

export function timeW2(options: { steps?: number; warmSeconds?: number } = {}): W2Result {
  const { steps = 5, warmSeconds = 1 } = options;
  const w2 = workloads.find((w) => w.id === "W2")!;
  const built = w2.build(w2.config);
  const started = performance.now();
  let warmupSteps = 0;
  while (warmupSteps < 2 || performance.now() - started < warmSeconds * 1000) {
    built.step();
    warmupSteps++;
  }
  const samples: number[] = [];
  let loss = NaN;
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    loss = built.step();
    samples.push(performance.now() - t);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const msPerStep = sorted[sorted.length >> 1];
  return {
    msPerStep,
    tokensPerSec: built.perStep / (msPerStep / 1000),
    samples,
    warmupSteps,
    params: built.params,
    loss,
  };
}
