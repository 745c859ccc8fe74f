/**
 * Fused softmax cross-entropy over rows of logits x [rows, classes] with int32 class targets t:
 *
 *   lse_r  = m_r + log Σ_c exp(x[r, c] − m_r),   m_r = max_c x[r, c]
 *   loss_r = −w[t_r] · (x[r, t_r] − lse_r)      (0 where t_r = ignoreIndex)
 *   dx[r, c] += scale · w[t_r] · (exp(x[r, c] − lse_r) − [c = t_r])
 *
 * w = 1 without a weight (weight = 0). Sums are float32 and exp/log the approximations of
 * math.ts, so results are within a few ulp of the reference (float64 sums, Math.exp/log).
 */
import { exp1, expFull4, hmax, hsum, log4 } from "./math";

/** Writes lse [rows] and loss [rows]. */
export function crossEntropyForward(
  x: usize, rows: i32, classes: i32, target: usize, weight: usize, ignoreIndex: i32, lse: usize, loss: usize,
): void {
  const bytes = <usize>classes << 2;
  const vec = <usize>(classes & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * bytes;
    let mv = f32x4.splat(-Infinity);
    let o: usize = 0;
    for (; o < vec; o += 16) mv = f32x4.max(mv, v128.load(xr + o));
    let m = hmax(mv);
    for (; o < bytes; o += 4) m = max(m, load<f32>(xr + o));
    const ms = f32x4.splat(m);
    let sv = f32x4.splat(0);
    o = 0;
    for (; o < vec; o += 16) sv = f32x4.add(sv, expFull4(f32x4.sub(v128.load(xr + o), ms)));
    let s = hsum(sv);
    for (; o < bytes; o += 4) s += exp1(load<f32>(xr + o) - m);
    const l = m + f32x4.extract_lane(log4(f32x4.splat(s)), 0);
    store<f32>(lse + (<usize>r << 2), l);
    const t = load<i32>(target + (<usize>r << 2));
    let v: f32 = 0;
    if (t != ignoreIndex) {
      const w: f32 = weight ? load<f32>(weight + (<usize>t << 2)) : 1;
      v = -w * (load<f32>(xr + (<usize>t << 2)) - l);
    }
    store<f32>(loss + (<usize>r << 2), v);
  }
}

/** dx += the gradient of scale · Σ_r loss_r, from the forward's lse. */
export function crossEntropyBackward(
  x: usize, lse: usize, rows: i32, classes: i32, target: usize, weight: usize, ignoreIndex: i32,
  scale: f32, dx: usize,
): void {
  const bytes = <usize>classes << 2;
  const vec = <usize>(classes & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(target + (<usize>r << 2));
    if (t == ignoreIndex) continue;
    const w: f32 = weight ? load<f32>(weight + (<usize>t << 2)) : 1;
    const k = scale * w;
    const ks = f32x4.splat(k);
    const l = f32x4.splat(load<f32>(lse + (<usize>r << 2)));
    const xr = x + <usize>r * bytes;
    const dr = dx + <usize>r * bytes;
    let o: usize = 0;
    for (; o < vec; o += 16) {
      const p = expFull4(f32x4.sub(v128.load(xr + o), l));
      v128.store(dr + o, f32x4.add(v128.load(dr + o), f32x4.mul(ks, p)));
    }
    for (; o < bytes; o += 4) {
      const p = exp1(load<f32>(xr + o) - f32x4.extract_lane(l, 0));
      store<f32>(dr + o, load<f32>(dr + o) + k * p);
    }
    const at = dr + (<usize>t << 2);
    store<f32>(at, load<f32>(at) - k);
  }
}
