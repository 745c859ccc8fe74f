"""Parity fixtures for text processing and metrics (test/parity/text.test.ts).

References, none of them our own TypeScript:
- text_tokenizer: torchtext's basic_english (`_basic_english_normalize` from
  torchtext/data/utils.py, transcribed below because torchtext is not installed), Python's
  str.split() and list(str), on tricky strings (Unicode spaces, final sigma, emoji, <br />).
- text_vocab: torchtext >= 0.12 build_vocab_from_iterator + vocab() (transcribed: ties broken
  lexicographically, max_tokens counting the specials) and the d2l/Counter.most_common order
  (ties by first appearance).
- text_one_hot: torch.nn.functional.one_hot.
- text_bleu: NLTK's corpus_bleu / sentence_bleu (Debian python3-nltk) with no smoothing,
  method1 (floor) and method3 (exp); d2l's bleu(pred_seq, label_seq, k) transcribed from the book.
  For corpora mixing hypotheses shorter than N with longer ones NLTK pads each short sentence's
  denominator to 1; there the standard value is assembled from NLTK's own pieces
  (modified_precision numerators, closest_ref_length, brevity_penalty) with true n-gram totals.
- text_classification: scikit-learn's accuracy_score, confusion_matrix and
  precision_recall_fscore_support(zero_division=0) (Debian python3-sklearn).
- text_perplexity: exp(F.cross_entropy) from torch.
"""
import collections
import math
import re
import warnings

import torch
import torch.nn.functional as F

import common

# ---- torchtext basic_english, as in torchtext/data/utils.py ----
_patterns = [r"\'", r"\"", r"\.", r"<br \/>", r",", r"\(", r"\)", r"\!", r"\?", r"\;", r"\:", r"\s+"]
_replacements = [" '  ", "", " . ", " ", " , ", " ( ", " ) ", " ! ", " ? ", " ", " ", " "]
_patterns_dict = list((re.compile(p), r) for p, r in zip(_patterns, _replacements))


def _basic_english_normalize(line):
    line = line.lower()
    for pattern_re, replaced_str in _patterns_dict:
        line = pattern_re.sub(replaced_str, line)
    return line.split()


STRINGS = [
    "You can now install TorchText using pip!",
    "Don't panic: it's \"fine\"; really...",
    "Hello,world(foo)bar!?baz",
    "line one<br />line two<br/>three<BR />four",
    "  leading and trailing   whitespace \t\n",
    "Numbers 3.14 and 1,000,000 (approx.)",
    "Tabs\tand\u00a0nbsp\u2003emspace\u3000ideographic\u2028ls",
    "BOM\ufeffinside and \x1cfile\x1dsep\x85nel\x1funit",
    "ÉCOLE Straße İstanbul ΟΔΟΣ ΣΑΣ.",
    "emoji 😀👍🏽 and CJK 漢字。",
    "quotes ‘curly’ “double” and `back`",
    "",
    "   \t ",
    "a.b.c...d",
    "colon:semi;colon::;;end",
    "'quoted' \"twice\"",
    "It's a dog's life; isn't it?",
]


def tokenizer_cases():
    return [
        {
            "text": s,
            "basic_english": _basic_english_normalize(s),
            "whitespace": s.split(),
            "char": list(s),
        }
        for s in STRINGS
    ]


# ---- torchtext >= 0.12 build_vocab_from_iterator / vocab, transcribed ----
def torchtext_build_vocab(iterator, min_freq=1, specials=None, special_first=True, max_tokens=None):
    counter = collections.Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = specials or []
    sorted_by_freq_tuples = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
    if max_tokens is None:
        ordered_dict = collections.OrderedDict(sorted_by_freq_tuples)
    else:
        assert len(specials) < max_tokens
        ordered_dict = collections.OrderedDict(sorted_by_freq_tuples[: max_tokens - len(specials)])
    for token in specials:
        ordered_dict.pop(token, None)
    tokens = [t for t, f in ordered_dict.items() if f >= min_freq]
    return specials + tokens if special_first else tokens + specials


def first_seen_vocab(iterator, min_freq=1, specials=(), max_size=None):
    """Counter.most_common order (stable sort by count): ties keep first appearance (d2l)."""
    counter = collections.Counter()
    for tokens in iterator:
        counter.update(tokens)
    tokens = [t for t, f in counter.most_common() if f >= min_freq and t not in specials]
    if max_size is not None:
        tokens = tokens[: max_size - len(specials)]
    return list(specials) + tokens


def vocab_cases():
    text = (
        "the quick brown fox jumps over the lazy dog . the dog sleeps . "
        "a zebra and a yak meet the fox . über café naïve Zebra zebra"
    )
    sentences = [_basic_english_normalize(s) for s in text.split(" . ")]
    sentences.append(["b", "a", "c", "b", "a", "c", "😀", "ζ", "Z"])
    specials = ["<unk>", "<pad>", "<bos>", "<eos>"]
    cases = []
    for opts in [
        {},
        {"minFreq": 2},
        {"maxSize": 8},
        {"maxSize": 10, "minFreq": 2},
        {"specialFirst": False},
        {"specials": ["<pad>", "<unk>"]},
    ]:
        sp = opts.get("specials", specials)
        cases.append(
            {
                "options": dict(opts, tieBreak="lexicographic"),
                "itos": torchtext_build_vocab(
                    sentences,
                    min_freq=opts.get("minFreq", 1),
                    specials=sp,
                    special_first=opts.get("specialFirst", True),
                    max_tokens=opts.get("maxSize"),
                ),
            }
        )
        if "specialFirst" not in opts:
            cases.append(
                {
                    "options": dict(opts, tieBreak="firstSeen"),
                    "itos": first_seen_vocab(
                        sentences, opts.get("minFreq", 1), sp, opts.get("maxSize")
                    ),
                }
            )
    return {"sentences": sentences, "cases": cases}


def one_hot_cases():
    g = torch.Generator().manual_seed(7)
    cases = []
    for shape, high, num_classes in [((5,), 4, -1), ((5,), 4, 6), ((2, 3), 5, -1), ((2, 0, 3), 5, 4), ((), 3, 5), ((3, 2, 2), 7, 7)]:
        idx = torch.randint(0, high, shape, generator=g)
        out = F.one_hot(idx, num_classes)
        cases.append({"indices": common.t(idx), "numClasses": num_classes, "out": common.t(out.float())})
    return cases


# ---- BLEU ----
def d2l_bleu(pred_seq, label_seq, k):
    """d2l's bleu (Dive into Deep Learning, Machine Translation / seq2seq section)."""
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        num_matches, label_subs = 0, collections.defaultdict(int)
        for i in range(len_label - n + 1):
            label_subs[" ".join(label_tokens[i : i + n])] += 1
        for i in range(len_pred - n + 1):
            if label_subs[" ".join(pred_tokens[i : i + n])] > 0:
                num_matches += 1
                label_subs[" ".join(pred_tokens[i : i + n])] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


D2L_CASES = [
    # the book's outputs: go . => va ! 1.000; i lost . => j'ai perdu . 1.000;
    # he's calm . => il est riche . 0.658; i'm home . => je suis en retard ? 0.447 (k=2)
    ("va !", "va !", 2, 1.0),
    ("j'ai perdu .", "j'ai perdu .", 2, 1.0),
    ("il est riche .", "il est calme .", 2, 0.658),
    ("je suis en retard ?", "je suis chez moi .", 2, 0.447),
    ("the the the the", "the cat is on the mat", 2, None),
    ("a b c d e f", "a b c d", 3, None),
    ("a b a b a b", "a b a b", 4, None),
    ("x y", "a b c", 2, None),
]


def split(s):
    return s.split()


BLEU_CORPORA = [
    # NLTK's docstring example (two sentences, three and one references)
    (
        [
            split("It is a guide to action which ensures that the military always obeys the commands of the party"),
            split("he read the book because he was interested in world history"),
        ],
        [
            [
                split("It is a guide to action that ensures that the military will forever heed Party commands"),
                split("It is the guiding principle which guarantees the military forces always being under the command of the Party"),
                split("It is the practical guide for the army always to heed the directions of the party"),
            ],
            [split("he was interested in world history because he read the book")],
        ],
    ),
    ([split("the cat sat on the mat")], [[split("the cat sat on the mat")]]),
    ([split("the the the the the the the")], [[split("the cat is on the mat"), split("there is a cat on the mat")]]),
    ([split("a b c d e")], [[split("f g h i j")]]),
    ([split("the cat is on the mat today")], [[split("the cat sat on the mat")]]),
    ([split("cat on mat")], [[split("the cat sat on the mat"), split("a cat on a mat")]]),
    (
        [split("the quick brown fox jumps"), split("over the lazy dog"), split("a b c d e f g")],
        [[split("the quick brown fox jumped"), split("a fast brown fox jumps")], [split("over a lazy dog here")], [split("a b c d x f g h")]],
    ),
    ([split("one two three four five six"), split("seven eight nine ten")], [[split("one two three four five six")], [split("ten nine eight seven")]]),
    # ties in closest reference length (4 and 6 around 5): NLTK and sacrebleu take the shorter
    ([split("a b c d e")], [[split("a b c d e f"), split("a b c d")]]),
    # mixed short hypotheses (shorter than N = 4)
    ([split("the cat"), split("a dog sat on the mat"), split("hi")], [[split("the cat")], [split("a dog sat on a mat")], [split("hi there")]]),
    ([split("go ."), split("i lost ."), split("he's calm .")], [[split("va !")], [split("go .")], [split("he's calm .")]]),
]


def standard_from_nltk_pieces(hyps, refs, max_n, bleu_mod):
    num = [0] * max_n
    den = [0] * max_n
    hyp_len = ref_len = 0
    for h, rs in zip(hyps, refs):
        for n in range(1, max_n + 1):
            num[n - 1] += bleu_mod.modified_precision(rs, h, n).numerator
            den[n - 1] += max(0, len(h) - n + 1)
        hyp_len += len(h)
        ref_len += bleu_mod.closest_ref_length(rs, len(h))
    if num[0] == 0 or any(x == 0 for x in num):
        return 0.0
    bp = bleu_mod.brevity_penalty(ref_len, hyp_len)
    return bp * math.exp(sum(math.log(num[n] / den[n]) / max_n for n in range(max_n)))


def bleu_cases():
    from nltk.translate import bleu_score as B

    sm = B.SmoothingFunction()
    corpus = []
    for hyps, refs in BLEU_CORPORA:
        for max_n in (4, 2):
            weights = tuple([1 / max_n] * max_n)
            comparable = all(len(h) >= max_n for h in hyps)
            row = {"hypotheses": hyps, "references": refs, "maxN": max_n, "nltkComparable": comparable}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row["nltk"] = B.corpus_bleu(refs, hyps, weights=weights)
                row["nltkFloor"] = B.corpus_bleu(refs, hyps, weights=weights, smoothing_function=sm.method1)
                row["nltkExp"] = B.corpus_bleu(refs, hyps, weights=weights, smoothing_function=sm.method3)
                row["nltkSentence"] = [B.sentence_bleu(r, h, weights=weights) for h, r in zip(hyps, refs)]
            row["standard"] = standard_from_nltk_pieces(hyps, refs, max_n, B)
            corpus.append(row)
    d2l = [
        {"pred": p, "label": l, "k": k, "published": pub, "value": d2l_bleu(p, l, k)}
        for p, l, k, pub in D2L_CASES
    ]
    return {"corpus": corpus, "d2l": d2l}


def classification_cases():
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    g = torch.Generator().manual_seed(11)
    cases = []
    for n, c, kind in [(40, 4, "labels"), (30, 5, "labels"), (24, 3, "scores"), (12, 6, "labels"), (20, 3, "ignore")]:
        target = torch.randint(0, c, (n,), generator=g)
        if kind == "scores":
            scores = torch.randn(n, c, generator=g)
            pred = scores.argmax(dim=1)
        else:
            # mostly right, some noise; class c-1 never predicted when c > 4 (0/0 precision)
            noise = torch.randint(0, c, (n,), generator=g)
            keep = torch.rand(n, generator=g) < 0.6
            pred = torch.where(keep, target, noise)
            if c > 4:
                pred[pred == c - 1] = 0
                target[target == c - 2] = 1  # class c-2 has no support
        labels = list(range(c))
        row = {"numClasses": c, "target": target.tolist()}
        if kind == "scores":
            row["scores"] = common.t(scores)
        row["pred"] = pred.tolist()
        t, p = target.tolist(), pred.tolist()
        if kind == "ignore":
            row["ignoreIndex"] = 0
            kept = [(a, b) for a, b in zip(t, p) if a != 0]
            t, p = [a for a, _ in kept], [b for _, b in kept]
        row["accuracy"] = accuracy_score(t, p)
        row["confusion"] = confusion_matrix(t, p, labels=labels).tolist()
        pr, rc, f1, sup = precision_recall_fscore_support(t, p, labels=labels, zero_division=0)
        row["perClass"] = {"precision": pr.tolist(), "recall": rc.tolist(), "f1": f1.tolist(), "support": sup.tolist()}
        for avg in ("macro", "weighted", "micro"):
            a = precision_recall_fscore_support(t, p, labels=labels, average=avg, zero_division=0)
            row[avg] = {"precision": float(a[0]), "recall": float(a[1]), "f1": float(a[2])}
        cases.append(row)
    return cases


def perplexity_cases():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(6, 10, generator=g)
    targets = torch.randint(1, 10, (6,), generator=g)
    targets[4] = 0
    mean = F.cross_entropy(logits, targets)
    ignored = F.cross_entropy(logits, targets, ignore_index=0)
    return {
        "logits": common.t(logits),
        "targets": common.t(targets),
        "ppl": math.exp(mean.item()),
        "pplIgnore0": math.exp(ignored.item()),
        "perToken": common.t(F.cross_entropy(logits, targets, reduction="none")),
    }


def main():
    common.write("text_tokenizer", tokenizer_cases())
    common.write("text_vocab", vocab_cases())
    common.write("text_one_hot", one_hot_cases())
    common.write("text_bleu", bleu_cases())
    common.write("text_classification", classification_cases())
    common.write("text_perplexity", perplexity_cases())
