/**
 * Headless chart rendering: a vega-lite spec is compiled to vega, drawn to an SVG string by a
 * renderer-less `View`, and the SVG is rasterised to PNG by resvg (native, no browser, no canvas).
 *
 * Fonts: an SVG names its fonts and the viewer finds them, but resvg only has the fonts it is
 * given. We let it load the system fonts and map `sans-serif` to the first family of a short list
 * that is found on disk (DejaVu, Liberation, Noto, Arial, Helvetica). With no font at all the PNG
 * still renders, but without its text; `fontStatus()` says so, so that callers can warn (or pass
 * `fontFiles`). The SVG is unaffected: whatever opens it finds the fonts.
 *
 * Without a canvas package vega estimates text widths (0.8 em a character), a little wide for
 * these fonts: labels get slightly more room than they need, never less.
 *
 * @example
 * const svg = await renderSvg({ mark: "line", data: { values }, encoding: { … } });
 * const png = svgToPng(svg); // Uint8Array, twice the SVG's size in pixels
 */
import { Resvg } from "@resvg/resvg-js";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";

/** The font stack written into every chart: what a browser picks from, and resvg too. */
export const CHART_FONT =
  "Helvetica Neue, Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif";

/** Shared look: white background, light grid, a readable title, no chart border. */
export const CHART_CONFIG = {
  background: "white",
  font: CHART_FONT,
  padding: 12,
  view: { stroke: null },
  title: { fontSize: 15, fontWeight: "bold", subtitleFontSize: 12, subtitleColor: "#666" },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#e6e6e6" },
  legend: { labelFontSize: 12, titleFontSize: 12 },
} as const;

/** Compiles a vega-lite spec and renders it to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega takes a second or more to import, which a training run that only
  // logs metrics, or a CLI printing --help, should not pay.
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixels per SVG unit (default 2: sharp on high-density screens). */
  scale?: number;
  /** Font files to load besides the system's (the way out on a machine without fonts). */
  fontFiles?: string[];
}

/** Rasterises an SVG string to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const fonts = fontStatus();
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    background: "white",
    font: {
      loadSystemFonts: true,
      ...(options.fontFiles?.length ? { fontFiles: options.fontFiles } : {}),
      ...(fonts.family ? { sansSerifFamily: fonts.family, defaultFontFamily: fonts.family } : {}),
    },
    logLevel: "off",
  });
  return new Uint8Array(resvg.render().asPng());
}

export interface FontStatus {
  /** Whether any font file was found: if not, PNG charts have no text. */
  found: boolean;
  /** The family `sans-serif` maps to, if one of the preferred ones is installed. */
  family: string | null;
  /** The font folders that exist. */
  dirs: string[];
}

const PREFERRED: readonly [file: RegExp, family: string][] = [
  [/^DejaVuSans\.ttf$/i, "DejaVu Sans"],
  [/^LiberationSans-Regular\.ttf$/i, "Liberation Sans"],
  [/^NotoSans-Regular\.[ot]tf$/i, "Noto Sans"],
  [/^Arial\.ttf$/i, "Arial"],
  [/^Helvetica\.tt[cf]$/i, "Helvetica"],
];

let cachedStatus: FontStatus | undefined;

/** Which fonts resvg will have (looked up once per process). */
export function fontStatus(): FontStatus {
  if (cachedStatus) return cachedStatus;
  const dirs = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    join(homedir(), ".fonts"),
    join(homedir(), ".local/share/fonts"),
    "/System/Library/Fonts",
    "/Library/Fonts",
    join(process.env.WINDIR ?? "C:\\Windows", "Fonts"),
  ].filter((dir) => existsSync(dir));
  const files = dirs.flatMap((dir) => {
    try {
      return readdirSync(dir, { recursive: true, encoding: "utf8" });
    } catch {
      return [];
    }
  });
  const names = files.map((f) => f.split(/[\\/]/).pop()!);
  const found = names.some((name) => /\.(ttf|otf|ttc)$/i.test(name));
  const family = PREFERRED.find(([file]) => names.some((name) => file.test(name)))?.[1] ?? null;
  cachedStatus = { found, family, dirs };
  return cachedStatus;
}
