/** Elementwise primitives with broadcasting, and the ones composed from them. */
import { record } from "../autograd/derivatives.js";
import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { broadcastShapes, broadcastStrides, sameShape, type Shape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { checkTensor, empty, f32, needsGrad, scalarTensor } from "./util.js";

type Operand = Tensor | number;

function binaryRaw(op: BinaryOp, name: string, a: Operand, b: Operand): Tensor {
  if (typeof a === "number" && typeof b === "number") {
    throw new Error(`${name}: expected at least one Tensor operand, got two numbers`);
  }
  if (typeof a !== "number") checkTensor(name, a, "the first operand");
  if (typeof b !== "number") checkTensor(name, b, "the second operand");
  // A number or one-element operand takes the scalar kernel; everything else broadcasts.
  if (typeof b === "number" || (typeof a !== "number" && b.numel() === 1 && b.dim() <= a.dim())) {
    const x = a as Tensor;
    const out = empty(x.shape);
    backend().scalarForward(
      op,
      f32(x),
      typeof b === "number" ? b : b.data[0],
      false,
      out.data as Float32Array,
    );
    return out;
  }
  if (typeof a === "number" || (a.numel() === 1 && a.dim() <= b.dim())) {
    const out = empty(b.shape);
    backend().scalarForward(
      op,
      f32(b),
      typeof a === "number" ? a : a.data[0],
      true,
      out.data as Float32Array,
    );
    return out;
  }
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = empty(shape);
  backend().binaryForward(
    op,
    f32(a),
    broadcastStrides(a.shape, shape),
    f32(b),
    broadcastStrides(b.shape, shape),
    out.data as Float32Array,
    shape,
  );
  return out;
}

function asTensor(x: Operand): Tensor {
  return typeof x === "number" ? scalarTensor(x) : x;
}

function differentiable(op: "add" | "sub" | "mul" | "div" | "pow", a: Operand, b: Operand): Tensor {
  const out = binaryRaw(op, op, a, b);
  const ta = asTensor(a);
  const tb = asTensor(b);
  if (needsGrad(ta, tb)) record(op, [ta, tb], [out], { a: ta, b: tb, out });
  return out;
}

export const add = (a: Operand, b: Operand): Tensor => differentiable("add", a, b);
export const sub = (a: Operand, b: Operand): Tensor => differentiable("sub", a, b);
export const mul = (a: Operand, b: Operand): Tensor => differentiable("mul", a, b);
export const div = (a: Operand, b: Operand): Tensor => differentiable("div", a, b);
export const pow = (a: Operand, b: Operand): Tensor => differentiable("pow", a, b);

/** Elementwise max; the gradient goes to the larger input (split evenly on ties, like PyTorch). */
export function maximum(a: Operand, b: Operand): Tensor {
  return minMax("maximum", a, b);
}

export function minimum(a: Operand, b: Operand): Tensor {
  return minMax("minimum", a, b);
}

function minMax(name: "maximum" | "minimum", a: Operand, b: Operand): Tensor {
  const out = binaryRaw(name === "maximum" ? "max" : "min", name, a, b);
  const ta = asTensor(a);
  const tb = asTensor(b);
  if (needsGrad(ta, tb)) record(name, [ta, tb], [out], { a: ta, b: tb });
  return out;
}

function comparison(op: BinaryOp) {
  return (a: Operand, b: Operand): Tensor => binaryRaw(op, op, a, b);
}

/** Comparisons return float32 masks of 0 and 1 (there is no bool dtype); they are not differentiable. */
export const eq = comparison("eq");
export const gt = comparison("gt");
export const lt = comparison("lt");
export const ge = comparison("ge");
export const le = comparison("le");
export const ne = (a: Operand, b: Operand): Tensor => sub(1, eq(a, b));

function unary(op: UnaryOp) {
  return (x: Tensor): Tensor => {
    checkTensor(op, x);
    const out = empty(x.shape);
    backend().unaryForward(op, f32(x), out.data as Float32Array);
    if (needsGrad(x)) record(op, [x], [out], { x, out });
    return out;
  };
}

export const neg = unary("neg");
export const exp = unary("exp");
export const log = unary("log");
export const tanh = unary("tanh");
export const sigmoid = unary("sigmoid");
export const relu = unary("relu");
export const sqrt = unary("sqrt");
export const abs = unary("abs");
export const sin = unary("sin");
export const cos = unary("cos");

/** Clamps into [min, max]; either bound may be null. The gradient flows where min ≤ x ≤ max. */
export function clamp(x: Tensor, min: number | null, max: number | null = null): Tensor {
  checkTensor("clamp", x);
  if (min === null && max === null)
    throw new Error("clamp: at least one of min and max must be given");
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const out = empty(x.shape);
  backend().clampForward(f32(x), lo, hi, out.data as Float32Array);
  if (needsGrad(x)) record("clamp", [x], [out], { x, lo, hi });
  return out;
}

/** `cond ? a : b` elementwise, broadcasting all three. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkTensor("where", cond, "the condition");
  const ta = asTensor(a);
  const tb = asTensor(b);
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, ta.shape), tb.shape);
  const out = empty(shape);
  backend().whereForward(
    f32(cond),
    broadcastStrides(cond.shape, shape),
    f32(ta),
    broadcastStrides(ta.shape, shape),
    f32(tb),
    broadcastStrides(tb.shape, shape),
    out.data as Float32Array,
    shape,
  );
  if (needsGrad(ta, tb)) record("where", [ta, tb], [out], { cond });
  return out;
}

/** Fills `value` where mask is non-zero (mask broadcasts to x's shape). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor("maskedFill", x);
  checkTensor("maskedFill", mask, "mask");
  const shape = broadcastShapes("maskedFill", x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new Error(
      `maskedFill: mask of shape [${mask.shape.join(", ")}] does not broadcast to the input's shape [${x.shape.join(", ")}]`,
    );
  }
  return where(mask, value, x);
}

/**
 * Sums a gradient of a broadcast shape back to `shape` (the backward of broadcasting and expand).
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = empty(shape);
  const strides = broadcastStrides(shape, g.shape);
  backend().stridedAccumulate(g.data as Float32Array, out.data as Float32Array, {
    offset: 0,
    shape: g.shape,
    strides,
  });
  return out;
}

/** dst += src in place (no tape); shapes must match. Used for gradient accumulation. */
export function accumulateInto(dst: Tensor, src: Tensor): void {
  if (!sameShape(dst.shape, src.shape)) {
    throw new Error(
      `accumulate: shapes [${dst.shape.join(", ")}] and [${src.shape.join(", ")}] differ`,
    );
  }
  const d = dst.data as Float32Array;
  backend().binaryForward("add", d, [1], f32(src), [1], d, [d.length]);
}
