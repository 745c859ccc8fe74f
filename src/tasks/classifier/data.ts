/**
 * Labelled texts → token ids for a classifier: tokenise (torchtext's basic_english by default,
 * or characters, or whitespace), keep the first `maxLen` tokens, split into train / valid / test,
 * build the vocabulary on the training split only (`minFreq`, `maxSize`, specials `<unk>` `<pad>`),
 * and encode every split with it, so valid and test meet `<unk>` honestly.
 *
 * The split is stratified: each class's examples are cut by the same fractions (a seeded
 * permutation per class, `data.randomSplit` counts), so every split keeps the corpus's class
 * balance, which matters for small `--limit` runs. Corpora with a predefined test half (agnews:,
 * imdb:) pass it as `test`; validation is then carved from their training half alone. `splitSeed`
 * is separate from the training seed, so runs with different seeds are scored on the same test set.
 *
 * A text with no token at all (an empty message) is encoded as one `<unk>`, since a recurrent layer
 * needs at least one step.
 *
 * @example
 * const data = prepareClassifierData(corpus.examples, { tokenizer: "basic_english", maxLen: 200 });
 * data.train.ids[0];    // Int32Array of at most 200 ids
 * data.vocab.padIndex;  // 1
 */
import type { TextExample } from "../../data/formats/common.js";
import { splitLengths } from "../../data/split.js";
import { getTokenizer, type TokenizerName } from "../../data/tokenizer.js";
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import { randperm } from "../../tensor/creation.js";
import { Generator } from "../../tensor/random.js";
import { checkSequenceLength, checkVocabSize } from "../common/limits.js";
import { describeValue } from "../common/model-config.js";

export const CLASSIFIER_TOKENIZERS = ["basic_english", "char", "whitespace"] as const;
export type ClassifierTokenizer = Extract<TokenizerName, (typeof CLASSIFIER_TOKENIZERS)[number]>;

/** The vocabulary's specials: `<unk>` = 0, `<pad>` = 1 (torchtext's classification tutorials). */
export const CLASSIFIER_SPECIALS = ["<unk>", "<pad>"] as const;

export interface ClassifierDataConfig {
  /** Default "basic_english". */
  tokenizer?: ClassifierTokenizer;
  /** Tokens kept per text, the first ones (default 200). */
  maxLen?: number;
  minFreq?: number;
  /** Largest vocabulary, specials included. */
  maxSize?: number;
  /** Of each class, for validation (default 0.1). */
  validFraction?: number;
  /** Of each class, for testing, when there is no predefined test set (default 0.1). */
  testFraction?: number;
  /** Seeds the split (default 0). */
  splitSeed?: number;
}

/** One split, encoded: ids[i] is text i's token ids, labels[i] its class. */
export interface EncodedSplit {
  ids: Int32Array[];
  labels: Int32Array;
  texts: string[];
}

export interface ClassifierData {
  vocab: Vocab;
  train: EncodedSplit;
  valid: EncodedSplit;
  test: EncodedSplit;
}

export interface SplitExamples {
  train: TextExample[];
  valid: TextExample[];
  test: TextExample[];
}

function checkFraction(name: string, v: number): void {
  if (typeof v !== "number" || !(v >= 0 && v < 0.5))
    throw new Error(`prepareClassifierData: expected ${name} in [0, 0.5), got ${describeValue(v)}`);
}

/** The stratified, seeded train/valid/test split (see the file header). */
export function splitExamples(
  examples: readonly TextExample[],
  options: { validFraction?: number; testFraction?: number; seed?: number } = {},
): SplitExamples {
  const { validFraction = 0.1, testFraction = 0.1, seed = 0 } = options;
  checkFraction("validFraction", validFraction);
  checkFraction("testFraction", testFraction);
  const byClass = new Map<number, number[]>();
  examples.forEach((e, i) => {
    if (!byClass.has(e.label)) byClass.set(e.label, []);
    byClass.get(e.label)!.push(i);
  });
  const generator = new Generator(seed);
  const parts: [number[], number[], number[]] = [[], [], []];
  const fractions = [1 - validFraction - testFraction, validFraction, testFraction];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    const perm = randperm(members.length, { generator }).data;
    let at = 0;
    splitLengths(members.length, fractions).forEach((n, k) => {
      for (let j = at; j < at + n; j++) parts[k].push(members[perm[j]]);
      at += n;
    });
  }
  const pick = (idx: number[]) => idx.sort((a, b) => a - b).map((i) => examples[i]);
  return { train: pick(parts[0]), valid: pick(parts[1]), test: pick(parts[2]) };
}

/** A text's tokens as the classifier sees them: tokenised, the first `maxLen` kept. */
export function classifierTokens(
  text: string,
  config: Pick<ClassifierDataConfig, "tokenizer" | "maxLen">,
): string[] {
  const maxLen = config.maxLen ?? 200;
  if (config.tokenizer === "char") return Array.from(text.slice(0, 2 * maxLen)).slice(0, maxLen);
  return getTokenizer(config.tokenizer ?? "basic_english")(text).slice(0, maxLen);
}

/** Token ids of `tokens` (one `<unk>` for an empty text). */
export function encodeTokens(vocab: Vocab, tokens: readonly string[]): Int32Array {
  return tokens.length === 0
    ? Int32Array.of(vocab.unkIndex)
    : Int32Array.from(vocab.encode(tokens));
}

/** Builds the vocabulary from tokenised training texts. */
export function buildClassifierVocab(
  tokens: Iterable<readonly string[]>,
  config: Pick<ClassifierDataConfig, "minFreq" | "maxSize">,
): Vocab {
  return Vocab.build(tokens, {
    specials: CLASSIFIER_SPECIALS,
    unkToken: "<unk>",
    padToken: "<pad>",
    bosToken: null,
    eosToken: null,
    minFreq: config.minFreq,
    maxSize: config.maxSize,
  });
}

/** Splits (unless `test` is given), tokenises and encodes (see the file header). */
export function prepareClassifierData(
  examples: readonly TextExample[],
  config: ClassifierDataConfig = {},
  test?: readonly TextExample[],
): ClassifierData {
  const maxLen = config.maxLen ?? 200;
  if (!Number.isInteger(maxLen) || maxLen < 1)
    throw new Error(
      `prepareClassifierData: expected maxLen to be a positive integer, got ${maxLen}`,
    );
  checkSequenceLength(maxLen, "maxLen", "prepareClassifierData");
  const split = splitExamples(examples, {
    validFraction: config.validFraction,
    testFraction: test ? 0 : config.testFraction,
    seed: config.splitSeed,
  });
  if (test) split.test = [...test];
  if (split.train.length === 0)
    throw new Error(
      `prepareClassifierData: ${examples.length} examples leave none to train on; use more data`,
    );
  const trainTokens = split.train.map((e) => classifierTokens(e.text, config));
  const vocab = buildClassifierVocab(trainTokens, config);
  checkVocabSize(vocab.length, "prepareClassifierData");
  return {
    vocab,
    train: {
      ids: trainTokens.map((t) => encodeTokens(vocab, t)),
      labels: Int32Array.from(split.train, (e) => e.label),
      texts: split.train.map((e) => e.text),
    },
    valid: encodeExamples(split.valid, vocab, config),
    test: encodeExamples(split.test, vocab, config),
  };
}

/** Encodes labelled texts with an existing vocabulary (a trained model's). */
export function encodeExamples(
  examples: readonly TextExample[],
  vocab: Vocab,
  config: Pick<ClassifierDataConfig, "tokenizer" | "maxLen">,
): EncodedSplit {
  return {
    ids: examples.map((e) => encodeTokens(vocab, classifierTokens(e.text, config))),
    labels: Int32Array.from(examples, (e) => e.label),
    texts: examples.map((e) => e.text),
  };
}

/** Rebuilds a saved vocabulary. */
export function classifierVocabFromJSON(json: unknown): Vocab {
  return Vocab.fromJSON(json as VocabJSON);
}
