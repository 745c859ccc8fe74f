/**
 * Streaming a text corpus into token ids for truncated-BPTT language models (Node only), in
 * memory bounded by the batch size, not the file size.
 *
 * The files are read as one concatenated stream of lines. Each line (with its "\n", like Python's
 * `for line in f`; the last line of a file may lack it) goes through the caller's `tokenize`, and
 * the ids are cut into B = batchSize rows, one async source per row, for `StreamBpttIterator`:
 *
 * - `split: "bytes"` (default, one pass): row b covers bytes [b·S/B, (b+1)·S/B) of the S-byte
 *   stream, both ends moved forward to the next line start (a "\n" byte is never inside a UTF-8
 *   sequence, so line starts are also character starts). Rows differ in length by a few lines;
 *   the BPTT iterator stops at the shortest one.
 * - `split: "tokens"` (two passes): a first pass counts the N tokens, then row b is exactly tokens
 *   [b·L, (b+1)·L), L = ⌊N/B⌋, as word_language_model's `batchify` cuts an in-memory stream, so
 *   the windows equal `BpttIterator`'s over the whole tokenized corpus. The first pass keeps one
 *   (position, token count) pair per chunk read: 16 bytes per `chunkSize` bytes of text.
 *
 * `range` restricts either split to bytes [start, end) of the stream (line starts: `lineStart`
 * finds them), so that one corpus gives a training stream and held-out tails.
 *
 * Bytes are read with positioned reads of `chunkSize` (64 KiB) into one reused buffer per row and
 * decoded with a streaming `TextDecoder` (fatal: invalid UTF-8 throws, naming the file and 1-based
 * line). Each row holds one chunk plus the unfinished line, so memory is O(B·(chunkSize + longest
 * line)); a line longer than `maxLineBytes` throws rather than growing without bound.
 *
 * @example
 * const ids = new Map<string, number>(); // word → id, built beforehand (e.g. over readTextLines)
 * const it = await streamTextBptt("wiki.train.txt", {
 *   batchSize: 20, bpttLen: 35,
 *   tokenize: (line) => [...line.split(/\s+/).filter(Boolean), "<eos>"].map((w) => ids.get(w) ?? 0),
 * });
 * for await (const { input, target } of it) { ... }   // input, target [35, 20]
 */
import { open, stat } from "node:fs/promises";
import { StreamBpttIterator, type StreamBpttOptions } from "../../data/bptt.js";

export type LineTokenizer = (line: string) => ArrayLike<number> | Iterable<number>;

export interface TextSourcesOptions {
  /** Number of rows B. */
  batchSize: number;
  /** Token ids of one line (the line includes its "\n"). */
  tokenize: LineTokenizer;
  /** How rows are cut: by bytes (one pass, default) or exactly by tokens (two passes). */
  split?: "bytes" | "tokens";
  /** Bytes per read (default 65536). */
  chunkSize?: number;
  /** Longest line accepted, in bytes (default 64 MiB). */
  maxLineBytes?: number;
  /** Only bytes [start, end) of the concatenated stream, both line starts (see `lineStart`). */
  range?: readonly [number, number];
}

export interface TextTokenSources {
  /** One re-iterable source of Int32Array chunks per row. */
  sources: AsyncIterable<Int32Array>[];
  /** Where each row starts in the concatenated byte stream. */
  starts: number[];
  /** Total tokens N and row length L (split "tokens" only). */
  totalTokens?: number;
  rowLength?: number;
}

interface FileInfo {
  path: string;
  size: number;
  /** Offset of the file in the concatenated stream. */
  offset: number;
}

interface Config {
  where: string;
  chunkSize: number;
  maxLineBytes: number;
}

/** Lines of a batch read from one file, all starting at byte `start` of that file. */
interface LineBatch {
  file: FileInfo;
  lines: string[];
  /** Byte offset (in the file) of the first line. */
  start: number;
  /** Lines of this piece before this batch. */
  linesBefore: number;
  /** Byte offset (in the file) where this piece began. */
  pieceStart: number;
}

async function statFiles(where: string, paths: readonly string[]): Promise<FileInfo[]> {
  let offset = 0;
  const files: FileInfo[] = [];
  for (const path of paths) {
    let size: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new Error("not a regular file");
      size = s.size;
    } catch (e) {
      throw new Error(`${where}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
    }
    files.push({ path, size, offset });
    offset += size;
  }
  return files;
}

/** 1-based line number of byte `pos` of a file (scans the file; used on error paths only). */
async function lineNumberAt(path: string, pos: number): Promise<number> {
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(1 << 16);
    let line = 1;
    for (let at = 0; at < pos;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, pos - at), at);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) if (buf[i] === 10) line++;
      at += bytesRead;
    }
    return line;
  } finally {
    await fh.close();
  }
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits text that ends in "\n" into lines that keep their "\n". */
function splitLines(text: string, out: string[]): void {
  let from = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
    out.push(text.slice(from, nl + 1));
    from = nl + 1;
  }
  if (from < text.length) out.push(text.slice(from));
}

/** Throws the invalid-UTF-8 error for `bytes`, naming the first line that fails to decode. */
async function invalidUtf8(
  cfg: Config,
  file: FileInfo,
  at: number,
  bytes: Uint8Array,
): Promise<never> {
  let line = 0;
  for (let from = 0; from < bytes.length; line++) {
    let nl = bytes.indexOf(10, from);
    if (nl < 0) nl = bytes.length - 1;
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
        bytes.subarray(from, nl + 1),
      );
    } catch {
      break;
    }
    from = nl + 1;
  }
  const n = (await lineNumberAt(file.path, at)) + line;
  throw new Error(`${cfg.where}: invalid UTF-8 in ${file.path} at line ${n}`);
}

/** Reads bytes [from, to) of a file (from at a line start) as batches of decoded lines. */
async function* readPiece(
  cfg: Config,
  file: FileInfo,
  from: number,
  to: number,
): AsyncGenerator<LineBatch> {
  let fh;
  try {
    fh = await open(file.path, "r");
  } catch (e) {
    throw new Error(`${cfg.where}: cannot open ${file.path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: from > 0 });
    const buf = new Uint8Array(cfg.chunkSize);
    let pending: Uint8Array[] = [];
    let pendingLen = 0;
    let pos = from;
    let linesBefore = 0;
    const decodeLines = async (
      bytes: Uint8Array,
      start: number,
      last: boolean,
    ): Promise<LineBatch> => {
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: !last });
      } catch {
        return invalidUtf8(cfg, file, start, bytes);
      }
      const lines: string[] = [];
      splitLines(text, lines);
      const batch = { file, lines, start, linesBefore, pieceStart: from };
      linesBefore += lines.length;
      return batch;
    };
    while (pos < to) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - pos), pos);
      if (bytesRead === 0) throw new Error(`${cfg.where}: ${file.path} shrank while being read`);
      pos += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        pending.push(chunk.slice());
        pendingLen += bytesRead;
      } else {
        const head = concatBytes([...pending, chunk.subarray(0, nl + 1)], pendingLen + nl + 1);
        const start = pos - bytesRead - pendingLen;
        pending = nl + 1 < bytesRead ? [chunk.slice(nl + 1)] : [];
        pendingLen = bytesRead - nl - 1;
        yield await decodeLines(head, start, false);
      }
      if (pendingLen > cfg.maxLineBytes) {
        const n = await lineNumberAt(file.path, pos - pendingLen);
        throw new Error(
          `${cfg.where}: line ${n} of ${file.path} is longer than maxLineBytes (${cfg.maxLineBytes})`,
        );
      }
    }
    if (pendingLen > 0)
      yield await decodeLines(concatBytes(pending, pendingLen), to - pendingLen, true);
  } finally {
    await fh.close();
  }
}

/** Line batches of the concatenated stream from byte `start` to byte `end`. */
async function* readRange(
  cfg: Config,
  files: FileInfo[],
  start: number,
  end: number,
): AsyncGenerator<LineBatch> {
  for (const f of files) {
    const from = Math.max(start, f.offset) - f.offset;
    const to = Math.min(end, f.offset + f.size) - f.offset;
    if (from < to) yield* readPiece(cfg, f, from, to);
  }
}

/** Collects the ids of a batch's lines into one Int32Array, checking they are integers. */
async function tokenizeBatch(
  cfg: Config,
  tokenize: LineTokenizer,
  batch: LineBatch,
): Promise<Int32Array> {
  let out = new Int32Array(Math.max(16, batch.lines.length * 8));
  let n = 0;
  for (let i = 0; i < batch.lines.length; i++) {
    let bad: unknown = undefined;
    let ids: ArrayLike<number> | Iterable<number>;
    try {
      ids = tokenize(batch.lines[i]);
    } catch (e) {
      bad = e;
      ids = [];
    }
    const list =
      Array.isArray(ids) || ArrayBuffer.isView(ids)
        ? (ids as ArrayLike<number>)
        : Array.from(ids as Iterable<number>);
    if (n + list.length > out.length) {
      const grown = new Int32Array(Math.max(out.length * 2, n + list.length));
      grown.set(out.subarray(0, n));
      out = grown;
    }
    for (let k = 0; k < list.length && bad === undefined; k++) {
      const v = list[k];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) bad = `token id ${String(v)}`;
      else out[n + k] = v;
    }
    if (bad !== undefined) {
      const line = (await lineNumberAt(batch.file.path, batch.pieceStart)) + batch.linesBefore + i;
      const what = bad instanceof Error ? bad.message : `it returned a non-integer ${String(bad)}`;
      throw new Error(`${cfg.where}: tokenize failed on ${batch.file.path} line ${line}: ${what}`, {
        cause: bad instanceof Error ? bad : undefined,
      });
    }
    n += list.length;
  }
  return out.subarray(0, n);
}

/** Moves `pos` forward to the next line start (or file start) of the concatenated stream. */
async function alignToLine(files: FileInfo[], pos: number): Promise<number> {
  const f = files.find((x) => pos >= x.offset && pos < x.offset + x.size);
  if (f === undefined) return pos;
  const local = pos - f.offset;
  if (local === 0) return pos;
  const fh = await open(f.path, "r");
  try {
    const buf = new Uint8Array(1 << 12);
    for (let at = local - 1; at < f.size;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, f.size - at), at);
      if (bytesRead === 0) break;
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) return f.offset + at + nl + 1;
      at += bytesRead;
    }
    return f.offset + f.size;
  } finally {
    await fh.close();
  }
}

/** [start, end) of the stream: `range` checked against its size, or all of it. */
function checkRange(
  where: string,
  range: readonly [number, number] | undefined,
  files: FileInfo[],
): [number, number] {
  const size = files.reduce((s, f) => s + f.size, 0);
  if (range === undefined) return [0, size];
  const [a, b] = range;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || a > b || b > size)
    throw new Error(
      `${where}: expected range [start, end) with 0 ≤ start ≤ end ≤ ${size} (the bytes of the files), got [${a}, ${b}]`,
    );
  return [a, b];
}

function checkCount(where: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${where}: expected ${name} to be a positive integer, got ${v}`);
}

/** A source that tokenizes bytes [start, end), skipping `skip` ids and yielding at most `limit`. */
function rowSource(
  cfg: Config,
  files: FileInfo[],
  tokenize: LineTokenizer,
  start: number,
  end: number,
  skip = 0,
  limit = Infinity,
): AsyncIterable<Int32Array> {
  return {
    async *[Symbol.asyncIterator]() {
      let toSkip = skip;
      let left = limit;
      if (left === 0) return;
      for await (const batch of readRange(cfg, files, start, end)) {
        let ids = await tokenizeBatch(cfg, tokenize, batch);
        if (toSkip > 0) {
          const k = Math.min(toSkip, ids.length);
          ids = ids.subarray(k);
          toSkip -= k;
        }
        if (ids.length > left) ids = ids.subarray(0, left);
        left -= ids.length;
        if (ids.length > 0) yield ids;
        if (left === 0) return;
      }
    },
  };
}

/** B async token sources over the lines of `paths` (see the file header). */
export async function textTokenSources(
  paths: string | readonly string[],
  options: TextSourcesOptions,
): Promise<TextTokenSources> {
  const where = "textTokenSources";
  const list = typeof paths === "string" ? [paths] : [...paths];
  if (list.length === 0) throw new Error(`${where}: expected at least one file path`);
  const { batchSize: B, tokenize, split = "bytes" } = options;
  checkCount(where, "batchSize", B);
  if (typeof tokenize !== "function") throw new Error(`${where}: expected a tokenize function`);
  if (split !== "bytes" && split !== "tokens")
    throw new Error(`${where}: expected split "bytes" or "tokens", got ${String(split)}`);
  const cfg: Config = {
    where,
    chunkSize: options.chunkSize ?? 1 << 16,
    maxLineBytes: options.maxLineBytes ?? 1 << 26,
  };
  checkCount(where, "chunkSize", cfg.chunkSize);
  checkCount(where, "maxLineBytes", cfg.maxLineBytes);
  const files = await statFiles(where, list);
  const [lo, S] = checkRange(where, options.range, files);

  if (split === "bytes") {
    const starts: number[] = [lo];
    for (let b = 1; b <= B; b++) {
      const p = b === B ? S : await alignToLine(files, lo + Math.floor((b * (S - lo)) / B));
      starts.push(Math.max(p, starts[b - 1]));
    }
    const sources = Array.from({ length: B }, (_, b) =>
      rowSource(cfg, files, tokenize, starts[b], starts[b + 1]),
    );
    return { sources, starts: starts.slice(0, B) };
  }

  // Counting pass: one checkpoint (stream position, tokens before it) per batch of lines.
  const positions: number[] = [];
  const before: number[] = [];
  let N = 0;
  for await (const batch of readRange(cfg, files, lo, S)) {
    positions.push(batch.file.offset + batch.start);
    before.push(N);
    N += (await tokenizeBatch(cfg, tokenize, batch)).length;
  }
  const L = Math.floor(N / B);
  const starts: number[] = [];
  const sources: AsyncIterable<Int32Array>[] = [];
  for (let b = 0; b < B; b++) {
    const t = b * L;
    let k = 0; // last checkpoint with before[k] ≤ t (binary search)
    for (let lo = 0, hi = before.length - 1; lo <= hi;) {
      const mid = (lo + hi) >> 1;
      if (before[mid] <= t) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const at = positions.length > 0 ? positions[k] : lo;
    starts.push(at);
    sources.push(rowSource(cfg, files, tokenize, at, S, t - (before[k] ?? 0), L));
  }
  return { sources, starts, totalTokens: N, rowLength: L };
}

/** `StreamBpttIterator` over `textTokenSources(paths, options)`: LM windows from files. */
export async function streamTextBptt(
  paths: string | readonly string[],
  options: TextSourcesOptions & StreamBpttOptions,
): Promise<StreamBpttIterator> {
  const { sources } = await textTokenSources(paths, options);
  return new StreamBpttIterator(sources, options);
}

/** The lines of `paths` in order (of bytes `range` only), each with its "\n", strict UTF-8. */
export async function* readTextLines(
  paths: string | readonly string[],
  options: { chunkSize?: number; maxLineBytes?: number; range?: readonly [number, number] } = {},
): AsyncGenerator<string> {
  const where = "readTextLines";
  const list = typeof paths === "string" ? [paths] : [...paths];
  const cfg: Config = {
    where,
    chunkSize: options.chunkSize ?? 1 << 16,
    maxLineBytes: options.maxLineBytes ?? 1 << 26,
  };
  checkCount(where, "chunkSize", cfg.chunkSize);
  const files = await statFiles(where, list);
  const [lo, hi] = checkRange(where, options.range, files);
  for await (const batch of readRange(cfg, files, lo, hi)) yield* batch.lines;
}

/** Bytes in the concatenation of `paths`. */
export async function textStreamSize(paths: string | readonly string[]): Promise<number> {
  const files = await statFiles("textStreamSize", typeof paths === "string" ? [paths] : paths);
  return files.reduce((s, f) => s + f.size, 0);
}

/** The first line start at or after byte `pos` of the concatenation of `paths` (a range end). */
export async function lineStart(paths: string | readonly string[], pos: number): Promise<number> {
  const files = await statFiles("lineStart", typeof paths === "string" ? [paths] : paths);
  return alignToLine(files, pos);
}
