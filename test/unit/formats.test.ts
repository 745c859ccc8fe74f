import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AG_NEWS_CLASSES, parseAgNews } from "../../src/data/formats/ag-news.js";
import {
  balancedLimit,
  balancedQuotas,
  DataFormatError,
  evenlySpaced,
  naturalCompare,
} from "../../src/data/formats/common.js";
import {
  emailText,
  parseBrownTagged,
  parseCmudict,
  splitPassages,
} from "../../src/data/formats/corpora.js";
import { parseCsv } from "../../src/data/formats/csv.js";
import { parsePairs } from "../../src/data/formats/pairs.js";
import { decodeUtf8, firstInvalidUtf8, parsePlainText } from "../../src/data/formats/plain-text.js";
import { Generator } from "../../src/tensor/random.js";

/** Asserts `fn` throws a DataFormatError at `source`:`line` whose message matches `reason`. */
function throwsAt(fn: () => unknown, source: string, line: number, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected a DataFormatError, got ${String(e)}`);
    assert.equal(e.source, source);
    assert.equal(e.line, line);
    assert.match(e.message, reason);
    assert.ok(e.message.includes(`${source}:${line}: `), e.message);
    return true;
  });
}

describe("parseCsv", () => {
  test("RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF", () => {
    const text = '1,"a, b",c\r\n2,"say ""hi""",d\r\n3,"two\nlines",e\n"4",,""\n5,x,y';
    const { records, skipped } = parseCsv(text, { fields: 3 });
    assert.equal(skipped, 0);
    assert.deepEqual(records, [
      { line: 1, fields: ["1", "a, b", "c"] },
      { line: 2, fields: ["2", 'say "hi"', "d"] },
      { line: 3, fields: ["3", "two\nlines", "e"] },
      { line: 5, fields: ["4", "", ""] },
      { line: 6, fields: ["5", "x", "y"] },
    ]);
  });

  test("drops a BOM, skips blank lines, keeps a quoted empty field as a record", () => {
    const { records } = parseCsv('\uFEFFa,b\n\n\r\n""\nc,d\n\n');
    assert.deepEqual(records, [
      { line: 1, fields: ["a", "b"] },
      { line: 4, fields: [""] },
      { line: 5, fields: ["c", "d"] },
    ]);
  });

  test("malformed records name the source and line", () => {
    const src = { source: "f.csv" };
    throwsAt(() => parseCsv('a,b"c\n', src), "f.csv", 1, /unexpected '"' inside an unquoted/);
    throwsAt(() => parseCsv('x\n"a"b,c\n', src), "f.csv", 2, /after a closing quote, got "b"/);
    throwsAt(() => parseCsv('x\ny\n"open,\n\nz', src), "f.csv", 3, /opened on this line is never/);
    throwsAt(
      () => parseCsv('1,"multi\nline",x\n2,y\n', { ...src, fields: 3 }),
      "f.csv",
      3,
      /expected 3 fields, got 2/,
    );
  });

  test("skipBadLines leaves bad records out, counts them and resumes on the next line", () => {
    const text = 'a,b,c\nd,e\n"g"h,i,j\nk,"l\nm",n\no,p"q,r\ns,t,u\n';
    const out = parseCsv(text, { source: "s.csv", fields: 3, skipBadLines: true });
    assert.deepEqual(
      out.records.map((r) => [r.line, r.fields.join("|")]),
      [
        [1, "a|b|c"],
        [4, "k|l\nm|n"],
        [7, "s|t|u"],
      ],
    );
    assert.equal(out.skipped, 3);
    assert.deepEqual(
      out.issues.map((e) => e.line),
      [2, 3, 6],
    );
  });
});

const AG = [
  '"3","Wall St. Bears Claw Back Into the Black (Reuters)","Reuters - Short-sellers, Wall Street\'s dwindling\\band of ultra-cynics, are seeing green again."',
  '"2","Phelps Wins ""Gold"" Again","ATHENS (Reuters) - Michael Phelps\nwon again, 3-0."',
  '"4","Ranking",""',
].join("\n");

describe("parseAgNews", () => {
  test("label 1-4 → 0-3, text = title + ' ' + description, escapes resolved", () => {
    const { records } = parseAgNews(AG, { source: "train.csv" });
    assert.deepEqual(records, [
      {
        label: 2,
        text: "Wall St. Bears Claw Back Into the Black (Reuters) Reuters - Short-sellers, Wall Street's dwindling\\band of ultra-cynics, are seeing green again.",
      },
      {
        label: 1,
        text: 'Phelps Wins "Gold" Again ATHENS (Reuters) - Michael Phelps\nwon again, 3-0.',
      },
      { label: 3, text: "Ranking " },
    ]);
    assert.deepEqual(AG_NEWS_CLASSES, ["World", "Sports", "Business", "Sci/Tech"]);
  });

  test("a Kaggle-style header row is skipped", () => {
    const { records } = parseAgNews(`Class Index,Title,Description\n${AG}`);
    assert.equal(records.length, 3);
  });

  test("labels outside 1..4 and wrong widths are errors naming file:line, first in file order", () => {
    throwsAt(() => parseAgNews(`${AG}\n"5","t","d"`, { source: "a.csv" }), "a.csv", 5, /got "5"/);
    throwsAt(() => parseAgNews('"0","t","d"', { source: "a.csv" }), "a.csv", 1, /label 1-4/);
    throwsAt(() => parseAgNews('"x","t","d"\n', { source: "a.csv" }), "a.csv", 1, /got "x"/);
    throwsAt(() => parseAgNews('"1","t"\n', { source: "a.csv" }), "a.csv", 1, /got 2/);
    // The label error (line 2) comes before the width error (line 3).
    throwsAt(() => parseAgNews('"1","t","d"\n"9","t","d"\n"1","t"\n'), "<input>", 2, /got "9"/);
  });

  test("skipBadLines counts every bad record, issues in line order", () => {
    const text = `"1","a","b"\n"7","c","d"\n"2","e"\n"3","f","g"\n"4","h","i","j"\n`;
    const out = parseAgNews(text, { skipBadLines: true });
    assert.deepEqual(
      out.records.map((r) => r.label),
      [0, 2],
    );
    assert.equal(out.skipped, 3);
    assert.deepEqual(
      out.issues.map((e) => e.line),
      [2, 3, 5],
    );
  });

  test("no records at all is an error", () => {
    assert.throws(() => parseAgNews("\n\n", { source: "e.csv" }), /e\.csv contains no AG News/);
    assert.throws(
      () => parseAgNews('"9","a","b"\n', { source: "e.csv", skipBadLines: true }),
      /contains no AG News records \(1 bad lines skipped\)/,
    );
  });
});

describe("parsePairs", () => {
  const anki =
    "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)\r\n" +
    "Hi.\tSalut !\r\n\r\nI'm OK.\tÇa va.\tCC-BY 2.0\n";

  test("2 or 3 columns (attribution ignored), CRLF, blank lines, reverse", () => {
    const { records } = parsePairs(anki);
    assert.deepEqual(records, [
      { source: "Go.", target: "Va !" },
      { source: "Hi.", target: "Salut !" },
      { source: "I'm OK.", target: "Ça va." },
    ]);
    const reversed = parsePairs(anki, { reverse: true }).records;
    assert.deepEqual(reversed[2], { source: "Ça va.", target: "I'm OK." });
  });

  test("wrong field counts and empty sides name the line; skipBadLines counts them", () => {
    throwsAt(() => parsePairs("a\tb\nonly one\n", { source: "p.txt" }), "p.txt", 2, /got 1/);
    throwsAt(() => parsePairs("a\tb\tc\td\n", { source: "p.txt" }), "p.txt", 1, /got 4/);
    throwsAt(
      () => parsePairs("a\tb\n\n \tb\n", { source: "p.txt" }),
      "p.txt",
      3,
      /non-empty source/,
    );
    const out = parsePairs("a\tb\nbad\nc\t\nd\te\n", { skipBadLines: true });
    assert.deepEqual(out.records, [
      { source: "a", target: "b" },
      { source: "d", target: "e" },
    ]);
    assert.equal(out.skipped, 2);
    assert.deepEqual(
      out.issues.map((e) => e.line),
      [2, 3],
    );
  });
});

describe("UTF-8 and plain text", () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  test("firstInvalidUtf8 agrees with the fatal TextDecoder on random bytes", () => {
    const g = new Generator(7);
    const pieces = [[0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x99, 0x82], [0x0a]];
    const fatal = new TextDecoder("utf-8", { fatal: true });
    for (let trial = 0; trial < 400; trial++) {
      const bytes: number[] = [];
      for (let k = 0; k < 12; k++) bytes.push(...pieces[g.integer(pieces.length)]!);
      if (trial % 2 === 1) bytes[g.integer(bytes.length)] = g.integer(256); // maybe break it
      const u8 = new Uint8Array(bytes);
      const at = firstInvalidUtf8(u8);
      let ok = true;
      try {
        fatal.decode(u8);
      } catch {
        ok = false;
      }
      assert.equal(at === -1, ok, `bytes ${bytes}`);
      if (at >= 0) fatal.decode(u8.subarray(0, at)); // everything before it is valid
    }
    const cases: [number[], number][] = [
      [[0xc0, 0x80], 0], // overlong
      [[0x61, 0xed, 0xa0, 0x80], 1], // surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0x61, 0x62, 0xe2, 0x82], 2], // truncated
      [[0xf5], 0],
      [[0xf0, 0x9f, 0x99, 0x82], -1],
    ];
    for (const [b, at] of cases) assert.equal(firstInvalidUtf8(new Uint8Array(b)), at, `${b}`);
  });

  test("decodeUtf8 names the line of the first invalid byte, or skips such lines", () => {
    const bytes = new Uint8Array([...enc("\uFEFFone\ntwo\nth"), 0xff, ...enc("ree\nfour\n")]);
    throwsAt(() => decodeUtf8(bytes, { source: "bad.txt" }), "bad.txt", 3, /invalid UTF-8.*0xff/);
    const out = decodeUtf8(bytes, { source: "bad.txt", skipBadLines: true });
    assert.equal(out.text, "one\ntwo\n\nfour\n");
    assert.equal(out.skipped, 1);
    assert.equal(decodeUtf8(enc("\uFEFFhé\n")).text, "hé\n");
    throwsAt(() => decodeUtf8(new Uint8Array(0), { source: "e.txt" }), "e.txt", 1, /empty/);
    throwsAt(() => decodeUtf8(new Uint8Array(0), { skipBadLines: true }), "<input>", 1, /empty/);
  });

  test("parsePlainText normalises line ends and refuses NUL and empty text", () => {
    assert.equal(parsePlainText("a\r\nb\rc\n").text, "a\nb\nc\n");
    throwsAt(() => parsePlainText("ok\nbin\0ary\n", { source: "x" }), "x", 2, /NUL/);
    const out = parsePlainText("ok\nbin\0ary\nend", { skipBadLines: true });
    assert.deepEqual([out.text, out.skipped], ["ok\nend", 1]);
    assert.throws(() => parsePlainText(" \n\t\n", { source: "w.txt" }), /w\.txt contains no text/);
  });
});

describe("bundled corpus formats", () => {
  test("parseBrownTagged strips tags, keeps paragraphs, maps `` and '' to quotes", () => {
    const text =
      "\n\n\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ./.\n\tIt/pps ended/vbd ./.\n\n\n\tNext/ap ½/cd 1/2/cd\n";
    assert.deepEqual(parseBrownTagged(text), ['The jury said " no " . It ended .', "Next ½ 1/2"]);
    throwsAt(
      () => parseBrownTagged("a/at\nbroken token/nn\n", { source: "ca01" }),
      "ca01",
      2,
      /word\/tag/,
    );
  });

  test("parseCmudict: letters → phonemes, alternatives and non-words left out", () => {
    const text =
      "A  AH0\nA(1)  EY1\nA'S  EY1 Z\nA.  EY1\nA42128  EY1 F\nABBE  AE1 B IY0\nAD-HOC  AE0 D\n";
    assert.deepEqual(parseCmudict(text).records, [
      { source: "a", target: "AH0" },
      { source: "a ' s", target: "EY1 Z" },
      { source: "a b b e", target: "AE1 B IY0" },
    ]);
    throwsAt(
      () => parseCmudict("A  AH0\nB  b ee\n", { source: "dict.txt" }),
      "dict.txt",
      2,
      /ARPAbet/,
    );
  });

  test("emailText keeps the (unfolded) Subject and the body, not the other headers", () => {
    const raw =
      "From: a@b.c\r\nReceived: from relay\r\n\tby host\r\nSubject: Cheap\r\n  meds now\r\nX-Spam: yes\r\n\r\nBuy!\r\nNow.\r\n";
    assert.equal(emailText(raw), "Cheap meds now\n\nBuy!\nNow.");
    assert.equal(emailText("From: x\n\nbody only"), "\n\nbody only");
  });

  test("splitPassages: whole sentences, each ≥ minWords, a short tail joins the last one", () => {
    const sentence = (i: number) => `Sentence number ${i} has exactly seven words.`;
    const text = Array.from({ length: 10 }, (_, i) => sentence(i)).join(" ");
    const passages = splitPassages(text, 20); // 3 sentences (21 words) per passage
    assert.deepEqual(
      passages.map((p) => p.split(" ").length),
      [21, 21, 28],
    );
    assert.equal(passages.join(" "), text);
    assert.deepEqual(splitPassages("Too short. Really.", 20), ["Too short. Really."]);
    assert.deepEqual(splitPassages('He said "Stop." Then left! Why? Ok', 2), [
      'He said "Stop."',
      "Then left!",
      "Why? Ok",
    ]);
  });
});

describe("ordering and slicing helpers", () => {
  test("naturalCompare orders digit runs numerically", () => {
    const names = ["10_2.txt", "2_9.txt", "1_1.txt", "chapter_10", "chapter_2", "a", "001_1.txt"];
    assert.deepEqual([...names].sort(naturalCompare), [
      "001_1.txt", // equal numbers: then by code units
      "1_1.txt",
      "2_9.txt",
      "10_2.txt",
      "a",
      "chapter_2",
      "chapter_10",
    ]);
  });

  test("evenlySpaced and balanced limits", () => {
    assert.deepEqual(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4), [0, 2, 5, 7]);
    assert.deepEqual(evenlySpaced([1, 2], 5), [1, 2]);
    assert.deepEqual(balancedQuotas([100, 3, 50], 30), [14, 3, 13]);
    assert.deepEqual(balancedQuotas([2, 1], 10), [2, 1]);
    const examples = [0, 0, 0, 0, 0, 0, 1, 1, 2].map((label, i) => ({ text: `t${i}`, label }));
    const kept = balancedLimit(examples, 3, 5);
    assert.deepEqual(
      kept.map((e) => e.text),
      ["t0", "t3", "t6", "t7", "t8"],
    );
  });
});
