/**
 * A recurrent text classifier (the torchtext/bentrevett sentiment and AG News tutorials): tokens
 * are embedded, run through a stacked (bi)directional RNN/LSTM/GRU as a PackedSequence of the true
 * lengths, the outputs are pooled into one vector per text, and a linear layer gives class logits.
 *
 *   e   = dropout(E[x])                     embedding.weight [V, E], row padIndex zero
 *   o,h = RNN(pack(e, lengths))             rnn.* (numLayers, dropout between layers, D directions)
 *   z   = pool(o, h)                        [B, D·H]
 *   y   = W·dropout(z) + b                  fc.weight [C, D·H], fc.bias [C]
 *
 * Pooling over the valid steps t < lengths[b] only:
 *   last       h_fin = cat(h_N of the last layer's forward and reverse directions)
 *   mean       Σ_t o_t / lengths[b]
 *   max        max_t o_t (per feature)
 *   attention  a = softmax_t(o_t · h_fin) over valid t (0 on padding), z = Σ_t a_t o_t
 *              (dot-product attention with the final state as the query, no parameters)
 *
 * Inputs are batch-first: ids int32 [B, T] padded with anything, lengths [B] (1 ≤ lengths[b] ≤ T).
 * Padding never reaches the recurrent layer (the ids are packed before the embedding), so a text's
 * logits do not depend on the batch it is in (up to float rounding).
 *
 * @example
 * const model = new RNNClassifier({ vocabSize: 20000, numClasses: 2, cell: "lstm",
 *   embeddingSize: 64, hiddenSize: 64, numLayers: 1, bidirectional: true, dropout: 0.3,
 *   pooling: "attention", padIndex: 1 });
 * const { logits, attention } = model.forwardWithAttention(ids, lengths); // [B, 2], [B, T]
 */
import { LuongAttention } from "../../nn/attention.js";
import { checkParameterCount, checkVocabSize, recurrentParameterCount } from "../common/limits.js";
import { describeValue } from "../common/model-config.js";
import { Dropout } from "../../nn/dropout.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { LSTM, type GRU, type RNN } from "../../nn/rnn/layers.js";
import { div } from "../../ops/elementwise.js";
import { cat, select } from "../../ops/movement.js";
import { max, sum } from "../../ops/reduction.js";
import { formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { packPaddedSequence } from "../../utils/rnn/pack.js";
import type { PackedSequence } from "../../utils/rnn/packed-sequence.js";
import { padPackedSequence } from "../../utils/rnn/pad.js";
import { sequenceMask } from "../../utils/rnn/sequence-mask.js";
import { CELLS, createRecurrent, type CellKind } from "../language-model/model.js";

export const POOLINGS = ["last", "mean", "max", "attention"] as const;
export type Pooling = (typeof POOLINGS)[number];

export interface ClassifierConfig {
  vocabSize: number;
  numClasses: number;
  cell: CellKind;
  embeddingSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  /** Dropout on the embeddings, between layers and before fc. */
  dropout: number;
  pooling: Pooling;
  /** The padding id (the embedding's paddingIdx). */
  padIndex: number;
}

export interface ClassifierOutput {
  /** [B, numClasses] */
  logits: Tensor;
  /** Attention pooling: the weights [B, T], each row summing to 1 over its valid steps. */
  attention: Tensor | null;
}

function checkConfig(c: ClassifierConfig): void {
  const where = "RNNClassifier";
  for (const k of ["vocabSize", "embeddingSize", "hiddenSize", "numLayers"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new Error(
        `${where}: expected ${k} to be a positive integer, got ${describeValue(c[k])}`,
      );
  }
  checkVocabSize(c.vocabSize, where);
  if (!Number.isInteger(c.numClasses) || c.numClasses < 2)
    throw new Error(
      `${where}: expected numClasses to be an integer ≥ 2, got ${describeValue(c.numClasses)}`,
    );
  const rnn = recurrentParameterCount({ ...c, inputSize: c.embeddingSize });
  const out = (c.bidirectional ? 2 : 1) * c.hiddenSize * (c.numClasses + 1);
  checkParameterCount(c.vocabSize * c.embeddingSize + rnn + out, where);
  if (!CELLS.includes(c.cell))
    throw new Error(
      `${where}: expected cell to be one of ${CELLS.join(", ")}, got ${describeValue(c.cell)}`,
    );
  if (!POOLINGS.includes(c.pooling))
    throw new Error(
      `${where}: expected pooling to be one of ${POOLINGS.join(", ")}, got ${describeValue(c.pooling)}`,
    );
  if (typeof c.dropout !== "number" || !(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`${where}: expected dropout in [0, 1), got ${describeValue(c.dropout)}`);
  if (!Number.isInteger(c.padIndex) || c.padIndex < 0 || c.padIndex >= c.vocabSize)
    throw new Error(
      `${where}: expected padIndex in 0..${c.vocabSize - 1}, got ${describeValue(c.padIndex)}`,
    );
}

function checkInput(ids: Tensor, lengths: ArrayLike<number>): Int32Array {
  if (!(ids instanceof Tensor) || ids.dtype !== "int32" || ids.dim() !== 2)
    throw new Error(
      `RNNClassifier: expected ids to be an int32 tensor [B, T], got ${ids instanceof Tensor ? `${ids.dtype} ${formatShape(ids.shape)}` : typeof ids}`,
    );
  const [B, T] = ids.shape;
  if (lengths.length !== B)
    throw new Error(
      `RNNClassifier: expected ${B} lengths for ids [${B}, ${T}], got ${lengths.length}`,
    );
  const lens = Int32Array.from(lengths);
  lens.forEach((n, b) => {
    if (!(n >= 1 && n <= T))
      throw new Error(`RNNClassifier: expected lengths in 1..${T}, got lengths[${b}] = ${n}`);
  });
  return lens;
}

export class RNNClassifier extends Module {
  readonly config: ClassifierConfig;
  embedding: Embedding;
  rnn: RNN | LSTM | GRU;
  /** Attention pooling's score (dot product, no parameters); null for the other poolings. */
  attention: LuongAttention | null;
  drop: Dropout;
  fc: Linear;

  constructor(config: ClassifierConfig) {
    super();
    checkConfig(config);
    this.config = { ...config };
    const D = config.bidirectional ? 2 : 1;
    this.embedding = new Embedding(config.vocabSize, config.embeddingSize, {
      paddingIdx: config.padIndex,
    });
    this.rnn = createRecurrent(config.cell, {
      inputSize: config.embeddingSize,
      hiddenSize: config.hiddenSize,
      numLayers: config.numLayers,
      dropout: config.numLayers > 1 ? config.dropout : 0,
      bidirectional: config.bidirectional,
    });
    this.attention =
      config.pooling === "attention"
        ? new LuongAttention({ queryDim: D * config.hiddenSize, method: "dot" })
        : null;
    this.drop = new Dropout(config.dropout);
    this.fc = new Linear(D * config.hiddenSize, config.numClasses);
  }

  /** ids int32 [B, T], lengths [B] → logits [B, numClasses]. */
  forward(ids: Tensor, lengths: ArrayLike<number>): Tensor {
    return this.forwardWithAttention(ids, lengths).logits;
  }

  /** The logits and, for attention pooling, the attention weights [B, T]. */
  forwardWithAttention(ids: Tensor, lengths: ArrayLike<number>): ClassifierOutput {
    const lens = checkInput(ids, lengths);
    const packedIds = packPaddedSequence(ids, lens, { batchFirst: true, enforceSorted: false });
    const e = this.drop.forward(this.embedding.forward(packedIds.data)); // [N, E]
    const input = packedIds.withData(e);
    let out: PackedSequence;
    let hN: Tensor;
    if (this.rnn instanceof LSTM) [out, [hN]] = this.rnn.forward(input);
    else [out, hN] = (this.rnn as RNN | GRU).forward(input);
    const { pooled, attention } = this.pool(out, hN, lens, ids.shape[1]);
    return { logits: this.fc.forward(this.drop.forward(pooled)), attention };
  }

  /** The last layer's final state, both directions concatenated: [B, D·H]. */
  private finalHidden(hN: Tensor): Tensor {
    const L = hN.shape[0];
    if (!this.config.bidirectional) return select(hN, 0, L - 1);
    return cat([select(hN, 0, L - 2), select(hN, 0, L - 1)], 1);
  }

  private pool(
    out: PackedSequence,
    hN: Tensor,
    lens: Int32Array,
    T: number,
  ): { pooled: Tensor; attention: Tensor | null } {
    const pooling = this.config.pooling;
    if (pooling === "last") return { pooled: this.finalHidden(hN), attention: null };
    if (pooling === "max") {
      const [padded] = padPackedSequence(out, { batchFirst: true, paddingValue: -Infinity });
      return { pooled: max(padded, 1)[0], attention: null }; // [B, T', D·H] → [B, D·H]
    }
    const [padded] = padPackedSequence(out, { batchFirst: true, totalLength: T }); // [B, T, D·H]
    if (pooling === "mean") {
      const counts = new Tensor(Float32Array.from(lens), [lens.length, 1]);
      return { pooled: div(sum(padded, 1), counts), attention: null };
    }
    const mask = sequenceMask(lens, T); // [B, T]
    const { context, weights } = this.attention!.forward(this.finalHidden(hN), padded, mask);
    return { pooled: context, attention: weights };
  }

  /** Class probabilities [B, numClasses] (softmax of the logits). */
  probabilities(ids: Tensor, lengths: ArrayLike<number>): Tensor {
    return this.forward(ids, lengths).softmax(1);
  }
}
