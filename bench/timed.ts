/**
 * A timing proxy around a backend, for the breakdowns of bench/kernels-breakdown.ts and
 * bench/w2.ts: every method call adds its wall time to `totals`, keyed by the method's name, and
 * `gemm` calls by their shape class too (sizes ≥ 512 shown as N).
 *
 * @example
 *   const totals = new Map<string, number>();
 *   setBackend(timed(backend(), totals));
 */
import type { Backend } from "../src/backend/backend.js";

/** "gemm NT 32×N×256" for gemm's (transA, transB, m, n, k) arguments. */
function gemmLabel(args: unknown[]): string {
  const [tA, tB, m, n, k] = args as [boolean, boolean, number, number, number];
  const big = (v: number) => (v >= 512 ? "N" : String(v));
  return `gemm ${tA ? "T" : "N"}${tB ? "T" : "N"} ${big(m)}×${big(n)}×${big(k)}`;
}

/** Wraps every method of `inner` (own and inherited) with a timer. */
export function timed(inner: Backend, totals: Map<string, number>): Backend {
  const keys = new Set(Object.keys(inner));
  for (
    let p = Object.getPrototypeOf(inner);
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== "constructor") keys.add(k);
  }
  const wrapped: Record<string, unknown> = { name: inner.name };
  for (const key of keys) {
    const fn = (inner as unknown as Record<string, unknown>)[key];
    if (typeof fn !== "function") continue;
    wrapped[key] = (...args: unknown[]) => {
      const start = performance.now();
      const out = (fn as (...a: unknown[]) => unknown).apply(inner, args);
      const label = key === "gemm" ? gemmLabel(args) : key;
      totals.set(label, (totals.get(label) ?? 0) + performance.now() - start);
      return out;
    };
  }
  return wrapped as unknown as Backend;
}
