import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { after, describe, test } from "node:test";
import { BpttIterator, StreamBpttIterator, type BpttBatch } from "../../src/data/bptt.js";
import { Generator } from "../../src/tensor/random.js";
import { readTextLines, streamTextBptt, textTokenSources } from "../../src/io/node/text-stream.js";

const dir = mkdtempSync(join(tmpdir(), "recurrent-text-stream-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A word-level tokenizer over a growing vocabulary, with "<eos>" per line (word_language_model). */
function wordTokenizer(): (line: string) => number[] {
  const vocab = new Map<string, number>([["<eos>", 0]]);
  const id = (w: string) => {
    let i = vocab.get(w);
    if (i === undefined) vocab.set(w, (i = vocab.size));
    return i;
  };
  return (line) => [...line.split(/\s+/).filter(Boolean).map(id), 0];
}

/** Lines as Python iterates a file: each keeps its "\n"; the last may lack one. */
function pyLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const WORDS = ["the", "cat", "sat", "on", "a", "mat", "héllo", "wörld", "日本語", "🙂", "naïve"];

function sampleText(lines: number, seed: number): string {
  const g = new Generator(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = g.integer(12); // some empty lines
    out.push(Array.from({ length: n }, () => WORDS[g.integer(WORDS.length)]).join(" "));
  }
  return out.join("\n") + (seed % 2 === 0 ? "\n" : ""); // with and without a final newline
}

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function drain(sources: AsyncIterable<Int32Array>[]): Promise<number[][]> {
  const rows: number[][] = [];
  for (const s of sources) {
    const row: number[] = [];
    for await (const chunk of s) row.push(...chunk);
    rows.push(row);
  }
  return rows;
}

async function collect(it: AsyncIterable<BpttBatch>): Promise<BpttBatch[]> {
  const out: BpttBatch[] = [];
  for await (const w of it) out.push(w);
  return out;
}

function sameWindows(got: BpttBatch[], want: BpttBatch[]): void {
  assert.equal(got.length, want.length, "number of windows");
  got.forEach((w, k) => {
    assert.deepEqual(w.input.shape, want[k].input.shape, `window ${k} shape`);
    assert.deepEqual(Array.from(w.input.data), Array.from(want[k].input.data), `window ${k} input`);
    assert.deepEqual(
      Array.from(w.target.data),
      Array.from(want[k].target.data),
      `window ${k} target`,
    );
  });
}

describe("textTokenSources", () => {
  const textA = sampleText(400, 0);
  const textB = sampleText(150, 1);
  const fileA = write("a.txt", textA);
  const fileB = write("b.txt", textB);

  test('split "tokens" reproduces BpttIterator over the whole tokenized file', async () => {
    for (const [B, W, chunkSize] of [
      [4, 35, 65536],
      [3, 8, 7],
      [1, 20, 100],
    ]) {
      const tokenize = wordTokenizer();
      const ids = pyLines(textA).flatMap(tokenize); // in-memory reference, same vocabulary
      const { sources, totalTokens, rowLength } = await textTokenSources(fileA, {
        batchSize: B,
        tokenize,
        split: "tokens",
        chunkSize,
      });
      assert.equal(totalTokens, ids.length);
      assert.equal(rowLength, Math.floor(ids.length / B));
      const got = await collect(new StreamBpttIterator(sources, { bpttLen: W }));
      sameWindows(got, [...new BpttIterator(ids, { batchSize: B, bpttLen: W })]);
    }
  });

  test('split "bytes": rows start at line starts and together cover the corpus', async () => {
    const tokenize = wordTokenizer();
    const ids = [...pyLines(textA), ...pyLines(textB)].flatMap(tokenize);
    const bytes = Buffer.concat([readFileSync(fileA), readFileSync(fileB)]);
    const { sources, starts } = await textTokenSources([fileA, fileB], {
      batchSize: 5,
      tokenize,
      chunkSize: 13,
    });
    assert.equal(starts.length, 5);
    for (const s of starts)
      assert.ok(s === 0 || s === readFileSync(fileA).length || bytes[s - 1] === 10);
    const rows = await drain(sources);
    assert.deepEqual(rows.flat(), ids);
    const expected = bytes.length / 5;
    rows.forEach((r) =>
      assert.ok(r.length > 0 && r.length < (2 * ids.length) / 5, `row of ${r.length}`),
    );
    assert.ok(starts[1] >= expected && starts[1] < expected + 200);
  });

  test("streamTextBptt yields windows whose rows continue each other", async () => {
    const tokenize = wordTokenizer();
    const ids = pyLines(textA).flatMap(tokenize);
    const it = await streamTextBptt(fileA, {
      batchSize: 3,
      bpttLen: 16,
      tokenize,
      split: "tokens",
      batchFirst: true,
    });
    const windows = await collect(it);
    const L = Math.floor(ids.length / 3);
    const row1 = windows.flatMap((w) => (w.input.toArray() as number[][])[1]);
    assert.deepEqual(row1, ids.slice(L, 2 * L - 1));
  });

  test("a byte-order mark is dropped and multi-byte characters survive tiny chunks", async () => {
    const text = "日本語 🙂\nnaïve wörld\n";
    const file = write(
      "bom.txt",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    );
    const lines: string[] = [];
    for await (const line of readTextLines(file, { chunkSize: 3 })) lines.push(line);
    assert.deepEqual(lines, ["日本語 🙂\n", "naïve wörld\n"]);
  });

  test("invalid UTF-8 names the file and 1-based line, in any row", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i + 1} text\n`);
    const bad = Buffer.concat([
      Buffer.from(lines.slice(0, 46).join("")),
      Buffer.from([0x6f, 0xff, 0x6b, 0x0a]), // line 47
      Buffer.from(lines.slice(47).join("")),
    ]);
    const file = write("bad.txt", bad);
    for (const chunkSize of [8, 65536]) {
      const { sources } = await textTokenSources(file, {
        batchSize: 3,
        tokenize: wordTokenizer(),
        chunkSize,
      });
      await assert.rejects(drain(sources), (e: Error) => {
        assert.match(e.message, /textTokenSources: invalid UTF-8 in .*bad\.txt at line 47$/);
        return true;
      });
    }
    const truncated = write(
      "trunc.txt",
      Buffer.concat([Buffer.from("ok\nab"), Buffer.from([0xe6, 0x97])]),
    );
    await assert.rejects(async () => {
      for await (const _ of readTextLines(truncated)) void _;
    }, /readTextLines: invalid UTF-8 in .*trunc\.txt at line 2/);
  });

  test("tokenizer problems and overlong lines are reported with their line", async () => {
    const file = write("t.txt", "a b\nc d\ne X f\n");
    const { sources } = await textTokenSources(file, {
      batchSize: 1,
      tokenize: (l) =>
        l
          .trim()
          .split(" ")
          .map((w) => (w === "X" ? 0.5 : w.charCodeAt(0))),
    });
    await assert.rejects(
      drain(sources),
      /tokenize failed on .*t\.txt line 3: it returned a non-integer token id 0.5/,
    );
    const thrower = await textTokenSources(file, {
      batchSize: 1,
      tokenize: (l) => {
        if (l.startsWith("c")) throw new Error("no c");
        return [1];
      },
    });
    await assert.rejects(drain(thrower.sources), /tokenize failed on .*t\.txt line 2: no c/);
    const long = write("long.txt", "short\n" + "x".repeat(5000) + "\n");
    const ls = await textTokenSources(long, {
      batchSize: 1,
      tokenize: () => [1],
      chunkSize: 64,
      maxLineBytes: 1000,
    });
    await assert.rejects(
      drain(ls.sources),
      /line 2 of .*long\.txt is longer than maxLineBytes \(1000\)/,
    );
    await assert.rejects(
      textTokenSources(join(dir, "missing.txt"), { batchSize: 1, tokenize: () => [] }),
      /textTokenSources: cannot read .*missing\.txt/,
    );
    await assert.rejects(
      textTokenSources(file, { batchSize: 0, tokenize: () => [] }),
      /expected batchSize to be a positive integer/,
    );
  });
});

/** gc() without --expose-gc (the test runner does not pass it); null where the trick fails. */
function getGc(): (() => void) | null {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
}

describe("bounded memory", () => {
  // Line i is "i w_1 … w_k" with k = 3 + i mod 9 and w_j = (31·i + j) mod 5000, so a row's token
  // stream can be checked with O(1) state instead of holding the file.
  const wordOf = (i: number, j: number) => (31 * i + j) % 5000;
  const width = (i: number) => 3 + (i % 9);

  test("a 40 MB corpus streams in a few MB, with the right windows", async (t) => {
    const path = join(dir, "big.txt");
    const out = createWriteStream(path);
    let size = 0;
    let lines = 0;
    const target = 40 * 2 ** 20;
    while (size < target) {
      const parts: string[] = [];
      for (let k = 0; k < 2000; k++, lines++) {
        const words = [lines];
        for (let j = 0; j < width(lines); j++) words.push(wordOf(lines, j));
        parts.push(words.join(" ") + "\n");
      }
      const s = parts.join("");
      size += s.length;
      if (!out.write(s)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));

    const gc = getGc();
    const used = () => {
      gc?.();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = used();
    let peak = 0;
    const B = 4;
    const W = 64;
    const it = await streamTextBptt(path, {
      batchSize: B,
      bpttLen: W,
      tokenize: (line) => line.split(" ").map(Number),
      batchFirst: true,
    });
    // Per row: the line it is in and the position within it.
    const state = Array.from({ length: B }, () => ({ line: -1, pos: 0, first: -1 }));
    const check = (b: number, v: number) => {
      const s = state[b];
      if (s.line < 0 || s.pos > width(s.line)) {
        assert.equal(v, s.line < 0 ? v : s.line + 1, `row ${b}: next line number`);
        s.line = v;
        s.pos = 1;
        if (s.first < 0) s.first = v;
        return;
      }
      assert.equal(v, wordOf(s.line, s.pos - 1), `row ${b}, line ${s.line}, word ${s.pos}`);
      s.pos++;
    };
    let windows = 0;
    let tokens = 0;
    for await (const { input, target } of it) {
      const w = input.shape[1];
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < w; t++) {
          check(b, input.data[b * w + t]);
          if (t + 1 < w) assert.equal(target.data[b * w + t], input.data[b * w + t + 1]);
        }
      }
      tokens += w;
      if (++windows % 500 === 0) peak = Math.max(peak, used() - base);
    }
    peak = Math.max(peak, used() - base);
    // Row 0 starts at line 0; each row starts after the lines the previous one reached.
    assert.equal(state[0].first, 0);
    for (let b = 1; b < B; b++) assert.ok(state[b].first > state[b - 1].line, `row ${b} overlaps`);
    assert.ok(state[B - 1].line < lines);
    const tokensPerRow = (lines / B) * (1 + 7); // mean width 7 plus the line number
    assert.ok(tokens > 0.95 * tokensPerRow, `${tokens} steps per row of ~${tokensPerRow}`);
    assert.ok(
      it.peakBufferedTokens < 40_000,
      `peak buffered ${it.peakBufferedTokens} tokens per row`,
    );
    // The file is 40 MB (≈ 32 MB of int32 ids per copy); streaming must stay far below that.
    // Without gc() the figure would count uncollected garbage, so it is only checked with it.
    if (gc === null) {
      t.diagnostic("gc() unavailable: process memory bound not checked");
      return;
    }
    const bound = 8 * 2 ** 20;
    assert.ok(
      peak < bound,
      `memory grew by ${(peak / 2 ** 20).toFixed(1)} MB (bound ${bound / 2 ** 20} MB)`,
    );
  });
});
