/**
 * sequenceMask (TensorFlow's tf.sequence_mask, d2l's sequence_mask): which positions of a padded
 * batch hold real tokens.
 *
 *   mask[b, t] = 1 if t < lengths[b] else 0        shape [B, maxLen], float32 (or int32)
 *
 * maxLen defaults to the longest length; lengths above maxLen simply give all-ones rows. The mask
 * is a constant: multiply a per-token loss by it, or pass it to maskedFill / where.
 *
 * @example
 * sequenceMask([1, 3, 2], 4).toArray();
 * // [[1, 0, 0, 0], [1, 1, 1, 0], [1, 1, 0, 0]]
 */
import type { DType } from "../../tensor/tensor.js";
import { Tensor } from "../../tensor/tensor.js";
import { lengthsArray, type Lengths } from "./packed-sequence.js";

export interface SequenceMaskOptions {
  /** "float32" (the default, ready to multiply a loss) or "int32". */
  dtype?: DType;
}

export function sequenceMask(
  lengths: Lengths,
  maxLen?: number | null,
  options: SequenceMaskOptions = {},
): Tensor {
  const op = "sequenceMask";
  const lens = lengthsArray(op, lengths);
  lens.forEach((n, b) => {
    if (n < 0) throw new Error(`${op}: expected non-negative lengths, got lengths[${b}] = ${n}`);
  });
  const T = maxLen ?? (lens.length === 0 ? 0 : Math.max(...lens));
  if (!Number.isInteger(T) || T < 0) {
    throw new Error(`${op}: expected maxLen to be a non-negative integer, got ${String(maxLen)}`);
  }
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "int32") {
    throw new Error(`${op}: expected dtype "float32" or "int32", got ${JSON.stringify(dtype)}`);
  }
  const B = lens.length;
  const data = dtype === "int32" ? new Int32Array(B * T) : new Float32Array(B * T);
  for (let b = 0; b < B; b++) data.fill(1, b * T, b * T + Math.min(lens[b], T));
  return new Tensor(data, [B, T]);
}
