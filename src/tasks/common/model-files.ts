/**
 * A model directory's inference files as bytes → what a recipe rebuilds its model from, in any
 * runtime: Node reads them from disk (io/node/model-dir.ts), a web page from a download or an
 * upload. config.json is checked (format version, task), vocab.json parsed, model.safetensors
 * validated.
 *
 * @example
 * const { config, vocab, weights } = parseModelFiles({ "config.json": text, "vocab.json": v,
 *   "model.safetensors": bytes }, "upload", "lm");
 */
import { loadSafetensors } from "../../io/safetensors.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { CheckpointFiles } from "./checkpoint.js";
import { checkModelConfig, type ModelConfig, type TaskName } from "./model-config.js";

export const MODEL_FILES = ["config.json", "vocab.json", "model.safetensors"] as const;

export interface ModelFiles {
  config: ModelConfig;
  /** vocab.json as parsed JSON (the recipe knows its shape). */
  vocab: unknown;
  weights: Record<string, Tensor>;
}

function text(files: CheckpointFiles, name: string, where: string): string {
  const v = files[name];
  if (v === undefined) throw new Error(`${where}: has no ${name}: is it a model directory?`);
  return typeof v === "string" ? v : new TextDecoder().decode(v);
}

function json(files: CheckpointFiles, name: string, where: string): unknown {
  try {
    return JSON.parse(text(files, name, where));
  } catch (e) {
    if ((e as Error).message.includes("is it a model directory")) throw e;
    throw new Error(`${where}/${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Parses and checks config.json, vocab.json and model.safetensors (see the file header). */
export function parseModelFiles(
  files: CheckpointFiles,
  where: string,
  task?: TaskName,
): ModelFiles {
  const config = checkModelConfig(json(files, "config.json", where), `${where}/config.json`, task);
  const vocab = json(files, "vocab.json", where);
  const bytes = files["model.safetensors"];
  if (bytes === undefined)
    throw new Error(`${where}: has no model.safetensors: is it a model directory?`);
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const weights = loadSafetensors(data, { source: `${where}/model.safetensors` }).tensors;
  return { config, vocab, weights };
}
