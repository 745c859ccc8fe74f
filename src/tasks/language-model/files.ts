/**
 * A language model as the files of a model directory, both ways and in any runtime (a web page
 * has bytes from a download or an upload, not a directory): config.json, vocab.json and
 * model.safetensors — what `recurrent train lm` writes and `recurrent generate` reads.
 *
 *   files → languageModelFromFiles → { model (eval mode), vocab, config }
 *   model, vocab, data → languageModelFiles → files
 *
 * @example
 * const { model, vocab, config } = languageModelFromFiles(files, "moby.zip");
 * generateText(model, vocab, { level: config.data.level, prime: "Call me", length: 200 });
 * const out = languageModelFiles(model, vocab, { data: { dataset: "web:pasted", level: "char" } });
 */
import { Vocab, type VocabJSON } from "../../data/vocab.js";
import { saveSafetensors } from "../../io/safetensors.js";
import type { CheckpointFiles } from "../common/checkpoint.js";
import { makeModelConfig, type ModelConfig } from "../common/model-config.js";
import { parseModelFiles } from "../common/model-files.js";
import type { LmDataConfig } from "./data.js";
import { RNNLanguageModel, type LanguageModelConfig } from "./model.js";

/** config.json's `data` of a language model: how its text was tokenised, and where it came from. */
export interface LmFilesData extends LmDataConfig {
  dataset?: string;
}

export type LanguageModelFilesConfig = ModelConfig<
  LanguageModelConfig,
  LmFilesData,
  Record<string, unknown>
>;

export interface LoadedLanguageModel {
  model: RNNLanguageModel;
  vocab: Vocab;
  config: LanguageModelFilesConfig;
}

/** Rebuilds the model of a language-model directory's files (the model is in eval mode). */
export function languageModelFromFiles(
  files: CheckpointFiles,
  where = "model",
): LoadedLanguageModel {
  const { config, vocab, weights } = parseModelFiles(files, where, "lm");
  const c = config as unknown as LanguageModelFilesConfig;
  const model = new RNNLanguageModel(c.model);
  model.loadStateDict(weights);
  model.eval();
  const v = Vocab.fromJSON(vocab as VocabJSON);
  if (v.length !== c.model.vocabSize)
    throw new Error(
      `${where}: vocab.json has ${v.length} tokens but config.json's model ${c.model.vocabSize}`,
    );
  return { model, vocab: v, config: c };
}

/** The three inference files of `model`, in the layout `recurrent train lm` writes. */
export function languageModelFiles(
  model: RNNLanguageModel,
  vocab: Vocab,
  options: { data: LmFilesData; train?: Record<string, unknown> },
): CheckpointFiles {
  const config = makeModelConfig("lm", model.config, options.data, options.train ?? {});
  return {
    "config.json": JSON.stringify(config, null, 2) + "\n",
    "vocab.json": JSON.stringify(vocab.toJSON()) + "\n",
    "model.safetensors": saveSafetensors(model.stateDict(), { format: "pt" }),
  };
}
