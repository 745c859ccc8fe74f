import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  gradcheck,
  manualSeed,
  nn,
  rand,
  randn,
  softmax,
  tensor,
  type Tensor,
} from "../../src/index.js";

const F = nn.functional;
const int = (data: number[], shape: number[]) => tensor(data, { shape, dtype: "int32" });
const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => {
  const r = gradcheck(fn, inputs);
  assert.ok(r.ok, r.message);
  return r;
};

describe("gradcheck: layers", () => {
  test("Linear with bias on 3-D input: input, weight and bias", () => {
    manualSeed(1);
    const fc = new nn.Linear(4, 3);
    check((x) => fc.forward(x), [randn([2, 3, 4], { requiresGrad: true }), fc.weight, fc.bias!]);
  });

  test("Linear without bias", () => {
    manualSeed(2);
    const fc = new nn.Linear(5, 2, { bias: false });
    check((x) => fc.forward(x), [randn([3, 5], { requiresGrad: true }), fc.weight]);
  });

  test("Embedding with repeated indices", () => {
    manualSeed(3);
    const emb = new nn.Embedding(6, 3);
    check(() => emb.forward(int([0, 1, 5, 5, 2, 1, 0, 0], [2, 4])), [emb.weight]);
  });

  test("Embedding's padding row gets no gradient though the output depends on it", () => {
    manualSeed(3);
    const emb = new nn.Embedding(6, 3, { paddingIdx: 1 });
    const idx = int([0, 1, 5, 5, 2, 1, 0, 0], [2, 4]);
    // Finite differences see the padding row (the lookup reads it); the rule deliberately does not.
    assert.equal(gradcheck(() => emb.forward(idx), [emb.weight], { raise: false }).ok, false);
    emb.weight.grad = null;
    emb.forward(idx).sum().backward();
    assert.deepEqual(Array.from(emb.weight.grad!.data.slice(3, 6)), [0, 0, 0]);
    assert.deepEqual(Array.from(emb.weight.grad!.data.slice(0, 3)), [3, 3, 3]);
  });
});

describe("gradcheck: losses", () => {
  const weight = tensor([0.5, 2, 1, 1.5]);
  for (const reduction of ["mean", "sum", "none"] as const) {
    test(`crossEntropy [N, C, d] with weight, ignoreIndex and labelSmoothing (${reduction})`, () => {
      manualSeed(4);
      const target = int([0, 3, 2, 1, 2, 0], [2, 3]);
      const opts = { weight, ignoreIndex: 2, labelSmoothing: 0.15, reduction };
      check((x) => F.crossEntropy(x, target, opts), [randn([2, 4, 3], { requiresGrad: true })]);
    });
  }

  test("crossEntropy with class probabilities: input and target", () => {
    manualSeed(5);
    const p = softmax(randn([3, 4]), 1)
      .detach()
      .requiresGrad_();
    check(
      (x, t) => F.crossEntropy(x, t, { weight, labelSmoothing: 0.1 }),
      [randn([3, 4], { requiresGrad: true }), p],
    );
  });

  test("crossEntropy unbatched [C]", () => {
    manualSeed(6);
    check((x) => F.crossEntropy(x, int([2], [])), [randn([4], { requiresGrad: true })]);
  });

  test("nllLoss with weight and ignoreIndex", () => {
    manualSeed(7);
    const target = int([1, 0, 3, 3, 2], [5]);
    check(
      (x) => F.nllLoss(x, target, { weight, ignoreIndex: 0 }),
      [randn([5, 4], { requiresGrad: true })],
    );
  });

  test("binaryCrossEntropyWithLogits with weight and posWeight", () => {
    manualSeed(8);
    const opts = {
      weight: tensor([1, 0.5, 2]),
      posWeight: tensor([3, 1, 0.5]),
      reduction: "sum" as const,
    };
    const x = randn([4, 3]).mul(3).detach().requiresGrad_();
    const y = rand([4, 3]);
    check((a) => F.binaryCrossEntropyWithLogits(a, y, opts), [x]);
  });

  test("mseLoss: input and target", () => {
    manualSeed(9);
    check(
      (a, b) => F.mseLoss(a, b),
      [randn([3, 4], { requiresGrad: true }), randn([3, 4], { requiresGrad: true })],
    );
  });
});
