import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Tensor } from "../../src/index.js";
import {
  Seq2Seq,
  Seq2SeqDecoder,
  type DecoderMemory,
  type RecurrentState,
  type Seq2SeqConfig,
} from "../../src/tasks/seq2seq/index.js";
import { crossEntropy } from "../../src/nn/functional/cross-entropy.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

const report = new ParityReport();
after(() => report.print("seq2seq vs PyTorch"));

interface StepCase {
  name: string;
  cell: "gru" | "lstm";
  config: Seq2SeqConfig;
  state: Record<string, FixtureTensor>;
  tokens: FixtureTensor;
  keys: FixtureTensor;
  mask: FixtureTensor;
  h0: FixtureTensor;
  c0?: FixtureTensor;
  logits: FixtureTensor;
  h1: FixtureTensor;
  c1?: FixtureTensor;
  weights: FixtureTensor;
  glogits: FixtureTensor;
  gh: FixtureTensor;
  gweights: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

interface ModelCase {
  config: Seq2SeqConfig;
  state: Record<string, FixtureTensor>;
  source: FixtureTensor;
  lengths: FixtureTensor;
  inputs: FixtureTensor;
  targets: FixtureTensor;
  logits: FixtureTensor;
  weights: FixtureTensor;
  loss: number;
  grads: Record<string, FixtureTensor>;
}

const fixture = loadFixture<{ steps: StepCase[]; model: ModelCase }>("seq2seq");
const load = (sd: Record<string, FixtureTensor>) =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, fromFixture(v)]));

describe("seq2seq decoder step matches PyTorch's attention decoders", () => {
  for (const c of fixture.steps) {
    test(c.name, () => {
      const decoder = new Seq2SeqDecoder(c.config);
      decoder.loadStateDict(load(c.state)); // strict: the same keys
      const keys = fromFixture(c.keys, { requiresGrad: true });
      const mask = fromFixture(c.mask);
      const h0 = fromFixture(c.h0, { requiresGrad: true });
      const c0 = c.c0 && fromFixture(c.c0, { requiresGrad: true });
      const state: RecurrentState = c0 ? [h0, c0] : h0;
      const memory: DecoderMemory = {
        keys: decoder.attention!.prepare(keys.mul(mask.unsqueeze(2)), mask),
        context: null,
      };
      const out = decoder.step(memory, state, fromFixture(c.tokens).data as Int32Array);
      const h1 = Array.isArray(out.state) ? out.state[0] : out.state;
      report.add(`${c.cell} outputs`, assertClose(out.logits, c.logits, 1e-5, "logits"));
      report.add(`${c.cell} outputs`, assertClose(h1, c.h1, 1e-5, "h1"));
      report.add(`${c.cell} outputs`, assertClose(out.weights!, c.weights, 1e-5, "weights"));
      if (c.c1) assertClose((out.state as [Tensor, Tensor])[1], c.c1, 1e-5, "c1");
      out.logits
        .mul(fromFixture(c.glogits))
        .sum()
        .add(h1.mul(fromFixture(c.gh)).sum())
        .add(out.weights!.mul(fromFixture(c.gweights)).sum())
        .backward();
      const actual: Record<string, Tensor | null> = { keys: keys.grad, h0: h0.grad };
      if (c0) actual.c0 = c0.grad;
      for (const [k, p] of decoder.namedParameters()) actual[k] = p.grad;
      assert.deepEqual(Object.keys(actual).sort(), Object.keys(c.grads).sort());
      for (const [k, g] of Object.entries(c.grads))
        report.add(`${c.cell} grads`, assertClose(actual[k]!, g, 1e-5, `${k} grad`));
    });
  }
});

describe("a whole teacher-forced Seq2Seq matches PyTorch", () => {
  test("bidirectional packed GRU encoder, bridge, luong-general decoder, masked loss", () => {
    const c = fixture.model;
    const model = new Seq2Seq(c.config);
    model.loadStateDict(load(c.state));
    const lengths = fromFixture(c.lengths).data as Int32Array;
    const { logits, weights } = model.forward(
      fromFixture(c.source),
      lengths,
      fromFixture(c.inputs),
    );
    report.add("model outputs", assertClose(logits, c.logits, 1e-5, "logits"));
    report.add("model outputs", assertClose(weights!, c.weights, 1e-5, "weights"));
    const [B, T, V] = logits.shape;
    const loss = crossEntropy(logits.reshape([B * T, V]), fromFixture(c.targets).reshape([B * T]), {
      ignoreIndex: 1,
    });
    assert.ok(Math.abs(loss.item() - c.loss) < 1e-5, `loss ${loss.item()} vs ${c.loss}`);
    loss.backward();
    const params = Object.fromEntries(model.namedParameters());
    assert.deepEqual(Object.keys(params).sort(), Object.keys(c.grads).sort());
    for (const [k, g] of Object.entries(c.grads))
      report.add("model grads", assertClose(params[k].grad!, g, 1e-5, `${k} grad`));
  });
});
