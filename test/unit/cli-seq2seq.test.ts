import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { evalSeq2seq } from "../../src/cli/commands/seq2seq.js";
import { main } from "../../src/cli/main.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fn` with stdout and stderr text captured. Binary chunks pass through: they are the test
 * runner's own reports from this child process, not the CLI's output.
 */
async function capture(fn: () => Promise<number>): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = [process.stdout.write, process.stderr.write] as const;
  const sink = (
    lines: string[],
    original: typeof process.stdout.write,
    stream: NodeJS.WriteStream,
  ) =>
    ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (typeof chunk !== "string") return original.call(stream, chunk, ...rest);
      lines.push(chunk);
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = sink(out, saved[0], process.stdout);
  process.stderr.write = sink(err, saved[1], process.stderr);
  try {
    const code = await fn();
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    [process.stdout.write, process.stderr.write] = saved;
    process.exitCode = undefined;
  }
}

/** main() in-process, output captured. */
const run = (...argv: string[]): Promise<Run> => capture(() => main(argv));

let tmp = "";
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "cli-seq2seq-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("recurrent train seq2seq / translate: usage", () => {
  test("--help of both commands", async () => {
    const train = await run("train", "seq2seq", "--help");
    assert.equal(train.code, 0);
    for (const o of ["--attention <kind>", "--teacher-forcing <ratio>", "--beam <n>", "--resume"])
      assert.ok(train.stdout.includes(o), `${o} in\n${train.stdout}`);
    const translate = await run("translate", "--help");
    assert.equal(translate.code, 0);
    assert.match(translate.stdout, /--show-attention/);
    assert.match(translate.stdout, /--model <dir>/);
  });

  const bad: [string[], RegExp][] = [
    [
      ["--attention", "soft"],
      /--attention expects one of none, bahdanau, luong-dot, luong-general, got "soft"/,
    ],
    [["--teacher-forcing", "1.5"], /--teacher-forcing expects a number in \[0, 1\], got "1.5"/],
    [["--hidden", "0"], /--hidden expects an integer ≥ 1, got "0"/],
    [
      ["--data", "moby-dick"],
      /--data moby-dick is a lm dataset, but this command trains a seq2seq model/,
    ],
    [
      ["--attention", "luong-dot"],
      /luong-dot needs encoder outputs of the decoder's size.*--no-bidirectional/,
    ],
    [["--level", "char"], /--level applies to pairs: data/],
  ];
  for (const [args, message] of bad) {
    test(`train seq2seq ${args.join(" ")} exits 2 with a clear message`, async () => {
      const r = await run("train", "seq2seq", ...args, "--out", join(tmp, "never"), "--quiet");
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(!existsSync(join(tmp, "never")));
    });
  }

  test("translate without --model, or on a missing directory", async () => {
    const r = await run("translate", "hello");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--model <dir>/);
    const missing = await run("translate", "--model", join(tmp, "nothing"), "hello");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no config\.json/);
  });
});

describe("recurrent train seq2seq: a tiny run end to end", () => {
  // Batches of 32 over 90 training pairs: 3 per epoch, so 5 steps cross an epoch boundary; the
  // teacher-forcing coins and dropout exercise the seeded streams that --resume must restore.
  const common = [
    ...["train", "seq2seq", "--data", "cmudict", "--limit", "100", "--hidden", "8"],
    ...["--embedding", "6", "--batch-size", "32", "--teacher-forcing", "0.5", "--dropout", "0.1"],
    ...["--beam", "2", "--eval-samples", "5", "--quiet"],
  ];

  test("train, then translate with attention", async () => {
    const dir = join(tmp, "whole");
    const r = await run(...common, "--max-steps", "5", "--out", dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /train seq2seq: cmudict, 90 training pairs \(valid 5, test 5\)/);
    assert.match(r.stdout, /test \(greedy\) exact match: /);
    assert.match(r.stdout, /test \(beam 2\) BLEU-4: /);
    assert.match(r.stdout, /steps: 5/);
    for (const f of ["config.json", "vocab.json", "model.safetensors", "state.json", "report.html"])
      assert.ok(existsSync(join(dir, f)), f);
    const html = await readFile(join(dir, "report.html"), "utf8");
    assert.match(html, /<h2>Translations<\/h2>/);
    assert.match(html, /<h2>Attention<\/h2>/);

    const t = await run("translate", "--model", dir, "Hello", "world", "--show-attention");
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.split("\n");
    assert.match(lines[0], /^Hello → [A-Z]/);
    assert.ok(lines.some((l) => /^world → /.test(l)));
    assert.match(t.stdout, /of max \d\.\d\d/);
    const greedy = await run("translate", "--model", dir, "hello", "--beam", "1");
    assert.equal(greedy.code, 0);
    assert.match(greedy.stdout, /^hello → /);

    const e = await capture(async () => {
      await evalSeq2seq(dir, { split: "test", limit: 3, beam: 2 });
      return 0;
    });
    assert.match(e.stdout, /^cmudict \(test\): 3 pairs, beam 2\nexact match: \d\.\d{4}\nBLEU-4: /);
  });

  test("--resume gives bit-identical weights to an uninterrupted run", async () => {
    const dir = join(tmp, "resumed");
    const first = await run(...common, "--max-steps", "2", "--out", dir);
    assert.equal(first.code, 0, first.stderr);
    const resume = ["train", "seq2seq", "--resume", "--out", dir, "--max-steps", "5", "--quiet"];
    const changed = await run(...resume, "--lr", "1");
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /drop --lr/);
    const resumed = await run(...resume);
    assert.equal(resumed.code, 0, resumed.stderr);
    const a = await readFile(join(tmp, "whole", "model.safetensors"));
    const b = await readFile(join(dir, "model.safetensors"));
    assert.ok(a.equals(b), "model.safetensors differs after --resume");
  });
});
