import type { AdagradOptions, AdamOptions, F32, RmspropOptions, SgdOptions } from "../backend.js";

// Each update follows PyTorch's single-tensor implementation step for step (torch/optim/*.py),
// so that 10-step trajectories match to float32 rounding.

export function sgdUpdate(p: F32, g: F32, buf: F32 | null, o: SgdOptions): void {
  const sign = o.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (o.weightDecay !== 0) d += o.weightDecay * p[i];
    if (buf) {
      buf[i] = o.firstStep ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
      d = o.nesterov ? d + o.momentum * buf[i] : buf[i];
    }
    p[i] -= o.lr * d;
  }
}

export function adamUpdate(p: F32, g: F32, m: F32, v: F32, vMax: F32 | null, o: AdamOptions): void {
  const sign = o.maximize ? -1 : 1;
  const bc1 = 1 - Math.pow(o.beta1, o.step);
  const bc2Sqrt = Math.sqrt(1 - Math.pow(o.beta2, o.step));
  const stepSize = o.lr / bc1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (o.decoupled) p[i] *= 1 - o.lr * o.weightDecay;
    else if (o.weightDecay !== 0) d += o.weightDecay * p[i];
    m[i] += (d - m[i]) * (1 - o.beta1);
    v[i] = v[i] * o.beta2 + (1 - o.beta2) * d * d;
    let second = v[i];
    if (vMax) {
      vMax[i] = Math.max(vMax[i], v[i]);
      second = vMax[i];
    }
    const denom = Math.sqrt(second) / bc2Sqrt + o.eps;
    p[i] -= stepSize * (m[i] / denom);
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
  const sign = o.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (o.weightDecay !== 0) d += o.weightDecay * p[i];
    sq[i] = o.alpha * sq[i] + (1 - o.alpha) * d * d;
    let avg: number;
    if (gAvg) {
      gAvg[i] += (d - gAvg[i]) * (1 - o.alpha);
      avg = Math.sqrt(sq[i] - gAvg[i] * gAvg[i]) + o.eps;
    } else {
      avg = Math.sqrt(sq[i]) + o.eps;
    }
    if (buf) {
      buf[i] = o.momentum * buf[i] + d / avg;
      p[i] -= o.lr * buf[i];
    } else {
      p[i] -= (o.lr * d) / avg;
    }
  }
}

export function adagradUpdate(p: F32, g: F32, sum: F32, o: AdagradOptions): void {
  const sign = o.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (o.weightDecay !== 0) d += o.weightDecay * p[i];
    sum[i] += d * d;
    p[i] -= (o.lr * d) / (Math.sqrt(sum[i]) + o.eps);
  }
}
