/**
 * Tokenizers: text → token strings. Three rules, the ones the tutorials this library serves use:
 *
 * - `basicEnglishTokenizer`: torchtext's `basic_english` (`torchtext/data/utils.py`,
 *   `_basic_english_normalize`): lowercase, then apply these regex substitutions in order —
 *   `'` → ` '  `, `"` → ``, `.` → ` . `, `<br />` → ` `, `,` → ` , `, `(` → ` ( `, `)` → ` ) `,
 *   `!` → ` ! `, `?` → ` ? `, `;` → ` `, `:` → ` `, whitespace runs → ` ` — then split on
 *   whitespace (Python's `str.split()`, so no empty tokens).
 * - `whitespaceTokenizer`: Python's `str.split()` with no argument (torchtext's
 *   `get_tokenizer(None)`).
 * - `charTokenizer`: one token per Unicode code point, like Python's `list(text)` (char-RNN).
 *
 * "Whitespace" everywhere means Python's `str.isspace()` set, not JavaScript's `\s`: they differ on
 * U+001C–U+001F and U+0085 (Python spaces, JS not) and U+FEFF (JS space, Python not). Lowercasing
 * is `String.prototype.toLowerCase`, which agrees with Python's `str.lower()` (full Unicode case
 * mapping, final sigma included).
 *
 * `getTokenizer(name)` mirrors torchtext's `get_tokenizer` so that tutorial code ports line for
 * line; the named functions are there for callers who prefer an import to a string.
 *
 * @example
 * const tokenize = getTokenizer("basic_english");
 * tokenize("You can now install TorchText using pip!");
 * // ["you", "can", "now", "install", "torchtext", "using", "pip", "!"]
 */

/** A function from one string of text to its tokens. */
export type Tokenizer = (text: string) => string[];

/** The tokenizer names `getTokenizer` knows. */
export type TokenizerName = "basic_english" | "char" | "whitespace";

// Python's str.isspace() characters (CPython's _PyUnicode_IsWhitespace table).
const PY_SPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, "g");
const PY_NON_SPACE_RUN = new RegExp(`[^${PY_SPACE}]+`, "g");

// torchtext's _patterns / _replacements, in their order (the order matters: `'` is handled before
// the whitespace collapse, so "don't" becomes "don ' t").
const BASIC_ENGLISH_RULES: readonly (readonly [RegExp, string])[] = [
  [/'/g, " '  "],
  [/"/g, ""],
  [/\./g, " . "],
  [/<br \/>/g, " "],
  [/,/g, " , "],
  [/\(/g, " ( "],
  [/\)/g, " ) "],
  [/!/g, " ! "],
  [/\?/g, " ? "],
  [/;/g, " "],
  [/:/g, " "],
  [PY_SPACE_RUN, " "],
];

function checkText(fn: string, text: unknown): asserts text is string {
  if (typeof text !== "string") {
    const got = text === null ? "null" : Array.isArray(text) ? "an array" : typeof text;
    throw new Error(`${fn}: expected a string, got ${got}`);
  }
}

/** Python's `str.split()`: maximal runs of non-whitespace, so never an empty token. */
export function whitespaceTokenizer(text: string): string[] {
  checkText("whitespaceTokenizer", text);
  return text.match(PY_NON_SPACE_RUN) ?? [];
}

/** torchtext's `basic_english` normalisation and split (see the header for the rules). */
export function basicEnglishTokenizer(text: string): string[] {
  checkText("basicEnglishTokenizer", text);
  let line = text.toLowerCase();
  for (const [pattern, replacement] of BASIC_ENGLISH_RULES)
    line = line.replace(pattern, replacement);
  return line.match(PY_NON_SPACE_RUN) ?? [];
}

/** One token per Unicode code point (a surrogate pair stays one token), like Python's `list(s)`. */
export function charTokenizer(text: string): string[] {
  checkText("charTokenizer", text);
  return Array.from(text);
}

const TOKENIZERS: Record<TokenizerName, Tokenizer> = {
  basic_english: basicEnglishTokenizer,
  char: charTokenizer,
  whitespace: whitespaceTokenizer,
};

/**
 * torchtext's `get_tokenizer`: a name gives that tokenizer, `null`/`undefined` gives the
 * whitespace split (torchtext's default), and a function is returned unchanged.
 */
export function getTokenizer(tokenizer?: TokenizerName | Tokenizer | null): Tokenizer {
  if (tokenizer === null || tokenizer === undefined) return whitespaceTokenizer;
  if (typeof tokenizer === "function") return tokenizer;
  if (typeof tokenizer === "string" && Object.hasOwn(TOKENIZERS, tokenizer)) {
    return TOKENIZERS[tokenizer];
  }
  const got = typeof tokenizer === "string" ? `"${tokenizer}"` : typeof tokenizer;
  throw new Error(
    `getTokenizer: expected one of "basic_english", "char", "whitespace", a function or null, ` +
      `got ${got}`,
  );
}
