// The benchmark workloads (bench/workloads.ts) at toy sizes: each step runs and gives a finite
// value, and both our and PyTorch's twin (bench/pytorch_bench.py, when torch is importable) have
// the parameter count the shapes imply. No timing: benchmarks are never tests.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { workloads, type Config } from "../../bench/workloads.js";

const embedding = (v: number, e: number) => v * e;
const linear = (i: number, o: number) => i * o + o;
/** One layer of an LSTM (gates 4) or GRU (gates 3), `dirs` directions. */
const rnnLayer = (gates: number, i: number, h: number, dirs = 1) => dirs * gates * h * (i + h + 2);

const tiny: Record<string, [Config, number]> = {
  W1: [
    { vocab: 50, embed: 6, hidden: 4, classes: 3, batch: 2, T: 5 },
    embedding(50, 6) + rnnLayer(4, 6, 4) + linear(4, 3),
  ],
  W2: [
    { vocab: 11, embed: 5, hidden: 4, layers: 2, batch: 2, T: 3 },
    embedding(11, 5) + rnnLayer(4, 5, 4) + rnnLayer(4, 4, 4) + linear(4, 11),
  ],
  W3: [
    { vocab: 30, embed: 5, dropout: 0.5, hidden: 3, layers: 2, classes: 2, batch: 2, T: 4 },
    embedding(30, 5) + rnnLayer(4, 5, 3, 2) + rnnLayer(4, 6, 3, 2) + linear(12, 2),
  ],
  W4: [
    { vocab: 13, embed: 4, hidden: 3, layers: 2, batch: 2, T: 3, clip: 1 },
    2 * embedding(13, 4) +
      rnnLayer(3, 4, 3) +
      rnnLayer(3, 3, 3) +
      rnnLayer(3, 4 + 3, 3) +
      rnnLayer(3, 3, 3) +
      linear(3, 13),
  ],
  "W5-step": [{ hidden: 6, steps: 4 }, rnnLayer(4, 6, 6)],
  "W5-seq": [{ hidden: 6, steps: 4 }, rnnLayer(4, 6, 6)],
  "W6-512": [{ n: 8 }, 0],
  "W6-1024": [{ n: 8 }, 0],
};

const python = "/usr/bin/python3";
const script = fileURLToPath(new URL("../../bench/pytorch_bench.py", import.meta.url));

/** Runs the toy configs through PyTorch in the background (importing torch takes ~2 s). */
function runTwins(): Promise<{
  replies: Record<string, unknown>[];
  stderr: string;
  skip?: string;
}> {
  if (!existsSync(python))
    return Promise.resolve({ replies: [], stderr: "", skip: `no ${python}` });
  const commands = [
    { cmd: "hello" },
    ...workloads.flatMap((w) => [
      { cmd: "build", id: w.id, config: tiny[w.id][0] },
      { cmd: "time", threads: 1, reps: 1 },
    ]),
    { cmd: "quit" },
  ];
  return new Promise((resolve) => {
    const child = execFile(python, [script], (_error, stdout, stderr) => {
      const replies = stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const error = replies[0]?.error;
      resolve({ replies, stderr, skip: error === undefined ? undefined : String(error) });
    });
    child.stdin!.end(commands.map((m) => `${JSON.stringify(m)}\n`).join(""));
  });
}

const twins = runTwins();

describe("bench workloads at toy sizes", () => {
  test("every workload has a toy config with the same keys", () => {
    for (const w of workloads) {
      assert.ok(tiny[w.id], `no toy config for ${w.id}`);
      assert.deepEqual(Object.keys(tiny[w.id][0]).sort(), Object.keys(w.config).sort(), w.id);
    }
  });

  for (const w of workloads) {
    test(`${w.id}: one step is finite; parameters as the shapes imply`, () => {
      const [config, params] = tiny[w.id];
      const built = w.build(config);
      assert.equal(built.params, params);
      assert.ok(Number.isFinite(built.step()), "first step");
      assert.ok(Number.isFinite(built.step()), "second step (after an optimizer update)");
      assert.ok(built.perStep > 0);
    });
  }

  test("PyTorch's twins have the same parameter counts and finite steps", async (t) => {
    const { replies, stderr, skip } = await twins;
    if (skip) return t.skip(skip);
    assert.equal(replies.length, 1 + 2 * workloads.length, stderr);
    workloads.forEach((w, i) => {
      const [built, timed] = replies.slice(1 + 2 * i, 3 + 2 * i);
      assert.equal(built.error, undefined, String(built.error));
      assert.equal(built.params, tiny[w.id][1], w.id);
      assert.ok(Number.isFinite(built.value) && Number.isFinite(timed.value), w.id);
    });
  });
});
