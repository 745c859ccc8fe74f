/**
 * A training checkpoint as bytes: everything needed to continue a run exactly where it stopped.
 *
 *   model.safetensors      the model's state dict (PyTorch keys), metadata { step }
 *   optimizer.safetensors  optimizer state tensors as "state.{param}.{name}" and state carried
 *                          between batches (a language model's hidden state) as "carry.{name}"
 *   state.json             position (epoch, batch, global step), global RNG state, optimizer
 *                          groups and scalar state, LR scheduler, best validation loss, elapsed
 *
 * The three are produced and parsed together, so that a resume restores parameters, optimizer
 * moments, RNG and data position bit-exactly. Browser-safe: writing them to disk is
 * io/node/model-dir.ts's job.
 *
 * @example
 * const files = encodeCheckpoint({ model, optimizer, position, rng: getRngState() });
 * const ckpt = decodeCheckpoint(files);   // later
 * restoreCheckpoint(ckpt, { model, optimizer });
 */
import { loadSafetensors, saveSafetensors } from "../../io/safetensors.js";
import type { Module } from "../../nn/module.js";
import type { Optimizer, OptimizerStateDict, ParamState } from "../../optim/optimizer.js";
import type { SchedulerStateDict } from "../../optim/lr-scheduler.js";
import type { GeneratorState } from "../../tensor/random.js";
import { Tensor } from "../../tensor/tensor.js";
import { describeValue as describe } from "./model-config.js";

export const STATE_FORMAT = "recurrent-train-state";
export const STATE_VERSION = 1;

/** Where a run is: `batch` batches of epoch `epoch` are done; `globalStep` counts all of them. */
export interface TrainPosition {
  epoch: number;
  batch: number;
  globalStep: number;
}

/** The JSON half of a checkpoint (state.json). */
export interface TrainStateJSON extends TrainPosition {
  format: typeof STATE_FORMAT;
  version: number;
  /** Seconds of training so far (all sessions). */
  elapsed: number;
  rng: number[];
  optimizer: {
    name: string;
    paramGroups: OptimizerStateDict["paramGroups"];
    /** Non-tensor state per parameter index (e.g. Adam's step count). */
    scalars: Record<string, Record<string, number>>;
  };
  scheduler: SchedulerStateDict | null;
  /** Best validation loss so far, if evaluated. */
  bestValidLoss: number | null;
  /** Names of the carried tensors stored in optimizer.safetensors. */
  carry: string[];
  /** Batches skipped so far for a non-finite loss or gradient (absent: none). */
  skippedNonfinite?: number;
}

/** A checkpoint as files: name → bytes or text. */
export type CheckpointFiles = Record<string, Uint8Array | string>;

export interface CheckpointInput {
  model: Module;
  optimizer: Optimizer;
  position: TrainPosition;
  rng: GeneratorState;
  elapsed?: number;
  scheduler?: { stateDict(): SchedulerStateDict } | null;
  bestValidLoss?: number | null;
  carry?: Record<string, Tensor>;
  skippedNonfinite?: number;
}

export interface DecodedCheckpoint {
  state: TrainStateJSON;
  model: Record<string, Tensor>;
  optimizer: OptimizerStateDict;
  carry: Record<string, Tensor>;
}

/** The checkpoint's three files (see the file header). */
export function encodeCheckpoint(input: CheckpointInput): CheckpointFiles {
  const { model, optimizer, position } = input;
  const step = String(position.globalStep);
  const sd = optimizer.stateDict();
  const tensors: Record<string, Tensor> = {};
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, s] of Object.entries(sd.state)) {
    for (const [name, value] of Object.entries(s)) {
      if (value instanceof Tensor) tensors[`state.${index}.${name}`] = value;
      else (scalars[index] ??= {})[name] = value;
    }
  }
  const carry = input.carry ?? {};
  for (const [name, t] of Object.entries(carry)) tensors[`carry.${name}`] = t;
  const state: TrainStateJSON = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    ...position,
    elapsed: input.elapsed ?? 0,
    rng: [...input.rng],
    optimizer: { name: optimizer.constructor.name, paramGroups: sd.paramGroups, scalars },
    scheduler: input.scheduler?.stateDict() ?? null,
    bestValidLoss: input.bestValidLoss ?? null,
    carry: Object.keys(carry),
    ...(input.skippedNonfinite ? { skippedNonfinite: input.skippedNonfinite } : {}),
  };
  return {
    "model.safetensors": saveSafetensors(model.stateDict(), { format: "pt", step }),
    "optimizer.safetensors": saveSafetensors(tensors, { step }),
    "state.json": JSON.stringify(state, null, 1) + "\n",
  };
}

function bytesOf(files: CheckpointFiles, name: string, where: string): Uint8Array {
  const v = files[name];
  if (v === undefined) throw new Error(`${where}: the checkpoint has no ${name}`);
  return typeof v === "string" ? new TextEncoder().encode(v) : v;
}

function checkState(raw: unknown, where: string): TrainStateJSON {
  const s = raw as Partial<TrainStateJSON> | null;
  if (typeof s !== "object" || s === null || s.format !== STATE_FORMAT)
    throw new Error(
      `${where}: state.json is not a recurrent training state (expected "format": "${STATE_FORMAT}", got ${describe(s === null || typeof s !== "object" ? s : s.format)})`,
    );
  if (s.version !== STATE_VERSION)
    throw new Error(
      `${where}: state.json has format version ${describe(s.version)}, this recurrent reads version ${STATE_VERSION}`,
    );
  for (const k of ["epoch", "batch", "globalStep", "elapsed"] as const) {
    if (!(Number.isInteger(s[k]) || (k === "elapsed" && Number.isFinite(s[k]))) || s[k]! < 0)
      throw new Error(`${where}: state.json: expected ${k} ≥ 0, got ${describe(s[k])}`);
  }
  if (
    s.skippedNonfinite !== undefined &&
    !(Number.isInteger(s.skippedNonfinite) && s.skippedNonfinite >= 0)
  )
    throw new Error(
      `${where}: state.json: expected skippedNonfinite ≥ 0, got ${describe(s.skippedNonfinite)}`,
    );
  if (!Array.isArray(s.rng) || s.rng.length !== 4 || !s.rng.every(Number.isInteger))
    throw new Error(`${where}: state.json: expected rng to be 4 integers, got ${describe(s.rng)}`);
  if (
    typeof s.optimizer !== "object" ||
    s.optimizer === null ||
    !Array.isArray(s.optimizer.paramGroups)
  )
    throw new Error(
      `${where}: state.json: expected an optimizer object with paramGroups, got ${describe(s.optimizer)}`,
    );
  return s as TrainStateJSON;
}

/** Parses and cross-checks a checkpoint's files (all three must come from the same step). */
export function decodeCheckpoint(
  files: CheckpointFiles,
  where = "decodeCheckpoint",
): DecodedCheckpoint {
  const text = files["state.json"];
  if (text === undefined) throw new Error(`${where}: the checkpoint has no state.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text));
  } catch (e) {
    throw new Error(`${where}: state.json is not valid JSON: ${(e as Error).message}`);
  }
  const state = checkState(raw, where);
  const model = loadSafetensors(bytesOf(files, "model.safetensors", where), {
    source: "model.safetensors",
  });
  const opt = loadSafetensors(bytesOf(files, "optimizer.safetensors", where), {
    source: "optimizer.safetensors",
  });
  const step = String(state.globalStep);
  for (const [name, m] of [
    ["model.safetensors", model.metadata],
    ["optimizer.safetensors", opt.metadata],
  ] as const) {
    if (m.step !== step)
      throw new Error(
        `${where}: ${name} is from step ${m.step ?? "?"} but state.json from step ${step}: the checkpoint files do not belong together`,
      );
  }
  const perParam: Record<number, ParamState> = {};
  const carry: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(opt.tensors)) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (m) (perParam[Number(m[1])] ??= {})[m[2]] = t;
    else if (key.startsWith("carry.")) carry[key.slice(6)] = t;
    else throw new Error(`${where}: optimizer.safetensors has an unexpected tensor "${key}"`);
  }
  for (const [index, s] of Object.entries(state.optimizer.scalars ?? {}))
    Object.assign((perParam[Number(index)] ??= {}), s);
  return {
    state,
    model: model.tensors,
    optimizer: { state: perParam, paramGroups: state.optimizer.paramGroups },
    carry,
  };
}

/** Loads a decoded checkpoint's weights and optimizer state (the optimizer types must match). */
export function restoreCheckpoint(
  ckpt: DecodedCheckpoint,
  target: {
    model: Module;
    optimizer: Optimizer;
    scheduler?: { loadStateDict(s: SchedulerStateDict): void } | null;
  },
): void {
  const name = target.optimizer.constructor.name;
  if (ckpt.state.optimizer.name !== name)
    throw new Error(
      `restoreCheckpoint: the checkpoint was trained with ${ckpt.state.optimizer.name}, this run uses ${name}`,
    );
  target.model.loadStateDict(ckpt.model);
  target.optimizer.loadStateDict(ckpt.optimizer);
  if (target.scheduler && ckpt.state.scheduler)
    target.scheduler.loadStateDict(ckpt.state.scheduler);
}
