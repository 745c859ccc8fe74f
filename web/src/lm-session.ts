/**
 * The demo's language model inside the worker: built from settings (a new run) or from a model
 * directory's files (a loaded one), trained by the library's Trainer on the BPTT task, and asked
 * for text. One session is one model; `train` runs the loop until `stop` is called.
 *
 * Stop and resume are the Trainer's own: a stop checkpoints (weights, Adam moments, RNG, data
 * position, carried hidden state) into memory, and resuming restores that checkpoint, so a run
 * stopped and resumed follows the same steps as one never stopped. A loaded model has no
 * checkpoint; resuming it fine-tunes it on the page's text with its own vocabulary (characters it
 * has never seen become `<unk>`) and a fresh Adam.
 *
 * @example
 * const s = LmSession.create(text, "moby-dick", settings);
 * await s.train((e) => postMessage(e));   // returns once stopped
 * s.generate({ prime: "Call me", length: 200, temperature: 0.8, seed: 0 });
 */
import { data, languageModel, manualSeed, optim, tasks } from "../../src/index.js";
import type { LmInfo, ModelFiles, TrainSettings, WorkerEvent } from "./protocol.js";

type Model = languageModel.RNNLanguageModel;

/** Validation text kept small so an epoch-end evaluation takes well under a second. */
const MAX_VALID_TOKENS = 20_000;
/** Word level: the decoder's GEMM grows with the vocabulary, so it is capped (rarer words → <unk>). */
const MAX_WORDS = 5_000;

function countParameters(model: Model): number {
  return model.parameters().reduce((n, p) => n + p.numel(), 0);
}

export class LmSession {
  private trainer: tasks.Trainer<data.BpttBatch> | null = null;
  private checkpoint: tasks.CheckpointFiles | null = null;
  private task: languageModel.LanguageModelTask | null = null;
  private optimizer: optim.Optimizer | null = null;
  private trainTokens = 0;
  private step = 0;

  private constructor(
    readonly model: Model,
    readonly vocab: data.Vocab,
    readonly dataConfig: languageModel.LmFilesData,
    private source: string,
    private settings: TrainSettings | null,
  ) {}

  /** A new model for `text` (its vocabulary from the text's training span). */
  static create(text: string, source: string, settings: TrainSettings): LmSession {
    const dataConfig: languageModel.LmFilesData = {
      dataset: `web:${source}`,
      level: settings.level,
      tokenizer: settings.level === "word" ? "whitespace" : undefined,
      maxSize: settings.level === "word" ? MAX_WORDS : undefined,
    };
    const prepared = languageModel.prepareLmData(text, dataConfig);
    manualSeed(settings.seed);
    const model = new languageModel.RNNLanguageModel({
      vocabSize: prepared.vocab.length,
      cell: settings.cell,
      embeddingSize: settings.embeddingSize,
      hiddenSize: settings.hiddenSize,
      numLayers: settings.numLayers,
      dropout: 0,
    });
    const session = new LmSession(model, prepared.vocab, dataConfig, source, settings);
    session.prepareTask(prepared.train, prepared.valid, settings);
    return session;
  }

  /** A model from a directory's files (`recurrent train lm` or this page's download). */
  static load(files: ModelFiles, source: string): LmSession {
    const loaded = languageModel.languageModelFromFiles(files, source);
    return new LmSession(loaded.model, loaded.vocab, loaded.config.data, source, null);
  }

  private prepareTask(train: Int32Array, valid: Int32Array, settings: TrainSettings): void {
    this.settings = settings;
    this.trainTokens = train.length;
    this.task = new languageModel.LanguageModelTask(
      this.model,
      train,
      valid.subarray(0, MAX_VALID_TOKENS),
      { batchSize: settings.batchSize, bpttLen: settings.bpttLen, seed: settings.seed },
    );
    this.optimizer = new optim.Adam(this.model.parameters(), { lr: settings.lr });
    this.checkpoint = null;
  }

  /**
   * Before resuming a loaded (or finished) model: a task over `text` in the model's vocabulary,
   * the last 5% held out for validation.
   */
  prepareFineTune(text: string, source: string, settings: TrainSettings): void {
    if (this.checkpoint) return;
    const tokens = languageModel.lmTokens(text, this.dataConfig);
    const ids = Int32Array.from(this.vocab.encode(tokens));
    const nValid = Math.floor(ids.length * 0.05);
    this.source = source;
    this.prepareTask(ids.subarray(0, ids.length - nValid), ids.subarray(ids.length - nValid), {
      ...settings,
      level: this.dataConfig.level,
    });
  }

  get running(): boolean {
    return this.trainer !== null;
  }

  get canResume(): boolean {
    return this.checkpoint !== null;
  }

  info(): LmInfo {
    const c = this.model.config;
    return {
      source: this.source,
      cell: c.cell,
      numLayers: c.numLayers,
      hiddenSize: c.hiddenSize,
      vocabSize: c.vocabSize,
      parameters: countParameters(this.model),
      trainTokens: this.trainTokens,
      level: this.dataConfig.level,
      step: this.step,
    };
  }

  /** Trains until stopped (or a non-finite loss); events go to `emit`. */
  async train(emit: (e: WorkerEvent) => void): Promise<void> {
    if (!this.task || !this.optimizer || !this.settings)
      throw new Error("train: this model has no training data yet");
    if (this.trainer) throw new Error("train: already training");
    const settings = this.settings;
    let last = performance.now();
    const trainer = new tasks.Trainer(this.task, {
      optimizer: this.optimizer,
      epochs: 1_000_000,
      clipGradNorm: settings.clip,
      resume: this.checkpoint ? tasks.decodeCheckpoint(this.checkpoint, "the stopped run") : null,
      yieldMs: 30,
      onCheckpoint: (files) => {
        this.checkpoint = files;
      },
      events: {
        onStep: (r) => {
          const now = performance.now();
          this.step = r.globalStep;
          emit({
            kind: "step",
            step: r.globalStep,
            epoch: r.epoch,
            batch: r.batch,
            batches: r.batches,
            loss: r.loss,
            tokensPerSec: r.tokensPerSec,
            msPerStep: now - last,
            elapsed: r.elapsed,
          });
          if (settings.sampleEvery > 0 && r.globalStep % settings.sampleEvery === 0) {
            const text = this.generate({ prime: "", length: 160, temperature: 0.8, seed: 0 });
            emit({ kind: "sample", step: r.globalStep, text });
          }
          last = performance.now();
        },
        onEval: (r) =>
          emit({
            kind: "eval",
            step: r.globalStep,
            loss: r.result.loss,
            perplexity: Math.exp(r.result.loss),
          }),
      },
    });
    this.trainer = trainer;
    try {
      // The first steps run synchronously: let the reply to the request that started us go first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const summary = await trainer.run();
      emit({
        kind: "stopped",
        reason: summary.reason,
        step: summary.globalStep,
        message: summary.nonfinite?.message,
      });
    } finally {
      this.trainer = null;
    }
  }

  stop(): void {
    this.trainer?.requestStop();
  }

  generate(o: { prime: string; length: number; temperature: number; seed: number }): string {
    return languageModel.generateText(this.model, this.vocab, {
      level: this.dataConfig.level,
      tokenizer: this.dataConfig.tokenizer,
      prime: o.prime,
      length: o.length,
      temperature: o.temperature,
      seed: o.seed,
    });
  }

  /** The model directory's three files, in the layout `recurrent generate` reads. */
  files(): ModelFiles {
    const files = languageModel.languageModelFiles(this.model, this.vocab, {
      data: this.dataConfig,
      train: this.settings ? { web: { ...this.settings, steps: this.step } } : {},
    });
    const out: ModelFiles = {};
    for (const [name, v] of Object.entries(files))
      out[name] = typeof v === "string" ? new TextEncoder().encode(v) : v;
    return out;
  }
}
