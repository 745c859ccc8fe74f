"""Parity fixtures for the data pipeline (test/parity/data.test.ts).

Only the deterministic parts of PyTorch's batching are compared (our shuffles use our own
generator, so permutations cannot match):
- data_split: the subset sizes of torch.utils.data.random_split for counts and fractions;
- data_loader: len(DataLoader) and sequential default_collate batches;
- data_bptt: word_language_model's batchify and get_batch windows on a small random stream;
- data_collate: torch.nn.utils.rnn.pad_sequence on token-id sequences, and torchtext's legacy
  Field.pad (fix_length, truncate_first, pad_first, init/eos tokens), transcribed below because
  torchtext is not installed.
"""
import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, random_split

import common

GEN = torch.Generator().manual_seed(2024)


def split_cases():
    cases = []
    for n, lengths in [
        (11, [0.8, 0.1, 0.1]),
        (10, [1 / 3, 1 / 3, 1 / 3]),
        (7, [0.25, 0.25, 0.25, 0.25]),
        (100, [0.7, 0.2, 0.1]),
        (1001, [0.9, 0.05, 0.05]),
        (5, [0.5, 0.5]),
        (3, [0.1, 0.2, 0.3, 0.4]),
        (25, [0.1] * 10),
        (10, [3, 7]),
        (5, [0, 1]),
    ]:
        parts = random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
        cases.append({"n": n, "lengths": lengths, "sizes": [len(p) for p in parts]})
    return cases


def loader_cases():
    cases = []
    for n, batch_size, drop_last in [(10, 3, False), (10, 3, True), (9, 3, True), (1, 4, False), (0, 2, False)]:
        loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
        cases.append({"n": n, "batchSize": batch_size, "dropLast": drop_last, "length": len(loader)})
    xs = torch.randn(5, 3, generator=GEN)
    ys = torch.randint(0, 4, (5,), generator=GEN)
    data = [(xs[i], int(ys[i])) for i in range(5)]
    batches = [[common.t(x), common.t(y)] for x, y in DataLoader(data, batch_size=2)]
    return {"lengths": cases, "collate": {"xs": common.t(xs), "ys": common.t(ys), "batches": batches}}


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].view(-1)
    return data, target


def bptt_cases():
    cases = []
    for n, bsz, bptt in [(103, 4, 5), (60, 3, 7), (50, 5, 9), (40, 2, 19), (21, 4, 35)]:
        stream = torch.randint(0, 1000, (n,), generator=GEN)
        source = batchify(stream, bsz)
        windows = []
        for i in range(0, source.size(0) - 1, bptt):
            data, target = get_batch(source, i, bptt)
            windows.append({"data": common.t(data), "target": common.t(target)})
        cases.append({"stream": common.t(stream), "batchSize": bsz, "bptt": bptt,
                      "batchified": common.t(source), "windows": windows})
    return cases


def field_pad(minibatch, fix_length=None, init_token=None, eos_token=None, pad_token=1,
              pad_first=False, truncate_first=False):
    """torchtext.legacy.data.Field.pad (torchtext 0.9), with include_lengths=True."""
    minibatch = list(minibatch)
    if fix_length is None:
        max_len = max(len(x) for x in minibatch)
    else:
        max_len = fix_length + (init_token, eos_token).count(None) - 2
    padded, lengths = [], []
    for x in minibatch:
        if pad_first:
            padded.append(
                [pad_token] * max(0, max_len - len(x))
                + ([] if init_token is None else [init_token])
                + list(x[-max_len:] if truncate_first else x[:max_len])
                + ([] if eos_token is None else [eos_token]))
        else:
            padded.append(
                ([] if init_token is None else [init_token])
                + list(x[-max_len:] if truncate_first else x[:max_len])
                + ([] if eos_token is None else [eos_token])
                + [pad_token] * max(0, max_len - len(x)))
        lengths.append(len(padded[-1]) - max(0, max_len - len(x)))
    return padded, lengths


def collate_cases():
    seqs = [torch.randint(2, 50, (int(n),), generator=GEN) for n in [5, 1, 8, 3, 8, 2]]
    pad = []
    for batch_first in [False, True]:
        for value in [0, 1]:
            out = pad_sequence(seqs, batch_first=batch_first, padding_value=value)
            pad.append({"batchFirst": batch_first, "padIndex": value, "padded": common.t(out)})
    lists = [s.tolist() for s in seqs]
    field = []
    for opts in [
        {},
        {"fix_length": 4},
        {"fix_length": 4, "truncate_first": True},
        {"fix_length": 10, "pad_first": True},
        {"init_token": 2, "eos_token": 3},
        {"fix_length": 6, "init_token": 2, "eos_token": 3},
        {"fix_length": 5, "eos_token": 3, "pad_first": True, "truncate_first": True},
    ]:
        padded, lengths = field_pad(lists, **opts)
        field.append({"options": opts, "padded": padded, "lengths": lengths})
    return {"sequences": [common.t(s) for s in seqs], "padSequence": pad, "fieldPad": field}


def main():
    common.write("data_split", split_cases())
    common.write("data_loader", loader_cases())
    common.write("data_bptt", bptt_cases())
    common.write("data_collate", collate_cases())


if __name__ == "__main__":
    main()
