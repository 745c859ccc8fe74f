/**
 * Model directories in and out of the page. In: a .zip of the directory (as `zip -r` makes it,
 * files at its root or in one folder) or the three files picked together; either way
 * config.json, vocab.json and model.safetensors by name — the rest (optimizer.safetensors,
 * reports) is ignored. Out: a .zip holding one folder with those three files, and a download.
 *
 * @example
 * const { files, source } = await readModelFiles(input.files!);
 * download(zipModel(files, "lm-moby-dick"), "lm-moby-dick.zip");
 */
import { unzipSync, zipSync } from "fflate";
import type { ModelFiles } from "./protocol.js";

export const MODEL_FILE_NAMES = ["config.json", "vocab.json", "model.safetensors"] as const;

const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/** The model files among `entries` (path → bytes), by base name; an error names what is missing. */
function pick(entries: Record<string, Uint8Array>, where: string): ModelFiles {
  const out: ModelFiles = {};
  for (const [path, bytes] of Object.entries(entries)) {
    const name = baseName(path);
    if (path.includes("__MACOSX/") || !(MODEL_FILE_NAMES as readonly string[]).includes(name))
      continue;
    if (out[name])
      throw new Error(`${where}: holds more than one ${name}: zip one model directory`);
    out[name] = bytes;
  }
  const missing = MODEL_FILE_NAMES.filter((n) => !out[n]);
  if (missing.length > 0)
    throw new Error(
      `${where}: has no ${missing.join(", ")}; pick a model directory's .zip or its ${MODEL_FILE_NAMES.join(", ")}`,
    );
  return out;
}

/** Reads a picked .zip or the three picked files (see the file header). */
export async function readModelFiles(
  list: FileList | File[],
): Promise<{ files: ModelFiles; source: string }> {
  const picked = Array.from(list);
  if (picked.length === 0) throw new Error("no file picked");
  const zip = picked.find((f) => f.name.toLowerCase().endsWith(".zip"));
  if (zip) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    } catch (e) {
      throw new Error(`${zip.name}: not a readable zip (${(e as Error).message})`);
    }
    return { files: pick(entries, zip.name), source: zip.name.replace(/\.zip$/i, "") };
  }
  const entries: Record<string, Uint8Array> = {};
  for (const f of picked) entries[f.name] = new Uint8Array(await f.arrayBuffer());
  return { files: pick(entries, picked.map((f) => f.name).join(", ")), source: "picked files" };
}

/** A zip of one folder `dir` holding `files`. */
export function zipModel(files: ModelFiles, dir: string): Blob {
  const tree: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(files)) tree[`${dir}/${name}`] = bytes;
  return new Blob([zipSync(tree, { level: 6 })], { type: "application/zip" });
}

/** Offers `blob` as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
