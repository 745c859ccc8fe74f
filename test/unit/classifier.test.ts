import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadClassifier } from "../../src/cli/commands/classify.js";
import type { TextExample } from "../../src/data/formats/common.js";
import { commitFiles } from "../../src/io/node/model-dir.js";
import { Adam } from "../../src/optim/adam.js";
import {
  ClassifierTask,
  evaluateClassifier,
  makeBatch,
  POOLINGS,
  predictTexts,
  prepareClassifierData,
  RNNClassifier,
  splitExamples,
  type ClassifierConfig,
  type EncodedSplit,
} from "../../src/tasks/classifier/index.js";
import { encodeCheckpoint } from "../../src/tasks/common/checkpoint.js";
import { makeModelConfig } from "../../src/tasks/common/model-config.js";
import { Trainer } from "../../src/tasks/common/trainer.js";
import { getRngState, manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const config = (extra: Partial<ClassifierConfig> = {}): ClassifierConfig => ({
  vocabSize: 12,
  numClasses: 3,
  cell: "lstm",
  embeddingSize: 4,
  hiddenSize: 5,
  numLayers: 2,
  bidirectional: false,
  dropout: 0,
  pooling: "last",
  padIndex: 1,
  ...extra,
});

// Three texts of lengths 5, 2, 4; padding positions hold arbitrary ids (not the pad id), which
// must not matter.
const ROWS = [
  [2, 3, 4, 5, 6],
  [7, 8, 9, 9, 9],
  [10, 11, 2, 3, 4],
];
const LENGTHS = [5, 2, 4];
const batch = () => new Tensor(Int32Array.from(ROWS.flat()), [3, 5]);
const alone = (b: number) =>
  new Tensor(Int32Array.from(ROWS[b].slice(0, LENGTHS[b])), [1, LENGTHS[b]]);

describe("RNNClassifier", () => {
  for (const pooling of POOLINGS) {
    for (const bidirectional of [false, true]) {
      const cell = (["rnn", "lstm", "gru"] as const)[
        (POOLINGS.indexOf(pooling) + +bidirectional) % 3
      ];
      const name = `${pooling}, ${cell}, ${bidirectional ? "bidirectional" : "one direction"}`;
      test(`${name}: logits [B, C]; padding changes nothing`, () => {
        manualSeed(1);
        const model = new RNNClassifier(config({ pooling, bidirectional, cell })).eval();
        const { logits, attention } = model.forwardWithAttention(batch(), LENGTHS);
        assert.deepEqual(logits.shape, [3, 3]);
        assert.equal(model.fc.inFeatures, (bidirectional ? 2 : 1) * 5);
        assert.equal(attention === null, pooling !== "attention");
        for (let b = 0; b < 3; b++) {
          const single = model.forward(alone(b), [LENGTHS[b]]);
          const row = logits.data.subarray(b * 3, b * 3 + 3);
          single.data.forEach((v, c) => assert.ok(Math.abs(v - row[c]) < 1e-5, `${b},${c}`));
        }
      });
    }
  }

  test("attention weights sum to 1 over the valid steps and are 0 on padding", () => {
    manualSeed(2);
    const model = new RNNClassifier(config({ pooling: "attention", bidirectional: true }));
    const { attention } = model.forwardWithAttention(batch(), LENGTHS);
    assert.deepEqual(attention!.shape, [3, 5]);
    LENGTHS.forEach((n, b) => {
      const row = Array.from(attention!.data.subarray(b * 5, b * 5 + 5));
      assert.ok(Math.abs(row.slice(0, n).reduce((s, w) => s + w, 0) - 1) < 1e-6);
      assert.ok(row.slice(0, n).every((w) => w > 0));
      assert.deepEqual(row.slice(n), new Array(5 - n).fill(0));
    });
  });

  test("gradients reach every parameter; the padding row of the embedding gets none", () => {
    manualSeed(3);
    const model = new RNNClassifier(config({ pooling: "mean", bidirectional: true }));
    const logits = model.forward(new Tensor(Int32Array.from([2, 1, 3, 1, 4, 5]), [2, 3]), [3, 3]);
    logits.sum().backward();
    for (const [name, p] of model.namedParameters()) assert.ok(p.grad, `${name}: no gradient`);
    const g = model.embedding.weight.grad!.data;
    assert.deepEqual(Array.from(g.subarray(4, 8)), [0, 0, 0, 0]); // row padIndex = 1
    assert.ok(Array.from(g.subarray(8, 12)).some((v) => v !== 0));
  });

  test("state-dict keys are plain PyTorch names; bad configs are refused", () => {
    const keys = Object.keys(new RNNClassifier(config({ bidirectional: true })).stateDict());
    assert.equal(keys[0], "embedding.weight");
    assert.ok(keys.includes("rnn.weight_ih_l1_reverse"));
    assert.deepEqual(keys.slice(-2), ["fc.weight", "fc.bias"]);
    assert.throws(() => new RNNClassifier(config({ numClasses: 1 })), /numClasses.*≥ 2, got 1/);
    assert.throws(
      () => new RNNClassifier(config({ pooling: "sum" as "max" })),
      /pooling to be one of last, mean, max, attention, got "sum"/,
    );
    assert.throws(() => new RNNClassifier(config({ padIndex: 12 })), /padIndex in 0\.\.11/);
    const model = new RNNClassifier(config());
    assert.throws(
      () => model.forward(batch(), [5, 0, 4]),
      /lengths in 1\.\.5, got lengths\[1\] = 0/,
    );
    assert.throws(() => model.forward(batch(), [5, 4]), /expected 3 lengths/);
  });
});

/** Texts of 2–9 words from "w0".."w9"; the class is whether "w7" occurs. */
function presenceData(n: number, seed: number): TextExample[] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
  return Array.from({ length: n }, () => {
    const words = Array.from({ length: 2 + Math.floor(next() * 8) }, () => {
      const w = Math.floor(next() * 10);
      return `w${w === 7 ? 3 : w}`;
    });
    const positive = next() < 0.5;
    if (positive) words[Math.floor(next() * words.length)] = "w7";
    return { text: words.join(" "), label: positive ? 1 : 0 };
  });
}

let trained: Promise<{ model: RNNClassifier; train: EncodedSplit }> | null = null;
const trainPresence = () => (trained ??= trainPresenceOnce());

async function trainPresenceOnce(): Promise<{ model: RNNClassifier; train: EncodedSplit }> {
  const data = prepareClassifierData(presenceData(160, 5), { validFraction: 0.1, testFraction: 0 });
  manualSeed(0);
  const model = new RNNClassifier(
    config({
      vocabSize: data.vocab.length,
      numClasses: 2,
      cell: "gru",
      embeddingSize: 8,
      hiddenSize: 8,
      numLayers: 1,
      bidirectional: true,
      pooling: "max",
      padIndex: data.vocab.padIndex,
    }),
  );
  const task = new ClassifierTask(model, data.train, data.valid, { batchSize: 16, seed: 0 });
  assert.equal(task.batchesPerEpoch(), 10);
  const optimizer = new Adam(model.parameters(), { lr: 0.03 });
  const summary = await new Trainer(task, { optimizer, epochs: 4, clipGradNorm: 5 }).run();
  assert.equal(summary.globalStep, 40);
  return { model, train: data.train };
}

describe("ClassifierTask", () => {
  test("learns 'does w7 occur?' to 100% in 40 steps; predictTexts agrees", async () => {
    const { model, train } = await trainPresence();
    const scores = evaluateClassifier(model, train);
    assert.equal(scores.accuracy, 1);
    assert.equal(scores.macroF1, 1);
    assert.deepEqual(
      scores.confusion.flat().reduce((a, b) => a + b, 0),
      train.ids.length,
    );
    assert.ok(scores.loss < 0.1, `loss ${scores.loss}`);
  });

  test("batches are a pure function of the epoch, bucketed by length", () => {
    const data = prepareClassifierData(presenceData(100, 9), { testFraction: 0 });
    const model = new RNNClassifier(
      config({ vocabSize: data.vocab.length, numClasses: 2, padIndex: data.vocab.padIndex }),
    );
    const task = new ClassifierTask(model, data.train, null, { batchSize: 8, seed: 4 });
    const ids = (e: number) => [...task.batches(e)].map((b) => b.indices);
    assert.deepEqual(ids(1), ids(1));
    assert.notDeepEqual(ids(0), ids(1));
    assert.equal(
      ids(0)
        .flat()
        .sort((a, b) => a - b).length,
      data.train.ids.length,
    );
    const b = makeBatch(data.train, [0, 1, 2], data.vocab.padIndex);
    assert.deepEqual(b.ids.shape, [3, Math.max(...[0, 1, 2].map((i) => data.train.ids[i].length))]);
    assert.deepEqual(
      Array.from(b.lengths),
      [0, 1, 2].map((i) => data.train.ids[i].length),
    );
  });
});

describe("prepareClassifierData", () => {
  const examples: TextExample[] = Array.from({ length: 50 }, (_, i) => ({
    text: i % 5 === 0 ? `Rare${i} word, THE end.` : `the common words ${"x ".repeat(i)}`,
    label: i % 5 === 0 ? 1 : 0,
  }));

  test("stratified, seeded split: each class cut 80/10/10", () => {
    const a = splitExamples(examples, { seed: 3 });
    assert.deepEqual(
      [a.train, a.valid, a.test].map((s) => s.filter((e) => e.label === 1).length),
      [8, 1, 1],
    );
    assert.deepEqual([a.train.length, a.valid.length, a.test.length], [40, 5, 5]);
    assert.deepEqual(splitExamples(examples, { seed: 3 }), a);
    assert.notDeepEqual(splitExamples(examples, { seed: 4 }).test, a.test);
  });

  test("vocabulary from the training split only; truncation; empty text → <unk>", () => {
    const data = prepareClassifierData(examples, { maxLen: 6, splitSeed: 1 });
    assert.deepEqual(data.vocab.itos.slice(0, 3), ["<unk>", "<pad>", "x"]);
    assert.ok(data.train.ids.every((x) => x.length <= 6));
    for (const e of [...data.valid.texts, ...data.test.texts].filter((t) => t.startsWith("Rare")))
      assert.ok(!data.vocab.has(e.split(" ")[0].toLowerCase()));
    const withEmpty = prepareClassifierData([...examples, { text: " ", label: 0 }], {
      validFraction: 0,
      testFraction: 0,
    });
    assert.deepEqual(Array.from(withEmpty.train.ids.at(-1)!), [0]);
    const chars = prepareClassifierData(examples, { tokenizer: "char", maxLen: 3 });
    assert.ok(chars.vocab.has("t") && chars.train.ids.every((x) => x.length === 3));
    assert.throws(() => prepareClassifierData(examples, { maxLen: 0 }), /maxLen.*got 0/);
  });
});

describe("predictTexts and model directories", () => {
  test("label and probabilities per text; a saved directory predicts identically", async () => {
    const { model } = await trainPresence();
    const data = prepareClassifierData(presenceData(160, 5), {
      validFraction: 0.1,
      testFraction: 0,
    });
    const classes = ["no", "yes"];
    const texts = ["w1 w7 w2", "w1 w2 w3 w4", "", "w7"];
    const predictions = predictTexts(model, data.vocab, texts, { classes, batchSize: 3 });
    assert.equal(predictions.length, 4);
    assert.deepEqual(
      predictions.map((p) => p.label),
      ["yes", "no", predictions[2].label, "yes"],
    );
    for (const p of predictions) {
      assert.deepEqual(Object.keys(p.probabilities), classes);
      assert.ok(Math.abs(p.probabilities.no + p.probabilities.yes - 1) < 1e-6);
      assert.equal(p.label, classes[p.index]);
    }
    assert.deepEqual(predictions[0].tokens, ["w1", "w7", "w2"]);

    const dir = await mkdtemp(join(tmpdir(), "recurrent-classifier-"));
    dirs.push(dir);
    const saved = makeModelConfig(
      "classify",
      model.config,
      { dataset: "test", classes, tokenizer: "basic_english", maxLen: 200 },
      {},
    );
    await commitFiles(dir, {
      "config.json": JSON.stringify(saved),
      "vocab.json": JSON.stringify(data.vocab),
      ...encodeCheckpoint({
        model,
        optimizer: new Adam(model.parameters()),
        position: { epoch: 0, batch: 0, globalStep: 0 },
        rng: getRngState(),
      }),
    });
    const loaded = await loadClassifier(dir);
    assert.deepEqual(loaded.config.data.classes, classes);
    const again = predictTexts(loaded.model, loaded.vocab, texts, { classes, batchSize: 3 });
    assert.deepEqual(again, predictions);
  });
});
