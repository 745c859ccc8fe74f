"""Parity fixtures for utils.rnn (packed sequences, padding, masks), recurrent layers on
PackedSequence input, and the masked sequence cross-entropy (test/parity/packed.test.ts).

Layers (packed_<mode>.json): for each of RNN tanh, RNN relu, LSTM, LSTM with projSize and GRU,
five cases cover 1 and 2 layers, uni- and bidirectional, batchFirst on and off, enforceSorted true
(sorted lengths) and false (unsorted lengths, with ties and with a longest length below the padded
T), with and without an initial state, and padPackedSequence with and without totalLength and
paddingValue. Each stores the packed input (data, batch sizes, indices), the packed output, the
padded output, hN (and cN), and the gradients of every parameter, the padded input and the
initial states for L = Σ padded·R1 + Σ hN·R2 (+ Σ cN·R3).

Utilities (packed_utils.json): padSequence, packSequence, packPaddedSequence/padPackedSequence
with trailing feature dims, each with a gradient; sequenceMask; d2l's MaskedSoftmaxCELoss (loss
and gradient with respect to the logits).
"""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence

import common

I, H, T, B, P = 3, 4, 6, 4, 2

MODES = {
    "rnn_tanh": (nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTM, {}),
    "lstm_proj": (nn.LSTM, {"proj_size": P}),
    "gru": (nn.GRU, {}),
}

# (layers, bidirectional, batchFirst, enforceSorted, hasInit, lengths, totalLength, paddingValue)
GRID = [
    (1, False, False, True, False, [6, 4, 4, 1], None, 0.0),
    (1, True, True, False, True, [3, 6, 1, 4], T + 2, -1.5),
    (2, False, True, False, False, [4, 5, 4, 2], T, 0.5),
    (2, True, False, False, True, [2, 5, 3, 5], None, 0.0),
    (2, True, True, True, True, [5, 5, 3, 2], T + 1, 2.0),
]


def options(mode, layers, bi, batch_first):
    extra = MODES[mode][1]
    return {
        "inputSize": I,
        "hiddenSize": H,
        "numLayers": layers,
        "batchFirst": batch_first,
        "bidirectional": bi,
        **({"nonlinearity": extra["nonlinearity"]} if "nonlinearity" in extra else {}),
        **({"projSize": extra["proj_size"]} if "proj_size" in extra else {}),
    }


def optional(x):
    return None if x is None else common.t(x)


def layer_case(mode, layers, bi, batch_first, enforce_sorted, has_init, lengths, total, pad_value):
    cls, extra = MODES[mode]
    m = cls(I, H, num_layers=layers, batch_first=batch_first, bidirectional=bi, **extra).eval()
    is_lstm = mode.startswith("lstm")
    d = 2 if bi else 1
    x = torch.randn(*((B, T) if batch_first else (T, B)), I, requires_grad=True)
    h0 = c0 = None
    if has_init:
        h0 = torch.randn(layers * d, B, P if mode == "lstm_proj" else H, requires_grad=True)
        if is_lstm:
            c0 = torch.randn(layers * d, B, H, requires_grad=True)
    hx = None if h0 is None else ((h0, c0) if is_lstm else h0)
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first,
                                  enforce_sorted=enforce_sorted)
    out, state = m(packed, hx)
    padded, out_lengths = pad_packed_sequence(out, batch_first=batch_first, padding_value=pad_value,
                                              total_length=total)
    h_n, c_n = state if is_lstm else (state, None)
    r1, r2 = torch.randn_like(padded), torch.randn_like(h_n)
    loss = (padded * r1).sum() + (h_n * r2).sum()
    r3 = None
    if is_lstm:
        r3 = torch.randn_like(c_n)
        loss = loss + (c_n * r3).sum()
    loss.backward()
    name = (f"{mode} L{layers} {'bi' if bi else 'uni'} bf={int(batch_first)} "
            f"sorted={int(enforce_sorted)} init={int(has_init)} lengths={lengths}")
    return {
        "name": name,
        "mode": mode,
        "options": options(mode, layers, bi, batch_first),
        "lengths": lengths,
        "enforceSorted": enforce_sorted,
        "totalLength": total,
        "paddingValue": pad_value,
        "state": common.state(m),
        "input": common.t(x),
        "packedData": common.t(packed.data),
        "batchSizes": [int(v) for v in packed.batch_sizes],
        "sortedIndices": None if packed.sorted_indices is None else packed.sorted_indices.tolist(),
        "unsortedIndices": None if packed.unsorted_indices is None else packed.unsorted_indices.tolist(),
        "packedOutput": common.t(out.data),
        "padded": common.t(padded),
        "outLengths": out_lengths.tolist(),
        "hN": common.t(h_n),
        "cN": optional(c_n),
        "h0": optional(h0),
        "c0": optional(c0),
        "R1": common.t(r1),
        "R2": common.t(r2),
        "R3": optional(r3),
        "grads": common.grads(m),
        "gradInput": common.t(x.grad),
        "gradH0": optional(None if h0 is None else h0.grad),
        "gradC0": optional(None if c0 is None else c0.grad),
    }


def with_grad(fn, inputs):
    """Runs fn, differentiates Σ out·R, returns (out, R, [input grads])."""
    out = fn()
    r = torch.randn_like(out)
    (out * r).sum().backward()
    return out, r, [common.t(x.grad) for x in inputs]


def pad_sequence_cases():
    cases = []
    for lengths, feature, batch_first, pad_value in (
        ([3, 1, 4], (2,), False, 0.0),
        ([2, 5, 0, 3], (2, 3), True, -1.0),
        ([1, 4], (), True, 7.5),
    ):
        seqs = [torch.randn(n, *feature, requires_grad=True) for n in lengths]
        out, r, grads = with_grad(
            lambda: pad_sequence(seqs, batch_first=batch_first, padding_value=pad_value), seqs)
        cases.append({"sequences": [common.t(s) for s in seqs], "batchFirst": batch_first,
                      "paddingValue": pad_value, "output": common.t(out), "R": common.t(r),
                      "grads": grads})
    return cases


def pack_sequence_cases():
    cases = []
    for lengths, feature, enforce_sorted in (([4, 3, 3, 1], (2,), True), ([2, 5, 1, 5, 3], (2, 2), False)):
        seqs = [torch.randn(n, *feature, requires_grad=True) for n in lengths]
        packed = pack_sequence(seqs, enforce_sorted=enforce_sorted)
        r = torch.randn_like(packed.data)
        (packed.data * r).sum().backward()
        cases.append({"sequences": [common.t(s) for s in seqs], "enforceSorted": enforce_sorted,
                      "data": common.t(packed.data), "batchSizes": packed.batch_sizes.tolist(),
                      "sortedIndices": None if packed.sorted_indices is None else packed.sorted_indices.tolist(),
                      "unsortedIndices": None if packed.unsorted_indices is None else packed.unsorted_indices.tolist(),
                      "R": common.t(r), "grads": [common.t(s.grad) for s in seqs]})
    return cases


def roundtrip_cases():
    """packPaddedSequence then padPackedSequence on [T, B, 2, 2] / [B, T, 2, 2] input."""
    cases = []
    for lengths, batch_first, enforce_sorted, total, pad_value in (
        ([5, 2, 4], True, False, 7, -2.0),
        ([4, 4, 2], False, True, None, 0.0),
    ):
        b = len(lengths)
        x = torch.randn(*((b, 5) if batch_first else (5, b)), 2, 2, requires_grad=True)
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first,
                                      enforce_sorted=enforce_sorted)
        padded, out_lengths = pad_packed_sequence(packed, batch_first=batch_first,
                                                  padding_value=pad_value, total_length=total)
        r = torch.randn_like(padded)
        (padded * r).sum().backward()
        cases.append({"input": common.t(x), "lengths": lengths, "batchFirst": batch_first,
                      "enforceSorted": enforce_sorted, "totalLength": total, "paddingValue": pad_value,
                      "data": common.t(packed.data), "batchSizes": packed.batch_sizes.tolist(),
                      "padded": common.t(padded), "outLengths": out_lengths.tolist(),
                      "R": common.t(r), "grad": common.t(x.grad)})
    return cases


def sequence_mask(lengths, max_len):
    """d2l's sequence_mask as a mask: arange(maxLen)[None, :] < lengths[:, None]."""
    return (torch.arange(max_len)[None, :] < lengths[:, None]).float()


def mask_cases():
    return [{"lengths": lengths, "maxLen": max_len,
             "mask": common.t(sequence_mask(torch.tensor(lengths), max_len))}
            for lengths, max_len in (([1, 3, 0, 2], 4), ([2, 5], 3), ([4, 1, 4], 4))]


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """d2l.ai 9.7.4, verbatim: the softmax cross-entropy loss with masks."""

    def forward(self, pred, label, valid_len):
        weights = torch.ones_like(label)
        weights = sequence_mask(valid_len, weights.shape[1]) * weights  # d2l masks ones with 0
        self.reduction = "none"
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        weighted_loss = (unweighted_loss * weights).mean(dim=1)
        return weighted_loss


def masked_loss_cases():
    cases = []
    for b, t, v, lengths, reduction in (
        (3, 4, 5, [4, 2, 0], "none"),
        (4, 6, 7, [1, 6, 3, 5], "none"),
        (2, 3, 4, [3, 1], "mean"),
        (2, 3, 4, [2, 2], "sum"),
    ):
        pred = torch.randn(b, t, v, requires_grad=True)
        label = torch.randint(0, v, (b, t))
        loss = MaskedSoftmaxCELoss()(pred, label, torch.tensor(lengths))
        if reduction == "mean":
            loss = loss.mean()
        elif reduction == "sum":
            loss = loss.sum()
        r = torch.randn_like(loss)
        (loss * r).sum().backward()
        cases.append({"pred": common.t(pred), "label": common.t(label), "lengths": lengths,
                      "reduction": reduction, "loss": common.t(loss), "R": common.t(r),
                      "gradPred": common.t(pred.grad)})
    return cases


def main():
    torch.manual_seed(0)
    for mode in MODES:
        common.write(f"packed_{mode}", {"cases": [layer_case(mode, *c) for c in GRID]})
    common.write("packed_utils", {
        "padSequence": pad_sequence_cases(),
        "packSequence": pack_sequence_cases(),
        "roundtrip": roundtrip_cases(),
        "sequenceMask": mask_cases(),
        "maskedCrossEntropy": masked_loss_cases(),
    })
