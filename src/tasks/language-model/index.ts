/** The language-model recipe: model, data preparation, BPTT training task and generation. */
export {
  RNNLanguageModel,
  createRecurrent,
  CELLS,
  type CellKind,
  type LanguageModelConfig,
  type RecurrentState,
} from "./model.js";
export {
  prepareLmData,
  lmTokens,
  joinLmTokens,
  lmVocabFromJSON,
  LM_LEVELS,
  type LmLevel,
  type LmData,
  type LmDataConfig,
} from "./data.js";
export { LanguageModelTask, lmLoss, type LanguageModelTaskOptions } from "./task.js";
export { generateText, type GenerateOptions } from "./generate.js";
export {
  languageModelFromFiles,
  languageModelFiles,
  type LanguageModelFilesConfig,
  type LmFilesData,
  type LoadedLanguageModel,
} from "./files.js";
