/**
 * Data-pipeline parity with PyTorch (fixtures from gen_data.py): the deterministic parts only —
 * random_split sizes, DataLoader lengths and sequential collation, word_language_model's
 * batchify/get_batch windows, pad_sequence and torchtext's Field.pad. Everything here is integer
 * or copied float data, so the comparison is exact.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { batchify, BpttIterator } from "../../src/data/bptt.js";
import { padTokenIds, type PadOptions } from "../../src/data/collate.js";
import { DataLoader } from "../../src/data/loader.js";
import { randomSplit, splitLengths } from "../../src/data/split.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

const report = new ParityReport();
after(() => report.print("data parity"));

/** Exact comparison of an int32 tensor with a fixture (shape, dtype and values). */
function assertExact(actual: Tensor, expected: FixtureTensor, what: string): void {
  assert.equal(actual.dtype, "int32", `${what}: dtype`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  assert.deepEqual(Array.from(actual.data), expected.data, `${what}: values`);
}

describe("random_split sizes", () => {
  const cases = loadFixture<{ n: number; lengths: number[]; sizes: number[] }[]>("data_split");
  for (const c of cases) {
    test(`n=${c.n}, lengths ${JSON.stringify(c.lengths)}`, () => {
      assert.deepEqual(splitLengths(c.n, c.lengths), c.sizes);
      const parts = randomSplit(
        Array.from({ length: c.n }, (_, i) => i),
        c.lengths,
        { seed: 0 },
      );
      assert.deepEqual(
        parts.map((p) => p.length),
        c.sizes,
      );
    });
  }
});

describe("DataLoader", () => {
  interface LoaderFixture {
    lengths: { n: number; batchSize: number; dropLast: boolean; length: number }[];
    collate: { xs: FixtureTensor; ys: FixtureTensor; batches: [FixtureTensor, FixtureTensor][] };
  }
  const fx = loadFixture<LoaderFixture>("data_loader");

  test("len(DataLoader) with and without drop_last", () => {
    for (const c of fx.lengths) {
      const loader = new DataLoader(
        Array.from({ length: c.n }, (_, i) => i),
        { batchSize: c.batchSize, dropLast: c.dropLast },
      );
      assert.equal(loader.length, c.length, JSON.stringify(c));
      assert.equal([...loader].length, c.length);
    }
  });

  test("default_collate of (tensor, int) samples", () => {
    const xs = fromFixture(fx.collate.xs);
    const ys = fx.collate.ys.data;
    const data = ys.map((y, i) => [xs.select(0, i), y] as const);
    const batches = [...new DataLoader(data, { batchSize: 2 })] as Tensor[][];
    assert.equal(batches.length, fx.collate.batches.length);
    batches.forEach(([x, y], k) => {
      report.add("default_collate", assertClose(x, fx.collate.batches[k][0], 0, `batch ${k} x`));
      assertExact(y, fx.collate.batches[k][1], `batch ${k} y`);
    });
  });
});

describe("word_language_model batchify / get_batch", () => {
  interface BpttCase {
    stream: FixtureTensor;
    batchSize: number;
    bptt: number;
    batchified: FixtureTensor;
    windows: { data: FixtureTensor; target: FixtureTensor }[];
  }
  for (const c of loadFixture<BpttCase[]>("data_bptt")) {
    test(`N=${c.stream.shape[0]}, B=${c.batchSize}, bptt=${c.bptt}`, () => {
      const stream = fromFixture(c.stream);
      assertExact(batchify(stream, c.batchSize), c.batchified, "batchify");
      const windows = [...new BpttIterator(stream, { batchSize: c.batchSize, bpttLen: c.bptt })];
      assert.equal(windows.length, c.windows.length, "number of windows");
      windows.forEach((w, k) => {
        assertExact(w.input, c.windows[k].data, `window ${k} data`);
        assertExact(w.target.reshape([-1]), c.windows[k].target, `window ${k} target`);
      });
    });
  }
});

describe("padding", () => {
  interface CollateFixture {
    sequences: FixtureTensor[];
    padSequence: { batchFirst: boolean; padIndex: number; padded: FixtureTensor }[];
    fieldPad: {
      options: Record<string, number | boolean>;
      padded: number[][];
      lengths: number[];
    }[];
  }
  const fx = loadFixture<CollateFixture>("data_collate");
  const seqs = fx.sequences.map((s) => fromFixture(s));

  test("pad_sequence", () => {
    for (const c of fx.padSequence) {
      const { padded, lengths } = padTokenIds(seqs, {
        batchFirst: c.batchFirst,
        padIndex: c.padIndex,
      });
      assertExact(padded, c.padded, `pad_sequence ${JSON.stringify(c)}`);
      assert.deepEqual(
        Array.from(lengths.data),
        seqs.map((s) => s.shape[0]),
      );
    }
  });

  test("torchtext Field.pad", () => {
    for (const c of fx.fieldPad) {
      const o = c.options;
      const options: PadOptions = {
        padIndex: 1, // Field's "<pad>" is id 1 in torchtext vocabularies
        batchFirst: true,
        fixLength: o.fix_length as number | undefined,
        initToken: o.init_token as number | undefined,
        eosToken: o.eos_token as number | undefined,
        padFirst: o.pad_first as boolean | undefined,
        truncateFirst: o.truncate_first as boolean | undefined,
      };
      const { padded, lengths } = padTokenIds(seqs, options);
      assert.deepEqual(padded.toArray(), c.padded, `Field.pad ${JSON.stringify(o)}`);
      assert.deepEqual(Array.from(lengths.data), c.lengths, `lengths ${JSON.stringify(o)}`);
    }
  });
});
