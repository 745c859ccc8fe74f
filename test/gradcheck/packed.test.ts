// Finite-difference checks through packing: pack → recurrent layer → pad, with unsorted lengths
// and initial states (whose permutation by sortedIndices is on the tape), and the pack/pad
// utilities and the masked sequence loss on their own. Every element is perturbed.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck } from "../../src/autograd/gradcheck.js";
import { maskedCrossEntropy } from "../../src/nn/functional/sequence-loss.js";
import { GRU, LSTM } from "../../src/nn/rnn/layers.js";
import { randint, randn } from "../../src/ops/index.js";
import { manualSeed } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
} from "../../src/utils/rnn/index.js";

describe("gradcheck packed sequences", () => {
  test("pack → bidirectional LSTM (projSize) → pad, unsorted lengths, batchFirst", () => {
    manualSeed(11);
    const m = new LSTM({
      inputSize: 2,
      hiddenSize: 3,
      projSize: 2,
      bidirectional: true,
      batchFirst: true,
    });
    const lengths = [2, 4, 1];
    const x = randn([3, 4, 2], { requiresGrad: true }); // [B, T, I]
    const h0 = randn([2, 3, 2], { requiresGrad: true });
    const c0 = randn([2, 3, 3], { requiresGrad: true });
    const fn = (): Tensor[] => {
      const p = packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
      const [out, [hN, cN]] = m.forward(p, [h0, c0]);
      const [padded] = padPackedSequence(out, { batchFirst: true, paddingValue: 0.5 });
      return [padded, hN, cN];
    };
    const r = gradcheck(fn, [x, h0, c0, ...m.parameters()]);
    assert.ok(r.ok, r.message);
    // Padded steps of x never reach the loss: their gradient is exactly zero.
    const g = x.grad!.data;
    for (let b = 0; b < 3; b++) {
      for (let t = lengths[b]; t < 4; t++) {
        assert.deepEqual([...g.subarray((b * 4 + t) * 2, (b * 4 + t + 1) * 2)], [0, 0]);
      }
    }
  });

  test("packSequence → two-layer GRU → pad, with totalLength", () => {
    manualSeed(12);
    const m = new GRU({ inputSize: 2, hiddenSize: 2, numLayers: 2 });
    const seqs = [randn([2, 2]), randn([3, 2]), randn([1, 2])].map((s) => s.requiresGrad_());
    const h0 = randn([2, 3, 2], { requiresGrad: true });
    const fn = (...xs: Tensor[]): Tensor[] => {
      const [out, hN] = m.forward(packSequence(xs.slice(0, 3), { enforceSorted: false }), h0);
      return [padPackedSequence(out, { totalLength: 5 })[0], hN];
    };
    const r = gradcheck(fn, [...seqs, h0, ...m.parameters()]);
    assert.ok(r.ok, r.message);
  });

  test("padSequence and maskedCrossEntropy", () => {
    manualSeed(13);
    const seqs = [randn([3, 2, 2]), randn([1, 2, 2])].map((s) => s.requiresGrad_());
    assert.ok(gradcheck((a, b) => padSequence([a, b], { batchFirst: true }), seqs).ok);
    const logits = randn([3, 4, 5], { requiresGrad: true });
    const labels = randint(0, 5, [3, 4]);
    const r = gradcheck((z) => maskedCrossEntropy(z, labels, [4, 1, 2]), [logits]);
    assert.ok(r.ok, r.message);
  });
});
