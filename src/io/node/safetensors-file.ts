/**
 * safetensors files on disk (Node): reading validates the whole file (see io/safetensors.ts);
 * writing is atomic, so an interrupted save never corrupts the previous file.
 *
 * @example
 * await saveSafetensorsFile("model.safetensors", model.stateDict(), { format: "pt" });
 * model.loadStateDict((await loadSafetensorsFile("model.safetensors")).tensors);
 */
import { readFile } from "node:fs/promises";
import { loadSafetensors, saveSafetensors, type SafetensorsContents } from "../safetensors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { writeFileAtomic } from "./atomic.js";

export async function loadSafetensorsFile(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`loadSafetensorsFile: cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return loadSafetensors(bytes, { source: path });
}

export async function saveSafetensorsFile(
  path: string,
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, saveSafetensors(tensors, metadata));
}
