// Fused paths against the composed versions they replace, on both backends (DESIGN.md: a fused
// kernel is an optimisation whose results the composed version must reproduce):
// - softmaxCrossEntropy (nn.functional.crossEntropy on [N, C]) against the composed
//   logSoftmax → gather → weight → reduce path (taken for [N, C, 1] inputs);
// - the recurrent layer's row-table input (ops/recurrent-input.ts) against the direct input
//   projection, and the cases where it must not send gradients to the table.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  manualSeed,
  nn,
  noGrad,
  randint,
  randn,
  setBackend,
  tensor,
  type Tensor,
} from "../../src/index.js";
import type { Node } from "../../src/autograd/tape.js";

function close(label: string, a: ArrayLike<number>, b: ArrayLike<number>, rtol = 2e-5): void {
  assert.equal(a.length, b.length, `${label}: lengths`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    if (!(
      Math.abs(a[i] - b[i]) <= rtol * scale + 1e-30 ||
      (Number.isNaN(a[i]) && Number.isNaN(b[i]))
    ))
      assert.fail(`${label}[${i}]: ${a[i]} vs ${b[i]} (scale ${scale})`);
  }
}

/** The recurrentLayer nodes in the graph of `out`. */
function layerNodes(out: Tensor): Node[] {
  const found: Node[] = [];
  const stack = out.gradFn ? [out.gradFn] : [];
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.name === "recurrentLayer") found.push(n);
    for (const i of n.inputs) if (i.gradFn) stack.push(i.gradFn);
  }
  return found;
}

for (const backendName of ["reference", "wasm"] as const) {
  describe(`fused vs composed (${backendName})`, () => {
    test("crossEntropy on [N, C]: loss and gradient as the composed path", () => {
      const previous = setBackend(backendName);
      try {
        manualSeed(1);
        const [N, C] = [300, 17];
        const w = tensor(Array.from({ length: C }, (_, c) => 0.25 + (c % 5) * 0.3));
        const t = randint(0, C, [N]);
        t.data[7] = 5;
        const tIgnored = t.clone();
        tIgnored.data[3] = -100;
        for (const [options, target] of [
          [{}, tIgnored],
          [{ reduction: "sum" as const }, tIgnored],
          [{ weight: w }, tIgnored],
          [{ weight: w, reduction: "sum" as const, ignoreIndex: 5 }, t],
          [{ ignoreIndex: 5 }, t],
        ] as const) {
          const x = randn([N, C], { requiresGrad: true });
          const fused = nn.functional.crossEntropy(x, target, options);
          assert.equal(fused.gradFn?.name, "softmaxCrossEntropy");
          fused.backward();
          const x3 = x.detach().reshape([N, C, 1]).requiresGrad_();
          const composed = nn.functional.crossEntropy(x3, target.reshape([N, 1]), options);
          composed.backward();
          close(`loss ${JSON.stringify(options)}`, fused.data, composed.data, 1e-6);
          close(`grad ${JSON.stringify(options)}`, x.grad!.data, x3.grad!.data);
        }
        const all = nn.functional.crossEntropy(
          randn([4, 3]),
          tensor([1, 1, 1, 1], { dtype: "int32" }),
          {
            ignoreIndex: 1,
          },
        );
        assert.ok(Number.isNaN(all.item()), "every target ignored: mean is NaN, as in PyTorch");
      } finally {
        setBackend(previous);
      }
    });

    for (const kind of ["lstm", "gru"] as const) {
      test(`${kind} over an embedding: the row-table path reproduces the direct one`, () => {
        const previous = setBackend(backendName);
        try {
          manualSeed(2);
          const [V, E, Hd, B, T] = [7, 5, 6, 4, 9];
          const emb = new nn.Embedding(V, E, { paddingIdx: 2 });
          const opts = { inputSize: E, hiddenSize: Hd, numLayers: 2, batchFirst: true };
          const rnn = kind === "lstm" ? new nn.LSTM(opts) : new nn.GRU(opts);
          const ids = randint(0, V, [B, T]);
          ids.data[0] = 2;
          const params = [emb.weight, ...rnn.parameters()];
          const run = (direct: boolean) => {
            for (const p of params) p.grad = null;
            let x = emb.forward(ids);
            if (direct) x = x.mul(1); // same values, no row source: the direct projection
            const [out] = (rnn as nn.GRU).forward(x);
            const loss = out.mul(out).sum();
            const nodes = layerNodes(out);
            loss.backward();
            return {
              out: Float32Array.from(out.data),
              grads: params.map((p) => p.grad!.data.slice()),
              nodes,
            };
          };
          const rows = run(false);
          const direct = run(true);
          assert.equal(rows.nodes.filter((n) => n.inputs[0] === emb.weight).length, 1);
          assert.equal(direct.nodes.filter((n) => n.inputs[0] === emb.weight).length, 0);
          assert.deepEqual(rows.out, direct.out, "the forward is bit-identical");
          rows.grads.forEach((g, i) => close(`grad of parameter ${i}`, g, direct.grads[i]));
          assert.ok(
            rows.grads[0].subarray(2 * E, 3 * E).every((v) => v === 0),
            "padding row",
          );
        } finally {
          setBackend(previous);
        }
      });
    }

    test("rows that are not on the table's tape path get no table gradient", () => {
      const previous = setBackend(backendName);
      try {
        manualSeed(3);
        const emb = new nn.Embedding(5, 4);
        const lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 3 });
        const ids = randint(0, 5, [12, 2]);
        // Looked up without grad, then made a leaf that wants its own gradient.
        const x = noGrad(() => emb.forward(ids)).requiresGrad_();
        lstm.forward(x)[0].sum().backward();
        assert.equal(emb.weight.grad, null);
        assert.ok(x.grad !== null && x.grad.shape[0] === 12);
        // Detached: a constant input.
        const d = emb.forward(ids).detach();
        lstm.forward(d)[0].sum().backward();
        assert.equal(emb.weight.grad, null);
        // Storage changed after the lookup: the rows no longer match, the direct path runs.
        const m = emb.forward(ids);
        m.data[0] += 1;
        const [out] = lstm.forward(m);
        assert.notEqual(layerNodes(out)[0].inputs[0], emb.weight);
      } finally {
        setBackend(previous);
      }
    });
  });
}
