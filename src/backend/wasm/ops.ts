/**
 * The op codes the elementwise kernels take (wasm/assembly/elementwise.ts), and the shape analysis
 * that maps a broadcasting binary op onto the kernel's two-level loop.
 */
import type { BinaryOp, UnaryOp } from "../backend.js";

/** Unary ops with a wasm kernel; sin and cos stay on the reference. */
export const UNARY_CODE: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  exp: 1,
  log: 2,
  tanh: 3,
  sigmoid: 4,
  relu: 5,
  sqrt: 6,
  abs: 7,
};

/** Binary ops with a wasm kernel; pow stays on the reference. */
export const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  max: 4,
  min: 5,
  eq: 6,
  gt: 7,
  lt: 8,
  ge: 9,
  le: 10,
};

/** A broadcast binary op as out[o, j] = a[o·as0 + j·as1] op b[o·bs0 + j·bs1] over [outer, width]. */
export interface TwoLevel {
  outer: number;
  width: number;
  as0: number;
  as1: number;
  bs0: number;
  bs1: number;
}

/**
 * Collapses `shape` with the operands' strides (0 on broadcast dims) into at most two loops with
 * inner strides 0 or 1, or returns null when the pattern needs the general strided loop. Size-1
 * dims are dropped and neighbours that are contiguous for both operands merged.
 */
export function twoLevel(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): TwoLevel | null {
  const dims: [number, number, number][] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims[dims.length - 1];
    if (last && last[1] === aStrides[d] * shape[d] && last[2] === bStrides[d] * shape[d]) {
      last[0] *= shape[d];
      last[1] = aStrides[d];
      last[2] = bStrides[d];
    } else {
      dims.push([shape[d], aStrides[d], bStrides[d]]);
    }
  }
  if (dims.length === 0) return { outer: 1, width: 1, as0: 0, as1: 0, bs0: 0, bs1: 0 };
  if (dims.length > 2) return null;
  const inner = dims[dims.length - 1];
  if (inner[1] > 1 || inner[2] > 1 || inner[1] < 0 || inner[2] < 0) return null;
  const outerDim = dims.length === 2 ? dims[0] : [1, 0, 0];
  return {
    outer: outerDim[0],
    width: inner[0],
    as0: outerDim[1],
    as1: inner[1],
    bs0: outerDim[2],
    bs1: inner[2],
  };
}
