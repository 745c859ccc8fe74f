/**
 * An encoder–decoder with optional attention (Sutskever et al. 2014, Cho et al. 2014, Bahdanau
 * et al. 2015, Luong et al. 2015), in the forms of PyTorch's seq2seq tutorials:
 *
 *   encoder   o_{1..S}, h_S = RNN(dropout(E_src[x]))          packed by true source length
 *             bidirectional: s_0 = tanh(bridge [h_S→; h_1←]), LSTM c_0 = bridgeCell [c→; c←]
 *   decoder   e_t = dropout(E_tgt[y_{t−1}]), y_0 = <bos>; s_0 from the encoder; K = D·H
 *     none          s_t = RNN([e_t; c], s_{t−1}),  c = top layer of s_0 at every step (Cho et al.)
 *                   f_t = s_t
 *     bahdanau      c_t, a_t = attn(s_{t−1}, o);  s_t = RNN([e_t; c_t], s_{t−1})  (AttnDecoderRNN)
 *                   f_t = s_t
 *     luong-*       s_t = RNN(e_t, s_{t−1});  c_t, a_t = attn(s_t, o)            (global attention)
 *                   f_t = tanh(concat [s_t; c_t])
 *     logits_t = out(dropout(f_t))
 *
 * Attention masks source padding. Shapes: source int32 [B, S] with lengths [B]; decoder input
 * int32 [B, T] → logits [B, T, V_tgt], attention weights [B, T, S]. States are [L, B, H]
 * (LSTM: [h, c]); encoder and decoder share H and L, and the decoder is unidirectional.
 *
 * Teacher forcing over a whole target is one fused recurrent call when the decoder's input does
 * not depend on attention (none, luong-*): then luong's attention is two batched matmuls over
 * all steps. Bahdanau's input needs the previous state's context, so it runs step by step
 * (`forwardStepwise`), with the output layer still applied once to all steps.
 *
 * @example
 * const model = new Seq2Seq({ sourceVocabSize: 30, targetVocabSize: 72, cell: "gru",
 *   embeddingSize: 64, hiddenSize: 128, numLayers: 1, bidirectional: true,
 *   attention: "luong-general", dropout: 0 });
 * const enc = model.encode(source, lengths);               // [B, S] → outputs [B, S, 256]
 * const { logits } = model.decoder.forward(model.decoder.memory(enc), enc.state, targetIn);
 */
import { Dropout } from "../../nn/dropout.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { createAttention, type Attention, type PreparedKeys } from "../../nn/attention.js";
import { GRU, LSTM } from "../../nn/rnn/layers.js";
import { checkParameterCount, checkVocabSize, recurrentParameterCount } from "../common/limits.js";
import { describeValue } from "../common/model-config.js";
import {
  cat,
  expand,
  permute,
  reshape,
  select,
  stack,
  transpose,
  unsqueeze,
} from "../../ops/movement.js";
import { maskedFill, tanh } from "../../ops/elementwise.js";
import { indexSelect } from "../../ops/indexing.js";
import { matmul } from "../../ops/linalg.js";
import { argmax, softmax } from "../../ops/reduction.js";
import { Tensor } from "../../tensor/tensor.js";
import { packPaddedSequence } from "../../utils/rnn/pack.js";
import { padPackedSequence } from "../../utils/rnn/pad.js";
import { sequenceMask } from "../../utils/rnn/sequence-mask.js";

export const SEQ2SEQ_ATTENTIONS = ["none", "bahdanau", "luong-dot", "luong-general"] as const;
export type Seq2SeqAttention = (typeof SEQ2SEQ_ATTENTIONS)[number];
export const SEQ2SEQ_CELLS = ["gru", "lstm"] as const;
export type Seq2SeqCell = (typeof SEQ2SEQ_CELLS)[number];

export interface Seq2SeqConfig {
  sourceVocabSize: number;
  targetVocabSize: number;
  cell: Seq2SeqCell;
  embeddingSize: number;
  /** Per direction in the encoder; the decoder's size. */
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  attention: Seq2SeqAttention;
  /** On embeddings, between layers and before the output layer. */
  dropout: number;
}

/** h [L, B, H], or [h, c] for an LSTM. */
export type RecurrentState = Tensor | [Tensor, Tensor];

export interface EncoderOutput {
  /** o [B, S, D·H], zero past each source's length. */
  outputs: Tensor;
  /** 1 valid / 0 padding, [B, S]. */
  mask: Tensor;
  /** The decoder's initial state s_0. */
  state: RecurrentState;
}

/** What the decoder reads from the encoder at every step. */
export interface DecoderMemory {
  keys: PreparedKeys | null;
  /** c [B, H] (attention "none"). */
  context: Tensor | null;
}

export interface DecoderOutput {
  logits: Tensor;
  state: RecurrentState;
  /** a [B, T, S] (or [n, S] for one step); null without attention. */
  weights: Tensor | null;
}

function runRnn(rnn: GRU | LSTM, x: Tensor, state: RecurrentState): [Tensor, RecurrentState] {
  return rnn instanceof LSTM
    ? rnn.forward(x, state as [Tensor, Tensor])
    : rnn.forward(x, state as Tensor);
}

/** The state's rows `rows` (batch dim 1), e.g. to follow beam-search parents. */
export function selectStateRows(state: RecurrentState, rows: Int32Array): RecurrentState {
  const index = new Tensor(rows, [rows.length]);
  return Array.isArray(state)
    ? [indexSelect(state[0], 1, index), indexSelect(state[1], 1, index)]
    : indexSelect(state, 1, index);
}

function checkConfig(c: Seq2SeqConfig): void {
  const sizes = ["sourceVocabSize", "targetVocabSize", "embeddingSize", "hiddenSize", "numLayers"];
  for (const k of sizes as (keyof Seq2SeqConfig)[]) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`Seq2Seq: expected ${k} to be a positive integer, got ${describeValue(v)}`);
  }
  checkVocabSize(c.sourceVocabSize, "Seq2Seq (sourceVocabSize)");
  checkVocabSize(c.targetVocabSize, "Seq2Seq (targetVocabSize)");
  const { embeddingSize: E, hiddenSize: H } = c;
  const D = c.bidirectional ? 2 : 1;
  const encoder = recurrentParameterCount({ ...c, inputSize: E });
  const decoder = recurrentParameterCount({ ...c, bidirectional: false, inputSize: E + D * H });
  const tables = (c.sourceVocabSize + c.targetVocabSize) * E + c.targetVocabSize * (D + 1) * H;
  checkParameterCount(tables + encoder + decoder, "Seq2Seq");
  if (!SEQ2SEQ_CELLS.includes(c.cell))
    throw new Error(`Seq2Seq: expected cell gru or lstm, got ${describeValue(c.cell)}`);
  if (!SEQ2SEQ_ATTENTIONS.includes(c.attention))
    throw new Error(
      `Seq2Seq: expected attention among ${SEQ2SEQ_ATTENTIONS.join(", ")}, got ${describeValue(c.attention)}`,
    );
  if (typeof c.dropout !== "number" || !(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`Seq2Seq: expected dropout in [0, 1), got ${describeValue(c.dropout)}`);
  if (c.attention === "luong-dot" && c.bidirectional)
    throw new Error(
      "Seq2Seq: luong-dot scores need encoder outputs of the decoder's size; a bidirectional encoder's are twice it (use luong-general or bahdanau)",
    );
}

function recurrent(cell: Seq2SeqCell, options: ConstructorParameters<typeof GRU>[0]): GRU | LSTM {
  return cell === "lstm" ? new LSTM(options) : new GRU(options);
}

export class Seq2SeqEncoder extends Module {
  embedding: Embedding;
  rnn: GRU | LSTM;
  drop: Dropout;
  bridge: Linear | null;
  bridgeCell: Linear | null;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    const { hiddenSize: H, numLayers, bidirectional, dropout } = config;
    this.embedding = new Embedding(config.sourceVocabSize, config.embeddingSize);
    this.rnn = recurrent(config.cell, {
      inputSize: config.embeddingSize,
      hiddenSize: H,
      numLayers,
      bidirectional,
      dropout: numLayers > 1 ? dropout : 0,
      batchFirst: true,
    });
    this.drop = new Dropout(dropout);
    this.bridge = bidirectional ? new Linear(2 * H, H) : null;
    this.bridgeCell = bidirectional && config.cell === "lstm" ? new Linear(2 * H, H) : null;
  }

  /** source int32 [B, S] (padding anywhere past each length), lengths [B] ≥ 1. */
  forward(source: Tensor, lengths: Int32Array): EncoderOutput {
    const [B, S] = source.shape;
    const ids = packPaddedSequence(source, lengths, { batchFirst: true, enforceSorted: false });
    const e = this.drop.forward(this.embedding.forward(ids.data)); // [N, E]
    const input = ids.withData(e);
    const [packed, final] =
      this.rnn instanceof LSTM ? this.rnn.forward(input) : this.rnn.forward(input);
    const [outputs] = padPackedSequence(packed, { batchFirst: true, totalLength: S }); // [B, S, D·H]
    return { outputs, mask: sequenceMask(lengths, S), state: this.bridgeState(final, B) };
  }

  private bridgeState(final: RecurrentState, B: number): RecurrentState {
    if (!this.bridge) return final;
    const { numLayers: L, hiddenSize: H } = this.config;
    // [L·2, B, H] → [L, 2, B, H] → [L, B, 2, H] → [L, B, 2H]
    const join = (x: Tensor) =>
      reshape(permute(reshape(x, [L, 2, B, H]), [0, 2, 1, 3]), [L, B, 2 * H]);
    if (!Array.isArray(final)) return tanh(this.bridge.forward(join(final)));
    return [tanh(this.bridge.forward(join(final[0]))), this.bridgeCell!.forward(join(final[1]))];
  }
}

export class Seq2SeqDecoder extends Module {
  embedding: Embedding;
  rnn: GRU | LSTM;
  drop: Dropout;
  attention: Attention | null;
  concat: Linear | null;
  out: Linear;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    const { hiddenSize: H, embeddingSize: E, attention, numLayers } = config;
    const K = (config.bidirectional ? 2 : 1) * H;
    this.embedding = new Embedding(config.targetVocabSize, E);
    const inputSize = attention === "none" ? E + H : attention === "bahdanau" ? E + K : E;
    this.rnn = recurrent(config.cell, {
      inputSize,
      hiddenSize: H,
      numLayers,
      dropout: numLayers > 1 ? config.dropout : 0,
      batchFirst: true,
    });
    this.drop = new Dropout(config.dropout);
    this.attention =
      attention === "none" ? null : createAttention(attention, { queryDim: H, keyDim: K });
    this.concat = attention.startsWith("luong") ? new Linear(H + K, H) : null;
    this.out = new Linear(H, config.targetVocabSize);
  }

  /** Prepares the encoder side once per source batch. */
  memory(enc: EncoderOutput): DecoderMemory {
    if (!this.attention) {
      const h = Array.isArray(enc.state) ? enc.state[0] : enc.state;
      return { keys: null, context: select(h, 0, h.shape[0] - 1) }; // [B, H]
    }
    return { keys: this.attention.prepare(enc.outputs, enc.mask), context: null };
  }

  /** Teacher forcing over inputs int32 [B, T] (see the module header for the fast path). */
  forward(memory: DecoderMemory, state: RecurrentState, inputs: Tensor): DecoderOutput {
    const attention = this.config.attention;
    if (attention === "bahdanau") return this.forwardStepwise(memory, state, inputs);
    const [B, T] = inputs.shape;
    const H = this.config.hiddenSize;
    let x = this.drop.forward(this.embedding.forward(inputs)); // [B, T, E]
    if (memory.context) {
      const c = expand(unsqueeze(memory.context, 1), [B, T, H]); // [B, T, H]
      x = cat([x, c], 2);
    }
    const [h, next] = runRnn(this.rnn, x, state); // [B, T, H]
    if (attention === "none")
      return { logits: this.out.forward(this.drop.forward(h)), state: next, weights: null };
    const keys = memory.keys!;
    let e = matmul(h, transpose(keys.projected, 1, 2)); // [B, T, H]·[B, H, S] → [B, T, S]
    if (keys.padding) e = maskedFill(e, unsqueeze(keys.padding, 1), -Infinity);
    const a = softmax(e, 2);
    const context = matmul(a, keys.keys); // [B, T, S]·[B, S, K] → [B, T, K]
    const f = tanh(this.concat!.forward(cat([h, context], 2))); // [B, T, H]
    return { logits: this.out.forward(this.drop.forward(f)), state: next, weights: a };
  }

  /**
   * One step at a time over inputs [B, T]: step t reads inputs[:, t] when `teacher(t)` (always at
   * t = 0), otherwise the previous step's most likely token (scheduled sampling).
   */
  forwardStepwise(
    memory: DecoderMemory,
    state: RecurrentState,
    inputs: Tensor,
    teacher: (t: number) => boolean = () => true,
  ): DecoderOutput {
    const T = inputs.shape[1];
    const teacherAt = Array.from({ length: T }, (_, t) => t === 0 || teacher(t));
    const forced = this.drop.forward(this.embedding.forward(inputs)); // [B, T, E]
    const features: Tensor[] = [];
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    const allTeacher = teacherAt.every(Boolean);
    for (let t = 0; t < T; t++) {
      let x: Tensor;
      if (teacherAt[t])
        x = select(forced, 1, t); // [B, E]
      else {
        const prev = argmax(logits[t - 1].detach(), 1); // [B]
        x = this.drop.forward(this.embedding.forward(prev));
      }
      const s = this.stepFeatures(memory, state, x);
      state = s.state;
      if (s.weights) weights.push(s.weights);
      if (allTeacher) features.push(s.features);
      else logits.push(this.out.forward(s.features));
    }
    const out = allTeacher
      ? this.out.forward(stack(features, 1)) // [B, T, H] → [B, T, V]
      : stack(logits, 1);
    return { logits: out, state, weights: weights.length > 0 ? stack(weights, 1) : null };
  }

  /** One step for n rows: tokens [n] → logits [n, V], weights [n, S]. */
  step(memory: DecoderMemory, state: RecurrentState, tokens: Int32Array): DecoderOutput {
    const x = this.drop.forward(this.embedding.forward(new Tensor(tokens, [tokens.length])));
    const s = this.stepFeatures(memory, state, x);
    return { logits: this.out.forward(s.features), state: s.state, weights: s.weights };
  }

  /** f_t (after dropout) from e_t [n, E]. */
  private stepFeatures(
    memory: DecoderMemory,
    state: RecurrentState,
    e: Tensor,
  ): { features: Tensor; state: RecurrentState; weights: Tensor | null } {
    const n = e.shape[0];
    const H = this.config.hiddenSize;
    const attention = this.config.attention;
    let input = e;
    let weights: Tensor | null = null;
    if (memory.context) {
      const c = memory.context.shape[0] === n ? memory.context : expand(memory.context, [n, H]);
      input = cat([e, c], 1); // [n, E + H]
    } else if (attention === "bahdanau") {
      const h = Array.isArray(state) ? state[0] : state;
      const r = this.attention!.attend(select(h, 0, h.shape[0] - 1), memory.keys!);
      input = cat([e, r.context], 1); // [n, E + K]
      weights = r.weights;
    }
    const [o, next] = runRnn(this.rnn, unsqueeze(input, 1), state); // [n, 1, H]
    let f = reshape(o, [n, H]);
    if (attention.startsWith("luong")) {
      const r = this.attention!.attend(f, memory.keys!);
      weights = r.weights;
      f = tanh(this.concat!.forward(cat([f, r.context], 1))); // [n, H]
    }
    return { features: this.drop.forward(f), state: next, weights };
  }
}

/** The encoder–decoder of the module header. */
export class Seq2Seq extends Module {
  readonly config: Seq2SeqConfig;
  encoder: Seq2SeqEncoder;
  decoder: Seq2SeqDecoder;

  constructor(config: Seq2SeqConfig) {
    super();
    checkConfig(config);
    this.config = { ...config };
    this.encoder = new Seq2SeqEncoder(this.config);
    this.decoder = new Seq2SeqDecoder(this.config);
  }

  encode(source: Tensor, lengths: Int32Array): EncoderOutput {
    return this.encoder.forward(source, lengths);
  }

  /** Teacher-forced logits [B, T, V] for source [B, S] and decoder input [B, T]. */
  forward(source: Tensor, lengths: Int32Array, inputs: Tensor): DecoderOutput {
    const enc = this.encode(source, lengths);
    return this.decoder.forward(this.decoder.memory(enc), enc.state, inputs);
  }
}
