/**
 * A corpus larger than `--memory-budget` streams from disk (cli/lm-stream.ts): its windows are
 * exactly the in-memory BPTT windows of the same tokens, the heap stays bounded by the batch and
 * window sizes while a 16 MB corpus goes through, and `train lm` streams, resumes bit-exactly,
 * and says that it streams.
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/streaming.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { prepareStreamedLm } from "../../src/cli/lm-stream.js";
import { BpttIterator } from "../../src/data/bptt.js";
import { loadDataset } from "../../src/io/node/datasets.js";
import { lmTokens } from "../../src/tasks/language-model/data.js";
import { bundleCli, runCli } from "./cli-harness.js";

const root = mkdtempSync(join(tmpdir(), "recurrent-stream-"));
const small = join(root, "small.txt");
const big = join(root, "big.txt");
let text = "";
before(async () => {
  text = (await loadDataset("moby-dick", { limit: 300_000 })).text;
  writeFileSync(small, text);
});
after(() => rmSync(root, { recursive: true, force: true }));

// A full collection on demand without --expose-gc on the command line (the test runner's).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (() => void) | undefined;

describe("streaming a corpus from disk", () => {
  test("the streamed windows are the in-memory windows of the training bytes", async () => {
    const data = await prepareStreamedLm(
      [small],
      { level: "char" },
      {
        batchSize: 3,
        bpttLen: 50,
        budgetBytes: 1e5,
      },
    );
    // The training span is the first 90% of the bytes, cut at a line start.
    const bytes = Buffer.from(text);
    let end = Math.floor(bytes.length * 0.9);
    while (end < bytes.length && bytes[end - 1] !== 10) end++;
    const ids = Int32Array.from(
      data.vocab.encode(lmTokens(bytes.subarray(0, end).toString(), { level: "char" })),
    );
    assert.equal(data.trainTokens, ids.length);
    const expected = [...new BpttIterator(ids, { batchSize: 3, bpttLen: 50 })];
    assert.equal(data.train.numWindows, expected.length);
    let k = 0;
    for await (const w of data.train.windows) {
      assert.deepEqual(w.input.data, expected[k].input.data, `window ${k} input`);
      assert.deepEqual(w.target.data, expected[k].target.data, `window ${k} target`);
      k++;
    }
    assert.equal(k, expected.length);
    assert.ok(data.valid.length > 1000 && data.test.length > 1000);
  });

  test("16 MB go through in bounded memory", async (t) => {
    if (!gc) {
      t.skip("needs node --expose-gc to measure the heap");
      return;
    }
    const chunk = text.repeat(4);
    writeFileSync(big, "");
    for (let written = 0; written < 16e6; written += chunk.length)
      writeFileSync(big, chunk, { flag: "a" });
    gc();
    const base = process.memoryUsage().heapUsed;
    const data = await prepareStreamedLm(
      [big],
      { level: "char" },
      {
        batchSize: 16,
        bpttLen: 1000,
        budgetBytes: 4e6,
      },
    );
    let peak = 0;
    let k = 0;
    for await (const w of data.train.windows) {
      void w;
      if (++k % 200 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    assert.equal(k, data.train.numWindows);
    const stream = data.train.windows as { peakBufferedTokens: number };
    t.diagnostic(
      `${(data.bytes / 1e6).toFixed(0)} MB, ${k} windows: heap +${(peak / 1e6).toFixed(1)} MB, at most ${stream.peakBufferedTokens} tokens buffered per row`,
    );
    // Held-out spans of a quarter of the budget each (ids of 4 bytes) are the biggest resident part.
    assert.ok(peak < 16e6, `the heap grew by ${(peak / 1e6).toFixed(1)} MB`);
    assert.ok(
      stream.peakBufferedTokens < 1001 + 2 * 65536,
      `${stream.peakBufferedTokens} tokens in a row`,
    );
    rmSync(big);
  });

  test("train lm streams past --memory-budget, says so, and resumes bit-exactly", async () => {
    const cli = await bundleCli();
    const run = (out: string, steps: number) => [
      "train",
      "lm",
      ...["--data", small, "--memory-budget", "0.1", "--hidden", "8", "--embedding", "4"],
      ...["--batch-size", "4", "--bptt", "20", "--checkpoint-every", "2", "--quiet"],
      ...["--max-steps", String(steps), "--out", out],
    ];
    const whole = join(root, "whole");
    const parts = join(root, "parts");
    const a = await runCli(cli, run(whole, 8));
    assert.equal(a.code, 0, a.stderr);
    assert.match(
      a.stderr,
      /training characters streamed from disk \(0\.3 MB > --memory-budget 0\.1 MB\)/,
    );
    assert.equal(JSON.parse(readFileSync(join(whole, "config.json"), "utf8")).data.stream, true);
    assert.equal((await runCli(cli, run(parts, 4))).code, 0);
    const b = await runCli(cli, [
      "train",
      "lm",
      "--resume",
      "--max-steps",
      "8",
      "--quiet",
      "--out",
      parts,
    ]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /streamed from disk/);
    for (const f of ["model.safetensors", "optimizer.safetensors"])
      assert.ok(readFileSync(join(whole, f)).equals(readFileSync(join(parts, f))), `${f} differs`);
    const limited = await runCli(cli, [...run(join(root, "limited"), 2), "--limit", "200000"]);
    assert.equal(limited.code, 2);
    assert.match(
      limited.stderr,
      /--limit 200000 keeps more characters in memory than --memory-budget 0\.1 MB/,
    );
  });
});
