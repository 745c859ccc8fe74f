/**
 * Fuzzing the model-directory readers (fast-check): random bytes, random JSON, and valid files
 * with one field replaced by a random JSON value or removed, into checkModelConfig,
 * Vocab.fromJSON, parseModelFiles, decodeCheckpoint, languageModelFromFiles and classifierFromFiles
 * (which also build the model a config.json describes). Each input must either be read into something consistent
 * or be refused with a plain Error — never a TypeError/RangeError from inside, an allocation
 * failure, or a hang. loadSafetensors has its own fuzzer (test/unit/safetensors-fuzz.test.ts).
 *
 * RECURRENT_FUZZ_RUNS (default 300 per reader; `npm run fuzz`: 10,000) and RECURRENT_FUZZ_SEED.
 *
 * @example
 * RECURRENT_FUZZ_RUNS=50000 node scripts/run-tests.mjs test/reliability/fuzz-readers.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Vocab } from "../../src/data/vocab.js";
import { Adam } from "../../src/optim/adam.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/tasks/common/checkpoint.js";
import { checkModelConfig } from "../../src/tasks/common/model-config.js";
import { makeModelConfig } from "../../src/tasks/common/model-config.js";
import { parseModelFiles } from "../../src/tasks/common/model-files.js";
import { classifierFromFiles } from "../../src/tasks/classifier/files.js";
import { RNNClassifier } from "../../src/tasks/classifier/model.js";
import { saveSafetensors } from "../../src/io/safetensors.js";
import {
  languageModelFiles,
  languageModelFromFiles,
} from "../../src/tasks/language-model/files.js";
import { RNNLanguageModel } from "../../src/tasks/language-model/model.js";
import { getRngState, manualSeed } from "../../src/tensor/random.js";

const RUNS = Number(process.env.RECURRENT_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.RECURRENT_FUZZ_SEED ?? 1);
const ENGINE_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError];

manualSeed(0);
const model = new RNNLanguageModel({
  vocabSize: 4,
  cell: "lstm",
  embeddingSize: 3,
  hiddenSize: 3,
  numLayers: 1,
  dropout: 0,
});
const vocab = new Vocab(["<unk>", "a", "b", "c"], { specials: ["<unk>"] });
const files = languageModelFiles(model, vocab, { data: { level: "char" } });
const checkpoint = encodeCheckpoint({
  model,
  optimizer: new Adam(model.parameters(), { lr: 0.1 }),
  position: { epoch: 1, batch: 2, globalStep: 9 },
  rng: getRngState(),
});
const classifier = new RNNClassifier({
  vocabSize: 4,
  numClasses: 2,
  cell: "gru",
  embeddingSize: 3,
  hiddenSize: 2,
  numLayers: 1,
  bidirectional: true,
  dropout: 0,
  pooling: "mean",
  padIndex: 1,
});
const classifierFiles = {
  "config.json": JSON.stringify(
    makeModelConfig("classify", classifier.config, { classes: ["ham", "spam"], maxLen: 20 }, {}),
  ),
  "vocab.json": JSON.stringify(
    new Vocab(["<unk>", "<pad>", "win", "free"], { specials: ["<unk>", "<pad>"] }).toJSON(),
  ),
  "model.safetensors": saveSafetensors(classifier.stateDict(), { format: "pt" }),
};
const valid = {
  config: JSON.parse(files["config.json"] as string) as unknown,
  vocab: vocab.toJSON() as unknown,
  state: JSON.parse(checkpoint["state.json"] as string) as unknown,
};

/** One field somewhere in a JSON value, replaced (or deleted), chosen by `path`. */
function mutate(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value);
  let node: unknown = copy;
  for (let depth = 0; depth < path.length; depth++) {
    if (typeof node !== "object" || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[path[depth] % keys.length];
    const child = (node as Record<string, unknown>)[key];
    const last = depth === path.length - 1 || typeof child !== "object" || child === null;
    if (last) {
      if (remove && !Array.isArray(node)) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = replacement;
      break;
    }
    node = child;
  }
  return copy;
}

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    -1,
    0,
    0.5,
    1e9,
    1e300,
    -0,
    2 ** 31,
    "",
    "lstm",
    [],
    {},
    null,
    true,
    [1, 2, 3, 4],
  ),
  // Objects that String() and template literals cannot convert: a message must not throw.
  fc.constantFrom({ toString: false }, { toString: null, valueOf: 1 }, Object.create(null)),
);
const mutation = <T>(base: T) =>
  fc
    .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), jsonValue, fc.boolean())
    .map(([path, v, remove]) => mutate(base, path, v, remove));
/** Inputs for a JSON reader: valid-but-mutated, random JSON, random text, random bytes as text. */
const jsonInput = <T>(base: T) =>
  fc.oneof(
    { weight: 6, arbitrary: mutation(base) },
    { weight: 2, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.string() },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => new TextDecoder().decode(b)),
    },
  );
const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

const tally: Record<string, { ok: number; refused: number }> = {};

/** Runs `read(input)`: a clean refusal or a result `check` accepts (see the file header). */
function property<T>(
  name: string,
  input: fc.Arbitrary<T>,
  read: (x: T) => unknown,
  check: (r: unknown, x: T) => void,
) {
  test(`${name}: ${RUNS} random inputs are read consistently or refused cleanly`, (t) => {
    const count = (tally[name] = { ok: 0, refused: 0 });
    fc.assert(
      fc.property(input, (x) => {
        let result: unknown;
        try {
          result = read(x);
        } catch (e) {
          const engine = ENGINE_ERRORS.find((E) => e instanceof E);
          assert.ok(e instanceof Error && !engine, `${name}: ${(e as Error)?.stack ?? String(e)}`);
          assert.ok(e.message.length > 10, `${name}: a terse error "${e.message}"`);
          count.refused++;
          return;
        }
        check(result, x);
        count.ok++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    t.diagnostic(`${name}: ${count.ok} read, ${count.refused} refused`);
  });
}

describe("fuzzing the model-directory readers", () => {
  property(
    "checkModelConfig",
    jsonInput(valid.config),
    (x) => checkModelConfig(x, "config.json"),
    (r) => {
      const c = r as { format: string; version: number; model: object };
      assert.equal(c.format, "recurrent-model");
      assert.equal(c.version, 1);
      assert.equal(typeof c.model, "object");
    },
  );

  property(
    "Vocab.fromJSON",
    jsonInput(valid.vocab),
    (x) => Vocab.fromJSON(x),
    (r) => {
      const v = r as Vocab;
      assert.equal(new Set(v.itos).size, v.length);
      assert.deepEqual(Vocab.fromJSON(JSON.stringify(v)).toJSON(), v.toJSON());
    },
  );

  const fileSet = fc.record({
    config: fc.oneof(
      jsonInput(valid.config).map(text),
      fc.constant(files["config.json"] as string),
    ),
    vocab: fc.oneof(jsonInput(valid.vocab).map(text), fc.constant(files["vocab.json"] as string)),
    weights: fc.oneof(
      { weight: 3, arbitrary: fc.constant(files["model.safetensors"] as Uint8Array) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    ),
  });
  const asFiles = (f: { config: string; vocab: string; weights: Uint8Array }) => ({
    "config.json": f.config,
    "vocab.json": f.vocab,
    "model.safetensors": f.weights,
  });

  property(
    "parseModelFiles",
    fileSet,
    (f) => parseModelFiles(asFiles(f), "upload", "lm"),
    (r) => assert.equal((r as { config: { task: string } }).config.task, "lm"),
  );

  property(
    "languageModelFromFiles",
    fileSet,
    (f) => languageModelFromFiles(asFiles(f), "upload"),
    (r) => {
      const { model: m, vocab: v } = r as { model: RNNLanguageModel; vocab: Vocab };
      assert.equal(m.config.vocabSize, v.length);
    },
  );

  const classifierConfig = JSON.parse(classifierFiles["config.json"]) as unknown;
  const classifierVocab = JSON.parse(classifierFiles["vocab.json"]) as unknown;
  property(
    "classifierFromFiles",
    fc.record({
      config: fc.oneof(
        jsonInput(classifierConfig).map(text),
        fc.constant(classifierFiles["config.json"]),
      ),
      vocab: fc.oneof(
        jsonInput(classifierVocab).map(text),
        fc.constant(classifierFiles["vocab.json"]),
      ),
      weights: fc.oneof(
        { weight: 3, arbitrary: fc.constant(classifierFiles["model.safetensors"]) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      ),
    }),
    (f) => classifierFromFiles(asFiles(f), "upload"),
    (r) => {
      const { model: m, vocab: v } = r as { model: RNNClassifier; vocab: Vocab };
      assert.equal(m.config.vocabSize, v.length);
    },
  );

  property(
    "decodeCheckpoint",
    fc.record({
      state: fc.oneof(
        jsonInput(valid.state).map(text),
        fc.constant(checkpoint["state.json"] as string),
      ),
      model: fc.oneof(
        { weight: 3, arbitrary: fc.constant(checkpoint["model.safetensors"] as Uint8Array) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      ),
      optimizer: fc.oneof(
        { weight: 3, arbitrary: fc.constant(checkpoint["optimizer.safetensors"] as Uint8Array) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      ),
    }),
    (f) =>
      decodeCheckpoint(
        {
          "state.json": f.state,
          "model.safetensors": f.model,
          "optimizer.safetensors": f.optimizer,
        },
        "ckpt",
      ),
    (r) => {
      const { state } = r as { state: { globalStep: number; rng: number[] } };
      assert.ok(Number.isInteger(state.globalStep) && state.globalStep >= 0);
      assert.equal(state.rng.length, 4);
    },
  );
});
