/**
 * Exact match: the fraction of predictions identical to their reference — whole strings, whole
 * token sequences, or whole rows of two int32 Tensors [N, ...] (the seq2seq "sequence accuracy").
 * With Tensors, `ignoreIndex` skips the positions whose reference equals it (padding), so a row
 * matches when every non-padding position does.
 *
 * @example
 * exactMatch(["va !", "j'ai perdu ."], ["va !", "je suis perdu ."]); // 0.5
 * exactMatch([["va", "!"]], [["va", "!"]]);                           // 1
 */
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** One prediction or reference: a string or a sequence of tokens / ids. */
export type Sequence = string | ArrayLike<string | number>;

export interface ExactMatchOptions {
  /** Applied to string items before comparing (e.g. `(s) => s.trim().toLowerCase()`). */
  normalize?: (s: string) => string;
  /** Tensor inputs only: reference positions equal to this are not compared. */
  ignoreIndex?: number;
}

function sameItem(a: Sequence, b: Sequence, normalize?: (s: string) => string): boolean {
  if (typeof a === "string" || typeof b === "string") {
    if (typeof a !== "string" || typeof b !== "string") return false;
    return normalize ? normalize(a) === normalize(b) : a === b;
  }
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function tensorRows(pred: Tensor, ref: Tensor, ignoreIndex?: number): number {
  if (pred.dtype !== "int32" || ref.dtype !== "int32" || pred.dim() === 0) {
    throw new Error(
      `exactMatch: expected two int32 Tensors [N, ...] of the same shape, got ${pred.dtype} ` +
        `${formatShape(pred.shape)} and ${ref.dtype} ${formatShape(ref.shape)}`,
    );
  }
  if (formatShape(pred.shape) !== formatShape(ref.shape)) {
    throw new Error(
      `exactMatch: predictions and references differ in shape: ${formatShape(pred.shape)} vs ` +
        `${formatShape(ref.shape)}`,
    );
  }
  const n = pred.shape[0];
  if (n === 0) throw new Error("exactMatch: no rows to compare");
  const width = pred.numel() / n;
  let hits = 0;
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (let j = r * width; j < (r + 1) * width && ok; j++) {
      if (ref.data[j] !== ignoreIndex && pred.data[j] !== ref.data[j]) ok = false;
    }
    if (ok) hits++;
  }
  return hits / n;
}

/** Fraction of predictions equal to their references (see the header). */
export function exactMatch(
  predictions: readonly Sequence[] | Tensor,
  references: readonly Sequence[] | Tensor,
  options: ExactMatchOptions = {},
): number {
  if (predictions instanceof Tensor || references instanceof Tensor) {
    if (!(predictions instanceof Tensor && references instanceof Tensor)) {
      throw new Error(
        "exactMatch: expected both predictions and references as Tensors, or both as arrays",
      );
    }
    return tensorRows(predictions, references, options.ignoreIndex);
  }
  if (!Array.isArray(predictions) || !Array.isArray(references)) {
    throw new Error(
      `exactMatch: expected arrays of predictions and references, got ${typeof predictions} and ${typeof references}`,
    );
  }
  if (predictions.length !== references.length) {
    throw new Error(
      `exactMatch: expected as many references as predictions, got ${references.length} references ` +
        `for ${predictions.length} predictions`,
    );
  }
  if (predictions.length === 0) throw new Error("exactMatch: no predictions to compare");
  let hits = 0;
  for (let i = 0; i < predictions.length; i++) {
    if (sameItem(predictions[i], references[i], options.normalize)) hits++;
  }
  return hits / predictions.length;
}
