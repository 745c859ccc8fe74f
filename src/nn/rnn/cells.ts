/**
 * Recurrent cells: one time step each, composed from differentiable primitives (linear, sigmoid,
 * tanh, chunk, mul, add), so autograd derives their backward. They are the oracle that the fused
 * sequence layers (ops/recurrent.ts) must reproduce, and the building block for step-by-step
 * decoding. Weights follow PyTorch: weight_ih [G·H, I], weight_hh [G·H, H], bias_ih, bias_hh [G·H],
 * gates stacked in PyTorch's order.
 *
 *   RNNCell:  h' = act(W_ih x + b_ih + W_hh h + b_hh)            act = tanh | relu
 *   LSTMCell: i, f, g, o = chunk(W_ih x + b_ih + W_hh h + b_hh, 4)
 *             c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 *             h' = σ(o) ⊙ tanh(c')
 *   GRUCell:  r = σ(W_ir x + b_ir + W_hr h + b_hr)
 *             z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *             n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   (reset after the matmul)
 *             h' = (1 − z) ⊙ n + z ⊙ h
 *
 * Shapes: input [B, I] or unbatched [I]; hx [B, H] or [H] (zeros when omitted; LSTMCell takes
 * [h, c]); the result has hx's shape. Every parameter starts U(−1/√H, 1/√H). Options objects
 * `{ inputSize, hiddenSize, bias?, nonlinearity? }` as for the sequence layers; the weights are
 * also properties in camelCase (`cell.weightIh` is state-dict key `weight_ih`).
 *
 * @example
 * const cell = new nn.LSTMCell({ inputSize: 10, hiddenSize: 20 });
 * let state: [Tensor, Tensor] | undefined;
 * for (const x of steps) state = cell.forward(x, state); // x [3, 10] → h, c [3, 20]
 */
import {
  add,
  chunk,
  linear,
  mul,
  relu,
  sigmoid,
  squeeze,
  sub,
  tanh,
  unsqueeze,
} from "../../ops/index.js";
import { zeros } from "../../tensor/creation.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

export type Nonlinearity = "tanh" | "relu";

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Adds bias_ih and bias_hh (default true). */
  bias?: boolean;
}

export interface RNNCellOptions extends CellOptions {
  /** Default "tanh". */
  nonlinearity?: Nonlinearity;
}

/** One Elman step: act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). */
export function rnnCellStep(
  x: Tensor,
  h: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
  nonlinearity: Nonlinearity = "tanh",
): Tensor {
  const pre = add(linear(x, wIh, bIh), linear(h, wHh, bHh)); // [B, H]
  return nonlinearity === "relu" ? relu(pre) : tanh(pre);
}

/** One LSTM step; returns [h', c']. */
export function lstmCellStep(
  x: Tensor,
  h: Tensor,
  c: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
): [Tensor, Tensor] {
  const gates = add(linear(x, wIh, bIh), linear(h, wHh, bHh)); // [B, 4H]
  const [i, f, g, o] = chunk(gates, 4, -1); // each [B, H]
  const cNext = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(cNext)), cNext];
}

/** One GRU step (reset-after form, as PyTorch and cuDNN compute it). */
export function gruCellStep(
  x: Tensor,
  h: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
): Tensor {
  const [xr, xz, xn] = chunk(linear(x, wIh, bIh), 3, -1); // each [B, H]
  const [hr, hz, hn] = chunk(linear(h, wHh, bHh), 3, -1);
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  return add(n, mul(z, sub(h, n))); // (1 − z)·n + z·h
}

/** @internal Validates a size option (shared with the sequence layers). */
export function checkSize(name: string, what: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${name}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Parameters, validation and the unbatched form shared by the three cells. */
abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly weightIh: Parameter;
  readonly weightHh: Parameter;
  readonly biasIh: Parameter | null;
  readonly biasHh: Parameter | null;

  constructor(
    protected readonly cellName: string,
    gates: number,
    options: CellOptions,
  ) {
    super();
    if (typeof options !== "object" || options === null) {
      throw new Error(`${cellName}: expected an options object { inputSize, hiddenSize, ... }`);
    }
    this.inputSize = checkSize(cellName, "inputSize", options.inputSize);
    this.hiddenSize = checkSize(cellName, "hiddenSize", options.hiddenSize);
    this.bias = options.bias ?? true;
    const H = this.hiddenSize;
    const param = (key: string, shape: number[] | null) =>
      this.registerParameter(key, shape && new Parameter(zeros(shape)));
    this.weightIh = param("weight_ih", [gates * H, this.inputSize])!;
    this.weightHh = param("weight_hh", [gates * H, H])!;
    this.biasIh = param("bias_ih", this.bias ? [gates * H] : null);
    this.biasHh = param("bias_hh", this.bias ? [gates * H] : null);
    this.resetParameters();
  }

  /** PyTorch's reset_parameters: every parameter U(−1/√H, 1/√H). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -bound, bound);
  }

  /** Checks input and states; returns them batched ([B, ·]) and whether the input was. */
  protected prepare(
    input: Tensor,
    states: (Tensor | undefined)[],
    names: string[],
  ): { x: Tensor; states: Tensor[]; batched: boolean } {
    const name = this.cellName;
    if (!(input instanceof Tensor)) throw new Error(`${name}: expected input to be a Tensor`);
    if (input.dim() !== 1 && input.dim() !== 2) {
      throw new Error(`${name}: expected input of rank 1 or 2, got ${formatShape(input.shape)}`);
    }
    if (input.dtype !== "float32") {
      throw new Error(`${name}: expected a float32 input, got ${input.dtype}`);
    }
    if (input.shape[input.dim() - 1] !== this.inputSize) {
      throw new Error(
        `${name}: expected input of size ${this.inputSize} in the last dimension, got ${formatShape(input.shape)}`,
      );
    }
    const batched = input.dim() === 2;
    const expected = batched ? [input.shape[0], this.hiddenSize] : [this.hiddenSize];
    const checked = states.map((s, k) => {
      if (s === undefined || s === null) return zeros(expected);
      if (!(s instanceof Tensor) || s.dtype !== "float32" || !sameShape(s.shape, expected)) {
        const dtype = s instanceof Tensor && s.dtype !== "float32" ? ` (${s.dtype})` : "";
        const got = s instanceof Tensor ? formatShape(s.shape) + dtype : typeof s;
        throw new Error(
          `${name}: expected ${names[k]} of shape ${formatShape(expected)}, got ${got}`,
        );
      }
      return s;
    });
    if (batched) return { x: input, states: checked, batched };
    return { x: unsqueeze(input, 0), states: checked.map((s) => unsqueeze(s, 0)), batched }; // [1, ·]
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ", bias=False";
    return s;
  }
}

/** An Elman RNN cell with tanh or ReLU. */
export class RNNCell extends CellBase {
  readonly nonlinearity: Nonlinearity;

  constructor(options: RNNCellOptions) {
    super("RNNCell", 1, options);
    const nl = options.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") {
      throw new Error(
        `RNNCell: unknown nonlinearity '${String(nl)}'; select from 'tanh' or 'relu'`,
      );
    }
    this.nonlinearity = nl;
  }

  /** input [B, I] or [I]; hx [B, H] or [H] → h' of hx's shape. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    const { x, states, batched } = this.prepare(input, [hx], ["hx"]);
    const h = rnnCellStep(
      x,
      states[0],
      this.weightIh,
      this.weightHh,
      this.biasIh,
      this.biasHh,
      this.nonlinearity,
    );
    return batched ? h : squeeze(h, 0);
  }

  override extraRepr(): string {
    return (
      super.extraRepr() +
      (this.nonlinearity !== "tanh" ? `, nonlinearity=${this.nonlinearity}` : "")
    );
  }
}

export class LSTMCell extends CellBase {
  constructor(options: CellOptions) {
    super("LSTMCell", 4, options);
  }

  /** input [B, I] or [I]; hx = [h, c], each [B, H] or [H] → [h', c']. */
  forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, Tensor] {
    if (hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new Error("LSTMCell: expected hx to be a pair [h, c]");
    }
    const { x, states, batched } = this.prepare(input, [hx?.[0], hx?.[1]], ["h", "c"]);
    const [h, c] = lstmCellStep(
      x,
      states[0],
      states[1],
      this.weightIh,
      this.weightHh,
      this.biasIh,
      this.biasHh,
    );
    return batched ? [h, c] : [squeeze(h, 0), squeeze(c, 0)];
  }
}

export class GRUCell extends CellBase {
  constructor(options: CellOptions) {
    super("GRUCell", 3, options);
  }

  /** input [B, I] or [I]; hx [B, H] or [H] → h' of hx's shape. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    const { x, states, batched } = this.prepare(input, [hx], ["hx"]);
    const h = gruCellStep(x, states[0], this.weightIh, this.weightHh, this.biasIh, this.biasHh);
    return batched ? h : squeeze(h, 0);
  }
}
