#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures that test/parity/*.test.ts compare against.

Run with Debian's PyTorch:  /usr/bin/python3 test/parity/gen_fixtures.py  (or `npm run fixtures`).
Each gen_*.py module in this folder contributes fixture files; the output is deterministic
(fixed seeds), small, and committed so that the tests never need Python.
"""
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

MODULES = ["gen_nn", "gen_rnn", "gen_optim", "gen_sparse_optim", "gen_ops", "gen_safetensors", "gen_packed", "gen_data", "gen_text", "gen_attention", "gen_classifier", "gen_seq2seq", "gen_interop"]

if __name__ == "__main__":
    only = sys.argv[1:]
    for name in MODULES:
        if only and name not in only:
            continue
        if not os.path.exists(os.path.join(HERE, name + ".py")):
            print(f"skip {name}: not written yet")
            continue
        importlib.import_module(name).main()
