/** The sequence-to-sequence recipe: model, data preparation, training task, decoding, scores. */
export {
  Seq2Seq,
  Seq2SeqEncoder,
  Seq2SeqDecoder,
  selectStateRows,
  SEQ2SEQ_ATTENTIONS,
  SEQ2SEQ_CELLS,
  type Seq2SeqAttention,
  type Seq2SeqCell,
  type Seq2SeqConfig,
  type RecurrentState,
  type EncoderOutput,
  type DecoderMemory,
  type DecoderOutput,
} from "./model.js";
export {
  prepareSeq2SeqData,
  seq2seqDataDefaults,
  seq2seqTokens,
  joinSeq2SeqTokens,
  encodeSource,
  seq2seqVocabToJSON,
  seq2seqVocabFromJSON,
  SEQ2SEQ_TOKENIZERS,
  type Seq2SeqTokenizer,
  type Seq2SeqDataConfig,
  type Seq2SeqData,
  type Seq2SeqVocabJSON,
  type EncodedPair,
} from "./data.js";
export { collatePairs, PairBatches, type Seq2SeqBatch, type SpecialIds } from "./batch.js";
export {
  Seq2SeqTask,
  seq2seqLoss,
  TEACHER_FORCING_MODES,
  type TeacherForcingMode,
  type Seq2SeqTaskOptions,
} from "./task.js";
export { translate, type TranslateOptions, type TranslationResult } from "./decode.js";
export { scoreTranslations, editDistance, type TranslationScores } from "./metrics.js";
export {
  beamSearch,
  beamSearchBatch,
  greedyDecode,
  type BatchBeamSearchOptions,
  type BeamSearchOptions,
  type DecodeOptions,
  type Hypothesis,
  type StepFunction,
  type StepOutput,
} from "./beam.js";
