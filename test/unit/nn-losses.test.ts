import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { logSoftmax, manualSeed, nn, randn, tensor } from "../../src/index.js";

const F = nn.functional;
const int = (data: number[], shape?: number[]) => tensor(data, { shape, dtype: "int32" });
const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe("crossEntropy and nllLoss", () => {
  test("crossEntropy is nllLoss of logSoftmax, and mean is the weighted mean over kept targets", () => {
    manualSeed(0);
    const x = randn([4, 3]);
    const y = int([0, 2, 1, 2]);
    const weight = tensor([1, 2, 4]);
    const logp = logSoftmax(x, 1);
    const opts = { weight, ignoreIndex: 1 };
    close(F.crossEntropy(x, y, opts).item(), F.nllLoss(logp, y, opts).item());
    // rows 0, 1, 3 count with weights 1, 4, 4
    const lp = (i: number, c: number) => logp.data[i * 3 + c];
    close(F.nllLoss(logp, y, opts).item(), -(lp(0, 0) * 1 + lp(1, 2) * 4 + lp(3, 2) * 4) / 9);
    const none = F.nllLoss(logp, y, { ...opts, reduction: "none" });
    [-lp(0, 0), -4 * lp(1, 2), 0, -4 * lp(3, 2)].forEach((v, i) => close(none.data[i], v));
    assert.ok(Object.is(none.data[2], 0), "an ignored target's loss is +0");
  });

  test("every target ignored: mean is NaN (as PyTorch), sum is 0, none is zeros", () => {
    const x = randn([3, 4], { requiresGrad: true });
    const y = int([-100, -100, -100]);
    assert.ok(Number.isNaN(F.crossEntropy(x, y).item()));
    assert.ok(Number.isNaN(F.crossEntropy(x, y, { labelSmoothing: 0.1 }).item()));
    assert.equal(F.crossEntropy(x, y, { reduction: "sum" }).item(), 0);
    assert.deepEqual(Array.from(F.nllLoss(x, y, { reduction: "none" }).data), [0, 0, 0]);
    assert.ok(Number.isNaN(F.crossEntropy(randn([4]), int([3], []), { ignoreIndex: 3 }).item()));
  });

  test("the module forms keep their options", () => {
    const x = randn([5, 3]);
    const y = int([0, 1, 2, 1, 0]);
    const opts = { ignoreIndex: 1, labelSmoothing: 0.3, reduction: "sum" as const };
    const m = new nn.CrossEntropyLoss(opts);
    assert.equal(m.forward(x, y).item(), F.crossEntropy(x, y, opts).item());
    assert.equal(new nn.NLLLoss({ reduction: "none" }).forward(x, y).shape.length, 1);
    assert.throws(
      () => new nn.MSELoss({ reduction: "avg" as "mean" }),
      /MSELoss: reduction must be "mean", "sum" or "none", got "avg"/,
    );
  });

  test("targets out of range name the class count; ignoreIndex is exempt", () => {
    const x = randn([3, 4]);
    assert.throws(
      () => F.crossEntropy(x, int([0, 4, 1])),
      /crossEntropy: target 4 is out of bounds for 4 classes \(expected 0 ≤ target < 4, or ignoreIndex -100\) at flat position 1/,
    );
    assert.throws(
      () => F.nllLoss(x, int([0, -1, 1])),
      /nllLoss: target -1 is out of bounds for 4 classes/,
    );
    assert.ok(Number.isFinite(F.crossEntropy(x, int([0, -1, 1]), { ignoreIndex: -1 }).item()));
  });

  test("shape, dtype and option errors", () => {
    const x = randn([3, 4, 2]);
    assert.throws(
      () => F.crossEntropy(x, int([0, 1, 2])),
      /crossEntropy: expected target of shape \[3, 2\] for input of shape \[3, 4, 2\], got \[3\]/,
    );
    assert.throws(
      () => F.crossEntropy(randn([3, 4]), tensor([0, 1, 2])),
      (e: Error) => {
        assert.match(
          e.message,
          /expected int32 class indices of shape \[3\] or float class probabilities of the input's shape \[3, 4\], got float32 \[3\]/,
        );
        assert.match(e.message, /\.int\(\)/);
        return true;
      },
    );
    assert.throws(
      () => F.nllLoss(randn([3, 4]), tensor([0, 1, 2])),
      /nllLoss: expected int32 class indices as target, got float32/,
    );
    assert.throws(
      () => F.crossEntropy(randn([3, 4]), int([0, 1, 2]), { weight: tensor([1, 2]) }),
      /crossEntropy: expected weight of shape \[4\] \(one per class\), got \[2\]/,
    );
    assert.throws(
      () => F.crossEntropy(randn([3, 4]), int([0, 1, 2]), { labelSmoothing: 1.5 }),
      /labelSmoothing must be between 0 and 1, got 1.5/,
    );
    assert.throws(
      () => F.crossEntropy(tensor(1), int([0])),
      /crossEntropy: expected input of shape \[N, C\], \[C\] or \[N, C, d1, ...\], got \[\]/,
    );
  });
});

describe("binaryCrossEntropyWithLogits and mseLoss", () => {
  test("BCE with logits equals −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]·w and stays finite for large logits", () => {
    const x = tensor([[-2, 0.5, 3]]);
    const y = tensor([[0.2, 1, 0]]);
    const w = tensor([1, 2, 0.5]);
    const p = tensor([3, 1, 2]);
    const out = F.binaryCrossEntropyWithLogits(x, y, {
      weight: w,
      posWeight: p,
      reduction: "none",
    });
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    [-2, 0.5, 3].forEach((xi, i) => {
      const [yi, wi, pi] = [[0.2, 1, 0][i], [1, 2, 0.5][i], [3, 1, 2][i]];
      close(out.data[i], -wi * (pi * yi * Math.log(s(xi)) + (1 - yi) * Math.log(1 - s(xi))), 1e-5);
    });
    const big = F.binaryCrossEntropyWithLogits(tensor([100, -100]), tensor([0, 1]), {
      reduction: "none",
    });
    assert.deepEqual(Array.from(big.data), [100, 100]);
  });

  test("BCE and MSE require the input's shape", () => {
    assert.throws(
      () => F.binaryCrossEntropyWithLogits(randn([3, 1]), randn([3])),
      /binaryCrossEntropyWithLogits: expected target of the input's shape \[3, 1\], got \[3\]/,
    );
    assert.throws(
      () => new nn.BCEWithLogitsLoss().forward(randn([2]), int([0, 1])),
      /expected a float32 target/,
    );
    assert.throws(
      () => F.mseLoss(randn([3, 2]), randn([2])),
      /mseLoss: expected target of the input's shape \[3, 2\], got \[2\]/,
    );
  });

  test("mseLoss reductions", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 0, 6]);
    close(F.mseLoss(a, b).item(), 13 / 3);
    assert.equal(new nn.MSELoss({ reduction: "sum" }).forward(a, b).item(), 13);
    assert.deepEqual(Array.from(F.mseLoss(a, b, { reduction: "none" }).data), [0, 4, 9]);
  });
});
