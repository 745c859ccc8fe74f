/**
 * Resource limits: a vocabulary or sequence length past tasks/common/limits.ts's limits is refused
 * with the limit named (library and CLI, configurable), and a full disk during a checkpoint —
 * simulated by a failing writer, and for real on a tiny tmpfs where this machine lets us mount one
 * — leaves the previous checkpoint whole and loadable, with a message saying what happened.
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/limits.test.ts
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { main } from "../../src/cli/main.js";
import { runTraining } from "../../src/cli/run-training.js";
import { commitFiles, readCheckpointFiles, readModelDir } from "../../src/io/node/model-dir.js";
import { Adam } from "../../src/optim/adam.js";
import { decodeCheckpoint } from "../../src/tasks/common/checkpoint.js";
import { limits, setLimits } from "../../src/tasks/common/limits.js";
import { prepareClassifierData } from "../../src/tasks/classifier/data.js";
import { prepareLmData } from "../../src/tasks/language-model/data.js";
import { languageModelFromFiles } from "../../src/tasks/language-model/files.js";
import { RNNLanguageModel } from "../../src/tasks/language-model/model.js";
import { LanguageModelTask } from "../../src/tasks/language-model/task.js";
import { prepareSeq2SeqData } from "../../src/tasks/seq2seq/data.js";
import { manualSeed } from "../../src/tensor/random.js";
import { expectClearError } from "./bad-input-table.js";
import { bundleCli, runCli } from "./cli-harness.js";

const root = mkdtempSync(join(tmpdir(), "recurrent-limits-"));
after(() => rmSync(root, { recursive: true, force: true }));

const text =
  "the quick brown fox jumps over the lazy dog, THE QUICK BROWN FOX! 0123456789\n".repeat(20);
const lmConfig = {
  vocabSize: 10,
  cell: "gru" as const,
  embeddingSize: 2,
  hiddenSize: 2,
  numLayers: 1,
  dropout: 0,
};

async function withLimits<T>(next: Parameters<typeof setLimits>[0], f: () => T): Promise<T> {
  const previous = setLimits(next);
  try {
    return await f();
  } finally {
    setLimits(previous);
  }
}

describe("limits on vocabulary and sequence length", () => {
  test("the defaults are named, and refused past them", async () => {
    assert.deepEqual(limits(), {
      vocabSize: 1_000_000,
      sequenceLength: 100_000,
      parameters: 500_000_000,
    });
    await expectClearError({
      name: "a GRU language model of 3·10¹⁰ parameters",
      run: () => new RNNLanguageModel({ ...lmConfig, hiddenSize: 100_000 }),
      error:
        /^RNNLanguageModel: the config describes 3\.00e\+10 parameters, more than the limit of 500,000,000 \(limits\.parameters, RECURRENT_MAX_PARAMETERS for the CLI\); use smaller sizes$/,
    });
    await expectClearError({
      name: "a 2,000,000-token language model",
      run: () => new RNNLanguageModel({ ...lmConfig, vocabSize: 2_000_000 }),
      error:
        /^RNNLanguageModel: a vocabulary of 2,000,000 tokens exceeds the limit of 1,000,000 \(limits\.vocabSize, RECURRENT_MAX_VOCAB for the CLI\)/,
    });
    // A model directory that claims 10⁹ tokens is refused before anything is allocated.
    const files = {
      "config.json": JSON.stringify({
        format: "recurrent-model",
        version: 1,
        task: "lm",
        model: { ...lmConfig, vocabSize: 1e9 },
        data: { level: "char" },
        train: {},
      }),
      "vocab.json": JSON.stringify({ itos: ["<unk>"], specials: ["<unk>"] }),
      "model.safetensors": new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 123, 125]),
    };
    await expectClearError({
      name: "a config.json with 10⁹ tokens",
      run: () => languageModelFromFiles(files, "upload"),
      error: /^RNNLanguageModel: a vocabulary of 1,000,000,000 tokens exceeds the limit/,
    });
    await expectClearError({
      name: "a BPTT window of 200,000 steps",
      run: () =>
        new LanguageModelTask(new RNNLanguageModel(lmConfig), new Int32Array(100), null, {
          batchSize: 2,
          bpttLen: 200_000,
        }),
      error:
        /^LanguageModelTask: bpttLen 200,000 exceeds the sequence length limit of 100,000 \(limits\.sequenceLength, RECURRENT_MAX_SEQUENCE for the CLI\)$/,
    });
  });

  test("setLimits changes them for every recipe, and refuses nonsense", async () => {
    await withLimits({ vocabSize: 20, sequenceLength: 8 }, async () => {
      await expectClearError({
        name: "a char vocabulary over a limit of 20",
        run: () => prepareLmData(text, { level: "char" }),
        error: /^prepareLmData: a vocabulary of \d\d tokens exceeds the limit of 20 /,
      });
      await expectClearError({
        name: "a classifier maxLen over a limit of 8",
        run: () => prepareClassifierData([{ text: "a b", label: 0 }], { maxLen: 9 }),
        error: /^prepareClassifierData: maxLen 9 exceeds the sequence length limit of 8 /,
      });
      await expectClearError({
        name: "a seq2seq maxLength over a limit of 8",
        run: () =>
          prepareSeq2SeqData([{ source: "a", target: "b" }], {
            sourceTokenizer: "char",
            targetTokenizer: "char",
            maxLength: 50,
          }),
        error: /^prepareSeq2SeqData: maxLength 50 exceeds the sequence length limit of 8 /,
      });
    });
    assert.equal(limits().vocabSize, 1_000_000);
    await expectClearError({
      name: "a limit of 0",
      run: () => setLimits({ vocabSize: 0 }),
      error: /^setLimits: expected vocabSize to be a positive integer, got 0$/,
    });
    await expectClearError({
      name: "an unknown limit",
      run: () => setLimits({ memory: 1 } as never),
      error: /^setLimits: expected vocabSize, sequenceLength or parameters, got "memory"$/,
    });
  });

  test("the CLI reads RECURRENT_MAX_VOCAB and RECURRENT_MAX_SEQUENCE", async () => {
    const run = async (env: Record<string, string>, args: string[]) => {
      let stderr = "";
      const write = process.stderr.write;
      process.stderr.write = ((s: string) => ((stderr += s), true)) as never;
      Object.assign(process.env, env);
      const previous = limits();
      try {
        return { code: await main(args), stderr };
      } finally {
        process.stderr.write = write;
        for (const k of Object.keys(env)) delete process.env[k];
        setLimits(previous);
        process.exitCode = undefined;
      }
    };
    const lm = ["train", "lm", "--limit", "2000", "--quiet", "--out", join(root, "cli")];
    const vocab = await run({ RECURRENT_MAX_VOCAB: "30" }, lm);
    assert.equal(vocab.code, 1);
    assert.match(
      vocab.stderr,
      /prepareLmData: a vocabulary of \d+ tokens exceeds the limit of 30 /,
    );
    const bptt = await run({}, [...lm, "--bptt", "200000", "--overwrite"]);
    assert.equal(bptt.code, 1);
    assert.match(bptt.stderr, /bpttLen 200,000 exceeds the sequence length limit of 100,000/);
    const bad = await run({ RECURRENT_MAX_SEQUENCE: "lots" }, lm);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /RECURRENT_MAX_SEQUENCE expects a positive integer, got "lots"/);
  });
});

/** Makes writes of files whose name matches `pattern` fail as a full disk does, until disarmed. */
function failWrites(pattern: RegExp): () => void {
  const fsp = createRequire(import.meta.url)(
    "node:fs/promises",
  ) as typeof import("node:fs/promises");
  const open = fsp.open;
  fsp.open = (async (path: string, ...rest: unknown[]) => {
    const handle = await (open as (...a: unknown[]) => ReturnType<typeof open>)(path, ...rest);
    if (!pattern.test(String(path))) return handle;
    handle.writeFile = async () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    };
    return handle;
  }) as typeof open;
  syncBuiltinESMExports();
  return () => {
    fsp.open = open;
    syncBuiltinESMExports();
  };
}

describe("a full disk during a checkpoint", () => {
  test("commitFiles fails cleanly and the previous checkpoint stays whole", async () => {
    const dir = join(root, "commit");
    await commitFiles(dir, { "a.txt": "old a", "b.bin": "old b" });
    const disarm = failWrites(/\.b\.bin\./);
    try {
      await assert.rejects(
        commitFiles(dir, { "a.txt": "new a", "b.bin": "new b" }),
        /^Error: commitFiles: could not write to .*commit: ENOSPC: no space left on device, write$/,
      );
    } finally {
      disarm();
    }
    assert.deepEqual(readdirSync(dir).sort(), ["a.txt", "b.bin"]);
    assert.equal(readFileSync(join(dir, "a.txt"), "utf8"), "old a");
  });

  test("training stops with the step and the checkpoint kept named; that checkpoint loads", async () => {
    manualSeed(0);
    const dir = join(root, "train");
    const data = prepareLmData(text, { level: "char" });
    const model = new RNNLanguageModel({ ...lmConfig, vocabSize: data.vocab.length });
    const task = new LanguageModelTask(model, data.train, null, { batchSize: 2, bpttLen: 10 });
    let disarm = (): void => undefined;
    // The disk fills once the first checkpoint (step 2) is on it: from step 3 on.
    const step = task.trainStep.bind(task);
    let calls = 0;
    task.trainStep = (batch) => {
      if (++calls === 3) disarm = failWrites(/optimizer\.safetensors/);
      return step(batch);
    };
    const config = {
      format: "recurrent-model",
      version: 1,
      task: "lm",
      model: model.config,
      data: { level: "char" },
      train: {},
    };
    const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
    const run = runTraining({
      dir,
      config,
      vocab: data.vocab.toJSON(),
      task,
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      scheduler: null,
      trainer: {
        epochs: 1,
        maxSteps: 8,
        checkpointEvery: 2,
        events: undefined,
      } as never,
      resume: null,
      metric: "perplexity",
      unit: "tok",
      stream: quiet,
    });
    try {
      await assert.rejects(
        run,
        /could not save the checkpoint of step 4 in .*train \(commitFiles: could not write to .*: ENOSPC: no space left on device, write\); the checkpoint of step 2 is intact: free some space and continue with --resume/,
      );
    } finally {
      disarm();
    }
    const ckpt = decodeCheckpoint((await readCheckpointFiles(dir))!, dir);
    assert.equal(ckpt.state.globalStep, 2);
    assert.equal((await readModelDir(dir, "lm")).config.task, "lm");
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith(".")),
      [],
      "temporary files were left behind",
    );
  });

  test("a real full disk (a tiny tmpfs): exit 1, the last checkpoint loads and --resume finishes exactly", async (t) => {
    const mnt = join(root, "tmpfs");
    mkdirSync(mnt);
    const cli = await bundleCli();
    const args = (out: string, steps: number) => [
      "train",
      "lm",
      ...["--data", "moby-dick", "--limit", "4000", "--hidden", "32", "--embedding", "16"],
      ...["--batch-size", "4", "--bptt", "20", "--checkpoint-every", "2", "--quiet"],
      ...["--max-steps", String(steps), "--out", out],
    ];
    const reference = join(root, "reference");
    assert.equal((await runCli(cli, args(reference, 8))).code, 0);
    const checkpointBytes = [
      "config.json",
      "vocab.json",
      "model.safetensors",
      "optimizer.safetensors",
      "state.json",
    ]
      .map((f) => readFileSync(join(reference, f)).length)
      .reduce((a, b) => a + b, 0);
    // Room for one checkpoint but not for a second beside it, as a commit needs.
    const size = Math.ceil((checkpointBytes * 1.5) / 4096) * 4096;
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mnt], {
        stdio: "ignore",
      });
    } catch {
      t.skip(
        "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the failing-writer tests cover it",
      );
      return;
    }
    try {
      const dir = join(mnt, "run");
      const r = await runCli(cli, args(dir, 8));
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /could not save the checkpoint of step 4 in .*run \(commitFiles: could not write to .*: ENOSPC: no space left on device.*\); the checkpoint of step 2 is intact: free some space and continue with --resume/,
      );
      const ckpt = decodeCheckpoint((await readCheckpointFiles(dir))!, dir);
      assert.equal(ckpt.state.globalStep, 2);
      const moved = join(root, "moved");
      cpSync(dir, moved, { recursive: true });
      const resumed = await runCli(cli, ["train", "lm", "--resume", "--quiet", "--out", moved]);
      assert.equal(resumed.code, 0, resumed.stderr);
      for (const f of ["model.safetensors", "optimizer.safetensors"])
        assert.ok(
          readFileSync(join(moved, f)).equals(readFileSync(join(reference, f))),
          `${f} differs`,
        );
    } finally {
      execFileSync("umount", [mnt]);
    }
  });
});
