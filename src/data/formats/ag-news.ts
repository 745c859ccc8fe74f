/**
 * AG News as distributed in `ag_news_csv/{train,test}.csv` (and torchtext's AG_NEWS): CSV records
 * `label,title,description` with labels 1–4, every field quoted, quotes inside written twice.
 * An example is { text: title + " " + description, label: label − 1 } (torchtext joins the two
 * fields the same way), with classes ["World", "Sports", "Business", "Sci/Tech"].
 *
 * The text is kept as the file has it (including its `\` line-break marks and `#39;`-style entity
 * remnants): cleaning is the tokenizer's business. A first record whose label is a column name
 * ("Class Index", "label": the Kaggle copy has this header) is skipped as a header.
 *
 * @example
 * const { records } = parseAgNews('"3","Wall St. Bears","Short-sellers are ""back"""\n');
 * // [{ text: 'Wall St. Bears Short-sellers are "back"', label: 2 }]   // 2 = Business
 */
import { BadLines, show, type ParseOptions, type Parsed, type TextExample } from "./common.js";
import { parseCsv } from "./csv.js";

export const AG_NEWS_CLASSES: readonly string[] = ["World", "Sports", "Business", "Sci/Tech"];

/** Parses AG News CSV text into labelled examples (labels 0..3). */
export function parseAgNews(text: string, options: ParseOptions = {}): Parsed<TextExample> {
  const where = "parseAgNews";
  // Collect CSV and label problems together, so the error thrown is the first in file order.
  const csv = parseCsv(text, {
    source: options.source,
    skipBadLines: true,
    where,
    fields: 3,
    fieldNames: "label, title, description",
  });
  const bad = new BadLines(where, { source: options.source, skipBadLines: true });
  bad.issues.push(...csv.issues);
  const examples: TextExample[] = [];
  csv.records.forEach(({ line, fields }, r) => {
    const [label, title, description] = fields as [string, string, string];
    if (r === 0 && /^\s*(class|label)/i.test(label)) return; // a header row
    const k = /^\s*\d+\s*$/.test(label) ? Number(label) : NaN;
    if (!(k >= 1 && k <= AG_NEWS_CLASSES.length)) {
      bad.report(
        line,
        `expected a label 1-4 (World, Sports, Business, Sci/Tech), got ${show(label)}`,
      );
      return;
    }
    examples.push({ text: `${title} ${description}`, label: k - 1 });
  });
  bad.issues.sort((a, b) => a.line - b.line);
  if (!options.skipBadLines && bad.issues.length > 0) throw bad.issues[0];
  return bad.finish(examples, "AG News records");
}
