/**
 * Text generation from a trained language model: the priming text is run through the model (its
 * last logits predict the first new token), then tokens are drawn one at a time with temperature,
 * top-k and top-p (tasks/sampling.ts), each fed back as the next input. A seed makes the passage
 * reproducible; `onToken` receives each piece of text as it is made, for streaming output.
 *
 * @example
 * const text = generateText(model, vocab, { level: "char", prime: "Call me", length: 200,
 *   temperature: 0.8, seed: 1, onToken: (s) => process.stdout.write(s) });
 */
import { noGrad } from "../../autograd/tape.js";
import type { Vocab } from "../../data/vocab.js";
import { Generator } from "../../tensor/random.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkSamplingOptions, sampleToken, type SamplingOptions } from "../sampling.js";
import { lmTokens, type LmLevel } from "./data.js";
import type { RecurrentState, RNNLanguageModel } from "./model.js";

export interface GenerateOptions extends Omit<SamplingOptions, "generator"> {
  level: LmLevel;
  /** Word level: the tokenizer the model was trained with. */
  tokenizer?: "whitespace" | "basic_english";
  /** Text the passage continues (default: a line break, i.e. a fresh paragraph). */
  prime?: string;
  /** Tokens to generate (characters or words). */
  length: number;
  /** Default 0. */
  seed?: number;
  /** Called with the text of each new token as it is drawn. */
  onToken?(text: string): void;
}

/** Generates `length` tokens after `prime`; returns the new text (without the prime). */
export function generateText(
  model: RNNLanguageModel,
  vocab: Vocab,
  options: GenerateOptions,
): string {
  const { length, level } = options;
  if (!Number.isInteger(length) || length < 0)
    throw new Error(`generateText: expected length to be a non-negative integer, got ${length}`);
  checkSamplingOptions(options, vocab.length);
  const primeTokens = lmTokens(options.prime ?? "", { level, tokenizer: options.tokenizer });
  if (level === "word" && primeTokens.at(-1) === "<eos>" && !(options.prime ?? "").endsWith("\n"))
    primeTokens.pop(); // a prime without a final line break goes on in the same line
  let ids = vocab.encode(
    primeTokens.length > 0 ? primeTokens : [level === "char" ? "\n" : "<eos>"],
  );
  const generator = new Generator(options.seed ?? 0);
  const unk = vocab.unkToken === null || vocab.length < 2 ? -1 : vocab.unkIndex;
  const pieces: string[] = [];
  let atLineStart = primeTokens.length === 0 || (options.prime ?? "").endsWith("\n");
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      let state: RecurrentState | null = null;
      for (let i = 0; i < length; i++) {
        const input = new Tensor(Int32Array.from(ids), [ids.length, 1]); // [T, 1]
        const [logits, next] = model.forward(input, state);
        state = next;
        const V = vocab.length;
        const last = logits.data.slice((ids.length - 1) * V, ids.length * V);
        if (unk >= 0) last[unk] = -Infinity; // never write "<unk>" into the text
        const id = sampleToken(last, { ...options, generator });
        const token = vocab.tokenAt(id);
        let piece = token;
        if (level === "word") {
          piece = token === "<eos>" ? "\n" : atLineStart ? token : " " + token;
          atLineStart = token === "<eos>";
        }
        pieces.push(piece);
        options.onToken?.(piece);
        ids = [id];
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return pieces.join("");
}
