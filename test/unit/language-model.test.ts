import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Adam } from "../../src/optim/adam.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { Trainer } from "../../src/tasks/common/trainer.js";
import {
  generateText,
  joinLmTokens,
  LanguageModelTask,
  lmLoss,
  prepareLmData,
  RNNLanguageModel,
  type CellKind,
} from "../../src/tasks/language-model/index.js";

const small = (cell: CellKind, extra = {}) =>
  new RNNLanguageModel({
    vocabSize: 7,
    cell,
    embeddingSize: 4,
    hiddenSize: 5,
    numLayers: 2,
    dropout: 0,
    ...extra,
  });

describe("RNNLanguageModel", () => {
  for (const cell of ["rnn", "lstm", "gru"] as const) {
    test(`${cell}: logits [T, B, V] and a state that continues the sequence`, () => {
      manualSeed(0);
      const lm = small(cell);
      const ids = new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
      const [logits, state] = lm.forward(ids);
      assert.deepEqual(logits.shape, [3, 2, 7]);
      const h = Array.isArray(state) ? state[0] : state;
      assert.deepEqual(h.shape, [2, 2, 5]);
      // Two windows with the state carried equal one long window.
      const [first, s1] = lm.forward(new Tensor(Int32Array.from([1, 2, 3, 4]), [2, 2]));
      const [second] = lm.forward(new Tensor(Int32Array.from([5, 6]), [1, 2]), s1);
      const joined = [...first.data, ...second.data];
      joined.forEach((v, i) => assert.ok(Math.abs(v - logits.data[i]) < 1e-5));
    });
  }

  test("state-dict keys are word_language_model's, and tying shares one weight", () => {
    const keys = Object.keys(small("lstm").stateDict());
    assert.deepEqual(keys.slice(0, 2), ["encoder.weight", "rnn.weight_ih_l0"]);
    assert.ok(keys.includes("decoder.weight") && keys.includes("decoder.bias"));
    const tied = small("gru", { hiddenSize: 4, tieWeights: true });
    assert.equal(tied.decoder.weight, tied.encoder.weight);
    assert.throws(
      () => small("gru", { tieWeights: true }),
      /tieWeights needs hiddenSize == embeddingSize, got 5 and 4/,
    );
    assert.throws(() => small("gru", { dropout: 1 }), /expected dropout in \[0, 1\), got 1/);
  });
});

describe("prepareLmData", () => {
  test("char level: contiguous 90/5/5 split, vocabulary from the training part only", () => {
    const text = "ab".repeat(95) + "z".repeat(10);
    const d = prepareLmData(text, { level: "char" });
    assert.deepEqual([d.train.length, d.valid.length, d.test.length], [180, 10, 10]);
    assert.deepEqual(d.vocab.itos, ["<unk>", "a", "b"]);
    assert.ok(
      Array.from(d.test).every((id) => id === 0),
      "z is unknown in the test part",
    );
    assert.ok(Array.from(d.valid).every((id) => id > 0));
  });

  test("word level: <eos> ends each line; joinLmTokens puts the lines back", () => {
    const d = prepareLmData("the cat\nthe dog\n".repeat(20), {
      level: "word",
      validFraction: 0,
      testFraction: 0,
    });
    assert.equal(d.vocab.itos[1], "<eos>");
    assert.equal(d.train.length, 120);
    const tokens = Array.from(d.train.slice(0, 6), (i) => d.vocab.tokenAt(i));
    assert.equal(joinLmTokens(tokens, "word"), "the cat\nthe dog\n");
    assert.throws(() => prepareLmData("a", { level: "char" }), /too few to train on/);
    assert.throws(
      () => prepareLmData("abc", { level: "char", validFraction: 0.6 }),
      /validFraction in \[0, 0.5\), got 0.6/,
    );
  });
});

describe("training and generation", () => {
  test("an LSTM learns a repeating text and then generates it", async () => {
    manualSeed(1);
    const d = prepareLmData("abcd".repeat(400), { level: "char" });
    const model = new RNNLanguageModel({
      vocabSize: d.vocab.length,
      cell: "lstm",
      embeddingSize: 8,
      hiddenSize: 16,
      numLayers: 1,
      dropout: 0,
    });
    const task = new LanguageModelTask(model, d.train, d.valid, { batchSize: 8, bpttLen: 16 });
    const optimizer = new Adam(model.parameters(), { lr: 0.03 });
    const before = lmLoss(model, d.valid, 4, 16).loss;
    const summary = await new Trainer(task, { optimizer, epochs: 4, clipGradNorm: 5 }).run();
    assert.ok(before > 1, `untrained loss ${before}`);
    assert.ok(summary.lastEval!.loss < 0.05, `validation loss ${summary.lastEval!.loss}`);
    const text = generateText(model, d.vocab, {
      level: "char",
      prime: "ab",
      length: 10,
      temperature: 0,
    });
    assert.equal(text, "cdabcdabcd");
  });

  test("a seed reproduces a passage; streamed pieces join to the returned text", () => {
    manualSeed(2);
    const d = prepareLmData("hello world. ".repeat(50), { level: "char" });
    const model = new RNNLanguageModel({
      vocabSize: d.vocab.length,
      cell: "gru",
      embeddingSize: 4,
      hiddenSize: 8,
      numLayers: 1,
      dropout: 0,
    });
    const pieces: string[] = [];
    const a = generateText(model, d.vocab, {
      level: "char",
      prime: "he",
      length: 40,
      seed: 5,
      onToken: (s) => pieces.push(s),
    });
    const b = generateText(model, d.vocab, { level: "char", prime: "he", length: 40, seed: 5 });
    const c = generateText(model, d.vocab, { level: "char", prime: "he", length: 40, seed: 6 });
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.equal(pieces.join(""), a);
    assert.equal(Array.from(a).length, 40);
    assert.throws(
      () => generateText(model, d.vocab, { level: "char", length: -1 }),
      /expected length to be a non-negative integer, got -1/,
    );
    assert.throws(
      () => generateText(model, d.vocab, { level: "char", length: 3, topP: 2 }),
      /topP in \(0, 1\]/,
    );
  });

  test("the carried state round-trips through saveCarry/loadCarry", () => {
    const d = prepareLmData("abcd".repeat(100), { level: "char" });
    const model = small("lstm", { vocabSize: d.vocab.length });
    const task = new LanguageModelTask(model, d.train, d.valid, { batchSize: 4, bpttLen: 8 });
    assert.deepEqual(task.saveCarry(), {});
    const [first] = task.batches(0);
    task.trainStep(first);
    const carry = task.saveCarry();
    assert.deepEqual(Object.keys(carry), ["h", "c"]);
    const other = new LanguageModelTask(model, d.train, d.valid, { batchSize: 4, bpttLen: 8 });
    other.loadCarry(carry);
    assert.deepEqual(other.saveCarry().c.toArray(), carry.c.toArray());
    assert.throws(
      () => new LanguageModelTask(model, d.train.slice(0, 3), null, { batchSize: 4, bpttLen: 8 }),
      /make no window of batch 4/,
    );
  });
});
