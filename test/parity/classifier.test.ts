import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { RNNClassifier, type ClassifierConfig } from "../../src/tasks/classifier/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

const report = new ParityReport();
after(() => report.print("RNNClassifier vs PyTorch"));

interface ClassifierCase {
  name: string;
  config: ClassifierConfig;
  state: Record<string, FixtureTensor>;
  ids: FixtureTensor;
  lengths: number[];
  logits: FixtureTensor;
  attention?: FixtureTensor;
  glogits: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const { cases } = loadFixture<{ cases: ClassifierCase[] }>("classifier");

describe("RNNClassifier matches the PyTorch packed classifier (gen_classifier.py)", () => {
  for (const c of cases) {
    test(c.name, () => {
      const model = new RNNClassifier(c.config);
      // strict: the PyTorch model's state-dict keys are exactly ours
      model.loadStateDict(
        Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
      );
      model.eval();
      const { logits, attention } = model.forwardWithAttention(fromFixture(c.ids), c.lengths);
      report.add(`${c.config.pooling} logits`, assertClose(logits, c.logits, 1e-5, "logits"));
      if (c.attention) {
        report.add("attention weights", assertClose(attention!, c.attention, 1e-5, "attention"));
      } else assert.equal(attention, null);
      logits.mul(fromFixture(c.glogits)).sum().backward();
      const params = Object.fromEntries(model.namedParameters()) as Record<string, Tensor>;
      assert.deepEqual(Object.keys(params).sort(), Object.keys(c.grads).sort());
      for (const [k, g] of Object.entries(c.grads)) {
        assert.ok(params[k].grad, `${k}: no gradient`);
        report.add(`${c.config.pooling} grads`, assertClose(params[k].grad!, g, 1e-5, `${k} grad`));
      }
    });
  }
});
