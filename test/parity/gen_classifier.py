"""Fixtures for tasks/classifier/model.ts: the RNN text classifier with each pooling.

The PyTorch model is the tutorials' shape (bentrevett's packed biLSTM sentiment model, with the
"LSTM with attention" pooling): Embedding(padding_idx) → pack_padded_sequence(enforce_sorted=False)
→ RNN/LSTM/GRU → pooling → Linear. Pooling over the true lengths: last (the last layer's final
states, both directions concatenated), mean and max over the valid steps, and dot-product attention
with the final state as the query (softmax over valid steps of outputs·h, context Σ a·outputs).
Dropout is 0 so that the numbers are deterministic. Each case stores the state dict, ids [B, T],
lengths, logits, the attention weights, an upstream gradient for the logits and the gradient of
every parameter."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from common import state, t, write

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Classifier(nn.Module):
    def __init__(self, vocab_size, num_classes, cell, embedding_size, hidden_size, num_layers,
                 bidirectional, pooling, pad_index):
        super().__init__()
        self.pooling = pooling
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=pad_index)
        self.rnn = CELLS[cell](embedding_size, hidden_size, num_layers=num_layers,
                               bidirectional=bidirectional)
        d = 2 if bidirectional else 1
        self.fc = nn.Linear(d * hidden_size, num_classes)

    def forward(self, ids, lengths):
        embedded = self.embedding(ids)  # [B, T, E]
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        out, hidden = self.rnn(packed)
        if isinstance(hidden, tuple):
            hidden = hidden[0]
        h = torch.cat((hidden[-2], hidden[-1]), dim=1) if self.bidirectional else hidden[-1]
        T = ids.shape[1]
        padded, _ = pad_packed_sequence(out, batch_first=True, total_length=T)  # [B, T, D·H]
        mask = torch.arange(T)[None, :] < lengths[:, None]  # [B, T]
        weights = None
        if self.pooling == "last":
            pooled = h
        elif self.pooling == "mean":
            pooled = padded.sum(1) / lengths[:, None].float()
        elif self.pooling == "max":
            pooled = padded.masked_fill(~mask[:, :, None], float("-inf")).max(1).values
        else:
            scores = torch.bmm(padded, h.unsqueeze(2)).squeeze(2)  # [B, T]
            weights = F.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
            pooled = torch.bmm(weights.unsqueeze(1), padded).squeeze(1)
        return self.fc(pooled), weights


CASES = [
    ("lstm", 2, True, "attention"),
    ("gru", 1, False, "attention"),
    ("gru", 2, False, "mean"),
    ("rnn", 1, True, "max"),
    ("lstm", 1, True, "last"),
]


def main():
    torch.manual_seed(0)
    V, C, E, H, B, T, pad = 15, 3, 6, 5, 4, 7, 1
    lengths = torch.tensor([7, 3, 5, 1])
    cases = []
    for cell, layers, bidirectional, pooling in CASES:
        model = Classifier(V, C, cell, E, H, layers, bidirectional, pooling, pad)
        ids = torch.randint(2, V, (B, T))
        ids[torch.arange(T)[None, :] >= lengths[:, None]] = pad
        logits, weights = model(ids, lengths)
        glogits = torch.randn_like(logits)
        logits.backward(glogits)
        config = {"vocabSize": V, "numClasses": C, "cell": cell, "embeddingSize": E,
                  "hiddenSize": H, "numLayers": layers, "bidirectional": bidirectional,
                  "dropout": 0, "pooling": pooling, "padIndex": pad}
        case = {"name": f"{cell} {layers} layer(s) {'bi' if bidirectional else 'uni'} {pooling}",
                "config": config, "state": state(model), "ids": t(ids), "lengths": lengths.tolist(),
                "logits": t(logits), "glogits": t(glogits),
                "grads": {k: t(p.grad) for k, p in model.named_parameters()}}
        if weights is not None:
            case["attention"] = t(weights)
        cases.append(case)
    write("classifier", {"cases": cases})


if __name__ == "__main__":
    main()
