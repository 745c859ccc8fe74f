/**
 * Watching a run learn, after the fact: the metrics log a training run appends to, the learning
 * curves drawn from it, the HTML report, and attention as terminal text. Node-only (files, native
 * rasteriser); the live progress display is `../progress.ts`.
 *
 * @example
 * import { MetricsLog, readMetrics, writeReport } from "./report/index.js";
 * const log = new MetricsLog(runDir);
 * log.append({ split: "valid", epoch: 1, step: 500, loss: 1.98, accuracy: 0.71 });
 * await writeReport(runDir, { title, task: "classify", config, records: log.records, final });
 */
export {
  MetricsLog,
  parseMetrics,
  readMetrics,
  serializeRecord,
  type MetricInput,
  type MetricRecord,
  type MetricsLogOptions,
  type Split,
} from "./metrics-log.js";
export {
  curveAxis,
  curveSpec,
  defaultMetric,
  learningCurves,
  type ChartImage,
  type CurveOptions,
  type LearningCurves,
  type ReportTask,
} from "./curves.js";
export { attentionSpec, attentionSvg, type AttentionMap } from "./heatmap.js";
export {
  attentionHeatmapText,
  checkAttentionShape,
  shade,
  SHADES,
  type AttentionTextOptions,
} from "./attention-text.js";
export { reportHtml, writeReport, type ReportInput, type ReportResult } from "./html.js";
export {
  escapeHtml,
  type ClassScores,
  type Confusion,
  type Sample,
  type Translation,
} from "./html-parts.js";
export { fontStatus, renderSvg, svgToPng, type FontStatus, type PngOptions } from "./render.js";
export {
  formatCount,
  formatDuration,
  formatMetric,
  formatPercent,
  formatRate,
  formatSignificant,
  formatValue,
} from "./format.js";
