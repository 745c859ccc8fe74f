import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator } from "../../src/index.js";
import {
  beamSearch,
  greedyDecode,
  type Hypothesis,
  type StepFunction,
} from "../../src/tasks/seq2seq/beam.js";

/** A decoder stand-in: its step, the matching reorder, and the number of rows of each call. */
interface Model<S> {
  initialState: S;
  step: StepFunction<S>;
  reorder: (state: S, parents: Int32Array) => S;
  calls: number[];
}

function logSoftmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const lse = m + Math.log(logits.reduce((s, x) => s + Math.exp(x - m), 0));
  return logits.map((x) => x - lse);
}

/** Next-token log-probs from a fixed [V, V] table indexed by the last token (state unused). */
function lastTokenModel(table: number[][]): Model<null> {
  const V = table.length;
  const rows = table.map((r) => Float32Array.from(r));
  const calls: number[] = [];
  return {
    initialState: null,
    calls,
    step: (last) => {
      calls.push(last.length);
      const out = new Float32Array(last.length * V);
      last.forEach((tok, i) => out.set(rows[tok], i * V));
      return { logProbs: out, state: null };
    },
    reorder: (s) => s,
  };
}

function randomTable(V: number, seed: number, eosBias = 0, eos = 1): number[][] {
  const g = new Generator(seed);
  return Array.from({ length: V }, () =>
    logSoftmax(Array.from({ length: V }, (_, v) => g.normal() + (v === eos ? eosBias : 0))),
  );
}

/**
 * Log-probs that depend on the whole prefix (through a hash), with the prefix as the per-row
 * state: a wrong reorder or a mixed-up row gives different numbers. Asserts the batch contract.
 */
function prefixModel(V: number, seed: number, eos: number, eosBias = 0): Model<number[][]> {
  const calls: number[] = [];
  return {
    initialState: [[]],
    calls,
    step: (last, state) => {
      calls.push(last.length);
      assert.ok(last instanceof Int32Array);
      assert.equal(state.length, last.length, "one state row per live hypothesis");
      const out = new Float32Array(last.length * V);
      const next = state.map((prefix, i) => {
        assert.ok(prefix.length === 0 || last[i] !== eos, "a finished hypothesis was extended");
        const p = [...prefix, last[i]];
        let h = seed >>> 0;
        for (const tok of p) h = Math.imul(h ^ (tok + 1), 16777619) >>> 0;
        const g = new Generator(h);
        const lp = logSoftmax(
          Array.from({ length: V }, (_, v) => g.normal() + (v === eos ? eosBias : 0)),
        );
        out.set(lp, i * V);
        return p;
      });
      return { logProbs: out, state: next };
    },
    reorder: (state, parents) => Array.from(parents, (p) => state[p]),
  };
}

const lpOf = (len: number, alpha: number) => ((5 + len) / 6) ** alpha;

/** Every sequence a search can return: eos-terminated up to maxLength, or maxLength without eos. */
function bruteForce<S>(
  m: Model<S>,
  o: { bos: number; eos: number; V: number; maxLength: number; alpha: number },
) {
  const all: Hypothesis[] = [];
  const walk = (tokens: number[], logProb: number, state: S) => {
    const last = tokens.length > 0 ? tokens.at(-1)! : o.bos;
    const out = m.step(Int32Array.of(last), state);
    for (let v = 0; v < o.V; v++) {
      const lp = logProb + out.logProbs[v];
      if (lp === -Infinity) continue;
      const t = [...tokens, v];
      if (v === o.eos || t.length === o.maxLength)
        all.push({
          tokens: t,
          logProb: lp,
          score: lp / lpOf(t.length, o.alpha),
          finished: v === o.eos,
        });
      else walk(t, lp, out.state);
    }
  };
  walk([], 0, m.initialState);
  return all.sort((a, b) => b.score - a.score);
}

/** The same beam rule written plainly: one row per call, every candidate sorted. */
function naiveBeam<S>(
  m: Model<S>,
  o: { bos: number; eos: number; V: number; maxLength: number; alpha: number; k: number },
) {
  const results: Hypothesis[] = [];
  let live = [{ tokens: [] as number[], logProb: 0, state: m.initialState }];
  for (let t = 1; t <= o.maxLength && live.length > 0; t++) {
    const cands: { logProb: number; token: number; parent: number; state: S }[] = [];
    live.forEach((h, parent) => {
      const out = m.step(Int32Array.of(h.tokens.at(-1) ?? o.bos), h.state);
      for (let token = 0; token < o.V; token++) {
        const logProb = h.logProb + out.logProbs[token];
        if (logProb > -Infinity) cands.push({ logProb, token, parent, state: out.state });
      }
    });
    cands.sort((a, b) => b.logProb - a.logProb || a.token - b.token || a.parent - b.parent);
    const next: typeof live = [];
    for (const c of cands.slice(0, o.k - results.length)) {
      const tokens = [...live[c.parent].tokens, c.token];
      if (c.token === o.eos || t === o.maxLength) {
        const score = c.logProb / lpOf(t, o.alpha);
        results.push({ tokens, logProb: c.logProb, score, finished: c.token === o.eos });
      } else next.push({ tokens, logProb: c.logProb, state: c.state });
    }
    live = next;
  }
  return results.sort((a, b) => b.score - a.score);
}

const search = <S>(
  m: Model<S>,
  o: {
    bos: number;
    eos: number;
    V: number;
    maxLength: number;
    alpha: number;
    k: number;
    nBest?: number;
  },
) =>
  beamSearch({
    initialState: m.initialState,
    step: m.step,
    reorder: m.reorder,
    bos: o.bos,
    eos: o.eos,
    vocabSize: o.V,
    maxLength: o.maxLength,
    lengthPenalty: o.alpha,
    beamSize: o.k,
    nBest: o.nBest,
  });

describe("beamSearch", () => {
  for (const [V, maxLength] of [
    [4, 4],
    [3, 5],
  ]) {
    for (const alpha of [0, 1, -0.5]) {
      test(`a beam of V^L = ${V ** maxLength} finds every sequence, ranked as brute force (α ${alpha})`, () => {
        const o = { bos: 0, eos: 1, V, maxLength, alpha, k: V ** maxLength };
        const expected = bruteForce(prefixModel(V, 5, 1), o);
        const m = prefixModel(V, 5, 1);
        const got = search(m, { ...o, nBest: o.k });
        assert.deepEqual(got, expected);
        assert.equal(m.calls[0], 1);
        // nBest 1 stops as soon as the best is settled: the same winner, no more work
        const early = prefixModel(V, 5, 1);
        const first = search(early, o);
        assert.deepEqual(first[0], expected[0]);
        assert.ok(early.calls.length <= m.calls.length);
        for (const h of first)
          assert.ok(expected.some((e) => JSON.stringify(e) === JSON.stringify(h)));
      });
    }
  }

  test("nBest 1 stops early when eos is likely, with the same best hypothesis", () => {
    const o = { bos: 0, eos: 1, V: 5, maxLength: 8, alpha: 0, k: 4 };
    const full = prefixModel(5, 9, 1, 1.5);
    const early = prefixModel(5, 9, 1, 1.5);
    const all = search(full, { ...o, nBest: 4 });
    const best = search(early, o);
    assert.deepEqual(best[0], all[0]);
    assert.ok(
      early.calls.length < full.calls.length,
      `${early.calls.length} < ${full.calls.length} steps`,
    );
  });

  for (const k of [2, 3, 5]) {
    for (const alpha of [0, 0.6, 1.5]) {
      test(`a pruned beam of ${k} matches the plain one-row-at-a-time rule (α ${alpha})`, () => {
        for (const seed of [1, 2, 3]) {
          const o = { bos: 2, eos: 1, V: 6, maxLength: 7, alpha, k };
          const expected = naiveBeam(prefixModel(6, seed, 1, 0.5), o);
          const m = prefixModel(6, seed, 1, 0.5);
          assert.deepEqual(search(m, { ...o, nBest: k }), expected);
          assert.ok(m.calls.every((n) => n >= 1 && n <= k));
          assert.deepEqual(search(prefixModel(6, seed, 1, 0.5), o)[0], expected[0]);
          const table = randomTable(6, seed, 0.5);
          assert.deepEqual(
            search(lastTokenModel(table), { ...o, nBest: k }),
            naiveBeam(lastTokenModel(table), o),
          );
        }
      });
    }
  }

  test("ties go to the lower token id, then the lower parent index", () => {
    const uniform = Array.from({ length: 3 }, () => [0, 0, 0].map(() => Math.log(1 / 3)));
    const o = { bos: 0, eos: 2, V: 3, maxLength: 2, alpha: 0, k: 2, nBest: 2 };
    // step 1 keeps tokens 0 and 1 of 0, 1, 2; step 2's six equal candidates: token 0 of parent 0, then of parent 1
    const got = search(lastTokenModel(uniform), o);
    assert.deepEqual(
      got.map((h) => h.tokens),
      [
        [0, 0],
        [1, 0],
      ],
    );
    assert.equal(got[0].score, got[1].score);
  });

  test("beamSize 1 is greedy decoding", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const alpha of [0, 1]) {
        const o = { bos: 0, eos: 3, V: 5, maxLength: 6, alpha, k: 1 };
        const m = prefixModel(5, seed, 3, seed % 2 === 0 ? 1 : -1);
        const greedy = greedyDecode({
          ...m,
          bos: 0,
          eos: 3,
          vocabSize: 5,
          maxLength: 6,
          lengthPenalty: alpha,
        });
        const reorder = () => assert.fail("nothing moves in a beam of one");
        assert.deepEqual(
          search({ ...prefixModel(5, seed, 3, seed % 2 === 0 ? 1 : -1), reorder }, o),
          [greedy],
        );
      }
    }
  });

  test("the length penalty re-ranks a short and a long hypothesis (|Y| counts eos)", () => {
    // bos 0, a 1, eos 2: [eos] has p 0.5; [a, eos] has p 0.5 · 0.9 = 0.45
    const L = (p: number) => Math.log(p);
    const table = [
      [-Infinity, L(0.5), L(0.5)],
      [-Infinity, L(0.1), L(0.9)],
      [-Infinity, L(0.5), L(0.5)],
    ];
    const o = { bos: 0, eos: 2, V: 3, maxLength: 10, k: 2 };
    const plain = search(lastTokenModel(table), { ...o, alpha: 0, nBest: 2 });
    assert.deepEqual(
      plain.map((h) => h.tokens),
      [[2], [1, 2]],
    );
    const long = search(lastTokenModel(table), { ...o, alpha: 1, nBest: 2 });
    assert.deepEqual(
      long.map((h) => h.tokens),
      [[1, 2], [2]],
    );
    const logProb = Math.fround(L(0.5)) + Math.fround(L(0.9));
    assert.equal(long[0].logProb, logProb);
    assert.equal(long[0].score, logProb / (7 / 6));
    assert.equal(long[1].score, Math.fround(L(0.5)));
    assert.deepEqual(search(lastTokenModel(table), { ...o, alpha: 1 })[0].tokens, [1, 2]);
  });

  test("eos: first-step eos, no eos within maxLength, bos equal to eos, −∞ tokens never chosen", () => {
    const L = Math.log;
    const eosFirst = [
      [-Infinity, L(0.3), L(0.7)],
      [-Infinity, L(0.3), L(0.7)],
      [-Infinity, L(0.3), L(0.7)],
    ];
    const o = { bos: 0, eos: 2, V: 3, maxLength: 5, alpha: 0, k: 3 };
    const [best] = search(lastTokenModel(eosFirst), o);
    assert.deepEqual(best, {
      tokens: [2],
      logProb: Math.fround(L(0.7)),
      score: Math.fround(L(0.7)),
      finished: true,
    });
    const never = [
      [L(0.4), L(0.6), -Infinity],
      [L(0.4), L(0.6), -Infinity],
      [L(0.4), L(0.6), -Infinity],
    ];
    const results = search(lastTokenModel(never), { ...o, nBest: 3 });
    assert.equal(results.length, 3);
    for (const h of results) {
      assert.equal(h.finished, false);
      assert.equal(h.tokens.length, 5);
      assert.ok(!h.tokens.includes(2));
    }
    assert.deepEqual(results[0].tokens, [1, 1, 1, 1, 1]);
    const g = greedyDecode({
      ...lastTokenModel(never),
      bos: 0,
      eos: 2,
      vocabSize: 3,
      maxLength: 5,
    });
    assert.deepEqual(g.tokens, [1, 1, 1, 1, 1]);
    assert.equal(g.finished, false);
    const same = search(lastTokenModel(eosFirst), { ...o, bos: 2 });
    assert.deepEqual(same[0].tokens, [2]);
    // random rows with token 2 forbidden: the exhaustive beam still agrees with brute force
    const forbidden = randomTable(3, 4).map((r) =>
      logSoftmax(r.map((x, v) => (v === 2 ? -Infinity : x))),
    );
    const expected = bruteForce(lastTokenModel(forbidden), { ...o, maxLength: 3 });
    assert.equal(expected.length, 8);
    assert.deepEqual(
      search(lastTokenModel(forbidden), { ...o, maxLength: 3, k: 27, nBest: 27 }),
      expected,
    );
  });

  test("bad options and bad step outputs say what was expected and what came", () => {
    const m = lastTokenModel(randomTable(4, 1));
    const base = { ...m, bos: 0, eos: 1, vocabSize: 4, maxLength: 5, beamSize: 2 };
    const cases: [Partial<typeof base> & Record<string, unknown>, RegExp][] = [
      [{ beamSize: 0 }, /beamSearch: expected beamSize to be an integer ≥ 1, got 0/],
      [{ beamSize: 1.5 }, /expected beamSize to be an integer ≥ 1, got 1.5/],
      [{ maxLength: 0 }, /expected maxLength to be an integer ≥ 1, got 0/],
      [{ vocabSize: 0 }, /expected vocabSize to be an integer ≥ 1, got 0/],
      [{ eos: 4 }, /expected eos to be an integer in \[0, 3\], got 4/],
      [{ bos: -1 }, /expected bos to be an integer in \[0, 3\], got -1/],
      [{ nBest: 3 }, /expected nBest to be an integer in \[1, 2\], got 3/],
      [{ lengthPenalty: NaN }, /expected lengthPenalty to be a finite number, got NaN/],
      [{ reorder: undefined }, /expected reorder\(state, parents\) to be a function/],
      [
        { step: () => ({ logProbs: new Float32Array(3), state: null }) },
        /step returned 3 log-probabilities for 1 live hypothesis, expected 1 × 4 = 4 \(\[n, vocabSize\] row-major\)/,
      ],
      [
        { step: () => ({ logProbs: { shape: [1, 4] } as unknown as Float32Array, state: null }) },
        /expected step to return \{ logProbs: Float32Array/,
      ],
      [
        { step: () => ({ logProbs: Float32Array.of(-1, 2.5, -1, -1), state: null }) },
        /expected log-probabilities \(≤ 0, log-softmax applied\), got 2.5 at row 0, token 1/,
      ],
      [
        { step: () => ({ logProbs: Float32Array.of(-1, NaN, -1, -1), state: null }) },
        /got NaN at row 0, token 1/,
      ],
      [
        { step: () => ({ logProbs: new Float32Array(4).fill(-Infinity), state: null }) },
        /row 0 of logProbs is −∞ everywhere/,
      ],
    ];
    for (const [patch, message] of cases)
      assert.throws(() => beamSearch({ ...base, ...patch } as typeof base), message);
    // a wrong row count shows up on the second step, with the live count in the message
    const twoRowsThenOne: StepFunction<null> = (last) => ({
      logProbs:
        last.length === 1
          ? Float32Array.from(logSoftmax([0, -5, 0.1, 0]))
          : new Float32Array(4).fill(-1.4),
      state: null,
    });
    assert.throws(
      () => beamSearch({ ...base, step: twoRowsThenOne }),
      /step returned 4 log-probabilities for 2 live hypotheses, expected 2 × 4 = 8/,
    );
    assert.throws(
      () => greedyDecode({ ...base, maxLength: 0 }),
      /greedyDecode: expected maxLength to be an integer ≥ 1, got 0/,
    );
  });
});
