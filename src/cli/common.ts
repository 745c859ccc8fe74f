/**
 * What the CLI commands share: resolving `--data` (a dataset name, a prefixed path, or for a
 * language model a bare file path), `--resume` (the run's saved config wins; options that would
 * change it are refused), the output directory's default, and the options every `train` has.
 *
 * @example
 * const corpus = await loadData("spam-assassin", "classify", { limit: 500 });
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { ClassifyCorpus, Corpus, LmCorpus, Seq2SeqCorpus } from "../data/formats/common.js";
import { loadDataset, parseDatasetName, type LoadDatasetOptions } from "../io/node/datasets.js";
import { readCheckpointFiles, readModelDir } from "../io/node/model-dir.js";
import { decodeCheckpoint, type DecodedCheckpoint } from "../tasks/common/checkpoint.js";
import type { ModelConfig, TaskName } from "../tasks/common/model-config.js";
import { OPTIMIZERS, SCHEDULES } from "../tasks/common/optimizer.js";
import { choiceArg, floatArg, intArg, UsageError } from "./args.js";

type KindCorpus = { lm: LmCorpus; classify: ClassifyCorpus; seq2seq: Seq2SeqCorpus };

/** `--data` → the dataset spec loadDataset takes (a bare existing path is text for an LM). */
export function resolveDataSpec(spec: string, task: TaskName): string {
  try {
    const { info } = parseDatasetName(spec);
    if (info.kind !== task)
      throw new UsageError(
        `--data ${spec} is a ${info.kind} dataset, but this command trains a ${task} model`,
      );
    return spec;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (task === "lm" && existsSync(spec)) return `text:${spec}`;
    throw new UsageError((e as Error).message.replace(/^loadDataset: /, "--data: "));
  }
}

/** Loads `--data` for `task`. */
export async function loadData<K extends TaskName>(
  spec: string,
  task: K,
  options: LoadDatasetOptions,
): Promise<KindCorpus[K]> {
  const corpus: Corpus = await loadDataset(resolveDataSpec(spec, task), options);
  if (corpus.skipped > 0)
    process.stderr.write(
      `--skip-bad-lines: skipped ${corpus.skipped} malformed line(s) in ${spec}\n`,
    );
  return corpus as KindCorpus[K];
}

/** The options every `train` command takes. */
export function addTrainOptions(
  cmd: Command,
  defaults: { lr: number; epochs: number; batchSize: number; clip: number },
): Command {
  return cmd
    .option("--out <dir>", "model directory to write (default: runs/<task>-<data>)")
    .option("--epochs <n>", "passes over the training data", intArg("--epochs", 1), defaults.epochs)
    .option("--max-steps <n>", "stop after this many optimizer steps", intArg("--max-steps", 1))
    .option("--max-time <seconds>", "stop after this much training time", floatArg("--max-time", 0))
    .option("--batch-size <n>", "examples per batch", intArg("--batch-size", 1), defaults.batchSize)
    .option(
      "--optimizer <name>",
      `one of ${OPTIMIZERS.join(", ")}`,
      choiceArg("--optimizer", OPTIMIZERS),
      "adam",
    )
    .option("--lr <rate>", "learning rate", floatArg("--lr", 0), defaults.lr)
    .option("--weight-decay <w>", "L2 penalty (AdamW: decoupled)", floatArg("--weight-decay", 0), 0)
    .option(
      "--clip <norm>",
      "clip the gradient norm to this (0: off)",
      floatArg("--clip", 0),
      defaults.clip,
    )
    .option(
      "--lr-schedule <kind>",
      `one of ${SCHEDULES.join(", ")}`,
      choiceArg("--lr-schedule", SCHEDULES),
      "none",
    )
    .option(
      "--lr-decay <gamma>",
      "factor for exponential/step/plateau schedules",
      floatArg("--lr-decay", 0, 1, true),
      0.5,
    )
    .option(
      "--eval-every <steps>",
      "validate every this many steps as well as each epoch end",
      intArg("--eval-every", 1),
    )
    .option(
      "--checkpoint-every <steps>",
      "checkpoint every this many steps as well as each epoch end",
      intArg("--checkpoint-every", 1),
    )
    .option("--seed <n>", "random seed (weights, shuffling, dropout)", intArg("--seed", 0), 0)
    .option(
      "--limit <n>",
      "use only a small slice of the data (characters for an LM, examples otherwise)",
      intArg("--limit", 1),
    )
    .option(
      "--skip-bad-lines",
      "leave malformed lines of your data files out (counted) instead of stopping",
    )
    .option(
      "--skip-nonfinite",
      "skip batches whose loss or gradient is NaN/Inf (counted) instead of stopping",
    )
    .option("--resume", "continue the run in --out from its last checkpoint, exactly")
    .option("--overwrite", "replace a model already in --out")
    .option("--quiet", "no progress display");
}

/** Options that may change on --resume (how long to train); everything else is the run's. */
const RESUMABLE = new Set([
  "out",
  "resume",
  "epochs",
  "maxSteps",
  "maxTime",
  "quiet",
  "checkpointEvery",
  "evalEvery",
]);

/** Refuses options given on the command line that --resume would ignore. */
export function rejectOnResume(cmd: Command): void {
  const fixed = cmd.options
    .filter(
      (o) =>
        cmd.getOptionValueSource(o.attributeName()) === "cli" && !RESUMABLE.has(o.attributeName()),
    )
    .map((o) => o.long!);
  if (fixed.length > 0)
    throw new UsageError(
      `--resume continues the run as its config.json says; drop ${fixed.join(", ")} (only --epochs, --max-steps, --max-time, --eval-every, --checkpoint-every may change)`,
    );
}

export interface Resumed {
  config: ModelConfig;
  vocab: unknown;
  checkpoint: DecodedCheckpoint;
}

/** The run in `dir` for --resume, or a UsageError saying why there is none. */
export async function loadResume(dir: string, task: TaskName): Promise<Resumed> {
  if (!existsSync(dir))
    throw new UsageError(`--resume: ${dir} does not exist; start the run without --resume`);
  const files = await readCheckpointFiles(dir);
  if (!files)
    throw new UsageError(
      `--resume: ${dir} has no checkpoint (state.json): the run stopped before its first one; start it again with --overwrite`,
    );
  const { config, vocab } = await readModelDir(dir, task);
  return { config, vocab, checkpoint: decodeCheckpoint(files, `--resume ${dir}`) };
}

/** runs/<task>-<data name without path> unless --out is given. */
export function defaultOut(task: TaskName, data: string, out?: string): string {
  if (out) return out;
  const base =
    data
      .replace(/^[a-z]+:/, "")
      .split(/[\\/]/)
      .filter(Boolean)
      .pop() ?? "data";
  return `runs/${task}-${base.replace(/\.[a-z]+$/i, "").replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}
