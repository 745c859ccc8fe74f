/** Test helpers: fixture loading and closeness assertions. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tensor, type Tensor } from "../src/index.js";

export interface FixtureTensor {
  shape: number[];
  data: number[];
  dtype?: "int32";
}

const fixtureDir = fileURLToPath(new URL("./parity/fixtures/", import.meta.url));

/** Reads test/parity/fixtures/<name>.json (written by gen_fixtures.py). */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(`${fixtureDir}${name}.json`, "utf8")) as T;
}

export function fromFixture(f: FixtureTensor, options: { requiresGrad?: boolean } = {}): Tensor {
  return tensor(f.data, {
    shape: f.shape,
    dtype: f.dtype ?? "float32",
    requiresGrad: options.requiresGrad ?? false,
  });
}

export function maxAbsDiff(
  actual: Tensor | ArrayLike<number>,
  expected: FixtureTensor | Tensor | ArrayLike<number>,
): number {
  const a =
    "data" in actual && "shape" in actual ? (actual as Tensor).data : (actual as ArrayLike<number>);
  const e =
    "data" in expected && "shape" in expected
      ? (expected as { data: ArrayLike<number> }).data
      : (expected as ArrayLike<number>);
  assert.equal(a.length, e.length, `length ${a.length} vs expected ${e.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - e[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** Asserts shape and values within `atol` (default 1e-5, the parity budget); returns the max error. */
export function assertClose(
  actual: Tensor,
  expected: FixtureTensor | Tensor,
  atol = 1e-5,
  what = "tensor",
): number {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  const err = maxAbsDiff(actual, expected);
  assert.ok(err <= atol, `${what}: max abs diff ${err} > ${atol}`);
  return err;
}

/** Records the worst parity error per label, printed once per test file (for the closing note). */
export class ParityReport {
  private worst = new Map<string, number>();
  add(label: string, err: number): void {
    this.worst.set(label, Math.max(this.worst.get(label) ?? 0, err));
  }
  print(title: string): void {
    const rows = [...this.worst].map(([k, v]) => `  ${k.padEnd(28)} ${v.toExponential(2)}`);
    console.log(`# ${title}: worst max-abs error\n${rows.join("\n")}`);
  }
}
