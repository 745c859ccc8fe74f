/**
 * The live loss curve: every step's training loss (light) and its exponential moving average
 * (dark, α = 0.1), validation losses as dots, on a canvas redrawn at most once per animation
 * frame however fast the steps arrive. The y axis spans the losses seen; the x axis the steps.
 *
 * @example
 * const chart = new LossChart(canvas);
 * chart.push(step, loss);       // from each step event
 * chart.pushValid(step, loss);  // from each evaluation
 */

const PAD = { left: 44, right: 12, top: 12, bottom: 26 };

export class LossChart {
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private readonly smooth: number[] = [];
  private readonly valid: [number, number][] = [];
  private queued = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.draw();
  }

  clear(): void {
    this.steps.length = this.losses.length = this.smooth.length = this.valid.length = 0;
    this.schedule();
  }

  push(step: number, loss: number): void {
    if (!Number.isFinite(loss)) return;
    const prev = this.smooth.at(-1);
    this.steps.push(step);
    this.losses.push(loss);
    this.smooth.push(prev === undefined ? loss : prev + 0.1 * (loss - prev));
    this.schedule();
  }

  pushValid(step: number, loss: number): void {
    if (Number.isFinite(loss)) this.valid.push([step, loss]);
    this.schedule();
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.draw();
    });
  }

  private draw(): void {
    const c = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth || 600;
    const h = c.clientHeight || 220;
    if (c.width !== Math.round(w * ratio)) c.width = Math.round(w * ratio);
    if (c.height !== Math.round(h * ratio)) c.height = Math.round(h * ratio);
    const g = c.getContext("2d");
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = "#666";
    if (this.steps.length === 0) {
      g.fillText("the loss curve appears here once training starts", PAD.left, h / 2);
      return;
    }
    const all = [...this.losses, ...this.valid.map((v) => v[1])];
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
    const x0 = this.steps[0];
    const x1 = Math.max(this.steps.at(-1)!, x0 + 1);
    const px = (s: number): number =>
      PAD.left + ((s - x0) / (x1 - x0)) * (w - PAD.left - PAD.right);
    const py = (v: number): number => PAD.top + ((hi - v) / (hi - lo)) * (h - PAD.top - PAD.bottom);
    g.strokeStyle = "#ddd";
    g.lineWidth = 1;
    g.beginPath();
    for (const v of [lo, (lo + hi) / 2, hi]) {
      g.moveTo(PAD.left, py(v));
      g.lineTo(w - PAD.right, py(v));
      g.fillText(v.toFixed(2), 4, py(v) + 4);
    }
    g.stroke();
    g.fillText(`step ${x0}`, PAD.left, h - 8);
    const last = `step ${this.steps.at(-1)}`;
    g.fillText(last, w - PAD.right - g.measureText(last).width, h - 8);
    const line = (ys: number[], color: string, width: number): void => {
      g.strokeStyle = color;
      g.lineWidth = width;
      g.beginPath();
      ys.forEach((v, i) => (i === 0 ? g.moveTo : g.lineTo).call(g, px(this.steps[i]), py(v)));
      g.stroke();
    };
    line(this.losses, "#9ec5e8", 1);
    line(this.smooth, "#1f5fa8", 2);
    g.fillStyle = "#d9531e";
    for (const [s, v] of this.valid) {
      g.beginPath();
      g.arc(px(s), py(v), 3.5, 0, 2 * Math.PI);
      g.fill();
    }
  }
}
