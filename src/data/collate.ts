/**
 * Collate functions: a list of samples → one batch of tensors.
 *
 * `defaultCollate` follows `torch.utils.data.default_collate`: tensors are stacked along a new dim
 * 0, numbers become a [B] tensor, equally long numeric arrays a [B, …] tensor, strings stay a
 * string[], objects and tuples (arrays holding non-numbers) are collated field by field.
 * JS has one number type, so numbers that are all integers give int32 (class labels, token ids) and
 * anything else float32; pass Float32Array samples or tensors to force float32.
 *
 * `padTokenIds` batches variable-length token-id sequences the way torchtext's `Field.pad` does:
 *   maxLen = fixLength − #specials when `fixLength` is given, else the longest sequence;
 *   row = [initToken] + truncate(x, maxLen) + [eosToken] + padding   (padding first if padFirst),
 *   truncate keeps the first maxLen ids (the last ones with truncateFirst);
 *   length = row length without padding.
 * `padded` is int32 [B, T] with batchFirst, else [T, B] (PyTorch's default, as pad_sequence).
 * `padCollate` and `fixLengthCollate` wrap it for DataLoader samples that are a sequence, a
 * `[sequence, label]` pair or a `{ tokens, label }` object.
 *
 * @example
 * const loader = new DataLoader(pairs, { batchSize: 32, collate: padCollate({ batchFirst: true }) });
 * for (const { padded, lengths, labels } of loader) { ... }  // padded [32, T], lengths [32]
 */
import { stack } from "../ops/movement.js";
import { tensor } from "../tensor/creation.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor, type NestedArray } from "../tensor/tensor.js";

/** What `defaultCollate` returns. */
export type Collated = Tensor | string[] | Collated[] | { [key: string]: Collated };

/** A sequence of token ids. */
export type TokenIds = ArrayLike<number> | Tensor;

/** int32 when every value is an integer in the int32 range, else float32 (see the header). */
function numbersToTensor(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  let allInt = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      allInt = false;
      break;
    }
  }
  return tensor(values as ArrayLike<number> as number[], {
    shape,
    dtype: allInt ? "int32" : "float32",
  });
}

function isNumericNested(x: unknown): boolean {
  if (typeof x === "number" || typeof x === "boolean") return true;
  return Array.isArray(x) && x.every(isNumericNested);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (x instanceof Tensor) return "a Tensor";
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (Array.isArray(x)) return "an array";
  return typeof x;
}

/** Stacks a batch of samples into tensors (rules in the file header). */
export function defaultCollate(samples: readonly unknown[]): Collated {
  if (!Array.isArray(samples) || samples.length === 0)
    throw new Error("defaultCollate: expected a non-empty array of samples");
  const elem = samples[0];
  const kind = describe(elem);
  samples.forEach((s, i) => {
    if (describe(s) !== kind)
      throw new Error(`defaultCollate: sample 0 is ${kind} but sample ${i} is ${describe(s)}`);
  });
  if (elem instanceof Tensor) return stack(samples as Tensor[], 0);
  if (typeof elem === "number" || typeof elem === "boolean")
    return numbersToTensor(samples.map(Number), [samples.length]);
  if (typeof elem === "string") return [...(samples as string[])];
  if (ArrayBuffer.isView(elem)) {
    const rows = samples as ArrayLike<number>[];
    const n = rows[0].length;
    const flat = new Float64Array(rows.length * n);
    rows.forEach((r, i) => {
      if (r.length !== n)
        throw new Error(
          `defaultCollate: expected samples of equal length ${n}, got ${r.length} at sample ${i}; ` +
            "use padCollate for variable-length sequences",
        );
      flat.set(r, i * n);
    });
    if (elem instanceof Int32Array)
      return tensor(flat, { shape: [rows.length, n], dtype: "int32" });
    if (elem instanceof Float32Array || elem instanceof Float64Array)
      return tensor(flat, { shape: [rows.length, n] });
    return numbersToTensor(flat, [rows.length, n]);
  }
  if (Array.isArray(elem)) {
    if (samples.every(isNumericNested)) {
      try {
        const t = tensor(samples as NestedArray[]);
        return numbersToTensor(t.data, t.shape);
      } catch (e) {
        throw new Error(
          `defaultCollate: numeric array samples must have equal shapes (${(e as Error).message}); ` +
            "use padCollate for variable-length sequences",
          { cause: e },
        );
      }
    }
    const width = elem.length;
    samples.forEach((s, i) => {
      if ((s as unknown[]).length !== width)
        throw new Error(
          `defaultCollate: each tuple sample should have ${width} fields, got ${(s as unknown[]).length} at sample ${i}`,
        );
    });
    return Array.from({ length: width }, (_, k) =>
      defaultCollate(samples.map((s) => (s as unknown[])[k])),
    );
  }
  if (isPlainObject(elem)) {
    const out: Record<string, Collated> = {};
    for (const key of Object.keys(elem)) {
      out[key] = defaultCollate(
        samples.map((s, i) => {
          if (!(key in (s as object)))
            throw new Error(`defaultCollate: sample ${i} has no key "${key}" that sample 0 has`);
          return (s as Record<string, unknown>)[key];
        }),
      );
    }
    return out;
  }
  throw new Error(
    `defaultCollate: cannot collate ${kind}; expected tensors, numbers, strings, arrays or objects`,
  );
}

export interface PadOptions {
  /** Id used for padding (default 0). */
  padIndex?: number;
  /** Output [B, T] instead of [T, B] (default false, as PyTorch's pad_sequence). */
  batchFirst?: boolean;
  /** Pad every row to exactly this length, truncating longer ones (torchtext `fix_length`). */
  fixLength?: number;
  /** Put the padding before the tokens (default false). */
  padFirst?: boolean;
  /** When truncating, keep the last ids instead of the first (default false). */
  truncateFirst?: boolean;
  /** Prepended to every sequence (counts towards fixLength). */
  initToken?: number;
  /** Appended to every sequence (counts towards fixLength). */
  eosToken?: number;
}

export interface PaddedBatch {
  /** int32 [B, T] with batchFirst, else [T, B]. */
  padded: Tensor;
  /** int32 [B]: tokens in each row, specials included, padding excluded. */
  lengths: Tensor;
}

function idsOf(where: string, seq: TokenIds, i: number): ArrayLike<number> {
  if (seq instanceof Tensor) {
    if (seq.dim() !== 1)
      throw new Error(
        `${where}: expected 1-D token sequences, got shape ${formatShape(seq.shape)} at sample ${i}`,
      );
    return seq.data;
  }
  if (typeof seq !== "object" || seq === null || typeof seq.length !== "number")
    throw new Error(
      `${where}: expected a sequence of token ids at sample ${i}, got ${describe(seq)}`,
    );
  return seq;
}

/** Pads (and with `fixLength`, truncates) token-id sequences into one int32 tensor. */
export function padTokenIds(sequences: readonly TokenIds[], options: PadOptions = {}): PaddedBatch {
  const where = "padTokenIds";
  const { padIndex = 0, batchFirst = false, fixLength, padFirst = false } = options;
  const { truncateFirst = false, initToken, eosToken } = options;
  if (!Array.isArray(sequences) || sequences.length === 0)
    throw new Error(`${where}: expected a non-empty array of sequences`);
  for (const [name, v] of [
    ["padIndex", padIndex],
    ["initToken", initToken],
    ["eosToken", eosToken],
  ] as const) {
    if (v !== undefined && !Number.isInteger(v))
      throw new Error(`${where}: expected ${name} to be an integer id, got ${v}`);
  }
  const rows = sequences.map((s, i) => idsOf(where, s, i));
  const specials = (initToken === undefined ? 0 : 1) + (eosToken === undefined ? 0 : 1);
  let maxLen: number;
  if (fixLength !== undefined) {
    if (!Number.isInteger(fixLength) || fixLength < specials)
      throw new Error(
        `${where}: expected fixLength to be an integer ≥ ${specials} (the init/eos tokens), got ${fixLength}`,
      );
    maxLen = fixLength - specials;
  } else {
    maxLen = rows.reduce((m, r) => Math.max(m, r.length), 0);
  }
  const B = rows.length;
  const T = maxLen + specials;
  const out = new Int32Array(B * T).fill(padIndex);
  const lengths = new Int32Array(B);
  const row = new Int32Array(T);
  rows.forEach((x, b) => {
    const keep = Math.min(x.length, maxLen);
    const from = truncateFirst ? x.length - keep : 0;
    const len = keep + specials;
    let at = padFirst ? T - len : 0;
    row.fill(padIndex);
    if (initToken !== undefined) row[at++] = initToken;
    for (let k = 0; k < keep; k++) {
      const v = x[from + k];
      if (!Number.isInteger(v))
        throw new Error(`${where}: expected integer token ids, got ${v} in sample ${b}`);
      row[at++] = v;
    }
    if (eosToken !== undefined) row[at++] = eosToken;
    lengths[b] = len;
    if (batchFirst) out.set(row, b * T);
    else for (let t = 0; t < T; t++) out[t * B + b] = row[t];
  });
  return {
    padded: new Tensor(out, batchFirst ? [B, T] : [T, B]),
    lengths: new Tensor(lengths, [B]),
  };
}

/** A sample for `padCollate`: the ids alone, `[ids, label]`, or `{ tokens, label }`. */
export type SequenceSample =
  TokenIds | readonly [TokenIds, unknown] | { tokens: TokenIds; label?: unknown };

export interface PadCollateOptions extends PadOptions {
  /** Reorder the batch by decreasing length (for packPaddedSequence with enforceSorted). */
  sortByLength?: boolean;
}

export interface PaddedSampleBatch extends PaddedBatch {
  /** The collated labels, when the samples carry them. */
  labels?: Collated;
  /** With sortByLength: the original batch position of each row. */
  indices?: Int32Array;
}

function splitSample(sample: SequenceSample, i: number): [TokenIds, unknown, boolean] {
  if (sample instanceof Tensor || ArrayBuffer.isView(sample))
    return [sample as TokenIds, undefined, false];
  if (Array.isArray(sample)) {
    const isPair = sample.length === 2 && typeof sample[0] === "object" && sample[0] !== null;
    return isPair
      ? [sample[0] as TokenIds, sample[1], true]
      : [sample as TokenIds, undefined, false];
  }
  if (isPlainObject(sample) && "tokens" in sample)
    return [sample.tokens as TokenIds, sample.label, "label" in sample];
  throw new Error(
    `padCollate: expected sample ${i} to be token ids, [ids, label] or { tokens, label }, got ${describe(sample)}`,
  );
}

/** A collate function that pads each batch to its longest sequence (options as padTokenIds). */
export function padCollate(
  options: PadCollateOptions = {},
): (samples: readonly SequenceSample[]) => PaddedSampleBatch {
  return (samples) => {
    if (!Array.isArray(samples) || samples.length === 0)
      throw new Error("padCollate: expected a non-empty array of samples");
    let parts = samples.map(splitSample);
    const withLabels = parts[0][2];
    if (parts.some((p) => p[2] !== withLabels))
      throw new Error("padCollate: either every sample carries a label or none does");
    let indices: Int32Array | undefined;
    if (options.sortByLength) {
      const lens = parts.map((p, i) => idsOf("padCollate", p[0], i).length);
      indices = Int32Array.from(lens.keys()).sort((a, b) => lens[b] - lens[a] || a - b);
      parts = Array.from(indices, (i) => parts[i]);
    }
    const batch: PaddedSampleBatch = padTokenIds(
      parts.map((p) => p[0]),
      options,
    );
    if (withLabels) batch.labels = defaultCollate(parts.map((p) => p[1]));
    if (indices) batch.indices = indices;
    return batch;
  };
}

/**
 * torchtext's `Field(fix_length=…)`: every batch is exactly `fixLength` long, longer sequences
 * truncated (keeping the start, or the end with `truncateFirst`).
 */
export function fixLengthCollate(
  fixLength: number,
  padIndex = 0,
  options: Omit<PadCollateOptions, "fixLength" | "padIndex"> = {},
): (samples: readonly SequenceSample[]) => PaddedSampleBatch {
  if (!Number.isInteger(fixLength) || fixLength < 1)
    throw new Error(
      `fixLengthCollate: expected fixLength to be a positive integer, got ${fixLength}`,
    );
  return padCollate({ ...options, fixLength, padIndex });
}
