/**
 * Elementwise kernels over contiguous float32 arrays, four lanes at a time; the n mod 4 tail runs
 * the same vector code on one lane so every element sees identical arithmetic. Op codes are the
 * indices of UNARY_OPS / BINARY_OPS in src/backend/wasm/ops.ts.
 *
 * add, sub, mul, div, sqrt, neg, abs, relu, max, min and the comparisons round exactly like the
 * reference (one float32 rounding of the exact result); exp, log, tanh and sigmoid are ~1–2 ulp
 * approximations (math.ts).
 */
import { expFull4, log4, relu4, tanh4 } from "./math";

// @ts-ignore: decorator
@inline
function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}

// @ts-ignore: decorator
@inline
function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

// @ts-ignore: decorator
@inline
function sigmoidFull4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expFull4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline
function unaryAt(op: i32, v: v128): v128 {
  switch (op) {
    case 0: return f32x4.neg(v);
    case 1: return expFull4(v);
    case 2: return log4(v);
    case 3: return tanh4(v);
    case 4: return sigmoidFull4(v);
    case 5: return relu4(v);
    case 6: return f32x4.sqrt(v);
    default: return f32x4.abs(v);
  }
}

/** out[i] = op(x[i]): 0 neg, 1 exp, 2 log, 3 tanh, 4 sigmoid, 5 relu, 6 sqrt, 7 abs. */
export function unary(op: i32, x: usize, n: i32, out: usize): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  let o: usize = 0;
  // One loop per op so each is a tight vector loop.
  switch (op) {
    case 0: for (; o < vec; o += 16) st(out + o, unaryAt(0, ld(x + o, true)), true); break;
    case 1: for (; o < vec; o += 16) st(out + o, unaryAt(1, ld(x + o, true)), true); break;
    case 2: for (; o < vec; o += 16) st(out + o, unaryAt(2, ld(x + o, true)), true); break;
    case 3: for (; o < vec; o += 16) st(out + o, unaryAt(3, ld(x + o, true)), true); break;
    case 4: for (; o < vec; o += 16) st(out + o, unaryAt(4, ld(x + o, true)), true); break;
    case 5: for (; o < vec; o += 16) st(out + o, unaryAt(5, ld(x + o, true)), true); break;
    case 6: for (; o < vec; o += 16) st(out + o, unaryAt(6, ld(x + o, true)), true); break;
    default: for (; o < vec; o += 16) st(out + o, unaryAt(7, ld(x + o, true)), true); break;
  }
  for (; o < bytes; o += 4) st(out + o, unaryAt(op, ld(x + o, false)), false);
}

// @ts-ignore: decorator
@inline
function unaryGradAt(op: i32, x: v128, y: v128, dy: v128): v128 {
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  switch (op) {
    case 0: return f32x4.neg(dy);
    case 1: return f32x4.mul(dy, y);
    case 2: return f32x4.div(dy, x);
    case 3: return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
    case 4: return f32x4.mul(f32x4.mul(dy, y), f32x4.sub(one, y));
    case 5: return v128.and(dy, f32x4.gt(y, zero));
    case 6: return f32x4.div(dy, f32x4.add(y, y));
    default: {
      // sign(x)·dy, 0 at x = 0 (and NaN x gives 0 like the reference's comparisons).
      const pos = v128.and(dy, f32x4.gt(x, zero));
      const neg = v128.and(f32x4.neg(dy), f32x4.lt(x, zero));
      return v128.or(pos, neg);
    }
  }
}

/** dx[i] += op'(x[i]) · dy[i], given y = op(x). Same codes as `unary`. */
export function unaryBackward(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < vec; o += 16) {
    const g = unaryGradAt(op, ld(x + o, true), ld(y + o, true), ld(dy + o, true));
    st(dx + o, f32x4.add(ld(dx + o, true), g), true);
  }
  for (; o < bytes; o += 4) {
    const g = unaryGradAt(op, ld(x + o, false), ld(y + o, false), ld(dy + o, false));
    st(dx + o, f32x4.add(ld(dx + o, false), g), false);
  }
}

// @ts-ignore: decorator
@inline
function binaryAt(op: i32, a: v128, b: v128): v128 {
  const one = f32x4.splat(1.0);
  switch (op) {
    case 0: return f32x4.add(a, b);
    case 1: return f32x4.sub(a, b);
    case 2: return f32x4.mul(a, b);
    case 3: return f32x4.div(a, b);
    // max/min as the reference writes them: a > b || a is NaN ? a : b.
    case 4: return v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a)));
    case 5: return v128.bitselect(a, b, v128.or(f32x4.lt(a, b), f32x4.ne(a, a)));
    case 6: return v128.and(one, f32x4.eq(a, b));
    case 7: return v128.and(one, f32x4.gt(a, b));
    case 8: return v128.and(one, f32x4.lt(a, b));
    case 9: return v128.and(one, f32x4.ge(a, b));
    default: return v128.and(one, f32x4.le(a, b));
  }
}

/**
 * out[o, j] = a[o·as0 + j·as1] op b[o·bs0 + j·bs1] over [outer, width], the inner strides 0 or 1
 * (a broadcast operand is splat). Codes: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 eq, 7 gt,
 * 8 lt, 9 ge, 10 le.
 */
export function binary(
  op: i32, a: usize, as0: i32, as1: i32, b: usize, bs0: i32, bs1: i32, out: usize, outer: i32, width: i32,
): void {
  const vec = width & ~3;
  for (let r = 0; r < outer; r++) {
    const ar = a + (<usize>(r * as0) << 2);
    const br = b + (<usize>(r * bs0) << 2);
    const orow = out + (<usize>(r * width) << 2);
    let j = 0;
    if (as1 == 1 && bs1 == 1) {
      for (; j < vec; j += 4) {
        const o = <usize>j << 2;
        st(orow + o, binaryAt(op, v128.load(ar + o), v128.load(br + o)), true);
      }
    } else if (as1 == 1) {
      const bv = f32x4.splat(load<f32>(br));
      for (; j < vec; j += 4) {
        const o = <usize>j << 2;
        st(orow + o, binaryAt(op, v128.load(ar + o), bv), true);
      }
    } else if (bs1 == 1) {
      const av = f32x4.splat(load<f32>(ar));
      for (; j < vec; j += 4) {
        const o = <usize>j << 2;
        st(orow + o, binaryAt(op, av, v128.load(br + o)), true);
      }
    }
    for (; j < width; j++) {
      const av = f32x4.splat(load<f32>(ar + (<usize>(j * as1) << 2)));
      const bv = f32x4.splat(load<f32>(br + (<usize>(j * bs1) << 2)));
      st(orow + (<usize>j << 2), binaryAt(op, av, bv), false);
    }
  }
}

/** out[i] = min(max(x[i], lo), hi) written as the reference does (x < lo ? lo : x, then > hi). */
export function clamp(x: usize, n: i32, lo: f32, hi: f32, out: usize): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let o: usize = 0;
  for (; o < vec; o += 16) {
    const v = v128.load(x + o);
    const t = v128.bitselect(vlo, v, f32x4.lt(v, vlo));
    v128.store(out + o, v128.bitselect(vhi, t, f32x4.gt(t, vhi)));
  }
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    const t = v < lo ? lo : v;
    store<f32>(out + o, t > hi ? hi : t);
  }
}
