import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { nn, type Tensor } from "../../src/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

const report = new ParityReport();
after(() => report.print("nn layers and losses vs PyTorch"));

type Grads = Record<string, FixtureTensor>;

interface LinearCase {
  bias: boolean;
  input: FixtureTensor;
  state: Record<string, FixtureTensor>;
  output: FixtureTensor;
  gout: FixtureTensor;
  grads: Grads;
  repr: string;
}

describe("Linear matches torch.nn.Linear", () => {
  const { cases } = loadFixture<{ cases: LinearCase[] }>("nn_linear");
  for (const c of cases) {
    test(`bias=${c.bias}, input ${JSON.stringify(c.input.shape)}`, () => {
      const layer = new nn.Linear(4, 5, { bias: c.bias });
      layer.loadStateDict(
        Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
      );
      assert.equal(String(layer), c.repr);
      const x = fromFixture(c.input, { requiresGrad: true });
      const out = layer.forward(x);
      const label = `Linear(bias=${c.bias})`;
      report.add(`${label} output`, assertClose(out, c.output, 1e-5, "output"));
      out.backward(fromFixture(c.gout));
      report.add(`${label} grads`, assertClose(x.grad!, c.grads.input, 1e-5, "input grad"));
      report.add(
        `${label} grads`,
        assertClose(layer.weight.grad!, c.grads.weight, 1e-5, "weight grad"),
      );
      if (c.bias)
        report.add(
          `${label} grads`,
          assertClose(layer.bias!.grad!, c.grads.bias, 1e-5, "bias grad"),
        );
      else assert.equal(layer.bias, null);
    });
  }
});

interface EmbeddingCase {
  paddingIdx: number | null;
  indices: FixtureTensor;
  weight: FixtureTensor;
  output: FixtureTensor;
  gout: FixtureTensor;
  grads: Grads;
  repr: string;
}

describe("Embedding matches torch.nn.Embedding", () => {
  const { cases } = loadFixture<{ cases: EmbeddingCase[] }>("nn_embedding");
  for (const c of cases) {
    test(`paddingIdx=${c.paddingIdx}, repeated indices`, () => {
      const emb = new nn.Embedding(10, 3, { paddingIdx: c.paddingIdx });
      assert.equal(String(emb), c.repr);
      emb.loadStateDict({ weight: fromFixture(c.weight) });
      const out = emb.forward(fromFixture(c.indices));
      const label = c.paddingIdx === null ? "Embedding" : "Embedding(padding_idx)";
      report.add(`${label} output`, assertClose(out, c.output, 1e-5, "output"));
      out.backward(fromFixture(c.gout));
      report.add(
        `${label} weight grad`,
        assertClose(emb.weight.grad!, c.grads.weight, 1e-5, "weight grad"),
      );
    });
  }
});

interface LossCase {
  fn: "crossEntropy" | "nllLoss" | "binaryCrossEntropyWithLogits" | "mseLoss";
  inputs: { input: FixtureTensor; target: FixtureTensor };
  options: {
    shape?: string;
    reduction: "mean" | "sum" | "none";
    labelSmoothing?: number;
    ignoreIndex?: number;
    probabilities?: boolean;
    weight?: FixtureTensor;
    posWeight?: FixtureTensor;
  };
  output: FixtureTensor;
  gout: FixtureTensor;
  grads: Grads;
}

describe("losses match torch.nn.functional", () => {
  const { cases } = loadFixture<{ cases: LossCase[] }>("nn_losses");
  const counts = new Map<string, number>();
  for (const c of cases) {
    const o = c.options;
    const name = [
      c.fn,
      o.shape,
      o.reduction,
      o.weight && "weight",
      o.posWeight && "posWeight",
      o.ignoreIndex !== undefined && `ignoreIndex=${o.ignoreIndex}`,
      o.labelSmoothing && `labelSmoothing=${o.labelSmoothing}`,
      o.probabilities && "probabilities",
    ]
      .filter(Boolean)
      .join(", ");
    counts.set(c.fn, (counts.get(c.fn) ?? 0) + 1);
    test(name, () => {
      const input = fromFixture(c.inputs.input, { requiresGrad: true });
      const target = fromFixture(c.inputs.target, { requiresGrad: "target" in c.grads });
      const weight = o.weight ? fromFixture(o.weight) : undefined;
      const posWeight = o.posWeight ? fromFixture(o.posWeight) : undefined;
      const { reduction, ignoreIndex, labelSmoothing } = o;
      // The module forms wrap the functional ones; run half the cases through each.
      let out: Tensor;
      const viaModule = (counts.get(c.fn)! & 1) === 0;
      if (c.fn === "crossEntropy") {
        const opts = { weight, ignoreIndex, labelSmoothing, reduction };
        out = viaModule
          ? new nn.CrossEntropyLoss(opts).forward(input, target)
          : nn.functional.crossEntropy(input, target, opts);
      } else if (c.fn === "nllLoss") {
        const opts = { weight, ignoreIndex, reduction };
        out = viaModule
          ? new nn.NLLLoss(opts).forward(input, target)
          : nn.functional.nllLoss(input, target, opts);
      } else if (c.fn === "binaryCrossEntropyWithLogits") {
        const opts = { weight, posWeight, reduction };
        out = viaModule
          ? new nn.BCEWithLogitsLoss(opts).forward(input, target)
          : nn.functional.binaryCrossEntropyWithLogits(input, target, opts);
      } else {
        out = viaModule
          ? new nn.MSELoss({ reduction }).forward(input, target)
          : nn.functional.mseLoss(input, target, { reduction });
      }
      const label = c.fn + (o.probabilities ? " (probabilities)" : "");
      report.add(`${label} output`, assertClose(out, c.output, 1e-5, "output"));
      out.backward(fromFixture(c.gout));
      report.add(`${label} grads`, assertClose(input.grad!, c.grads.input, 1e-5, "input grad"));
      if (c.grads.target)
        report.add(
          `${label} grads`,
          assertClose(target.grad!, c.grads.target, 1e-5, "target grad"),
        );
    });
  }
});
