// RNNCell, LSTMCell, GRUCell: stepping a cell reproduces the one-layer sequence module, the
// unbatched form, default states, initialisation and errors.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, nn, randn, stack, zeros, type Tensor } from "../../src/index.js";
import { maxAbsDiff } from "../helpers.js";

const I = 3;
const H = 4;

/** The layer's l0 weights under the cell's key names. */
function cellState(layer: nn.RNNBase): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(layer.stateDict())) out[k.replace(/_l0$/, "")] = v;
  return out;
}

describe("a cell stepped over time equals the one-layer module", () => {
  test("LSTMCell vs LSTM", () => {
    manualSeed(1);
    const layer = new nn.LSTM({ inputSize: I, hiddenSize: H });
    const cell = new nn.LSTMCell({ inputSize: I, hiddenSize: H });
    cell.loadStateDict(cellState(layer));
    const x = randn([6, 2, I]);
    const [out, [hN, cN]] = layer.forward(x);
    let state: [Tensor, Tensor] | undefined;
    const hs: Tensor[] = [];
    for (let t = 0; t < 6; t++) {
      state = cell.forward(x.select(0, t), state);
      hs.push(state[0]);
    }
    assert.ok(maxAbsDiff(stack(hs, 0), out) <= 1e-6);
    assert.ok(maxAbsDiff(state![0], hN.select(0, 0)) <= 1e-6);
    assert.ok(maxAbsDiff(state![1], cN.select(0, 0)) <= 1e-6);
  });

  for (const [name, nonlinearity] of [
    ["GRUCell vs GRU", null],
    ["RNNCell tanh vs RNN", "tanh"],
    ["RNNCell relu vs RNN", "relu"],
  ] as const) {
    test(name, () => {
      manualSeed(2);
      const options = { inputSize: I, hiddenSize: H, bias: false };
      const layer = nonlinearity ? new nn.RNN({ ...options, nonlinearity }) : new nn.GRU(options);
      const cell = nonlinearity
        ? new nn.RNNCell({ ...options, nonlinearity })
        : new nn.GRUCell(options);
      cell.loadStateDict(cellState(layer));
      const x = randn([5, 2, I]);
      const h0 = randn([1, 2, H]);
      const [out, hN] = layer.forward(x, h0);
      let h = h0.select(0, 0);
      const hs: Tensor[] = [];
      for (let t = 0; t < 5; t++) hs.push((h = cell.forward(x.select(0, t), h)));
      assert.ok(maxAbsDiff(stack(hs, 0), out) <= 1e-6);
      assert.ok(maxAbsDiff(h, hN.select(0, 0)) <= 1e-6);
    });
  }
});

describe("cell forms and defaults", () => {
  test("unbatched input and state give the batch-of-one result", () => {
    manualSeed(3);
    const cell = new nn.LSTMCell({ inputSize: I, hiddenSize: H });
    const x = randn([I]);
    const h = randn([H]);
    const c = randn([H]);
    const [h1, c1] = cell.forward(x, [h, c]);
    const [hb, cb] = cell.forward(x.unsqueeze(0), [h.unsqueeze(0), c.unsqueeze(0)]);
    assert.deepEqual(h1.shape, [H]);
    assert.deepEqual([...h1.data], [...hb.data]);
    assert.deepEqual([...c1.data], [...cb.data]);
  });

  test("a missing state is zeros", () => {
    manualSeed(4);
    const cell = new nn.GRUCell({ inputSize: I, hiddenSize: H });
    const x = randn([2, I]);
    assert.deepEqual([...cell.forward(x).data], [...cell.forward(x, zeros([2, H])).data]);
    const rnn = new nn.RNNCell({ inputSize: I, hiddenSize: H });
    assert.deepEqual(
      [...rnn.forward(x.select(0, 1)).data],
      [...rnn.forward(x.select(0, 1), zeros([H])).data],
    );
  });

  test("parameters: PyTorch names, shapes and U(−1/√H, 1/√H)", () => {
    manualSeed(5);
    const cell = new nn.GRUCell({ inputSize: I, hiddenSize: 16 });
    const shapes = Object.fromEntries(cell.namedParameters().map(([k, p]) => [k, p.shape]));
    assert.deepEqual(shapes, {
      weight_ih: [48, I],
      weight_hh: [48, 16],
      bias_ih: [48],
      bias_hh: [48],
    });
    assert.equal(cell.weightIh, cell.stateDict().weight_ih);
    for (const p of cell.parameters()) {
      assert.ok(p.data.every((v) => Math.abs(v) <= 0.25));
      assert.ok(p.data.some((v) => Math.abs(v) > 0.15));
    }
    assert.deepEqual(
      Object.keys(new nn.RNNCell({ inputSize: I, hiddenSize: H, bias: false }).stateDict()),
      ["weight_ih", "weight_hh"],
    );
  });
});

describe("cell errors", () => {
  test("input rank, size and dtype", () => {
    const cell = new nn.RNNCell({ inputSize: I, hiddenSize: H });
    assert.throws(
      () => cell.forward(randn([2, 2, I])),
      /RNNCell: expected input of rank 1 or 2, got \[2, 2, 3\]/,
    );
    assert.throws(() => new nn.LSTMCell({ inputSize: I, hiddenSize: H }).forward(randn([3, 2])), {
      message: "LSTMCell: expected input of size 3 in the last dimension, got [3, 2]",
    });
    assert.throws(
      () => cell.forward(zeros([2, I], { dtype: "int32" })),
      /RNNCell: expected a float32 input, got int32/,
    );
  });

  test("state shapes", () => {
    const gru = new nn.GRUCell({ inputSize: I, hiddenSize: H });
    assert.throws(
      () => gru.forward(randn([2, I]), zeros([3, H])),
      /GRUCell: expected hx of shape \[2, 4\], got \[3, 4\]/,
    );
    assert.throws(
      () => gru.forward(randn([I]), zeros([1, H])),
      /GRUCell: expected hx of shape \[4\], got \[1, 4\]/,
    );
    const lstm = new nn.LSTMCell({ inputSize: I, hiddenSize: H });
    assert.throws(
      () => lstm.forward(randn([2, I]), [zeros([2, H]), zeros([2, 5])]),
      /LSTMCell: expected c of shape \[2, 4\], got \[2, 5\]/,
    );
    assert.throws(
      () => lstm.forward(randn([2, I]), zeros([2, H]) as unknown as [Tensor, Tensor]),
      /LSTMCell: expected hx to be a pair \[h, c\]/,
    );
  });

  test("options", () => {
    assert.throws(
      () => new nn.RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: "gelu" as "tanh" }),
      /RNNCell: unknown nonlinearity 'gelu'/,
    );
    assert.throws(
      () => new nn.LSTMCell({ inputSize: 0, hiddenSize: H }),
      /LSTMCell: inputSize must be a positive integer, got 0/,
    );
    assert.throws(
      () => new nn.GRUCell({ inputSize: I, hiddenSize: 2.5 }),
      /GRUCell: hiddenSize must be a positive integer, got 2.5/,
    );
  });
});
