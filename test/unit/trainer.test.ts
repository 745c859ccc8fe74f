import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Linear } from "../../src/nn/linear.js";
import { Dropout } from "../../src/nn/dropout.js";
import { Module } from "../../src/nn/module.js";
import { mseLoss } from "../../src/nn/functional/mse-loss.js";
import { Adam } from "../../src/optim/adam.js";
import { ReduceLROnPlateau } from "../../src/optim/lr-scheduler.js";
import { randn } from "../../src/tensor/creation.js";
import { Generator, manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointFiles,
} from "../../src/tasks/common/checkpoint.js";
import { Trainer, type TrainerTask } from "../../src/tasks/common/trainer.js";

class Net extends Module {
  fc = new Linear(4, 1);
  drop = new Dropout(0.3);
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.drop.forward(x));
  }
}

interface Batch {
  x: Tensor;
  y: Tensor;
}

/** 5 batches an epoch, the same for a given epoch; a NaN batch when asked. */
class Regression implements TrainerTask<Batch> {
  readonly model = new Net();
  evaluations = 0;
  constructor(private readonly nanAt = -1) {}
  batchesPerEpoch(): number {
    return 5;
  }
  *batches(epoch: number): Iterable<Batch> {
    const g = new Generator(100 + epoch);
    for (let i = 0; i < 5; i++) {
      const x = new Tensor(
        Float32Array.from({ length: 12 }, () => g.normal()),
        [3, 4],
      );
      const y = new Tensor(
        Float32Array.from({ length: 3 }, () => g.normal()),
        [3, 1],
      );
      if (epoch * 5 + i === this.nanAt) y.data[0] = NaN;
      yield { x, y };
    }
  }
  trainStep(b: Batch) {
    return { loss: mseLoss(this.model.forward(b.x), b.y), items: 3, tokens: 3 };
  }
  evaluate() {
    this.evaluations++;
    const x = randn([2, 4], { generator: new Generator(7) });
    return { loss: this.model.forward(x).abs().mean().item() };
  }
}

function setup(nanAt = -1) {
  manualSeed(3);
  const task = new Regression(nanAt);
  const optimizer = new Adam(task.model.parameters(), { lr: 0.05 });
  const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
  return { task, optimizer, scheduler };
}

const weights = (m: Module): number[] => m.parameters().flatMap((p) => Array.from(p.data));

describe("Trainer", () => {
  test("runs epochs × batches steps, validates at epoch ends and every evalEvery steps", async () => {
    const { task, optimizer, scheduler } = setup();
    const steps: number[] = [];
    const summary = await new Trainer(task, {
      optimizer,
      scheduler,
      epochs: 3,
      evalEvery: 2,
      events: { onStep: (r) => steps.push(r.globalStep) },
    }).run();
    assert.equal(summary.reason, "done");
    assert.equal(summary.globalStep, 15);
    assert.deepEqual(
      steps,
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    // every 2 steps (7, not counting steps 10 and ... at epoch ends) plus 3 epoch ends
    const evalSteps = new Set([2, 4, 6, 8, 12, 14, 5, 10, 15]);
    assert.equal(task.evaluations, evalSteps.size);
  });

  test("a stopped and resumed run ends with the same weights and optimizer state, bit for bit", async () => {
    const a = setup();
    await new Trainer(a.task, {
      optimizer: a.optimizer,
      scheduler: a.scheduler,
      epochs: 3,
      evalEvery: 3,
    }).run();

    const b = setup();
    let saved: CheckpointFiles | null = null;
    const first = await new Trainer(b.task, {
      optimizer: b.optimizer,
      scheduler: b.scheduler,
      epochs: 3,
      evalEvery: 3,
      maxSteps: 7,
      onCheckpoint: (files) => {
        saved = files;
      },
    }).run();
    assert.equal(first.reason, "maxSteps");
    const ckpt = decodeCheckpoint(saved!);
    assert.deepEqual([ckpt.state.epoch, ckpt.state.batch, ckpt.state.globalStep], [1, 2, 7]);

    const c = setup(); // fresh weights and RNG: everything must come from the checkpoint
    manualSeed(999);
    const resumed = await new Trainer(c.task, {
      optimizer: c.optimizer,
      scheduler: c.scheduler,
      epochs: 3,
      evalEvery: 3,
      resume: ckpt,
    }).run();
    assert.equal(resumed.globalStep, 15);
    assert.deepEqual(weights(c.task.model), weights(a.task.model));
    assert.deepEqual(c.optimizer.paramGroups[0].lr, a.optimizer.paramGroups[0].lr);
    const ea = encodeCheckpoint({
      model: a.task.model,
      optimizer: a.optimizer,
      position: { epoch: 3, batch: 0, globalStep: 15 },
      rng: [1, 2, 3, 4],
    });
    const ec = encodeCheckpoint({
      model: c.task.model,
      optimizer: c.optimizer,
      position: { epoch: 3, batch: 0, globalStep: 15 },
      rng: [1, 2, 3, 4],
    });
    assert.deepEqual(ec["optimizer.safetensors"], ea["optimizer.safetensors"]);
  });

  test("a NaN loss stops training with a message naming the step and the fixes", async () => {
    const { task, optimizer } = setup(6);
    const before: number[][] = [];
    const summary = await new Trainer(task, {
      optimizer,
      epochs: 2,
      events: { onStep: () => before.push(weights(task.model)) },
    }).run();
    assert.equal(summary.reason, "nonfinite");
    assert.equal(summary.globalStep, 6);
    assert.match(summary.nonfinite!.message, /step 7 \(epoch 2, batch 2\): loss NaN/);
    assert.match(summary.nonfinite!.message, /Lower the learning rate.*--clip.*--skip-nonfinite/);
    assert.ok(weights(task.model).every(Number.isFinite));
  });

  test("skipNonfinite skips and counts such batches", async () => {
    const { task, optimizer } = setup(6);
    const trainer = new Trainer(task, { optimizer, epochs: 2, skipNonfinite: true });
    const summary = await trainer.run();
    assert.equal(summary.reason, "done");
    assert.equal(trainer.skippedNonfinite, 1);
    assert.ok(weights(task.model).every(Number.isFinite));
  });

  test("requestStop ends after the current step with a checkpoint", async () => {
    const { task, optimizer } = setup();
    let checkpoints = 0;
    const trainer = new Trainer(task, {
      optimizer,
      epochs: 5,
      onCheckpoint: () => {
        checkpoints++;
      },
      events: { onStep: (r) => r.globalStep === 3 && trainer.requestStop() },
    });
    const summary = await trainer.run();
    assert.deepEqual([summary.reason, summary.globalStep, checkpoints], ["stopped", 3, 1]);
  });

  test("rejects a bad epoch count", () => {
    const { task, optimizer } = setup();
    assert.throws(
      () => new Trainer(task, { optimizer, epochs: 0 }),
      /expected epochs to be a positive integer, got 0/,
    );
  });
});

describe("checkpoint files", () => {
  const files = (): CheckpointFiles => {
    const { task, optimizer } = setup();
    return encodeCheckpoint({
      model: task.model,
      optimizer,
      position: { epoch: 0, batch: 2, globalStep: 2 },
      rng: [1, 2, 3, 4],
      carry: { h: randn([1, 2, 3]) },
    });
  };

  test("round trip keeps position, RNG and carried tensors", () => {
    const ckpt = decodeCheckpoint(files());
    assert.deepEqual(ckpt.state.rng, [1, 2, 3, 4]);
    assert.deepEqual(ckpt.carry.h.shape, [1, 2, 3]);
    assert.deepEqual(Object.keys(ckpt.model).sort(), ["fc.bias", "fc.weight"]);
  });

  test("files from different steps, missing files and other versions are refused", () => {
    const a = files();
    const later = {
      ...a,
      "state.json": String(a["state.json"]).replace('"globalStep": 2', '"globalStep": 3'),
    };
    assert.throws(
      () => decodeCheckpoint(later),
      /model.safetensors is from step 2 but state.json from step 3/,
    );
    const missing = { ...a };
    delete missing["optimizer.safetensors"];
    assert.throws(() => decodeCheckpoint(missing), /has no optimizer.safetensors/);
    const v2 = {
      ...a,
      "state.json": String(a["state.json"]).replace('"version": 1', '"version": 2'),
    };
    assert.throws(() => decodeCheckpoint(v2), /format version 2, this recurrent reads version 1/);
    assert.throws(
      () => decodeCheckpoint({ ...a, "state.json": "{" }),
      /state.json is not valid JSON/,
    );
  });
});
