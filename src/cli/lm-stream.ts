/**
 * `train lm` on a text corpus larger than `--memory-budget`: the corpus stays on disk and is read
 * as it is needed, so memory is bounded by the batch and window sizes, not the corpus.
 *
 *   bytes [0, trainEnd)         training: two streaming passes build the vocabulary (token counts
 *                               only) and count tokens, then each epoch streams the same BPTT
 *                               windows (io/node/text-stream.ts, split "tokens": rows of exactly
 *                               ⌊N/B⌋ tokens, as `batchify` cuts an in-memory stream)
 *   [trainEnd, validEnd)        validation  } the last validFraction and testFraction of the
 *   [validEnd, end)             test        } bytes, line-aligned, read into memory (at most a
 *                                             quarter of the budget each)
 *
 * Differences from the in-memory path, which a corpus within the budget keeps: the splits are by
 * bytes rather than tokens, and window boundaries do not move between epochs (no random offset),
 * so a streamed run and an in-memory run of the same text train on slightly different windows.
 * Resume stays exact: the windows are a pure function of the files. Lines ending "\r\n" count as
 * ending "\n", as readTextFiles normalises them.
 *
 * @example
 * const data = await prepareStreamedLm(["wiki.txt"], { level: "word" }, { batchSize: 20,
 *   bpttLen: 35, budgetBytes: 256e6 });
 * new StreamedLanguageModelTask(model, data.train, data.valid, { batchSize: 20, bpttLen: 35 });
 */
import { StreamBpttIterator } from "../data/bptt.js";
import { Vocab } from "../data/vocab.js";
import { isDirectory, listFiles } from "../io/node/files.js";
import {
  lineStart,
  readTextLines,
  textStreamSize,
  textTokenSources,
} from "../io/node/text-stream.js";
import { checkVocabSize } from "../tasks/common/limits.js";
import { lmTokens, lmVocabOptions, type LmDataConfig } from "../tasks/language-model/data.js";
import type { LmWindowStream } from "../tasks/language-model/task.js";

export interface StreamedLmData {
  vocab: Vocab;
  train: LmWindowStream;
  valid: Int32Array;
  test: Int32Array;
  /** Training tokens N (all rows together, before cutting into rows). */
  trainTokens: number;
  /** Bytes of the corpus. */
  bytes: number;
}

/** The files of `text:PATH` as readTextFiles sees them (a directory: its *.txt, natural order). */
export async function textCorpusFiles(path: string): Promise<string[]> {
  const where = "train lm";
  if (!(await isDirectory(path, where))) return [path];
  const files = await listFiles(path, { ext: ".txt", where });
  if (files.length === 0) throw new Error(`${where}: no *.txt files in directory ${path}`);
  return files;
}

/** Bytes of the corpus at `path` (a file or a directory of *.txt). */
export async function textCorpusBytes(path: string): Promise<number> {
  return textStreamSize(await textCorpusFiles(path));
}

const normalise = (line: string): string =>
  line.endsWith("\r\n") ? `${line.slice(0, -2)}\n` : line;

/** Token ids of bytes [from, to), in memory. */
async function heldOut(
  files: string[],
  config: LmDataConfig,
  vocab: Vocab,
  from: number,
  to: number,
): Promise<Int32Array> {
  let ids = new Int32Array(1024);
  let n = 0;
  for await (const line of readTextLines(files, { range: [from, to] })) {
    for (const id of vocab.encode(lmTokens(normalise(line), config))) {
      if (n === ids.length) {
        const grown = new Int32Array(2 * n);
        grown.set(ids);
        ids = grown;
      }
      ids[n++] = id;
    }
  }
  return ids.slice(0, n);
}

/** Splits, vocabulary and training stream of a corpus read from disk (see the file header). */
export async function prepareStreamedLm(
  files: string[],
  config: LmDataConfig,
  options: { batchSize: number; bpttLen: number; budgetBytes: number },
): Promise<StreamedLmData> {
  const { validFraction = 0.05, testFraction = 0.05 } = config;
  const bytes = await textStreamSize(files);
  const trainEnd = await lineStart(files, Math.floor(bytes * (1 - validFraction - testFraction)));
  const validEnd = await lineStart(files, Math.floor(bytes * (1 - testFraction)));
  const counts = new Map<string, number>();
  for await (const line of readTextLines(files, { range: [0, trainEnd] }))
    for (const token of lmTokens(normalise(line), config))
      counts.set(token, (counts.get(token) ?? 0) + 1);
  const vocab = Vocab.fromCounts(counts, {
    ...lmVocabOptions(config.level),
    minFreq: config.minFreq,
    maxSize: config.maxSize,
  });
  checkVocabSize(vocab.length, "train lm (streamed)");
  const quarter = Math.max(1, Math.floor(options.budgetBytes / 4));
  const validTo = await lineStart(files, Math.min(validEnd, trainEnd + quarter));
  const testTo = await lineStart(files, Math.min(bytes, validEnd + quarter));
  const valid = await heldOut(files, config, vocab, trainEnd, validTo);
  const test = await heldOut(files, config, vocab, validEnd, testTo);
  const sources = await textTokenSources(files, {
    batchSize: options.batchSize,
    split: "tokens",
    range: [0, trainEnd],
    tokenize: (line) => vocab.encode(lmTokens(normalise(line), config)),
  });
  const L = sources.rowLength ?? 0;
  const numWindows = L > 1 ? Math.ceil((L - 1) / options.bpttLen) : 0;
  const windows = new StreamBpttIterator(sources.sources, { bpttLen: options.bpttLen });
  return {
    vocab,
    train: { windows, numWindows },
    valid,
    test,
    trainTokens: sources.totalTokens ?? 0,
    bytes,
  };
}
