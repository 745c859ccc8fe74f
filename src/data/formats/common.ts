/**
 * What every text format reader shares: the error type that names the file and line, the
 * `skipBadLines` policy, the three shapes a loaded corpus takes (one per task), and the
 * deterministic helpers for ordering and slicing.
 *
 * A malformed line throws a `DataFormatError` ("parseAgNews: train.csv:17: expected 3 fields
 * (label, title, description), got 2"). With `skipBadLines: true` the line is left out instead,
 * and the result counts it in `skipped` and keeps the error in `issues`, so nothing is dropped
 * silently.
 *
 * @example
 * const { records, skipped } = parsePairs(text, { source: "fra.txt", skipBadLines: true });
 * if (skipped > 0) console.warn(`skipped ${skipped} bad lines`);
 */

/** A malformed record: which reader found it, in which file, at which 1-based line, and why. */
export class DataFormatError extends Error {
  constructor(
    readonly where: string,
    readonly source: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${where}: ${source}:${line}: ${reason}`);
    this.name = "DataFormatError";
  }
}

/** Options every parser takes. */
export interface ParseOptions {
  /** Name used in error messages, usually the file path (default "<input>"). */
  source?: string;
  /** Leave malformed lines out (counted in `skipped`) instead of throwing. Default false. */
  skipBadLines?: boolean;
}

/** Parsed records plus the malformed lines that `skipBadLines` left out. */
export interface Parsed<T> {
  records: T[];
  /** Number of malformed lines (or records) left out; 0 unless `skipBadLines` was set. */
  skipped: number;
  /** One error per left-out line, in file order. */
  issues: DataFormatError[];
}

/** One labelled text; `label` indexes the corpus's `classes`. */
export interface TextExample {
  text: string;
  label: number;
}

/** One source → target pair (a translation, a word → its phonemes). */
export interface SentencePair {
  source: string;
  target: string;
}

/** A language-modelling corpus: one text. */
export interface LmCorpus {
  kind: "lm";
  name: string;
  text: string;
  skipped: number;
  issues: DataFormatError[];
}

/** A text-classification corpus: class names and labelled examples. */
export interface ClassifyCorpus {
  kind: "classify";
  name: string;
  classes: string[];
  examples: TextExample[];
  skipped: number;
  issues: DataFormatError[];
}

/** A sequence-to-sequence corpus: source → target pairs. */
export interface Seq2SeqCorpus {
  kind: "seq2seq";
  name: string;
  pairs: SentencePair[];
  skipped: number;
  issues: DataFormatError[];
}

export type Corpus = LmCorpus | ClassifyCorpus | Seq2SeqCorpus;

/** Applies the `skipBadLines` policy for one input: throw, or record and go on. */
export class BadLines {
  readonly issues: DataFormatError[] = [];
  readonly source: string;
  private readonly skip: boolean;

  constructor(
    readonly where: string,
    options: ParseOptions = {},
  ) {
    this.source = options.source ?? "<input>";
    this.skip = options.skipBadLines ?? false;
  }

  /** Throws a DataFormatError for `line`, or (with skipBadLines) records it. */
  report(line: number, reason: string): void {
    const error = new DataFormatError(this.where, this.source, line, reason);
    if (!this.skip) throw error;
    this.issues.push(error);
  }

  /** Wraps records into a Parsed result, failing when nothing valid is left. */
  finish<T>(records: T[], what: string): Parsed<T> {
    if (records.length === 0) {
      const why = this.issues.length > 0 ? ` (${this.issues.length} bad lines skipped)` : "";
      throw new Error(`${this.where}: ${this.source} contains no ${what}${why}`);
    }
    return { records, skipped: this.issues.length, issues: this.issues };
  }
}

/** Quotes a short piece of input for an error message. */
export function show(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * Compares names with digit runs as numbers ("2_7.txt" < "10_1.txt"), then by code units, so
 * directory listings sort the same on every machine and locale.
 */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const nx = x.replace(/^0+(?=\d)/, "");
      const ny = y.replace(/^0+(?=\d)/, "");
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `count` items spread evenly over `items` (indices ⌊j·n/count⌋), in their original order; all of
 * them when count ≥ n. A deterministic slice that covers the whole range (an alphabetical
 * dictionary, a file sorted by length) instead of only its start.
 */
export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  const n = items.length;
  if (count >= n) return items.slice();
  const out: T[] = [];
  for (let j = 0; j < count; j++) out.push(items[Math.floor((j * n) / count)]!);
  return out;
}

/** Checks a `limit` option: undefined, or a positive integer. */
export function checkLimit(where: string, limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`${where}: expected limit to be a positive integer, got ${limit}`);
  }
}

/**
 * At most `limit` examples, balanced across classes: each class keeps an evenly spaced
 * ⌈limit/C⌉ of its examples (fewer if it has fewer), then the total is cut to `limit` by dropping
 * from the largest classes. The kept examples stay in their original order.
 */
export function balancedLimit(
  examples: readonly TextExample[],
  numClasses: number,
  limit: number | undefined,
): TextExample[] {
  if (limit === undefined || limit >= examples.length) return examples.slice();
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  examples.forEach((e, i) => byClass[e.label]!.push(i));
  const quotas = balancedQuotas(
    byClass.map((ids) => ids.length),
    limit,
  );
  const keep = byClass.flatMap((ids, c) => evenlySpaced(ids, quotas[c]!));
  return keep.sort((a, b) => a - b).map((i) => examples[i]!);
}

/**
 * How many of each class to keep so the total is min(limit, Σ sizes) and the classes are as
 * equal as their sizes allow (water-filling: small classes give all they have, the rest share).
 */
export function balancedQuotas(sizes: readonly number[], limit: number): number[] {
  const quotas = sizes.map(() => 0);
  let left = Math.min(
    limit,
    sizes.reduce((s, n) => s + n, 0),
  );
  let open = sizes.map((_, c) => c).filter((c) => sizes[c]! > 0);
  while (left > 0 && open.length > 0) {
    const share = Math.max(1, Math.floor(left / open.length));
    for (const c of open) {
      const take = Math.min(share, sizes[c]! - quotas[c]!, left);
      quotas[c] = quotas[c]! + take;
      left -= take;
    }
    open = open.filter((c) => quotas[c]! < sizes[c]!);
  }
  return quotas;
}
