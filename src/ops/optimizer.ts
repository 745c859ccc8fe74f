/**
 * In-place optimizer updates on parameter storage (off the tape). optim/ calls these so that the
 * update of one tensor is one kernel call on any backend. Every state tensor must have the
 * parameter's shape; the kernels follow PyTorch's single-tensor algorithms (see
 * backend/reference/optim.ts).
 */
import type {
  AdagradOptions,
  AdamOptions,
  RmspropOptions,
  SgdOptions,
} from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

type State = Tensor | null;

function raw(op: string, p: Tensor, t: Tensor, what: string): Float32Array {
  if (t.dtype !== "float32") throw new Error(`${op}: expected a float32 ${what}, got ${t.dtype}`);
  if (t.shape.length !== p.shape.length || t.shape.some((s, i) => s !== p.shape[i])) {
    throw new Error(
      `${op}: expected ${what} of shape ${formatShape(p.shape)} like the parameter, got ${formatShape(t.shape)}`,
    );
  }
  return t.data as Float32Array;
}

const rawOrNull = (op: string, p: Tensor, t: State, what: string) =>
  t ? raw(op, p, t, what) : null;

export function sgdUpdate(p: Tensor, g: Tensor, buf: State, o: SgdOptions): void {
  const op = "sgdUpdate";
  backend().sgdUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    rawOrNull(op, p, buf, "momentum buffer"),
    o,
  );
}

export function adamUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  vMax: State,
  o: AdamOptions,
): void {
  const op = "adamUpdate";
  backend().adamUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    raw(op, p, m, "exp_avg"),
    raw(op, p, v, "exp_avg_sq"),
    rawOrNull(op, p, vMax, "max_exp_avg_sq"),
    o,
  );
}

export function rmspropUpdate(
  p: Tensor,
  g: Tensor,
  sq: Tensor,
  gAvg: State,
  buf: State,
  o: RmspropOptions,
): void {
  const op = "rmspropUpdate";
  backend().rmspropUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    raw(op, p, sq, "square_avg"),
    rawOrNull(op, p, gAvg, "grad_avg"),
    rawOrNull(op, p, buf, "momentum buffer"),
    o,
  );
}

export function adagradUpdate(p: Tensor, g: Tensor, sum: Tensor, o: AdagradOptions): void {
  const op = "adagradUpdate";
  backend().adagradUpdate(
    raw(op, p, p, "parameter"),
    raw(op, p, g, "gradient"),
    raw(op, p, sum, "sum"),
    o,
  );
}

export type { AdagradOptions, AdamOptions, RmspropOptions, SgdOptions };
