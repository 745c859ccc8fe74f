/**
 * The language model of PyTorch's word_language_model example (and of char-rnn): tokens are
 * embedded, run through a stacked recurrent layer, and a linear decoder gives next-token logits
 * at every step.
 *
 *   e_t = dropout(E[x_t])            E: encoder.weight [V, embeddingSize]
 *   h_t = RNN/LSTM/GRU(e_t, h_{t−1})  rnn.* (numLayers, dropout between layers)
 *   y_t = W·dropout(h_t) + b          decoder.weight [V, hiddenSize], decoder.bias [V]
 *
 * Parameter names are the example's (`encoder.weight`, `rnn.weight_ih_l0`, `decoder.weight`), so
 * its `RNNModel` state dict loads unchanged. `tieWeights` shares E with W (hiddenSize must equal
 * embeddingSize), as the example's `--tied`.
 *
 * @example
 * const lm = new RNNLanguageModel({ vocabSize: 96, cell: "lstm", embeddingSize: 64,
 *   hiddenSize: 256, numLayers: 2, dropout: 0.2 });
 * const [logits, state] = lm.forward(ids);   // ids int32 [T, B] → logits [T, B, 96]
 */
import { Dropout } from "../../nn/dropout.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { GRU, LSTM, RNN } from "../../nn/rnn/layers.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkParameterCount, checkVocabSize, recurrentParameterCount } from "../common/limits.js";
import { describeValue } from "../common/model-config.js";

export const CELLS = ["rnn", "lstm", "gru"] as const;
export type CellKind = (typeof CELLS)[number];

/** An RNN/GRU state (h) or an LSTM state ([h, c]), each [numLayers·D, B, H]. */
export type RecurrentState = Tensor | [Tensor, Tensor];

export interface LanguageModelConfig {
  vocabSize: number;
  cell: CellKind;
  embeddingSize: number;
  hiddenSize: number;
  numLayers: number;
  /** Dropout on the embeddings, between layers and before the decoder. */
  dropout: number;
  tieWeights?: boolean;
}

/** Builds the recurrent layer of `cell` kind (shared by the recipes). */
export function createRecurrent(
  cell: CellKind,
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    dropout: number;
    bidirectional?: boolean;
    batchFirst?: boolean;
  },
): RNN | LSTM | GRU {
  if (cell === "lstm") return new LSTM(options);
  if (cell === "gru") return new GRU(options);
  if (cell === "rnn") return new RNN(options);
  throw new Error(`expected cell to be one of ${CELLS.join(", ")}, got ${describeValue(cell)}`);
}

function checkConfig(c: LanguageModelConfig): void {
  for (const k of ["vocabSize", "embeddingSize", "hiddenSize", "numLayers"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new Error(
        `RNNLanguageModel: expected ${k} to be a positive integer, got ${describeValue(c[k])}`,
      );
  }
  checkVocabSize(c.vocabSize, "RNNLanguageModel");
  const { vocabSize: V, embeddingSize: E, hiddenSize: H } = c;
  const rnn = recurrentParameterCount({ ...c, inputSize: E });
  checkParameterCount(V * E + rnn + (c.tieWeights ? V : H * V + V), "RNNLanguageModel");
  if (typeof c.dropout !== "number" || !(c.dropout >= 0 && c.dropout < 1))
    throw new Error(
      `RNNLanguageModel: expected dropout in [0, 1), got ${describeValue(c.dropout)}`,
    );
  if (c.tieWeights && c.hiddenSize !== c.embeddingSize)
    throw new Error(
      `RNNLanguageModel: tieWeights needs hiddenSize == embeddingSize, got ${c.hiddenSize} and ${c.embeddingSize}`,
    );
}

export class RNNLanguageModel extends Module {
  readonly config: LanguageModelConfig;
  drop: Dropout;
  encoder: Embedding;
  rnn: RNN | LSTM | GRU;
  decoder: Linear;

  constructor(config: LanguageModelConfig) {
    super();
    checkConfig(config);
    this.config = { ...config, tieWeights: config.tieWeights ?? false };
    this.drop = new Dropout(config.dropout);
    this.encoder = new Embedding(config.vocabSize, config.embeddingSize);
    this.rnn = createRecurrent(config.cell, {
      inputSize: config.embeddingSize,
      hiddenSize: config.hiddenSize,
      numLayers: config.numLayers,
      dropout: config.numLayers > 1 ? config.dropout : 0,
    });
    this.decoder = new Linear(config.hiddenSize, config.vocabSize);
    if (config.tieWeights) this.decoder.weight = this.encoder.weight;
  }

  /** ids int32 [T, B] → logits [T, B, V] and the final state. */
  forward(ids: Tensor, state?: RecurrentState | null): [Tensor, RecurrentState] {
    const e = this.drop.forward(this.encoder.forward(ids)); // [T, B, E]
    let out: Tensor;
    let next: RecurrentState;
    if (this.rnn instanceof LSTM) {
      [out, next] = this.rnn.forward(e, (state ?? undefined) as [Tensor, Tensor] | undefined);
    } else {
      [out, next] = this.rnn.forward(e, (state ?? undefined) as Tensor | undefined);
    }
    return [this.decoder.forward(this.drop.forward(out)), next]; // [T, B, V]
  }
}
