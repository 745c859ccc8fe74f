/**
 * SGD: stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
 * weight decay, as PyTorch's `torch.optim.SGD`. For each parameter θ with gradient g:
 *
 *   g ← ±g + λθ                      (− when maximize; λ = weightDecay)
 *   b ← g on the first step, else μb + (1 − τ)g   (μ = momentum, τ = dampening; only if μ ≠ 0)
 *   g ← g + μb if nesterov, else b
 *   θ ← θ − γg                       (γ = lr)
 *
 * State: `momentum_buffer` (only when momentum ≠ 0).
 *
 * A row-sparse gradient (nn.Embedding({ sparse: true })) is taken when momentum and weightDecay
 * are 0: θ[R] ← θ[R] ∓ γg over its rows R only, bit for bit the dense update. With momentum or
 * weight decay it is refused. PyTorch 1.13 keeps a sparse momentum buffer whose rows grow
 * towards the whole table (dense cost in a sparse format), and fails on weight decay with
 * "add(sparse, dense) is not supported"; we refuse both up front, naming the option.
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
import { sgdSparseUpdate, sgdUpdate } from "../ops/optimizer.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  Optimizer,
  stateLike,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";

export interface SGDGroupOptions {
  lr: number;
  initialLr?: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** `lr` is required, here or in every parameter group. */
export type SGDOptions = Partial<SGDGroupOptions>;

export class SGD extends Optimizer<SGDGroupOptions> {
  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupInput<SGDGroupOptions>>,
    options: SGDOptions = {},
  ) {
    super(params, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(o: SGDGroupOptions): void {
    if (!(o.lr >= 0)) throw new Error(`SGD: Invalid learning rate: ${o.lr}`);
    if (!(o.momentum >= 0)) throw new Error(`SGD: Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new Error(`SGD: Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error("SGD: Nesterov momentum requires a momentum and zero dampening");
    }
  }

  protected override gradError(grad: Tensor, group: ParamGroup<SGDGroupOptions>): string | null {
    if (!grad.isSparse) return null;
    const refused = [
      group.momentum !== 0 ? `momentum (${group.momentum})` : "",
      group.weightDecay !== 0 ? `weightDecay (${group.weightDecay})` : "",
    ].filter((s) => s !== "");
    if (refused.length === 0) return null;
    const [verb, pronoun] = refused.length > 1 ? ["are", "them"] : ["is", "it"];
    return (
      `${refused.join(" and ")} ${verb} not supported with sparse gradients; ` +
      `set ${pronoun} to 0 for this group, or use a dense nn.Embedding`
    );
  }

  protected override updateSparse(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<SGDGroupOptions>,
  ): void {
    sgdSparseUpdate(p, grad, { lr: group.lr, maximize: group.maximize });
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<SGDGroupOptions>,
    state: ParamState,
  ): void {
    let buf: Tensor | null = null;
    let firstStep = false;
    if (group.momentum !== 0) {
      firstStep = state.momentum_buffer === undefined;
      if (firstStep) state.momentum_buffer = stateLike(p);
      buf = state.momentum_buffer as Tensor;
    }
    sgdUpdate(p, grad, buf, {
      lr: group.lr,
      momentum: group.momentum,
      dampening: group.dampening,
      weightDecay: group.weightDecay,
      nesterov: group.nesterov,
      firstStep,
      maximize: group.maximize,
    });
  }
}
