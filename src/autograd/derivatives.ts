/**
 * Every derivative rule, one per primitive (the PyTorch `derivatives.yaml` habit). A rule gets the
 * gradients of the primitive's outputs, what its forward saved, and its inputs, and returns one
 * gradient (or null) per input. Rules run with recording off and use ops/ freely; rules written in
 * terms of saved outputs (exp, tanh, sigmoid, softmax) avoid recomputation. Elementwise unary
 * derivatives are the backend's `unaryBackward` kernel; the fused recurrent layer's backward lives
 * beside its forward in ops/recurrent.ts because it replays the forward's step schedule.
 */
import type { UnaryOp } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { numel, type Shape } from "../tensor/shape.js";
import { rowSparseFromLookup } from "../tensor/sparse.js";
import { Tensor } from "../tensor/tensor.js";
import { div, eq, ge, log, mul, neg, pow, sub, sumToShape, where } from "../ops/elementwise.js";
import { expand, flip, narrow, narrowBackward, permute, reshape } from "../ops/movement.js";
import { softmaxCrossEntropyBackward, type SoftmaxCrossEntropySaved } from "../ops/loss.js";
import { recurrentLayerBackward, type RecurrentSaved } from "../ops/recurrent.js";
import { denseAsRows, freshGrad, isGradEnabled, Node, type Grads } from "./tape.js";

type Rule<S> = (grads: Grads, saved: S, inputs: readonly Tensor[]) => Grads;

/** A new zero gradient, which the rule returns for one input (so the tape need not copy it). */
const zerosOf = (shape: Shape) => freshGrad(new Tensor(new Float32Array(numel(shape)), shape));

function unaryRule(op: UnaryOp): Rule<{ x: Tensor; out: Tensor }> {
  return ([g], { x, out }) => {
    const dx = zerosOf(x.shape);
    backend().unaryBackward(
      op,
      x.data as Float32Array,
      out.data as Float32Array,
      g!.data as Float32Array,
      dx.data as Float32Array,
    );
    return [dx];
  };
}

interface BinarySaved {
  a: Tensor;
  b: Tensor;
  out: Tensor;
}

/** Gradient for input i only if it requires one, summed back over broadcast dims. */
function reduce(inputs: readonly Tensor[], i: number, grad: () => Tensor): Tensor | null {
  return inputs[i].requiresGrad ? sumToShape(grad(), inputs[i].shape) : null;
}

export const derivatives = {
  add: ((grads, _s, inputs) => [
    reduce(inputs, 0, () => grads[0]!),
    reduce(inputs, 1, () => grads[0]!),
  ]) as Rule<BinarySaved>,
  sub: ((grads, _s, inputs) => [
    reduce(inputs, 0, () => grads[0]!),
    reduce(inputs, 1, () => neg(grads[0]!)),
  ]) as Rule<BinarySaved>,
  mul: (([g], { a, b }, inputs) => [
    reduce(inputs, 0, () => mul(g!, b)),
    reduce(inputs, 1, () => mul(g!, a)),
  ]) as Rule<BinarySaved>,
  div: (([g], { b, out }, inputs) => [
    reduce(inputs, 0, () => div(g!, b)),
    reduce(inputs, 1, () => neg(div(mul(g!, out), b))),
  ]) as Rule<BinarySaved>,
  pow: (([g], { a, b, out }, inputs) => [
    // d/da a^b = b·a^(b−1), 0 where b = 0; d/db a^b = a^b·log(a), 0 where a = 0 and b ≥ 0
    // (PyTorch's pow_backward masks, which keep 0^0 and 0^b finite).
    reduce(inputs, 0, () => where(eq(b, 0), 0, mul(g!, mul(b, pow(a, sub(b, 1)))))),
    reduce(inputs, 1, () => mul(g!, where(mul(eq(a, 0), ge(b, 0)), 0, mul(out, log(a))))),
  ]) as Rule<BinarySaved>,
  maximum: (([g], { a, b }, inputs) => minMaxRule(g!, a, b, inputs, "max")) as Rule<{
    a: Tensor;
    b: Tensor;
  }>,
  minimum: (([g], { a, b }, inputs) => minMaxRule(g!, a, b, inputs, "min")) as Rule<{
    a: Tensor;
    b: Tensor;
  }>,

  neg: unaryRule("neg"),
  exp: unaryRule("exp"),
  log: unaryRule("log"),
  tanh: unaryRule("tanh"),
  sigmoid: unaryRule("sigmoid"),
  relu: unaryRule("relu"),
  sqrt: unaryRule("sqrt"),
  abs: unaryRule("abs"),
  sin: unaryRule("sin"),
  cos: unaryRule("cos"),
  clamp: (([g], { x, lo, hi }) => {
    const dx = zerosOf(x.shape);
    const xs = x.data as Float32Array;
    const gs = g!.data as Float32Array;
    const ds = dx.data as Float32Array;
    for (let i = 0; i < xs.length; i++) if (xs[i] >= lo && xs[i] <= hi) ds[i] = gs[i];
    return [dx];
  }) as Rule<{ x: Tensor; lo: number; hi: number }>,
  where: (([g], { cond }, inputs) => [
    reduce(inputs, 0, () => where(cond, g!, 0)),
    reduce(inputs, 1, () => where(cond, 0, g!)),
  ]) as Rule<{ cond: Tensor }>,

  sum: (([g], { inputShape, keptShape }) => [expand(reshape(g!, keptShape), inputShape)]) as Rule<{
    inputShape: Shape;
    keptShape: Shape;
  }>,
  maxMin: (([g], { inputShape, dim, indices }) => {
    const dx = zerosOf(inputShape);
    const outer = numel(inputShape.slice(0, dim));
    const inner = numel(inputShape.slice(dim + 1));
    const size = inputShape[dim] ?? 1;
    backend().scatterAddAxis(
      g!.data as Float32Array,
      outer,
      size,
      inner,
      indices.data as Int32Array,
      1,
      dx.data as Float32Array,
    );
    return [dx];
  }) as Rule<{ inputShape: Shape; dim: number; indices: Tensor }>,
  maxMinAll: (([g], { x, value }) => {
    // The max (or min) of all elements spreads its gradient evenly over ties, as PyTorch's does.
    const v = value.data[0];
    const hit = (u: number) => (Number.isNaN(v) ? Number.isNaN(u) : u === v);
    let count = 0;
    for (let i = 0; i < x.data.length; i++) if (hit(x.data[i])) count++;
    const dx = zerosOf(x.shape);
    const share = g!.data[0] / count;
    for (let i = 0; i < x.data.length; i++) if (hit(x.data[i])) dx.data[i] = share;
    return [dx];
  }) as Rule<{ x: Tensor; value: Tensor }>,
  softmax: softmaxRule(false),
  logSoftmax: softmaxRule(true),
  softmaxCrossEntropy: (([g], saved) => [
    freshGrad(softmaxCrossEntropyBackward(g!.data[0], saved)),
  ]) as Rule<SoftmaxCrossEntropySaved>,

  matmul: (([g], { a, b, count, m, k, n }, inputs) => {
    const be = backend();
    const G = g!.data as Float32Array;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (inputs[0].requiresGrad) {
      da = zerosOf(a.shape);
      for (let i = 0; i < count; i++)
        be.gemm(
          false,
          true,
          m,
          k,
          n,
          1,
          G,
          i * m * n,
          b.data as Float32Array,
          i * k * n,
          0,
          da.data as Float32Array,
          i * m * k,
        );
    }
    if (inputs[1].requiresGrad) {
      db = zerosOf(b.shape);
      for (let i = 0; i < count; i++)
        be.gemm(
          true,
          false,
          k,
          n,
          m,
          1,
          a.data as Float32Array,
          i * m * k,
          G,
          i * m * n,
          0,
          db.data as Float32Array,
          i * k * n,
        );
    }
    return [da, db];
  }) as Rule<{ a: Tensor; b: Tensor; count: number; m: number; k: number; n: number }>,
  linear: (([g], { x, weight, rows, inF, outF }, inputs) => {
    const be = backend();
    const G = g!.data as Float32Array;
    const dx = inputs[0].requiresGrad ? zerosOf(x.shape) : null;
    if (dx)
      be.gemm(
        false,
        false,
        rows,
        inF,
        outF,
        1,
        G,
        0,
        weight.data as Float32Array,
        0,
        0,
        dx.data as Float32Array,
        0,
      );
    const dw = inputs[1].requiresGrad ? zerosOf(weight.shape) : null;
    if (dw)
      be.gemm(
        true,
        false,
        outF,
        inF,
        rows,
        1,
        G,
        0,
        x.data as Float32Array,
        0,
        0,
        dw.data as Float32Array,
        0,
      );
    const db = inputs[2]?.requiresGrad ? zerosOf([outF]) : null;
    if (db) be.sumRows(G, rows, outF, db.data as Float32Array);
    return inputs.length === 3 ? [dx, dw, db] : [dx, dw];
  }) as Rule<{ x: Tensor; weight: Tensor; rows: number; inF: number; outF: number }>,

  reshape: (([g], { inputShape }) => [reshape(g!, inputShape)]) as Rule<{ inputShape: Shape }>,
  permute: (([g], { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [permute(g!, inverse)];
  }) as Rule<{ perm: number[] }>,
  expand: (([g], { inputShape }) => [sumToShape(g!, inputShape)]) as Rule<{ inputShape: Shape }>,
  narrow: (([g], { inputShape, dim, start }) => [
    narrowBackward(g!, inputShape, dim, start),
  ]) as Rule<{
    inputShape: Shape;
    dim: number;
    start: number;
  }>,
  flip: (([g], { dims }) => [flip(g!, dims)]) as Rule<{ dims: number[] }>,
  cat: (([g], { dim, sizes }, inputs) => {
    let at = 0;
    return sizes.map((n, i) => {
      const piece = inputs[i].requiresGrad ? narrow(g!, dim, at, n) : null;
      at += n;
      return piece;
    });
  }) as Rule<{ dim: number; sizes: number[] }>,
  clone: (([g]) => [g]) as Rule<Record<string, never>>,

  indexSelect: (([g], { inputShape, dim, index }) => {
    const dx = zerosOf(inputShape);
    const outer = numel(inputShape.slice(0, dim));
    const size = inputShape[dim] ?? 1;
    const inner = numel(inputShape.slice(dim + 1));
    const G = g!.data as Float32Array;
    const D = dx.data as Float32Array;
    for (let o = 0; o < outer; o++) {
      backend().scatterAddRows(
        G.subarray(o * index.length * inner, (o + 1) * index.length * inner),
        inner,
        index,
        D.subarray(o * size * inner, (o + 1) * size * inner),
      );
    }
    return [dx];
  }) as Rule<{ inputShape: Shape; dim: number; index: Int32Array }>,
  gather: (([g], { inputShape, outer, size, inner, index, k }) => {
    const dx = zerosOf(inputShape);
    backend().scatterAddAxis(
      g!.data as Float32Array,
      outer,
      size,
      inner,
      index,
      k,
      dx.data as Float32Array,
    );
    return [dx];
  }) as Rule<{
    inputShape: Shape;
    outer: number;
    size: number;
    inner: number;
    index: Int32Array;
    k: number;
  }>,
  embedding: (([g], { index, paddingIdx, sparse }, inputs) => {
    const weight = inputs[0];
    const width = weight.shape[1];
    if (sparse) {
      return [rowSparseFromLookup(index, g!.data as Float32Array, width, weight.shape, paddingIdx)];
    }
    // Fewer lookups than rows: the dense gradient as its rows, which the weight holds until read.
    if (index.length < weight.shape[0]) {
      const rows = rowSparseFromLookup(
        index,
        g!.data as Float32Array,
        width,
        weight.shape,
        paddingIdx,
      );
      return [denseAsRows(rows)];
    }
    const dw = zerosOf(weight.shape);
    backend().scatterAddRows(g!.data as Float32Array, width, index, dw.data as Float32Array);
    if (paddingIdx !== null) dw.data.fill(0, paddingIdx * width, (paddingIdx + 1) * width);
    return [dw];
  }) as Rule<{ index: Int32Array; paddingIdx: number | null; sparse: boolean }>,

  recurrentLayer: ((grads, saved) =>
    recurrentLayerBackward(saved, grads).map((g) => g && freshGrad(g))) as Rule<RecurrentSaved>,
};

function minMaxRule(
  g: Tensor,
  a: Tensor,
  b: Tensor,
  inputs: readonly Tensor[],
  which: "max" | "min",
): Grads {
  // Ties split the gradient in half, as torch.maximum does.
  const shape = g.shape;
  const ea = expand(a, shape);
  const eb = expand(b, shape);
  const wa = new Float32Array(numel(shape));
  for (let i = 0; i < wa.length; i++) {
    const x = ea.data[i];
    const y = eb.data[i];
    wa[i] = x === y ? 0.5 : (which === "max" ? x > y : x < y) ? 1 : 0;
  }
  const weightA = new Tensor(wa, shape);
  return [
    reduce(inputs, 0, () => mul(g, weightA)),
    reduce(inputs, 1, () => mul(g, sub(1, weightA))),
  ];
}

function softmaxRule(
  log: boolean,
): Rule<{ out: Tensor; outer: number; size: number; inner: number }> {
  return ([g], { out, outer, size, inner }) => {
    const dx = zerosOf(out.shape);
    backend().softmaxBackward(
      out.data as Float32Array,
      g!.data as Float32Array,
      outer,
      size,
      inner,
      log,
      dx.data as Float32Array,
    );
    return [dx];
  };
}

export type Primitive = keyof typeof derivatives;
type SavedOf<K extends Primitive> = Parameters<(typeof derivatives)[K]>[1];

/** Puts a node for primitive `name` on the tape, making `outputs` its results. */
export function record<K extends Primitive>(
  name: K,
  inputs: Tensor[],
  outputs: Tensor[],
  saved: SavedOf<K>,
): void {
  if (!isGradEnabled()) return;
  const node = new Node(name, inputs, outputs.length, saved, derivatives[name] as Rule<unknown>);
  outputs.forEach((out, i) => out.setGradFn(node, i));
}
