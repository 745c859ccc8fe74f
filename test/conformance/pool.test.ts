// The worker pool (src/backend/wasm/pool.ts) must never hang, crash or corrupt a result: the
// hand-off under stress (pool-stress.ts in a child process, so a hang is a timeout, not a stuck
// runner; RECURRENT_STRESS_SECONDS=60 for a long run), a parent whose execArgv the eval'd worker
// cannot use, and workers that fail to start.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Pool } from "../../src/backend/wasm/pool.js";
import { Runtime } from "../../src/backend/wasm/runtime.js";

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const seconds = Number(process.env.RECURRENT_STRESS_SECONDS ?? 3);

describe("worker pool", () => {
  test(`hand-off under stress: ${seconds} s of jobs whose chunk counts keep changing`, () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", here("./pool-stress.ts"), String(seconds), "4", "2"],
      { encoding: "utf8", timeout: (seconds + 30) * 1000 },
    );
    assert.notEqual(r.signal, "SIGTERM", `the pool hung (killed after ${seconds + 30} s)`);
    assert.equal(r.status, 0, `stress run failed:\n${r.stdout}\n${r.stderr}`);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(summary.bad, 0);
    assert.ok(summary.jobs > 1000, `only ${summary.jobs} jobs ran`);
    assert.ok(summary.workerChunks > 0, "the workers never ran a chunk");
    assert.ok(summary.grows > 0, "the memory never grew");
  });

  test("a parent started with --input-type=module gets working workers", () => {
    const backend = pathToFileURL(here("../../src/backend/wasm/backend.ts")).href;
    const code = `
      import { WasmBackend } from ${JSON.stringify(backend)};
      const be = new WasmBackend({ threads: 2, adaptive: false });
      for (let i = 0; i < 500 && be.rt.workersReady() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const a = new Float32Array(192 * 192).fill(1);
      const c = new Float32Array(192 * 192);
      be.gemm(false, false, 192, 192, 192, 1, a, 0, a, 0, 0, c, 0);
      console.log(JSON.stringify({ ready: be.rt.workersReady(), broken: be.rt.poolBroken, c: c[5] }));`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.status, 0, `crashed:\n${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { ready: 1, broken: null, c: 192 });
  });

  test("a worker that fails to start marks the pool broken; calls run on the caller", async () => {
    const rt = new Runtime({ threads: 1 });
    // A module importing env.foo: the worker's instantiation throws (a LinkError) in the worker.
    const bogus = new WebAssembly.Module(
      Uint8Array.from([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118, 3, 102, 111,
        111, 0, 0,
      ]),
    );
    const H = rt.heap;
    const pool = new Pool(rt.k, bogus, H.memory, H.alloc(Pool.bytes / 4), [
      rt.buffers[0],
      rt.buffers[0],
    ]);
    for (let i = 0; i < 500 && pool.broken === null; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.match(pool.broken ?? "", /worker 1/);
    assert.equal(pool.ready(), 0);
    const [out, bias] = [H.alloc(64), H.alloc(8)];
    H.heap().fill(0, out >> 2, (out >> 2) + 64);
    H.heap().fill(2, bias >> 2, (bias >> 2) + 8);
    pool.run("addRowVector", [
      [out, bias, 4, 8],
      [out + 128, bias, 4, 8],
    ]);
    assert.ok(
      H.heap()
        .subarray(out >> 2, (out >> 2) + 64)
        .every((x) => x === 2),
    );
    // Argument lists longer than a slot holds are refused, not cut short.
    const long = () => new Array(25).fill(0);
    assert.throws(() => pool.run("adam", [long(), long()]), /adam takes 25 arguments, at most 24/);
    // Every kernel's own arguments fit (the pool appends two GEMM buffers beyond them).
    for (const [name, fn] of Object.entries(rt.k)) {
      if (typeof fn === "function") assert.ok(fn.length <= 24 + 2, `${name} takes ${fn.length}`);
    }
  });
});
