import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { evalClassifier } from "../../src/cli/commands/classify.js";
import { main } from "../../src/cli/main.js";

/** Runs the CLI in-process (no child process start-up), capturing its output and exit code. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return capture(() => main(args));
}

async function capture(
  run: () => Promise<number | void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  // Text is ours; bytes are the test runner's own event stream (it runs this file in a child
  // process and reports through stdout), which must go through untouched.
  const tap = (into: string[], stream: NodeJS.WriteStream, original: typeof stream.write) =>
    ((s: string | Uint8Array, ...rest: unknown[]) =>
      typeof s === "string"
        ? (into.push(s), true)
        : original.call(stream, s, ...(rest as []))) as typeof stream.write;
  process.stdout.write = tap(out, process.stdout, write.out);
  process.stderr.write = tap(err, process.stderr, write.err);
  try {
    const code = (await run()) ?? 0;
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
  }
}

const root = mkdtempSync(join(tmpdir(), "recurrent-cli-classify-"));
after(() => rmSync(root, { recursive: true, force: true }));

const tiny = [
  "--data",
  "spam-assassin",
  "--limit",
  "60",
  "--hidden",
  "8",
  "--embedding",
  "8",
  "--max-len",
  "50",
  "--batch-size",
  "8",
  "--dropout",
  "0.2",
  "--quiet",
];

describe("recurrent CLI: classify", () => {
  test("--help of train classify and predict", async () => {
    for (const [cmd, words] of [
      [
        ["train", "classify"],
        ["--pooling", "--bidirectional", "--max-len", "--max-vocab", "--tokenizer", "--resume"],
      ],
      [["predict"], ["--model", "--json", "texts"]],
    ] as const) {
      const r = await cli(...cmd, "--help");
      assert.equal(r.code, 0, r.stderr);
      for (const w of words) assert.ok(r.stdout.includes(w), `${cmd.join(" ")} --help lacks ${w}`);
    }
  });

  test("bad arguments exit 2 with a message naming the problem", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["train", "classify", "--pooling", "sum"],
        /--pooling expects one of last, mean, max, attention, got "sum"/,
      ],
      [["train", "classify", "--max-len", "0"], /--max-len expects an integer ≥ 1, got "0"/],
      [
        ["train", "classify", "--tokenizer", "bpe"],
        /--tokenizer expects one of basic_english, char, whitespace/,
      ],
      [
        ["train", "classify", "--data", "moby-dick"],
        /moby-dick is a lm dataset, but this command trains a classify model/,
      ],
      [["train", "classify", "--data", "agnews:"], /--data: expected agnews:PATH/],
      [["predict", "some text"], /required option '--model <dir>' not specified/],
      [["predict", "--model", root], /predict: give at least one text/],
      [
        ["train", "classify", "--resume", "--out", join(root, "none")],
        /--resume: .*none does not exist/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test("train, predict, eval; --resume gives the uninterrupted run's weights bit for bit", async () => {
    const whole = join(root, "whole");
    const a = await cli("train", "classify", ...tiny, "--max-steps", "8", "--out", whole);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /test accuracy: [01]\.\d{4}\ntest macro F1: \d/);
    for (const f of ["config.json", "vocab.json", "model.safetensors", "state.json", "report.html"])
      assert.ok(existsSync(join(whole, f)), `missing ${f}`);
    const html = readFileSync(join(whole, "report.html"), "utf8");
    for (const s of ["Confusion matrix", "Per-class scores", "spam", "ham"])
      assert.ok(html.includes(s), `report lacks ${s}`);

    const p = await cli("predict", "--model", whole, "FREE money, click now", "lunch at noon?");
    assert.equal(p.code, 0, p.stderr);
    const lines = p.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^(ham|spam)\tham 0\.\d{4} {2}spam 0\.\d{4}\t/);
    const j = await cli("predict", "--model", whole, "--json", "hello");
    const rows = JSON.parse(j.stdout) as { label: string; probabilities: Record<string, number> }[];
    assert.equal(rows.length, 1);
    assert.ok(Math.abs(rows[0].probabilities.ham + rows[0].probabilities.spam - 1) < 1e-6);

    const e = await capture(() => evalClassifier(whole, { split: "test" }));
    assert.match(e.stdout, /spam-assassin \(test, 6 texts\)\naccuracy: [01]\.\d{4}\nloss: \d/);
    assert.match(e.stdout, /spam: precision \d\.\d{4} {2}recall/);

    const parts = join(root, "parts");
    assert.equal(
      (await cli("train", "classify", ...tiny, "--max-steps", "4", "--out", parts)).code,
      0,
    );
    const refused = await cli("train", "classify", "--resume", "--hidden", "16", "--out", parts);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /drop --hidden/);
    const b = await cli(
      "train",
      "classify",
      "--resume",
      "--max-steps",
      "8",
      "--quiet",
      "--out",
      parts,
    );
    assert.equal(b.code, 0, b.stderr);
    for (const f of ["model.safetensors", "optimizer.safetensors"])
      assert.ok(readFileSync(join(whole, f)).equals(readFileSync(join(parts, f))), `${f} differs`);
  });

  test("agnews:DIR keeps its own test half and takes validation from train.csv", async () => {
    const dir = join(root, "ag");
    mkdirSync(dir);
    const csv = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `"${(i % 4) + 1}","Title ${i}","Words about ${i % 4}"`,
      ).join("\n") + "\n";
    writeFileSync(join(dir, "train.csv"), csv(40));
    writeFileSync(join(dir, "test.csv"), csv(12));
    const out = join(root, "ag-run");
    const args = [
      "train",
      "classify",
      "--data",
      `agnews:${dir}`,
      "--hidden",
      "4",
      "--embedding",
      "4",
    ];
    const r = await cli(...args, "--max-steps", "2", "--quiet", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /4 classes, 36\/4\/12 train\/valid\/test texts/);
    const again = await cli(...args, "--max-steps", "2", "--quiet", "--out", out);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a model: pass --resume .* --overwrite/);
    const e = await capture(() => evalClassifier(out, { split: "test" }));
    assert.match(e.stdout, /\(test, 12 texts\)/);
  });
});
