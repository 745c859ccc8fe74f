/**
 * `recurrent train lm` and `recurrent generate`: a character- or word-level language model trained
 * with truncated BPTT, and text generation from a trained model directory.
 *
 * @example
 * recurrent train lm --data moby-dick --cell lstm --hidden 256 --max-time 600
 * recurrent train lm --data text:wiki/ --memory-budget 256   # a larger corpus streams from disk
 * recurrent generate --model runs/lm-moby-dick --prime "Call me" --length 500 --temperature 0.8
 */
import type { Command } from "commander";
import { noGrad } from "../../autograd/tape.js";
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import { readModelDir } from "../../io/node/model-dir.js";
import { makeModelConfig, type ModelConfig } from "../../tasks/common/model-config.js";
import { createOptimizer, createScheduler } from "../../tasks/common/optimizer.js";
import {
  CELLS,
  generateText,
  LanguageModelTask,
  lmLoss,
  LM_LEVELS,
  prepareLmData,
  RNNLanguageModel,
  type LanguageModelConfig,
  type LmDataConfig,
} from "../../tasks/language-model/index.js";
import { StreamedLanguageModelTask } from "../../tasks/language-model/task.js";
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
import { prepareStreamedLm, textCorpusBytes, textCorpusFiles } from "../lm-stream.js";
import { finishRun, resumeTrainConfig, trainConfigFrom, type TrainConfig } from "../finish.js";
import { runTraining } from "../run-training.js";

interface LmData extends LmDataConfig {
  dataset: string;
  limit?: number;
  /** MB of text held in memory; a larger text:PATH corpus streams (lm-stream.ts). */
  memoryBudget?: number;
  /** Whether this run streams its corpus (decided once, when it starts). */
  stream?: boolean;
}

interface LmTrain extends TrainConfig {
  bpttLen: number;
}

type LmConfig = ModelConfig<LanguageModelConfig, LmData, LmTrain>;

/** Rebuilds the model of a directory written by `train lm`. */
export async function loadLanguageModel(
  dir: string,
): Promise<{ model: RNNLanguageModel; vocab: Vocab; config: LmConfig }> {
  const { config, vocab, weights } = await readModelDir(dir, "lm");
  const c = config as unknown as LmConfig;
  const model = new RNNLanguageModel(c.model);
  model.loadStateDict(weights);
  model.eval();
  return { model, vocab: Vocab.fromJSON(vocab as VocabJSON), config: c };
}

async function trainLm(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const out = defaultOut("lm", String(opts.data), opts.out as string | undefined);
  let config: LmConfig;
  const resumed = opts.resume ? (rejectOnResume(cmd), await loadResume(out, "lm")) : null;
  if (resumed) {
    config = resumed.config as unknown as LmConfig;
    config.train = { ...config.train, ...resumeTrainConfig(config.train, opts, cmd) };
  } else {
    const level = opts.level as LmData["level"];
    config = makeModelConfig(
      "lm",
      {
        vocabSize: 0,
        cell: opts.cell as LanguageModelConfig["cell"],
        embeddingSize: opts.embedding as number,
        hiddenSize: opts.hidden as number,
        numLayers: opts.layers as number,
        dropout: opts.dropout as number,
        tieWeights: Boolean(opts.tie),
      },
      {
        dataset: String(opts.data),
        limit: opts.limit as number | undefined,
        level,
        tokenizer: level === "word" ? (opts.tokenizer as LmData["tokenizer"]) : undefined,
        memoryBudget: opts.memoryBudget as number,
      },
      { ...trainConfigFrom(opts), bpttLen: opts.bptt as number },
    );
    config.data.stream = await streams(config.data);
  }
  const data = config.data.stream
    ? await prepareStreamedLm(await textCorpusFiles(textPath(config.data.dataset)), config.data, {
        batchSize: config.train.batchSize,
        bpttLen: config.train.bpttLen,
        budgetBytes: (config.data.memoryBudget ?? 0) * 1e6,
      })
    : prepareLmData(
        (
          await loadData(config.data.dataset, "lm", {
            limit: config.data.limit,
            skipBadLines: config.train.skipBadLines,
          })
        ).text,
        config.data,
      );
  if (
    resumed &&
    JSON.stringify(data.vocab.itos) !== JSON.stringify((resumed.vocab as VocabJSON).itos)
  )
    throw new UsageError(
      `--resume: the data of ${config.data.dataset} no longer gives the run's vocabulary; was it changed?`,
    );
  config.model.vocabSize = data.vocab.length;
  manualSeed(config.train.seed);
  const model = new RNNLanguageModel(config.model);
  const optimizer = createOptimizer(model.parameters(), config.train.optimizer);
  const scheduler = createScheduler(optimizer, config.train.schedule);
  const taskOptions = {
    batchSize: config.train.batchSize,
    bpttLen: config.train.bpttLen,
    seed: config.train.seed,
  };
  const task =
    "bytes" in data
      ? new StreamedLanguageModelTask(model, data.train, data.valid, taskOptions)
      : new LanguageModelTask(model, data.train, data.valid, taskOptions);
  const trainTokens = "bytes" in data ? data.trainTokens : data.train.length;
  const streamed =
    "bytes" in data
      ? ` streamed from disk (${(data.bytes / 1e6).toFixed(1)} MB > --memory-budget ${config.data.memoryBudget} MB)`
      : "";
  process.stderr.write(
    `train lm: ${config.data.dataset}, ${trainTokens.toLocaleString("en-US")} training ${config.data.level === "char" ? "characters" : "tokens"}${streamed}, vocabulary ${data.vocab.length}; ` +
      `${config.model.cell.toUpperCase()} ${config.model.numLayers}×${config.model.hiddenSize}, ${model
        .parameters()
        .reduce((n, p) => n + p.numel(), 0)
        .toLocaleString("en-US")} parameters → ${out}\n`,
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
    metric: "perplexity",
    unit: "tok",
    overwrite: Boolean(opts.overwrite),
    stream: opts.quiet ? (nullStream as unknown as NodeJS.WriteStream) : undefined,
  });
  model.eval();
  const final: Record<string, number | string> = {};
  if (result.summary.lastEval) {
    final["valid loss (nats/token)"] = result.summary.lastEval.loss;
    final["valid perplexity"] = Math.exp(result.summary.lastEval.loss);
  }
  if (data.test.length > 2) {
    const test = noGrad(() => lmLoss(model, data.test, 10, config.train.bpttLen));
    final["test loss (nats/token)"] = test.loss;
    final["test perplexity"] = test.perplexity;
  }
  const prime = config.data.level === "char" ? "Call me " : "the";
  const sample = generateText(model, data.vocab, {
    level: config.data.level,
    tokenizer: config.data.tokenizer,
    prime,
    length: config.data.level === "char" ? 400 : 80,
    temperature: 0.8,
    seed: config.train.seed,
  });
  await finishRun({
    dir: out,
    task: "lm",
    title: `Language model: ${config.data.dataset}`,
    config,
    result,
    final,
    extra: { samples: [{ prime, text: sample }] },
    print: `${prime}${sample}`,
  });
}

const nullStream = { write: () => true, isTTY: false };

/** The path of a text:PATH dataset spec. */
const textPath = (spec: string): string => resolveDataSpec(spec, "lm").slice("text:".length);

/** Whether a fresh run streams: a text:PATH corpus of more bytes than --memory-budget MB. */
async function streams(data: LmData): Promise<boolean> {
  const spec = resolveDataSpec(data.dataset, "lm");
  if (!spec.startsWith("text:") || data.memoryBudget === undefined) return false;
  const bytes = await textCorpusBytes(textPath(data.dataset));
  const budget = data.memoryBudget * 1e6;
  if (bytes <= budget || (data.limit !== undefined && data.limit <= budget)) return false;
  if (data.limit !== undefined)
    throw new UsageError(
      `--limit ${data.limit} keeps more characters in memory than --memory-budget ${data.memoryBudget} MB, and ${data.dataset} (${(bytes / 1e6).toFixed(1)} MB) would stream: lower --limit, or drop it to stream the whole corpus`,
    );
  return true;
}

async function generate(opts: Record<string, unknown>): Promise<void> {
  const { model, vocab, config } = await loadLanguageModel(String(opts.model));
  const length = opts.length as number;
  const prime = (opts.prime as string | undefined) ?? "";
  process.stdout.write(prime);
  generateText(model, vocab, {
    level: config.data.level,
    tokenizer: config.data.tokenizer,
    prime,
    length,
    temperature: opts.temperature as number,
    topK: opts.topK as number | undefined,
    topP: opts.topP as number | undefined,
    seed: opts.seed as number,
    onToken: (s) => process.stdout.write(s),
  });
  process.stdout.write("\n");
}

export function registerLm(train: Command, program: Command): void {
  const cmd = train
    .command("lm")
    .description("train a character- or word-level language model with truncated BPTT")
    .option("--data <name|file>", "moby-dick, text:FILE_OR_DIR or a text file", "moby-dick")
    .option("--level <level>", "char or word", choiceArg("--level", LM_LEVELS), "char")
    .option(
      "--tokenizer <name>",
      "word level: whitespace or basic_english",
      choiceArg("--tokenizer", ["whitespace", "basic_english"] as const),
      "whitespace",
    )
    .option("--cell <cell>", `one of ${CELLS.join(", ")}`, choiceArg("--cell", CELLS), "lstm")
    .option("--layers <n>", "stacked recurrent layers", intArg("--layers", 1), 1)
    .option("--hidden <n>", "hidden size", intArg("--hidden", 1), 256)
    .option("--embedding <n>", "embedding size", intArg("--embedding", 1), 64)
    .option(
      "--dropout <p>",
      "dropout on embeddings, between layers and before the decoder",
      floatArg("--dropout", 0, 1, true),
      0,
    )
    .option("--tie", "tie decoder and embedding weights (needs --hidden = --embedding)")
    .option("--bptt <steps>", "truncated BPTT window", intArg("--bptt", 1), 100)
    .option(
      "--memory-budget <MB>",
      "largest text:PATH corpus held in memory; a larger one streams from disk",
      floatArg("--memory-budget", 0),
      256,
    );
  addTrainOptions(cmd, { lr: 3e-3, epochs: 3, batchSize: 32, clip: 5 }).action(trainLm);

  program
    .command("generate")
    .description("generate text from a trained language model")
    .requiredOption("--model <dir>", "model directory written by `train lm`")
    .option("--prime <text>", "text to continue", "")
    .option("--length <n>", "tokens (characters or words) to generate", intArg("--length", 0), 500)
    .option(
      "--temperature <t>",
      "sampling temperature (0: greedy)",
      floatArg("--temperature", 0),
      1,
    )
    .option("--top-k <k>", "sample among the k most likely tokens", intArg("--top-k", 1))
    .option(
      "--top-p <p>",
      "sample among the most likely tokens up to mass p",
      floatArg("--top-p", 0, 1),
    )
    .option("--seed <n>", "random seed of the sampling", intArg("--seed", 0), 0)
    .action(generate);
}
