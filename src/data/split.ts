/**
 * `randomSplit`: a seeded train/valid/test split, like `torch.utils.data.random_split` (PyTorch
 * ≥ 1.13). Lengths are counts that sum to the dataset size, or fractions that sum to 1: then each
 * split gets ⌊n·fraction⌋ and the remainder is handed out one by one, round-robin from the first
 * split. A random permutation of 0..n−1 is cut into consecutive pieces of those lengths.
 *
 * The counts match PyTorch exactly; the permutation comes from our own generator
 * (xoshiro128**), so it is reproducible from `seed` but is not PyTorch's.
 *
 * @example
 * const [train, valid, test] = randomSplit(dataset, [0.8, 0.1, 0.1], { seed: 42 });
 */
import { randperm } from "../tensor/creation.js";
import { defaultGenerator, Generator } from "../tensor/random.js";
import { asDataset, Subset, type Dataset } from "./dataset.js";

export interface RandomSplitOptions {
  /** Seeds a private generator, so the split does not depend on the global one. */
  seed?: number;
  /** Draws from this generator instead (advancing it). Default: the global generator. */
  generator?: Generator;
}

/** Python's `math.isclose(a, b)` with its default rel_tol = 1e-9 and abs_tol = 0. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * The split sizes `randomSplit` uses for a dataset of `n` samples. As in PyTorch, lengths are read
 * as fractions when they sum to 1 (within 1e-9) and not above it; otherwise as counts.
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(
      `randomSplit: expected a dataset length that is a non-negative integer, got ${n}`,
    );
  if (!Array.isArray(lengths) || lengths.length === 0)
    throw new Error("randomSplit: expected a non-empty array of lengths or fractions");
  const total = lengths.reduce((s, v) => s + v, 0);
  let counts: number[];
  if (isClose(total, 1) && total <= 1) {
    counts = lengths.map((f, i) => {
      if (!(f >= 0 && f <= 1))
        throw new Error(`randomSplit: fraction at index ${i} is not between 0 and 1, got ${f}`);
      return Math.floor(n * f);
    });
    const remainder = n - counts.reduce((s, v) => s + v, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  } else {
    lengths.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0)
        throw new Error(
          `randomSplit: expected non-negative integer counts (or fractions summing to 1), got ${c} at index ${i}`,
        );
    });
    counts = [...lengths];
  }
  const sum = counts.reduce((s, v) => s + v, 0);
  if (sum !== n) {
    throw new Error(
      `randomSplit: sum of input lengths (${sum}) does not equal the length of the dataset (${n})`,
    );
  }
  return counts;
}

/** Splits `dataset` into non-overlapping random subsets of the given lengths or fractions. */
export function randomSplit<T>(
  dataset: Dataset<T> | readonly T[],
  lengths: readonly number[],
  options: RandomSplitOptions = {},
): Subset<T>[] {
  const ds = asDataset(dataset);
  const counts = splitLengths(ds.length, lengths);
  const generator =
    options.seed !== undefined
      ? new Generator(options.seed)
      : (options.generator ?? defaultGenerator);
  const perm = randperm(ds.length, { generator }).data;
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(ds, perm.subarray(offset, offset + c)));
    offset += c;
  }
  return out;
}
