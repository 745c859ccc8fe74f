/** Training utilities: gradient clipping and `utils.rnn` (packed sequences, padding, masks). */
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./clip-grad.js";
export * as rnn from "./rnn/index.js";
