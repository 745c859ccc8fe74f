/**
 * The messages between the demo page and its worker (web/src/worker.ts), which owns every model:
 * a request carries an `id` and is answered once, by a reply with the same `id`; events (training
 * steps, samples, stops) come unasked. Bytes travel as Uint8Array (structured clone).
 *
 * @example
 * engine.request({ kind: "generate", prime: "Call me", length: 200, temperature: 0.8 });
 * engine.on((e) => e.kind === "step" && chart.push(e.step, e.loss));
 */
import type { languageModel } from "../../src/index.js";

export type ModelFiles = Record<string, Uint8Array>;

/** The model and loop settings of a new language-model run. */
export interface TrainSettings {
  level: languageModel.LmLevel;
  cell: languageModel.CellKind;
  numLayers: number;
  hiddenSize: number;
  embeddingSize: number;
  batchSize: number;
  bpttLen: number;
  lr: number;
  clip: number;
  /** Generate a sample every this many steps (0: never). */
  sampleEvery: number;
  seed: number;
}

/** What the worker says about its language model. */
export interface LmInfo {
  source: string;
  cell: string;
  numLayers: number;
  hiddenSize: number;
  vocabSize: number;
  parameters: number;
  trainTokens: number;
  level: languageModel.LmLevel;
  step: number;
}

export interface ClassifierInfo {
  source: string;
  classes: string[];
  cell: string;
  bidirectional: boolean;
  hiddenSize: number;
  pooling: string;
  vocabSize: number;
  parameters: number;
}

export interface PredictionRow {
  label: string;
  probabilities: Record<string, number>;
}

/** Requests and what each one answers. */
export interface Requests {
  /** A new run on `text` (loaded from `source`); answers when the model is built. */
  train: { args: { text: string; source: string; settings: TrainSettings }; result: LmInfo };
  /** Continues the current model: a stopped run exactly, a loaded model on `text`. */
  resume: { args: { text: string; source: string; settings: TrainSettings }; result: LmInfo };
  /** Asks the running loop to stop after its current step. */
  stop: { args: Record<string, never>; result: null };
  generate: {
    args: { prime: string; length: number; temperature: number; seed: number };
    result: string;
  };
  /** config.json, vocab.json and model.safetensors of the current language model. */
  lmFiles: { args: Record<string, never>; result: ModelFiles };
  loadLm: { args: { files: ModelFiles; source: string }; result: LmInfo };
  loadClassifier: { args: { files: ModelFiles; source: string }; result: ClassifierInfo };
  classify: { args: { texts: string[] }; result: PredictionRow[] };
}

export type RequestKind = keyof Requests;

export type Request = {
  [K in RequestKind]: { id: number; kind: K } & Requests[K]["args"];
}[RequestKind];

export type Reply =
  | { kind: "reply"; id: number; ok: true; result: unknown }
  | { kind: "reply"; id: number; ok: false; error: string };

export type WorkerEvent =
  | { kind: "ready"; isolated: boolean; cores: number }
  | {
      kind: "step";
      step: number;
      epoch: number;
      batch: number;
      batches: number;
      loss: number;
      tokensPerSec: number;
      msPerStep: number;
      elapsed: number;
    }
  | { kind: "sample"; step: number; text: string }
  | { kind: "eval"; step: number; loss: number; perplexity: number }
  | { kind: "stopped"; reason: string; step: number; message?: string };

export type FromWorker = Reply | WorkerEvent;
