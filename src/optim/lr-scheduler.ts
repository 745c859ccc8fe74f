/**
 * Learning-rate schedules with PyTorch 1.13 semantics (`torch.optim.lr_scheduler`). A scheduler
 * rewrites `optimizer.paramGroups[i].lr`; call `step()` once per epoch after `optimizer.step()`.
 *
 *   StepLR:             lr ← lr·γ every `stepSize` epochs   (lrₑ = lr₀·γ^⌊e/stepSize⌋)
 *   ExponentialLR:      lr ← lr·γ every epoch               (lrₑ = lr₀·γᵉ)
 *   ReduceLROnPlateau:  lr ← max(lr·factor, minLr) once the metric has not improved for more
 *                       than `patience` epochs, then waits `cooldown` epochs
 *
 * Construction performs PyTorch's initial step (epoch 0) and records each group's starting rate
 * as `initialLr`. `stateDict()` returns the scheduler's own fields as a plain JSON-friendly object
 * (except `best` of ReduceLROnPlateau, which is ±Infinity until a metric arrives; JSON turns it
 * into null, which `loadStateDict` accepts).
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
 * const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); opt.step(); sched.step(); }
 */
import type { Tensor } from "../tensor/tensor.js";
import type { Optimizer } from "./optimizer.js";

export type SchedulerStateDict = Record<string, number | string | number[] | null>;

/** Fields of a scheduler that are not its state (the optimizer it drives). */
const notState = new Set(["optimizer"]);

function saveFields(obj: object): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!notState.has(k)) out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

function loadFields(obj: object, stateDict: SchedulerStateDict, what: string): void {
  for (const [k, v] of Object.entries(stateDict)) {
    if (notState.has(k) || !(k in obj))
      throw new Error(`${what}.loadStateDict: unexpected key ${k}`);
    (obj as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
  }
}

/** Base of the epoch-indexed schedules: PyTorch's `_LRScheduler` (chainable form). */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The epoch of the last `step()`; 0 right after construction. */
  lastEpoch = -1;
  /** Each group's `initialLr`. */
  baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer) {
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The new rate of every group for `lastEpoch`, from the current ones. */
  protected abstract getLr(): number[];

  /** Subclasses call this at the end of their constructor, once their options are set. */
  protected initialStep(): void {
    this.step();
  }

  /** Advances one epoch and writes the new rates into the optimizer's groups. */
  step(): void {
    this.lastEpoch += 1;
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The rates set by the last `step()`, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return saveFields(this);
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadFields(this, stateDict, this.constructor.name);
  }
}

export interface StepLROptions {
  stepSize: number;
  gamma?: number;
}

/** Multiplies each group's rate by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer);
    if (!Number.isInteger(options.stepSize) || options.stepSize < 1) {
      throw new Error(
        `StepLR: expected stepSize to be a positive integer, got ${options.stepSize}`,
      );
    }
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0)
      return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

export interface ExponentialLROptions {
  gamma: number;
}

/** Multiplies each group's rate by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super(optimizer);
    if (typeof options.gamma !== "number") {
      throw new Error(`ExponentialLR: expected a number gamma, got ${String(options.gamma)}`);
    }
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

export interface ReduceLROnPlateauOptions {
  /** "min": the metric should go down (a loss); "max": up (an accuracy). */
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  /** "rel": improve on best·(1 ∓ threshold); "abs": on best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  /** A floor for every group, or one per group. */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped. */
  eps?: number;
}

/** Reduces the rates when a metric has stopped improving (`step(metric)` once per epoch). */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  cooldownCounter = 0;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  lastEpoch = 0;
  protected lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    this.optimizer = optimizer;
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1)) throw new Error("ReduceLROnPlateau: Factor should be < 1.0.");
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) {
      throw new Error(`ReduceLROnPlateau: expected ${n} min_lrs, got ${minLr.length}`);
    }
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array<number>(n).fill(minLr);
    this.patience = options.patience ?? 10;
    this.cooldown = options.cooldown ?? 0;
    this.mode = options.mode ?? "min";
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? "rel";
    this.eps = options.eps ?? 1e-8;
    this.checkModes();
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The value every metric beats. */
  private get modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  private checkModes(): void {
    if (this.mode !== "min" && this.mode !== "max") {
      throw new Error(`ReduceLROnPlateau: mode ${String(this.mode)} is unknown!`);
    }
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") {
      throw new Error(
        `ReduceLROnPlateau: threshold mode ${String(this.thresholdMode)} is unknown!`,
      );
    }
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min") {
      return this.thresholdMode === "rel"
        ? a < best * (1 - this.threshold)
        : a < best - this.threshold;
    }
    return this.thresholdMode === "rel"
      ? a > best * (this.threshold + 1)
      : a > best + this.threshold;
  }

  /** Records one epoch's metric (a number or a one-element tensor) and reduces the rates if due. */
  step(metric: number | Tensor): void {
    const current = typeof metric === "number" ? metric : metric.item();
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return saveFields(this);
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    loadFields(this, stateDict, "ReduceLROnPlateau");
    if (this.best === null) this.best = this.modeWorse;
    this.checkModes();
  }
}
