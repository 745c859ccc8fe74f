/**
 * Beam search and greedy decoding over a step function (the decoder of a seq2seq model).
 *
 * A hypothesis Y = y_1 … y_t is the tokens generated after bos, eos included once emitted:
 *
 *   log P(Y) = Σ_i log p(y_i | bos, y_<i)
 *   score(Y) = log P(Y) / lp(Y),   lp(Y) = ((5 + |Y|) / 6)^α     (GNMT, Wu et al. 2016, §7)
 *
 * where |Y| counts every generated token, eos included and bos not. α = `lengthPenalty`
 * (default 0: score = log P); α > 0 favours longer outputs.
 *
 * Each step extends the n live hypotheses in one `step` call (lastTokens [n] → logProbs [n, V],
 * row-major, log-softmax already applied) and keeps the best k − f of the n·V candidates by
 * log P (k = beamSize, f = hypotheses finished so far; ties go to the lower token id, then the
 * lower parent index). A candidate ending in eos leaves the beam as finished; the others stay
 * live and `reorder(state, parents)` gathers their rows of the state. Live hypotheses still
 * there at maxLength end as unfinished (`finished: false`, |Y| = maxLength). Tokens with
 * log-probability −∞ are never chosen.
 *
 * The search stops when nothing is live, at maxLength, or once no live hypothesis can beat the
 * nBest-th best finished one: log-probabilities are ≤ 0, so a descendant of a live hypothesis
 * scores at most its log P / max lp over the lengths still reachable. The first nBest results
 * (default 1) are therefore exactly those of a search run to the end; later ones are the other
 * hypotheses finished by then. With nBest = beamSize the whole list is final.
 *
 * `beamSearch` searches for one source sentence (the initial state holds one row);
 * `beamSearchBatch` runs N independent searches in lockstep, so that each step is one `step` call
 * over the live rows of every unfinished search (search 0's rows first, then search 1's, …) and
 * each reorder one gather. Every search makes exactly the choices, and stops exactly when, it
 * would alone; a search that has stopped contributes no rows.
 *
 * @example
 * const [best] = beamSearch({
 *   initialState: encoderState, bos: BOS, eos: EOS, beamSize: 5, maxLength: 40, vocabSize: V,
 *   lengthPenalty: 0.6,
 *   step: (last, s) => decoderStep(last, s),          // → { logProbs: Float32Array [n·V], state }
 *   reorder: (s, parents) => selectRows(s, parents),
 * });
 * best.tokens; // e.g. [17, 4, 92, EOS]
 */

export interface StepOutput<S> {
  /** log p(v | prefix) for each live row: [n, vocabSize] row-major, each row log-softmaxed. */
  logProbs: ArrayLike<number>;
  /** The state after consuming lastTokens, one row per live hypothesis. */
  state: S;
}

export type StepFunction<S> = (lastTokens: Int32Array, state: S) => StepOutput<S>;

export interface DecodeOptions<S> {
  /** The decoder state before bos, for one row (one source sentence). */
  initialState: S;
  step: StepFunction<S>;
  bos: number;
  eos: number;
  /** The most tokens a hypothesis may generate, eos included (≥ 1). */
  maxLength: number;
  vocabSize: number;
  /** α of lp(Y) = ((5 + |Y|) / 6)^α; default 0 (plain log-probability). */
  lengthPenalty?: number;
}

export interface BeamSearchOptions<S> extends DecodeOptions<S> {
  /** Rows `parents` of a state that `step` returned (not called when nothing moved). */
  reorder(state: S, parents: Int32Array): S;
  beamSize: number;
  /** How many of the best results must be final before stopping early; default 1. */
  nBest?: number;
}

export interface Hypothesis {
  /** Generated tokens after bos, ending in eos when finished. */
  tokens: number[];
  logProb: number;
  /** logProb / lp(tokens.length). */
  score: number;
  /** false when maxLength was reached without eos. */
  finished: boolean;
}

interface Live {
  tokens: number[];
  logProb: number;
}

function checkInteger(fn: string, name: string, v: number, min: number, max = Infinity): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${fn}: expected ${name} to be an integer ${range}, got ${v}`);
  }
}

/** Validates the shared options; returns lp(len) for len = 0 … maxLength. */
function checkDecodeOptions<S>(fn: string, o: DecodeOptions<S>): Float64Array {
  if (typeof o !== "object" || o === null) throw new Error(`${fn}: expected an options object`);
  if (typeof o.step !== "function") throw new Error(`${fn}: expected step to be a function`);
  checkInteger(fn, "vocabSize", o.vocabSize, 1);
  checkInteger(fn, "maxLength", o.maxLength, 1);
  checkInteger(fn, "bos", o.bos, 0, o.vocabSize - 1);
  checkInteger(fn, "eos", o.eos, 0, o.vocabSize - 1);
  const alpha = o.lengthPenalty ?? 0;
  if (!Number.isFinite(alpha))
    throw new Error(`${fn}: expected lengthPenalty to be a finite number, got ${alpha}`);
  return Float64Array.from({ length: o.maxLength + 1 }, (_, len) => ((5 + len) / 6) ** alpha);
}

/** Checks one step's output: n·V values, no NaN, none above 0 (beyond rounding), a finite one per row. */
function checkStep<S>(fn: string, out: StepOutput<S>, n: number, V: number): ArrayLike<number> {
  const logProbs = out?.logProbs;
  if (!logProbs || typeof logProbs.length !== "number")
    throw new Error(
      `${fn}: expected step to return { logProbs: Float32Array [n·vocabSize], state }, got logProbs ${typeof logProbs} (for a Tensor pass tensor.data)`,
    );
  if (logProbs.length !== n * V)
    throw new Error(
      `${fn}: step returned ${logProbs.length} log-probabilities for ${n} live hypothes${n === 1 ? "is" : "es"}, expected ${n} × ${V} = ${n * V} ([n, vocabSize] row-major)`,
    );
  for (let i = 0; i < n; i++) {
    let finite = false;
    for (let v = 0; v < V; v++) {
      const x = logProbs[i * V + v];
      if (Number.isNaN(x) || x > 1e-4)
        throw new Error(
          `${fn}: expected log-probabilities (≤ 0, log-softmax applied), got ${x} at row ${i}, token ${v}`,
        );
      finite ||= x > -Infinity;
    }
    if (!finite) throw new Error(`${fn}: row ${i} of logProbs is −∞ everywhere`);
  }
  return logProbs;
}

interface Candidate {
  logProb: number;
  token: number;
  parent: number;
}

const better = (a: Candidate, b: Candidate): number =>
  b.logProb - a.logProb || a.token - b.token || a.parent - b.parent;

/**
 * The best m of the n·V extensions, reading row `offset + parent` of logProbs; a row contributes
 * at most m, so each row is cut first.
 */
function topCandidates(
  live: Live[],
  logProbs: ArrayLike<number>,
  V: number,
  m: number,
  offset = 0,
) {
  const pool: Candidate[] = [];
  live.forEach((h, parent) => {
    const row: Candidate[] = [];
    const base = (offset + parent) * V;
    for (let token = 0; token < V; token++) {
      const logProb = h.logProb + logProbs[base + token];
      if (logProb === -Infinity || (row.length === m && logProb <= row[m - 1].logProb)) continue;
      let j = row.length;
      while (j > 0 && row[j - 1].logProb < logProb) j--; // equal stays first: lower token id
      row.splice(j, 0, { logProb, token, parent });
      if (row.length > m) row.pop();
    }
    pool.push(...row);
  });
  return pool.sort(better).slice(0, m);
}

/** Inserts after every result with a score ≥ h's (ties keep the order they finished in). */
function insertResult(results: Hypothesis[], h: Hypothesis): void {
  let lo = 0;
  let hi = results.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (results[mid].score >= h.score) lo = mid + 1;
    else hi = mid;
  }
  results.splice(lo, 0, h);
}

export interface BatchBeamSearchOptions<S> extends BeamSearchOptions<S> {
  /** The number of searches N: initialState holds one row per source sentence. */
  batchSize: number;
}

interface Search {
  live: Live[];
  results: Hypothesis[];
  done: boolean;
}

/** Up to beamSize hypotheses, best score first (see the module header for when it stops). */
export function beamSearch<S>(options: BeamSearchOptions<S>): Hypothesis[] {
  return runBeams("beamSearch", { ...options, batchSize: 1 })[0];
}

/** N searches in lockstep (see the module header): one result list per source row. */
export function beamSearchBatch<S>(options: BatchBeamSearchOptions<S>): Hypothesis[][] {
  return runBeams("beamSearchBatch", options);
}

function runBeams<S>(fn: string, options: BatchBeamSearchOptions<S>): Hypothesis[][] {
  const lp = checkDecodeOptions(fn, options);
  const { step, bos, eos, maxLength, vocabSize: V, beamSize: k, nBest = 1, batchSize } = options;
  checkInteger(fn, "beamSize", k, 1);
  checkInteger(fn, "nBest", nBest, 1, k);
  checkInteger(fn, "batchSize", batchSize, 1);
  if (typeof options.reorder !== "function")
    throw new Error(`${fn}: expected reorder(state, parents) to be a function`);
  // lpMax[t] = max lp over the lengths t … maxLength; lpMin likewise (for a log P rounded above 0).
  const lpMax = Float64Array.from(lp);
  const lpMin = Float64Array.from(lp);
  for (let t = maxLength - 1; t >= 0; t--) {
    lpMax[t] = Math.max(lp[t], lpMax[t + 1]);
    lpMin[t] = Math.min(lp[t], lpMin[t + 1]);
  }
  const ceiling = (L: number, t: number) => L / (L > 0 ? lpMin[t + 1] : lpMax[t + 1]);
  const searches: Search[] = Array.from({ length: batchSize }, () => ({
    live: [{ tokens: [], logProb: 0 }],
    results: [],
    done: false,
  }));
  let state = options.initialState;
  for (let t = 1; t <= maxLength; t++) {
    const active = searches.filter((s) => !s.done);
    const n = active.reduce((sum, s) => sum + s.live.length, 0);
    const last = Int32Array.from(
      active.flatMap((s) => s.live),
      (h) => (h.tokens.length > 0 ? h.tokens.at(-1)! : bos),
    );
    const out = step(last, state);
    const logProbs = checkStep(fn, out, n, V);
    const parents: number[] = [];
    let offset = 0;
    for (const s of active) {
      const next: Live[] = [];
      const rows: number[] = [];
      for (const c of topCandidates(s.live, logProbs, V, k - s.results.length, offset)) {
        const tokens = [...s.live[c.parent].tokens, c.token];
        if (c.token === eos || t === maxLength) {
          const score = c.logProb / lp[t];
          insertResult(s.results, { tokens, logProb: c.logProb, score, finished: c.token === eos });
        } else {
          next.push({ tokens, logProb: c.logProb });
          rows.push(offset + c.parent);
        }
      }
      offset += s.live.length;
      const bar = s.results.length >= nBest ? s.results[nBest - 1].score : -Infinity;
      if (next.length === 0 || next.every((h) => ceiling(h.logProb, t) < bar)) {
        s.done = true;
        s.live = [];
        continue;
      }
      s.live = next;
      parents.push(...rows);
    }
    if (parents.length === 0) break;
    const moved = parents.length !== n || parents.some((p, i) => p !== i);
    state = moved ? options.reorder(out.state, Int32Array.from(parents)) : out.state;
  }
  return searches.map((s) => s.results);
}

/**
 * Picks the most likely token at every step (ties: the lower id) until eos or maxLength; the
 * same hypothesis as beamSearch with beamSize 1.
 */
export function greedyDecode<S>(options: DecodeOptions<S>): Hypothesis {
  const fn = "greedyDecode";
  const lp = checkDecodeOptions(fn, options);
  const { step, bos, eos, maxLength, vocabSize: V } = options;
  const tokens: number[] = [];
  let logProb = 0;
  let state = options.initialState;
  let last = bos;
  for (let t = 1; t <= maxLength; t++) {
    const out = step(Int32Array.of(last), state);
    const logProbs = checkStep(fn, out, 1, V);
    let best = -Infinity;
    for (let v = 0; v < V; v++) {
      const total = logProb + logProbs[v];
      if (total > best) [best, last] = [total, v];
    }
    logProb = best;
    tokens.push(last);
    state = out.state;
    if (last === eos) break;
  }
  return { tokens, logProb, score: logProb / lp[tokens.length], finished: last === eos };
}
