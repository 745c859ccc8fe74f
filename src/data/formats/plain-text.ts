/**
 * Bytes → text, strictly: UTF-8 only, with invalid bytes reported by file and 1-based line rather
 * than turned into U+FFFD, and plain text normalised for language models ("\r\n" → "\n").
 *
 * Browser-safe (works on the bytes of an uploaded file as on a file read in Node).
 *
 * @example
 * const { text } = decodeUtf8(bytes, { source: "corpus.txt" });
 * const lm = parsePlainText(text, { source: "corpus.txt" });   // "\n" line ends
 */
import { BadLines, DataFormatError, type ParseOptions } from "./common.js";

/** Decoded text plus the lines that `skipBadLines` left out. */
export interface DecodedText {
  text: string;
  skipped: number;
  issues: DataFormatError[];
}

/**
 * Index of the first byte where `bytes` stops being well-formed UTF-8 (the WHATWG decoder's rules:
 * no overlongs, no surrogates, nothing above U+10FFFF, no truncated sequence), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < lo || c > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes UTF-8 bytes (a leading BOM is dropped). An empty input, or invalid UTF-8, throws a
 * DataFormatError naming `source` and the line of the first bad byte; with `skipBadLines`, lines
 * that hold invalid bytes become empty lines instead (an empty input still throws).
 */
export function decodeUtf8(
  bytes: Uint8Array,
  options: ParseOptions & { where?: string } = {},
): DecodedText {
  const bad = new BadLines(options.where ?? "decodeUtf8", options);
  // Not a bad line that skipping could leave out: there is nothing to read at all.
  if (bytes.length === 0) throw new DataFormatError(bad.where, bad.source, 1, "the file is empty");
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text, skipped: 0, issues: [] };
  } catch {
    // Fall through: locate the bad byte(s) below.
  }
  const first = new TextDecoder("utf-8"); // drops a leading BOM, as the whole-file decode does
  const rest = new TextDecoder("utf-8", { ignoreBOM: true });
  const parts: string[] = [];
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    const piece = bytes.subarray(start, end);
    const at = firstInvalidUtf8(piece);
    if (at >= 0) {
      bad.report(line, `invalid UTF-8 (byte 0x${piece[at]!.toString(16)} at column ${at + 1})`);
      parts.push(""); // an empty line keeps later line numbers right; parsers skip blank lines
    } else {
      parts.push((line === 1 ? first : rest).decode(piece)); // valid: checked above
    }
    start = end + 1;
    line++;
  }
  return { text: parts.join("\n"), skipped: bad.issues.length, issues: bad.issues };
}

/**
 * Plain text for a language model: "\r\n" and lone "\r" become "\n"; a line holding a NUL
 * character (a binary file given by mistake) is an error, or is left out with `skipBadLines`;
 * text that is empty or only whitespace is an error.
 */
export function parsePlainText(text: string, options: ParseOptions = {}): DecodedText {
  const bad = new BadLines("parsePlainText", options);
  let out = text.replace(/\r\n?/g, "\n");
  if (out.includes("\0")) {
    const lines = out.split("\n");
    const kept: string[] = [];
    lines.forEach((l, i) => {
      if (l.includes("\0")) bad.report(i + 1, "contains a NUL character (is this a binary file?)");
      else kept.push(l);
    });
    out = kept.join("\n");
  }
  if (out.trim().length === 0) {
    throw new Error(`parsePlainText: ${bad.source} contains no text (only whitespace)`);
  }
  return { text: out, skipped: bad.issues.length, issues: bad.issues };
}
