/**
 * Vector transcendental functions on f32x4, accurate to about 1–2 ulp (Cephes expf/tanhf
 * approximations): exp4, sigmoid4, tanh4. The gate kernels use them; parity with the reference
 * backend (which rounds float64 Math.exp/tanh once) stays far below 1e-6 absolute.
 */

// exp(x) saturates instead of overflowing: 2^n is built in the exponent bits, so n ≤ 127.
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.3365447504;
const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so n · C1 is exact (Cody–Waite).
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;

/** e^x per lane; x is clamped to [-87.34, 88.38] so the result stays a normal finite float. */
// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(C1)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(C2)));
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const pow2 = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2);
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
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
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
