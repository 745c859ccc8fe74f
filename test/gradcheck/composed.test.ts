/**
 * Gradchecks for ops composed from primitives (mean, logsumexp, repeat, stack, chunk, split,
 * select, slice, maskedFill, matmul's 1-D and batched forms, the view-like ops), plus the
 * non-differentiable points where PyTorch picks a convention (ties in maximum/minimum and max).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bmm,
  chunk,
  clamp,
  flatten,
  logsumexp,
  maskedFill,
  matmul,
  maximum,
  mean,
  minimum,
  ne,
  pow,
  repeat,
  select,
  slice,
  split,
  squeeze,
  stack,
  tensor,
  transpose,
  unsqueeze,
  where,
} from "../../src/ops/index.js";
import { gradcheck } from "../../src/autograd/gradcheck.js";
import { check, distinct, signed, uniform } from "./util.js";

describe("gradcheck: composed reductions", () => {
  test("mean: all, one dim, several dims with keepdim", () => {
    const x = uniform([2, 3, 4]);
    check("mean", (t) => mean(t), [x]);
    check("mean", (t) => mean(t, -2), [x]);
    check("mean", (t) => mean(t, [0, 2], true), [x]);
  });
  test("logsumexp: each dim, keepdim, large values", () => {
    const x = uniform([3, 4], -2, 2);
    check("logsumexp", (t) => logsumexp(t, 0), [x]);
    check("logsumexp", (t) => logsumexp(t, 1, true), [x]);
    check("logsumexp", (t) => logsumexp(t, -1), [uniform([2, 3], 60, 62)]);
  });
});

describe("gradcheck: composed movement", () => {
  test("repeat: same rank and added leading dims", () => {
    check("repeat", (t) => repeat(t, [2, 3]), [uniform([2, 2])]);
    check("repeat", (t) => repeat(t, [2, 1, 2]), [uniform([3])]);
  });
  test("stack: each position of the new dim", () => {
    for (const d of [0, 1, -1])
      check("stack", (a, b) => stack([a, b], d), [uniform([2, 3]), uniform([2, 3])]);
  });
  test("chunk and split: even, uneven and listed sizes (multi-output)", () => {
    const x = uniform([5, 2]);
    check("chunk", (t) => chunk(t, 3, 0), [x]);
    check("chunk", (t) => chunk(t, 2, 1), [x]);
    check("split", (t) => split(t, 2, 0), [x]);
    check("split", (t) => split(t, [1, 4], 0), [x]);
    // Using only one piece must give zeros to the rest.
    const [, second] = split(x, [2, 3]);
    x.grad = null;
    second.sum().backward();
    assert.deepEqual(Array.from(x.grad!.data), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });
  test("select and slice, with negative indices and bounds", () => {
    const x = uniform([3, 4]);
    check("select", (t) => select(t, 0, -1), [x]);
    check("select", (t) => select(t, 1, 2), [x]);
    check("slice", (t) => slice(t, 1, 1, -1), [x]);
    check("slice", (t) => slice(t, 0, -2), [x]);
    check("slice", (t) => slice(t, 1, -10, 10), [x]);
  });
  test("squeeze, unsqueeze, transpose, t, flatten, expandAs", () => {
    check("squeeze", (t) => squeeze(t), [uniform([1, 3, 1, 2])]);
    check("squeeze", (t) => squeeze(t, 2), [uniform([1, 3, 1, 2])]);
    check("unsqueeze", (t) => unsqueeze(t, -1), [uniform([3, 2])]);
    check("transpose", (t) => transpose(t, 0, 2), [uniform([2, 3, 4])]);
    check("t", (t) => t.t(), [uniform([2, 3])]);
    check("flatten", (t) => flatten(t, 1), [uniform([2, 3, 4])]);
    check(
      "expandAs",
      (t) =>
        t.expandAs(
          tensor([
            [0, 0, 0],
            [0, 0, 0],
          ]),
        ),
      [uniform([1, 3])],
    );
  });
  test("maskedFill with a broadcast mask; ne as a mask", () => {
    const mask = tensor([[1, 0, 0, 1]]);
    check("maskedFill", (t) => maskedFill(t, mask, -3), [uniform([3, 4])]);
    const x = tensor([0.5, 0, -1, 0, 2], { requiresGrad: true });
    check("ne", (t) => where(ne(t, 0), t.mul(t), 1), [x]);
  });
});

describe("gradcheck: matmul forms", () => {
  const cases: [string, number[], number[]][] = [
    ["1-D · 1-D", [4], [4]],
    ["1-D · 2-D", [4], [4, 3]],
    ["2-D · 1-D", [3, 4], [4]],
    ["1-D · 3-D", [4], [2, 4, 3]],
    ["3-D · 1-D", [2, 3, 4], [4]],
    ["batched", [2, 3, 4], [2, 4, 5]],
    ["broadcast batch [2,1,..]·[3,..]", [2, 1, 3, 4], [3, 4, 2]],
    ["3-D · 2-D", [2, 3, 4], [4, 2]],
  ];
  for (const [name, sa, sb] of cases) {
    test(name, () => check(`matmul ${name}`, (a, b) => matmul(a, b), [uniform(sa), uniform(sb)]));
  }
  test("bmm", () => check("bmm", (a, b) => bmm(a, b), [uniform([3, 2, 4]), uniform([3, 4, 2])]));
});

describe("gradcheck: conventions at non-differentiable points", () => {
  test("pow with a tensor exponent, clamp with one-sided bounds, where broadcasting", () => {
    check("pow", (a, b) => pow(a, b), [uniform([2, 1], 0.5, 2), uniform([1, 3], -2, 2)]);
    check("clamp", (t) => clamp(t, 0.1), [signed([6], 0.3, 1)]);
    check("clamp", (t) => clamp(t, null, 0.1), [signed([6], 0.3, 1)]);
    check("where", (a, b) => where(tensor([1, 0, 1]), a, b), [uniform([2, 1]), uniform([])]);
  });
  test("maximum/minimum split the gradient evenly on ties, like torch.maximum", () => {
    for (const op of [maximum, minimum]) {
      const a = tensor([1, 2, 2], { requiresGrad: true });
      const b = tensor([2, 2, 1], { requiresGrad: true });
      op(a, b).sum().backward();
      const [wa, wb] =
        op === maximum
          ? [
              [0, 0.5, 1],
              [1, 0.5, 0],
            ]
          : [
              [1, 0.5, 0],
              [0, 0.5, 1],
            ];
      assert.deepEqual(Array.from(a.grad!.data), wa);
      assert.deepEqual(Array.from(b.grad!.data), wb);
    }
  });
  test("max over a dim sends the gradient to the returned (first) index; max() spreads it", () => {
    const x = tensor(
      [
        [1, 3, 3],
        [2, 2, 0],
      ],
      { requiresGrad: true },
    );
    x.max(1)[0].sum().backward();
    assert.deepEqual(Array.from(x.grad!.data), [0, 1, 0, 1, 0, 0]);
    x.grad = null;
    x.max().backward();
    assert.deepEqual(Array.from(x.grad!.data), [0, 0.5, 0.5, 0, 0, 0]);
    x.grad = null;
    x.min().mul(3).backward();
    assert.deepEqual(Array.from(x.grad!.data), [0, 0, 0, 0, 0, 3]);
  });
  test("pow: 0^0 and 0^b keep finite gradients (PyTorch's masks)", () => {
    const a = tensor([0, 0, 2], { requiresGrad: true });
    const b = tensor([0, 2, 3], { requiresGrad: true });
    pow(a, b).sum().backward();
    assert.deepEqual(Array.from(a.grad!.data), [0, 0, 12]);
    assert.deepEqual(
      Array.from(b.grad!.data).map((v) => Number(v.toFixed(4))),
      [0, 0, 5.5452],
    );
  });
});

test("gradcheck itself reports a wrong gradient", () => {
  // x·detach(x) has true derivative 2x but the tape only sees x.
  const x = uniform([4], 0.5, 1);
  const result = gradcheck((t) => t.mul(t.detach()), [x], { raise: false });
  assert.equal(result.ok, false);
  assert.match(result.message, /analytic .* vs numeric/);
  assert.throws(() => gradcheck((t) => t.mul(t.detach()), [x]), /gradcheck failed: input 0/);
});

test("distinct() inputs are really distinct, so max checks never straddle a tie", () => {
  const x = distinct([4, 5]);
  assert.equal(new Set(Array.from(x.data)).size, 20);
});
