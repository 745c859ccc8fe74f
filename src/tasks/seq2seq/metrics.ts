/**
 * The scores of a set of outputs against their references (one reference each):
 *
 *   exactMatch      fraction of outputs equal to their reference token for token (word accuracy
 *                   in grapheme-to-phoneme work; its complement is the word error rate)
 *   bleu            corpus BLEU-4 (Papineni et al. 2002; metrics/bleu.ts, no smoothing), in [0, 1]
 *   tokenErrorRate  Σ edit distance(output, reference) / Σ |reference| over tokens — the phoneme
 *                   error rate (PER) of g2p papers; can exceed 1
 *
 * @example
 * scoreTranslations([["HH", "AH0"]], [["HH", "AH0", "L"]]);
 * // { exactMatch: 0, bleu: 0, tokenErrorRate: 0.333…, count: 1 }
 */
import { corpusBleu } from "../../metrics/bleu.js";
import { exactMatch } from "../../metrics/exact-match.js";

export interface TranslationScores {
  exactMatch: number;
  bleu: number;
  tokenErrorRate: number;
  count: number;
}

type Tokens = readonly (string | number)[];

/** Levenshtein distance between two token sequences (unit costs). */
export function editDistance(a: Tokens, b: Tokens): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(sub, prev[j] + 1, row[j - 1] + 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The scores of the module header. */
export function scoreTranslations(
  hypotheses: readonly Tokens[],
  references: readonly Tokens[],
): TranslationScores {
  if (hypotheses.length !== references.length || hypotheses.length === 0)
    throw new Error(
      `scoreTranslations: expected as many outputs as references (≥ 1), got ${hypotheses.length} and ${references.length}`,
    );
  const strings = (t: Tokens) => t.map(String);
  let edits = 0;
  let refTokens = 0;
  hypotheses.forEach((h, i) => {
    edits += editDistance(h, references[i]);
    refTokens += references[i].length;
  });
  return {
    exactMatch: exactMatch(hypotheses.map(strings), references.map(strings)),
    bleu: corpusBleu(
      hypotheses.map(strings),
      references.map((r) => [strings(r)]),
    ),
    tokenErrorRate: refTokens > 0 ? edits / refTokens : 0,
    count: hypotheses.length,
  };
}
