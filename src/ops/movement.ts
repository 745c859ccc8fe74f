/** Shape and movement primitives: reshape (shares storage), permute, expand, narrow, flip, cat. */
import { record } from "../autograd/derivatives.js";
import { backend } from "../backend/registry.js";
import {
  broadcastStrides,
  checkShape,
  contiguousStrides,
  formatShape,
  normalizeDim,
  numel,
  sameShape,
} from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { permuteRowSource, reshapeRowSource } from "./row-source.js";
import { checkTensor, needsGrad } from "./util.js";

function allocLike(x: Tensor, shape: readonly number[]): Tensor {
  const n = numel(shape);
  return new Tensor(x.dtype === "int32" ? new Int32Array(n) : new Float32Array(n), shape);
}

/** A tensor sharing x's storage, off the tape. */
export function detachShared(x: Tensor): Tensor {
  return new Tensor(x.data, x.shape);
}

/** Resolves one -1 in a requested shape against `count` elements. */
function inferShape(op: string, from: readonly number[], shape: readonly number[]): number[] {
  const count = numel(from);
  const unknown = shape.filter((s) => s === -1).length;
  if (unknown > 1)
    throw new Error(`${op}: only one dimension can be -1, got ${formatShape(shape)}`);
  checkShape(
    op,
    shape.filter((s) => s !== -1),
  );
  const known = shape.reduce((n, s) => (s === -1 ? n : n * s), 1);
  const out = shape.map((s) => (s === -1 ? (known === 0 ? 0 : count / known) : s));
  if (numel(out) !== count || out.some((s) => !Number.isInteger(s))) {
    throw new Error(
      `${op}: shape ${formatShape(shape)} is invalid for input of shape ${formatShape(from)} (${count} elements)`,
    );
  }
  return out;
}

/** Same data, new shape (no copy; one dim may be -1). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", x);
  const resolved = inferShape("reshape", x.shape, shape);
  const out = new Tensor(x.data, resolved);
  const recorded = needsGrad(x);
  if (recorded) record("reshape", [x], [out], { inputShape: x.shape });
  reshapeRowSource(x, out, recorded);
  return out;
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normalizeDim("flatten", startDim, x.dim());
  const e = normalizeDim("flatten", endDim, x.dim());
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined)
    return reshape(
      x,
      x.shape.filter((s) => s !== 1),
    );
  const d = normalizeDim("squeeze", dim, x.dim());
  if (x.dim() === 0 || x.shape[d] !== 1) return x;
  return reshape(
    x,
    x.shape.filter((_, i) => i !== d),
  );
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.dim() + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Reorders dims (a copy). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor("permute", x);
  if (dims.length !== x.dim()) {
    throw new Error(
      `permute: expected ${x.dim()} dims for shape ${formatShape(x.shape)}, got ${formatShape(dims)}`,
    );
  }
  const perm = dims.map((d) => normalizeDim("permute", d, x.dim()));
  if (new Set(perm).size !== perm.length)
    throw new Error(`permute: dims ${formatShape(dims)} repeat a dimension`);
  const strides = contiguousStrides(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  const out = allocLike(x, shape);
  backend().stridedCopy(
    x.data,
    { offset: 0, shape, strides: perm.map((p) => strides[p]) },
    out.data,
  );
  const recorded = needsGrad(x);
  if (recorded) record("permute", [x], [out], { perm });
  permuteRowSource(x, out, perm, recorded);
  return out;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim("transpose", dim0, x.dim());
  const b = normalizeDim("transpose", dim1, x.dim());
  if (a === b) return x;
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

export function t(x: Tensor): Tensor {
  if (x.dim() > 2)
    throw new Error(`t: expects a tensor of rank ≤ 2, got shape ${formatShape(x.shape)}`);
  return x.dim() < 2 ? x : transpose(x, 0, 1);
}

/** Broadcasts to `shape` (a copy); -1 keeps a size, new leading dims may be added. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("expand", x);
  if (shape.length < x.dim()) {
    throw new Error(
      `expand: the target shape ${formatShape(shape)} has fewer dims than the input ${formatShape(x.shape)}`,
    );
  }
  const lead = shape.length - x.dim();
  const target = shape.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead] : s));
  x.shape.forEach((s, i) => {
    if (s !== 1 && s !== target[i + lead]) {
      throw new Error(
        `expand: the size ${s} of dim ${i} of input ${formatShape(x.shape)} must match ${target[i + lead]} ` +
          `in ${formatShape(shape)} (only size-1 dims can expand)`,
      );
    }
  });
  checkShape("expand", target);
  if (sameShape(target, x.shape)) return x;
  const out = allocLike(x, target);
  backend().stridedCopy(
    x.data,
    { offset: 0, shape: target, strides: broadcastStrides(x.shape, target) },
    out.data,
  );
  if (needsGrad(x)) record("expand", [x], [out], { inputShape: x.shape });
  return out;
}

/** Tiles x (`x.repeat(2, 3)` like PyTorch): composed from reshape and expand. */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.dim()) {
    throw new Error(
      `repeat: expected at least ${x.dim()} repeat counts for shape ${formatShape(x.shape)}, got ${formatShape(repeats)}`,
    );
  }
  checkShape("repeat", repeats);
  const shape = [...Array(repeats.length - x.dim()).fill(1), ...x.shape];
  const interleaved = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, i) => [repeats[i], s]);
  return reshape(
    expand(reshape(x, interleaved), expanded),
    shape.map((s, i) => s * repeats[i]),
  );
}

/** Elements start..start+length-1 along `dim` (a copy). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor("narrow", x);
  if (x.dim() === 0)
    throw new Error("narrow: cannot be applied to a 0-d tensor; expected at least 1 dim");
  const d = normalizeDim("narrow", dim, x.dim());
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (
    !Number.isInteger(s) ||
    !Number.isInteger(length) ||
    s < 0 ||
    length < 0 ||
    s + length > size
  ) {
    throw new Error(
      `narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${size}`,
    );
  }
  const strides = contiguousStrides(x.shape);
  const shape = [...x.shape];
  shape[d] = length;
  const out = allocLike(x, shape);
  backend().stridedCopy(x.data, { offset: s * strides[d], shape, strides }, out.data);
  if (needsGrad(x)) record("narrow", [x], [out], { inputShape: x.shape, dim: d, start: s });
  return out;
}

/** Python-style `x[..., start:end]` along `dim`, with negative and out-of-range bounds clipped. */
export function slice(x: Tensor, dim: number, start = 0, end?: number): Tensor {
  const d = normalizeDim("slice", dim, x.dim());
  const size = x.shape[d];
  const clip = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clip(start);
  const e = clip(end ?? size);
  return narrow(x, d, s, Math.max(0, e - s));
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.dim() === 0)
    throw new Error("select: cannot be applied to a 0-d tensor; expected at least 1 dim");
  const d = normalizeDim("select", dim, x.dim());
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${size}`);
  }
  return squeeze(narrow(x, d, index < 0 ? index + size : index, 1), d);
}

/** Splits into pieces of `splitSize` (the last may be smaller) or of the listed sizes. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim("split", dim, x.dim());
  const size = x.shape[d];
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (!Number.isInteger(splitSize) || splitSize <= 0)
      throw new Error(`split: splitSize must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let at = 0; at < size; at += splitSize) sizes.push(Math.min(splitSize, size - at));
    if (size === 0) sizes.push(0); // PyTorch returns one empty piece
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size)
      throw new Error(
        `split: sizes ${formatShape(sizes)} sum to ${total}, but dim ${dim} has size ${size}`,
      );
  }
  let at = 0;
  return sizes.map((n) => {
    const piece = narrow(x, d, at, n);
    at += n;
    return piece;
  });
}

/** PyTorch's chunk: pieces of ceil(size / chunks), so there may be fewer than `chunks`. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim("chunk", dim, x.dim());
  if (x.shape[d] === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0)); // as PyTorch
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

/** Reverses the order along each of `dims`. */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor("flip", x);
  const ds = dims.map((d) => normalizeDim("flip", d, x.dim()));
  const strides = contiguousStrides(x.shape);
  let offset = 0;
  for (const d of ds) {
    offset += (x.shape[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  const out = allocLike(x, x.shape);
  if (out.numel() > 0) backend().stridedCopy(x.data, { offset, shape: x.shape, strides }, out.data);
  if (needsGrad(x)) record("flip", [x], [out], { dims: ds });
  return out;
}

/** Concatenates along `dim`; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new Error("cat: expected a non-empty array of tensors");
  tensors.forEach((t, i) => checkTensor("cat", t, `tensors[${i}]`));
  const first = tensors[0];
  const scalar = tensors.findIndex((t) => t.dim() === 0);
  if (scalar >= 0)
    throw new Error(
      `cat: tensors[${scalar}] is 0-d and cannot be concatenated; expected at least 1 dim`,
    );
  const d = normalizeDim("cat", dim, first.dim());
  tensors.forEach((t, i) => {
    const ok =
      t.dim() === first.dim() &&
      t.shape.every((s: number, k: number) => k === d || s === first.shape[k]);
    if (!ok || t.dtype !== first.dtype) {
      throw new Error(
        `cat: tensors[${i}] has shape ${formatShape(t.shape)} (${t.dtype}); expected ${first.dtype} with the ` +
          `shape of tensors[0] ${formatShape(first.shape)} except in dim ${d}`,
      );
    }
  });
  const shape = [...first.shape];
  shape[d] = tensors.reduce((n, t) => n + t.shape[d], 0);
  const out = allocLike(first, shape);
  const inner = numel(first.shape.slice(d + 1));
  const outer = numel(first.shape.slice(0, d));
  const rowOut = shape[d] * inner;
  let at = 0;
  for (const t of tensors) {
    const block = t.shape[d] * inner;
    for (let o = 0; o < outer; o++) {
      out.data.set(t.data.subarray(o * block, (o + 1) * block), o * rowOut + at);
    }
    at += block;
  }
  if (needsGrad(...tensors))
    record("cat", [...tensors], [out], { dim: d, sizes: tensors.map((t) => t.shape[d]) });
  return out;
}

/** Stacks equal-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new Error("stack: expected a non-empty array of tensors");
  const first = tensors[0];
  tensors.forEach((t, i) => {
    checkTensor("stack", t, `tensors[${i}]`);
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(
        `stack: expects tensors of equal shape, but tensors[0] is ${formatShape(first.shape)} and tensors[${i}] is ${formatShape(t.shape)}`,
      );
    }
  });
  const d = normalizeDim("stack", dim, first.dim() + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** A copy that is still on the tape. */
export function clone(x: Tensor): Tensor {
  checkTensor("clone", x);
  const out = new Tensor(x.data.slice(), x.shape);
  if (needsGrad(x)) record("clone", [x], [out], {});
  return out;
}

export function toFloat(x: Tensor): Tensor {
  if (x.dtype === "float32") return x;
  return new Tensor(Float32Array.from(x.data), x.shape);
}

export function toInt(x: Tensor): Tensor {
  if (x.dtype === "int32") return x;
  const out = new Int32Array(x.numel());
  for (let i = 0; i < out.length; i++) out[i] = Math.trunc(x.data[i]);
  return new Tensor(out, x.shape);
}

/** Gradient helpers for derivatives.ts: scatter a narrowed gradient back into zeros. */
export function narrowBackward(
  g: Tensor,
  inputShape: readonly number[],
  dim: number,
  start: number,
): Tensor {
  const out = new Tensor(new Float32Array(numel(inputShape)), inputShape);
  const strides = contiguousStrides(inputShape);
  backend().stridedAccumulate(g.data as Float32Array, out.data as Float32Array, {
    offset: start * strides[dim],
    shape: g.shape,
    strides,
  });
  return out;
}
