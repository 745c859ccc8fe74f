/**
 * Optimizer updates in place, bit-identical to src/backend/reference/optim.ts (PyTorch 1.13's
 * single-tensor algorithms): every step the reference rounds once from float64 is done the same
 * way here. A float32 +, −, ·, / or √ of float32 operands is already the float64 result rounded
 * once, so those run as f32x4; `a + b·c` (one float64 expression in the reference, where b·c is
 * exact in float64) runs as f64x2 and is rounded once (`fma64`). Scalars arrive pre-rounded the
 * way the reference rounds them. Four lanes per step; the tail runs the same code on one lane.
 */

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

/** float32(a + b·c) with the sum in float64, per lane (b·c of float32s is exact in float64). */
// @ts-ignore: decorator
@inline
function fma64(a: v128, b: v128, c: v128): v128 {
  const lo = f64x2.add(f64x2.promote_low_f32x4(a), f64x2.mul(f64x2.promote_low_f32x4(b), f64x2.promote_low_f32x4(c)));
  const ah = v128.shuffle<f32>(a, a, 2, 3, 2, 3);
  const bh = v128.shuffle<f32>(b, b, 2, 3, 2, 3);
  const ch = v128.shuffle<f32>(c, c, 2, 3, 2, 3);
  const hi = f64x2.add(f64x2.promote_low_f32x4(ah), f64x2.mul(f64x2.promote_low_f32x4(bh), f64x2.promote_low_f32x4(ch)));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline
function grad(g: usize, p: v128, maximize: bool, wd: f32, full: bool): v128 {
  // g = 0: a gradient row that is 0 (adamRows), the same arithmetic as a loaded +0.
  let d = g ? ld(g, full) : f32x4.splat(0);
  if (maximize) d = f32x4.neg(d);
  if (wd != 0) d = fma64(d, f32x4.splat(wd), p);
  return d;
}

// @ts-ignore: decorator
@inline
function adamAt(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, full: bool, maximize: bool, decoupled: bool,
  wd: f32, decay: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, bc2Sqrt: f32, negStep: f32,
): void {
  let pv = ld(p, full);
  let d: v128;
  if (decoupled) {
    pv = f32x4.mul(pv, f32x4.splat(decay));
    d = g ? ld(g, full) : f32x4.splat(0);
    if (maximize) d = f32x4.neg(d);
  } else {
    d = grad(g, pv, maximize, wd, full);
  }
  const mv = fma64(f32x4.mul(ld(m, full), f32x4.splat(beta1)), f32x4.splat(omb1), d);
  const vv = fma64(f32x4.mul(ld(v, full), f32x4.splat(beta2)), f32x4.mul(f32x4.splat(omb2), d), d);
  st(m, mv, full);
  st(v, vv, full);
  let second = vv;
  if (vMax) {
    second = f32x4.max(ld(vMax, full), vv);
    st(vMax, second, full);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(second), f32x4.splat(bc2Sqrt)), f32x4.splat(eps));
  st(p, f32x4.add(pv, f32x4.div(f32x4.mul(f32x4.splat(negStep), mv), denom)), full);
}

/** Adam/AdamW over n floats; vMax is 0 without AMSGrad, g is 0 for a gradient of zeros. */
// @ts-ignore: decorator
@inline
function adamSpan(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32, maximize: bool, decoupled: bool,
  wd: f32, decay: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, bc2Sqrt: f32, negStep: f32,
): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < vec; o += 16) {
    adamAt(p + o, g ? g + o : 0, m + o, v + o, vMax ? vMax + o : 0, true, maximize, decoupled, wd, decay, beta1, beta2, omb1, omb2, eps, bc2Sqrt, negStep);
  }
  for (; o < bytes; o += 4) {
    adamAt(p + o, g ? g + o : 0, m + o, v + o, vMax ? vMax + o : 0, false, maximize, decoupled, wd, decay, beta1, beta2, omb1, omb2, eps, bc2Sqrt, negStep);
  }
}

/** Adam/AdamW over n floats; vMax is 0 without AMSGrad. */
export function adam(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32, maximize: bool, decoupled: bool,
  wd: f32, decay: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, bc2Sqrt: f32, negStep: f32,
): void {
  adamSpan(p, g, m, v, vMax, n, maximize, decoupled, wd, decay, beta1, beta2, omb1, omb2, eps, bc2Sqrt, negStep);
}

/**
 * Adam over rows [r0, r1) of width floats (p, m, v, vMax at row 0) with the gradient given as
 * its nonzero rows: rows[k..nnz) (ascending) from k = the first one ≥ r0, their values at g
 * (row k at g + 4·k·width). Every other row's gradient is 0; each run of those is one span.
 */
export function adamRows(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, rows: usize, k: i32, nnz: i32, width: i32,
  r0: i32, r1: i32, maximize: bool, decoupled: bool,
  wd: f32, decay: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, bc2Sqrt: f32, negStep: f32,
): void {
  const rowBytes = <usize>width << 2;
  let r = r0;
  while (r < r1) {
    const next = k < nnz ? min(load<i32>(rows + (<usize>k << 2)), r1) : r1;
    if (next > r) {
      const o = <usize>r * rowBytes;
      const n = (next - r) * width;
      adamSpan(p + o, 0, m + o, v + o, vMax ? vMax + o : 0, n, maximize, decoupled, wd, decay, beta1, beta2, omb1, omb2, eps, bc2Sqrt, negStep);
      r = next;
    }
    if (r < r1) {
      const o = <usize>r * rowBytes;
      const go = g + <usize>k * rowBytes;
      adamSpan(p + o, go, m + o, v + o, vMax ? vMax + o : 0, width, maximize, decoupled, wd, decay, beta1, beta2, omb1, omb2, eps, bc2Sqrt, negStep);
      k++;
      r++;
    }
  }
}

// @ts-ignore: decorator
@inline
function sgdAt(
  p: usize, g: usize, buf: usize, full: bool, maximize: bool, wd: f32, momentum: f32, keep: f32,
  nesterov: bool, firstStep: bool, negLr: f32,
): void {
  const pv = ld(p, full);
  let d = grad(g, pv, maximize, wd, full);
  if (buf) {
    const b = firstStep ? d : fma64(f32x4.mul(ld(buf, full), f32x4.splat(momentum)), f32x4.splat(keep), d);
    st(buf, b, full);
    d = nesterov ? fma64(d, f32x4.splat(momentum), b) : b;
  }
  st(p, fma64(pv, f32x4.splat(negLr), d), full);
}

/** SGD with an optional momentum buffer (0 when momentum is 0). */
export function sgd(
  p: usize, g: usize, buf: usize, n: i32, maximize: bool, wd: f32, momentum: f32, keep: f32,
  nesterov: bool, firstStep: bool, negLr: f32,
): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < vec; o += 16) sgdAt(p + o, g + o, buf ? buf + o : 0, true, maximize, wd, momentum, keep, nesterov, firstStep, negLr);
  for (; o < bytes; o += 4) sgdAt(p + o, g + o, buf ? buf + o : 0, false, maximize, wd, momentum, keep, nesterov, firstStep, negLr);
}

// @ts-ignore: decorator
@inline
function rmspropAt(
  p: usize, g: usize, sq: usize, gAvg: usize, buf: usize, full: bool, maximize: bool, wd: f32,
  alpha: f32, oma: f32, eps: f32, momentum: f32, negLr: f32,
): void {
  const pv = ld(p, full);
  const d = grad(g, pv, maximize, wd, full);
  const s = fma64(f32x4.mul(ld(sq, full), f32x4.splat(alpha)), f32x4.mul(f32x4.splat(oma), d), d);
  st(sq, s, full);
  let avg: v128;
  if (gAvg) {
    const ga = fma64(f32x4.mul(ld(gAvg, full), f32x4.splat(alpha)), f32x4.splat(oma), d);
    st(gAvg, ga, full);
    avg = f32x4.sqrt(fma64(s, f32x4.neg(ga), ga));
  } else {
    avg = f32x4.sqrt(s);
  }
  avg = f32x4.add(avg, f32x4.splat(eps));
  if (buf) {
    const b = f32x4.add(f32x4.mul(ld(buf, full), f32x4.splat(momentum)), f32x4.div(d, avg));
    st(buf, b, full);
    st(p, fma64(pv, f32x4.splat(negLr), b), full);
  } else {
    st(p, f32x4.add(pv, f32x4.div(f32x4.mul(f32x4.splat(negLr), d), avg)), full);
  }
}

/** RMSprop; gAvg (centered) and buf (momentum) are 0 when unused. */
export function rmsprop(
  p: usize, g: usize, sq: usize, gAvg: usize, buf: usize, n: i32, maximize: bool, wd: f32,
  alpha: f32, oma: f32, eps: f32, momentum: f32, negLr: f32,
): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < vec; o += 16) {
    rmspropAt(p + o, g + o, sq + o, gAvg ? gAvg + o : 0, buf ? buf + o : 0, true, maximize, wd, alpha, oma, eps, momentum, negLr);
  }
  for (; o < bytes; o += 4) {
    rmspropAt(p + o, g + o, sq + o, gAvg ? gAvg + o : 0, buf ? buf + o : 0, false, maximize, wd, alpha, oma, eps, momentum, negLr);
  }
}

// @ts-ignore: decorator
@inline
function adagradAt(p: usize, g: usize, sum: usize, full: bool, maximize: bool, wd: f32, eps: f32, negLr: f32): void {
  const pv = ld(p, full);
  const d = grad(g, pv, maximize, wd, full);
  const s = fma64(ld(sum, full), d, d);
  st(sum, s, full);
  const std = f32x4.add(f32x4.sqrt(s), f32x4.splat(eps));
  st(p, f32x4.add(pv, f32x4.div(f32x4.mul(f32x4.splat(negLr), d), std)), full);
}

export function adagrad(p: usize, g: usize, sum: usize, n: i32, maximize: bool, wd: f32, eps: f32, negLr: f32): void {
  const bytes = <usize>n << 2;
  const vec = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < vec; o += 16) adagradAt(p + o, g + o, sum + o, true, maximize, wd, eps, negLr);
  for (; o < bytes; o += 4) adagradAt(p + o, g + o, sum + o, false, maximize, wd, eps, negLr);
}
