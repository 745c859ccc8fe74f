// The committed src/backend/wasm/kernels.generated.ts must be exactly what `npm run build:wasm`
// produces from wasm/assembly/ (asc output is deterministic: same source, flags and asc version →
// same bytes), so a kernel edit without a rebuild fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelBytes } from "../../src/backend/wasm/module.js";

test("kernels.generated.ts matches a fresh build of wasm/assembly", () => {
  const dir = mkdtempSync(join(tmpdir(), "recurrent-wasm-test-"));
  try {
    execFileSync(process.execPath, ["scripts/build-wasm.mjs", dir], { stdio: "pipe" });
    const fresh = readFileSync(join(dir, "kernels.wasm"));
    const embedded = kernelBytes();
    assert.equal(
      embedded.length,
      fresh.length,
      "embedded and rebuilt sizes differ: npm run build:wasm",
    );
    assert.ok(Buffer.from(embedded).equals(fresh), "embedded bytes are stale: npm run build:wasm");
    assert.equal(
      readFileSync(join(dir, "kernels.generated.ts"), "utf8"),
      readFileSync("src/backend/wasm/kernels.generated.ts", "utf8"),
    );
    assert.ok(WebAssembly.validate(embedded), "the embedded module does not validate");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
