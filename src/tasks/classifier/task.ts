/**
 * Training and scoring a text classifier. Batches come from a `BucketSampler` over the token
 * counts (torchtext's BucketIterator: similar lengths together, seeded per epoch, so an epoch's
 * batches are a pure function of the epoch and --resume is exact); each batch is padded to its
 * longest text and the model packs it with the true lengths.
 *
 *   loss = mean_b CE(logits_b, y_b)          (nats per sample)
 *   accuracy = #{argmax logits_b = y_b} / B
 *
 * `evaluateClassifier` scores a whole split, in length-sorted batches (less padding, no effect on
 * the numbers): loss, accuracy, the confusion matrix, per-class precision / recall / F1 with
 * their macro averages (src/metrics), and each text's predicted class and probabilities.
 *
 * @example
 * const task = new ClassifierTask(model, data.train, data.valid, { batchSize: 32, seed: 0 });
 * await new Trainer(task, { optimizer, epochs: 3, clipGradNorm: 5 }).run();
 * const scores = evaluateClassifier(model, data.test);   // { accuracy, confusion, f1, … }
 */
import { noGrad } from "../../autograd/tape.js";
import { BucketSampler } from "../../data/bucket.js";
import { padTokenIds } from "../../data/collate.js";
import { accuracy, confusionMatrix, precisionRecallF1 } from "../../metrics/classification.js";
import type { PrecisionRecallF1 } from "../../metrics/classification.js";
import { crossEntropy } from "../../nn/functional/cross-entropy.js";
import { Tensor } from "../../tensor/tensor.js";
import type { EvalResult, StepResult, TrainerTask } from "../common/trainer.js";
import type { EncodedSplit } from "./data.js";
import type { RNNClassifier } from "./model.js";

/** A padded batch: ids int32 [B, T] (batch-first), the true lengths and the classes. */
export interface ClassifierBatch {
  ids: Tensor;
  lengths: Int32Array;
  labels: Tensor;
  /** Positions of these texts in their split. */
  indices: number[];
}

export interface ClassifierTaskOptions {
  batchSize: number;
  seed?: number;
  /** Batches per bucketing pool (default 100, as torchtext). */
  poolFactor?: number;
  /** Batch size for validation (default 2 × batchSize). */
  evalBatchSize?: number;
}

/** The batch of `indices` from `split`, padded with `padIndex`. */
export function makeBatch(
  split: EncodedSplit,
  indices: number[],
  padIndex: number,
): ClassifierBatch {
  const { padded, lengths } = padTokenIds(
    indices.map((i) => split.ids[i]),
    { padIndex, batchFirst: true },
  );
  const labels = new Tensor(
    Int32Array.from(indices, (i) => split.labels[i]),
    [indices.length],
  );
  return { ids: padded, lengths: lengths.data as Int32Array, labels, indices };
}

/** Split positions in batches of `batchSize`, longest first (deterministic). */
export function sortedBatches(split: EncodedSplit, batchSize: number): number[][] {
  const order = split.ids
    .map((_, i) => i)
    .sort((a, b) => split.ids[b].length - split.ids[a].length);
  const out: number[][] = [];
  for (let k = 0; k < order.length; k += batchSize) out.push(order.slice(k, k + batchSize));
  return out;
}

function countCorrect(logits: Tensor, labels: Tensor): number {
  return Math.round(accuracy(logits, labels) * labels.numel());
}

export interface ClassifierScores {
  loss: number;
  accuracy: number;
  /** Macro-averaged F1. */
  macroF1: number;
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  perClass: PrecisionRecallF1;
  /** Predicted class of each text of the split, in split order. */
  predictions: Int32Array;
  /** Class probabilities of each text, [n][numClasses]. */
  probabilities: Float32Array[];
}

/** Scores `model` on a whole split (eval mode, no gradients; see the file header). */
export function evaluateClassifier(
  model: RNNClassifier,
  split: EncodedSplit,
  options: { batchSize?: number } = {},
): ClassifierScores {
  const n = split.ids.length;
  if (n === 0) throw new Error("evaluateClassifier: the split has no examples");
  const C = model.config.numClasses;
  const predictions = new Int32Array(n);
  const probabilities: Float32Array[] = new Array(n);
  let lossSum = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const indices of sortedBatches(split, options.batchSize ?? 64)) {
        const b = makeBatch(split, indices, model.config.padIndex);
        const logits = model.forward(b.ids, b.lengths); // [B, C]
        lossSum += crossEntropy(logits, b.labels).item() * indices.length;
        const p = logits.softmax(1).data as Float32Array;
        indices.forEach((i, k) => {
          const row = p.slice(k * C, (k + 1) * C);
          let best = 0;
          for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
          predictions[i] = best;
          probabilities[i] = row;
        });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const perClass = precisionRecallF1(predictions, split.labels, { numClasses: C });
  return {
    loss: lossSum / n,
    accuracy: accuracy(predictions, split.labels),
    macroF1: perClass.macro.f1,
    confusion: confusionMatrix(predictions, split.labels, { numClasses: C }),
    perClass,
    predictions,
    probabilities,
  };
}

/** Bucketed, packed minibatches of a classifier (see the file header). */
export class ClassifierTask implements TrainerTask<ClassifierBatch> {
  private readonly sampler: BucketSampler;

  constructor(
    readonly model: RNNClassifier,
    private readonly train: EncodedSplit,
    private readonly valid: EncodedSplit | null,
    private readonly options: ClassifierTaskOptions,
  ) {
    if (train.ids.length === 0) throw new Error("ClassifierTask: the training split is empty");
    this.sampler = new BucketSampler(
      train.ids.map((x) => x.length),
      { batchSize: options.batchSize, seed: options.seed ?? 0, poolFactor: options.poolFactor },
    );
  }

  batchesPerEpoch(): number {
    return this.sampler.length;
  }

  *batches(epoch: number): Iterable<ClassifierBatch> {
    const pad = this.model.config.padIndex;
    for (const indices of this.sampler.batches(epoch)) yield makeBatch(this.train, indices, pad);
  }

  trainStep(batch: ClassifierBatch): StepResult {
    const logits = this.model.forward(batch.ids, batch.lengths);
    const loss = crossEntropy(logits, batch.labels);
    let tokens = 0;
    for (const n of batch.lengths) tokens += n;
    return {
      loss,
      items: batch.indices.length,
      tokens,
      correct: countCorrect(logits, batch.labels),
    };
  }

  evaluate(): EvalResult {
    if (!this.valid || this.valid.ids.length === 0) return { loss: NaN, accuracy: NaN };
    const s = evaluateClassifier(this.model, this.valid, {
      batchSize: this.options.evalBatchSize ?? 2 * this.options.batchSize,
    });
    return { loss: s.loss, accuracy: s.accuracy, macroF1: s.macroF1 };
  }
}
