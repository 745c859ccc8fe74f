/**
 * `recurrent`: the command line over the three recipes.
 *
 *   recurrent train lm|classify|seq2seq [options]   train, checkpoint, report
 *   recurrent generate --model DIR --prime TEXT     text from a language model
 *   recurrent predict --model DIR TEXT…             label and probabilities from a classifier
 *   recurrent translate --model DIR TEXT…           output of a seq2seq model (beam or greedy)
 *   recurrent eval --model DIR                      a trained model's metrics on a dataset split
 *   recurrent import lm|classify|seq2seq --weights  a model directory from PyTorch weights
 *   recurrent export --onnx --model DIR --out FILE  an ONNX file of an lm or classify model
 *
 * RECURRENT_MAX_VOCAB, RECURRENT_MAX_SEQUENCE and RECURRENT_MAX_PARAMETERS change the limits on
 * vocabulary size, sequence length and model size (tasks/common/limits.ts).
 *
 * Exit codes: 0 done, 1 failed (bad data, a non-finite loss), 2 bad command line,
 * 130/143 stopped by SIGINT/SIGTERM after saving a checkpoint.
 */
import { Command, CommanderError } from "commander";
import { UsageError } from "./args.js";
import { evalClassifier, registerClassify } from "./commands/classify.js";
import { evalLanguageModel, registerEval } from "./commands/eval.js";
import { registerExport } from "./commands/export.js";
import { registerImport } from "./commands/import.js";
import { registerLm } from "./commands/lm.js";
import { evalSeq2seq, registerSeq2seq } from "./commands/seq2seq.js";
import { setLimits } from "../tasks/common/limits.js";

export function buildProgram(): Command {
  const program = new Command("recurrent")
    .description("Recurrent neural networks for TypeScript: train and use RNN/LSTM/GRU models")
    .version("0.1.0")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const train = program.command("train").description("train a model (lm, classify, seq2seq)");
  registerLm(train, program);
  registerClassify(train, program);
  registerSeq2seq(train, program);
  registerEval(program, { lm: evalLanguageModel, classify: evalClassifier, seq2seq: evalSeq2seq });
  registerImport(program);
  registerExport(program);
  return program;
}

/** RECURRENT_MAX_VOCAB, _SEQUENCE and _PARAMETERS raise (or lower) the recipes' limits. */
function applyLimitsFromEnv(): void {
  for (const [name, key] of [
    ["RECURRENT_MAX_VOCAB", "vocabSize"],
    ["RECURRENT_MAX_SEQUENCE", "sequenceLength"],
    ["RECURRENT_MAX_PARAMETERS", "parameters"],
  ] as const) {
    const text = process.env[name];
    if (text === undefined || text === "") continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${name} expects a positive integer, got "${text}"`);
    setLimits({ [key]: n });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    applyLimitsFromEnv();
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      process.stderr.write(`recurrent: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`recurrent: error: ${(e as Error).message}\n`);
    if (process.env.RECURRENT_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
