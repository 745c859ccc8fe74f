import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gradcheck, manualSeed, nn, randn, tensor, type Tensor } from "../../src/index.js";

const mask = tensor([1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0], { shape: [3, 4], dtype: "int32" });

/** Gradchecks context and weights with respect to query, keys and every parameter. */
function checkAttention(attn: nn.Attention, keysBatch: number, m: Tensor | null): void {
  const query = randn([3, attn.queryDim], { requiresGrad: true });
  const keys = randn([keysBatch, 4, attn.keyDim], { requiresGrad: true });
  const params = attn.parameters();
  const r = gradcheck(
    (q, k) => {
      const { context, weights } = attn.forward(q, k, m);
      return [context, weights];
    },
    [query, keys, ...params],
  );
  assert.ok(r.ok, r.message);
  for (const x of [query, keys, ...params]) assert.ok(x.grad, "every input gets a gradient");
}

const kinds: [nn.AttentionKind, nn.AttentionOptions][] = [
  ["bahdanau", { queryDim: 5, keyDim: 3, attnDim: 4 }],
  ["luong-dot", { queryDim: 4 }],
  ["luong-general", { queryDim: 5, keyDim: 3 }],
];

describe("gradcheck: attention", () => {
  for (const [kind, options] of kinds) {
    test(`${kind}: no mask`, () => {
      manualSeed(11);
      checkAttention(nn.createAttention(kind, options), 3, null);
    });

    test(`${kind}: with a padding mask`, () => {
      manualSeed(12);
      checkAttention(nn.createAttention(kind, options), 3, mask);
    });

    test(`${kind}: one source (keys batch 1) for three queries`, () => {
      manualSeed(13);
      checkAttention(nn.createAttention(kind, options), 1, mask.narrow(0, 0, 1));
    });
  }
});
