/**
 * Source → target pairs → token ids for a sequence-to-sequence model: tokenisation per side,
 * a length filter, a seeded train / valid / test split and vocabularies built on the training
 * split only (so valid and test see `<unk>` honestly).
 *
 *   tokenizers  letters        lowercase, one token per character, whitespace dropped: the cmudict
 *                              source "a b b e" and a word typed at `translate`, "Abbe", both give
 *                              [a, b, b, e]
 *               whitespace     Python's str.split() (cmudict phonemes "AE1 B IY0")
 *               basic_english  torchtext's (lowercase, punctuation split off): word-level pairs
 *               char           one token per character, spaces kept (character-level pairs)
 *   filter      pairs with more than `maxLength` tokens on either side are dropped (counted)
 *   split       randomSplit(pairs, [1 − v − t, v, t], { seed: splitSeed }); default 90/5/5, seed 0,
 *               fixed whatever the training seed, so runs with different seeds share a test set
 *   ids         source = tokens + <eos>; target = tokens + <eos> (the decoder is fed <bos> first)
 *   vocab       <unk> <pad> <bos> <eos>, then tokens by frequency (ties: first seen)
 *
 * @example
 * const data = prepareSeq2SeqData(corpus.pairs, seq2seqDataDefaults("cmudict"));
 * data.train[0];   // { source: Int32Array [..., eos], target: Int32Array [..., eos], index }
 */
import { randomSplit } from "../../data/split.js";
import { getTokenizer } from "../../data/tokenizer.js";
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import { checkSequenceLength, checkVocabSize } from "../common/limits.js";
import { describeValue } from "../common/model-config.js";

export const SEQ2SEQ_TOKENIZERS = ["letters", "whitespace", "basic_english", "char"] as const;
export type Seq2SeqTokenizer = (typeof SEQ2SEQ_TOKENIZERS)[number];

export interface Seq2SeqDataConfig {
  sourceTokenizer: Seq2SeqTokenizer;
  targetTokenizer: Seq2SeqTokenizer;
  /** Drop pairs with more tokens than this on either side (eos not counted). Default 50. */
  maxLength?: number;
  /** Default 0.05 each. */
  validFraction?: number;
  testFraction?: number;
  /** Seed of the split (default 0). */
  splitSeed?: number;
  minFreq?: number;
}

/** One encoded pair; `index` is its position in the pairs given to prepareSeq2SeqData. */
export interface EncodedPair {
  source: Int32Array;
  target: Int32Array;
  index: number;
}

export interface Seq2SeqData {
  sourceVocab: Vocab;
  targetVocab: Vocab;
  train: EncodedPair[];
  valid: EncodedPair[];
  test: EncodedPair[];
  /** Pairs left out by the length filter. */
  dropped: number;
  /** The longest training target, eos included: a bound for decoding. */
  maxTargetLength: number;
}

/** The tokenisation the bundled datasets want: cmudict letters → phonemes, pairs words. */
export function seq2seqDataDefaults(
  dataset: string,
  level: "word" | "char" = "word",
): Seq2SeqDataConfig {
  if (dataset === "cmudict")
    return { sourceTokenizer: "letters", targetTokenizer: "whitespace", maxLength: 50 };
  const t = level === "char" ? "char" : "basic_english";
  return { sourceTokenizer: t, targetTokenizer: t, maxLength: level === "char" ? 200 : 50 };
}

/** The tokens of `text` under `tokenizer` (see the module header). */
export function seq2seqTokens(text: string, tokenizer: Seq2SeqTokenizer): string[] {
  if (tokenizer === "letters") return Array.from(text.toLowerCase().replace(/\s+/g, ""));
  if (!SEQ2SEQ_TOKENIZERS.includes(tokenizer))
    throw new Error(
      `seq2seqTokens: expected a tokenizer among ${SEQ2SEQ_TOKENIZERS.join(", ")}, got ${String(tokenizer)}`,
    );
  return getTokenizer(tokenizer)(text);
}

/** Tokens back to text: characters run together, words and phonemes with spaces. */
export function joinSeq2SeqTokens(tokens: readonly string[], tokenizer: Seq2SeqTokenizer): string {
  return tokens.join(tokenizer === "letters" || tokenizer === "char" ? "" : " ");
}

function checkFraction(name: string, v: number): void {
  if (typeof v !== "number" || !(v >= 0 && v < 0.5))
    throw new Error(`prepareSeq2SeqData: expected ${name} in [0, 0.5), got ${describeValue(v)}`);
}

/** Tokenises, filters, splits and encodes `pairs` (see the module header). */
export function prepareSeq2SeqData(
  pairs: readonly { source: string; target: string }[],
  config: Seq2SeqDataConfig,
): Seq2SeqData {
  const { validFraction = 0.05, testFraction = 0.05, maxLength = 50, splitSeed = 0 } = config;
  checkFraction("validFraction", validFraction);
  checkFraction("testFraction", testFraction);
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw new Error(`prepareSeq2SeqData: expected maxLength ≥ 1, got ${maxLength}`);
  checkSequenceLength(maxLength, "maxLength", "prepareSeq2SeqData");
  const tokenized: { source: string[]; target: string[]; index: number }[] = [];
  pairs.forEach((p, index) => {
    const source = seq2seqTokens(p.source, config.sourceTokenizer);
    const target = seq2seqTokens(p.target, config.targetTokenizer);
    if (source.length === 0 || target.length === 0) return;
    if (source.length <= maxLength && target.length <= maxLength)
      tokenized.push({ source, target, index });
  });
  if (tokenized.length < 3)
    throw new Error(
      `prepareSeq2SeqData: ${tokenized.length} of ${pairs.length} pairs have 1..${maxLength} tokens on both sides, too few to split into train, valid and test`,
    );
  const [trainSet, validSet, testSet] = randomSplit(
    tokenized,
    [1 - validFraction - testFraction, validFraction, testFraction],
    { seed: splitSeed },
  );
  const take = (s: typeof trainSet) => Array.from({ length: s.length }, (_, i) => s.get(i));
  const trainTokens = take(trainSet);
  const build = (side: "source" | "target") =>
    Vocab.build(
      trainTokens.map((p) => p[side]),
      { minFreq: config.minFreq },
    );
  const sourceVocab = build("source");
  const targetVocab = build("target");
  checkVocabSize(sourceVocab.length, "prepareSeq2SeqData (source)");
  checkVocabSize(targetVocab.length, "prepareSeq2SeqData (target)");
  const encode = (list: typeof trainTokens): EncodedPair[] =>
    list.map((p) => ({
      source: Int32Array.from(sourceVocab.encode(p.source, { eos: true })),
      target: Int32Array.from(targetVocab.encode(p.target, { eos: true })),
      index: p.index,
    }));
  const train = encode(trainTokens);
  return {
    sourceVocab,
    targetVocab,
    train,
    valid: encode(take(validSet)),
    test: encode(take(testSet)),
    dropped: pairs.length - tokenized.length,
    maxTargetLength: train.reduce((m, p) => Math.max(m, p.target.length), 1),
  };
}

/** vocab.json of a seq2seq model directory. */
export interface Seq2SeqVocabJSON {
  source: VocabJSON;
  target: VocabJSON;
}

export function seq2seqVocabToJSON(data: Pick<Seq2SeqData, "sourceVocab" | "targetVocab">) {
  return { source: data.sourceVocab.toJSON(), target: data.targetVocab.toJSON() };
}

export function seq2seqVocabFromJSON(json: unknown): { sourceVocab: Vocab; targetVocab: Vocab } {
  const j = json as Partial<Seq2SeqVocabJSON> | null;
  if (typeof j !== "object" || j === null || !j.source || !j.target)
    throw new Error("seq2seqVocabFromJSON: expected { source, target } vocabularies");
  return { sourceVocab: Vocab.fromJSON(j.source), targetVocab: Vocab.fromJSON(j.target) };
}

/** A source text as ids for the model (tokens + eos), for `translate`. */
export function encodeSource(
  text: string,
  vocab: Vocab,
  tokenizer: Seq2SeqTokenizer,
): { tokens: string[]; ids: Int32Array } {
  const tokens = seq2seqTokens(text, tokenizer);
  return { tokens, ids: Int32Array.from(vocab.encode(tokens, { eos: true })) };
}
