/**
 * Training a Seq2Seq: length-bucketed batches (batch.ts), teacher forcing with a ratio, and the
 * cross-entropy of every target token (padding ignored), averaged per token.
 *
 *   teacher forcing  ratio r: with mode "batch" one coin per batch decides whether the decoder
 *                    reads the reference (probability r) or its own previous argmax at every step;
 *                    with mode "step" one coin per step, shared by the batch. The coins come from
 *                    a generator seeded by (seed, epoch, batch), so a resumed run flips the same
 *                    ones. A teacher-forced batch takes the decoder's whole-sequence fast path.
 *   evaluate()       loss (nats per target token) and token accuracy, teacher forced, over the
 *                    whole validation split; exactMatch, bleu (corpus BLEU-4) and tokenErrorRate
 *                    of greedy decoding over its first `evalSamples` pairs.
 *
 * @example
 * const task = new Seq2SeqTask(model, data, { batchSize: 128, teacherForcing: 1, seed: 0 });
 * await new Trainer(task, { optimizer, epochs: 5, clipGradNorm: 1 }).run();
 */
import { mixSeed } from "../../data/loader.js";
import { crossEntropy } from "../../nn/functional/cross-entropy.js";
import { reshape } from "../../ops/movement.js";
import { Generator } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { EvalResult, StepResult, TrainerTask } from "../common/trainer.js";
import { collatePairs, PairBatches, type Seq2SeqBatch } from "./batch.js";
import type { EncodedPair, Seq2SeqData } from "./data.js";
import { translate } from "./decode.js";
import { scoreTranslations } from "./metrics.js";
import type { Seq2Seq } from "./model.js";

export const TEACHER_FORCING_MODES = ["batch", "step"] as const;
export type TeacherForcingMode = (typeof TEACHER_FORCING_MODES)[number];

export interface Seq2SeqTaskOptions {
  batchSize: number;
  /** Probability of feeding the reference token (default 1). */
  teacherForcing?: number;
  teacherForcingMode?: TeacherForcingMode;
  seed?: number;
  /** Validation pairs decoded greedily for exact match (default 1000; 0: none). */
  evalSamples?: number;
  /** Default 256. */
  evalBatchSize?: number;
}

/** Loss, token count and correct argmax tokens of a batch's logits [B, T, V]. */
function tokenLoss(
  logits: Tensor,
  batch: Seq2SeqBatch,
  pad: number,
): { loss: Tensor; correct: number } {
  const [B, T, V] = logits.shape;
  const target = reshape(batch.targets, [B * T]);
  const loss = crossEntropy(reshape(logits, [B * T, V]), target, { ignoreIndex: pad });
  const z = logits.data as Float32Array;
  const y = target.data as Int32Array;
  let correct = 0;
  for (let r = 0; r < B * T; r++) {
    if (y[r] === pad) continue;
    let best = 0;
    for (let v = 1; v < V; v++) if (z[r * V + v] > z[r * V + best]) best = v;
    if (best === y[r]) correct++;
  }
  return { loss, correct };
}

/** Teacher-forced loss of `model` on a batch: forward of the module header's fast path. */
export function seq2seqLoss(model: Seq2Seq, batch: Seq2SeqBatch, pad: number) {
  const { logits } = model.forward(batch.source, batch.sourceLengths, batch.inputs);
  return tokenLoss(logits, batch, pad);
}

export class Seq2SeqTask implements TrainerTask<Seq2SeqBatch> {
  private readonly train: PairBatches;
  private readonly pad: number;
  private readonly bos: number;
  private readonly eos: number;
  private readonly ratio: number;
  private readonly mode: TeacherForcingMode;
  private readonly seed: number;

  constructor(
    readonly model: Seq2Seq,
    private readonly data: Pick<Seq2SeqData, "train" | "valid" | "targetVocab" | "maxTargetLength">,
    private readonly options: Seq2SeqTaskOptions,
  ) {
    const v = data.targetVocab;
    this.pad = v.padIndex;
    this.bos = v.bosIndex;
    this.eos = v.eosIndex;
    this.ratio = options.teacherForcing ?? 1;
    if (!(this.ratio >= 0 && this.ratio <= 1))
      throw new Error(`Seq2SeqTask: expected teacherForcing in [0, 1], got ${this.ratio}`);
    this.mode = options.teacherForcingMode ?? "batch";
    if (!TEACHER_FORCING_MODES.includes(this.mode))
      throw new Error(`Seq2SeqTask: expected teacherForcingMode batch or step, got ${this.mode}`);
    this.seed = options.seed ?? 0;
    if (data.train.length === 0) throw new Error("Seq2SeqTask: no training pairs");
    this.train = new PairBatches(
      data.train,
      { pad: this.pad, bos: this.bos },
      {
        batchSize: options.batchSize,
        seed: this.seed,
      },
    );
  }

  batchesPerEpoch(): number {
    return this.train.length;
  }

  batches(epoch: number): Iterable<Seq2SeqBatch> {
    return this.train.batches(epoch);
  }

  trainStep(batch: Seq2SeqBatch): StepResult {
    const B = batch.sourceLengths.length;
    let logits: Tensor;
    const coins = new Generator(mixSeed(mixSeed(this.seed, batch.epoch), batch.index));
    const forcedBatch = this.ratio >= 1 || (this.mode === "batch" && coins.uniform() < this.ratio);
    if (forcedBatch) {
      logits = this.model.forward(batch.source, batch.sourceLengths, batch.inputs).logits;
    } else {
      const T = batch.inputs.shape[1];
      const teacher = Array.from(
        { length: T },
        () => this.mode === "step" && coins.uniform() < this.ratio,
      );
      const enc = this.model.encode(batch.source, batch.sourceLengths);
      const memory = this.model.decoder.memory(enc);
      logits = this.model.decoder.forwardStepwise(
        memory,
        enc.state,
        batch.inputs,
        (t) => teacher[t],
      ).logits;
    }
    const { loss, correct } = tokenLoss(logits, batch, this.pad);
    return { loss, items: batch.targetTokens, tokens: B, correct };
  }

  evaluate(): EvalResult {
    const valid = this.data.valid;
    if (valid.length === 0) return { loss: NaN };
    const bs = this.options.evalBatchSize ?? 256;
    const sorted = [...valid].sort((a, b) => a.target.length - b.target.length);
    let total = 0;
    let tokens = 0;
    let correct = 0;
    for (let i = 0; i < sorted.length; i += bs) {
      const batch = collatePairs(sorted.slice(i, i + bs), { pad: this.pad, bos: this.bos });
      const r = seq2seqLoss(this.model, batch, this.pad);
      total += r.loss.item() * batch.targetTokens;
      tokens += batch.targetTokens;
      correct += r.correct;
    }
    const result: EvalResult = { loss: total / tokens, accuracy: correct / tokens };
    const n = Math.min(valid.length, this.options.evalSamples ?? 1000);
    if (n > 0) {
      const scores = this.score(valid.slice(0, n));
      result.exactMatch = scores.exactMatch;
      result.bleu = scores.bleu;
      result.tokenErrorRate = scores.tokenErrorRate;
    }
    return result;
  }

  private score(pairs: EncodedPair[]) {
    const hyps = translate(
      this.model,
      pairs.map((p) => p.source),
      { bos: this.bos, eos: this.eos, maxLength: this.data.maxTargetLength + 5 },
    );
    return scoreTranslations(
      hyps.map((h) => h.tokens),
      pairs.map((p) => Array.from(p.target.subarray(0, p.target.length - 1))),
    );
  }
}
