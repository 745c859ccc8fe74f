// Parity with PyTorch 1.13 for utils.rnn (packPaddedSequence, padPackedSequence, packSequence,
// padSequence, sequenceMask), RNN / LSTM / GRU on PackedSequence input (outputs, final states,
// every gradient) and the masked sequence cross-entropy, over the grid written by gen_packed.py.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Tensor } from "../../src/tensor/tensor.js";
import { GRU, LSTM, RNN } from "../../src/nn/rnn/layers.js";
import { maskedCrossEntropy } from "../../src/nn/functional/sequence-loss.js";
import { MaskedCrossEntropyLoss } from "../../src/nn/sequence-loss.js";
import type { Reduction } from "../../src/nn/functional/reduction.js";
import {
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  PackedSequence,
  sequenceMask,
} from "../../src/utils/rnn/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

type Mode = "rnn_tanh" | "rnn_relu" | "lstm" | "lstm_proj" | "gru";
type Opt<T> = T | null;

interface LayerCase {
  name: string;
  mode: Mode;
  options: { inputSize: number; hiddenSize: number; numLayers: number; batchFirst: boolean };
  lengths: number[];
  enforceSorted: boolean;
  totalLength: number | null;
  paddingValue: number;
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  packedData: FixtureTensor;
  batchSizes: number[];
  sortedIndices: Opt<number[]>;
  unsortedIndices: Opt<number[]>;
  packedOutput: FixtureTensor;
  padded: FixtureTensor;
  outLengths: number[];
  hN: FixtureTensor;
  cN: Opt<FixtureTensor>;
  h0: Opt<FixtureTensor>;
  c0: Opt<FixtureTensor>;
  R1: FixtureTensor;
  R2: FixtureTensor;
  R3: Opt<FixtureTensor>;
  grads: Record<string, FixtureTensor>;
  gradInput: FixtureTensor;
  gradH0: Opt<FixtureTensor>;
  gradC0: Opt<FixtureTensor>;
}

const LABELS: Record<Mode, string> = {
  rnn_tanh: "RNN tanh",
  rnn_relu: "RNN relu",
  lstm: "LSTM",
  lstm_proj: "LSTM proj",
  gru: "GRU",
};

const report = new ParityReport();
after(() => report.print("packed sequences parity"));

const ints = (t: Tensor | null) => (t === null ? null : [...t.data]);

function build(c: LayerCase): RNN | LSTM | GRU {
  const m = c.mode.startsWith("rnn")
    ? new RNN({ ...c.options, nonlinearity: c.mode === "rnn_relu" ? "relu" : "tanh" })
    : c.mode === "gru"
      ? new GRU(c.options)
      : new LSTM(c.options);
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])));
  return m.eval();
}

function checkLayerCase(c: LayerCase): void {
  const label = LABELS[c.mode];
  const check = (actual: Tensor | null | undefined, expected: Opt<FixtureTensor>, what: string) => {
    assert.ok(actual && expected, `${c.name}: ${what} missing`);
    report.add(label, assertClose(actual, expected, 1e-5, `${c.name}: ${what}`));
  };
  const m = build(c);
  const x = fromFixture(c.input, { requiresGrad: true });
  const h0 = c.h0 ? fromFixture(c.h0, { requiresGrad: true }) : undefined;
  const c0 = c.c0 ? fromFixture(c.c0, { requiresGrad: true }) : undefined;
  const { batchFirst } = c.options;
  const packed = packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: c.enforceSorted });
  check(packed.data, c.packedData, "packed data");
  assert.deepEqual(ints(packed.batchSizes), c.batchSizes, `${c.name}: batchSizes`);
  assert.deepEqual(ints(packed.sortedIndices), c.sortedIndices, `${c.name}: sortedIndices`);
  assert.deepEqual(ints(packed.unsortedIndices), c.unsortedIndices, `${c.name}: unsortedIndices`);

  let out: PackedSequence,
    hN: Tensor,
    cN: Tensor | null = null;
  if (m instanceof LSTM) [out, [hN, cN]] = m.forward(packed, h0 && c0 ? [h0, c0] : undefined);
  else [out, hN] = m.forward(packed, h0);
  assert.ok(out instanceof PackedSequence, `${c.name}: output is a PackedSequence`);
  assert.equal(out.batchSizes, packed.batchSizes);
  check(out.data, c.packedOutput, "packed output");
  const [padded, lengths] = padPackedSequence(out, {
    batchFirst,
    paddingValue: c.paddingValue,
    totalLength: c.totalLength,
  });
  assert.deepEqual(ints(lengths), c.outLengths, `${c.name}: lengths`);
  check(padded, c.padded, "padded output");
  check(hN, c.hN, "hN");
  if (c.cN) check(cN, c.cN, "cN");

  let loss = padded
    .mul(fromFixture(c.R1))
    .sum()
    .add(hN.mul(fromFixture(c.R2)).sum());
  if (cN) loss = loss.add(cN.mul(fromFixture(c.R3!)).sum());
  loss.backward();
  for (const [key, p] of m.namedParameters()) check(p.grad, c.grads[key], `grad ${key}`);
  check(x.grad, c.gradInput, "grad input");
  if (h0) check(h0.grad, c.gradH0, "grad h0");
  if (c0) check(c0.grad, c.gradC0, "grad c0");
}

for (const mode of Object.keys(LABELS) as Mode[]) {
  describe(`packed parity ${LABELS[mode]}`, () => {
    const { cases } = loadFixture<{ cases: LayerCase[] }>(`packed_${mode}`);
    for (const c of cases) test(c.name, () => checkLayerCase(c));
  });
}

interface Utils {
  padSequence: {
    sequences: FixtureTensor[];
    batchFirst: boolean;
    paddingValue: number;
    output: FixtureTensor;
    R: FixtureTensor;
    grads: FixtureTensor[];
  }[];
  packSequence: {
    sequences: FixtureTensor[];
    enforceSorted: boolean;
    data: FixtureTensor;
    batchSizes: number[];
    sortedIndices: Opt<number[]>;
    unsortedIndices: Opt<number[]>;
    R: FixtureTensor;
    grads: FixtureTensor[];
  }[];
  roundtrip: {
    input: FixtureTensor;
    lengths: number[];
    batchFirst: boolean;
    enforceSorted: boolean;
    totalLength: number | null;
    paddingValue: number;
    data: FixtureTensor;
    batchSizes: number[];
    padded: FixtureTensor;
    outLengths: number[];
    R: FixtureTensor;
    grad: FixtureTensor;
  }[];
  sequenceMask: { lengths: number[]; maxLen: number; mask: FixtureTensor }[];
  maskedCrossEntropy: {
    pred: FixtureTensor;
    label: FixtureTensor;
    lengths: number[];
    reduction: Reduction;
    loss: FixtureTensor;
    R: FixtureTensor;
    gradPred: FixtureTensor;
  }[];
}

describe("packed parity utilities", () => {
  const u = loadFixture<Utils>("packed_utils");
  const check = (label: string, actual: Tensor | null, expected: FixtureTensor, what: string) => {
    assert.ok(actual, `${label}: ${what} missing`);
    report.add(label, assertClose(actual, expected, 1e-5, `${label}: ${what}`));
  };

  u.padSequence.forEach((c, i) => {
    test(`padSequence case ${i}`, () => {
      const seqs = c.sequences.map((s) => fromFixture(s, { requiresGrad: true }));
      const out = padSequence(seqs, { batchFirst: c.batchFirst, paddingValue: c.paddingValue });
      check("padSequence", out, c.output, "output");
      out.mul(fromFixture(c.R)).sum().backward();
      seqs.forEach((s, b) => check("padSequence", s.grad, c.grads[b], `grad ${b}`));
    });
  });

  u.packSequence.forEach((c, i) => {
    test(`packSequence case ${i}`, () => {
      const seqs = c.sequences.map((s) => fromFixture(s, { requiresGrad: true }));
      const p = packSequence(seqs, { enforceSorted: c.enforceSorted });
      check("packSequence", p.data, c.data, "data");
      assert.deepEqual(ints(p.batchSizes), c.batchSizes);
      assert.deepEqual(ints(p.sortedIndices), c.sortedIndices);
      assert.deepEqual(ints(p.unsortedIndices), c.unsortedIndices);
      p.data.mul(fromFixture(c.R)).sum().backward();
      seqs.forEach((s, b) => check("packSequence", s.grad, c.grads[b], `grad ${b}`));
    });
  });

  u.roundtrip.forEach((c, i) => {
    test(`packPaddedSequence → padPackedSequence with feature dims, case ${i}`, () => {
      const x = fromFixture(c.input, { requiresGrad: true });
      const p = packPaddedSequence(x, c.lengths, {
        batchFirst: c.batchFirst,
        enforceSorted: c.enforceSorted,
      });
      check("pack/pad", p.data, c.data, "packed data");
      assert.deepEqual(ints(p.batchSizes), c.batchSizes);
      const [padded, lengths] = padPackedSequence(p, {
        batchFirst: c.batchFirst,
        paddingValue: c.paddingValue,
        totalLength: c.totalLength,
      });
      check("pack/pad", padded, c.padded, "padded");
      assert.deepEqual(ints(lengths), c.outLengths);
      padded.mul(fromFixture(c.R)).sum().backward();
      check("pack/pad", x.grad, c.grad, "grad input");
    });
  });

  test("sequenceMask", () => {
    for (const c of u.sequenceMask) {
      check("sequenceMask", sequenceMask(c.lengths, c.maxLen), c.mask, `lengths ${c.lengths}`);
    }
  });

  u.maskedCrossEntropy.forEach((c, i) => {
    test(`maskedCrossEntropy (d2l MaskedSoftmaxCELoss) case ${i}, reduction ${c.reduction}`, () => {
      for (const viaModule of [false, true]) {
        const pred = fromFixture(c.pred, { requiresGrad: true });
        const label = fromFixture(c.label);
        const loss = viaModule
          ? new MaskedCrossEntropyLoss({ reduction: c.reduction }).forward(pred, label, c.lengths)
          : maskedCrossEntropy(pred, label, c.lengths, { reduction: c.reduction });
        check("maskedCrossEntropy", loss, c.loss, "loss");
        loss.mul(fromFixture(c.R)).sum().backward();
        check("maskedCrossEntropy", pred.grad, c.gradPred, "grad pred");
      }
    });
  });
});
