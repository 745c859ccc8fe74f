// Whole LSTM/GRU/RNN layers (two layers, bidirectional, with projection for the LSTM) forward and
// backward through nn on the wasm backend against the reference, with every kernel in wasm, and
// the registry that picks the default backend.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, nn, randn, type Tensor } from "../../src/index.js";
import type { Backend } from "../../src/backend/backend.js";
import { backend, setBackend } from "../../src/backend/registry.js";
import { note, ref, wasm } from "./util.js";

describe("nn layers on both backends", () => {
  type Kind = "LSTM" | "GRU" | "RNN";
  function runLayer(kind: Kind, be: Backend): { out: Float32Array[]; grads: Float32Array[] } {
    const previous = setBackend(be);
    try {
      manualSeed(3);
      const options = { inputSize: 5, hiddenSize: 9, numLayers: 2, bidirectional: true };
      const layer =
        kind === "LSTM"
          ? new nn.LSTM({ ...options, projSize: 4 })
          : kind === "GRU"
            ? new nn.GRU(options)
            : new nn.RNN({ ...options, nonlinearity: "relu" });
      const x = randn([6, 3, 5], { requiresGrad: true });
      const outputs: Tensor[] =
        layer instanceof nn.LSTM
          ? ((([o, [h, c]]) => [o, h, c])(layer.forward(x)) as Tensor[])
          : ((([o, h]) => [o, h])((layer as nn.GRU).forward(x)) as Tensor[]);
      outputs
        .map((t) => t.mul(t).sum())
        .reduce((s, t) => s.add(t))
        .backward();
      const grads = [x.grad!, ...layer.parameters().map((p) => p.grad!)];
      return {
        out: outputs.map((t) => Float32Array.from(t.data as Float32Array)),
        grads: grads.map((g) => Float32Array.from(g.data as Float32Array)),
      };
    } finally {
      setBackend(previous);
    }
  }
  for (const kind of ["LSTM", "GRU", "RNN"] as Kind[]) {
    test(`${kind}: outputs and every gradient agree within 1e-5 (relative above 1)`, () => {
      const r = runLayer(kind, ref);
      const w = runLayer(kind, wasm);
      assert.equal(backend(), backend()); // the previous backend was restored
      for (const [label, xs, ys] of [
        ["outputs", r.out, w.out],
        ["grads", r.grads, w.grads],
      ] as const) {
        assert.equal(xs.length, ys.length);
        for (let j = 0; j < xs.length; j++) {
          assert.equal(xs[j].length, ys[j].length);
          // Relative above 1: gradients of a sum of squares reach ~50 here.
          let d = 0;
          for (let i = 0; i < xs[j].length; i++) {
            d = Math.max(d, Math.abs(xs[j][i] - ys[j][i]) / Math.max(1, Math.abs(xs[j][i])));
          }
          note(`nn ${kind} ${label}`, d);
          assert.ok(d <= 1e-5, `${kind} ${label}[${j}]: max |diff| / max(1, |ref|) ${d}`);
        }
      }
    });
  }
});

describe("registry", () => {
  test("defaults to wasm, switches by name or object, rejects unknown names", () => {
    const env = process.env.RECURRENT_BACKEND;
    assert.equal(backend().name, env === "reference" ? "reference" : "wasm");
    const previous = setBackend("reference");
    try {
      assert.equal(backend(), ref);
      assert.equal(setBackend("wasm").name, "reference");
      assert.equal(backend().name, "wasm");
      assert.equal(setBackend(wasm).name, "wasm");
      assert.equal(backend(), wasm);
      assert.throws(
        () => setBackend("gpu" as "wasm"),
        /setBackend: expected "wasm", "reference" or a Backend, got gpu/,
      );
      assert.equal(backend(), wasm);
    } finally {
      setBackend(previous);
    }
  });
});
