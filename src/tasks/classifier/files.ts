/**
 * A text classifier from the files of a model directory, in any runtime (a web page has bytes
 * from an upload, not a directory): config.json, vocab.json and model.safetensors, as
 * `recurrent train classify` writes them. config.json's `data` carries what prediction needs —
 * the class names, the tokenizer and the length limit — so the result feeds `predictTexts`.
 *
 * @example
 * const { model, vocab, config } = classifierFromFiles(files, "spam.zip");
 * predictTexts(model, vocab, ["WIN a FREE cruise"], { ...config.data });
 */
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import type { CheckpointFiles } from "../common/checkpoint.js";
import { describeValue, type ModelConfig } from "../common/model-config.js";
import { parseModelFiles } from "../common/model-files.js";
import type { ClassifierDataConfig } from "./data.js";
import { RNNClassifier, type ClassifierConfig } from "./model.js";

/** config.json's `data` of a classifier: the class names and the text preparation. */
export interface ClassifierFilesData extends ClassifierDataConfig {
  classes: string[];
  dataset?: string;
}

export type ClassifierFilesConfig = ModelConfig<
  ClassifierConfig,
  ClassifierFilesData,
  Record<string, unknown>
>;

export interface LoadedClassifier {
  model: RNNClassifier;
  vocab: Vocab;
  config: ClassifierFilesConfig;
}

/** Rebuilds the model of a classifier directory's files (the model is in eval mode). */
export function classifierFromFiles(files: CheckpointFiles, where = "model"): LoadedClassifier {
  const { config, vocab, weights } = parseModelFiles(files, where, "classify");
  const c = config as unknown as ClassifierFilesConfig;
  if (!Array.isArray(c.data.classes) || c.data.classes.length !== c.model.numClasses)
    throw new Error(
      `${where}/config.json: expected data.classes to name the model's ${describeValue(c.model.numClasses)} classes`,
    );
  const model = new RNNClassifier(c.model);
  model.loadStateDict(weights);
  model.eval();
  return { model, vocab: Vocab.fromJSON(vocab as VocabJSON), config: c };
}
