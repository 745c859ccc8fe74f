/**
 * W2 (DESIGN.md): char-LM train step. Embedding(96, 128) → 2-layer LSTM(256) → Linear(256, 96) at
 * every step, batch 32, T 100, Adam. Prints tokens/s for forward alone and for a full train step
 * (forward + backward + Adam) on the active backend. The baseline the WASM backend must beat.
 *
 * Run: npm run bench [-- --steps 3]
 * Napkin math: ≈ 5.9 GFLOP forward (4 LSTM GEMMs dominate), ≈ 3× that per train step.
 */
import { parseArgs } from "node:util";
import { manualSeed, nn, noGrad, optim, randint, type Tensor } from "../src/index.js";
import { backend } from "../src/backend/registry.js";

const { values } = parseArgs({ options: { steps: { type: "string", default: "3" } } });
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

function time(label: string, fn: () => unknown): number {
  fn(); // warm-up: let the JIT tier up
  const start = performance.now();
  for (let i = 0; i < steps; i++) fn();
  const seconds = (performance.now() - start) / 1000 / steps;
  const tokens = (batch * T) / seconds;
  console.log(
    `${label.padEnd(28)} ${(seconds * 1000).toFixed(0).padStart(7)} ms/step ${tokens.toFixed(0).padStart(8)} tokens/s`,
  );
  return tokens;
}

console.log(
  `W2 char-LM (${backend().name} backend), batch ${batch}, T ${T}, ${steps} timed steps after 1 warm-up`,
);
time("forward", () => noGrad(() => model.forward(x)));
time("train step (fwd+bwd+Adam)", trainStep);
