/**
 * The recipe architecture a state dict implies: what `recurrent import` needs to rebuild a model
 * trained in PyTorch from its weights alone. Every size is read from a shape; the kind of cell
 * from the gate rows (4H LSTM, 3H GRU, H RNN), the layers from the `weight_ih_l{k}` keys, the
 * direction from `_reverse` keys, seq2seq attention from which attention parameters exist.
 * What no parameter shows — a classifier's pooling, the padding id, dropout — comes from
 * `overrides` (or the defaults: padIndex 0, dropout 0, which inference never uses).
 *
 *   lm        encoder.weight [V, E], rnn.*, decoder.weight [V, H]  (word_language_model names)
 *   classify  embedding.weight [V, E], rnn.*, fc.weight [C, D·H]
 *   seq2seq   encoder.{embedding, rnn, bridge}, decoder.{embedding, rnn, attention, concat, out}
 *
 * @example
 * const { tensors } = await loadSafetensorsFile("pytorch.safetensors");
 * const config = inferModelConfig("classify", tensors, { pooling: "mean" });
 * new RNNClassifier(config).loadStateDict(tensors);
 */
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ClassifierConfig } from "../tasks/classifier/model.js";
import type { LanguageModelConfig } from "../tasks/language-model/model.js";
import type { TaskName } from "../tasks/common/model-config.js";
import type { Seq2SeqConfig } from "../tasks/seq2seq/model.js";

export type RecipeConfig = LanguageModelConfig | ClassifierConfig | Seq2SeqConfig;

interface RecurrentShape {
  cell: "rnn" | "lstm" | "gru";
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

function need(weights: Record<string, Tensor>, key: string, rank: number, what: string): Tensor {
  const t = weights[key];
  if (!t) {
    const keys = Object.keys(weights);
    const shown =
      keys.slice(0, 8).join(", ") + (keys.length > 8 ? `, … (${keys.length} keys)` : "");
    throw new Error(
      `inferModelConfig: ${what} needs "${key}"; the weights have ${shown || "no keys"}`,
    );
  }
  if (t.dim() !== rank)
    throw new Error(
      `inferModelConfig: "${key}" should have ${rank} dimensions, got ${formatShape(t.shape)}`,
    );
  return t;
}

/** The recurrent layer under `prefix` ("rnn." or "encoder.rnn."). */
function recurrentShape(
  weights: Record<string, Tensor>,
  prefix: string,
  what: string,
): RecurrentShape {
  const ih = need(weights, `${prefix}weight_ih_l0`, 2, what);
  const hh = need(weights, `${prefix}weight_hh_l0`, 2, what);
  if (weights[`${prefix}weight_hr_l0`])
    throw new Error(
      `inferModelConfig: ${prefix}weight_hr_l0 is an LSTM projection, which the recipes do not have`,
    );
  const H = hh.shape[1];
  const gates = hh.shape[0] / H;
  const cell = gates === 4 ? "lstm" : gates === 3 ? "gru" : gates === 1 ? "rnn" : null;
  if (!cell || ih.shape[0] !== hh.shape[0])
    throw new Error(
      `inferModelConfig: ${prefix}weight_hh_l0 ${formatShape(hh.shape)} is not [G·H, H] for G = 4 (LSTM), 3 (GRU) or 1 (RNN)`,
    );
  let numLayers = 1;
  while (weights[`${prefix}weight_ih_l${numLayers}`]) numLayers++;
  return {
    cell,
    inputSize: ih.shape[1],
    hiddenSize: H,
    numLayers,
    bidirectional: `${prefix}weight_ih_l0_reverse` in weights,
  };
}

function sameValues(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (!a || !b || a.data.length !== b.data.length) return false;
  return a.data.every((v, i) => v === b.data[i]);
}

function languageModel(w: Record<string, Tensor>): LanguageModelConfig {
  const what = "a language model (encoder, rnn, decoder)";
  const [V, E] = need(w, "encoder.weight", 2, what).shape;
  const r = recurrentShape(w, "rnn.", what);
  if (r.bidirectional)
    throw new Error("inferModelConfig: a language model's rnn is unidirectional");
  need(w, "decoder.weight", 2, what);
  return {
    vocabSize: V,
    cell: r.cell,
    embeddingSize: E,
    hiddenSize: r.hiddenSize,
    numLayers: r.numLayers,
    dropout: 0,
    // PyTorch writes a tied weight under both names; tying again keeps fine-tuning it tied.
    tieWeights: sameValues(w["encoder.weight"], w["decoder.weight"]),
  };
}

function classifier(
  w: Record<string, Tensor>,
  overrides: Partial<ClassifierConfig>,
): ClassifierConfig {
  const what = "a classifier (embedding, rnn, fc)";
  const [V, E] = need(w, "embedding.weight", 2, what).shape;
  const r = recurrentShape(w, "rnn.", what);
  const [C] = need(w, "fc.weight", 2, what).shape;
  if (overrides.pooling === undefined)
    throw new Error(
      'inferModelConfig: a classifier\'s pooling has no parameters to read it from; give it, e.g. { "pooling": "mean" } (last, mean, max or attention)',
    );
  return {
    vocabSize: V,
    numClasses: C,
    cell: r.cell,
    embeddingSize: E,
    hiddenSize: r.hiddenSize,
    numLayers: r.numLayers,
    bidirectional: r.bidirectional,
    dropout: 0,
    pooling: overrides.pooling,
    padIndex: 0,
  };
}

function seq2seq(w: Record<string, Tensor>): Seq2SeqConfig {
  const what = "a seq2seq model (encoder.*, decoder.*)";
  const [Vs, E] = need(w, "encoder.embedding.weight", 2, what).shape;
  const [Vt] = need(w, "decoder.embedding.weight", 2, what).shape;
  const r = recurrentShape(w, "encoder.rnn.", what);
  if (r.cell === "rnn")
    throw new Error("inferModelConfig: a seq2seq model's cell is a GRU or an LSTM");
  const attention =
    "decoder.attention.Wa.weight" in w
      ? "bahdanau"
      : "decoder.attention.attn.weight" in w
        ? "luong-general"
        : "decoder.concat.weight" in w
          ? "luong-dot"
          : "none";
  return {
    sourceVocabSize: Vs,
    targetVocabSize: Vt,
    cell: r.cell,
    embeddingSize: E,
    hiddenSize: r.hiddenSize,
    numLayers: r.numLayers,
    bidirectional: r.bidirectional,
    attention,
    dropout: 0,
  };
}

/** The model config of `task` for `weights`, then `overrides` on top (see the file header). */
export function inferModelConfig(
  task: TaskName,
  weights: Record<string, Tensor>,
  overrides: Record<string, unknown> = {},
): RecipeConfig {
  const inferred =
    task === "lm"
      ? languageModel(weights)
      : task === "classify"
        ? classifier(weights, overrides as Partial<ClassifierConfig>)
        : seq2seq(weights);
  return { ...inferred, ...overrides } as RecipeConfig;
}
