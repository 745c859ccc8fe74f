/**
 * Classification metrics over integer class labels 0..C-1: accuracy, the confusion matrix and
 * per-class precision / recall / F1 with macro, weighted and micro averages.
 *
 *   precision_c = TP_c / (TP_c + FP_c)      recall_c = TP_c / (TP_c + FN_c)
 *   F1_c = 2 · precision_c · recall_c / (precision_c + recall_c)
 *
 * Every 0/0 is 0: scikit-learn's `zero_division=0`. The classes are 0..numClasses-1 (numClasses
 * defaults to the largest label seen + 1), i.e. scikit-learn's `labels=range(numClasses)`: a class
 * absent from both predictions and targets still counts (as all zeros) in the macro average.
 *
 * Predictions are labels (an int32 Tensor or a number array, the shape of the targets) or scores:
 * a float32 Tensor with one more trailing dim [..., C], reduced by argmax (first maximum, as
 * torch.argmax). `ignoreIndex` drops the positions whose target equals it (padding).
 *
 * @example
 * accuracy(tensor([[2.0, 0.1], [0.3, 0.9]]), [0, 0]);  // 0.5 (argmax → [0, 1])
 * confusionMatrix([0, 1, 1], [0, 1, 0]);                // [[1, 1], [0, 1]] (rows: true class)
 */
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** Class labels or class scores. */
export type LabelsLike = Tensor | ArrayLike<number>;

export interface ClassificationOptions {
  /** Targets equal to this are left out (e.g. the padding id). */
  ignoreIndex?: number;
}

export interface ConfusionOptions extends ClassificationOptions {
  /** Number of classes C (default: largest label in predictions or targets + 1). */
  numClasses?: number;
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

export interface PrecisionRecallF1 {
  /** Per class, index c for class c. */
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of targets of each class. */
  support: number[];
  /** Unweighted mean over classes. */
  macro: PRF;
  /** Mean over classes weighted by support. */
  weighted: PRF;
  /** From the summed counts; for single-label data all three equal the accuracy. */
  micro: PRF;
}

function describe(x: unknown): string {
  if (x instanceof Tensor) return `${x.dtype} Tensor of shape ${formatShape(x.shape)}`;
  if (x === null) return "null";
  return typeof x;
}

function isArrayLike(x: unknown): x is ArrayLike<number> {
  return (
    Array.isArray(x) ||
    (ArrayBuffer.isView(x) && !(x instanceof DataView)) ||
    (typeof x === "object" && x !== null && typeof (x as { length?: unknown }).length === "number")
  );
}

function labelsOf(fn: string, what: "target" | "predicted", x: LabelsLike): ArrayLike<number> {
  if (x instanceof Tensor) {
    if (x.dtype !== "int32")
      throw new Error(`${fn}: expected int32 ${what} labels, got ${describe(x)}`);
    return x.data;
  }
  if (!isArrayLike(x)) throw new Error(`${fn}: expected ${what} labels, got ${describe(x)}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isInteger(x[i])) {
      throw new Error(`${fn}: expected integer ${what} labels, got ${x[i]} at position ${i}`);
    }
  }
  return x;
}

const shapeOf = (x: LabelsLike): string =>
  x instanceof Tensor ? formatShape(x.shape) : `[${(x as ArrayLike<number>).length}]`;

const scoresShape = (target: LabelsLike): string => {
  const s = shapeOf(target);
  return s === "[]" ? "[C]" : `${s.slice(0, -1)}, C]`;
};

/** Predicted labels, one per target: labels as given, or argmax over the last dim of scores. */
function predictedLabels(
  fn: string,
  input: LabelsLike,
  target: LabelsLike,
  n: number,
): ArrayLike<number> {
  if (input instanceof Tensor && input.dtype === "float32") {
    const c = input.shape[input.shape.length - 1];
    const lead = input.shape.slice(0, -1);
    const leadOk =
      target instanceof Tensor
        ? formatShape(lead) === formatShape(target.shape)
        : input.dim() === 2 && lead[0] === n;
    if (input.dim() === 0 || !leadOk || c === 0) {
      throw new Error(
        `${fn}: expected scores of shape ${scoresShape(target)} (C > 0 classes) or labels of shape ` +
          `${shapeOf(target)}, got ${describe(input)}`,
      );
    }
    const d = input.data;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (d[i * c + j] > d[i * c + best]) best = j;
      out[i] = best;
    }
    return out;
  }
  const labels = labelsOf(fn, "predicted", input);
  const same =
    input instanceof Tensor && target instanceof Tensor
      ? shapeOf(input) === shapeOf(target)
      : labels.length === n;
  if (!same) {
    throw new Error(
      `${fn}: expected predicted labels of the targets' shape ${shapeOf(target)}, got ${shapeOf(input)}`,
    );
  }
  return labels;
}

/** Pairs (predicted, target) with ignored targets removed. */
function pairs(
  fn: string,
  input: LabelsLike,
  target: LabelsLike,
  options: ClassificationOptions,
): [number[], number[]] {
  const t = labelsOf(fn, "target", target);
  const p = predictedLabels(fn, input, target, t.length);
  const pred: number[] = [];
  const tgt: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (options.ignoreIndex !== undefined && t[i] === options.ignoreIndex) continue;
    pred.push(p[i]);
    tgt.push(t[i]);
  }
  return [pred, tgt];
}

/** Fraction of (non-ignored) positions where the predicted label equals the target. */
export function accuracy(
  input: LabelsLike,
  target: LabelsLike,
  options: ClassificationOptions = {},
): number {
  const [pred, tgt] = pairs("accuracy", input, target, options);
  if (tgt.length === 0) {
    throw new Error("accuracy: no targets to score (empty, or every target equals ignoreIndex)");
  }
  let correct = 0;
  for (let i = 0; i < tgt.length; i++) if (pred[i] === tgt[i]) correct++;
  return correct / tgt.length;
}

/** C×C counts: entry [i][j] is the number of targets of class i predicted as class j (sklearn's layout). */
export function confusionMatrix(
  input: LabelsLike,
  target: LabelsLike,
  options: ConfusionOptions = {},
): number[][] {
  const [pred, tgt] = pairs("confusionMatrix", input, target, options);
  let c = options.numClasses;
  if (c === undefined) {
    c = 0;
    for (let i = 0; i < tgt.length; i++) c = Math.max(c, pred[i] + 1, tgt[i] + 1);
  } else if (!Number.isInteger(c) || c < 1) {
    throw new Error(`confusionMatrix: expected numClasses to be a positive integer, got ${c}`);
  }
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < tgt.length; i++) {
    for (const [what, v] of [
      ["target", tgt[i]],
      ["predicted", pred[i]],
    ] as const) {
      if (v < 0 || v >= c) {
        throw new Error(
          `confusionMatrix: ${what} label ${v} is out of range [0, ${c}) (numClasses=${c})`,
        );
      }
    }
    m[tgt[i]][pred[i]]++;
  }
  return m;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/** Per-class precision, recall, F1 and support, with macro/weighted/micro averages (zero_division=0). */
export function precisionRecallF1(
  input: LabelsLike,
  target: LabelsLike,
  options: ConfusionOptions = {},
): PrecisionRecallF1 {
  const m = confusionMatrix(input, target, options);
  const c = m.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  let tpSum = 0;
  let predSum = 0;
  let trueSum = 0;
  for (let k = 0; k < c; k++) {
    const tp = m[k][k];
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < c; j++) {
      predicted += m[j][k];
      actual += m[k][j];
    }
    precision.push(ratio(tp, predicted));
    recall.push(ratio(tp, actual));
    f1.push(f1Of(precision[k], recall[k]));
    support.push(actual);
    tpSum += tp;
    predSum += predicted;
    trueSum += actual;
  }
  const mean = (xs: number[], w?: number[]): number => {
    let s = 0;
    let total = 0;
    for (let k = 0; k < xs.length; k++) {
      s += xs[k] * (w ? w[k] : 1);
      total += w ? w[k] : 1;
    }
    return ratio(s, total);
  };
  const microP = ratio(tpSum, predSum);
  const microR = ratio(tpSum, trueSum);
  return {
    precision,
    recall,
    f1,
    support,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
    weighted: {
      precision: mean(precision, support),
      recall: mean(recall, support),
      f1: mean(f1, support),
    },
    micro: { precision: microP, recall: microR, f1: f1Of(microP, microR) },
  };
}
