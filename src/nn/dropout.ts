/**
 * Dropout: in training mode, zeroes each element with probability p and scales the survivors by
 * 1/(1 − p), so the expected value is unchanged; in eval mode it is the identity. Any shape.
 *
 * @example
 * const drop = new nn.Dropout(0.5);
 * drop.forward(ones([4, 4]));        // zeros and 2s
 * drop.eval().forward(ones([4, 4])); // ones
 */
import type { Tensor } from "../tensor/tensor.js";
import { dropout } from "./functional/dropout.js";
import { Module } from "./module.js";

export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new Error(`Dropout: probability has to be between 0 and 1, got ${p}`);
    }
    this.p = p;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Python's repr of a float: 0.5 → "0.5", 1 → "1.0". */
export function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
