"""Fixtures for nn/attention.ts: Bahdanau (additive) and Luong (dot, general) attention.

The tutorials' own modules appear verbatim (equal sizes, no mask), so their state dicts are the
ones our modules must load; generalised copies add separate query/key/attention sizes, a padding
mask and a keys batch of 1 shared by every query row. Each case stores the state dict, query
[B, Hq], keys [B, S, Hk], mask [B, S], context [B, Hk], weights [B, S], upstream gradients for
both outputs and the gradients of query, keys and every parameter."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import state, t, write


class TutorialBahdanauAttention(nn.Module):
    """"NLP From Scratch: Translation with a Sequence to Sequence Network and Attention", verbatim."""

    def __init__(self, hidden_size):
        super(TutorialBahdanauAttention, self).__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)

        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)

        return context, weights


class Attn(nn.Module):
    """The chatbot tutorial's Luong attention layer, verbatim (its "concat" method left out)."""

    def __init__(self, method, hidden_size):
        super(Attn, self).__init__()
        self.method = method
        if self.method not in ['dot', 'general']:
            raise ValueError(self.method, "is not an appropriate attention method.")
        self.hidden_size = hidden_size
        if self.method == 'general':
            self.attn = nn.Linear(self.hidden_size, hidden_size)

    def dot_score(self, hidden, encoder_output):
        return torch.sum(hidden * encoder_output, dim=2)

    def general_score(self, hidden, encoder_output):
        energy = self.attn(encoder_output)
        return torch.sum(hidden * energy, dim=2)

    def forward(self, hidden, encoder_outputs):
        if self.method == 'general':
            attn_energies = self.general_score(hidden, encoder_outputs)
        elif self.method == 'dot':
            attn_energies = self.dot_score(hidden, encoder_outputs)
        attn_energies = attn_energies.t()
        return F.softmax(attn_energies, dim=1).unsqueeze(1)


def masked_softmax(scores, mask):
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    return F.softmax(scores, dim=-1)


class BahdanauAttention(nn.Module):
    """The tutorial's module with sizes Hq, Hk, A, batch-major [B, Hq] queries and a mask."""

    def __init__(self, query_dim, key_dim, attn_dim):
        super().__init__()
        self.Wa = nn.Linear(query_dim, attn_dim)
        self.Ua = nn.Linear(key_dim, attn_dim)
        self.Va = nn.Linear(attn_dim, 1)

    def forward(self, query, keys, mask=None):
        scores = self.Va(torch.tanh(self.Wa(query).unsqueeze(1) + self.Ua(keys))).squeeze(2)  # [B, S]
        weights = masked_softmax(scores, mask)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


class LuongAttention(nn.Module):
    """Attn with sizes Hq, Hk ("general": attn = Linear(Hk, Hq)), [B, ·] layout and a mask."""

    def __init__(self, method, query_dim, key_dim):
        super().__init__()
        self.method = method
        if method == "general":
            self.attn = nn.Linear(key_dim, query_dim)

    def forward(self, query, keys, mask=None):
        energy = self.attn(keys) if self.method == "general" else keys
        scores = torch.sum(query.unsqueeze(1) * energy, dim=2)  # [B, S]
        weights = masked_softmax(scores, mask)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights

    def extra_repr(self):
        return f"method='{self.method}'"


def run_case(name, kind, module, options, run, B, S, mask=None, keys_batch=None):
    """`run(query, keys, mask)` → (context [B, Hk], weights [B, S]) through `module`."""
    hq, hk = options["queryDim"], options["keyDim"]
    kb = keys_batch or B
    query = torch.randn(B, hq, requires_grad=True)
    keys = torch.randn(kb, S, hk, requires_grad=True)
    full_keys = keys.expand(B, S, hk)
    full_mask = None if mask is None else mask.expand(B, S)
    context, weights = run(query, full_keys, full_mask)
    gcontext, gweights = torch.randn_like(context), torch.randn_like(weights)
    torch.autograd.backward([context, weights], [gcontext, gweights])
    grads = {"query": t(query.grad), "keys": t(keys.grad)}
    grads.update({k: t(p.grad) for k, p in module.named_parameters()})
    case = {"name": name, "kind": kind, "tutorial": name.startswith("tutorial"), "options": options, "state": state(module), "query": t(query),
            "keys": t(keys), "context": t(context), "weights": t(weights), "gcontext": t(gcontext),
            "gweights": t(gweights), "grads": grads, "repr": repr(module)}
    if mask is not None:
        case["mask"] = t(mask)
    return case


def tutorial_cases():
    h, B, S = 4, 2, 3
    bahdanau = TutorialBahdanauAttention(h)

    def run_bahdanau(query, keys, _mask):
        context, weights = bahdanau(query.unsqueeze(1), keys)  # the tutorial's [B, 1, H] query
        return context.squeeze(1), weights.squeeze(1)

    cases = [run_case("tutorial BahdanauAttention", "bahdanau", bahdanau,
                      {"queryDim": h, "keyDim": h, "attnDim": h}, run_bahdanau, B, S)]
    for method in ["dot", "general"]:
        attn = Attn(method, h)

        def run_luong(query, keys, _mask, attn=attn):
            encoder_outputs = keys.transpose(0, 1)  # [S, B, H], as the tutorial's GRU returns
            weights = attn(query.unsqueeze(0), encoder_outputs)  # [B, 1, S]
            context = weights.bmm(encoder_outputs.transpose(0, 1))  # LuongAttnDecoderRNN
            return context.squeeze(1), weights.squeeze(1)

        cases.append(run_case(f"tutorial Attn('{method}')", f"luong-{method}", attn,
                              {"queryDim": h, "keyDim": h}, run_luong, B, S))
    return cases


def general_cases():
    B, S = 3, 4
    masks = {
        None: None,
        "lengths [2, 4, 1]": torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]]),
        "holes": torch.tensor([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 1, 0]]),
    }
    cases = []
    specs = [
        ("bahdanau", {"queryDim": 5, "keyDim": 3, "attnDim": 4}),
        ("luong-dot", {"queryDim": 4, "keyDim": 4}),
        ("luong-general", {"queryDim": 5, "keyDim": 3}),
    ]
    for kind, options in specs:
        for mask_name, mask in masks.items():
            if kind == "bahdanau":
                module = BahdanauAttention(options["queryDim"], options["keyDim"], options["attnDim"])
            else:
                module = LuongAttention(kind[6:], options["queryDim"], options["keyDim"])
            name = f"{kind} {options}" + (f", mask {mask_name}" if mask is not None else "")
            cases.append(run_case(name, kind, module, options, module, B, S, mask))
        # one source (keys batch 1, mask [1, S]) shared by B query rows, as in beam search
        module = (BahdanauAttention(options["queryDim"], options["keyDim"], options["attnDim"])
                  if kind == "bahdanau" else LuongAttention(kind[6:], options["queryDim"], options["keyDim"]))
        cases.append(run_case(f"{kind} {options}, keys batch 1 for 3 queries", kind, module, options, module,
                              B, S, torch.tensor([[1, 1, 1, 0]]), keys_batch=1))
    return cases


def main():
    torch.manual_seed(0)
    write("attention", {"cases": tutorial_cases() + general_cases()})
