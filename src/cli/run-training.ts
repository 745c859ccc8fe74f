/**
 * One training run on disk, shared by the three `train` commands: the model directory (config,
 * vocab, checkpoints committed together), a progress display, `metrics.jsonl`, exact `--resume`,
 * and a graceful stop on Ctrl-C / SIGTERM (finish the step, checkpoint, exit 130 / 143).
 *
 * Fault injection for tests: RECURRENT_FAULT_NONFINITE_STEPS=5,9 makes the loss of global steps 5
 * and 9 (1-based, counted across resumes) NaN, to exercise the non-finite guard end to end.
 *
 * @example
 * const { summary } = await runTraining({ dir, config, vocab, task, optimizer, scheduler: null,
 *   trainer: { epochs: 3, clipGradNorm: 5 }, resume: null, metric: "perplexity", unit: "tok" });
 */
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { commitFiles } from "../io/node/model-dir.js";
import type { LRScheduler, ReduceLROnPlateau } from "../optim/lr-scheduler.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { DecodedCheckpoint } from "../tasks/common/checkpoint.js";
import {
  Trainer,
  type StepReport,
  type TrainerOptions,
  type TrainerTask,
  type TrainSummary,
} from "../tasks/common/trainer.js";
import { UsageError } from "./args.js";
import { Progress } from "./progress.js";
import {
  MetricsLog,
  readMetrics,
  serializeRecord,
  type MetricRecord,
} from "./report/metrics-log.js";

export interface TrainingRun<B> {
  dir: string;
  config: object;
  /** vocab.json's content. */
  vocab: unknown;
  task: TrainerTask<B>;
  optimizer: Optimizer;
  scheduler: LRScheduler | ReduceLROnPlateau | null;
  trainer: Omit<TrainerOptions, "optimizer" | "scheduler" | "events" | "onCheckpoint" | "resume">;
  resume: DecodedCheckpoint | null;
  /** What the progress line shows next to the loss. */
  metric: "perplexity" | "accuracy";
  /** Throughput unit: tokens or samples per second. */
  unit: "tok" | "samples";
  /** Train records in metrics.jsonl: one per this many steps (default: about 50 per epoch). */
  logEvery?: number;
  /** Replace a model already in `dir` (otherwise a fresh run there is refused). */
  overwrite?: boolean;
  /** Where messages go (default stderr). */
  stream?: NodeJS.WriteStream;
}

export interface TrainingResult {
  summary: TrainSummary;
  records: MetricRecord[];
  /** The signal that stopped the run, if any. */
  signal: "SIGINT" | "SIGTERM" | null;
}

/** What a fresh run removes from a directory it overwrites. */
const STALE = [
  "state.json",
  "optimizer.safetensors",
  "model.safetensors",
  "metrics.jsonl",
  "report.html",
];

/** On resume, drops records logged after the checkpoint (they will be logged again). */
async function trimMetrics(dir: string, globalStep: number): Promise<void> {
  const path = join(dir, "metrics.jsonl");
  const kept = (await readMetrics(path).catch(() => [] as MetricRecord[])).filter(
    (r) => r.step <= globalStep,
  );
  await writeFile(path, kept.map((r) => serializeRecord(r) + "\n").join(""));
}

/** Makes the loss of the steps named in RECURRENT_FAULT_NONFINITE_STEPS NaN (see the header). */
function injectNonfinite<B>(task: TrainerTask<B>, firstStep: number): void {
  const steps = new Set(
    (process.env.RECURRENT_FAULT_NONFINITE_STEPS ?? "").split(",").filter(Boolean).map(Number),
  );
  if (steps.size === 0) return;
  const inner = task.trainStep.bind(task);
  let step = firstStep;
  task.trainStep = (batch) => {
    const r = inner(batch);
    return steps.has(++step) ? { ...r, loss: r.loss.mul(NaN) } : r;
  };
}

/** Trains with checkpoints, progress and metrics (see the file header). */
export async function runTraining<B>(run: TrainingRun<B>): Promise<TrainingResult> {
  const { dir, task } = run;
  const stream = run.stream ?? process.stderr;
  const fixed = {
    "config.json": JSON.stringify(run.config, null, 2) + "\n",
    "vocab.json": JSON.stringify(run.vocab) + "\n",
  };
  if (run.resume) {
    await trimMetrics(dir, run.resume.state.globalStep);
  } else {
    if (existsSync(join(dir, "config.json"))) {
      if (!run.overwrite)
        throw new UsageError(
          `${dir} already holds a model: pass --resume to continue it, --overwrite to replace it, or choose another --out`,
        );
      for (const name of STALE) await rm(join(dir, name), { force: true });
    }
    await commitFiles(dir, fixed);
  }
  injectNonfinite(task, run.resume?.state.globalStep ?? 0);
  const log = new MetricsLog(dir);
  const epochs = run.trainer.epochs;
  const progress = new Progress({
    total: task.batchesPerEpoch(run.resume?.state.epoch ?? 0),
    label: "train",
    epochs,
    stream,
  });
  const logEvery = run.logEvery ?? Math.max(1, Math.round(task.batchesPerEpoch(0) / 50));
  let window = { loss: 0, steps: 0 };
  const unitKey = run.unit === "tok" ? "tokensPerSec" : "samplesPerSec";

  const onStep = (r: StepReport): void => {
    window.loss += r.loss;
    window.steps += 1;
    const fields: Record<string, number | string> = { epoch: r.epoch + 1, loss: r.epochLoss };
    if (run.metric === "perplexity") fields.ppl = Math.exp(r.epochLoss);
    else if (r.epochAccuracy !== undefined) fields.acc = r.epochAccuracy;
    fields[run.unit === "tok" ? "tok/s" : "samples/s"] = r.tokensPerSec;
    progress.update(r.batch, fields);
    if (r.globalStep % logEvery === 0 || r.batch === r.batches) {
      const loss = window.loss / window.steps;
      const record: Record<string, number | string> = {
        split: "train",
        epoch: r.epoch + r.batch / r.batches,
        step: r.globalStep,
        time: r.elapsed,
        loss,
        lr: r.lr,
        [unitKey]: r.tokensPerSec,
      };
      if (run.metric === "perplexity") record.perplexity = Math.exp(loss);
      else if (r.epochAccuracy !== undefined) record.accuracy = r.epochAccuracy;
      log.append(record as unknown as MetricRecord);
      window = { loss: 0, steps: 0 };
    }
  };

  let saved: number | null = run.resume?.state.globalStep ?? null;
  const trainer = new Trainer(task, {
    ...run.trainer,
    optimizer: run.optimizer,
    scheduler: run.scheduler,
    resume: run.resume,
    events: {
      onStep,
      onEval: (e) => {
        const { loss, ...rest } = e.result;
        log.append({
          split: "valid",
          epoch: e.epoch + e.batch / Math.max(1, task.batchesPerEpoch(e.epoch)),
          step: e.globalStep,
          time: e.elapsed,
          loss,
          ...rest,
        } as MetricRecord);
        const shown = Object.entries(e.result)
          .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
          .join("  ");
        progress.log(`valid  step ${e.globalStep}  ${shown}${e.best ? "  (best)" : ""}`);
      },
    },
    onCheckpoint: async (files, position) => {
      try {
        await commitFiles(dir, { ...fixed, ...files });
      } catch (e) {
        // commitFiles leaves the previous checkpoint whole (io/node/model-dir.ts).
        const kept =
          saved === null
            ? "no checkpoint was saved before it: free some space and start again with --overwrite"
            : `the checkpoint of step ${saved} is intact: free some space and continue with --resume`;
        throw new Error(
          `could not save the checkpoint of step ${position.globalStep} in ${dir} (${(e as Error).message}); ${kept}`,
          { cause: e },
        );
      }
      saved = position.globalStep;
    },
  });

  let signal: TrainingResult["signal"] = null;
  const onSignal = (name: "SIGINT" | "SIGTERM") => () => {
    if (signal) process.exit(name === "SIGINT" ? 130 : 143); // a second signal: leave now
    signal = name;
    progress.log(`${name}: finishing this step and saving a checkpoint (again to quit at once)`);
    trainer.requestStop();
  };
  const sigint = onSignal("SIGINT");
  const sigterm = onSignal("SIGTERM");
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);
  try {
    const summary = await trainer.run();
    return { summary, records: await readMetrics(log.path), signal };
  } finally {
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
    progress.stop();
    log.close();
  }
}
