/**
 * `recurrent eval --model DIR`: a trained model's figures on a split of its dataset (or of
 * another one with --data), whatever the task: config.json says which recipe evaluates it.
 *
 * @example
 * recurrent eval --model runs/lm-moby-dick --split test
 */
import type { Command } from "commander";
import { noGrad } from "../../autograd/tape.js";
import { readModelDir } from "../../io/node/model-dir.js";
import { lmLoss, lmTokens, prepareLmData } from "../../tasks/language-model/index.js";
import { choiceArg, intArg, UsageError } from "../args.js";
import { loadData } from "../common.js";
import { loadLanguageModel } from "./lm.js";

export interface EvalOptions {
  data?: string;
  split?: "valid" | "test";
  limit?: number;
  beam?: number;
}

/** Loss and perplexity of a language model on a split (or on all of --data). */
export async function evalLanguageModel(dir: string, opts: EvalOptions): Promise<void> {
  const { model, vocab, config } = await loadLanguageModel(dir);
  let ids: Int32Array;
  let what: string;
  if (opts.data) {
    const corpus = await loadData(opts.data, "lm", { limit: opts.limit });
    ids = Int32Array.from(vocab.encode(lmTokens(corpus.text, config.data)));
    what = opts.data;
  } else {
    const corpus = await loadData(config.data.dataset, "lm", { limit: config.data.limit });
    const split = opts.split ?? "test";
    ids = prepareLmData(corpus.text, config.data)[split];
    what = `${config.data.dataset} (${split})`;
  }
  const r = noGrad(() => lmLoss(model, ids, 10, config.train.bpttLen));
  process.stdout.write(
    `${what}: ${r.tokens} tokens\nloss (nats/token): ${r.loss.toFixed(4)}\nperplexity: ${r.perplexity.toFixed(3)}\n`,
  );
}

type Evaluator = (dir: string, opts: EvalOptions) => Promise<void>;

/** Registers `eval`; `evaluators` maps each task of config.json to its recipe's evaluation. */
export function registerEval(
  program: Command,
  evaluators: Partial<Record<string, Evaluator>>,
): void {
  program
    .command("eval")
    .description("evaluate a trained model on a split of its dataset, or on --data")
    .requiredOption("--model <dir>", "model directory written by `recurrent train`")
    .option("--data <name>", "evaluate on this dataset instead (all of it)")
    .option(
      "--split <split>",
      "valid or test (default test)",
      choiceArg("--split", ["valid", "test"] as const),
    )
    .option("--limit <n>", "use only a slice of --data", intArg("--limit", 1))
    .option("--beam <n>", "seq2seq: beam size (1: greedy)", intArg("--beam", 1))
    .action(async (opts: EvalOptions & { model: string }) => {
      const { config } = await readModelDir(opts.model);
      const evaluate = evaluators[config.task];
      if (!evaluate) throw new UsageError(`eval: no evaluation for ${config.task} models`);
      await evaluate(opts.model, opts);
    });
}
