import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator } from "../../src/index.js";
import { sampleToken } from "../../src/tasks/sampling.js";

function histogram(logits: number[], n: number, options: Parameters<typeof sampleToken>[1]) {
  const g = new Generator(7);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleToken(logits, { ...options, generator: g })]++;
  return counts.map((c) => c / n);
}

describe("sampleToken", () => {
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];

  test("temperature 0 is argmax, ties to the lower id", () => {
    assert.equal(sampleToken([0.1, 2, 2, -1], { temperature: 0 }), 1);
  });

  test("temperature 1 draws from softmax(logits)", () => {
    const f = histogram(logits, 20000, {});
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) =>
      assert.ok(Math.abs(f[i] - p) < 0.015, `${i}: ${f[i]}`),
    );
  });

  test("temperature 0.5 sharpens: p ∝ p0^2", () => {
    const sq = [0.25, 0.09, 0.0225, 0.0025];
    const z = sq.reduce((a, b) => a + b, 0);
    const f = histogram(logits, 20000, { temperature: 0.5 });
    sq.forEach((p, i) => assert.ok(Math.abs(f[i] - p / z) < 0.015, `${i}: ${f[i]} vs ${p / z}`));
  });

  test("topK 2 renormalises over the two most likely", () => {
    const f = histogram(logits, 20000, { topK: 2 });
    assert.equal(f[2] + f[3], 0);
    assert.ok(Math.abs(f[0] - 0.625) < 0.015, `${f[0]}`);
  });

  test("topP 0.7 keeps the smallest prefix reaching 0.7 (0.5 + 0.3)", () => {
    const f = histogram(logits, 20000, { topP: 0.7 });
    assert.equal(f[2] + f[3], 0);
    assert.ok(Math.abs(f[1] - 0.375) < 0.015, `${f[1]}`);
    // A tiny topP still keeps the most likely token.
    assert.equal(sampleToken(logits, { topP: 1e-9, generator: new Generator(1) }), 0);
  });

  test("a seed reproduces the draws", () => {
    const draw = (seed: number) => {
      const g = new Generator(seed);
      return Array.from({ length: 50 }, () => sampleToken(logits, { generator: g, topK: 3 }));
    };
    assert.deepEqual(draw(3), draw(3));
    assert.notDeepEqual(draw(3), draw(4));
  });

  test("bad options name the option and the value", () => {
    assert.throws(() => sampleToken(logits, { temperature: -1 }), /temperature >= 0, got -1/);
    assert.throws(() => sampleToken(logits, { topK: 9 }), /topK 9 exceeds the vocabulary size 4/);
    assert.throws(() => sampleToken(logits, { topP: 0 }), /topP in \(0, 1\], got 0/);
    assert.throws(() => sampleToken([], {}), /at least one logit/);
  });
});
