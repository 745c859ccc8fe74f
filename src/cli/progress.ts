/**
 * Watching a run learn: one status line with the epoch, step/total, ETA, the metrics the caller
 * passes (loss, accuracy or perplexity, throughput, …) and the elapsed time.
 *
 * In a terminal it is a single cli-progress bar on stderr, redrawn in place; `log()` prints a line
 * above it, and when the epoch changes the last line of the old epoch stays on screen. Elsewhere
 * (CI logs, files) it writes plain lines — no carriage returns, no ANSI codes — at most one per
 * `intervalMs`, plus one whenever a pass completes (`done` reaches `total`) or the epoch changes,
 * so every epoch's final numbers appear in the log.
 *
 *   tty:   train epoch 2/10 ██████░░░░░░ 50% 250/500 eta 0:41 │ loss 1.234  acc 81.23% │ 0:52
 *   plain: train epoch 2/10 step 250/500 (50%) eta 0:41 | loss 1.234 acc 81.23% | elapsed 0:52
 *
 * The ETA is the remaining steps at the mean rate since the pass began (`done` went back down).
 * Fields persist between updates: pass `valLoss` once at the end of an epoch and it stays shown.
 *
 * @example
 * const progress = new Progress({ total: batches.length, label: "train", epochs: 10 });
 * for (const [i, batch] of batches.entries()) {
 *   progress.update(i + 1, { epoch, loss, accuracy, tokensPerSec });
 * }
 * progress.log(`epoch ${epoch}: valid loss ${valLoss.toFixed(3)}`);
 * progress.stop();
 */
import cliProgress from "cli-progress";
import { formatDuration, formatMetric } from "./report/format.js";

/** What Progress writes to: `process.stderr`, or anything with `write` (tests). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Steps in one pass of the bar (usually the batches in an epoch). */
  total: number;
  /** Shown first on every line, e.g. "train". */
  label?: string;
  /** Number of epochs, shown as `epoch 2/10` when updates carry an `epoch` field. */
  epochs?: number;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Draw a live bar (default: `stream.isTTY`). */
  tty?: boolean;
  /** Plain mode: the least time between two lines, in ms (default 10 000). */
  intervalMs?: number;
  /** Clock in ms (default `Date.now`); tests inject a fake one. */
  now?: () => number;
}

export type ProgressFields = Record<string, number | string>;

const BAR_WIDTH = 20;

export class Progress {
  readonly total: number;
  private readonly label: string;
  private readonly epochs: number | undefined;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly bar: cliProgress.SingleBar | null = null;
  private readonly startedAt: number;
  private done = 0;
  private fields: ProgressFields = {};
  private passStart: { time: number; done: number };
  private lastLineAt: number;
  private lastUpdateAt: number;
  private printed = true;
  private stopped = false;

  constructor(options: ProgressOptions) {
    if (!(options.total >= 0))
      throw new RangeError(`Progress: total must be ≥ 0, got ${options.total}`);
    this.total = options.total;
    this.label = options.label ?? "";
    this.epochs = options.epochs;
    this.stream = options.stream ?? process.stderr;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.passStart = { time: this.startedAt, done: 0 };
    this.lastLineAt = this.startedAt;
    this.lastUpdateAt = this.startedAt;
    if (options.tty ?? this.stream.isTTY === true) {
      // cli-progress only draws on a stream that says it is a TTY; the adapter lets `tty: true`
      // force the bar on any stream and gives cli-progress the width to trim to. It also drops
      // cli-progress's cursor save/restore (ESC 7 / ESC 8): after log() lines have scrolled the
      // screen, restoring the saved position on stop() would draw over them.
      const out = this.stream;
      const terminal = {
        isTTY: true,
        get columns() {
          return out.columns ?? 100;
        },
        write: (chunk: string) =>
          chunk === "\x1b7" || chunk === "\x1b8" ? true : out.write(chunk),
      };
      this.bar = new cliProgress.SingleBar({
        stream: terminal as unknown as NodeJS.WritableStream,
        format: (_options, params) => this.ttyLine(params.maxWidth - 1),
        linewrap: true,
        fps: 10,
      });
      this.bar.start(this.total, 0);
    }
  }

  /** Records progress: `done` of `total` steps in this pass, and metrics to show. */
  update(done: number, fields: ProgressFields = {}): void {
    if (this.stopped) return;
    const t = this.now();
    const newEpoch = fields.epoch !== undefined && fields.epoch !== this.fields.epoch;
    const newPass = done < this.done;
    if ((newEpoch || newPass) && !this.printed && this.done > 0) this.keepLine();
    if (newPass) this.passStart = { time: this.lastUpdateAt, done: 0 };
    this.lastUpdateAt = t;
    const finished = done >= this.total && this.done < this.total;
    this.done = done;
    this.fields = { ...this.fields, ...fields };
    this.printed = false;
    if (this.bar) {
      this.bar.update(Math.min(done, this.total));
    } else if (finished || t - this.lastLineAt >= this.intervalMs) {
      this.writePlain(t);
    }
  }

  /** Prints a line of its own, without breaking the bar. */
  log(line: string): void {
    if (this.bar && !this.stopped) {
      // Carriage return and erase the bar's line, print, then draw the bar again below.
      this.stream.write(`\r\x1b[2K${line}\n`);
      this.bar.render();
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /**
   * Ends the display: a final line if the last state was not shown; idempotent. Call it: in a
   * TTY the bar redraws on a timer, which keeps the process alive until then.
   */
  stop(): void {
    if (this.stopped) return;
    if (this.bar) {
      this.bar.stop();
    } else if (!this.printed && this.done > 0) {
      this.writePlain(this.now());
    }
    this.stopped = true;
  }

  /** The current state as one plain line (what non-TTY mode prints). */
  line(): string {
    const head = [...this.head(), `step ${this.done}/${this.total}`];
    head.push(`(${Math.floor(this.fraction() * 100)}%)`, `eta ${formatDuration(this.eta())}`);
    const parts = [head.join(" ")];
    const metrics = this.metrics();
    if (metrics.length > 0) parts.push(metrics.join(" "));
    parts.push(`elapsed ${formatDuration(this.elapsed())}`);
    return parts.join(" | ");
  }

  private ttyLine(width: number): string {
    const filled = Math.round(this.fraction() * BAR_WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const head = [...this.head(), bar, `${Math.floor(this.fraction() * 100)}%`];
    head.push(`${this.done}/${this.total}`, `eta ${formatDuration(this.eta())}`);
    const parts = [head.join(" ")];
    const metrics = this.metrics();
    if (metrics.length > 0) parts.push(metrics.join("  "));
    parts.push(formatDuration(this.elapsed()));
    const line = parts.join(" │ ");
    return line.length > width ? line.slice(0, Math.max(0, width - 1)) + "…" : line;
  }

  private head(): string[] {
    const head = this.label ? [this.label] : [];
    const epoch = this.fields.epoch;
    if (epoch !== undefined) head.push(`epoch ${epoch}${this.epochs ? `/${this.epochs}` : ""}`);
    return head;
  }

  private metrics(): string[] {
    return Object.entries(this.fields)
      .filter(([key]) => key !== "epoch")
      .map(([key, value]) => formatMetric(key, value));
  }

  private fraction(): number {
    return this.total > 0 ? Math.min(1, this.done / this.total) : 1;
  }

  private eta(): number {
    if (this.done >= this.total) return 0;
    const steps = this.done - this.passStart.done;
    const seconds = (this.lastUpdateAt - this.passStart.time) / 1000;
    return steps > 0 && seconds > 0 ? ((this.total - this.done) * seconds) / steps : NaN;
  }

  private elapsed(): number {
    return (this.now() - this.startedAt) / 1000;
  }

  /** Leaves the current state on screen (or in the log) before the display moves on. */
  private keepLine(): void {
    if (this.bar) this.log(this.ttyLine((this.stream.columns ?? 100) - 1));
    else this.writePlain(this.now());
  }

  private writePlain(t: number): void {
    this.stream.write(`${this.line()}\n`);
    this.lastLineAt = t;
    this.printed = true;
  }
}
