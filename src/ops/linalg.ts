/** Matrix products: matmul (with batch broadcasting) and the fused linear layer x·Wᵀ + b. */
import { record } from "../autograd/derivatives.js";
import { backend } from "../backend/registry.js";
import { broadcastShapes, formatShape, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { expand, squeeze, unsqueeze } from "./movement.js";
import { checkTensor, empty, f32, needsGrad } from "./util.js";

/**
 * Matrix product with PyTorch's rules: 1-D operands are promoted (and the added dim removed
 * afterwards), leading batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", a, "the first operand");
  checkTensor("matmul", b, "the second operand");
  if (a.dim() === 0 || b.dim() === 0) {
    throw new Error(
      `matmul: both operands need at least 1 dim, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  if (a.dim() === 1 && b.dim() === 1) return squeeze(matmul(unsqueeze(a, 0), unsqueeze(b, -1)));
  if (a.dim() === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() === 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new Error(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} ≠ ${k2})`,
    );
  }
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const compatible = ba.every((s, i) => {
    const t = bb[bb.length - ba.length + i] ?? 1;
    return s === t || s === 1 || t === 1;
  });
  if (!compatible) {
    throw new Error(
      `matmul: the batch dims of ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be broadcast together ` +
        `(${formatShape(ba)} vs ${formatShape(bb)})`,
    );
  }
  const batch = broadcastShapes("matmul", ba, bb);
  const ea = expand(a, [...batch, m, k]);
  const eb = expand(b, [...batch, k, n]);
  return bmmRaw(ea, eb, batch, m, k, n);
}

/** Batched matmul of [B, m, k] and [B, k, n], like torch.bmm. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 3 || b.dim() !== 3 || a.shape[0] !== b.shape[0]) {
    throw new Error(
      `bmm: expected [B, m, k] and [B, k, n], got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  return matmul(a, b);
}

function bmmRaw(
  a: Tensor,
  b: Tensor,
  batch: readonly number[],
  m: number,
  k: number,
  n: number,
): Tensor {
  const out = empty([...batch, m, n]);
  const count = numel(batch);
  const A = f32(a);
  const B = f32(b);
  const C = out.data as Float32Array;
  for (let i = 0; i < count; i++)
    backend().gemm(false, false, m, n, k, 1, A, i * m * k, B, i * k * n, 0, C, i * m * n);
  if (needsGrad(a, b)) record("matmul", [a, b], [out], { a, b, count, m, k, n });
  return out;
}

/** y = x·Wᵀ + b for x [*, in], W [out, in], b [out] (the whole of nn.Linear). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor("linear", x);
  checkTensor("linear", weight, "weight");
  const [outF, inF] = weight.shape;
  if (weight.dim() !== 2)
    throw new Error(`linear: expected a 2-D weight, got ${formatShape(weight.shape)}`);
  if (x.dim() === 0 || x.shape[x.dim() - 1] !== inF) {
    throw new Error(
      `linear: expected input with last dimension ${inF}, got ${formatShape(x.shape)}`,
    );
  }
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: expected a bias of shape [${outF}], got ${formatShape(bias.shape)}`);
  }
  const rows = x.numel() / inF;
  const out = empty([...x.shape.slice(0, -1), outF]);
  const Y = out.data as Float32Array;
  backend().gemm(false, true, rows, outF, inF, 1, f32(x), 0, f32(weight), 0, 0, Y, 0);
  if (bias) backend().addRowVector(Y, f32(bias), rows, outF);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  if (needsGrad(...inputs)) record("linear", inputs, [out], { x, weight, rows, inF, outF });
  return out;
}
