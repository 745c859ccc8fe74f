/** Making tensors: from JS data, filled, ranges and seeded random draws. */
import { backend } from "../backend/registry.js";
import { defaultGenerator, type Generator } from "./random.js";
import { checkShape, formatShape, numel } from "./shape.js";
import { Tensor, type DType, type NestedArray, type Storage } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface FromDataOptions extends TensorOptions {
  /** Required for flat data (plain or typed arrays) that is not 1-D. */
  shape?: readonly number[];
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type Data = NestedArray | Float32Array | Int32Array | Float64Array | readonly number[];

function flattenNested(data: NestedArray): number[] {
  const out: number[] = [];
  const walk = (x: NestedArray) => {
    if (Array.isArray(x)) x.forEach(walk);
    else out.push(Number(x));
  };
  walk(data);
  return out;
}

/**
 * Storage of a created tensor. Float32 comes from the backend (`Backend.storage`): the wasm
 * backend keeps large ones in its memory, so that parameters (created by `zeros` and filled in
 * place) and optimizer state reach its kernels without copies.
 */
function allocate(dtype: DType, n: number): Storage {
  return dtype === "int32" ? new Int32Array(n) : backend().storage(n);
}

/** Infers the shape of nested arrays, rejecting ragged ones. */
function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const check = (x: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(x))
        throw new Error(`tensor: ragged nested array at ${path}: expected a number, got an array`);
      if (typeof x !== "number" && typeof x !== "boolean") {
        throw new Error(`tensor: expected numbers, got ${typeof x} at ${path}`);
      }
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new Error(
        `tensor: ragged nested array at ${path}: expected ${shape[dim]} elements, got ` +
          (Array.isArray(x) ? x.length : "a number"),
      );
    }
    x.forEach((v, i) => check(v, dim + 1, `${path}[${i}]`));
  };
  check(data, 0, "data");
  return shape;
}

/**
 * A tensor from a number, nested arrays, a flat array or a typed array (flat data needs `shape`
 * unless it is 1-D). Int32Array data gives an int32 tensor; everything else float32 unless
 * `dtype` says otherwise.
 */
export function tensor(data: Data, options: FromDataOptions = {}): Tensor {
  const isTyped = ArrayBuffer.isView(data);
  const dtype = options.dtype ?? (data instanceof Int32Array ? "int32" : "float32");
  let flat: ArrayLike<number>;
  let shape: readonly number[];
  if (isTyped) {
    flat = data as ArrayLike<number>;
    shape = options.shape ?? [flat.length];
  } else if (options.shape !== undefined) {
    const nested = data as NestedArray;
    flat = flattenNested(nested);
    shape = options.shape;
  } else {
    const nested = data as NestedArray;
    shape = inferShape(nested);
    flat = flattenNested(nested);
  }
  checkShape("tensor", shape);
  if (flat.length !== numel(shape)) {
    throw new Error(`tensor: ${flat.length} values cannot have shape ${formatShape(shape)}`);
  }
  const storage = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    if (dtype === "int32" && !Number.isInteger(v)) {
      throw new Error(`tensor: int32 data must be integers, got ${v} at flat index ${i}`);
    }
    storage[i] = v;
  }
  return new Tensor(storage, shape, options.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape("full", shape);
  const storage = allocate(options.dtype ?? "float32", numel(shape));
  if (value !== 0) storage.fill(value);
  return new Tensor(storage, shape, options.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/**
 * `arange(end)`, `arange(start, end, step?)`. Like PyTorch, integer arguments give an int32
 * tensor and any fractional one a float32 tensor, unless `dtype` is given.
 */
export function arange(end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, options?: TensorOptions): Tensor;
export function arange(
  a: number,
  b?: number | TensorOptions,
  c?: number,
  d?: TensorOptions,
): Tensor {
  const [start, end, step, options] =
    typeof b === "number"
      ? [a, b, c ?? 1, d ?? {}]
      : [0, a, 1, (b as TensorOptions | undefined) ?? {}];
  if (step === 0 || !Number.isFinite(step))
    throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInt = [start, end, step].every(Number.isInteger);
  const storage = allocate(options.dtype ?? (allInt ? "int32" : "float32"), n);
  for (let i = 0; i < n; i++) storage[i] = start + i * step;
  return new Tensor(storage, [n], options.requiresGrad ?? false);
}

/** Uniform in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape("rand", shape);
  const g = options.generator ?? defaultGenerator;
  const storage = new Float32Array(numel(shape));
  for (let i = 0; i < storage.length; i++) storage[i] = g.uniform();
  return new Tensor(storage, shape, options.requiresGrad ?? false);
}

/** Standard normal. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape("randn", shape);
  const g = options.generator ?? defaultGenerator;
  const storage = new Float32Array(numel(shape));
  for (let i = 0; i < storage.length; i++) storage[i] = g.normal();
  return new Tensor(storage, shape, options.requiresGrad ?? false);
}

/** Uniform integers in [low, high), int32. */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  options: RandomOptions = {},
): Tensor {
  checkShape("randint", shape);
  if (!(high > low)) throw new Error(`randint: expected low < high, got low=${low}, high=${high}`);
  const g = options.generator ?? defaultGenerator;
  const storage = new Int32Array(numel(shape));
  for (let i = 0; i < storage.length; i++) storage[i] = low + g.integer(high - low);
  return new Tensor(storage, shape);
}

export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return rand(t.shape, options);
}

export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return randn(t.shape, options);
}

/** A random permutation of 0..n-1 (int32), by Fisher–Yates. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`randperm: expected a non-negative integer n, got ${n}`);
  const g = options.generator ?? defaultGenerator;
  const storage = new Int32Array(n);
  for (let i = 0; i < n; i++) storage[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(i + 1);
    const tmp = storage[i];
    storage[i] = storage[j];
    storage[j] = tmp;
  }
  return new Tensor(storage, [n]);
}
