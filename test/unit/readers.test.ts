import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DataFormatError } from "../../src/data/formats/common.js";
import { loadDataset } from "../../src/io/node/datasets.js";
import { listFiles } from "../../src/io/node/files.js";
import { readAgNews, readImdb, readPairs, readTextFiles } from "../../src/io/node/readers.js";

const dir = mkdtempSync(join(tmpdir(), "recurrent-readers-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, data: string | Uint8Array): string {
  const full = join(dir, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, data);
  return full;
}

/** Rejects with a DataFormatError at file:line whose message matches `reason`. */
async function rejectsAt(p: Promise<unknown>, file: string, line: number, reason: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected a DataFormatError, got ${String(e)}`);
    assert.equal(e.source, file);
    assert.equal(e.line, line);
    assert.match(e.message, reason);
    assert.ok(e.message.includes(`${file}:${line}:`), e.message);
    return true;
  });
}

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

// AG News as in ag_news_csv/train.csv: every field quoted, "" escapes, `\` marks, CRLF here.
// prettier-ignore
const agRows = [
  ["3", "Wall St. Bears Claw Back Into the Black (Reuters)", "Reuters - Short-sellers, Wall Street's dwindling\\band of ultra-cynics, are seeing green again."],
  ["3", 'Carlyle Looks Toward "Commercial" Aerospace', 'Reuters - Private investment firm Carlyle Group,\\which has a reputation for making "well-timed" deals.'],
  ["1", "Venezuelans Vote Early", "CARACAS, Venezuela (Reuters) - Venezuelans turned out early,\nin large numbers."],
  ["2", "Phelps Wins", "ATHENS - Michael Phelps won the gold."],
  ["4", "Mars Rover", "NASA #39;s rover found water."],
  ["1", "Iraq Talks", "Talks resume."],
  ["2", "Cubs Lose", "The Cubs lost."],
  ["4", "New Chip", "A faster chip."],
];
const agCsv = agRows.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(",")).join("\r\n");

describe("readAgNews", () => {
  const train = write("ag/train.csv", `${agCsv}\r\n`);
  write("ag/test.csv", `"4","Only test","row"\n`);

  test("reads the real format: quotes, escapes, embedded newlines, CRLF", async () => {
    const d = await readAgNews(train);
    assert.equal(d.kind, "classify");
    assert.deepEqual(d.classes, ["World", "Sports", "Business", "Sci/Tech"]);
    assert.deepEqual(
      d.examples.map((e) => e.label),
      [2, 2, 0, 1, 3, 0, 1, 3],
    );
    assert.equal(
      d.examples[1]!.text,
      'Carlyle Looks Toward "Commercial" Aerospace Reuters - Private investment firm Carlyle Group,\\which has a reputation for making "well-timed" deals.',
    );
    assert.equal(d.examples[2]!.text.split("\n").length, 2);
    assert.equal(d.skipped, 0);
  });

  test("limit keeps a balanced slice in file order", async () => {
    const d = await readAgNews(train, { limit: 4 });
    assert.deepEqual(
      d.examples.map((e) => e.label),
      [2, 0, 1, 3],
    );
    assert.equal(d.examples[0]!.text.slice(0, 7), "Wall St");
  });

  test("label 5, wrong width, invalid UTF-8 and empty files name file and line", async () => {
    const five = write("ag/five.csv", `${agCsv}\n"5","Title","Desc"\n`);
    await rejectsAt(readAgNews(five), five, 10, /label 1-4.*got "5"/);
    const narrow = write("ag/narrow.csv", `"1","a","b"\n"2","only title"\n`);
    await rejectsAt(readAgNews(narrow), narrow, 2, /expected 3 fields .*got 2/);
    const latin1 = write("ag/latin1.csv", bytes(`"1","a","b"\n"2","caf`, [0xe9], `","c"\n`));
    await rejectsAt(readAgNews(latin1), latin1, 2, /invalid UTF-8/);
    const empty = write("ag/empty.csv", "");
    await rejectsAt(readAgNews(empty), empty, 1, /empty/);
    await assert.rejects(
      readAgNews(join(dir, "ag/missing.csv")),
      /readAgNews: cannot read .*missing/,
    );
  });

  test("skipBadLines leaves bad lines out and reports how many", async () => {
    const mixed = write(
      "ag/mixed.csv",
      bytes(`"1","a","b"\n"5","c","d"\n"2","e"\n"3","caf`, [0xe9], `","g"\n"4","h","i"\n`),
    );
    const d = await readAgNews(mixed, { skipBadLines: true });
    assert.deepEqual(
      d.examples.map((e) => e.label),
      [0, 3],
    );
    assert.equal(d.skipped, 3);
    assert.deepEqual(d.issues.map((e) => e.line).sort(), [2, 3, 4]);
  });

  test("through loadDataset: agnews:DIR picks the split, agnews:FILE reads the file", async () => {
    const test_ = await loadDataset(`agnews:${join(dir, "ag")}`, { split: "test" });
    assert.deepEqual(test_.examples, [{ text: "Only test row", label: 3 }]);
    assert.equal(test_.name, `agnews:${join(dir, "ag")}`);
    assert.equal((await loadDataset(`agnews:${join(dir, "ag")}`)).examples.length, 8);
    assert.equal((await loadDataset(`agnews:${train}`, { limit: 2 })).examples.length, 2);
    await assert.rejects(loadDataset(`agnews:${train}`, { split: "test" }), /needs the folder/);
    const skipped = await loadDataset(`agnews:${join(dir, "ag/five.csv")}`, { skipBadLines: true });
    assert.deepEqual([skipped.examples.length, skipped.skipped], [8, 1]);
  });
});

describe("readImdb", () => {
  const reviews: Record<string, string[]> = {
    "train/pos": ["10_9.txt", "2_7.txt", "0_10.txt"],
    "train/neg": ["3_1.txt", "1_2.txt", "11_4.txt", "4_3.txt"],
    "test/pos": ["0_8.txt"],
    "test/neg": ["0_2.txt"],
    "train/unsup": ["0_0.txt"],
  };
  for (const [sub, files] of Object.entries(reviews)) {
    for (const f of files) write(`imdb/aclImdb/${sub}/${f}`, `Review ${sub} ${f}<br /><br />Fin.`);
  }
  write("imdb/aclImdb/train/urls_pos.txt", "http://example/");
  const root = join(dir, "imdb/aclImdb");

  test("the aclImdb tree: classes neg/pos, natural order, unsup ignored", async () => {
    const d = await readImdb(root);
    assert.deepEqual(d.classes, ["neg", "pos"]);
    assert.deepEqual(
      d.examples.map((e) => `${e.label}:${e.text.split(" ")[2]!.split("<")[0]}`),
      [
        "0:1_2.txt",
        "0:3_1.txt",
        "0:4_3.txt",
        "0:11_4.txt",
        "1:0_10.txt",
        "1:2_7.txt",
        "1:10_9.txt",
      ],
    );
    assert.equal(d.examples[0]!.text, "Review train/neg 1_2.txt<br /><br />Fin.");
    const test_ = await readImdb(join(dir, "imdb"), { split: "test" }); // the parent works too
    assert.deepEqual(
      test_.examples.map((e) => e.label),
      [0, 1],
    );
  });

  test("limit is balanced and evenly spread", async () => {
    const d = await readImdb(root, { limit: 4 });
    assert.deepEqual(
      d.examples.map((e) => `${e.label}:${e.text.split(" ")[2]}`),
      ["0:1_2.txt<br", "0:4_3.txt<br", "1:0_10.txt<br", "1:2_7.txt<br"],
    );
    assert.equal((await loadDataset(`imdb:${root}`, { limit: 3 })).examples.length, 3);
  });

  test("a bad review names its file; skipBadLines leaves it out; wrong layout is explained", async () => {
    const bad = join(dir, "imdb-bad/aclImdb");
    write("imdb-bad/aclImdb/train/pos/0_9.txt", "Fine.");
    write("imdb-bad/aclImdb/train/neg/0_1.txt", bytes("Line one\nBad ", [0xc3, 0x28]));
    write("imdb-bad/aclImdb/train/neg/1_1.txt", "");
    await rejectsAt(readImdb(bad), join(bad, "train/neg/0_1.txt"), 2, /invalid UTF-8/);
    const d = await readImdb(bad, { skipBadLines: true });
    assert.deepEqual(d.examples, [{ text: "Fine.", label: 1 }]);
    assert.equal(d.skipped, 2);
    await assert.rejects(readImdb(join(dir, "ag")), /expected the aclImdb layout/);
  });
});

describe("readPairs", () => {
  const anki = write(
    "pairs/fra.txt",
    [
      "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)",
      "Hi.\tSalut !\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CM) & #509819 (Aiji)",
      "Run!\tCours !\tCC-BY 2.0 (France) Attribution: tatoeba.org #906328 (papabear) & #906331 (sacredceltic)",
      "I'm OK.\tÇa va.\tCC-BY 2.0 (France) Attribution: tatoeba.org #1115 (CK) & #4399 (sysko)",
      "",
    ].join("\n"),
  );

  test("Anki lines with an attribution column; reverse; limit spreads", async () => {
    const d = await readPairs(anki);
    assert.equal(d.kind, "seq2seq");
    assert.deepEqual(d.pairs[3], { source: "I'm OK.", target: "Ça va." });
    assert.equal(d.pairs.length, 4);
    const r = await loadDataset(`pairs:${anki}`, { reverse: true, limit: 2 });
    assert.deepEqual(r.pairs, [
      { source: "Va !", target: "Go." },
      { source: "Cours !", target: "Run!" },
    ]);
  });

  test("wrong field count names file:line; skipBadLines reports the count", async () => {
    const bad = write(
      "pairs/bad.txt",
      "Go.\tVa !\nno tab here\nHi.\tSalut !\ta\tb\nOK.\tD'accord.\n",
    );
    await rejectsAt(readPairs(bad), bad, 2, /expected 2 tab-separated fields .*got 1/);
    const d = await readPairs(bad, { skipBadLines: true });
    assert.deepEqual([d.pairs.length, d.skipped, d.issues.map((e) => e.line)], [2, 2, [2, 3]]);
    const empty = write("pairs/empty.txt", "");
    await rejectsAt(readPairs(empty), empty, 1, /empty/);
  });
});

describe("readTextFiles", () => {
  test("files and folders of *.txt, in natural order, line ends normalised", async () => {
    write("text/b/2.txt", "two\r\n");
    write("text/b/10.txt", "ten");
    write("text/b/notes.md", "ignored");
    const a = write("text/a.txt", "alpha\n");
    const d = await readTextFiles([a, join(dir, "text/b")]);
    assert.deepEqual([d.kind, d.text], ["lm", "alpha\ntwo\nten\n"]);
    assert.equal((await readTextFiles(a, { limit: 3 })).text, "alp");
    const viaName = await loadDataset(`text:${join(dir, "text/b")}`, { limit: 6 });
    assert.equal(viaName.text, "two\nte");
    assert.deepEqual(
      (await listFiles(join(dir, "text/b"))).map((f) => f.slice(-7)),
      ["b/2.txt", "/10.txt", "otes.md"],
    );
  });

  test("invalid UTF-8 and empty files name file and line", async () => {
    const bad = write("text/bad.txt", bytes("ok\nok\n", [0x80], "x\n"));
    await rejectsAt(readTextFiles(bad), bad, 3, /invalid UTF-8/);
    const d = await loadDataset(`text:${bad}`, { skipBadLines: true });
    assert.deepEqual([d.text, d.skipped], ["ok\nok\n\n", 1]);
    const empty = write("text/empty.txt", "");
    await rejectsAt(readTextFiles(empty), empty, 1, /empty/);
    await assert.rejects(readTextFiles([]), /at least one path/);
  });
});
