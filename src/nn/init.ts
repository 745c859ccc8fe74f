/**
 * In-place initialisers (torch.nn.init), drawing from the global seeded generator. They work on
 * the parameter's storage directly, off the tape.
 */
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export function uniform_(
  t: Tensor,
  low = 0,
  high = 1,
  generator: Generator = defaultGenerator,
): Tensor {
  for (let i = 0; i < t.data.length; i++) t.data[i] = low + (high - low) * generator.uniform();
  return t;
}

export function normal_(
  t: Tensor,
  mean = 0,
  std = 1,
  generator: Generator = defaultGenerator,
): Tensor {
  for (let i = 0; i < t.data.length; i++) t.data[i] = mean + std * generator.normal();
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** [fanIn, fanOut] as PyTorch computes them (dims ≥ 2; receptive field for > 2). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.dim() < 2) {
    throw new Error(
      `init: fan in and fan out need a tensor with at least 2 dims, got ${formatShape(t.shape)}`,
    );
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** U(−b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(
  t: Tensor,
  gain = 1,
  generator: Generator = defaultGenerator,
): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, generator);
}

export function xavierNormal_(
  t: Tensor,
  gain = 1,
  generator: Generator = defaultGenerator,
): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/**
 * Kaiming uniform over fan-in with leaky-ReLU slope `a` (PyTorch's default Linear init uses
 * a = √5, which gives U(−1/√fanIn, 1/√fanIn)).
 */
export function kaimingUniform_(t: Tensor, a = 0, generator: Generator = defaultGenerator): Tensor {
  const [fanIn] = calculateFanInAndFanOut(t);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = fanIn === 0 ? 0 : gain * Math.sqrt(3 / fanIn);
  return uniform_(t, -bound, bound, generator);
}

/** Fills a 2-D tensor with a (semi-)orthogonal matrix, by Gram–Schmidt on a normal draw. */
export function orthogonal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.dim() < 2)
    throw new Error(`orthogonal_: expected at least 2 dims, got ${formatShape(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.data.length / rows;
  const transpose = rows < cols;
  const [n, m] = transpose ? [cols, rows] : [rows, cols]; // n ≥ m: orthonormalise m columns of length n
  const q = Array.from({ length: m }, () =>
    Float64Array.from({ length: n }, () => generator.normal()),
  );
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[j][i] * q[k][i];
      for (let i = 0; i < n; i++) q[j][i] -= dot * q[k][i];
    }
    const norm = Math.hypot(...q[j]) || 1;
    for (let i = 0; i < n; i++) q[j][i] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) t.data[r * cols + c] = gain * (transpose ? q[r][c] : q[c][r]);
  }
  return t;
}
