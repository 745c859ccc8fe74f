/**
 * Packing: padded batches or lists of sequences → PackedSequence (PyTorch's pack_padded_sequence
 * and pack_sequence). With lengths sorted decreasingly (or sorted here when enforceSorted is
 * false, remembering the permutation):
 *
 *   batchSizes[t] = #{b : lengths[b] > t}
 *   data = rows (t, sortedIndices[k]) of the input for t = 0..T−1, k = 0..batchSizes[t]−1
 *
 * Packing is ONE indexSelect over the input's rows ([T·B, F] viewed flat), so the backward is the
 * indexSelect rule (a scatter-add into the padded gradient; padding gets zero) and no new
 * derivative is needed. int32 inputs (token ids) are packed the same way, without a tape.
 *
 * @example
 * const x = randn([4, 3, 2]);                                    // [T, B, *]
 * const p = packPaddedSequence(x, [4, 1, 3], { enforceSorted: false });
 * p.data.shape;                // [8, 2]
 * p.batchSizes.toArray();      // [3, 2, 2, 1]
 */
import { cat, reshape } from "../../ops/movement.js";
import { formatShape, numel } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { selectRows } from "./rows.js";
import { lengthsArray, PackedSequence, type Lengths } from "./packed-sequence.js";

export interface PackOptions {
  /** The input is [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /**
   * Requires lengths sorted decreasingly (default true), as PyTorch; false sorts them and keeps
   * sortedIndices / unsortedIndices so that results come back in the caller's order.
   */
  enforceSorted?: boolean;
}

/** batchSizes and the stable decreasing order of `lengths` (ties keep their input order). */
export function sortLengths(
  op: string,
  lengths: Int32Array,
  enforceSorted: boolean,
): { batchSizes: Int32Array; order: Int32Array | null } {
  const B = lengths.length;
  for (let b = 0; b < B; b++) {
    if (!(lengths[b] > 0)) {
      throw new Error(
        `${op}: length of all samples has to be greater than 0, but found lengths[${b}] = ${lengths[b]}`,
      );
    }
  }
  let order: Int32Array | null = null;
  if (enforceSorted) {
    for (let b = 1; b < B; b++) {
      if (lengths[b] > lengths[b - 1]) {
        throw new Error(
          `${op}: lengths must be sorted in decreasing order when enforceSorted is true, got ` +
            `[${[...lengths].join(", ")}]; pass { enforceSorted: false } to sort them internally`,
        );
      }
    }
  } else {
    order = Int32Array.from({ length: B }, (_, b) => b).sort((i, j) => lengths[j] - lengths[i]);
  }
  const T = B === 0 ? 0 : Math.max(...lengths);
  const batchSizes = new Int32Array(T);
  for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]; t++) batchSizes[t]++;
  return { batchSizes, order };
}

/**
 * Packs a padded batch `input` [T, B, *] ([B, T, *] with batchFirst) whose sequence b has length
 * lengths[b] (1 ≤ lengths[b] ≤ T).
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: Lengths,
  options: PackOptions = {},
): PackedSequence {
  const op = "packPaddedSequence";
  const batchFirst = options.batchFirst ?? false;
  const enforceSorted = options.enforceSorted ?? true;
  if (!(input instanceof Tensor) || input.dim() < 2) {
    const got = input instanceof Tensor ? formatShape(input.shape) : typeof input;
    throw new Error(
      `${op}: expected input of shape ${batchFirst ? "[B, T, *]" : "[T, B, *]"}, got ${got}`,
    );
  }
  const lens = lengthsArray(op, lengths);
  const T = input.shape[batchFirst ? 1 : 0];
  const B = input.shape[batchFirst ? 0 : 1];
  if (lens.length !== B) {
    throw new Error(
      `${op}: expected as many lengths as the batch size ${B} of input ${formatShape(input.shape)}, got ${lens.length}`,
    );
  }
  if (B === 0)
    throw new Error(`${op}: cannot pack an empty batch (input ${formatShape(input.shape)})`);
  const { batchSizes, order } = sortLengths(op, lens, enforceSorted);
  if (batchSizes.length > T) {
    const b = lens.indexOf(batchSizes.length);
    throw new Error(
      `${op}: lengths[${b}] = ${lens[b]} exceeds the ${T} time steps of input ${formatShape(input.shape)}`,
    );
  }
  const feature = input.shape.slice(2);
  const F = numel(feature);
  // Row of (t, b) in the flat [T·B, F] ([B·T, F] with batchFirst) view.
  const index = new Int32Array(batchSizes.reduce((a, n) => a + n, 0));
  let row = 0;
  for (let t = 0; t < batchSizes.length; t++) {
    for (let k = 0; k < batchSizes[t]; k++) {
      const b = order ? order[k] : k;
      index[row++] = batchFirst ? b * T + t : t * B + b;
    }
  }
  const rows = selectRows(reshape(input, [T * B, F]), index); // [N, F]
  const data = reshape(rows, [index.length, ...feature]);
  const sorted = order ? new Tensor(order, [B]) : null;
  return new PackedSequence(data, new Tensor(batchSizes, [batchSizes.length]), sorted);
}

/**
 * Packs a list of sequences [L_b, *] (PyTorch's pack_sequence): one cat of the sequences, then one
 * row gather into packed order — no padded intermediate.
 */
export function packSequence(
  sequences: readonly Tensor[],
  options: { enforceSorted?: boolean } = {},
): PackedSequence {
  const op = "packSequence";
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
  const lens = Int32Array.from(sequences, (s) => s.shape[0]);
  const { batchSizes, order } = sortLengths(op, lens, options.enforceSorted ?? true);
  const feature = first.shape.slice(1);
  const F = numel(feature);
  const starts = new Int32Array(lens.length);
  for (let b = 1; b < lens.length; b++) starts[b] = starts[b - 1] + lens[b - 1];
  const index = new Int32Array(starts[lens.length - 1] + lens[lens.length - 1]);
  let row = 0;
  for (let t = 0; t < batchSizes.length; t++) {
    for (let k = 0; k < batchSizes[t]; k++) index[row++] = starts[order ? order[k] : k] + t;
  }
  const all = cat(sequences.map((s) => reshape(s, [s.shape[0], F]))); // [N, F], original order
  const data = reshape(selectRows(all, index), [index.length, ...feature]);
  const sorted = order ? new Tensor(order, [order.length]) : null;
  return new PackedSequence(data, new Tensor(batchSizes, [batchSizes.length]), sorted);
}
