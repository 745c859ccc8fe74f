"""PyTorch's side of `npm run bench`: the workloads of bench/workloads.ts, built from the same
config objects (same shapes, optimizers, learning rates), timed on request.

One long-lived process, so `import torch` is paid once. It reads one JSON command per line on
stdin and answers one JSON line on stdout:

  {"cmd": "hello"}                          -> {"torch": "1.13.0", "blas": "generic",
                                                "blasLibrary": "openblas-pthread", ...}
  {"cmd": "build", "id": "W1", "config": {}} -> {"params": 6144644, "value": 1.38, "seconds": 0.4}
  {"cmd": "time", "threads": 2, "reps": 5}   -> {"seconds": 1.23, "value": 1.37, "threads": 2}
  {"cmd": "quit"}

"build" also runs one step (the first warm-up) at the current thread setting and reports its
value and time; "time" runs the built workload's step `reps` times under
torch.set_num_threads(threads) (and OpenBLAS's own openblas_set_num_threads, which Debian's torch
does not call) and reports the total wall time. A failure answers
{"error": "..."}; without torch the first line is that error and the process ends.

Run: bench/run.ts starts it as `/usr/bin/python3 bench/pytorch_bench.py`.
"""

import json
import re
import sys
import time
import traceback


def blas_paths(torch):
    """The BLAS libraries mapped into this process once torch has run a matmul."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    try:
        with open("/proc/self/maps") as f:
            return {line.split()[-1] for line in f if "libblas" in line or "libopenblas" in line}
    except OSError:
        return None


def blas_library(torch):
    """Which libblas torch runs on (Debian's generic build takes the system's libblas.so.3:
    netlib's reference unless OpenBLAS is installed): the directory of the one mapped."""
    paths = blas_paths(torch)
    if paths is None:
        return "unknown"
    names = sorted({p.split("/")[-2] if "/blas/" not in p else "netlib reference" for p in paths})
    return ", ".join(names) or "none mapped"


def blas_threads_setter(torch):
    """Debian's generic torch cannot tell its BLAS how many threads to use: torch.set_num_threads(1)
    leaves OpenBLAS on every core (its GEMM then runs at two cores' speed in the "1 thread" rows).
    Returns the mapped OpenBLAS's openblas_set_num_threads, or None where the BLAS has no such call
    (netlib's is single-threaded)."""
    import ctypes

    for path in sorted(blas_paths(torch) or ()):
        try:
            setter = ctypes.CDLL(path).openblas_set_num_threads  # already loaded: same handle
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        return setter
    return None


def count(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())


def train_step(torch, modules, lr, loss_fn, clip=0.0):
    params = [p for m in modules for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=lr)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        return loss.item()

    return step, count(*modules)


def news_classifier(torch, nn, c):
    embedding = nn.Embedding(c["vocab"], c["embed"])
    lstm = nn.LSTM(c["embed"], c["hidden"], batch_first=True)
    fc = nn.Linear(c["hidden"], c["classes"])
    x = torch.randint(0, c["vocab"], (c["batch"], c["T"]))
    y = torch.randint(0, c["classes"], (c["batch"],))

    def loss():
        _, (h_n, _) = lstm(embedding(x))
        return nn.functional.cross_entropy(fc(h_n[-1]), y)

    return train_step(torch, [embedding, lstm, fc], 1e-3, loss)


def char_lm(torch, nn, c):
    embedding = nn.Embedding(c["vocab"], c["embed"])
    lstm = nn.LSTM(c["embed"], c["hidden"], num_layers=c["layers"], batch_first=True)
    fc = nn.Linear(c["hidden"], c["vocab"])
    x = torch.randint(0, c["vocab"], (c["batch"], c["T"]))
    y = torch.randint(0, c["vocab"], (c["batch"] * c["T"],))

    def loss():
        out, _ = lstm(embedding(x))
        return nn.functional.cross_entropy(fc(out).reshape(-1, c["vocab"]), y)

    return train_step(torch, [embedding, lstm, fc], 2e-3, loss)


def sentiment_bilstm(torch, nn, c):
    embedding = nn.Embedding(c["vocab"], c["embed"])
    dropout = nn.Dropout(c["dropout"])
    lstm = nn.LSTM(
        c["embed"], c["hidden"], num_layers=c["layers"], bidirectional=True, batch_first=True
    )
    fc = nn.Linear(4 * c["hidden"], c["classes"])
    x = torch.randint(0, c["vocab"], (c["batch"], c["T"]))
    y = torch.randint(0, c["classes"], (c["batch"],))

    def loss():
        out, _ = lstm(dropout(embedding(x)))
        ends = torch.cat([out[:, 0], out[:, -1]], 1)
        return nn.functional.cross_entropy(fc(ends), y)

    return train_step(torch, [embedding, dropout, lstm, fc], 1e-3, loss)


def seq2seq_gru(torch, nn, c):
    def gru(input_size):
        return nn.GRU(input_size, c["hidden"], num_layers=c["layers"], batch_first=True)

    enc_embedding = nn.Embedding(c["vocab"], c["embed"])
    encoder = gru(c["embed"])
    dec_embedding = nn.Embedding(c["vocab"], c["embed"])
    decoder = gru(c["embed"] + c["hidden"])
    fc = nn.Linear(c["hidden"], c["vocab"])
    src = torch.randint(0, c["vocab"], (c["batch"], c["T"]))
    tgt_in = torch.randint(0, c["vocab"], (c["batch"], c["T"]))
    tgt_out = torch.randint(0, c["vocab"], (c["batch"] * c["T"],))

    def loss():
        _, state = encoder(enc_embedding(src))
        context = state[-1].unsqueeze(1).expand(c["batch"], c["T"], c["hidden"])
        out, _ = decoder(torch.cat([dec_embedding(tgt_in), context], 2), state)
        return nn.functional.cross_entropy(fc(out).reshape(-1, c["vocab"]), tgt_out)

    modules = [enc_embedding, encoder, dec_embedding, decoder, fc]
    return train_step(torch, modules, 1e-3, loss, c["clip"])


def generate_stepwise(torch, nn, c):
    lstm = nn.LSTM(c["hidden"], c["hidden"]).eval()
    x0 = torch.randn(1, 1, c["hidden"])

    def step():
        with torch.no_grad():
            x, state = x0, None
            for _ in range(c["steps"]):
                x, state = lstm(x, state)
            return x

    return step, count(lstm)


def generate_sequence(torch, nn, c):
    lstm = nn.LSTM(c["hidden"], c["hidden"]).eval()
    x = torch.randn(c["steps"], 1, c["hidden"])

    def step():
        with torch.no_grad():
            return lstm(x)[0]

    return step, count(lstm)


def gemm(torch, _nn, c):
    a = torch.randn(c["n"], c["n"])
    b = torch.randn(c["n"], c["n"])
    return (lambda: torch.mm(a, b)), 0


BUILDERS = {
    "W1": news_classifier,
    "W2": char_lm,
    "W3": sentiment_bilstm,
    "W4": seq2seq_gru,
    "W5-step": generate_stepwise,
    "W5-seq": generate_sequence,
    "W6-512": gemm,
    "W6-1024": gemm,
}


def scalar(v):
    """A train step's loss, or the first element of an output tensor."""
    return v if isinstance(v, float) else v.reshape(-1)[0].item()


def main():
    try:
        import torch
        import torch.nn as nn
    except Exception as e:  # no torch: say so once and stop
        print(json.dumps({"error": f"cannot import torch: {e}"}), flush=True)
        return
    step = None
    set_blas_threads = None
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["cmd"] == "quit":
                break
            if msg["cmd"] == "hello":
                blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
                reply = {
                    "torch": torch.__version__,
                    "blas": blas.group(1) if blas else "unknown",
                    "blasLibrary": blas_library(torch),
                    "mkldnn": torch.backends.mkldnn.is_available(),
                    "defaultThreads": torch.get_num_threads(),
                }
                set_blas_threads = blas_threads_setter(torch)
                reply["blasThreadsFollow"] = set_blas_threads is not None
            elif msg["cmd"] == "build":
                step = None
                torch.manual_seed(0)
                step, params = BUILDERS[msg["id"]](torch, nn, msg["config"])
                start = time.perf_counter()
                value = scalar(step())
                reply = {"params": params, "value": value, "seconds": time.perf_counter() - start}
            elif msg["cmd"] == "time":
                torch.set_num_threads(msg["threads"])
                if set_blas_threads is not None:
                    set_blas_threads(msg["threads"])
                start = time.perf_counter()
                for _ in range(msg["reps"]):
                    v = step()
                seconds = time.perf_counter() - start
                reply = {"seconds": seconds, "value": scalar(v), "threads": torch.get_num_threads()}
            else:
                reply = {"error": f"unknown command {msg['cmd']!r}"}
        except Exception:
            reply = {"error": traceback.format_exc()}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
