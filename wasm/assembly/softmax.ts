/**
 * (Log-)softmax forward and backward over x viewed as [outer, size, inner], along the middle axis.
 * inner = 1 (the class axis last, as in every loss) runs each row four lanes at a time; inner > 1
 * runs four `inner` positions at a time, sequentially over `size`. Sums are float32 and exp/log
 * the ~1-ulp approximations of math.ts, so results are within a few ulp of the reference (which
 * sums in float64).
 */
import { exp1, expFull4, hmax, hsum, log4 } from "./math";

// @ts-ignore: decorator
@inline
function log1(x: f32): f32 {
  return f32x4.extract_lane(log4(f32x4.splat(x)), 0);
}

/** One contiguous row of `size` floats. */
function rowForward(x: usize, size: i32, log: bool, out: usize): void {
  const bytes = <usize>size << 2;
  const vec = <usize>(size & ~3) << 2;
  let mv = f32x4.splat(-Infinity);
  let o: usize = 0;
  for (; o < vec; o += 16) mv = f32x4.max(mv, v128.load(x + o));
  let m = hmax(mv);
  for (; o < bytes; o += 4) m = max(m, load<f32>(x + o));
  const ms = f32x4.splat(m);
  let sv = f32x4.splat(0);
  o = 0;
  if (log) {
    for (; o < vec; o += 16) sv = f32x4.add(sv, expFull4(f32x4.sub(v128.load(x + o), ms)));
  } else {
    for (; o < vec; o += 16) {
      const e = expFull4(f32x4.sub(v128.load(x + o), ms));
      v128.store(out + o, e);
      sv = f32x4.add(sv, e);
    }
  }
  let s = hsum(sv);
  for (; o < bytes; o += 4) {
    const e = exp1(load<f32>(x + o) - m);
    if (!log) store<f32>(out + o, e);
    s += e;
  }
  if (log) {
    const lse = f32x4.splat(m + log1(s));
    o = 0;
    for (; o < vec; o += 16) v128.store(out + o, f32x4.sub(v128.load(x + o), lse));
    for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(x + o) - f32x4.extract_lane(lse, 0));
  } else {
    const inv = f32x4.splat(s);
    o = 0;
    for (; o < vec; o += 16) v128.store(out + o, f32x4.div(v128.load(out + o), inv));
    for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(out + o) / s);
  }
}

/** Four (or, at the tail, one) inner positions of one outer slice, strided by `inner`. */
// @ts-ignore: decorator
@inline
function colsForward(x: usize, size: i32, stride: usize, log: bool, out: usize, full: bool): void {
  let mv = f32x4.splat(-Infinity);
  for (let s = 0; s < size; s++) mv = f32x4.max(mv, ld(x + <usize>s * stride, full));
  let sv = f32x4.splat(0);
  for (let s = 0; s < size; s++) sv = f32x4.add(sv, expFull4(f32x4.sub(ld(x + <usize>s * stride, full), mv)));
  if (log) {
    const lse = f32x4.add(mv, log4(sv));
    for (let s = 0; s < size; s++) {
      const k = <usize>s * stride;
      st(out + k, f32x4.sub(ld(x + k, full), lse), full);
    }
  } else {
    for (let s = 0; s < size; s++) {
      const k = <usize>s * stride;
      st(out + k, f32x4.div(expFull4(f32x4.sub(ld(x + k, full), mv)), sv), full);
    }
  }
}

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

export function softmaxForward(x: usize, outer: i32, size: i32, inner: i32, log: bool, out: usize): void {
  const slice = <usize>size * <usize>inner << 2;
  if (inner == 1) {
    for (let r = 0; r < outer; r++) rowForward(x + <usize>r * slice, size, log, out + <usize>r * slice);
    return;
  }
  const stride = <usize>inner << 2;
  const i4 = inner & ~3;
  for (let r = 0; r < outer; r++) {
    const xr = x + <usize>r * slice;
    const or = out + <usize>r * slice;
    let i = 0;
    for (; i < i4; i += 4) colsForward(xr + (<usize>i << 2), size, stride, log, or + (<usize>i << 2), true);
    for (; i < inner; i++) colsForward(xr + (<usize>i << 2), size, stride, log, or + (<usize>i << 2), false);
  }
}

/**
 * dx += backward from the saved output y: log-softmax dx = dy − softmax · Σdy, softmax
 * dx = y · (dy − Σ y·dy).
 */
// @ts-ignore: decorator
@inline
function colsBackward(y: usize, dy: usize, size: i32, stride: usize, log: bool, dx: usize, full: bool): void {
  let sv = f32x4.splat(0);
  if (log) for (let s = 0; s < size; s++) sv = f32x4.add(sv, ld(dy + <usize>s * stride, full));
  else for (let s = 0; s < size; s++) {
    const k = <usize>s * stride;
    sv = f32x4.add(sv, f32x4.mul(ld(y + k, full), ld(dy + k, full)));
  }
  for (let s = 0; s < size; s++) {
    const k = <usize>s * stride;
    const yv = ld(y + k, full);
    const d = ld(dy + k, full);
    const g = log ? f32x4.sub(d, f32x4.mul(expFull4(yv), sv)) : f32x4.mul(yv, f32x4.sub(d, sv));
    st(dx + k, f32x4.add(ld(dx + k, full), g), full);
  }
}

function rowBackward(y: usize, dy: usize, size: i32, log: bool, dx: usize): void {
  const bytes = <usize>size << 2;
  const vec = <usize>(size & ~3) << 2;
  let sv = f32x4.splat(0);
  let o: usize = 0;
  if (log) for (; o < vec; o += 16) sv = f32x4.add(sv, v128.load(dy + o));
  else for (; o < vec; o += 16) sv = f32x4.add(sv, f32x4.mul(v128.load(y + o), v128.load(dy + o)));
  let s = hsum(sv);
  for (; o < bytes; o += 4) s += log ? load<f32>(dy + o) : load<f32>(y + o) * load<f32>(dy + o);
  const ss = f32x4.splat(s);
  o = 0;
  for (; o < vec; o += 16) {
    const yv = v128.load(y + o);
    const d = v128.load(dy + o);
    const g = log ? f32x4.sub(d, f32x4.mul(expFull4(yv), ss)) : f32x4.mul(yv, f32x4.sub(d, ss));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), g));
  }
  for (; o < bytes; o += 4) {
    const yv = load<f32>(y + o);
    const d = load<f32>(dy + o);
    const g = log ? d - exp1(yv) * s : yv * (d - s);
    store<f32>(dx + o, load<f32>(dx + o) + g);
  }
}

export function softmaxBackward(
  y: usize, dy: usize, outer: i32, size: i32, inner: i32, log: bool, dx: usize,
): void {
  const slice = <usize>size * <usize>inner << 2;
  if (inner == 1) {
    for (let r = 0; r < outer; r++) {
      const o = <usize>r * slice;
      rowBackward(y + o, dy + o, size, log, dx + o);
    }
    return;
  }
  const stride = <usize>inner << 2;
  const i4 = inner & ~3;
  for (let r = 0; r < outer; r++) {
    const base = <usize>r * slice;
    let i = 0;
    for (; i < i4; i += 4) {
      const o = base + (<usize>i << 2);
      colsBackward(y + o, dy + o, size, stride, log, dx + o, true);
    }
    for (; i < inner; i++) {
      const o = base + (<usize>i << 2);
      colsBackward(y + o, dy + o, size, stride, log, dx + o, false);
    }
  }
}
