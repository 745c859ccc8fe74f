/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as PyTorch's
 * `torch.optim.AdamW`. Each step first decays the weights, θ ← θ(1 − γλ), then applies the Adam
 * update (adam.ts) to the undecayed gradient. Default weightDecay is 1e-2.
 *
 * State: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (only with amsgrad).
 *
 * @example
 * const opt = new optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { Adam, type AdamGroupOptions, type AdamOptions } from "./adam.js";
import type { ParamGroupInput } from "./optimizer.js";

export type AdamWOptions = AdamOptions;

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupInput<AdamGroupOptions>>,
    options: AdamWOptions = {},
  ) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 1e-2 });
  }
}
