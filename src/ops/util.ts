/** Helpers every op file uses: allocation, dtype coercion, scalar wrapping. */
import { isGradEnabled } from "../autograd/tape.js";
import { formatShape, numel, type Shape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

export function empty(shape: Shape): Tensor {
  return new Tensor(new Float32Array(numel(shape)), shape);
}

export function emptyInt(shape: Shape): Tensor {
  return new Tensor(new Int32Array(numel(shape)), shape);
}

/** Float32 storage of t, converting int32 (a copy) when needed. */
export function f32(t: Tensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

export function i32(op: string, t: Tensor): Int32Array {
  if (!(t.data instanceof Int32Array)) {
    throw new Error(
      `${op}: expected an int32 index tensor, got ${t.dtype} (use .int() or dtype: "int32")`,
    );
  }
  return t.data;
}

export function checkTensor(op: string, x: unknown, what = "input"): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new Error(
      `${op}: expected ${what} to be a Tensor, got ${x === null ? "null" : typeof x}`,
    );
  }
}

export function scalarTensor(value: number): Tensor {
  return new Tensor(Float32Array.of(value), []);
}

/** True when the op must record itself: grad mode is on and some input requires grad. */
export function needsGrad(...inputs: Tensor[]): boolean {
  return isGradEnabled() && inputs.some((t) => t.requiresGrad);
}

export function checkRank(op: string, t: Tensor, ranks: readonly number[], what = "input"): void {
  if (!ranks.includes(t.dim())) {
    throw new Error(
      `${op}: expected ${what} of rank ${ranks.join(" or ")}, got shape ${formatShape(t.shape)}`,
    );
  }
}
