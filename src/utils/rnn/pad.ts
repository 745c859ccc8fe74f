/**
 * Padding: PackedSequence or a list of sequences → one padded batch (PyTorch's
 * pad_packed_sequence and pad_sequence).
 *
 *   padded[t, b] = data[offsets[t] + unsortedIndices[b]]   for t < lengths[b]
 *                = paddingValue                           otherwise
 *   shape [T', B, *] ([B, T', *] with batchFirst), T' = totalLength or the longest length
 *
 * Each is one cat (the rows plus a single padding row) and ONE indexSelect, so the backward is
 * the existing indexSelect and cat rules: padded positions send no gradient anywhere.
 *
 * @example
 * const p = packSequence([randn([3, 2]), randn([1, 2])]);
 * const [padded, lengths] = padPackedSequence(p, { batchFirst: true, paddingValue: -1 });
 * padded.shape;        // [2, 3, 2]
 * lengths.toArray();   // [3, 1]
 */
import { cat, reshape } from "../../ops/movement.js";
import { full } from "../../tensor/creation.js";
import { formatShape, numel } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { PackedSequence } from "./packed-sequence.js";
import { selectRows } from "./rows.js";

export interface PadPackedOptions {
  /** Returns [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** The value at padded positions (default 0). */
  paddingValue?: number;
  /** Pads to this many steps instead of the longest length (e.g. to undo packing exactly). */
  totalLength?: number | null;
}

export interface PadSequenceOptions {
  batchFirst?: boolean;
  paddingValue?: number;
}

function checkPaddingValue(op: string, value: number, dtype: string): void {
  if (typeof value !== "number" || (dtype === "int32" && !Number.isInteger(value))) {
    throw new Error(
      `${op}: expected ${dtype === "int32" ? "an integer" : "a number"} as paddingValue for ${dtype} data, got ${String(value)}`,
    );
  }
}

/**
 * Gathers rows of `rows` [N, F] into [T, B, F] (or [B, T, F]) by `source(t, b)`, a row index or −1
 * for padding: the shared core of both pad functions.
 */
function scatterToPadded(
  rows: Tensor,
  T: number,
  B: number,
  batchFirst: boolean,
  paddingValue: number,
  source: (t: number, b: number) => number,
): Tensor {
  const [N, F] = rows.shape;
  const index = new Int32Array(T * B);
  let padded = false;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const r = source(t, b);
      if (r < 0) padded = true;
      index[batchFirst ? b * T + t : t * B + b] = r < 0 ? N : r;
    }
  }
  const src = padded ? cat([rows, full([1, F], paddingValue, { dtype: rows.dtype })]) : rows;
  return selectRows(src, index); // [T·B, F]
}

/**
 * Unpacks a PackedSequence into a padded batch; returns [padded, lengths] with lengths int32 [B]
 * in the original batch order.
 */
export function padPackedSequence(
  sequence: PackedSequence,
  options: PadPackedOptions = {},
): [Tensor, Tensor] {
  const op = "padPackedSequence";
  if (!(sequence instanceof PackedSequence)) {
    throw new Error(`${op}: expected a PackedSequence, got ${typeof sequence}`);
  }
  const batchFirst = options.batchFirst ?? false;
  const paddingValue = options.paddingValue ?? 0;
  checkPaddingValue(op, paddingValue, sequence.data.dtype);
  const bs = sequence.batchSizes.data as Int32Array;
  const maxLength = bs.length;
  const total = options.totalLength ?? maxLength;
  if (!Number.isInteger(total) || total < maxLength) {
    throw new Error(
      `${op}: expected totalLength to be at least the length of the longest sequence in input, ` +
        `but got totalLength=${String(options.totalLength)} and max sequence length being ${maxLength}`,
    );
  }
  const B = bs[0];
  const offsets = new Int32Array(maxLength);
  for (let t = 1; t < maxLength; t++) offsets[t] = offsets[t - 1] + bs[t - 1];
  const position = sequence.unsortedIndices?.data as Int32Array | undefined;
  const feature = sequence.data.shape.slice(1);
  const rows = reshape(sequence.data, [sequence.data.shape[0], numel(feature)]); // [N, F]
  const out = scatterToPadded(rows, total, B, batchFirst, paddingValue, (t, b) => {
    const k = position ? position[b] : b; // sorted position of sequence b
    return t < maxLength && k < bs[t] ? offsets[t] + k : -1;
  });
  const lengths = new Tensor(sequence.lengths(), [B]);
  return [reshape(out, batchFirst ? [B, total, ...feature] : [total, B, ...feature]), lengths];
}

/**
 * Stacks sequences [L_b, *] into [T, B, *] ([B, T, *] with batchFirst), T = max L_b, filling the
 * tail of shorter ones with paddingValue. Sequences may be empty (L_b = 0).
 */
export function padSequence(
  sequences: readonly Tensor[],
  options: PadSequenceOptions = {},
): Tensor {
  const op = "padSequence";
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new Error(`${op}: expected a non-empty array of tensors [L, *]`);
  }
  const first = sequences[0];
  sequences.forEach((s, b) => {
    const ok =
      s instanceof Tensor &&
      s.dim() >= 1 &&
      s.dim() === first.dim() &&
      s.dtype === first.dtype &&
      s.shape.every((n, d) => d === 0 || n === first.shape[d]);
    if (!ok) {
      const got = s instanceof Tensor ? `${s.dtype} ${formatShape(s.shape)}` : typeof s;
      throw new Error(
        `${op}: expected every sequence to be [L, ${first.shape.slice(1).join(", ") || "*"}] ` +
          `(${first.dtype}) like sequences[0], got ${got} at sequences[${b}]`,
      );
    }
  });
  const batchFirst = options.batchFirst ?? false;
  const paddingValue = options.paddingValue ?? 0;
  checkPaddingValue(op, paddingValue, first.dtype);
  const feature = first.shape.slice(1);
  const F = numel(feature);
  const B = sequences.length;
  const lens = sequences.map((s) => s.shape[0]);
  const T = Math.max(...lens);
  const starts = new Int32Array(B);
  for (let b = 1; b < B; b++) starts[b] = starts[b - 1] + lens[b - 1];
  const all = cat(sequences.map((s) => reshape(s, [s.shape[0], F]))); // [ΣL, F]
  const out = scatterToPadded(all, T, B, batchFirst, paddingValue, (t, b) =>
    t < lens[b] ? starts[b] + t : -1,
  );
  return reshape(out, batchFirst ? [B, T, ...feature] : [T, B, ...feature]);
}
