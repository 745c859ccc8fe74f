/**
 * SparseAdam: the lazy Adam of PyTorch's `torch.optim.SparseAdam`, for row-sparse gradients
 * (nn.Embedding({ sparse: true })). Only the rows R in a step's gradient g have their moments and
 * weights updated; the other rows do not decay. At step t (counted per parameter):
 *
 *   m[R] ← m[R] + (1 − β₁)(±g − m[R]),   v[R] ← v[R] + (1 − β₂)(g² − v[R])   (− when maximize)
 *   θ[R] ← θ[R] − γ·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m[R] / (√v[R] + ε)
 *
 * State: `step`, `exp_avg` (m), `exp_avg_sq` (v), dense and shaped like the parameter. A dense
 * gradient is refused, as in PyTorch: use Adam for the dense parameters, e.g. one optimizer per
 * kind.
 *
 * @example
 * const emb = new nn.Embedding(50000, 64, { sparse: true });
 * const sparse = new optim.SparseAdam([emb.weight], { lr: 1e-3 });
 * const dense = new optim.Adam(rnn.parameters(), { lr: 1e-3 });
 */
import { sparseAdamUpdate } from "../ops/optimizer.js";
import { Tensor } from "../tensor/tensor.js";
import {
  Optimizer,
  stateLike,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";

export interface SparseAdamGroupOptions {
  lr: number;
  initialLr?: number;
  betas: [number, number];
  eps: number;
  maximize: boolean;
}

export type SparseAdamOptions = Partial<SparseAdamGroupOptions>;

type Params = Iterable<Tensor> | Iterable<ParamGroupInput<SparseAdamGroupOptions>>;

export class SparseAdam extends Optimizer<SparseAdamGroupOptions> {
  constructor(params: Params, options: SparseAdamOptions = {}) {
    super(denseParams([...params]), {
      lr: options.lr ?? 1e-3,
      betas: options.betas ? [options.betas[0], options.betas[1]] : [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(o: SparseAdamGroupOptions): void {
    if (!(o.lr > 0)) throw new Error(`SparseAdam: Invalid learning rate: ${o.lr}`);
    if (!(o.eps > 0)) throw new Error(`SparseAdam: Invalid epsilon value: ${o.eps}`);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) {
      throw new Error(
        `SparseAdam: expected betas to be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`,
      );
    }
    o.betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1))
        throw new Error(`SparseAdam: Invalid beta parameter at index ${i}: ${b}`);
    });
  }

  protected override gradError(grad: Tensor): string | null {
    return grad.isSparse
      ? null
      : "SparseAdam does not support dense gradients, please consider Adam instead";
  }

  /** Never called: gradError refuses dense gradients before any update. */
  protected update(): void {
    throw new Error("SparseAdam: SparseAdam does not support dense gradients");
  }

  protected override updateSparse(
    p: Tensor,
    grad: Tensor,
    group: ParamGroup<SparseAdamGroupOptions>,
    state: ParamState,
  ): void {
    if (state.step === undefined) {
      state.step = 0;
      state.exp_avg = stateLike(p);
      state.exp_avg_sq = stateLike(p);
    }
    state.step = (state.step as number) + 1;
    sparseAdamUpdate(p, grad, state.exp_avg as Tensor, state.exp_avg_sq as Tensor, {
      lr: group.lr,
      beta1: group.betas[0],
      beta2: group.betas[1],
      eps: group.eps,
      step: state.step,
      maximize: group.maximize,
    });
  }
}

/** PyTorch's constructor check that the parameters themselves are dense; returns `list` with
 * each group's params read once (they may be a one-shot iterable). */
function denseParams(list: unknown[]): Params {
  const sparse: string[] = [];
  const out = list.map((item, i) => {
    if (item instanceof Tensor) {
      if (item.isSparse) sparse.push(`${i}`);
      return item;
    }
    if (item === null || typeof item !== "object" || !("params" in item)) return item;
    const group = item as ParamGroupInput<SparseAdamGroupOptions>;
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    params.forEach((p, j) => {
      if (p instanceof Tensor && p.isSparse) sparse.push(`[${i}, ${j}]`);
    });
    return { ...group, params };
  });
  if (sparse.length > 0) {
    throw new Error(
      `SparseAdam: Sparse params at indices [${sparse.join(", ")}]: ` +
        "SparseAdam requires dense parameter tensors",
    );
  }
  return out as Params;
}
