/**
 * Model directories on disk: a set of files replaced together, so that a kill, a crash or a full
 * disk at any moment leaves either the whole previous checkpoint or the whole new one.
 *
 * A commit writes every file to a temporary name (flushed to disk), then atomically writes a
 * journal `.commit.json` naming them — the commit point — then renames each into place and
 * removes the journal. Whoever opens the directory next (`recoverModelDir`, called by every
 * reader here) finishes an interrupted commit from its journal, or, without a journal, deletes
 * the temporary files of one that never reached its commit point.
 *
 *   config.json            how to rebuild the model (tasks/common/model-config.ts)
 *   vocab.json             the vocabularies
 *   model.safetensors      weights, PyTorch state-dict keys
 *   optimizer.safetensors  optimizer state and carried tensors   } for --resume
 *   state.json             epoch, step, RNG, schedule            } (tasks/common/checkpoint.ts)
 *
 * @example
 * await commitFiles("runs/lm", { "config.json": text, ...encodeCheckpoint(...) });
 * const { config, vocab, weights } = await readModelDir("runs/lm", "lm");
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TaskName } from "../../tasks/common/model-config.js";
import { MODEL_FILES, parseModelFiles, type ModelFiles } from "../../tasks/common/model-files.js";
import type { CheckpointFiles } from "../../tasks/common/checkpoint.js";
import { writeFileAtomic } from "./atomic.js";

const JOURNAL = ".commit.json";
const CHECKPOINT_FILES = ["model.safetensors", "optimizer.safetensors", "state.json"];

interface Journal {
  id: string;
  files: string[];
}

const tempName = (name: string, id: string): string => `.${name}.${id}.tmp`;

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new Error(`commitFiles: expected a plain file name, got ${JSON.stringify(name)}`);
}

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => undefined); // not supported on every file system
  await handle.close();
}

/** Refuses a `dir` that is missing or not a directory, naming it. */
async function checkDir(dir: string, where: string): Promise<void> {
  const s = await stat(dir).catch(() => null);
  if (!s) throw new Error(`${where}: ${dir} does not exist (so there is no config.json to read)`);
  if (!s.isDirectory()) throw new Error(`${where}: ${dir} is a file, not a model directory`);
}

/** Finishes or discards an interrupted commit in `dir` (see the file header). */
export async function recoverModelDir(dir: string): Promise<void> {
  let journal: Journal | null = null;
  try {
    journal = JSON.parse(await readFile(join(dir, JOURNAL), "utf8")) as Journal;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new Error(
        `recoverModelDir: ${join(dir, JOURNAL)} is unreadable: ${(e as Error).message}`,
      );
  }
  if (journal) {
    for (const name of journal.files) {
      const temp = join(dir, tempName(name, journal.id));
      if (await stat(temp).catch(() => null)) await rename(temp, join(dir, name));
    }
    await syncDir(dir);
    await rm(join(dir, JOURNAL), { force: true });
  }
  // Temporary files of commits (and atomic writes) that never reached their commit point; this
  // process's own may belong to a write still in progress.
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const e of entries) {
    const m = /^\..+\.(\d+)[.-][0-9a-f]+\.tmp$/.exec(e);
    if (m && Number(m[1]) !== process.pid) await rm(join(dir, e), { force: true });
  }
}

/** Replaces `files` in `dir` all together (see the file header). */
export async function commitFiles(dir: string, files: CheckpointFiles): Promise<void> {
  const names = Object.keys(files);
  names.forEach(checkName);
  await mkdir(dir, { recursive: true });
  await recoverModelDir(dir);
  const id = `${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    for (const name of names) await writeSynced(join(dir, tempName(name, id)), files[name]);
    await writeFileAtomic(
      join(dir, JOURNAL),
      JSON.stringify({ id, files: names } satisfies Journal),
    );
  } catch (e) {
    for (const name of names) await rm(join(dir, tempName(name, id)), { force: true });
    throw new Error(`commitFiles: could not write to ${dir}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  await recoverModelDir(dir); // the renames, exactly as a later reader would finish them
}

async function readIn(dir: string, name: string, where: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new Error(`${where}: ${dir} has no ${name}: is it a model directory?`);
    throw new Error(`${where}: cannot read ${join(dir, name)}: ${(e as Error).message}`);
  }
}

export type { ModelFiles as ModelDir } from "../../tasks/common/model-files.js";

/** Reads what inference needs: config.json (checked), vocab.json and the weights. */
export async function readModelDir(dir: string, task?: TaskName): Promise<ModelFiles> {
  await checkDir(dir, "readModelDir");
  await recoverModelDir(dir);
  const files: CheckpointFiles = {};
  for (const name of MODEL_FILES) {
    const bytes = await readFile(join(dir, name)).catch(() => undefined);
    if (bytes !== undefined) files[name] = bytes;
  }
  return parseModelFiles(files, dir, task);
}

/** The checkpoint files for `decodeCheckpoint`, or null when `dir` holds no checkpoint. */
export async function readCheckpointFiles(dir: string): Promise<CheckpointFiles | null> {
  await checkDir(dir, "readCheckpointFiles");
  await recoverModelDir(dir);
  if (!(await stat(join(dir, "state.json")).catch(() => null))) return null;
  const files: CheckpointFiles = {};
  for (const name of CHECKPOINT_FILES) files[name] = await readIn(dir, name, "readCheckpointFiles");
  return files;
}
