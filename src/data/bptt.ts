/**
 * Language-model batching for truncated backpropagation through time (BPTT), as PyTorch's
 * word_language_model example (`batchify` + `get_batch`) and torchtext's `BPTTIterator` do it.
 *
 * A stream of N token ids is cut into B = batchSize contiguous rows of L = ⌊N/B⌋ tokens (the last
 * N mod B are dropped): row b holds tokens[b·L … (b+1)·L). Windows start at i = 0, W, 2W, … < L−1
 * (W = bpttLen) and hold w = min(W, L−1−i) steps:
 *   input[t, b]  = row_b[i + t]
 *   target[t, b] = row_b[i + t + 1]          (the next token), t < w
 * so the last window is shorter when W does not divide L−1, exactly as `get_batch` does;
 * `dropLast` skips it instead (as d2l's `seq_data_iter_sequential`). Shapes are [w, B], or [B, w]
 * with batchFirst; the target is not flattened (PyTorch's example flattens it with `.view(-1)`).
 * Row b of window k+1 continues row b of window k, so the hidden state carries over: pass
 * `detachState(h)` into the next window to cut the graph between windows.
 *
 * `randomOffset` drops the first o tokens of the stream, o uniform in [0, W) and drawn per epoch
 * from the seed (the DataLoader epoch rule, loader.ts), so that window boundaries move between
 * epochs as in d2l's sequential sampler.
 *
 * `StreamBpttIterator` makes the same windows from B async sources (one per row, e.g. byte ranges
 * of a file, io/node/text-stream.ts), reading chunk by chunk: it holds at most W + 1 + (one chunk)
 * tokens per row, so memory is O(B·(W + chunk)), not O(N). It stops when the shortest row runs
 * out; the last window is min_b(remaining_b) − 1 steps long. Sources of exactly L tokens each give
 * exactly the windows of `BpttIterator`.
 *
 * @example
 * const it = new BpttIterator(ids, { batchSize: 20, bpttLen: 35 });
 * let h = null;
 * for (const { input, target } of it) {          // input, target [35, 20]
 *   const [out, hN] = model.forward(input, h);
 *   h = detachState(hN);
 * }
 */
import { baseSeed, checkPositiveInt, epochGenerator } from "./loader.js";
import type { Generator } from "../tensor/random.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

export interface BpttBatch {
  /** int32 [w, B], or [B, w] with batchFirst. */
  input: Tensor;
  /** The next token of every input position; same shape as `input`. */
  target: Tensor;
  /** Position of the window's first step within each row. */
  start: number;
  /** Window number within the epoch (0, 1, …). */
  index: number;
}

export interface BpttOptions {
  batchSize: number;
  /** Window length W (steps per backward pass). */
  bpttLen: number;
  /** [B, w] windows instead of [w, B] (default false, as word_language_model). */
  batchFirst?: boolean;
  /** Skip the last window when it is shorter than W (default false). */
  dropLast?: boolean;
  /** Shift the row boundaries by a random offset in [0, W) each epoch (default false). */
  randomOffset?: boolean;
  seed?: number;
  generator?: Generator;
}

/** A recurrent state: a tensor, or (nested) arrays of them such as LSTM's [h, c]. */
export type RecurrentState = Tensor | null | undefined | readonly RecurrentState[];

/** Cuts a state from the graph between BPTT windows (PyTorch example's `repackage_hidden`). */
export function detachState<S extends RecurrentState>(state: S): S {
  if (state === null || state === undefined) return state;
  if (state instanceof Tensor) return state.detach() as S;
  if (Array.isArray(state)) return state.map((s) => detachState(s)) as unknown as S;
  throw new Error("detachState: expected a Tensor or an array of Tensors");
}

function toIds(where: string, tokens: ArrayLike<number> | Tensor): Int32Array {
  if (tokens instanceof Tensor) {
    if (tokens.dim() !== 1)
      throw new Error(
        `${where}: expected a 1-D stream of token ids, got shape ${formatShape(tokens.shape)}`,
      );
    tokens = tokens.data;
  }
  if (typeof tokens !== "object" || tokens === null || typeof tokens.length !== "number")
    throw new Error(`${where}: expected an array, typed array or 1-D tensor of token ids`);
  const ids = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const v = tokens[i];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)
      throw new Error(`${where}: expected integer token ids, got ${v} at position ${i}`);
    ids[i] = v;
  }
  return ids;
}

/** word_language_model's `batchify`: the stream as B contiguous columns, int32 [⌊N/B⌋, B]. */
export function batchify(tokens: ArrayLike<number> | Tensor, batchSize: number): Tensor {
  checkPositiveInt("batchify", "batchSize", batchSize);
  const ids = toIds("batchify", tokens);
  const L = Math.floor(ids.length / batchSize);
  const out = new Int32Array(L * batchSize);
  for (let b = 0; b < batchSize; b++)
    for (let t = 0; t < L; t++) out[t * batchSize + b] = ids[b * L + t];
  return new Tensor(out, [L, batchSize]);
}

/** Copies window [i, i+w) (+1 for targets) of each row into input/target tensors. */
function makeWindow(
  rows: (b: number) => { data: Int32Array; at: number },
  B: number,
  w: number,
  batchFirst: boolean,
  start: number,
  index: number,
): BpttBatch {
  const input = new Int32Array(w * B);
  const target = new Int32Array(w * B);
  for (let b = 0; b < B; b++) {
    const { data, at } = rows(b);
    for (let t = 0; t < w; t++) {
      const k = batchFirst ? b * w + t : t * B + b;
      input[k] = data[at + t];
      target[k] = data[at + t + 1];
    }
  }
  const shape = batchFirst ? [B, w] : [w, B];
  return { input: new Tensor(input, shape), target: new Tensor(target, shape), start, index };
}

function checkOptions(where: string, options: BpttOptions): void {
  checkPositiveInt(where, "batchSize", options.batchSize);
  checkPositiveInt(where, "bpttLen", options.bpttLen);
}

/** Windows over an in-memory token stream (see the file header). */
export class BpttIterator implements Iterable<BpttBatch> {
  readonly tokens: Int32Array;
  readonly batchSize: number;
  readonly bpttLen: number;
  readonly batchFirst: boolean;
  readonly dropLast: boolean;
  readonly randomOffset: boolean;
  readonly seed: number;
  /** The epoch the next iteration will use. */
  epoch = 0;

  constructor(tokens: ArrayLike<number> | Tensor, options: BpttOptions) {
    checkOptions("BpttIterator", options);
    this.tokens = toIds("BpttIterator", tokens);
    this.batchSize = options.batchSize;
    this.bpttLen = options.bpttLen;
    this.batchFirst = options.batchFirst ?? false;
    this.dropLast = options.dropLast ?? false;
    this.randomOffset = options.randomOffset ?? false;
    this.seed = this.randomOffset ? baseSeed(options.seed, options.generator) : 0;
  }

  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new Error(`BpttIterator.setEpoch: expected a non-negative integer epoch, got ${epoch}`);
    this.epoch = epoch;
  }

  /** Tokens skipped at the start of the stream in epoch `epoch` (0 without randomOffset). */
  offset(epoch: number): number {
    if (!this.randomOffset) return 0;
    return epochGenerator(this.seed, epoch).integer(this.bpttLen);
  }

  /** Row length L in epoch `epoch`. */
  rowLength(epoch: number): number {
    return Math.max(0, Math.floor((this.tokens.length - this.offset(epoch)) / this.batchSize));
  }

  /** Number of windows in epoch `epoch`. */
  numWindows(epoch: number): number {
    const steps = this.rowLength(epoch) - 1;
    if (steps <= 0) return 0;
    return this.dropLast ? Math.floor(steps / this.bpttLen) : Math.ceil(steps / this.bpttLen);
  }

  /** Number of windows in the next epoch. */
  get length(): number {
    return this.numWindows(this.epoch);
  }

  *[Symbol.iterator](): Iterator<BpttBatch> {
    const epoch = this.epoch;
    this.epoch += 1;
    const o = this.offset(epoch);
    const L = this.rowLength(epoch);
    const W = this.bpttLen;
    let index = 0;
    for (let i = 0; i < L - 1; i += W) {
      const w = Math.min(W, L - 1 - i);
      if (w < W && this.dropLast) break;
      yield makeWindow(
        (b) => ({ data: this.tokens, at: o + b * L + i }),
        this.batchSize,
        w,
        this.batchFirst,
        i,
        index++,
      );
    }
  }
}

/** A source of token ids for one row, read chunk by chunk. */
export type TokenSource = AsyncIterable<ArrayLike<number>> | Iterable<ArrayLike<number>>;

/** A growable window of pending tokens for one row. */
class RowBuffer {
  data = new Int32Array(0);
  at = 0;
  end = 0;
  done = false;

  constructor(
    private readonly it: AsyncIterator<ArrayLike<number>> | Iterator<ArrayLike<number>>,
    private readonly row: number,
  ) {}

  get available(): number {
    return this.end - this.at;
  }

  async fill(need: number): Promise<void> {
    while (this.available < need && !this.done) {
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        break;
      }
      this.append(next.value);
    }
  }

  private append(chunk: ArrayLike<number>): void {
    const n = chunk.length;
    const avail = this.available;
    if (this.end + n > this.data.length) {
      // Compact to the front, into a larger buffer only when the pending tokens need it.
      if (avail + n > this.data.length) {
        const grown = new Int32Array(avail + n);
        grown.set(this.data.subarray(this.at, this.end));
        this.data = grown;
      } else {
        this.data.copyWithin(0, this.at, this.end);
      }
      this.at = 0;
      this.end = avail;
    }
    for (let k = 0; k < n; k++) {
      const v = chunk[k];
      if (!Number.isInteger(v))
        throw new Error(
          `StreamBpttIterator: source ${this.row} yielded a non-integer token id ${v}`,
        );
      this.data[this.end + k] = v;
    }
    this.end += n;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export type StreamBpttOptions = Omit<
  BpttOptions,
  "batchSize" | "randomOffset" | "seed" | "generator"
>;

/** Windows over B streamed rows, with bounded memory (see the file header). */
export class StreamBpttIterator implements AsyncIterable<BpttBatch> {
  readonly bpttLen: number;
  readonly batchFirst: boolean;
  readonly dropLast: boolean;
  /** The most tokens any row has held at once (a check on the memory bound). */
  peakBufferedTokens = 0;

  constructor(
    readonly sources: readonly TokenSource[],
    options: StreamBpttOptions,
  ) {
    if (!Array.isArray(sources) || sources.length === 0)
      throw new Error(
        "StreamBpttIterator: expected a non-empty array of token sources (one per row)",
      );
    checkOptions("StreamBpttIterator", { ...options, batchSize: sources.length });
    this.bpttLen = options.bpttLen;
    this.batchFirst = options.batchFirst ?? false;
    this.dropLast = options.dropLast ?? false;
  }

  get batchSize(): number {
    return this.sources.length;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<BpttBatch> {
    const rows = this.sources.map((s, b) => {
      const it =
        Symbol.asyncIterator in s
          ? (s as AsyncIterable<ArrayLike<number>>)[Symbol.asyncIterator]()
          : (s as Iterable<ArrayLike<number>>)[Symbol.iterator]();
      return new RowBuffer(it, b);
    });
    const W = this.bpttLen;
    const B = rows.length;
    try {
      for (let index = 0, start = 0; ; index++, start += W) {
        await Promise.all(rows.map((r) => r.fill(W + 1)));
        for (const r of rows)
          this.peakBufferedTokens = Math.max(this.peakBufferedTokens, r.data.length);
        const avail = Math.min(...rows.map((r) => r.available));
        const w = Math.min(W, avail - 1);
        if (w < 1 || (w < W && this.dropLast)) return;
        yield makeWindow((b) => rows[b], B, w, this.batchFirst, start, index);
        if (w < W) return;
        for (const r of rows) r.at += W;
      }
    } finally {
      await Promise.all(rows.map((r) => r.close()));
    }
  }
}
