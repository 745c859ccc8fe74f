/** The text-classifier recipe: model, data preparation, bucketed training task, scoring, prediction. */
export {
  RNNClassifier,
  POOLINGS,
  type Pooling,
  type ClassifierConfig,
  type ClassifierOutput,
} from "./model.js";
export {
  prepareClassifierData,
  splitExamples,
  classifierTokens,
  encodeTokens,
  encodeExamples,
  buildClassifierVocab,
  classifierVocabFromJSON,
  CLASSIFIER_TOKENIZERS,
  CLASSIFIER_SPECIALS,
  type ClassifierTokenizer,
  type ClassifierDataConfig,
  type ClassifierData,
  type EncodedSplit,
  type SplitExamples,
} from "./data.js";
export {
  ClassifierTask,
  evaluateClassifier,
  makeBatch,
  sortedBatches,
  type ClassifierBatch,
  type ClassifierTaskOptions,
  type ClassifierScores,
} from "./task.js";
export { predictTexts, type Prediction, type PredictOptions } from "./predict.js";
export {
  classifierFromFiles,
  type ClassifierFilesConfig,
  type ClassifierFilesData,
  type LoadedClassifier,
} from "./files.js";
