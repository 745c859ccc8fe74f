/**
 * An attention matrix as text for a terminal: one row per target (output) token, one two-character
 * column per source (input) token, shaded by weight with " ░▒▓█" — readable without colours, in a
 * log file, or pasted into an issue.
 *
 *   Source labels run down the columns (first 8 characters of each token), target labels run
 *   along the rows, and each row ends with the source token it attended to most and its weight.
 *   Shades are fifths of the largest weight in the matrix (`scale: "global"`, the default, so
 *   rows compare) or of each row's own largest (`scale: "row"`, to see where a diffuse row looks).
 *
 * @example
 * attentionHeatmapText(["je", "suis", "<eos>"], ["i", "am", "<eos>"],
 *   [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.0, 0.1, 0.9]]);
 * //       j s <
 * //       e u e
 * //         i o
 * //         s s
 * //           >
 * // i     ██     → je 0.90
 * // am      ██   → suis 0.80
 * // <eos>     ██ → <eos> 0.90
 * //       " " <20%  ░ <40%  ▒ <60%  ▓ <80%  █ ≥80% of max 0.90
 */
export interface AttentionTextOptions {
  /** What a full block means: the matrix's largest weight (default) or each row's. */
  scale?: "global" | "row";
  /** Characters of each source token shown down its column (default 8). */
  labelLength?: number;
}

/** Throws unless `weights` is [target.length][source.length]. */
export function checkAttentionShape(source: string[], target: string[], weights: number[][]): void {
  if (weights.length !== target.length || weights.some((row) => row.length !== source.length)) {
    const got = `[${weights.length}][${weights.map((r) => r.length).join("|")}]`;
    throw new RangeError(
      `attention weights must be [target ${target.length}][source ${source.length}], got ${got}`,
    );
  }
}

/** The five shades, lightest first. */
export const SHADES = [" ", "░", "▒", "▓", "█"] as const;

/** The shade of `w` on a scale where `max` is a full block. */
export function shade(w: number, max: number): string {
  if (!(max > 0) || !Number.isFinite(w) || w <= 0) return SHADES[0];
  const level = Math.min(SHADES.length - 1, Math.floor((w / max) * SHADES.length));
  return SHADES[level];
}

/** Renders `weights[target][source]` as shaded text (see the module header). */
export function attentionHeatmapText(
  source: string[],
  target: string[],
  weights: number[][],
  options: AttentionTextOptions = {},
): string {
  checkAttentionShape(source, target, weights);
  const labelLength = options.labelLength ?? 8;
  const clean = (token: string) => Array.from(token.replace(/\s/g, "·"));
  const targetLabels = target.map((t) => clean(t).join(""));
  const gutter = Math.max(0, ...targetLabels.map((t) => Array.from(t).length)) + 1;
  const pad = (s: string, width: number) =>
    s + " ".repeat(Math.max(0, width - Array.from(s).length));

  const lines: string[] = [];
  const columns = source.map((s) => clean(s).slice(0, labelLength));
  const height = Math.max(0, ...columns.map((c) => c.length));
  for (let row = 0; row < height; row++) {
    const cells = columns.map((c) => pad(c[row] ?? "", 2)).join("");
    lines.push((" ".repeat(gutter) + cells).trimEnd());
  }

  const finite = (w: number) => (Number.isFinite(w) ? w : 0);
  const globalMax = Math.max(0, ...weights.flat().map(finite));
  weights.forEach((row, t) => {
    const max = options.scale === "row" ? Math.max(0, ...row.map(finite)) : globalMax;
    const cells = row.map((w) => shade(w, max).repeat(2)).join("");
    let best = 0;
    row.forEach((w, s) => {
      if (finite(w) > finite(row[best])) best = s;
    });
    const focus = source.length > 0 ? ` → ${source[best]} ${finite(row[best]).toFixed(2)}` : "";
    lines.push(pad(targetLabels[t], gutter) + cells + focus);
  });

  const levels = SHADES.map((c, i) =>
    i < SHADES.length - 1 ? `${c === " " ? '" "' : c} <${(i + 1) * 20}%` : `${c} ≥80%`,
  );
  const of = options.scale === "row" ? "of each row's largest" : `of max ${globalMax.toFixed(2)}`;
  lines.push(`${" ".repeat(gutter)}${levels.join("  ")} ${of}`);
  return lines.join("\n");
}
