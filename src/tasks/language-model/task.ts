/**
 * Training a language model with truncated backpropagation through time: the token stream is cut
 * into `batchSize` rows and windows of `bpttLen` steps (data/bptt.ts); the hidden state runs on
 * from window to window, detached, so the model sees long context while gradients flow back at
 * most `bpttLen` steps. Loss: mean cross-entropy per token (nats); perplexity = e^loss.
 *
 * The training tokens are an Int32Array in memory, or, for a corpus larger than memory, a
 * `LmWindowStream`: the same windows every epoch read from disk (`StreamBpttIterator` over
 * io/node/text-stream.ts), without the per-epoch random offset.
 *
 * @example
 * const task = new LanguageModelTask(model, data.train, data.valid, { batchSize: 32, bpttLen: 100 });
 * await new Trainer(task, { optimizer, epochs: 1 }).run();
 */
import {
  BpttIterator,
  detachState,
  type BpttBatch,
  type StreamBpttIterator,
} from "../../data/bptt.js";
import { crossEntropy } from "../../nn/functional/cross-entropy.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkSequenceLength } from "../common/limits.js";
import type { EvalResult, StepResult, TrainerTask } from "../common/trainer.js";
import type { RecurrentState, RNNLanguageModel } from "./model.js";

export interface LanguageModelTaskOptions {
  batchSize: number;
  bpttLen: number;
  /** Shift window boundaries by a seeded random offset each epoch (default true). */
  randomOffset?: boolean;
  seed?: number;
  /** Rows of the validation stream (default 10, as word_language_model). */
  evalBatchSize?: number;
}

/** Training windows streamed from outside memory: the same `numWindows` windows every epoch. */
export interface LmWindowStream {
  windows: StreamBpttIterator | AsyncIterable<BpttBatch>;
  numWindows: number;
}

/** Mean per-token loss of `model` over `ids`, carrying the state across windows. */
export function lmLoss(
  model: RNNLanguageModel,
  ids: Int32Array,
  batchSize: number,
  bpttLen: number,
): EvalResult {
  const rows = Math.max(1, Math.min(batchSize, Math.floor(ids.length / 2)));
  const it = new BpttIterator(ids, { batchSize: rows, bpttLen });
  let state: RecurrentState | null = null;
  let total = 0;
  let count = 0;
  for (const { input, target } of it) {
    const [logits, next] = model.forward(input, state);
    state = next;
    const n = target.numel();
    const V = model.config.vocabSize;
    total += crossEntropy(logits.reshape([n, V]), target.reshape([n])).item() * n;
    count += n;
  }
  if (count === 0) throw new Error(`lmLoss: ${ids.length} tokens are too few to evaluate on`);
  const loss = total / count;
  return { loss, perplexity: Math.exp(loss), tokens: count };
}

/** What the in-memory and the streamed task share: the step, the carried state, validation. */
abstract class LanguageModelTaskBase {
  protected state: RecurrentState | null = null;

  constructor(
    readonly model: RNNLanguageModel,
    private readonly valid: Int32Array | null,
    protected readonly options: LanguageModelTaskOptions,
  ) {
    checkSequenceLength(options.bpttLen, "bpttLen", "LanguageModelTask");
  }

  startEpoch(): void {
    this.state = null;
  }

  trainStep(batch: BpttBatch): StepResult {
    const [logits, next] = this.model.forward(batch.input, this.state);
    this.state = detachState(next);
    const n = batch.target.numel();
    const loss = crossEntropy(
      logits.reshape([n, this.model.config.vocabSize]),
      batch.target.reshape([n]),
    );
    return { loss, items: n, tokens: n };
  }

  evaluate(): EvalResult {
    if (!this.valid || this.valid.length < 2) return { loss: NaN, perplexity: NaN };
    return lmLoss(this.model, this.valid, this.options.evalBatchSize ?? 10, this.options.bpttLen);
  }

  saveCarry(): Record<string, Tensor> {
    if (this.state === null) return {};
    return Array.isArray(this.state) ? { h: this.state[0], c: this.state[1] } : { h: this.state };
  }

  loadCarry(carry: Record<string, Tensor>): void {
    if (!carry.h) this.state = null;
    else this.state = carry.c ? [carry.h, carry.c] : carry.h;
  }
}

export class LanguageModelTask extends LanguageModelTaskBase implements TrainerTask<BpttBatch> {
  private readonly iterator: BpttIterator;

  constructor(
    model: RNNLanguageModel,
    train: Int32Array,
    valid: Int32Array | null,
    options: LanguageModelTaskOptions,
  ) {
    super(model, valid, options);
    this.iterator = new BpttIterator(train, {
      batchSize: options.batchSize,
      bpttLen: options.bpttLen,
      randomOffset: options.randomOffset ?? true,
      seed: options.seed ?? 0,
    });
    if (this.iterator.numWindows(0) === 0)
      throw new Error(
        `LanguageModelTask: ${train.length} training tokens make no window of batch ${options.batchSize}; use a smaller batch size`,
      );
  }

  batchesPerEpoch(epoch: number): number {
    return this.iterator.numWindows(epoch);
  }

  batches(epoch: number): Iterable<BpttBatch> {
    this.iterator.setEpoch(epoch);
    return this.iterator;
  }
}

/** The task over a `LmWindowStream` (see the file header); `randomOffset` does not apply. */
export class StreamedLanguageModelTask
  extends LanguageModelTaskBase
  implements TrainerTask<BpttBatch>
{
  constructor(
    model: RNNLanguageModel,
    private readonly stream: LmWindowStream,
    valid: Int32Array | null,
    options: LanguageModelTaskOptions,
  ) {
    super(model, valid, options);
    if (!(stream.numWindows > 0))
      throw new Error(
        `StreamedLanguageModelTask: the training stream makes no window of batch ${options.batchSize}; use a smaller batch size`,
      );
  }

  batchesPerEpoch(): number {
    return this.stream.numWindows;
  }

  batches(): AsyncIterable<BpttBatch> {
    return this.stream.windows;
  }
}
