/**
 * The scratch of one fused-op call (Backend.scratch arrays and packB results), handed back
 * together when the call ends; what the backward needs is moved into the keeping of the saved
 * object (`keep`), handed back by the tape's `release` hook after the backward or, for a graph
 * dropped without one, when garbage collection reclaims the owner.
 *
 * @example
 *   const ws = new Workspace(backend());
 *   try { const g = ws.take(n); … } finally { ws.release(); }
 */
import type { Backend, F32, PackedMatrix } from "../backend/backend.js";

type Held = F32 | PackedMatrix;

/** Hands back kept scratch of graphs that were dropped without a backward. */
const orphans = new FinalizationRegistry<{ be: Backend; held: Held[] }>(({ be, held }) => {
  for (const x of held) be.release(x);
});

/** Scratch arrays and packed weights of one call, handed back together. */
export class Workspace {
  private readonly held: Held[] = [];
  constructor(readonly be: Backend) {}

  /** n zeros, in place for the backend's kernels. */
  zeros(n: number): F32 {
    const x = this.be.scratch(n, true);
    this.held.push(x);
    return x;
  }

  /** n floats the caller writes before it reads them. */
  take(n: number): F32 {
    const x = this.be.scratch(n, false);
    this.held.push(x);
    return x;
  }

  /** A scratch copy of x. */
  copy(x: F32): F32 {
    const out = this.take(x.length);
    out.set(x);
    return out;
  }

  /**
   * Moves `arrays` out of this workspace into `owner`'s keeping: `release` on the returned
   * function hands them back, and so does garbage collection of `owner` if it never runs.
   */
  keep(owner: object, arrays: (F32 | null)[]): () => void {
    const kept = arrays.filter((x): x is F32 => x !== null);
    for (const x of kept) this.held.splice(this.held.indexOf(x), 1);
    const token = { be: this.be, held: kept as Held[] };
    const unregister = {};
    orphans.register(owner, token, unregister);
    return () => {
      orphans.unregister(unregister);
      for (const x of token.held) this.be.release(x);
      token.held = [];
    };
  }

  /** op(B) [k, n] packed for repeated products, or null (then use gemm) when used once. */
  pack(uses: number, transB: boolean, k: number, n: number, b: F32): PackedMatrix | null {
    if (uses < 2) return null;
    const p = this.be.packB(transB, k, n, b, 0);
    this.held.push(p);
    return p;
  }

  release(): void {
    for (const x of this.held) this.be.release(x);
    this.held.length = 0;
  }
}
