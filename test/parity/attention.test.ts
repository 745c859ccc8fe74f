import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { manualSeed, nn, randn, tensor, type Tensor } from "../../src/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

const report = new ParityReport();
after(() => report.print("attention vs PyTorch"));

interface AttentionCase {
  name: string;
  kind: nn.AttentionKind;
  tutorial: boolean;
  options: nn.AttentionOptions;
  state: Record<string, FixtureTensor>;
  query: FixtureTensor;
  keys: FixtureTensor;
  mask?: FixtureTensor;
  context: FixtureTensor;
  weights: FixtureTensor;
  gcontext: FixtureTensor;
  gweights: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  repr: string;
}

const { cases } = loadFixture<{ cases: AttentionCase[] }>("attention");

describe("attention matches the PyTorch tutorials' modules", () => {
  for (const c of cases) {
    test(c.name, () => {
      const attn = nn.createAttention(c.kind, c.options);
      // strict: the tutorial modules' state-dict keys are exactly ours
      attn.loadStateDict(
        Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
      );
      if (!c.tutorial) assert.equal(String(attn), c.repr);
      else if (c.kind === "bahdanau")
        assert.equal(
          String(attn),
          c.repr.replace("TutorialBahdanauAttention", "BahdanauAttention"),
        );
      const query = fromFixture(c.query, { requiresGrad: true });
      const keys = fromFixture(c.keys, { requiresGrad: true });
      const mask = c.mask ? fromFixture(c.mask) : null;
      const { context, weights } = attn.forward(query, keys, mask);
      const label = `${c.kind}${c.tutorial ? " (tutorial)" : ""}`;
      report.add(`${label} outputs`, assertClose(context, c.context, 1e-5, "context"));
      report.add(`${label} outputs`, assertClose(weights, c.weights, 1e-5, "weights"));
      context
        .mul(fromFixture(c.gcontext))
        .sum()
        .add(weights.mul(fromFixture(c.gweights)).sum())
        .backward();
      const params = Object.fromEntries(attn.namedParameters()) as Record<string, Tensor>;
      const actual: Record<string, Tensor | null> = { query: query.grad, keys: keys.grad };
      for (const [k, p] of Object.entries(params)) actual[k] = p.grad;
      assert.deepEqual(Object.keys(actual).sort(), Object.keys(c.grads).sort());
      for (const [k, g] of Object.entries(c.grads)) {
        assert.ok(actual[k], `${k}: no gradient`);
        report.add(`${label} grads`, assertClose(actual[k]!, g, 1e-5, `${k} grad`));
      }
    });
  }

  test("prepare once, attend per step: the same numbers as forward", () => {
    const c = cases.find((x) => x.mask && x.kind === "bahdanau" && x.keys.shape[0] > 1)!;
    const attn = nn.createAttention(c.kind, c.options);
    attn.loadStateDict(
      Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
    );
    const prepared = attn.prepare(fromFixture(c.keys), fromFixture(c.mask!));
    for (let step = 0; step < 2; step++) {
      const { context, weights } = attn.attend(fromFixture(c.query), prepared);
      assertClose(context, c.context, 1e-5, "context");
      assertClose(weights, c.weights, 1e-5, "weights");
    }
  });
});

describe("attention: masks, prepared keys and errors", () => {
  const int = (data: number[], shape: number[]) => tensor(data, { shape, dtype: "int32" });
  const make = (kind: nn.AttentionKind, queryDim = 4, keyDim = kind === "luong-dot" ? 4 : 3) => {
    manualSeed(7);
    return nn.createAttention(kind, {
      queryDim,
      keyDim,
      attnDim: kind === "bahdanau" ? 5 : undefined,
    });
  };

  test("state-dict keys and reprs are the tutorials'", () => {
    assert.deepEqual(Object.keys(make("bahdanau").stateDict()), [
      "Wa.weight",
      "Wa.bias",
      "Ua.weight",
      "Ua.bias",
      "Va.weight",
      "Va.bias",
    ]);
    assert.deepEqual(Object.keys(make("luong-general").stateDict()), ["attn.weight", "attn.bias"]);
    assert.deepEqual(Object.keys(make("luong-dot").stateDict()), []);
    assert.equal(String(make("luong-dot")), "LuongAttention(method='dot')");
    assert.ok(make("bahdanau") instanceof nn.BahdanauAttention);
    assert.ok(make("luong-general") instanceof nn.LuongAttention);
  });

  for (const kind of ["bahdanau", "luong-dot", "luong-general"] as const) {
    test(`${kind}: masked keys get weight 0 and no gradient; float and int masks agree`, () => {
      const attn = make(kind);
      const hk = attn.keyDim;
      const keys = randn([2, 3, hk], { requiresGrad: true });
      const query = randn([2, 4]);
      const mask = int([1, 0, 1, 1, 1, 0], [2, 3]);
      const { context, weights } = attn.forward(query, keys, mask);
      assert.equal(weights.data[1], 0);
      assert.equal(weights.data[5], 0);
      for (const row of [0, 1])
        assert.ok(
          Math.abs(
            weights.data[3 * row] + weights.data[3 * row + 1] + weights.data[3 * row + 2] - 1,
          ) < 1e-6,
        );
      context.sum().backward();
      const g = keys.grad!.data;
      for (const at of [1, 5]) for (let j = 0; j < hk; j++) assert.equal(g[at * hk + j], 0);
      const floatMask = attn.forward(query, keys, tensor([1, 0, 1, 1, 1, 0], { shape: [2, 3] }));
      assert.deepEqual(Array.from(floatMask.weights.data), Array.from(weights.data));
    });
  }

  test("a row with every position masked is an error naming the row", () => {
    const attn = make("bahdanau");
    assert.throws(
      () => attn.prepare(randn([2, 3, 3]), int([1, 1, 0, 0, 0, 0], [2, 3])),
      /BahdanauAttention: mask row 1 has no valid position/,
    );
    assert.throws(
      () => attn.prepare(randn([2, 3, 3]), int([1, 2, 0, 1, 0, 0], [2, 3])),
      /mask must hold 1 \(valid\) or 0 \(padding\), got 2 at \[0, 1\]/,
    );
  });

  test("prepared.indexSelect follows beam parents; a keys batch of 1 serves every query row", () => {
    const attn = make("luong-general");
    const keys = randn([3, 4, 3]);
    const mask = int([1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0], [3, 4]);
    const query = randn([4, 4]);
    const rows = [2, 0, 0, 1];
    const viaPrepared = attn.attend(
      query,
      attn.prepare(keys, mask).indexSelect(Int32Array.from(rows)),
    );
    const index = int(rows, [4]);
    const direct = attn.forward(query, keys.indexSelect(0, index), mask.indexSelect(0, index));
    assertClose(viaPrepared.context, direct.context, 1e-6, "context");
    assertClose(viaPrepared.weights, direct.weights, 1e-6, "weights");
    const one = attn.attend(query, attn.prepare(keys.narrow(0, 1, 1), mask.narrow(0, 1, 1)));
    const repeated = attn.forward(
      query,
      keys.narrow(0, 1, 1).expand(4, 4, 3),
      mask.narrow(0, 1, 1).expand(4, 4),
    );
    assertClose(one.context, repeated.context, 1e-6, "context");
  });

  test("bad shapes and options say what was expected and what came", () => {
    const attn = make("bahdanau");
    assert.throws(
      () => attn.forward(randn([2, 4]), randn([2, 3, 5])),
      /expected keys \[B, S, 3\] \(keyDim 3, S ≥ 1\), got \[2, 3, 5\]/,
    );
    assert.throws(
      () => attn.forward(randn([2, 5]), randn([2, 3, 3])),
      /expected query \[2, 4\].*got \[2, 5\]/,
    );
    assert.throws(
      () => attn.forward(randn([3, 4]), randn([2, 3, 3])),
      /expected query \[2, 4\].*got \[3, 4\]/,
    );
    assert.throws(
      () => attn.forward(randn([2, 4]), randn([2, 3, 3]), int([1, 1], [2, 1])),
      /expected mask \[2, 3\].*got \[2, 1\]/,
    );
    assert.throws(
      () => make("luong-general").attend(randn([2, 4]), attn.prepare(randn([2, 3, 3]))),
      /this module's prepare/,
    );
    assert.throws(
      () => nn.createAttention("luong-dot", { queryDim: 4, keyDim: 3 }),
      /"dot" needs keyDim == queryDim, got keyDim 3 and queryDim 4/,
    );
    assert.throws(
      () => nn.createAttention("luong-general", { queryDim: 4, attnDim: 8 }),
      /attnDim must be omitted or equal queryDim \(4\).*got 8/,
    );
    assert.throws(
      () => nn.createAttention("bahdanau", { queryDim: 0 }),
      /queryDim must be a positive integer, got 0/,
    );
    assert.throws(
      () => nn.createAttention("concat" as nn.AttentionKind, { queryDim: 4 }),
      /kind must be .*got concat/,
    );
  });
});
