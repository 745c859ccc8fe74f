/**
 * Loss modules: thin wrappers that hold the options of the functional losses (functional/*.ts,
 * where the equations are) and apply them in `forward(input, target)`.
 *
 * @example
 * const criterion = new nn.CrossEntropyLoss({ ignoreIndex: 0, labelSmoothing: 0.1 });
 * const loss = criterion.forward(logits, targets); // logits [N, C], targets int32 [N]
 * loss.backward();
 *
 * PyTorch keeps `weight` and `pos_weight` as buffers (so they appear in its state_dict); Module
 * has no buffers, so here they are plain options and not part of `stateDict()`.
 */
import type { Tensor } from "../tensor/tensor.js";
import {
  binaryCrossEntropyWithLogits,
  type BCEWithLogitsOptions,
} from "./functional/binary-cross-entropy.js";
import { crossEntropy, type CrossEntropyOptions } from "./functional/cross-entropy.js";
import { mseLoss, type MSELossOptions } from "./functional/mse-loss.js";
import { nllLoss, type NLLLossOptions } from "./functional/nll-loss.js";
import { checkReduction, type Reduction } from "./functional/reduction.js";
import { Module } from "./module.js";

abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: { reduction?: Reduction }) {
    super();
    this.reduction = checkReduction(new.target.name, options.reduction ?? "mean");
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** Cross entropy of logits [N, C] (or [C], [N, C, d…]) against class indices or probabilities. */
export class CrossEntropyLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, ignoreIndex, labelSmoothing, reduction } = this;
    return crossEntropy(input, target, { weight, ignoreIndex, labelSmoothing, reduction });
  }
}

/** Negative log-likelihood of log-probabilities [N, C] (or [C], [N, C, d…]) at class indices. */
export class NLLLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(options: NLLLossOptions = {}) {
    super(options);
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, ignoreIndex, reduction } = this;
    return nllLoss(input, target, { weight, ignoreIndex, reduction });
  }
}

/** Sigmoid + binary cross entropy in one stable expression, with optional weight and posWeight. */
export class BCEWithLogitsLoss extends Loss {
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;

  constructor(options: BCEWithLogitsOptions = {}) {
    super(options);
    this.weight = options.weight ?? null;
    this.posWeight = options.posWeight ?? null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, posWeight, reduction } = this;
    return binaryCrossEntropyWithLogits(input, target, { weight, posWeight, reduction });
  }
}

/** Mean squared error between input and target of the same shape. */
export class MSELoss extends Loss {
  constructor(options: MSELossOptions = {}) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}
