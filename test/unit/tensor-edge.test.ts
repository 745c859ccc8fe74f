/**
 * Edge cases of the ops and the reference kernels: empty tensors, 0-d tensors, size-1 dims,
 * negative strides (flip), NaN and ±inf, and every transpose combination of gemm.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as ops from "../../src/ops/index.js";
import { referenceBackend as ref } from "../../src/backend/reference/index.js";

const { tensor, zeros, ones } = ops;
const values = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe("empty tensors", () => {
  test("elementwise, reductions and softmax keep empty shapes", () => {
    assert.deepEqual(ops.add(zeros([0, 3]), tensor([1, 2, 3])).shape, [0, 3]);
    assert.deepEqual(ops.exp(zeros([2, 0])).shape, [2, 0]);
    assert.equal(ops.sum(zeros([0, 3])).item(), 0);
    assert.deepEqual(values(ops.sum(zeros([0, 3]), 0)), [0, 0, 0]);
    assert.ok(values(ops.mean(zeros([0, 3]), 0)).every(Number.isNaN)); // 0/0, like PyTorch
    assert.deepEqual(ops.softmax(zeros([0, 3]), 1).shape, [0, 3]);
    assert.deepEqual(ops.max(zeros([0, 3]), 1)[0].shape, [0]);
  });
  test("matmul with an empty outer or inner dim", () => {
    assert.deepEqual(ops.matmul(zeros([0, 3]), zeros([3, 2])).shape, [0, 2]);
    const k0 = ops.matmul(zeros([2, 0]), zeros([0, 3]));
    assert.deepEqual(values(k0), [0, 0, 0, 0, 0, 0]);
    const a = zeros([2, 0], { requiresGrad: true });
    const b = zeros([0, 3], { requiresGrad: true });
    ops.matmul(a, b).sum().backward();
    assert.deepEqual(
      [a.grad!.shape, b.grad!.shape],
      [
        [2, 0],
        [0, 3],
      ],
    );
  });
  test("movement: flip, permute, cat, split and chunk", () => {
    assert.deepEqual(ops.flip(zeros([0, 3]), [0, 1]).shape, [0, 3]);
    assert.deepEqual(ops.permute(zeros([0, 3]), [1, 0]).shape, [3, 0]);
    assert.deepEqual(values(ops.cat([zeros([0, 2]), ones([1, 2])])), [1, 1]);
    // PyTorch: one empty piece from split, `chunks` empty pieces from chunk.
    assert.deepEqual(
      ops.split(zeros([0]), 2).map((t) => t.shape),
      [[0]],
    );
    assert.deepEqual(
      ops.chunk(zeros([0, 2]), 3).map((t) => t.shape),
      [
        [0, 2],
        [0, 2],
        [0, 2],
      ],
    );
    assert.deepEqual(ops.slice(ones([4]), 0, 3, 1).shape, [0]);
  });
  test("gradients of empty tensors have the empty shape", () => {
    const a = zeros([0, 3], { requiresGrad: true });
    ops.add(a, 1).sum().backward();
    assert.deepEqual(a.grad!.shape, [0, 3]);
  });
});

describe("0-d tensors and size-1 dims", () => {
  test("0-d operands broadcast like scalars; one-element tensors keep their rank", () => {
    assert.deepEqual(ops.add(tensor(2), zeros([1, 1])).shape, [1, 1]);
    assert.deepEqual(ops.add(tensor([2]), tensor(3)).shape, [1]);
    assert.deepEqual(values(ops.add(ones([1, 1, 1]), tensor([1, 2, 3]))), [2, 3, 4]);
    assert.deepEqual(ops.add(ones([1, 1, 1]), tensor([1, 2, 3])).shape, [1, 1, 3]);
    assert.equal(ops.mul(tensor(2), tensor(3)).item(), 6);
    assert.equal(ops.sub(5, tensor(3)).item(), 2);
    assert.equal(ops.where(tensor(0), tensor(1), tensor(2)).item(), 2);
  });
  test("reductions, softmax, max, expand and unsqueeze on 0-d", () => {
    assert.equal(ops.sum(tensor(3)).item(), 3);
    assert.equal(ops.sum(tensor(3), 0).item(), 3);
    assert.equal(ops.softmax(tensor(3), 0).item(), 1);
    const [v, i] = ops.max(tensor(3), 0);
    assert.deepEqual([v.item(), i.item(), v.shape.length], [3, 0, 0]);
    assert.deepEqual(values(ops.expand(tensor(3), [2, 2])), [3, 3, 3, 3]);
    assert.deepEqual(ops.unsqueeze(tensor(3), 0).shape, [1]);
    assert.deepEqual(ops.flatten(tensor(3)).shape, [1]);
    const x = tensor(2, { requiresGrad: true });
    ops.expand(x, [2, 3]).mul(x).sum().backward();
    assert.equal(x.grad!.item(), 24);
    assert.deepEqual(x.grad!.shape, []);
  });
  test("size-1 dims: squeeze, select, max over them", () => {
    const x = tensor([[[1, 2, 3]]]);
    assert.deepEqual(ops.squeeze(x).shape, [3]);
    assert.deepEqual(ops.squeeze(x, 2).shape, [1, 1, 3]); // not size 1: unchanged
    assert.deepEqual(ops.select(x, 1, 0).shape, [1, 3]);
    const [v, i] = ops.max(x, 0);
    assert.deepEqual(
      [values(v), values(i)],
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
    );
    assert.deepEqual(values(ops.softmax(x, 1)), [1, 1, 1]);
    assert.deepEqual(ops.matmul(tensor([[2]]), tensor([[3]])).toArray(), [[6]]);
    assert.equal(ops.matmul(tensor([2]), tensor([3])).item(), 6);
  });
});

describe("flip: negative strides", () => {
  test("each dim, several dims, size-1 dims, int32, and twice is the identity", () => {
    const x = ops.arange(24, { dtype: "float32" }).reshape(2, 3, 4);
    const f = ops.flip(x, [1]);
    assert.deepEqual(
      f.toArray(),
      (x.toArray() as number[][][]).map((m) => [...m].reverse()),
    );
    assert.deepEqual(values(ops.flip(x, [0, 1, 2])), values(x).reverse());
    assert.deepEqual(values(ops.flip(ops.flip(x, [0, 2]), [2, 0])), values(x));
    assert.deepEqual(values(ops.flip(tensor([[1, 2, 3]]), [0])), [1, 2, 3]);
    const i = ops.flip(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "int32" },
      ),
      [-1],
    );
    assert.equal(i.dtype, "int32");
    assert.deepEqual(values(i), [2, 1, 4, 3]);
  });
  test("stridedCopy and stridedAccumulate read through negative and zero strides", () => {
    const src = Float32Array.of(0, 1, 2, 3, 4, 5);
    const out = new Float32Array(6);
    ref.stridedCopy(src, { offset: 5, shape: [2, 3], strides: [-3, -1] }, out);
    assert.deepEqual(Array.from(out), [5, 4, 3, 2, 1, 0]);
    ref.stridedCopy(src, { offset: 1, shape: [3, 2], strides: [0, 2] }, out);
    assert.deepEqual(Array.from(out), [1, 3, 1, 3, 1, 3]);
    const dst = new Float32Array(3);
    ref.stridedAccumulate(Float32Array.of(1, 2, 3, 4, 5, 6), dst, {
      offset: 2,
      shape: [2, 3],
      strides: [0, -1],
    });
    assert.deepEqual(Array.from(dst), [3 + 6, 2 + 5, 1 + 4]);
  });
});

describe("NaN, ±inf and conventions", () => {
  test("max/min propagate NaN and return its index, like PyTorch", () => {
    const [v, i] = ops.max(tensor([1, NaN, 3]), 0);
    assert.ok(Number.isNaN(v.item()));
    assert.equal(i.item(), 1);
    assert.equal(ops.argmin(tensor([NaN, 0, -1])).item(), 0);
    assert.ok(Number.isNaN(ops.maximum(tensor([1, NaN]), tensor([NaN, 1])).data[0]));
    assert.ok(Number.isNaN(ops.maximum(tensor([1, NaN]), tensor([NaN, 1])).data[1]));
  });
  test("ties: max, min, argmax and argmin return the first index", () => {
    assert.equal(ops.argmax(tensor([1, 3, 3, 2])).item(), 1);
    assert.equal(ops.argmin(tensor([[2, 1, 1]]), 1).item(), 1);
  });
  test("softmax and logsumexp with infinities", () => {
    assert.deepEqual(values(ops.softmax(tensor([-Infinity, 0]), 0)), [0, 1]);
    assert.deepEqual(values(ops.softmax(tensor([1000, 1000]), 0)), [0.5, 0.5]);
    assert.equal(ops.logsumexp(tensor([-Infinity, -Infinity]), 0).item(), -Infinity);
    assert.equal(ops.logsumexp(tensor([Infinity, 1]), 0).item(), Infinity);
    assert.equal(ops.logsumexp(tensor([-Infinity, 0]), 0).item(), 0);
    assert.ok(
      Math.abs(ops.logsumexp(tensor([1000, 1000]), 0).item() - (1000 + Math.log(2))) < 1e-3,
    );
  });
  test("clamp with min > max gives max everywhere, like PyTorch; NaN passes through", () => {
    assert.deepEqual(values(ops.clamp(tensor([0, 5, 10]), 6, 3)), [3, 3, 3]);
    assert.ok(Number.isNaN(ops.clamp(tensor([NaN]), 0, 1).item()));
  });
});

describe("reference gemm", () => {
  /** Naive C = alpha·op(A)·op(B) + beta·C. */
  function naive(
    tA: boolean,
    tB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: number[],
  ): number[] {
    return c.map((cv, at) => {
      const i = Math.floor(at / n);
      const j = at % n;
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      return alpha * s + beta * cv;
    });
  }
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      test(`transA=${tA} transB=${tB} with alpha, beta and offsets`, () => {
        const [m, n, k] = [3, 4, 5];
        const a = Float32Array.from({ length: 2 + m * k }, (_, i) => ((i * 7) % 11) - 5);
        const b = Float32Array.from({ length: 3 + k * n }, (_, i) => ((i * 5) % 13) - 6);
        const c0 = Array.from({ length: m * n }, (_, i) => (i % 3) - 1);
        for (const [alpha, beta] of [
          [1, 0],
          [0.5, 1],
          [2, -1],
          [0, 2],
        ]) {
          const c = Float32Array.from([9, ...c0]);
          ref.gemm(tA, tB, m, n, k, alpha, a, 2, b, 3, beta, c, 1);
          assert.equal(c[0], 9); // before the offset: untouched
          assert.deepEqual(
            Array.from(c.subarray(1)),
            naive(tA, tB, m, n, k, alpha, a.subarray(2), b.subarray(3), beta, c0),
          );
        }
      });
    }
  }
});
