/**
 * `recurrent import lm|classify|seq2seq`: a model trained in PyTorch (its state dict exported with
 * scripts/export_pytorch.py) becomes a model directory that `generate`, `predict`, `translate`,
 * `eval` and `export` use like one trained here.
 *
 * The architecture is read from the weights' names and shapes (io/state-dict-config.ts); what they
 * cannot show comes from --config, a JSON file with the "model" and "data" sections of a
 * config.json (a classifier's pooling, class names, tokenizers). The weights are loaded strictly,
 * so a wrong name or shape stops the import with every offending key listed. The vocabulary is a
 * JSON list of tokens (id = position; `<unk>` `<pad>` `<bos>` `<eos>` keep their roles), or a
 * vocab.json of a model directory; seq2seq takes `{ "source": […], "target": […] }`.
 *
 * @example
 * python3 scripts/export_pytorch.py char_rnn.pt char_rnn.safetensors
 * recurrent import lm --weights char_rnn.safetensors --vocab chars.json --out runs/char-rnn
 * recurrent generate --model runs/char-rnn --prime "The " --length 200
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_SPECIALS, Vocab, type VocabJSON } from "../../data/vocab.js";
import { commitFiles } from "../../io/node/model-dir.js";
import { loadSafetensorsFile } from "../../io/node/safetensors-file.js";
import { saveSafetensors } from "../../io/safetensors.js";
import { inferModelConfig } from "../../io/state-dict-config.js";
import type { Module } from "../../nn/module.js";
import { RNNClassifier, type ClassifierConfig } from "../../tasks/classifier/index.js";
import { makeModelConfig, TASKS, type TaskName } from "../../tasks/common/model-config.js";
import { RNNLanguageModel, type LanguageModelConfig } from "../../tasks/language-model/index.js";
import { Seq2Seq, type Seq2SeqConfig } from "../../tasks/seq2seq/index.js";
import { UsageError } from "../args.js";

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what}: ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A token list (id = position) or a vocab.json object, as VocabJSON; checked by building it. */
function toVocab(raw: unknown, where: string, size: number): VocabJSON {
  let json = raw as VocabJSON;
  if (Array.isArray(raw)) {
    const itos = raw as string[];
    const has = (t: string) => (itos.includes(t) ? t : null);
    json = {
      itos,
      specials: DEFAULT_SPECIALS.filter((t) => itos.includes(t)),
      unkToken: has("<unk>"),
      padToken: has("<pad>"),
      bosToken: has("<bos>"),
      eosToken: has("<eos>"),
    };
  }
  let vocab: Vocab;
  try {
    vocab = Vocab.fromJSON(json);
  } catch (e) {
    throw new UsageError(`--vocab: ${where}: ${(e as Error).message}`);
  }
  if (vocab.length !== size)
    throw new UsageError(
      `--vocab: ${where} has ${vocab.length} tokens, the weights' embedding ${size} rows`,
    );
  return vocab.toJSON();
}

function build(task: TaskName, config: unknown): Module {
  if (task === "lm") return new RNNLanguageModel(config as LanguageModelConfig);
  if (task === "classify") return new RNNClassifier(config as ClassifierConfig);
  return new Seq2Seq(config as Seq2SeqConfig);
}

/** config.json's data and train sections: the recipe's defaults under the user's --config. */
function sections(task: TaskName, model: Record<string, unknown>, data: Record<string, unknown>) {
  const common = { dataset: "import" };
  if (task === "lm")
    return { data: { ...common, level: "char", ...data }, train: { bpttLen: 100 } };
  if (task === "classify") {
    const classes = Array.from({ length: model.numClasses as number }, (_, i) => String(i));
    return {
      data: { ...common, classes, tokenizer: "basic_english", maxLen: 200, ...data },
      train: {},
    };
  }
  return {
    data: {
      ...common,
      level: "char",
      sourceTokenizer: "char",
      targetTokenizer: "char",
      maxTargetLength: 50,
      ...data,
    },
    train: { beam: 1, lengthPenalty: 0 },
  };
}

async function importModel(task: TaskName, opts: Record<string, unknown>): Promise<void> {
  const out = String(opts.out);
  if (existsSync(join(out, "config.json")) && !opts.overwrite)
    throw new UsageError(
      `${out} already holds a model: pass --overwrite to replace it, or choose another --out`,
    );
  const weightsPath = String(opts.weights);
  const { tensors } = await loadSafetensorsFile(weightsPath);
  const extra = opts.config ? await readJson(String(opts.config), "--config") : {};
  if (typeof extra !== "object" || extra === null || Array.isArray(extra))
    throw new UsageError('--config: expected an object { "model": {…}, "data": {…} }');
  const unknown = Object.keys(extra).filter((k) => k !== "model" && k !== "data");
  if (unknown.length > 0)
    throw new UsageError(
      `--config: unknown section(s) ${unknown.join(", ")} (expected "model" and "data")`,
    );
  const { model: modelOverrides = {}, data: dataOverrides = {} } = extra as Record<
    string,
    Record<string, unknown>
  >;
  if (task === "classify" && modelOverrides.pooling === undefined)
    throw new UsageError(
      'import classify: the pooling (last, mean, max or attention) has no parameters to read it from; give it with --config, e.g. { "model": { "pooling": "mean" } }',
    );
  const modelConfig = inferModelConfig(task, tensors, modelOverrides) as unknown as Record<
    string,
    unknown
  >;
  const vocabRaw = await readJson(String(opts.vocab), "--vocab");
  let vocab: unknown;
  if (task === "seq2seq") {
    const v = vocabRaw as { source?: unknown; target?: unknown };
    if (typeof v !== "object" || v === null || !v.source || !v.target)
      throw new UsageError('--vocab: a seq2seq vocabulary is { "source": [...], "target": [...] }');
    vocab = {
      source: toVocab(v.source, "source", modelConfig.sourceVocabSize as number),
      target: toVocab(v.target, "target", modelConfig.targetVocabSize as number),
    };
  } else vocab = toVocab(vocabRaw, String(opts.vocab), modelConfig.vocabSize as number);
  if (task === "classify" && modelOverrides.padIndex === undefined)
    modelConfig.padIndex = Math.max(
      0,
      (vocab as VocabJSON).itos.indexOf((vocab as VocabJSON).padToken ?? ""),
    );
  const model = build(task, modelConfig);
  model.loadStateDict(tensors); // strict: every missing, unexpected or misshapen key is listed
  const { data, train } = sections(task, modelConfig, dataOverrides);
  const config = makeModelConfig(task, modelConfig, data, { ...train, importedFrom: weightsPath });
  await commitFiles(out, {
    "config.json": JSON.stringify(config, null, 2) + "\n",
    "vocab.json": JSON.stringify(vocab) + "\n",
    "model.safetensors": saveSafetensors(model.stateDict(), { format: "pt" }),
  });
  const use = { lm: "generate --model", classify: "predict --model", seq2seq: "translate --model" }[
    task
  ];
  process.stdout.write(
    `imported ${task} model ${JSON.stringify(modelConfig)} → ${out}\ntry: recurrent ${use} ${out} …\n`,
  );
}

export function registerImport(program: Command): void {
  const cmd = program
    .command("import")
    .description(
      "make a model directory from PyTorch weights (safetensors from scripts/export_pytorch.py)",
    );
  for (const task of TASKS) {
    cmd
      .command(task)
      .description(
        `import a ${{ lm: "language model", classify: "classifier", seq2seq: "seq2seq model" }[task]}`,
      )
      .requiredOption("--weights <file>", "the state dict as safetensors")
      .requiredOption(
        "--vocab <file>",
        task === "seq2seq"
          ? 'JSON { "source": [tokens], "target": [tokens] }'
          : "JSON list of tokens (id = position) or a vocab.json",
      )
      .requiredOption("--out <dir>", "model directory to write")
      .option(
        "--config <file>",
        'JSON { "model": {…}, "data": {…} } for what the weights do not show',
      )
      .option("--overwrite", "replace a model already in --out")
      .action((opts: Record<string, unknown>) => importModel(task, opts));
  }
}
