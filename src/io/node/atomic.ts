/**
 * Atomic file writes: the bytes go to a temporary file in the same directory, are flushed to
 * disk, and only then renamed over the target. A crash, a kill or a full disk at any moment
 * leaves either the old file or the new one, never a torn one.
 *
 * @example
 * await writeFileAtomic("runs/lm/model.safetensors", bytes);
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Writes `data` to `path` atomically, creating the parent directory if needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle;
  try {
    await mkdir(dir, { recursive: true });
    handle = await open(temp, "wx");
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw new Error(`writeFileAtomic: could not write ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
