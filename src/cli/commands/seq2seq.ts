/**
 * `recurrent train seq2seq`, `recurrent translate` and the seq2seq half of `recurrent eval`: an
 * encoder–decoder (GRU/LSTM, optional bidirectional encoder, attention none / bahdanau /
 * luong-dot / luong-general) trained with teacher forcing, then scored on the held-out test split
 * (exact match, corpus BLEU-4, token error rate; greedy and beam search), with attention heatmaps
 * and a table of translations in report.html.
 *
 * Input tokenisation: cmudict takes a word as typed ("Hello" → h e l l o: lowercased, one token
 * per letter, spaces ignored); pairs: takes text, split by torchtext's basic_english (--level
 * word) or into characters (--level char), as at training. The split is 90/5/5 with split seed 0
 * whatever --seed is, so `eval` rebuilds exactly the test set the model never saw.
 *
 * Defaults (bidirectional GRU 128, embedding 64, luong-general, Adam 3e-3, batch 128, clip 1,
 * teacher forcing 1, 2 epochs) reach 52% test exact match on cmudict (53% with beam 5) in about
 * 11 minutes on 2 shared cores; --attention none gets 37% after 1 epoch where luong-general has 49%.
 *
 * @example
 * recurrent train seq2seq --data cmudict --out runs/g2p
 * recurrent translate --model runs/g2p hello world --beam 5 --show-attention
 * recurrent eval --model runs/g2p --split test --beam 5
 */
import type { Command } from "commander";
import type { Vocab } from "../../data/vocab.js";
import { parseDatasetName } from "../../io/node/datasets.js";
import { readModelDir } from "../../io/node/model-dir.js";
import { makeModelConfig, type ModelConfig } from "../../tasks/common/model-config.js";
import { createOptimizer, createScheduler } from "../../tasks/common/optimizer.js";
import {
  encodeSource,
  joinSeq2SeqTokens,
  prepareSeq2SeqData,
  scoreTranslations,
  Seq2Seq,
  seq2seqDataDefaults,
  Seq2SeqTask,
  seq2seqTokens,
  seq2seqVocabFromJSON,
  seq2seqVocabToJSON,
  SEQ2SEQ_ATTENTIONS,
  SEQ2SEQ_CELLS,
  TEACHER_FORCING_MODES,
  translate,
  type EncodedPair,
  type Seq2SeqConfig,
  type Seq2SeqDataConfig,
  type TeacherForcingMode,
  type TranslationResult,
  type TranslationScores,
} from "../../tasks/seq2seq/index.js";
import { manualSeed } from "../../tensor/random.js";
import { choiceArg, floatArg, intArg, UsageError } from "../args.js";
import { addTrainOptions, defaultOut, loadData, loadResume, rejectOnResume } from "../common.js";
import { finishRun, resumeTrainConfig, trainConfigFrom, type TrainConfig } from "../finish.js";
import { attentionHeatmapText, type AttentionMap } from "../report/index.js";
import { runTraining } from "../run-training.js";

interface Seq2SeqDataSection extends Seq2SeqDataConfig {
  dataset: string;
  limit?: number;
  level: "word" | "char";
  /** The longest training target (eos included), set when the data is prepared. */
  maxTargetLength: number;
}

interface Seq2SeqTrainSection extends TrainConfig {
  teacherForcing: number;
  teacherForcingMode: TeacherForcingMode;
  beam: number;
  lengthPenalty: number;
  evalSamples: number;
}

type Seq2SeqModelConfig = ModelConfig<Seq2SeqConfig, Seq2SeqDataSection, Seq2SeqTrainSection>;

interface LoadedSeq2Seq {
  model: Seq2Seq;
  sourceVocab: Vocab;
  targetVocab: Vocab;
  config: Seq2SeqModelConfig;
}

/** Rebuilds the model of a directory written by `train seq2seq`. */
export async function loadSeq2seq(dir: string): Promise<LoadedSeq2Seq> {
  const { config, vocab, weights } = await readModelDir(dir, "seq2seq");
  const c = config as unknown as Seq2SeqModelConfig;
  const model = new Seq2Seq(c.model);
  model.loadStateDict(weights);
  model.eval();
  return { model, ...seq2seqVocabFromJSON(vocab), config: c };
}

/** Decoding settings of a loaded model. */
function decodeOptions(m: LoadedSeq2Seq, beam: number, lengthPenalty: number) {
  const v = m.targetVocab;
  const maxLength = m.config.data.maxTargetLength + 5;
  return { bos: v.bosIndex, eos: v.eosIndex, maxLength, beamSize: beam, lengthPenalty };
}

interface Scored {
  results: TranslationResult[];
  scores: TranslationScores;
}

function scorePairs(
  m: LoadedSeq2Seq,
  pairs: readonly EncodedPair[],
  beam: number,
  lengthPenalty: number,
): Scored {
  const results = translate(
    m.model,
    pairs.map((p) => p.source),
    decodeOptions(m, beam, lengthPenalty),
  );
  const refs = pairs.map((p) => Array.from(p.target.subarray(0, p.target.length - 1)));
  return {
    results,
    scores: scoreTranslations(
      results.map((r) => r.tokens),
      refs,
    ),
  };
}

function figures(label: string, s: TranslationScores): Record<string, number> {
  return {
    [`${label} exact match`]: s.exactMatch,
    [`${label} BLEU-4`]: s.bleu,
    [`${label} token error rate`]: s.tokenErrorRate,
  };
}

/** Source, reference and output of a pair as text. */
function texts(m: LoadedSeq2Seq, pair: EncodedPair, result: TranslationResult) {
  const d = m.config.data;
  const words = (vocab: Vocab, ids: ArrayLike<number>, tokenizer: typeof d.sourceTokenizer) =>
    joinSeq2SeqTokens(vocab.decode(ids, { stopAtEos: true }), tokenizer);
  return {
    source: words(m.sourceVocab, pair.source, d.sourceTokenizer),
    reference: words(m.targetVocab, pair.target, d.targetTokenizer),
    hypothesis: words(m.targetVocab, result.tokens, d.targetTokenizer),
  };
}

/** The labels of an attention map: source tokens + <eos>, output tokens (+ <eos>). */
function attentionMap(
  m: LoadedSeq2Seq,
  source: ArrayLike<number>,
  result: TranslationResult,
): AttentionMap | null {
  if (!result.attention) return null;
  const target = m.targetVocab.decode(result.tokens);
  if (result.finished) target.push("<eos>");
  return {
    source: m.sourceVocab.decode(source),
    target,
    weights: result.attention,
  };
}

async function trainSeq2seq(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const out = defaultOut("seq2seq", String(opts.data), opts.out as string | undefined);
  let config: Seq2SeqModelConfig;
  const resumed = opts.resume ? (rejectOnResume(cmd), await loadResume(out, "seq2seq")) : null;
  if (resumed) {
    config = resumed.config as unknown as Seq2SeqModelConfig;
    config.train = { ...config.train, ...resumeTrainConfig(config.train, opts, cmd) };
  } else {
    const dataset = String(opts.data);
    const isCmudict = parseDatasetName(dataset).info.name === "cmudict";
    if (isCmudict && cmd.getOptionValueSource("level") === "cli")
      throw new UsageError("--level applies to pairs: data; cmudict is letters → phonemes");
    const level = opts.level as "word" | "char";
    const attention = opts.attention as Seq2SeqConfig["attention"];
    const bidirectional = opts.bidirectional as boolean;
    if (attention === "luong-dot" && bidirectional)
      throw new UsageError(
        "--attention luong-dot needs encoder outputs of the decoder's size; with a bidirectional encoder use luong-general or bahdanau, or add --no-bidirectional",
      );
    config = makeModelConfig(
      "seq2seq",
      {
        sourceVocabSize: 0,
        targetVocabSize: 0,
        cell: opts.cell as Seq2SeqConfig["cell"],
        embeddingSize: opts.embedding as number,
        hiddenSize: opts.hidden as number,
        numLayers: opts.layers as number,
        bidirectional,
        attention,
        dropout: opts.dropout as number,
      },
      {
        dataset,
        limit: opts.limit as number | undefined,
        level,
        ...seq2seqDataDefaults(isCmudict ? "cmudict" : dataset, level),
        maxLength: opts.maxLength as number,
        maxTargetLength: 0,
      },
      {
        ...trainConfigFrom(opts),
        teacherForcing: opts.teacherForcing as number,
        teacherForcingMode: opts.teacherForcingMode as TeacherForcingMode,
        beam: opts.beam as number,
        lengthPenalty: opts.lengthPenalty as number,
        evalSamples: opts.evalSamples as number,
      },
    );
  }
  const corpus = await loadData(config.data.dataset, "seq2seq", {
    limit: config.data.limit,
    skipBadLines: config.train.skipBadLines,
  });
  const data = prepareSeq2SeqData(corpus.pairs, config.data);
  const vocab = seq2seqVocabToJSON(data);
  if (resumed && JSON.stringify(vocab) !== JSON.stringify(resumed.vocab))
    throw new UsageError(
      `--resume: the data of ${config.data.dataset} no longer gives the run's vocabularies; was it changed?`,
    );
  config.model.sourceVocabSize = data.sourceVocab.length;
  config.model.targetVocabSize = data.targetVocab.length;
  config.data.maxTargetLength = data.maxTargetLength;
  manualSeed(config.train.seed);
  const model = new Seq2Seq(config.model);
  const optimizer = createOptimizer(model.parameters(), config.train.optimizer);
  const scheduler = createScheduler(optimizer, config.train.schedule);
  const task = new Seq2SeqTask(model, data, {
    batchSize: config.train.batchSize,
    teacherForcing: config.train.teacherForcing,
    teacherForcingMode: config.train.teacherForcingMode,
    seed: config.train.seed,
    evalSamples: config.train.evalSamples,
  });
  const c = config.model;
  const params = model.parameters().reduce((n, p) => n + p.numel(), 0);
  process.stderr.write(
    `train seq2seq: ${config.data.dataset}, ${data.train.length.toLocaleString("en-US")} training pairs ` +
      `(valid ${data.valid.length}, test ${data.test.length}${data.dropped ? `, ${data.dropped} over --max-length dropped` : ""}), ` +
      `vocabularies ${data.sourceVocab.length} → ${data.targetVocab.length}; ` +
      `${c.cell.toUpperCase()} ${c.numLayers}×${c.hiddenSize}${c.bidirectional ? " bidirectional" : ""}, attention ${c.attention}, ` +
      `${params.toLocaleString("en-US")} parameters → ${out}\n`,
  );
  const result = await runTraining({
    dir: out,
    config,
    vocab,
    task,
    optimizer,
    scheduler,
    trainer: config.train.trainer,
    resume: resumed?.checkpoint ?? null,
    metric: "accuracy",
    unit: "samples",
    overwrite: Boolean(opts.overwrite),
    stream: opts.quiet ? (nullStream as unknown as NodeJS.WriteStream) : undefined,
  });
  model.eval();
  const loaded: LoadedSeq2Seq = { model, ...data, config };
  const final: Record<string, number | string> = {};
  const last = result.summary.lastEval;
  if (last) {
    final["valid loss (nats/token)"] = last.loss;
    if (last.exactMatch !== undefined) final["valid exact match (greedy)"] = last.exactMatch;
  }
  const extra: { attention: AttentionMap[]; translations: ReturnType<typeof texts>[] } = {
    attention: [],
    translations: [],
  };
  let print: string | undefined;
  if (data.test.length > 0) {
    const greedy = scorePairs(loaded, data.test, 1, 0);
    Object.assign(final, figures("test (greedy)", greedy.scores));
    let shown = greedy;
    const beam = config.train.beam;
    if (beam > 1) {
      shown = scorePairs(loaded, data.test, beam, config.train.lengthPenalty);
      Object.assign(final, figures(`test (beam ${beam})`, shown.scores));
    }
    const rows = data.test.slice(0, 20);
    extra.translations = rows.map((p, i) => texts(loaded, p, shown.results[i]));
    print = extra.translations
      .slice(0, 8)
      .map(
        (t) =>
          `${t.source} → ${t.hypothesis}${t.hypothesis === t.reference ? "" : `   (reference: ${t.reference})`}`,
      )
      .join("\n");
    if (c.attention !== "none") {
      const few = data.test.slice(0, 4);
      const withAttention = translate(
        model,
        few.map((p) => p.source),
        { ...decodeOptions(loaded, beam, config.train.lengthPenalty), withAttention: true },
      );
      extra.attention = few
        .map((p, i) => attentionMap(loaded, p.source, withAttention[i]))
        .filter((a): a is AttentionMap => a !== null)
        .map((a) => ({
          ...a,
          title: joinSeq2SeqTokens(a.source.slice(0, -1), config.data.sourceTokenizer),
        }));
    }
  }
  await finishRun({
    dir: out,
    task: "seq2seq",
    title: `Sequence to sequence: ${config.data.dataset}`,
    config,
    result,
    final,
    extra,
    print,
  });
}

const nullStream = { write: () => true, isTTY: false };

async function translateTexts(inputs: string[], opts: Record<string, unknown>): Promise<void> {
  const m = await loadSeq2seq(String(opts.model));
  const d = m.config.data;
  const encoded = inputs.map((text) => {
    const e = encodeSource(text, m.sourceVocab, d.sourceTokenizer);
    if (e.tokens.length === 0) throw new UsageError(`translate: nothing to translate in "${text}"`);
    return e;
  });
  const beam = (opts.beam as number | undefined) ?? m.config.train.beam;
  const showAttention = Boolean(opts.showAttention);
  if (showAttention && m.config.model.attention === "none")
    throw new UsageError(
      "--show-attention: this model has no attention (trained with --attention none)",
    );
  const results = translate(
    m.model,
    encoded.map((e) => e.ids),
    {
      ...decodeOptions(
        m,
        beam,
        (opts.lengthPenalty as number | undefined) ?? m.config.train.lengthPenalty,
      ),
      withAttention: showAttention,
    },
  );
  results.forEach((r, i) => {
    const output = joinSeq2SeqTokens(m.targetVocab.decode(r.tokens), d.targetTokenizer);
    process.stdout.write(`${inputs[i]} → ${output}${r.finished ? "" : " …"}\n`);
    if (showAttention) {
      const map = attentionMap(m, encoded[i].ids, r)!;
      process.stdout.write(`${attentionHeatmapText(map.source, map.target, map.weights)}\n\n`);
    }
  });
}

/** `recurrent eval` for a seq2seq model: exact match, BLEU and token error rate on a split. */
export async function evalSeq2seq(
  dir: string,
  opts: { data?: string; split?: "valid" | "test"; limit?: number; beam?: number },
): Promise<void> {
  const m = await loadSeq2seq(dir);
  const d = m.config.data;
  let pairs: EncodedPair[];
  let what: string;
  if (opts.data) {
    const corpus = await loadData(opts.data, "seq2seq", { limit: opts.limit });
    pairs = corpus.pairs.map((p, index) => ({
      source: encodeSource(p.source, m.sourceVocab, d.sourceTokenizer).ids,
      target: Int32Array.from(
        m.targetVocab.encode(seq2seqTokens(p.target, d.targetTokenizer), { eos: true }),
      ),
      index,
    }));
    pairs = pairs.filter((p) => p.source.length > 1);
    what = opts.data;
  } else {
    const corpus = await loadData(d.dataset, "seq2seq", { limit: d.limit });
    const split = opts.split ?? "test";
    pairs = prepareSeq2SeqData(corpus.pairs, d)[split];
    if (opts.limit !== undefined) pairs = pairs.slice(0, opts.limit);
    what = `${d.dataset} (${split})`;
  }
  if (pairs.length === 0) throw new UsageError(`eval: ${what} has no pairs to evaluate`);
  const beam = opts.beam ?? m.config.train.beam;
  const { scores } = scorePairs(m, pairs, beam, m.config.train.lengthPenalty);
  const how = beam > 1 ? `beam ${beam}` : "greedy";
  process.stdout.write(
    `${what}: ${pairs.length} pairs, ${how}\n` +
      `exact match: ${scores.exactMatch.toFixed(4)}\n` +
      `BLEU-4: ${scores.bleu.toFixed(4)}\n` +
      `token error rate: ${scores.tokenErrorRate.toFixed(4)}\n`,
  );
}

export function registerSeq2seq(train: Command, program: Command): void {
  const cmd = train
    .command("seq2seq")
    .description("train an encoder–decoder with attention (cmudict g2p, or your sentence pairs)")
    .option("--data <name>", "cmudict or pairs:FILE (tab-separated source\\ttarget)", "cmudict")
    .option(
      "--level <level>",
      "pairs: word (basic_english tokens) or char",
      choiceArg("--level", ["word", "char"] as const),
      "word",
    )
    .option(
      "--cell <cell>",
      `one of ${SEQ2SEQ_CELLS.join(", ")}`,
      choiceArg("--cell", SEQ2SEQ_CELLS),
      "gru",
    )
    .option(
      "--layers <n>",
      "stacked recurrent layers (encoder and decoder)",
      intArg("--layers", 1),
      1,
    )
    .option(
      "--hidden <n>",
      "hidden size (encoder, per direction, and decoder)",
      intArg("--hidden", 1),
      128,
    )
    .option("--embedding <n>", "embedding size", intArg("--embedding", 1), 64)
    .option(
      "--attention <kind>",
      `one of ${SEQ2SEQ_ATTENTIONS.join(", ")}`,
      choiceArg("--attention", SEQ2SEQ_ATTENTIONS),
      "luong-general",
    )
    .option("--bidirectional", "bidirectional encoder (the default)", true)
    .option("--no-bidirectional", "unidirectional encoder")
    .option(
      "--dropout <p>",
      "dropout on embeddings, between layers and before the output layer",
      floatArg("--dropout", 0, 1, true),
      0,
    )
    .option(
      "--teacher-forcing <ratio>",
      "probability of feeding the reference token to the decoder",
      floatArg("--teacher-forcing", 0, 1),
      1,
    )
    .option(
      "--teacher-forcing-mode <mode>",
      "one coin per batch or per step",
      choiceArg("--teacher-forcing-mode", TEACHER_FORCING_MODES),
      "batch",
    )
    .option(
      "--beam <n>",
      "beam size for the test set and translate (1: greedy only)",
      intArg("--beam", 1),
      5,
    )
    .option(
      "--length-penalty <alpha>",
      "GNMT length penalty α of beam search",
      floatArg("--length-penalty", 0),
      0,
    )
    .option(
      "--max-length <n>",
      "drop pairs with more tokens on either side",
      intArg("--max-length", 1),
      50,
    )
    .option(
      "--eval-samples <n>",
      "validation pairs decoded greedily for exact match at each evaluation (0: none)",
      intArg("--eval-samples", 0),
      1000,
    );
  addTrainOptions(cmd, { lr: 3e-3, epochs: 2, batchSize: 128, clip: 1 }).action(trainSeq2seq);

  program
    .command("translate")
    .description("translate text with a trained seq2seq model (cmudict: words → phonemes)")
    .requiredOption("--model <dir>", "model directory written by `train seq2seq`")
    .argument("<text...>", "what to translate (cmudict: words, e.g. hello world)")
    .option("--beam <n>", "beam size (1: greedy; default: the model's --beam)", intArg("--beam", 1))
    .option("--length-penalty <alpha>", "GNMT length penalty α", floatArg("--length-penalty", 0))
    .option("--show-attention", "print each output's attention over the source as a text heatmap")
    .action(translateTexts);
}
