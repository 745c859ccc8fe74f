/**
 * Tensor: a shape, contiguous row-major storage (float32, or int32 for indices) and, when it is
 * the result of a recorded op, the tape node that made it. Storage is always contiguous: movement
 * ops copy (except reshape, which shares), which keeps every kernel a simple loop.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * x.grad!.toArray(); // [[2, 4], [6, 8]]
 */
import { runBackward, type Node } from "../autograd/tape.js";
import * as ops from "../ops/index.js";
import { onesLike } from "./creation.js";
import { formatTensor } from "./format.js";
import { formatShape, numel, type Shape } from "./shape.js";
import { sparseToDense } from "./sparse.js";

export type DType = "float32" | "int32";
export type Storage = Float32Array | Int32Array;
export type NestedArray = number | boolean | NestedArray[];
export type ShapeArg = number | readonly number[];

/** Rows of the row-sparse tensor being built by `Tensor.rowSparse` (read by the constructor). */
let buildingRows: Int32Array | null = null;

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * Contiguous row-major storage, `numel()` long. Mutating it bypasses autograd. For a sparse
   * tensor, the values of its stored rows only (`values()`).
   */
  readonly data: Storage;
  /** The stored rows of a row-sparse tensor (unique, ascending), or null for a dense one. */
  private readonly sparseRows: Int32Array | null;
  private _grad: Tensor | null = null;
  /**
   * A dense gradient held as its nonzero rows (a row-sparse tensor standing for the dense one),
   * until something reads `grad`. A non-sparse nn.Embedding's backward gives its weight this, so
   * that Adam and gradient clipping can work on the rows a batch touched and never allocate the
   * dense table (tensor/sparse.ts).
   */
  private _gradRows: Tensor | null = null;
  /** The tape node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputIndex = 0;
  private _requiresGrad = false;

  constructor(data: Storage, shape: Shape, requiresGrad = false) {
    this.sparseRows = buildingRows;
    buildingRows = null;
    const expected = this.sparseRows
      ? this.sparseRows.length * numel(shape.slice(1))
      : numel(shape);
    if (data.length !== expected) {
      throw new Error(`Tensor: ${data.length} values cannot have shape ${formatShape(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Int32Array ? "int32" : "float32";
    if (requiresGrad) this.requiresGrad = true;
  }

  /**
   * A row-sparse tensor (PyTorch's sparse COO with one sparse dim, always coalesced): `shape` is
   * the full shape; `rows` [nnz] are the rows present, unique and ascending, and `values`
   * [nnz, …shape[1:]] their contents; absent rows are zero. What nn.Embedding({ sparse: true })
   * gives its weight as a gradient (tensor/sparse.ts).
   */
  static rowSparse(rows: Int32Array, values: Float32Array, shape: Shape): Tensor {
    buildingRows = rows;
    try {
      return new Tensor(values, shape);
    } finally {
      buildingRows = null;
    }
  }

  /** True for a row-sparse tensor (`Tensor.rowSparse`), like PyTorch's `is_sparse`. */
  get isSparse(): boolean {
    return this.sparseRows !== null;
  }

  /** A sparse tensor's stored rows [1, nnz] (int32), as PyTorch's `indices()`. */
  indices(): Tensor {
    const rows = this.sparseOnly("indices");
    return new Tensor(rows.slice(), [1, rows.length]);
  }

  /** A sparse tensor's stored values [nnz, …shape[1:]] (sharing storage), as `values()`. */
  values(): Tensor {
    const rows = this.sparseOnly("values");
    return new Tensor(this.data, [rows.length, ...this.shape.slice(1)]);
  }

  /** A dense copy of a sparse tensor; a dense tensor is returned as it is. */
  toDense(): Tensor {
    return this.sparseRows ? sparseToDense(this, this.sparseRows) : this;
  }

  private sparseOnly(what: string): Int32Array {
    if (!this.sparseRows) throw new Error(`${what}: expected a sparse tensor, got a dense one`);
    return this.sparseRows;
  }

  /** Gradient accumulated by `backward()`, or null. */
  get grad(): Tensor | null {
    if (this._gradRows !== null) {
      this._grad = this._gradRows.toDense();
      this._gradRows = null;
    }
    return this._grad;
  }

  set grad(value: Tensor | null) {
    this._grad = value;
    this._gradRows = null;
  }

  /**
   * @internal The gradient as it is held, without making a dense one: `rows` true when `grad`
   * is the row-sparse form of a dense gradient (see `_gradRows`); null when there is none.
   */
  heldGrad(): { grad: Tensor; rows: boolean } | null {
    if (this._gradRows !== null) return { grad: this._gradRows, rows: true };
    return this._grad === null ? null : { grad: this._grad, rows: false };
  }

  /** @internal Holds a dense gradient as its rows (a coalesced row-sparse tensor). */
  setGradRows(rows: Tensor): void {
    this._grad = null;
    this._gradRows = rows;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && this.dtype !== "float32") {
      throw new Error(
        `requiresGrad: only float32 tensors can require gradients, got ${this.dtype}`,
      );
    }
    if (!value && this.gradFn !== null) {
      throw new Error("requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()");
    }
    this._requiresGrad = value;
  }

  /** @internal Marks this tensor as output `index` of a recorded node. */
  setGradFn(node: Node, index: number): void {
    this.gradFn = node;
    this.outputIndex = index;
    this._requiresGrad = true;
  }

  /** Sets requiresGrad in place and returns this tensor (like PyTorch's `requires_grad_`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  numel(): number {
    return this.sparseRows ? numel(this.shape) : this.data.length;
  }

  dim(): number {
    return this.shape.length;
  }

  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    const d = dim < 0 ? dim + this.shape.length : dim;
    if (d < 0 || d >= this.shape.length) {
      throw new Error(
        `size: dim ${dim} is out of range for a tensor of shape ${formatShape(this.shape)}`,
      );
    }
    return this.shape[d];
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new Error(
        `item: expected a tensor with one element, got shape ${formatShape(this.shape)}`,
      );
    }
    return this.data[0];
  }

  /** Nested JS arrays, like PyTorch's `tolist()`; a 0-d tensor gives a number. */
  toArray(): NestedArray {
    if (this.sparseRows) return this.toDense().toArray();
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  toString(): string {
    if (this.sparseRows) return `sparse ${formatTensor(this.toDense())}`;
    return formatTensor(this);
  }

  /** Backpropagates from this tensor; `grad` defaults to 1 for a one-element tensor. */
  backward(grad?: Tensor, options: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new Error("backward: this tensor does not require grad and has no grad_fn");
    }
    if (grad === undefined) {
      if (this.numel() !== 1) {
        throw new Error(
          `backward: grad can be implicitly created only for one-element outputs, got shape ` +
            `${formatShape(this.shape)}; pass a gradient of the same shape`,
        );
      }
      grad = onesLike(this);
    } else if (
      grad.shape.length !== this.shape.length ||
      grad.shape.some((s, i) => s !== this.shape[i])
    ) {
      throw new Error(
        `backward: expected a gradient of shape ${formatShape(this.shape)}, got ${formatShape(grad.shape)}`,
      );
    }
    runBackward(this, ops.toFloat(grad), options.retainGraph ?? false, {
      sum: (a, b) => ops.add(a, b),
      accumulate: (dst, src) => ops.accumulateInto(dst, src),
      clone: (a) => ops.clone(a),
    });
  }

  /** A tensor sharing this one's storage, cut from the tape. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  // Everything below delegates to ops/, where shapes are checked and the tape is recorded.
  add(other: Tensor | number): Tensor {
    return ops.add(this, other);
  }
  sub(other: Tensor | number): Tensor {
    return ops.sub(this, other);
  }
  mul(other: Tensor | number): Tensor {
    return ops.mul(this, other);
  }
  div(other: Tensor | number): Tensor {
    return ops.div(this, other);
  }
  pow(exponent: Tensor | number): Tensor {
    return ops.pow(this, exponent);
  }
  maximum(other: Tensor | number): Tensor {
    return ops.maximum(this, other);
  }
  minimum(other: Tensor | number): Tensor {
    return ops.minimum(this, other);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sin(): Tensor {
    return ops.sin(this);
  }
  cos(): Tensor {
    return ops.cos(this);
  }
  clamp(min: number | null, max?: number | null): Tensor {
    return ops.clamp(this, min, max);
  }
  eq(other: Tensor | number): Tensor {
    return ops.eq(this, other);
  }
  ne(other: Tensor | number): Tensor {
    return ops.ne(this, other);
  }
  gt(other: Tensor | number): Tensor {
    return ops.gt(this, other);
  }
  lt(other: Tensor | number): Tensor {
    return ops.lt(this, other);
  }
  ge(other: Tensor | number): Tensor {
    return ops.ge(this, other);
  }
  le(other: Tensor | number): Tensor {
    return ops.le(this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return ops.maskedFill(this, mask, value);
  }

  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return ops.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return ops.mean(this, dim, keepdim);
  }
  /** Without `dim`: the largest value. With `dim`: `[values, indices]` like PyTorch. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? ops.maxAll(this) : ops.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? ops.minAll(this) : ops.min(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return ops.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return ops.argmin(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return ops.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return ops.logSoftmax(this, dim);
  }
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }

  reshape(...shape: ShapeArg[]): Tensor {
    return ops.reshape(this, flattenShapeArgs(shape));
  }
  view(...shape: ShapeArg[]): Tensor {
    return ops.reshape(this, flattenShapeArgs(shape));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  permute(...dims: ShapeArg[]): Tensor {
    return ops.permute(this, flattenShapeArgs(dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return ops.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-D tensor (0-D and 1-D are returned as they are). */
  t(): Tensor {
    return ops.t(this);
  }
  squeeze(dim?: number): Tensor {
    return ops.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return ops.unsqueeze(this, dim);
  }
  expand(...shape: ShapeArg[]): Tensor {
    return ops.expand(this, flattenShapeArgs(shape));
  }
  expandAs(other: Tensor): Tensor {
    return ops.expand(this, other.shape);
  }
  repeat(...repeats: ShapeArg[]): Tensor {
    return ops.repeat(this, flattenShapeArgs(repeats));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return ops.narrow(this, dim, start, length);
  }
  /** Python-style slice along one dim: `x.slice(1, 2, -1)` is `x[:, 2:-1]`. */
  slice(dim: number, start?: number, end?: number): Tensor {
    return ops.slice(this, dim, start, end);
  }
  /** Picks one index along `dim` and removes that dim (`x.select(0, 2)` is `x[2]`). */
  select(dim: number, index: number): Tensor {
    return ops.select(this, dim, index);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return ops.chunk(this, chunks, dim);
  }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return ops.split(this, splitSize, dim);
  }
  flip(...dims: ShapeArg[]): Tensor {
    return ops.flip(this, flattenShapeArgs(dims));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return ops.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return ops.gather(this, dim, index);
  }
  contiguous(): Tensor {
    return this;
  }
  clone(): Tensor {
    return ops.clone(this);
  }
  /** float32 copy (or this tensor when it already is float32). */
  float(): Tensor {
    return ops.toFloat(this);
  }
  /** int32 copy, truncating toward zero (or this tensor when it already is int32). */
  int(): Tensor {
    return ops.toInt(this);
  }
}

function flattenShapeArgs(args: ShapeArg[]): number[] {
  return args.length === 1 && typeof args[0] !== "number" ? [...args[0]] : (args as number[]);
}
