/**
 * Bad command lines: every flag's range, unknown choices and options, missing model directories,
 * model directories of the wrong task, --resume of what cannot be resumed, limits. Each must end
 * with its exit code (2 for a bad command line, 1 for bad data) and a stderr message naming the
 * option or file, what it expects and what came. main() runs in-process (it returns the exit
 * code), so a hundred cases cost a few seconds; cli-lm.test.ts runs the real executable.
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/bad-inputs-cli.test.ts
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { main } from "../../src/cli/main.js";
import { Vocab } from "../../src/data/vocab.js";
import { commitFiles } from "../../src/io/node/model-dir.js";
import { languageModelFiles } from "../../src/tasks/language-model/files.js";
import { RNNLanguageModel } from "../../src/tasks/language-model/model.js";
import { declared } from "./bad-input-table.js";

/** main(args) with stderr captured (stdout is left alone: the test runner reports through it). */
async function cli(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const write = process.stderr.write;
  process.stderr.write = ((s: string | Uint8Array) => ((stderr += String(s)), true)) as never;
  try {
    const code = await main(args);
    return { code, stderr };
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
  }
}

const root = mkdtempSync(join(tmpdir(), "recurrent-bad-cli-"));
const lmDir = join(root, "lm");
const fresh = join(root, "fresh");
const noCheckpoint = join(root, "no-checkpoint");
const badUtf8 = join(root, "bad.txt");
const tinyText = join(root, "tiny.txt");
const model = new RNNLanguageModel({
  vocabSize: 3,
  cell: "gru",
  embeddingSize: 2,
  hiddenSize: 2,
  numLayers: 1,
  dropout: 0,
});
const lmFiles = languageModelFiles(model, new Vocab(["<unk>", "a", "b"], { specials: ["<unk>"] }), {
  data: { level: "char", dataset: "moby-dick" },
});

type Case = [name: string, args: string[], code: number, stderr: RegExp];
const lm = (...args: string[]): string[] => ["train", "lm", ...args];
const arg = (option: string, expects: string, got: string) =>
  new RegExp(`${option} expects ${expects}, got "${got}"\\.`);

const cases: Case[] = [
  ["--hidden 0", lm("--hidden", "0"), 2, arg("--hidden", "an integer ≥ 1", "0")],
  ["--hidden abc", lm("--hidden", "abc"), 2, arg("--hidden", "an integer ≥ 1", "abc")],
  ["--hidden 1.5", lm("--hidden", "1.5"), 2, arg("--hidden", "an integer ≥ 1", "1.5")],
  ["--hidden empty", lm("--hidden", ""), 2, arg("--hidden", "an integer ≥ 1", "")],
  ["--embedding -4", lm("--embedding", "-4"), 2, arg("--embedding", "an integer ≥ 1", "-4")],
  ["--layers 0", lm("--layers", "0"), 2, arg("--layers", "an integer ≥ 1", "0")],
  ["--bptt 0", lm("--bptt", "0"), 2, arg("--bptt", "an integer ≥ 1", "0")],
  ["--batch-size 0", lm("--batch-size", "0"), 2, arg("--batch-size", "an integer ≥ 1", "0")],
  ["--epochs 0", lm("--epochs", "0"), 2, arg("--epochs", "an integer ≥ 1", "0")],
  ["--max-steps 0", lm("--max-steps", "0"), 2, arg("--max-steps", "an integer ≥ 1", "0")],
  ["--max-time -1", lm("--max-time", "-1"), 2, arg("--max-time", "a number ≥ 0", "-1")],
  ["--lr -1", lm("--lr", "-1"), 2, arg("--lr", "a number ≥ 0", "-1")],
  ["--lr NaN", lm("--lr", "NaN"), 2, arg("--lr", "a number ≥ 0", "NaN")],
  ["--lr Infinity", lm("--lr", "Infinity"), 2, arg("--lr", "a number ≥ 0", "Infinity")],
  [
    "--weight-decay -0.1",
    lm("--weight-decay", "-0.1"),
    2,
    arg("--weight-decay", "a number ≥ 0", "-0.1"),
  ],
  ["--clip -5", lm("--clip", "-5"), 2, arg("--clip", "a number ≥ 0", "-5")],
  ["--dropout 1", lm("--dropout", "1"), 2, arg("--dropout", "a number in \\[0, 1\\)", "1")],
  [
    "--dropout -0.5",
    lm("--dropout", "-0.5"),
    2,
    arg("--dropout", "a number in \\[0, 1\\)", "-0.5"),
  ],
  ["--lr-decay 1", lm("--lr-decay", "1"), 2, arg("--lr-decay", "a number in \\[0, 1\\)", "1")],
  ["--seed -1", lm("--seed", "-1"), 2, arg("--seed", "an integer ≥ 0", "-1")],
  ["--limit 0", lm("--limit", "0"), 2, arg("--limit", "an integer ≥ 1", "0")],
  ["--eval-every 0", lm("--eval-every", "0"), 2, arg("--eval-every", "an integer ≥ 1", "0")],
  [
    "--checkpoint-every 0",
    lm("--checkpoint-every", "0"),
    2,
    arg("--checkpoint-every", "an integer ≥ 1", "0"),
  ],
  [
    "--cell transformer",
    lm("--cell", "transformer"),
    2,
    arg("--cell", "one of rnn, lstm, gru", "transformer"),
  ],
  ["--level byte", lm("--level", "byte"), 2, arg("--level", "one of char, word", "byte")],
  [
    "--tokenizer spacy",
    lm("--tokenizer", "spacy"),
    2,
    arg("--tokenizer", "one of whitespace, basic_english", "spacy"),
  ],
  [
    "--optimizer lion",
    lm("--optimizer", "lion"),
    2,
    arg("--optimizer", "one of adam, adamw, sgd, rmsprop, adagrad", "lion"),
  ],
  [
    "--lr-schedule cosine",
    lm("--lr-schedule", "cosine"),
    2,
    arg("--lr-schedule", "one of none, exponential, step, plateau", "cosine"),
  ],
  ["an unknown option", lm("--frobnicate"), 2, /unknown option '--frobnicate'/],
  ["a missing option value", lm("--hidden"), 2, /option '--hidden <n>' argument missing/],
  ["an unknown command", ["fly"], 2, /unknown command 'fly'/],
  ["an unknown train task", ["train", "translate"], 2, /unknown command 'translate'/],
  [
    "an unknown dataset",
    lm("--data", "wikitext"),
    2,
    /--data: unknown dataset "wikitext"; expected one of/,
  ],
  [
    "a classify dataset for lm",
    lm("--data", "spam-assassin"),
    2,
    /--data spam-assassin is a classify dataset, but this command trains a lm model/,
  ],
  [
    "an lm dataset for classify",
    ["train", "classify", "--data", "moby-dick"],
    2,
    /--data moby-dick is a lm dataset, but this command trains a classify model/,
  ],
  ["a text: path that does not exist", lm("--data", `text:${root}/none.txt`), 1, /none\.txt/],
  [
    "text with invalid UTF-8",
    lm("--data", badUtf8),
    1,
    /bad\.txt:1: invalid UTF-8 \(byte 0xfe at column 3\)/,
  ],
  [
    "a text too short to train on",
    lm("--data", tinyText, "--out", join(root, "tiny-run")),
    1,
    /LanguageModelTask: 2 training tokens make no window of batch 32; use a smaller batch size/,
  ],
  [
    "--tie with different sizes",
    lm("--tie", "--hidden", "8", "--embedding", "4", "--limit", "1000", "--out", join(root, "tie")),
    1,
    /tieWeights needs hiddenSize == embeddingSize, got 8 and 4/,
  ],
  [
    "--resume of a directory that does not exist",
    lm("--resume", "--out", join(root, "nothing")),
    2,
    /--resume: .*nothing does not exist; start the run without --resume/,
  ],
  [
    "--resume of a run without a checkpoint",
    lm("--resume", "--out", noCheckpoint),
    2,
    /has no checkpoint \(state\.json\): the run stopped before its first one; start it again with --overwrite/,
  ],
  [
    "--resume changing the architecture",
    lm("--resume", "--hidden", "16", "--cell", "gru", "--out", lmDir),
    2,
    /--resume continues the run as its config\.json says; drop --cell, --hidden \(only --epochs, --max-steps, --max-time, --eval-every, --checkpoint-every may change\)/,
  ],
  [
    "a fresh run over a model",
    lm("--limit", "1000", "--out", lmDir),
    2,
    /already holds a model: pass --resume to continue it, --overwrite to replace it, or choose another --out/,
  ],
  ["generate without --model", ["generate"], 2, /required option '--model <dir>' not specified/],
  [
    "generate from nowhere",
    ["generate", "--model", join(root, "nowhere")],
    1,
    /readModelDir: .*nowhere does not exist/,
  ],
  [
    "generate from an empty directory",
    ["generate", "--model", fresh],
    1,
    /fresh: has no config\.json: is it a model directory\?/,
  ],
  [
    "generate --temperature -1",
    ["generate", "--model", lmDir, "--temperature", "-1"],
    2,
    arg("--temperature", "a number ≥ 0", "-1"),
  ],
  [
    "generate --top-p 2",
    ["generate", "--model", lmDir, "--top-p", "2"],
    2,
    arg("--top-p", "a number in \\[0, 1\\]", "2"),
  ],
  [
    "generate --top-k 0",
    ["generate", "--model", lmDir, "--top-k", "0"],
    2,
    arg("--top-k", "an integer ≥ 1", "0"),
  ],
  [
    "generate --length -1",
    ["generate", "--model", lmDir, "--length", "-1"],
    2,
    arg("--length", "an integer ≥ 0", "-1"),
  ],
  [
    "predict with a language model",
    ["predict", "--model", lmDir, "hello"],
    1,
    /config\.json: this is a lm model, expected a classify model/,
  ],
  [
    "translate with a language model",
    ["translate", "--model", lmDir, "hello"],
    1,
    /config\.json: this is a lm model, expected a seq2seq model/,
  ],
  [
    "eval --split train",
    ["eval", "--model", lmDir, "--split", "train"],
    2,
    arg("--split", "one of valid, test", "train"),
  ],
  [
    "train classify --pooling first",
    ["train", "classify", "--pooling", "first"],
    2,
    /--pooling expects one of .*, got "first"\./,
  ],
  [
    "train classify --max-vocab 2",
    ["train", "classify", "--max-vocab", "2"],
    2,
    arg("--max-vocab", "an integer ≥ 3", "2"),
  ],
  [
    "train seq2seq --attention softmax",
    ["train", "seq2seq", "--attention", "softmax"],
    2,
    /--attention expects one of .*, got "softmax"\./,
  ],
  [
    "import without --weights",
    ["import", "lm", "--out", fresh],
    2,
    /required option '--weights <file>' not specified/,
  ],
  [
    "import of a file that does not exist",
    [
      "import",
      "lm",
      "--weights",
      join(root, "none.safetensors"),
      "--vocab",
      join(root, "none.json"),
      "--out",
      join(root, "imp"),
    ],
    1,
    /none\.(safetensors|json)/,
  ],
  [
    "export without --out",
    ["export", "--onnx", "--model", lmDir],
    2,
    /required option '--out <file>' not specified/,
  ],
];

describe("bad input: the command line", () => {
  declared.count += cases.length;
  test("set up the model directories", async () => {
    await commitFiles(lmDir, lmFiles);
    await commitFiles(noCheckpoint, {
      "config.json": lmFiles["config.json"],
      "vocab.json": lmFiles["vocab.json"],
    });
    mkdirSync(fresh);
    writeFileSync(badUtf8, new Uint8Array([0x61, 0x62, 0xfe, 0x0a]));
    writeFileSync(tinyText, "a");
  });
  for (const [name, args, code, stderr] of cases) {
    test(name, async () => {
      const r = await cli(args);
      if (process.env.RECURRENT_PRINT_ERRORS)
        console.log(`${name}\t${r.code}\t${JSON.stringify(r.stderr)}`);
      assert.equal(r.code, code, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(" "));
      assert.ok(!/at .*\.ts:\d+/.test(r.stderr), `a stack trace leaked: ${r.stderr}`);
    });
  }
});
