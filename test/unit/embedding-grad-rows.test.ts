/**
 * The dense weight gradient of a non-sparse embedding, held as the rows a batch looked up until
 * something reads `grad` (Tensor.heldGrad, tensor/sparse.ts): it reads as the dense scatter-add
 * bit for bit, adds up with other uses of the weight in either order, and Adam, AdamW and
 * clipGradNorm working on the rows give exactly what they give on the dense gradient, on both
 * backends.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  manualSeed,
  nn,
  optim,
  randn,
  setBackend,
  tensor,
  Tensor,
  utils,
} from "../../src/index.js";

const F = nn.functional;
const [ROWS, WIDTH] = [20, 6];
const f = Math.fround;

/** The dense gradient of sum(embedding(idx) · c), accumulated in index order as the scatter does. */
function expected(idx: number[], c: Float32Array, paddingIdx: number | null = null): Float32Array {
  const dense = new Float32Array(ROWS * WIDTH);
  idx.forEach((r, i) => {
    if (r === paddingIdx) return;
    for (let j = 0; j < WIDTH; j++)
      dense[r * WIDTH + j] = f(dense[r * WIDTH + j] + c[i * WIDTH + j]);
  });
  return dense;
}

function lookupLoss(
  idx: number[],
  weight: Tensor,
  c: Tensor,
  options: nn.functional.EmbeddingOptions = {},
) {
  return F.embedding(tensor(idx, { dtype: "int32" }), weight, options)
    .mul(c)
    .sum();
}

function leaf(): Tensor {
  return randn([ROWS, WIDTH]).requiresGrad_();
}

/** Bit-identical, signed zeros and NaN included. */
function assertSame(a: ArrayLike<number>, b: ArrayLike<number>, label: string): void {
  assert.equal(a.length, b.length, `${label}: lengths`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${label}: [${i}] ${a[i]} vs ${b[i]}`);
  }
}

describe("a non-sparse embedding's weight gradient held as rows", () => {
  manualSeed(3);
  const idx = [4, 1, 4, 0, 19, 1, 7];
  const c = randn([idx.length, WIDTH]);

  test("reads as the dense scatter-add, padding row left 0; reading it makes it dense", () => {
    for (const paddingIdx of [null, 1]) {
      const w = leaf();
      lookupLoss(idx, w, c, { paddingIdx }).backward();
      assert.equal(w.heldGrad()?.rows, true, "held as rows before it is read");
      assert.equal(w.heldGrad()?.grad.isSparse, true);
      const g = w.grad!;
      assert.equal(g.isSparse, false);
      assert.deepEqual(g.shape, [ROWS, WIDTH]);
      assertSame(
        g.data,
        expected(idx, c.data as Float32Array, paddingIdx),
        `paddingIdx ${paddingIdx}`,
      );
      assert.equal(w.heldGrad()?.rows, false, "dense once read");
      assert.equal(w.grad, g, "the same tensor on every read");
    }
  });

  test("as many lookups as rows or more: dense straight away", () => {
    const many = Array.from({ length: ROWS }, (_, i) => (i * 7) % ROWS);
    const w = leaf();
    lookupLoss(many, w, randn([ROWS, WIDTH])).backward();
    assert.equal(w.heldGrad()?.rows, false);
  });

  test("two lookups in one graph and across two backward calls add up", () => {
    const idx2 = [2, 4, 4];
    const c2 = randn([idx2.length, WIDTH]);
    const w = leaf();
    lookupLoss(idx, w, c)
      .add(lookupLoss(idx2, w, c2))
      .backward();
    lookupLoss(idx2, w, c2).backward();
    assert.equal(w.heldGrad()?.rows, true);
    const [a, b] = [expected(idx, c.data as Float32Array), expected(idx2, c2.data as Float32Array)];
    // The first backward adds the two lookups' rows in the order the tape reaches them; either
    // order gives the same two-term sums. The second adds b once more.
    const want = a.map((x, i) => f(f(x + b[i]) + b[i]));
    const alt = a.map((x, i) => f(f(b[i] + x) + b[i]));
    assertSame(want, alt, "two-term sums commute");
    assertSame(w.grad!.data, want, "sum");
  });

  test("a weight also used densely (tied), in either order, and beside a sparse lookup", () => {
    const x = randn([WIDTH, 3]);
    const dense = (w: Tensor) => w.matmul(x).sum();
    const alone = (loss: (w: Tensor) => Tensor, w0: Tensor) => {
      const w = w0.detach().clone().requiresGrad_();
      loss(w).backward();
      return w.grad!.data as Float32Array;
    };
    const w0 = leaf();
    const gLookup = alone((w) => lookupLoss(idx, w, c), w0);
    const gDense = alone(dense, w0);
    const want = gLookup.map((v, i) => f(v + gDense[i]));
    for (const order of ["lookup first", "dense first"]) {
      const w = w0.detach().clone().requiresGrad_();
      const [l1, l2] = [lookupLoss(idx, w, c), dense(w)];
      (order === "lookup first" ? l1.add(l2) : l2.add(l1)).backward();
      assertSame(w.grad!.data, want, order);
      // A second backward of the lookup alone, into the now dense gradient.
      lookupLoss(idx, w, c).backward();
      assertSame(
        w.grad!.data,
        want.map((v, i) => f(v + gLookup[i])),
        `${order}, then the lookup again`,
      );
    }
    const w = w0.detach().clone().requiresGrad_();
    lookupLoss(idx, w, c)
      .add(lookupLoss(idx, w, c, { sparse: true }))
      .backward();
    assertSame(
      w.grad!.data,
      gLookup.map((v) => f(v + v)),
      "with a sparse lookup",
    );
  });

  test("a non-leaf weight gets it dense", () => {
    const w = leaf();
    lookupLoss(idx, w.mul(2), c).backward();
    assert.equal(w.heldGrad()?.rows, false);
    assertSame(
      w.grad!.data,
      expected(idx, c.data as Float32Array).map((v) => f(2 * v)),
      "chain rule",
    );
  });

  test("zeroGrad({ setToNone: false }) leaves zeros that read dense; backward adds to them", () => {
    const w = leaf();
    const opt = new optim.Adam([w]);
    lookupLoss(idx, w, c).backward();
    opt.zeroGrad({ setToNone: false });
    assert.equal(w.heldGrad()?.rows, true);
    lookupLoss(idx, w, c).backward();
    assertSame(w.grad!.data, expected(idx, c.data as Float32Array), "zeros + the gradient");
    opt.zeroGrad({ setToNone: false });
    assertSame(w.grad!.data, new Float32Array(ROWS * WIDTH), "zeros");
    opt.zeroGrad();
    assert.equal(w.grad, null);
  });
});

describe("optimizers and clipping on a gradient held as rows", () => {
  type Make = (params: Tensor[]) => optim.Optimizer;
  const optimizers: [string, Make][] = [
    ["Adam", (p) => new optim.Adam(p, { lr: 0.01 })],
    [
      "Adam amsgrad, weight decay",
      (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
    ],
    ["AdamW maximize", (p) => new optim.AdamW(p, { lr: 0.01, maximize: true })],
    ["AdamW amsgrad", (p) => new optim.AdamW(p, { lr: 0.01, amsgrad: true, weightDecay: 0.05 })],
    [
      "SGD momentum (no row update: made dense)",
      (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
    ],
  ];

  /** Trains Embedding → Linear four steps; `dense` reads every grad before clipping (materializing). */
  function train(make: Make, dense: boolean, seed: number, maxNorm: number) {
    manualSeed(seed);
    const emb = new nn.Embedding(200, 8, { paddingIdx: 0 });
    const lin = new nn.Linear(8, 3);
    const params = [...emb.parameters(), ...lin.parameters()];
    const opt = make(params);
    const norms: number[] = [];
    let heldAsRows = false;
    for (let step = 0; step < 4; step++) {
      const idx = tensor(
        Array.from({ length: 12 }, (_, i) => (i * 37 + step * 11) % 50),
        { dtype: "int32" },
      );
      const y = lin.forward(emb.forward(idx));
      y.mul(y).sum().backward();
      heldAsRows ||= emb.weight.heldGrad()?.rows === true;
      if (dense) for (const p of params) void p.grad;
      norms.push(utils.clipGradNorm(params, maxNorm));
      opt.step();
      opt.zeroGrad({ setToNone: step % 2 === 0 });
    }
    return { params: params.map((p) => Float32Array.from(p.data)), norms, heldAsRows };
  }

  for (const be of ["wasm", "reference"] as const) {
    for (const [name, make] of optimizers) {
      test(`${name} (${be}): the same parameters, bit for bit, as from the dense gradient`, () => {
        const previous = setBackend(be);
        try {
          // 0.5 clips every step; 1e9 never does.
          for (const maxNorm of [0.5, 1e9]) {
            const rows = train(make, false, 11, maxNorm);
            const dense = train(make, true, 11, maxNorm);
            assert.ok(rows.heldAsRows, "the embedding's gradient was held as rows");
            assertSame(rows.norms, dense.norms, `${name} norms`);
            rows.params.forEach((p, i) => assertSame(p, dense.params[i], `${name} parameter ${i}`));
          }
        } finally {
          setBackend(previous);
        }
      });
    }
  }

  test("clipGradNorm with a NaN or a negative coefficient makes the rows dense first", () => {
    const c = randn([3, WIDTH]);
    const make = () => {
      const w = randn([ROWS, WIDTH]).requiresGrad_();
      lookupLoss([1, 5, 1], w, c).backward();
      return w;
    };
    // A negative maxNorm scales by a negative coefficient: PyTorch's dense zeros become −0.
    const [a, b] = [make(), make()];
    void b.grad;
    assert.equal(utils.clipGradNorm(a, -1), utils.clipGradNorm(b, -1));
    assertSame(a.grad!.data, b.grad!.data, "negative coefficient");
    assert.ok(Object.is(a.grad!.data[0], -0), "a zero outside the rows became −0");
    // A NaN in the rows makes the total NaN: every element becomes NaN.
    const [p, q] = [make(), make()];
    for (const t of [p, q]) t.heldGrad()!.grad.data[0] = NaN;
    void q.grad;
    assert.ok(Number.isNaN(utils.clipGradNorm(p, 1)));
    utils.clipGradNorm(q, 1);
    assertSame(p.grad!.data, q.grad!.data, "NaN coefficient");
    assert.ok(p.grad!.data.every(Number.isNaN));
    // clipGradValue reads the dense gradient.
    const [r, s] = [make(), make()];
    void s.grad;
    utils.clipGradValue([r], 0.1);
    utils.clipGradValue([s], 0.1);
    assertSame(r.grad!.data, s.grad!.data, "clipGradValue");
  });
});
