/**
 * Optimizers on row-sparse gradients (nn.Embedding({ sparse: true })): 5-step parity with
 * PyTorch 1.13 for SGD, Adagrad and SparseAdam (fixture from test/parity/gen_sparse_optim.py),
 * sparse-vs-dense agreement where PyTorch's semantics agree, rows outside a batch left alone,
 * every refusal message, zeroGrad({ setToNone: false }), the state-dict round trip and
 * clipGradNorm on a sparse grad.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { manualSeed, nn, optim, randn, tensor, Tensor, utils } from "../../src/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

type Options = Record<string, unknown>;

interface SparseCase {
  name: string;
  optimizer: "SGD" | "Adagrad" | "SparseAdam";
  options: Options;
  steps: { gradRows: number[]; gradValues: FixtureTensor; weight: FixtureTensor }[];
  state: Record<string, FixtureTensor | number>;
}

interface SparseFixture {
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number;
  init: FixtureTensor;
  batches: { index: FixtureTensor; t: FixtureTensor; w: FixtureTensor }[];
  cases: SparseCase[];
}

const fx = loadFixture<SparseFixture>("optim_sparse");
const batches = fx.batches.map((b) => ({
  index: fromFixture(b.index),
  t: fromFixture(b.t),
  w: fromFixture(b.w),
}));
const report = new ParityReport();
after(() => report.print("sparse optim parity"));

const makers: Record<SparseCase["optimizer"], (p: Tensor[], o: Options) => optim.Optimizer> = {
  SGD: (p, o) => new optim.SGD(p, o),
  Adagrad: (p, o) => new optim.Adagrad(p, o),
  SparseAdam: (p, o) => new optim.SparseAdam(p, o),
};

function embedding(sparse = true): nn.Embedding {
  const emb = new nn.Embedding(fx.numEmbeddings, fx.embeddingDim, {
    paddingIdx: fx.paddingIdx,
    sparse,
  });
  emb.weight.data.set(fx.init.data);
  return emb;
}

/** The loss of gen_sparse_optim.py, op for op: Σ w·(y − t)·(y − t), y = emb(index). */
function backward(emb: nn.Embedding, step: number): void {
  const b = batches[step % batches.length];
  const d = emb.forward(b.index).sub(b.t);
  b.w.mul(d).mul(d).sum().backward();
}

function train(emb: nn.Embedding, opt: optim.Optimizer, from: number, to: number): void {
  for (let s = from; s < to; s++) {
    opt.zeroGrad();
    backward(emb, s);
    opt.step();
  }
}

const rows = (g: Tensor) => [...g.indices().data];

describe("sparse optim parity with PyTorch 1.13 (Embedding(20, 4, sparse=True, padding_idx=3))", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const emb = embedding();
      const opt = makers[c.optimizer]([emb.weight], c.options);
      c.steps.forEach((expected, s) => {
        opt.zeroGrad();
        backward(emb, s);
        const g = emb.weight.grad!;
        assert.ok(g.isSparse, "the weight's grad is sparse");
        assert.deepEqual(rows(g), expected.gradRows, `step ${s + 1} grad rows`);
        assertClose(g.values(), expected.gradValues, 1e-6, `step ${s + 1} grad values`);
        opt.step();
        const err = assertClose(emb.weight, expected.weight, 1e-6, `step ${s + 1} weight`);
        report.add(c.optimizer, err);
      });
      const state = opt.stateDict().state[0];
      assert.deepEqual(Object.keys(state).sort(), Object.keys(c.state).sort(), "state keys");
      for (const [key, value] of Object.entries(c.state)) {
        if (typeof value === "number") assert.equal(state[key], value, key);
        else report.add(`${c.optimizer} state`, assertClose(state[key] as Tensor, value, 1e-6));
      }
    });
  }
});

describe("sparse vs dense", () => {
  for (const maximize of [false, true]) {
    test(`SGD without momentum: sparse equals dense bit for bit (maximize ${maximize})`, () => {
      const sparse = embedding(true);
      const dense = embedding(false);
      const optS = new optim.SGD([sparse.weight], { lr: 0.1, maximize });
      const optD = new optim.SGD([dense.weight], { lr: 0.1, maximize });
      for (let s = 0; s < 5; s++) {
        train(sparse, optS, s, s + 1);
        train(dense, optD, s, s + 1);
        assert.deepEqual([...sparse.weight.data], [...dense.weight.data], `step ${s + 1}`);
      }
      assert.notDeepEqual([...sparse.weight.data], fx.init.data, "the weights moved");
    });
  }

  test("Adagrad: sparse agrees with dense (untouched rows get a zero update either way)", () => {
    const sparse = embedding(true);
    const dense = embedding(false);
    const options = { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 };
    const optS = new optim.Adagrad([sparse.weight], options);
    const optD = new optim.Adagrad([dense.weight], options);
    train(sparse, optS, 0, 5);
    train(dense, optD, 0, 5);
    assertClose(sparse.weight, dense.weight, 1e-6, "weight");
    // PyTorch rounds g² before adding it on the sparse path (s + fl(g²)), not on the dense one.
    const sumS = optS.stateDict().state[0].sum as Tensor;
    const sumD = optD.stateDict().state[0].sum as Tensor;
    sumS.data.forEach((x, i) => {
      const rel = Math.abs(x - sumD.data[i]) / Math.abs(sumD.data[i]);
      assert.ok(rel <= 1e-6, `sum[${i}]: ${x} vs ${sumD.data[i]}`);
    });
    assert.ok(
      sumS.data.some((x) => x > 1),
      "the accumulators grew",
    );
  });

  test("SparseAdam's first step equals Adam's", () => {
    const sparse = embedding(true);
    const dense = embedding(false);
    train(sparse, new optim.SparseAdam([sparse.weight], { lr: 0.05 }), 0, 1);
    train(dense, new optim.Adam([dense.weight], { lr: 0.05 }), 0, 1);
    assertClose(sparse.weight, dense.weight, 1e-6, "weight");
  });

  test("SparseAdam leaves rows outside each batch (and the padding row) unchanged", () => {
    const emb = embedding();
    const opt = new optim.SparseAdam([emb.weight], { lr: 0.05 });
    const width = fx.embeddingDim;
    const row = (t: Tensor, r: number) => [...t.data.subarray(r * width, (r + 1) * width)];
    train(emb, opt, 0, 2); // rows 1, 5, 7, 9, 12 have moments now
    for (let s = 2; s < 5; s++) {
      const before = [...emb.weight.data];
      const state = opt.stateDict().state[0];
      opt.zeroGrad();
      backward(emb, s);
      const touched = new Set(rows(emb.weight.grad!));
      opt.step();
      const after = opt.stateDict().state[0];
      for (let r = 0; r < fx.numEmbeddings; r++) {
        const w = [...emb.weight.data.subarray(r * width, (r + 1) * width)];
        const old = before.slice(r * width, (r + 1) * width);
        if (touched.has(r)) {
          assert.notDeepEqual(w, old, `step ${s + 1} row ${r} moved`);
          continue;
        }
        assert.deepEqual(w, old, `step ${s + 1} row ${r} weight`);
        for (const key of ["exp_avg", "exp_avg_sq"]) {
          const was = row(state[key] as Tensor, r);
          assert.deepEqual(row(after[key] as Tensor, r), was, `step ${s + 1} row ${r} ${key}`);
        }
      }
      assert.ok(!touched.has(fx.paddingIdx));
    }
    assert.deepEqual(row(emb.weight, fx.paddingIdx), [0, 0, 0, 0]);
  });
});

/** A dense parameter with a gradient, then the embedding with a sparse one. */
function mixed(): { dense: Tensor; emb: nn.Embedding } {
  manualSeed(5);
  const dense = randn([3], { requiresGrad: true });
  dense.mul(dense).sum().backward();
  const emb = embedding();
  backward(emb, 0);
  return { dense, emb };
}

describe("refusals", () => {
  const sparseRefusals: [string, (p: Tensor[]) => optim.Optimizer, string][] = [
    [
      "Adam",
      (p) => new optim.Adam(p),
      "Adam: Adam does not support sparse gradients, please consider SparseAdam instead",
    ],
    ["AdamW", (p) => new optim.AdamW(p), "AdamW: AdamW does not support sparse gradients"],
    ["RMSprop", (p) => new optim.RMSprop(p), "RMSprop: RMSprop does not support sparse gradients"],
    [
      "Adagrad weightDecay",
      (p) => new optim.Adagrad(p, { weightDecay: 0.1 }),
      "Adagrad: weight_decay option is not compatible with sparse gradients",
    ],
    [
      "SGD momentum",
      (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
      "SGD: momentum (0.9) is not supported with sparse gradients; set it to 0 for this group, " +
        "or use a dense nn.Embedding",
    ],
    [
      "SGD momentum and weightDecay",
      (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }),
      "SGD: momentum (0.9) and weightDecay (0.01) are not supported with sparse gradients; " +
        "set them to 0 for this group, or use a dense nn.Embedding",
    ],
  ];
  for (const [name, make, message] of sparseRefusals) {
    test(`${name} refuses a sparse gradient before changing anything`, () => {
      const { dense, emb } = mixed();
      const before = [[...dense.data], [...emb.weight.data]];
      const opt = make([dense, emb.weight]);
      const stateBefore = JSON.stringify(opt.stateDict());
      assert.throws(() => opt.step(), { message });
      assert.deepEqual([[...dense.data], [...emb.weight.data]], before);
      assert.equal(JSON.stringify(opt.stateDict()), stateBefore);
    });
  }

  test("SparseAdam refuses a dense gradient, sparse parameters and bad options", () => {
    const { dense, emb } = mixed();
    const opt = new optim.SparseAdam([emb.weight, dense]);
    const before = [...emb.weight.data];
    assert.throws(() => opt.step(), {
      message:
        "SparseAdam: SparseAdam does not support dense gradients, please consider Adam instead",
    });
    assert.deepEqual([...emb.weight.data], before);
    const sparseParam = Tensor.rowSparse(Int32Array.of(0), Float32Array.of(1, 2), [3, 2]);
    assert.throws(() => new optim.SparseAdam([{ params: [dense, sparseParam] }]), {
      message:
        "SparseAdam: Sparse params at indices [[0, 1]]: SparseAdam requires dense parameter tensors",
    });
    const p = [emb.weight];
    assert.throws(
      () => new optim.SparseAdam(p, { lr: 0 }),
      /^Error: SparseAdam: Invalid learning rate: 0$/,
    );
    assert.throws(() => new optim.SparseAdam(p, { eps: 0 }), /Invalid epsilon value: 0$/);
    assert.throws(
      () => new optim.SparseAdam(p, { betas: [0.9, 1] }),
      /Invalid beta parameter at index 1: 1$/,
    );
  });

  test("SGD's refusal is per group: a group without momentum takes the sparse grad", () => {
    const { dense, emb } = mixed();
    const before = [...emb.weight.data];
    const opt = new optim.SGD([{ params: [dense], momentum: 0.9 }, { params: [emb.weight] }], {
      lr: 0.1,
    });
    opt.step();
    assert.notDeepEqual([...emb.weight.data], before);
  });
});

describe("zeroGrad and state dict", () => {
  test("zeroGrad({ setToNone: false }) leaves an empty sparse grad that accumulates as none", () => {
    const a = embedding();
    const b = embedding();
    backward(a, 0);
    const opt = new optim.SparseAdam([a.weight]);
    opt.zeroGrad({ setToNone: false });
    const g = a.weight.grad!;
    assert.ok(g.isSparse);
    assert.deepEqual(rows(g), []);
    assert.deepEqual(g.toArray(), tensor(new Array(80).fill(0), { shape: [20, 4] }).toArray());
    // A step on the empty grad counts a step and changes no weight, as in PyTorch.
    const before = [...a.weight.data];
    opt.step();
    assert.deepEqual([...a.weight.data], before);
    assert.equal(opt.stateDict().state[0].step, 1);
    backward(a, 1);
    backward(b, 1);
    assert.deepEqual(rows(a.weight.grad!), rows(b.weight.grad!));
    assert.deepEqual([...a.weight.grad!.data], [...b.weight.grad!.data]);
  });

  const roundTrips: [string, (p: Tensor[]) => optim.Optimizer][] = [
    ["SparseAdam", (p) => new optim.SparseAdam(p, { lr: 0.05, betas: [0.8, 0.95] })],
    ["Adagrad", (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.05 })],
  ];
  for (const [name, make] of roundTrips) {
    test(`${name}: 2 steps + save through JSON + restore + 3 steps equals 5 steps, bit for bit`, () => {
      const a = embedding();
      const optA = make([a.weight]);
      train(a, optA, 0, 5);

      const b = embedding();
      const optB = make([b.weight]);
      train(b, optB, 0, 2);
      const text = JSON.stringify(optB.stateDict(), (_k, v) =>
        v instanceof Tensor ? { shape: v.shape, data: [...v.data] } : v,
      );
      const saved = JSON.parse(text, (_k, v) =>
        v && typeof v === "object" && "shape" in v && "data" in v
          ? tensor(v.data, { shape: v.shape })
          : v,
      ) as optim.OptimizerStateDict;
      const optC = make([b.weight]);
      optC.loadStateDict(saved);
      train(b, optC, 2, 5);
      assert.deepEqual([...b.weight.data], [...a.weight.data]);
      const sa = optA.stateDict().state[0];
      const sc = optC.stateDict().state[0];
      assert.equal(sc.step, 5);
      for (const key of Object.keys(sa)) {
        const [x, y] = [sa[key], sc[key]];
        if (x instanceof Tensor) assert.deepEqual([...(y as Tensor).data], [...x.data], key);
        else assert.equal(y, x, key);
      }
    });
  }
});

describe("clipGradNorm on a sparse grad", () => {
  for (const normType of [2, 1, Infinity]) {
    test(`equals clipGradNorm on its dense copy (normType ${normType})`, () => {
      const sparse = embedding();
      backward(sparse, 4);
      const dense = embedding();
      dense.weight.grad = sparse.weight.grad!.toDense();
      const gradRows = rows(sparse.weight.grad!);
      const nS = utils.clipGradNorm([sparse.weight], 0.5, { normType });
      const nD = utils.clipGradNorm([dense.weight], 0.5, { normType });
      assert.equal(nS, nD);
      assert.ok(nS > 0.5, "the norm is large enough to clip");
      assert.ok(sparse.weight.grad!.isSparse);
      assert.deepEqual(rows(sparse.weight.grad!), gradRows);
      assert.deepEqual([...sparse.weight.grad!.toDense().data], [...dense.weight.grad.data]);
    });
  }
});
