/**
 * Fused recurrent gate kernels, one time step for a whole batch, with the exact argument meaning
 * of src/backend/backend.ts (pointers are byte addresses into linear memory). Each loop runs four
 * hidden units per f32x4 step; the tail (H mod 4) runs the same vector code on one lane so every
 * element sees identical arithmetic.
 */
import { sigmoid4, tanh4, relu4 } from "./math";

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
function lstmFwdAt(g: usize, cp: usize, c: usize, m: usize, H4: usize, full: bool): void {
  const i = sigmoid4(ld(g, full));
  const f = sigmoid4(ld(g + H4, full));
  const gg = tanh4(ld(g + 2 * H4, full));
  const o = sigmoid4(ld(g + 3 * H4, full));
  const ct = f32x4.add(f32x4.mul(f, ld(cp, full)), f32x4.mul(i, gg));
  st(g, i, full);
  st(g + H4, f, full);
  st(g + 2 * H4, gg, full);
  st(g + 3 * H4, o, full);
  st(c, ct, full);
  st(m, f32x4.mul(o, tanh4(ct)), full);
}

export function lstmGatesForward(gates: usize, cPrev: usize, batch: i32, hidden: i32, c: usize, m: usize): void {
  const H4 = <usize>hidden << 2;
  const vec = <usize>(hidden & ~3) << 2;
  for (let b = 0; b < batch; b++) {
    const g0 = gates + <usize>b * 4 * H4;
    const h0 = <usize>b * H4;
    let j: usize = 0;
    for (; j < vec; j += 16) lstmFwdAt(g0 + j, cPrev + h0 + j, c + h0 + j, m + h0 + j, H4, true);
    for (; j < H4; j += 4) lstmFwdAt(g0 + j, cPrev + h0 + j, c + h0 + j, m + h0 + j, H4, false);
  }
}

// @ts-ignore: decorator
@inline
function lstmBwdAt(g: usize, cp: usize, c: usize, dm: usize, dc: usize, dg: usize, H4: usize, full: bool): void {
  const one = f32x4.splat(1.0);
  const i = ld(g, full);
  const f = ld(g + H4, full);
  const gg = ld(g + 2 * H4, full);
  const o = ld(g + 3 * H4, full);
  const tc = tanh4(ld(c, full));
  const dmj = ld(dm, full);
  const dct = f32x4.add(ld(dc, full), f32x4.mul(f32x4.mul(dmj, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  st(dg, f32x4.mul(f32x4.mul(f32x4.mul(dct, gg), i), f32x4.sub(one, i)), full);
  st(dg + H4, f32x4.mul(f32x4.mul(f32x4.mul(dct, ld(cp, full)), f), f32x4.sub(one, f)), full);
  st(dg + 2 * H4, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(gg, gg))), full);
  st(dg + 3 * H4, f32x4.mul(f32x4.mul(f32x4.mul(dmj, tc), o), f32x4.sub(one, o)), full);
  st(dc, f32x4.mul(dct, f), full);
}

export function lstmGatesBackward(
  gates: usize, cPrev: usize, c: usize, dm: usize, dc: usize, batch: i32, hidden: i32, dGates: usize,
): void {
  const H4 = <usize>hidden << 2;
  const vec = <usize>(hidden & ~3) << 2;
  for (let b = 0; b < batch; b++) {
    const g0 = <usize>b * 4 * H4;
    const h0 = <usize>b * H4;
    let j: usize = 0;
    for (; j < vec; j += 16) {
      lstmBwdAt(gates + g0 + j, cPrev + h0 + j, c + h0 + j, dm + h0 + j, dc + h0 + j, dGates + g0 + j, H4, true);
    }
    for (; j < H4; j += 4) {
      lstmBwdAt(gates + g0 + j, cPrev + h0 + j, c + h0 + j, dm + h0 + j, dc + h0 + j, dGates + g0 + j, H4, false);
    }
  }
}

// @ts-ignore: decorator
@inline
function gruFwdAt(gx: usize, gh: usize, hp: usize, h: usize, H4: usize, full: bool): void {
  const one = f32x4.splat(1.0);
  const r = sigmoid4(f32x4.add(ld(gx, full), ld(gh, full)));
  const z = sigmoid4(f32x4.add(ld(gx + H4, full), ld(gh + H4, full)));
  const n = tanh4(f32x4.add(ld(gx + 2 * H4, full), f32x4.mul(r, ld(gh + 2 * H4, full))));
  st(gx, r, full);
  st(gx + H4, z, full);
  st(gx + 2 * H4, n, full);
  st(h, f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, ld(hp, full))), full);
}

export function gruGatesForward(gx: usize, gh: usize, hPrev: usize, batch: i32, hidden: i32, h: usize): void {
  const H4 = <usize>hidden << 2;
  const vec = <usize>(hidden & ~3) << 2;
  for (let b = 0; b < batch; b++) {
    const g0 = <usize>b * 3 * H4;
    const h0 = <usize>b * H4;
    let j: usize = 0;
    for (; j < vec; j += 16) gruFwdAt(gx + g0 + j, gh + g0 + j, hPrev + h0 + j, h + h0 + j, H4, true);
    for (; j < H4; j += 4) gruFwdAt(gx + g0 + j, gh + g0 + j, hPrev + h0 + j, h + h0 + j, H4, false);
  }
}

// @ts-ignore: decorator
@inline
function gruBwdAt(
  g: usize, gh: usize, hp: usize, dh: usize, dgx: usize, dgh: usize, dhp: usize, H4: usize, full: bool,
): void {
  const one = f32x4.splat(1.0);
  const r = ld(g, full);
  const z = ld(g + H4, full);
  const n = ld(g + 2 * H4, full);
  const d = ld(dh, full);
  const dnPre = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dzPre = f32x4.mul(f32x4.mul(f32x4.mul(d, f32x4.sub(ld(hp, full), n)), z), f32x4.sub(one, z));
  const drPre = f32x4.mul(f32x4.mul(f32x4.mul(dnPre, ld(gh + 2 * H4, full)), r), f32x4.sub(one, r));
  st(dgx, drPre, full);
  st(dgx + H4, dzPre, full);
  st(dgx + 2 * H4, dnPre, full);
  st(dgh, drPre, full);
  st(dgh + H4, dzPre, full);
  st(dgh + 2 * H4, f32x4.mul(dnPre, r), full);
  st(dhp, f32x4.add(ld(dhp, full), f32x4.mul(d, z)), full);
}

export function gruGatesBackward(
  gates: usize, gh: usize, hPrev: usize, dh: usize, batch: i32, hidden: i32, dGx: usize, dGh: usize, dhPrev: usize,
): void {
  const H4 = <usize>hidden << 2;
  const vec = <usize>(hidden & ~3) << 2;
  for (let b = 0; b < batch; b++) {
    const g0 = <usize>b * 3 * H4;
    const h0 = <usize>b * H4;
    let j: usize = 0;
    for (; j < vec; j += 16) {
      gruBwdAt(gates + g0 + j, gh + g0 + j, hPrev + h0 + j, dh + h0 + j, dGx + g0 + j, dGh + g0 + j, dhPrev + h0 + j, H4, true);
    }
    for (; j < H4; j += 4) {
      gruBwdAt(gates + g0 + j, gh + g0 + j, hPrev + h0 + j, dh + h0 + j, dGx + g0 + j, dGh + g0 + j, dhPrev + h0 + j, H4, false);
    }
  }
}

/** Elman RNN activation in place over `count` floats. */
export function rnnGatesForward(pre: usize, count: i32, relu: bool): void {
  const end = pre + (<usize>count << 2);
  const vec = pre + (<usize>(count & ~3) << 2);
  let p = pre;
  if (relu) {
    for (; p < vec; p += 16) st(p, relu4(ld(p, true)), true);
    for (; p < end; p += 4) st(p, relu4(ld(p, false)), false);
  } else {
    for (; p < vec; p += 16) st(p, tanh4(ld(p, true)), true);
    for (; p < end; p += 4) st(p, tanh4(ld(p, false)), false);
  }
}

/** dPre = dh · act'(h) over `count` floats, from the output h. */
export function rnnGatesBackward(h: usize, dh: usize, count: i32, relu: bool, dPre: usize): void {
  const bytes = <usize>count << 2;
  const vec = <usize>(count & ~3) << 2;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  let o: usize = 0;
  if (relu) {
    for (; o < vec; o += 16) st(dPre + o, v128.and(ld(dh + o, true), f32x4.gt(ld(h + o, true), zero)), true);
    for (; o < bytes; o += 4) st(dPre + o, v128.and(ld(dh + o, false), f32x4.gt(ld(h + o, false), zero)), false);
  } else {
    for (; o < vec; o += 16) {
      const hv = ld(h + o, true);
      st(dPre + o, f32x4.mul(ld(dh + o, true), f32x4.sub(one, f32x4.mul(hv, hv))), true);
    }
    for (; o < bytes; o += 4) {
      const hv = ld(h + o, false);
      st(dPre + o, f32x4.mul(ld(dh + o, false), f32x4.sub(one, f32x4.mul(hv, hv))), false);
    }
  }
}
