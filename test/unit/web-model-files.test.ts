import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { zipSync } from "fflate";
import { loadClassifier } from "../../src/cli/commands/classify.js";
import { loadLanguageModel } from "../../src/cli/commands/lm.js";
import { classifier, io, languageModel, manualSeed } from "../../src/index.js";
import { readModelFiles, zipModel } from "../../web/src/model-files.js";

const dir = mkdtempSync(join(tmpdir(), "recurrent-web-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = "the quick brown fox jumps over the lazy dog. ".repeat(20);

function smallLm() {
  const data = languageModel.prepareLmData(TEXT, { level: "char" });
  manualSeed(0);
  const model = new languageModel.RNNLanguageModel({
    vocabSize: data.vocab.length,
    cell: "gru",
    embeddingSize: 8,
    hiddenSize: 12,
    numLayers: 2,
    dropout: 0,
  });
  return { model, vocab: data.vocab };
}

const bytesOf = (files: Record<string, Uint8Array | string>): Record<string, Uint8Array> =>
  Object.fromEntries(
    Object.entries(files).map(([k, v]) => [
      k,
      typeof v === "string" ? new TextEncoder().encode(v) : v,
    ]),
  );

function writeDir(name: string, files: Record<string, Uint8Array | string>): string {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(out, f), v);
  return out;
}

describe("language models and classifiers as model-directory files (tasks/*/files.ts)", () => {
  test("languageModelFiles → languageModelFromFiles gives the same model and the same text", () => {
    const { model, vocab } = smallLm();
    const files = languageModel.languageModelFiles(model, vocab, {
      data: { dataset: "web:fox", level: "char" },
    });
    assert.deepEqual(Object.keys(files).sort(), ["config.json", "model.safetensors", "vocab.json"]);
    const loaded = languageModel.languageModelFromFiles(files, "fox");
    assert.equal(loaded.model.training, false);
    assert.deepEqual(loaded.model.config, model.config);
    for (const [k, t] of Object.entries(model.stateDict()))
      assert.deepEqual(loaded.model.stateDict()[k].data, t.data, k);
    const opts = { level: "char" as const, prime: "the ", length: 40, temperature: 0.8, seed: 3 };
    assert.equal(
      languageModel.generateText(loaded.model, loaded.vocab, opts),
      languageModel.generateText(model, vocab, opts),
    );
  });

  test("the files are a directory `recurrent generate` loads", async () => {
    const { model, vocab } = smallLm();
    const files = languageModel.languageModelFiles(model, vocab, { data: { level: "char" } });
    const cli = await loadLanguageModel(writeDir("lm", files));
    assert.deepEqual(cli.model.config, model.config);
    assert.deepEqual(cli.vocab.itos, vocab.itos);
  });

  test("wrong task, inconsistent vocabulary and missing classes are refused by name", () => {
    const { model, vocab } = smallLm();
    const files = bytesOf(
      languageModel.languageModelFiles(model, vocab, { data: { level: "char" } }),
    );
    assert.throws(
      () => classifier.classifierFromFiles(files, "up.zip"),
      /up\.zip\/config\.json: this is a lm model, expected a classify model/,
    );
    const config = JSON.parse(new TextDecoder().decode(files["config.json"]));
    const short = { ...vocab.toJSON(), itos: vocab.itos.slice(0, -1) };
    assert.throws(
      () =>
        languageModel.languageModelFromFiles(
          { ...files, "vocab.json": JSON.stringify(short) },
          "up",
        ),
      new RegExp(
        `up: vocab.json has ${vocab.length - 1} tokens but config.json's model ${vocab.length}`,
      ),
    );
    const cls = { ...config, task: "classify", data: {} };
    assert.throws(
      () => classifier.classifierFromFiles({ ...files, "config.json": JSON.stringify(cls) }, "c"),
      /c\/config\.json: expected data\.classes/,
    );
  });

  test("a classifier directory loads as the CLI loads it and predicts the same", async () => {
    manualSeed(0);
    const vocab = classifier.buildClassifierVocab([["spam", "ham", "free", "meeting"]], {});
    const model = new classifier.RNNClassifier({
      vocabSize: vocab.length,
      numClasses: 2,
      cell: "lstm",
      embeddingSize: 6,
      hiddenSize: 5,
      numLayers: 1,
      bidirectional: true,
      dropout: 0,
      pooling: "attention",
      padIndex: vocab.padIndex,
    });
    const config = {
      format: "recurrent-model",
      version: 1,
      task: "classify",
      model: model.config,
      data: { classes: ["ham", "spam"], tokenizer: "basic_english", maxLen: 20 },
      train: {},
    };
    const files = {
      "config.json": JSON.stringify(config),
      "vocab.json": JSON.stringify(vocab.toJSON()),
      "model.safetensors": io.saveSafetensors(model.stateDict(), { format: "pt" }),
    };
    const web = classifier.classifierFromFiles(bytesOf(files), "cls");
    const cli = await loadClassifier(writeDir("cls", files));
    const texts = ["free spam now", "meeting at noon"];
    const a = classifier.predictTexts(web.model, web.vocab, texts, { ...web.config.data });
    const b = classifier.predictTexts(cli.model, cli.vocab, texts, {
      ...cli.config.data,
      classes: cli.config.data.classes,
    });
    assert.deepEqual(a, b);
  });
});

describe("the page's model files (web/src/model-files.ts)", () => {
  const three = {
    "config.json": new TextEncoder().encode("{}"),
    "vocab.json": new TextEncoder().encode("[]"),
    "model.safetensors": new Uint8Array([1, 2, 3]),
  };
  const file = (name: string, bytes: Uint8Array) => new File([bytes.slice()], name);

  test("a zip of a directory (files in one folder, extras ignored) or the three files", async () => {
    const zip = zipSync({
      "runs/spam/config.json": three["config.json"],
      "runs/spam/vocab.json": three["vocab.json"],
      "runs/spam/model.safetensors": three["model.safetensors"],
      "runs/spam/optimizer.safetensors": new Uint8Array([9]),
      "__MACOSX/runs/spam/._config.json": new Uint8Array([0]),
    });
    const fromZip = await readModelFiles([file("spam.zip", zip)]);
    assert.equal(fromZip.source, "spam");
    assert.deepEqual(Object.keys(fromZip.files).sort(), Object.keys(three).sort());
    assert.deepEqual(fromZip.files["model.safetensors"], three["model.safetensors"]);
    const picked = await readModelFiles(Object.entries(three).map(([n, b]) => file(n, b)));
    assert.deepEqual(picked.files, three);
    const back = await readModelFiles([
      file("m.zip", new Uint8Array(await zipModel(three, "lm-x").arrayBuffer())),
    ]);
    assert.deepEqual(back.files, three);
  });

  test("missing or doubled files are named", async () => {
    await assert.rejects(
      readModelFiles([file("config.json", three["config.json"])]),
      /has no vocab\.json, model\.safetensors/,
    );
    const two = zipSync({
      "a/config.json": three["config.json"],
      "b/config.json": three["config.json"],
    });
    await assert.rejects(readModelFiles([file("two.zip", two)]), /more than one config\.json/);
    await assert.rejects(
      readModelFiles([file("bad.zip", new Uint8Array([1, 2, 3, 4]))]),
      /bad\.zip: not a readable zip/,
    );
  });
});
