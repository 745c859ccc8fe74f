/**
 * Runs every kernel a few times on mid-sized operands at load. V8 first compiles wasm with its
 * baseline tier (~3–6× slower here) and tiers a function up to TurboFan once it has run enough
 * (a budget of roughly 10⁴ loop iterations), so each kernel gets a few times that. Worker threads
 * share the compiled module, so they start tiered up too. About 5 ms, once per process.
 */
import type { Runtime } from "./runtime.js";

export function warmUp(rt: Runtime): void {
  const K = rt.k;
  const H = rt.heap;
  const size = 64;
  const [B, Hd] = [16, 64]; // 4·B·H = size²
  const n = size * size;
  const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() => H.alloc(n));
  const [pack, tmp] = rt.buffers[0];
  const packed = H.alloc(K.packedSize(size, size));
  const f = () => H.heap().fill(0.25, a >> 2, (e >> 2) + n);
  for (let rep = 0; rep < 6; rep++) {
    f();
    for (const [tA, tB] of [
      [0, 0],
      [1, 1],
    ]) {
      K.gemm(tA, tB, size, size, size, 1, a, b, 0, c, 0, size, 0, size, pack, tmp);
      K.gemm(tA, tB, 7, 13, 9, 1, a, b, 0.5, c, 0, 7, 0, 13, pack, tmp);
    }
    K.packB(rep & 1, size, size, b, packed);
    K.gemmPacked(0, size, size, size, 1, a, packed, 1, c, 0, size, 0, 6, pack, tmp);
    K.gemmNT(2, size * 4, 16, 1, a, b, 0, c, 0, size * 4);
    K.gemv(size * 4, 16, 1, a, 4, b, 1, c, 0, size * 4);
    K.gemv(9, 8, 1, a, 4, b, 0, c, 0, 9);
    K.addRowVector(a, b, size, size);
    K.sumRows(a, size, size, b);
    f();
    K.lstmGatesForward(a, b, B, Hd, c, d);
    K.lstmGatesBackward(a, b, c, d, e, B, Hd, c);
    K.gruGatesForward(a, b, c, B, Hd + 1, d);
    K.gruGatesBackward(a, b, c, d, B, Hd + 1, a, b, e);
    K.rnnGatesForward(a, B * Hd + 3, rep & 1);
    K.rnnGatesBackward(a, b, B * Hd + 3, rep & 1, c);
    f();
    for (let op = 0; op < 8; op++) K.unary(op, a, n / 4 + 1, c);
    K.unaryBackward(rep & 7, a, b, c, d, n);
    K.binary(rep % 11, a, size, 1, b, 0, 1, c, size, size);
    K.binary(rep % 11, a, 0, 1, b, 0, 0, c, 1, n + 1);
    K.clamp(a, n, 0, 1, c);
    K.softmaxForward(a, size, size, 1, rep & 1, c);
    K.softmaxForward(a, 4, 16, size, rep & 1, c);
    K.softmaxBackward(c, b, size, size, 1, rep & 1, d);
    K.softmaxBackward(c, b, 4, 16, size, rep & 1, d);
    f();
    K.adam(
      a,
      b,
      c,
      d,
      rep & 1 ? e : 0,
      n,
      0,
      rep & 1,
      0.01,
      0.99,
      0.9,
      0.999,
      0.1,
      0.001,
      1e-8,
      0.5,
      -0.01,
    );
    K.sgd(a, b, c, n, 0, 0.01, 0.9, 1, rep & 1, 0, -0.01);
    K.rmsprop(a, b, c, rep & 1 ? d : 0, e, n, 0, 0, 0.99, 0.01, 1e-8, 0.9, -0.01);
    K.adagrad(a, b, c, n, 0, 0, 1e-10, -0.01);
  }
  for (const p of [a, b, c, d, e, packed]) H.release(p);
}
