// RNN, LSTM, GRU: shapes for option combinations, initialisation, seeding, inter-layer dropout,
// the dropout warning, and every validation error.
import { describe, mock, test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, nn, randn, tensor, zeros, type Tensor } from "../../src/index.js";

type Kind = "RNN" | "LSTM" | "GRU";

function make(kind: Kind, options: nn.LSTMOptions & nn.RNNOptions): nn.RNN | nn.LSTM | nn.GRU {
  if (kind === "LSTM") return new nn.LSTM(options);
  const rest = { ...options };
  delete rest.projSize;
  return kind === "GRU" ? new nn.GRU(rest) : new nn.RNN(rest);
}

function run(m: nn.RNN | nn.LSTM | nn.GRU, x: Tensor, h0?: Tensor, c0?: Tensor): Tensor[] {
  if (m instanceof nn.LSTM) {
    const [out, [hN, cN]] = m.forward(x, h0 && c0 ? [h0, c0] : undefined);
    return [out, hN, cN];
  }
  const [out, hN] = m.forward(x, h0);
  return [out, hN];
}

describe("shapes", () => {
  const I = 3,
    H = 5,
    T = 4,
    B = 2;
  for (const kind of ["RNN", "LSTM", "GRU"] as Kind[]) {
    for (const numLayers of [1, 2]) {
      for (const bidirectional of [false, true]) {
        for (const batchFirst of [false, true]) {
          for (const projSize of kind === "LSTM" ? [0, 2] : [0]) {
            const name = `${kind} L${numLayers} bi=${bidirectional} bf=${batchFirst} proj=${projSize}`;
            test(name, () => {
              const m = make(kind, {
                inputSize: I,
                hiddenSize: H,
                numLayers,
                bidirectional,
                batchFirst,
                projSize,
              });
              const D = bidirectional ? 2 : 1;
              const P = projSize || H;
              const x = randn(batchFirst ? [B, T, I] : [T, B, I]);
              const [out, hN, cN] = run(m, x);
              assert.deepEqual(out.shape, batchFirst ? [B, T, D * P] : [T, B, D * P]);
              assert.deepEqual(hN.shape, [numLayers * D, B, P]);
              if (cN) assert.deepEqual(cN.shape, [numLayers * D, B, H]);
              // Given states of those shapes are accepted and give the same shapes back.
              const again = run(m, x, zeros([numLayers * D, B, P]), zeros([numLayers * D, B, H]));
              assert.deepEqual(
                again.map((t) => t.shape),
                [out, hN, ...(cN ? [cN] : [])].map((t) => t.shape),
              );
              // Unbatched [T, I] equals the batch-of-one result with B squeezed out.
              const one = x.narrow(batchFirst ? 0 : 1, 0, 1);
              const [uOut, uH, uC] = run(m, one.reshape([T, I]));
              const [bOut, bH, bC] = run(m, one);
              assert.deepEqual(uOut.shape, [T, D * P]);
              assert.deepEqual(uH.shape, [numLayers * D, P]);
              assert.deepEqual([...uOut.data], [...bOut.data]);
              assert.deepEqual([...uH.data], [...bH.data]);
              if (uC) assert.deepEqual([...uC.data], [...bC.data]);
              // The last step of the forward direction is hN of the top layer.
              const last = batchFirst ? out.select(1, T - 1) : out.select(0, T - 1); // [B, D·P]
              assert.deepEqual(
                [...last.narrow(1, 0, P).data],
                [...hN.select(0, (numLayers - 1) * D).data],
              );
              if (bidirectional) {
                const first = batchFirst ? out.select(1, 0) : out.select(0, 0);
                assert.deepEqual(
                  [...first.narrow(1, P, P).data],
                  [...hN.select(0, numLayers * D - 1).data],
                );
              }
            });
          }
        }
      }
    }
  }
});

test("an empty batch gives empty results, as in PyTorch", () => {
  const [out, [hN, cN]] = new nn.LSTM({
    inputSize: 3,
    hiddenSize: 4,
    batchFirst: true,
    bidirectional: true,
  }).forward(zeros([0, 5, 3]));
  assert.deepEqual(
    [out.shape, hN.shape, cN.shape],
    [
      [0, 5, 8],
      [2, 0, 4],
      [2, 0, 4],
    ],
  );
});

describe("initialisation", () => {
  test("every parameter is U(−1/√H, 1/√H)", () => {
    manualSeed(1);
    const m = new nn.LSTM({
      inputSize: 10,
      hiddenSize: 16,
      numLayers: 2,
      bidirectional: true,
      projSize: 4,
    });
    const bound = 1 / Math.sqrt(16);
    for (const [key, p] of m.namedParameters()) {
      const values = [...p.data];
      assert.ok(
        values.every((v) => Math.abs(v) <= bound),
        `${key} outside ±${bound}`,
      );
      assert.ok(Math.max(...values.map(Math.abs)) > 0.6 * bound, `${key} does not fill the range`);
    }
    const all = m.parameters().flatMap((p) => [...p.data]);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  });

  test("manualSeed makes weights reproducible", () => {
    const weights = (seed: number) => {
      manualSeed(seed);
      return new nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 })
        .parameters()
        .map((p) => [...p.data]);
    };
    assert.deepEqual(weights(42), weights(42));
    assert.notDeepEqual(weights(42), weights(43));
  });
});

describe("dropout between layers", () => {
  test("eval mode ignores dropout", () => {
    manualSeed(2);
    const a = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 3, dropout: 0.5 });
    const b = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 3 });
    b.loadStateDict(a.stateDict());
    const x = randn([5, 2, 3]);
    const [outA] = a.eval().forward(x);
    const [outB] = b.forward(x);
    assert.deepEqual([...outA.data], [...outB.data]);
  });

  test("training mode drops, reproducibly under manualSeed, and still backpropagates", () => {
    manualSeed(3);
    const m = new nn.GRU({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5 });
    const x = randn([6, 2, 3], { requiresGrad: true });
    const [evalOut] = m.eval().forward(x);
    m.train();
    manualSeed(9);
    const [t1] = m.forward(x);
    manualSeed(9);
    const [t2] = m.forward(x);
    assert.deepEqual([...t1.data], [...t2.data]);
    assert.notDeepEqual([...t1.data], [...evalOut.data]);
    t1.sum().backward();
    assert.ok(x.grad!.data.some((v) => v !== 0));
  });

  test("p = 1 zeroes the input of every layer but the first, never the output", () => {
    manualSeed(4);
    const m = new nn.RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 1 });
    const top = new nn.RNN({ inputSize: 4, hiddenSize: 4 });
    const sd = m.stateDict();
    top.loadStateDict({
      weight_ih_l0: sd.weight_ih_l1,
      weight_hh_l0: sd.weight_hh_l1,
      bias_ih_l0: sd.bias_ih_l1,
      bias_hh_l0: sd.bias_hh_l1,
    });
    const x = randn([5, 2, 3]);
    const [out, hN] = m.train().forward(x);
    const [expected, expectedH] = top.forward(zeros([5, 2, 4])); // layer 2 fed zeros
    assert.deepEqual([...out.data], [...expected.data]);
    assert.deepEqual([...hN.select(0, 1).data], [...expectedH.select(0, 0).data]);
    assert.ok(
      out.data.some((v) => v !== 0),
      "the last layer's output is not dropped",
    );
    assert.ok(
      hN.select(0, 0).data.some((v) => v !== 0),
      "the first layer still sees its input",
    );
  });

  test("dropout > 0 with one layer warns like PyTorch", () => {
    const warn = mock.method(console, "warn", () => {});
    try {
      new nn.LSTM({ inputSize: 3, hiddenSize: 4, dropout: 0.5 });
      new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5 });
      assert.equal(warn.mock.callCount(), 1);
      assert.match(
        String(warn.mock.calls[0].arguments[0]),
        /non-zero dropout expects numLayers greater than 1, but got dropout=0.5 and numLayers=1/,
      );
    } finally {
      warn.mock.restore();
    }
  });
});

describe("errors", () => {
  const lstm = () => new nn.LSTM({ inputSize: 64, hiddenSize: 32 });
  test("input feature size", () => {
    assert.throws(() => lstm().forward(randn([16, 40, 32])), {
      message: "LSTM: expected input of size 64 in the last dimension, got [16, 40, 32]",
    });
  });
  test("input rank and dtype", () => {
    assert.throws(
      () => lstm().forward(randn([64])),
      /LSTM: expected input of rank 2 \(unbatched\) or 3, got \[64\]/,
    );
    assert.throws(
      () => new nn.GRU({ inputSize: 2, hiddenSize: 3 }).forward(randn([1, 2, 3, 2])),
      /GRU: expected input of rank 2 \(unbatched\) or 3, got \[1, 2, 3, 2\]/,
    );
    const ids = tensor([[[1, 2]]], { dtype: "int32" });
    assert.throws(
      () => new nn.RNN({ inputSize: 2, hiddenSize: 3 }).forward(ids),
      /RNN: expected a float32 input, got int32/,
    );
    assert.throws(
      () => lstm().forward(randn([0, 2, 64])),
      /LSTM: expected a sequence length larger than 0/,
    );
  });
  test("state shapes", () => {
    const gru = new nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    assert.throws(
      () => gru.forward(randn([5, 2, 3]), zeros([2, 3, 4])),
      /GRU: expected hx of shape \[2, 2, 4\], got \[2, 3, 4\]/,
    );
    assert.throws(
      () => gru.forward(randn([5, 3]), zeros([2, 1, 4])),
      /GRU: expected hx of shape \[2, 4\] for unbatched 2-D input, got \[2, 1, 4\]/,
    );
    assert.throws(
      () => gru.forward(randn([5, 2, 3]), zeros([2, 4])),
      /GRU: expected hx of shape \[2, 2, 4\], got \[2, 4\]/,
    );
    const m = new nn.LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, bidirectional: true });
    assert.throws(
      () => m.forward(randn([5, 2, 3]), [zeros([2, 2, 4]), zeros([2, 2, 4])]),
      /LSTM: expected hx of shape \[2, 2, 2\], got \[2, 2, 4\]/,
    );
    assert.throws(
      () => m.forward(randn([5, 2, 3]), [zeros([2, 2, 2]), zeros([2, 2, 2])]),
      /LSTM: expected cx of shape \[2, 2, 4\], got \[2, 2, 2\]/,
    );
    assert.throws(
      () => m.forward(randn([5, 2, 3]), zeros([2, 2, 2]) as unknown as [Tensor, Tensor]),
      /LSTM: expected hx to be a pair \[h0, c0\]/,
    );
    const int = zeros([1, 2, 4], { dtype: "int32" });
    assert.throws(
      () => new nn.RNN({ inputSize: 3, hiddenSize: 4 }).forward(randn([5, 2, 3]), int),
      /RNN: expected hx of shape \[1, 2, 4\], got \[1, 2, 4\] \(int32\)/,
    );
  });
  test("packed entry point", () => {
    const m = new nn.GRU({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => m.forwardPacked(randn([5, 3]), [2, 3]),
      /GRU: expected non-empty, positive, non-increasing batchSizes, got \[2, 3\]/,
    );
    assert.throws(() => m.forwardPacked(randn([5, 3]), [3, 0, 2]), /non-increasing batchSizes/);
    assert.throws(
      () => m.forwardPacked(randn([5, 3]), [3, 1]),
      /GRU: expected packed data of shape \[4, 3\], got \[5, 3\]/,
    );
    assert.throws(
      () => m.forwardPacked(randn([4, 3]), [3, 1], null, zeros([1, 3, 4])),
      /GRU: a cell state is only used by LSTM/,
    );
    assert.deepEqual(m.forwardPacked(randn([4, 3]), [3, 1]).output.shape, [4, 4]);
  });
  test("options", () => {
    const base = { inputSize: 3, hiddenSize: 4 };
    for (const dropout of [-0.1, 1.5, NaN]) {
      assert.throws(
        () => new nn.GRU({ ...base, numLayers: 2, dropout }),
        /GRU: dropout should be a number in range \[0, 1\]/,
      );
    }
    assert.throws(
      () => new nn.LSTM({ ...base, projSize: 4 }),
      /LSTM: projSize has to be smaller than hiddenSize, got projSize 4 and hiddenSize 4/,
    );
    assert.throws(
      () => new nn.LSTM({ ...base, projSize: -1 }),
      /LSTM: projSize should be a positive integer or zero/,
    );
    assert.throws(
      () => new nn.LSTM({ ...base, projSize: 1.5 }),
      /LSTM: projSize should be a positive integer or zero/,
    );
    const withProj = { ...base, projSize: 2 } as nn.GRUOptions;
    assert.throws(
      () => new nn.GRU(withProj),
      /GRU: projSize is only supported for LSTM, not RNN or GRU/,
    );
    assert.throws(() => new nn.RNN(withProj), /RNN: projSize is only supported for LSTM/);
    assert.throws(
      () => new nn.RNN({ ...base, nonlinearity: "sigmoid" as "tanh" }),
      /RNN: unknown nonlinearity 'sigmoid'; select from 'tanh' or 'relu'/,
    );
    assert.throws(
      () => new nn.LSTM({ ...base, nonlinearity: "relu" } as nn.LSTMOptions),
      /LSTM: nonlinearity is only an option of RNN/,
    );
    assert.throws(
      () => new nn.LSTM({ ...base, hiddenSize: 0 }),
      /LSTM: hiddenSize must be a positive integer, got 0/,
    );
    assert.throws(
      () => new nn.LSTM({ ...base, inputSize: -1 }),
      /LSTM: inputSize must be a positive integer, got -1/,
    );
    assert.throws(
      () => new nn.GRU({ ...base, numLayers: 0 }),
      /GRU: numLayers must be a positive integer, got 0/,
    );
    assert.throws(
      () => new nn.GRU({ ...base, numLayers: 1.5 }),
      /GRU: numLayers must be a positive integer, got 1.5/,
    );
    assert.throws(
      () => new nn.GRU(undefined as unknown as nn.GRUOptions),
      /GRU: expected an options object/,
    );
  });
});
