/**
 * Sequence to sequence with Bahdanau attention, as in PyTorch's "Translation with a Sequence to
 * Sequence Network and Attention" tutorial, here on CMUdict: letters → phonemes ("hello" →
 * HH AH0 L OW1). A GRU encoder reads the letters (packed, so padding is skipped); at each step the
 * decoder attends over the encoder outputs with its previous hidden state, feeds [embedding;
 * context] to its GRU, and predicts the next phoneme. Teacher forcing in training, greedy decoding
 * after; the attention weights show which letters each phoneme came from.
 * (`recurrent train seq2seq` is the full recipe: beam search, BLEU, a report.)
 *
 * Run: npx tsx examples/seq2seq-attention.ts [--epochs 3] [--limit 6000]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  cat,
  data,
  manualSeed,
  nn,
  noGrad,
  optim,
  stack,
  tensor,
  utils,
  type Tensor,
} from "../src/index.js";
import { loadDataset } from "../src/io/node/index.js";

const H = 128;

class Encoder extends nn.Module {
  embedding: nn.Embedding;
  gru = new nn.GRU({ inputSize: 64, hiddenSize: H, batchFirst: true });
  constructor(vocabSize: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, 64);
  }
  forward(ids: Tensor, lengths: Tensor): [Tensor, Tensor] {
    const packed = utils.rnn.packPaddedSequence(this.embedding.forward(ids), lengths, {
      batchFirst: true,
      enforceSorted: false,
    });
    const [out, h] = this.gru.forward(packed);
    const [outputs] = utils.rnn.padPackedSequence(out, {
      batchFirst: true,
      totalLength: ids.shape[1],
    });
    return [outputs, h]; // [B, S, H], [1, B, H]
  }
}

class AttnDecoder extends nn.Module {
  embedding: nn.Embedding;
  attention = new nn.BahdanauAttention({ queryDim: H });
  gru = new nn.GRU({ inputSize: 64 + H, hiddenSize: H, batchFirst: true });
  out: nn.Linear;
  constructor(vocabSize: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, 64);
    this.out = new nn.Linear(H, vocabSize);
  }
  /** One step: previous tokens [B] → logits [B, V], the new hidden state, attention weights [B, S]. */
  step(tokens: Tensor, h: Tensor, keys: Tensor, mask: Tensor): [Tensor, Tensor, Tensor] {
    const { context, weights } = this.attention.forward(h.select(0, 0), keys, mask); // [B, H], [B, S]
    const input = cat([this.embedding.forward(tokens), context], 1).unsqueeze(1); // [B, 1, 64 + H]
    const [out, next] = this.gru.forward(input, h);
    return [this.out.forward(out.select(1, 0)), next, weights];
  }
}

export async function trainG2p(
  options: { epochs?: number; limit?: number; log?: (s: string) => void } = {},
) {
  const { epochs = 3, limit = 6000, log = () => {} } = options;
  manualSeed(0);
  const corpus = await loadDataset("cmudict", { limit });
  if (corpus.kind !== "seq2seq") throw new Error("expected pairs");
  const split = (s: string) => s.split(" ");
  const src = data.Vocab.build(corpus.pairs.map((p) => split(p.source)));
  const tgt = data.Vocab.build(corpus.pairs.map((p) => split(p.target)));
  const pairs = corpus.pairs.map((p) => ({
    tokens: src.encode(split(p.source), { eos: true }),
    label: tgt.encode(split(p.target), { eos: true }),
  }));
  const [train, test] = data.randomSplit(pairs, [0.95, 0.05], { seed: 0 });
  const trainSet = Array.from({ length: train.length }, (_, i) => train.get(i));
  const encoder = new Encoder(src.length);
  const decoder = new AttnDecoder(tgt.length);
  const params = [...encoder.parameters(), ...decoder.parameters()];
  const optimizer = new optim.Adam(params, { lr: 3e-3 });
  const loader = new data.DataLoader(trainSet, {
    batchSize: 64,
    shuffle: true,
    seed: 0,
    collate: (b: typeof trainSet) => b,
  });

  const run = (batch: typeof trainSet, teacher: boolean) => {
    const { padded, lengths } = data.padTokenIds(
      batch.map((p) => p.tokens),
      { batchFirst: true, padIndex: src.padIndex },
    );
    const target = data.padTokenIds(
      batch.map((p) => p.label),
      { batchFirst: true, padIndex: tgt.padIndex },
    ).padded; // [B, T]
    const [keys, h0] = encoder.forward(padded, lengths);
    const mask = utils.rnn.sequenceMask(lengths, padded.shape[1]);
    let h = h0;
    let tokens = tensor(
      batch.map(() => tgt.bosIndex),
      { dtype: "int32" },
    );
    const logits: Tensor[] = [];
    const attention: Tensor[] = [];
    for (let t = 0; t < target.shape[1]; t++) {
      const [y, next, weights] = decoder.step(tokens, h, keys, mask);
      logits.push(y);
      attention.push(weights);
      h = next;
      tokens = teacher ? target.select(1, t) : y.argmax(1);
    }
    return { logits: stack(logits, 1), target, attention: stack(attention, 1) }; // [B, T, V], [B, T], [B, T, S]
  };

  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    loader.setEpoch(epoch);
    let total = 0;
    for (const batch of loader) {
      const { logits, target } = run(batch, true);
      const loss = nn.functional.crossEntropy(logits.reshape(-1, tgt.length), target.reshape(-1), {
        ignoreIndex: tgt.padIndex,
      });
      optimizer.zeroGrad();
      loss.backward();
      utils.clipGradNorm(params, 1);
      optimizer.step();
      total += loss.item();
    }
    losses.push(total / loader.length);
    log(`epoch ${epoch}  train loss ${losses[epoch - 1].toFixed(4)}`);
  }

  // Greedy decoding of the test words: exact match, and one word's attention.
  let exact = 0;
  const testSet = Array.from({ length: test.length }, (_, i) => test.get(i));
  noGrad(() => {
    for (let i = 0; i < testSet.length; i += 128) {
      const chunk = testSet.slice(i, i + 128);
      const { logits, attention } = run(chunk, false);
      const predicted = logits.argmax(2).toArray() as number[][];
      if (i === 0) {
        // Which letter each predicted phoneme attended to most.
        const letters = src.decode(chunk[0].tokens);
        const focus = (attention.select(0, 0).argmax(1).toArray() as number[]).map(
          (s) => letters[s],
        );
        const phones = tgt.decode(predicted[0], { stopAtEos: true });
        log(`${letters.join("")} → ${phones.map((ph, t) => `${ph}(${focus[t]})`).join(" ")}`);
      }
      chunk.forEach((p, k) => {
        const words = (ids: number[]) =>
          tgt.decode(ids, { stopAtEos: true, skipSpecials: true }).join(" ");
        if (words(predicted[k]) === words(p.label)) exact++;
      });
    }
  });
  const accuracy = exact / testSet.length;
  log(`test word exact match ${(100 * accuracy).toFixed(1)}% over ${testSet.length} words`);
  return { exactMatch: accuracy, losses };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { epochs: { type: "string" }, limit: { type: "string" } },
  });
  await trainG2p({
    epochs: Number(values.epochs ?? 3),
    limit: Number(values.limit ?? 6000),
    log: console.log,
  });
}
