"""Fixtures for tasks/seq2seq/model.ts: one decoder step with Bahdanau attention (the translation
tutorial's AttnDecoderRNN, GRU) and one with Luong "general" attention (the chatbot tutorial's
LuongAttnDecoderRNN, LSTM here), forward and gradients; and a whole teacher-forced Seq2Seq
(bidirectional packed GRU encoder, bridged final state, luong-general decoder) with its loss.

The PyTorch modules use our attribute names, so their state dicts load into Seq2SeqDecoder /
Seq2Seq unchanged. Each step case stores the state dict, tokens [B], the state [L, B, H] (LSTM: h
and c), encoder outputs [B, S, K], mask [B, S], logits [B, V], the new state, weights [B, S],
upstream gradients and the gradients of every parameter, of the encoder outputs and of the state.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import state, t, write


class Bahdanau(nn.Module):
    def __init__(self, query_dim, key_dim):
        super().__init__()
        self.Wa = nn.Linear(query_dim, query_dim)
        self.Ua = nn.Linear(key_dim, query_dim)
        self.Va = nn.Linear(query_dim, 1)

    def forward(self, query, keys, mask):
        scores = self.Va(torch.tanh(self.Wa(query).unsqueeze(1) + self.Ua(keys))).squeeze(2)
        weights = F.softmax(scores.masked_fill(mask == 0, float("-inf")), dim=-1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


class LuongGeneral(nn.Module):
    def __init__(self, query_dim, key_dim):
        super().__init__()
        self.attn = nn.Linear(key_dim, query_dim)

    def scores(self, h, keys):  # h [B, T, H] → [B, T, S]
        return torch.bmm(h, self.attn(keys).transpose(1, 2))

    def forward(self, query, keys, mask):
        scores = self.scores(query.unsqueeze(1), keys).squeeze(1)
        weights = F.softmax(scores.masked_fill(mask == 0, float("-inf")), dim=-1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


class Decoder(nn.Module):
    """Our Seq2SeqDecoder for one step: AttnDecoderRNN (bahdanau) or LuongAttnDecoderRNN."""

    def __init__(self, kind, cell, V, E, H, K, L=1):
        super().__init__()
        self.kind = kind
        self.embedding = nn.Embedding(V, E)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(E + K if kind == "bahdanau" else E, H, num_layers=L, batch_first=True)
        self.attention = Bahdanau(H, K) if kind == "bahdanau" else LuongGeneral(H, K)
        if kind != "bahdanau":
            self.concat = nn.Linear(H + K, H)
        self.out = nn.Linear(H, V)

    def step(self, tokens, hidden, keys, mask):
        e = self.embedding(tokens)  # [B, E]
        h_prev = hidden[0] if isinstance(hidden, tuple) else hidden
        if self.kind == "bahdanau":
            context, weights = self.attention(h_prev[-1], keys, mask)
            o, hidden = self.rnn(torch.cat([e, context], 1).unsqueeze(1), hidden)
            f = o.squeeze(1)
        else:
            o, hidden = self.rnn(e.unsqueeze(1), hidden)
            context, weights = self.attention(o.squeeze(1), keys, mask)
            f = torch.tanh(self.concat(torch.cat([o.squeeze(1), context], 1)))
        return self.out(f), hidden, weights


def step_case(name, kind, cell, K, V=7, E=3, H=4, B=3, S=4, L=1):
    dec = Decoder(kind, cell, V, E, H, K, L)
    tokens = torch.tensor([2, 5, 1])
    keys = torch.randn(B, S, K, requires_grad=True)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 0]])
    h0 = torch.randn(L, B, H, requires_grad=True)
    c0 = torch.randn(L, B, H, requires_grad=True) if cell == "lstm" else None
    hidden = (h0, c0) if cell == "lstm" else h0
    # padded positions of the encoder outputs are zero, as the packed encoder leaves them
    keys_in = keys * mask.unsqueeze(2)
    logits, new_hidden, weights = dec.step(tokens, hidden, keys_in, mask)
    h1 = new_hidden[0] if cell == "lstm" else new_hidden
    glogits, gh, gweights = torch.randn_like(logits), torch.randn_like(h1), torch.randn_like(weights)
    torch.autograd.backward([logits, h1, weights], [glogits, gh, gweights])
    case = {"name": name, "kind": kind, "cell": cell,
            "config": {"sourceVocabSize": 5, "targetVocabSize": V, "cell": cell, "embeddingSize": E,
                       "hiddenSize": H, "numLayers": L, "bidirectional": K == 2 * H, "attention": kind,
                       "dropout": 0},
            "state": state(dec), "tokens": t(tokens), "keys": t(keys), "mask": t(mask), "h0": t(h0),
            "logits": t(logits), "h1": t(h1), "weights": t(weights), "glogits": t(glogits), "gh": t(gh),
            "gweights": t(gweights),
            "grads": {**{k: t(p.grad) for k, p in dec.named_parameters()}, "keys": t(keys.grad),
                      "h0": t(h0.grad)}}
    if cell == "lstm":
        case.update({"c0": t(c0), "c1": t(new_hidden[1]), "grads": {**case["grads"], "c0": t(c0.grad)}})
    return case


class Encoder(nn.Module):
    def __init__(self, V, E, H):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * H, H)

    def forward(self, source, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(source), lengths, batch_first=True,
                                                   enforce_sorted=False)
        out, h = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=source.shape[1])
        h = torch.tanh(self.bridge(torch.cat([h[0], h[1]], 1))).unsqueeze(0)  # [1, B, H]
        return out, h


class Seq2Seq(nn.Module):
    def __init__(self, Vs, Vt, E, H):
        super().__init__()
        self.encoder = Encoder(Vs, E, H)
        self.decoder = Decoder("luong-general", "gru", Vt, E, H, 2 * H)

    def forward(self, source, lengths, inputs):
        out, h = self.encoder(source, lengths)
        mask = (torch.arange(source.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).long()
        d = self.decoder
        o, _ = d.rnn(d.embedding(inputs), h)  # [B, T, H]
        scores = d.attention.scores(o, out).masked_fill(mask.unsqueeze(1) == 0, float("-inf"))
        weights = F.softmax(scores, dim=2)
        f = torch.tanh(d.concat(torch.cat([o, torch.bmm(weights, out)], 2)))
        return d.out(f), weights


def model_case():
    Vs, Vt, E, H = 6, 7, 3, 4
    model = Seq2Seq(Vs, Vt, E, H)
    source = torch.tensor([[3, 4, 5, 2, 0], [4, 3, 0, 0, 0], [5, 5, 4, 3, 2]])
    lengths = torch.tensor([4, 2, 5])
    inputs = torch.tensor([[2, 4, 5, 6], [2, 6, 1, 1], [2, 5, 5, 1]])
    targets = torch.tensor([[4, 5, 6, 3], [6, 3, 1, 1], [5, 5, 3, 1]])
    logits, weights = model(source, lengths, inputs)
    loss = F.cross_entropy(logits.reshape(-1, Vt), targets.reshape(-1), ignore_index=1)
    loss.backward()
    return {"config": {"sourceVocabSize": Vs, "targetVocabSize": Vt, "cell": "gru", "embeddingSize": E,
                       "hiddenSize": H, "numLayers": 1, "bidirectional": True,
                       "attention": "luong-general", "dropout": 0},
            "state": state(model), "source": t(source), "lengths": t(lengths), "inputs": t(inputs),
            "targets": t(targets), "logits": t(logits), "weights": t(weights), "loss": loss.item(),
            "grads": {k: t(p.grad) for k, p in model.named_parameters()}}


def main():
    torch.manual_seed(0)
    write("seq2seq", {
        "steps": [step_case("bahdanau GRU step, K = 2H", "bahdanau", "gru", K=8),
                  step_case("luong-general LSTM step, 2 layers", "luong-general", "lstm", K=4, L=2)],
        "model": model_case(),
    })
