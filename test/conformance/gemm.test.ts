// GEMM on the wasm backend against the reference: every transpose/alpha/beta/offset combination
// over edge sizes (all kernel paths: gemv, dot products, the packed 3×12 tile with partial tiles),
// k and n beyond one packed block, packed weights (packB/gemmPacked), results independent of the
// thread count (bit-identical), and the unshared-memory mode of non-isolated web pages.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../src/backend/backend.js";
import { WasmBackend } from "../../src/backend/wasm/backend.js";
import { ALL_IN_WASM, EPS, note, random, ref, rng, wasm } from "./util.js";

/** Checks gemm (or, with `packed`, packB + gemmPacked) on `be` against the reference. */
function check(
  be: Backend,
  packed: boolean,
  [transA, transB, m, n, k]: [boolean, boolean, number, number, number],
  alpha: number,
  beta: number,
  [ao, bo, co]: number[],
  next: () => number,
): void {
  const a = random(ao + m * k, next);
  const b = random(bo + k * n, next);
  const c0 = random(co + m * n, next);
  // beta = 0 must ignore whatever C holds, NaN included.
  if (beta === 0) c0.fill(NaN, co);
  const cRef = Float32Array.from(c0);
  const cW = Float32Array.from(c0);
  ref.gemm(transA, transB, m, n, k, alpha, a, ao, b, bo, beta, cRef, co);
  if (packed) {
    const p = be.packB(transB, k, n, b, bo);
    be.gemmPacked(transA, m, alpha, a, ao, p, beta, cW, co);
    be.release(p);
  } else {
    be.gemm(transA, transB, m, n, k, alpha, a, ao, b, bo, beta, cW, co);
  }
  // Error bound per element: a few k·eps times the sum of |terms|.
  const mag = c0.map((v) => (beta === 0 ? 0 : Math.abs(beta * v)));
  const [absA, absB] = [a.map(Math.abs), b.map(Math.abs)];
  ref.gemm(transA, transB, m, n, k, Math.abs(alpha), absA, ao, absB, bo, 1, mag, co);
  for (let i = 0; i < co; i++) assert.equal(cW[i], c0[i], "gemm wrote before cOffset");
  for (let i = co; i < co + m * n; i++) {
    const diff = Math.abs(cW[i] - cRef[i]);
    const bound = 2 * (k + 2) * EPS * mag[i] + 1e-30;
    note("gemm |diff| / (k·eps·Σ|terms|)", diff / ((k + 2) * EPS * mag[i] + 1e-30));
    if (!(diff <= bound)) {
      assert.fail(
        `gemm${packed ? "Packed" : ""} ${transA} ${transB} m=${m} n=${n} k=${k} alpha=${alpha} ` +
          `beta=${beta}: C[${i - co}] wasm ${cW[i]} vs reference ${cRef[i]} (bound ${bound})`,
      );
    }
  }
}

describe("gemm", () => {
  const sizes = [1, 2, 3, 4, 7, 12, 13, 25, 64, 129];
  const ks = [1, 3, 8, 17, 129];
  for (const packed of [false, true]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const name = `${packed ? "gemmPacked" : "gemm"} op(A)=${transA ? "Aᵀ" : "A"} op(B)=${transB ? "Bᵀ" : "B"}`;
        test(`${name}, m, n ∈ edges, k ∈ ${ks}`, () => {
          const next = rng(17 + Number(transA) * 2 + Number(transB) + 4 * Number(packed));
          let cases = 0;
          for (const m of sizes) {
            for (const n of sizes) {
              for (const k of ks) {
                const alpha = [1, -0.75, 2.5][cases % 3];
                const beta = [0, 1, 0.5, -1.25][(cases >> 1) % 4];
                const offsets = cases % 5 === 0 ? [3, packed ? 0 : 5, 2] : [0, 0, 0];
                check(wasm, packed, [transA, transB, m, n, k], alpha, beta, offsets, next);
                cases++;
              }
            }
          }
        });
      }
    }
  }

  test("W2 shapes, several packed blocks (k > 256, n > 516), Aᵀ packed or read in place", () => {
    const next = rng(99);
    const shapes: [boolean, boolean, number, number, number][] = [
      [false, true, 32, 1024, 256],
      [false, false, 32, 256, 1024],
      [true, false, 260, 7, 300], // Aᵀ read in place: narrow
      [true, false, 100, 140, 300], // Aᵀ packed: wide enough
      [true, false, 600, 20, 300], // Aᵀ packed: rows far apart
      [true, true, 520, 130, 70],
      [false, false, 5, 600, 513],
      [true, true, 40, 1100, 70],
      [false, false, 2, 300, 40],
      [true, false, 1, 520, 9],
    ];
    for (const shape of shapes) {
      check(wasm, false, shape, 1, 1, [0, 0, 0], next);
      check(wasm, true, shape, 1, 0, [0, 0, 0], next);
    }
  });
});

describe("threads", () => {
  test("results are bit-identical on 1 and 2 threads, on every split path and the gates", async () => {
    // Not adaptive: every big enough call goes to the pool, whether it pays here or not.
    const two = new WasmBackend({ ...ALL_IN_WASM, threads: 2, adaptive: false });
    // Workers start asynchronously; until then calls run on one thread.
    for (let i = 0; i < 200 && two.rt.workersReady() === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(two.rt.workersReady(), 1, "the worker did not start");
    const before = two.rt.poolStats!.workerChunks;
    const next = rng(5);
    const shapes: [boolean, boolean, number, number, number][] = [
      [false, false, 200, 300, 64], // split by columns
      [true, false, 300, 40, 64], // split by rows
      [false, true, 33, 1024, 256], // per-step recurrent shape
      [false, false, 1, 4096, 512], // gemv, columns in 16s
      [false, true, 2, 2000, 700], // dot products, columns in 4s
    ];
    for (const [tA, tB, m, n, k] of shapes) {
      const a = random(m * k, next);
      const b = random(k * n, next);
      for (const packed of [false, true]) {
        const [c1, c2] = [new Float32Array(m * n), new Float32Array(m * n)];
        for (const [be, c] of [
          [wasm, c1],
          [two, c2],
        ] as const) {
          if (packed) {
            const p = be.packB(tB, k, n, b, 0);
            be.gemmPacked(tA, m, 1, a, 0, p, 0, c, 0);
            be.release(p);
          } else {
            be.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0);
          }
        }
        assert.ok(
          c1.every((v, i) => Object.is(v, c2[i])),
          `${m}×${n}×${k} ${packed ? "packed" : ""}: 2 threads differ from 1`,
        );
      }
    }
    // The gate kernels split the batch by rows.
    const [B, H] = [32, 256];
    const inputs = [random(4 * B * H, next, 4), random(B * H, next)];
    const outs = [wasm, two].map((be) => {
      const [g, cp] = inputs.map((x) => Float32Array.from(x));
      const [c, m] = [new Float32Array(B * H), new Float32Array(B * H)];
      be.lstmGatesForward(g, cp, B, H, c, m);
      const dg = new Float32Array(4 * B * H);
      be.lstmGatesBackward(g, cp, c, m, Float32Array.from(m), B, H, dg);
      return [g, c, m, dg];
    });
    outs[0].forEach((x, j) =>
      assert.ok(
        x.every((v, i) => Object.is(v, outs[1][j][i])),
        `gates ${j}`,
      ),
    );
    // Optimizer updates over more elements than one slice (wasm/optim.ts), split between threads.
    const N = 150_001;
    const state = () => [random(N, next), random(N, next, 1e-3), random(N, next, 0.01)];
    const [p0, g0, m0] = state();
    const v0 = random(N, next, 1e-4).map(Math.abs);
    const updates = [ref, wasm, two].map((be) => {
      const [p, m, v, sq, s] = [p0, m0, v0, v0, v0].map((x) => Float32Array.from(x));
      for (let t = 1; t <= 3; t++) {
        const adam = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: t };
        be.adamUpdate(p, g0, m, v, null, {
          ...adam,
          weightDecay: 0,
          decoupled: false,
          maximize: false,
        });
        be.rmspropUpdate(p, g0, sq, null, null, {
          lr: 0.01,
          alpha: 0.99,
          eps: 1e-8,
          weightDecay: 0,
          momentum: 0,
          maximize: false,
        });
        be.adagradUpdate(p, g0, s, { lr: 0.01, eps: 1e-10, weightDecay: 0, maximize: false });
        be.sgdUpdate(p, g0, null, {
          lr: 0.1,
          momentum: 0,
          dampening: 0,
          weightDecay: 0,
          nesterov: false,
          firstStep: t === 1,
          maximize: false,
        });
      }
      return [p, m, v, sq, s];
    });
    for (const k of [1, 2]) {
      updates[0].forEach((x, j) =>
        assert.ok(
          x.every((v, i) => Object.is(v, updates[k][j][i])),
          `optimizer updates, array ${j}: ${k} thread(s) differ from the reference`,
        ),
      );
    }
    // Adam from a gradient's nonzero rows, on wasm storage: the row range split between threads.
    const [R, W] = [1500, 64];
    const rows = Int32Array.from({ length: 400 }, (_, k) => 3 * k + (k % 3));
    const values = random(rows.length * W, next, 1e-3);
    const rowUpdates = [ref, wasm, two].map((be) => {
      const [p, m, v] = [p0, m0, v0].map((x) => {
        const s = be === ref ? new Float32Array(R * W) : be.storage(R * W);
        s.set(x.subarray(0, R * W));
        return s;
      });
      for (let t = 1; t <= 3; t++) {
        be.adamUpdateRows(p, rows, values, W, m, v, null, {
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          step: t,
          weightDecay: 0.01,
          decoupled: true,
          maximize: false,
        });
      }
      return [p, m, v];
    });
    for (const k of [1, 2]) {
      rowUpdates[0].forEach((x, j) =>
        assert.ok(
          x.every((v, i) => Object.is(v, rowUpdates[k][j][i])),
          `Adam from rows, array ${j}: ${k} thread(s) differ from the reference`,
        ),
      );
    }
    assert.ok(two.rt.poolStats!.workerChunks > before, "the worker ran no chunk");
  });
});

describe("unshared memory (a web page without cross-origin isolation)", () => {
  test("one thread, ordinary scratch arrays, same results", () => {
    const be = new WasmBackend({ ...ALL_IN_WASM, unshared: true });
    assert.deepEqual(be.info, { flavour: wasm.info.flavour, threads: 1, shared: false });
    const s = be.scratch(10, true);
    assert.ok(!(s.buffer instanceof SharedArrayBuffer));
    be.release(s);
    const next = rng(8);
    check(be, false, [false, true, 70, 900, 300], 1, 0, [0, 0, 0], next);
    check(be, true, [true, false, 33, 100, 600], 1, 1, [0, 0, 0], next);
  });
});
