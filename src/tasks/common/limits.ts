/**
 * Resource limits the recipes enforce before allocating: a vocabulary or a sequence length beyond
 * them is refused with a message naming the limit, rather than left to end in an out-of-memory
 * crash minutes later (an embedding of 10⁸ rows, a BPTT window of 10⁷ steps whose saved gates
 * cannot fit). The defaults are far above the tutorials' sizes (the W1 vocabulary is 95,812);
 * `setLimits` raises them, and the CLI reads RECURRENT_MAX_VOCAB, RECURRENT_MAX_SEQUENCE and
 * RECURRENT_MAX_PARAMETERS.
 *
 *   vocabSize        tokens in a vocabulary, specials included (default 1,000,000)
 *   sequenceLength   time steps of one sequence: a BPTT window, a classifier's --max-len, a
 *                    seq2seq side's --max-length (default 100,000)
 *   parameters       weights a recipe's model may have, counted from its config before any is
 *                    allocated (default 500,000,000: 2 GB of float32), so that a config.json
 *                    asking for hiddenSize 10⁹ is refused at once instead of hanging in init
 *
 * @example
 * checkVocabSize(vocab.length, "prepareLmData");   // throws past limits().vocabSize
 * setLimits({ vocabSize: 2_000_000 });
 */

export interface Limits {
  vocabSize: number;
  sequenceLength: number;
  parameters: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  vocabSize: 1_000_000,
  sequenceLength: 100_000,
  parameters: 500_000_000,
});

let current: Limits = { ...DEFAULT_LIMITS };

/** The limits in force. */
export function limits(): Readonly<Limits> {
  return current;
}

/** Changes some limits; returns the previous ones (so that tests can restore them). */
export function setLimits(next: Partial<Limits>): Limits {
  for (const [k, v] of Object.entries(next)) {
    if (!(k in DEFAULT_LIMITS))
      throw new Error(
        `setLimits: expected vocabSize, sequenceLength or parameters, got ${JSON.stringify(k)}`,
      );
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`setLimits: expected ${k} to be a positive integer, got ${String(v)}`);
  }
  const previous = current;
  current = { ...current, ...next };
  return previous;
}

const count_ = (n: number): string => n.toLocaleString("en-US");

/** Refuses a vocabulary of more than limits().vocabSize tokens. */
export function checkVocabSize(size: number, where: string): void {
  const limit = current.vocabSize;
  if (size > limit)
    throw new Error(
      `${where}: a vocabulary of ${count_(size)} tokens exceeds the limit of ${count_(limit)} ` +
        "(limits.vocabSize, RECURRENT_MAX_VOCAB for the CLI); keep fewer tokens (a higher minFreq, " +
        "a maxSize) or raise the limit",
    );
}

/** Refuses a sequence length (`what`, e.g. "bpttLen") above limits().sequenceLength. */
export function checkSequenceLength(length: number, what: string, where: string): void {
  const limit = current.sequenceLength;
  if (length > limit)
    throw new Error(
      `${where}: ${what} ${count_(length)} exceeds the sequence length limit of ${count_(limit)} ` +
        "(limits.sequenceLength, RECURRENT_MAX_SEQUENCE for the CLI)",
    );
}

/** Refuses a model of more than limits().parameters weights (`count` from its config). */
export function checkParameterCount(count: number, where: string): void {
  const limit = current.parameters;
  if (!(count <= limit))
    throw new Error(
      `${where}: the config describes ${count.toExponential(2)} parameters, more than the limit of ${count_(limit)} (limits.parameters, RECURRENT_MAX_PARAMETERS for the CLI); use smaller sizes`,
    );
}

/** Weights of a stacked RNN/LSTM/GRU (PyTorch's layout: two biases per layer and direction). */
export function recurrentParameterCount(o: {
  cell: "rnn" | "lstm" | "gru";
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional?: boolean;
}): number {
  const G = o.cell === "lstm" ? 4 : o.cell === "gru" ? 3 : 1;
  const D = o.bidirectional ? 2 : 1;
  const H = o.hiddenSize;
  const perDirection = (input: number) => G * H * (input + H) + 2 * G * H;
  return D * (perDirection(o.inputSize) + (o.numLayers - 1) * perDirection(D * H));
}
