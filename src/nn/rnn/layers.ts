/**
 * The sequence layers RNN, LSTM and GRU (PyTorch's nn.RNN, nn.LSTM, nn.GRU): the equations of
 * their cells (cells.ts) applied over time, stacked numLayers deep, optionally in both directions.
 * All the work is in base.ts; these classes pick the mode and type forward's state.
 *
 * Shapes (D = 2 if bidirectional else 1, P = projSize or hiddenSize, L = numLayers):
 *   input  [T, B, I]  ([B, T, I] with batchFirst; unbatched [T, I])
 *   hx     [L·D, B, P] (never batch-first; unbatched [L·D, P]); LSTM cx [L·D, B, H]
 *   output [T, B, D·P] ([B, T, D·P] with batchFirst; unbatched [T, D·P])
 *   hN     like hx;  LSTM cN like cx
 *
 * A utils.rnn PackedSequence input (data [N, I]) gives a PackedSequence output (data [N, D·P])
 * with the same batch sizes and indices; the work shrinks with the batch as sequences end, and
 * hN/cN hold each sequence's state at its true end (batchFirst does not apply to packed input).
 *
 * @example
 * const lstm = new nn.LSTM({ inputSize: 64, hiddenSize: 32, numLayers: 2, bidirectional: true,
 *                           batchFirst: true });
 * const [out, [hN, cN]] = lstm.forward(randn([16, 40, 64])); // out [16, 40, 64]; hN, cN [4, 16, 32]
 * lstm.toString(); // "LSTM(64, 32, num_layers=2, batch_first=True, bidirectional=True)"
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { PackedSequence } from "../../utils/rnn/packed-sequence.js";
import { RNNBase, type AnyRNNOptions, type RNNBaseOptions } from "./base.js";
import type { Nonlinearity } from "./cells.js";

export interface RNNOptions extends RNNBaseOptions {
  /** Default "tanh". */
  nonlinearity?: Nonlinearity;
}

export interface LSTMOptions extends RNNBaseOptions {
  /** Projects h to this size with weight_hr (0 = no projection, the default); < hiddenSize. */
  projSize?: number;
}

export type GRUOptions = RNNBaseOptions;

function rnnMode(options: AnyRNNOptions): "rnnTanh" | "rnnRelu" {
  const nl = options?.nonlinearity ?? "tanh";
  if (nl !== "tanh" && nl !== "relu") {
    throw new Error(`RNN: unknown nonlinearity '${String(nl)}'; select from 'tanh' or 'relu'`);
  }
  return nl === "relu" ? "rnnRelu" : "rnnTanh";
}

function rejectNonlinearity(name: string, options: AnyRNNOptions): AnyRNNOptions {
  if (options?.nonlinearity !== undefined) {
    throw new Error(
      `${name}: nonlinearity is only an option of RNN, got nonlinearity '${String(options.nonlinearity)}'`,
    );
  }
  return options;
}

/** Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), act = tanh | relu. */
export class RNN extends RNNBase {
  readonly nonlinearity: Nonlinearity;

  constructor(options: RNNOptions) {
    super("RNN", rnnMode(options), options);
    this.nonlinearity = this.mode === "rnnRelu" ? "relu" : "tanh";
  }

  /** Returns [output, hN]; output is a PackedSequence when the input is one. */
  forward(input: Tensor, hx?: Tensor): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor] {
    const r = this.run(input, hx);
    return [r.output, r.hN];
  }
}

/**
 * LSTM, gates i, f, g, o:
 *   i, f, o = σ(W_i· x_t + b_i· + W_h· h_{t−1} + b_h·);  g = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t), then h_t = W_hr h_t when projSize > 0.
 */
export class LSTM extends RNNBase {
  constructor(options: LSTMOptions) {
    super("LSTM", "lstm", rejectNonlinearity("LSTM", options));
  }

  /** hx = [h0, c0]; returns [output, [hN, cN]], output a PackedSequence when the input is one. */
  forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]];
  forward(input: PackedSequence, hx?: [Tensor, Tensor]): [PackedSequence, [Tensor, Tensor]];
  forward(
    input: Tensor | PackedSequence,
    hx?: [Tensor, Tensor],
  ): [Tensor | PackedSequence, [Tensor, Tensor]];
  forward(
    input: Tensor | PackedSequence,
    hx?: [Tensor, Tensor],
  ): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new Error("LSTM: expected hx to be a pair [h0, c0]");
    }
    const r = this.run(input, hx?.[0], hx?.[1]);
    return [r.output, [r.hN, r.cN!]];
  }
}

/**
 * GRU (reset-after, as PyTorch):
 *   r, z = σ(W_i· x_t + b_i· + W_h· h_{t−1} + b_h·)
 *   n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn));  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 */
export class GRU extends RNNBase {
  constructor(options: GRUOptions) {
    super("GRU", "gru", rejectNonlinearity("GRU", options));
  }

  /** Returns [output, hN]; output is a PackedSequence when the input is one. */
  forward(input: Tensor, hx?: Tensor): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor] {
    const r = this.run(input, hx);
    return [r.output, r.hN];
  }
}
