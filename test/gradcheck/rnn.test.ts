// Finite-difference checks of the recurrent layers' hand-written backward (and of the composed
// cells): every element for tiny layers, one random direction per input for longer sequences.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, isGradEnabled, manualSeed, nn, randn, type Tensor } from "../../src/index.js";

type Kind = "rnnTanh" | "rnnRelu" | "lstm" | "lstmProj" | "gru";
const kinds: Kind[] = ["rnnTanh", "rnnRelu", "lstm", "lstmProj", "gru"];

function make(
  kind: Kind,
  options: { numLayers: number; bidirectional: boolean; batchFirst?: boolean },
): nn.RNN | nn.LSTM | nn.GRU {
  const base = { inputSize: 2, hiddenSize: 3, ...options };
  if (kind === "rnnTanh") return new nn.RNN(base);
  if (kind === "rnnRelu") return new nn.RNN({ ...base, nonlinearity: "relu" });
  if (kind === "gru") return new nn.GRU(base);
  return new nn.LSTM({ ...base, projSize: kind === "lstmProj" ? 2 : 0 });
}

/** Inputs (x, h0, [c0], parameters…) and a function of them returning [output, hN, (cN)]. */
function setup(
  kind: Kind,
  T: number,
  B: number,
  numLayers: number,
  bidirectional: boolean,
  batchFirst = false,
) {
  const m = make(kind, { numLayers, bidirectional, batchFirst });
  const LD = numLayers * m.numDirections;
  const x = randn(batchFirst ? [B, T, 2] : [T, B, 2], { requiresGrad: true });
  const h0 = randn([LD, B, m.outSize], { requiresGrad: true });
  const c0 = randn([LD, B, m.hiddenSize], { requiresGrad: true });
  const fn = (): Tensor[] => {
    if (m instanceof nn.LSTM) {
      const [out, [hN, cN]] = m.forward(x, [h0, c0]);
      return [out, hN, cN];
    }
    const [out, hN] = m.forward(x, h0);
    return [out, hN];
  };
  const inputs = [x, h0, ...(m instanceof nn.LSTM ? [c0] : []), ...m.parameters()];
  return { fn, inputs };
}

describe("gradcheck recurrent layers", () => {
  for (const kind of kinds) {
    test(`${kind}: full check, one layer, T=3, B=2`, () => {
      manualSeed(3);
      const { fn, inputs } = setup(kind, 3, 2, 1, false);
      assert.ok(gradcheck(fn, inputs).ok);
    });
    test(`${kind}: full check, two layers, bidirectional, batchFirst`, () => {
      manualSeed(4);
      const { fn, inputs } = setup(kind, 3, 2, 2, true, true);
      assert.ok(gradcheck(fn, inputs).ok);
    });
    test(`${kind}: directional check, three layers, bidirectional, T=20`, () => {
      manualSeed(5);
      const { fn, inputs } = setup(kind, 20, 3, 3, true);
      // Small eps: with every weight moved at once, ReLU kinks are otherwise crossed.
      for (const seed of [1, 2, 3])
        assert.ok(gradcheck(fn, inputs, { mode: "directional", seed, eps: 3e-4 }).ok);
    });
  }

  test("a wrong gradient is caught", () => {
    manualSeed(6);
    const { fn, inputs } = setup("lstm", 3, 2, 1, false);
    // Scale only the recorded (analytic) pass, so that its gradient is 1.5× the numeric one.
    const skewed = () => (isGradEnabled() ? fn().map((o) => o.mul(1.5)) : fn());
    const r = gradcheck(skewed, inputs, { raise: false });
    assert.equal(r.ok, false);
  });
});

describe("gradcheck cells", () => {
  const cells = {
    RNNCell: () => new nn.RNNCell({ inputSize: 2, hiddenSize: 3, nonlinearity: "relu" }),
    LSTMCell: () => new nn.LSTMCell({ inputSize: 2, hiddenSize: 3 }),
    GRUCell: () => new nn.GRUCell({ inputSize: 2, hiddenSize: 3 }),
  };
  for (const [name, ctor] of Object.entries(cells)) {
    test(name, () => {
      manualSeed(7);
      const cell = ctor();
      const x = randn([2, 2], { requiresGrad: true });
      const h = randn([2, 3], { requiresGrad: true });
      const c = randn([2, 3], { requiresGrad: true });
      const fn = () =>
        cell instanceof nn.LSTMCell ? cell.forward(x, [h, c]) : [cell.forward(x, h)];
      const inputs = [x, h, ...(cell instanceof nn.LSTMCell ? [c] : []), ...cell.parameters()];
      assert.ok(gradcheck(fn, inputs).ok);
    });
  }
});
