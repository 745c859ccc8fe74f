// The row and loss kernels of the wasm backend against the reference: gather and scatter-add of
// rows (bit-identical: one float32 add per element in row order) and the fused softmax
// cross-entropy (a few ulp: float32 sums and the exp/log approximations of math.ts).
import { describe, test } from "node:test";
import { compare, random, ref, rng } from "./util.js";

function indices(n: number, rows: number, next: () => number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(next() * rows));
}

describe("row kernels", () => {
  for (const width of [1, 3, 4, 7, 64, 1024]) {
    test(`gatherRows and scatterAddRows, width ${width}, repeated rows`, () => {
      const next = rng(width);
      const [rows, n] = [13, 40];
      const index = indices(n, rows, next);
      compare(
        `gatherRows w${width}`,
        [random(rows * width, next), new Float32Array(n * width)],
        (be, [x, out]) => be.gatherRows(x, width, index, out),
        0,
        0,
      );
      compare(
        `scatterAddRows w${width}`,
        [random(n * width, next), random(rows * width, next)],
        (be, [dy, dx]) => be.scatterAddRows(dy, width, index, dx),
        0,
        0,
      );
    });
  }
});

describe("softmax cross-entropy", () => {
  for (const classes of [1, 3, 4, 17, 96]) {
    test(`forward and backward, ${classes} classes, weights and ignored rows`, () => {
      const next = rng(100 + classes);
      const rows = 37;
      const target = indices(rows, classes, next);
      target[5] = -100;
      const weight = random(classes, next).map((v) => 1 + v / 2);
      for (const w of [null, weight]) {
        compare(
          `crossEntropyForward c${classes}${w ? " weighted" : ""}`,
          [random(rows * classes, next, 6), new Float32Array(rows), new Float32Array(rows)],
          (be, [x, lse, loss]) =>
            be.crossEntropyForward(x, rows, classes, target, w, -100, lse, loss),
          1e-6,
          1e-6,
        );
        const x = random(rows * classes, next, 6);
        const lse = new Float32Array(rows);
        ref.crossEntropyForward(x, rows, classes, target, w, -100, lse, new Float32Array(rows));
        compare(
          `crossEntropyBackward c${classes}${w ? " weighted" : ""}`,
          [x, random(rows * classes, next)],
          (be, [xs, dx]) =>
            be.crossEntropyBackward(xs, lse, rows, classes, target, w, -100, 0.03, dx),
          1e-7,
          1e-6,
        );
      }
    });
  }
});
