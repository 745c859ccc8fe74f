/** utils.rnn: variable-length batches (PyTorch's torch.nn.utils.rnn) and sequence masks. */
export { PackedSequence, invertPermutation, type Lengths } from "./packed-sequence.js";
export { packPaddedSequence, packSequence, type PackOptions } from "./pack.js";
export {
  padPackedSequence,
  padSequence,
  type PadPackedOptions,
  type PadSequenceOptions,
} from "./pad.js";
export { sequenceMask, type SequenceMaskOptions } from "./sequence-mask.js";
