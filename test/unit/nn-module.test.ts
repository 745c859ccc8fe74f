import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { manualSeed, nn, randn, tensor, zeros, type Tensor } from "../../src/index.js";
import { loadFixture } from "../helpers.js";

class Block extends nn.Module {
  fc = new nn.Linear(2, 3);
  proj = new nn.Linear(3, 3, { bias: false });
  drop = new nn.Dropout(0.1);
}

class Net extends nn.Module {
  embedding = new nn.Embedding(5, 2);
  blocks = [new Block(), new Block()];
  head = new nn.Linear(3, 1);
}

/** An Embedding and an output layer sharing one [5, 3] matrix (weight tying). */
class Tied extends nn.Module {
  enc = new nn.Embedding(5, 3);
  dec = new nn.Linear(3, 5, { bias: false });
  alias: nn.Linear;
  constructor() {
    super();
    this.dec.weight = this.enc.weight;
    this.alias = this.dec; // the same module reachable twice
  }
}

const names = (m: nn.Module) => m.namedParameters().map(([n]) => n);

describe("Module: parameters and modules", () => {
  test("namedParameters: assignment order and dotted names through nested modules and arrays", () => {
    assert.deepEqual(names(new Net()), [
      "embedding.weight",
      "blocks.0.fc.weight",
      "blocks.0.fc.bias",
      "blocks.0.proj.weight",
      "blocks.1.fc.weight",
      "blocks.1.fc.bias",
      "blocks.1.proj.weight",
      "head.weight",
      "head.bias",
    ]);
  });

  test("namedModules lists every module once, depth first", () => {
    const net = new Net();
    assert.deepEqual(
      net.namedModules().map(([n, m]) => `${n}:${m.constructor.name}`),
      [
        ":Net",
        "embedding:Embedding",
        "blocks.0:Block",
        "blocks.0.fc:Linear",
        "blocks.0.proj:Linear",
        "blocks.0.drop:Dropout",
        "blocks.1:Block",
        "blocks.1.fc:Linear",
        "blocks.1.proj:Linear",
        "blocks.1.drop:Dropout",
        "head:Linear",
      ],
    );
    assert.equal(net.children().length, 4);
    const tied = new Tied();
    assert.deepEqual(
      tied.namedModules().map(([n]) => n),
      ["", "enc", "dec"],
    );
  });

  test("a shared parameter is listed once by parameters() but under each name by stateDict(), like PyTorch", () => {
    const tied = new Tied();
    assert.deepEqual(names(tied), ["enc.weight"]);
    assert.equal(tied.parameters().length, 1);
    const sd = tied.stateDict();
    assert.deepEqual(Object.keys(sd), ["enc.weight", "dec.weight", "alias.weight"]);
    assert.equal(sd["enc.weight"], sd["dec.weight"]);
    // A PyTorch state dict of a tied model carries both keys; strict loading accepts it.
    const w = randn([5, 3]);
    tied.loadStateDict({ "enc.weight": w, "dec.weight": w, "alias.weight": w });
    assert.deepEqual(Array.from(tied.dec.weight.data), Array.from(w.data));
  });

  test("frozen parameters are still parameters", () => {
    const emb = nn.Embedding.fromPretrained(randn([4, 2]));
    assert.equal(emb.weight.requiresGrad, false);
    assert.deepEqual(names(emb), ["weight"]);
  });
});

describe("Module: stateDict and loadStateDict", () => {
  test("stateDict shares storage with the parameters", () => {
    const fc = new nn.Linear(2, 2);
    const sd = fc.stateDict();
    assert.deepEqual(Object.keys(sd), ["weight", "bias"]);
    assert.equal(sd.weight, fc.weight);
  });

  test("round trip between two models copies values, without aliasing", () => {
    manualSeed(0);
    const a = new Net();
    const b = new Net();
    const sa = a.stateDict();
    assert.notDeepEqual(Array.from(b.head.weight.data), Array.from(a.head.weight.data));
    const result = b.loadStateDict(sa);
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    for (const [k, v] of Object.entries(b.stateDict()))
      assert.deepEqual(Array.from(v.data), Array.from(sa[k].data), k);
    a.head.weight.data[0] += 1;
    assert.notEqual(b.head.weight.data[0], a.head.weight.data[0]);
    assert.notEqual(b.head.weight.data, a.head.weight.data);
  });

  test("strict loading lists every missing key, unexpected key and size mismatch in one error", () => {
    const net = new Net();
    const sd: Record<string, Tensor> = { ...net.stateDict() };
    delete sd["head.bias"];
    delete sd["blocks.1.proj.weight"];
    sd["head.extra"] = zeros([1]);
    sd["embedding.weight"] = zeros([6, 2]);
    sd["blocks.0.fc.bias"] = zeros([2]);
    const before = Array.from(net.embedding.weight.data);
    assert.throws(
      () => net.loadStateDict(sd),
      (e: Error) => {
        assert.match(e.message, /^Error\(s\) in loading state dict for Net:/);
        assert.match(
          e.message,
          /size mismatch for embedding\.weight: expected \[5, 2\], got \[6, 2\]/,
        );
        assert.match(e.message, /size mismatch for blocks\.0\.fc\.bias: expected \[3\], got \[2\]/);
        assert.match(e.message, /missing key: blocks\.1\.proj\.weight/);
        assert.match(e.message, /missing key: head\.bias/);
        assert.match(e.message, /unexpected key: head\.extra/);
        return true;
      },
    );
    assert.deepEqual(
      Array.from(net.embedding.weight.data),
      before,
      "nothing is loaded when loading fails",
    );
  });

  test("non-strict loading returns the key lists and loads what matches", () => {
    const net = new Net();
    const w = randn([1, 3]);
    const result = net.loadStateDict(
      { "head.weight": w, "decoder.weight": zeros([2]) },
      { strict: false },
    );
    assert.deepEqual(result.unexpectedKeys, ["decoder.weight"]);
    assert.equal(result.missingKeys.length, 8);
    assert.ok(!result.missingKeys.includes("head.weight"));
    assert.deepEqual(Array.from(net.head.weight.data), Array.from(w.data));
  });

  test("non-strict loading still rejects size mismatches, and non-tensors are named", () => {
    const fc = new nn.Linear(2, 2);
    assert.throws(
      () => fc.loadStateDict({ weight: zeros([2, 3]) }, { strict: false }),
      /size mismatch for weight/,
    );
    assert.throws(
      () =>
        fc.loadStateDict({
          weight: [
            [1, 2],
            [3, 4],
          ] as unknown as Tensor,
          bias: zeros([2]),
        }),
      /weight: expected a Tensor, got object/,
    );
  });

  test("int32 values load as float", () => {
    const fc = new nn.Linear(2, 1);
    fc.loadStateDict({
      weight: tensor([[3, -4]], { dtype: "int32" }),
      bias: tensor([7], { dtype: "int32" }),
    });
    assert.deepEqual(fc.forward(tensor([[1, 1]])).toArray(), [[6]]);
  });
});

describe("Module: modes, gradients, apply, repr", () => {
  test("train() and eval() reach every descendant, including arrays of modules", () => {
    const net = new Net();
    assert.ok(net.modules().every((m) => m.training));
    assert.equal(net.eval(), net);
    assert.ok(net.modules().every((m) => !m.training));
    assert.equal(net.blocks[1].drop.training, false);
    net.train();
    assert.ok(net.modules().every((m) => m.training));
    net.blocks[0].train(false);
    assert.deepEqual(net.modules().filter((m) => !m.training).length, 4);
  });

  test("zeroGrad clears every parameter's gradient", () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
    seq
      .forward(randn([5, 3]))
      .sum()
      .backward();
    assert.ok(seq.parameters().every((p) => p.grad !== null));
    seq.zeroGrad();
    assert.ok(seq.parameters().every((p) => p.grad === null));
  });

  test("apply visits children before their parent and returns the module", () => {
    const net = new Net();
    const visited: string[] = [];
    assert.equal(
      net.apply((m) => visited.push(m.constructor.name)),
      net,
    );
    assert.deepEqual(visited, [
      "Embedding",
      "Linear",
      "Linear",
      "Dropout",
      "Block",
      "Linear",
      "Linear",
      "Dropout",
      "Block",
      "Linear",
      "Net",
    ]);
    net.apply((m) => {
      if (m instanceof nn.Linear) nn.init.constant_(m.weight, 0.25);
    });
    assert.ok(net.head.weight.data.every((v) => v === 0.25));
    assert.ok(net.blocks[1].proj.weight.data.every((v) => v === 0.25));
  });

  test("toString of a nested model is identical to PyTorch's repr of the same model", () => {
    const expected = loadFixture<{
      net: string;
      losses: string[];
      dropout: string;
      sequential_empty: string;
    }>("nn_reprs");
    class Net extends nn.Module {
      embedding = new nn.Embedding(10, 3, { paddingIdx: 0 });
      drop = new nn.Dropout(0.25);
      mlp = new nn.Sequential(
        new nn.Linear(3, 8),
        new nn.Identity(),
        new nn.Linear(8, 2, { bias: false }),
      );
      heads = [new nn.Linear(2, 2), new nn.Dropout(1)];
      loss = new nn.CrossEntropyLoss();
    }
    assert.equal(new Net().toString(), expected.net);
    const losses = [
      new nn.CrossEntropyLoss(),
      new nn.NLLLoss(),
      new nn.BCEWithLogitsLoss(),
      new nn.MSELoss(),
    ];
    assert.deepEqual(losses.map(String), expected.losses);
    assert.equal(String(new nn.Dropout()), expected.dropout);
    assert.equal(String(new nn.Sequential()), expected.sequential_empty);
  });

  test("a multi-line extraRepr is indented like PyTorch's", () => {
    class Two extends nn.Module {
      fc = new nn.Linear(1, 1);
      override extraRepr() {
        return "a=1\nb=2";
      }
    }
    class Leaf extends nn.Module {
      override extraRepr() {
        return "a=1\nb=2";
      }
    }
    assert.equal(
      String(new Two()),
      "Two(\n  a=1\n  b=2\n  (fc): Linear(in_features=1, out_features=1, bias=True)\n)",
    );
    assert.equal(String(new Leaf()), "Leaf(\n  a=1\n  b=2\n)");
  });
});
