/**
 * Whether handing a call's chunks to the worker pool pays, learned from the calls themselves.
 * Threads pay on an idle multi-core machine; on a busy or oversubscribed one (a VM whose vCPUs the
 * host steals, two vCPUs on one physical core, other processes) the caller can wait milliseconds
 * for a chunk a descheduled worker holds, which costs more than a hundred good calls gain. So each
 * kind of call (kernel and size, in powers of two of its work) keeps a running average of its time
 * per unit of work with and without the pool, and uses the pool while that is ≥ 10% faster. One
 * call in 16 tries the other way, so the choice follows the machine as its load changes; one in
 * 128 while one way is clearly faster (by 30%), where each try costs most (a 1024² GEMM on one
 * thread takes twice as long, and trying it one call in 16 cost 6% of the throughput).
 *
 * @example
 *   const pooled = policy.decide("gemm", flops);
 *   policy.record("gemm", flops, pooled, elapsedMs);
 */

/** Calls per try of the other way: while the two are close, and while one is clearly faster. */
const EXPLORE = 16;
const EXPLORE_CLEAR = 128;
const CLEAR = 0.7;
const SMOOTHING = 0.2;

export class ThreadPolicy {
  /** Per kind: ms per unit of work alone, with the pool, and calls since the last exploration. */
  private readonly rates = new Map<string, [number, number, number]>();

  private key(kind: string, work: number): string {
    return `${kind}:${Math.round(Math.log2(work))}`;
  }

  /** True when this call should use the pool. */
  decide(kind: string, work: number): boolean {
    const key = this.key(kind, work);
    let r = this.rates.get(key);
    if (!r) this.rates.set(key, (r = [NaN, NaN, 0]));
    if (Number.isNaN(r[1])) return true;
    if (Number.isNaN(r[0])) return false;
    const better = r[1] < 0.9 * r[0];
    const clear = r[1] < CLEAR * r[0] || r[0] < CLEAR * r[1];
    if (++r[2] >= (clear ? EXPLORE_CLEAR : EXPLORE)) {
      r[2] = 0;
      return !better;
    }
    return better;
  }

  record(kind: string, work: number, pooled: boolean, ms: number): void {
    const r = this.rates.get(this.key(kind, work));
    if (!r) return;
    const i = pooled ? 1 : 0;
    const x = ms / work;
    r[i] = Number.isNaN(r[i]) ? x : r[i] + SMOOTHING * (x - r[i]);
  }
}
