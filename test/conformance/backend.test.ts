// Conformance of the WebAssembly SIMD backend against the reference backend: every wasm kernel
// (GEMM in all transpose/alpha/beta/offset combinations over edge sizes, gemv, the fused LSTM/GRU/
// RNN gate kernels forward and backward, the bias kernels) on seeded random inputs, then whole
// LSTM/GRU/RNN layers forward + backward through nn on both backends.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, nn, randn, type Tensor } from "../../src/index.js";
import type { Backend } from "../../src/backend/backend.js";
import { referenceBackend as ref } from "../../src/backend/reference/index.js";
import { backend, setBackend } from "../../src/backend/registry.js";
import { WasmBackend } from "../../src/backend/wasm/backend.js";

// Thresholds 0: every call runs in wasm, none falls back to the reference.
const wasm = new WasmBackend({ minGemmVolume: 0, minGateElements: 0, minRowElements: 0 });
const EPS = 2 ** -24;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function random(n: number, next: () => number, scale = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (next() * 2 - 1) * scale;
  return x;
}

const worst: Record<string, number> = {};
function note(key: string, value: number): void {
  worst[key] = Math.max(worst[key] ?? 0, value);
}
after(() => {
  const lines = Object.entries(worst).map(([k, v]) => `  ${k.padEnd(36)} ${v.toExponential(2)}`);
  console.log(`wasm vs reference, worst differences:\n${lines.join("\n")}`);
});

describe("gemm", () => {
  const sizes = [1, 3, 7, 8, 9, 17, 33, 64, 129];
  const ks = [1, 3, 8, 17, 129];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      test(`op(A)=${transA ? "Aᵀ" : "A"} op(B)=${transB ? "Bᵀ" : "B"}, m, n ∈ edges, k ∈ ${ks}`, () => {
        const next = rng(17 + Number(transA) * 2 + Number(transB));
        let cases = 0;
        for (const m of sizes) {
          for (const n of sizes) {
            for (const k of ks) {
              const alpha = [1, -0.75, 2.5][cases % 3];
              const beta = [0, 1, 0.5, -1.25][(cases >> 1) % 4];
              const [ao, bo, co] = cases % 5 === 0 ? [3, 5, 2] : [0, 0, 0];
              const a = random(ao + m * k, next);
              const b = random(bo + k * n, next);
              const c0 = random(co + m * n, next);
              // beta = 0 must ignore whatever C holds, NaN included.
              if (beta === 0) c0.fill(NaN, co);
              const cRef = Float32Array.from(c0);
              const cW = Float32Array.from(c0);
              ref.gemm(transA, transB, m, n, k, alpha, a, ao, b, bo, beta, cRef, co);
              wasm.gemm(transA, transB, m, n, k, alpha, a, ao, b, bo, beta, cW, co);
              // Error bound per element: a few k·eps times the sum of |terms|.
              const absA = a.map(Math.abs);
              const absB = b.map(Math.abs);
              const mag = c0.map((v) => (beta === 0 ? 0 : Math.abs(beta * v)));
              ref.gemm(transA, transB, m, n, k, Math.abs(alpha), absA, ao, absB, bo, 1, mag, co);
              for (let i = 0; i < co; i++) assert.equal(cW[i], c0[i], "gemm wrote before cOffset");
              for (let i = co; i < co + m * n; i++) {
                const diff = Math.abs(cW[i] - cRef[i]);
                const bound = 2 * (k + 2) * EPS * mag[i] + 1e-30;
                note("gemm |diff| / (k·eps·Σ|terms|)", diff / ((k + 2) * EPS * mag[i] + 1e-30));
                if (!(diff <= bound)) {
                  assert.fail(
                    `gemm ${transA} ${transB} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}: ` +
                      `C[${i - co}] wasm ${cW[i]} vs reference ${cRef[i]} (bound ${bound})`,
                  );
                }
              }
              cases++;
            }
          }
        }
        assert.equal(cases, sizes.length * sizes.length * ks.length);
      });
    }
  }

  test("W2 shapes and large k/n blocks (k > 256, n > 256)", () => {
    const next = rng(99);
    const shapes: [boolean, boolean, number, number, number][] = [
      [false, true, 32, 1024, 256],
      [false, false, 32, 256, 1024],
      [true, false, 260, 7, 300],
      [false, false, 5, 600, 513],
      [false, false, 2, 300, 40],
      [true, false, 1, 520, 9],
    ];
    for (const [transA, transB, m, n, k] of shapes) {
      const a = random(m * k, next);
      const b = random(k * n, next);
      const cRef = random(m * n, next);
      const cW = Float32Array.from(cRef);
      ref.gemm(transA, transB, m, n, k, 1, a, 0, b, 0, 1, cRef, 0);
      wasm.gemm(transA, transB, m, n, k, 1, a, 0, b, 0, 1, cW, 0);
      let d = 0;
      for (let i = 0; i < m * n; i++) d = Math.max(d, Math.abs(cW[i] - cRef[i]));
      note("gemm W2 shapes max |diff|", d);
      assert.ok(d < 5e-5 * Math.sqrt(k), `gemm ${m}x${n}x${k}: max |diff| ${d}`);
    }
  });
});

/** Runs one kernel on both backends over copies of the same arrays and compares every array. */
function compare(
  label: string,
  arrays: Float32Array[],
  run: (be: Backend, xs: Float32Array[]) => void,
  atol: number,
  rtol: number,
): void {
  const xr = arrays.map((x) => Float32Array.from(x));
  const xw = arrays.map((x) => Float32Array.from(x));
  run(ref, xr);
  run(wasm, xw);
  for (let j = 0; j < arrays.length; j++) {
    for (let i = 0; i < xr[j].length; i++) {
      const diff = Math.abs(xr[j][i] - xw[j][i]);
      note(`${label} max |diff|`, diff);
      if (!(diff <= atol + rtol * Math.abs(xr[j][i]))) {
        assert.fail(`${label}: array ${j}[${i}] wasm ${xw[j][i]} vs reference ${xr[j][i]}`);
      }
    }
  }
}

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
  // Pre-activations spread over the saturating range, plus exact zeros and extreme values.
  function pre(n: number, next: () => number): Float32Array {
    const x = random(n, next, 6);
    const special = [0, -0, 1e-8, -1e-8, 0.6249, 0.6251, -0.625, 30, -30, 95, -95, 1e4];
    for (let i = 0; i < n && i < special.length * 3; i += 3) x[i] = special[(i / 3) | 0];
    return x;
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
        [gx, gh, hPrev, random(n, next), new Float32Array(3 * n), new Float32Array(3 * n)].concat(
          random(n, next),
        ),
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

  test("tanh and sigmoid accuracy over a dense sweep (via the RNN and GRU kernels)", () => {
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
    note("tanh worst error (ulp)", ulps);
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

describe("nn layers on both backends", () => {
  type Kind = "LSTM" | "GRU" | "RNN";
  function runLayer(kind: Kind, be: Backend): { out: Float32Array[]; grads: Float32Array[] } {
    const previous = setBackend(be);
    try {
      manualSeed(3);
      const options = { inputSize: 5, hiddenSize: 9, numLayers: 2, bidirectional: true };
      const layer =
        kind === "LSTM"
          ? new nn.LSTM({ ...options, projSize: 4 })
          : kind === "GRU"
            ? new nn.GRU(options)
            : new nn.RNN({ ...options, nonlinearity: "relu" });
      const x = randn([6, 3, 5], { requiresGrad: true });
      const outputs: Tensor[] =
        layer instanceof nn.LSTM
          ? ((([o, [h, c]]) => [o, h, c])(layer.forward(x)) as Tensor[])
          : ((([o, h]) => [o, h])((layer as nn.GRU).forward(x)) as Tensor[]);
      outputs
        .map((t) => t.mul(t).sum())
        .reduce((s, t) => s.add(t))
        .backward();
      const grads = [x.grad!, ...layer.parameters().map((p) => p.grad!)];
      return {
        out: outputs.map((t) => Float32Array.from(t.data as Float32Array)),
        grads: grads.map((g) => Float32Array.from(g.data as Float32Array)),
      };
    } finally {
      setBackend(previous);
    }
  }
  for (const kind of ["LSTM", "GRU", "RNN"] as Kind[]) {
    test(`${kind}: outputs and every gradient agree within 1e-5`, () => {
      const r = runLayer(kind, ref);
      const w = runLayer(kind, wasm);
      assert.equal(backend(), backend()); // the previous backend was restored
      for (const [label, xs, ys] of [
        ["outputs", r.out, w.out],
        ["grads", r.grads, w.grads],
      ] as const) {
        assert.equal(xs.length, ys.length);
        for (let j = 0; j < xs.length; j++) {
          assert.equal(xs[j].length, ys[j].length);
          let d = 0;
          for (let i = 0; i < xs[j].length; i++) d = Math.max(d, Math.abs(xs[j][i] - ys[j][i]));
          note(`nn ${kind} ${label}`, d);
          assert.ok(d <= 1e-5, `${kind} ${label}[${j}]: max |diff| ${d}`);
        }
      }
    });
  }
});

describe("registry", () => {
  test("defaults to wasm, switches by name or object, rejects unknown names", () => {
    const env = process.env.RECURRENT_BACKEND;
    assert.equal(backend().name, env === "reference" ? "reference" : "wasm");
    const previous = setBackend("reference");
    try {
      assert.equal(backend(), ref);
      assert.equal(setBackend("wasm").name, "reference");
      assert.equal(backend().name, "wasm");
      assert.equal(setBackend(wasm).name, "wasm");
      assert.equal(backend(), wasm);
      assert.throws(
        () => setBackend("gpu" as "wasm"),
        /setBackend: expected "wasm", "reference" or a Backend, got gpu/,
      );
      assert.equal(backend(), wasm);
    } finally {
      setBackend(previous);
    }
  });
});
