// The committed src/backend/wasm/kernels.generated.ts must be exactly what `npm run build:wasm`
// produces from wasm/assembly/ (asc output is deterministic: same source, flags and asc version →
// same bytes), so a kernel edit without a rebuild fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelBytes, pickFlavour, unshared } from "../../src/backend/wasm/module.js";

test("kernels.generated.ts matches a fresh build of wasm/assembly (both SIMD flavours)", () => {
  const dir = mkdtempSync(join(tmpdir(), "recurrent-wasm-test-"));
  try {
    execFileSync(process.execPath, ["scripts/build-wasm.mjs", dir], { stdio: "pipe" });
    for (const flavour of ["baseline", "relaxed"] as const) {
      const fresh = readFileSync(join(dir, `kernels-${flavour}.wasm`));
      const embedded = kernelBytes(flavour);
      assert.equal(embedded.length, fresh.length, `${flavour}: sizes differ: npm run build:wasm`);
      assert.ok(Buffer.from(embedded).equals(fresh), `${flavour}: stale bytes: npm run build:wasm`);
    }
    assert.equal(
      readFileSync(join(dir, "kernels.generated.ts"), "utf8"),
      readFileSync("src/backend/wasm/kernels.generated.ts", "utf8"),
    );
    assert.ok(
      WebAssembly.validate(kernelBytes("baseline")),
      "the baseline module does not validate",
    );
    assert.ok(
      WebAssembly.validate(unshared(kernelBytes("baseline"))),
      "unshared does not validate",
    );
    // Node 20 needs V8's relaxed-SIMD flag, which pickFlavour sets; newer runtimes have it on.
    assert.equal(pickFlavour(), process.env.RECURRENT_SIMD === "baseline" ? "baseline" : "relaxed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
