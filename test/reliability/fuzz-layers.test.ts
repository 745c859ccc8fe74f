/**
 * Property test of every nn layer over random shapes and options (fast-check): Linear, Embedding,
 * Dropout, RNN/LSTM/GRU (layers, directions, batchFirst, projSize, inter-layer dropout, unbatched,
 * padded or packed input, initial states), the three cells, and Bahdanau/Luong attention. Sizes
 * are mostly valid and sometimes not (0, −1, 2.5, a mismatched feature size, an id past the
 * table, an empty mask row). Each case runs on the default backend and on the reference backend
 * (the oracle), forward and backward, and must either
 *   - give outputs of the shapes worked out here independently, matching the reference within
 *     float tolerance, with matching gradients, or
 *   - throw a plain Error (no TypeError/RangeError from inside), the same one on both backends.
 *
 * RECURRENT_FUZZ_RUNS (default 300; `npm run fuzz` runs 10,000) and RECURRENT_FUZZ_SEED.
 *
 * @example
 * RECURRENT_FUZZ_RUNS=20000 node scripts/run-tests.mjs test/reliability/fuzz-layers.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { setBackend, type BackendName } from "../../src/backend/registry.js";
import { nn, randn, tensor, utils, type Tensor } from "../../src/index.js";
import { Generator, manualSeed } from "../../src/tensor/random.js";
import { PackedSequence } from "../../src/utils/rnn/packed-sequence.js";

const RUNS = Number(process.env.RECURRENT_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.RECURRENT_FUZZ_SEED ?? 1);
const ENGINE_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError];

/** Mostly a valid size, sometimes not. */
const size = (max = 5) =>
  fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: 1, max }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 2.5) },
  );
/** A feature size fed to a layer: usually the one it expects. */
const fed = fc.oneof(
  { weight: 20, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant(1) },
);

const spec = fc.oneof(
  fc.record({
    kind: fc.constant("linear" as const),
    inF: size(),
    outF: size(),
    bias: fc.boolean(),
    lead: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    off: fed,
  }),
  fc.record({
    kind: fc.constant("embedding" as const),
    n: size(8),
    dim: size(),
    // Fractions of the table size, so that ids and paddingIdx are mostly in range; `past` is not.
    paddingIdx: fc.option(fc.double({ min: -1, max: 0.999, noNaN: true }), { nil: undefined }),
    ids: fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 8 }),
    past: fc.oneof(
      { weight: 20, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constant(1) },
    ),
    rows: fc.constantFrom(1, 2),
  }),
  fc.record({
    kind: fc.constant("dropout" as const),
    p: fc.oneof(
      { weight: 15, arbitrary: fc.constantFrom(0, 0.3, 0.5, 0.9) },
      { weight: 1, arbitrary: fc.constantFrom(1, 1.5, -0.1) },
    ),
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constantFrom("rnn" as const, "lstm" as const, "gru" as const),
    input: size(),
    hidden: size(),
    layers: fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 1, max: 3 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    bias: fc.boolean(),
    batchFirst: fc.boolean(),
    bidirectional: fc.boolean(),
    dropout: fc.constantFrom(0, 0, 0.4),
    proj: fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 5 }) },
    ),
    relu: fc.boolean(),
    form: fc.constantFrom("padded" as const, "packed" as const, "unbatched" as const),
    T: fc.integer({ min: 1, max: 5 }),
    B: fc.integer({ min: 1, max: 4 }),
    lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
    h0: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom("none" as const, "given" as const) },
      { weight: 1, arbitrary: fc.constant("wrong" as const) },
    ),
    off: fed,
  }),
  fc.record({
    kind: fc.constantFrom("rnnCell" as const, "lstmCell" as const, "gruCell" as const),
    input: size(),
    hidden: size(),
    bias: fc.boolean(),
    relu: fc.boolean(),
    B: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    h0: fc.boolean(),
    off: fed,
  }),
  fc.record({
    kind: fc.constantFrom("bahdanau" as const, "luong-dot" as const, "luong-general" as const),
    q: size(),
    k: size(),
    B: fc.integer({ min: 1, max: 3 }),
    S: fc.integer({ min: 1, max: 5 }),
    // luong-dot needs keyDim == queryDim: usually given, sometimes not.
    sameDims: fc.oneof(
      { weight: 10, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    emptyRow: fc.oneof(
      { weight: 20, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    mask: fc.option(
      fc.array(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), {
        minLength: 3,
        maxLength: 3,
      }),
      {
        nil: undefined,
      },
    ),
    off: fed,
  }),
);
type Spec = typeof spec extends fc.Arbitrary<infer S> ? S : never;

interface Run {
  outputs: Tensor[];
  /** The shapes the outputs must have, worked out from the spec alone. */
  shapes: number[][];
  /** Tensors whose gradients are compared. */
  leaves: Tensor[];
}

const rand = (shape: number[], g: Generator, grad = true): Tensor => {
  const t = randn(shape, { generator: g });
  t.requiresGrad = grad;
  return t;
};

/** Builds and runs `s` on the current backend (see the file header). */
function run(s: Spec, seed: number): Run {
  manualSeed(seed);
  const g = new Generator(seed + 1);
  switch (s.kind) {
    case "linear": {
      const m = new nn.Linear(s.inF, s.outF, { bias: s.bias });
      const x = rand([...s.lead, s.inF + s.off], g);
      return {
        outputs: [m.forward(x)],
        shapes: [[...s.lead, s.outF]],
        leaves: [x, ...m.parameters()],
      };
    }
    case "embedding": {
      const n = Number.isInteger(s.n) && s.n > 0 ? s.n : 1;
      const at = (u: number) => Math.floor(u * n) + s.past * n;
      const m = new nn.Embedding(s.n, s.dim, {
        paddingIdx: s.paddingIdx === undefined ? undefined : at(s.paddingIdx),
      });
      const shape = s.rows === 2 && s.ids.length % 2 === 0 ? [2, s.ids.length / 2] : [s.ids.length];
      const ids = tensor(s.ids.map(at), { shape, dtype: "int32" });
      return { outputs: [m.forward(ids)], shapes: [[...shape, s.dim]], leaves: m.parameters() };
    }
    case "dropout": {
      const x = rand(s.shape, g);
      const m = new nn.Dropout(s.p);
      manualSeed(seed + 2);
      return { outputs: [m.forward(x)], shapes: [s.shape], leaves: [x] };
    }
    case "rnn":
    case "lstm":
    case "gru": {
      const options = {
        inputSize: s.input,
        hiddenSize: s.hidden,
        numLayers: s.layers,
        bias: s.bias,
        batchFirst: s.batchFirst,
        bidirectional: s.bidirectional,
        dropout: s.layers > 1 ? s.dropout : 0, // PyTorch warns of dropout on one layer
      };
      const m =
        s.kind === "lstm"
          ? new nn.LSTM({ ...options, projSize: s.proj })
          : s.kind === "rnn"
            ? new nn.RNN({ ...options, nonlinearity: s.relu ? "relu" : "tanh" })
            : new nn.GRU(options);
      const D = s.bidirectional ? 2 : 1;
      const P = s.kind === "lstm" && s.proj > 0 ? s.proj : s.hidden;
      const I = s.input + s.off;
      const lengths = s.lengths.slice(0, s.B).map((l) => Math.min(l, s.T));
      const T = s.form === "packed" ? Math.max(...lengths) : s.T;
      const batched = s.form !== "unbatched";
      const x = rand(batched ? (s.batchFirst ? [s.B, T, I] : [T, s.B, I]) : [T, I], g);
      const stateShape = (n: number) => (batched ? [s.layers * D, s.B, n] : [s.layers * D, n]);
      const wrong = s.h0 === "wrong" ? 1 : 0;
      const h0 = s.h0 === "none" ? undefined : rand(stateShape(P + wrong), g);
      const c0 = s.h0 === "none" ? undefined : rand(stateShape(s.hidden), g);
      const hx = s.kind === "lstm" ? h0 && ([h0, c0!] as [Tensor, Tensor]) : h0;
      manualSeed(seed + 2); // inter-layer dropout draws from here on both backends
      const input =
        s.form === "packed"
          ? utils.rnn.packPaddedSequence(x, lengths, {
              batchFirst: s.batchFirst,
              enforceSorted: false,
            })
          : x;
      const [out, state] = (m as nn.LSTM).forward(input as Tensor, hx as [Tensor, Tensor]);
      const states = Array.isArray(state) ? state : [state as unknown as Tensor];
      const outTensor = out instanceof PackedSequence ? out.data : out;
      const sum = lengths.reduce((a, b) => a + b, 0);
      const outShape =
        s.form === "packed"
          ? [sum, D * P]
          : batched
            ? s.batchFirst
              ? [s.B, T, D * P]
              : [T, s.B, D * P]
            : [T, D * P];
      const shapes = [outShape, stateShape(P)];
      if (s.kind === "lstm") shapes.push(stateShape(s.hidden));
      const leaves = [
        x,
        ...m.parameters(),
        ...(h0 ? [h0] : []),
        ...(s.kind === "lstm" && c0 ? [c0] : []),
      ];
      return { outputs: [outTensor, ...states], shapes, leaves };
    }
    case "rnnCell":
    case "lstmCell":
    case "gruCell": {
      const options = { inputSize: s.input, hiddenSize: s.hidden, bias: s.bias };
      const lead = s.B === undefined ? [] : [s.B];
      const x = rand([...lead, s.input + s.off], g);
      const h = s.h0 ? rand([...lead, s.hidden], g) : undefined;
      if (s.kind === "lstmCell") {
        const m = new nn.LSTMCell(options);
        const c = h && rand([...lead, s.hidden], g);
        const [h1, c1] = m.forward(x, h && [h, c!]);
        return {
          outputs: [h1, c1],
          shapes: [
            [...lead, s.hidden],
            [...lead, s.hidden],
          ],
          leaves: [x, ...m.parameters()],
        };
      }
      const m =
        s.kind === "rnnCell"
          ? new nn.RNNCell({ ...options, nonlinearity: s.relu ? "relu" : "tanh" })
          : new nn.GRUCell(options);
      return {
        outputs: [m.forward(x, h)],
        shapes: [[...lead, s.hidden]],
        leaves: [x, ...m.parameters(), ...(h ? [h] : [])],
      };
    }
    default: {
      const k = s.kind === "luong-dot" && s.sameDims ? s.q : s.k;
      const m = nn.createAttention(s.kind, { queryDim: s.q, keyDim: k });
      const q = rand([s.B, s.q + s.off], g);
      const keys = rand([s.B, s.S, k], g);
      const rows = s.mask?.slice(0, s.B).map((r, b) => {
        const row = r.slice(0, s.S).map(Number);
        if (s.emptyRow && b === 0) return row.map(() => 0);
        if (!row.includes(1)) row[b % s.S] = 1;
        return row;
      });
      const { context, weights } = m.forward(q, keys, rows ? tensor(rows) : null);
      return {
        outputs: [context, weights],
        shapes: [
          [s.B, k],
          [s.B, s.S],
        ],
        leaves: [q, keys, ...m.parameters()],
      };
    }
  }
}

type Outcome =
  | { error: Error }
  | { values: number[][]; grads: (number[] | null)[]; shapes: number[][]; expected: number[][] };

/** `run`, then backward of a fixed random projection of every output, on backend `name`. */
function outcome(name: BackendName, s: Spec, seed: number): Outcome {
  const previous = setBackend(name);
  try {
    const r = run(s, seed);
    const g = new Generator(seed + 3);
    let loss: Tensor | null = null;
    for (const o of r.outputs) {
      const w = randn(o.shape, { generator: g });
      const term = o.mul(w).sum();
      loss = loss ? loss.add(term) : term;
    }
    if (loss && loss.requiresGrad) loss.backward();
    return {
      values: r.outputs.map((o) => Array.from(o.data)),
      grads: r.leaves.map((l) => (l.grad ? Array.from(l.grad.data) : null)),
      shapes: r.outputs.map((o) => [...o.shape]),
      expected: r.shapes,
    };
  } catch (e) {
    if (!(e instanceof Error) || ENGINE_ERRORS.some((E) => e instanceof E))
      throw new Error(
        `${name}: not a clean Error for ${JSON.stringify(s)}: ${(e as Error)?.stack ?? String(e)}`,
      );
    return { error: e };
  } finally {
    setBackend(previous);
  }
}

function close(a: number[], b: number[], atol: number, rtol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: ${a.length} vs ${b.length} values`);
  for (let i = 0; i < a.length; i++) {
    const ok =
      Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]) ||
      (Number.isNaN(a[i]) && Number.isNaN(b[i]));
    assert.ok(ok, `${what}[${i}]: ${a[i]} vs reference ${b[i]}`);
  }
}

const tally = { cases: 0, errors: 0 };

function check(s: Spec, seed: number): void {
  tally.cases++;
  const fast = outcome("wasm", s, seed);
  const ref = outcome("reference", s, seed);
  if ("error" in ref || "error" in fast) {
    assert.ok(
      "error" in ref && "error" in fast,
      `one backend threw: ${JSON.stringify({ fast: "error" in fast ? fast.error.message : "ok", ref: "error" in ref ? ref.error.message : "ok" })}`,
    );
    assert.equal(fast.error.message, ref.error.message);
    assert.ok(fast.error.message.length > 10, `a terse error: ${fast.error.message}`);
    tally.errors++;
    if (process.env.RECURRENT_PRINT_ERRORS)
      console.log(`ERR\t${fast.error.message.replace(/[0-9]+/g, "N").slice(0, 90)}`);
    return;
  }
  assert.deepEqual(ref.shapes, ref.expected, "reference output shapes");
  assert.deepEqual(fast.shapes, ref.expected, "output shapes");
  fast.values.forEach((v, i) => close(v, ref.values[i], 1e-4, 1e-4, `output ${i}`));
  fast.grads.forEach((g, i) => {
    assert.equal(g === null, ref.grads[i] === null, `gradient ${i} present on one backend only`);
    if (g) close(g, ref.grads[i]!, 5e-4, 2e-3, `gradient ${i}`);
  });
}

test(`nn layers: ${RUNS} random shapes and options agree with the reference or fail cleanly`, (t) => {
  fc.assert(
    fc.property(spec, fc.integer({ min: 0, max: 2 ** 30 }), (s, seed) => check(s, seed)),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  t.diagnostic(`${tally.cases} layer cases, ${tally.errors} of them refused with a clean Error`);
  assert.ok(tally.errors < tally.cases / 2, "most cases should be valid");
});
