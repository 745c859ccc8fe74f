import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

/** Runs the CLI as a user would (a child process), returning its exit code and output. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/bin.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, RECURRENT_THREADS: "1" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tiny = ["--data", "moby-dick", "--limit", "6000", "--hidden", "8", "--embedding", "4"];
const tinyRun = [
  ...tiny,
  "--batch-size",
  "4",
  "--bptt",
  "20",
  "--dropout",
  "0.1",
  "--eval-every",
  "2",
  "--quiet",
];

describe("recurrent CLI: lm", () => {
  test("--help of train lm, generate and eval", () => {
    for (const [cmd, words] of [
      [
        ["train", "lm"],
        ["--cell", "--bptt", "--resume", "--max-time"],
      ],
      [["generate"], ["--prime", "--temperature", "--top-k", "--top-p", "--seed"]],
      [["eval"], ["--model", "--split"]],
      [[], ["train", "generate", "eval"]],
    ] as const) {
      const r = cli(...cmd, "--help");
      assert.equal(r.code, 0, r.stderr);
      for (const w of words) assert.ok(r.stdout.includes(w), `${cmd.join(" ")} --help lacks ${w}`);
    }
  });

  test("bad arguments exit 2 with a message naming the option", () => {
    const cases: [string[], RegExp][] = [
      [["train", "lm", "--hidden", "0"], /--hidden expects an integer ≥ 1, got "0"/],
      [
        ["train", "lm", "--cell", "transformer"],
        /--cell expects one of rnn, lstm, gru, got "transformer"/,
      ],
      [["train", "lm", "--dropout", "1"], /--dropout expects a number in \[0, 1\), got "1"/],
      [["train", "lm", "--data", "no-such-data"], /--data: unknown dataset "no-such-data"/],
      [
        ["train", "lm", "--data", "spam-assassin"],
        /spam-assassin is a classify dataset, but this command trains a lm model/,
      ],
      [["train", "lm", "--frobnicate"], /unknown option '--frobnicate'/],
      [["generate"], /required option '--model <dir>' not specified/],
      [
        ["train", "lm", "--resume", "--out", "/nonexistent/run"],
        /--resume: \/nonexistent\/run does not exist/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test("train, resume bit-exactly, generate reproducibly, eval", () => {
    const root = mkdtempSync(join(tmpdir(), "recurrent-cli-lm-"));
    const whole = join(root, "whole");
    const parts = join(root, "parts");
    const a = cli("train", "lm", ...tinyRun, "--max-steps", "6", "--out", whole);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /valid loss \(nats\/token\): \d/);
    assert.match(a.stdout, /report: .*report\.html/);
    for (const f of [
      "config.json",
      "vocab.json",
      "model.safetensors",
      "optimizer.safetensors",
      "state.json",
      "metrics.jsonl",
      "report.html",
      "loss.png",
    ])
      assert.ok(existsSync(join(whole, f)), `missing ${f}`);

    assert.equal(cli("train", "lm", ...tinyRun, "--max-steps", "3", "--out", parts).code, 0);
    const refused = cli("train", "lm", "--resume", "--hidden", "16", "--out", parts);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /drop --hidden/);
    const b = cli("train", "lm", "--resume", "--max-steps", "6", "--quiet", "--out", parts);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(
      readFileSync(join(whole, "model.safetensors")).equals(
        readFileSync(join(parts, "model.safetensors")),
      ),
      "resumed weights differ",
    );
    assert.ok(
      readFileSync(join(whole, "optimizer.safetensors")).equals(
        readFileSync(join(parts, "optimizer.safetensors")),
      ),
    );

    const g = [
      "generate",
      "--model",
      whole,
      "--prime",
      "Call me",
      "--length",
      "30",
      "--temperature",
      "0.8",
      "--seed",
      "3",
    ];
    const g1 = cli(...g);
    assert.equal(g1.code, 0, g1.stderr);
    assert.ok(g1.stdout.startsWith("Call me"));
    assert.equal(Array.from(g1.stdout.trimEnd()).length >= "Call me".length + 1, true);
    assert.equal(cli(...g).stdout, g1.stdout);

    const e = cli("eval", "--model", whole, "--split", "valid");
    assert.equal(e.code, 0, e.stderr);
    assert.match(
      e.stdout,
      /moby-dick \(valid\): \d+ tokens\nloss \(nats\/token\): \d+\.\d+\nperplexity: \d/,
    );
  });
});
