import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { attentionHeatmapText, shade } from "../../src/cli/report/attention-text.js";
import {
  confusionTable,
  escapeHtml,
  flattenConfig,
  inlineSvg,
  samplesBlock,
} from "../../src/cli/report/html-parts.js";
import {
  MetricsLog,
  parseMetrics,
  readMetrics,
  type MetricRecord,
} from "../../src/cli/report/metrics-log.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "recurrent-report-"));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("MetricsLog", () => {
  test("round trip: a JSON line per record, fixed fields first, time from the clock", async () => {
    const dir = await tempDir();
    let t = 5000;
    const log = new MetricsLog(join(dir, "run"), { now: () => t });
    t += 1234;
    log.append({ split: "train", epoch: 1, step: 10, loss: 2.5, tokensPerSec: 9000, lr: 1e-3 });
    t += 1000;
    log.append({ split: "valid", epoch: 1, step: 10, loss: 2.25, accuracy: 0.5 });
    log.append({ split: "test", epoch: 1, step: 10, time: 99, loss: NaN, perplexity: Infinity });
    log.close();

    const text = await readFile(join(dir, "run", "metrics.jsonl"), "utf8");
    const lines = text.split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[3], "");
    assert.equal(
      lines[0],
      '{"split":"train","epoch":1,"step":10,"time":1.234,' +
        '"loss":2.5,"tokensPerSec":9000,"lr":0.001}',
    );
    assert.match(lines[2], /"loss":"NaN","perplexity":"Infinity"/);

    const back = await readMetrics(log.path);
    assert.deepEqual(back.slice(0, 2), log.records.slice(0, 2));
    assert.equal(back[1].time, 2.234);
    assert.ok(Number.isNaN(back[2].loss) && back[2].perplexity === Infinity);
    assert.equal(back[2].time, 99);
  });

  test("rejects bad records before writing them", async () => {
    const dir = await tempDir();
    const log = new MetricsLog(dir);
    assert.throws(
      () => log.append({ split: "dev" as "valid", epoch: 1, step: 1 }),
      /split must be "train", "valid" or "test", got "dev"/,
    );
    assert.throws(
      () => log.append({ split: "train", epoch: 1, step: 1, note: "x" }),
      /note must be a number/,
    );
    assert.throws(() => log.append({ split: "train", epoch: NaN, step: 1 }), /epoch must be/);
    log.close();
    assert.equal(await readFile(log.path, "utf8"), "");
    assert.throws(() => log.append({ split: "train", epoch: 1, step: 1 }), /closed/);
  });

  test("a torn last line is dropped on read and trimmed before appending again", async () => {
    const dir = await tempDir();
    const path = join(dir, "metrics.jsonl");
    const good = '{"split":"train","epoch":1,"step":1,"time":0.5,"loss":3}\n';
    await writeFile(path, good + good + '{"split":"train","epoch":1,"st');
    assert.equal((await readMetrics(path)).length, 2);

    const log = new MetricsLog(dir, { now: () => 0 });
    log.append({ split: "valid", epoch: 1, step: 2, loss: 2 });
    log.close();
    const text = await readFile(path, "utf8");
    assert.equal(text, good + good + '{"split":"valid","epoch":1,"step":2,"time":0,"loss":2}\n');
    assert.deepEqual(
      (await readMetrics(path)).map((r) => r.split),
      ["train", "train", "valid"],
    );
  });

  test("a corrupt line in the middle is an error naming file:line", async () => {
    const dir = await tempDir();
    const path = join(dir, "metrics.jsonl");
    const good = '{"split":"train","epoch":1,"step":1,"time":0.5,"loss":3}\n';
    await writeFile(path, good + "\n" + "{oops\n" + good);
    const where = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await assert.rejects(readMetrics(path), new RegExp(`^Error: ${where}:3: not valid JSON`));
    await writeFile(path, good + '{"split":"train","epoch":"1","step":1,"time":0}\n');
    await assert.rejects(readMetrics(path), /metrics\.jsonl:2: epoch must be a finite number/);
    // A bad last line that did get its newline was written whole: it is corrupt, not torn.
    assert.throws(() => parseMetrics(good + "[]\n", "m.jsonl"), /^Error: m\.jsonl:2: a record/);
  });

  test("CRLF and blank lines are tolerated", () => {
    const a = '{"split":"train","epoch":1,"step":1,"time":0}';
    const b = '{"split":"test","epoch":1,"step":1,"time":1}';
    const records: MetricRecord[] = parseMetrics(`${a}\r\n\r\n${b}\r\n`);
    assert.deepEqual(
      records.map((r) => r.split),
      ["train", "test"],
    );
  });
});

describe("attentionHeatmapText", () => {
  const source = ["je", "suis", "<eos>"];
  const target = ["i", "am", "<eos>"];
  const weights = [
    [0.9, 0.05, 0.05],
    [0.1, 0.8, 0.1],
    [0.0, 0.1, 0.9],
  ];

  test("rows are targets, two-character columns are sources, labels run down the columns", () => {
    const lines = attentionHeatmapText(source, target, weights).split("\n");
    const gutter = "<eos>".length + 1;
    const header = lines.slice(0, 5); // the longest source label, "<eos>", has 5 characters
    assert.deepEqual(
      header.map((l) => l.slice(gutter)),
      ["j s <", "e u e", "  i o", "  s s", "    >"],
    );
    const rows = lines.slice(5, 8);
    assert.deepEqual(
      rows.map((r) => r.slice(0, gutter).trimEnd()),
      target,
    );
    assert.deepEqual(
      rows.map((r) => r.slice(gutter, gutter + 6)),
      ["██    ", "  ██  ", "    ██"],
    );
    assert.match(rows[1], /→ suis 0\.80$/);
    assert.match(lines[8], /█ ≥80% of max 0\.90$/);
    assert.equal(lines.length, 9);
  });

  test("shades are fifths of the scale; row scale shows a diffuse row's peak", () => {
    assert.deepEqual(
      [0, 0.19, 0.2, 0.45, 0.7, 0.85, 1].map((w) => shade(w, 1)),
      [" ", " ", "░", "▒", "▓", "█", "█"],
    );
    const w = [
      [0.9, 0.05, 0.05],
      [0.2, 0.3, 0.5],
    ];
    const rowOf = (text: string) => text.split("\n")[2].slice(2, 8);
    assert.equal(rowOf(attentionHeatmapText(["a", "b", "c"], ["x", "y"], w)), "░░░░▒▒");
    assert.equal(
      rowOf(attentionHeatmapText(["a", "b", "c"], ["x", "y"], w, { scale: "row" })),
      "▒▒▓▓██",
    );
  });

  test("rejects weights of the wrong shape", () => {
    assert.throws(
      () => attentionHeatmapText(source, target, [[1, 0, 0]]),
      /must be \[target 3\]\[source 3\], got \[1\]\[3\]/,
    );
  });
});

describe("report HTML parts", () => {
  test("escapes data and keeps SVG ids unique per inline chart", () => {
    assert.equal(escapeHtml(`<a href="x">&'`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    assert.deepEqual(flattenConfig({ a: { b: 1, c: [1, 2] }, d: "x", e: null }), [
      ["a.b", "1"],
      ["a.c", "[1,2]"],
      ["d", "x"],
      ["e", "null"],
    ]);
    assert.equal(
      samplesBlock([{ prime: "<b>", text: "<b>old & new" }]),
      '<pre class="sample"><mark>&lt;b&gt;</mark>old &amp; new</pre>',
    );
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">' +
      '<path fill="url(#gradient_0)"/><linearGradient id="gradient_0"/></svg>';
    assert.equal(
      inlineSvg(svg, "c1-"),
      '<svg><path fill="url(#c1-gradient_0)"/><linearGradient id="c1-gradient_0"/></svg>',
    );
  });

  test("confusion table: true classes as rows, shaded by row share", () => {
    const html = confusionTable({
      classes: ["ham", "<spam>"],
      matrix: [
        [9, 1],
        [0, 5],
      ],
    });
    assert.match(html, /<th scope="row">&lt;spam&gt;<\/th>/);
    assert.match(
      html,
      /<td class="diag" style="background:rgb\(31, 119, 180\);color:white"[^>]*>5</,
    );
    assert.match(html, /title="ham → &lt;spam&gt;: 1 \(10\.0%\)">1</);
    assert.throws(() => confusionTable({ classes: ["a"], matrix: [[1, 2]] }), /1×1/);
  });
});
