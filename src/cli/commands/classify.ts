/**
 * `recurrent train classify`, `recurrent predict` and the classifier half of `recurrent eval`: a
 * (bi)directional RNN/LSTM/GRU text classifier trained on length-bucketed, packed batches, then
 * scored on the held-out test split (accuracy, confusion matrix, per-class P/R/F1 in report.html).
 *
 * Splits: agnews: and imdb: keep their own test half and take validation from the training half;
 * the bundled corpora are split 80/10/10 per class with a fixed split seed (config.json's data),
 * so `eval` rebuilds exactly the split the model was trained on.
 *
 * @example
 * recurrent train classify --data spam-assassin --out runs/spam
 * recurrent predict --model runs/spam "WIN a FREE cruise, click now" "Meeting moved to 3pm"
 * recurrent eval --model runs/spam --split test
 */
import type { Command } from "commander";
import type { ClassifyCorpus, TextExample } from "../../data/formats/common.js";
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import { parseDatasetName } from "../../io/node/datasets.js";
import { readModelDir } from "../../io/node/model-dir.js";
import {
  CLASSIFIER_TOKENIZERS,
  ClassifierTask,
  encodeExamples,
  evaluateClassifier,
  POOLINGS,
  predictTexts,
  prepareClassifierData,
  RNNClassifier,
  splitExamples,
  type ClassifierConfig,
  type ClassifierDataConfig,
  type ClassifierScores,
  type EncodedSplit,
  type Prediction,
} from "../../tasks/classifier/index.js";
import { makeModelConfig, type ModelConfig } from "../../tasks/common/model-config.js";
import { createOptimizer, createScheduler } from "../../tasks/common/optimizer.js";
import { CELLS } from "../../tasks/language-model/index.js";
import { manualSeed } from "../../tensor/random.js";
import { choiceArg, floatArg, intArg, UsageError } from "../args.js";
import {
  addTrainOptions,
  defaultOut,
  loadData,
  loadResume,
  rejectOnResume,
  resolveDataSpec,
} from "../common.js";
import { finishRun, resumeTrainConfig, trainConfigFrom, type TrainConfig } from "../finish.js";
import type { AttentionMap, ClassScores, Sample } from "../report/index.js";
import { runTraining } from "../run-training.js";

interface ClassifyData extends ClassifierDataConfig {
  dataset: string;
  limit?: number;
  classes: string[];
}

type ClassifyConfig = ModelConfig<ClassifierConfig, ClassifyData, TrainConfig>;

/** Rebuilds the model of a directory written by `train classify`. */
export async function loadClassifier(
  dir: string,
): Promise<{ model: RNNClassifier; vocab: Vocab; config: ClassifyConfig }> {
  const { config, vocab, weights } = await readModelDir(dir, "classify");
  const c = config as unknown as ClassifyConfig;
  const model = new RNNClassifier(c.model);
  model.loadStateDict(weights);
  model.eval();
  return { model, vocab: Vocab.fromJSON(vocab as VocabJSON), config: c };
}

const hasTestSplit = (spec: string): boolean =>
  (parseDatasetName(spec).info.splits ?? []).includes("test");

/** The dataset's examples as train(+valid) and, where it has one, its predefined test half. */
async function loadExamples(
  spec: string,
  options: { limit?: number; skipBadLines?: boolean },
): Promise<{ corpus: ClassifyCorpus; test?: TextExample[] }> {
  const corpus = await loadData(spec, "classify", {
    ...options,
    split: hasTestSplit(resolveDataSpec(spec, "classify")) ? "train" : undefined,
  });
  if (!hasTestSplit(spec)) return { corpus };
  const test = await loadData(spec, "classify", { ...options, split: "test" });
  return { corpus, test: test.examples };
}

const oneLine = (text: string, max: number): string => {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

const formatProbabilities = (p: Record<string, number>): string =>
  Object.entries(p)
    .map(([c, v]) => `${c} ${v.toFixed(4)}`)
    .join("  ");

/** A few test predictions for the report: the first mistakes, then correct ones spread evenly. */
function exampleSamples(split: EncodedSplit, s: ClassifierScores, classes: string[]): Sample[] {
  const all = [...split.labels.keys()];
  const wrong = all.filter((i) => s.predictions[i] !== split.labels[i]);
  const right = all.filter((i) => s.predictions[i] === split.labels[i]);
  const k = Math.min(5, right.length);
  const spread = Array.from({ length: k }, (_, j) => right[Math.floor((j * right.length) / k)]);
  const picks = [...wrong.slice(0, 3), ...spread];
  return picks.map((i) => {
    const p = s.predictions[i];
    const mark = p === split.labels[i] ? "✓" : `✗ true ${classes[split.labels[i]]}`;
    return {
      prime: `${classes[p]} ${s.probabilities[i][p].toFixed(3)} ${mark} · `,
      text: oneLine(split.texts[i], 300),
    };
  });
}

/** Attention pooling: which of the first tokens of two test texts the model attended to. */
function attentionMaps(predictions: Prediction[]): AttentionMap[] {
  return predictions
    .filter((p) => p.attention)
    .map((p) => {
      const n = Math.min(40, p.tokens.length);
      return {
        source: p.tokens.slice(0, n),
        target: [p.label],
        weights: [p.attention!.slice(0, n)],
        title: `attention of a ${p.label} prediction (first ${n} tokens)`,
      };
    });
}

const perClassRows = (s: ClassifierScores, classes: string[]): ClassScores[] =>
  classes.map((c, i) => ({
    class: c,
    precision: s.perClass.precision[i],
    recall: s.perClass.recall[i],
    f1: s.perClass.f1[i],
    support: s.perClass.support[i],
  }));

async function trainClassify(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const out = defaultOut("classify", String(opts.data), opts.out as string | undefined);
  let config: ClassifyConfig;
  const resumed = opts.resume ? (rejectOnResume(cmd), await loadResume(out, "classify")) : null;
  if (resumed) {
    config = resumed.config as unknown as ClassifyConfig;
    config.train = { ...config.train, ...resumeTrainConfig(config.train, opts, cmd) };
  } else {
    config = makeModelConfig(
      "classify",
      {
        vocabSize: 0,
        numClasses: 0,
        cell: opts.cell as ClassifierConfig["cell"],
        embeddingSize: opts.embedding as number,
        hiddenSize: opts.hidden as number,
        numLayers: opts.layers as number,
        bidirectional: Boolean(opts.bidirectional),
        dropout: opts.dropout as number,
        pooling: opts.pooling as ClassifierConfig["pooling"],
        padIndex: 1,
      },
      {
        dataset: String(opts.data),
        limit: opts.limit as number | undefined,
        classes: [],
        tokenizer: opts.tokenizer as ClassifyData["tokenizer"],
        maxLen: opts.maxLen as number,
        minFreq: opts.minFreq as number,
        maxSize: opts.maxVocab as number,
        validFraction: 0.1,
        testFraction: 0.1,
        splitSeed: 0,
      },
      trainConfigFrom(opts),
    );
  }
  const { corpus, test } = await loadExamples(config.data.dataset, {
    limit: config.data.limit,
    skipBadLines: config.train.skipBadLines,
  });
  const data = prepareClassifierData(corpus.examples, config.data, test);
  if (
    resumed &&
    JSON.stringify(data.vocab.itos) !== JSON.stringify((resumed.vocab as VocabJSON).itos)
  )
    throw new UsageError(
      `--resume: the data of ${config.data.dataset} no longer gives the run's vocabulary; was it changed?`,
    );
  config.data.classes = [...corpus.classes];
  config.model.vocabSize = data.vocab.length;
  config.model.numClasses = corpus.classes.length;
  config.model.padIndex = data.vocab.padIndex;
  manualSeed(config.train.seed);
  const model = new RNNClassifier(config.model);
  const optimizer = createOptimizer(model.parameters(), config.train.optimizer);
  const scheduler = createScheduler(optimizer, config.train.schedule);
  const task = new ClassifierTask(model, data.train, data.valid, {
    batchSize: config.train.batchSize,
    seed: config.train.seed,
  });
  const m = config.model;
  const params = model.parameters().reduce((n, p) => n + p.numel(), 0);
  process.stderr.write(
    `train classify: ${config.data.dataset}, ${corpus.classes.length} classes, ` +
      `${data.train.ids.length}/${data.valid.ids.length}/${data.test.ids.length} train/valid/test texts, ` +
      `vocabulary ${data.vocab.length}; ${m.bidirectional ? "bi" : ""}${m.cell.toUpperCase()} ` +
      `${m.numLayers}×${m.hiddenSize}, ${m.pooling} pooling, ${params.toLocaleString("en-US")} parameters → ${out}\n`,
  );
  const result = await runTraining({
    dir: out,
    config,
    vocab: data.vocab.toJSON(),
    task,
    optimizer,
    scheduler,
    trainer: config.train.trainer,
    resume: resumed?.checkpoint ?? null,
    metric: "accuracy",
    unit: "tok",
    overwrite: Boolean(opts.overwrite),
    stream: opts.quiet ? (nullStream as unknown as NodeJS.WriteStream) : undefined,
  });
  model.eval();
  const final: Record<string, number | string> = {};
  const extra: Parameters<typeof finishRun>[0]["extra"] = {};
  if (result.summary.lastEval) {
    final["valid accuracy"] = result.summary.lastEval.accuracy;
  }
  if (data.test.ids.length > 0) {
    const s = evaluateClassifier(model, data.test);
    final["test accuracy"] = s.accuracy;
    final["test macro F1"] = s.macroF1;
    final["test loss"] = s.loss;
    extra.confusion = { classes: config.data.classes, matrix: s.confusion };
    extra.perClass = perClassRows(s, config.data.classes);
    extra.samples = exampleSamples(data.test, s, config.data.classes);
    extra.samplesTitle = "Example predictions (test set)";
    if (m.pooling === "attention") {
      const texts = data.test.texts.slice(0, 2);
      extra.attention = attentionMaps(
        predictTexts(model, data.vocab, texts, { ...config.data, classes: config.data.classes }),
      );
    }
  }
  await finishRun({
    dir: out,
    task: "classify",
    title: `Text classifier: ${config.data.dataset}`,
    config,
    result,
    final,
    extra,
  });
}

const nullStream = { write: () => true, isTTY: false };

async function predict(texts: string[], opts: Record<string, unknown>): Promise<void> {
  if (texts.length === 0)
    throw new UsageError(
      'predict: give at least one text, e.g. recurrent predict --model DIR "text"',
    );
  const { model, vocab, config } = await loadClassifier(String(opts.model));
  const predictions = predictTexts(model, vocab, texts, {
    ...config.data,
    classes: config.data.classes,
  });
  if (opts.json) {
    const rows = predictions.map((p, i) => ({
      text: texts[i],
      label: p.label,
      probabilities: p.probabilities,
    }));
    process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  predictions.forEach((p, i) =>
    process.stdout.write(
      `${p.label}\t${formatProbabilities(p.probabilities)}\t${oneLine(texts[i], 60)}\n`,
    ),
  );
}

/**
 * What `eval` scores: the model's own held-out split when `spec` is its training dataset (the
 * same split seed and limit, so no training text leaks in); for another dataset, its predefined
 * test half (valid: carved from its training half as in training), or all of it if it has none.
 */
async function evalSplit(
  config: ClassifyConfig,
  vocab: Vocab,
  spec: string,
  split: "valid" | "test",
  limit: number | undefined,
): Promise<EncodedSplit> {
  const same = spec === config.data.dataset;
  const { corpus, test } = await loadExamples(spec, { limit: same ? config.data.limit : limit });
  if (JSON.stringify(corpus.classes) !== JSON.stringify(config.data.classes))
    throw new UsageError(
      `eval: --data ${spec} has classes ${corpus.classes.join(", ")}, the model ${config.data.classes.join(", ")}`,
    );
  let examples: TextExample[] = corpus.examples;
  if (same || test) {
    const parts = splitExamples(corpus.examples, {
      validFraction: config.data.validFraction,
      testFraction: test ? 0 : config.data.testFraction,
      seed: config.data.splitSeed,
    });
    examples = split === "test" ? (test ?? parts.test) : parts.valid;
  }
  if (same && limit !== undefined) examples = examples.slice(0, limit);
  if (examples.length === 0) throw new UsageError(`eval: the ${split} split of ${spec} is empty`);
  return encodeExamples(examples, vocab, config.data);
}

/**
 * `recurrent eval` for a classifier directory: accuracy, loss and per-class F1 on the `split`
 * (default test) of its training dataset, or of `data`.
 */
export async function evalClassifier(
  dir: string,
  opts: { data?: string; split?: "valid" | "test"; limit?: number },
): Promise<void> {
  const { model, vocab, config } = await loadClassifier(dir);
  const spec = opts.data ?? config.data.dataset;
  const split = opts.split ?? "test";
  const encoded = await evalSplit(config, vocab, spec, split, opts.limit);
  const s = evaluateClassifier(model, encoded);
  const lines = [
    `data: ${spec} (${split}, ${encoded.ids.length} texts)`,
    `accuracy: ${s.accuracy.toFixed(4)}`,
    `loss: ${s.loss.toFixed(4)}`,
    `macro F1: ${s.macroF1.toFixed(4)}`,
    ...config.data.classes.map(
      (c, i) =>
        `  ${c}: precision ${s.perClass.precision[i].toFixed(4)}  recall ${s.perClass.recall[i].toFixed(4)}  F1 ${s.perClass.f1[i].toFixed(4)}  (${s.perClass.support[i]})`,
    ),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

export function registerClassify(train: Command, program: Command): void {
  const cmd = train
    .command("classify")
    .description("train an RNN/LSTM/GRU text classifier on packed, length-bucketed batches")
    .option(
      "--data <name>",
      "spam-assassin, sotu-party, sotu-era, brown, agnews:DIR or imdb:DIR",
      "spam-assassin",
    )
    .option(
      "--tokenizer <name>",
      `one of ${CLASSIFIER_TOKENIZERS.join(", ")}`,
      choiceArg("--tokenizer", CLASSIFIER_TOKENIZERS),
      "basic_english",
    )
    .option("--max-len <n>", "tokens kept per text (the first ones)", intArg("--max-len", 1), 200)
    .option("--min-freq <n>", "keep words seen at least this often", intArg("--min-freq", 1), 2)
    .option(
      "--max-vocab <n>",
      "largest vocabulary, <unk> and <pad> included",
      intArg("--max-vocab", 3),
      20000,
    )
    .option("--cell <cell>", `one of ${CELLS.join(", ")}`, choiceArg("--cell", CELLS), "gru")
    .option("--layers <n>", "stacked recurrent layers", intArg("--layers", 1), 1)
    .option("--hidden <n>", "hidden size (per direction)", intArg("--hidden", 1), 32)
    .option("--embedding <n>", "embedding size", intArg("--embedding", 1), 64)
    .option("--bidirectional", "read the text in both directions", true)
    .option("--no-bidirectional", "read the text forwards only")
    .option(
      "--pooling <kind>",
      `one of ${POOLINGS.join(", ")}`,
      choiceArg("--pooling", POOLINGS),
      "mean",
    )
    .option(
      "--dropout <p>",
      "dropout on embeddings, between layers and before the output layer",
      floatArg("--dropout", 0, 1, true),
      0.3,
    );
  addTrainOptions(cmd, { lr: 5e-3, epochs: 2, batchSize: 64, clip: 5 }).action(trainClassify);

  program
    .command("predict")
    .description("classify texts with a trained classifier: label and class probabilities")
    .requiredOption("--model <dir>", "model directory written by `train classify`")
    .option("--json", "print a JSON array of { text, label, probabilities }")
    .argument("[texts...]", "the texts to classify")
    .action(predict);
}
