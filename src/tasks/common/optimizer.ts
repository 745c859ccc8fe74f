/**
 * Optimizers and LR schedules by name, as the recipes' configs and the CLI spell them.
 *
 *   optimizer  adam | adamw | sgd | rmsprop | adagrad        (lr, weightDecay, momentum for sgd/rmsprop)
 *   schedule   none | exponential (gamma per epoch) | step (every stepSize epochs, gamma)
 *              | plateau (factor when validation loss stops improving for `patience` evaluations)
 *
 * @example
 * const opt = createOptimizer(model.parameters(), { name: "adam", lr: 2e-3 });
 * const sched = createScheduler(opt, { kind: "plateau", factor: 0.25, patience: 0 });
 */
import { Adagrad } from "../../optim/adagrad.js";
import { Adam } from "../../optim/adam.js";
import { AdamW } from "../../optim/adamw.js";
import {
  ExponentialLR,
  ReduceLROnPlateau,
  StepLR,
  type LRScheduler,
} from "../../optim/lr-scheduler.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { RMSprop } from "../../optim/rmsprop.js";
import { SGD } from "../../optim/sgd.js";
import type { Tensor } from "../../tensor/tensor.js";

export const OPTIMIZERS = ["adam", "adamw", "sgd", "rmsprop", "adagrad"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  weightDecay?: number;
  /** SGD and RMSprop only. */
  momentum?: number;
}

export const SCHEDULES = ["none", "exponential", "step", "plateau"] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

export interface ScheduleConfig {
  kind: ScheduleKind;
  /** exponential and step: the factor per decay. */
  gamma?: number;
  /** step: epochs between decays. */
  stepSize?: number;
  /** plateau: the factor, and evaluations without improvement before it applies. */
  factor?: number;
  patience?: number;
}

/** Builds the named optimizer over `params`. */
export function createOptimizer(params: Iterable<Tensor>, config: OptimizerConfig): Optimizer {
  const { lr, weightDecay = 0, momentum = 0 } = config;
  switch (config.name) {
    case "adam":
      return new Adam(params, { lr, weightDecay });
    case "adamw":
      return new AdamW(params, { lr, weightDecay: config.weightDecay ?? 0.01 });
    case "sgd":
      return new SGD(params, { lr, weightDecay, momentum });
    case "rmsprop":
      return new RMSprop(params, { lr, weightDecay, momentum });
    case "adagrad":
      return new Adagrad(params, { lr, weightDecay });
    default:
      throw new Error(
        `createOptimizer: expected one of ${OPTIMIZERS.join(", ")}, got ${String(config.name)}`,
      );
  }
}

/** Builds the named schedule, or null for "none". */
export function createScheduler(
  optimizer: Optimizer,
  config: ScheduleConfig,
): LRScheduler | ReduceLROnPlateau | null {
  switch (config.kind) {
    case "none":
      return null;
    case "exponential":
      return new ExponentialLR(optimizer, { gamma: config.gamma ?? 0.95 });
    case "step":
      return new StepLR(optimizer, { stepSize: config.stepSize ?? 1, gamma: config.gamma ?? 0.5 });
    case "plateau":
      return new ReduceLROnPlateau(optimizer, {
        factor: config.factor ?? 0.25,
        patience: config.patience ?? 0,
      });
    default:
      throw new Error(
        `createScheduler: expected one of ${SCHEDULES.join(", ")}, got ${String(config.kind)}`,
      );
  }
}
