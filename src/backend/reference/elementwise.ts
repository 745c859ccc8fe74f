import type { BinaryOp, F32, I32, StridedView, UnaryOp } from "../backend.js";

export function unaryForward(op: UnaryOp, x: F32, out: F32): void {
  const n = x.length;
  switch (op) {
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case "tanh":
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]);
      return;
    case "relu":
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
      return;
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case "abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case "sin":
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
      return;
    case "cos":
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
      return;
    default:
      return unreachable(op);
  }
}

export function unaryBackward(op: UnaryOp, x: F32, y: F32, dy: F32, dx: F32): void {
  const n = x.length;
  switch (op) {
    case "neg":
      for (let i = 0; i < n; i++) dx[i] -= dy[i];
      return;
    case "exp":
      for (let i = 0; i < n; i++) dx[i] += dy[i] * y[i];
      return;
    case "log":
      for (let i = 0; i < n; i++) dx[i] += dy[i] / x[i];
      return;
    case "tanh":
      for (let i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
      return;
    case "relu":
      for (let i = 0; i < n; i++) if (y[i] > 0) dx[i] += dy[i];
      return;
    case "sqrt":
      for (let i = 0; i < n; i++) dx[i] += dy[i] / (2 * y[i]);
      return;
    case "abs":
      for (let i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : x[i] < 0 ? -dy[i] : 0;
      return;
    case "sin":
      for (let i = 0; i < n; i++) dx[i] += dy[i] * Math.cos(x[i]);
      return;
    case "cos":
      for (let i = 0; i < n; i++) dx[i] -= dy[i] * Math.sin(x[i]);
      return;
    default:
      return unreachable(op);
  }
}

export function sigmoid(v: number): number {
  // Split by sign so that exp never overflows.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case "add":
      return (a, b) => a + b;
    case "sub":
      return (a, b) => a - b;
    case "mul":
      return (a, b) => a * b;
    case "div":
      return (a, b) => a / b;
    case "pow":
      return (a, b) => Math.pow(a, b);
    case "max":
      return (a, b) => (a > b || Number.isNaN(a) ? a : b);
    case "min":
      return (a, b) => (a < b || Number.isNaN(a) ? a : b);
    case "eq":
      return (a, b) => (a === b ? 1 : 0);
    case "gt":
      return (a, b) => (a > b ? 1 : 0);
    case "lt":
      return (a, b) => (a < b ? 1 : 0);
    case "ge":
      return (a, b) => (a >= b ? 1 : 0);
    case "le":
      return (a, b) => (a <= b ? 1 : 0);
    default:
      return unreachable(op);
  }
}

function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export function binaryForward(
  op: BinaryOp,
  a: F32,
  aStrides: readonly number[],
  b: F32,
  bStrides: readonly number[],
  out: F32,
  shape: readonly number[],
): void {
  const n = out.length;
  const aFlat = isContiguous(aStrides, shape);
  const bFlat = isContiguous(bStrides, shape);
  // The common cases get loops the JIT can keep monomorphic.
  if (aFlat && bFlat) {
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
        return;
      case "sub":
        for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
        return;
      case "mul":
        for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
        return;
      case "div":
        for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
        return;
    }
    const f = binaryFn(op);
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  const f = binaryFn(op);
  const rank = shape.length;
  if (rank === 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const last = rank - 1;
  const width = shape[last];
  const as = aStrides[last];
  const bs = bStrides[last];
  const idx = new Array<number>(rank).fill(0);
  let ao = 0;
  let bo = 0;
  for (let o = 0; o < n; o += width) {
    for (let j = 0; j < width; j++) out[o + j] = f(a[ao + j * as], b[bo + j * bs]);
    // Advance the odometer over all but the last dimension.
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      ao += aStrides[d];
      bo += bStrides[d];
      if (idx[d] < shape[d]) break;
      ao -= aStrides[d] * shape[d];
      bo -= bStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function scalarForward(op: BinaryOp, x: F32, s: number, reverse: boolean, out: F32): void {
  const n = x.length;
  if (!reverse) {
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) out[i] = x[i] + s;
        return;
      case "mul":
        for (let i = 0; i < n; i++) out[i] = x[i] * s;
        return;
    }
  }
  const f = binaryFn(op);
  if (reverse) for (let i = 0; i < n; i++) out[i] = f(s, x[i]);
  else for (let i = 0; i < n; i++) out[i] = f(x[i], s);
}

export function clampForward(x: F32, lo: number, hi: number, out: F32): void {
  for (let i = 0; i < x.length; i++) {
    // min(max(x, lo), hi): when lo > hi everything becomes hi, as in PyTorch.
    const v = x[i] < lo ? lo : x[i];
    out[i] = v > hi ? hi : v;
  }
}

export function whereForward(
  cond: F32,
  cStrides: readonly number[],
  a: F32,
  aStrides: readonly number[],
  b: F32,
  bStrides: readonly number[],
  out: F32,
  shape: readonly number[],
): void {
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let co = 0;
  let ao = 0;
  let bo = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = cond[co] !== 0 ? a[ao] : b[bo];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      co += cStrides[d];
      ao += aStrides[d];
      bo += bStrides[d];
      if (idx[d] < shape[d]) break;
      co -= cStrides[d] * shape[d];
      ao -= aStrides[d] * shape[d];
      bo -= bStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function stridedCopy(x: F32 | I32, view: StridedView, out: F32 | I32): void {
  const { shape, strides } = view;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[view.offset];
    return;
  }
  const last = rank - 1;
  const width = shape[last];
  const ws = strides[last];
  const idx = new Array<number>(rank).fill(0);
  let xo = view.offset;
  for (let o = 0; o < out.length; o += width) {
    // Contiguous rows are a memcpy (`set` converts like the element loop when dtypes differ).
    if (ws === 1 && width >= 16) out.set(x.subarray(xo, xo + width), o);
    else if (ws === 1) for (let j = 0; j < width; j++) out[o + j] = x[xo + j];
    else for (let j = 0; j < width; j++) out[o + j] = x[xo + j * ws];
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      xo += strides[d];
      if (idx[d] < shape[d]) break;
      xo -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function stridedAccumulate(src: F32, dst: F32, view: StridedView): void {
  const { shape, strides } = view;
  const rank = shape.length;
  if (rank === 0) {
    dst[view.offset] += src[0];
    return;
  }
  const last = rank - 1;
  const width = shape[last];
  const ws = strides[last];
  const idx = new Array<number>(rank).fill(0);
  let xo = view.offset;
  for (let o = 0; o < src.length; o += width) {
    for (let j = 0; j < width; j++) dst[xo + j * ws] += src[o + j];
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      xo += strides[d];
      if (idx[d] < shape[d]) break;
      xo -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
