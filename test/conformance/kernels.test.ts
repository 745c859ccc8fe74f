// Every non-GEMM kernel of the wasm backend against the reference, on seeded inputs with the
// special values each op must get right (±0, ±inf, NaN, subnormals, saturating arguments).
// Exactness per kernel, and why:
// - bit-identical: add/sub/mul/div/max/min/comparisons, scalar ops with float32 scalars, clamp,
//   neg/abs/relu/sqrt forward, neg/abs/relu backward (one float32 rounding of the exact result, as
//   the reference's float64-then-store), the bias kernels (same summation order) and the optimizer
//   updates (the reference's float64 roundings reproduced with f64x2).
// - ≤ a few ulp: exp/log/tanh/sigmoid (Cephes-style approximations), softmax (float32 sums), the
//   gate kernels.
// The kernels WasmBackend leaves to the reference (movement, gather/scatter, where, reductions,
// sin/cos/pow) run the reference's code and need no test here.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { BinaryOp, UnaryOp } from "../../src/backend/backend.js";
import { compare, random, ref, rng, wasm } from "./util.js";

const SPECIAL = [0, -0, 1e-8, -1e-8, 1e-40, -1e-40, 0.5, -2, 30, -30, 88.5, -88.5, 100, -104];
const SPECIAL_NAN = [...SPECIAL, Infinity, -Infinity, NaN];

/** Random values with the special ones sprinkled in. */
function withSpecials(n: number, next: () => number, scale: number, specials = SPECIAL_NAN) {
  const x = random(n, next, scale);
  for (let i = 0; i < specials.length && i * 3 < n; i++) x[i * 3] = specials[i];
  return x;
}

describe("elementwise", () => {
  const exact: UnaryOp[] = ["neg", "abs", "relu", "sqrt"];
  const approx: UnaryOp[] = ["exp", "log", "tanh", "sigmoid"];
  for (const n of [1, 3, 4, 7, 1001]) {
    test(`unary forward and backward, n = ${n}`, () => {
      const next = rng(n);
      for (const op of [...exact, ...approx]) {
        const x = withSpecials(n, next, op === "log" || op === "sqrt" ? 50 : 8);
        const tol: [number, number] = exact.includes(op) ? [0, 0] : [1e-37, 3e-7];
        compare(
          `unary ${op}`,
          [x, new Float32Array(n)],
          (be, [a, o]) => be.unaryForward(op, a, o),
          ...tol,
        );
        const y = new Float32Array(n);
        ref.unaryForward(op, x, y);
        const dx = random(n, next);
        compare(
          `unaryBackward ${op}`,
          [x, y, random(n, next), dx],
          (be, [a, b, d, g]) => be.unaryBackward(op, a, b, d, g),
          // Only neg/abs/relu are one rounding here; the others round dy·f'(x) before adding to
          // dx, where the reference's float64 sum rounds once.
          ...((["neg", "abs", "relu"].includes(op) ? [0, 0] : [1e-6, 1e-6]) as [number, number]),
        );
      }
    });
  }

  const binary: BinaryOp[] = [
    "add",
    "sub",
    "mul",
    "div",
    "max",
    "min",
    "eq",
    "gt",
    "lt",
    "ge",
    "le",
  ];
  test("binary ops over broadcast patterns (bit-exact)", () => {
    const next = rng(3);
    const cases: [number[], number[], number[]][] = [
      [[1001], [1001], [1001]],
      [[37, 13], [37, 13], [13]], // a row vector
      [
        [37, 13],
        [37, 1],
        [37, 13],
      ], // a column, swapped operands
      [
        [5, 6, 7],
        [1, 6, 7],
        [5, 6, 7],
      ],
      [
        [5, 6, 7],
        [5, 1, 7],
        [5, 6, 7],
      ], // needs the general strided loop
      [[2, 3], [], [2, 3]],
    ];
    for (const [shape, as, bs] of cases) {
      const strides = (s: number[]) => {
        const full = [...Array(shape.length - s.length).fill(1), ...s];
        let acc = 1;
        const out = new Array<number>(shape.length);
        for (let d = shape.length - 1; d >= 0; d--) {
          out[d] = full[d] === 1 ? 0 : acc;
          acc *= full[d];
        }
        return out;
      };
      const size = (s: number[]) => s.reduce((p, v) => p * v, 1);
      const n = size(shape);
      for (const op of binary) {
        const a = withSpecials(size(as), next, 3);
        const b = withSpecials(size(bs), next, 3, [0, -0, NaN, 1, -1, Infinity]);
        // Equal operands here and there, so eq/ge/le see ties.
        for (let i = 0; i < Math.min(a.length, b.length); i += 5) b[i] = a[i];
        compare(
          `binary ${op} [${shape}]`,
          [a, b, new Float32Array(n)],
          (be, [x, y, o]) => be.binaryForward(op, x, strides(as), y, strides(bs), o, shape),
          0,
          0,
        );
      }
    }
  });

  test("scalar ops and clamp (bit-exact)", () => {
    const next = rng(4);
    const x = withSpecials(1003, next, 5);
    for (const op of binary) {
      for (const s of [0.5, -3, 0, 0.1]) {
        for (const reverse of [false, true]) {
          compare(
            `scalar ${op}`,
            [x, new Float32Array(x.length)],
            (be, [a, o]) => be.scalarForward(op, a, s, reverse, o),
            0,
            0,
          );
        }
      }
    }
    for (const [lo, hi] of [
      [-1, 1],
      [0, Infinity],
      [-Infinity, 0.25],
      [2, -2],
    ]) {
      compare(
        "clamp",
        [x, new Float32Array(x.length)],
        (be, [a, o]) => be.clampForward(a, lo, hi, o),
        0,
        0,
      );
    }
  });
});

describe("softmax", () => {
  const shapes: [number, number, number][] = [
    [7, 96, 1],
    [3, 5, 1],
    [1, 1, 1],
    [4, 9, 6],
    [2, 3, 5],
  ];
  for (const [outer, size, inner] of shapes) {
    test(`softmax and log-softmax forward/backward, [${outer}, ${size}, ${inner}]`, () => {
      const next = rng(outer * 100 + size * 10 + inner);
      const n = outer * size * inner;
      for (const log of [false, true]) {
        const x = random(n, next, 10);
        if (n > 4) x[2] = -Infinity; // exp underflows to 0 for one entry
        compare(
          `softmax${log ? " log" : ""} forward`,
          [x, new Float32Array(n)],
          (be, [a, o]) => be.softmaxForward(a, outer, size, inner, log, o),
          1e-6,
          1e-6,
        );
        const y = new Float32Array(n);
        ref.softmaxForward(random(n, next, 4), outer, size, inner, log, y);
        compare(
          `softmax${log ? " log" : ""} backward`,
          [y, random(n, next), random(n, next)],
          (be, [a, d, g]) => be.softmaxBackward(a, d, outer, size, inner, log, g),
          2e-6,
          2e-6,
        );
      }
    });
  }
  test("a row of NaN stays NaN, a row of one huge value gives exactly 1 and 0", () => {
    const x = Float32Array.from([NaN, 1, 2, 3, 1e30, 0, 0, 0]);
    const out = new Float32Array(8);
    wasm.softmaxForward(x, 2, 4, 1, false, out);
    assert.ok(out.slice(0, 4).every(Number.isNaN));
    assert.deepEqual([...out.slice(4)], [1, 0, 0, 0]);
  });
});

describe("gate kernels", () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 3],
    [3, 4],
    [2, 7],
    [8, 17],
    [3, 33],
    [4, 64],
  ];
  function pre(n: number, next: () => number): Float32Array {
    return withSpecials(
      n,
      next,
      6,
      [0, -0, 1e-8, -1e-8, 0.6249, 0.6251, -0.625, 30, -30, 95, -95, 1e4],
    );
  }
  // Inputs reach |6| (ulp 4.8e-7): the float32 sums inside a gate (xn + r·hn, f·c + i·g) round
  // there, where the reference rounds once from float64, so the absolute slack is about 2 ulp(6).
  const TOL: [number, number] = [1e-6, 4e-7];

  for (const [B, H] of shapes) {
    test(`LSTM, GRU, RNN forward and backward, batch ${B}, hidden ${H}`, () => {
      const next = rng(B * 1000 + H);
      const n = B * H;
      compare(
        "lstmGatesForward",
        [pre(4 * n, next), random(n, next, 2), new Float32Array(n), new Float32Array(n)],
        (be, [g, cp, c, m]) => be.lstmGatesForward(g, cp, B, H, c, m),
        ...TOL,
      );
      // Backward from activated gates, as the forward leaves them.
      const gates = pre(4 * n, next);
      const cPrev = random(n, next, 2);
      const c = new Float32Array(n);
      ref.lstmGatesForward(gates, cPrev, B, H, c, new Float32Array(n));
      compare(
        "lstmGatesBackward",
        [gates, cPrev, c, random(n, next), random(n, next), new Float32Array(4 * n)],
        (be, [g, cp, cc, dm, dc, dg]) => be.lstmGatesBackward(g, cp, cc, dm, dc, B, H, dg),
        ...TOL,
      );
      compare(
        "gruGatesForward",
        [pre(3 * n, next), pre(3 * n, next), random(n, next), new Float32Array(n)],
        (be, [gx, gh, hp, h]) => be.gruGatesForward(gx, gh, hp, B, H, h),
        ...TOL,
      );
      const gx = pre(3 * n, next);
      const gh = random(3 * n, next, 3);
      const hPrev = random(n, next);
      ref.gruGatesForward(gx, gh, hPrev, B, H, new Float32Array(n));
      compare(
        "gruGatesBackward",
        [
          gx,
          gh,
          hPrev,
          random(n, next),
          new Float32Array(3 * n),
          new Float32Array(3 * n),
          random(n, next),
        ],
        (be, [g, h, hp, dh, dgx, dgh, dhp]) =>
          be.gruGatesBackward(g, h, hp, dh, B, H, dgx, dgh, dhp),
        ...TOL,
      );
      for (const relu of [false, true]) {
        compare(
          `rnnGatesForward ${relu ? "relu" : "tanh"}`,
          [pre(n, next)],
          (be, [x]) => be.rnnGatesForward(x, relu),
          ...TOL,
        );
        const h = pre(n, next);
        ref.rnnGatesForward(h, relu);
        compare(
          `rnnGatesBackward ${relu ? "relu" : "tanh"}`,
          [h, random(n, next), new Float32Array(n)],
          (be, [hh, dh, d]) => be.rnnGatesBackward(hh, dh, relu, d),
          ...TOL,
        );
      }
    });
  }

  test("tanh and sigmoid accuracy over a dense sweep (≤ 4 ulp)", () => {
    const n = 40001;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -20 + (40 * i) / (n - 1);
    const t = Float32Array.from(x);
    wasm.rnnGatesForward(t, false);
    let ulps = 0;
    for (let i = 0; i < n; i++) {
      const exact = Math.tanh(x[i]);
      const ulp = Math.max(2 ** (Math.floor(Math.log2(Math.abs(exact) || 1e-38)) - 23), 2 ** -149);
      ulps = Math.max(ulps, Math.abs(t[i] - exact) / ulp);
    }
    assert.ok(ulps <= 4, `tanh: ${ulps} ulp`);
  });
});

describe("bias kernels", () => {
  for (const [rows, cols] of [
    [1, 1],
    [3, 7],
    [9, 33],
    [129, 17],
  ]) {
    test(`addRowVector and sumRows, [${rows}, ${cols}] (bit-exact)`, () => {
      const next = rng(rows * 7 + cols);
      compare(
        "addRowVector",
        [random(rows * cols, next), random(cols, next)],
        (be, [o, b]) => be.addRowVector(o, b, rows, cols),
        0,
        0,
      );
      compare(
        "sumRows",
        [random(rows * cols, next), random(cols, next)],
        (be, [dy, db]) => be.sumRows(dy, rows, cols, db),
        0,
        0,
      );
    });
  }
});

describe("optimizer updates (bit-exact, five steps each)", () => {
  const n = 1031;
  const flags = [false, true];
  function steps(
    label: string,
    arrays: Float32Array[],
    step: (be: typeof ref, xs: Float32Array[], t: number) => void,
  ) {
    compare(
      label,
      arrays,
      (be, xs) => {
        for (let t = 1; t <= 5; t++) step(be, xs, t);
      },
      0,
      0,
    );
  }
  test("SGD: momentum, dampening, nesterov, weight decay, maximize", () => {
    const next = rng(11);
    for (const momentum of [0, 0.9]) {
      for (const nesterov of momentum ? flags : [false]) {
        for (const weightDecay of [0, 0.01]) {
          for (const maximize of flags) {
            const o = { lr: 0.1, momentum, dampening: 0.1, weightDecay, nesterov, maximize };
            steps(
              `sgd ${JSON.stringify(o)}`,
              [random(n, next), random(n, next), new Float32Array(n)],
              (be, [p, g, buf], t) =>
                be.sgdUpdate(p, g, momentum ? buf : null, { ...o, firstStep: t === 1 }),
            );
          }
        }
      }
    }
  });
  test("Adam and AdamW: AMSGrad, weight decay, maximize", () => {
    const next = rng(12);
    for (const decoupled of flags) {
      for (const amsgrad of flags) {
        for (const weightDecay of [0, 0.01]) {
          for (const maximize of flags) {
            const o = {
              lr: 1e-3,
              beta1: 0.9,
              beta2: 0.999,
              eps: 1e-8,
              weightDecay,
              decoupled,
              maximize,
            };
            steps(
              `adam ${JSON.stringify({ ...o, amsgrad })}`,
              [
                random(n, next),
                random(n, next, 1e-3),
                random(n, next, 0.01),
                random(n, next, 1e-4).map(Math.abs),
                new Float32Array(n),
              ],
              (be, [p, g, m, v, vMax], t) =>
                be.adamUpdate(p, g, m, v, amsgrad ? vMax : null, { ...o, step: t }),
            );
          }
        }
      }
    }
  });
  test("Adam from the gradient's nonzero rows equals Adam from the dense gradient", () => {
    const next = rng(14);
    const [R, width] = [37, 29];
    const n = R * width;
    // Some rows, none, all; the first and last included in the first set.
    const rowSets = [
      Int32Array.from([0, 3, 4, 17, 30, 36]),
      new Int32Array(0),
      Int32Array.from({ length: R }, (_, r) => r),
    ];
    for (const rows of rowSets) {
      for (const decoupled of flags) {
        for (const amsgrad of flags) {
          for (const [weightDecay, maximize] of [
            [0, false],
            [0.01, true],
          ] as const) {
            const o = {
              lr: 1e-3,
              beta1: 0.9,
              beta2: 0.999,
              eps: 1e-8,
              weightDecay,
              decoupled,
              maximize,
            };
            const label = `adamRows ${rows.length} rows ${JSON.stringify({ ...o, amsgrad })}`;
            const values = random(rows.length * width, next, 1e-3);
            const dense = new Float32Array(n);
            rows.forEach((r, k) =>
              dense.set(values.subarray(k * width, (k + 1) * width), r * width),
            );
            const start = [
              random(n, next),
              random(n, next, 0.01),
              random(n, next, 1e-4).map(Math.abs),
            ];
            // Plain arrays (the wasm backend's fallback) and wasm storage (its row kernel).
            const runs = [
              { be: ref, dense: true, alloc: (n: number) => new Float32Array(n) },
              { be: ref, dense: false, alloc: (n: number) => new Float32Array(n) },
              { be: wasm, dense: false, alloc: (n: number) => new Float32Array(n) },
              { be: wasm, dense: false, alloc: (n: number) => wasm.storage(n) },
            ];
            const results = runs.map(({ be, dense: useDense, alloc }) => {
              const [p, m, v, vMax] = [alloc(n), alloc(n), alloc(n), alloc(n)];
              [p, m, v].forEach((x, i) => x.set(start[i]));
              for (let t = 1; t <= 5; t++) {
                const ot = { ...o, step: t };
                const x = amsgrad ? vMax : null;
                if (useDense) be.adamUpdate(p, dense, m, v, x, ot);
                else be.adamUpdateRows(p, rows, values, width, m, v, x, ot);
              }
              return [p, m, v, vMax].map((x) => Array.from(x));
            });
            for (let i = 1; i < runs.length; i++) {
              assert.deepEqual(results[i], results[0], `${label}: run ${i} vs the dense update`);
            }
          }
        }
      }
    }
  });
  test("RMSprop: centered, momentum, weight decay; Adagrad", () => {
    const next = rng(13);
    for (const centered of flags) {
      for (const momentum of [0, 0.9]) {
        for (const weightDecay of [0, 0.01]) {
          const o = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay, momentum, maximize: false };
          steps(
            `rmsprop ${JSON.stringify({ ...o, centered })}`,
            [
              random(n, next),
              random(n, next),
              new Float32Array(n),
              new Float32Array(n),
              new Float32Array(n),
            ],
            (be, [p, g, sq, avg, buf]) =>
              be.rmspropUpdate(p, g, sq, centered ? avg : null, momentum ? buf : null, o),
          );
        }
      }
    }
    for (const weightDecay of [0, 0.01]) {
      for (const maximize of flags) {
        const o = { lr: 0.01, eps: 1e-10, weightDecay, maximize };
        steps(
          `adagrad ${JSON.stringify(o)}`,
          [random(n, next), random(n, next), new Float32Array(n).fill(0.1)],
          (be, [p, g, s]) => be.adagradUpdate(p, g, s, o),
        );
      }
    }
  });
});

describe("scratch arrays", () => {
  test("kernels use scratch in place and agree with ordinary arrays", () => {
    const next = rng(21);
    const x = random(4096, next, 4);
    const s = wasm.scratch(4096, true);
    assert.ok(
      s.every((v) => v === 0),
      "scratch is zero-filled",
    );
    s.set(x);
    const o = wasm.scratch(4096, false);
    wasm.unaryForward("tanh", s, o);
    const plain = new Float32Array(4096);
    wasm.unaryForward("tanh", x, plain);
    assert.deepEqual([...o], [...plain]);
    wasm.release(s);
    wasm.release(o);
    wasm.release(new Float32Array(3)); // ignored
  });
});
