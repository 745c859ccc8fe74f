/**
 * Bad files: safetensors, config.json, vocab.json, state.json and whole checkpoints, model
 * directories on disk, and dataset files. Each must fail with a plain Error naming the file (and
 * line, for text data), what was expected and what came (bad-input-table.ts).
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/bad-inputs-files.test.ts
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Vocab } from "../../src/data/vocab.js";
import { loadDataset } from "../../src/io/node/datasets.js";
import { commitFiles, readCheckpointFiles, readModelDir } from "../../src/io/node/model-dir.js";
import { loadSafetensors, saveSafetensors } from "../../src/io/safetensors.js";
import { SGD } from "../../src/optim/sgd.js";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  restoreCheckpoint,
  type CheckpointFiles,
} from "../../src/tasks/common/checkpoint.js";
import { checkModelConfig } from "../../src/tasks/common/model-config.js";
import { parseModelFiles } from "../../src/tasks/common/model-files.js";
import {
  languageModelFiles,
  languageModelFromFiles,
} from "../../src/tasks/language-model/files.js";
import { RNNLanguageModel } from "../../src/tasks/language-model/model.js";
import { Adam } from "../../src/optim/adam.js";
import { tensor } from "../../src/tensor/creation.js";
import { getRngState } from "../../src/tensor/random.js";
import { badInputs } from "./bad-input-table.js";

const enc = (s: string) => new TextEncoder().encode(s);
/** A safetensors file with this header (and `data` bytes after it). */
function st(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const h = enc(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const f32 = (n: number) => new Uint8Array(4 * n);

const lm = new RNNLanguageModel({
  vocabSize: 3,
  cell: "gru",
  embeddingSize: 2,
  hiddenSize: 2,
  numLayers: 1,
  dropout: 0,
});
const vocab = new Vocab(["<unk>", "a", "b"], { specials: ["<unk>"] });
const modelFiles = languageModelFiles(lm, vocab, { data: { level: "char" } });
const optimizer = new Adam(lm.parameters(), { lr: 0.1 });
const checkpoint = encodeCheckpoint({
  model: lm,
  optimizer,
  position: { epoch: 0, batch: 3, globalStep: 3 },
  rng: getRngState(),
});
const state = JSON.parse(checkpoint["state.json"] as string) as Record<string, unknown>;
const withState = (patch: Record<string, unknown>): CheckpointFiles => ({
  ...checkpoint,
  "state.json": JSON.stringify({ ...state, ...patch }),
});
const configText = modelFiles["config.json"] as string;
const config = JSON.parse(configText) as Record<string, unknown>;
const withConfig = (patch: Record<string, unknown>): CheckpointFiles => ({
  ...modelFiles,
  "config.json": JSON.stringify({ ...config, ...patch }),
});

const root = mkdtempSync(join(tmpdir(), "recurrent-bad-files-"));
let n = 0;
/** A fresh directory holding `files`. */
function dirWith(files: Record<string, string | Uint8Array>): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}
const textFile = (name: string, bytes: string | Uint8Array) =>
  dirWith({ [name]: bytes }) + "/" + name;

badInputs("safetensors", [
  {
    name: "no bytes",
    run: () => loadSafetensors(new Uint8Array(0)),
    error: /^loadSafetensors: <bytes>: expected at least 8 bytes \(the header length\), got 0$/,
  },
  {
    name: "a header length past the end",
    run: () => loadSafetensors(st({}).slice(0, 9)),
    error:
      /^loadSafetensors: <bytes>: header length 2 runs past the end of the file \(9 bytes\): truncated\?$/,
  },
  {
    name: "a header that is not JSON",
    run: () => loadSafetensors(st("{nope")),
    error: /^loadSafetensors: <bytes>: header is not valid JSON \(.*$/,
  },
  {
    name: "a header that is an array",
    run: () => loadSafetensors(st("[1]")),
    error: /^loadSafetensors: <bytes>: header must be a JSON object starting with "\{"$/,
  },
  {
    name: "an unknown dtype",
    run: () =>
      loadSafetensors(st({ w: { dtype: "F128", shape: [1], data_offsets: [0, 4] } }, f32(1))),
    error:
      /^loadSafetensors: <bytes>: tensor "w": unsupported dtype "F128", expected one of F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8, BOOL$/,
  },
  {
    name: "a shape that does not fit its bytes",
    run: () =>
      loadSafetensors(st({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32(2))),
    error:
      /^loadSafetensors: <bytes>: tensor "w": shape \[3\] of F32 needs 12 bytes, data_offsets span 8$/,
  },
  {
    name: "overlapping tensors",
    run: () =>
      loadSafetensors(
        st(
          {
            a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
            b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
          },
          f32(3),
        ),
      ),
    error:
      /^loadSafetensors: <bytes>: tensor "b": data_offsets \[4, 12\] overlaps the previous tensor \(expected to start at 8\)$/,
  },
  {
    name: "bytes after the last tensor",
    run: () =>
      loadSafetensors(st({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32(2))),
    error: /^loadSafetensors: <bytes>: the data buffer has 8 bytes but the tensors cover 4$/,
  },
  {
    name: "metadata that is not strings",
    run: () => loadSafetensors(st({ __metadata__: { step: 3 } })),
    error: /^loadSafetensors: <bytes>: __metadata__\.step must be a string, got number$/,
  },
  {
    name: "a non-bytes argument",
    run: () => loadSafetensors("model.safetensors" as never),
    error: /^loadSafetensors: <bytes>: expected a Uint8Array or an ArrayBuffer, got string$/,
  },
  {
    name: "saving a non-tensor",
    run: () => saveSafetensors({ w: [1, 2] as never }),
    error: /^saveSafetensors: "w" is not a Tensor$/,
  },
]);

badInputs("config.json and vocab.json", [
  {
    name: "config.json that is not JSON",
    run: () => parseModelFiles({ ...modelFiles, "config.json": "{ oops" }, "upload"),
    error: /^upload\/config\.json is not valid JSON: .+$/,
  },
  {
    name: "config.json that is an array",
    run: () => checkModelConfig([], "c.json"),
    error: /^c\.json: not a recurrent model config \(expected "format": "recurrent-model"\)$/,
  },
  {
    name: "config.json without format",
    run: () => parseModelFiles(withConfig({ format: undefined }), "upload"),
    error:
      /^upload\/config\.json: not a recurrent model config \(expected "format": "recurrent-model"\)$/,
  },
  {
    name: "config.json of version 2",
    run: () => parseModelFiles(withConfig({ version: 2 }), "upload"),
    error:
      /^upload\/config\.json: written by an incompatible version of recurrent \(model format version 2; this version reads 1\)$/,
  },
  {
    name: "config.json of an unknown task",
    run: () => parseModelFiles(withConfig({ task: "translate" }), "upload"),
    error:
      /^upload\/config\.json: expected task to be one of lm, classify, seq2seq, got "translate"$/,
  },
  {
    name: "config.json of another task",
    run: () => parseModelFiles(modelFiles, "upload", "classify"),
    error: /^upload\/config\.json: this is a lm model, expected a classify model$/,
  },
  {
    name: "config.json without model",
    run: () => parseModelFiles(withConfig({ model: null }), "upload"),
    error: /^upload\/config\.json: expected an object "model", got null$/,
  },
  {
    name: "model files without vocab.json",
    run: () => parseModelFiles({ ...modelFiles, "vocab.json": undefined as never }, "upload"),
    error: /^upload: has no vocab\.json: is it a model directory\?$/,
  },
  {
    name: "vocab.json that is not JSON",
    run: () => parseModelFiles({ ...modelFiles, "vocab.json": "[" }, "upload"),
    error: /^upload\/vocab\.json is not valid JSON: .+$/,
  },
  {
    name: "vocab.json that is a list",
    run: () => Vocab.fromJSON([]),
    error: /^Vocab\.fromJSON: expected an object with "itos" and "specials", got an array$/,
  },
  {
    name: "vocab.json with a numeric token",
    run: () => Vocab.fromJSON({ itos: ["a", 3], specials: [] }),
    error: /^Vocab\.fromJSON: expected "itos" to be an array of strings, got number at itos\[1\]$/,
  },
  {
    name: "vocab.json with a duplicate token",
    run: () => Vocab.fromJSON({ itos: ["a", "a"], specials: [] }),
    error: /^Vocab\.fromJSON: token "a" appears twice, at indices 0 and 1$/,
  },
  {
    name: "vocab.json with a special not in itos",
    run: () => Vocab.fromJSON({ itos: ["a"], specials: ["<unk>"] }),
    error: /^Vocab\.fromJSON: special token "<unk>" is not in itos$/,
  },
  {
    name: "vocab.json with a bad role",
    run: () => Vocab.fromJSON({ itos: ["a"], specials: [], unkToken: 3 }),
    error: /^Vocab\.fromJSON: expected "unkToken" to be a string or null, got number$/,
  },
  {
    name: "vocab.json of another size than the model",
    run: () =>
      languageModelFromFiles(
        {
          ...modelFiles,
          "vocab.json": JSON.stringify({ itos: ["<unk>", "a"], specials: ["<unk>"] }),
        },
        "upload",
      ),
    error: /^upload: vocab\.json has 2 tokens but config\.json's model 3$/,
  },
  {
    name: "weights missing a tensor",
    run: () => {
      const sd = lm.stateDict();
      delete sd["decoder.bias"];
      return languageModelFromFiles(
        { ...modelFiles, "model.safetensors": saveSafetensors(sd) },
        "upload",
      );
    },
    error:
      /^Error\(s\) in loading state dict for RNNLanguageModel:\n {2}missing key: decoder\.bias$/,
  },
  {
    name: "weights of the wrong shape",
    run: () => {
      const sd = lm.stateDict();
      sd["decoder.bias"] = tensor([1, 2]);
      return languageModelFromFiles(
        { ...modelFiles, "model.safetensors": saveSafetensors(sd) },
        "upload",
      );
    },
    error:
      /^Error\(s\) in loading state dict for RNNLanguageModel:\n {2}size mismatch for decoder\.bias: expected \[3\], got \[2\]$/,
  },
  {
    name: "truncated weights",
    run: () =>
      parseModelFiles(
        {
          ...modelFiles,
          "model.safetensors": (modelFiles["model.safetensors"] as Uint8Array).slice(0, 40),
        },
        "upload",
      ),
    error:
      /^loadSafetensors: upload\/model\.safetensors: header length 528 runs past the end of the file \(40 bytes\): truncated\?$/,
  },
]);

badInputs("checkpoints (state.json and the optimizer)", [
  {
    name: "a checkpoint without state.json",
    run: () => decodeCheckpoint({ ...checkpoint, "state.json": undefined as never }, "ckpt"),
    error: /^ckpt: the checkpoint has no state\.json$/,
  },
  {
    name: "state.json that is not JSON",
    run: () => decodeCheckpoint({ ...checkpoint, "state.json": "{" }, "ckpt"),
    error: /^ckpt: state\.json is not valid JSON: .+$/,
  },
  {
    name: "state.json of another format",
    run: () => decodeCheckpoint(withState({ format: "other" }), "ckpt"),
    error:
      /^ckpt: state\.json is not a recurrent training state \(expected "format": "recurrent-train-state", got "other"\)$/,
  },
  {
    name: "state.json of version 2",
    run: () => decodeCheckpoint(withState({ version: 2 }), "ckpt"),
    error: /^ckpt: state\.json has format version 2, this recurrent reads version 1$/,
  },
  {
    name: "state.json with a negative epoch",
    run: () => decodeCheckpoint(withState({ epoch: -1 }), "ckpt"),
    error: /^ckpt: state\.json: expected epoch ≥ 0, got -1$/,
  },
  {
    name: "state.json with a fractional step",
    run: () => decodeCheckpoint(withState({ globalStep: 2.5 }), "ckpt"),
    error: /^ckpt: state\.json: expected globalStep ≥ 0, got 2\.5$/,
  },
  {
    name: "state.json with a short rng",
    run: () => decodeCheckpoint(withState({ rng: [1, 2] }), "ckpt"),
    error: /^ckpt: state\.json: expected rng to be 4 integers, got \[1,2\]$/,
  },
  {
    name: "state.json without optimizer",
    run: () => decodeCheckpoint(withState({ optimizer: null }), "ckpt"),
    error: /^ckpt: state\.json: expected an optimizer object with paramGroups, got null$/,
  },
  {
    name: "state.json with a bad skipped count",
    run: () => decodeCheckpoint(withState({ skippedNonfinite: -2 }), "ckpt"),
    error: /^ckpt: state\.json: expected skippedNonfinite ≥ 0, got -2$/,
  },
  {
    name: "checkpoint files from different steps",
    run: () => decodeCheckpoint(withState({ globalStep: 4 }), "ckpt"),
    error:
      /^ckpt: model\.safetensors is from step 3 but state\.json from step 4: the checkpoint files do not belong together$/,
  },
  {
    name: "an optimizer file with a stray tensor",
    run: () =>
      decodeCheckpoint(
        {
          ...checkpoint,
          "optimizer.safetensors": saveSafetensors({ stray: tensor([1]) }, { step: "3" }),
        },
        "ckpt",
      ),
    error: /^ckpt: optimizer\.safetensors has an unexpected tensor "stray"$/,
  },
  {
    name: "a checkpoint of another optimizer",
    run: () =>
      restoreCheckpoint(decodeCheckpoint(checkpoint), {
        model: lm,
        optimizer: new SGD(lm.parameters(), { lr: 1 }),
      }),
    error: /^restoreCheckpoint: the checkpoint was trained with Adam, this run uses SGD$/,
  },
]);

badInputs("model directories on disk", [
  {
    name: "an empty directory",
    run: () => readModelDir(dirWith({})),
    error: /^.*\/d\d+: has no config\.json: is it a model directory\?$/,
  },
  {
    name: "a directory without weights",
    run: () => readModelDir(dirWith({ "config.json": configText, "vocab.json": "{}" })),
    error: /^.*\/d\d+: has no model\.safetensors: is it a model directory\?$/,
  },
  {
    name: "a directory with corrupt weights",
    run: () => readModelDir(dirWith({ ...modelFiles, "model.safetensors": "garbage!" })),
    error:
      /^loadSafetensors: .*\/model\.safetensors: header length 2406443243860549991 exceeds the limit of 100000000 bytes$/,
  },
  {
    name: "a directory with an unreadable journal",
    run: () => readModelDir(dirWith({ ...modelFiles, ".commit.json": "{ torn" })),
    error: /^recoverModelDir: .*\/\.commit\.json is unreadable: .+$/,
  },
  {
    name: "a checkpoint missing its optimizer file",
    run: () =>
      readCheckpointFiles(dirWith({ ...modelFiles, "state.json": checkpoint["state.json"] })),
    error:
      /^readCheckpointFiles: .*\/d\d+ has no optimizer\.safetensors: is it a model directory\?$/,
  },
  {
    name: "a model directory that does not exist",
    run: () => readModelDir(join(root, "nowhere")),
    error: /^readModelDir: .*\/nowhere does not exist \(so there is no config\.json to read\)$/,
  },
  {
    name: "a checkpoint directory that does not exist",
    run: () => readCheckpointFiles(join(root, "nowhere")),
    error:
      /^readCheckpointFiles: .*\/nowhere does not exist \(so there is no config\.json to read\)$/,
  },
  {
    name: "a model directory that is a file",
    run: () => readModelDir(textFile("plain.txt", "x")),
    error: /^readModelDir: .*\/plain\.txt is a file, not a model directory$/,
  },
  {
    name: "commitFiles of a path-like name",
    run: () => commitFiles(dirWith({}), { "a/b": "x" }),
    error: /^commitFiles: expected a plain file name, got "a\/b"$/,
  },
]);

badInputs("dataset files", [
  {
    name: "an unknown dataset",
    run: () => loadDataset("wikitext"),
    error:
      /^loadDataset: unknown dataset "wikitext"; expected one of moby-dick, sotu-party, sotu-era, spam-assassin, cmudict, brown, agnews:PATH, imdb:PATH, pairs:PATH, text:PATH$/,
  },
  {
    name: "a prefix without a path",
    run: () => loadDataset("text:"),
    error: /^loadDataset: expected text:PATH, got "text:"$/,
  },
  {
    name: "a text file that does not exist",
    run: () => loadDataset(`text:${root}/missing.txt`),
    error:
      /^readTextFiles: cannot read .*\/missing\.txt: ENOENT: no such file or directory, stat '.*\/missing\.txt'$/,
  },
  {
    name: "a text file with invalid UTF-8",
    run: () =>
      loadDataset(`text:${textFile("bad.txt", new Uint8Array([0x61, 0x0a, 0x62, 0xff, 0x0a]))}`),
    error: /^readTextFiles: .*\/bad\.txt:2: invalid UTF-8 \(byte 0xff at column 2\)$/,
  },
  {
    name: "an empty text file",
    run: () => loadDataset(`text:${textFile("empty.txt", "")}`),
    error: /^readTextFiles: .*\/empty\.txt:1: the file is empty$/,
  },
  {
    name: "an AG News row with a bad label",
    run: () => loadDataset(`agnews:${textFile("train.csv", '"1","t","d"\n"9","t","d"\n')}`),
    error:
      /^parseAgNews: .*\/train\.csv:2: expected a label 1-4 \(World, Sports, Business, Sci\/Tech\), got "9"$/,
  },
  {
    name: "an AG News row with too few fields",
    run: () => loadDataset(`agnews:${textFile("train.csv", '"1","t","d"\n"2","only"\n')}`),
    error:
      /^parseAgNews: .*\/train\.csv:2: expected 3 fields \(label, title, description\), got 2$/,
  },
  {
    name: "an AG News quote never closed",
    run: () => loadDataset(`agnews:${textFile("train.csv", '"1","t","d\n')}`),
    error: /^parseAgNews: .*\/train\.csv:1: a quoted field opened on this line is never closed$/,
  },
  {
    name: "a pairs line without a tab",
    run: () => loadDataset(`pairs:${textFile("pairs.txt", "go\tva\nno tab here\n")}`),
    error:
      /^parsePairs: .*\/pairs\.txt:2: expected 2 tab-separated fields \(source, target\), or 3 with an attribution, got 1$/,
  },
  {
    name: "an IMDB folder without pos/neg",
    run: () => loadDataset(`imdb:${dirWith({})}`),
    error:
      /^readImdb: expected the aclImdb layout .*\/train\/\{neg,pos\}\/\*\.txt, but .*\/train\/neg or .*\/train\/pos does not exist$/,
  },
  {
    name: "an option that does not apply",
    run: () => loadDataset("moby-dick", { split: "test" } as never),
    error:
      /^loadDataset: option split does not apply to moby-dick \(it takes limit; for a test split use data\.randomSplit\)$/,
  },
]);
