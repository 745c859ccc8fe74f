/**
 * The non-finite guard through the CLI, end to end: a learning rate that diverges, and a NaN
 * injected at a chosen step (RECURRENT_FAULT_NONFINITE_STEPS, a test hook of run-training.ts).
 * Training must stop with exit 1 and a message naming the step and the fixes, keep the last good
 * checkpoint (which loads and resumes: a clean resume then finishes exactly as a run that never
 * saw the NaN), and with --skip-nonfinite skip the batch and report the count, across resumes.
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/nonfinite.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCheckpointFiles, readModelDir } from "../../src/io/node/model-dir.js";
import { decodeCheckpoint } from "../../src/tasks/common/checkpoint.js";
import { bundleCli, cliEnv, runCli } from "./cli-harness.js";

const TINY = [
  "train",
  "lm",
  ...["--data", "moby-dick", "--limit", "4000", "--hidden", "8", "--embedding", "4"],
  ...["--batch-size", "4", "--bptt", "20", "--quiet"],
];

let cli = "";
let root = "";
before(async () => {
  cli = await bundleCli();
  root = mkdtempSync(join(tmpdir(), "recurrent-nonfinite-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** The checkpoint left in `dir`: its step, and whether every weight is finite. */
async function lastCheckpoint(dir: string): Promise<{ step: number; finite: boolean }> {
  const files = await readCheckpointFiles(dir);
  assert.ok(files, `${dir} has no checkpoint`);
  const ckpt = decodeCheckpoint(files, dir);
  const { weights } = await readModelDir(dir, "lm");
  const finite = Object.values(weights).every((t) => t.data.every(Number.isFinite));
  return { step: ckpt.state.globalStep, finite };
}

const stopped = (step: number, kept: number): RegExp =>
  new RegExp(
    `error: training stopped at step ${step} \\(epoch 1, batch ${step}\\): loss NaN\\. ` +
      "Lower the learning rate, enable gradient clipping \\(--clip\\), or pass --skip-nonfinite; " +
      `the checkpoint of step ${kept} is kept\\.`,
  );

describe("non-finite guard through the CLI", () => {
  test("a diverging --lr stops with exit 1 before saving infinite weights; the last good checkpoint loads and resumes", async () => {
    const dir = join(root, "diverge");
    const args = [...TINY, "--optimizer", "sgd", "--lr", "1e30", "--clip", "0"];
    const r = await runCli(cli, [
      ...args,
      "--checkpoint-every",
      "1",
      "--max-steps",
      "20",
      "--out",
      dir,
    ]);
    assert.equal(r.code, 1, r.stderr);
    // Step 2's loss is finite but its update overflows the weights: the checkpoint guard stops it.
    const overflow =
      /error: training stopped after step 2: parameter encoder\.weight became -?Infinity\. Lower the learning rate or enable gradient clipping \(--clip\); the checkpoint of step 1 is kept\./;
    assert.match(r.stderr, overflow);
    assert.deepEqual(await lastCheckpoint(dir), { step: 1, finite: true });
    // The same weights diverge the same way: the resumed run stops at the same step.
    const again = await runCli(cli, ["train", "lm", "--resume", "--quiet", "--out", dir]);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, overflow);
    assert.deepEqual(await lastCheckpoint(dir), { step: 1, finite: true });
    // Without a checkpoint between, the loss guard catches it one step later.
    const sparse = join(root, "diverge-sparse");
    const s = await runCli(cli, [
      ...args,
      "--checkpoint-every",
      "5",
      "--max-steps",
      "20",
      "--out",
      sparse,
    ]);
    assert.equal(s.code, 1, s.stderr);
    assert.match(
      s.stderr,
      /training stopped at step 3 .*: loss NaN\..*; no checkpoint was saved\./,
    );
  });

  test("an injected NaN stops at its step; a clean --resume finishes as if it never happened", async () => {
    const clean = join(root, "clean");
    const dir = join(root, "nan-at-5");
    const run = [...TINY, "--checkpoint-every", "2", "--max-steps", "10"];
    assert.equal((await runCli(cli, [...run, "--out", clean])).code, 0);
    const r = await runCli(
      cli,
      [...run, "--out", dir],
      cliEnv({ RECURRENT_FAULT_NONFINITE_STEPS: "5" }),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, stopped(5, 4));
    assert.match(r.stdout, /model: .*nan-at-5\nreport: .*report\.html/);
    assert.deepEqual(await lastCheckpoint(dir), { step: 4, finite: true });
    const resumed = await runCli(cli, ["train", "lm", "--resume", "--quiet", "--out", dir]);
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const f of ["model.safetensors", "optimizer.safetensors"])
      assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(clean, f))), `${f} differs`);
  });

  test("--skip-nonfinite skips and counts, in the output, the report and across --resume", async () => {
    const dir = join(root, "skip");
    const env = cliEnv({ RECURRENT_FAULT_NONFINITE_STEPS: "3,7,8" });
    const first = await runCli(
      cli,
      [...TINY, "--skip-nonfinite", "--checkpoint-every", "2", "--max-steps", "5", "--out", dir],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^skipped non-finite batches: 1$/m);
    assert.match(first.stdout, /^steps: 5$/m);
    const second = await runCli(
      cli,
      ["train", "lm", "--resume", "--max-steps", "10", "--quiet", "--out", dir],
      env,
    );
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^skipped non-finite batches: 3$/m);
    assert.match(readFileSync(join(dir, "report.html"), "utf8"), /skipped non-finite batches/);
    assert.deepEqual(await lastCheckpoint(dir), { step: 10, finite: true });
  });
});
