/**
 * `BucketSampler`: batches of similar-length samples, as torchtext's `BucketIterator` makes them
 * (its `pool` function), so that padding stays small without giving up randomness:
 *
 *   1. shuffle all indices (each epoch, seeded);
 *   2. cut them into pools of `poolFactor × batchSize` (torchtext: 100 × batch size);
 *   3. sort each pool by length (stable), cut it into batches of `batchSize`;
 *   4. shuffle the batches within each pool and yield them.
 *
 * With `sortWithinBatch` each batch lists its indices longest first (torchtext's
 * `sort_within_batch`), as `packPaddedSequence` with `enforceSorted` wants. With `dropLast`, the
 * incomplete batch is removed before pooling (the last n mod batchSize shuffled indices), so the
 * dropped samples are random rather than always the longest of a pool. Without `shuffle`, the
 * order is deterministic: pools in dataset order, sorted, batches in sorted order.
 * Epochs follow the DataLoader rule (see loader.ts): base seed + epoch counter.
 *
 * @example
 * const sampler = new BucketSampler(lengths, { batchSize: 32, seed: 0 });
 * const loader = new DataLoader(dataset, { batchSampler: sampler, collate: padCollate() });
 */
import { baseSeed, checkPositiveInt, epochGenerator, type BatchSamplerLike } from "./loader.js";
import type { Generator } from "../tensor/random.js";

export interface BucketSamplerOptions {
  batchSize: number;
  /** Pool size in batches (default 100, as torchtext). */
  poolFactor?: number;
  /** Shuffle indices and batches each epoch (default true). */
  shuffle?: boolean;
  /** Longest first within each batch (default true). */
  sortWithinBatch?: boolean;
  /** Drop the incomplete batch (default false). */
  dropLast?: boolean;
  seed?: number;
  generator?: Generator;
}

function shuffleInPlace<T>(items: T[] | Int32Array, g: Generator): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = g.integer(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}

/** Yields batches of indices of similar length (see the file header). */
export class BucketSampler implements BatchSamplerLike {
  readonly lengths: Int32Array;
  readonly batchSize: number;
  readonly poolFactor: number;
  readonly shuffle: boolean;
  readonly sortWithinBatch: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  /** The epoch the next iteration will use. */
  epoch = 0;

  /** @param lengths the length of every sample (e.g. token counts); see also `fromDataset`. */
  constructor(lengths: ArrayLike<number>, options: BucketSamplerOptions) {
    const where = "BucketSampler";
    if (typeof lengths !== "object" || lengths === null || typeof lengths.length !== "number")
      throw new Error(`${where}: expected an array of sample lengths`);
    const copy = new Int32Array(lengths.length);
    for (let i = 0; i < lengths.length; i++) {
      const v = lengths[i];
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`${where}: expected non-negative integer lengths, got ${v} at index ${i}`);
      copy[i] = v;
    }
    this.lengths = copy;
    checkPositiveInt(where, "batchSize", options.batchSize);
    this.batchSize = options.batchSize;
    this.poolFactor = options.poolFactor ?? 100;
    checkPositiveInt(where, "poolFactor", this.poolFactor);
    this.shuffle = options.shuffle ?? true;
    this.sortWithinBatch = options.sortWithinBatch ?? true;
    this.dropLast = options.dropLast ?? false;
    this.seed = baseSeed(options.seed, options.generator);
  }

  /** Lengths from a dataset: `lengthOf(dataset.get(i))` for every sample. */
  static fromDataset<T>(
    dataset: { length: number; get(i: number): T },
    lengthOf: (sample: T) => number,
    options: BucketSamplerOptions,
  ): BucketSampler {
    const lengths = Array.from({ length: dataset.length }, (_, i) => lengthOf(dataset.get(i)));
    return new BucketSampler(lengths, options);
  }

  get length(): number {
    const n = this.lengths.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new Error(
        `BucketSampler.setEpoch: expected a non-negative integer epoch, got ${epoch}`,
      );
    this.epoch = epoch;
  }

  /** The batches of epoch `epoch`, without advancing the counter. */
  batches(epoch: number): number[][] {
    const n = this.lengths.length;
    const bs = this.batchSize;
    const g = epochGenerator(this.seed, epoch);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) shuffleInPlace(order, g);
    const usable = this.dropLast ? n - (n % bs) : n;
    const poolSize = bs * this.poolFactor;
    const lens = this.lengths;
    const out: number[][] = [];
    for (let start = 0; start < usable; start += poolSize) {
      const pool = Array.from(order.subarray(start, Math.min(start + poolSize, usable)));
      pool.sort((a, b) => lens[a] - lens[b]); // stable (ES2019): ties keep the shuffled order
      const batches: number[][] = [];
      for (let k = 0; k < pool.length; k += bs) {
        const batch = pool.slice(k, k + bs);
        if (this.sortWithinBatch) batch.reverse();
        batches.push(batch);
      }
      if (this.shuffle) shuffleInPlace(batches, g);
      out.push(...batches);
    }
    return out;
  }

  [Symbol.iterator](): Iterator<number[]> {
    const batches = this.batches(this.epoch);
    this.epoch += 1;
    return batches[Symbol.iterator]();
  }
}
