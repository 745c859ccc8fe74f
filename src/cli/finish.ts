/**
 * The two ends of a `train` command: turning parsed options into the run's `train` config (and,
 * on --resume, applying the few options that may change), and finishing a run — report, final
 * figures on stdout, the exit code for a signal or a non-finite loss.
 *
 * @example
 * const train = trainConfigFrom(opts);
 * await finishRun({ dir, task: "lm", title, config, result, final: { "test loss": 1.4 } });
 */
import type { Command } from "commander";
import type { OptimizerConfig, ScheduleConfig } from "../tasks/common/optimizer.js";
import type { TrainerOptions } from "../tasks/common/trainer.js";
import { writeReport, type ReportInput } from "./report/index.js";
import type { TrainingResult } from "./run-training.js";

type LoopOptions = Pick<
  TrainerOptions,
  | "epochs"
  | "maxSteps"
  | "maxTime"
  | "clipGradNorm"
  | "evalEvery"
  | "checkpointEvery"
  | "skipNonfinite"
>;

/** The `train` section of config.json shared by every recipe. */
export interface TrainConfig {
  seed: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  skipBadLines: boolean;
  trainer: LoopOptions;
}

/** The train config the options describe. */
export function trainConfigFrom(opts: Record<string, unknown>): TrainConfig {
  const kind = opts.lrSchedule as ScheduleConfig["kind"];
  const gamma = opts.lrDecay as number;
  return {
    seed: opts.seed as number,
    batchSize: opts.batchSize as number,
    optimizer: {
      name: opts.optimizer as OptimizerConfig["name"],
      lr: opts.lr as number,
      weightDecay: opts.weightDecay as number,
    },
    schedule:
      kind === "plateau"
        ? { kind, factor: gamma, patience: 0 }
        : kind === "none"
          ? { kind }
          : { kind, gamma, stepSize: 1 },
    skipBadLines: Boolean(opts.skipBadLines),
    trainer: {
      epochs: opts.epochs as number,
      maxSteps: opts.maxSteps as number | undefined,
      maxTime: opts.maxTime as number | undefined,
      clipGradNorm: opts.clip as number,
      evalEvery: opts.evalEvery as number | undefined,
      checkpointEvery: opts.checkpointEvery as number | undefined,
      skipNonfinite: Boolean(opts.skipNonfinite),
    },
  };
}

/** On --resume: the saved train config with the length-of-training options given now. */
export function resumeTrainConfig(
  saved: TrainConfig,
  opts: Record<string, unknown>,
  cmd: Command,
): TrainConfig {
  const trainer = { ...saved.trainer };
  for (const key of ["epochs", "maxSteps", "maxTime", "evalEvery", "checkpointEvery"] as const) {
    if (cmd.getOptionValueSource(key) === "cli") trainer[key] = opts[key] as number;
  }
  return { ...saved, trainer };
}

export interface FinishInput {
  dir: string;
  task: ReportInput["task"];
  title: string;
  config: object;
  result: TrainingResult;
  final: Record<string, number | string>;
  /** Samples, confusion matrix, attention maps… for the report. */
  extra?: Partial<ReportInput>;
  /** Printed to stdout after the figures (a generated passage). */
  print?: string;
}

function show(v: number | string): string {
  return typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v;
}

/** Writes the report, prints the outcome and sets the exit code (see the file header). */
export async function finishRun(input: FinishInput): Promise<void> {
  const { summary, signal } = input.result;
  const final: Record<string, number | string> = {
    ...input.final,
    steps: summary.globalStep,
    "training time (s)": Math.round(summary.elapsed * 10) / 10,
  };
  if (summary.skippedNonfinite > 0) final["skipped non-finite batches"] = summary.skippedNonfinite;
  const report = await writeReport(input.dir, {
    title: input.title,
    task: input.task,
    config: input.config,
    records: input.result.records,
    final,
    ...input.extra,
  });
  for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const [k, v] of Object.entries(final)) process.stdout.write(`${k}: ${show(v)}\n`);
  if (input.print) process.stdout.write(`\n${input.print}\n\n`);
  process.stdout.write(`model: ${input.dir}\nreport: ${report.files[0]}\n`);
  if (summary.reason === "nonfinite") {
    process.stderr.write(`error: ${summary.nonfinite!.message}\n`);
    process.exitCode = 1;
  } else if (signal) {
    process.stderr.write(
      `stopped by ${signal} at step ${summary.globalStep}; the checkpoint is saved: continue with --resume\n`,
    );
    process.exitCode = signal === "SIGINT" ? 130 : 143;
  }
}
