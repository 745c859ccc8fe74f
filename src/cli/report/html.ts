/**
 * The run report: `report.html` in the run directory, one self-contained page (inline SVG charts,
 * inline CSS, no scripts, no external URLs) to open after training, plus the learning curves as
 * files of their own — `loss.svg`/`loss.png` and `accuracy.*` (or `perplexity.*`) — for slides and
 * issues. Every file is written atomically, so a report being rewritten is never seen half-done.
 *
 * The page, top to bottom: title and run summary (task, epochs, steps, training time), final
 * metrics as cards, the two learning curves side by side, then whichever of these the task has —
 * generated samples, confusion matrix, per-class scores, translations, attention heatmaps — and
 * last the configuration table.
 *
 * @example
 * const { files } = await writeReport("runs/news", {
 *   title: "AG News LSTM", task: "classify", config, records: log.records,
 *   final: { "test accuracy": 0.912 }, confusion: { classes, matrix },
 * });
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../io/node/atomic.js";
import type { AttentionMap } from "./heatmap.js";
import { attentionSvg } from "./heatmap.js";
import { learningCurves, type ChartImage, type ReportTask } from "./curves.js";
import { formatCount, formatDuration } from "./format.js";
import {
  configTable,
  confusionTable,
  escapeHtml,
  finalCards,
  inlineSvg,
  perClassTable,
  samplesBlock,
  translationsTable,
  type ClassScores,
  type Confusion,
  type Sample,
  type Translation,
} from "./html-parts.js";
import type { MetricRecord } from "./metrics-log.js";
import { fontStatus } from "./render.js";

export interface ReportInput {
  title: string;
  task: ReportTask;
  /** The run's settings, shown as a table (nested objects as dotted keys). */
  config: object;
  records: readonly MetricRecord[];
  final: Record<string, number | string>;
  samples?: Sample[];
  /** The samples section's heading (default "Generated samples"). */
  samplesTitle?: string;
  confusion?: Confusion;
  perClass?: ClassScores[];
  attention?: AttentionMap[];
  translations?: Translation[];
  /** The second chart's field (default: perplexity for lm, accuracy otherwise). */
  metric?: string;
  /** When the report was made (default now). */
  date?: Date;
  /** Font files for the PNG charts besides the system's. */
  fontFiles?: string[];
}

export interface ReportResult {
  /** Paths written, report.html first. */
  files: string[];
  /** Things the reader should know, e.g. that PNGs have no text for want of fonts. */
  warnings: string[];
}

const TASK_NAMES: Record<ReportTask, string> = {
  lm: "language model",
  classify: "text classifier",
  seq2seq: "sequence-to-sequence",
};

/** Writes report.html and the chart files into `dir` (created if needed). */
export async function writeReport(dir: string, input: ReportInput): Promise<ReportResult> {
  const curves = await learningCurves(input.records, {
    task: input.task,
    metric: input.metric,
    subtitle: input.title,
    fontFiles: input.fontFiles,
  });
  const charts = [curves.loss, curves.metric].filter((c): c is ChartImage => c !== null);
  const attention = await Promise.all((input.attention ?? []).map((map) => attentionSvg(map)));
  const html = reportHtml(input, charts, attention);

  const files: [string, string | Uint8Array][] = [[join(dir, "report.html"), html]];
  for (const chart of charts) {
    files.push(
      [join(dir, `${chart.name}.svg`), chart.svg],
      [join(dir, `${chart.name}.png`), chart.png],
    );
  }
  await Promise.all(files.map(([path, data]) => writeFileAtomic(path, data)));

  const warnings: string[] = [];
  if (charts.length > 0 && !fontStatus().found && !input.fontFiles?.length) {
    warnings.push(
      "no fonts found: the PNG charts have no text (the SVGs and report.html do); " +
        "install one (e.g. fonts-dejavu-core) or pass fontFiles",
    );
  }
  return { files: files.map(([path]) => path), warnings };
}

/** The page itself, from already-rendered chart and heatmap SVGs. */
export function reportHtml(
  input: ReportInput,
  charts: readonly ChartImage[],
  attentionSvgs: readonly string[] = [],
): string {
  const sections: string[] = [];
  const section = (title: string, body: string) =>
    sections.push(`<section><h2>${title}</h2>${body}</section>`);

  if (Object.keys(input.final).length > 0) section("Final metrics", finalCards(input.final));
  section(
    "Learning curves",
    charts.length > 0
      ? `<div class="charts">${charts
          .map((c, i) => `<figure>${inlineSvg(c.svg, `c${i}-`)}</figure>`)
          .join("")}</div>`
      : `<p class="muted">No metrics were logged.</p>`,
  );
  if (input.samples?.length)
    section(input.samplesTitle ?? "Generated samples", samplesBlock(input.samples));
  if (input.confusion) section("Confusion matrix", confusionTable(input.confusion));
  if (input.perClass?.length) section("Per-class scores", perClassTable(input.perClass));
  if (input.translations?.length) section("Translations", translationsTable(input.translations));
  if (attentionSvgs.length > 0) {
    const figures = attentionSvgs.map((svg, i) => `<figure>${inlineSvg(svg, `a${i}-`)}</figure>`);
    section("Attention", `<div class="heatmaps">${figures.join("")}</div>`);
  }
  section("Configuration", configTable(input.config));

  const date = (input.date ?? new Date()).toISOString().replace("T", " ").slice(0, 16);
  const chartFiles = charts.map((c) => escapeHtml(`${c.name}.svg`)).join(", ") || "none";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">${escapeHtml(runSummary(input))} · report of ${escapeHtml(date)} UTC</p>
</header>
${sections.join("\n")}
<footer>Made by recurrent. Charts: ${chartFiles} beside this file.</footer>
</main>
</body>
</html>
`;
}

/** "text classifier · 10 epochs · 4,200 steps · 3:25 of training". */
function runSummary(input: ReportInput): string {
  const parts = [TASK_NAMES[input.task]];
  const records = input.records;
  if (records.length > 0) {
    const epochs = Math.max(...records.map((r) => r.epoch));
    const steps = Math.max(...records.map((r) => r.step));
    const time = Math.max(...records.map((r) => r.time));
    const shown = Number.isInteger(epochs) ? formatCount(epochs) : epochs.toFixed(1);
    parts.push(`${shown} epoch${epochs === 1 ? "" : "s"}`);
    parts.push(`${formatCount(steps)} steps`, `${formatDuration(time)} of training`);
  }
  return parts.join(" · ");
}

const CSS = `
:root { --fg: #1d1d1f; --muted: #6b6b6b; --line: #e4e4e7; --bg: #f6f7f9; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 28px 28px 48px; }
h1 { margin: 0; font-size: 28px; letter-spacing: -0.01em; }
h2 { margin: 0 0 14px; font-size: 17px; }
.meta, .muted, footer { color: var(--muted); }
.meta { margin: 4px 0 0; }
section { background: white; border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 22px; margin: 20px 0; overflow-x: auto; }
footer { font-size: 13px; margin-top: 24px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px;
  padding: 8px 16px; min-width: 140px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.04em; }
.card .v { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.charts, .heatmaps { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
.charts figure { flex: 1 1 520px; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); font-weight: 600; }
table.config th { font-weight: 500; color: var(--muted); white-space: nowrap; }
table.config code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.numeric td { text-align: right; }
table.confusion td { text-align: right; min-width: 3.5em; border: 1px solid white; }
table.confusion td.diag { font-weight: 700; }
table.confusion .total, table.confusion .corner { color: var(--muted); font-weight: 400; }
table.translations td.exact { color: #1a7f37; }
pre.sample { white-space: pre-wrap; word-break: break-word; background: var(--bg); margin: 0 0 12px;
  padding: 12px 14px; border-radius: 6px;
  font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
`;
