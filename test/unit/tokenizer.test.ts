import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  basicEnglishTokenizer,
  charTokenizer,
  getTokenizer,
  whitespaceTokenizer,
  type TokenizerName,
} from "../../src/data/tokenizer.js";

describe("getTokenizer", () => {
  test("torchtext's documented example", () => {
    assert.deepEqual(getTokenizer("basic_english")("You can now install TorchText using pip!"), [
      "you",
      "can",
      "now",
      "install",
      "torchtext",
      "using",
      "pip",
      "!",
    ]);
  });

  test("names map to the named functions; null and undefined give the whitespace split", () => {
    assert.equal(getTokenizer("basic_english"), basicEnglishTokenizer);
    assert.equal(getTokenizer("char"), charTokenizer);
    assert.equal(getTokenizer("whitespace"), whitespaceTokenizer);
    assert.equal(getTokenizer(null), whitespaceTokenizer);
    assert.equal(getTokenizer(), whitespaceTokenizer);
  });

  test("a function is returned unchanged", () => {
    const upper = (s: string) => s.toUpperCase().split("-");
    assert.equal(getTokenizer(upper), upper);
    assert.deepEqual(getTokenizer(upper)("a-b"), ["A", "B"]);
  });

  test("an unknown name is an error that lists the known ones", () => {
    assert.throws(
      () => getTokenizer("spacy" as TokenizerName),
      /getTokenizer: expected one of "basic_english", "char", "whitespace", a function or null, got "spacy"/,
    );
    assert.throws(() => getTokenizer("toString" as TokenizerName), /got "toString"/);
  });
});

describe("basicEnglishTokenizer", () => {
  test("apostrophes split, double quotes vanish, ; and : become spaces", () => {
    assert.deepEqual(basicEnglishTokenizer(`He said: "don't;stop"`), [
      "he",
      "said",
      "don",
      "'",
      "t",
      "stop",
    ]);
  });

  test("<br /> (any case, since lowercasing comes first) is a space, <br/> is not", () => {
    assert.deepEqual(basicEnglishTokenizer("a<BR />b<br/>c"), ["a", "b<br/>c"]);
  });

  test("no empty tokens from leading, trailing or repeated whitespace", () => {
    assert.deepEqual(basicEnglishTokenizer("  ( x ) \n\n"), ["(", "x", ")"]);
    assert.deepEqual(basicEnglishTokenizer(""), []);
  });

  test("rejects non-strings with the function's name", () => {
    assert.throws(
      () => basicEnglishTokenizer(["a"] as unknown as string),
      /basicEnglishTokenizer: expected a string, got an array/,
    );
  });
});

describe("whitespaceTokenizer", () => {
  test("splits on Python's whitespace, not JavaScript's \\s", () => {
    // U+0085 and U+001C are Python whitespace; U+FEFF is not (JS \s disagrees on all three).
    assert.deepEqual(whitespaceTokenizer("a\u0085b\u001cc\ufeffd"), ["a", "b", "c\ufeffd"]);
    assert.deepEqual(whitespaceTokenizer(" \t\n "), []);
  });

  test("rejects non-strings", () => {
    assert.throws(
      () => whitespaceTokenizer(null as unknown as string),
      /whitespaceTokenizer: expected a string, got null/,
    );
  });
});

describe("charTokenizer", () => {
  test("one token per code point: astral characters are not split into surrogates", () => {
    assert.deepEqual(charTokenizer("hé😀!"), ["h", "é", "😀", "!"]);
    assert.equal(charTokenizer("😀😀").length, 2);
    assert.deepEqual(charTokenizer(""), []);
  });

  test("keeps whitespace and case (a char-RNN models them)", () => {
    assert.deepEqual(charTokenizer("A b\n"), ["A", " ", "b", "\n"]);
  });

  test("rejects non-strings", () => {
    assert.throws(
      () => charTokenizer(3 as unknown as string),
      /charTokenizer: expected a string, got number/,
    );
  });
});
