/**
 * Learning curves, as the PyTorch tutorials plot them: one chart of training vs validation loss,
 * and one of training vs validation accuracy (perplexity for a language model), over steps or
 * epochs. Each chart is a vega-lite spec rendered headlessly to SVG, and rasterised to PNG.
 *
 *   x: the global step, or the epoch when every split logged at most one record per whole
 *      epoch ("auto"; the tutorials' per-epoch plots)
 *   series: train (line), validation (line and points), test (points; usually one, at the end)
 *   y: loss and perplexity are not forced to start at 0; perplexity goes to a log scale when it
 *      spans more than a factor of 10; accuracy in [0, 1] reads as a percentage
 *
 * A missing series is left out of the chart and its title ("Training loss" when there is no
 * validation); a chart with no data at all is null.
 *
 * @example
 * const { loss, metric } = await learningCurves(await readMetrics(path), { task: "lm" });
 * await writeFile("loss.png", loss!.png); // metric?.name === "perplexity"
 */
import type { TopLevelSpec } from "vega-lite";
import type { MetricRecord, Split } from "./metrics-log.js";
import { CHART_CONFIG, renderSvg, svgToPng } from "./render.js";

export type ReportTask = "lm" | "classify" | "seq2seq";

export interface ChartImage {
  /** The plotted field: "loss", "accuracy", "perplexity", …; also the file's base name. */
  name: string;
  svg: string;
  png: Uint8Array;
}

export interface CurveOptions {
  task: ReportTask;
  /** The field of the second chart (default: perplexity for lm, accuracy otherwise). */
  metric?: string;
  /** The x axis (default "auto", see the module header). */
  x?: "auto" | "step" | "epoch";
  /** Shown under each chart's title, e.g. the run's name. */
  subtitle?: string;
  /** Plot area in SVG units (default 520 × 300). */
  width?: number;
  height?: number;
  /** PNG pixels per SVG unit (default 2). */
  scale?: number;
  /** Font files for the PNG besides the system's (see render.ts). */
  fontFiles?: string[];
}

export interface LearningCurves {
  loss: ChartImage | null;
  metric: ChartImage | null;
}

const SERIES: Record<Split, { name: string; noun: string; color: string }> = {
  train: { name: "train", noun: "training", color: "#1f77b4" },
  valid: { name: "validation", noun: "validation", color: "#ff7f0e" },
  test: { name: "test", noun: "test", color: "#2ca02c" },
};
const ORDER: readonly Split[] = ["train", "valid", "test"];
/** Above this many training points, the training line has no point markers. */
const MAX_MARKED = 40;

/** The default second-chart field for a task. */
export function defaultMetric(task: ReportTask): string {
  return task === "lm" ? "perplexity" : "accuracy";
}

/** Renders the loss chart and the metric chart (either is null when nothing logged it). */
export async function learningCurves(
  records: readonly MetricRecord[],
  options: CurveOptions,
): Promise<LearningCurves> {
  const metric = options.metric ?? defaultMetric(options.task);
  const render = async (field: string): Promise<ChartImage | null> => {
    const spec = curveSpec(records, field, options);
    if (!spec) return null;
    const svg = await renderSvg(spec);
    return {
      name: field,
      svg,
      png: svgToPng(svg, { scale: options.scale, fontFiles: options.fontFiles }),
    };
  };
  return { loss: await render("loss"), metric: await render(metric) };
}

/** The x axis "auto" picks for these records. */
export function curveAxis(records: readonly MetricRecord[]): "step" | "epoch" {
  const seen = new Set<string>();
  for (const r of records) {
    if (!Number.isInteger(r.epoch)) return "step";
    const key = `${r.split}:${r.epoch}`;
    if (seen.has(key)) return "step";
    seen.add(key);
  }
  return "epoch";
}

/** The vega-lite spec of one learning-curve chart, or null when no record has `field`. */
export function curveSpec(
  records: readonly MetricRecord[],
  field: string,
  options: Omit<CurveOptions, "task"> = {},
): TopLevelSpec | null {
  const rows = records.filter((r) => typeof r[field] === "number" && !Number.isNaN(r[field]));
  if (rows.length === 0) return null;
  const axis = options.x === "step" || options.x === "epoch" ? options.x : curveAxis(rows);
  const splits = ORDER.filter((s) => rows.some((r) => r.split === s));
  const trainCount = rows.filter((r) => r.split === "train").length;
  const integral = rows.every((r) => Number.isInteger(r[axis]));
  const values = rows.map((r) => ({
    x: r[axis],
    value: r[field] as number,
    series: SERIES[r.split].name,
    point: r.split !== "train" || trainCount <= MAX_MARKED,
  }));

  const ys = values.map((v) => v.value).filter((v) => Number.isFinite(v));
  const isFraction = /accuracy|exactMatch/i.test(field) && ys.every((v) => v >= 0 && v <= 1);
  const logScale =
    /perplexity/i.test(field) && ys.length > 0 && Math.min(...ys) > 0
      ? Math.max(...ys) / Math.min(...ys) > 10
      : false;
  const nouns = splits.map((s) => SERIES[s].noun);
  const title = `${joinWords(nouns)} ${field}`;

  return {
    config: CHART_CONFIG,
    width: options.width ?? 520,
    height: options.height ?? 300,
    title: {
      text: title[0].toUpperCase() + title.slice(1),
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    data: { values },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: axis,
        scale: { nice: axis === "step" },
        // Whole steps and epochs get whole ticks; fractional epochs keep vega's own.
        ...(integral ? { axis: { tickMinStep: 1, format: axis === "epoch" ? "d" : ",d" } } : {}),
      },
      y: {
        field: "value",
        type: "quantitative",
        title: logScale ? `${field} (log scale)` : field,
        scale: logScale ? { type: "log" } : { zero: false },
        ...(isFraction ? { axis: { format: ".1~%" } } : {}),
      },
      color: {
        field: "series",
        type: "nominal",
        scale: {
          domain: splits.map((s) => SERIES[s].name),
          range: splits.map((s) => SERIES[s].color),
        },
        legend: {
          title: null,
          orient: isFraction ? "bottom-right" : "top-right",
          fillColor: "white",
          strokeColor: "#ccc",
          padding: 6,
          symbolType: "stroke",
          symbolStrokeWidth: 3,
        },
      },
    },
    layer: [
      { mark: { type: "line", strokeWidth: 2 } },
      {
        transform: [{ filter: "datum.point" }],
        mark: { type: "point", filled: true, size: 40, opacity: 1 },
      },
    ],
  };
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
