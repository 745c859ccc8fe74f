/**
 * recurrent → ONNX Runtime: exported models run in onnxruntime-web (the wasm build, no native
 * binaries or downloads) and give recurrent's outputs to 1e-5, on variable-length batches: RNN,
 * LSTM and GRU layers (uni/bidirectional, multi-layer, relu, initial states), the language model
 * and the classifier with every pooling. Past each length ONNX's outputs are zeros, as are ours.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as ort from "onnxruntime-web";
import { io, manualSeed, nn, noGrad, randint, randn, Tensor, utils } from "../../src/index.js";
import { decodeModel } from "../../src/io/onnx/proto.js";
import { RNNClassifier, type ClassifierConfig } from "../../src/tasks/classifier/index.js";
import {
  RNNLanguageModel,
  type LanguageModelConfig,
} from "../../src/tasks/language-model/index.js";
import { Seq2Seq } from "../../src/tasks/seq2seq/index.js";
import { assertClose, ParityReport } from "../helpers.js";

ort.env.wasm.numThreads = 1;
const report = new ParityReport();
after(() => report.print("ONNX Runtime vs recurrent"));

type Feeds = Record<string, Tensor | { int64: ArrayLike<number>; shape: number[] }>;

async function runOnnx(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) {
    inputs[k] =
      v instanceof Tensor
        ? new ort.Tensor("float32", Float32Array.from(v.data), [...v.shape])
        : new ort.Tensor("int64", BigInt64Array.from(Array.from(v.int64), BigInt), v.shape);
  }
  const out = await session.run(inputs);
  await session.release();
  return Object.fromEntries(
    Object.entries(out).map(([k, t]) => [
      k,
      new Tensor(Float32Array.from(t.data as Float32Array), [...t.dims]),
    ]),
  );
}

const int64 = (t: Tensor | Int32Array, shape?: number[]) =>
  t instanceof Tensor
    ? { int64: t.data, shape: [...t.shape] }
    : { int64: t, shape: shape ?? [t.length] };

function close(label: string, actual: Tensor, expected: Tensor): void {
  report.add(label, assertClose(actual, expected, 1e-5, label));
}

const lengths = Int32Array.from([5, 2, 4]); // T = 5, B = 3
const T = 5;
const B = 3;

describe("ONNX export: RNN / LSTM / GRU layers", () => {
  const layers: [string, () => nn.RNN | nn.LSTM | nn.GRU, boolean][] = [
    [
      "LSTM 2 layers bidirectional",
      () => new nn.LSTM({ inputSize: 4, hiddenSize: 3, numLayers: 2, bidirectional: true }),
      false,
    ],
    [
      "GRU 2 layers batch-first",
      () => new nn.GRU({ inputSize: 4, hiddenSize: 3, numLayers: 2, batchFirst: true }),
      false,
    ],
    [
      "RNN relu bidirectional",
      () => new nn.RNN({ inputSize: 4, hiddenSize: 3, nonlinearity: "relu", bidirectional: true }),
      false,
    ],
    ["LSTM with h_0, c_0", () => new nn.LSTM({ inputSize: 4, hiddenSize: 3, numLayers: 2 }), true],
    [
      "GRU bidirectional with h_0",
      () => new nn.GRU({ inputSize: 4, hiddenSize: 3, bidirectional: true }),
      true,
    ],
    [
      "RNN tanh without bias",
      () => new nn.RNN({ inputSize: 4, hiddenSize: 3, bias: false }),
      false,
    ],
  ];
  for (const [name, make, withState] of layers) {
    test(name, async () => {
      manualSeed(3);
      const rnn = make().eval();
      const x = randn(rnn.batchFirst ? [B, T, 4] : [T, B, 4]);
      const D = rnn.bidirectional ? 2 : 1;
      const h0 = randn([rnn.numLayers * D, B, 3]);
      const c0 = randn([rnn.numLayers * D, B, 3]);
      const packed = utils.rnn.packPaddedSequence(x, lengths, {
        batchFirst: rnn.batchFirst,
        enforceSorted: false,
      });
      const [out, state] = noGrad(() =>
        rnn instanceof nn.LSTM
          ? rnn.forward(packed, withState ? [h0, c0] : undefined)
          : (rnn as nn.GRU).forward(packed, withState ? h0 : undefined),
      );
      const [want] = utils.rnn.padPackedSequence(out, {
        batchFirst: rnn.batchFirst,
        totalLength: T,
      });
      const feeds: Feeds = { input: x, lengths: int64(lengths) };
      if (withState)
        Object.assign(feeds, rnn instanceof nn.LSTM ? { h_0: h0, c_0: c0 } : { h_0: h0 });
      const got = await runOnnx(await io.exportOnnx(rnn, { state: withState }), feeds);
      close("layer output", got.output, want);
      close("layer h_n", got.h_n, Array.isArray(state) ? state[0] : state);
      if (Array.isArray(state)) close("layer c_n", got.c_n, state[1]);
    });
  }

  test("the file is a valid ONNX model: opset 17, one node per layer with ONNX's ops", async () => {
    const gru = new nn.GRU({ inputSize: 4, hiddenSize: 3, numLayers: 3 });
    const m = decodeModel(await io.exportOnnx(gru));
    assert.equal(m.irVersion, 8);
    assert.deepEqual(
      m.opsetImport.map((o) => [o.domain, o.version]),
      [["", 17]],
    );
    const grus = m.graph.node.filter((n) => n.opType === "GRU");
    assert.equal(grus.length, 3);
    const attrs = Object.fromEntries(grus[0].attribute.map((a) => [a.name, a.i ?? a.s]));
    assert.equal(attrs.linear_before_reset, 1);
    assert.deepEqual(
      m.graph.input.map((i) => i.name),
      ["input", "lengths"],
    );
    assert.deepEqual(
      m.graph.output.map((o) => o.name),
      ["output", "h_n"],
    );
  });

  test("what ONNX cannot express is refused with the reason", async () => {
    await assert.rejects(
      io.exportOnnx(new nn.LSTM({ inputSize: 4, hiddenSize: 3, projSize: 2 })),
      /projSize has no ONNX operator/,
    );
    const s2s = new Seq2Seq({
      sourceVocabSize: 5,
      targetVocabSize: 5,
      cell: "gru",
      embeddingSize: 2,
      hiddenSize: 2,
      numLayers: 1,
      bidirectional: false,
      attention: "none",
      dropout: 0,
    });
    await assert.rejects(io.exportOnnx(s2s), /cannot export a Seq2Seq/);
  });
});

describe("ONNX export: the language model", () => {
  const configs: [string, LanguageModelConfig][] = [
    [
      "char LSTM 2 layers",
      { vocabSize: 11, cell: "lstm", embeddingSize: 5, hiddenSize: 6, numLayers: 2, dropout: 0.2 },
    ],
    [
      "GRU tied",
      {
        vocabSize: 9,
        cell: "gru",
        embeddingSize: 4,
        hiddenSize: 4,
        numLayers: 1,
        dropout: 0,
        tieWeights: true,
      },
    ],
    [
      "RNN",
      { vocabSize: 9, cell: "rnn", embeddingSize: 4, hiddenSize: 5, numLayers: 1, dropout: 0 },
    ],
  ];
  for (const [name, config] of configs) {
    for (const batchFirst of [false, true]) {
      test(`${name}${batchFirst ? ", batch-first" : ""}: variable lengths, 0 past each`, async () => {
        manualSeed(5);
        const model = new RNNLanguageModel(config).eval();
        const ids = randint(0, config.vocabSize, [T, B]); // time-major, as the model takes it
        const V = config.vocabSize;
        // The oracle: each sequence alone, its own length; zeros after.
        const want = new Float32Array(T * B * V);
        const hs: Tensor[] = [];
        noGrad(() => {
          for (let b = 0; b < B; b++) {
            const n = lengths[b];
            const seq = new Tensor(
              Int32Array.from({ length: n }, (_, t) => ids.data[t * B + b]),
              [n, 1],
            );
            const [logits, state] = model.forward(seq);
            for (let t = 0; t < n; t++)
              want.set(
                logits.data.subarray(t * V, (t + 1) * V),
                batchFirst ? (b * T + t) * V : (t * B + b) * V,
              );
            hs.push(Array.isArray(state) ? state[0] : state);
          }
        });
        const feedIds = batchFirst ? ids.transpose(0, 1) : ids;
        const got = await runOnnx(await io.exportOnnx(model, { batchFirst }), {
          input_ids: int64(feedIds),
          lengths: int64(lengths),
        });
        close("lm logits", got.logits, new Tensor(want, batchFirst ? [B, T, V] : [T, B, V]));
        const L = config.numLayers;
        const H = config.hiddenSize;
        for (let b = 0; b < B; b++)
          for (let l = 0; l < L; l++)
            close(
              "lm h_n",
              new Tensor(
                Float32Array.from({ length: H }, (_, j) => got.h_n.data[(l * B + b) * H + j]),
                [H],
              ),
              new Tensor(hs[b].data.slice(l * H, (l + 1) * H), [H]),
            );
      });
    }
  }

  test("with state inputs: one step at a time continues a sequence, as in generation", async () => {
    manualSeed(6);
    const model = new RNNLanguageModel({
      vocabSize: 7,
      cell: "lstm",
      embeddingSize: 3,
      hiddenSize: 4,
      numLayers: 2,
      dropout: 0,
    }).eval();
    const ids = randint(0, 7, [4, 2]);
    const [whole, [h, c]] = noGrad(() => model.forward(ids)) as [Tensor, [Tensor, Tensor]];
    const bytes = await io.exportOnnx(model, { state: true, lengths: false });
    let state = {
      h_0: new Tensor(new Float32Array(2 * 2 * 4), [2, 2, 4]),
      c_0: new Tensor(new Float32Array(2 * 2 * 4), [2, 2, 4]),
    };
    for (let t = 0; t < 4; t++) {
      const step = await runOnnx(bytes, { input_ids: int64(ids.narrow(0, t, 1)), ...state });
      close("lm stepwise logits", step.logits, whole.narrow(0, t, 1));
      state = { h_0: step.h_n, c_0: step.c_n };
    }
    close("lm stepwise h_n", state.h_0, h);
    close("lm stepwise c_n", state.c_0, c);
  });
});

describe("ONNX export: the classifier", () => {
  const cases: [ClassifierConfig["cell"], number, boolean, ClassifierConfig["pooling"]][] = [
    ["lstm", 2, true, "last"],
    ["gru", 1, false, "mean"],
    ["rnn", 1, true, "max"],
    ["lstm", 1, true, "attention"],
    ["gru", 2, true, "attention"],
  ];
  for (const [cell, numLayers, bidirectional, pooling] of cases) {
    for (const batchFirst of pooling === "attention" ? [true, false] : [true]) {
      const name = `${bidirectional ? "bi" : ""}${cell} ${numLayers} layer(s), ${pooling}${batchFirst ? "" : ", time-major"}`;
      test(name, async () => {
        manualSeed(8);
        const model = new RNNClassifier({
          vocabSize: 13,
          numClasses: 3,
          cell,
          embeddingSize: 4,
          hiddenSize: 3,
          numLayers,
          bidirectional,
          dropout: 0.3,
          pooling,
          padIndex: 1,
        }).eval();
        const ids = randint(2, 13, [B, T]);
        const { logits, attention } = noGrad(() => model.forwardWithAttention(ids, lengths));
        const got = await runOnnx(await io.exportOnnx(model, { batchFirst }), {
          input_ids: int64(batchFirst ? ids : ids.transpose(0, 1)),
          lengths: int64(lengths),
        });
        close(`classifier ${pooling} logits`, got.logits, logits);
        if (attention)
          close(
            "classifier attention",
            got.attention,
            batchFirst ? attention : attention.transpose(0, 1),
          );
        else assert.equal(got.attention, undefined);
      });
    }
  }
});
