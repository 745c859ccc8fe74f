/**
 * Tab-separated sentence pairs, one per line, as Tatoeba/manythings.org's Anki files
 * (`fra.txt`: "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & …") and
 * the PyTorch seq2seq tutorial's `eng-fra.txt` ("Go.\tVa !") write them. A third column (the
 * Anki attribution) is ignored; any other number of fields, or an empty side, is an error (or a
 * left-out line with `skipBadLines`). Blank lines are not pairs; "\r\n" line ends are fine.
 *
 * `reverse: true` swaps the sides (the tutorial's `reverse=True`, to translate fra → eng).
 *
 * @example
 * const { records } = parsePairs("Go.\tVa !\tCC-BY 2.0\nHi.\tSalut !\n");
 * // [{ source: "Go.", target: "Va !" }, { source: "Hi.", target: "Salut !" }]
 */
import { BadLines, type ParseOptions, type Parsed, type SentencePair } from "./common.js";

export interface PairsOptions extends ParseOptions {
  /** Swap source and target. Default false. */
  reverse?: boolean;
}

/** Parses tab-separated pairs (see the module comment). */
export function parsePairs(text: string, options: PairsOptions = {}): Parsed<SentencePair> {
  const bad = new BadLines("parsePairs", options);
  const pairs: SentencePair[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    const fields = line.split("\t");
    if (fields.length !== 2 && fields.length !== 3) {
      bad.report(
        i + 1,
        `expected 2 tab-separated fields (source, target), or 3 with an attribution, got ${fields.length}`,
      );
      return;
    }
    const source = fields[0]!.trim();
    const target = fields[1]!.trim();
    if (source === "" || target === "") {
      bad.report(i + 1, `expected a non-empty ${source === "" ? "source" : "target"} sentence`);
      return;
    }
    pairs.push(options.reverse ? { source: target, target: source } : { source, target });
  });
  return bad.finish(pairs, "sentence pairs");
}
