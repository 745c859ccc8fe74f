import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Progress } from "../../src/cli/progress.js";
import {
  formatDuration,
  formatMetric,
  formatRate,
  formatSignificant,
} from "../../src/cli/report/format.js";

/** A stream that records what is written, and a clock the test moves by hand. */
function fakes(isTTY = false) {
  const chunks: string[] = [];
  const stream = { isTTY, columns: 120, write: (s: string) => chunks.push(s) > 0 };
  const clock = { t: 1_000_000, now: () => clock.t };
  return { chunks, stream, clock, text: () => chunks.join("") };
}

describe("number formatting", () => {
  test("significant digits, rates, durations, metric labels", () => {
    assert.equal(formatSignificant(2.345678), "2.346");
    assert.equal(formatSignificant(0.0123456), "0.01235");
    assert.equal(formatSignificant(0.0000123456), "1.235e-5");
    assert.equal(formatSignificant(123456.7), "123,457");
    assert.equal(formatSignificant(NaN), "nan");
    assert.equal(formatRate(9876.4), "9,876");
    assert.equal(formatRate(12345), "12.3k");
    assert.equal(formatRate(2_345_678), "2.35M");
    assert.equal(formatDuration(7), "0:07");
    assert.equal(formatDuration(3723), "1:02:03");
    assert.equal(formatDuration(NaN), "--:--");
    assert.equal(formatMetric("loss", 2.34567), "loss 2.346");
    assert.equal(formatMetric("accuracy", 0.8123), "acc 81.23%");
    assert.equal(formatMetric("valAccuracy", 0.5), "valAccuracy 50.00%");
    assert.equal(formatMetric("perplexity", 123.456), "ppl 123.5");
    assert.equal(formatMetric("tokensPerSec", 12345.6), "12.3k tok/s");
    assert.equal(formatMetric("samplesPerSec", 456.2), "456 samples/s");
    assert.equal(formatMetric("tok/s", 23456), "23.5k tok/s");
    assert.equal(formatMetric("acc", 0.5), "acc 50.00%");
    assert.equal(formatMetric("lr", 0.001), "lr 1.00e-3");
    assert.equal(formatMetric("batch", 12000), "batch 12,000");
  });
});

describe("Progress without a TTY", () => {
  test("plain lines, at most one per interval, plus one when a pass completes", () => {
    const { chunks, stream, clock, text } = fakes();
    const p = new Progress({ total: 30, label: "train", epochs: 2, stream, now: clock.now });
    for (let i = 1; i <= 30; i++) {
      clock.t += 1000;
      p.update(i, { epoch: 1, loss: 2 / i, accuracy: i / 40, tokensPerSec: 12345 });
    }
    // 30 s of updates at 10 s intervals: t = 10, 20, 30 s; the last is also the pass's end.
    assert.equal(chunks.length, 3);
    assert.equal(
      chunks[0],
      "train epoch 1/2 step 10/30 (33%) eta 0:20 | loss 0.2000 acc 25.00% 12.3k tok/s | " +
        "elapsed 0:10\n",
    );
    assert.match(chunks[2], /^train epoch 1\/2 step 30\/30 \(100%\) eta 0:00 \|/);
    assert.ok(!text().includes("\r") && !text().includes("\x1b"), "no carriage return, no ANSI");
  });

  test("a pass ending within the interval still gets its line; a new pass resets the ETA", () => {
    const { chunks, stream, clock } = fakes();
    const p = new Progress({ total: 4, stream, now: clock.now, intervalMs: 60_000 });
    for (let epoch = 1; epoch <= 2; epoch++) {
      for (let i = 1; i <= 4; i++) {
        clock.t += epoch * 500; // the second epoch runs at half the speed
        p.update(i, { epoch, loss: 1 / i });
        if (epoch === 2 && i === 2) assert.match(p.line(), /eta 0:02 /);
      }
    }
    assert.deepEqual(
      chunks.map((c) => c.split(" | ")[0]),
      ["epoch 1 step 4/4 (100%) eta 0:00", "epoch 2 step 4/4 (100%) eta 0:00"],
    );
    p.stop();
    assert.equal(chunks.length, 2, "stop() does not repeat a line already printed");
  });

  test("a new epoch prints the last one's final state; stop() prints an unshown state", () => {
    const { chunks, stream, clock } = fakes();
    // total counts the whole run here, so no pass ends at an epoch boundary.
    const p = new Progress({ total: 100, stream, now: clock.now });
    clock.t += 1000;
    p.update(10, { epoch: 1, loss: 3 });
    clock.t += 1000;
    p.update(11, { epoch: 2, loss: 2 });
    assert.equal(chunks.length, 1);
    assert.match(chunks[0], /^epoch 1 step 10\/100 .*loss 3\.000/);
    clock.t += 1000;
    p.update(12, { valLoss: 2.5 });
    p.stop();
    p.stop();
    assert.equal(chunks.length, 2);
    assert.match(
      chunks[1],
      /^epoch 2 step 12\/100 .*loss 2\.000 valLoss 2\.500 \| elapsed 0:03\n$/,
    );
    p.update(50, { loss: 1 });
    assert.equal(chunks.length, 2, "updates after stop() are ignored");
  });

  test("log() prints its line at once", () => {
    const { chunks, stream, clock } = fakes();
    const p = new Progress({ total: 10, stream, now: clock.now });
    p.update(1, { loss: 1 });
    p.log("valid loss 0.9");
    assert.deepEqual(chunks, ["valid loss 0.9\n"]);
    p.stop();
  });
});

describe("Progress in a TTY", () => {
  test("one bar redrawn in place, log lines above it, a newline at stop", () => {
    const { stream, text } = fakes(true);
    const p = new Progress({ total: 4, label: "train", stream });
    p.update(2, { epoch: 1, loss: 1.5, perplexity: 4.48 });
    p.log("checkpoint saved");
    p.update(4, { epoch: 1, loss: 1.25 });
    p.stop();
    const out = text();
    assert.ok(!out.includes("\x1b7") && !out.includes("\x1b8"), "no cursor save/restore");
    assert.ok(out.includes("\r\x1b[2Kcheckpoint saved\n"), "the log line erases the bar first");
    // Every redraw returns to column 1 instead of starting a new line.
    const lines = out.split("\n");
    assert.equal(lines.length, 3, JSON.stringify(out));
    assert.match(lines[1], /train epoch 1 ████████████████████ 100% 4\/4 eta 0:00 │ loss 1\.250/);
    assert.match(out, /██████████░░░░░░░░░░ 50% 2\/4/);
    assert.equal(lines[2], "");
  });

  test("tty: false forces plain lines on a terminal", () => {
    const { chunks, stream, clock } = fakes(true);
    const p = new Progress({ total: 2, stream, tty: false, now: clock.now });
    p.update(2, { loss: 1 });
    p.stop();
    assert.deepEqual(chunks.length, 1);
    assert.ok(!chunks[0].includes("\x1b"));
  });
});
