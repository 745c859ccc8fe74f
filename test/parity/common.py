"""Helpers shared by the gen_*.py fixture writers."""
import json
import os

import torch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def t(x):
    """A tensor as {"shape", "data"} with exact float32 (or integer) values."""
    x = x.detach().contiguous()
    if x.dtype in (torch.int64, torch.int32, torch.bool):
        return {"shape": list(x.shape), "dtype": "int32", "data": [int(v) for v in x.flatten().tolist()]}
    return {"shape": list(x.shape), "data": x.float().flatten().tolist()}


def state(module):
    return {k: t(v) for k, v in module.state_dict().items()}


def grads(module):
    return {k: t(p.grad) for k, p in module.named_parameters() if p.grad is not None}


def write(name, payload):
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name + ".json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
    os.replace(tmp, path)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path) // 1024} KiB)")
