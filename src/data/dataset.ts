/**
 * Map-style datasets, as in `torch.utils.data`: anything with a `length` and `get(i)` for
 * 0 ≤ i < length. `ArrayDataset` wraps a JS array, `TensorDataset` indexes the first dim of equally
 * long tensors, and `Subset` views a dataset through a list of indices (what `randomSplit` returns).
 *
 * @example
 * const ds = new TensorDataset(x, y);     // x [N, T], y [N]
 * const [xi, yi] = ds.get(3);             // x[3] [T], y[3] []
 * const train = new Subset(ds, [0, 2, 4]);
 */
import { select } from "../ops/movement.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export interface Dataset<T> {
  /** Number of samples. */
  readonly length: number;
  /** Sample `index`, 0 ≤ index < length. */
  get(index: number): T;
}

/** Throws unless `index` is an integer in [0, length). */
export function checkIndex(where: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${where}: expected an integer index in [0, ${length}), got ${index}`);
  }
}

/** A dataset over the elements of an array (kept by reference, not copied). */
export class ArrayDataset<T> implements Dataset<T> {
  constructor(readonly items: readonly T[]) {
    if (!Array.isArray(items)) throw new Error("ArrayDataset: expected an array of samples");
  }

  get length(): number {
    return this.items.length;
  }

  get(index: number): T {
    checkIndex("ArrayDataset.get", index, this.items.length);
    return this.items[index];
  }
}

/** Wraps an array (or returns a dataset unchanged), so loaders accept both. */
export function asDataset<T>(data: Dataset<T> | readonly T[]): Dataset<T> {
  if (Array.isArray(data)) return new ArrayDataset(data as readonly T[]);
  const ds = data as Dataset<T>;
  if (typeof ds?.get !== "function" || !Number.isInteger(ds.length) || ds.length < 0) {
    throw new Error("asDataset: expected an array or an object with `length` and `get(i)`");
  }
  return ds;
}

/** Like `torch.utils.data.TensorDataset`: sample i is `[t[i] for t in tensors]`. */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error("TensorDataset: expected at least one tensor");
    const n = tensors[0].dim() > 0 ? tensors[0].shape[0] : -1;
    tensors.forEach((t, i) => {
      if (t.dim() === 0 || t.shape[0] !== n) {
        throw new Error(
          `TensorDataset: expected tensors with the same size ${n} in dim 0, but tensors[${i}] ` +
            `has shape ${formatShape(t.shape)}`,
        );
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    checkIndex("TensorDataset.get", index, this.length);
    return this.tensors.map((t) => select(t, 0, index));
  }
}

/** The samples of `dataset` at `indices`, in that order (like `torch.utils.data.Subset`). */
export class Subset<T> implements Dataset<T> {
  readonly indices: readonly number[];

  constructor(
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    const n = dataset.length;
    const copy = Array.from(indices);
    copy.forEach((i, k) => checkIndex(`Subset: indices[${k}]`, i, n));
    this.indices = copy;
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    checkIndex("Subset.get", index, this.indices.length);
    return this.dataset.get(this.indices[index]);
  }
}
