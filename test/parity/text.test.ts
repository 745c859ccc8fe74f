/**
 * Text and metrics parity (fixtures from gen_text.py): torchtext's basic_english and
 * build_vocab_from_iterator (transcribed), Python's str.split()/list(), torch one_hot, NLTK BLEU,
 * d2l's BLEU, scikit-learn's classification metrics and exp(cross_entropy).
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  basicEnglishTokenizer,
  charTokenizer,
  whitespaceTokenizer,
} from "../../src/data/tokenizer.js";
import { Vocab, type VocabBuildOptions } from "../../src/data/vocab.js";
import { bleu, corpusBleu, sentenceBleu } from "../../src/metrics/bleu.js";
import {
  accuracy,
  confusionMatrix,
  precisionRecallF1,
  type PRF,
} from "../../src/metrics/classification.js";
import { perplexity } from "../../src/metrics/perplexity.js";
import { crossEntropy } from "../../src/nn/functional/cross-entropy.js";
import { oneHot } from "../../src/nn/functional/one-hot.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

const report = new ParityReport();
after(() => report.print("text/metrics parity"));

/** |actual - expected| ≤ atol, recorded under `label`. */
function near(actual: number, expected: number, label: string, atol = 1e-12): void {
  const err = Math.abs(actual - expected);
  report.add(label, err);
  assert.ok(err <= atol, `${label}: ${actual} vs expected ${expected} (|diff| ${err} > ${atol})`);
}

describe("tokenizers vs torchtext basic_english, str.split(), list(str)", () => {
  const cases =
    loadFixture<{ text: string; basic_english: string[]; whitespace: string[]; char: string[] }[]>(
      "text_tokenizer",
    );
  for (const c of cases) {
    test(JSON.stringify(c.text), () => {
      assert.deepEqual(basicEnglishTokenizer(c.text), c.basic_english);
      assert.deepEqual(whitespaceTokenizer(c.text), c.whitespace);
      assert.deepEqual(charTokenizer(c.text), c.char);
    });
  }
});

describe("Vocab.build vs build_vocab_from_iterator / Counter.most_common", () => {
  const fx = loadFixture<{
    sentences: string[][];
    cases: { options: VocabBuildOptions; itos: string[] }[];
  }>("text_vocab");
  for (const c of fx.cases) {
    test(JSON.stringify(c.options), () => {
      const vocab = Vocab.build(fx.sentences, c.options);
      assert.deepEqual(vocab.itos, c.itos);
      assert.equal(vocab.length, c.itos.length);
    });
  }
});

describe("oneHot vs torch.nn.functional.one_hot", () => {
  const cases =
    loadFixture<{ indices: FixtureTensor; numClasses: number; out: FixtureTensor }[]>(
      "text_one_hot",
    );
  for (const c of cases) {
    test(`indices ${JSON.stringify(c.indices.shape)}, numClasses ${c.numClasses}`, () => {
      const out = oneHot(fromFixture(c.indices), c.numClasses);
      assert.equal(out.dtype, "float32");
      report.add("oneHot", assertClose(out, c.out, 0, "oneHot"));
    });
  }
});

interface BleuRow {
  hypotheses: string[][];
  references: string[][][];
  maxN: number;
  nltkComparable: boolean;
  nltk: number;
  nltkFloor: number;
  nltkExp: number;
  nltkSentence: number[];
  standard: number;
}

describe("BLEU vs NLTK corpus_bleu / sentence_bleu and d2l", () => {
  const fx = loadFixture<{
    corpus: BleuRow[];
    d2l: { pred: string; label: string; k: number; published: number | null; value: number }[];
  }>("text_bleu");
  fx.corpus.forEach((c, i) => {
    test(`corpus ${i}, maxN ${c.maxN}${c.nltkComparable ? "" : " (short hypotheses)"}`, () => {
      const score = corpusBleu(c.hypotheses, c.references, { maxN: c.maxN });
      near(score, c.standard, "corpusBleu standard");
      if (c.nltkComparable) {
        // NLTK's unsmoothed zero is ~1e-77 (log of the smallest float), not exactly 0.
        near(score, c.nltk, "corpusBleu vs NLTK");
        near(
          corpusBleu(c.hypotheses, c.references, { maxN: c.maxN, smooth: "floor" }),
          c.nltkFloor,
          "floor vs NLTK method1",
        );
        near(
          corpusBleu(c.hypotheses, c.references, { maxN: c.maxN, smooth: "exp" }),
          c.nltkExp,
          "exp vs NLTK method3",
        );
        c.hypotheses.forEach((h, j) => {
          if (h.length >= c.maxN) {
            near(
              sentenceBleu(h, c.references[j], { maxN: c.maxN }),
              c.nltkSentence[j],
              "sentenceBleu vs NLTK",
            );
          }
        });
      }
    });
  });
  for (const c of fx.d2l) {
    test(`d2l bleu(${JSON.stringify(c.pred)}, ${JSON.stringify(c.label)}, k=${c.k})`, () => {
      const score = bleu(c.pred, c.label, c.k);
      near(score, c.value, "d2l bleu");
      if (c.published !== null) assert.equal(score.toFixed(3), c.published.toFixed(3));
    });
  }
});

interface ClassificationRow {
  numClasses: number;
  target: number[];
  pred: number[];
  scores?: FixtureTensor;
  ignoreIndex?: number;
  accuracy: number;
  confusion: number[][];
  perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
  macro: PRF;
  weighted: PRF;
  micro: PRF;
}

describe("classification metrics vs scikit-learn (zero_division=0)", () => {
  const cases = loadFixture<ClassificationRow[]>("text_classification");
  cases.forEach((c, i) => {
    test(`case ${i}: ${c.target.length} samples, ${c.numClasses} classes`, () => {
      const input = c.scores ? fromFixture(c.scores) : c.pred;
      const opts = { numClasses: c.numClasses, ignoreIndex: c.ignoreIndex };
      near(accuracy(input, c.target, opts), c.accuracy, "accuracy");
      assert.deepEqual(confusionMatrix(input, c.target, opts), c.confusion);
      const r = precisionRecallF1(input, c.target, opts);
      assert.deepEqual(r.support, c.perClass.support);
      for (const k of ["precision", "recall", "f1"] as const) {
        r[k].forEach((v, j) => near(v, c.perClass[k][j], `per-class ${k}`));
        for (const avg of ["macro", "weighted", "micro"] as const) {
          near(r[avg][k], c[avg][k], `${avg} ${k}`);
        }
      }
    });
  });
});

describe("perplexity vs exp(F.cross_entropy)", () => {
  const fx = loadFixture<{
    logits: FixtureTensor;
    targets: FixtureTensor;
    ppl: number;
    pplIgnore0: number;
    perToken: FixtureTensor;
  }>("text_perplexity");
  test("mean NLL, per-token NLLs and ignoreIndex", () => {
    const logits = fromFixture(fx.logits);
    const targets = fromFixture(fx.targets);
    // float32 losses: the relative error of exp(x) is the absolute error of x (~1e-7).
    near(perplexity(crossEntropy(logits, targets)), fx.ppl, "perplexity", 1e-5 * fx.ppl);
    near(perplexity(fromFixture(fx.perToken)), fx.ppl, "perplexity per-token", 1e-5 * fx.ppl);
    const ignored = crossEntropy(logits, targets, { ignoreIndex: 0 });
    near(perplexity(ignored), fx.pplIgnore0, "perplexity ignoreIndex", 1e-5 * fx.pplIgnore0);
  });
});
