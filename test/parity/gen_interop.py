"""Fixtures for test/parity/interop.test.ts: models trained a few steps in PyTorch, written with
scripts/export_pytorch.py, that recurrent must load unchanged and reproduce to 1e-5.

The torch modules here are the recipes' models in PyTorch, built from the same config.json "model"
section as recurrent's (camelCase keys) and named so that their state dicts are recurrent's:
  lm        the word_language_model example's RNNModel (encoder, rnn, decoder; tied weights)
  classify  gen_classifier.Classifier (packed RNN, last/mean/max/attention pooling)
  seq2seq   encoder (packed, bridged when bidirectional) + decoder with no / Bahdanau / Luong
            attention, teacher-forced (the same equations as tasks/seq2seq/model.ts)
check_in_torch.py builds them too, to load recurrent's model.safetensors strictly.

Each case trains 4 Adam steps (lr 0.05) on random tokens and random targets, then records eval-mode
outputs on fresh variable-length inputs. Files: fixtures/interop_<case>.safetensors (the state
dict) and fixtures/interop.json (configs, inputs, outputs).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from common import FIXTURES, t, write
from gen_classifier import Classifier
from gen_seq2seq import Bahdanau, LuongGeneral

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from export_pytorch import save_safetensors  # noqa: E402

RNNS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class LanguageModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        L = c["numLayers"]
        self.drop = nn.Dropout(c["dropout"])
        self.encoder = nn.Embedding(c["vocabSize"], c["embeddingSize"])
        self.rnn = RNNS[c["cell"]](c["embeddingSize"], c["hiddenSize"], L, dropout=c["dropout"] if L > 1 else 0)
        self.decoder = nn.Linear(c["hiddenSize"], c["vocabSize"])
        if c.get("tieWeights"):
            self.decoder.weight = self.encoder.weight

    def forward(self, ids, state=None):  # ids [T, B] → logits [T, B, V]
        out, state = self.rnn(self.drop(self.encoder(ids)), state)
        return self.decoder(self.drop(out)), state


class LuongDot(nn.Module):
    def scores(self, h, keys):
        return torch.bmm(h, keys.transpose(1, 2))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, L, bi = c["hiddenSize"], c["numLayers"], c["bidirectional"]
        self.c = c
        self.embedding = nn.Embedding(c["sourceVocabSize"], c["embeddingSize"])
        self.rnn = RNNS[c["cell"]](c["embeddingSize"], H, L, bidirectional=bi, batch_first=True,
                                   dropout=c["dropout"] if L > 1 else 0)
        self.drop = nn.Dropout(c["dropout"])
        if bi:
            self.bridge = nn.Linear(2 * H, H)
            if c["cell"] == "lstm":
                self.bridgeCell = nn.Linear(2 * H, H)

    def forward(self, source, lengths):
        B, S = source.shape
        packed = pack_padded_sequence(self.drop(self.embedding(source)), lengths, batch_first=True,
                                      enforce_sorted=False)
        out, final = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=S)  # [B, S, D·H]
        if not self.c["bidirectional"]:
            return out, final
        L, H = self.c["numLayers"], self.c["hiddenSize"]

        def join(x):  # [L·2, B, H] → [L, B, 2H]
            return x.reshape(L, 2, B, H).permute(0, 2, 1, 3).reshape(L, B, 2 * H)

        if isinstance(final, tuple):
            return out, (torch.tanh(self.bridge(join(final[0]))), self.bridgeCell(join(final[1])))
        return out, torch.tanh(self.bridge(join(final)))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, E, kind = c["hiddenSize"], c["embeddingSize"], c["attention"]
        K = (2 if c["bidirectional"] else 1) * H
        self.kind = kind
        self.embedding = nn.Embedding(c["targetVocabSize"], E)
        size = E + H if kind == "none" else E + K if kind == "bahdanau" else E
        L = c["numLayers"]
        self.rnn = RNNS[c["cell"]](size, H, L, batch_first=True, dropout=c["dropout"] if L > 1 else 0)
        self.drop = nn.Dropout(c["dropout"])
        if kind == "bahdanau":
            self.attention = Bahdanau(H, K)
        elif kind == "luong-general":
            self.attention = LuongGeneral(H, K)
        elif kind == "luong-dot":
            self.attention = LuongDot()
        if kind.startswith("luong"):
            self.concat = nn.Linear(H + K, H)
        self.out = nn.Linear(H, c["targetVocabSize"])

    def forward(self, keys, mask, state, inputs):  # → logits [B, T, V], weights [B, T, S] or None
        x = self.drop(self.embedding(inputs))  # [B, T, E]
        B, T = inputs.shape
        if self.kind == "none":
            h = state[0] if isinstance(state, tuple) else state
            x = torch.cat([x, h[-1].unsqueeze(1).expand(B, T, h.shape[2])], 2)
            o, _ = self.rnn(x, state)
            return self.out(self.drop(o)), None
        if self.kind == "bahdanau":
            features, weights = [], []
            for i in range(T):
                h = state[0] if isinstance(state, tuple) else state
                context, a = self.attention(h[-1], keys, mask)
                o, state = self.rnn(torch.cat([x[:, i], context], 1).unsqueeze(1), state)
                features.append(o.squeeze(1))
                weights.append(a)
            return self.out(self.drop(torch.stack(features, 1))), torch.stack(weights, 1)
        o, _ = self.rnn(x, state)  # [B, T, H]
        scores = self.attention.scores(o, keys).masked_fill(mask.unsqueeze(1) == 0, float("-inf"))
        a = F.softmax(scores, dim=2)
        f = torch.tanh(self.concat(torch.cat([o, torch.bmm(a, keys)], 2)))
        return self.out(self.drop(f)), a


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.encoder = Encoder(c)
        self.decoder = Decoder(c)

    def forward(self, source, lengths, inputs):
        keys, state = self.encoder(source, lengths)
        mask = (torch.arange(source.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).long()
        return self.decoder(keys, mask, state, inputs)


def build(task, c):
    """The torch module for a recurrent config.json "model" section."""
    if task == "lm":
        return LanguageModel(c)
    if task == "classify":
        return Classifier(c["vocabSize"], c["numClasses"], c["cell"], c["embeddingSize"], c["hiddenSize"],
                          c["numLayers"], c["bidirectional"], c["pooling"], c["padIndex"])
    return Seq2Seq(c)


def run(task, model, inputs):
    """The outputs recurrent's tests compare, as tensors, from inputs as tensors."""
    if task == "lm":
        logits, state = model(inputs["ids"])
        h = state[0] if isinstance(state, tuple) else state
        return {"logits": logits, "hN": h}
    if task == "classify":
        logits, weights = model(inputs["ids"], inputs["lengths"])
        return {"logits": logits} if weights is None else {"logits": logits, "attention": weights}
    logits, weights = model(inputs["source"], inputs["lengths"], inputs["inputs"])
    return {"logits": logits} if weights is None else {"logits": logits, "weights": weights}


def lengths_and_ids(V, B, T, lo=2):
    lengths = torch.randint(1, T + 1, (B,))
    lengths[0] = T
    ids = torch.randint(lo, V, (B, T))
    ids[torch.arange(T)[None, :] >= lengths[:, None]] = 1  # padding; never read
    return ids, lengths


def random_inputs(task, c, B=3, T=6):
    if task == "lm":
        return {"ids": torch.randint(0, c["vocabSize"], (T, B))}
    if task == "classify":
        ids, lengths = lengths_and_ids(c["vocabSize"], B, T)
        return {"ids": ids, "lengths": lengths}
    source, lengths = lengths_and_ids(c["sourceVocabSize"], B, T)
    return {"source": source, "lengths": lengths, "inputs": torch.randint(0, c["targetVocabSize"], (B, T - 1))}


def loss(task, c, outputs):
    logits = outputs["logits"]
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), torch.randint(0, V, (logits.numel() // V,)))


CASES = [
    ("lm_char_lstm", "lm", {"vocabSize": 20, "cell": "lstm", "embeddingSize": 8, "hiddenSize": 12,
                            "numLayers": 2, "dropout": 0.1, "tieWeights": False}),
    ("lm_gru_tied", "lm", {"vocabSize": 16, "cell": "gru", "embeddingSize": 10, "hiddenSize": 10,
                           "numLayers": 1, "dropout": 0, "tieWeights": True}),
    ("classifier_bilstm_attention", "classify",
     {"vocabSize": 20, "numClasses": 3, "cell": "lstm", "embeddingSize": 6, "hiddenSize": 5, "numLayers": 2,
      "bidirectional": True, "dropout": 0, "pooling": "attention", "padIndex": 1}),
    ("classifier_gru_mean", "classify",
     {"vocabSize": 20, "numClasses": 2, "cell": "gru", "embeddingSize": 6, "hiddenSize": 5, "numLayers": 1,
      "bidirectional": False, "dropout": 0, "pooling": "mean", "padIndex": 1}),
    ("seq2seq_bigru_bahdanau", "seq2seq",
     {"sourceVocabSize": 9, "targetVocabSize": 10, "cell": "gru", "embeddingSize": 4, "hiddenSize": 5,
      "numLayers": 1, "bidirectional": True, "attention": "bahdanau", "dropout": 0}),
    ("seq2seq_bilstm_luong_general", "seq2seq",
     {"sourceVocabSize": 9, "targetVocabSize": 10, "cell": "lstm", "embeddingSize": 4, "hiddenSize": 5,
      "numLayers": 2, "bidirectional": True, "attention": "luong-general", "dropout": 0}),
    ("seq2seq_gru_luong_dot", "seq2seq",
     {"sourceVocabSize": 9, "targetVocabSize": 10, "cell": "gru", "embeddingSize": 4, "hiddenSize": 5,
      "numLayers": 1, "bidirectional": False, "attention": "luong-dot", "dropout": 0}),
    ("seq2seq_lstm_none", "seq2seq",
     {"sourceVocabSize": 9, "targetVocabSize": 10, "cell": "lstm", "embeddingSize": 4, "hiddenSize": 5,
      "numLayers": 1, "bidirectional": False, "attention": "none", "dropout": 0}),
]


def main():
    torch.manual_seed(0)
    cases = []
    for name, task, config in CASES:
        model = build(task, config)
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        model.train()
        for _ in range(4):
            opt.zero_grad()
            loss(task, config, run(task, model, random_inputs(task, config))).backward()
            opt.step()
        model.eval()
        inputs = random_inputs(task, config)
        with torch.no_grad():
            outputs = run(task, model, inputs)
        weights = f"interop_{name}.safetensors"
        save_safetensors(model.state_dict(), os.path.join(FIXTURES, weights),
                         {"format": "pt", "recurrent.task": task})
        cases.append({"name": name, "task": task, "config": config, "weights": weights,
                      "inputs": {k: t(v) for k, v in inputs.items()},
                      "outputs": {k: t(v) for k, v in outputs.items()}})
        print(f"wrote {weights} ({os.path.getsize(os.path.join(FIXTURES, weights))} bytes)")
    write("interop", {"cases": cases})


if __name__ == "__main__":
    main()
