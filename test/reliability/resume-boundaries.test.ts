/**
 * Exact resume from every kind of checkpoint the Trainer writes — mid-epoch, at an epoch end,
 * and one that already reached --max-steps — for the language-model task, whose hidden state is
 * carried between batches and reset at each epoch start. The kill tests (crash-safety.test.ts)
 * reach the epoch-end checkpoint only when a kill falls in the few milliseconds before the next
 * one; here each boundary is hit on purpose, in-process and deterministically.
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/resume-boundaries.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Adam } from "../../src/optim/adam.js";
import { decodeCheckpoint, type CheckpointFiles } from "../../src/tasks/common/checkpoint.js";
import { Trainer } from "../../src/tasks/common/trainer.js";
import { prepareLmData } from "../../src/tasks/language-model/data.js";
import { RNNLanguageModel } from "../../src/tasks/language-model/model.js";
import { LanguageModelTask } from "../../src/tasks/language-model/task.js";
import { manualSeed } from "../../src/tensor/random.js";

const text =
  "Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail. ".repeat(
    12,
  );

/** A fresh run (or one resumed from `resume`), trained to `maxSteps`; its last checkpoint. */
async function train(maxSteps: number, resume: CheckpointFiles | null) {
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
  const task = new LanguageModelTask(model, data.train, data.valid, { batchSize: 2, bpttLen: 10 });
  let last: CheckpointFiles | null = null;
  const summary = await new Trainer(task, {
    optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    epochs: 5,
    maxSteps,
    checkpointEvery: 3,
    resume: resume && decodeCheckpoint(resume),
    onCheckpoint: (files) => void (last = files),
  }).run();
  const weights = model.parameters().flatMap((p) => Array.from(p.data));
  return {
    summary,
    last: last as CheckpointFiles | null,
    weights,
    perEpoch: task.batchesPerEpoch(0),
  };
}

describe("exact resume at the Trainer's boundaries", () => {
  test("from mid-epoch, an epoch end, and a finished run", async () => {
    const probe = await train(1, null);
    const E = probe.perEpoch; // batches in epoch 0
    const total = 2 * E + 4;
    const whole = await train(total, null);
    for (const [what, stopAt] of [
      ["mid-epoch", E - 2],
      ["an epoch end", E],
      ["the second epoch end", 2 * E],
      ["the end (already at --max-steps)", total],
    ] as const) {
      const first = await train(stopAt, null);
      assert.ok(first.last, `${what}: no checkpoint`);
      assert.equal(decodeCheckpoint(first.last).state.globalStep, stopAt);
      const resumed = await train(total, first.last);
      assert.equal(
        resumed.summary.globalStep,
        total,
        `${what}: resumed to step ${resumed.summary.globalStep}`,
      );
      assert.deepEqual(
        resumed.weights,
        whole.weights,
        `${what}: the weights differ from an uninterrupted run's`,
      );
    }
  });
});
