/**
 * Sequential chains modules: forward(x) = mₙ(…m₂(m₁(x))). Its children are named 0, 1, …, so a
 * state dict reads `0.weight`, `2.bias` exactly as PyTorch's nn.Sequential writes it. Identity
 * returns its input (a placeholder, e.g. for a layer switched off by an option).
 *
 * @example
 * const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.Dropout(0.1), new nn.Linear(8, 2));
 * mlp.forward(randn([3, 4])).shape; // [3, 2]
 * Object.keys(mlp.stateDict());      // ["0.weight", "0.bias", "2.weight", "2.bias"]
 */
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

interface Forwardable {
  forward(input: unknown): unknown;
}

export class Sequential extends Module {
  private readonly _layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module))
        throw new Error(`Sequential: layer ${i} is not a Module (got ${typeof m})`);
    });
    this._layers = [...layers];
  }

  get length(): number {
    return this._layers.length;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): Module {
    const i = index < 0 ? index + this._layers.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this._layers.length) {
      throw new Error(
        `Sequential: index ${index} is out of range for ${this._layers.length} layers`,
      );
    }
    return this._layers[i];
  }

  append(layer: Module): this {
    if (!(layer instanceof Module))
      throw new Error(`Sequential: append expects a Module, got ${typeof layer}`);
    this._layers.push(layer);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._layers[Symbol.iterator]();
  }

  override namedChildren(): [string, Module][] {
    return this._layers.map((m, i) => [String(i), m]);
  }

  forward(input: Tensor): Tensor {
    let x: unknown = input;
    this._layers.forEach((m, i) => {
      const f = (m as unknown as Partial<Forwardable>).forward;
      if (typeof f !== "function")
        throw new Error(`Sequential: layer ${i} (${m.constructor.name}) has no forward method`);
      x = f.call(m, x);
    });
    return x as Tensor;
  }
}

export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
