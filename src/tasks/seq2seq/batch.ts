/**
 * Encoded pairs → padded batches for the encoder and the teacher-forced decoder:
 *
 *   source   int32 [B, S]  x_1 … x_m <eos> <pad>…        sourceLengths [B] = m + 1
 *   inputs   int32 [B, T]  <bos> y_1 … y_n <pad>…         (what the decoder reads)
 *   targets  int32 [B, T]  y_1 … y_n <eos> <pad>…         (what it must predict)
 *
 * Batches come from a BucketSampler over the target length first and the source length second:
 * the encoder is packed (source padding costs nothing), so only the decoder's padding matters.
 *
 * @example
 * const batch = collatePairs(data.train.slice(0, 64), { pad: 1, bos: 2 });
 */
import { BucketSampler } from "../../data/bucket.js";
import { Tensor } from "../../tensor/tensor.js";
import type { EncodedPair } from "./data.js";

export interface Seq2SeqBatch {
  source: Tensor;
  sourceLengths: Int32Array;
  inputs: Tensor;
  targets: Tensor;
  /** Target tokens (eos included, padding not). */
  targetTokens: number;
  /** Where the batch is in training (seeds its teacher-forcing coins); 0 elsewhere. */
  epoch: number;
  index: number;
}

export interface SpecialIds {
  pad: number;
  bos: number;
}

/** Pads `pairs` into one batch (see the module header). */
export function collatePairs(
  pairs: readonly EncodedPair[],
  ids: SpecialIds,
  position: { epoch: number; index: number } = { epoch: 0, index: 0 },
): Seq2SeqBatch {
  const B = pairs.length;
  if (B === 0) throw new Error("collatePairs: expected at least one pair");
  const S = Math.max(...pairs.map((p) => p.source.length));
  const T = Math.max(...pairs.map((p) => p.target.length));
  const source = new Int32Array(B * S).fill(ids.pad);
  const inputs = new Int32Array(B * T).fill(ids.pad);
  const targets = new Int32Array(B * T).fill(ids.pad);
  const sourceLengths = new Int32Array(B);
  let targetTokens = 0;
  pairs.forEach((p, b) => {
    source.set(p.source, b * S);
    sourceLengths[b] = p.source.length;
    targets.set(p.target, b * T);
    inputs[b * T] = ids.bos;
    inputs.set(p.target.subarray(0, p.target.length - 1), b * T + 1);
    targetTokens += p.target.length;
  });
  return {
    source: new Tensor(source, [B, S]),
    sourceLengths,
    inputs: new Tensor(inputs, [B, T]),
    targets: new Tensor(targets, [B, T]),
    targetTokens,
    ...position,
  };
}

/** Length-bucketed batches of `pairs`, a pure function of the epoch. */
export class PairBatches {
  private readonly sampler: BucketSampler;

  constructor(
    readonly pairs: readonly EncodedPair[],
    readonly ids: SpecialIds,
    options: { batchSize: number; seed: number; shuffle?: boolean },
  ) {
    const lengths = pairs.map((p) => p.target.length * 1024 + Math.min(p.source.length, 1023));
    this.sampler = new BucketSampler(lengths, {
      batchSize: options.batchSize,
      seed: options.seed,
      shuffle: options.shuffle ?? true,
    });
  }

  get length(): number {
    return this.sampler.length;
  }

  *batches(epoch: number): Generator<Seq2SeqBatch> {
    const all = this.sampler.batches(epoch);
    for (let index = 0; index < all.length; index++)
      yield collatePairs(
        all[index].map((i) => this.pairs[i]),
        this.ids,
        { epoch, index },
      );
  }
}
