// Parity with PyTorch 1.13 for RNN (tanh, relu), LSTM (with and without projSize), GRU and the
// three cells: outputs, final states and the gradients of every parameter, the input and the
// initial states, over the covering grid written by gen_rnn.py (see its header).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { nn, type Tensor } from "../../src/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

type Mode = "rnn_tanh" | "rnn_relu" | "lstm" | "lstm_proj" | "gru";

interface LayerCase {
  name: string;
  mode: Mode;
  options: nn.RNNOptions & nn.LSTMOptions;
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  hN: FixtureTensor;
  cN?: FixtureTensor;
  R1: FixtureTensor;
  R2: FixtureTensor;
  R3?: FixtureTensor;
  h0?: FixtureTensor;
  c0?: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  gradInput: FixtureTensor;
  gradH0?: FixtureTensor;
  gradC0?: FixtureTensor;
  packedInput?: FixtureTensor;
  batchSizes?: number[];
}

interface CellCase {
  name: string;
  kind: "rnn_tanh" | "rnn_relu" | "lstm" | "gru";
  bias: boolean;
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  h1: FixtureTensor;
  c1?: FixtureTensor;
  R1: FixtureTensor;
  R3?: FixtureTensor;
  h0?: FixtureTensor;
  c0?: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  gradInput: FixtureTensor;
  gradH0?: FixtureTensor;
  gradC0?: FixtureTensor;
}

const LABELS: Record<Mode, string> = {
  rnn_tanh: "RNN tanh",
  rnn_relu: "RNN relu",
  lstm: "LSTM",
  lstm_proj: "LSTM proj",
  gru: "GRU",
};

const report = new ParityReport();
after(() => report.print("nn.rnn parity"));

function build(c: LayerCase): nn.RNN | nn.LSTM | nn.GRU {
  const m = c.mode.startsWith("rnn")
    ? new nn.RNN(c.options)
    : c.mode === "gru"
      ? new nn.GRU(c.options)
      : new nn.LSTM(c.options);
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])));
  return m.eval();
}

/** Σ out·R1 + Σ hN·R2 (+ Σ cN·R3), the loss the fixtures differentiate. */
function lossOf(
  out: Tensor,
  hN: Tensor,
  cN: Tensor | null,
  c: { R1: FixtureTensor; R2?: FixtureTensor; R3?: FixtureTensor },
): Tensor {
  let loss = out.mul(fromFixture(c.R1)).sum();
  if (c.R2) loss = loss.add(hN.mul(fromFixture(c.R2)).sum());
  if (cN) loss = loss.add(cN.mul(fromFixture(c.R3!)).sum());
  return loss;
}

/** The padded input gradient [T, B, I] gathered into packed row order [N, I]. */
function packGrad(g: FixtureTensor, batchSizes: number[]): FixtureTensor {
  const [, B, I] = g.shape;
  const data: number[] = [];
  batchSizes.forEach((bs, t) => {
    for (let b = 0; b < bs; b++) data.push(...g.data.slice((t * B + b) * I, (t * B + b + 1) * I));
  });
  return { shape: [data.length / I, I], data };
}

function checkLayerCase(c: LayerCase): void {
  const m = build(c);
  const label = LABELS[c.mode] + (c.batchSizes ? " (packed)" : "");
  const h0 = c.h0 ? fromFixture(c.h0, { requiresGrad: true }) : undefined;
  const c0 = c.c0 ? fromFixture(c.c0, { requiresGrad: true }) : undefined;
  const x = fromFixture(c.packedInput ?? c.input, { requiresGrad: true });
  let out: Tensor, hN: Tensor, cN: Tensor | null;
  if (c.batchSizes) {
    ({ output: out, hN, cN } = m.forwardPacked(x, c.batchSizes, h0, c0));
  } else if (m instanceof nn.LSTM) {
    [out, [hN, cN]] = m.forward(x, h0 && c0 ? [h0, c0] : undefined);
  } else {
    [out, hN] = m.forward(x, h0);
    cN = null;
  }
  const check = (actual: Tensor | null, expected: FixtureTensor | undefined, what: string) => {
    assert.ok(actual && expected, `${c.name}: ${what} missing`);
    report.add(label, assertClose(actual, expected, 1e-5, `${c.name}: ${what}`));
  };
  check(out, c.output, "output");
  check(hN, c.hN, "hN");
  if (c.cN) check(cN, c.cN, "cN");
  lossOf(out, hN, cN, c).backward();
  for (const [key, p] of m.namedParameters()) check(p.grad, c.grads[key], `grad ${key}`);
  check(x.grad, c.batchSizes ? packGrad(c.gradInput, c.batchSizes) : c.gradInput, "grad input");
  if (h0) check(h0.grad, c.gradH0, "grad h0");
  if (c0) check(c0.grad, c.gradC0, "grad c0");
}

for (const mode of Object.keys(LABELS) as Mode[]) {
  describe(`parity ${LABELS[mode]}`, () => {
    const { cases } = loadFixture<{ cases: LayerCase[] }>(`rnn_${mode}`);
    test("state-dict keys equal PyTorch's, in order", () => {
      for (const c of cases)
        assert.deepEqual(Object.keys(build(c).stateDict()), Object.keys(c.state), c.name);
    });
    for (const c of cases) test(c.name, () => checkLayerCase(c));
  });
}

describe("parity cells", () => {
  const { cases } = loadFixture<{ cases: CellCase[] }>("rnn_cells");
  for (const c of cases) {
    test(c.name, () => {
      const options = {
        inputSize: c.input.shape.at(-1)!,
        hiddenSize: c.h1.shape.at(-1)!,
        bias: c.bias,
      };
      const cell =
        c.kind === "lstm"
          ? new nn.LSTMCell(options)
          : c.kind === "gru"
            ? new nn.GRUCell(options)
            : new nn.RNNCell({ ...options, nonlinearity: c.kind === "rnn_relu" ? "relu" : "tanh" });
      assert.deepEqual(Object.keys(cell.stateDict()), Object.keys(c.state));
      cell.loadStateDict(
        Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
      );
      const x = fromFixture(c.input, { requiresGrad: true });
      const h0 = c.h0 ? fromFixture(c.h0, { requiresGrad: true }) : undefined;
      const c0 = c.c0 ? fromFixture(c.c0, { requiresGrad: true }) : undefined;
      let h1: Tensor;
      let c1: Tensor | null = null;
      if (cell instanceof nn.LSTMCell) [h1, c1] = cell.forward(x, h0 && c0 ? [h0, c0] : undefined);
      else h1 = cell.forward(x, h0);
      const label = `cells (${c.kind})`;
      const check = (actual: Tensor | null, expected: FixtureTensor | undefined, what: string) => {
        assert.ok(actual && expected, `${c.name}: ${what} missing`);
        report.add(label, assertClose(actual, expected, 1e-5, `${c.name}: ${what}`));
      };
      check(h1, c.h1, "h1");
      if (c.c1) check(c1, c.c1, "c1");
      lossOf(h1, h1, c1, { R1: c.R1, R3: c.R3 }).backward();
      for (const [key, p] of cell.namedParameters()) check(p.grad, c.grads[key], `grad ${key}`);
      check(x.grad, c.gradInput, "grad input");
      if (h0) check(h0.grad, c.gradH0, "grad h0");
      if (c0) check(c0.grad, c.gradC0, "grad c0");
    });
  }
});

describe("repr and state-dict keys match PyTorch", () => {
  const { cases } = loadFixture<{
    cases: { cls: string; options: Record<string, unknown>; repr: string; keys: string[] }[];
  }>("rnn_repr");
  const classes: Record<string, new (options: never) => nn.Module> = {
    LSTM: nn.LSTM,
    GRU: nn.GRU,
    RNN: nn.RNN,
    RNNCell: nn.RNNCell,
    LSTMCell: nn.LSTMCell,
    GRUCell: nn.GRUCell,
  };
  for (const c of cases) {
    test(c.repr, () => {
      const m = new classes[c.cls](c.options as never);
      assert.equal(m.toString(), c.repr);
      assert.deepEqual(Object.keys(m.stateDict()), c.keys);
    });
  }
});
