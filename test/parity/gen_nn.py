"""Fixtures for the basic nn layers and losses: Linear, Embedding, cross entropy, NLL, BCE with
logits, MSE. Each case stores inputs, parameters, the output, an upstream gradient and every
gradient PyTorch computes from it."""
import itertools

import torch
import torch.nn.functional as F

from common import t, write


def backward_case(out, leaves):
    """Backpropagates a fixed random upstream gradient; returns it with the leaves' grads."""
    gout = torch.randn_like(out)
    out.backward(gout)
    return t(gout), {k: t(v.grad) for k, v in leaves.items() if v is not None and v.grad is not None}


def gen_linear():
    torch.manual_seed(0)
    cases = []
    for bias, shape in itertools.product([True, False], [[3, 4], [2, 3, 4], [4]]):
        layer = torch.nn.Linear(4, 5, bias=bias)
        x = torch.randn(*shape, requires_grad=True)
        out = layer(x)
        gout, g = backward_case(out, {"input": x, "weight": layer.weight, "bias": layer.bias})
        cases.append({"bias": bias, "input": t(x), "state": {k: t(v) for k, v in layer.state_dict().items()},
                      "output": t(out), "gout": gout, "grads": g, "repr": repr(layer)})
    write("nn_linear", {"cases": cases})


def gen_embedding():
    torch.manual_seed(1)
    cases = []
    indices = torch.tensor([[1, 3, 3, 0, 9], [9, 9, 2, 3, 0]])
    for padding_idx in [None, 0, -1, 3]:
        emb = torch.nn.Embedding(10, 3, padding_idx=padding_idx)
        with torch.no_grad():  # a non-zero padding row shows that it is kept, not re-zeroed
            emb.weight.add_(0.5)
        out = emb(indices)
        gout, g = backward_case(out, {"weight": emb.weight})
        cases.append({"paddingIdx": padding_idx, "indices": t(indices), "weight": t(emb.weight), "output": t(out),
                      "gout": gout, "grads": g, "repr": repr(emb)})
    write("nn_embedding", {"cases": cases})


SHAPES = {"2d": [5, 4], "unbatched": [4], "kdim": [3, 4, 2]}


def class_target(shape, ignore_index):
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = [] if len(shape) == 1 else [shape[0]] + shape[2:]
    y = torch.randint(0, c, tshape)
    if ignore_index is not None and len(tshape) > 0:
        y.view(-1)[::3] = ignore_index  # some ignored targets
        y.view(-1)[1] = (ignore_index + 1) % c  # and not all (the all-ignored NaN is a unit test: JSON has no NaN)
    elif ignore_index is not None and int(y) == ignore_index:
        y.fill_((ignore_index + 1) % c)
    return y


def loss_case(fn, name, inputs, options, extra):
    leaves = {k: v for k, v in inputs.items() if isinstance(v, torch.Tensor) and v.requires_grad}
    out = fn(**inputs, **options)
    gout, g = backward_case(out, leaves)
    enc = {k: t(v) for k, v in inputs.items()}
    return {"fn": name, "inputs": enc, "options": extra, "output": t(out), "gout": gout, "grads": g}


def gen_losses():
    torch.manual_seed(2)
    cases = []
    reductions = ["mean", "sum", "none"]
    # cross entropy with class-index targets, and NLL on log-probabilities
    for (sname, shape), red, weighted, ignore, smooth in itertools.product(
            SHAPES.items(), reductions, [False, True], [None, 2], [0.0, 0.2]):
        c = shape[0] if len(shape) == 1 else shape[1]
        x = torch.randn(*shape, requires_grad=True)
        y = class_target(shape, ignore)
        w = torch.rand(c) + 0.5 if weighted else None
        opts = {"reduction": red, "label_smoothing": smooth, "weight": w}
        extra = {"shape": sname, "reduction": red, "labelSmoothing": smooth}
        if ignore is not None:
            opts["ignore_index"] = ignore
            extra["ignoreIndex"] = ignore
        if w is not None:
            extra["weight"] = t(w)
        cases.append(loss_case(F.cross_entropy, "crossEntropy", {"input": x, "target": y}, opts, extra))
        if smooth == 0.0:
            logp = torch.log_softmax(torch.randn(*shape), dim=0 if len(shape) == 1 else 1).requires_grad_()
            del opts["label_smoothing"]
            del extra["labelSmoothing"]
            cases.append(loss_case(F.nll_loss, "nllLoss", {"input": logp, "target": y}, opts, extra))
    # cross entropy with class-probability targets (the target gets a gradient too)
    for (sname, shape), red, weighted, smooth in itertools.product(
            SHAPES.items(), reductions, [False, True], [0.0, 0.2]):
        c = shape[0] if len(shape) == 1 else shape[1]
        x = torch.randn(*shape, requires_grad=True)
        p = torch.softmax(torch.randn(*shape), dim=0 if len(shape) == 1 else 1).requires_grad_()
        w = torch.rand(c) + 0.5 if weighted else None
        extra = {"shape": sname, "reduction": red, "labelSmoothing": smooth, "probabilities": True}
        if w is not None:
            extra["weight"] = t(w)
        cases.append(loss_case(F.cross_entropy, "crossEntropy", {"input": x, "target": p},
                               {"reduction": red, "label_smoothing": smooth, "weight": w}, extra))
    # BCE with logits: large logits check stability; weight broadcasts over rows, posWeight per class
    for shape, red, weighted, pos in itertools.product([[5, 3], [4]], reductions, [False, True], [False, True]):
        x = (torch.randn(*shape) * 4).requires_grad_()
        with torch.no_grad():
            x.view(-1)[0] = 40.0
            x.view(-1)[1] = -40.0
        y = torch.rand(*shape)
        y.view(-1)[2] = 1.0
        opts = {"reduction": red}
        extra = {"reduction": red}
        if weighted:
            opts["weight"] = torch.rand(shape[-1]) + 0.5
            extra["weight"] = t(opts["weight"])
        if pos:
            opts["pos_weight"] = torch.rand(shape[-1]) * 3
            extra["posWeight"] = t(opts["pos_weight"])
        cases.append(loss_case(F.binary_cross_entropy_with_logits, "binaryCrossEntropyWithLogits",
                               {"input": x, "target": y}, opts, extra))
    for shape, red in itertools.product([[5, 3], [2, 3, 4]], reductions):
        x = torch.randn(*shape, requires_grad=True)
        y = torch.randn(*shape, requires_grad=True)
        cases.append(loss_case(F.mse_loss, "mseLoss", {"input": x, "target": y}, {"reduction": red},
                               {"reduction": red}))
    write("nn_losses", {"cases": cases})


def gen_reprs():
    """Module reprs of a nested model, for the toString tests."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(10, 3, padding_idx=0)
            self.drop = torch.nn.Dropout(0.25)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Identity(), torch.nn.Linear(8, 2, bias=False))
            self.heads = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Dropout(1.0)])
            self.loss = torch.nn.CrossEntropyLoss()

    write("nn_reprs", {"net": repr(Net()), "losses": [repr(torch.nn.CrossEntropyLoss()), repr(torch.nn.NLLLoss()),
                                                        repr(torch.nn.BCEWithLogitsLoss()), repr(torch.nn.MSELoss())],
                       "dropout": repr(torch.nn.Dropout()), "sequential_empty": repr(torch.nn.Sequential())})


def main():
    gen_linear()
    gen_embedding()
    gen_losses()
    gen_reprs()
