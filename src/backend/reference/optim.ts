import type {
  AdagradOptions,
  AdamOptions,
  F32,
  I32,
  RmspropOptions,
  SgdOptions,
} from "../backend.js";

// Each update follows PyTorch 1.13's single-tensor implementation (torch/optim/*.py) op for op,
// and rounds to float32 wherever PyTorch materialises a float32 tensor or casts a Python scalar to
// the tensor's dtype, so that trajectories match PyTorch's CPU results to the last bit or two.
// `a.add_(b, alpha=s)` runs as a fused multiply-add in PyTorch's vectorised CPU kernel, so it is
// written as one float64 expression rounded once: f(a + s·b).
const f = Math.fround;

export function sgdUpdate(p: F32, g: F32, buf: F32 | null, o: SgdOptions): void {
  const wd = f(o.weightDecay);
  const momentum = f(o.momentum);
  const keep = f(1 - o.dampening);
  const negLr = f(-o.lr);
  for (let i = 0; i < p.length; i++) {
    let d = o.maximize ? -g[i] : g[i];
    if (o.weightDecay !== 0) d = f(d + wd * p[i]);
    if (buf) {
      buf[i] = o.firstStep ? d : f(f(buf[i] * momentum) + keep * d);
      d = o.nesterov ? f(d + momentum * buf[i]) : buf[i];
    }
    p[i] = p[i] + negLr * d;
  }
}

export function adamUpdate(p: F32, g: F32, m: F32, v: F32, vMax: F32 | null, o: AdamOptions): void {
  adamSpan(adamConstants(o), p, g, 0, m, v, vMax, 0, p.length);
}

/** adamUpdate from the nonzero rows of the gradient: runs of other rows get a gradient of 0. */
export function adamUpdateRows(
  p: F32,
  rows: I32,
  values: F32,
  width: number,
  m: F32,
  v: F32,
  vMax: F32 | null,
  o: AdamOptions,
): void {
  const c = adamConstants(o);
  let at = 0;
  for (let k = 0; k < rows.length; k++) {
    const start = rows[k] * width;
    adamSpan(c, p, null, 0, m, v, vMax, at, start - at);
    adamSpan(c, p, values, k * width - start, m, v, vMax, start, width);
    at = start + width;
  }
  adamSpan(c, p, null, 0, m, v, vMax, at, p.length - at);
}

function adamConstants(o: AdamOptions) {
  const bc1 = 1 - Math.pow(o.beta1, o.step);
  return {
    o,
    bc2Sqrt: f(Math.sqrt(1 - Math.pow(o.beta2, o.step))),
    negStepSize: f(-(o.lr / bc1)),
    beta1: f(o.beta1),
    beta2: f(o.beta2),
    oneMinusBeta1: f(1 - o.beta1),
    oneMinusBeta2: f(1 - o.beta2),
    eps: f(o.eps),
    wd: f(o.weightDecay),
    decay: f(1 - o.lr * o.weightDecay),
  };
}

/** Elements [at, at + n) of Adam, with gradient g[i + gShift] (0 when g is null). */
function adamSpan(
  c: ReturnType<typeof adamConstants>,
  p: F32,
  g: F32 | null,
  gShift: number,
  m: F32,
  v: F32,
  vMax: F32 | null,
  at: number,
  n: number,
): void {
  const { o, bc2Sqrt, negStepSize, beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, wd, decay } = c;
  for (let i = at; i < at + n; i++) {
    const gi = g ? g[i + gShift] : 0;
    let d = o.maximize ? -gi : gi;
    if (o.decoupled) p[i] = p[i] * decay;
    else if (o.weightDecay !== 0) d = f(d + wd * p[i]);
    m[i] = f(m[i] * beta1) + oneMinusBeta1 * d;
    v[i] = f(v[i] * beta2) + f(oneMinusBeta2 * d) * d;
    let second = v[i];
    if (vMax) {
      vMax[i] = Math.max(vMax[i], v[i]);
      second = vMax[i];
    }
    const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + eps);
    p[i] = p[i] + f(f(negStepSize * m[i]) / denom);
  }
}

export function rmspropUpdate(
  p: F32,
  g: F32,
  sq: F32,
  gAvg: F32 | null,
  buf: F32 | null,
  o: RmspropOptions,
): void {
  const alpha = f(o.alpha);
  const oneMinusAlpha = f(1 - o.alpha);
  const eps = f(o.eps);
  const wd = f(o.weightDecay);
  const momentum = f(o.momentum);
  const negLr = f(-o.lr);
  for (let i = 0; i < p.length; i++) {
    let d = o.maximize ? -g[i] : g[i];
    if (o.weightDecay !== 0) d = f(d + wd * p[i]);
    sq[i] = f(sq[i] * alpha) + f(oneMinusAlpha * d) * d;
    let avg: number;
    if (gAvg) {
      gAvg[i] = f(gAvg[i] * alpha) + oneMinusAlpha * d;
      avg = f(Math.sqrt(f(sq[i] - gAvg[i] * gAvg[i])));
    } else {
      avg = f(Math.sqrt(sq[i]));
    }
    avg = f(avg + eps);
    if (buf) {
      buf[i] = f(buf[i] * momentum) + f(d / avg);
      p[i] = p[i] + negLr * buf[i];
    } else {
      p[i] = p[i] + f(f(negLr * d) / avg);
    }
  }
}

export function adagradUpdate(p: F32, g: F32, sum: F32, o: AdagradOptions): void {
  const wd = f(o.weightDecay);
  const eps = f(o.eps);
  const negLr = f(-o.lr);
  for (let i = 0; i < p.length; i++) {
    let d = o.maximize ? -g[i] : g[i];
    if (o.weightDecay !== 0) d = f(d + wd * p[i]);
    sum[i] = sum[i] + d * d;
    const std = f(f(Math.sqrt(sum[i])) + eps);
    p[i] = p[i] + f(f(negLr * d) / std);
  }
}
