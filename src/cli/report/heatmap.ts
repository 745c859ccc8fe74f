/**
 * Attention as a heatmap chart, as in the PyTorch seq2seq tutorial's `showAttention`: one row per
 * target (output) token, one column per source (input) token, darker where the decoder attended
 * more. A vega-lite rect chart, rendered to SVG for the report.
 *
 * Tokens are placed by position, not by name, so a source that repeats a word ("the … the")
 * keeps one column per occurrence; the axis labels map positions back to tokens.
 *
 * @example
 * const svg = await attentionSvg({ source: ["je", "suis", "<eos>"], target: ["i", "am", "<eos>"],
 *   weights: [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0, 0.1, 0.9]] });
 */
import type { TopLevelSpec } from "vega-lite";
import { checkAttentionShape } from "./attention-text.js";
import { CHART_CONFIG, renderSvg } from "./render.js";

export interface AttentionMap {
  source: string[];
  target: string[];
  /** weights[t][s]: how much target token t attended to source token s. */
  weights: number[][];
  title?: string;
}

/** Pixels per cell. */
const CELL = 26;

/** The vega-lite spec of an attention heatmap. */
export function attentionSpec(map: AttentionMap): TopLevelSpec {
  const { source, target, weights } = map;
  checkAttentionShape(source, target, weights);
  const values = weights.flatMap((row, t) =>
    row.map((w, s) => ({ s, t, w: Number.isFinite(w) ? w : 0 })),
  );
  const max = Math.max(1e-12, ...values.map((v) => v.w));
  // The labels are JSON array literals inside vega expressions: JSON is valid expression syntax,
  // and keeps quotes and backslashes in tokens from breaking out of the string.
  const label = (tokens: string[]) => `${JSON.stringify(tokens)}[datum.value]`;
  return {
    config: { ...CHART_CONFIG, axis: { ...CHART_CONFIG.axis, grid: false, domain: false } },
    ...(map.title ? { title: map.title } : {}),
    width: Math.max(1, source.length) * CELL,
    height: Math.max(1, target.length) * CELL,
    data: { values },
    mark: { type: "rect", stroke: "white", strokeWidth: 0.5 },
    encoding: {
      x: {
        field: "s",
        type: "ordinal",
        title: "input",
        axis: {
          orient: "top",
          ticks: false,
          labelAngle: -50,
          labelAlign: "left",
          labelExpr: label(source),
        },
      },
      y: {
        field: "t",
        type: "ordinal",
        title: "output",
        axis: { ticks: false, labelExpr: label(target) },
      },
      color: {
        field: "w",
        type: "quantitative",
        title: "weight",
        scale: { scheme: "greys", domain: [0, max] },
        legend: { gradientLength: Math.max(60, Math.min(200, target.length * CELL)) },
      },
    },
  };
}

/** Renders an attention heatmap to SVG. */
export async function attentionSvg(map: AttentionMap): Promise<string> {
  return renderSvg(attentionSpec(map));
}
