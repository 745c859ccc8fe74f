import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadSafetensors, saveSafetensors, halfToFloat } from "../../src/io/safetensors.js";
import { loadSafetensorsFile, saveSafetensorsFile } from "../../src/io/node/safetensors-file.js";
import { writeFileAtomic } from "../../src/io/node/atomic.js";
import { manualSeed, nn, randn, tensor } from "../../src/index.js";
import { assertClose, loadFixture, type FixtureTensor } from "../helpers.js";

interface DtypeFixture {
  bytes: string;
  expected: Record<string, FixtureTensor>;
}

/** Builds a file from a header object and a data buffer, for the malformed cases. */
function build(header: unknown, data = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === "string" ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  test("reads every dtype PyTorch writes (F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL)", () => {
    const f = loadFixture<DtypeFixture>("safetensors_dtypes");
    const { tensors, metadata } = loadSafetensors(Buffer.from(f.bytes, "base64"));
    assert.deepEqual(metadata, { format: "pt", note: "recurrent fixture" });
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(f.expected).sort());
    for (const [name, want] of Object.entries(f.expected)) {
      assert.equal(tensors[name].dtype, want.dtype ?? "float32", name);
      // Half-precision values are compared with the float32 of the same half value: exact.
      assertClose(tensors[name], want, 0, name);
    }
  });

  test("round trip keeps names, shapes, dtypes and bits; header is 8-byte aligned", () => {
    manualSeed(3);
    const t = { "b.weight": randn([4, 3]), "a.idx": tensor(new Int32Array([5, -7, 9])) };
    const bytes = saveSafetensors(t, { format: "pt" });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(headerLen % 8, 0);
    const back = loadSafetensors(bytes);
    assert.deepEqual(back.metadata, { format: "pt" });
    assert.deepEqual([...back.tensors["b.weight"].data], [...t["b.weight"].data]);
    assert.deepEqual([...back.tensors["a.idx"].data], [5, -7, 9]);
    assert.equal(back.tensors["a.idx"].dtype, "int32");
  });

  test("a module's stateDict round-trips and loads strictly", () => {
    manualSeed(1);
    const a = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
    const b = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
    b.loadStateDict(loadSafetensors(saveSafetensors(a.stateDict())).tensors);
    for (const [k, v] of Object.entries(a.stateDict())) {
      assert.deepEqual([...b.stateDict()[k].data], [...v.data], k);
    }
  });

  test("half conversion covers subnormals, infinities and NaN", () => {
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
  });

  const f32 = (n: number) => new Uint8Array(4 * n);
  const bad: [string, Uint8Array, RegExp][] = [
    ["fewer than 8 bytes", new Uint8Array(5), /expected at least 8 bytes.*got 5/],
    ["absurd header length", build({}, undefined, 1n << 60n), /exceeds the limit/],
    ["header past the end", build({}, undefined, 1000n), /runs past the end.*truncated/],
    ["header not JSON", build("{not json"), /not valid JSON/],
    ["header not an object", build("[1,2]"), /starting with "\{"/],
    [
      "unknown dtype",
      build({ x: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, f32(2)),
      /unsupported dtype "C64"/,
    ],
    [
      "offsets disagree with shape",
      build({ x: { dtype: "F32", shape: [2, 2], data_offsets: [0, 12] } }, f32(3)),
      /needs 16 bytes, data_offsets span 12/,
    ],
    [
      "overlapping tensors",
      build(
        {
          x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          y: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
        },
        f32(3),
      ),
      /"y".*overlaps/,
    ],
    [
      "gap between tensors",
      build({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32(2)),
      /leaves a gap/,
    ],
    [
      "truncated data",
      build({ x: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, f32(2)),
      /buffer has 8 bytes.*truncated/,
    ],
    [
      "trailing bytes",
      build({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /buffer has 8 bytes but the tensors cover 4/,
    ],
    [
      "negative shape",
      build({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }),
      /non-negative integers/,
    ],
    [
      "reversed offsets",
      build({ x: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }),
      /0 <= begin <= end/,
    ],
    ["metadata not strings", build({ __metadata__: { a: 1 } }), /__metadata__\.a must be a string/],
    [
      "I64 out of int32 range",
      (() => {
        const d = new Uint8Array(8);
        new DataView(d.buffer).setBigInt64(0, 1n << 40n, true);
        return build({ x: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, d);
      })(),
      /does not fit in int32/,
    ],
  ];
  for (const [what, bytes, message] of bad) {
    test(`rejects ${what} with a clear error`, () => {
      assert.throws(
        () => loadSafetensors(bytes, { source: "m.safetensors" }),
        (e: Error) => {
          assert.match(e.message, /^loadSafetensors: /);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }

  test("every truncation of a valid file is refused, never misread", () => {
    const bytes = saveSafetensors({ w: randn([3, 2]), i: tensor(new Int32Array([1, 2])) });
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => loadSafetensors(bytes.subarray(0, n)), /loadSafetensors/);
    }
  });

  test("files: atomic save leaves no temp file; a failed save keeps the old file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recurrent-st-"));
    try {
      const path = join(dir, "model.safetensors");
      const w = randn([2, 2]);
      await saveSafetensorsFile(path, { w });
      assert.deepEqual(await readdir(dir), ["model.safetensors"]);
      const loaded = await loadSafetensorsFile(path);
      assert.deepEqual([...loaded.tensors.w.data], [...w.data]);
      const before = await readFile(path);
      // A non-empty directory where the target should be: the rename fails after the temp file
      // was written, and the temp file is cleaned up.
      await mkdir(join(dir, "taken"));
      await writeFile(join(dir, "taken", "keep"), "x");
      await assert.rejects(writeFileAtomic(join(dir, "taken"), "data"), /could not write .*taken/);
      assert.deepEqual(await readFile(path), before);
      assert.deepEqual((await readdir(dir)).sort(), ["model.safetensors", "taken"]);
      await writeFile(join(dir, "broken.safetensors"), before.subarray(0, before.length - 3));
      await assert.rejects(
        loadSafetensorsFile(join(dir, "broken.safetensors")),
        /broken\.safetensors.*truncated/,
      );
      await assert.rejects(loadSafetensorsFile(join(dir, "missing")), /cannot read .*missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
