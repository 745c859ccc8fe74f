/**
 * Picking the next token from a distribution of logits: greedy, temperature, top-k and top-p
 * (nucleus) sampling, driven by a seeded Generator so that a seed reproduces a generation.
 *
 *   p = softmax(logits / temperature)            (temperature 0 → argmax)
 *   top-k keeps the k most likely tokens; top-p keeps the smallest prefix (most likely first)
 *   whose mass reaches p — always at least one token — then renormalises and draws.
 *
 * Ties are broken by the lower token id, so a draw depends only on the logits and the generator.
 *
 * @example
 * const g = new Generator(42);
 * const id = sampleToken(logits.data, { temperature: 0.8, topK: 40, generator: g });
 */
import { Generator } from "../tensor/random.js";

export interface SamplingOptions {
  /** Softmax temperature; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the most likely tokens up to this cumulative probability, in (0, 1] (default 1). */
  topP?: number;
  /** Source of randomness; a fresh Generator(0) when omitted. */
  generator?: Generator;
}

function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Checks options once, with messages that name the option and the value that came. */
export function checkSamplingOptions(o: SamplingOptions, vocabSize?: number): void {
  const { temperature = 1, topK = 0, topP = 1 } = o;
  if (!(Number.isFinite(temperature) && temperature >= 0)) {
    throw new Error(`sampling: expected temperature >= 0, got ${temperature}`);
  }
  if (!(Number.isInteger(topK) && topK >= 0)) {
    throw new Error(`sampling: expected topK to be a non-negative integer, got ${topK}`);
  }
  if (vocabSize !== undefined && topK > vocabSize) {
    throw new Error(`sampling: topK ${topK} exceeds the vocabulary size ${vocabSize}`);
  }
  if (!(topP > 0 && topP <= 1)) throw new Error(`sampling: expected topP in (0, 1], got ${topP}`);
}

/** Draws one token id from `logits` [V]. */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions = {}): number {
  checkSamplingOptions(options, logits.length);
  const { temperature = 1, topK = 0, topP = 1 } = options;
  const V = logits.length;
  if (V === 0) throw new Error("sampling: expected at least one logit, got none");
  if (temperature === 0) return argmax(logits);
  // Candidates sorted by logit (descending), ties by id, cut to top-k.
  let order = Array.from({ length: V }, (_, i) => i);
  order.sort((a, b) => logits[b] - logits[a] || a - b);
  if (topK > 0) order = order.slice(0, topK);
  const top = logits[order[0]] / temperature;
  const p = order.map((i) => Math.exp(logits[i] / temperature - top));
  let total = p.reduce((a, b) => a + b, 0);
  if (topP < 1) {
    let mass = 0;
    let keep = 0;
    while (keep < p.length && (keep === 0 || mass < topP * total)) mass += p[keep++];
    order = order.slice(0, keep);
    p.length = keep;
    total = mass;
  }
  const g = options.generator ?? new Generator(0);
  let u = g.uniform() * total;
  for (let j = 0; j < p.length; j++) {
    u -= p[j];
    if (u < 0) return order[j];
  }
  return order[p.length - 1]; // rounding left u at ~0
}
