/**
 * Row-sparse tensors (`Tensor.rowSparse`): what `nn.Embedding({ sparse: true })` gives its weight
 * as a gradient, like PyTorch's `sparse=True`. A lookup of rows index[0..n) with output gradient
 * dy [n, width] has the gradient
 *
 *   dW[r, :] = Σ_{i: index[i] = r} dy[i, :]      for the rows r the batch touched, 0 elsewhere
 *
 * kept as those rows only (ascending, each once: coalesced, unlike PyTorch's lookup-order COO; the
 * sums run in lookup order, so the values are what PyTorch's `coalesce()` gives). Optimizers that
 * support sparse gradients (SGD without momentum or weight decay, Adagrad, SparseAdam) then touch
 * only those rows.
 *
 * A non-sparse embedding's weight gradient takes the same form inside (`accumulateRows`): the
 * rows of a dense gradient, which a parameter holds until something reads its `grad` (then it is
 * made dense). Adam updates from those rows (every other row's gradient is exactly 0, as the
 * dense scatter-add leaves it), and clipping scales them, so a step never allocates the table.
 *
 * @example
 *   const g = rowSparseFromLookup(Int32Array.of(4, 1, 4), dy, 3, [10, 3], null);
 *   g.indices().toArray(); // [[1, 4]]
 */
import { numel, type Shape } from "./shape.js";
import { Tensor } from "./tensor.js";

/** The coalesced gradient of a row lookup; rows equal to `skipRow` (padding) are left out. */
export function rowSparseFromLookup(
  index: Int32Array,
  dy: Float32Array,
  width: number,
  shape: Shape,
  skipRow: number | null,
): Tensor {
  const slot = new Map<number, number>();
  for (let i = 0; i < index.length; i++) {
    const r = index[i];
    if (r !== skipRow && !slot.has(r)) slot.set(r, 0);
  }
  const rows = Int32Array.from(slot.keys()).sort();
  rows.forEach((r, k) => slot.set(r, k));
  const values = new Float32Array(rows.length * width);
  for (let i = 0; i < index.length; i++) {
    const k = slot.get(index[i]);
    if (k === undefined) continue;
    const dst = k * width;
    const src = i * width;
    for (let j = 0; j < width; j++) values[dst + j] += dy[src + j];
  }
  return Tensor.rowSparse(rows, values, shape);
}

export function sparseToDense(s: Tensor, rows: Int32Array): Tensor {
  const width = numel(s.shape.slice(1));
  const out = new Float32Array(numel(s.shape));
  for (let k = 0; k < rows.length; k++) {
    out.set(s.data.subarray(k * width, (k + 1) * width), rows[k] * width);
  }
  return new Tensor(out, s.shape);
}

/** dense.data += s, in place. */
function addIntoDense(dense: Tensor, s: Tensor): void {
  const width = numel(s.shape.slice(1));
  const rows = s.indices().data as Int32Array;
  const d = dense.data as Float32Array;
  for (let k = 0; k < rows.length; k++) {
    const dst = rows[k] * width;
    for (let j = 0; j < width; j++) d[dst + j] += s.data[k * width + j];
  }
}

/** a + b for two row-sparse tensors of one shape: the union of their rows. */
function addSparse(a: Tensor, b: Tensor): Tensor {
  const width = numel(a.shape.slice(1));
  const ra = a.indices().data as Int32Array;
  const rb = b.indices().data as Int32Array;
  const rows: number[] = [];
  const values: number[][] = [];
  let [i, j] = [0, 0];
  const row = (t: Tensor, k: number) => Array.from(t.data.subarray(k * width, (k + 1) * width));
  while (i < ra.length || j < rb.length) {
    if (j >= rb.length || (i < ra.length && ra[i] < rb[j])) {
      rows.push(ra[i]);
      values.push(row(a, i++));
    } else if (i >= ra.length || rb[j] < ra[i]) {
      rows.push(rb[j]);
      values.push(row(b, j++));
    } else {
      const x = row(a, i++);
      const y = row(b, j++);
      rows.push(ra[i - 1]);
      values.push(x.map((v, k) => Math.fround(v + y[k])));
    }
  }
  return Tensor.rowSparse(Int32Array.from(rows), Float32Array.from(values.flat()), a.shape);
}

/**
 * How the tape adds a gradient `g` into a leaf's `grad` when either is sparse: sparse + sparse
 * stays sparse, dense + sparse is dense (written into the existing dense grad, as PyTorch's
 * AccumulateGrad does).
 */
export function accumulateGrad(grad: Tensor | null, g: Tensor): Tensor {
  if (grad === null) return g.isSparse ? g : new Tensor(g.data.slice(), g.shape);
  if (grad.isSparse && g.isSparse) return addSparse(grad, g);
  if (grad.isSparse) {
    const dense = new Tensor(g.data.slice(), g.shape);
    addIntoDense(dense, grad);
    return dense;
  }
  addIntoDense(grad, g);
  return grad;
}

/**
 * How the tape adds `g`, the rows of a dense gradient (coalesced row-sparse), into a leaf: held
 * as rows while the leaf's gradient is empty or rows too; added in place into a dense gradient;
 * made dense beside a row-sparse one (a weight shared with a sparse embedding). `g` is kept as
 * it is only when `owned` (no other tensor shares it).
 */
export function accumulateRows(leaf: Tensor, g: Tensor, owned: boolean): void {
  const held = leaf.heldGrad();
  if (held === null) {
    const rows = g.indices().data as Int32Array; // a copy
    leaf.setGradRows(owned ? g : Tensor.rowSparse(rows, g.data.slice() as Float32Array, g.shape));
  } else if (held.rows) leaf.setGradRows(addSparse(held.grad, g));
  else if (held.grad.isSparse) leaf.grad = accumulateGrad(held.grad, g.toDense());
  else addIntoDense(held.grad, g);
}
