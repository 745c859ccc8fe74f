/**
 * A bidirectional LSTM for binary text classification, as in the "upgraded sentiment analysis"
 * tutorial: embedding → dropout → 2-layer biLSTM over packed sequences → the last layer's final
 * forward and backward hidden states, concatenated → dropout → linear. Bundled data:
 * SpamAssassin (ham vs spam); pass `--data imdb:DIR` for the IMDB reviews (neg vs pos).
 *
 * Run: npx tsx examples/sentiment-bilstm.ts [--data spam-assassin] [--epochs 2] [--limit 2000]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { cat, data, manualSeed, nn, noGrad, optim, utils, type Tensor } from "../src/index.js";
import { loadDataset } from "../src/io/node/index.js";

class BiLSTM extends nn.Module {
  embedding: nn.Embedding;
  rnn: nn.LSTM;
  dropout = new nn.Dropout(0.5);
  fc: nn.Linear;
  constructor(vocabSize: number, padIndex: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, 100, { paddingIdx: padIndex });
    this.rnn = new nn.LSTM({
      inputSize: 100,
      hiddenSize: 64,
      numLayers: 2,
      bidirectional: true,
      dropout: 0.5,
      batchFirst: true,
    });
    this.fc = new nn.Linear(2 * 64, 2);
  }
  forward(ids: Tensor, lengths: Tensor): Tensor {
    const embedded = this.dropout.forward(this.embedding.forward(ids)); // [B, T, 100]
    const packed = utils.rnn.packPaddedSequence(embedded, lengths, {
      batchFirst: true,
      enforceSorted: false,
    });
    const [, [h]] = this.rnn.forward(packed); // h [layers·2, B, 64]
    const last = cat([h.select(0, -2), h.select(0, -1)], 1); // forward and backward of the top layer
    return this.fc.forward(this.dropout.forward(last)); // [B, 2]
  }
}

export async function trainSentiment(
  options: { data?: string; epochs?: number; limit?: number; log?: (s: string) => void } = {},
) {
  const { epochs = 2, limit = 2000, log = () => {} } = options;
  manualSeed(0);
  const corpus = await loadDataset(options.data ?? "spam-assassin", { limit });
  if (corpus.kind !== "classify")
    throw new Error(`expected a classification dataset, got ${corpus.kind}`);
  const tokenize = data.getTokenizer("basic_english");
  const texts = corpus.examples.map((e) => tokenize(e.text).slice(0, 300));
  const [trainIdx, testIdx] = data.randomSplit(
    texts.map((_, i) => i),
    [0.8, 0.2],
    { seed: 0 },
  );
  const trainIds = Array.from({ length: trainIdx.length }, (_, i) => trainIdx.get(i));
  const testIds = Array.from({ length: testIdx.length }, (_, i) => testIdx.get(i));
  const vocab = data.Vocab.build(
    trainIds.map((i) => texts[i]),
    { minFreq: 2, maxSize: 25000, specials: ["<unk>", "<pad>"] },
  );
  const sample = (i: number) => ({
    tokens: vocab.encode(texts[i]),
    label: corpus.examples[i].label,
  });
  const trainSet = trainIds.map(sample);
  const loader = new data.DataLoader(trainSet, {
    batchSampler: new data.BucketSampler(
      trainSet.map((s) => s.tokens.length),
      { batchSize: 32, seed: 0 },
    ),
    collate: data.padCollate({ batchFirst: true, padIndex: vocab.padIndex }),
  });
  const model = new BiLSTM(vocab.length, vocab.padIndex);
  const optimizer = new optim.Adam(model.parameters(), { lr: 2e-3 });
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    loader.setEpoch(epoch);
    let total = 0;
    for (const batch of loader) {
      const loss = nn.functional.crossEntropy(
        model.forward(batch.padded, batch.lengths),
        batch.labels as Tensor,
      );
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      total += loss.item();
    }
    losses.push(total / loader.length);
    log(`epoch ${epoch}  train loss ${losses[epoch - 1].toFixed(4)}`);
  }
  model.eval();
  const testSet = testIds.map(sample);
  let correct = 0;
  noGrad(() => {
    for (let i = 0; i < testSet.length; i += 64) {
      const chunk = testSet.slice(i, i + 64);
      const { padded, lengths } = data.padTokenIds(
        chunk.map((s) => s.tokens),
        { batchFirst: true, padIndex: vocab.padIndex },
      );
      const predicted = model.forward(padded, lengths).argmax(1).toArray() as number[];
      predicted.forEach((p, k) => (correct += p === chunk[k].label ? 1 : 0));
    }
  });
  const accuracy = correct / testSet.length;
  log(
    `test accuracy ${(100 * accuracy).toFixed(1)}% over ${testSet.length} texts (${corpus.classes.join(" vs ")})`,
  );
  return { accuracy, losses };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { data: { type: "string" }, epochs: { type: "string" }, limit: { type: "string" } },
  });
  await trainSentiment({
    data: values.data,
    epochs: Number(values.epochs ?? 2),
    limit: Number(values.limit ?? 2000),
    log: console.log,
  });
}
