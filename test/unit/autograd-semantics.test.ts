/**
 * The tape's contract, PyTorch's semantics: accumulation, released graphs, grad modes, detach,
 * leaves used twice, multi-output nodes, and what backward() accepts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chunk, max, mul, split, tensor } from "../../src/ops/index.js";
import { enableGrad, isGradEnabled, noGrad } from "../../src/autograd/tape.js";

const values = (t: { data: ArrayLike<number> } | null) => Array.from(t!.data);

describe("backward", () => {
  test("gradients accumulate across backward calls until reset", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    assert.deepEqual(values(x.grad), [4, 8, 12]);
    x.grad = null;
    x.mul(3).sum().backward();
    assert.deepEqual(values(x.grad), [3, 3, 3]);
  });
  test("a released graph cannot be walked twice; retainGraph keeps it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.throws(
      () => y.backward(),
      /backward: trying to go through the graph a second time \(at sum\).*retainGraph/,
    );
    const z = x.mul(x).sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    assert.deepEqual(values(x.grad), [4, 8]);
  });
  test("a non-scalar output needs a gradient of its own shape", () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const y = x.mul(2);
    assert.throws(
      () => y.backward(),
      /backward: grad can be implicitly created only for one-element outputs, got shape \[2, 3\]/,
    );
    assert.throws(
      () =>
        y.backward(
          tensor([
            [1, 1],
            [1, 1],
            [1, 1],
          ]),
        ),
      /backward: expected a gradient of shape \[2, 3\], got \[3, 2\]/,
    );
    y.backward(
      tensor([
        [1, 0, 2],
        [0, 1, 0],
      ]),
    );
    assert.deepEqual(values(x.grad), [2, 0, 4, 0, 2, 0]);
  });
  test("backward on a tensor that does not require grad fails; on a leaf it seeds the leaf", () => {
    assert.throws(
      () => tensor([1]).sum().backward(),
      /backward: this tensor does not require grad/,
    );
    const x = tensor([1, 2], { requiresGrad: true });
    x.backward(tensor([5, 6]));
    assert.deepEqual(values(x.grad), [5, 6]);
  });
  test("a leaf used twice sums both paths; constants get no gradient", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const c = tensor([2, 2, 2]);
    x.mul(x).add(x.mul(c)).sum().backward();
    assert.deepEqual(values(x.grad), [4, 6, 8]);
    assert.equal(c.grad, null);
  });
  test("intermediate results do not keep .grad; leaves do", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.sum().backward();
    assert.equal(y.grad, null);
    assert.equal(y.isLeaf, false);
    assert.equal(x.isLeaf, true);
    assert.equal(y.gradFn?.name, "mul");
  });
  test("multi-output nodes: max values and indices, chunks used on different paths", () => {
    const x = tensor(
      [
        [1, 5, 2],
        [7, 0, 3],
      ],
      { requiresGrad: true },
    );
    const [v, i] = max(x, 1);
    assert.deepEqual(values(i), [1, 0]);
    assert.equal(i.requiresGrad, false);
    v.sum().add(v.mul(v).sum()).backward();
    assert.deepEqual(values(x.grad), [0, 11, 0, 15, 0, 0]);

    const z = tensor([1, 2, 3, 4, 5], { requiresGrad: true });
    const [a, b, c] = chunk(z, 3);
    a.mul(2).sum().add(c.mul(c).sum()).backward();
    assert.deepEqual(values(z.grad), [2, 2, 0, 0, 10]);
    assert.equal(b.gradFn?.name, "narrow");
    const [p, q] = split(z, [2, 3]);
    z.grad = null;
    mul(p.sum(), q.sum()).backward();
    assert.deepEqual(values(z.grad), [12, 12, 3, 3, 3]);
  });
  test("long chains do not overflow the stack", () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let k = 0; k < 20_000; k++) y = y.add(1);
    y.sum().backward();
    assert.deepEqual(values(x.grad), [1]);
  });
});

describe("grad modes and detach", () => {
  test("noGrad records nothing, enableGrad re-enables inside it, both restore on throw", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    assert.equal(z.gradFn?.name, "mul");
    assert.throws(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    );
    assert.equal(isGradEnabled(), true);
    noGrad(() => assert.equal(isGradEnabled(), false));
  });
  test("detach shares storage and cuts the tape", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const d = y.detach();
    assert.equal(d.data, y.data);
    assert.equal(d.requiresGrad, false);
    assert.equal(d.gradFn, null);
    x.mul(d).sum().backward();
    assert.deepEqual(values(x.grad), [3, 6]);
  });
  test("requiresGrad: only float32, and only on leaves can it be turned off", () => {
    assert.throws(
      () => tensor([1, 2], { dtype: "int32", requiresGrad: true }),
      /requiresGrad: only float32 tensors can require gradients, got int32/,
    );
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    assert.throws(() => {
      y.requiresGrad = false;
    }, /requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach\(\)/);
    assert.equal(tensor([1]).requiresGrad_().requiresGrad, true);
  });
});
