/**
 * Translating with a trained Seq2Seq: greedy decoding and beam search (beam.ts over the decoder's
 * step), both over batches of sources, plus the attention each output token paid to the source.
 *
 *   greedy   y_t = argmax_v p(v | y_<t, x), all rows of a batch stepped together; a row stops at
 *            <eos>, and finished rows leave the batch (their keys and states are dropped)
 *   beam     beamSearchBatch with beamSize k and GNMT length penalty α: the searches of a batch of
 *            sources step together, each row reading its own source's keys
 *   weights  attention[t][s] for output token t (its <eos> included) over source token s (the
 *            source's <eos> included), from a teacher-forced pass over the chosen tokens — the
 *            same numbers the search saw, without carrying histories through the beam
 *
 * Outputs are token ids without <eos>; `finished` says whether <eos> came before maxLength.
 *
 * @example
 * const [r] = translate(model, [ids], { bos, eos, maxLength: 30, beamSize: 5, withAttention: true });
 * r.tokens;      // e.g. [37, 12, 8, 54]
 * r.attention;   // [5][source length + 1]
 */
import { noGrad } from "../../autograd/tape.js";
import { logSoftmax } from "../../ops/reduction.js";
import { indexSelect } from "../../ops/indexing.js";
import { Tensor } from "../../tensor/tensor.js";
import { beamSearchBatch } from "./beam.js";
import { collatePairs } from "./batch.js";
import { selectStateRows, type DecoderMemory, type RecurrentState, type Seq2Seq } from "./model.js";

export interface TranslateOptions {
  bos: number;
  eos: number;
  /** The most tokens to generate, eos included. */
  maxLength: number;
  /** 1 (default): greedy; more: beam search. */
  beamSize?: number;
  /** GNMT α for beam search (default 0). */
  lengthPenalty?: number;
  /** Sources decoded together by greedy decoding (default 256). */
  batchSize?: number;
  /** Also return the attention weights (models with attention). */
  withAttention?: boolean;
}

export interface TranslationResult {
  /** Output ids, without eos. */
  tokens: number[];
  logProb: number;
  finished: boolean;
  /** weights[t][s] (see the module header); absent without attention or withAttention. */
  attention?: number[][];
}

/** Runs `fn` in eval mode without gradients, restoring the model's mode. */
function inference<T>(model: Seq2Seq, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    model.train(wasTraining);
  }
}

function encodeBatch(model: Seq2Seq, sources: readonly Int32Array[], bos: number) {
  const pad = 0; // any valid id: the encoder is packed and attention masks padding
  const pairs = sources.map((source, index) => ({ source, target: Int32Array.of(bos), index }));
  const batch = collatePairs(pairs, { pad, bos });
  const enc = model.encode(batch.source, batch.sourceLengths);
  return { enc, memory: model.decoder.memory(enc) };
}

function selectMemory(memory: DecoderMemory, rows: Int32Array): DecoderMemory {
  return {
    keys: memory.keys && memory.keys.indexSelect(rows),
    context: memory.context && indexSelect(memory.context, 0, new Tensor(rows, [rows.length])),
  };
}

/** Greedy decoding of a batch of sources (see the module header). */
function greedyBatch(
  model: Seq2Seq,
  sources: readonly Int32Array[],
  o: TranslateOptions,
): TranslationResult[] {
  const { enc, memory: first } = encodeBatch(model, sources, o.bos);
  const results: TranslationResult[] = sources.map(() => ({
    tokens: [],
    logProb: 0,
    finished: false,
  }));
  const V = model.config.targetVocabSize;
  let memory = first;
  let state: RecurrentState = enc.state;
  let live = Int32Array.from(sources, (_, i) => i); // row → source index
  let last = new Int32Array(sources.length).fill(o.bos);
  for (let t = 0; t < o.maxLength && live.length > 0; t++) {
    const out = model.decoder.step(memory, state, last);
    const logp = logSoftmax(out.logits, 1).data as Float32Array; // [n, V]
    const keep: number[] = [];
    const next: number[] = [];
    for (let r = 0; r < live.length; r++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (logp[r * V + v] > logp[r * V + best]) best = v;
      const res = results[live[r]];
      res.logProb += logp[r * V + best];
      if (best === o.eos) res.finished = true;
      else {
        res.tokens.push(best);
        keep.push(r);
        next.push(best);
      }
    }
    state = out.state;
    if (keep.length < live.length && keep.length > 0) {
      const rows = Int32Array.from(keep);
      memory = selectMemory(memory, rows);
      state = selectStateRows(state, rows);
    }
    live = Int32Array.from(keep, (r) => live[r]);
    last = Int32Array.from(next);
  }
  return results;
}

/** The decoder state of beam rows and the source each row belongs to. */
interface BeamState {
  rnn: RecurrentState;
  sources: Int32Array;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Beam search over a batch of sources in lockstep (beamSearchBatch). */
function beamBatch(
  model: Seq2Seq,
  sources: readonly Int32Array[],
  o: TranslateOptions,
): TranslationResult[] {
  const { enc, memory: full } = encodeBatch(model, sources, o.bos);
  let cached: { sources: Int32Array; memory: DecoderMemory } = {
    sources: Int32Array.from(sources, (_, i) => i),
    memory: full,
  };
  const hypotheses = beamSearchBatch<BeamState>({
    initialState: { rnn: enc.state, sources: cached.sources },
    batchSize: sources.length,
    bos: o.bos,
    eos: o.eos,
    maxLength: o.maxLength,
    vocabSize: model.config.targetVocabSize,
    beamSize: o.beamSize!,
    lengthPenalty: o.lengthPenalty ?? 0,
    step: (lastTokens, state) => {
      if (!sameRows(cached.sources, state.sources))
        cached = { sources: state.sources, memory: selectMemory(full, state.sources) };
      const out = model.decoder.step(cached.memory, state.rnn, lastTokens);
      const logProbs = logSoftmax(out.logits, 1).data;
      return { logProbs, state: { rnn: out.state, sources: state.sources } };
    },
    reorder: (state, parents) => ({
      rnn: selectStateRows(state.rnn, parents),
      sources: Int32Array.from(parents, (p) => state.sources[p]),
    }),
  });
  return hypotheses.map(([best]) => ({
    tokens: best.finished ? best.tokens.slice(0, -1) : best.tokens,
    logProb: best.logProb,
    finished: best.finished,
  }));
}

/** Attention weights [t][s] of the output `tokens` (eos appended when `finished`). */
function attentionOf(
  model: Seq2Seq,
  source: Int32Array,
  result: TranslationResult,
  o: TranslateOptions,
): number[][] | undefined {
  if (model.config.attention === "none") return undefined;
  const { enc, memory } = encodeBatch(model, [source], o.bos);
  const steps = result.tokens.length + (result.finished ? 1 : 0);
  if (steps === 0) return [];
  const input = new Tensor(Int32Array.from([o.bos, ...result.tokens].slice(0, steps)), [1, steps]);
  const { weights } = model.decoder.forward(memory, enc.state, input);
  const S = source.length;
  const w = weights!.data as Float32Array; // [1, steps, S]
  return Array.from({ length: steps }, (_, t) => Array.from(w.subarray(t * S, (t + 1) * S)));
}

/** Translates each source (id arrays ending in eos); see the module header. */
export function translate(
  model: Seq2Seq,
  sources: readonly Int32Array[],
  options: TranslateOptions,
): TranslationResult[] {
  const beamSize = options.beamSize ?? 1;
  if (!Number.isInteger(beamSize) || beamSize < 1)
    throw new Error(`translate: expected beamSize to be a positive integer, got ${beamSize}`);
  if (!Number.isInteger(options.maxLength) || options.maxLength < 1)
    throw new Error(`translate: expected maxLength ≥ 1, got ${options.maxLength}`);
  sources.forEach((s, i) => {
    if (s.length === 0) throw new Error(`translate: source ${i} is empty`);
  });
  return inference(model, () => {
    const results: TranslationResult[] = [];
    // Beam search keeps up to beamSize rows per source: batch fewer sources to keep rows bounded.
    const bs = Math.max(1, Math.floor((options.batchSize ?? 256) / beamSize));
    for (let i = 0; i < sources.length; i += bs) {
      const chunk = sources.slice(i, i + bs);
      results.push(
        ...(beamSize === 1
          ? greedyBatch(model, chunk, options)
          : beamBatch(model, chunk, { ...options, beamSize })),
      );
    }
    if (options.withAttention)
      results.forEach((r, i) => (r.attention = attentionOf(model, sources[i], r, options)));
    return results;
  });
}
