import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cat, manualSeed, noGrad, Tensor } from "../../src/index.js";
import { Generator } from "../../src/tensor/random.js";
import { loadSeq2seq } from "../../src/cli/commands/seq2seq.js";
import { commitFiles } from "../../src/io/node/model-dir.js";
import { saveSafetensors } from "../../src/io/safetensors.js";
import { makeModelConfig } from "../../src/tasks/common/model-config.js";
import { createOptimizer } from "../../src/tasks/common/optimizer.js";
import { Trainer } from "../../src/tasks/common/trainer.js";
import {
  beamSearch,
  collatePairs,
  editDistance,
  prepareSeq2SeqData,
  scoreTranslations,
  Seq2Seq,
  SEQ2SEQ_ATTENTIONS,
  seq2seqDataDefaults,
  Seq2SeqTask,
  seq2seqTokens,
  seq2seqVocabToJSON,
  selectStateRows,
  translate,
  type EncodedPair,
  type RecurrentState,
  type Seq2SeqAttention,
  type Seq2SeqCell,
  type Seq2SeqConfig,
} from "../../src/tasks/seq2seq/index.js";
import { logSoftmax } from "../../src/ops/reduction.js";

// Vocabulary layout of the synthetic tests: <unk> <pad> <bos> <eos> then symbols 4..V-1.
const PAD = 1;
const BOS = 2;
const EOS = 3;

function makeModel(
  attention: Seq2SeqAttention,
  cell: Seq2SeqCell = "gru",
  extra: Partial<Seq2SeqConfig> = {},
): Seq2Seq {
  manualSeed(1);
  const model = new Seq2Seq({
    sourceVocabSize: 9,
    targetVocabSize: 10,
    cell,
    embeddingSize: 5,
    hiddenSize: 6,
    numLayers: 1,
    bidirectional: attention !== "luong-dot",
    attention,
    dropout: 0,
    ...extra,
  });
  model.eval();
  return model;
}

const pair = (source: number[], target: number[], index = 0): EncodedPair => ({
  source: Int32Array.from([...source, EOS]),
  target: Int32Array.from([...target, EOS]),
  index,
});

const PAIRS = [
  pair([4, 5, 6, 7, 8], [5, 6, 7, 8]),
  pair([6, 4], [9, 4, 5]),
  pair([8, 8, 5], [4, 6]),
];

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}

const h = (s: RecurrentState) => (Array.isArray(s) ? s[0] : s);

describe("Seq2Seq shapes", () => {
  for (const attention of SEQ2SEQ_ATTENTIONS) {
    for (const cell of ["gru", "lstm"] as const) {
      test(`${attention}, ${cell}, 2 layers`, () => {
        const model = makeModel(attention, cell, { numLayers: 2 });
        const batch = collatePairs(PAIRS, { pad: PAD, bos: BOS });
        const { logits, weights, state } = noGrad(() =>
          model.forward(batch.source, batch.sourceLengths, batch.inputs),
        );
        assert.deepEqual([...batch.source.shape], [3, 6]);
        assert.deepEqual([...logits.shape], [3, 5, 10]);
        assert.deepEqual([...h(state).shape], [2, 3, 6]);
        if (cell === "lstm") assert.deepEqual([...(state as Tensor[])[1].shape], [2, 3, 6]);
        if (attention === "none") assert.equal(weights, null);
        else {
          assert.deepEqual([...weights!.shape], [3, 5, 6]);
          // rows sum to 1 and source padding gets exactly 0
          const w = weights!.data;
          for (let t = 0; t < 5; t++) {
            const row = Array.from(w.subarray((5 + t) * 6, (6 + t) * 6)); // sample 1, length 3
            assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-5);
            assert.deepEqual(row.slice(3), [0, 0, 0]);
          }
        }
      });
    }
  }

  test("luong-dot with a bidirectional encoder is refused with the reason", () => {
    assert.throws(() => makeModel("luong-dot", "gru", { bidirectional: true }), /luong-general/);
  });

  test("state-dict keys name encoder and decoder parts", () => {
    const keys = Object.keys(makeModel("luong-general", "lstm").stateDict());
    for (const k of [
      "encoder.embedding.weight",
      "encoder.rnn.weight_ih_l0_reverse",
      "encoder.bridge.weight",
      "encoder.bridgeCell.weight",
      "decoder.rnn.weight_hh_l0",
      "decoder.attention.attn.weight",
      "decoder.concat.weight",
      "decoder.out.bias",
    ])
      assert.ok(keys.includes(k), `${k} in ${keys.join(", ")}`);
  });
});

describe("Seq2Seq computations", () => {
  for (const attention of SEQ2SEQ_ATTENTIONS) {
    test(`${attention}: padding in the source does not change a sample's outputs`, () => {
      const model = makeModel(attention, "lstm");
      const both = collatePairs(PAIRS, { pad: PAD, bos: BOS });
      const alone = collatePairs([PAIRS[1]], { pad: PAD, bos: BOS });
      noGrad(() => {
        const a = model.forward(both.source, both.sourceLengths, both.inputs);
        const b = model.forward(alone.source, alone.sourceLengths, alone.inputs);
        const T = alone.inputs.shape[1];
        const row = a.logits.narrow(0, 1, 1).narrow(1, 0, T); // sample 1, its own steps
        assert.ok(maxDiff(row, b.logits) < 1e-5);
      });
    });

    test(`${attention}: teacher forcing at once equals the step-by-step loop`, () => {
      const model = makeModel(attention);
      const batch = collatePairs(PAIRS, { pad: PAD, bos: BOS });
      noGrad(() => {
        const enc = model.encode(batch.source, batch.sourceLengths);
        const memory = model.decoder.memory(enc);
        const fast = model.decoder.forward(memory, enc.state, batch.inputs);
        const [B, T] = batch.inputs.shape;
        let state = enc.state;
        const steps: Tensor[] = [];
        const weights: Tensor[] = [];
        for (let t = 0; t < T; t++) {
          const tokens = Int32Array.from({ length: B }, (_, b) => batch.inputs.data[b * T + t]);
          const out = model.decoder.step(memory, state, tokens);
          state = out.state;
          steps.push(out.logits.unsqueeze(1));
          if (out.weights) weights.push(out.weights.unsqueeze(1));
        }
        assert.ok(maxDiff(fast.logits, cat(steps, 1)) < 1e-5);
        assert.ok(maxDiff(h(fast.state), h(state)) < 1e-5);
        assert.equal(fast.weights === null, attention === "none");
        if (fast.weights) assert.ok(maxDiff(fast.weights, cat(weights, 1)) < 1e-5);
      });
    });
  }

  test("scheduled sampling: ratio 0 feeds back the argmax (same as greedy decoding)", () => {
    const model = makeModel("bahdanau");
    const batch = collatePairs(PAIRS, { pad: PAD, bos: BOS });
    const T = batch.inputs.shape[1];
    noGrad(() => {
      const enc = model.encode(batch.source, batch.sourceLengths);
      const memory = model.decoder.memory(enc);
      const free = model.decoder.forwardStepwise(memory, enc.state, batch.inputs, () => false);
      const picked = free.logits.argmax(2).data; // [B, T]
      const greedy = translate(
        model,
        PAIRS.map((p) => p.source),
        {
          bos: BOS,
          eos: EOS,
          maxLength: T,
        },
      );
      greedy.forEach((g, b) => {
        const upTo = g.finished ? g.tokens.length + 1 : T;
        assert.deepEqual(
          Array.from(picked.subarray(b * T, b * T + upTo)),
          g.finished ? [...g.tokens, EOS] : g.tokens,
        );
      });
    });
  });
});

/** beamSearch over one source, the reference the batched decoders must reproduce. */
function alone(model: Seq2Seq, source: Int32Array, beamSize: number) {
  return noGrad(() => {
    const enc = model.encode(new Tensor(source, [1, source.length]), Int32Array.of(source.length));
    const memory = model.decoder.memory(enc);
    return beamSearch<RecurrentState>({
      initialState: enc.state,
      bos: BOS,
      eos: EOS,
      maxLength: 8,
      vocabSize: 10,
      beamSize,
      step: (last, state) => {
        const out = model.decoder.step(memory, state, last);
        return { logProbs: logSoftmax(out.logits, 1).data, state: out.state };
      },
      reorder: selectStateRows,
    });
  });
}

describe("decoding", () => {
  for (const attention of ["none", "bahdanau", "luong-general"] as const) {
    test(`${attention}: batched greedy = beam 1, batched beam = one source at a time`, () => {
      const model = makeModel(attention, "gru");
      const options = { bos: BOS, eos: EOS, maxLength: 8 };
      const sources = PAIRS.map((p) => p.source);
      const greedy = translate(model, sources, options);
      const beam3 = translate(model, sources, { ...options, beamSize: 3 });
      sources.forEach((source, i) => {
        for (const [beamSize, batched] of [
          [1, greedy[i]],
          [3, beam3[i]],
        ] as const) {
          const [best] = alone(model, source, beamSize);
          assert.deepEqual(batched.tokens, best.finished ? best.tokens.slice(0, -1) : best.tokens);
          assert.equal(batched.finished, best.finished);
          assert.ok(Math.abs(batched.logProb - best.logProb) < 1e-4);
        }
        assert.ok(beam3[i].logProb >= greedy[i].logProb - 1e-4);
      });
    });
  }

  test("attention weights: [output + eos][source + eos], rows summing to 1", () => {
    const model = makeModel("luong-general");
    const [r] = translate(model, [PAIRS[0].source], {
      bos: BOS,
      eos: EOS,
      maxLength: 6,
      beamSize: 2,
      withAttention: true,
    });
    assert.equal(r.attention!.length, r.tokens.length + (r.finished ? 1 : 0));
    for (const row of r.attention!) {
      assert.equal(row.length, PAIRS[0].source.length);
      assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-5);
    }
  });
});

describe("data and metrics", () => {
  test("letters tokenizer: dataset form and typed words agree", () => {
    assert.deepEqual(seq2seqTokens("a b b e", "letters"), ["a", "b", "b", "e"]);
    assert.deepEqual(seq2seqTokens("Abbe", "letters"), ["a", "b", "b", "e"]);
    assert.deepEqual(seq2seqTokens("AE1 B IY0", "whitespace"), ["AE1", "B", "IY0"]);
  });

  test("prepareSeq2SeqData: seeded 90/5/5 split, train-only vocabularies, length filter", () => {
    const pairs = Array.from({ length: 200 }, (_, i) => ({
      source: [...String(i * 7919)].join(" "),
      target: i === 5 ? "x ".repeat(60) : `P${i % 13} Q${i % 7}`,
    }));
    const config = seq2seqDataDefaults("cmudict");
    const a = prepareSeq2SeqData(pairs, config);
    const b = prepareSeq2SeqData(pairs, config);
    assert.equal(a.dropped, 1);
    assert.deepEqual([a.train.length, a.valid.length, a.test.length], [180, 10, 9]);
    assert.deepEqual(
      a.test.map((p) => p.index),
      b.test.map((p) => p.index),
    );
    assert.deepEqual(a.sourceVocab.itos.slice(0, 4), ["<unk>", "<pad>", "<bos>", "<eos>"]);
    assert.equal(a.train[0].source.at(-1), a.sourceVocab.eosIndex);
    assert.equal(a.maxTargetLength, 3);
    const shifted = prepareSeq2SeqData(pairs, { ...config, splitSeed: 1 });
    assert.notDeepEqual(
      shifted.test.map((p) => p.index),
      a.test.map((p) => p.index),
    );
  });

  test("scores: exact match, BLEU, token error rate", () => {
    assert.equal(editDistance(["a", "b", "c"], ["a", "c"]), 1);
    assert.equal(editDistance([], [1, 2]), 2);
    const s = scoreTranslations(
      [
        ["A", "B", "C", "D"],
        ["E", "F"],
      ],
      [
        ["A", "B", "C", "D"],
        ["E", "G", "H"],
      ],
    );
    assert.equal(s.exactMatch, 0.5);
    assert.ok(Math.abs(s.tokenErrorRate - 2 / 7) < 1e-12);
    assert.ok(s.bleu > 0 && s.bleu < 1);
  });
});

describe("training", () => {
  test("reversing short sequences is learned to 100% exact match", async () => {
    manualSeed(0);
    const pairsOf = (count: number, seed: number): EncodedPair[] => {
      const g = new Generator(seed);
      return Array.from({ length: count }, (_, k) => {
        const seq = Array.from({ length: 2 + g.integer(3) }, () => 4 + g.integer(5));
        return pair(seq, [...seq].reverse(), k);
      });
    };
    const train = pairsOf(600, 0);
    const valid = pairsOf(40, 1000);
    const model = new Seq2Seq({
      sourceVocabSize: 9,
      targetVocabSize: 9,
      cell: "gru",
      embeddingSize: 8,
      hiddenSize: 16,
      numLayers: 1,
      bidirectional: true,
      attention: "luong-general",
      dropout: 0,
    });
    const vocab = { padIndex: PAD, bosIndex: BOS, eosIndex: EOS };
    const task = new Seq2SeqTask(
      model,
      { train, valid, targetVocab: vocab as never, maxTargetLength: 5 },
      { batchSize: 32, seed: 0, evalSamples: 40 },
    );
    const optimizer = createOptimizer(model.parameters(), { name: "adam", lr: 0.01 });
    const summary = await new Trainer(task, { optimizer, epochs: 8, clipGradNorm: 1 }).run();
    assert.equal(summary.lastEval!.exactMatch, 1, JSON.stringify(summary.lastEval));
  });

  test("teacher-forcing coins are a function of (seed, epoch, batch)", () => {
    const model = makeModel("bahdanau");
    const train = Array.from({ length: 12 }, (_, i) => pair([4 + (i % 5), 5], [6, 4 + (i % 3)], i));
    const vocab = { padIndex: PAD, bosIndex: BOS, eosIndex: EOS } as never;
    const make = () =>
      new Seq2SeqTask(
        model,
        { train, valid: [], targetVocab: vocab, maxTargetLength: 3 },
        { batchSize: 4, seed: 3, teacherForcing: 0.5, teacherForcingMode: "step" },
      );
    const losses = (task: Seq2SeqTask, epoch: number) =>
      [...task.batches(epoch)].map((b) => noGrad(() => task.trainStep(b).loss.item()));
    const first = losses(make(), 1);
    assert.deepEqual(losses(make(), 1), first);
    assert.notDeepEqual(losses(make(), 2), first);
  });
});

describe("model directory", () => {
  test("save and load give identical translations", async () => {
    const dir = await mkdtemp(join(tmpdir(), "seq2seq-"));
    try {
      const pairs = [
        { source: "a b", target: "AH0 B" },
        { source: "b a", target: "B AH0" },
        { source: "a a b", target: "AH0 AH0 B" },
      ];
      const data = prepareSeq2SeqData(pairs, {
        ...seq2seqDataDefaults("cmudict"),
        validFraction: 0,
        testFraction: 0,
      });
      const cfg: Seq2SeqConfig = {
        sourceVocabSize: data.sourceVocab.length,
        targetVocabSize: data.targetVocab.length,
        cell: "lstm",
        embeddingSize: 4,
        hiddenSize: 5,
        numLayers: 2,
        bidirectional: true,
        attention: "bahdanau",
        dropout: 0.1,
      };
      manualSeed(4);
      const model = new Seq2Seq(cfg);
      const config = makeModelConfig(
        "seq2seq",
        cfg,
        {
          dataset: "cmudict",
          ...seq2seqDataDefaults("cmudict"),
          maxTargetLength: data.maxTargetLength,
        },
        { beam: 3, lengthPenalty: 0 },
      );
      await commitFiles(dir, {
        "config.json": JSON.stringify(config),
        "vocab.json": JSON.stringify(seq2seqVocabToJSON(data)),
        "model.safetensors": saveSafetensors(model.stateDict()),
      });
      const loaded = await loadSeq2seq(dir);
      const sources = data.train.map((p) => p.source);
      const o = { bos: BOS, eos: EOS, maxLength: 6, withAttention: true };
      for (const beamSize of [1, 3]) {
        assert.deepEqual(
          translate(loaded.model, sources, { ...o, beamSize }),
          translate(model, sources, { ...o, beamSize }),
        );
      }
      assert.deepEqual(loaded.targetVocab.itos, data.targetVocab.itos);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
