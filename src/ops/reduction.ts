/** Reductions along dims, (log-)softmax, and the ops composed from them. */
import { record } from "../autograd/derivatives.js";
import type { ReduceOp } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { formatShape, normalizeDim, normalizeDims, splitAt } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { abs, add, eq, exp, log, mul, sub, where } from "./elementwise.js";
import { detachShared, reshape } from "./movement.js";
import { checkTensor, empty, emptyInt, f32, needsGrad } from "./util.js";

function keptShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

function reduceRaw(op: ReduceOp, x: Tensor, dims: readonly number[]): Float32Array {
  let data = f32(x);
  const shape = [...x.shape];
  // Reduce the highest dim first so that lower dims keep their positions.
  for (const d of [...dims].sort((a, b) => b - a)) {
    const { outer, size, inner } = splitAt(shape, d);
    const out = new Float32Array(outer * inner);
    backend().reduceForward(op, data, outer, size, inner, out);
    data = out;
    shape[d] = 1;
  }
  return data === x.data ? Float32Array.from(data) : data;
}

/** Sum over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkTensor("sum", x);
  const dims = normalizeDims("sum", dim, x.dim());
  const out = new Tensor(reduceRaw("sum", x, dims), keptShape(x.shape, dims, keepdim));
  if (needsGrad(x))
    record("sum", [x], [out], { inputShape: x.shape, keptShape: keptShape(x.shape, dims, true) });
  return out;
}

export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkTensor("mean", x);
  const dims = normalizeDims("mean", dim, x.dim());
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return mul(sum(x, dims, keepdim), 1 / count);
}

function extremum(name: "max" | "min", x: Tensor, dim: number, keepdim: boolean): [Tensor, Tensor] {
  checkTensor(name, x);
  const d = normalizeDim(name, dim, x.dim());
  if (x.dim() > 0 && x.shape[d] === 0) {
    throw new Error(
      `${name}: cannot reduce over dim ${dim} of size 0 (shape ${formatShape(x.shape)})`,
    );
  }
  const { outer, size, inner } = splitAt(x.shape, d);
  const shape = keptShape(x.shape, x.dim() === 0 ? [] : [d], keepdim);
  const values = empty(shape);
  const indices = emptyInt(shape);
  backend().reduceForward(
    name,
    f32(x),
    outer,
    size,
    inner,
    values.data as Float32Array,
    indices.data as Int32Array,
  );
  if (needsGrad(x)) record("maxMin", [x], [values], { inputShape: x.shape, dim: d, indices });
  return [values, indices];
}

/** `[values, indices]` of the maximum along `dim`. */
export function max(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] {
  return extremum("max", x, dim, keepdim);
}

export function min(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] {
  return extremum("min", x, dim, keepdim);
}

/** The largest element (0-d); unlike `max(x, dim)`, ties share the gradient evenly, as in PyTorch. */
export function maxAll(x: Tensor): Tensor {
  if (x.numel() === 0) throw new Error("max: cannot take the maximum of an empty tensor");
  return extremumAll(max(reshape(detachShared(x), [-1]), 0)[0], x);
}

export function minAll(x: Tensor): Tensor {
  if (x.numel() === 0) throw new Error("min: cannot take the minimum of an empty tensor");
  return extremumAll(min(reshape(detachShared(x), [-1]), 0)[0], x);
}

function extremumAll(value: Tensor, x: Tensor): Tensor {
  if (needsGrad(x)) record("maxMinAll", [x], [value], { x, value });
  return value;
}

export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return dim === undefined
    ? max(reshape(detachShared(x), [-1]), 0)[1]
    : max(detachShared(x), dim, keepdim)[1];
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return dim === undefined
    ? min(reshape(detachShared(x), [-1]), 0)[1]
    : min(detachShared(x), dim, keepdim)[1];
}

function softmaxLike(name: "softmax" | "logSoftmax", x: Tensor, dim: number): Tensor {
  checkTensor(name, x);
  if (dim === undefined)
    throw new Error(`${name}: dim is required (PyTorch's implicit dim is deprecated)`);
  const d = normalizeDim(name, dim, x.dim());
  const { outer, size, inner } = splitAt(x.shape, d);
  const out = empty(x.shape);
  backend().softmaxForward(
    f32(x),
    outer,
    size,
    inner,
    name === "logSoftmax",
    out.data as Float32Array,
  );
  if (needsGrad(x)) record(name, [x], [out], { out, outer, size, inner });
  return out;
}

export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxLike("softmax", x, dim);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxLike("logSoftmax", x, dim);
}

/** log Σ exp(x) along `dim`, computed stably. */
export function logsumexp(x: Tensor, dim: number, keepdim = false): Tensor {
  // An infinite max would give inf − inf = NaN; shifting by 0 there gives ±inf, as PyTorch does.
  const m0 = max(detachShared(x), dim, true)[0];
  const m = where(eq(abs(m0), Infinity), 0, m0);
  const shifted = log(sum(exp(sub(x, m)), dim, true));
  const out = add(shifted, m);
  return keepdim
    ? out
    : reshape(out, keptShape(x.shape, [normalizeDim("logsumexp", dim, x.dim())], false));
}
