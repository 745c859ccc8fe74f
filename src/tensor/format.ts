/** PyTorch-style printing: `tensor([[ 0.1000, -2.0000], ...], requiresGrad=true)`. */
import type { Tensor } from "./tensor.js";

const EDGE_ITEMS = 3;
const SUMMARIZE_ABOVE = 1000;

export function formatTensor(t: Tensor): string {
  const summarize = t.numel() > SUMMARIZE_ABOVE;
  const isInt = t.dtype === "int32";
  const values = Array.from(t.data);
  // A loop, not Math.max(...values): spreading a million arguments overflows the stack.
  let largest = 0;
  let tiny = false;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    largest = Math.max(largest, Math.abs(v));
    tiny ||= v !== 0 && Math.abs(v) < 1e-4;
  }
  const useSci = !isInt && (largest >= 1e8 || tiny);
  const fmt = (v: number): string => {
    if (isInt) return String(v);
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    // PyTorch writes two exponent digits: 1.5000e+00.
    return useSci ? v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2") : v.toFixed(4);
  };
  let width = 1;
  for (const v of values) width = Math.max(width, fmt(v).length);
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
      ? [
          ...Array(EDGE_ITEMS).keys(),
          -1,
          ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i),
        ]
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
