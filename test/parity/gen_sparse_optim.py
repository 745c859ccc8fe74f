#!/usr/bin/env python3
"""Sparse-gradient optimizer fixtures (test/unit/optim-sparse.test.ts).

An Embedding(20, 4, sparse=True, padding_idx=3) is trained for 5 steps by SGD, Adagrad and
SparseAdam on L = sum(w * (y - t) * (y - t)), y = emb(index), with batches whose rows repeat,
overlap earlier batches, are disjoint from them and include the padding row. Each step records
the weight and the coalesced gradient; each case records the final optimizer state. Options are
written in the TypeScript spelling.

Run: /usr/bin/python3 test/parity/gen_sparse_optim.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import t, write  # noqa: E402

NUM, DIM, PAD = 20, 4, 3
BATCHES = [
    [1, 5, 5, 3, 7, 1],
    [5, 9, 12, 3, 9],
    [14, 15, 16],
    [1, 7, 14, 3, 3, 19],
    [0, 19, 5, 5, 5, 12, 3],
]
RENAME = {"lrDecay": "lr_decay", "initialAccumulatorValue": "initial_accumulator_value"}
OPTIMIZERS = {"SGD": torch.optim.SGD, "Adagrad": torch.optim.Adagrad, "SparseAdam": torch.optim.SparseAdam}
CASES = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd_maximize", "SGD", {"lr": 0.05, "maximize": True}),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lrDecay": 0.05}),
    ("adagrad_accumulator_maximize", "Adagrad", {"lr": 0.1, "initialAccumulatorValue": 0.1, "maximize": True}),
    ("sparse_adam", "SparseAdam", {"lr": 0.05}),
    ("sparse_adam_betas_maximize", "SparseAdam", {"lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6, "maximize": True}),
]


def torch_kwargs(options):
    out = {RENAME.get(k, k): v for k, v in options.items()}
    if "betas" in out:
        out["betas"] = tuple(out["betas"])
    return out


def main():
    g = torch.Generator().manual_seed(3)
    init = torch.randn(NUM, DIM, generator=g)
    init[PAD] = 0
    problem = [
        {
            "index": t(torch.tensor(b, dtype=torch.int32)),
            "t": torch.randn(len(b), DIM, generator=g) * 0.5,
            "w": torch.rand(len(b), DIM, generator=g) + 0.5,
        }
        for b in BATCHES
    ]
    cases = []
    for name, kind, options in CASES:
        emb = torch.nn.Embedding(NUM, DIM, padding_idx=PAD, sparse=True)
        with torch.no_grad():
            emb.weight.copy_(init)
        opt = OPTIMIZERS[kind](emb.parameters(), **torch_kwargs(options))
        steps = []
        for b, batch in zip(BATCHES, problem):
            opt.zero_grad(set_to_none=True)
            y = emb(torch.tensor(b))
            d = y - batch["t"]
            (batch["w"] * d * d).sum().backward()
            grad = emb.weight.grad.coalesce()
            opt.step()
            steps.append({
                "gradRows": [int(r) for r in grad.indices()[0].tolist()],
                "gradValues": t(grad.values()),
                "weight": t(emb.weight),
            })
        state = {}
        for k, v in opt.state_dict()["state"][0].items():
            if v is None:  # SGD without momentum: momentum_buffer None
                continue
            state[k] = float(v) if k == "step" else t(v)
        cases.append({"name": name, "optimizer": kind, "options": options, "steps": steps, "state": state})
    write("optim_sparse", {
        "numEmbeddings": NUM,
        "embeddingDim": DIM,
        "paddingIdx": PAD,
        "init": t(init),
        "batches": [{"index": b["index"], "t": t(b["t"]), "w": t(b["w"])} for b in problem],
        "cases": cases,
    })


if __name__ == "__main__":
    main()
