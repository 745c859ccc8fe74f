// Finite-difference checks of the fused primitives outside ops.test.ts's table walk:
// softmaxCrossEntropy (nn.functional.crossEntropy's common case) and the recurrent layer's
// row-table input path (ops/recurrent-input.ts), whose gradient reaches the embedding table.
import { describe, test } from "node:test";
import { manualSeed, nn, tensor } from "../../src/index.js";
import { check, uniform } from "./util.js";

const targets = (values: number[]) => tensor(values, { dtype: "int32" });

describe("gradcheck: fused primitives", () => {
  test("softmaxCrossEntropy: mean and sum, class weights, ignoreIndex", () => {
    const x = uniform([5, 4], -2, 2);
    const t = targets([1, 0, 3, 3, 2]);
    const w = tensor([0.5, 1, 2, 0.25]);
    const ce = nn.functional.crossEntropy;
    check("softmaxCrossEntropy", (a) => ce(a, t), [x]);
    check("softmaxCrossEntropy", (a) => ce(a, t, { reduction: "sum", weight: w }), [x]);
    check("softmaxCrossEntropy", (a) => ce(a, targets([1, -100, 3, 0, -100])), [x]);
    check("softmaxCrossEntropy", (a) => ce(a, t, { weight: w, ignoreIndex: 3 }), [x]);
  });

  test("recurrentLayer over rows of an embedding table: the table's gradient", () => {
    manualSeed(3);
    const emb = new nn.Embedding(3, 2);
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true });
    // 2 sequences of 4 steps over a 3-row table: 2·3 ≤ 8 rows, so the row-table path runs (the
    // padding row's masking is checked against the composed path in test/conformance/fused.test.ts).
    const ids = tensor([0, 2, 2, 1, 1, 0, 2, 0], { shape: [2, 4], dtype: "int32" });
    check("recurrentLayer rows", (w) => lstm.forward(nn.functional.embedding(ids, w))[0], [
      emb.weight,
    ]);
  });
});
