/**
 * A news-style text classifier with packed sequences, as in the torchtext text-classification
 * tutorial but with an LSTM: tokenize with basic_english, build a vocabulary, batch texts of
 * similar length (BucketSampler), pack them so the LSTM skips the padding, and classify from the
 * final hidden state. Bundled data: State of the Union passages by era (4 classes, like AG News);
 * pass `--data agnews:DIR` for the real AG News CSVs.
 *
 * Run: npx tsx examples/news-classifier.ts [--data sotu-era] [--epochs 2] [--limit 4000]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { data, manualSeed, nn, noGrad, optim, utils, type Tensor } from "../src/index.js";
import { loadDataset } from "../src/io/node/index.js";

type Sample = { tokens: number[]; label: number };

class NewsClassifier extends nn.Module {
  embedding: nn.Embedding;
  lstm: nn.LSTM;
  fc: nn.Linear;
  constructor(vocabSize: number, numClasses: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, 64, { paddingIdx: 1 });
    this.lstm = new nn.LSTM({ inputSize: 64, hiddenSize: 64, batchFirst: true });
    this.fc = new nn.Linear(64, numClasses);
  }
  forward(ids: Tensor, lengths: Tensor): Tensor {
    const packed = utils.rnn.packPaddedSequence(this.embedding.forward(ids), lengths, {
      batchFirst: true,
      enforceSorted: false,
    });
    const [, [h]] = this.lstm.forward(packed); // h [1, B, 64]: each text's state at its true end
    return this.fc.forward(h.select(0, 0)); // [B, classes]
  }
}

export async function trainNews(
  options: { data?: string; epochs?: number; limit?: number; log?: (s: string) => void } = {},
) {
  const { epochs = 2, limit = 4000, log = () => {} } = options;
  manualSeed(0);
  const corpus = await loadDataset(options.data ?? "sotu-era", { limit });
  if (corpus.kind !== "classify")
    throw new Error(`expected a classification dataset, got ${corpus.kind}`);
  const tokenize = data.getTokenizer("basic_english");
  const [train, test] = data.randomSplit(corpus.examples, [0.9, 0.1], { seed: 0 });
  const trainTokens = Array.from({ length: train.length }, (_, i) =>
    tokenize(train.get(i).text).slice(0, 200),
  );
  const vocab = data.Vocab.build(trainTokens, { minFreq: 2, specials: ["<unk>", "<pad>"] });
  const encode = (text: string): Sample["tokens"] => vocab.encode(tokenize(text).slice(0, 200));
  const samples = (set: typeof train): Sample[] =>
    Array.from({ length: set.length }, (_, i) => ({
      tokens: encode(set.get(i).text),
      label: set.get(i).label,
    }));
  const trainSet = samples(train);
  const loader = new data.DataLoader(trainSet, {
    batchSampler: new data.BucketSampler(
      trainSet.map((s) => s.tokens.length),
      { batchSize: 32, seed: 0 },
    ),
    collate: data.padCollate({ batchFirst: true, padIndex: vocab.padIndex }),
  });
  const model = new NewsClassifier(vocab.length, corpus.classes.length);
  const optimizer = new optim.Adam(model.parameters(), { lr: 2e-3 });
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    loader.setEpoch(epoch);
    let total = 0;
    for (const batch of loader) {
      const loss = nn.functional.crossEntropy(
        model.forward(batch.padded, batch.lengths),
        batch.labels as Tensor,
      );
      optimizer.zeroGrad();
      loss.backward();
      utils.clipGradNorm(model.parameters(), 5);
      optimizer.step();
      total += loss.item();
    }
    losses.push(total / loader.length);
    log(`epoch ${epoch}  train loss ${losses[epoch - 1].toFixed(4)}`);
  }
  model.eval();
  const testSet = samples(test);
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
    `test accuracy ${(100 * accuracy).toFixed(1)}% over ${testSet.length} texts (${corpus.classes.join(", ")})`,
  );
  return { accuracy, losses, classes: corpus.classes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { data: { type: "string" }, epochs: { type: "string" }, limit: { type: "string" } },
  });
  await trainNews({
    data: values.data,
    epochs: Number(values.epochs ?? 2),
    limit: Number(values.limit ?? 4000),
    log: console.log,
  });
}
