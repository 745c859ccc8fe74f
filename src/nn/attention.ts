/**
 * Attention of one query per batch row (a decoder state) over a sequence of keys (encoder
 * outputs), with the PyTorch tutorials' parameter names so that their state dicts load unchanged:
 *
 *   Bahdanau, additive ("Translation with a Sequence to Sequence Network and Attention"):
 *     e_s = Va(tanh(Wa(q) + Ua(k_s)))   Wa = Linear(Hq, A), Ua = Linear(Hk, A), Va = Linear(A, 1)
 *   Luong "dot" (the chatbot tutorial's Attn):   e_s = q · k_s             (needs Hq = Hk)
 *   Luong "general":                             e_s = q · attn(k_s)       attn = Linear(Hk, Hq)
 *
 *   a = softmax_s(e, with e_s = −∞ where mask_s = 0)        c = Σ_s a_s k_s
 *
 * Shapes: query q [B, Hq], keys k [B, S, Hk], mask [B, S] (1 valid, 0 padding; float32 or int32)
 * → context c [B, Hk], weights a [B, S]. Masked positions get weight exactly 0. A row whose mask
 * is all 0 is an error, raised by `prepare`: softmax over no position is undefined (PyTorch's
 * masked_fill(−inf) gives NaN weights there).
 *
 * The key side (Ua(k), attn(k)) does not depend on the query, so `prepare(keys, mask)` computes it
 * once per source batch, and each decoder step's `attend(query, prepared)` costs one [B, Hq]×[Hq, A]
 * matmul (Bahdanau; none for Luong) plus elementwise ops, the scores and the context. `forward`
 * is `attend(q, prepare(k, mask))`. A prepared batch of 1 serves any number of query rows (beam
 * search over one source); `prepared.indexSelect(rows)` reorders or repeats source rows.
 *
 * @example
 * const attn = nn.createAttention("bahdanau", { queryDim: 32, keyDim: 64 });
 * const keys = attn.prepare(encoderOutputs, mask);    // [B, S, 64], [B, S]
 * const { context, weights } = attn.attend(h, keys);  // h [B, 32] → [B, 64], [B, S]
 */
import { add, eq, maskedFill, tanh } from "../ops/elementwise.js";
import { indexSelect } from "../ops/indexing.js";
import { matmul } from "../ops/linalg.js";
import { reshape, unsqueeze } from "../ops/movement.js";
import { softmax } from "../ops/reduction.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

export type AttentionKind = "bahdanau" | "luong-dot" | "luong-general";
export type LuongMethod = "dot" | "general";

export interface AttentionOptions {
  /** Size Hq of the query (the decoder's hidden size). */
  queryDim: number;
  /** Size Hk of each key (the encoder's output size); default queryDim. */
  keyDim?: number;
  /** Size A of Bahdanau's hidden layer; default queryDim. Luong scores live in the query space,
   * so there it may only be omitted or equal queryDim. */
  attnDim?: number;
}

export interface LuongAttentionOptions extends AttentionOptions {
  method: LuongMethod;
}

export interface AttentionOutput {
  /** Σ_s a_s k_s, [B, Hk]. */
  context: Tensor;
  /** a, [B, S]; each row sums to 1 over its valid positions. */
  weights: Tensor;
}

/** The query-independent half of an attention, made by `Attention.prepare`. */
export class PreparedKeys {
  constructor(
    readonly attention: Attention,
    /** k, [B, S, Hk]. */
    readonly keys: Tensor,
    /** The key side of the score: Ua(k) [B, S, A], attn(k) [B, S, Hq], or k itself (dot). */
    readonly projected: Tensor,
    /** 1 where the mask is 0, [B, S]; null without a mask. */
    readonly padding: Tensor | null,
  ) {}

  get batchSize(): number {
    return this.keys.shape[0];
  }

  get length(): number {
    return this.keys.shape[1];
  }

  /** Source rows `rows` (repeats allowed), e.g. to follow beam-search parents. Differentiable. */
  indexSelect(rows: ArrayLike<number> | Tensor): PreparedKeys {
    const index =
      rows instanceof Tensor
        ? rows
        : new Tensor(Int32Array.from(rows as ArrayLike<number>), [rows.length]);
    const keys = indexSelect(this.keys, 0, index);
    const projected = this.projected === this.keys ? keys : indexSelect(this.projected, 0, index);
    const padding = this.padding && indexSelect(this.padding, 0, index);
    return new PreparedKeys(this.attention, keys, projected, padding);
  }
}

function checkDim(owner: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${owner}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** What Bahdanau and Luong attention share: validation, masking, softmax and the context. */
export abstract class Attention extends Module {
  readonly queryDim: number;
  readonly keyDim: number;

  protected constructor(options: AttentionOptions) {
    super();
    const name = new.target.name;
    if (typeof options !== "object" || options === null)
      throw new Error(`${name}: expected an options object { queryDim, keyDim?, attnDim? }`);
    this.queryDim = checkDim(name, "queryDim", options.queryDim);
    this.keyDim = checkDim(name, "keyDim", options.keyDim ?? options.queryDim);
  }

  /** The key side of the score, [B, S, ·]. */
  protected abstract projectKeys(keys: Tensor): Tensor;

  /** Unmasked scores e [B, S] from q [Bq, Hq] and the projected keys [Bp, S, ·]. */
  protected abstract scores(query: Tensor, projected: Tensor): Tensor;

  /** Projects keys [B, S, Hk] once; mask [B, S] has 1 for valid positions and 0 for padding. */
  prepare(keys: Tensor, mask: Tensor | null = null): PreparedKeys {
    const name = this.constructor.name;
    if (!(keys instanceof Tensor))
      throw new Error(`${name}: expected keys to be a Tensor, got ${typeof keys}`);
    if (keys.dim() !== 3 || keys.shape[2] !== this.keyDim || keys.shape[1] < 1) {
      throw new Error(
        `${name}: expected keys [B, S, ${this.keyDim}] (keyDim ${this.keyDim}, S ≥ 1), got ${formatShape(keys.shape)}`,
      );
    }
    const [B, S] = keys.shape;
    return new PreparedKeys(this, keys, this.projectKeys(keys), mask && this.padding(mask, B, S));
  }

  private padding(mask: Tensor, B: number, S: number): Tensor {
    const name = this.constructor.name;
    if (!(mask instanceof Tensor))
      throw new Error(`${name}: expected mask to be a Tensor, got ${typeof mask}`);
    if (mask.dim() !== 2 || mask.shape[0] !== B || mask.shape[1] !== S) {
      throw new Error(
        `${name}: expected mask [${B}, ${S}] to match keys [B, S], got ${formatShape(mask.shape)}`,
      );
    }
    for (let b = 0; b < B; b++) {
      let valid = 0;
      for (let s = 0; s < S; s++) {
        const m = mask.data[b * S + s];
        if (m !== 0 && m !== 1)
          throw new Error(
            `${name}: mask must hold 1 (valid) or 0 (padding), got ${m} at [${b}, ${s}]`,
          );
        valid += m;
      }
      if (valid === 0)
        throw new Error(
          `${name}: mask row ${b} has no valid position; attention over no key is undefined`,
        );
    }
    return eq(mask, 0);
  }

  /** One decoder step: q [Bq, Hq] against prepared keys of batch Bq (or 1). */
  attend(query: Tensor, prepared: PreparedKeys): AttentionOutput {
    const name = this.constructor.name;
    if (!(prepared instanceof PreparedKeys) || prepared.attention !== this)
      throw new Error(`${name}: attend needs keys made by this module's prepare(keys, mask)`);
    if (!(query instanceof Tensor))
      throw new Error(`${name}: expected query to be a Tensor, got ${typeof query}`);
    const Bp = prepared.batchSize;
    if (
      query.dim() !== 2 ||
      query.shape[1] !== this.queryDim ||
      (query.shape[0] !== Bp && Bp !== 1)
    ) {
      throw new Error(
        `${name}: expected query [${Bp === 1 ? "B" : Bp}, ${this.queryDim}] (keys' batch ${Bp}, queryDim ${this.queryDim}), got ${formatShape(query.shape)}`,
      );
    }
    const B = query.shape[0];
    let e = this.scores(query, prepared.projected); // [B, S]
    if (prepared.padding) e = maskedFill(e, prepared.padding, -Infinity);
    const a = softmax(e, 1);
    const c = matmul(unsqueeze(a, 1), prepared.keys); // [B, 1, S]·[Bp, S, Hk] → [B, 1, Hk]
    return { context: reshape(c, [B, this.keyDim]), weights: a };
  }

  forward(query: Tensor, keys: Tensor, mask: Tensor | null = null): AttentionOutput {
    return this.attend(query, this.prepare(keys, mask));
  }
}

/** Additive attention, the translation tutorial's BahdanauAttention (keys Wa, Ua, Va). */
export class BahdanauAttention extends Attention {
  readonly attnDim: number;
  Wa: Linear;
  Ua: Linear;
  Va: Linear;

  constructor(options: AttentionOptions) {
    super(options);
    this.attnDim = checkDim("BahdanauAttention", "attnDim", options.attnDim ?? options.queryDim);
    this.Wa = new Linear(this.queryDim, this.attnDim);
    this.Ua = new Linear(this.keyDim, this.attnDim);
    this.Va = new Linear(this.attnDim, 1);
  }

  protected projectKeys(keys: Tensor): Tensor {
    return this.Ua.forward(keys); // [B, S, A]
  }

  protected scores(query: Tensor, projected: Tensor): Tensor {
    const q = unsqueeze(this.Wa.forward(query), 1); // [Bq, 1, A]
    const e = this.Va.forward(tanh(add(q, projected))); // [B, S, 1]
    return reshape(e, e.shape.slice(0, 2));
  }
}

/** Multiplicative attention, the chatbot tutorial's Attn with method "dot" or "general". */
export class LuongAttention extends Attention {
  readonly method: LuongMethod;
  /** W, b of the "general" score (state-dict keys attn.weight, attn.bias); null for "dot". */
  attn: Linear | null;

  constructor(options: LuongAttentionOptions) {
    super(options);
    const { method, attnDim } = options;
    if (method !== "dot" && method !== "general")
      throw new Error(`LuongAttention: method must be "dot" or "general", got ${String(method)}`);
    if (attnDim !== undefined && attnDim !== this.queryDim) {
      throw new Error(
        `LuongAttention: attnDim must be omitted or equal queryDim (${this.queryDim}): Luong scores live in the query space; got ${attnDim}`,
      );
    }
    if (method === "dot" && this.keyDim !== this.queryDim) {
      throw new Error(
        `LuongAttention: method "dot" needs keyDim == queryDim, got keyDim ${this.keyDim} and queryDim ${this.queryDim} (use "general")`,
      );
    }
    this.method = method;
    this.attn = method === "general" ? new Linear(this.keyDim, this.queryDim) : null;
  }

  protected projectKeys(keys: Tensor): Tensor {
    return this.attn ? this.attn.forward(keys) : keys; // [B, S, Hq]
  }

  protected scores(query: Tensor, projected: Tensor): Tensor {
    const e = matmul(projected, unsqueeze(query, 2)); // [Bp, S, Hq]·[Bq, Hq, 1] → [B, S, 1]
    return reshape(e, e.shape.slice(0, 2));
  }

  override extraRepr(): string {
    return `method='${this.method}'`;
  }
}

/** `new BahdanauAttention(options)` or `new LuongAttention({ ...options, method })` by name. */
export function createAttention(kind: AttentionKind, options: AttentionOptions): Attention {
  switch (kind) {
    case "bahdanau":
      return new BahdanauAttention(options);
    case "luong-dot":
      return new LuongAttention({ ...options, method: "dot" });
    case "luong-general":
      return new LuongAttention({ ...options, method: "general" });
    default:
      throw new Error(
        `createAttention: kind must be "bahdanau", "luong-dot" or "luong-general", got ${String(kind)}`,
      );
  }
}
