// Shared by the conformance tests: seeded inputs, the backends under test, and a comparison that
// records the worst difference per kernel (printed at the end of each file).
import { after } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../src/backend/backend.js";
import { referenceBackend } from "../../src/backend/reference/index.js";
import { WasmBackend } from "../../src/backend/wasm/backend.js";

export const ref = referenceBackend;
/** Thresholds 0: every call runs in wasm, none falls back to the reference. */
export const ALL_IN_WASM = {
  minGemmVolume: 0,
  minGateElements: 0,
  minRowElements: 0,
  minElements: 0,
};
export const wasm = new WasmBackend({ ...ALL_IN_WASM, threads: 1 });
export const EPS = 2 ** -24;

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function random(n: number, next: () => number, scale = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (next() * 2 - 1) * scale;
  return x;
}

const worst: Record<string, number> = {};
export function note(key: string, value: number): void {
  worst[key] = Math.max(worst[key] ?? 0, value);
}
after(() => {
  const lines = Object.entries(worst).map(([k, v]) => `  ${k.padEnd(40)} ${v.toExponential(2)}`);
  if (lines.length) console.log(`wasm vs reference, worst differences:\n${lines.join("\n")}`);
});

/**
 * Runs one kernel on both backends over copies of the same arrays and compares every array
 * (|diff| ≤ atol + rtol·|ref|; 0, 0 demands bit-identical results, NaN matching NaN).
 */
export function compare(
  label: string,
  arrays: Float32Array[],
  run: (be: Backend, xs: Float32Array[]) => void,
  atol: number,
  rtol: number,
  other: Backend = wasm,
): void {
  const xr = arrays.map((x) => Float32Array.from(x));
  const xw = arrays.map((x) => Float32Array.from(x));
  run(ref, xr);
  run(other, xw);
  for (let j = 0; j < arrays.length; j++) {
    for (let i = 0; i < xr[j].length; i++) {
      const [r, w] = [xr[j][i], xw[j][i]];
      if (Number.isNaN(r) && Number.isNaN(w)) continue;
      if (atol === 0 && rtol === 0) {
        if (!Object.is(r, w) && !(r === 0 && w === 0)) {
          assert.fail(`${label}: array ${j}[${i}] wasm ${w} vs reference ${r} (bit-exact)`);
        }
        continue;
      }
      const diff = Math.abs(r - w);
      note(`${label} max |diff|`, Number.isFinite(diff) ? diff : 0);
      if (!(diff <= atol + rtol * Math.abs(r)) && r !== w) {
        assert.fail(`${label}: array ${j}[${i}] wasm ${w} vs reference ${r}`);
      }
    }
  }
}
