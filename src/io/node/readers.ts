/**
 * Readers for the data formats users bring (Node only): plain text for language models, AG News
 * CSV, the IMDB review tree, and tab-separated sentence pairs. Each returns the corpus shape its
 * task takes (data/formats/common.ts) and throws a DataFormatError naming the file and 1-based
 * line for malformed input — or, with `skipBadLines`, leaves it out and counts it in `skipped`.
 *
 * `limit` keeps a small, deterministic slice: for text, the first `limit` characters (reading
 * only the files needed); for examples and pairs, `limit` spread evenly over the file(s), and for
 * classification balanced across classes (IMDB reads only the review files it keeps).
 *
 * @example
 * const news = await readAgNews("ag_news_csv/train.csv");       // 120 000 examples, 4 classes
 * const imdb = await readImdb("aclImdb", { split: "test", limit: 1000 });  // 500 neg + 500 pos
 * const fra = await readPairs("fra.txt", { reverse: true });     // French → English
 * const lm = await readTextFiles(["a.txt", "b.txt"]);
 */
import { join } from "node:path";
import { parseAgNews, AG_NEWS_CLASSES } from "../../data/formats/ag-news.js";
import {
  balancedLimit,
  balancedQuotas,
  checkLimit,
  DataFormatError,
  evenlySpaced,
  type ClassifyCorpus,
  type LmCorpus,
  type Seq2SeqCorpus,
  type TextExample,
} from "../../data/formats/common.js";
import { parsePairs } from "../../data/formats/pairs.js";
import { parsePlainText } from "../../data/formats/plain-text.js";
import { exists, isDirectory, listFiles, mapConcurrent, readUtf8File } from "./files.js";

export interface ReaderOptions {
  /** Keep a small slice (see the module comment). */
  limit?: number;
  /** Leave malformed lines/files out (counted in `skipped`) instead of throwing. */
  skipBadLines?: boolean;
}

/**
 * Plain text files (a directory stands for its `*.txt` files, in natural order), concatenated
 * with a line break between files, line ends normalised to "\n". `limit`: characters.
 */
export async function readTextFiles(
  paths: string | readonly string[],
  options: ReaderOptions = {},
): Promise<LmCorpus> {
  const where = "readTextFiles";
  checkLimit(where, options.limit);
  const list = typeof paths === "string" ? [paths] : [...paths];
  if (list.length === 0) throw new Error(`${where}: expected at least one path, got none`);
  const files: string[] = [];
  for (const p of list) {
    if (await isDirectory(p, where)) {
      const inside = await listFiles(p, { ext: ".txt", where });
      if (inside.length === 0) throw new Error(`${where}: no *.txt files in directory ${p}`);
      files.push(...inside);
    } else files.push(p);
  }
  const texts: string[] = [];
  const issues: DataFormatError[] = [];
  let length = 0;
  for (const file of files) {
    if (options.limit !== undefined && length >= options.limit) break;
    const decoded = await readUtf8File(file, { where, skipBadLines: options.skipBadLines });
    const plain = parsePlainText(decoded.text, { source: file, ...options });
    const text = plain.text.endsWith("\n") ? plain.text : `${plain.text}\n`;
    texts.push(text);
    issues.push(...decoded.issues, ...plain.issues);
    length += text.length;
  }
  let text = texts.join("");
  if (options.limit !== undefined) text = text.slice(0, options.limit);
  return { kind: "lm", name: list.join(","), text, skipped: issues.length, issues };
}

/** AG News CSV (`label,title,description`, labels 1–4): see data/formats/ag-news.ts. */
export async function readAgNews(
  pathToCsv: string,
  options: ReaderOptions = {},
): Promise<ClassifyCorpus> {
  const where = "readAgNews";
  checkLimit(where, options.limit);
  const decoded = await readUtf8File(pathToCsv, { where, skipBadLines: options.skipBadLines });
  const parsed = parseAgNews(decoded.text, { source: pathToCsv, ...options });
  const classes = [...AG_NEWS_CLASSES];
  const issues = [...decoded.issues, ...parsed.issues];
  return {
    kind: "classify",
    name: pathToCsv,
    classes,
    examples: balancedLimit(parsed.records, classes.length, options.limit),
    skipped: issues.length,
    issues,
  };
}

export const IMDB_CLASSES: readonly string[] = ["neg", "pos"];

export interface ImdbOptions extends ReaderOptions {
  /** Which half of the Large Movie Review Dataset to read. Default "train". */
  split?: "train" | "test";
}

/**
 * The Large Movie Review Dataset (Maas et al. 2011) as unpacked from aclImdb_v1.tar.gz:
 * `aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt`, one review per file (`dir` may be the
 * aclImdb folder or its parent; `unsup/` is ignored). Classes ["neg", "pos"]; the text is kept
 * as written, `<br />` marks included. Examples come neg first, then pos, each in natural order.
 */
export async function readImdb(dir: string, options: ImdbOptions = {}): Promise<ClassifyCorpus> {
  const where = "readImdb";
  checkLimit(where, options.limit);
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new Error(`${where}: expected split "train" or "test", got ${JSON.stringify(split)}`);
  }
  let root = join(dir, split);
  if (!(await exists(root)) && (await exists(join(dir, "aclImdb", split)))) {
    root = join(dir, "aclImdb", split);
  }
  if (!(await exists(join(root, "neg"))) || !(await exists(join(root, "pos")))) {
    throw new Error(
      `${where}: expected the aclImdb layout ${join(dir, split)}/{neg,pos}/*.txt, but ${root}/neg or ${root}/pos does not exist`,
    );
  }
  const lists = await Promise.all(
    IMDB_CLASSES.map((c) => listFiles(join(root, c), { ext: ".txt", where })),
  );
  const quotas = balancedQuotas(
    lists.map((l) => l.length),
    options.limit ?? Infinity,
  );
  const chosen = lists.flatMap((files, label) =>
    evenlySpaced(files, quotas[label]!).map((file) => ({ file, label })),
  );
  const read = await mapConcurrent(chosen, async ({ file, label }) => {
    try {
      const { text } = await readUtf8File(file, { where });
      if (text.trim() === "") throw new DataFormatError(where, file, 1, "the review is empty");
      return { text, label };
    } catch (e) {
      if (e instanceof DataFormatError) return e; // reported below, in file order
      throw e;
    }
  });
  const issues = read.filter((r): r is DataFormatError => r instanceof DataFormatError);
  if (issues.length > 0 && !options.skipBadLines) throw issues[0];
  const examples = read.filter((r): r is TextExample => !(r instanceof DataFormatError));
  if (examples.length === 0) throw new Error(`${where}: no readable reviews under ${root}`);
  return {
    kind: "classify",
    name: dir,
    classes: [...IMDB_CLASSES],
    examples,
    skipped: issues.length,
    issues,
  };
}

export interface PairsReaderOptions extends ReaderOptions {
  /** Swap source and target (e.g. fra → eng from an eng\tfra file). Default false. */
  reverse?: boolean;
}

/** Tab-separated sentence pairs (Tatoeba/Anki `eng\tfra[\tattribution]`): see formats/pairs.ts. */
export async function readPairs(
  path: string,
  options: PairsReaderOptions = {},
): Promise<Seq2SeqCorpus> {
  const where = "readPairs";
  checkLimit(where, options.limit);
  const decoded = await readUtf8File(path, { where, skipBadLines: options.skipBadLines });
  const parsed = parsePairs(decoded.text, { source: path, ...options });
  const issues = [...decoded.issues, ...parsed.issues];
  return {
    kind: "seq2seq",
    name: path,
    pairs: evenlySpaced(parsed.records, options.limit ?? Infinity),
    skipped: issues.length,
    issues,
  };
}
