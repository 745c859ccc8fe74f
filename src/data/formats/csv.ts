/**
 * CSV as RFC 4180 writes it (and as AG News's train.csv uses it): fields separated by commas,
 * records by "\r\n" or "\n"; a field in double quotes may hold commas, line breaks and quotes
 * written twice (`"He said ""hi"""` → `He said "hi"`). Every record carries the 1-based line it
 * starts on, so later checks (field count, label) can name it.
 *
 * Strict where lenient parsers guess: a quote inside an unquoted field, text after a closing
 * quote, a quote never closed, or (with `fields`) a record of the wrong width is a
 * DataFormatError, or a left-out record with `skipBadLines`. Blank lines are not records
 * (Python's csv and pandas skip them too); a leading BOM is dropped.
 *
 * @example
 * const { records } = parseCsv('1,"a, b",c\n2,"say ""hi""",d\n', { fields: 3 });
 * // [{ line: 1, fields: ["1", "a, b", "c"] }, { line: 2, fields: ["2", 'say "hi"', "d"] }]
 */
import { BadLines, show, type ParseOptions, type Parsed } from "./common.js";

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export interface CsvOptions extends ParseOptions {
  /** Required number of fields per record; other widths are errors. */
  fields?: number;
  /** Name the field list in width errors, e.g. "label, title, description". */
  fieldNames?: string;
  /** Reader name used in errors (default "parseCsv"). */
  where?: string;
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

/** Parses CSV text into records (see the module comment for the rules). */
export function parseCsv(text: string, options: CsvOptions = {}): Parsed<CsvRecord> {
  const bad = new BadLines(options.where ?? "parseCsv", options);
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  /** Skips to just past the end of the current physical line (recovery after a bad record). */
  const skipLine = () => {
    while (i < n && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
    if (text.charCodeAt(i) === CR) i++;
    if (text.charCodeAt(i) === LF) i++;
    line++;
  };

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: { line: number; reason: string } | undefined;
    let quoted = false;
    // One record: fields until an unquoted line break or the end of the text.
    for (;;) {
      let field: string;
      if (text.charCodeAt(i) === QUOTE) {
        const open = line;
        let j = i + 1;
        const parts: string[] = [];
        let closed = false;
        while (j < n) {
          const q = text.indexOf('"', j);
          if (q < 0) break;
          parts.push(text.slice(j, q));
          if (text.charCodeAt(q + 1) === QUOTE) {
            parts.push('"');
            j = q + 2;
          } else {
            closed = true;
            j = q + 1;
            break;
          }
        }
        field = closed ? parts.join("") : text.slice(i + 1);
        line += countNewlines(text, i, closed ? j : n);
        quoted = true;
        if (!closed) {
          error = { line: open, reason: "a quoted field opened on this line is never closed" };
          i = n;
          break;
        }
        i = j;
        const c = text.charCodeAt(i);
        if (i < n && c !== COMMA && c !== LF && c !== CR) {
          error = {
            line,
            reason: `expected "," or a line end after a closing quote, got ${show(text[i]!)}`,
          };
          break;
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) {
            error = { line, reason: `unexpected '"' inside an unquoted field` };
            break;
          }
          j++;
        }
        if (error) {
          i = j;
          break;
        }
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      break;
    }
    if (error) {
      bad.report(error.line, error.reason);
      if (i < n) skipLine();
      continue;
    }
    // Consume the record's line break.
    if (text.charCodeAt(i) === CR) i++;
    if (text.charCodeAt(i) === LF) i++;
    line++;
    if (fields.length === 1 && fields[0] === "" && !quoted) continue; // a blank line
    if (options.fields !== undefined && fields.length !== options.fields) {
      const names = options.fieldNames ? ` (${options.fieldNames})` : "";
      bad.report(start, `expected ${options.fields} fields${names}, got ${fields.length}`);
      continue;
    }
    records.push({ line: start, fields });
  }
  return { records, skipped: bad.issues.length, issues: bad.issues };
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf("\n", from); k >= 0 && k < to; k = text.indexOf("\n", k + 1)) count++;
  return count;
}
