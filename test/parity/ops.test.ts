/**
 * Op parity with PyTorch (fixtures from gen_ops.py): forward values and the input gradients of
 * L = Σ_k ⟨out_k, g_k⟩ for fixed random upstream gradients g_k, within 1e-5. Integer outputs
 * (indices of max/min, argmax) must match exactly, ties included.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as ops from "../../src/ops/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

interface Case {
  op: string;
  args: Record<string, unknown>;
  inputs: FixtureTensor[];
  requires: boolean[];
  outs: FixtureTensor[];
  gouts: (FixtureTensor | null)[];
  grads: (FixtureTensor | null)[];
}

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type OpFn = (xs: Tensor[], a: Args) => Tensor | Tensor[];

const binary = (f: (a: Tensor | number, b: Tensor | number) => Tensor): OpFn => {
  return ([x, y], a) =>
    a.scalar === undefined ? f(x, y) : a.side === "right" ? f(x, a.scalar) : f(a.scalar, x);
};
const unary =
  (f: (x: Tensor) => Tensor): OpFn =>
  ([x]) =>
    f(x);
const reduceDims = (f: (x: Tensor, dim?: number | number[], keepdim?: boolean) => Tensor): OpFn => {
  return ([x], a) => (a.dim === null ? f(x) : f(x, a.dim, a.keepdim));
};

/** Our function for each op name in the fixtures. */
const table: Record<string, OpFn> = {
  add: binary(ops.add),
  sub: binary(ops.sub),
  mul: binary(ops.mul),
  div: binary(ops.div),
  pow: binary(ops.pow),
  maximum: binary(ops.maximum),
  minimum: binary(ops.minimum),
  neg: unary(ops.neg),
  exp: unary(ops.exp),
  log: unary(ops.log),
  tanh: unary(ops.tanh),
  sigmoid: unary(ops.sigmoid),
  relu: unary(ops.relu),
  sqrt: unary(ops.sqrt),
  abs: unary(ops.abs),
  sin: unary(ops.sin),
  cos: unary(ops.cos),
  clamp: ([x], a) => ops.clamp(x, a.min, a.max),
  where: ([c, x, y]) => ops.where(c, x, y),
  maskedFill: ([x, m], a) => ops.maskedFill(x, m, a.value),
  sum: reduceDims(ops.sum),
  mean: reduceDims(ops.mean),
  max: ([x], a) => ops.max(x, a.dim, a.keepdim),
  min: ([x], a) => ops.min(x, a.dim, a.keepdim),
  maxAll: ([x]) => x.max(),
  minAll: ([x]) => x.min(),
  argmax: ([x], a) => (a.dim === null ? ops.argmax(x) : ops.argmax(x, a.dim, a.keepdim)),
  argmin: ([x], a) => (a.dim === null ? ops.argmin(x) : ops.argmin(x, a.dim, a.keepdim)),
  softmax: ([x], a) => ops.softmax(x, a.dim),
  logSoftmax: ([x], a) => ops.logSoftmax(x, a.dim),
  logsumexp: ([x], a) => ops.logsumexp(x, a.dim, a.keepdim),
  matmul: ([x, y]) => ops.matmul(x, y),
  bmm: ([x, y]) => ops.bmm(x, y),
  gather: ([x, i], a) => ops.gather(x, a.dim, i),
  indexSelect: ([x, i], a) => ops.indexSelect(x, a.dim, i),
  flip: ([x], a) => ops.flip(x, a.dims),
  cat: (xs, a) => ops.cat(xs, a.dim),
  stack: (xs, a) => ops.stack(xs, a.dim),
  chunk: ([x], a) => ops.chunk(x, a.chunks, a.dim),
  split: ([x], a) => ops.split(x, a.size, a.dim),
  narrow: ([x], a) => ops.narrow(x, a.dim, a.start, a.length),
  slice: ([x], a) => ops.slice(x, a.dim, a.start ?? undefined, a.end ?? undefined),
  select: ([x], a) => ops.select(x, a.dim, a.index),
  repeat: ([x], a) => ops.repeat(x, a.repeats),
  expand: ([x], a) => ops.expand(x, a.shape),
  permute: ([x], a) => ops.permute(x, a.dims),
  transpose: ([x], a) => ops.transpose(x, a.dim0, a.dim1),
};

const report = new ParityReport();
after(() => report.print("ops parity vs PyTorch 1.13"));

function runCase(group: string, c: Case, k: number): void {
  const what = `${group}[${k}] ${c.op} ${JSON.stringify(c.args)} on ${c.inputs.map((t) => `[${t.shape}]`).join(", ")}`;
  const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: c.requires[i] }));
  const fn = table[c.op];
  assert.ok(fn, `no TypeScript op for fixture op ${c.op}`);
  const result = fn(inputs, c.args);
  const outs = Array.isArray(result) ? result : [result];
  assert.equal(outs.length, c.outs.length, `${what}: number of outputs`);
  let loss: Tensor | null = null;
  outs.forEach((out, i) => {
    const expected = c.outs[i];
    if (expected.dtype === "int32") {
      assert.equal(out.dtype, "int32", `${what}: output ${i} dtype`);
      assert.deepEqual([...out.shape], expected.shape, `${what}: output ${i} shape`);
      assert.deepEqual(Array.from(out.data), expected.data, `${what}: output ${i} (indices)`);
      return;
    }
    report.add(`${c.op} forward`, assertClose(out, expected, 1e-5, `${what}: output ${i}`));
    const g = c.gouts[i];
    if (g && out.requiresGrad) {
      const term = out.mul(fromFixture(g)).sum();
      loss = loss ? loss.add(term) : term;
    }
  });
  if (loss !== null) (loss as Tensor).backward();
  c.grads.forEach((expected, i) => {
    if (expected === null) return;
    const grad = inputs[i].grad;
    assert.ok(grad, `${what}: input ${i} got no gradient`);
    report.add(`${c.op} grad`, assertClose(grad, expected, 1e-5, `${what}: grad of input ${i}`));
  });
}

for (const group of ["ops_elementwise", "ops_reduction", "ops_linalg", "ops_movement"]) {
  describe(`parity: ${group}`, () => {
    const cases = loadFixture<Case[]>(group);
    const byOp = new Map<string, [Case, number][]>();
    cases.forEach((c, k) => byOp.set(c.op, [...(byOp.get(c.op) ?? []), [c, k]]));
    for (const [op, list] of byOp) {
      test(`${op} (${list.length} cases)`, () => {
        for (const [c, k] of list) runCase(group, c, k);
      });
    }
  });
}
