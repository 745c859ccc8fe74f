/** clipGradNorm / clipGradValue edge cases (values against PyTorch are in test/parity/optim.test.ts). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tensor, utils, zeros, type Tensor } from "../../src/index.js";

function withGrad(values: number[]): Tensor {
  const p = zeros([values.length], { requiresGrad: true });
  p.grad = tensor(values);
  return p;
}

describe("utils.clipGradNorm", () => {
  test("scales by maxNorm / (total + 1e-6) when the total is too large", () => {
    const a = withGrad([3, 0]);
    const b = withGrad([0, 4]);
    const total = utils.clipGradNorm([a, b], 1);
    assert.equal(total, 5);
    const coef = Math.fround(1 / Math.fround(5 + Math.fround(1e-6)));
    assert.deepEqual([...a.grad!.data], [Math.fround(3 * coef), 0]);
    assert.deepEqual([...b.grad!.data], [0, Math.fround(4 * coef)]);
  });

  test("leaves grads untouched under maxNorm and accepts a single tensor", () => {
    const a = withGrad([0.3, -0.4]);
    assert.equal(utils.clipGradNorm(a, 1), Math.fround(0.5));
    assert.deepEqual([...a.grad!.data], [Math.fround(0.3), Math.fround(-0.4)]);
  });

  test("the infinity norm is the largest absolute value", () => {
    const a = withGrad([1, -6, 2]);
    assert.equal(utils.clipGradNorm([a, withGrad([5])], 3, { normType: Infinity }), 6);
    assert.ok(Math.abs(a.grad!.data[1] + 3) < 1e-5);
  });

  test("no gradients gives 0 and non-finite norms can be refused", () => {
    assert.equal(utils.clipGradNorm([zeros([2], { requiresGrad: true })], 1), 0);
    const a = withGrad([1, Infinity]);
    assert.throws(
      () => utils.clipGradNorm([a], 1, { errorIfNonfinite: true }),
      /total norm of order 2 .* is non-finite/,
    );
    const b = withGrad([1, NaN]);
    assert.ok(Number.isNaN(utils.clipGradNorm([b], 1)));
    assert.throws(
      () => utils.clipGradNorm([b], 1, { normType: 0 }),
      /expected normType > 0 or Infinity, got 0/,
    );
  });
});

describe("utils.clipGradValue", () => {
  test("clamps every element into [-clipValue, clipValue]", () => {
    const a = withGrad([-2, -0.5, 0.25, 3]);
    const b = zeros([1], { requiresGrad: true });
    utils.clipGradValue([a, b], 1);
    assert.deepEqual([...a.grad!.data], [-1, -0.5, 0.25, 1]);
    assert.equal(b.grad, null);
  });
});
