// The fused layers (one tape node per layer and direction) against the composed cells unrolled
// step by step (a graph of small differentiable ops): forward values and every gradient, for
// every mode, several layers, both directions, projections, and shrinking packed batch sizes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cat, manualSeed, narrow, nn, randn, select, stack, type Tensor } from "../../src/index.js";
import { linear } from "../../src/ops/index.js";
import { maxAbsDiff } from "../helpers.js";

type Kind = "rnnTanh" | "rnnRelu" | "lstm" | "lstmProj" | "gru";

interface Result {
  output: Tensor;
  hN: Tensor;
  cN: Tensor | null;
}

function makeLayer(kind: Kind, numLayers: number, bidirectional: boolean, bias = true): nn.RNNBase {
  const base = { inputSize: 3, hiddenSize: 5, numLayers, bidirectional, bias };
  if (kind === "rnnTanh") return new nn.RNN(base);
  if (kind === "rnnRelu") return new nn.RNN({ ...base, nonlinearity: "relu" });
  if (kind === "gru") return new nn.GRU(base);
  return new nn.LSTM({ ...base, projSize: kind === "lstmProj" ? 2 : 0 });
}

/** The same computation as forwardPacked, built from cell steps, one small graph per step. */
function composed(
  m: nn.RNNBase,
  data: Tensor,
  batchSizes: number[],
  h0: Tensor,
  c0: Tensor | null,
): Result {
  const sd = m.stateDict();
  const D = m.numDirections;
  const B = batchSizes[0];
  const offsets = batchSizes.map((_, t) => batchSizes.slice(0, t).reduce((a, b) => a + b, 0));
  let layerInput = data;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const outs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const w = (key: string) => sd[`${key}_l${l}${d === 1 ? "_reverse" : ""}`] ?? null;
      const [wIh, wHh, bIh, bHh, wHr] = [
        "weight_ih",
        "weight_hh",
        "bias_ih",
        "bias_hh",
        "weight_hr",
      ].map(w);
      let h = select(h0, 0, l * D + d); // [B, P]
      let c = c0 ? select(c0, 0, l * D + d) : null; // [B, H]
      const rows: Tensor[] = [];
      const steps = batchSizes.map((_, t) => (d === 1 ? batchSizes.length - 1 - t : t));
      // Sequences that have ended (or, in reverse, not yet begun) keep their rows of h untouched.
      const keepTail = (next: Tensor, prev: Tensor, bs: number) =>
        bs < B ? cat([next, narrow(prev, 0, bs, B - bs)], 0) : next;
      for (const t of steps) {
        const bs = batchSizes[t];
        const x = narrow(layerInput, 0, offsets[t], bs); // [bs, in]
        const hp = narrow(h, 0, 0, bs);
        let hNext: Tensor;
        if (m.mode === "lstm") {
          const [hc, cNext] = nn.lstmCellStep(x, hp, narrow(c!, 0, 0, bs), wIh!, wHh!, bIh, bHh);
          hNext = wHr ? linear(hc, wHr) : hc;
          c = keepTail(cNext, c!, bs);
        } else if (m.mode === "gru") {
          hNext = nn.gruCellStep(x, hp, wIh!, wHh!, bIh, bHh);
        } else {
          hNext = nn.rnnCellStep(
            x,
            hp,
            wIh!,
            wHh!,
            bIh,
            bHh,
            m.mode === "rnnRelu" ? "relu" : "tanh",
          );
        }
        rows[t] = hNext;
        h = keepTail(hNext, h, bs);
      }
      outs.push(cat(rows, 0)); // [N, P], time order
      hs.push(h);
      if (c) cs.push(c);
    }
    layerInput = D === 1 ? outs[0] : cat(outs, 1);
  }
  return { output: layerInput, hN: stack(hs, 0), cN: c0 ? stack(cs, 0) : null };
}

/** Runs fn, backpropagates Σ out·R1 + Σ hN·R2 (+ Σ cN·R3) and returns values and gradients. */
function runWithGrads(m: nn.RNNBase, leaves: Tensor[], fn: () => Result, R: Tensor[]): Tensor[] {
  m.zeroGrad();
  for (const x of leaves) x.grad = null;
  const r = fn();
  const outs = [r.output, r.hN, ...(r.cN ? [r.cN] : [])];
  outs
    .map((o, k) => o.mul(R[k]).sum())
    .reduce((a, b) => a.add(b))
    .backward();
  return [...outs, ...m.parameters().map((p) => p.grad!), ...leaves.map((x) => x.grad!)];
}

function compare(
  kind: Kind,
  numLayers: number,
  bidirectional: boolean,
  batchSizes: number[],
  bias = true,
): void {
  manualSeed(11);
  const m = makeLayer(kind, numLayers, bidirectional, bias);
  const N = batchSizes.reduce((a, b) => a + b, 0);
  const B = batchSizes[0];
  const LD = numLayers * m.numDirections;
  const data = randn([N, 3], { requiresGrad: true });
  const h0 = randn([LD, B, m.outSize], { requiresGrad: true });
  const c0 = m.mode === "lstm" ? randn([LD, B, m.hiddenSize], { requiresGrad: true }) : null;
  const leaves = c0 ? [data, h0, c0] : [data, h0];
  const R = [
    randn([N, m.numDirections * m.outSize]),
    randn([LD, B, m.outSize]),
    randn([LD, B, m.hiddenSize]),
  ];
  const fused = runWithGrads(m, leaves, () => m.forwardPacked(data, batchSizes, h0, c0), R);
  const oracle = runWithGrads(m, leaves, () => composed(m, data, batchSizes, h0, c0), R);
  assert.equal(fused.length, oracle.length);
  const names = [
    "output",
    "hN",
    ...(c0 ? ["cN"] : []),
    ...m.namedParameters().map(([k]) => `grad ${k}`),
    "grad input",
    "grad h0",
    "grad c0",
  ];
  fused.forEach((f, i) => {
    assert.deepEqual(f.shape, oracle[i].shape, names[i]);
    const err = maxAbsDiff(f, oracle[i]);
    assert.ok(
      err <= 1e-5,
      `${kind} L${numLayers} ${bidirectional ? "bi" : "uni"} [${batchSizes}]: ${names[i]} differs by ${err}`,
    );
  });
  // The oracle must itself be non-trivial: gradients reach every parameter.
  for (const [key, p] of m.namedParameters())
    assert.ok(
      p.grad!.data.some((v) => v !== 0),
      `${key} got no gradient`,
    );
}

const kinds: Kind[] = ["rnnTanh", "rnnRelu", "lstm", "lstmProj", "gru"];

describe("fused recurrent layers reproduce the composed cells", () => {
  for (const kind of kinds) {
    test(`${kind}: one layer, padded batch`, () => compare(kind, 1, false, [3, 3, 3, 3]));
    test(`${kind}: two layers, bidirectional, padded batch`, () =>
      compare(kind, 2, true, [2, 2, 2]));
    test(`${kind}: three layers, bidirectional, shrinking packed batch, no bias`, () =>
      compare(kind, 3, true, [4, 4, 3, 1, 1], false));
    test(`${kind}: one layer, reverse only matters with packing`, () =>
      compare(kind, 1, true, [3, 2, 2, 1]));
  }
});
