/**
 * Memory soak: trains a tiny character LSTM for many steps (Adam, clipping, validation, a
 * checkpoint committed to disk every 500 steps — the whole loop of `recurrent train lm`) and
 * samples memory after a full garbage collection every `every` steps: heap used, array buffers,
 * RSS, and the wasm backend's linear memory. Prints one JSON object; soak.test.ts judges it.
 *
 * Run with --expose-gc (without it the samples are taken without a collection and are noisy).
 *
 * @example
 * node --expose-gc --import tsx test/reliability/soak.ts 10000 > soak.json
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backend } from "../../src/backend/registry.js";
import { commitFiles } from "../../src/io/node/model-dir.js";
import { Adam } from "../../src/optim/adam.js";
import { Trainer } from "../../src/tasks/common/trainer.js";
import { prepareLmData } from "../../src/tasks/language-model/data.js";
import { RNNLanguageModel } from "../../src/tasks/language-model/model.js";
import { LanguageModelTask } from "../../src/tasks/language-model/task.js";
import { manualSeed } from "../../src/tensor/random.js";

export interface Sample {
  step: number;
  heapUsed: number;
  arrayBuffers: number;
  rss: number;
  /** Bytes of the wasm backend's WebAssembly.Memory (0 on the reference backend). */
  wasmMemory: number;
}

const steps = Number(process.argv[2] ?? 1000);
const every = Math.max(1, Math.round(steps / 40));
const gc = (globalThis as { gc?: () => void }).gc;

function wasmBytes(): number {
  const b = backend() as { rt?: { heap?: { memory?: WebAssembly.Memory } } };
  return b.rt?.heap?.memory?.buffer.byteLength ?? 0;
}

function sample(step: number): Sample {
  gc?.();
  const m = process.memoryUsage();
  return {
    step,
    heapUsed: m.heapUsed,
    arrayBuffers: m.arrayBuffers,
    rss: m.rss,
    wasmMemory: wasmBytes(),
  };
}

const text =
  "It is a way I have of driving off the spleen, and regulating the circulation. ".repeat(400);
manualSeed(0);
const data = prepareLmData(text, { level: "char" });
const model = new RNNLanguageModel({
  vocabSize: data.vocab.length,
  cell: "lstm",
  embeddingSize: 4,
  hiddenSize: 8,
  numLayers: 1,
  dropout: 0.1,
});
const task = new LanguageModelTask(model, data.train, data.valid, { batchSize: 4, bpttLen: 20 });
const dir = mkdtempSync(join(tmpdir(), "recurrent-soak-"));
const samples: Sample[] = [];
const started = performance.now();
const summary = await new Trainer(task, {
  optimizer: new Adam(model.parameters(), { lr: 3e-3 }),
  epochs: 1_000_000,
  maxSteps: steps,
  clipGradNorm: 5,
  evalEvery: 1000,
  checkpointEvery: 500,
  onCheckpoint: (files) => commitFiles(dir, files),
  events: {
    onStep: (r) => {
      if (r.globalStep === 1 || r.globalStep % every === 0) samples.push(sample(r.globalStep));
    },
  },
}).run();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    steps: summary.globalStep,
    seconds: (performance.now() - started) / 1000,
    gc: gc !== undefined,
    backend: backend().name,
    samples,
  }) + "\n",
);
