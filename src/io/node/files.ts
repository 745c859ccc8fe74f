/**
 * Reading text files for the data readers (Node only): strict UTF-8 with errors that name the
 * file and 1-based line (see data/formats/plain-text.ts `decodeUtf8`), empty files refused,
 * directory listings in one deterministic (natural) order, and many small files read with
 * bounded concurrency.
 *
 * @example
 * const { text } = await readUtf8File("data/train.csv", { where: "readAgNews" });
 * const files = await listFiles("aclImdb/train/pos", { ext: ".txt" });   // 0_9.txt, 1_7.txt, …
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { naturalCompare, type ParseOptions } from "../../data/formats/common.js";
import { decodeUtf8, type DecodedText } from "../../data/formats/plain-text.js";

export interface ReadFileOptions extends Pick<ParseOptions, "skipBadLines"> {
  /** Reader name used in errors. */
  where: string;
}

/** Reads a whole file as strict UTF-8 (see `decodeUtf8`); a missing file names the reader. */
export async function readUtf8File(path: string, options: ReadFileOptions): Promise<DecodedText> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`${options.where}: cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return decodeUtf8(bytes, { ...options, source: path });
}

/** Whether `path` is a directory (false when it is a file; throws, naming `where`, if absent). */
export async function isDirectory(path: string, where: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    throw new Error(`${where}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The regular files directly in `dir` whose names end with `ext` (all when omitted), as full
 * paths in natural order ("2.txt" before "10.txt"). Hidden files (".name") are left out.
 */
export async function listFiles(
  dir: string,
  options: { ext?: string; where?: string } = {},
): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new Error(
      `${options.where ?? "listFiles"}: cannot list ${dir}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return entries
    .filter((d) => d.isFile() && !d.name.startsWith("."))
    .map((d) => d.name)
    .filter((name) => options.ext === undefined || name.endsWith(options.ext))
    .sort(naturalCompare)
    .map((name) => join(dir, name));
}

/** `fn` over `items` with at most `concurrency` calls in flight; results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  concurrency = 32,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
