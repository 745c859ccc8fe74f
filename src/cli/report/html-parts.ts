/**
 * The pieces of report.html, each a function from data to an HTML string. Everything that comes
 * from data — config values, class names, generated text, tokens — goes through `escapeHtml`;
 * SVG from vega is escaped by vega and only has its ids made unique here.
 *
 * @example
 * confusionTable({ classes: ["ham", "spam"], matrix: [[50, 2], [5, 43]] });
 * // <table class="confusion">… each cell shaded by its share of the true class's row …</table>
 */
import { formatCount, formatValue } from "./format.js";

export interface Sample {
  /** The prompt, highlighted (and shown before `text` unless `text` starts with it). */
  prime?: string;
  /** The generated text. */
  text: string;
}

export interface Confusion {
  classes: string[];
  /** matrix[true class][predicted class], counts. */
  matrix: number[][];
}

export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Translation {
  source: string;
  reference: string;
  hypothesis: string;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Nested config as dotted keys: `{ model: { hiddenSize: 32 } }` → `model.hiddenSize`. */
export function flattenConfig(value: unknown, prefix = ""): [string, string][] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) return [[prefix, "{}"]];
    return entries.flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k));
  }
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return [[prefix, text]];
}

export function configTable(config: object): string {
  const rows = flattenConfig(config).map(
    ([k, v]) =>
      `<tr><th scope="row">${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`,
  );
  if (rows.length === 0) return `<p class="muted">No configuration recorded.</p>`;
  return `<table class="config">${rows.join("")}</table>`;
}

/** The final metrics as cards: `test accuracy 91.20%`. */
export function finalCards(final: Record<string, number | string>): string {
  const cards = Object.entries(final).map(
    ([k, v]) =>
      `<div class="card"><div class="k">${escapeHtml(k)}</div>` +
      `<div class="v">${escapeHtml(formatValue(k, v))}</div></div>`,
  );
  return cards.length > 0 ? `<div class="cards">${cards.join("")}</div>` : "";
}

export function samplesBlock(samples: readonly Sample[]): string {
  return samples
    .map(({ prime, text }) => {
      const body =
        prime && text.startsWith(prime)
          ? `<mark>${escapeHtml(prime)}</mark>${escapeHtml(text.slice(prime.length))}`
          : `${prime ? `<mark>${escapeHtml(prime)}</mark>` : ""}${escapeHtml(text)}`;
      return `<pre class="sample">${body}</pre>`;
    })
    .join("\n");
}

/** Blends white into the chart blue: 0 → white, 1 → #1f77b4. */
function blue(fraction: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const mix = (to: number) => Math.round(255 + (to - 255) * f);
  return `rgb(${mix(0x1f)}, ${mix(0x77)}, ${mix(0xb4)})`;
}

/**
 * Rows are the true classes, columns the predictions; a cell's shade is its share of its row (the
 * class's recall on the diagonal), so a rare class reads as clearly as a common one.
 */
export function confusionTable({ classes, matrix }: Confusion): string {
  if (matrix.length !== classes.length || matrix.some((r) => r.length !== classes.length)) {
    throw new RangeError(`confusion matrix must be ${classes.length}×${classes.length}`);
  }
  const head = classes.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join("");
  const body = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((count, j) => {
      const share = total > 0 ? count / total : 0;
      const style = `background:${blue(share)};color:${share > 0.55 ? "white" : "inherit"}`;
      const percent = `${(share * 100).toFixed(1)}%`;
      const title = `${classes[i]} → ${classes[j]}: ${formatCount(count)} (${percent})`;
      const cls = i === j ? ` class="diag"` : "";
      return `<td${cls} style="${style}" title="${escapeHtml(title)}">${formatCount(count)}</td>`;
    });
    return (
      `<tr><th scope="row">${escapeHtml(classes[i])}</th>${cells.join("")}` +
      `<td class="total">${formatCount(total)}</td></tr>`
    );
  });
  return (
    `<table class="confusion"><thead><tr><th class="corner">true ↓ · predicted →</th>${head}` +
    `<th class="total">total</th></tr></thead><tbody>${body.join("")}</tbody></table>`
  );
}

export function perClassTable(rows: readonly ClassScores[]): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "–");
  const body = rows.map(
    (r) =>
      `<tr><th scope="row">${escapeHtml(r.class)}</th><td>${f(r.precision)}</td>` +
      `<td>${f(r.recall)}</td><td>${f(r.f1)}</td><td>${formatCount(r.support)}</td></tr>`,
  );
  return (
    `<table class="numeric"><thead><tr><th>class</th><th>precision</th><th>recall</th>` +
    `<th>F1</th><th>support</th></tr></thead><tbody>${body.join("")}</tbody></table>`
  );
}

export function translationsTable(rows: readonly Translation[]): string {
  const body = rows.map((r) => {
    const exact = r.hypothesis.trim() === r.reference.trim();
    return (
      `<tr><td>${escapeHtml(r.source)}</td><td>${escapeHtml(r.reference)}</td>` +
      (exact ? `<td class="exact">` : `<td>`) +
      `${escapeHtml(r.hypothesis)}${exact ? " ✓" : ""}</td></tr>`
    );
  });
  return (
    `<table class="translations"><thead><tr><th>source</th><th>reference</th>` +
    `<th>model output</th></tr></thead><tbody>${body.join("")}</tbody></table>`
  );
}

/**
 * Prepares a standalone SVG for inlining: several vega SVGs on one page would share ids such as
 * `gradient_0`, so every id and reference gets `prefix`; the namespace declarations, which HTML
 * does not need, go too (they are the only http URLs in vega's output).
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, "")
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}
