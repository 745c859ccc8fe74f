/**
 * RMSprop (Hinton, lecture 6e) with optional centering, momentum and L2 weight decay, as
 * PyTorch's `torch.optim.RMSprop`. For each parameter θ with gradient g:
 *
 *   g ← ±g + λθ                          (− when maximize; λ = weightDecay)
 *   v ← αv + (1 − α)g²
 *   ḡ ← αḡ + (1 − α)g,  s = √(v − ḡ²) + ε   if centered, else s = √v + ε
 *   b ← μb + g/s,  θ ← θ − γb              if momentum μ > 0, else θ ← θ − γg/s
 *
 * State: `step`, `square_avg` (v), `momentum_buffer` (b, if μ > 0), `grad_avg` (ḡ, if centered).
 *
 * @example
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
import { rmspropUpdate } from "../ops/optimizer.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  Optimizer,
  stateLike,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";

export interface RMSpropGroupOptions {
  lr: number;
  initialLr?: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export type RMSpropOptions = Partial<RMSpropGroupOptions>;

export class RMSprop extends Optimizer<RMSpropGroupOptions> {
  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupInput<RMSpropGroupOptions>>,
    options: RMSpropOptions = {},
  ) {
    super(params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(o: RMSpropGroupOptions): void {
    if (!(o.lr >= 0)) throw new Error(`RMSprop: Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new Error(`RMSprop: Invalid epsilon value: ${o.eps}`);
    if (!(o.momentum >= 0)) throw new Error(`RMSprop: Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0))
      throw new Error(`RMSprop: Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new Error(`RMSprop: Invalid alpha value: ${o.alpha}`);
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<RMSpropGroupOptions>,
    state: ParamState,
  ): void {
    if (state.step === undefined) {
      state.step = 0;
      state.square_avg = stateLike(p);
      if (group.momentum > 0) state.momentum_buffer = stateLike(p);
      if (group.centered) state.grad_avg = stateLike(p);
    }
    state.step = (state.step as number) + 1;
    const gAvg = group.centered ? (state.grad_avg as Tensor) : null;
    const buf = group.momentum > 0 ? (state.momentum_buffer as Tensor) : null;
    rmspropUpdate(p, grad, state.square_avg as Tensor, gAvg, buf, {
      lr: group.lr,
      alpha: group.alpha,
      eps: group.eps,
      weightDecay: group.weightDecay,
      momentum: group.momentum,
      maximize: group.maximize,
    });
  }
}
