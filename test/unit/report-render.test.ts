import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  curveAxis,
  curveSpec,
  defaultMetric,
  learningCurves,
} from "../../src/cli/report/curves.js";
import { writeReport } from "../../src/cli/report/html.js";
import type { MetricRecord } from "../../src/cli/report/metrics-log.js";
import { fontStatus, svgToPng } from "../../src/cli/report/render.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk, which always comes first. */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(String.fromCharCode(...png.subarray(12, 16)), "IHDR");
  return [view.getUint32(16), view.getUint32(20)];
}

function svgSize(svg: string): [number, number] {
  const m = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  assert.ok(m, "an <svg> with width and height");
  return [Number(m[1]), Number(m[2])];
}

/** A classifier run: 3 epochs of 4 logged train steps, a validation record per epoch. */
function classifierRecords(): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let epoch = 1; epoch <= 3; epoch++) {
    for (let i = 1; i <= 4; i++) {
      const step = (epoch - 1) * 4 + i;
      records.push({
        split: "train",
        epoch,
        step,
        time: step,
        loss: 2 / step,
        accuracy: step / 13,
      });
    }
    const step = epoch * 4;
    records.push({
      split: "valid",
      epoch,
      step,
      time: step,
      loss: 2.5 / epoch,
      accuracy: epoch / 4,
    });
  }
  return records;
}

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("learning curves", () => {
  test("train vs validation charts as SVG and PNG, with text in the PNG", async () => {
    const { loss, metric } = await learningCurves(classifierRecords(), { task: "classify" });
    assert.ok(loss && metric);
    assert.equal(loss.name, "loss");
    assert.equal(metric.name, "accuracy");
    for (const chart of [loss, metric]) {
      assert.match(chart.svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(chart.svg, /<\/svg>$/);
      assert.match(chart.svg, />train<\/text>/);
      assert.match(chart.svg, />validation<\/text>/);
      assert.match(chart.svg, />step<\/text>/);
      // Two line paths (train, validation) in the line layer.
      assert.equal(chart.svg.match(/aria-roledescription="line mark"/g)?.length, 2);
      assert.deepEqual([...chart.png.subarray(0, 8)], PNG_SIGNATURE);
      const [w, h] = pngSize(chart.png);
      const [sw, sh] = svgSize(chart.svg);
      assert.deepEqual([w, h], [2 * sw, 2 * sh]);
      assert.ok(w > 800 && w < 2500 && h > 400 && h < 1500, `${w}×${h}`);
    }
    assert.match(loss.svg, />Training and validation loss<\/text>/);
    assert.match(metric.svg, />Training and validation accuracy<\/text>/);
    assert.match(metric.svg, />50%<\/text>/, "accuracy axis reads as percentages");

    if (fontStatus().found) {
      // Text that rendered makes the PNG differ from the same chart with its text removed.
      const bare = svgToPng(loss.svg.replace(/<text[^>]*>[^<]*<\/text>/g, ""));
      assert.notDeepEqual(bare, loss.png);
      assert.ok(loss.png.length > bare.length + 2000, `${loss.png.length} vs ${bare.length}`);
    }
  });

  test("missing series and fields: no validation, no accuracy, epoch axis when per-epoch", () => {
    const trainOnly = classifierRecords().filter((r) => r.split === "train");
    assert.equal(curveAxis(trainOnly), "step");
    const spec = curveSpec(trainOnly, "loss") as unknown as {
      title: { text: string };
      encoding: { color: { scale: { domain: string[] } }; x: { title: string } };
    };
    assert.equal(spec.title.text, "Training loss");
    assert.deepEqual(spec.encoding.color.scale.domain, ["train"]);
    assert.equal(spec.encoding.x.title, "step");
    assert.equal(curveSpec(trainOnly, "perplexity"), null);

    const perEpoch = classifierRecords().filter((r) => r.split === "valid");
    assert.equal(curveAxis(perEpoch), "epoch");
    assert.equal(curveAxis([{ ...perEpoch[0], epoch: 0.5 }]), "step", "fractional epochs");
    const valid = curveSpec(perEpoch, "loss") as unknown as typeof spec;
    assert.equal(valid.title.text, "Validation loss");
    assert.equal(valid.encoding.x.title, "epoch");
  });

  test("a language model's second chart is perplexity, on a log scale when it spans 10×", () => {
    assert.equal(defaultMetric("lm"), "perplexity");
    const lm: MetricRecord[] = [90, 20, 6, 4].map((perplexity, i) => ({
      split: i % 2 ? "valid" : "train",
      epoch: 1,
      step: i * 100,
      time: i,
      perplexity,
    }));
    const spec = curveSpec(lm, "perplexity") as unknown as {
      encoding: { y: { title: string; scale: { type?: string } } };
    };
    assert.equal(spec.encoding.y.title, "perplexity (log scale)");
    assert.equal(spec.encoding.y.scale.type, "log");
    const flat = curveSpec(lm.slice(2), "perplexity") as unknown as typeof spec;
    assert.equal(flat.encoding.y.title, "perplexity");
    assert.equal(flat.encoding.y.scale.type, undefined);
  });
});

describe("writeReport", () => {
  test("writes report.html and the charts; the page is self-contained and escaped", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recurrent-report-"));
    dirs.push(dir);
    const records = classifierRecords();
    const { files, warnings } = await writeReport(dir, {
      title: "Spam <LSTM> & co",
      task: "classify",
      config: {
        model: { hiddenSize: 32, cell: "lstm" },
        optim: { lr: 0.001 },
        note: "<img src=x>",
      },
      records,
      final: { "test accuracy": 0.912, "test loss": 0.31234 },
      samples: [{ prime: "Dear <friend>", text: "Dear <friend>, you won $1 & more" }],
      confusion: {
        classes: ["ham", "spam"],
        matrix: [
          [40, 2],
          [3, 20],
        ],
      },
      perClass: [{ class: "ham", precision: 0.93, recall: 0.95, f1: 0.94, support: 42 }],
      attention: [
        {
          source: ["a", "<b>"],
          target: ["x", "y"],
          weights: [
            [0.9, 0.1],
            [0.2, 0.8],
          ],
        },
        { source: ["c"], target: ["z"], weights: [[1]], title: "second" },
      ],
      translations: [{ source: "je suis", reference: "i am", hypothesis: "i am" }],
      date: new Date("2024-05-06T07:08:00Z"),
    });
    assert.deepEqual(
      files.map((f) => f.slice(dir.length + 1)),
      ["report.html", "loss.svg", "loss.png", "accuracy.svg", "accuracy.png"],
    );
    assert.deepEqual(
      (await readdir(dir)).sort(),
      ["accuracy.png", "accuracy.svg", "loss.png", "loss.svg", "report.html"],
      "no temporary files left behind",
    );
    assert.equal(warnings.length, fontStatus().found ? 0 : 1);
    const png = await readFile(join(dir, "loss.png"));
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
    assert.match(await readFile(join(dir, "accuracy.svg"), "utf8"), /^<svg /);

    const html = await readFile(join(dir, "report.html"), "utf8");
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<title>Spam &lt;LSTM&gt; &amp; co<\/title>/);
    assert.match(html, /text classifier · 3 epochs · 12 steps · 0:12 of training/);
    assert.match(html, /2024-05-06 07:08 UTC/);
    assert.doesNotMatch(html, /https?:\/\//, "no external references");
    assert.doesNotMatch(html, /<(script|link|img)\b/i);
    // Config as dotted keys, values escaped.
    assert.match(html, /<th scope="row">model\.hiddenSize<\/th><td><code>32<\/code>/);
    assert.match(html, /<code>&lt;img src=x&gt;<\/code>/);
    // Final metrics, formatted.
    assert.match(html, /test accuracy<\/div><div class="v">91\.20%</);
    assert.match(html, /test loss<\/div><div class="v">0\.3123</);
    assert.match(html, /<mark>Dear &lt;friend&gt;<\/mark>, you won \$1 &amp; more<\/pre>/);
    assert.match(html, /<td class="exact">i am ✓<\/td>/);
    // Two charts and two heatmaps inline, with ids that do not collide.
    assert.equal(html.match(/<svg /g)?.length, 4);
    assert.match(html, />&lt;b&gt;<\/text>/, "tokens in the heatmap SVG are escaped");
    assert.match(html, />second<\/text>/);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(ids.length >= 2);
    assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(" ")}`);
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(ref), ref);
  });
});
