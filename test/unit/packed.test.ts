// utils.rnn semantics beyond the PyTorch fixtures: error messages, int32 packing, round trips,
// packed recurrent layers equal to running each sequence alone, no arithmetic on padding, and the
// masked sequence loss against crossEntropy on the valid tokens.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { crossEntropy } from "../../src/nn/functional/cross-entropy.js";
import { maskedCrossEntropy } from "../../src/nn/functional/sequence-loss.js";
import { GRU, LSTM, RNN } from "../../src/nn/rnn/layers.js";
import { MaskedCrossEntropyLoss } from "../../src/nn/sequence-loss.js";
import { randint, randn, tensor, zeros } from "../../src/ops/index.js";
import { manualSeed } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  invertPermutation,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  PackedSequence,
  sequenceMask,
} from "../../src/utils/rnn/index.js";
import { maxAbsDiff } from "../helpers.js";

const ints = (t: Tensor | null) => (t === null ? null : [...t.data]);

/** x[t, b] as a flat row of a [T, B, F] tensor. */
function rowOf(x: Tensor, t: number, b: number): number[] {
  const [, B, F] = x.shape;
  return [...x.data.subarray((t * B + b) * F, (t * B + b + 1) * F)];
}

describe("packPaddedSequence", () => {
  test("errors name the function, what was expected and what came", () => {
    const x = randn([5, 3, 2]);
    assert.throws(
      () => packPaddedSequence(x, [2, 5, 3]),
      /packPaddedSequence: lengths must be sorted in decreasing order when enforceSorted is true, got \[2, 5, 3\]; pass \{ enforceSorted: false \}/,
    );
    assert.throws(
      () => packPaddedSequence(x, [5, 3, 0]),
      /packPaddedSequence: length of all samples has to be greater than 0, but found lengths\[2\] = 0/,
    );
    assert.throws(
      () => packPaddedSequence(x, [3, -1, 2], { enforceSorted: false }),
      /found lengths\[1\] = -1/,
    );
    assert.throws(
      () => packPaddedSequence(x, [4, 7, 2], { enforceSorted: false }),
      /packPaddedSequence: lengths\[1\] = 7 exceeds the 5 time steps of input \[5, 3, 2\]/,
    );
    assert.throws(
      () => packPaddedSequence(x, [5, 3]),
      /packPaddedSequence: expected as many lengths as the batch size 3 of input \[5, 3, 2\], got 2/,
    );
    assert.throws(
      () => packPaddedSequence(x, [5, 4], { batchFirst: true }),
      /expected as many lengths as the batch size 5 of input \[5, 3, 2\], got 2/,
    );
    assert.throws(
      () => packPaddedSequence(randn([5]), [5]),
      /packPaddedSequence: expected input of shape \[T, B, \*\], got \[5\]/,
    );
    assert.throws(
      () => packPaddedSequence(x, [5, 2.5, 1]),
      /packPaddedSequence: expected integer lengths, got 2.5 at position 1/,
    );
    assert.throws(
      () => packPaddedSequence(x, zeros([3, 1], { dtype: "int32" })),
      /packPaddedSequence: expected lengths to be a 1-D tensor or an array, got shape \[3, 1\]/,
    );
    assert.throws(() => packPaddedSequence(zeros([4, 0, 2]), []), /cannot pack an empty batch/);
  });

  test("batch sizes, indices and rows, for lengths given as a tensor", () => {
    const x = randn([4, 3, 2]);
    const p = packPaddedSequence(x, tensor([2, 4, 3], { dtype: "int32" }), {
      enforceSorted: false,
    });
    assert.deepEqual(ints(p.batchSizes), [3, 3, 2, 1]);
    assert.deepEqual(ints(p.sortedIndices), [1, 2, 0]);
    assert.deepEqual(ints(p.unsortedIndices), [2, 0, 1]);
    assert.deepEqual([...p.lengths()], [2, 4, 3]);
    assert.deepEqual(p.data.shape, [9, 2]);
    // Step 1 (rows 3..5) holds sequences 1, 2, 0 (sorted order); step 3 (row 8) only sequence 1.
    assert.deepEqual([...p.data.data.subarray(6, 8)], rowOf(x, 1, 1));
    assert.deepEqual([...p.data.data.subarray(10, 12)], rowOf(x, 1, 0));
    assert.deepEqual([...p.data.data.subarray(16, 18)], rowOf(x, 3, 1));
  });

  test("ties keep their input order (a stable sort, as PyTorch's for small batches)", () => {
    const p = packPaddedSequence(zeros([3, 5, 1]), [2, 3, 2, 3, 1], { enforceSorted: false });
    assert.deepEqual(ints(p.sortedIndices), [1, 3, 0, 2, 4]);
  });

  test("int32 token ids pack and pad without a tape", () => {
    const tokens = tensor(
      [
        [1, 2, 3],
        [4, 5, 0],
        [6, 0, 0],
      ],
      { dtype: "int32" },
    ); // [B, T]
    const p = packPaddedSequence(tokens, [3, 2, 1], { batchFirst: true });
    assert.equal(p.data.dtype, "int32");
    assert.deepEqual(ints(p.data), [1, 4, 6, 2, 5, 3]);
    const [padded] = padPackedSequence(p, { batchFirst: true, paddingValue: -1 });
    assert.deepEqual(padded.toArray(), [
      [1, 2, 3],
      [4, 5, -1],
      [6, -1, -1],
    ]);
    assert.throws(
      () => padPackedSequence(p, { paddingValue: 0.5 }),
      /padPackedSequence: expected an integer as paddingValue for int32 data, got 0.5/,
    );
  });
});

describe("padPackedSequence and padSequence", () => {
  test("round trip restores the valid positions and fills the rest", () => {
    manualSeed(1);
    const x = randn([3, 6, 2]); // [B, T, F]
    const lengths = [4, 6, 1];
    const p = packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
    const [padded, lens] = padPackedSequence(p, {
      batchFirst: true,
      paddingValue: 9,
      totalLength: 7,
    });
    assert.deepEqual(padded.shape, [3, 7, 2]);
    assert.deepEqual(ints(lens), lengths);
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t < 7; t++) {
        const got = [...padded.data.subarray((b * 7 + t) * 2, (b * 7 + t + 1) * 2)];
        const want =
          t < lengths[b] ? [...x.data.subarray((b * 6 + t) * 2, (b * 6 + t + 1) * 2)] : [9, 9];
        assert.deepEqual(got, want, `b ${b} t ${t}`);
      }
    }
  });

  test("errors", () => {
    const p = packSequence([randn([3, 2]), randn([2, 2])]);
    assert.throws(
      () => padPackedSequence(p, { totalLength: 2 }),
      /padPackedSequence: expected totalLength to be at least the length of the longest sequence in input, but got totalLength=2 and max sequence length being 3/,
    );
    assert.throws(
      () => padPackedSequence(randn([5, 2]) as unknown as PackedSequence),
      /padPackedSequence: expected a PackedSequence, got object/,
    );
    assert.throws(() => padSequence([]), /padSequence: expected a non-empty array of tensors/);
    assert.throws(
      () => padSequence([randn([3, 2]), randn([2, 3])]),
      /padSequence: expected every sequence to be \[L, 2\] \(float32\) like sequences\[0\], got float32 \[2, 3\] at sequences\[1\]/,
    );
    assert.throws(
      () => packSequence([randn([3, 2]), zeros([2, 2], { dtype: "int32" })]),
      /packSequence: expected every sequence to be \[L, 2\] \(float32\) like sequences\[0\], got int32 \[2, 2\]/,
    );
    assert.throws(
      () => packSequence([randn([3, 2]), randn([0, 2])], { enforceSorted: false }),
      /packSequence: length of all samples has to be greater than 0, but found lengths\[1\] = 0/,
    );
    assert.throws(
      () => packSequence([randn([2, 2]), randn([3, 2])]),
      /packSequence: lengths must be sorted in decreasing order/,
    );
  });

  test("padSequence of 1-D sequences, with an empty one", () => {
    const out = padSequence([tensor([1, 2]), tensor([]), tensor([3, 4, 5])], {
      batchFirst: true,
    });
    assert.deepEqual(out.toArray(), [
      [1, 2, 0],
      [0, 0, 0],
      [3, 4, 5],
    ]);
  });
});

describe("PackedSequence", () => {
  test("constructor validates and derives unsortedIndices", () => {
    const perm = tensor([2, 0, 1], { dtype: "int32" });
    const p = new PackedSequence(randn([5, 2]), [3, 2], perm);
    assert.deepEqual(ints(p.unsortedIndices), ints(invertPermutation(perm)));
    assert.deepEqual(ints(p.unsortedIndices), [1, 2, 0]);
    assert.equal(p.batchSize, 3);
    assert.equal(p.maxLength, 2);
    assert.throws(
      () => new PackedSequence(randn([5, 2]), [2, 3]),
      /PackedSequence: expected positive, non-increasing batchSizes, got \[2, 3\]/,
    );
    assert.throws(
      () => new PackedSequence(randn([4, 2]), [3, 2]),
      /PackedSequence: batchSizes sum to 5 but data has 4 rows \(shape \[4, 2\]\)/,
    );
    assert.throws(
      () => new PackedSequence(randn([5, 2]), [3, 2], tensor([0, 0, 1], { dtype: "int32" })),
      /PackedSequence: expected sortedIndices to be a permutation of 0..2, got \[0, 0, 1\]/,
    );
    assert.throws(
      () => new PackedSequence(randn([5, 2]), [3, 2], tensor([0, 1], { dtype: "int32" })),
      /PackedSequence: expected sortedIndices to be an int32 tensor of shape \[3\], got int32 \[2\]/,
    );
  });
});

describe("recurrent layers on PackedSequence", () => {
  const layers = {
    rnn: () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }),
    lstm: () =>
      new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize: 2 }),
    gru: () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }),
  };
  for (const [kind, make] of Object.entries(layers)) {
    test(`${kind}: equals running each sequence alone; padding (NaN here) is never read`, () => {
      manualSeed(7);
      const m = make();
      const lengths = [3, 6, 1, 5];
      const x = randn([6, 4, 3]); // [T, B, I]
      const clean = x.clone();
      for (let b = 0; b < 4; b++) {
        for (let t = lengths[b]; t < 6; t++) x.data.fill(NaN, (t * 4 + b) * 3, (t * 4 + b + 1) * 3);
      }
      const LD = 4;
      const P = m.outSize;
      const h0 = randn([LD, 4, P]);
      const c0 = randn([LD, 4, m.hiddenSize]);
      const p = packPaddedSequence(x, lengths, { enforceSorted: false });
      const run = (input: Tensor | PackedSequence, h: Tensor, c: Tensor) =>
        m instanceof LSTM
          ? (([o, [hn, cn]]) => ({ o, hn, cn }))(m.forward(input, [h, c]))
          : (([o, hn]) => ({ o, hn, cn: null as Tensor | null }))(m.forward(input, h));
      const packed = run(p, h0, c0);
      assert.ok(packed.o instanceof PackedSequence);
      const [out] = padPackedSequence(packed.o);
      for (let b = 0; b < 4; b++) {
        const L = lengths[b];
        const xb = clean.narrow(1, b, 1).narrow(0, 0, L); // [L, 1, I]
        const alone = run(xb, h0.narrow(1, b, 1), c0.narrow(1, b, 1));
        const outB = (out as Tensor).narrow(1, b, 1).narrow(0, 0, L);
        assert.ok(maxAbsDiff(outB.contiguous(), alone.o as Tensor) < 1e-6, `output of ${b}`);
        assert.ok(maxAbsDiff(packed.hn.narrow(1, b, 1), alone.hn) < 1e-6, `hN of ${b}`);
        if (packed.cn) assert.ok(maxAbsDiff(packed.cn.narrow(1, b, 1), alone.cn!) < 1e-6);
      }
      assert.ok([...out.data].every(Number.isFinite));
    });
  }

  test("state shapes are checked against the packed batch", () => {
    const m = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const p = packSequence([randn([3, 3]), randn([2, 3])]);
    assert.throws(
      () => m.forward(p, [zeros([1, 3, 4]), zeros([1, 3, 4])]),
      /LSTM: expected hx of shape \[1, 2, 4\], got \[1, 3, 4\]/,
    );
    assert.throws(
      () => m.forward(p, [zeros([1, 2, 4]), zeros([1, 2, 3])]),
      /LSTM: expected cx of shape \[1, 2, 4\], got \[1, 2, 3\]/,
    );
    assert.throws(
      () => m.forward(packSequence([randn([3, 2])])),
      /LSTM: expected packed data of shape \[3, 3\], got \[3, 2\]/,
    );
  });

  test("batchFirst does not apply to packed data; output keeps the batch structure", () => {
    const m = new GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true });
    const p = packPaddedSequence(randn([3, 4, 2]), [2, 4, 1], {
      batchFirst: true,
      enforceSorted: false,
    });
    const [out, hN] = m.forward(p);
    assert.equal(out.batchSizes, p.batchSizes);
    assert.equal(out.sortedIndices, p.sortedIndices);
    assert.deepEqual(out.data.shape, [7, 3]);
    assert.deepEqual(hN.shape, [1, 3, 3]);
  });
});

describe("sequenceMask", () => {
  test("default maxLen, int32, lengths above maxLen, errors", () => {
    assert.deepEqual(sequenceMask([2, 0, 1]).toArray(), [
      [1, 1],
      [0, 0],
      [1, 0],
    ]);
    const m = sequenceMask(tensor([3, 1]), 2, { dtype: "int32" });
    assert.equal(m.dtype, "int32");
    assert.deepEqual(m.toArray(), [
      [1, 1],
      [1, 0],
    ]);
    assert.throws(
      () => sequenceMask([2, -1]),
      /sequenceMask: expected non-negative lengths, got lengths\[1\] = -1/,
    );
    assert.throws(
      () => sequenceMask([2], 1.5),
      /sequenceMask: expected maxLen to be a non-negative integer, got 1.5/,
    );
  });
});

describe("maskedCrossEntropy", () => {
  test("equals Σ crossEntropy over valid tokens / T, and padding gets no gradient", () => {
    manualSeed(3);
    const [B, T, V] = [3, 5, 4];
    const logits = randn([B, T, V], { requiresGrad: true });
    const labels = randint(0, V, [B, T]);
    const lengths = [5, 2, 0];
    const loss = maskedCrossEntropy(logits, labels, lengths);
    assert.deepEqual(loss.shape, [B]);
    for (let b = 0; b < B; b++) {
      const L = lengths[b];
      const want =
        L === 0
          ? 0
          : crossEntropy(
              logits.narrow(0, b, 1).narrow(1, 0, L).reshape(L, V),
              labels.narrow(0, b, 1).narrow(1, 0, L).reshape(L),
              {
                reduction: "sum",
              },
            ).item() / T;
      assert.ok(Math.abs(loss.data[b] - want) < 1e-6, `sequence ${b}: ${loss.data[b]} vs ${want}`);
    }
    loss.sum().backward();
    const g = logits.grad!;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = [...g.data.subarray((b * T + t) * V, (b * T + t + 1) * V)];
        assert.equal(
          row.some((v) => v !== 0),
          t < lengths[b],
          `grad at b ${b} t ${t}`,
        );
      }
    }
    const mean = new MaskedCrossEntropyLoss({ reduction: "mean" }).forward(logits, labels, lengths);
    assert.ok(Math.abs(mean.item() - loss.mean().item()) < 1e-7);
    assert.equal(
      new MaskedCrossEntropyLoss({ reduction: "sum" }).toString(),
      "MaskedCrossEntropyLoss(reduction='sum')",
    );
  });

  test("errors", () => {
    const logits = randn([2, 3, 4]);
    const labels = randint(0, 4, [2, 3]);
    assert.throws(
      () => maskedCrossEntropy(randn([6, 4]), labels, [3, 3]),
      /maskedCrossEntropy: expected float32 logits of shape \[B, T, V\], got float32 \[6, 4\]/,
    );
    assert.throws(
      () => maskedCrossEntropy(logits, labels.float(), [3, 3]),
      /maskedCrossEntropy: expected int32 targets of shape \[2, 3\] for logits \[2, 3, 4\], got float32 \[2, 3\]/,
    );
    assert.throws(
      () => maskedCrossEntropy(logits, labels, [3]),
      /maskedCrossEntropy: expected 2 lengths \(one per sequence of logits \[2, 3, 4\]\), got 1/,
    );
    assert.throws(
      () => maskedCrossEntropy(logits, labels, [3, 3], { reduction: "avg" as never }),
      /maskedCrossEntropy: reduction must be "mean", "sum" or "none", got "avg"/,
    );
  });
});
