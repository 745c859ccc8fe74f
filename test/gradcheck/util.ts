/**
 * Shared pieces of the gradcheck suites: seeded inputs that stay away from kinks, and a `check`
 * that runs `gradcheck` and records which tape primitives the checked function really exercised,
 * so that a coverage test can prove every entry of the derivatives table was gradchecked.
 */
import assert from "node:assert/strict";
import { tensor } from "../../src/ops/index.js";
import { gradcheck, type GradcheckOptions } from "../../src/autograd/gradcheck.js";
import { Generator } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import type { Node } from "../../src/autograd/tape.js";

const gen = new Generator(2024);

/** Uniform in [lo, hi), float32, requiring grad. */
export function uniform(shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, () => lo + (hi - lo) * gen.uniform());
  return tensor(data, { shape, requiresGrad: true });
}

/** Random sign times a magnitude in [min, max): safely away from the kink at 0. */
export function signed(shape: number[], min = 0.2, max = 1.2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from(
    { length: n },
    () => (gen.uniform() < 0.5 ? -1 : 1) * (min + (max - min) * gen.uniform()),
  );
  return tensor(data, { shape, requiresGrad: true });
}

/** Distinct values (a shuffled grid with spacing 0.1), so max/min/sort never see near-ties. */
export function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = gen.integer(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return tensor(values, { shape, requiresGrad: true });
}

export function ints(values: number[], shape?: number[]): Tensor {
  return tensor(values, { shape: shape ?? [values.length], dtype: "int32" });
}

/** Primitive names (Node.name) seen in the graph of each labelled check. */
export const seen = new Map<string, Set<string>>();

function collect(outputs: Tensor[]): Set<string> {
  const names = new Set<string>();
  const stack: Node[] = outputs.flatMap((o) => (o.gradFn ? [o.gradFn] : []));
  const visited = new Set<Node>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visited.has(node)) continue;
    visited.add(node);
    names.add(node.name);
    for (const input of node.inputs) if (input.gradFn) stack.push(input.gradFn);
  }
  return names;
}

/**
 * Gradchecks `fn` at `inputs` (which must all require grad or be constants) and records the
 * primitives its graph contains under `label`.
 */
export function check(
  label: string,
  fn: (...xs: Tensor[]) => Tensor | Tensor[],
  inputs: Tensor[],
  options: GradcheckOptions = {},
): void {
  const out = fn(...inputs);
  const outs = Array.isArray(out) ? out : [out];
  const names = collect(outs);
  assert.ok(
    names.size > 0 || !inputs.some((x) => x.requiresGrad),
    `${label}: nothing was recorded on the tape`,
  );
  const prev = seen.get(label) ?? new Set<string>();
  for (const name of names) prev.add(name);
  seen.set(label, prev);
  const result = gradcheck(fn, inputs, options);
  assert.ok(result.ok, `${label}: ${result.message}`);
  // Every input that requires grad must have received a gradient of its own shape.
  for (const x of inputs) {
    if (!x.requiresGrad) continue;
    assert.ok(x.grad !== null, `${label}: an input got no gradient`);
    assert.deepEqual([...x.grad.shape], [...x.shape], `${label}: gradient shape`);
  }
}
