/**
 * Optimizer base behaviour: zeroGrad, parameters without gradients, parameter groups, option
 * validation with PyTorch's messages, and the state-dict round trip that resumes bit-exactly.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { manualSeed, optim, randn, tensor, Tensor } from "../../src/index.js";

type Make = (params: Tensor[] | optim.ParamGroupInput[]) => optim.Optimizer;

const makers: Record<string, Make> = {
  "SGD nesterov": (p) =>
    new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  "SGD dampening": (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.2 }),
  "Adam amsgrad": (p) => new optim.Adam(p, { lr: 0.05, amsgrad: true, weightDecay: 0.01 }),
  AdamW: (p) => new optim.AdamW(p, { lr: 0.05 }),
  "RMSprop centered momentum": (p) =>
    new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9 }),
  "Adagrad lrDecay": (p) =>
    new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.1, initialAccumulatorValue: 0.1 }),
};

function makeParams(): Tensor[] {
  manualSeed(7);
  return [randn([4, 3], { requiresGrad: true }), randn([5], { requiresGrad: true })];
}

/** A fixed non-quadratic loss: Σ (p − 0.5)² + 0.1 Σ p⁴ over every parameter. */
function backward(params: Tensor[]): void {
  let total: Tensor | null = null;
  for (const p of params) {
    const d = p.sub(0.5);
    const term = d.mul(d).sum().add(p.mul(p).mul(p).mul(p).sum().mul(0.1));
    total = total === null ? term : total.add(term);
  }
  total!.backward();
}

function run(opt: optim.Optimizer, params: Tensor[], steps: number): void {
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    backward(params);
    opt.step();
  }
}

/** The state dict with every tensor written as { shape, data } and back, as a file would. */
function throughJson(sd: optim.OptimizerStateDict): optim.OptimizerStateDict {
  const text = JSON.stringify(sd, (_k, v) =>
    v instanceof Tensor ? { shape: v.shape, data: [...v.data] } : v,
  );
  return JSON.parse(text, (_k, v) =>
    v && typeof v === "object" && "shape" in v && "data" in v
      ? tensor(v.data, { shape: v.shape })
      : v,
  ) as optim.OptimizerStateDict;
}

describe("Optimizer: stateDict round trip", () => {
  for (const [name, make] of Object.entries(makers)) {
    test(`${name}: 5 steps + save + restore + 5 steps equals 10 steps, bit for bit`, () => {
      const a = makeParams();
      const optA = make([{ params: [a[0]] }, { params: [a[1]], lr: 0.02 }]);
      run(optA, a, 10);

      const b = makeParams();
      const optB = make([{ params: [b[0]] }, { params: [b[1]], lr: 0.02 }]);
      run(optB, b, 5);
      const saved = throughJson(optB.stateDict());
      const optC = make([{ params: [b[0]] }, { params: [b[1]], lr: 0.02 }]);
      optC.loadStateDict(saved);
      run(optC, b, 5);
      b.forEach((p, i) => assert.deepEqual([...p.data], [...a[i].data], `parameter ${i}`));
      assert.deepEqual(
        JSON.stringify(throughJson(optC.stateDict())),
        JSON.stringify(throughJson(optA.stateDict())),
      );
    });
  }

  test("stateDict is a snapshot and loadStateDict copies", () => {
    const p = makeParams();
    const opt = new optim.RMSprop(p, { momentum: 0.9 });
    run(opt, p, 2);
    const sd = opt.stateDict();
    const buf = sd.state[0].momentum_buffer as Tensor;
    const before = [...buf.data];
    run(opt, p, 1);
    assert.deepEqual([...buf.data], before);
    const other = new optim.RMSprop(makeParams(), { momentum: 0.9 });
    other.loadStateDict(sd);
    buf.data.fill(0);
    assert.deepEqual([...(other.stateDict().state[0].momentum_buffer as Tensor).data], before);
  });

  test("loadStateDict restores group options such as a scheduled lr", () => {
    const p = makeParams();
    const opt = new optim.Adam(p, { lr: 0.1 });
    opt.paramGroups[0].lr = 0.025;
    const other = new optim.Adam(makeParams(), { lr: 0.1 });
    other.loadStateDict(opt.stateDict());
    assert.equal(other.paramGroups[0].lr, 0.025);
    assert.deepEqual(other.paramGroups[0].betas, [0.9, 0.999]);
  });

  test("loadStateDict rejects mismatched groups and shapes", () => {
    const opt = new optim.SGD(makeParams(), { lr: 0.1, momentum: 0.9 });
    run(opt, opt.paramGroups[0].params, 1);
    const sd = opt.stateDict();
    const twoGroups = new optim.SGD(
      [{ params: [makeParams()[0]] }, { params: [makeParams()[1]] }],
      { lr: 0.1 },
    );
    assert.throws(() => twoGroups.loadStateDict(sd), /different number of parameter groups/);
    const fewer = new optim.SGD([makeParams()[0]], { lr: 0.1 });
    assert.throws(() => fewer.loadStateDict(sd), /doesn't match the size of optimizer's group/);
    const swapped = new optim.SGD([makeParams()[1], makeParams()[0]], { lr: 0.1 });
    assert.throws(
      () => swapped.loadStateDict(sd),
      /momentum_buffer of parameter 0 has shape \[4, 3\], expected \[5\]/,
    );
  });

  test("state entries use PyTorch's names", () => {
    const p = makeParams();
    const opt = new optim.Adam(p, { amsgrad: true });
    run(opt, p, 2);
    const s = opt.stateDict().state[0];
    assert.deepEqual(Object.keys(s).sort(), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
    assert.equal(s.step, 2);
  });
});

describe("Optimizer: gradients", () => {
  test("zeroGrad sets grads to null by default, or zeros them in place", () => {
    const p = makeParams();
    const opt = new optim.SGD(p, { lr: 0.1 });
    backward(p);
    const g = p[0].grad!;
    opt.zeroGrad({ setToNone: false });
    assert.equal(p[0].grad, g);
    assert.ok(g.data.every((x) => x === 0));
    opt.zeroGrad();
    assert.equal(p[0].grad, null);
    assert.equal(p[1].grad, null);
  });

  test("parameters without a gradient are skipped and get no state", () => {
    const p = makeParams();
    const before = [...p[1].data];
    const opt = new optim.Adam(p, { lr: 0.1 });
    backward([p[0]]);
    opt.step();
    assert.deepEqual([...p[1].data], before);
    assert.deepEqual(Object.keys(opt.stateDict().state), ["0"]);
    assert.equal(opt.state.get(p[0])!.step, 1);
    // Zero gradients are not skipped: Adam still moves nothing but counts the step.
    p[1].grad = tensor(new Float32Array(5));
    opt.step();
    assert.equal(opt.state.get(p[1])!.step, 1);
    assert.equal(opt.state.get(p[0])!.step, 2);
  });

  test("step(closure) returns the closure's loss", () => {
    const p = makeParams();
    const opt = new optim.SGD(p, { lr: 0.1 });
    const loss = opt.step(() => {
      backward(p);
      return 42;
    });
    assert.equal(loss, 42);
    assert.notEqual(p[0].grad, null);
  });

  test("SGD plain step is p - lr * grad", () => {
    const w = tensor([1, -2, 3], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.5 });
    w.grad = tensor([2, 2, -4]);
    opt.step();
    assert.deepEqual([...w.data], [0, -3, 5]);
  });
});

describe("Optimizer: parameter groups and validation", () => {
  test("groups take missing options from the defaults", () => {
    const [a, b] = makeParams();
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.01, momentum: 0.5 }], {
      lr: 0.1,
      momentum: 0.9,
    });
    assert.equal(opt.paramGroups[0].lr, 0.1);
    assert.equal(opt.paramGroups[0].momentum, 0.9);
    assert.equal(opt.paramGroups[1].lr, 0.01);
    assert.equal(opt.paramGroups[1].momentum, 0.5);
    assert.equal(opt.paramGroups[1].nesterov, false);
  });

  test("SGD needs lr in the options or in every group", () => {
    const [a, b] = makeParams();
    assert.throws(
      () => new optim.SGD([a]),
      /didn't specify a value of required optimization parameter lr/,
    );
    const opt = new optim.SGD([
      { params: [a], lr: 0.1 },
      { params: [b], lr: 0.2 },
    ]);
    assert.deepEqual(
      opt.paramGroups.map((g) => g.lr),
      [0.1, 0.2],
    );
  });

  test("invalid options throw PyTorch's messages", () => {
    const p = makeParams();
    const cases: [() => unknown, RegExp][] = [
      [() => new optim.SGD(p, { lr: -1 }), /SGD: Invalid learning rate: -1/],
      [() => new optim.SGD(p, { lr: 0.1, momentum: -0.5 }), /Invalid momentum value: -0.5/],
      [() => new optim.SGD(p, { lr: 0.1, weightDecay: -1 }), /Invalid weight_decay value: -1/],
      [
        () => new optim.SGD(p, { lr: 0.1, nesterov: true }),
        /Nesterov momentum requires a momentum and zero dampening/,
      ],
      [
        () => new optim.SGD(p, { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }),
        /Nesterov momentum requires/,
      ],
      [() => new optim.Adam(p, { lr: -0.001 }), /Adam: Invalid learning rate: -0.001/],
      [() => new optim.Adam(p, { eps: -1 }), /Invalid epsilon value: -1/],
      [() => new optim.Adam(p, { betas: [1, 0.999] }), /Invalid beta parameter at index 0: 1/],
      [
        () => new optim.AdamW(p, { betas: [0.9, -0.1] }),
        /AdamW: Invalid beta parameter at index 1: -0.1/,
      ],
      [() => new optim.AdamW(p, { weightDecay: -0.01 }), /Invalid weight_decay value: -0.01/],
      [() => new optim.RMSprop(p, { alpha: -0.1 }), /RMSprop: Invalid alpha value: -0.1/],
      [() => new optim.RMSprop(p, { momentum: -1 }), /Invalid momentum value: -1/],
      [() => new optim.Adagrad(p, { lrDecay: -1 }), /Adagrad: Invalid lr_decay value: -1/],
      [
        () => new optim.Adagrad(p, { initialAccumulatorValue: -1 }),
        /Invalid initial_accumulator_value value: -1/,
      ],
      [() => new optim.Adam(p, { lr: NaN }), /Invalid learning rate: NaN/],
      [() => new optim.Adam([], {}), /Adam: optimizer got an empty parameter list/],
      [
        () => new optim.Adam([{ params: [p[0]] }, { params: [p[0], p[1]] }]),
        /appear in more than one parameter group/,
      ],
      [() => new optim.Adam([p[0].mul(2)]), /can't optimize a non-leaf Tensor/],
      [() => new optim.SGD([{ params: p, lr: -2 }], { lr: 0.1 }), /Invalid learning rate: -2/],
    ];
    for (const [make, message] of cases) assert.throws(make, message);
  });

  test("defaults match PyTorch", () => {
    const p = makeParams();
    const adam = new optim.Adam(p).paramGroups[0];
    assert.deepEqual(
      [adam.lr, adam.betas, adam.eps, adam.weightDecay, adam.amsgrad],
      [1e-3, [0.9, 0.999], 1e-8, 0, false],
    );
    assert.equal(new optim.AdamW(p).paramGroups[0].weightDecay, 1e-2);
    const rms = new optim.RMSprop(p).paramGroups[0];
    assert.deepEqual(
      [rms.lr, rms.alpha, rms.eps, rms.momentum, rms.centered],
      [1e-2, 0.99, 1e-8, 0, false],
    );
    const ada = new optim.Adagrad(p).paramGroups[0];
    assert.deepEqual(
      [ada.lr, ada.lrDecay, ada.initialAccumulatorValue, ada.eps],
      [1e-2, 0, 0, 1e-10],
    );
  });

  test("a state tensor of the wrong shape is rejected by the kernel wrapper", () => {
    const p = makeParams();
    const opt = new optim.SGD(p, { lr: 0.1, momentum: 0.9 });
    opt.state.set(p[0], { momentum_buffer: tensor([1, 2, 3]) });
    backward(p);
    assert.throws(
      () => opt.step(),
      /sgdUpdate: expected momentum buffer of shape \[4, 3\] like the parameter, got \[3\]/,
    );
  });
});
