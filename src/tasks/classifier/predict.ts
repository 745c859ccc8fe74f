/**
 * Inference with a trained classifier: texts → tokens (the training tokenizer and maxLen) → ids
 * (the training vocabulary; unknown words → `<unk>`) → one padded, packed batch → softmax.
 *
 *   p(c | text) = softmax(logits)_c      label = argmax_c p(c | text)
 *
 * For attention pooling each prediction also carries the tokens and their attention weights, so a
 * caller can show which words decided the class.
 *
 * @example
 * const [p] = predictTexts(model, vocab, ["WIN A FREE PRIZE now!!!"], {
 *   classes: ["ham", "spam"], tokenizer: "basic_english", maxLen: 200 });
 * p.label;           // "spam"
 * p.probabilities;   // { ham: 0.02, spam: 0.98 }
 */
import { noGrad } from "../../autograd/tape.js";
import type { Vocab } from "../../data/vocab.js";
import { classifierTokens, encodeTokens, type ClassifierDataConfig } from "./data.js";
import type { RNNClassifier } from "./model.js";
import { makeBatch } from "./task.js";

export interface PredictOptions extends Pick<ClassifierDataConfig, "tokenizer" | "maxLen"> {
  /** Class names, index i ↔ class i. */
  classes: readonly string[];
  /** Texts per forward pass (default 64). */
  batchSize?: number;
}

export interface Prediction {
  /** The most probable class's name and index. */
  label: string;
  index: number;
  /** Class name → probability (they sum to 1). */
  probabilities: Record<string, number>;
  /** The tokens the model read (after truncation; `<unk>` shown as the original word). */
  tokens: string[];
  /** Attention pooling: one weight per token. */
  attention?: number[];
}

/** Classifies each of `texts` (see the file header). */
export function predictTexts(
  model: RNNClassifier,
  vocab: Vocab,
  texts: readonly string[],
  options: PredictOptions,
): Prediction[] {
  const C = model.config.numClasses;
  if (options.classes.length !== C)
    throw new Error(
      `predictTexts: the model has ${C} classes but ${options.classes.length} class names were given`,
    );
  texts.forEach((t, i) => {
    if (typeof t !== "string") throw new Error(`predictTexts: expected text ${i} to be a string`);
  });
  const tokens = texts.map((t) => classifierTokens(t, options));
  const split = {
    ids: tokens.map((t) => encodeTokens(vocab, t)),
    labels: new Int32Array(texts.length),
    texts: [...texts],
  };
  const out: Prediction[] = new Array(texts.length);
  const batchSize = options.batchSize ?? 64;
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < texts.length; start += batchSize) {
        const indices = Array.from(
          { length: Math.min(batchSize, texts.length - start) },
          (_, k) => start + k,
        );
        const b = makeBatch(split, indices, model.config.padIndex);
        const { logits, attention } = model.forwardWithAttention(b.ids, b.lengths);
        const p = logits.softmax(1).data;
        const T = b.ids.shape[1];
        indices.forEach((i, k) => {
          const row = Array.from(p.subarray(k * C, (k + 1) * C));
          let best = 0;
          for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
          const probabilities: Record<string, number> = {};
          options.classes.forEach((name, c) => (probabilities[name] = row[c]));
          const seen = tokens[i].length > 0 ? tokens[i] : ["<unk>"];
          out[i] = { label: options.classes[best], index: best, probabilities, tokens: seen };
          if (attention)
            out[i].attention = Array.from(attention.data.subarray(k * T, k * T + seen.length));
        });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return out;
}
