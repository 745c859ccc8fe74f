/**
 * Row sources: tensors known to hold rows of a small table, x[…, :] = table[index[…], :] — an
 * embedding lookup, and what permutes and reshapes that keep the last dim make of it. The fused
 * recurrent layer uses this (ops/recurrent-input.ts): when its input is rows of a table with far
 * fewer rows than the input (a character vocabulary of 96 against 3 200 time steps), the input
 * projection is the table's projected once and gathered,
 *
 *   X·Wᵀ = (T·Wᵀ)[index]                 [V, I]·[I, G·H] instead of [N, I]·[I, G·H]
 *   dW = dGᵀ·X = Sᵀ·T,   dT = S·W        with S = Σ_{n: index[n] = v} dG[n]  [V, G·H]
 *
 * so three GEMMs over N rows become three over V rows and one scatter-add (issue 5: ≈ 2.5 of W2's
 * 18 GFLOP a step). Only the summation order changes: the forward is bit-identical (every row of
 * a GEMM is summed alike), the weight and table gradients agree to float32 rounding.
 *
 * A source is a hint, never trusted blindly: the layer checks the rows bit for bit against the
 * table before using it (storage is mutable), and sends gradients to the table instead of x only
 * when x's own tape path is exactly that lookup (`onTape`: every op from the table to x recorded
 * itself), so a detached or re-leafed x never leaks gradient into the table.
 *
 * @example
 *   const x = reshape(transpose(embedding(ids, w), 0, 1), [-1, 128]);
 *   rowSource(x); // { table: w, index: ids in x's row order, onTape: true, … }
 */
import { backend } from "../backend/registry.js";
import { contiguousStrides } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export interface RowSource {
  /** [V, width] */
  readonly table: Tensor;
  /** One table row per row of x, in x's row order. */
  readonly index: Int32Array;
  /** The embedding's padding row (it gets no gradient), or null. */
  readonly paddingIdx: number | null;
  /**
   * True when x's tape path from the table is exactly this lookup, with a dense gradient (a
   * sparse embedding's gradient must stay row-sparse, so it flows through x as usual).
   */
  readonly onTape: boolean;
}

const sources = new WeakMap<Tensor, RowSource>();

export function rowSource(x: Tensor): RowSource | undefined {
  return sources.get(x);
}

export function setRowSource(x: Tensor, source: RowSource): void {
  sources.set(x, source);
}

/** After `out = reshape(x, …)`: the same rows when the last dim is unchanged. */
export function reshapeRowSource(x: Tensor, out: Tensor, recorded: boolean): void {
  const s = sources.get(x);
  if (!s || out.dim() === 0 || out.shape[out.dim() - 1] !== x.shape[x.dim() - 1]) return;
  sources.set(out, { ...s, onTape: s.onTape && recorded });
}

/** After `out = permute(x, perm)`: the index permuted alike, when the last dim stays last. */
export function permuteRowSource(
  x: Tensor,
  out: Tensor,
  perm: readonly number[],
  recorded: boolean,
): void {
  const s = sources.get(x);
  const last = perm.length - 1;
  if (!s || last < 0 || perm[last] !== last) return;
  const lead = perm.slice(0, last);
  const strides = contiguousStrides(x.shape.slice(0, last));
  const index = new Int32Array(s.index.length);
  const view = {
    offset: 0,
    shape: lead.map((p) => x.shape[p]),
    strides: lead.map((p) => strides[p]),
  };
  backend().stridedCopy(s.index, view, index);
  sources.set(out, { ...s, index, onTape: s.onTape && recorded });
}

/** True when every row r of x [rows, width] is bit for bit row index[r] of table. */
export function rowsMatch(
  x: Float32Array,
  table: Float32Array,
  width: number,
  index: Int32Array,
): boolean {
  if (x.length !== index.length * width) return false;
  const xs = new Int32Array(x.buffer, x.byteOffset, x.length);
  const ts = new Int32Array(table.buffer, table.byteOffset, table.length);
  const rows = table.length / width;
  for (let r = 0; r < index.length; r++) {
    const v = index[r];
    if (!(v >= 0 && v < rows)) return false;
    const a = r * width;
    const b = v * width;
    for (let j = 0; j < width; j++) if (xs[a + j] !== ts[b + j]) return false;
  }
  return true;
}
