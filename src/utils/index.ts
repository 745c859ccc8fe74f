/** Training utilities: gradient clipping (and, later, `utils.rnn` for packed sequences). */
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./clip-grad.js";
