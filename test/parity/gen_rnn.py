"""Parity fixtures for nn.RNN / nn.LSTM / nn.GRU and the three cells (test/parity/rnn.test.ts).

Grid. The full product mode × numLayers{1,2,3} × {uni,bi} × batchFirst × bias × initial state is
240 cases (too big to commit), so each mode gets a covering subset of 12 cases: every
(numLayers, bidirectional) pair twice, once with a pattern of (batchFirst, bias, hasInit) and once
with its complement; the patterns cycle through an orthogonal array of the three binary axes, so
all 8 of their combinations appear with every mode and every binary value meets every
(numLayers, bidirectional) pair. Modes: RNN tanh, RNN relu, LSTM, LSTM with projSize, GRU.
Three-layer cases carry dropout=0.25 to check that eval mode ignores it.

Also per mode: an unbatched [T, I] case and two packed cases (pack_padded_sequence, lengths
[5, 3, 2]) for the runner's explicit-batchSizes entry point; the three cells (batched, unbatched,
without hx, without bias); and PyTorch's repr for a list of configurations.

Every case stores the state_dict, the input, initial states, outputs, final states, and the
gradients of every parameter, the input and the initial states for
L = Σ out·R1 + Σ hN·R2 (+ Σ cN·R3) with fixed random R's. Everything runs in eval mode.
"""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

import common

I, H, T, B, P = 3, 4, 5, 3, 2

MODES = {
    "rnn_tanh": (nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTM, {}),
    "lstm_proj": (nn.LSTM, {"proj_size": P}),
    "gru": (nn.GRU, {}),
}

# (batchFirst, bias, hasInit): an orthogonal array of the three binary axes; with complements,
# all 8 combinations.
PATTERNS = [(False, True, True), (True, False, True), (True, True, False), (False, False, False)]


def grid():
    cases = []
    k = 0
    for layers in (1, 2, 3):
        for bi in (False, True):
            p = PATTERNS[k % len(PATTERNS)]
            k += 1
            for pattern in (p, tuple(not v for v in p)):
                cases.append((layers, bi) + pattern)
    return cases


def options(mode, layers, bi, batch_first, bias, dropout):
    extra = MODES[mode][1]
    return {
        "inputSize": I,
        "hiddenSize": H,
        "numLayers": layers,
        "bias": bias,
        "batchFirst": batch_first,
        "dropout": dropout,
        "bidirectional": bi,
        **({"nonlinearity": extra["nonlinearity"]} if "nonlinearity" in extra else {}),
        **({"projSize": extra["proj_size"]} if "proj_size" in extra else {}),
    }


def make(mode, layers, bi, batch_first, bias, dropout=0.0):
    cls, extra = MODES[mode]
    m = cls(I, H, num_layers=layers, bias=bias, batch_first=batch_first, dropout=dropout,
            bidirectional=bi, **extra)
    return m.eval()


def states(mode, m, batch_shape):
    d = 2 if m.bidirectional else 1
    out = P if mode == "lstm_proj" else H
    h0 = torch.randn(m.num_layers * d, *batch_shape, out, requires_grad=True)
    if not mode.startswith("lstm"):
        return h0, None
    return h0, torch.randn(m.num_layers * d, *batch_shape, H, requires_grad=True)


def run_case(name, mode, m, opts, x, has_init, batch_shape, packed_lengths=None):
    is_lstm = mode.startswith("lstm")
    h0, c0 = states(mode, m, batch_shape) if has_init else (None, None)
    hx = None if h0 is None else ((h0, c0) if is_lstm else h0)
    if packed_lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(packed_lengths), batch_first=m.batch_first)
        out_packed, state = m(packed, hx)
        out = out_packed.data
    else:
        out, state = m(x, hx)
    h_n, c_n = state if is_lstm else (state, None)
    r1, r2 = torch.randn_like(out), torch.randn_like(h_n)
    loss = (out * r1).sum() + (h_n * r2).sum()
    r3 = None
    if is_lstm:
        r3 = torch.randn_like(c_n)
        loss = loss + (c_n * r3).sum()
    loss.backward()
    case = {
        "name": name,
        "mode": mode,
        "options": opts,
        "state": common.state(m),
        "input": common.t(x),
        "output": common.t(out),
        "hN": common.t(h_n),
        "R1": common.t(r1),
        "R2": common.t(r2),
        "grads": common.grads(m),
        "gradInput": common.t(x.grad),
    }
    if packed_lengths is not None:
        case["packedInput"] = common.t(packed.data)
        case["batchSizes"] = [int(v) for v in packed.batch_sizes]
    if is_lstm:
        case["cN"] = common.t(c_n)
        case["R3"] = common.t(r3)
    if h0 is not None:
        case["h0"] = common.t(h0)
        case["gradH0"] = common.t(h0.grad)
        if c0 is not None:
            case["c0"] = common.t(c0)
            case["gradC0"] = common.t(c0.grad)
    return case


def layer_cases(mode):
    cases = []
    for layers, bi, batch_first, bias, has_init in grid():
        dropout = 0.25 if layers == 3 else 0.0
        m = make(mode, layers, bi, batch_first, bias, dropout)
        x = torch.randn(*((B, T) if batch_first else (T, B)), I, requires_grad=True)
        name = f"{mode} L{layers} {'bi' if bi else 'uni'} bf={int(batch_first)} bias={int(bias)} init={int(has_init)}"
        opts = options(mode, layers, bi, batch_first, bias, dropout)
        cases.append(run_case(name, mode, m, opts, x, has_init, (B,)))
    # Unbatched [T, I] input with [L·D, P] states.
    m = make(mode, 2, True, False, True)
    x = torch.randn(T, I, requires_grad=True)
    opts = options(mode, 2, True, False, True, 0.0)
    cases.append(run_case(f"{mode} unbatched", mode, m, opts, x, True, ()))
    return cases


def packed_cases(mode):
    cases = []
    for layers, bi, bias, has_init in ((2, True, True, True), (1, False, False, False)):
        m = make(mode, layers, bi, False, bias)
        x = torch.randn(T, B, I, requires_grad=True)
        opts = options(mode, layers, bi, False, bias, 0.0)
        name = f"{mode} packed L{layers} {'bi' if bi else 'uni'} bias={int(bias)} init={int(has_init)}"
        cases.append(run_case(name, mode, m, opts, x, has_init, (B,), packed_lengths=[5, 3, 2]))
    return cases


def cell_cases():
    cells = {
        "rnn_tanh": lambda bias: nn.RNNCell(I, H, bias=bias, nonlinearity="tanh"),
        "rnn_relu": lambda bias: nn.RNNCell(I, H, bias=bias, nonlinearity="relu"),
        "lstm": lambda bias: nn.LSTMCell(I, H, bias=bias),
        "gru": lambda bias: nn.GRUCell(I, H, bias=bias),
    }
    cases = []
    for kind, ctor in cells.items():
        for batched, bias, has_init in ((True, True, True), (False, True, True), (True, False, False)):
            m = ctor(bias)
            shape = (B, I) if batched else (I,)
            hshape = (B, H) if batched else (H,)
            x = torch.randn(*shape, requires_grad=True)
            h0 = torch.randn(*hshape, requires_grad=True) if has_init else None
            c0 = torch.randn(*hshape, requires_grad=True) if has_init and kind == "lstm" else None
            if kind == "lstm":
                h1, c1 = m(x, None if h0 is None else (h0, c0))
            else:
                h1, c1 = m(x, h0), None
            r1 = torch.randn_like(h1)
            loss = (h1 * r1).sum()
            case = {
                "name": f"{kind} cell batched={int(batched)} bias={int(bias)} init={int(has_init)}",
                "kind": kind,
                "bias": bias,
                "state": common.state(m),
                "input": common.t(x),
                "h1": common.t(h1),
                "R1": common.t(r1),
            }
            if c1 is not None:
                r3 = torch.randn_like(c1)
                loss = loss + (c1 * r3).sum()
                case["c1"] = common.t(c1)
                case["R3"] = common.t(r3)
            loss.backward()
            case["grads"] = common.grads(m)
            case["gradInput"] = common.t(x.grad)
            if h0 is not None:
                case["h0"] = common.t(h0)
                case["gradH0"] = common.t(h0.grad)
            if c0 is not None:
                case["c0"] = common.t(c0)
                case["gradC0"] = common.t(c0.grad)
            cases.append(case)
    return cases


def repr_cases():
    configs = [
        ("LSTM", {"inputSize": 64, "hiddenSize": 32, "numLayers": 2, "batchFirst": True, "bidirectional": True}),
        ("LSTM", {"inputSize": 64, "hiddenSize": 32, "projSize": 8, "numLayers": 2, "bias": False, "dropout": 0.5}),
        ("LSTM", {"inputSize": 3, "hiddenSize": 4}),
        ("GRU", {"inputSize": 32, "hiddenSize": 64, "numLayers": 2, "dropout": 1}),
        ("GRU", {"inputSize": 3, "hiddenSize": 4, "numLayers": 3, "dropout": 0.00005, "bidirectional": True}),
        ("RNN", {"inputSize": 3, "hiddenSize": 4, "nonlinearity": "relu", "batchFirst": True}),
        ("RNN", {"inputSize": 5, "hiddenSize": 7, "numLayers": 2, "dropout": 0.1, "bias": False}),
        ("RNNCell", {"inputSize": 3, "hiddenSize": 4, "nonlinearity": "relu", "bias": False}),
        ("RNNCell", {"inputSize": 3, "hiddenSize": 4}),
        ("LSTMCell", {"inputSize": 10, "hiddenSize": 20}),
        ("GRUCell", {"inputSize": 3, "hiddenSize": 4, "bias": False}),
    ]
    keys = {"inputSize": "input_size", "hiddenSize": "hidden_size", "numLayers": "num_layers",
            "batchFirst": "batch_first", "projSize": "proj_size"}
    out = []
    for cls, opts in configs:
        kwargs = {keys.get(k, k): v for k, v in opts.items()}
        out.append({"cls": cls, "options": opts, "repr": repr(getattr(nn, cls)(**kwargs)),
                    "keys": list(getattr(nn, cls)(**kwargs).state_dict().keys())})
    return out


def main():
    torch.manual_seed(0)
    for mode in MODES:
        common.write(f"rnn_{mode}", {"cases": layer_cases(mode) + packed_cases(mode)})
    common.write("rnn_cells", {"cases": cell_cases()})
    common.write("rnn_repr", {"cases": repr_cases()})
