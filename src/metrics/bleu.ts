/**
 * BLEU, in the two forms the tutorials use.
 *
 * `bleu(pred, label, k)` is d2l's sentence score (Dive into Deep Learning §10.7):
 *
 *   BLEU = exp(min(0, 1 - len_label / len_pred)) · Π_{n=1..k} p_n^(1/2^n)
 *
 * where p_n is the fraction of the pred's n-grams matched by the label's (each label n-gram
 * matches at most once). Strings are split on single spaces, as d2l does; the pred needs at
 * least k tokens (d2l divides by len_pred - n + 1).
 *
 * `corpusBleu(hypotheses, references)` is the standard corpus BLEU-N of Papineni et al. (2002), as
 * sacrebleu, NLTK's `corpus_bleu` and torchtext's `bleu_score` compute it:
 *
 *   p_n = Σ_sentences clipped n-gram matches / Σ_sentences hypothesis n-grams
 *   BP  = 1 if c > r else exp(1 - r / c)      (c: total hypothesis length, r: Σ closest ref length)
 *   BLEU = BP · exp(Σ_n w_n · log p_n),  w_n = 1/N by default
 *
 * A hypothesis n-gram is clipped to the most times it occurs in any one reference; the closest
 * reference length breaks ties towards the shorter one (NLTK, sacrebleu). Without smoothing a
 * zero p_n gives BLEU 0. `smooth: "floor"` replaces a zero match count by `smoothValue` (0.1;
 * NLTK's method1, sacrebleu's "floor"); `smooth: "exp"` replaces the k-th zero p_n by
 * 1 / (2^k · total_n) (NLTK's method3, sacrebleu's default "exp"). No unigram match gives 0 in
 * every case. Unlike NLTK, which counts at least one n-gram per sentence in the denominator even
 * when the hypothesis is shorter than n, the denominators here are the true counts (sacrebleu,
 * torchtext); the two agree whenever every hypothesis has at least N tokens.
 *
 * @example
 * bleu("il est riche .", "il est calme .", 2);      // 0.658
 * corpusBleu([["the", "cat", "sat", "on", "the", "mat"]],
 *            [[["the", "cat", "sat", "on", "the", "mat"]]]); // 1
 */

export interface CorpusBleuOptions {
  /** Largest n-gram order N (default 4). */
  maxN?: number;
  /** Weights w_1..w_N (default uniform 1/N). */
  weights?: readonly number[];
  /** Smoothing for zero n-gram precisions (default "none"). */
  smooth?: "none" | "floor" | "exp";
  /** The count used for zero matches by "floor" smoothing (default 0.1). */
  smoothValue?: number;
}

/** The sufficient statistics of corpus BLEU. */
export interface BleuStats {
  /** Clipped matches per order n = 1..N (index n - 1). */
  matches: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  hypLength: number;
  refLength: number;
}

type Tokens = readonly string[];

function tokensOf(fn: string, what: string, x: unknown): Tokens {
  if (typeof x === "string") return x.split(" ");
  if (Array.isArray(x) && x.every((t) => typeof t === "string")) return x;
  throw new Error(
    `${fn}: expected ${what} as a string or an array of string tokens, got ${typeof x}`,
  );
}

/** Counts of n-grams of one order, keyed collision-free by interned token ids. */
class NgramCounter {
  private readonly ids = new Map<string, number>();
  key(tokens: Tokens, start: number, n: number): string {
    let k = "";
    for (let i = start; i < start + n; i++) {
      let id = this.ids.get(tokens[i]);
      if (id === undefined) this.ids.set(tokens[i], (id = this.ids.size));
      k += `${id},`;
    }
    return k;
  }
  count(tokens: Tokens, n: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const k = this.key(tokens, i, n);
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  }
}

/** d2l's sentence BLEU with n-grams up to k (see the header). */
export function bleu(pred: string | Tokens, label: string | Tokens, k: number): number {
  const p = tokensOf("bleu", "the prediction", pred);
  const l = tokensOf("bleu", "the label", label);
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`bleu: expected k to be a positive integer, got ${k}`);
  if (p.length < k) {
    throw new Error(
      `bleu: the prediction needs at least k=${k} tokens to have ${k}-grams, got ${p.length}`,
    );
  }
  const grams = new NgramCounter();
  let score = Math.exp(Math.min(0, 1 - l.length / p.length));
  for (let n = 1; n <= k; n++) {
    const labelSubs = grams.count(l, n);
    let matches = 0;
    for (let i = 0; i + n <= p.length; i++) {
      const key = grams.key(p, i, n);
      const left = labelSubs.get(key) ?? 0;
      if (left > 0) {
        matches++;
        labelSubs.set(key, left - 1);
      }
    }
    score *= Math.pow(matches / (p.length - n + 1), Math.pow(0.5, n));
  }
  return score;
}

function checkCorpus(hypotheses: unknown, references: unknown): void {
  if (!Array.isArray(hypotheses) || !Array.isArray(references)) {
    throw new Error("corpusBleu: expected an array of hypotheses and an array of reference lists");
  }
  if (hypotheses.length !== references.length) {
    throw new Error(
      `corpusBleu: expected one list of references per hypothesis, got ${references.length} ` +
        `reference lists for ${hypotheses.length} hypotheses`,
    );
  }
  references.forEach((refs, i) => {
    if (!Array.isArray(refs) || refs.length === 0 || refs.some((r) => !Array.isArray(r))) {
      throw new Error(
        `corpusBleu: expected references[${i}] to be a non-empty array of token arrays ` +
          `(wrap a single reference: [[...tokens]])`,
      );
    }
  });
}

/** Clipped n-gram matches, n-gram totals and lengths summed over the corpus. */
export function bleuStats(
  hypotheses: readonly Tokens[],
  references: readonly (readonly Tokens[])[],
  maxN = 4,
): BleuStats {
  checkCorpus(hypotheses, references);
  const matches = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);
  let hypLength = 0;
  let refLength = 0;
  hypotheses.forEach((hyp, s) => {
    const refs = references[s];
    const grams = new NgramCounter();
    for (let n = 1; n <= maxN; n++) {
      const counts = grams.count(hyp, n);
      const maxRef = new Map<string, number>();
      for (const ref of refs) {
        for (const [key, c] of grams.count(ref, n)) {
          if (counts.has(key) && c > (maxRef.get(key) ?? 0)) maxRef.set(key, c);
        }
      }
      for (const [key, c] of counts) {
        matches[n - 1] += Math.min(c, maxRef.get(key) ?? 0);
        totals[n - 1] += c;
      }
    }
    hypLength += hyp.length;
    let closest = refs[0].length;
    for (const ref of refs) {
      const d = Math.abs(ref.length - hyp.length) - Math.abs(closest - hyp.length);
      if (d < 0 || (d === 0 && ref.length < closest)) closest = ref.length;
    }
    refLength += closest;
  });
  return { matches, totals, hypLength, refLength };
}

/** Corpus BLEU-N (see the header), a number in [0, 1]. */
export function corpusBleu(
  hypotheses: readonly Tokens[],
  references: readonly (readonly Tokens[])[],
  options: CorpusBleuOptions = {},
): number {
  const maxN = options.maxN ?? 4;
  if (!Number.isInteger(maxN) || maxN < 1) {
    throw new Error(`corpusBleu: expected maxN to be a positive integer, got ${maxN}`);
  }
  const weights = options.weights ?? new Array<number>(maxN).fill(1 / maxN);
  if (weights.length !== maxN) {
    throw new Error(
      `corpusBleu: expected ${maxN} weights (one per n-gram order), got ${weights.length}`,
    );
  }
  const smooth = options.smooth ?? "none";
  if (!["none", "floor", "exp"].includes(smooth)) {
    throw new Error(`corpusBleu: expected smooth to be "none", "floor" or "exp", got "${smooth}"`);
  }
  const { matches, totals, hypLength, refLength } = bleuStats(hypotheses, references, maxN);
  if (matches[0] === 0 || hypLength === 0) return 0;
  const bp = hypLength > refLength ? 1 : Math.exp(1 - refLength / hypLength);
  let logSum = 0;
  let zeros = 0;
  for (let n = 0; n < maxN; n++) {
    // An order with no hypothesis n-grams at all has precision 0/0: counted as 0 of 1.
    const total = Math.max(totals[n], 1);
    let p = matches[n] / total;
    if (matches[n] === 0) {
      if (smooth === "none") {
        if (weights[n] !== 0) return 0;
        continue;
      }
      p = smooth === "floor" ? (options.smoothValue ?? 0.1) / total : 1 / (2 ** ++zeros * total);
    }
    if (weights[n] !== 0) logSum += weights[n] * Math.log(p);
  }
  return bp * Math.exp(logSum);
}

/** BLEU of one hypothesis against its references: `corpusBleu([hypothesis], [references])`. */
export function sentenceBleu(
  hypothesis: Tokens,
  references: readonly Tokens[],
  options: CorpusBleuOptions = {},
): number {
  return corpusBleu([hypothesis], [references], options);
}
