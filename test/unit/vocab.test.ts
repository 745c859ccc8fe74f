import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_SPECIALS, Vocab } from "../../src/data/vocab.js";

const corpus = [
  ["the", "cat", "sat"],
  ["the", "dog", "sat"],
  ["a", "dog", "the"],
];

describe("Vocab.build", () => {
  test("specials first, then by frequency, ties by first appearance", () => {
    const v = Vocab.build(corpus);
    assert.deepEqual(v.itos, ["<unk>", "<pad>", "<bos>", "<eos>", "the", "sat", "dog", "cat", "a"]);
    assert.equal(v.length, 9);
    assert.deepEqual([v.unkIndex, v.padIndex, v.bosIndex, v.eosIndex], [0, 1, 2, 3]);
    assert.deepEqual(v.specials, DEFAULT_SPECIALS);
  });

  test("tieBreak lexicographic orders equal counts by code point (torchtext ≥ 0.12)", () => {
    const v = Vocab.build(corpus, { tieBreak: "lexicographic", specials: [] });
    assert.deepEqual(v.itos, ["the", "dog", "sat", "a", "cat"]);
    // Code points, not UTF-16 units: U+FF5E sorts before U+1F600 although its unit is larger.
    const w = Vocab.build([["😀", "～"]], { tieBreak: "lexicographic", specials: [] });
    assert.deepEqual(w.itos, ["～", "😀"]);
  });

  test("minFreq drops rare tokens", () => {
    assert.deepEqual(Vocab.build(corpus, { minFreq: 2 }).itos.slice(4), ["the", "sat", "dog"]);
  });

  test("maxSize counts the specials (torchtext's max_tokens)", () => {
    const v = Vocab.build(corpus, { maxSize: 6 });
    assert.equal(v.length, 6);
    assert.deepEqual(v.itos.slice(4), ["the", "sat"]);
    assert.throws(
      () => Vocab.build(corpus, { maxSize: 4 }),
      /Vocab.build: maxSize counts the specials and must be an integer > 4 \(the number of specials\), got 4/,
    );
  });

  test("a special that occurs in the data keeps only its special slot", () => {
    const v = Vocab.build([["<pad>", "x", "<pad>", "<unk>"]]);
    assert.deepEqual(v.itos, ["<unk>", "<pad>", "<bos>", "<eos>", "x"]);
  });

  test("specialFirst false puts the specials last", () => {
    const v = Vocab.build(corpus, { specialFirst: false, specials: ["<unk>", "<pad>"] });
    assert.deepEqual(v.itos.slice(-2), ["<unk>", "<pad>"]);
    assert.equal(v.unkIndex, 5);
    assert.equal(v.padIndex, 6);
  });

  test("fromCounts takes a Map or [token, count] pairs in first-appearance order", () => {
    const v = Vocab.fromCounts(
      [
        ["b", 2],
        ["a", 2],
        ["c", 5],
      ],
      { specials: ["<unk>"] },
    );
    assert.deepEqual(v.itos, ["<unk>", "c", "b", "a"]);
    assert.deepEqual(Vocab.fromCounts(new Map([["z", 1]]), { specials: [] }).itos, ["z"]);
  });

  test("errors name the function and what came", () => {
    assert.throws(
      () => Vocab.build(["the cat"] as unknown as string[][]),
      /Vocab.build: expected an iterable of token arrays, got a string at position 0/,
    );
    assert.throws(
      () => Vocab.build([["a", 3 as unknown as string]]),
      /Vocab.build: expected string tokens, got number in sentence 0/,
    );
    assert.throws(
      () => Vocab.build(corpus, { minFreq: 0 }),
      /Vocab.build: expected minFreq to be a number ≥ 1, got 0/,
    );
    assert.throws(
      () => Vocab.build(corpus, { specials: ["<unk>", "<unk>"] }),
      /Vocab.build: specials contain duplicates: \["<unk>","<unk>"\]/,
    );
  });
});

describe("new Vocab(itos)", () => {
  test("keeps the order given; the default specials present in itos are the specials", () => {
    const v = new Vocab(["<pad>", "x", "<unk>", "y"]);
    assert.deepEqual(v.specials, ["<unk>", "<pad>"]);
    assert.deepEqual([v.padIndex, v.unkIndex], [0, 2]);
    assert.equal(v.bosToken, null);
    assert.deepEqual(v.encode(["y", "z"]), [3, 2]);
    assert.deepEqual(new Vocab(["a", "b"]).specials, []);
    assert.throws(
      () => new Vocab(["a", "a"]),
      /Vocab: token "a" appears twice, at indices 0 and 1/,
    );
    assert.throws(
      () => new Vocab(["a"], { specials: ["<unk>"] }),
      /Vocab: special token "<unk>" is not in itos/,
    );
  });
});

describe("encode / decode", () => {
  const v = Vocab.build(corpus);

  test("encode maps unknown tokens to <unk>, with optional <bos>/<eos>", () => {
    assert.deepEqual(v.encode(["the", "bird", "sat"]), [4, 0, 5]);
    assert.deepEqual(v.encode(["cat"], { bos: true, eos: true }), [2, 7, 3]);
    assert.deepEqual(v.encode([]), []);
    assert.equal(v.indexOf("zzz"), v.unkIndex);
    assert.equal(v.tokenAt(6), "dog");
  });

  test("decode inverts encode, can skip specials and stop at <eos>", () => {
    const ids = v.encode(["a", "dog"], { bos: true, eos: true });
    assert.deepEqual(v.decode(ids), ["<bos>", "a", "dog", "<eos>"]);
    assert.deepEqual(v.decode(ids, { skipSpecials: true }), ["a", "dog"]);
    assert.deepEqual(v.decode([...ids, 4, 1], { stopAtEos: true }), ["<bos>", "a", "dog"]);
    assert.deepEqual(v.decode(new Int32Array([4, 1, 8]), { skipSpecials: true }), ["the", "a"]);
  });

  test("decode rejects ids out of range with the position", () => {
    assert.throws(
      () => v.decode([1, 9]),
      /Vocab.decode: id 9 at position 1 is out of range \[0, 9\)/,
    );
    assert.throws(() => v.decode([0.5]), /Vocab.decode: id 0.5 at position 0 is out of range/);
    assert.throws(() => v.tokenAt(-1), /Vocab: index -1 is out of range \[0, 9\)/);
  });

  test("without an unk token, unknown tokens are an error; missing roles throw on access", () => {
    const w = Vocab.build(corpus, { specials: ["<pad>"] });
    assert.equal(w.unkToken, null);
    assert.deepEqual(w.encode(["the"]), [1]);
    assert.throws(
      () => w.encode(["the", "bird"]),
      /Vocab.encode: token "bird" at position 1 is not in the vocab, which has no unk token/,
    );
    assert.throws(() => w.bosIndex, /Vocab: this vocab has no bos token \(specials: \["<pad>"\]\)/);
    assert.throws(
      () => w.encode("the" as unknown as string[]),
      /Vocab.encode: expected an array of tokens, got a string/,
    );
  });

  test("custom role names", () => {
    const w = Vocab.build(corpus, {
      specials: ["[UNK]", "[PAD]", "<s>", "</s>"],
      unkToken: "[UNK]",
      padToken: "[PAD]",
      bosToken: "<s>",
      eosToken: "</s>",
    });
    assert.deepEqual(w.encode(["bird"], { bos: true, eos: true }), [2, 0, 3]);
    assert.equal(w.padIndex, 1);
    assert.throws(
      () => Vocab.build(corpus, { unkToken: "the" }),
      /Vocab: unkToken must be one of the specials .* or null, got "the"/,
    );
  });

  test("stoi is a copy consistent with itos", () => {
    const stoi = v.stoi;
    v.itos.forEach((t, i) => assert.equal(stoi.get(t), i));
    stoi.set("new", 99);
    assert.equal(v.has("new"), false);
  });
});

describe("JSON", () => {
  test("round trip through JSON.stringify / Vocab.fromJSON", () => {
    const v = Vocab.build(corpus, { specials: ["<pad>", "<unk>", "<eos>"] });
    const text = JSON.stringify(v);
    const w = Vocab.fromJSON(JSON.parse(text));
    assert.deepEqual(w.itos, v.itos);
    assert.deepEqual(w.specials, v.specials);
    assert.deepEqual(
      [w.unkToken, w.padToken, w.bosToken, w.eosToken],
      ["<unk>", "<pad>", null, "<eos>"],
    );
    assert.deepEqual(w.encode(["dog", "bird"]), v.encode(["dog", "bird"]));
    assert.deepEqual(Vocab.fromJSON(text).itos, v.itos);
  });

  test("missing role fields fall back to the default names among the specials", () => {
    const w = Vocab.fromJSON({ itos: ["<unk>", "x"], specials: ["<unk>"] });
    assert.equal(w.unkIndex, 0);
    assert.equal(w.padToken, null);
  });

  test("malformed objects give clear errors", () => {
    assert.throws(() => Vocab.fromJSON("{oops"), /Vocab.fromJSON: the string is not valid JSON/);
    assert.throws(
      () => Vocab.fromJSON([1, 2]),
      /Vocab.fromJSON: expected an object with "itos" and "specials", got an array/,
    );
    assert.throws(
      () => Vocab.fromJSON({ specials: [] }),
      /Vocab.fromJSON: expected "itos" to be an array of strings, got undefined/,
    );
    assert.throws(
      () => Vocab.fromJSON({ itos: ["a", 2], specials: [] }),
      /expected "itos" to be an array of strings, got number at itos\[1\]/,
    );
    assert.throws(
      () => Vocab.fromJSON({ itos: ["a"], specials: "a" }),
      /expected "specials" to be an array of strings, got "a"/,
    );
    assert.throws(
      () => Vocab.fromJSON({ itos: ["a", "a"], specials: [] }),
      /Vocab.fromJSON: token "a" appears twice, at indices 0 and 1/,
    );
    assert.throws(
      () => Vocab.fromJSON({ itos: ["a"], specials: ["<unk>"] }),
      /Vocab.fromJSON: special token "<unk>" is not in itos/,
    );
    assert.throws(
      () => Vocab.fromJSON({ itos: ["a"], specials: [], unkToken: 3 }),
      /expected "unkToken" to be a string or null, got number/,
    );
    assert.throws(
      () => Vocab.fromJSON({ itos: ["a"], specials: [], padToken: "a" }),
      /Vocab.fromJSON: padToken must be one of the specials/,
    );
  });
});
