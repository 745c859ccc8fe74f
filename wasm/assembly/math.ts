/**
 * Vector transcendental functions on f32x4 (Cephes expf/logf/tanhf approximations, about 1–2
 * ulp): exp4 (saturating, for the gate kernels), expFull4 (IEEE range: overflows to inf, gradual
 * underflow to 0), log4, sigmoid4, tanh4, relu4. Parity with the reference backend (which rounds
 * float64 Math.exp/log/tanh once) stays far below 1e-6 relative.
 *
 * The relaxed-SIMD build evaluates the polynomials with fused multiply-adds and clamps with the
 * relaxed min/max and float-to-int conversions, which skip the NaN fix-ups V8 otherwise emits
 * around each (~1.8× faster gate kernels); operands are ordered so that NaN still propagates.
 */

/** a·b + c: fused in the relaxed build. */
// @ts-ignore: decorator
@inline
export function fma4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** min(max(x, lo), hi) with NaN passed through (relaxed min/max return their second operand). */
// @ts-ignore: decorator
@inline
function clamp4(x: v128, lo: f32, hi: f32): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_min(f32x4.splat(hi), f32x4.relaxed_max(f32x4.splat(lo), x));
  return f32x4.min(f32x4.max(x, f32x4.splat(lo)), f32x4.splat(hi));
}

/** x to int32, x already in range (the relaxed conversion skips the saturation fix-ups). */
// @ts-ignore: decorator
@inline
function toInt4(x: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_trunc_f32x4_s(x);
  return i32x4.trunc_sat_f32x4_s(x);
}

// exp(x) saturates instead of overflowing: 2^n is built in the exponent bits, so n ≤ 127.
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.3365447504;
const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so n · C1 is exact (Cody–Waite).
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;

/** e^r for the reduced argument |r| ≤ ln2/2: Cephes' degree-6 polynomial. */
// @ts-ignore: decorator
@inline
function expPoly(r: v128): v128 {
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = fma4(p, r, f32x4.splat(1.3981999507e-3));
  p = fma4(p, r, f32x4.splat(8.3334519073e-3));
  p = fma4(p, r, f32x4.splat(4.1665795894e-2));
  p = fma4(p, r, f32x4.splat(1.6666665459e-1));
  p = fma4(p, r, f32x4.splat(5.0000001201e-1));
  return f32x4.add(fma4(p, z, r), f32x4.splat(1.0));
}

// @ts-ignore: decorator
@inline
function pow2i(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/** e^x per lane; x is clamped to [-87.34, 88.38] so the result stays a normal finite float. */
// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  x = clamp4(x, EXP_LO, EXP_HI);
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(C1)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(C2)));
  return f32x4.mul(expPoly(r), pow2i(toInt4(fx)));
}

/**
 * e^x per lane over the whole float range: 2^n is applied as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), both normal
 * for n in [-150, 129], so large x gives inf and very negative x subnormals, then 0. NaN → NaN.
 */
// @ts-ignore: decorator
@inline
export function expFull4(x: v128): v128 {
  const xc = clamp4(x, -104.0, 89.0);
  const fx = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(C1)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(C2)));
  const n = toInt4(fx);
  const n1 = i32x4.shr_s(n, 1);
  const y = f32x4.mul(f32x4.mul(expPoly(r), pow2i(n1)), pow2i(i32x4.sub(n, n1)));
  // min/max above already turned NaN into NaN on most engines; make it explicit.
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

const SQRTHF: f32 = 0.707106781186547524;

/** ln x per lane (Cephes logf): 0 → -inf, x < 0 → NaN, inf → inf, subnormals by rescaling. */
// @ts-ignore: decorator
@inline
export function log4(x: v128): v128 {
  // Subnormals: scale by 2^23 first and subtract 23 from the exponent.
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(SQRTHF));
  e = i32x4.add(e, small); // small lanes are -1: e − 1
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), f32x4.splat(1.0));
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  const ef = f32x4.convert_i32x4_s(e);
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  y = f32x4.add(f32x4.add(m, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
  // Special values: x = 0 → -inf; x < 0 or NaN → NaN; x = inf → inf.
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  y = v128.bitselect(f32x4.splat(NaN), y, v128.not(f32x4.ge(x, f32x4.splat(0))));
  return v128.bitselect(x, y, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** 1 / (1 + e^-x) per lane. */
// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh per lane: an odd polynomial below |x| = 0.625, 1 − 2/(e^{2|x|} + 1) above. */
// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = fma4(p, z, f32x4.splat(2.06390887954e-2));
  p = fma4(p, z, f32x4.splat(-5.37397155531e-2));
  p = fma4(p, z, f32x4.splat(1.33314422036e-1));
  p = fma4(p, z, f32x4.splat(-3.33332819422e-1));
  const small = fma4(f32x4.mul(p, z), x, x);
  const e = exp4(f32x4.add(ax, ax));
  const one = f32x4.splat(1.0);
  const t = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(e, one)));
  const large = v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** max(x, 0) per lane written as `x > 0 ? x : 0`, like the reference (NaN and -0 give +0). */
// @ts-ignore: decorator
@inline
export function relu4(x: v128): v128 {
  return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
}

/** The largest of the four lanes. */
// @ts-ignore: decorator
@inline
export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** The sum of the four lanes, as (l0 + l1) + (l2 + l3). */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** exp of one float, by the vector kernel (so a row's tail rounds as its vectors do). */
// @ts-ignore: decorator
@inline
export function exp1(x: f32): f32 {
  return f32x4.extract_lane(expFull4(f32x4.splat(x)), 0);
}
