/**
 * `npm run bench:web`: W2 (the char-LM train step, bench/workloads.ts) in Chromium next to Node,
 * timed by the same code (web/src/w2-timing.ts: warm-up ≥ 1 s, then the median of `--steps`).
 * Never part of npm test.
 *
 *   Node, default threads            this process (RECURRENT_THREADS or the cores, at most 4)
 *   Node, 1 thread                   a child process with RECURRENT_THREADS=1
 *   Chromium worker, isolated        bench.html served with COOP/COEP: shared memory, threads
 *   Chromium worker, not isolated    the same page without them: one thread, unshared memory
 *
 * The runs go one after another, so they do not compete for cores, in `--rounds` rounds whose order
 * rotates; each row's figure is its median round. On a shared machine compare the ratios of one
 * run rather than figures across runs.
 *
 * @example
 * npm run bench:web -- --steps 5 --rounds 3 [--out results.json]
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs, promisify } from "node:util";
import { buildWeb } from "../../scripts/build-web.js";
import { timeW2, type W2Result } from "../src/w2-timing.js";
import type { Page } from "playwright-core";
import { CHROMIUM, chromiumMissing, launchChromium } from "./chromium.js";
import { serveWeb } from "./serve.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "5" },
    warm: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    out: { type: "string" },
    "node-only": { type: "boolean", default: false },
  },
});
const steps = Number(values.steps);
const warmSeconds = Number(values.warm);
const rounds = Number(values.rounds);

if (values["node-only"]) {
  process.stdout.write(JSON.stringify(timeW2({ steps, warmSeconds })) + "\n");
  process.exit(0);
}

/** One configuration's figures, a W2Result per round. */
interface Row {
  where: string;
  run: () => Promise<W2Result>;
  results: W2Result[];
}

async function nodeOneThread(): Promise<W2Result> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      ...["--import", "tsx", process.argv[1], "--node-only"],
      ...["--steps", String(steps), "--warm", String(warmSeconds)],
    ],
    { env: { ...process.env, RECURRENT_THREADS: "1" } },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as W2Result;
}

async function chromiumVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(CHROMIUM, ["--version"]);
  return /[\d.]+/.exec(stdout)?.[0] ?? "?";
}

/** Loads bench.html from `url` in `page` and waits for its figure. */
async function inPage(page: Page, url: string): Promise<W2Result> {
  await page.goto(`${url}bench.html?steps=${steps}&warm=${warmSeconds}`);
  const done = () => (window as unknown as { bench: { done: boolean } }).bench.done;
  await page.waitForFunction(done, null, { timeout: 600_000, polling: 250 });
  const state = await page.evaluate(
    () => (window as unknown as { bench: { result?: W2Result; error?: string } }).bench,
  );
  if (!state.result) throw new Error(`bench.html: ${state.error}`);
  return state.result;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const missing = chromiumMissing();
if (missing) throw new Error(`bench:web: ${missing}`);
const { outdir } = await buildWeb({ mobyDick: false });
const isolated = await serveWeb({ root: outdir, port: 0, isolate: true });
const plain = await serveWeb({ root: outdir, port: 0, isolate: false });
const browser = await launchChromium();
const version = await chromiumVersion();
try {
  const page = await browser.context.newPage();
  const threads = process.env.RECURRENT_THREADS ?? String(Math.min(4, availableParallelism()));
  const rows: Row[] = [
    {
      where: `Node ${process.version}, ${threads} threads`,
      run: async () => timeW2({ steps, warmSeconds }),
      results: [],
    },
    { where: `Node ${process.version}, 1 thread`, run: nodeOneThread, results: [] },
    {
      where: `Chromium ${version} worker, isolated`,
      run: () => inPage(page, isolated.url),
      results: [],
    },
    {
      where: `Chromium ${version} worker, not isolated (1 thread)`,
      run: () => inPage(page, plain.url),
      results: [],
    },
  ];
  // Rounds rotate the order, so that a change in the machine's load falls on every row alike.
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[(k + r) % rows.length];
      row.results.push(await row.run());
    }
  }
  const figure = (row: Row): number => median(row.results.map((x) => x.tokensPerSec));
  const base = figure(rows[0]);
  console.log(
    "W2 char-LM train step (Embedding(96,128) → 2×LSTM(256) → Linear(256,96), batch 32, T 100, Adam)",
  );
  console.log(
    `each: median of ${steps} steps after ≥ ${warmSeconds} s of warm-up; median of ${rounds} rounds ` +
      `(range); ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}`,
  );
  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  for (const row of rows) {
    const tps = row.results.map((x) => x.tokensPerSec);
    const range = `(${fmt(Math.min(...tps))}–${fmt(Math.max(...tps))})`;
    console.log(
      `  ${row.where.padEnd(56)} ${fmt(figure(row)).padStart(7)} tokens/s ${range.padEnd(17)} ` +
        `${median(row.results.map((x) => x.msPerStep))
          .toFixed(0)
          .padStart(5)} ms/step  ${(figure(row) / base).toFixed(2)}× Node`,
    );
  }
  if (values.out) {
    const out = rows.map(({ where, results }) => ({ where, results }));
    writeFileSync(
      values.out,
      JSON.stringify({ steps, warmSeconds, rounds, rows: out }, null, 2) + "\n",
    );
  }
} finally {
  await browser.close();
  await isolated.close();
  await plain.close();
}
