/**
 * The run's metrics as JSON lines: `metrics.jsonl` in the run directory, one record per line,
 * appended as training goes, so a crashed or interrupted run keeps everything it logged.
 *
 *   {"split":"train","epoch":1,"step":100,"time":12.345,"loss":2.31,"tokensPerSec":10500}
 *   {"split":"valid","epoch":1,"step":500,"time":61.2,"loss":1.98,"perplexity":7.24}
 *
 * `step` is the global optimizer step (it keeps counting across epochs), `epoch` may be fractional
 * (2.5: halfway through the third), `time` is the seconds since the log was opened. Every other field is a number; NaN and ±Infinity (a diverged loss is worth
 * keeping) are written as the strings "NaN", "Infinity", "-Infinity", which JSON cannot hold as
 * numbers, and read back as numbers.
 *
 * Each record is one synchronous append of a whole line, so a crash can only cut the last line
 * short. `readMetrics` drops such a line; `MetricsLog` trims it before appending again, so a
 * resumed run never glues a record onto half of another. A bad line anywhere else is an error that
 * names the file and line.
 *
 * @example
 * const log = new MetricsLog("runs/lm");
 * log.append({ split: "train", epoch: 1, step: 100, loss: 2.31, tokensPerSec: 10500 });
 * log.close();
 * const records = await readMetrics("runs/lm/metrics.jsonl");
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export type Split = "train" | "valid" | "test";

/** A record as passed to `append`: `time` is filled in unless given. */
export interface MetricInput {
  split: Split;
  epoch: number;
  /** The global optimizer step. */
  step: number;
  /** Seconds since the log was opened. */
  time?: number;
  loss?: number;
  accuracy?: number;
  perplexity?: number;
  tokensPerSec?: number;
  samplesPerSec?: number;
  lr?: number;
  [metric: string]: number | string | undefined;
}

/** One line of metrics.jsonl. */
export interface MetricRecord extends MetricInput {
  time: number;
}

export interface MetricsLogOptions {
  /** Default `metrics.jsonl`. */
  fileName?: string;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

const SPLITS: readonly string[] = ["train", "valid", "test"];

/** Appends metric records to `<dir>/metrics.jsonl`. */
export class MetricsLog {
  readonly path: string;
  /** The records appended through this log (not those already in the file). */
  readonly records: MetricRecord[] = [];
  private readonly now: () => number;
  private readonly startedAt: number;
  private fd: number | null;

  constructor(dir: string, options: MetricsLogOptions = {}) {
    this.path = join(dir, options.fileName ?? "metrics.jsonl");
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(this.path, "a+");
    trimPartialLine(this.fd);
  }

  /** Validates, timestamps and appends one record; returns it as written. */
  append(input: MetricInput): MetricRecord {
    if (this.fd === null) throw new Error(`MetricsLog: ${this.path} is closed`);
    const time = input.time ?? Math.round(this.now() - this.startedAt) / 1000;
    const record = { ...input, time } as MetricRecord;
    const problem = checkRecord(record);
    if (problem) throw new TypeError(`MetricsLog: ${problem}`);
    writeSync(this.fd, serializeRecord(record) + "\n");
    this.records.push(record);
    return record;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** One record as a JSON line (without the newline), with the fixed fields first. */
export function serializeRecord(record: MetricRecord): string {
  const { split, epoch, step, time, ...rest } = record;
  const ordered: Record<string, unknown> = { split, epoch, step, time };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) ordered[key] = value;
  return JSON.stringify(ordered, (_key, value: unknown) =>
    typeof value === "number" && !Number.isFinite(value) ? String(value) : value,
  );
}

/** Parses metrics.jsonl text; `source` names the file in errors. */
export function parseMetrics(text: string, source = "metrics.jsonl"): MetricRecord[] {
  const lines = text.split("\n");
  const complete = text.endsWith("\n") ? lines.length - 1 : lines.length;
  const records: MetricRecord[] = [];
  for (let i = 0; i < complete; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const last = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line, (_key, v: unknown) =>
        v === "NaN" || v === "Infinity" || v === "-Infinity" ? Number(v) : v,
      );
    } catch (e) {
      // Only the last, unterminated line can be a torn write.
      if (last) break;
      throw new Error(`${source}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const problem = checkRecord(value);
    if (problem) {
      if (last) break;
      throw new Error(`${source}:${i + 1}: ${problem}`);
    }
    records.push(value as MetricRecord);
  }
  return records;
}

/** Reads a metrics.jsonl file, tolerating a torn last line. */
export async function readMetrics(path: string): Promise<MetricRecord[]> {
  return parseMetrics(await readFile(path, "utf8"), path);
}

/** Why `value` is not a MetricRecord, or null. */
function checkRecord(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "a record must be a JSON object";
  }
  const record = value as Record<string, unknown>;
  if (typeof record.split !== "string" || !SPLITS.includes(record.split)) {
    return `split must be "train", "valid" or "test", got ${JSON.stringify(record.split)}`;
  }
  for (const key of ["epoch", "step", "time"]) {
    if (typeof record[key] !== "number" || !Number.isFinite(record[key])) {
      return `${key} must be a finite number, got ${JSON.stringify(record[key])}`;
    }
  }
  for (const [key, v] of Object.entries(record)) {
    if (key !== "split" && v !== undefined && typeof v !== "number") {
      return `${key} must be a number, got ${JSON.stringify(v)}`;
    }
  }
  return null;
}

/** Cuts a file opened for appending back to its last newline (a crash's half-written record). */
function trimPartialLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at >= 0) {
      if (start + at + 1 < size) ftruncateSync(fd, start + at + 1);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}
