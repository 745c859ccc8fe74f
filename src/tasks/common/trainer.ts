/**
 * The training loop every recipe shares: epochs of batches, backward, gradient clipping, an
 * optimizer step, LR schedules, validation, checkpoints, a NaN guard, and exact resume.
 *
 *   for epoch e, for batch b of task.batches(e):
 *     loss = task.trainStep(b); loss.backward(); clip; opt.step(); opt.zeroGrad()
 *     every evalEvery steps and at the epoch end: task.evaluate() (ReduceLROnPlateau steps on it)
 *     every checkpointEvery steps, at the epoch end and when stopping: onCheckpoint(files)
 *   epoch end: an epoch scheduler (StepLR, ExponentialLR) steps
 *
 * Resume: `resume` (a decoded checkpoint) restores weights, optimizer, scheduler, global RNG and
 * the task's carried state, then skips the batches already done in the current epoch. Batches must
 * be a pure function of the epoch (seeded shuffles), so the rest of the run is the same as an
 * uninterrupted one, bit for bit on one thread.
 *
 * The loop is async so that a caller's stop request (Ctrl-C, a Stop button) and checkpoint writes
 * get their turn: it yields to the event loop every `yieldMs`.
 *
 * @example
 * const trainer = new Trainer(task, { optimizer, epochs: 5, clipGradNorm: 5, events });
 * const summary = await trainer.run();
 */
import type { Module } from "../../nn/module.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { LRScheduler, ReduceLROnPlateau } from "../../optim/lr-scheduler.js";
import { noGrad } from "../../autograd/tape.js";
import { getRngState, setRngState, type GeneratorState } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { clipGradNorm } from "../../utils/clip-grad.js";
import {
  encodeCheckpoint,
  restoreCheckpoint,
  type CheckpointFiles,
  type DecodedCheckpoint,
  type TrainPosition,
} from "./checkpoint.js";

/** What one training batch gives back. */
export interface StepResult {
  /** The loss to minimise: a mean over `items`. */
  loss: Tensor;
  /** Items the loss averages over (tokens for a language model, samples for a classifier). */
  items: number;
  /** Tokens processed (for throughput). */
  tokens: number;
  /** Correct predictions among `items`, where the task has them. */
  correct?: number;
}

/** Validation figures; `loss` is the mean per item. */
export interface EvalResult {
  loss: number;
  [metric: string]: number;
}

/** What a recipe supplies to the loop. */
export interface TrainerTask<B> {
  readonly model: Module;
  /** Batches in epoch `epoch`. */
  batchesPerEpoch(epoch: number): number;
  /** The batches of epoch `epoch`; the same sequence every time for a given epoch. Async for
   * batches streamed from disk (a corpus larger than memory). */
  batches(epoch: number): Iterable<B> | AsyncIterable<B>;
  /** Forward pass and loss of one batch (the model is in training mode). */
  trainStep(batch: B): StepResult;
  /** Called before the first batch of each epoch (also when resuming inside it). */
  startEpoch?(epoch: number): void;
  /** Validation (the model is put in eval mode and gradients off around it). */
  evaluate?(): EvalResult;
  /** Tensors carried from batch to batch (a language model's hidden state), for checkpoints. */
  saveCarry?(): Record<string, Tensor>;
  loadCarry?(carry: Record<string, Tensor>): void;
}

export interface StepReport {
  epoch: number;
  /** Batches done in this epoch, and how many it has. */
  batch: number;
  batches: number;
  globalStep: number;
  loss: number;
  /** Mean loss per item over the epoch so far. */
  epochLoss: number;
  /** Accuracy over the epoch so far, when the task counts correct items. */
  epochAccuracy?: number;
  lr: number;
  gradNorm?: number;
  tokens: number;
  /** Tokens per second over this session. */
  tokensPerSec: number;
  /** Seconds of training so far (all sessions). */
  elapsed: number;
}

export interface EvalReport extends TrainPosition {
  result: EvalResult;
  elapsed: number;
  /** The lowest validation loss so far. */
  best: boolean;
}

export interface TrainEvents {
  onStep?(report: StepReport): void;
  onEval?(report: EvalReport): void;
  onEpochEnd?(report: StepReport): void;
}

export type StopReason = "done" | "maxSteps" | "maxTime" | "stopped" | "nonfinite";

export interface TrainSummary {
  reason: StopReason;
  epoch: number;
  globalStep: number;
  elapsed: number;
  lastEval: EvalResult | null;
  bestValidLoss: number | null;
  /** The step at which training stopped on a non-finite loss, and a message. */
  nonfinite?: { step: number; message: string };
  /** Batches skipped with `skipNonfinite` (all sessions). */
  skippedNonfinite: number;
}

export interface TrainerOptions {
  optimizer: Optimizer;
  /** An epoch schedule (stepped at each epoch end) or a plateau schedule (stepped on validation). */
  scheduler?: LRScheduler | ReduceLROnPlateau | null;
  epochs: number;
  /** Stop after this many optimizer steps in all (a resumed run counts the earlier ones). */
  maxSteps?: number;
  /** Stop after this many seconds of training in all. */
  maxTime?: number;
  clipGradNorm?: number;
  /** Validate every this many steps, as well as at each epoch end (0: only at epoch ends). */
  evalEvery?: number;
  /** Checkpoint every this many steps, as well as at epoch ends and on stopping (0: not by steps). */
  checkpointEvery?: number;
  /** Receives each checkpoint's files; awaited, so a slow disk slows training rather than losing one. */
  onCheckpoint?(files: CheckpointFiles, position: TrainPosition): Promise<void> | void;
  events?: TrainEvents;
  resume?: DecodedCheckpoint | null;
  /** Skip batches whose loss is NaN or infinite (counted) instead of stopping. Default false. */
  skipNonfinite?: boolean;
  /** Milliseconds between yields to the event loop (default 100). */
  yieldMs?: number;
  /** Clock in milliseconds (tests inject one). */
  now?: () => number;
}

/** The first parameter holding a NaN or an infinity, and that value. */
function firstNonfinite(model: Module): { name: string; value: number } | null {
  for (const [name, p] of model.namedParameters()) {
    const d = p.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return { name, value: d[i] };
  }
  return null;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs a TrainerTask (see the file header). */
export class Trainer<B> {
  private stopRequested = false;
  /** Batches skipped because their loss or gradient was not finite (all sessions). */
  skippedNonfinite = 0;

  constructor(
    readonly task: TrainerTask<B>,
    readonly options: TrainerOptions,
  ) {
    if (!Number.isInteger(options.epochs) || options.epochs < 1)
      throw new Error(`Trainer: expected epochs to be a positive integer, got ${options.epochs}`);
  }

  /** Asks the loop to stop after the current step (it then checkpoints and returns). */
  requestStop(): void {
    this.stopRequested = true;
  }

  async run(): Promise<TrainSummary> {
    const o = this.options;
    const { task } = this;
    const model = task.model;
    const now = o.now ?? (() => performance.now());
    const plateau = o.scheduler instanceof ReduceLROnPlateau ? o.scheduler : null;
    const epochScheduler = o.scheduler instanceof LRScheduler ? o.scheduler : null;
    let epoch = 0;
    let batch = 0;
    let globalStep = 0;
    let elapsedBefore = 0;
    let bestValidLoss: number | null = null;
    let lastEval: EvalResult | null = null;
    let carry: Record<string, Tensor> | null = null;
    if (o.resume) {
      restoreCheckpoint(o.resume, { model, optimizer: o.optimizer, scheduler: o.scheduler });
      ({ epoch, batch, globalStep } = o.resume.state);
      elapsedBefore = o.resume.state.elapsed;
      bestValidLoss = o.resume.state.bestValidLoss;
      this.skippedNonfinite = o.resume.state.skippedNonfinite ?? 0;
      setRngState(o.resume.state.rng as unknown as GeneratorState);
      if (o.resume.state.carry.length > 0) carry = o.resume.carry;
    }
    const started = now();
    let lastYield = started;
    let sessionTokens = 0;
    const elapsed = (): number => elapsedBefore + (now() - started) / 1000;

    let savedStep: number | null = o.resume ? globalStep : null;
    const kept = (): string =>
      savedStep === null
        ? "no checkpoint was saved"
        : `the checkpoint of step ${savedStep} is kept`;
    // The loss guard sees a step's loss, not the update that follows it: an update can still
    // overflow the weights. Nothing non-finite is saved, so the last checkpoint stays good.
    const checkpoint = async (): Promise<TrainSummary | null> => {
      if (!o.onCheckpoint) return null;
      const bad = firstNonfinite(model);
      if (bad) {
        const message =
          `training stopped after step ${globalStep}: ` +
          `parameter ${bad.name} became ${bad.value}. Lower the learning rate or enable gradient ` +
          `clipping (--clip); ${kept()}.`;
        return summary("nonfinite", { nonfinite: { step: globalStep, message } });
      }
      const files = encodeCheckpoint({
        model,
        optimizer: o.optimizer,
        position: { epoch, batch, globalStep },
        rng: getRngState(),
        elapsed: elapsed(),
        scheduler: o.scheduler,
        bestValidLoss,
        carry: task.saveCarry?.(),
        skippedNonfinite: this.skippedNonfinite,
      });
      await o.onCheckpoint(files, { epoch, batch, globalStep });
      savedStep = globalStep;
      return null;
    };
    let lastEvalStep = -1;
    // A validation at a stop does not step a plateau schedule: a run stopped and resumed must
    // follow the same schedule as one that never stopped.
    const validate = (stepSchedule = true): void => {
      if (!task.evaluate || lastEvalStep === globalStep) return;
      lastEvalStep = globalStep;
      // Evaluation must not disturb the training stream of random numbers.
      const rng = getRngState();
      model.eval();
      const result = noGrad(() => task.evaluate!());
      model.train();
      setRngState(rng);
      lastEval = result;
      const best = bestValidLoss === null || result.loss < bestValidLoss;
      if (best) bestValidLoss = result.loss;
      if (stepSchedule) plateau?.step(result.loss);
      o.events?.onEval?.({ epoch, batch, globalStep, result, elapsed: elapsed(), best });
    };
    const summary = (reason: StopReason, extra: Partial<TrainSummary> = {}): TrainSummary => ({
      reason,
      epoch,
      globalStep,
      elapsed: elapsed(),
      lastEval,
      bestValidLoss,
      skippedNonfinite: this.skippedNonfinite,
      ...extra,
    });

    const limit = (): StopReason | null =>
      o.maxSteps !== undefined && globalStep >= o.maxSteps
        ? "maxSteps"
        : o.maxTime !== undefined && elapsed() >= o.maxTime
          ? "maxTime"
          : null;
    // A run resumed from a checkpoint that already reached its limit trains no further step.
    const reached = o.resume ? limit() : null;
    if (reached) {
      validate(false);
      return summary(reached);
    }
    model.train();
    while (epoch < o.epochs) {
      const batches = task.batchesPerEpoch(epoch);
      // The carry of a checkpoint at an epoch's start is the previous epoch's last state: it goes
      // in before startEpoch (which may reset it, as a language model's does), as it did when the
      // run was not interrupted. Mid-epoch, it is this epoch's, and goes in after.
      if (carry && batch === 0) {
        task.loadCarry?.(carry);
        carry = null;
      }
      task.startEpoch?.(epoch);
      if (carry) {
        task.loadCarry?.(carry);
        carry = null;
      }
      let lossSum = 0;
      let items = 0;
      let correct = 0;
      let counted = false;
      let report: StepReport | null = null;
      let index = 0;
      for await (const b of task.batches(epoch)) {
        if (index++ < batch) continue; // done before the checkpoint this run resumed from
        const r = task.trainStep(b);
        const loss = r.loss.item();
        let gradNorm: number | undefined;
        let finite = Number.isFinite(loss);
        if (finite) {
          r.loss.backward();
          if (o.clipGradNorm !== undefined && o.clipGradNorm > 0) {
            gradNorm = clipGradNorm(model.parameters(), o.clipGradNorm);
            finite = Number.isFinite(gradNorm);
          }
        }
        if (!finite) {
          o.optimizer.zeroGrad();
          if (!o.skipNonfinite) {
            const what = Number.isFinite(loss) ? `gradient norm ${gradNorm}` : `loss ${loss}`;
            const message =
              `training stopped at step ${globalStep + 1} (epoch ${epoch + 1}, batch ${batch + 1}): ${what}. ` +
              "Lower the learning rate, enable gradient clipping (--clip), or pass --skip-nonfinite; " +
              `${kept()}.`;
            return summary("nonfinite", { nonfinite: { step: globalStep + 1, message } });
          }
          this.skippedNonfinite++;
        } else {
          o.optimizer.step();
          o.optimizer.zeroGrad();
          lossSum += loss * r.items;
          items += r.items;
          if (r.correct !== undefined) {
            correct += r.correct;
            counted = true;
          }
        }
        batch++;
        globalStep++;
        sessionTokens += r.tokens;
        const seconds = (now() - started) / 1000;
        report = {
          epoch,
          batch,
          batches,
          globalStep,
          loss,
          epochLoss: items > 0 ? lossSum / items : NaN,
          epochAccuracy: counted && items > 0 ? correct / items : undefined,
          lr: o.optimizer.paramGroups[0].lr,
          gradNorm,
          tokens: r.tokens,
          tokensPerSec: seconds > 0 ? sessionTokens / seconds : 0,
          elapsed: elapsed(),
        };
        o.events?.onStep?.(report);
        const endOfEpoch = batch >= batches;
        if (!endOfEpoch && o.evalEvery && globalStep % o.evalEvery === 0) validate();
        const stop: StopReason | null = this.stopRequested ? "stopped" : limit();
        if (stop && !endOfEpoch) {
          if (stop !== "stopped") validate(false);
          return (await checkpoint()) ?? summary(stop);
        }
        if (!endOfEpoch && o.checkpointEvery && globalStep % o.checkpointEvery === 0) {
          const bad = await checkpoint();
          if (bad) return bad;
        }
        if (now() - lastYield >= (o.yieldMs ?? 100)) {
          await yieldToEventLoop();
          lastYield = now();
        }
        if (endOfEpoch) break;
      }
      validate();
      epochScheduler?.step();
      epoch++;
      batch = 0;
      if (report) o.events?.onEpochEnd?.(report);
      const bad = await checkpoint();
      if (bad) return bad;
      if (this.stopRequested) return summary("stopped");
      const stop = limit();
      if (stop) return summary(stop);
    }
    return summary("done");
  }
}
