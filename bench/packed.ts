/**
 * Packed vs padded: an LSTM train step (forward + backward) on a batch whose lengths are spread
 * uniformly over 5..100, run once packed (pack → LSTM → pad) and as the same batch padded to
 * T = 100. Packed work should follow the real tokens (Σ lengths), not batch × 100: the printed
 * ratio packed/padded time should sit near the real-token ratio Σ lengths / (B·T) ≈ 0.5.
 *
 * Two padded rows: "dense" differentiates every padded output (the cost of batch × 100), "masked"
 * zeroes the loss weights past each length (the usual padded training). The reference GEMM skips
 * zero rows of its left operand, so in the masked row part of the padded backward is already
 * skipped; a SIMD kernel without that shortcut pays the dense cost.
 *
 * Run: npx tsx bench/packed.ts [--steps 3 --batch 32 --input 64 --hidden 128]
 * Napkin math: the dense padded step is ≈ 3 × 2·B·T·(I + H)·4H ≈ 3.8 GFLOP at the defaults.
 */
import { parseArgs } from "node:util";
import { LSTM } from "../src/nn/rnn/layers.js";
import { randn } from "../src/ops/index.js";
import { manualSeed, Generator } from "../src/tensor/random.js";
import type { Tensor } from "../src/tensor/tensor.js";
import { packPaddedSequence, padPackedSequence, sequenceMask } from "../src/utils/rnn/index.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "3" },
    batch: { type: "string", default: "32" },
    input: { type: "string", default: "64" },
    hidden: { type: "string", default: "128" },
  },
});
const [steps, B, I, H] = [values.steps, values.batch, values.input, values.hidden].map(Number);
const [T, minLen] = [100, 5];

manualSeed(0);
const gen = new Generator(42);
const lengths = Array.from({ length: B }, () => minLen + gen.integer(T - minLen + 1));
const realTokens = lengths.reduce((a, n) => a + n, 0);
const lstm = new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true });
const x = randn([B, T, I], { requiresGrad: true });
// The padded run's loss weights are zero past each length, so both runs train on the same tokens.
const dense = randn([B, T, H]);
const masked = dense.mul(sequenceMask(lengths, T).reshape(B, T, 1)); // [B, T, H]

function packedStep(): void {
  lstm.zeroGrad();
  const p = packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
  const [out] = lstm.forward(p);
  const [padded] = padPackedSequence(out, { batchFirst: true, totalLength: T }); // [B, T, H]
  padded.mul(masked).sum().backward();
}

function paddedStep(weights: Tensor): () => void {
  return () => {
    lstm.zeroGrad();
    const [out] = lstm.forward(x); // [B, T, H], every step computed for every sequence
    out.mul(weights).sum().backward();
  };
}

/** Median seconds per call after one warm-up call. */
function time(fn: () => void): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    fn();
    samples.push((performance.now() - start) / 1000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

function gradOf(t: Tensor | null): Float32Array {
  return Float32Array.from(t ? t.data : []);
}

// The two runs must agree on the gradient of the real tokens before their timings mean anything.
packedStep();
const gPacked = gradOf(x.grad);
x.grad = null;
paddedStep(masked)();
const gPadded = gradOf(x.grad);
x.grad = null;
const maxDiff = gPacked.reduce((m, v, i) => Math.max(m, Math.abs(v - gPadded[i])), 0);
if (!(maxDiff < 1e-4))
  throw new Error(`bench/packed: packed and padded gradients differ by ${maxDiff}`);

const tokenRatio = realTokens / (B * T);
console.log(
  `packed vs padded LSTM(${I}→${H}) train step (fwd+bwd), batch ${B}, lengths uniform ${minLen}..${T}, ` +
    `${steps} timed steps (median) after 1 warm-up; input grads agree to ${maxDiff.toExponential(1)}`,
);
const tDense = time(paddedStep(dense));
const tMasked = time(paddedStep(masked));
const tPacked = time(packedStep);
const row = (label: string, s: number) =>
  console.log(
    `${label.padEnd(34)} ${(s * 1000).toFixed(1).padStart(8)} ms/step ${(realTokens / s).toFixed(0).padStart(7)} real tokens/s`,
  );
row(`padded to ${T}, dense loss (${B * T} tok)`, tDense);
row(`padded to ${T}, masked loss`, tMasked);
row(`packed (${realTokens} real tok)`, tPacked);
console.log(
  `time ratio packed/padded: ${(tPacked / tDense).toFixed(3)} (dense), ${(tPacked / tMasked).toFixed(3)} ` +
    `(masked); real-token ratio ${tokenRatio.toFixed(3)}`,
);
