/**
 * `DataLoader` and its samplers, after `torch.utils.data`: a sampler orders the sample indices, a
 * batch sampler groups them into batches, and `collate` turns each batch of samples into tensors.
 * Iteration is synchronous (`for (const batch of loader)`) and `loader.length` is the number of
 * batches: ⌈n / batchSize⌉, or ⌊n / batchSize⌋ with `dropLast`.
 *
 * Shuffling is reproducible per epoch. Each `RandomSampler` holds a base seed (`seed`, or one
 * 32-bit draw from `generator` / the global generator when it is built) and an epoch counter that
 * advances each time iteration starts. Epoch e uses the permutation drawn from a fresh generator
 * seeded with mixSeed(base, e): orders differ from epoch to epoch, the same seed replays the same
 * sequence of epochs, and `setEpoch(e)` resumes at any epoch (e.g. after loading a checkpoint).
 * The orders are not PyTorch's (different generator), only equally uniform.
 *
 * @example
 * const loader = new DataLoader(dataset, { batchSize: 16, shuffle: true, seed: 0, collate });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const batch of loader) train(batch);   // a new order each epoch
 * }
 */
import { randperm } from "../tensor/creation.js";
import { defaultGenerator, Generator } from "../tensor/random.js";
import { defaultCollate, type Collated } from "./collate.js";
import { asDataset, type Dataset } from "./dataset.js";

/** An ordering of the indices 0..length−1; iterating it again gives the next epoch's order. */
export interface Sampler extends Iterable<number> {
  readonly length: number;
  setEpoch?(epoch: number): void;
}

/** Yields batches of indices; `length` is the number of batches per epoch. */
export interface BatchSamplerLike extends Iterable<number[]> {
  readonly length: number;
  setEpoch?(epoch: number): void;
}

/** A 32-bit seed for (base seed, epoch), mixed so that neighbouring epochs are unrelated. */
export function mixSeed(seed: number, epoch: number): number {
  let h = (Math.trunc(seed) >>> 0) ^ Math.imul(Math.trunc(epoch) + 0x632be5ab, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The base seed of a sampler: `seed` itself, else one draw from `generator` or the global one. */
export function baseSeed(seed?: number, generator?: Generator): number {
  if (seed !== undefined) {
    if (!Number.isFinite(seed)) throw new Error(`seed: expected a finite number, got ${seed}`);
    return seed;
  }
  return (generator ?? defaultGenerator).nextUint32();
}

/** The generator for one epoch of a sampler with base seed `seed`. */
export function epochGenerator(seed: number, epoch: number): Generator {
  return new Generator(mixSeed(seed, epoch));
}

function checkEpoch(where: string, epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new Error(`${where}: expected a non-negative integer epoch, got ${epoch}`);
}

export function checkPositiveInt(where: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${where}: expected ${name} to be a positive integer, got ${value}`);
}

/** 0, 1, …, length−1 every epoch. */
export class SequentialSampler implements Sampler {
  constructor(readonly length: number) {
    if (!Number.isInteger(length) || length < 0)
      throw new Error(`SequentialSampler: expected a non-negative integer length, got ${length}`);
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  seed?: number;
  generator?: Generator;
}

/** A seeded random permutation of 0..length−1, different each epoch (see the file header). */
export class RandomSampler implements Sampler {
  readonly seed: number;
  /** The epoch the next iteration will use. */
  epoch = 0;

  constructor(
    readonly length: number,
    options: RandomSamplerOptions = {},
  ) {
    if (!Number.isInteger(length) || length < 0)
      throw new Error(`RandomSampler: expected a non-negative integer length, got ${length}`);
    this.seed = baseSeed(options.seed, options.generator);
  }

  setEpoch(epoch: number): void {
    checkEpoch("RandomSampler.setEpoch", epoch);
    this.epoch = epoch;
  }

  /** The order of epoch `epoch`, without advancing the counter. */
  permutation(epoch: number): Int32Array {
    checkEpoch("RandomSampler.permutation", epoch);
    return randperm(this.length, { generator: epochGenerator(this.seed, epoch) })
      .data as Int32Array;
  }

  [Symbol.iterator](): Iterator<number> {
    const order = this.permutation(this.epoch);
    this.epoch += 1;
    return order[Symbol.iterator]();
  }
}

/** Groups a sampler's indices into batches of `batchSize` (the last one shorter unless dropped). */
export class BatchSampler implements BatchSamplerLike {
  constructor(
    readonly sampler: Sampler,
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    checkPositiveInt("BatchSampler", "batchSize", batchSize);
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  setEpoch(epoch: number): void {
    this.sampler.setEpoch?.(epoch);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Shuffle every epoch with a RandomSampler (default false). */
  shuffle?: boolean;
  /** Base seed of the shuffle (see the file header). */
  seed?: number;
  /** Draw the base seed from this generator instead of the global one. */
  generator?: Generator;
  /** Drop the last incomplete batch (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: `defaultCollate`). */
  collate?: (samples: T[]) => B;
  /** A custom order of sample indices; excludes `shuffle`. */
  sampler?: Sampler;
  /** Custom batches of indices (e.g. `BucketSampler`); excludes batchSize, shuffle, sampler, dropLast. */
  batchSampler?: BatchSamplerLike;
}

/** Iterates a dataset in collated batches (see the file header). */
export class DataLoader<T, B = Collated> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSampler: BatchSamplerLike;
  readonly collate: (samples: T[]) => B;

  constructor(dataset: Dataset<T> | readonly T[], options: DataLoaderOptions<T, B> = {}) {
    this.dataset = asDataset(dataset);
    const { batchSize, shuffle = false, dropLast = false, sampler, batchSampler } = options;
    if (batchSampler !== undefined) {
      if (batchSize !== undefined || shuffle || sampler !== undefined || dropLast) {
        throw new Error(
          "DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler and dropLast",
        );
      }
      this.batchSampler = batchSampler;
    } else {
      if (sampler !== undefined && shuffle)
        throw new Error("DataLoader: sampler option is mutually exclusive with shuffle");
      const n = this.dataset.length;
      const base =
        sampler ??
        (shuffle
          ? new RandomSampler(n, { seed: options.seed, generator: options.generator })
          : new SequentialSampler(n));
      this.batchSampler = new BatchSampler(base, batchSize ?? 1, dropLast);
    }
    this.collate = options.collate ?? (defaultCollate as unknown as (samples: T[]) => B);
  }

  /** Number of batches per epoch. */
  get length(): number {
    return this.batchSampler.length;
  }

  /** Sets the epoch of a seeded shuffle (no effect on a sequential order). */
  setEpoch(epoch: number): void {
    checkEpoch("DataLoader.setEpoch", epoch);
    this.batchSampler.setEpoch?.(epoch);
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchSampler) {
      yield this.collate(indices.map((i) => this.dataset.get(i)));
    }
  }
}
