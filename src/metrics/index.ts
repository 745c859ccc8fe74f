/** metrics: scores for the three recipes — classification, language modelling, translation. */
export {
  accuracy,
  confusionMatrix,
  precisionRecallF1,
  type LabelsLike,
  type ClassificationOptions,
  type ConfusionOptions,
  type PRF,
  type PrecisionRecallF1,
} from "./classification.js";
export { perplexity, perplexityFromTotal } from "./perplexity.js";
export {
  bleu,
  corpusBleu,
  sentenceBleu,
  bleuStats,
  type BleuStats,
  type CorpusBleuOptions,
} from "./bleu.js";
export { exactMatch, type ExactMatchOptions, type Sequence } from "./exact-match.js";
