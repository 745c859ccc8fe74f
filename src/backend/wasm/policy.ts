/**
 * Whether handing a call's chunks to the worker pool pays, learned from the calls themselves.
 * Threads pay on an idle multi-core machine; on a busy or oversubscribed one (a VM whose vCPUs the
 * host steals, two vCPUs on one physical core, other processes) the caller can wait milliseconds
 * for a chunk a descheduled worker holds, which costs more than a hundred good calls gain. So each
 * kind of call (kernel and size, in powers of two of its work) keeps a running average of its time
 * per unit of work with and without the pool, and uses the pool while that is ≥ 10% faster. Every
 * 16th call tries the other way, so the choice follows the machine as its load changes; every
 * 128th while one way is clearly faster (by 30%), where each try costs most (a 1024² GEMM on one
 * thread takes twice as long, and trying it one call in 16 cost 6% of the throughput).
 *
 * A try lasts two calls and only the second is recorded; so does the start (two pooled calls, then
 * two alone). The first call after a switch is not what the way costs in a run of such calls: a
 * worker that idled through a stretch of calls alone has gone to sleep and takes tens of
 * microseconds to wake (far more where a hypervisor must wake its vCPU), so a lone pooled try of a
 * 100 µs call measured 1.5× its steady time and kept batch-1 GEMVs off the pool for good.
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

interface Rates {
  /** ms per unit of work alone and with the pool (NaN until measured). */
  alone: number;
  pooled: number;
  /** Calls since the last try of the other way. */
  since: number;
  /** Calls of the current try still to make the other way. */
  trying: number;
  /** How the previous call of this kind ran (null before the first). */
  last: boolean | null;
}

export class ThreadPolicy {
  private readonly rates = new Map<string, Rates>();

  private key(kind: string, work: number): string {
    return `${kind}:${Math.round(Math.log2(work))}`;
  }

  /** True when this call should use the pool. */
  decide(kind: string, work: number): boolean {
    const key = this.key(kind, work);
    let r = this.rates.get(key);
    if (!r) this.rates.set(key, (r = { alone: NaN, pooled: NaN, since: 0, trying: 0, last: null }));
    if (Number.isNaN(r.pooled)) return true;
    if (Number.isNaN(r.alone)) return false;
    const better = r.pooled < 0.9 * r.alone;
    if (r.trying > 0) {
      r.trying--;
      return !better;
    }
    const clear = r.pooled < CLEAR * r.alone || r.alone < CLEAR * r.pooled;
    if (++r.since >= (clear ? EXPLORE_CLEAR : EXPLORE)) {
      r.since = 0;
      r.trying = 1;
      return !better;
    }
    return better;
  }

  /** Reports how long a call that `decide` planned took; a call after a switch is not counted. */
  record(kind: string, work: number, pooled: boolean, ms: number): void {
    const r = this.rates.get(this.key(kind, work));
    if (!r) return;
    const warm = r.last === pooled;
    r.last = pooled;
    if (!warm) return;
    const x = ms / work;
    if (pooled) r.pooled = Number.isNaN(r.pooled) ? x : r.pooled + SMOOTHING * (x - r.pooled);
    else r.alone = Number.isNaN(r.alone) ? x : r.alone + SMOOTHING * (x - r.alone);
  }
}
