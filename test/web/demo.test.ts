/**
 * The web demo end to end in Debian's Chromium (web/tools/chromium.ts): build web/dist into a
 * temporary folder, serve it, train a char-LSTM on Moby Dick for a few seconds in the page's
 * worker, and check that the loss falls, that the page's thread stays free (a tab click and Stop
 * handled at once, the timer lag small), that Stop/Resume continue the same run, that Generate
 * writes, that Download gives a model directory the library loads, and that Load reads it back as
 * well as the zip of a directory `recurrent train lm` wrote. A page served without COOP/COEP
 * trains too (one thread). Last, classify with a model from `recurrent train classify`, checking
 * the browser's probabilities against Node's. Screenshots go to test-artifacts/ (git-ignored).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { pathToFileURL } from "node:url";
import { unzipSync, zipSync } from "fflate";
import type { Page } from "playwright-core";
import { buildWeb, ROOT } from "../../scripts/build-web.js";
import { classifier, languageModel } from "../../src/index.js";
import { chromiumMissing, launchChromium, type Chromium } from "../../web/tools/chromium.js";
import { serveWeb, type WebServer } from "../../web/tools/serve.js";
import type { DemoState } from "../../web/src/main.js";

const ARTIFACTS = join(ROOT, "test-artifacts");
const MODEL_FILES = ["config.json", "vocab.json", "model.safetensors"];
const TEXTS = [
  "WIN a FREE cruise!!! Click here now to claim your prize",
  "Are we still meeting at 3pm tomorrow? I moved the notes to the shared folder.",
];

const demo = (page: Page): Promise<DemoState> =>
  page.evaluate(() => (window as unknown as { demo: DemoState }).demo);

const waitDemo = (page: Page, condition: string, timeout = 20_000): Promise<unknown> =>
  page.waitForFunction(`(() => { const d = window.demo; return ${condition}; })()`, null, {
    timeout,
  });

/**
 * Runs `recurrent` once per argument list, in one child process (one start-up for all), and
 * fails with its output if any run fails.
 */
async function cli(dir: string, ...runs: string[][]): Promise<void> {
  // A script file, not `--input-type=module -e`: workers inherit that flag, and the wasm
  // backend's eval'd workers are not modules.
  const script = join(dir, "cli-runs.mjs");
  const main = pathToFileURL(join(ROOT, "src", "cli", "main.ts")).href;
  writeFileSync(
    script,
    `import { main } from ${JSON.stringify(main)};
for (const args of ${JSON.stringify(runs)}) if ((await main(args)) !== 0) process.exit(1);\n`,
  );
  await promisify(execFile)(process.execPath, ["--import", "tsx", script], { cwd: ROOT });
}

/**
 * The CLI's models: a classifier on a slice of spam-assassin (test accuracy ≈ 0.95) and a
 * language model after a few steps on a slice of Moby Dick, the latter zipped as a whole
 * directory (reports, optimizer state and all).
 */
async function trainCliModels(classifierDir: string, lmDir: string, lmZip: string): Promise<void> {
  await cli(
    dirname(lmDir),
    [
      ...["train", "classify", "--data", "spam-assassin", "--limit", "400", "--hidden", "16"],
      ...["--embedding", "16", "--max-len", "60", "--batch-size", "16", "--epochs", "3"],
      ...["--lr", "0.01", "--quiet", "--out", classifierDir],
    ],
    [
      ...["train", "lm", "--data", "moby-dick", "--limit", "30000", "--hidden", "16"],
      ...["--embedding", "8", "--bptt", "32", "--batch-size", "8", "--max-steps", "5"],
      ...["--quiet", "--out", lmDir],
    ],
  );
  const tree = Object.fromEntries(
    readdirSync(lmDir).map((f) => [`lm-cli/${f}`, new Uint8Array(readFileSync(join(lmDir, f)))]),
  );
  writeFileSync(lmZip, zipSync(tree));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("web demo in Chromium", { skip: chromiumMissing() ?? false, timeout: 90_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "recurrent-web-demo-"));
  const classifierDir = join(tmp, "classify-spam");
  const cliLmZip = join(tmp, "lm-cli.zip");
  let server: WebServer;
  let browser: Chromium;
  let page: Page;
  const errors: string[] = [];

  /** The CLI trains while the page does; the steps that load its models wait for this. */
  let cliModels: Promise<void>;

  before(async () => {
    cliModels = trainCliModels(classifierDir, join(tmp, "lm-cli"), cliLmZip);
    cliModels.catch(() => {}); // reported where awaited
    // The browser is kept as soon as it is up, so that after() closes it even if the build fails.
    const [{ outdir }] = await Promise.all([
      buildWeb({ outdir: join(tmp, "dist") }),
      launchChromium({ downloads: join(tmp, "downloads") }).then((b) => (browser = b)),
    ]);
    server = await serveWeb({ root: outdir, port: 0 });
    page = await browser.context.newPage();
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
    await page.goto(server.url);
    await waitDemo(page, "d.ready");
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await cliModels?.catch(() => {});
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("trains in a worker, stays responsive, stops, resumes, generates, downloads, loads", async (t) => {
    assert.equal(
      (await demo(page)).isolated,
      true,
      "COOP/COEP make the page cross-origin isolated",
    );
    await page.click("#use-moby");
    await page.waitForFunction(() =>
      document.getElementById("text-info")!.textContent!.includes("1,2"),
    );
    await page.selectOption("#layers", "1");
    await page.selectOption("#hidden", "64");
    await page.fill("#bptt", "64");
    await page.fill("#sample-every", "10");
    await page.click("#train");
    await waitDemo(page, "d.losses.length >= 5");

    // The page's thread is free while the worker trains: a tab switch is handled at once.
    let t0 = performance.now();
    await page.click("#tab-classify");
    await waitDemo(page, 'd.activeTab === "classify"');
    const tabMs = performance.now() - t0;
    await page.click("#tab-train");
    await waitDemo(page, "d.losses.length >= 30 && d.samples >= 2");

    t0 = performance.now();
    await page.click("#stop");
    await waitDemo(page, "d.stopHandledAt > 0");
    const stopMs = performance.now() - t0;
    await waitDemo(page, 'd.phase === "idle"', 10_000);
    let d = await demo(page);
    t.diagnostic(
      `while training: tab click handled ${d.tabDelay.toFixed(0)} ms after the event ` +
        `(${tabMs.toFixed(0)} ms through Playwright), Stop ${d.stopDelay.toFixed(0)} ms ` +
        `(${stopMs.toFixed(0)} ms), worker stopped ${(d.stoppedAt - d.stopHandledAt).toFixed(0)} ms ` +
        `later; the page's 50 ms timer was at most ${d.lagMax.toFixed(0)} ms late`,
    );
    // Training on the page's thread would miss these by seconds; the margins are for busy CI.
    assert.ok(d.tabDelay < 300, `the tab click was handled ${d.tabDelay} ms after it happened`);
    assert.ok(d.stopDelay < 300, `the Stop click was handled ${d.stopDelay} ms after it happened`);
    assert.ok(tabMs < 2000 && stopMs < 2000, `clicks took ${tabMs} and ${stopMs} ms end to end`);
    assert.ok(d.lagMax < 400, `the page's thread was ${d.lagMax} ms late while training`);
    const losses = d.losses.map((l) => l.loss);
    const [first, last] = [mean(losses.slice(0, 3)), mean(losses.slice(-3))];
    t.diagnostic(`loss ${first.toFixed(3)} → ${last.toFixed(3)} in ${losses.length} steps`);
    assert.ok(first > 4 && last < first - 0.5, `the loss went from ${first} to ${last}`);
    const stoppedStep = d.losses.at(-1)!.step;

    // Resume continues the same run: the step count goes on from where it stopped.
    await page.click("#resume");
    await waitDemo(page, `d.losses.at(-1).step >= ${stoppedStep + 3}`);
    await page.click("#stop");
    await waitDemo(page, 'd.phase === "idle"', 10_000);
    d = await demo(page);
    assert.equal(d.losses[stoppedStep].step, stoppedStep + 1, "resumed at the next step");

    await page.fill("#gen-length", "120");
    await page.locator("#temperature").fill("0.5");
    await page.click("#generate");
    await waitDemo(page, "d.generated.length >= 120");
    assert.ok((await demo(page)).generated.startsWith("Call me "));
    const shot = join(ARTIFACTS, "web-demo.png");
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    console.log(`web demo screenshot: ${shot}`);

    // Download model: a zip of one folder with the three files, which the library loads.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const zipPath = join(tmp, download.suggestedFilename());
    await download.saveAs(zipPath);
    const entries = unzipSync(readFileSync(zipPath));
    const files = Object.fromEntries(
      Object.entries(entries).map(([path, bytes]) => [path.split("/").pop()!, bytes]),
    );
    assert.deepEqual(Object.keys(files).sort(), [...MODEL_FILES].sort());
    const loaded = languageModel.languageModelFromFiles(files, zipPath);
    assert.equal(loaded.model.config.hiddenSize, 64);
    assert.equal(loaded.config.data.level, "char");

    // Load model reads the zip back; Generate then uses it.
    await page.setInputFiles("#load-lm", zipPath);
    await page.waitForFunction(() =>
      document.getElementById("status")!.textContent!.startsWith("loaded"),
    );
    await page.evaluate(() => ((window as unknown as { demo: DemoState }).demo.generated = ""));
    await page.click("#generate");
    await waitDemo(page, "d.generated.length >= 120");
    assert.deepEqual(errors, []);
  });

  test("without COOP/COEP the page is not isolated and still trains (one thread)", async () => {
    const plain = await serveWeb({ root: join(tmp, "dist"), port: 0, isolate: false });
    const other = await browser.context.newPage();
    try {
      await other.goto(plain.url);
      await waitDemo(other, "d.ready");
      assert.equal((await demo(other)).isolated, false);
      await other.fill("#text", "a rose is a rose is a rose. ".repeat(200));
      await other.selectOption("#layers", "1");
      await other.selectOption("#hidden", "32");
      await other.fill("#batch", "8");
      await other.fill("#bptt", "32");
      await other.click("#train");
      await waitDemo(other, "d.losses.length >= 3");
      await other.click("#stop");
      await waitDemo(other, 'd.phase === "idle"', 10_000);
      assert.ok((await demo(other)).losses.every((l) => Number.isFinite(l.loss)));
    } finally {
      await other.close();
      await plain.close();
    }
  });

  test("classifies with a model trained by `recurrent train classify`", async (t) => {
    await cliModels;
    await page.click("#tab-classify");
    await page.setInputFiles(
      "#load-classifier",
      MODEL_FILES.map((f) => join(classifierDir, f)),
    );
    await page.waitForFunction(() =>
      document.getElementById("classifier-info")!.textContent!.includes("classes: ham, spam"),
    );
    await page.fill("#classify-texts", TEXTS.join("\n"));
    await page.click("#classify");
    await waitDemo(page, "d.predictions.length === 2");
    const rows = await page.$$eval(".prediction", (els) =>
      els.map((e) => ({
        label: e.querySelector(".prediction-label")!.textContent!,
        values: Array.from(e.querySelectorAll(".bar-value"), (v) => Number(v.textContent)),
      })),
    );
    const files = Object.fromEntries(
      MODEL_FILES.map((f) => [f, new Uint8Array(readFileSync(join(classifierDir, f)))]),
    );
    const { model, vocab, config } = classifier.classifierFromFiles(files, classifierDir);
    const node = classifier.predictTexts(model, vocab, TEXTS, { ...config.data });
    assert.deepEqual(
      rows.map((r) => r.label),
      ["spam", "ham"],
    );
    rows.forEach((row, i) => {
      assert.equal(row.label, node[i].label, `text ${i}: the browser and Node agree`);
      config.data.classes.forEach((c, k) =>
        assert.ok(Math.abs(row.values[k] - node[i].probabilities[c]) < 2e-3),
      );
    });
    const shot = join(ARTIFACTS, "web-classify.png");
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}; predictions ${rows.map((r) => r.label).join(", ")}`);
    assert.deepEqual(errors, []);
  });
});
