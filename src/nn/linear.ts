/**
 * Linear: y = x·Wᵀ + b, applied to the last dim. Input [*, inFeatures] → [*, outFeatures];
 * weight [outFeatures, inFeatures] and bias [outFeatures] start U(−1/√in, 1/√in), PyTorch's
 * kaiming_uniform(a = √5) default. State-dict keys `weight`, `bias`.
 *
 * @example
 * const fc = new nn.Linear(32, 4);
 * fc.forward(randn([16, 32])).shape; // [16, 4]
 * String(fc);                        // "Linear(in_features=32, out_features=4, bias=True)"
 */
import { linear } from "../ops/linalg.js";
import { zeros } from "../tensor/creation.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export interface LinearOptions {
  /** Adds a learnable bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`Linear: ${name} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.bias = (options.bias ?? true) ? new Parameter(zeros([outFeatures])) : null;
    this.resetParameters();
  }

  /** Redraws weight and bias from U(−1/√in, 1/√in). */
  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor))
      throw new Error(`Linear: expected input to be a Tensor, got ${typeof input}`);
    if (input.dim() === 0 || input.shape[input.dim() - 1] !== this.inFeatures) {
      throw new Error(
        `Linear: expected input with last dimension ${this.inFeatures} (in_features), got ${formatShape(input.shape)}`,
      );
    }
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    const bias = this.bias ? "True" : "False";
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${bias}`;
  }
}
