/**
 * PackedSequence (PyTorch's torch.nn.utils.rnn.PackedSequence): a batch of variable-length
 * sequences stored time-major without padding. Sequences are sorted by decreasing length; step t
 * owns the batchSizes[t] rows that follow those of steps 0..t−1, one per sequence still running:
 *
 *   data        [N, *]  N = Σ_t batchSizes[t] = Σ_b lengths[b]
 *   batchSizes  int32 [T]  non-increasing, batchSizes[t] = #{b : lengths[b] > t}
 *   sortedIndices    int32 [B] or null: sorted position k holds original sequence sortedIndices[k]
 *   unsortedIndices  int32 [B] or null: its inverse (original b sits at position unsortedIndices[b])
 *
 * Both index tensors are null when the batch came already sorted (enforceSorted: true). Recurrent
 * layers take and return PackedSequences; they work on `data` directly and shrink the batch as
 * sequences end.
 *
 * @example
 * const x = randn([5, 3, 2]);                                   // [T, B, *]
 * const p = packPaddedSequence(x, [2, 5, 3], { enforceSorted: false });
 * p.batchSizes.toArray();      // [3, 3, 2, 1, 1]
 * p.sortedIndices!.toArray();  // [1, 2, 0]
 */
import { formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";

/** Lengths as a caller may give them: a 1-D tensor (any dtype, integer values) or numbers. */
export type Lengths = Tensor | readonly number[] | Int32Array;

function describe(x: unknown): string {
  if (x instanceof Tensor) return `${x.dtype} ${formatShape(x.shape)}`;
  return x === null ? "null" : typeof x;
}

/** Checks a 1-D int32 index tensor that is a permutation of 0..n−1. */
function checkPermutation(what: string, p: Tensor, n: number): void {
  if (!(p instanceof Tensor) || p.dtype !== "int32" || p.dim() !== 1 || p.shape[0] !== n) {
    throw new Error(
      `PackedSequence: expected ${what} to be an int32 tensor of shape [${n}], got ${describe(p)}`,
    );
  }
  const seen = new Uint8Array(n);
  for (const v of p.data) {
    if (!(v >= 0 && v < n) || seen[v]) {
      throw new Error(
        `PackedSequence: expected ${what} to be a permutation of 0..${n - 1}, got [${[...p.data].join(", ")}]`,
      );
    }
    seen[v] = 1;
  }
}

/** The inverse permutation: out[p[k]] = k (PyTorch's invert_permutation). */
export function invertPermutation(p: Tensor): Tensor {
  const src = p.data as Int32Array;
  const out = new Int32Array(src.length);
  for (let k = 0; k < src.length; k++) out[src[k]] = k;
  return new Tensor(out, [src.length]);
}

export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  /**
   * Wraps already-packed rows. Prefer packPaddedSequence / packSequence, which compute the batch
   * sizes and indices. `unsortedIndices` is derived from `sortedIndices` when omitted.
   */
  constructor(
    data: Tensor,
    batchSizes: Tensor | readonly number[] | Int32Array,
    sortedIndices: Tensor | null = null,
    unsortedIndices: Tensor | null = null,
  ) {
    if (!(data instanceof Tensor) || data.dim() < 1) {
      throw new Error(
        `PackedSequence: expected data to be a tensor of shape [N, *], got ${describe(data)}`,
      );
    }
    const sizes =
      batchSizes instanceof Tensor
        ? batchSizes
        : new Tensor(Int32Array.from(batchSizes as ArrayLike<number>), [batchSizes.length]);
    if (sizes.dtype !== "int32" || sizes.dim() !== 1 || sizes.shape[0] === 0) {
      throw new Error(
        `PackedSequence: expected batchSizes to be a non-empty 1-D int32 tensor, got ${describe(sizes)}`,
      );
    }
    const bs = sizes.data as Int32Array;
    let total = 0;
    for (let t = 0; t < bs.length; t++) {
      if (!(bs[t] > 0) || (t > 0 && bs[t] > bs[t - 1])) {
        throw new Error(
          `PackedSequence: expected positive, non-increasing batchSizes, got [${[...bs].join(", ")}]`,
        );
      }
      total += bs[t];
    }
    if (data.shape[0] !== total) {
      throw new Error(
        `PackedSequence: batchSizes sum to ${total} but data has ${data.shape[0]} rows (shape ${formatShape(data.shape)})`,
      );
    }
    if (sortedIndices === null && unsortedIndices !== null) {
      throw new Error("PackedSequence: unsortedIndices given without sortedIndices");
    }
    if (sortedIndices !== null) {
      checkPermutation("sortedIndices", sortedIndices, bs[0]);
      if (unsortedIndices === null) unsortedIndices = invertPermutation(sortedIndices);
      checkPermutation("unsortedIndices", unsortedIndices, bs[0]);
    }
    this.data = data;
    this.batchSizes = sizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices;
  }

  /** The number of sequences (batchSizes[0]). */
  get batchSize(): number {
    return this.batchSizes.data[0];
  }

  /** The longest sequence's length (the number of steps). */
  get maxLength(): number {
    return this.batchSizes.shape[0];
  }

  /** The same batch structure around new rows (what a recurrent layer returns). */
  withData(data: Tensor): PackedSequence {
    return new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }

  /** The sequence lengths in the original (unsorted) batch order, as an Int32Array. */
  lengths(): Int32Array {
    const bs = this.batchSizes.data as Int32Array;
    const sortedLengths = new Int32Array(bs[0]);
    for (let t = 0; t < bs.length; t++) for (let b = 0; b < bs[t]; b++) sortedLengths[b]++;
    if (this.unsortedIndices === null) return sortedLengths;
    const u = this.unsortedIndices.data as Int32Array;
    return Int32Array.from(u, (k) => sortedLengths[k]);
  }

  toString(): string {
    return (
      `PackedSequence(data=${formatShape(this.data.shape)}, batchSizes=[${[...this.batchSizes.data].join(", ")}], ` +
      `sortedIndices=${this.sortedIndices ? `[${[...this.sortedIndices.data].join(", ")}]` : "null"})`
    );
  }
}

/** Reads lengths (a 1-D tensor or an array of integers) into an Int32Array, naming `op`. */
export function lengthsArray(op: string, lengths: Lengths): Int32Array {
  let values: ArrayLike<number>;
  if (lengths instanceof Tensor) {
    if (lengths.dim() !== 1) {
      throw new Error(
        `${op}: expected lengths to be a 1-D tensor or an array, got shape ${formatShape(lengths.shape)}`,
      );
    }
    values = lengths.data;
  } else if (Array.isArray(lengths) || lengths instanceof Int32Array) {
    values = lengths as ArrayLike<number>;
  } else {
    throw new Error(
      `${op}: expected lengths to be a 1-D tensor or an array, got ${describe(lengths)}`,
    );
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new Error(`${op}: expected integer lengths, got ${String(v)} at position ${i}`);
    }
    out[i] = v;
  }
  return out;
}
