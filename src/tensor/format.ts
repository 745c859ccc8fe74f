/** PyTorch-style printing: `tensor([[ 0.1000, -2.0000], ...], requiresGrad=true)`. */
import type { Tensor } from "./tensor.js";

const EDGE_ITEMS = 3;
const SUMMARIZE_ABOVE = 1000;

export function formatTensor(t: Tensor): string {
  const summarize = t.numel() > SUMMARIZE_ABOVE;
  const isInt = t.dtype === "int32";
  const values = Array.from(t.data);
  const finite = values.filter(Number.isFinite);
  const useSci =
    !isInt &&
    finite.length > 0 &&
    (Math.max(...finite.map(Math.abs)) >= 1e8 ||
      finite.some((v) => v !== 0 && Math.abs(v) < 1e-4));
  const fmt = (v: number): string => {
    if (isInt) return String(v);
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return useSci ? v.toExponential(4) : v.toFixed(4);
  };
  const width = Math.max(1, ...values.map((v) => fmt(v).length));
  const pad = (s: string) => s.padStart(width);

  const strides: number[] = [];
  let s = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= t.shape[i];
  }
  const indent = "tensor(".length;
  const render = (dim: number, offset: number): string => {
    if (dim === t.shape.length) return pad(fmt(t.data[offset]));
    const n = t.shape[dim];
    const pick = summarize && n > 2 * EDGE_ITEMS;
    const idx = pick
      ? [...Array(EDGE_ITEMS).keys(), -1, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
      : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? "..." : render(dim + 1, offset + i * strides[dim])));
    if (dim === t.shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = "," + "\n".repeat(t.shape.length - dim - 1) + " ".repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const extras: string[] = [];
  if (isInt) extras.push("dtype=int32");
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  if (summarize || t.numel() === 0) extras.unshift(`size=[${t.shape.join(", ")}]`);
  const body = t.numel() === 0 ? "[]" : render(0, 0);
  return `tensor(${body}${extras.map((e) => ", " + e).join("")})`;
}
