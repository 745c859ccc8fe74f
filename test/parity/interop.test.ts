/**
 * Interoperability with PyTorch, both ways, for the three recipes' models:
 *
 *   PyTorch → recurrent   models trained 4 Adam steps in PyTorch (gen_interop.py), saved with
 *                         scripts/export_pytorch.py, load unchanged (strict) and give PyTorch's
 *                         outputs to 1e-5; mismatched names or shapes are refused, every key named
 *   recurrent → PyTorch   the same models trained 2 more Adam steps here, saved as a model
 *                         directory saves them, load with load_state_dict(strict=True) into the
 *                         torch modules (check_in_torch.py) and give our outputs to 1e-5; skipped,
 *                         with the reason, where /usr/bin/python3 has no torch
 *   the CLI route         `recurrent import` makes a model directory of a PyTorch export (wrong
 *                         shapes: exit 1, every key listed), `recurrent export --onnx` turns it
 *                         into an ONNX file whose outputs in ONNX Runtime are PyTorch's
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import * as ort from "onnxruntime-web";
import { loadClassifier } from "../../src/cli/commands/classify.js";
import { loadLanguageModel } from "../../src/cli/commands/lm.js";
import { loadSafetensorsFile, saveSafetensorsFile } from "../../src/io/node/safetensors-file.js";
import { manualSeed, nn, optim, randint, Tensor } from "../../src/index.js";
import type { Module } from "../../src/nn/module.js";
import { RNNClassifier, type ClassifierConfig } from "../../src/tasks/classifier/index.js";
import {
  RNNLanguageModel,
  type LanguageModelConfig,
} from "../../src/tasks/language-model/index.js";
import { Seq2Seq, type Seq2SeqConfig } from "../../src/tasks/seq2seq/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

type Task = "lm" | "classify" | "seq2seq";

interface InteropCase {
  name: string;
  task: Task;
  config: Record<string, unknown>;
  weights: string;
  inputs: Record<string, FixtureTensor>;
  outputs: Record<string, FixtureTensor>;
}

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const { cases } = loadFixture<{ cases: InteropCase[] }>("interop");
const report = new ParityReport();
after(() => report.print("interop: PyTorch → recurrent"));

function build(task: Task, config: Record<string, unknown>): Module {
  if (task === "lm") return new RNNLanguageModel(config as unknown as LanguageModelConfig);
  if (task === "classify") return new RNNClassifier(config as unknown as ClassifierConfig);
  return new Seq2Seq(config as unknown as Seq2SeqConfig);
}

/** The outputs gen_interop.run records, by the same names. */
function run(task: Task, model: Module, inputs: Record<string, Tensor>): Record<string, Tensor> {
  if (task === "lm") {
    const [logits, state] = (model as RNNLanguageModel).forward(inputs.ids);
    return { logits, hN: Array.isArray(state) ? state[0] : state };
  }
  const lengths = Int32Array.from(inputs.lengths.data);
  if (task === "classify") {
    const r = (model as RNNClassifier).forwardWithAttention(inputs.ids, lengths);
    return r.attention ? { logits: r.logits, attention: r.attention } : { logits: r.logits };
  }
  const r = (model as Seq2Seq).forward(inputs.source, lengths, inputs.inputs);
  return r.weights ? { logits: r.logits, weights: r.weights } : { logits: r.logits };
}

const tensors = (c: InteropCase) =>
  Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, fromFixture(v)]));

async function loadCase(c: InteropCase): Promise<Module> {
  const model = build(c.task, c.config);
  model.loadStateDict((await loadSafetensorsFile(join(fixtures, c.weights))).tensors);
  return model.eval();
}

describe("PyTorch → recurrent: state dicts exported with scripts/export_pytorch.py", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const model = await loadCase(c);
      const out = run(c.task, model, tensors(c));
      assert.deepEqual(Object.keys(out).sort(), Object.keys(c.outputs).sort());
      for (const [k, want] of Object.entries(c.outputs))
        report.add(`${c.task} ${k}`, assertClose(out[k], want, 1e-5, `${c.name} ${k}`));
    });
  }

  test("mismatched names and shapes are refused, every offending key listed", async () => {
    const c = cases.find((x) => x.name === "classifier_bilstm_attention")!;
    const { tensors: weights } = await loadSafetensorsFile(join(fixtures, c.weights));
    const wider = build(c.task, { ...c.config, hiddenSize: 6 });
    assert.throws(
      () => wider.loadStateDict(weights),
      (e: Error) => {
        const sizes = e.message.match(/size mismatch for \S+/g) ?? [];
        // every recurrent weight of both layers and directions, and fc.weight
        assert.equal(sizes.length, 2 * 2 * 4 + 1, e.message);
        assert.match(
          e.message,
          /size mismatch for rnn\.weight_hh_l1_reverse: expected \[24, 6\], got \[20, 5\]/,
        );
        assert.match(e.message, /size mismatch for fc\.weight: expected \[3, 12\], got \[3, 10\]/);
        return true;
      },
    );
    // a DataParallel export ("module." prefix): all missing and all unexpected keys
    const prefixed = Object.fromEntries(
      Object.entries(weights).map(([k, v]) => [`module.${k}`, v]),
    );
    const model = build(c.task, c.config);
    assert.throws(
      () => model.loadStateDict(prefixed),
      (e: Error) => {
        const n = Object.keys(weights).length;
        assert.equal((e.message.match(/missing key: /g) ?? []).length, n, e.message);
        assert.equal((e.message.match(/unexpected key: module\./g) ?? []).length, n);
        return true;
      },
    );
  });
});

/** Debian's PyTorch; RECURRENT_PYTHON names another interpreter (e.g. to see the skip). */
const python = process.env.RECURRENT_PYTHON ?? "/usr/bin/python3";
const noTorch =
  spawnSync(python, ["-c", "import torch"]).status === 0
    ? null
    : `${python} cannot import torch (apt-get install -y python3-torch)`;

/** Two Adam steps on random targets: the weights move away from PyTorch's. */
function trainHere(c: InteropCase, model: Module): void {
  model.train();
  const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
  for (let step = 0; step < 2; step++) {
    const logits = run(c.task, model, tensors(c)).logits;
    const V = logits.shape[logits.dim() - 1];
    const flat = logits.reshape([-1, V]);
    nn.functional.crossEntropy(flat, randint(0, V, [flat.shape[0]])).backward();
    opt.step();
    opt.zeroGrad();
  }
  model.eval();
}

const json = (t: Tensor) => ({
  shape: [...t.shape],
  data: Array.from(t.data),
  dtype: t.dtype === "int32" ? "int32" : undefined,
});

describe("recurrent → PyTorch: our model.safetensors loads strictly into the torch modules", () => {
  test("every recipe, trained here, gives our outputs in PyTorch (check_in_torch.py)", async (t) => {
    if (noTorch) return t.skip(noTorch);
    manualSeed(11);
    const dir = mkdtempSync(join(tmpdir(), "recurrent-interop-"));
    try {
      const checks = [];
      for (const c of cases) {
        const model = await loadCase(c);
        trainHere(c, model);
        const weights = join(dir, `${c.name}.safetensors`);
        await saveSafetensorsFile(weights, model.stateDict(), { format: "pt" });
        const outputs = run(c.task, model, tensors(c));
        const moved = outputs.logits.sub(fromFixture(c.outputs.logits)).abs().max().item();
        assert.ok(moved > 1e-3, `${c.name}: training here did not change the outputs`);
        checks.push({
          name: c.name,
          task: c.task,
          config: c.config,
          weights,
          inputs: c.inputs,
          outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, json(v)])),
        });
      }
      writeFileSync(join(dir, "cases.json"), JSON.stringify({ cases: checks }));
      const script = fileURLToPath(new URL("./check_in_torch.py", import.meta.url));
      const r = spawnSync(python, [script, join(dir, "cases.json")], {
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      const { results } = JSON.parse(r.stdout) as {
        results: { name: string; errors?: Record<string, number>; error?: string }[];
      };
      assert.equal(results.length, cases.length);
      const back = new ParityReport();
      for (const res of results) {
        assert.ok(res.errors, `${res.name}: ${res.error}`);
        for (const [k, err] of Object.entries(res.errors)) {
          back.add(`${res.name.split("_")[0]} ${k}`, err);
          assert.ok(err <= 1e-5, `${res.name} ${k}: PyTorch differs by ${err}`);
        }
      }
      back.print("interop: recurrent → PyTorch");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs the CLI in this process (a child process per command would cost a second each), with its
 * output captured; nothing else in this file writes while a test awaits it.
 */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import("../../src/cli/main.js");
  const out = { stdout: "", stderr: "" };
  const writes = [process.stdout.write, process.stderr.write];
  const capture = (key: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array) => {
      out[key] += String(chunk);
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  try {
    return { code: await main(args), ...out };
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
    process.exitCode = undefined;
  }
}

describe("the CLI route: recurrent import, then export --onnx", () => {
  test("PyTorch → import → model directory → ONNX Runtime gives PyTorch's outputs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recurrent-import-"));
    try {
      const c = cases.find((x) => x.name === "lm_char_lstm")!;
      const tokens = Array.from({ length: 20 }, (_, i) =>
        i === 0 ? "<unk>" : String.fromCharCode(96 + i),
      );
      writeFileSync(join(dir, "vocab.json"), JSON.stringify(tokens));
      const out = join(dir, "lm");
      const r = await cli(
        "import",
        "lm",
        "--weights",
        join(fixtures, c.weights),
        "--vocab",
        join(dir, "vocab.json"),
        "--out",
        out,
      );
      assert.equal(r.code, 0, r.stderr);
      const { model } = await loadLanguageModel(out);
      const ids = fromFixture(c.inputs.ids);
      assertClose(run("lm", model, { ids }).logits, c.outputs.logits, 1e-5, "imported logits");
      const e = await cli("export", "--onnx", "--model", out, "--out", join(dir, "lm.onnx"));
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout, /inputs: {2}input_ids int64 \[T, B\], lengths int64 \[B\]/);
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(join(dir, "lm.onnx"));
      const [T, B] = ids.shape;
      const res = await session.run({
        input_ids: new ort.Tensor("int64", BigInt64Array.from(Array.from(ids.data), BigInt), [
          T,
          B,
        ]),
        lengths: new ort.Tensor("int64", new BigInt64Array(B).fill(BigInt(T)), [B]),
      });
      const logits = new Tensor(Float32Array.from(res.logits.data as Float32Array), [
        ...res.logits.dims,
      ]);
      report.add(
        "onnx lm logits",
        assertClose(logits, c.outputs.logits, 1e-5, "ONNX Runtime logits"),
      );
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a classifier needs its pooling; wrong shapes stop the import with every key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recurrent-import-"));
    try {
      const c = cases.find((x) => x.name === "classifier_bilstm_attention")!;
      writeFileSync(
        join(dir, "vocab.json"),
        JSON.stringify(["<unk>", "<pad>", ...Array.from({ length: 18 }, (_, i) => `w${i}`)]),
      );
      const args = [
        "import",
        "classify",
        "--weights",
        join(fixtures, c.weights),
        "--vocab",
        join(dir, "vocab.json"),
        "--out",
        join(dir, "cl"),
      ];
      const noPooling = await cli(...args);
      assert.equal(noPooling.code, 2);
      assert.match(noPooling.stderr, /pooling .* give it with --config/);
      writeFileSync(
        join(dir, "wrong.json"),
        JSON.stringify({ model: { pooling: "attention", hiddenSize: 6 } }),
      );
      const wrong = await cli(...args, "--config", join(dir, "wrong.json"));
      assert.equal(wrong.code, 1);
      assert.equal((wrong.stderr.match(/size mismatch for /g) ?? []).length, 17, wrong.stderr);
      writeFileSync(
        join(dir, "ok.json"),
        JSON.stringify({ model: { pooling: "attention" }, data: { classes: ["a", "b", "c"] } }),
      );
      assert.equal((await cli(...args, "--config", join(dir, "ok.json"))).code, 0);
      const { model, config } = await loadClassifier(join(dir, "cl"));
      assert.equal(config.model.padIndex, 1, "the <pad> token's id");
      const out = run("classify", model, tensors(c));
      assertClose(out.logits, c.outputs.logits, 1e-5, "imported classifier logits");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
