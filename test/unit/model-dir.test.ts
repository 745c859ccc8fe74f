import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  commitFiles,
  readCheckpointFiles,
  readModelDir,
  recoverModelDir,
} from "../../src/io/node/model-dir.js";
import { saveSafetensors } from "../../src/io/safetensors.js";
import { makeModelConfig } from "../../src/tasks/common/model-config.js";
import { tensor } from "../../src/tensor/creation.js";

const fresh = (): string => mkdtempSync(join(tmpdir(), "recurrent-modeldir-"));
const config = JSON.stringify(makeModelConfig("lm", { vocabSize: 3 }, {}, {}));
const weights = (v: number) => saveSafetensors({ w: tensor([v, v]) });
const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

describe("commitFiles", () => {
  test("writes every file and leaves no temporary or journal file", async () => {
    const dir = fresh();
    await commitFiles(dir, {
      "config.json": config,
      "vocab.json": "{}",
      "model.safetensors": weights(1),
    });
    assert.deepEqual(readdirSync(dir).sort(), ["config.json", "model.safetensors", "vocab.json"]);
    const { weights: w, config: c } = await readModelDir(dir, "lm");
    assert.deepEqual(w.w.toArray(), [1, 1]);
    assert.equal(c.task, "lm");
  });

  test("an interrupted commit with its journal written is finished by the next reader", async () => {
    const dir = fresh();
    await commitFiles(dir, { "a.txt": "old a", "b.txt": "old b" });
    // A commit that wrote its temp files and journal, renamed a.txt, then died (another pid).
    writeFileSync(join(dir, ".b.txt.99999-abcdef.tmp"), "new b");
    writeFileSync(
      join(dir, ".commit.json"),
      JSON.stringify({ id: "99999-abcdef", files: ["a.txt", "b.txt"] }),
    );
    writeFileSync(join(dir, "a.txt"), "new a");
    await recoverModelDir(dir);
    assert.deepEqual([read(dir, "a.txt"), read(dir, "b.txt")], ["new a", "new b"]);
    assert.deepEqual(readdirSync(dir).sort(), ["a.txt", "b.txt"]);
  });

  test("a commit that died before its journal leaves the previous files, and its temps go", async () => {
    const dir = fresh();
    await commitFiles(dir, { "a.txt": "old a" });
    writeFileSync(join(dir, ".a.txt.99999-abcdef.tmp"), "half");
    await recoverModelDir(dir);
    assert.equal(read(dir, "a.txt"), "old a");
    assert.deepEqual(readdirSync(dir), ["a.txt"]);
  });

  test("refuses names that are not plain file names", async () => {
    await assert.rejects(
      commitFiles(fresh(), { "../x": "no" }),
      /expected a plain file name, got "..\/x"/,
    );
  });
});

describe("readModelDir", () => {
  test("names the missing file and refuses other format versions", async () => {
    const dir = fresh();
    await assert.rejects(readModelDir(dir), /has no config.json: is it a model directory\?/);
    writeFileSync(join(dir, "config.json"), config.replace('"version":1', '"version":7'));
    await assert.rejects(
      readModelDir(dir),
      /incompatible version of recurrent \(model format version 7; this version reads 1\)/,
    );
    writeFileSync(join(dir, "config.json"), config);
    await assert.rejects(
      readModelDir(dir, "classify"),
      /this is a lm model, expected a classify model/,
    );
    writeFileSync(join(dir, "config.json"), "{ not json");
    await assert.rejects(readModelDir(dir), /config.json is not valid JSON/);
  });

  test("readCheckpointFiles is null without state.json", async () => {
    const dir = fresh();
    await commitFiles(dir, { "config.json": config });
    assert.equal(await readCheckpointFiles(dir), null);
    assert.ok(existsSync(join(dir, "config.json")));
  });
});
