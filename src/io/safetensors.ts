/**
 * The safetensors format, in memory (browser-safe): bytes in, tensors out, and back.
 *
 * Layout: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } }`,
 * then the data buffer; offsets are relative to the buffer's start, little-endian, row-major.
 * Reading is strict, as the reference implementation is: offsets must tile the buffer exactly
 * (no gaps, no overlaps, nothing past the end), each entry's byte length must equal
 * numel × item size, and the header length is bounded before anything is allocated.
 *
 * Read dtypes: F32, F16, BF16, F64, F8_E4M3, F8_E5M2 → float32; I32, I64, I16, I8, U64, U32,
 * U16, U8, BOOL → int32 (64- and unsigned 32-bit values outside the int32 range are refused rather
 * than wrapped). Written: F32 and I32. Every malformed input — truncated, lying or overlapping
 * offsets, an absurd header length, an unknown dtype — is an Error naming the source and the
 * problem, found before anything is allocated for it (test/unit/safetensors-fuzz.test.ts).
 *
 * @example
 * const bytes = saveSafetensors(model.stateDict(), { format: "pt" });
 * const { tensors } = loadSafetensors(bytes);
 * model.loadStateDict(tensors);
 */
import { formatShape, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** The largest header we accept (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const ITEM_SIZE: Record<string, number> = {
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

/** Sets a key even when it is "__proto__" (a tensor may be named anything). */
function put<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

export interface LoadSafetensorsOptions {
  /** Named in errors (a file path, a URL). */
  source?: string;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function describe(v: unknown): string {
  return v === null ? "null" : typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
}

function fail(source: string, message: string): never {
  throw new Error(`loadSafetensors: ${source}: ${message}`);
}

function parseEntry(source: string, name: string, raw: unknown): Entry {
  const where = `tensor "${name}"`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    fail(source, `${where}: expected an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== "string" || !Object.hasOwn(ITEM_SIZE, dtype)) {
    fail(
      source,
      `${where}: unsupported dtype ${JSON.stringify(dtype)}, expected one of ` +
        Object.keys(ITEM_SIZE).join(", "),
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(
      source,
      `${where}: expected shape to be a list of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    fail(
      source,
      `${where}: expected data_offsets [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`,
    );
  }
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = count * ITEM_SIZE[dtype];
  if (!Number.isSafeInteger(bytes) || offsets[1] - offsets[0] !== bytes) {
    fail(
      source,
      `${where}: shape ${formatShape(shape)} of ${dtype} needs ${bytes} bytes, ` +
        `data_offsets span ${offsets[1] - offsets[0]}`,
    );
  }
  return { name, dtype, shape, begin: offsets[0], end: offsets[1] };
}

function readHeader(
  bytes: Uint8Array,
  source: string,
): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8)
    fail(source, `expected at least 8 bytes (the header length), got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    fail(source, `header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const n = Number(length);
  if (8 + n > bytes.length) {
    fail(
      source,
      `header length ${n} runs past the end of the file (${bytes.length} bytes): truncated?`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(source, "header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(source, `header must be a JSON object starting with "{"`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(source, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail(source, "header must be a JSON object");
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + n };
}

function decode(entry: Entry, bytes: Uint8Array): Tensor {
  const n = numel(entry.shape);
  // Copy into an aligned buffer: offsets need not be multiples of the item size.
  // (Never `bytes.slice`: on a Node Buffer it is a view into a shared pool, not a copy.)
  const raw = new Uint8Array(entry.end - entry.begin);
  raw.set(bytes.subarray(entry.begin, entry.end));
  const view = new DataView(raw.buffer);
  const float = (get: (i: number) => number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = get(i);
    return new Tensor(out, entry.shape);
  };
  const int = (get: (i: number) => number) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = get(i);
    return new Tensor(out, entry.shape);
  };
  switch (entry.dtype) {
    case "F32":
      return float((i) => view.getFloat32(4 * i, true));
    case "F64":
      return float((i) => view.getFloat64(8 * i, true));
    case "F16":
      return float((i) => halfToFloat(view.getUint16(2 * i, true)));
    case "BF16":
      return float((i) => bfloat16ToFloat(view.getUint16(2 * i, true)));
    case "F8_E5M2":
      return float((i) => halfToFloat(view.getUint8(i) << 8)); // the top byte of a half
    case "F8_E4M3":
      return float((i) => e4m3ToFloat(view.getUint8(i)));
    case "I32":
      return int((i) => view.getInt32(4 * i, true));
    case "I16":
      return int((i) => view.getInt16(2 * i, true));
    case "I8":
      return int((i) => view.getInt8(i));
    case "U16":
      return int((i) => view.getUint16(2 * i, true));
    case "U8":
    case "BOOL":
      return int((i) => view.getUint8(i));
    case "U32":
      return int((i) => fitInt32(entry, i, view.getUint32(4 * i, true)));
    case "I64":
      return int((i) => fitInt32(entry, i, view.getBigInt64(8 * i, true)));
    case "U64":
      return int((i) => fitInt32(entry, i, view.getBigUint64(8 * i, true)));
  }
  throw new Error(`loadSafetensors: unreachable dtype ${entry.dtype}`);
}

function fitInt32(entry: Entry, i: number, v: number | bigint): number {
  if (v > 2147483647 || v < -2147483648) {
    throw new Error(
      `loadSafetensors: tensor "${entry.name}": ${entry.dtype} value ${v} at index ${i} does not fit in int32`,
    );
  }
  return Number(v);
}

/** IEEE half → float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float8 e4m3fn (bias 7, no infinities, S.1111.111 is NaN), as PyTorch's float8_e4m3fn. */
export function e4m3ToFloat(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const frac = b & 0x7;
  if (exp === 0) return sign * frac * 2 ** -9;
  if (exp === 15 && frac === 7) return NaN;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}

/** bfloat16 is the top half of a float32. */
export function bfloat16ToFloat(b: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, b << 16, false);
  return view.getFloat32(0, false);
}

/** Parses safetensors bytes, validating the header against the data before reading anything. */
export function loadSafetensors(
  data: Uint8Array | ArrayBuffer,
  options: LoadSafetensorsOptions = {},
): SafetensorsContents {
  const source = options.source ?? "<bytes>";
  if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer))
    fail(source, `expected a Uint8Array or an ArrayBuffer, got ${describe(data)}`);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const { header, dataStart } = readHeader(bytes, source);
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        fail(source, "__metadata__ must be an object of strings");
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== "string")
          fail(source, `__metadata__.${k} must be a string, got ${typeof v}`);
        put(metadata, k, v);
      }
      continue;
    }
    entries.push(parseEntry(source, name, raw));
  }
  const bufferLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor) {
      const what = e.begin < cursor ? "overlaps the previous tensor" : "leaves a gap before it";
      fail(
        source,
        `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] ${what} (expected to start at ${cursor})`,
      );
    }
    if (e.end > bufferLength) {
      fail(
        source,
        `tensor "${e.name}": data ends at ${e.end} but the buffer has ${bufferLength} bytes: truncated?`,
      );
    }
    cursor = e.end;
  }
  if (cursor !== bufferLength) {
    fail(source, `the data buffer has ${bufferLength} bytes but the tensors cover ${cursor}`);
  }
  const buffer = bytes.subarray(dataStart);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) put(tensors, e.name, decode(e, buffer));
  return { tensors, metadata };
}

/**
 * Serialises tensors (float32 → F32, int32 → I32) with optional string metadata. Tensors are
 * laid out in name order; the header is padded with spaces to a multiple of 8 bytes so the data
 * is aligned, as the reference writer does.
 */
export function saveSafetensors(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(
    ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") {
        throw new Error(`saveSafetensors: metadata "${k}" must be a string, got ${typeof v}`);
      }
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of list) {
    if (name === "__metadata__") throw new Error(`saveSafetensors: "__metadata__" is reserved`);
    if (!(t instanceof Tensor)) throw new Error(`saveSafetensors: "${name}" is not a Tensor`);
    const bytes = t.data.length * 4;
    put(header, name, {
      dtype: t.dtype === "int32" ? "I32" : "F32",
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    });
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of list) {
    const n = t.data.length;
    if (t.dtype === "int32") for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, t.data[i], true);
    else for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += 4 * n;
  }
  return out;
}
