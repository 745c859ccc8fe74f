"""Parity fixtures for the tensor ops (test/parity/ops.test.ts).

Each fixture file is one op group (ops_elementwise, ops_reduction, ops_linalg, ops_movement) and
holds a list of cases. A case names the op (the test maps it to our function), its non-tensor
arguments, its tensor inputs (and which of them require grad), every output, a fixed random
upstream gradient per float output, and the input gradients of L = sum_k <out_k, g_k>.
Integer outputs (indices) carry no upstream gradient and are compared exactly.
"""
import torch

import common

GEN = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(tuple(shape), generator=GEN)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(tuple(shape), generator=GEN)


def ties(*shape):
    """Small integers as floats, so that max/min/argmax meet ties."""
    return torch.randint(0, 3, shape, generator=GEN).float()


def case(op, fn, inputs, args=None, requires=None):
    requires = requires if requires is not None else [x.is_floating_point() for x in inputs]
    leaves = [x.clone().requires_grad_(r) for x, r in zip(inputs, requires)]
    out = fn(*leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    gouts = [randn(*o.shape) if o.is_floating_point() else None for o in outs]
    pairs = [(o, g) for o, g in zip(outs, gouts) if g is not None and o.requires_grad]
    if pairs:
        torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
    return {
        "op": op,
        "args": args or {},
        "inputs": [common.t(x) for x in inputs],
        "requires": requires,
        "outs": [common.t(o) for o in outs],
        "gouts": [common.t(g) if g is not None else None for g in gouts],
        "grads": [common.t(x.grad) if r and x.grad is not None else None for x, r in zip(leaves, requires)],
    }


BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": torch.pow,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
}
UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "sqrt", "abs", "sin", "cos"]


def operand(op, *shape):
    if op == "div":
        return uniform(0.5, 2, *shape) * torch.where(torch.rand(tuple(shape), generator=GEN) < 0.5, -1.0, 1.0)
    if op == "pow":
        return uniform(0.3, 2, *shape)
    return randn(*shape)


def elementwise():
    cases = []
    layouts = [((2, 3), (2, 3)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((3, 1), (2, 1, 4)), ((), (2, 3)), ((2, 3), (1,))]
    for name, fn in BINARY.items():
        for sa, sb in layouts:
            a = operand(name, *sa)
            b = uniform(-1.5, 2, *sb) if name == "pow" else operand("div" if name == "div" else "x", *sb)
            cases.append(case(name, fn, [a, b]))
        for side in ["right", "left"]:
            s = 1.5 if name == "pow" else 0.7
            x = operand(name if side == "right" else "x", 2, 3)
            f = (lambda t, fn=fn, s=s: fn(t, torch.tensor(s))) if side == "right" else (lambda t, fn=fn, s=s: fn(torch.tensor(s), t))
            cases.append(case(name, f, [x], {"scalar": s, "side": side}))
    for name in UNARY:
        x = uniform(0.2, 3, 3, 4) if name in ("log", "sqrt") else randn(3, 4) * 2
        cases.append(case(name, getattr(torch, name), [x]))
    x = randn(4, 5) * 2
    cases.append(case("clamp", lambda t: torch.clamp(t, -0.5, 0.8), [x], {"min": -0.5, "max": 0.8}))
    cases.append(case("clamp", lambda t: torch.clamp(t, min=0.3), [x], {"min": 0.3, "max": None}))
    cases.append(case("clamp", lambda t: torch.clamp(t, max=-0.2), [x], {"min": None, "max": -0.2}))
    cond = (randn(3, 1) > 0).float()
    cases.append(case("where", lambda c, a, b: torch.where(c > 0, a, b), [cond, randn(1, 4), randn(3, 4)], requires=[False, True, True]))
    mask = (randn(1, 4) > 0).float()
    cases.append(case("maskedFill", lambda t, m: t.masked_fill(m > 0, -2.5), [randn(3, 4), mask], {"value": -2.5}, [True, False]))
    return cases


def reduction():
    cases = []
    x = randn(2, 3, 4)
    for dims, keep in [(None, False), (1, False), (-1, True), ([0, 2], False), ([0, 1], True)]:
        args = {"dim": dims, "keepdim": keep}
        for name in ["sum", "mean"]:
            f = (lambda t, n=name: getattr(torch, n)(t)) if dims is None else (lambda t, n=name, d=dims, k=keep: getattr(torch, n)(t, d, keepdim=k))
            cases.append(case(name, f, [x], args))
    t = ties(3, 4, 5)
    for name in ["max", "min"]:
        for d, keep in [(0, False), (1, True), (-1, False)]:
            cases.append(case(name, lambda v, n=name, d=d, k=keep: getattr(torch, n)(v, d, keepdim=k), [t], {"dim": d, "keepdim": keep}))
        cases.append(case(name + "All", lambda v, n=name: getattr(torch, n)(v), [t]))
    for name in ["argmax", "argmin"]:
        cases.append(case(name, lambda v, n=name: getattr(torch, n)(v), [t], {"dim": None}))
        cases.append(case(name, lambda v, n=name: getattr(torch, n)(v, 1, keepdim=True), [t], {"dim": 1, "keepdim": True}))
        cases.append(case(name, lambda v, n=name: getattr(torch, n)(v, -1), [t], {"dim": -1, "keepdim": False}))
    x = randn(2, 3, 4) * 3
    for name, fn in [("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)]:
        for d in [0, 1, 2, -1]:
            cases.append(case(name, lambda v, fn=fn, d=d: fn(v, d), [x], {"dim": d}))
    for d, keep in [(0, False), (2, True), (-2, False)]:
        cases.append(case("logsumexp", lambda v, d=d, k=keep: torch.logsumexp(v, d, keepdim=k), [x], {"dim": d, "keepdim": keep}))
    cases.append(case("logsumexp", lambda v: torch.logsumexp(v, 1), [randn(2, 3) * 30 + 100], {"dim": 1, "keepdim": False}))
    return cases


def linalg():
    shapes = [((4,), (4,)), ((4,), (4, 3)), ((3, 4), (4,)), ((3, 4), (4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
              ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((2, 3, 4), (4, 2)), ((3, 4), (2, 4, 2))]
    cases = [case("matmul", torch.matmul, [randn(*sa), randn(*sb)]) for sa, sb in shapes]
    cases.append(case("bmm", torch.bmm, [randn(3, 2, 4), randn(3, 4, 2)]))
    return cases


def movement():
    cases = []
    x = randn(3, 4, 2)
    cases.append(case("gather", lambda v, i: torch.gather(v, 1, i.long()), [randn(3, 4), torch.tensor([[0, 0], [3, 1], [2, 2]], dtype=torch.int32)], {"dim": 1}))
    cases.append(case("gather", lambda v, i: torch.gather(v, 0, i.long()), [randn(3, 4), torch.tensor([[2, 0, 1, 1], [0, 0, 2, 2]], dtype=torch.int32)], {"dim": 0}))
    for d, idx in [(0, [2, 0, 2]), (1, [3, 3, 1, 0, 1]), (2, [1]), (-1, [1, 0, 1])]:
        cases.append(case("indexSelect", lambda v, i, d=d: torch.index_select(v, d, i.long()), [x, torch.tensor(idx, dtype=torch.int32)], {"dim": d}))
    for dims in [[0], [1, 2], [-1], [0, 1, 2]]:
        cases.append(case("flip", lambda v, d=dims: torch.flip(v, d), [x], {"dims": dims}))
    for d in [0, 1, -1]:
        shapes = [(2, 3), (2, 3), (2, 3)]
        if d == 0:
            shapes = [(1, 3), (2, 3), (3, 3)]
        elif d == 1:
            shapes = [(2, 1), (2, 4), (2, 2)]
        cases.append(case("cat", lambda *v, d=d: torch.cat(v, d), [randn(*s) for s in shapes], {"dim": d}))
        cases.append(case("stack", lambda *v, d=d: torch.stack(v, d), [randn(2, 3) for _ in range(3)], {"dim": d}))
    y = randn(7, 4)
    for chunks, d in [(3, 0), (2, 1), (4, 0), (7, 0)]:
        cases.append(case("chunk", lambda v, c=chunks, d=d: torch.chunk(v, c, d), [y], {"chunks": chunks, "dim": d}))
    for size, d in [(3, 0), (2, 1), ([2, 5], 0), ([1, 0, 3], 1)]:
        cases.append(case("split", lambda v, s=size, d=d: torch.split(v, s, d), [y], {"size": size, "dim": d}))
    for d, start, length in [(0, 2, 3), (1, -3, 2), (-1, 0, 4)]:
        cases.append(case("narrow", lambda v, d=d, s=start, n=length: torch.narrow(v, d, s, n), [y], {"dim": d, "start": start, "length": length}))
    for d, start, end in [(0, 1, -1), (0, -3, None), (1, -10, 10), (1, 3, 1), (0, None, -5)]:
        sl = [slice(None)] * 2
        sl[d] = slice(start, end)
        cases.append(case("slice", lambda v, sl=tuple(sl): v[sl], [y], {"dim": d, "start": start, "end": end}))
    for d, i in [(0, -1), (1, 2)]:
        cases.append(case("select", lambda v, d=d, i=i: torch.select(v, d, i), [y], {"dim": d, "index": i}))
    for reps in [[2, 3], [2, 1, 2], [1, 1]]:
        cases.append(case("repeat", lambda v, r=reps: v.repeat(*r), [randn(2, 3)], {"repeats": reps}))
    for shape in [[3, 2, 4], [2, -1, 4], [3, 1, 4]]:
        cases.append(case("expand", lambda v, s=shape: v.expand(*s), [randn(1, 4)], {"shape": shape}))
    for perm in [[2, 0, 1], [1, 0, 2], [0, 2, 1]]:
        cases.append(case("permute", lambda v, p=perm: v.permute(*p), [x], {"dims": perm}))
    for a, b in [(0, 2), (-1, -2)]:
        cases.append(case("transpose", lambda v, a=a, b=b: v.transpose(a, b), [x], {"dim0": a, "dim1": b}))
    return cases


def main():
    common.write("ops_elementwise", elementwise())
    common.write("ops_reduction", reduction())
    common.write("ops_linalg", linalg())
    common.write("ops_movement", movement())
