"""recurrent → PyTorch: loads model.safetensors files written by recurrent into the equivalent torch
modules (gen_interop.build) with load_state_dict(strict=True) and compares their outputs with the
ones recurrent computed.

Usage: /usr/bin/python3 test/parity/check_in_torch.py CASES.json
CASES.json: {"cases": [{"name", "task", "config", "weights": path, "inputs": {k: tensor},
"outputs": {k: tensor}}]}, tensors as {"shape", "data", "dtype"?}. Prints one JSON line:
{"results": [{"name", "errors": {output: max abs difference}} or {"name", "error": message}]}.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from export_pytorch import load_safetensors  # noqa: E402
from gen_interop import build, run  # noqa: E402


def tensor(f):
    dtype = torch.int64 if f.get("dtype") == "int32" else torch.float32
    return torch.tensor(f["data"], dtype=dtype).reshape(f["shape"])


def check(case):
    model = build(case["task"], case["config"])
    state, _ = load_safetensors(case["weights"])
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        outputs = run(case["task"], model, {k: tensor(v) for k, v in case["inputs"].items()})
    errors = {}
    for k, want in case["outputs"].items():
        got = outputs[k]
        want = tensor(want)
        if list(got.shape) != list(want.shape):
            raise ValueError(f"{k}: torch gives shape {list(got.shape)}, recurrent {list(want.shape)}")
        errors[k] = (got - want).abs().max().item() if got.numel() else 0.0
    return errors


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    results = []
    for case in cases:
        try:
            results.append({"name": case["name"], "errors": check(case)})
        except Exception as e:  # reported to the test, which fails with the message
            results.append({"name": case["name"], "error": f"{type(e).__name__}: {e}"})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
