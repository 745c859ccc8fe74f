import { rand } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by
 * 1/(1−p); otherwise returns x unchanged. The mask is drawn from the global seeded generator.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1))
    throw new Error(`dropout: probability has to be between 0 and 1, got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape).ge(p); // [same shape as x], 1 with probability 1 − p
  return x.mul(keep.mul(1 / (1 - p)));
}
