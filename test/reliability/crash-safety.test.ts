/**
 * Crash safety of `recurrent train`: SIGKILL at random moments (start-up, the first commit,
 * mid-training, mid-checkpoint, the epoch end, the report) must leave a model directory that
 * loads, and `--resume` must finish the run with parameters and optimizer state bit-identical to
 * an uninterrupted run's (RECURRENT_THREADS=1, the deterministic mode). A kill before the first
 * checkpoint leaves only config.json and vocab.json: --resume then says so (exit 2) and the run
 * starts again with --overwrite. Some trials also kill the resumed run, once more.
 *
 * SIGINT and SIGTERM must finish the step, save, exit 130 / 143 with a message naming the step,
 * and leave a checkpoint of exactly that step, from which --resume completes exactly.
 *
 * RECURRENT_KILL_TRIALS (default 5; `npm run fuzz` runs 70) and RECURRENT_KILL_SEED choose the
 * trials.
 *
 * @example
 * RECURRENT_KILL_TRIALS=100 node scripts/run-tests.mjs test/reliability/crash-safety.test.ts
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCheckpointFiles, readModelDir, recoverModelDir } from "../../src/io/node/model-dir.js";
import { decodeCheckpoint } from "../../src/tasks/common/checkpoint.js";
import {
  bundleCli,
  runCli,
  seeded,
  sleep,
  startCli,
  waitForFile,
  type Exit,
} from "./cli-harness.js";

const TRIALS = Number(process.env.RECURRENT_KILL_TRIALS ?? 5);
const SEED = Number(process.env.RECURRENT_KILL_SEED ?? 1);
const STEPS = 60;
// 3,600 training characters in 4 rows of BPTT 20: 45 windows an epoch, so the 60 steps cross an
// epoch end (validation, epoch checkpoint); dropout draws from the RNG the checkpoint carries.
const RUN = [
  "train",
  "lm",
  ...["--data", "moby-dick", "--limit", "4000", "--hidden", "8", "--embedding", "4"],
  ...["--batch-size", "4", "--bptt", "20", "--dropout", "0.1", "--checkpoint-every", "2"],
  ...["--max-steps", String(STEPS), "--quiet"],
];

let cli = "";
let root = "";
let reference: { model: Buffer; optimizer: Buffer; state: string };
let trainMs = 0;

/** state.json without the wall-clock field, which legitimately differs. */
const stateOf = (dir: string): string => {
  const s = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as Record<string, unknown>;
  delete s.elapsed;
  return JSON.stringify(s);
};

const finalOf = (dir: string) => ({
  model: readFileSync(join(dir, "model.safetensors")),
  optimizer: readFileSync(join(dir, "optimizer.safetensors")),
  state: stateOf(dir),
});

function assertSameAsReference(dir: string, what: string): void {
  const got = finalOf(dir);
  assert.ok(got.model.equals(reference.model), `${what}: model.safetensors differs`);
  assert.ok(got.optimizer.equals(reference.optimizer), `${what}: optimizer.safetensors differs`);
  assert.equal(got.state, reference.state, `${what}: state.json differs`);
}

function assertOk(r: Exit, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code ?? r.signal}\n${r.stderr}`);
}

type KillState = "no directory" | "no checkpoint" | "checkpoint";

/** What a kill left, checked to load (see the file header). */
async function inspect(dir: string): Promise<{ state: KillState; step?: number }> {
  if (existsSync(dir)) await recoverModelDir(dir);
  if (!existsSync(join(dir, "config.json"))) return { state: "no directory" };
  const files = await readCheckpointFiles(dir);
  if (files === null) {
    await assert.rejects(readModelDir(dir, "lm"), /has no model\.safetensors/);
    return { state: "no checkpoint" };
  }
  const ckpt = decodeCheckpoint(files, dir);
  const { config, weights } = await readModelDir(dir, "lm");
  assert.equal(config.task, "lm");
  for (const [k, t] of Object.entries(weights))
    assert.deepEqual(t.data, ckpt.model[k].data, `${dir}: ${k} differs from the checkpoint's`);
  return { state: "checkpoint", step: ckpt.state.globalStep };
}

before(async () => {
  cli = await bundleCli();
  root = mkdtempSync(join(tmpdir(), "recurrent-crash-"));
  const dir = join(root, "reference");
  const started = Date.now();
  const run = startCli(cli, [...RUN, "--out", dir]);
  await run.waitForStderr(/train lm:/);
  const t0 = Date.now();
  const r = await run.exited;
  assertOk(r, "reference run");
  trainMs = Date.now() - t0;
  reference = finalOf(dir);
  assert.ok(trainMs < 60000 && Date.now() - started < 90000, "the reference run is too slow");
});

after(() => rmSync(root, { recursive: true, force: true }));

describe("crash safety: SIGKILL at random moments", () => {
  test(`${TRIALS} kills, each followed by a load and a --resume that finishes exactly`, async (t) => {
    const rand = seeded(SEED);
    const tally: Record<string, number> = {};
    let kills = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = join(root, `kill-${trial}`);
      const what = `trial ${trial} (seed ${SEED})`;
      // Some kills fall in start-up (data loading, the first commit), some right after the
      // first commit (config.json, no checkpoint yet), the rest anywhere from the start of
      // training to the end of the report.
      const r = rand();
      const when = r < 0.15 ? "start-up" : r < 0.25 ? "first commit" : "training";
      const delay = Math.floor(rand() * (when === "start-up" ? 600 : trainMs * 0.9));
      const run = startCli(cli, [...RUN, "--out", dir]);
      if (when === "first commit") await waitForFile(join(dir, "config.json"), run);
      else {
        if (when === "training") await run.waitForStderr(/train lm:/).catch(() => undefined);
        await sleep(delay);
      }
      run.kill("SIGKILL");
      const killed = await run.exited;
      if (killed.signal === "SIGKILL") kills++;
      let seen = killed.signal === "SIGKILL" ? await inspect(dir) : { state: "finished" };
      const history = [`${when} +${delay} ms: ${JSON.stringify(seen)}`];
      tally[seen.state] = (tally[seen.state] ?? 0) + 1;
      // Half of the trials that resume also kill the resumed run once.
      let second = seen.state === "checkpoint" && rand() < 0.5;
      for (;;) {
        if (seen.state === "no directory" || seen.state === "no checkpoint") {
          if (seen.state === "no checkpoint") {
            const r = await runCli(cli, ["train", "lm", "--resume", "--out", dir]);
            assert.equal(r.code, 2, `${what}: --resume without a checkpoint: ${r.stderr}`);
            assert.match(r.stderr, /has no checkpoint .* start it again with --overwrite/);
          }
          assertOk(await runCli(cli, [...RUN, "--out", dir, "--overwrite"]), `${what}: restart`);
          break;
        }
        const resumed = startCli(cli, ["train", "lm", "--resume", "--quiet", "--out", dir]);
        if (!second) {
          assertOk(await resumed.exited, `${what}: resume from ${JSON.stringify(seen)}`);
          break;
        }
        second = false;
        await sleep(Math.floor(rand() * trainMs));
        resumed.kill("SIGKILL");
        const r = await resumed.exited;
        if (r.signal !== "SIGKILL") {
          assertOk(r, `${what}: resume`);
          break;
        }
        kills++;
        seen = await inspect(dir);
        history.push(`2nd kill: ${JSON.stringify(seen)}`);
        tally[`${seen.state} (2nd kill)`] = (tally[`${seen.state} (2nd kill)`] ?? 0) + 1;
      }
      assertSameAsReference(dir, `${what}, ${history.join(", then ")}`);
      rmSync(dir, { recursive: true, force: true });
    }
    t.diagnostic(`${kills} kills survived over ${TRIALS} trials: ${JSON.stringify(tally)}`);
    // A kill that comes after the run ended tests the resume of a finished run instead.
    assert.ok(
      kills >= Math.min(1, TRIALS) && (TRIALS < 20 || kills >= TRIALS / 2),
      `${kills} kills`,
    );
  });
});

describe("crash safety: SIGINT and SIGTERM", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    test(`${signal} saves the step it finishes, exits ${code}, and --resume completes exactly`, async () => {
      const dir = join(root, signal);
      const run = startCli(cli, [...RUN, "--out", dir]);
      // The first checkpoint means the signal handlers are in place.
      assert.ok(await waitForFile(join(dir, "state.json"), run), run.stderr);
      await sleep(50);
      run.kill(signal);
      const r = await run.exited;
      assert.equal(r.code, code, `exit ${r.code ?? r.signal}\n${r.stderr}`);
      const m = new RegExp(
        `stopped by ${signal} at step (\\d+); the checkpoint is saved: continue with --resume`,
      ).exec(r.stderr);
      assert.ok(m, r.stderr);
      const step = Number(m[1]);
      assert.ok(step > 0 && step < STEPS, `stopped at step ${step}`);
      assert.deepEqual(await inspect(dir), { state: "checkpoint", step });
      assertOk(await runCli(cli, ["train", "lm", "--resume", "--quiet", "--out", dir]), "resume");
      assertSameAsReference(dir, signal);
    });
  }

  test("a second SIGINT leaves at once, still with a loadable directory", async () => {
    const dir = join(root, "twice");
    const run = startCli(cli, [...RUN, "--out", dir]);
    assert.ok(await waitForFile(join(dir, "state.json"), run), run.stderr);
    run.kill("SIGINT");
    run.kill("SIGINT");
    const r = await run.exited;
    assert.equal(r.code, 130, `exit ${r.code ?? r.signal}\n${r.stderr}`);
    assert.equal((await inspect(dir)).state, "checkpoint");
    assertOk(await runCli(cli, ["train", "lm", "--resume", "--quiet", "--out", dir]), "resume");
    assertSameAsReference(dir, "two SIGINTs");
  });
});
