/**
 * Text → token ids for a language model: character level (char-rnn) or word level
 * (word_language_model: whitespace or basic_english tokens, `<eos>` at each line end), split into
 * contiguous train / valid / test spans (the last `validFraction` and `testFraction` of the text),
 * with the vocabulary built from the training span only, so valid/test see `<unk>` honestly.
 *
 * @example
 * const { vocab, train, valid } = prepareLmData(text, { level: "char" });
 */
import { getTokenizer, type TokenizerName } from "../../data/tokenizer.js";
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import { checkVocabSize } from "../common/limits.js";
import { describeValue } from "../common/model-config.js";

export const LM_LEVELS = ["char", "word"] as const;
export type LmLevel = (typeof LM_LEVELS)[number];

export interface LmDataConfig {
  level: LmLevel;
  /** Word level: how lines are split into words (default "whitespace"). */
  tokenizer?: Extract<TokenizerName, "whitespace" | "basic_english">;
  /** Default 0.05 each. */
  validFraction?: number;
  testFraction?: number;
  minFreq?: number;
  /** Largest vocabulary, specials included. */
  maxSize?: number;
}

export interface LmData {
  vocab: Vocab;
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

const EOS = "<eos>";

/** The tokens of `text` at `level` (word level: each line's words then `<eos>`). */
export function lmTokens(
  text: string,
  config: Pick<LmDataConfig, "level" | "tokenizer">,
): string[] {
  if (config.level === "char") return Array.from(text);
  const tokenize = getTokenizer(config.tokenizer ?? "whitespace");
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const words = tokenize(line);
    if (words.length === 0) continue;
    for (const w of words) out.push(w);
    out.push(EOS);
  }
  return out;
}

/** The vocabulary roles used at each level (char: only `<unk>`). */
export function lmVocabOptions(level: LmLevel): {
  specials: string[];
  padToken: null;
  bosToken: null;
  eosToken: string | null;
} {
  return level === "char"
    ? { specials: ["<unk>"], padToken: null, bosToken: null, eosToken: null }
    : { specials: ["<unk>", EOS], padToken: null, bosToken: null, eosToken: EOS };
}

function checkFraction(name: string, v: number): void {
  if (typeof v !== "number" || !(v >= 0 && v < 0.5))
    throw new Error(`prepareLmData: expected ${name} in [0, 0.5), got ${describeValue(v)}`);
}

/** Tokenises, splits and encodes `text` (see the file header). */
export function prepareLmData(text: string, config: LmDataConfig): LmData {
  const { validFraction = 0.05, testFraction = 0.05 } = config;
  checkFraction("validFraction", validFraction);
  checkFraction("testFraction", testFraction);
  if (!LM_LEVELS.includes(config.level))
    throw new Error(`prepareLmData: expected level "char" or "word", got ${String(config.level)}`);
  const tokens = lmTokens(text, config);
  const n = tokens.length;
  const nTest = Math.floor(n * testFraction);
  const nValid = Math.floor(n * validFraction);
  const nTrain = n - nValid - nTest;
  if (nTrain < 2) throw new Error(`prepareLmData: the text has ${n} tokens, too few to train on`);
  const trainTokens = tokens.slice(0, nTrain);
  const vocab = Vocab.build([trainTokens], {
    ...lmVocabOptions(config.level),
    minFreq: config.minFreq,
    maxSize: config.maxSize,
  });
  checkVocabSize(vocab.length, "prepareLmData");
  const encode = (from: number, to: number): Int32Array =>
    Int32Array.from(vocab.encode(tokens.slice(from, to)));
  return {
    vocab,
    train: encode(0, nTrain),
    valid: encode(nTrain, nTrain + nValid),
    test: encode(nTrain + nValid, n),
  };
}

/** Rebuilds a saved vocabulary. */
export function lmVocabFromJSON(json: unknown): Vocab {
  return Vocab.fromJSON(json as VocabJSON);
}

/** Joins generated tokens back into text (word level: spaces, `<eos>` as a line break). */
export function joinLmTokens(tokens: readonly string[], level: LmLevel): string {
  if (level === "char") return tokens.join("");
  let out = "";
  for (const t of tokens) {
    if (t === EOS) out += "\n";
    else out += out === "" || out.endsWith("\n") ? t : " " + t;
  }
  return out;
}
