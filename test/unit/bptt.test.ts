import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  batchify,
  BpttIterator,
  detachState,
  StreamBpttIterator,
  type BpttBatch,
  type TokenSource,
} from "../../src/data/bptt.js";
import { randn, tensor } from "../../src/tensor/creation.js";
import { Generator } from "../../src/tensor/random.js";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** The ids of row b, time steps [start, start + w), read back from a window. */
function rowOf(t: BpttBatch["input"], b: number, batchFirst: boolean): number[] {
  const rows = t.toArray() as number[][];
  return batchFirst ? rows[b] : rows.map((r) => r[b]);
}

async function collect(it: AsyncIterable<BpttBatch>): Promise<BpttBatch[]> {
  const out: BpttBatch[] = [];
  for await (const w of it) out.push(w);
  return out;
}

/** Splits `ids` into chunks of random sizes 1..maxChunk (a source as a file reader yields it). */
function chunked(ids: number[], maxChunk: number, g: Generator): number[][] {
  const out: number[][] = [];
  for (let at = 0; at < ids.length;) {
    const n = 1 + g.integer(maxChunk);
    out.push(ids.slice(at, at + n));
    at += n;
  }
  return out;
}

function asyncSource(chunks: number[][], log?: string[]): TokenSource {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (const c of chunks) yield Int32Array.from(c);
      } finally {
        log?.push("closed");
      }
    },
  };
}

describe("batchify", () => {
  test("B contiguous columns, remainder dropped", () => {
    const x = batchify(range(11), 3);
    assert.equal(x.dtype, "int32");
    assert.deepEqual(x.toArray(), [
      [0, 3, 6],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    assert.throws(
      () => batchify(range(4), 0),
      /batchify: expected batchSize to be a positive integer/,
    );
  });
});

describe("BpttIterator", () => {
  test("windows of get_batch: rows of L, shorter last window, targets shifted by one", () => {
    // N = 26, B = 4 → L = 6, rows start at 0, 6, 12, 18; windows at i = 0, 2, 4 with w = 2, 2, 1.
    const it = new BpttIterator(range(26), { batchSize: 4, bpttLen: 2 });
    assert.equal(it.length, 3);
    const windows = [...it];
    assert.deepEqual(
      windows.map((w) => [w.index, w.start, ...w.input.shape]),
      [
        [0, 0, 2, 4],
        [1, 2, 2, 4],
        [2, 4, 1, 4],
      ],
    );
    for (const w of windows) {
      const steps = w.input.shape[0];
      for (let b = 0; b < 4; b++) {
        assert.deepEqual(rowOf(w.input, b, false), range(steps, b * 6 + w.start));
        assert.deepEqual(rowOf(w.target, b, false), range(steps, b * 6 + w.start + 1));
      }
    }
  });

  test("batchFirst gives [B, w]; dropLast skips the short window", () => {
    const it = new BpttIterator(new Int32Array(range(26)), {
      batchSize: 4,
      bpttLen: 2,
      batchFirst: true,
      dropLast: true,
    });
    assert.equal(it.length, 2);
    const windows = [...it];
    assert.equal(windows.length, 2);
    assert.deepEqual(windows[1].input.toArray(), [
      [2, 3],
      [8, 9],
      [14, 15],
      [20, 21],
    ]);
    assert.deepEqual((windows[1].target.toArray() as number[][])[3], [21, 22]);
  });

  test("windows tile each row: inputs plus the last target rebuild the row", () => {
    const g = new Generator(1);
    const ids = range(1000).map(() => g.integer(50));
    const B = 7;
    const W = 13;
    const L = Math.floor(1000 / B);
    const it = new BpttIterator(tensor(Int32Array.from(ids)), { batchSize: B, bpttLen: W });
    const windows = [...it];
    assert.equal(windows.length, Math.ceil((L - 1) / W));
    for (let b = 0; b < B; b++) {
      const row = windows.flatMap((w) => rowOf(w.input, b, false));
      row.push(rowOf(windows[windows.length - 1].target, b, false).at(-1)!);
      assert.deepEqual(row, ids.slice(b * L, (b + 1) * L));
    }
  });

  test("randomOffset: seeded offset in [0, W) per epoch", () => {
    const it = new BpttIterator(range(500), {
      batchSize: 2,
      bpttLen: 10,
      randomOffset: true,
      seed: 3,
    });
    const offsets = new Set<number>();
    for (let e = 0; e < 8; e++) {
      const o = it.offset(e);
      assert.ok(o >= 0 && o < 10);
      offsets.add(o);
      assert.equal(it.length, it.numWindows(e));
      const first = [...it][0];
      assert.deepEqual(rowOf(first.input, 0, false), range(10, o));
      const L = Math.floor((500 - o) / 2);
      assert.deepEqual(rowOf(first.input, 1, false), range(10, o + L));
    }
    assert.ok(offsets.size > 1, "offsets change between epochs");
    const again = new BpttIterator(range(500), {
      batchSize: 2,
      bpttLen: 10,
      randomOffset: true,
      seed: 3,
    });
    assert.deepEqual(
      range(8).map((e) => again.offset(e)),
      range(8).map((e) => it.offset(e)),
    );
  });

  test("short streams and bad input", () => {
    assert.equal([...new BpttIterator(range(3), { batchSize: 2, bpttLen: 4 })].length, 0);
    assert.throws(
      () => new BpttIterator([1, 2.5], { batchSize: 1, bpttLen: 2 }),
      /BpttIterator: expected integer token ids, got 2.5 at position 1/,
    );
    assert.throws(
      () => new BpttIterator(tensor([[1, 2]]), { batchSize: 1, bpttLen: 2 }),
      /BpttIterator: expected a 1-D stream of token ids, got shape \[1, 2\]/,
    );
    assert.throws(
      () => new BpttIterator(range(5), { batchSize: 1, bpttLen: 0 }),
      /bpttLen to be a positive integer/,
    );
  });
});

describe("StreamBpttIterator", () => {
  test("rows of exactly L tokens in random chunks give BpttIterator's windows", async () => {
    const g = new Generator(2);
    const ids = range(997).map(() => g.integer(1000));
    for (const [B, W, batchFirst, dropLast] of [
      [4, 35, false, false],
      [3, 7, true, false],
      [5, 10, false, true],
    ] as const) {
      const L = Math.floor(ids.length / B);
      const sources = range(B).map((b) =>
        asyncSource(chunked(ids.slice(b * L, (b + 1) * L), 40, g)),
      );
      const stream = new StreamBpttIterator(sources, { bpttLen: W, batchFirst, dropLast });
      const got = await collect(stream);
      const want = [...new BpttIterator(ids, { batchSize: B, bpttLen: W, batchFirst, dropLast })];
      assert.equal(got.length, want.length);
      got.forEach((w, k) => {
        assert.deepEqual(w.input.shape, want[k].input.shape);
        assert.deepEqual(Array.from(w.input.data), Array.from(want[k].input.data));
        assert.deepEqual(Array.from(w.target.data), Array.from(want[k].target.data));
        assert.equal(w.start, want[k].start);
      });
      // Never more than the window, its lookahead and one chunk per row.
      assert.ok(stream.peakBufferedTokens <= W + 1 + 40, `peak ${stream.peakBufferedTokens}`);
    }
  });

  test("stops at the shortest row; sync sources work; iterable again", async () => {
    const rows = [range(20), range(12, 100), range(30, 200)];
    const stream = new StreamBpttIterator(
      rows.map((r) => [r.slice(0, 5), r.slice(5)]),
      { bpttLen: 5 },
    );
    for (let epoch = 0; epoch < 2; epoch++) {
      const got = await collect(stream);
      // shortest row has 12 tokens → windows of 5, 5, 1
      assert.deepEqual(
        got.map((w) => w.input.shape[0]),
        [5, 5, 1],
      );
      assert.deepEqual(rowOf(got[2].input, 1, false), [110]);
      assert.deepEqual(rowOf(got[2].target, 2, false), [211]);
    }
  });

  test("breaking out early closes every source", async () => {
    const log: string[] = [];
    const sources = range(3).map(() => asyncSource([range(100)], log));
    for await (const w of new StreamBpttIterator(sources, { bpttLen: 4 })) {
      assert.equal(w.index, 0);
      break;
    }
    assert.deepEqual(log, ["closed", "closed", "closed"]);
  });

  test("bad sources", async () => {
    assert.throws(
      () => new StreamBpttIterator([], { bpttLen: 3 }),
      /expected a non-empty array of token sources/,
    );
    await assert.rejects(
      collect(new StreamBpttIterator([[[1, 0.5, 2]]], { bpttLen: 2 })),
      /StreamBpttIterator: source 0 yielded a non-integer token id 0.5/,
    );
  });
});

describe("detachState", () => {
  test("detaches tensors and nested [h, c] states", () => {
    const h = randn([2, 3], { requiresGrad: true }).mul(2);
    const c = randn([2, 3], { requiresGrad: true }).mul(3);
    const [h2, c2] = detachState([h, c]);
    assert.equal(h2.requiresGrad, false);
    assert.equal(c2.gradFn, null);
    assert.deepEqual(Array.from(h2.data), Array.from(h.data));
    assert.equal(detachState(null), null);
    assert.equal(detachState(h).requiresGrad, false);
  });
});
