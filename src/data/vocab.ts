/**
 * Vocab: a bijection between token strings and ids 0..length-1 (torchtext's `Vocab`, d2l's
 * `Vocab`), with special tokens and a fallback for unknown tokens.
 *
 * `Vocab.build(sentences, options)` follows torchtext's `build_vocab_from_iterator`:
 * - count every token; drop tokens seen fewer than `minFreq` times;
 * - order by frequency, most frequent first; ties by first appearance in the data (d2l's `Vocab`
 *   and `Counter.most_common`) or, with `tieBreak: "lexicographic"`, by code-point order
 *   (torchtext ≥ 0.12);
 * - `specials` (default `<unk> <pad> <bos> <eos>`) go first (or last with `specialFirst: false`);
 *   a special that also occurs in the data keeps only its special slot;
 * - `maxSize` counts the specials, like torchtext's `max_tokens`: at most `maxSize - specials`
 *   ordinary tokens are kept, and `maxSize` must exceed the number of specials.
 *
 * `encode` maps unknown tokens to `<unk>` (throws when the vocab has no unk token); `decode` maps
 * ids back and can drop specials or stop at `<eos>`. `toJSON`/`Vocab.fromJSON` round-trip the
 * vocab through JSON (`JSON.stringify(vocab)` calls `toJSON`).
 *
 * @example
 * const vocab = Vocab.build([["the", "cat"], ["the", "dog"]], { minFreq: 1 });
 * vocab.itos;                       // ["<unk>", "<pad>", "<bos>", "<eos>", "the", "cat", "dog"]
 * vocab.encode(["the", "bird"]);    // [4, 0]
 * vocab.decode([2, 4, 6, 3], { skipSpecials: true }); // ["the", "dog"]
 */

export const DEFAULT_SPECIALS: readonly string[] = ["<unk>", "<pad>", "<bos>", "<eos>"];

/** Which token plays each special role (null: none). Defaults are the four default specials. */
export interface VocabRoles {
  unkToken?: string | null;
  padToken?: string | null;
  bosToken?: string | null;
  eosToken?: string | null;
}

export interface VocabOptions extends VocabRoles {
  /** Special tokens, kept whatever their frequency. Default `<unk> <pad> <bos> <eos>`. */
  specials?: readonly string[];
}

export interface VocabBuildOptions extends VocabOptions {
  /** Keep tokens seen at least this many times (default 1). */
  minFreq?: number;
  /** Largest vocab size, specials included (torchtext's `max_tokens`). Default: no limit. */
  maxSize?: number;
  /** Put the specials before the ordinary tokens (default true), as torchtext's `special_first`. */
  specialFirst?: boolean;
  /** How equally frequent tokens are ordered (default "firstSeen"). */
  tieBreak?: "firstSeen" | "lexicographic";
}

export interface EncodeOptions {
  /** Prepend the `<bos>` id. */
  bos?: boolean;
  /** Append the `<eos>` id. */
  eos?: boolean;
}

export interface DecodeOptions {
  /** Leave out every special token (default false). */
  skipSpecials?: boolean;
  /** Stop before the first `<eos>` id (default false). */
  stopAtEos?: boolean;
}

/** The JSON form written by `toJSON` and read by `Vocab.fromJSON`. */
export interface VocabJSON {
  itos: string[];
  specials: string[];
  unkToken: string | null;
  padToken: string | null;
  bosToken: string | null;
  eosToken: string | null;
}

const ROLES = ["unkToken", "padToken", "bosToken", "eosToken"] as const;
type Role = (typeof ROLES)[number];
const ROLE_DEFAULTS: Record<Role, string> = {
  unkToken: "<unk>",
  padToken: "<pad>",
  bosToken: "<bos>",
  eosToken: "<eos>",
};

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "string") return `"${x}"`;
  return typeof x;
}

/** Code-point order, as Python compares strings (JS `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

export class Vocab {
  /** Index → token. */
  readonly itos: readonly string[];
  /** The special tokens, in the order given. */
  readonly specials: readonly string[];
  readonly unkToken: string | null;
  readonly padToken: string | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  private readonly index: Map<string, number>;
  private readonly specialIds: Set<number>;

  /**
   * A vocab with exactly these tokens, in this order. Every special must be among them; without
   * `specials`, the default specials that occur in `itos` are the specials.
   */
  constructor(itos: readonly string[], options: VocabOptions = {}) {
    if (!Array.isArray(itos))
      throw new Error(`Vocab: expected an array of tokens, got ${describe(itos)}`);
    this.index = new Map();
    itos.forEach((token, i) => {
      if (typeof token !== "string") {
        throw new Error(`Vocab: expected string tokens, got ${describe(token)} at index ${i}`);
      }
      const seen = this.index.get(token);
      if (seen !== undefined) {
        throw new Error(`Vocab: token "${token}" appears twice, at indices ${seen} and ${i}`);
      }
      this.index.set(token, i);
    });
    this.itos = Object.freeze([...itos]);
    const specials = options.specials ?? DEFAULT_SPECIALS.filter((t) => this.index.has(t));
    if (!Array.isArray(specials)) {
      throw new Error(
        `Vocab: expected specials to be an array of strings, got ${describe(specials)}`,
      );
    }
    for (const s of specials) {
      if (!this.index.has(s)) throw new Error(`Vocab: special token ${describe(s)} is not in itos`);
    }
    if (new Set(specials).size !== specials.length) {
      throw new Error(`Vocab: specials contain duplicates: ${JSON.stringify(specials)}`);
    }
    this.specials = Object.freeze([...specials]);
    this.specialIds = new Set(specials.map((s) => this.index.get(s)!));
    const roles: Record<Role, string | null> = { ...ROLE_DEFAULTS };
    for (const role of ROLES) {
      const given = options[role];
      if (given === undefined) {
        // A default role name only applies when that token is one of the specials.
        roles[role] = specials.includes(ROLE_DEFAULTS[role]) ? ROLE_DEFAULTS[role] : null;
      } else if (given === null) {
        roles[role] = null;
      } else if (typeof given !== "string" || !this.specialIds.has(this.index.get(given) ?? -1)) {
        throw new Error(
          `Vocab: ${role} must be one of the specials ${JSON.stringify(specials)} or null, got ${describe(given)}`,
        );
      } else {
        roles[role] = given;
      }
    }
    this.unkToken = roles.unkToken;
    this.padToken = roles.padToken;
    this.bosToken = roles.bosToken;
    this.eosToken = roles.eosToken;
  }

  /** torchtext's `build_vocab_from_iterator`: counts tokens over sentences (see the header). */
  static build(sentences: Iterable<Iterable<string>>, options: VocabBuildOptions = {}): Vocab {
    const counts = new Map<string, number>();
    let row = 0;
    for (const sentence of sentences) {
      if (typeof sentence === "string") {
        throw new Error(
          `Vocab.build: expected an iterable of token arrays, got a string at position ${row}; ` +
            `tokenize it first (e.g. getTokenizer("basic_english"))`,
        );
      }
      for (const token of sentence) {
        if (typeof token !== "string") {
          throw new Error(
            `Vocab.build: expected string tokens, got ${describe(token)} in sentence ${row}`,
          );
        }
        counts.set(token, (counts.get(token) ?? 0) + 1);
      }
      row++;
    }
    return Vocab.fromCounts(counts, options);
  }

  /**
   * A vocab from token counts (a Map, or [token, count] pairs, whose order counts as the order
   * of first appearance), with the same rules as `build`.
   */
  static fromCounts(
    counts: ReadonlyMap<string, number> | Iterable<readonly [string, number]>,
    options: VocabBuildOptions = {},
  ): Vocab {
    const specials = options.specials ?? DEFAULT_SPECIALS;
    const minFreq = options.minFreq ?? 1;
    if (!Number.isFinite(minFreq) || minFreq < 1) {
      throw new Error(`Vocab.build: expected minFreq to be a number ≥ 1, got ${minFreq}`);
    }
    const maxSize = options.maxSize;
    if (maxSize !== undefined && (!Number.isInteger(maxSize) || maxSize <= specials.length)) {
      throw new Error(
        `Vocab.build: maxSize counts the specials and must be an integer > ${specials.length} ` +
          `(the number of specials), got ${maxSize}`,
      );
    }
    const special = new Set(specials);
    if (special.size !== specials.length) {
      throw new Error(`Vocab.build: specials contain duplicates: ${JSON.stringify(specials)}`);
    }
    const entries: [string, number][] = [];
    for (const [token, count] of counts) {
      if (typeof count !== "number" || !Number.isFinite(count)) {
        throw new Error(
          `Vocab.build: expected a numeric count for "${token}", got ${describe(count)}`,
        );
      }
      if (!special.has(token) && count >= minFreq) entries.push([token, count]);
    }
    // Array.prototype.sort is stable, so equal counts keep their first-appearance order.
    entries.sort(
      options.tieBreak === "lexicographic"
        ? (a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0])
        : (a, b) => b[1] - a[1],
    );
    let tokens = entries.map(([t]) => t);
    if (maxSize !== undefined) tokens = tokens.slice(0, maxSize - specials.length);
    const itos =
      options.specialFirst === false ? [...tokens, ...specials] : [...specials, ...tokens];
    return new Vocab(itos, { ...options, specials });
  }

  /** Reads the object written by `toJSON` (or its JSON text), checking every field. */
  static fromJSON(json: unknown): Vocab {
    let obj = json;
    if (typeof json === "string") {
      try {
        obj = JSON.parse(json);
      } catch (e) {
        throw new Error(`Vocab.fromJSON: the string is not valid JSON (${(e as Error).message})`);
      }
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new Error(
        `Vocab.fromJSON: expected an object with "itos" and "specials", got ${describe(obj)}`,
      );
    }
    const o = obj as Record<string, unknown>;
    for (const key of ["itos", "specials"]) {
      const v = o[key];
      if (!Array.isArray(v)) {
        throw new Error(
          `Vocab.fromJSON: expected "${key}" to be an array of strings, got ${describe(v)}`,
        );
      }
      const bad = v.findIndex((t) => typeof t !== "string");
      if (bad >= 0) {
        throw new Error(
          `Vocab.fromJSON: expected "${key}" to be an array of strings, got ${describe(v[bad])} at ${key}[${bad}]`,
        );
      }
    }
    const roles: VocabRoles = {};
    for (const role of ROLES) {
      const v = o[role];
      if (v !== undefined && v !== null && typeof v !== "string") {
        throw new Error(
          `Vocab.fromJSON: expected "${role}" to be a string or null, got ${describe(v)}`,
        );
      }
      if (v !== undefined) roles[role] = v;
    }
    try {
      return new Vocab(o.itos as string[], { specials: o.specials as string[], ...roles });
    } catch (e) {
      throw new Error(`Vocab.fromJSON: ${(e as Error).message.replace(/^Vocab: /, "")}`);
    }
  }

  toJSON(): VocabJSON {
    return {
      itos: [...this.itos],
      specials: [...this.specials],
      unkToken: this.unkToken,
      padToken: this.padToken,
      bosToken: this.bosToken,
      eosToken: this.eosToken,
    };
  }

  /** Number of tokens, specials included (torchtext's `len(vocab)`). */
  get length(): number {
    return this.itos.length;
  }

  /** Token → index (a copy of the lookup table). */
  get stoi(): Map<string, number> {
    return new Map(this.index);
  }

  get unkIndex(): number {
    return this.roleIndex("unkToken");
  }
  get padIndex(): number {
    return this.roleIndex("padToken");
  }
  get bosIndex(): number {
    return this.roleIndex("bosToken");
  }
  get eosIndex(): number {
    return this.roleIndex("eosToken");
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  /** The index of `token`, or the unk index for unknown tokens (throws when there is no unk). */
  indexOf(token: string): number {
    const i = this.index.get(token);
    if (i !== undefined) return i;
    if (this.unkToken === null) {
      throw new Error(
        `Vocab: token ${describe(token)} is not in the vocab, which has no unk token`,
      );
    }
    return this.index.get(this.unkToken)!;
  }

  /** The token at `index`. */
  tokenAt(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.itos.length) {
      throw new Error(`Vocab: index ${index} is out of range [0, ${this.itos.length})`);
    }
    return this.itos[index];
  }

  isSpecialIndex(index: number): boolean {
    return this.specialIds.has(index);
  }

  /** Tokens → ids; unknown tokens map to `<unk>`. */
  encode(tokens: Iterable<string>, options: EncodeOptions = {}): number[] {
    if (typeof tokens === "string") {
      throw new Error(`Vocab.encode: expected an array of tokens, got a string; tokenize it first`);
    }
    const ids: number[] = options.bos ? [this.bosIndex] : [];
    const unk = this.unkToken === null ? -1 : this.index.get(this.unkToken)!;
    let pos = 0;
    for (const token of tokens) {
      const i = this.index.get(token);
      if (i !== undefined) ids.push(i);
      else if (unk >= 0) ids.push(unk);
      else {
        throw new Error(
          `Vocab.encode: token ${describe(token)} at position ${pos} is not in the vocab, which has no unk token`,
        );
      }
      pos++;
    }
    if (options.eos) ids.push(this.eosIndex);
    return ids;
  }

  /** Ids → tokens (pass `tensor.data` for an int32 tensor). */
  decode(ids: ArrayLike<number> | Iterable<number>, options: DecodeOptions = {}): string[] {
    const eos = options.stopAtEos ? this.eosIndex : -1;
    const out: string[] = [];
    let pos = 0;
    const list =
      Symbol.iterator in Object(ids)
        ? (ids as Iterable<number>)
        : Array.from(ids as ArrayLike<number>);
    for (const id of list) {
      if (!Number.isInteger(id) || id < 0 || id >= this.itos.length) {
        throw new Error(
          `Vocab.decode: id ${id} at position ${pos} is out of range [0, ${this.itos.length})`,
        );
      }
      if (id === eos) break;
      if (!(options.skipSpecials && this.specialIds.has(id))) out.push(this.itos[id]);
      pos++;
    }
    return out;
  }

  private roleIndex(role: Role): number {
    const token = this[role];
    if (token === null) {
      throw new Error(
        `Vocab: this vocab has no ${role.replace("Token", "")} token (specials: ${JSON.stringify(this.specials)})`,
      );
    }
    return this.index.get(token)!;
  }
}
