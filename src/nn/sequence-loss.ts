/**
 * MaskedCrossEntropyLoss: the module form of maskedCrossEntropy (d2l's MaskedSoftmaxCELoss), for
 * sequence outputs with valid lengths (seq2seq decoders, padded language-model batches).
 *
 *   forward(input [B, T, V], target int32 [B, T], lengths [B]) → loss [B] (reduction "none")
 *   loss[b] = (1/T) Σ_t crossEntropy(input[b, t], target[b, t]) · 1[t < lengths[b]]
 *
 * @example
 * const criterion = new nn.MaskedCrossEntropyLoss();
 * const loss = criterion.forward(logits, labels, validLengths); // [B]
 * loss.sum().backward();
 */
import type { Tensor } from "../tensor/tensor.js";
import type { Lengths } from "../utils/rnn/packed-sequence.js";
import { checkReduction, type Reduction } from "./functional/reduction.js";
import { maskedCrossEntropy, type MaskedCrossEntropyOptions } from "./functional/sequence-loss.js";
import { Module } from "./module.js";

export class MaskedCrossEntropyLoss extends Module {
  readonly reduction: Reduction;

  constructor(options: MaskedCrossEntropyOptions = {}) {
    super();
    this.reduction = checkReduction("MaskedCrossEntropyLoss", options.reduction ?? "none");
  }

  forward(input: Tensor, target: Tensor, lengths: Lengths): Tensor {
    return maskedCrossEntropy(input, target, lengths, { reduction: this.reduction });
  }

  override extraRepr(): string {
    return this.reduction === "none" ? "" : `reduction='${this.reduction}'`;
  }
}
