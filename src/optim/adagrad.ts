/**
 * Adagrad (Duchi et al., 2011) with learning-rate decay and L2 weight decay, as PyTorch's
 * `torch.optim.Adagrad`. For each parameter θ with gradient g, at step t:
 *
 *   g ← ±g + λθ                          (− when maximize; λ = weightDecay)
 *   γₜ = γ / (1 + (t − 1)·lrDecay)
 *   s ← s + g²                           (s starts at initialAccumulatorValue)
 *   θ ← θ − γₜ · g / (√s + ε)
 *
 * A row-sparse gradient (nn.Embedding({ sparse: true })) updates s and θ at its rows only, as
 * PyTorch's `_make_sparse` path; weightDecay must then be 0.
 *
 * State: `step`, `sum` (s). As in PyTorch, it is created for every parameter when the optimizer
 * is built (parameters that never get a gradient keep step 0).
 *
 * @example
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-4 });
 */
import { adagradSparseUpdate, adagradUpdate } from "../ops/optimizer.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  Optimizer,
  stateLike,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";

export interface AdagradGroupOptions {
  lr: number;
  initialLr?: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export type AdagradOptions = Partial<AdagradGroupOptions>;

export class Adagrad extends Optimizer<AdagradGroupOptions> {
  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupInput<AdagradGroupOptions>>,
    options: AdagradOptions = {},
  ) {
    super(params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
    });
    for (const group of this.paramGroups) {
      for (const p of group.params) this.state.set(p, initialState(p, group));
    }
  }

  protected validate(o: AdagradGroupOptions): void {
    if (!(o.lr >= 0)) throw new Error(`Adagrad: Invalid learning rate: ${o.lr}`);
    if (!(o.lrDecay >= 0)) throw new Error(`Adagrad: Invalid lr_decay value: ${o.lrDecay}`);
    if (!(o.weightDecay >= 0))
      throw new Error(`Adagrad: Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.initialAccumulatorValue >= 0)) {
      throw new Error(
        `Adagrad: Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`,
      );
    }
    if (!(o.eps >= 0)) throw new Error(`Adagrad: Invalid epsilon value: ${o.eps}`);
  }

  protected override gradError(
    grad: Tensor,
    group: ParamGroup<AdagradGroupOptions>,
  ): string | null {
    return grad.isSparse && group.weightDecay !== 0
      ? "weight_decay option is not compatible with sparse gradients"
      : null;
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<AdagradGroupOptions>,
    state: ParamState,
  ): void {
    adagradUpdate(p, grad, state.sum as Tensor, {
      lr: nextLr(p, group, state),
      eps: group.eps,
      weightDecay: group.weightDecay,
      maximize: group.maximize,
    });
  }

  protected override updateSparse(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<AdagradGroupOptions>,
    state: ParamState,
  ): void {
    adagradSparseUpdate(p, grad, state.sum as Tensor, {
      lr: nextLr(p, group, state),
      eps: group.eps,
      maximize: group.maximize,
    });
  }
}

/** Counts the step and returns its decayed learning rate γ / (1 + (t − 1)·lrDecay). */
function nextLr(p: Tensor, group: AdagradGroupOptions, state: ParamState): number {
  // Groups added after construction get their state lazily.
  if (state.step === undefined) Object.assign(state, initialState(p, group));
  const step = (state.step as number) + 1;
  state.step = step;
  return group.lr / (1 + (step - 1) * group.lrDecay);
}

function initialState(p: Tensor, group: AdagradGroupOptions): ParamState {
  return { step: 0, sum: stateLike(p, group.initialAccumulatorValue) };
}
