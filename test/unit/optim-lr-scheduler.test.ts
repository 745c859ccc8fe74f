/**
 * LR schedules beyond the PyTorch sequences of test/parity/optim.test.ts: closed forms, the
 * state-dict round trip (also through JSON), per-group minimum rates and option validation.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { optim, tensor, zeros } from "../../src/index.js";

const { StepLR, ExponentialLR, ReduceLROnPlateau } = optim.lrScheduler;

function makeOpt(): optim.SGD {
  const a = zeros([2], { requiresGrad: true });
  const b = zeros([3], { requiresGrad: true });
  return new optim.SGD([{ params: [a] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
}

describe("lrScheduler", () => {
  test("StepLR follows lr0 · gamma^floor(epoch / stepSize) and records initialLr", () => {
    const opt = makeOpt();
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    assert.deepEqual(
      opt.paramGroups.map((g) => g.initialLr),
      [0.1, 0.01],
    );
    for (let epoch = 1; epoch <= 7; epoch++) {
      sched.step();
      const factor = 0.5 ** Math.floor(epoch / 2);
      sched
        .getLastLr()
        .forEach((lr, i) => assert.ok(Math.abs(lr - [0.1, 0.01][i] * factor) < 1e-15));
    }
    assert.equal(sched.lastEpoch, 7);
  });

  test("ExponentialLR multiplies by gamma every epoch", () => {
    const opt = makeOpt();
    const sched = new ExponentialLR(opt, { gamma: 0.5 });
    assert.deepEqual(sched.getLastLr(), [0.1, 0.01]);
    sched.step();
    sched.step();
    assert.deepEqual(sched.getLastLr(), [0.025, 0.0025]);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.025, 0.0025],
    );
  });

  test("StepLR state dict round trip resumes the schedule", () => {
    const opt = makeOpt();
    const sched = new StepLR(opt, { stepSize: 3, gamma: 0.1 });
    for (let i = 0; i < 4; i++) sched.step();
    const saved = JSON.parse(JSON.stringify({ opt: opt.stateDict(), sched: sched.stateDict() }));
    const opt2 = makeOpt();
    opt2.loadStateDict(saved.opt);
    const sched2 = new StepLR(opt2, { stepSize: 1, gamma: 0.9 });
    sched2.loadStateDict(saved.sched);
    for (let i = 0; i < 5; i++) {
      sched.step();
      sched2.step();
      assert.deepEqual(sched2.getLastLr(), sched.getLastLr());
    }
    assert.equal(sched2.lastEpoch, 9);
    assert.throws(
      () => sched2.loadStateDict({ bogus: 1 }),
      /StepLR.loadStateDict: unexpected key bogus/,
    );
  });

  test("ReduceLROnPlateau reduces after patience, respects per-group minLr and cooldown", () => {
    const opt = makeOpt();
    const sched = new ReduceLROnPlateau(opt, {
      patience: 1,
      factor: 0.5,
      cooldown: 1,
      minLr: [0.03, 0.008],
    });
    const lrs: number[][] = [];
    for (const m of [1, 1, 1, 1, 1, 1, 1]) {
      sched.step(m);
      lrs.push(sched.getLastLr());
    }
    assert.deepEqual(lrs, [
      [0.1, 0.01],
      [0.1, 0.01],
      [0.05, 0.008], // 2 bad epochs > patience 1
      [0.05, 0.008], // cooldown
      [0.05, 0.008],
      [0.03, 0.008], // floor reached; 0.008 stays (no change below eps)
      [0.03, 0.008],
    ]);
    sched.step(tensor([0.5]));
    assert.equal(sched.best, 0.5);
  });

  test("ReduceLROnPlateau state dict survives JSON, including best = Infinity", () => {
    const opt = makeOpt();
    const sched = new ReduceLROnPlateau(opt, { mode: "max", patience: 0 });
    const fresh = JSON.parse(JSON.stringify(sched.stateDict()));
    assert.equal(fresh.best, null);
    const other = new ReduceLROnPlateau(makeOpt(), { mode: "max" });
    other.loadStateDict(fresh);
    assert.equal(other.best, -Infinity);
    assert.equal(other.patience, 0);
    sched.step(2);
    sched.step(1);
    other.loadStateDict(JSON.parse(JSON.stringify(sched.stateDict())));
    assert.equal(other.best, 2);
    assert.equal(other.lastEpoch, 2);
    assert.deepEqual(other.getLastLr(), [0.010000000000000002, 0.001]);
  });

  test("invalid options throw PyTorch's messages", () => {
    assert.throws(() => new ReduceLROnPlateau(makeOpt(), { factor: 1 }), /Factor should be < 1.0./);
    assert.throws(
      () => new ReduceLROnPlateau(makeOpt(), { minLr: [0.1] }),
      /expected 2 min_lrs, got 1/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(makeOpt(), { mode: "up" as "min" }),
      /ReduceLROnPlateau: mode up is unknown!/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(makeOpt(), { thresholdMode: "x" as "rel" }),
      /threshold mode x is unknown!/,
    );
    assert.throws(
      () => new StepLR(makeOpt(), { stepSize: 0 }),
      /StepLR: expected stepSize to be a positive integer, got 0/,
    );
  });
});
