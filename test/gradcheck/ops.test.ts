/**
 * Finite-difference gradchecks for every primitive of the derivatives table (recurrentLayer is
 * checked in rnn.test.ts), binary ops with broadcasting on both sides and with number operands.
 * The last test enumerates `Object.keys(derivatives)` and fails for a primitive nobody checked.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  abs,
  add,
  cat,
  clamp,
  cos,
  div,
  exp,
  expand,
  flip,
  gather,
  indexSelect,
  log,
  logSoftmax,
  matmul,
  max,
  maximum,
  min,
  minimum,
  mul,
  narrow,
  neg,
  permute,
  pow,
  relu,
  reshape,
  sigmoid,
  sin,
  softmax,
  sqrt,
  sub,
  sum,
  tanh,
  tensor,
  where,
  embedding,
  linear,
} from "../../src/ops/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { derivatives } from "../../src/autograd/derivatives.js";
import { check, distinct, ints, seen, signed, uniform } from "./util.js";

type Binary = (a: Tensor | number, b: Tensor | number) => Tensor;

/** Operand generators per op: div needs a denominator away from 0, pow a positive base. */
const binaries: [string, Binary, () => Tensor, () => Tensor][] = [
  ["add", add, () => uniform([1]), () => uniform([1])],
  ["sub", sub, () => uniform([1]), () => uniform([1])],
  ["mul", mul, () => uniform([1]), () => uniform([1])],
  ["div", div, () => uniform([1]), () => uniform([1], 0.5, 1.5)],
  ["pow", pow, () => uniform([1], 0.5, 1.5), () => uniform([1], -1, 2)],
];

function shaped(make: () => Tensor, shape: number[]): Tensor {
  // Reuse the generator's range by drawing one value per element.
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, () => make().data[0]);
  return tensor(data, { shape, requiresGrad: true });
}

describe("gradcheck: binary elementwise primitives", () => {
  const layouts: [string, number[], number[]][] = [
    ["same shape", [2, 3], [2, 3]],
    ["broadcast on both sides", [3, 1], [1, 4]],
    ["lower rank right", [2, 3, 4], [4]],
    ["lower rank left", [3, 1], [2, 3, 4]],
    ["one-element right", [2, 3], [1]],
    ["0-d left", [], [2, 3]],
  ];
  for (const [name, op, makeA, makeB] of binaries) {
    for (const [layout, sa, sb] of layouts) {
      test(`${name}: ${layout} ${JSON.stringify(sa)} · ${JSON.stringify(sb)}`, () => {
        check(name, (a, b) => op(a, b), [shaped(makeA, sa), shaped(makeB, sb)]);
      });
    }
    test(`${name}: number operands on either side`, () => {
      const x = shaped(makeA, [2, 3]);
      const y = shaped(makeB, [2, 3]);
      check(name, (a) => op(a, name === "pow" ? 1.7 : 0.8), [x]);
      check(name, (b) => op(name === "pow" ? 1.3 : 0.8, b), [y]);
    });
  }
  test("pow with an integer exponent and a negative base", () => {
    check("pow", (a) => pow(a, 3), [uniform([5], -1.5, 1.5)]);
  });
  test("one side constant: only the other gets a gradient", () => {
    const a = uniform([2, 3]);
    const b = tensor([[0.5], [2]]);
    check("mul", (x) => mul(x, b), [a]);
    assert.equal(b.grad, null);
  });

  for (const [name, op] of [
    ["maximum", maximum],
    ["minimum", minimum],
  ] as const) {
    test(`${name}: broadcasting on both sides and numbers`, () => {
      const a = distinct([3, 1]);
      const b = tensor([[-0.17, 0.03, 0.26, -0.08]], { requiresGrad: true });
      check(name, (x, y) => op(x, y), [a, b]);
      check(name, (x) => op(x, 0.01), [distinct([2, 3])]);
      check(name, (x) => op(-0.01, x), [distinct([2, 3])]);
    });
  }
});

describe("gradcheck: unary primitives", () => {
  const cases: [string, (x: Tensor) => Tensor, () => Tensor][] = [
    ["neg", neg, () => uniform([2, 3])],
    ["exp", exp, () => uniform([2, 3])],
    ["log", log, () => uniform([2, 3], 0.3, 2)],
    ["tanh", tanh, () => uniform([2, 3], -2, 2)],
    ["sigmoid", sigmoid, () => uniform([2, 3], -3, 3)],
    ["relu", relu, () => signed([2, 3])],
    ["sqrt", sqrt, () => uniform([2, 3], 0.3, 2)],
    ["abs", abs, () => signed([2, 3])],
    ["sin", sin, () => uniform([2, 3], -3, 3)],
    ["cos", cos, () => uniform([2, 3], -3, 3)],
  ];
  for (const [name, op, make] of cases) {
    test(name, () => {
      check(name, op, [make()]);
      check(name, op, [tensor(make().data[0], { requiresGrad: true })]); // 0-d
    });
  }
  test("clamp: both bounds, min only, max only", () => {
    // Values in ±[0.2, 1.2) and bounds at ±0.5 ± 0.1 keep every element away from a bound.
    const x = tensor([-1.1, -0.75, -0.3, 0.25, 0.35, 0.7, 0.95, 1.15], { requiresGrad: true });
    check("clamp", (t) => clamp(t, -0.5, 0.5), [x]);
    check("clamp", (t) => clamp(t, 0.3), [x]);
    check("clamp", (t) => clamp(t, null, -0.5), [x]);
  });
});

describe("gradcheck: where, reductions, softmax", () => {
  test("where: condition, a and b broadcast together; numbers", () => {
    const cond = tensor([[1], [0], [1]]);
    check("where", (a, b) => where(cond, a, b), [uniform([1, 4]), uniform([3, 4])]);
    check("where", (a) => where(tensor([1, 0, 0, 1]), a, 0.5), [uniform([2, 4])]);
    check("where", (b) => where(tensor([[1, 0]]), -2, b), [uniform([3, 1])]);
  });
  test("sum: all, one dim, several dims, keepdim, negative dims", () => {
    const x = uniform([2, 3, 4]);
    check("sum", (t) => sum(t), [x]);
    check("sum", (t) => sum(t, 1), [x]);
    check("sum", (t) => sum(t, [0, 2], true), [x]);
    check("sum", (t) => sum(t, -1, true), [x]);
    check("sum", (t) => sum(t, [-3, -2]), [x]);
  });
  test("maxMin: max and min along a dim, with and without keepdim", () => {
    const x = distinct([3, 4, 2]);
    check("maxMin", (t) => max(t, 1)[0], [x]);
    check("maxMin", (t) => min(t, 0, true)[0], [x]);
    check("maxMin", (t) => max(t, -1, true)[0], [x]);
  });
  test("maxMinAll: max and min of all elements", () => {
    check("maxMinAll", (t) => t.max(), [distinct([3, 4])]);
    check("maxMinAll", (t) => t.min(), [distinct([2, 2, 3])]);
  });
  for (const [name, op] of [
    ["softmax", softmax],
    ["logSoftmax", logSoftmax],
  ] as const) {
    test(`${name}: over each dim of a 3-D tensor`, () => {
      const x = uniform([2, 3, 4], -2, 2);
      for (const d of [0, 1, 2, -1]) check(name, (t) => op(t, d), [x]);
    });
  }
});

describe("gradcheck: linear algebra", () => {
  test("matmul: 2-D · 2-D", () => {
    check("matmul", (a, b) => matmul(a, b), [uniform([3, 4]), uniform([4, 2])]);
  });
  test("linear: with and without bias, batched input", () => {
    check("linear", (x, w, b) => linear(x, w, b), [
      uniform([2, 3, 4]),
      uniform([5, 4]),
      uniform([5]),
    ]);
    check("linear", (x, w) => linear(x, w), [uniform([3, 4]), uniform([2, 4])]);
    check("linear", (x, w) => linear(x, w), [uniform([4]), uniform([2, 4])]);
  });
});

describe("gradcheck: movement and indexing primitives", () => {
  test("reshape", () => check("reshape", (x) => reshape(x, [4, -1]), [uniform([2, 3, 2])]));
  test("permute", () => check("permute", (x) => permute(x, [2, 0, 1]), [uniform([2, 3, 4])]));
  test("expand: new leading dims and size-1 dims", () => {
    check("expand", (x) => expand(x, [2, 3, 4]), [uniform([3, 1])]);
    check("expand", (x) => expand(x, [4, -1]), [uniform([3])]);
  });
  test("narrow: positive and negative start", () => {
    check("narrow", (x) => narrow(x, 1, 1, 2), [uniform([2, 4, 3])]);
    check("narrow", (x) => narrow(x, -1, -2, 2), [uniform([2, 4, 3])]);
  });
  test("flip: one and several dims", () => {
    check("flip", (x) => flip(x, [0]), [uniform([3, 2])]);
    check("flip", (x) => flip(x, [0, 2]), [uniform([2, 3, 4])]);
  });
  test("cat: along each dim, some inputs constant", () => {
    check("cat", (a, b, c) => cat([a, b, c], 1), [
      uniform([2, 1, 3]),
      uniform([2, 3, 3]),
      uniform([2, 2, 3]),
    ]);
    const fixed = tensor([[1, 2, 3]]);
    check("cat", (a) => cat([fixed, a, fixed], 0), [uniform([2, 3])]);
  });
  test("clone", () => check("clone", (x) => x.clone().mul(x), [uniform([2, 3])]));
  test("indexSelect: each dim, repeated indices", () => {
    const x = uniform([3, 4, 2]);
    check("indexSelect", (t) => indexSelect(t, 0, ints([2, 0, 2])), [x]);
    check("indexSelect", (t) => indexSelect(t, 1, ints([3, 3, 1, 0, 1])), [x]);
    check("indexSelect", (t) => indexSelect(t, -1, ints([1])), [x]);
  });
  test("gather: along each dim, repeated indices", () => {
    const x = uniform([3, 4]);
    check("gather", (t) => gather(t, 1, ints([0, 0, 3, 1, 2, 2], [3, 2])), [x]);
    check("gather", (t) => gather(t, 0, ints([2, 0, 1, 1, 0, 0, 2, 2], [2, 4])), [x]);
  });
  test("embedding: repeated rows, with and without paddingIdx", () => {
    const w = uniform([5, 3]);
    check("embedding", (t) => embedding(ints([1, 4, 1, 0, 2, 1], [2, 3]), t), [w]);
    // paddingIdx masks a true derivative (PyTorch's semantics), so the finite-difference check
    // uses rows other than the padding row and the mask is asserted directly below.
    check("embedding", (t) => embedding(ints([1, 4, 1, 0]), t, 2), [w]);
    const out = embedding(ints([1, 1, 3]), w, 1);
    w.grad = null;
    out.sum().backward();
    assert.deepEqual(Array.from(w.grad!.data.subarray(3, 6)), [0, 0, 0]);
    assert.deepEqual(Array.from(w.grad!.data.subarray(9, 12)), [1, 1, 1]);
  });
});

/** Which labelled check covers each primitive; primitives checked in other files are listed apart. */
const coverage: Record<string, string> = {
  add: "add",
  sub: "sub",
  mul: "mul",
  div: "div",
  pow: "pow",
  maximum: "maximum",
  minimum: "minimum",
  neg: "neg",
  exp: "exp",
  log: "log",
  tanh: "tanh",
  sigmoid: "sigmoid",
  relu: "relu",
  sqrt: "sqrt",
  abs: "abs",
  sin: "sin",
  cos: "cos",
  clamp: "clamp",
  where: "where",
  sum: "sum",
  maxMin: "maxMin",
  maxMinAll: "maxMinAll",
  softmax: "softmax",
  logSoftmax: "logSoftmax",
  matmul: "matmul",
  linear: "linear",
  reshape: "reshape",
  permute: "permute",
  expand: "expand",
  narrow: "narrow",
  flip: "flip",
  cat: "cat",
  clone: "clone",
  indexSelect: "indexSelect",
  gather: "gather",
  embedding: "embedding",
};
const elsewhere: Record<string, string> = {
  recurrentLayer: "test/gradcheck/rnn.test.ts",
  softmaxCrossEntropy: "test/gradcheck/loss.test.ts",
};

test("every primitive of the derivatives table has a gradcheck", () => {
  const missing: string[] = [];
  for (const key of Object.keys(derivatives)) {
    if (key in elsewhere) continue;
    const label = coverage[key];
    // The labelled checks must have run and their graphs must really contain the primitive.
    if (label === undefined || !seen.get(label)?.has(key)) missing.push(key);
  }
  assert.deepEqual(missing, [], `primitives without a gradcheck: ${missing.join(", ")}`);
  console.log(
    `# gradchecked ${Object.keys(coverage).length} primitives here; ${Object.keys(elsewhere).join(", ")} elsewhere`,
  );
});
