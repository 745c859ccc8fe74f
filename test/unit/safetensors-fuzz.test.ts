/**
 * Fuzzing `loadSafetensors`: valid files of every dtype, then random byte flips, truncations,
 * appended bytes, lying header lengths, structured header mutations (dtypes, shapes, offsets,
 * metadata) and wholly random headers. Every input must either parse to something consistent with
 * its own header (checked by an independent reading of the format below) or throw a plain Error
 * whose message starts with "loadSafetensors:" — never another kind of throw (a RangeError from a
 * huge allocation, a TypeError), a hang, or a silently wrong result.
 *
 * @example
 * RECURRENT_FUZZ_CASES=200000 RECURRENT_FUZZ_SEED=7 node scripts/run-tests.mjs test/unit/safetensors-fuzz.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadSafetensors, MAX_HEADER_BYTES } from "../../src/io/safetensors.js";
import { Tensor } from "../../src/tensor/tensor.js";

const CASES = Number(process.env.RECURRENT_FUZZ_CASES ?? 4000);
const SEED = Number(process.env.RECURRENT_FUZZ_SEED ?? 1);

const SIZE: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};
const DTYPES = Object.keys(SIZE);
const FLOATS = new Set(["F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2"]);

/** mulberry32: a small seeded generator, independent of the library's RNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const NAMES = ["w", "rnn.weight_ih_l0", "a.b.c", "__proto__", "toString", "ü/ключ", "", " x "];
const WEIRD: unknown[] = [
  -1,
  0.5,
  2 ** 53,
  2 ** 64,
  1e308,
  -0,
  "3",
  null,
  true,
  [],
  {},
  [1, 2],
  "F32",
  "toString",
  "__proto__",
  "f32",
  "C64",
  Number.MAX_SAFE_INTEGER,
];

interface Spec {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

function randomSpecs(r: Rand): Spec[] {
  const names = new Set<string>();
  const specs: Spec[] = [];
  for (let k = int(r, 5); k > 0; k--) {
    const name = r() < 0.3 ? pick(r, NAMES) : `t${int(r, 100)}`;
    if (names.has(name)) continue;
    names.add(name);
    const dtype = pick(r, DTYPES);
    const shape = Array.from({ length: int(r, 4) }, () => int(r, 4));
    const n = shape.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(n * SIZE[dtype]);
    for (let i = 0; i < bytes.length; i++) bytes[i] = int(r, 256);
    // Small integers mostly; wide types always fit int32 (mutations make the ones that do not).
    const s = SIZE[dtype];
    for (let i = 0; i < n && !FLOATS.has(dtype); i++) {
      if (r() < 0.8 || s === 1) bytes.fill(0, i * s + 1, (i + 1) * s);
      if (s === 8) bytes.fill(0, i * s + 4, (i + 1) * s);
      if (s >= 4 && dtype !== "I32") bytes[i * s + 3] &= 0x7f;
      if (dtype === "BOOL") bytes[i] &= 1;
    }
    specs.push({ name, dtype, shape, bytes });
  }
  return specs;
}

/** A valid file: tensors laid out in random order, optional metadata, random header padding. */
function build(r: Rand, specs: Spec[]): { header: Record<string, unknown>; bytes: Uint8Array } {
  const header: Record<string, unknown> = {};
  if (r() < 0.5) header.__metadata__ = { format: "pt", [pick(r, NAMES)]: "v" };
  const order = [...specs].sort(() => r() - 0.5);
  let offset = 0;
  for (const s of order) {
    Object.defineProperty(header, s.name, {
      value: { dtype: s.dtype, shape: s.shape, data_offsets: [offset, offset + s.bytes.length] },
      enumerable: true,
    });
    offset += s.bytes.length;
  }
  return { header, bytes: assemble(JSON.stringify(header) + " ".repeat(int(r, 8)), order) };
}

function assemble(json: string, order: { bytes: Uint8Array }[], length?: bigint): Uint8Array {
  const text = new TextEncoder().encode(json);
  const data = order.reduce((n, s) => n + s.bytes.length, 0);
  const out = new Uint8Array(8 + text.length + data);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(text.length), true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const s of order) {
    out.set(s.bytes, at);
    at += s.bytes.length;
  }
  return out;
}

function randomValue(r: Rand, depth = 0): unknown {
  const k = int(r, depth > 2 ? 4 : 7);
  if (k === 0) return pick(r, WEIRD);
  if (k === 1) return int(r, 64);
  if (k === 2) return pick(r, DTYPES);
  if (k === 3) return pick(r, NAMES);
  if (k === 4) return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = int(r, 4); i > 0; i--)
    o[pick(r, ["dtype", "shape", "data_offsets", "__metadata__", ...NAMES])] = randomValue(
      r,
      depth + 1,
    );
  return o;
}

/** Changes one thing in a valid header and re-encodes it with a truthful length. */
function mutateHeader(r: Rand, header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const h = JSON.parse(JSON.stringify(header)) as Record<string, Record<string, unknown>>;
  const names = Object.keys(h).filter((k) => k !== "__metadata__");
  const entry = names.length > 0 ? h[pick(r, names)] : null;
  const k = int(r, 9);
  if (entry && k === 0) entry.dtype = r() < 0.5 ? pick(r, DTYPES) : pick(r, WEIRD);
  else if (entry && k === 1) {
    const shape = entry.shape as unknown[];
    if (shape.length > 0 && r() < 0.7) shape[int(r, shape.length)] = pick(r, WEIRD);
    else entry.shape = r() < 0.5 ? [2 ** 30, 2 ** 30, 2 ** 30] : pick(r, WEIRD);
  } else if (entry && k === 2) {
    const o = entry.data_offsets as unknown[];
    const which = int(r, 2);
    o[which] = r() < 0.5 ? (o[which] as number) + int(r, 9) - 4 : pick(r, WEIRD);
  } else if (entry && k === 3) delete entry[pick(r, ["dtype", "shape", "data_offsets"])];
  else if (entry && k === 4) entry[pick(r, ["extra", "dtype"])] = randomValue(r);
  else if (k === 5) h.__metadata__ = randomValue(r) as Record<string, unknown>;
  else if (k === 6) h[pick(r, NAMES)] = randomValue(r) as Record<string, unknown>;
  else if (k === 7 && names.length > 1) {
    // two tensors swap or share offsets
    const [a, b] = [h[names[0]], h[names[1]]];
    if (r() < 0.5) [a.data_offsets, b.data_offsets] = [b.data_offsets, a.data_offsets];
    else b.data_offsets = a.data_offsets;
  } else return assemble(JSON.stringify(randomValue(r)), [{ bytes: data }]);
  return assemble(JSON.stringify(h), [{ bytes: data }]);
}

/** One fuzz input derived from a valid file. */
function mutate(r: Rand, valid: Uint8Array, header: Record<string, unknown>): Uint8Array {
  const headerLength = Number(new DataView(valid.buffer).getBigUint64(0, true));
  const data = valid.subarray(8 + headerLength);
  const k = int(r, 7);
  if (k === 0) {
    const out = valid.slice();
    for (let i = 1 + int(r, 8); i > 0 && out.length > 0; i--)
      out[int(r, out.length)] =
        r() < 0.5 ? int(r, 256) : out[int(r, out.length)] ^ (1 << int(r, 8));
    return out;
  }
  if (k === 1) return valid.slice(0, int(r, valid.length));
  if (k === 2) {
    const out = new Uint8Array(valid.length + 1 + int(r, 16));
    out.set(valid);
    return out;
  }
  if (k === 3) {
    const out = valid.slice();
    const lies = [
      BigInt(headerLength + int(r, 33) - 16),
      BigInt(MAX_HEADER_BYTES),
      BigInt(MAX_HEADER_BYTES) + 1n,
      2n ** 63n,
      2n ** 64n - 1n,
      BigInt(int(r, 2 ** 31)) * BigInt(int(r, 2 ** 31)),
    ];
    const lie = pick(r, lies);
    new DataView(out.buffer).setBigUint64(0, lie < 0n ? 0n : lie, true);
    return out;
  }
  if (k === 4 || k === 5) return mutateHeader(r, header, data);
  const out = new Uint8Array(int(r, 64));
  for (let i = 0; i < out.length; i++) out[i] = int(r, 256);
  if (out.length >= 8 && r() < 0.7)
    new DataView(out.buffer).setBigUint64(0, BigInt(int(r, 56)), true);
  return out;
}

/**
 * The oracle: an input either throws a plain Error naming loadSafetensors, or parses to exactly
 * the tensors its header lists, with their shapes, each dtype's family and coverage of the data.
 */
function check(bytes: Uint8Array): "parsed" | "refused" {
  let out: ReturnType<typeof loadSafetensors>;
  try {
    out = loadSafetensors(bytes);
  } catch (e) {
    assert.ok(e instanceof Error, `non-Error thrown: ${String(e)}`);
    assert.equal(e.constructor, Error, `${e.constructor.name} thrown: ${e.message}`);
    assert.match(e.message, /^loadSafetensors: /);
    return "refused";
  }
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
    string,
    { dtype: string; shape: number[] }
  >;
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  assert.deepEqual(Object.keys(out.tensors).sort(), names.sort());
  let covered = 0;
  for (const name of names) {
    const t = out.tensors[name];
    const { dtype, shape } = header[name];
    assert.ok(t instanceof Tensor, name);
    assert.deepEqual([...t.shape], shape, name);
    assert.equal(t.dtype, FLOATS.has(dtype) ? "float32" : "int32", name);
    assert.equal(
      t.data.length,
      shape.reduce((a, b) => a * b, 1),
    );
    covered += t.data.length * SIZE[dtype];
  }
  assert.equal(8 + n + covered, bytes.length, "the tensors cover the data exactly");
  for (const v of Object.values(out.metadata)) assert.equal(typeof v, "string");
  return "parsed";
}

/** Exact values for the dtypes whose decoding needs no conversion code. */
function checkValues(specs: Spec[], tensors: Record<string, Tensor>): void {
  for (const s of specs) {
    const view = new DataView(s.bytes.buffer);
    const t = tensors[s.name];
    for (let i = 0; i < t.data.length; i++) {
      const want =
        s.dtype === "F32"
          ? view.getFloat32(4 * i, true)
          : s.dtype === "F64"
            ? Math.fround(view.getFloat64(8 * i, true))
            : s.dtype === "I32"
              ? view.getInt32(4 * i, true)
              : s.dtype === "U8" || s.dtype === "BOOL"
                ? view.getUint8(i)
                : null;
      if (want !== null)
        assert.ok(
          Object.is(t.data[i], want) || (want !== want && t.data[i] !== t.data[i]),
          `${s.name}[${i}]`,
        );
    }
  }
}

describe("safetensors fuzz", () => {
  test(`${CASES} mutated and random inputs parse consistently or throw a clear Error`, () => {
    const r = rng(SEED);
    const counts = { parsed: 0, refused: 0 };
    const started = Date.now();
    for (let c = 0; c < CASES; c++) {
      const specs = randomSpecs(r);
      const { header, bytes: valid } = build(r, specs);
      const input = c % 10 === 0 ? valid : mutate(r, valid, header);
      let result: "parsed" | "refused";
      try {
        result = check(input);
        if (input === valid) {
          assert.equal(result, "parsed", "a valid file is refused");
          checkValues(specs, loadSafetensors(valid).tensors);
        }
      } catch (e) {
        const b64 = Buffer.from(input).toString("base64");
        throw new Error(`case ${c} (seed ${SEED}), input base64 ${b64}: ${(e as Error).message}`, {
          cause: e,
        });
      }
      counts[result]++;
    }
    console.log(
      `# safetensors fuzz: ${CASES} cases (${counts.parsed} parsed, ${counts.refused} refused) in ${Date.now() - started} ms`,
    );
    assert.ok(counts.parsed > CASES / 20 && counts.refused > CASES / 2, JSON.stringify(counts));
  });

  test("the dtypes PyTorch 1.13 cannot write: float8, wide unsigned", () => {
    const u32 = new Uint8Array(8);
    new DataView(u32.buffer).setUint32(0, 2147483647, true);
    new DataView(u32.buffer).setUint32(4, 7, true);
    const u64 = new Uint8Array(8);
    new DataView(u64.buffer).setBigUint64(0, 5n, true);
    const header = {
      e4m3: { dtype: "F8_E4M3", shape: [6], data_offsets: [0, 6] },
      e5m2: { dtype: "F8_E5M2", shape: [3], data_offsets: [6, 9] },
      u16: { dtype: "U16", shape: [1], data_offsets: [9, 11] },
      u32: { dtype: "U32", shape: [2], data_offsets: [11, 19] },
      u64: { dtype: "U64", shape: [1], data_offsets: [19, 27] },
    };
    const data = [
      new Uint8Array([0x38, 0xb8, 0x7e, 0x01, 0x08, 0x7f]),
      new Uint8Array([0x3c, 0x7c, 0x01]),
      new Uint8Array([0xff, 0xff]),
      u32,
      u64,
    ];
    const { tensors } = loadSafetensors(
      assemble(
        JSON.stringify(header),
        data.map((bytes) => ({ bytes })),
      ),
    );
    assert.deepEqual([...tensors.e4m3.data].slice(0, 5), [1, -1, 448, 2 ** -9, 2 ** -6]);
    assert.ok(Number.isNaN(tensors.e4m3.data[5]));
    assert.deepEqual([...tensors.e5m2.data], [1, Infinity, 2 ** -16]);
    assert.deepEqual([...tensors.u16.data], [65535]);
    assert.deepEqual([...tensors.u32.data], [2147483647, 7]);
    assert.deepEqual([...tensors.u64.data], [5]);
    new DataView(u32.buffer).setUint32(0, 2147483648, true);
    assert.throws(
      () =>
        loadSafetensors(
          assemble(
            JSON.stringify(header),
            data.map((bytes) => ({ bytes })),
          ),
        ),
      /tensor "u32": U32 value 2147483648 at index 0 does not fit in int32/,
    );
  });

  test("edge cases: absurd sizes, inherited names, wrong input types", () => {
    const cases: [Uint8Array, RegExp][] = [
      [assemble("{}", [], 2n ** 64n - 1n), /exceeds the limit/],
      [assemble("{}", [], BigInt(MAX_HEADER_BYTES)), /runs past the end/],
      [
        assemble(
          JSON.stringify({
            x: { dtype: "F32", shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] },
          }),
          [],
        ),
        /needs .* bytes/,
      ],
      [
        assemble(
          JSON.stringify({ x: { dtype: "F32", shape: [1], data_offsets: [2 ** 52 - 4, 2 ** 52] } }),
          [],
        ),
        /leaves a gap|truncated/,
      ],
      [
        assemble(JSON.stringify({ x: { dtype: "toString", shape: [], data_offsets: [0, 4] } }), []),
        /unsupported dtype "toString"/,
      ],
      [
        assemble(
          JSON.stringify({ x: { dtype: "__proto__", shape: [], data_offsets: [0, 4] } }),
          [],
        ),
        /unsupported dtype/,
      ],
    ];
    for (const [bytes, message] of cases) assert.throws(() => loadSafetensors(bytes), message);
    for (const bad of ["text", null, 42, [1, 2, 3], new Float32Array(4)])
      assert.throws(
        () => loadSafetensors(bad as unknown as Uint8Array),
        /expected a Uint8Array or an ArrayBuffer, got/,
      );
    const proto = assemble(
      '{"__proto__":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"__proto__":"m"}}',
      [{ bytes: new Uint8Array([7, 0, 0, 0]) }],
    );
    const { tensors, metadata } = loadSafetensors(proto);
    assert.deepEqual(Object.keys(tensors), ["__proto__"]);
    assert.deepEqual([...tensors["__proto__"].data], [7]);
    assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
    assert.equal(metadata["__proto__"], "m");
  });
});
