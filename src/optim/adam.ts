/**
 * Adam (Kingma & Ba, 2015) with optional AMSGrad and L2 weight decay, as PyTorch's
 * `torch.optim.Adam`. For each parameter θ with gradient g, at step t (counted per parameter):
 *
 *   g ← ±g + λθ                          (− when maximize; λ = weightDecay)
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 *   v̂ ← max(v̂, v) if amsgrad, else v
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 *
 * State: `step`, `exp_avg` (m), `exp_avg_sq` (v), `max_exp_avg_sq` (v̂, only with amsgrad).
 * AdamW (adamw.ts) shares this update with decoupled weight decay.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.98] });
 */
import { adamUpdate } from "../ops/optimizer.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  Optimizer,
  stateLike,
  type Defaults,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";

export interface AdamGroupOptions {
  lr: number;
  initialLr?: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export type AdamOptions = Partial<AdamGroupOptions>;

type Params = Iterable<Tensor> | Iterable<ParamGroupInput<AdamGroupOptions>>;

export class Adam extends Optimizer<AdamGroupOptions> {
  /** AdamW decays the weights directly (θ ← θ(1 − γλ)) instead of adding λθ to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Params, options: AdamOptions = {}) {
    const defaults: Defaults<AdamGroupOptions> = {
      lr: options.lr ?? 1e-3,
      betas: options.betas ? [options.betas[0], options.betas[1]] : [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      amsgrad: options.amsgrad ?? false,
      maximize: options.maximize ?? false,
    };
    super(params, defaults);
  }

  protected validate(o: AdamGroupOptions): void {
    if (!(o.lr >= 0)) throw new Error(`${this.name}: Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new Error(`${this.name}: Invalid epsilon value: ${o.eps}`);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) {
      throw new Error(
        `${this.name}: expected betas to be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`,
      );
    }
    o.betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1))
        throw new Error(`${this.name}: Invalid beta parameter at index ${i}: ${b}`);
    });
    if (!(o.weightDecay >= 0))
      throw new Error(`${this.name}: Invalid weight_decay value: ${o.weightDecay}`);
  }

  /** PyTorch points Adam's users (not AdamW's) to SparseAdam. */
  protected override gradError(grad: Tensor, group: ParamGroup<AdamGroupOptions>): string | null {
    const why = super.gradError(grad, group);
    return why !== null && !this.decoupled ? `${why}, please consider SparseAdam instead` : why;
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<AdamGroupOptions>,
    state: ParamState,
  ): void {
    this.apply(p, grad, group, state);
  }

  /** The dense update with a gradient held as rows (zero elsewhere): no dense copy of it. */
  protected override updateRows(
    p: Tensor,
    rows: Tensor,
    group: ParamGroup<AdamGroupOptions>,
    state: ParamState,
  ): void {
    this.apply(p, rows, group, state);
  }

  private apply(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<AdamGroupOptions>,
    state: ParamState,
  ): void {
    if (state.step === undefined) {
      state.step = 0;
      state.exp_avg = stateLike(p);
      state.exp_avg_sq = stateLike(p);
      if (group.amsgrad) state.max_exp_avg_sq = stateLike(p);
    }
    state.step = (state.step as number) + 1;
    const vMax = group.amsgrad ? (state.max_exp_avg_sq as Tensor) : null;
    adamUpdate(p, grad, state.exp_avg as Tensor, state.exp_avg_sq as Tensor, vMax, {
      lr: group.lr,
      beta1: group.betas[0],
      beta2: group.betas[1],
      eps: group.eps,
      weightDecay: group.weightDecay,
      decoupled: this.decoupled,
      step: state.step,
      maximize: group.maximize,
    });
  }
}
