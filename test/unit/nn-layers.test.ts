import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { manualSeed, nn, ones, randn, tensor, type Tensor } from "../../src/index.js";

const int = (data: number[], shape?: number[]) => tensor(data, { shape, dtype: "int32" });
const stats = (t: Tensor) => {
  const xs = Array.from(t.data);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs) };
};

describe("Linear", () => {
  test("init is U(−1/√in, 1/√in) for weight and bias", () => {
    manualSeed(0);
    const fc = new nn.Linear(64, 300);
    const bound = 1 / 8;
    const w = stats(fc.weight);
    assert.ok(w.min >= -bound && w.max <= bound, `weight in ±${bound}: ${w.min}, ${w.max}`);
    assert.ok(w.min < -0.95 * bound && w.max > 0.95 * bound, "weight fills the interval");
    assert.ok(Math.abs(w.std - bound / Math.sqrt(3)) < 0.005, `uniform std ${w.std}`);
    const b = stats(fc.bias!);
    assert.ok(b.min >= -bound && b.max <= bound && b.max - b.min > bound);
  });

  test("forward is x·Wᵀ + b on the last dim of any-rank input", () => {
    manualSeed(1);
    const fc = new nn.Linear(3, 2);
    const x = randn([2, 4, 3]);
    const y = fc.forward(x);
    assert.deepEqual(y.shape, [2, 4, 2]);
    const expected = x.matmul(fc.weight.t()).add(fc.bias!);
    y.data.forEach((v, i) => assert.ok(Math.abs(v - expected.data[i]) < 1e-6));
    assert.deepEqual(fc.forward(randn([3])).shape, [2]);
  });

  test("bias: false has no bias parameter and a PyTorch repr", () => {
    const fc = new nn.Linear(4, 2, { bias: false });
    assert.equal(fc.bias, null);
    assert.deepEqual(Object.keys(fc.stateDict()), ["weight"]);
    assert.equal(String(fc), "Linear(in_features=4, out_features=2, bias=False)");
    assert.equal(String(new nn.Linear(4, 2)), "Linear(in_features=4, out_features=2, bias=True)");
  });

  test("errors name Linear, what was expected and what came", () => {
    const fc = new nn.Linear(64, 8);
    assert.throws(() => fc.forward(randn([16, 40, 32])), {
      message: "Linear: expected input with last dimension 64 (in_features), got [16, 40, 32]",
    });
    assert.throws(
      () => new nn.Linear(2.5, 3),
      /Linear: inFeatures must be a non-negative integer, got 2.5/,
    );
  });
});

describe("Embedding", () => {
  test("weight starts N(0, 1) with the padding row zeroed", () => {
    manualSeed(2);
    const emb = new nn.Embedding(200, 50, { paddingIdx: 7 });
    const s = stats(emb.weight);
    assert.ok(
      Math.abs(s.mean) < 0.03 && Math.abs(s.std - 1) < 0.03,
      `mean ${s.mean}, std ${s.std}`,
    );
    assert.deepEqual(Array.from(emb.weight.data.slice(7 * 50, 8 * 50)), new Array(50).fill(0));
  });

  test("a negative paddingIdx counts from the end, as in PyTorch", () => {
    const emb = new nn.Embedding(10, 3, { paddingIdx: -1 });
    assert.equal(emb.paddingIdx, 9);
    assert.equal(String(emb), "Embedding(10, 3, padding_idx=9)");
    assert.equal(String(new nn.Embedding(10, 3)), "Embedding(10, 3)");
    assert.throws(
      () => new nn.Embedding(10, 3, { paddingIdx: 10 }),
      /Embedding: paddingIdx must be an integer within \[-10, 10\)/,
    );
    assert.throws(() => new nn.Embedding(10, 3, { paddingIdx: -11 }), /got -11/);
  });

  test("forward looks up rows for indices of any shape", () => {
    manualSeed(3);
    const emb = new nn.Embedding(5, 2);
    const out = emb.forward(int([4, 0, 4, 1, 2, 3], [2, 3]));
    assert.deepEqual(out.shape, [2, 3, 2]);
    const row = (i: number) => Array.from(emb.weight.data.slice(2 * i, 2 * i + 2));
    assert.deepEqual(Array.from(out.data.slice(0, 6)), [...row(4), ...row(0), ...row(4)]);
    assert.deepEqual(emb.forward(int([3], [])).shape, [2]);
  });

  test("float32 indices and out-of-range indices give clear errors", () => {
    const emb = new nn.Embedding(10, 3);
    assert.throws(
      () => emb.forward(tensor([1, 2])),
      (e: Error) => {
        assert.match(e.message, /^Embedding: expected int32 indices, got float32 of shape \[2\]/);
        assert.match(e.message, /\.int\(\)/);
        assert.match(e.message, /dtype: "int32"/);
        return true;
      },
    );
    assert.throws(
      () => emb.forward(int([1, 10])),
      /Embedding: index 10 is out of range \[0, 10\) \(num_embeddings=10\)/,
    );
    assert.throws(() => emb.forward(int([-1])), /index -1 is out of range \[0, 10\)/);
    assert.throws(
      () => nn.functional.embedding(int([3]), randn([3, 2])),
      /^Error: embedding: index 3/,
    );
  });

  test("fromPretrained: frozen by default, still a parameter, rows unchanged", () => {
    const w = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const emb = nn.Embedding.fromPretrained(w, { paddingIdx: 1 });
    assert.equal(emb.weight.requiresGrad, false);
    assert.deepEqual(Object.keys(emb.stateDict()), ["weight"]);
    assert.equal(String(emb), "Embedding(3, 2, padding_idx=1)");
    // As in PyTorch, the padding row of pretrained vectors is kept (it only gets no gradient).
    assert.deepEqual(emb.forward(int([1, 2])).toArray(), [
      [3, 4],
      [5, 6],
    ]);
    const trainable = nn.Embedding.fromPretrained(w, { freeze: false, paddingIdx: 1 });
    assert.equal(trainable.weight.requiresGrad, true);
    trainable
      .forward(int([1, 2, 2]))
      .sum()
      .backward();
    assert.deepEqual(trainable.weight.grad!.toArray(), [
      [0, 0],
      [0, 0],
      [2, 2],
    ]);
    assert.throws(
      () => nn.Embedding.fromPretrained(tensor([1, 2])),
      /Embedding.fromPretrained: expected a 2-D tensor/,
    );
  });
});

describe("Dropout", () => {
  test("training zeroes about p of the elements and scales the rest by 1/(1−p)", () => {
    manualSeed(4);
    const drop = new nn.Dropout(0.25);
    const y = drop.forward(ones([100, 100]));
    const zeros = y.data.filter((v) => v === 0).length;
    assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.02, `dropped ${zeros / 10000}`);
  });

  test("eval mode is the identity; p is validated; PyTorch repr", () => {
    const drop = new nn.Dropout(0.5).eval();
    const x = randn([3, 3]);
    assert.equal(drop.forward(x), x);
    assert.throws(
      () => new nn.Dropout(1.5),
      /Dropout: probability has to be between 0 and 1, got 1.5/,
    );
    assert.equal(String(new nn.Dropout(0.1)), "Dropout(p=0.1, inplace=False)");
    assert.equal(String(new nn.Dropout(0)), "Dropout(p=0.0, inplace=False)");
  });
});

describe("Sequential and Identity", () => {
  test("children named 0, 1, … and forward chains them", () => {
    manualSeed(5);
    const a = new nn.Linear(3, 4);
    const b = new nn.Linear(4, 2);
    const seq = new nn.Sequential(a, new nn.Identity(), b);
    assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    assert.equal(seq.length, 3);
    assert.equal(seq.at(-1), b);
    assert.deepEqual([...seq], [a, seq.at(1), b]);
    const x = randn([5, 3]);
    assert.deepEqual(Array.from(seq.forward(x).data), Array.from(b.forward(a.forward(x)).data));
    seq.append(new nn.Dropout(0.5)).eval();
    assert.equal(seq.at(3).training, false);
  });

  test("errors", () => {
    assert.throws(
      () => new nn.Sequential(new nn.Linear(1, 1), {} as nn.Module),
      /Sequential: layer 1 is not a Module/,
    );
    assert.throws(
      () => new nn.Sequential().at(0),
      /Sequential: index 0 is out of range for 0 layers/,
    );
    class NoForward extends nn.Module {}
    assert.throws(
      () => new nn.Sequential(new NoForward()).forward(randn([1])),
      /layer 0 \(NoForward\) has no forward method/,
    );
  });
});
