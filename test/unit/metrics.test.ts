import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tensor } from "../../src/tensor/creation.js";
import {
  accuracy,
  bleu,
  bleuStats,
  confusionMatrix,
  corpusBleu,
  exactMatch,
  perplexity,
  perplexityFromTotal,
  precisionRecallF1,
  sentenceBleu,
} from "../../src/metrics/index.js";

const ints = (data: number[] | number[][]) => tensor(data, { dtype: "int32" });
const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe("accuracy", () => {
  test("labels as arrays or int32 tensors", () => {
    assert.equal(accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75);
    assert.equal(
      accuracy(
        ints([
          [1, 0],
          [0, 0],
        ]),
        ints([
          [1, 1],
          [0, 0],
        ]),
      ),
      0.75,
    );
  });

  test("scores [..., C] are reduced by argmax (first maximum on ties)", () => {
    const scores = tensor([
      [0.1, 2.0, -1],
      [3, 3, 0],
      [0, 0, 5],
    ]);
    assert.equal(accuracy(scores, [1, 0, 1]), 2 / 3);
    assert.equal(
      accuracy(
        tensor([
          [
            [0.0, 1.0],
            [2.0, 1.0],
          ],
        ]),
        ints([[1, 1]]),
      ),
      0.5,
    );
  });

  test("ignoreIndex leaves padding out", () => {
    assert.equal(accuracy([5, 1, 7, 0], [0, 1, 0, 0], { ignoreIndex: 0 }), 1);
    assert.throws(() => accuracy([1], [0], { ignoreIndex: 0 }), /accuracy: no targets to score/);
  });

  test("shape and type errors", () => {
    assert.throws(
      () => accuracy([1, 2], [1, 2, 3]),
      /accuracy: expected predicted labels of the targets' shape \[3\], got \[2\]/,
    );
    assert.throws(
      () => accuracy(tensor([[1.0, 2.0]]), ints([[1]])),
      /accuracy: expected scores of shape \[1, 1, C\] .* got float32 Tensor of shape \[1, 2\]/,
    );
    assert.throws(
      () => accuracy([1], tensor([1.0])),
      /accuracy: expected int32 target labels, got float32 Tensor of shape \[1\]/,
    );
    assert.throws(
      () => accuracy([0.5], [1]),
      /accuracy: expected integer predicted labels, got 0.5 at position 0/,
    );
  });
});

describe("confusionMatrix and precisionRecallF1", () => {
  // targets:     0 0 0 1 1 2
  // predictions: 0 0 1 1 1 1   → class 2 never predicted, class 3 absent everywhere
  const target = [0, 0, 0, 1, 1, 2];
  const pred = [0, 0, 1, 1, 1, 1];

  test("rows are true classes, columns predictions (scikit-learn's layout)", () => {
    assert.deepEqual(confusionMatrix(pred, target), [
      [2, 1, 0],
      [0, 2, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(confusionMatrix(pred, target, { numClasses: 4 })[3], [0, 0, 0, 0]);
    assert.throws(
      () => confusionMatrix([3], [0], { numClasses: 3 }),
      /confusionMatrix: predicted label 3 is out of range \[0, 3\)/,
    );
    assert.throws(
      () => confusionMatrix([0], [-1]),
      /confusionMatrix: target label -1 is out of range/,
    );
  });

  test("per-class values and averages, 0/0 counted as 0", () => {
    const r = precisionRecallF1(pred, target, { numClasses: 4 });
    assert.deepEqual(r.support, [3, 2, 1, 0]);
    assert.deepEqual(r.precision, [1, 0.5, 0, 0]);
    r.recall.forEach((v, i) => close(v, [2 / 3, 1, 0, 0][i]));
    r.f1.forEach((v, i) => close(v, [0.8, 2 / 3, 0, 0][i]));
    close(r.macro.precision, 1.5 / 4);
    close(r.macro.f1, (0.8 + 2 / 3) / 4);
    close(r.weighted.recall, (3 * (2 / 3) + 2 * 1) / 6);
    close(r.weighted.precision, (3 * 1 + 2 * 0.5) / 6);
    const acc = accuracy(pred, target);
    close(r.micro.precision, acc);
    close(r.micro.recall, acc);
    close(r.micro.f1, acc);
  });
});

describe("perplexity", () => {
  test("exp of the mean NLL; a uniform guess over K classes has perplexity K", () => {
    close(perplexity(Math.log(50)), 50, 1e-10);
    close(perplexity(0), 1);
    close(perplexity(tensor([Math.log(2), Math.log(8)])), 4, 1e-5);
    close(perplexityFromTotal(3 * Math.log(7), 3), 7, 1e-10);
  });

  test("errors", () => {
    assert.throws(
      () => perplexity(tensor([], { shape: [0] })),
      /perplexity: expected NLL values, got an empty tensor/,
    );
    assert.throws(() => perplexity(NaN), /perplexity: the mean NLL is NaN/);
    assert.throws(
      () => perplexityFromTotal(1, 0),
      /perplexityFromTotal: expected a positive token count, got 0/,
    );
  });
});

describe("bleu (d2l)", () => {
  test("the book's printed translations", () => {
    assert.equal(bleu("va !", "va !", 2), 1);
    close(bleu("il est riche .", "il est calme .", 2), Math.sqrt(3 / 4) * Math.pow(1 / 3, 1 / 4));
    close(
      bleu("je suis en retard ?", "je suis chez moi .", 2),
      Math.sqrt(2 / 5) * Math.pow(1 / 4, 1 / 4),
    );
  });

  test("token arrays equal their space-joined strings; brevity penalty for short preds", () => {
    assert.equal(
      bleu(["je", "suis"], ["je", "suis", "là", "."], 2),
      bleu("je suis", "je suis là .", 2),
    );
    close(bleu("a b", "a b c d", 2), Math.exp(1 - 4 / 2));
  });

  test("a prediction shorter than k is an error", () => {
    assert.throws(
      () => bleu("va", "va !", 2),
      /bleu: the prediction needs at least k=2 tokens to have 2-grams, got 1/,
    );
    assert.throws(() => bleu("a", "a", 0), /bleu: expected k to be a positive integer, got 0/);
  });
});

describe("corpusBleu", () => {
  const hyp = "the cat sat on the mat".split(" ");
  const ref = "the cat is on the mat".split(" ");

  test("hand-computed counts: p = 5/6, 3/5, 1/4, 0/3", () => {
    assert.deepEqual(bleuStats([hyp], [[ref]]), {
      matches: [5, 3, 1, 0],
      totals: [6, 5, 4, 3],
      hypLength: 6,
      refLength: 6,
    });
    assert.equal(corpusBleu([hyp], [[ref]]), 0); // no 4-gram match, no smoothing
    close(corpusBleu([hyp], [[ref]], { maxN: 3 }), 0.5); // (5/6 · 3/5 · 1/4)^(1/3)
    close(
      corpusBleu([hyp], [[ref]], { smooth: "exp" }),
      Math.pow((5 / 6) * (3 / 5) * (1 / 4) * (1 / 6), 1 / 4),
    );
    close(
      corpusBleu([hyp], [[ref]], { smooth: "floor" }),
      Math.pow((5 / 6) * (3 / 5) * (1 / 4) * (0.1 / 3), 1 / 4),
    );
  });

  test("brevity penalty from the closest reference; ties go to the shorter one", () => {
    close(sentenceBleu(["the", "cat"], [hyp], { maxN: 2 }), Math.exp(1 - 6 / 2));
    // length 5 between references of 4 and 6: r = 4 < c, so no penalty.
    const five = ["a", "b", "c", "d", "e"];
    assert.equal(bleuStats([five], [[[..."abcdef"], [..."abcd"]]]).refLength, 4);
    assert.equal(corpusBleu([five], [[[..."abcdef"], five]]), 1);
  });

  test("clipping: a repeated word counts at most as often as in one reference", () => {
    const stats = bleuStats(
      [["the", "the", "the"]],
      [
        [
          ["the", "cat"],
          ["the", "the", "dog"],
        ],
      ],
      1,
    );
    assert.deepEqual(stats.matches, [2]);
  });

  test("zero weights ignore an order; no unigram match is 0 even when smoothed", () => {
    close(corpusBleu([hyp], [[ref]], { weights: [0.5, 0.5, 0, 0] }), Math.sqrt((5 / 6) * (3 / 5)));
    assert.equal(corpusBleu([["x", "y"]], [[["a", "b"]]], { smooth: "exp" }), 0);
    assert.equal(corpusBleu([[]], [[["a"]]]), 0);
  });

  test("errors", () => {
    assert.throws(
      () => corpusBleu([hyp], [[ref], [ref]]),
      /corpusBleu: expected one list of references per hypothesis, got 2 reference lists for 1 hypotheses/,
    );
    assert.throws(
      () => corpusBleu([hyp], [ref] as unknown as string[][][]),
      /corpusBleu: expected references\[0\] to be a non-empty array of token arrays/,
    );
    assert.throws(
      () => corpusBleu([hyp], [[ref]], { maxN: 0 }),
      /corpusBleu: expected maxN to be a positive integer, got 0/,
    );
    assert.throws(
      () => corpusBleu([hyp], [[ref]], { weights: [1] }),
      /corpusBleu: expected 4 weights \(one per n-gram order\), got 1/,
    );
  });
});

describe("exactMatch", () => {
  test("strings and token sequences compare whole", () => {
    assert.equal(exactMatch(["va !", "j'ai perdu ."], ["va !", "je suis perdu ."]), 0.5);
    assert.equal(
      exactMatch(
        [
          ["va", "!"],
          [1, 2],
        ],
        [
          ["va", "!"],
          [1, 2, 3],
        ],
      ),
      0.5,
    );
    assert.equal(exactMatch(["Va ! "], ["va !"], { normalize: (s) => s.trim().toLowerCase() }), 1);
    assert.equal(exactMatch(["ab"], [["a", "b"]]), 0);
  });

  test("tensor rows, with padding ignored", () => {
    const pred = ints([
      [4, 5, 9],
      [4, 6, 0],
      [7, 7, 7],
    ]);
    const ref = ints([
      [4, 5, 0],
      [4, 6, 0],
      [7, 7, 8],
    ]);
    assert.equal(exactMatch(pred, ref), 1 / 3);
    assert.equal(exactMatch(pred, ref, { ignoreIndex: 0 }), 2 / 3);
  });

  test("errors", () => {
    assert.throws(
      () => exactMatch(["a"], ["a", "b"]),
      /exactMatch: expected as many references as predictions, got 2 references for 1 predictions/,
    );
    assert.throws(
      () => exactMatch(ints([[1]]), [[1]]),
      /exactMatch: expected both predictions and references as Tensors, or both as arrays/,
    );
    assert.throws(
      () => exactMatch(ints([[1, 2]]), ints([[1], [2]])),
      /exactMatch: predictions and references differ in shape: \[1, 2\] vs \[2, 1\]/,
    );
    assert.throws(() => exactMatch([], []), /exactMatch: no predictions to compare/);
  });
});
