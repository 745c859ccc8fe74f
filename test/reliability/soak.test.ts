/**
 * Memory stays flat over a long training run: soak.ts trains RECURRENT_SOAK_STEPS steps (default
 * 2,000; `npm run soak` runs 10,000) in a child process with --expose-gc, and after a warm-up of
 * the first 30% of the steps (JIT tiers, caches, the first checkpoint's buffers) memory after a
 * full collection may not grow by more than:
 *
 *   heap used          2 MB     (a leaked tape node or tensor per step would be kilobytes a step)
 *   array buffers      4 MB     (checkpoint bytes on their way to disk come and go)
 *   wasm linear memory 0        (it can only grow: any growth after warm-up would never come back)
 *   RSS                64 MB    (the allocator's high-water mark is noisy)
 *
 * @example
 * RECURRENT_SOAK_STEPS=10000 node scripts/run-tests.mjs test/reliability/soak.test.ts
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import type { Sample } from "./soak.js";

const STEPS = Number(process.env.RECURRENT_SOAK_STEPS ?? 2000);
const MB = 1e6;
const BOUNDS = { heapUsed: 2 * MB, arrayBuffers: 4 * MB, wasmMemory: 0, rss: 64 * MB };

test(`memory stays flat over ${STEPS} training steps`, { timeout: 600_000 }, (t) => {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", "test/reliability/soak.ts", String(STEPS)],
    { encoding: "utf8", env: { ...process.env, RECURRENT_THREADS: "1" }, maxBuffer: 1 << 24 },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    steps: number;
    seconds: number;
    gc: boolean;
    samples: Sample[];
  };
  assert.ok(out.gc, "soak.ts ran without --expose-gc");
  assert.equal(out.steps, STEPS);
  const after = out.samples.filter((s) => s.step >= 0.3 * STEPS);
  assert.ok(after.length >= 10, `${after.length} samples after warm-up`);
  const report: string[] = [];
  for (const [key, bound] of Object.entries(BOUNDS) as [keyof typeof BOUNDS, number][]) {
    // The highest of the last samples over the lowest of the first ones: a level that rises
    // counts, noise around a level (a buffer freed on the next collection) mostly does not.
    const base = Math.min(...after.slice(0, 5).map((s) => s[key]));
    const growth = Math.max(...after.slice(-5).map((s) => s[key])) - base;
    const sign = growth >= 0 ? "+" : "";
    report.push(`${key} ${(base / MB).toFixed(2)} MB → ${sign}${(growth / MB).toFixed(2)} MB`);
    assert.ok(
      growth <= bound,
      `${key} grew by ${(growth / MB).toFixed(2)} MB between steps ${after[0].step} and ${STEPS} (bound ${bound / MB} MB)`,
    );
  }
  t.diagnostic(
    `${STEPS} steps in ${out.seconds.toFixed(1)} s; from step ${after[0].step}: ${report.join(", ")}`,
  );
});
