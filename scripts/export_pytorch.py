"""PyTorch state dicts to and from safetensors with plain torch (no extra Python packages).

Usage as a library:
    from export_pytorch import save_safetensors, load_safetensors
    save_safetensors(model.state_dict(), "model.safetensors", {"format": "pt"})
    model.load_state_dict(load_safetensors("runs/lm/model.safetensors")[0], strict=True)

Usage from the command line (a checkpoint written with torch.save):
    python3 scripts/export_pytorch.py state_dict.pt model.safetensors [--key model]

`--key` picks a state dict nested in a larger checkpoint ({"model": ..., "optimizer": ...}); a
pickled nn.Module is exported through its state_dict().

The file loads in recurrent with `io.loadSafetensors` / `loadSafetensorsFile` (or `recurrent
import`), and in the `safetensors` Python package. Tensors are written contiguous, little-endian,
in name order, with the header padded to a multiple of 8 bytes as the reference writer does.
Tied (shared) tensors are written once per name: PyTorch's state_dict() lists a tied weight under
each of its names, and so does recurrent's stateDict(), so both load the file strictly.
"""
import json
import os
import struct
import sys

import torch

DTYPES = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float64: "F64",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}
# Types newer PyTorch versions have (2.1+: float8, 2.3+: wide unsigned).
for _name, _code in [("float8_e4m3fn", "F8_E4M3"), ("float8_e5m2", "F8_E5M2"), ("uint16", "U16"),
                     ("uint32", "U32"), ("uint64", "U64")]:
    if hasattr(torch, _name):
        DTYPES[getattr(torch, _name)] = _code
FROM_CODE = {code: dtype for dtype, code in DTYPES.items()}
# Reinterpretations for the types numpy lacks: the bits are what matter.
AS_BITS = {"BF16": torch.int16, "F8_E4M3": torch.uint8, "F8_E5M2": torch.uint8, "U16": torch.int16,
           "U32": torch.int32, "U64": torch.int64}
MAX_HEADER_BYTES = 100_000_000


def _raw_bytes(name, t):
    if not isinstance(t, torch.Tensor):
        raise ValueError(f"export_pytorch: {name} is a {type(t).__name__}, not a tensor")
    if t.layout != torch.strided or t.is_quantized:
        raise ValueError(f"export_pytorch: {name} is a {t.layout} tensor; only dense tensors are supported")
    if t.dtype not in DTYPES:
        raise ValueError(f"export_pytorch: unsupported dtype {t.dtype} for {name}")
    t = t.detach().cpu().contiguous()
    if DTYPES[t.dtype] in AS_BITS:
        t = t.view(AS_BITS[DTYPES[t.dtype]])
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def to_bytes(tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError('export_pytorch: "__metadata__" is reserved')
        t = tensors[name]
        raw = _raw_bytes(name, t)
        header[name] = {
            "dtype": DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def save_safetensors(tensors, path, metadata=None):
    """Writes atomically: a temporary file next to `path`, then a rename."""
    data = to_bytes(tensors, metadata)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def from_bytes(data, source="<bytes>"):
    """(tensors, metadata) from safetensors bytes, checked as strictly as recurrent's reader."""
    def fail(message):
        raise ValueError(f"load_safetensors: {source}: {message}")

    if len(data) < 8:
        fail(f"expected at least 8 bytes, got {len(data)}")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES or 8 + n > len(data):
        fail(f"header length {n} does not fit the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    tensors, cursor, buffer = {}, 0, data[8 + n:]
    for name, e in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        begin, end = e["data_offsets"]
        if e["dtype"] not in FROM_CODE:
            fail(f"{name}: unsupported dtype {e['dtype']}")
        dtype = FROM_CODE[e["dtype"]]
        if begin != cursor or end > len(buffer):
            fail(f"{name}: data_offsets [{begin}, {end}] do not tile the data")
        count = 1
        for d in e["shape"]:
            count *= d
        if (end - begin) != count * torch.empty(0, dtype=dtype).element_size():
            fail(f"{name}: shape {e['shape']} does not match data_offsets [{begin}, {end}]")
        raw = bytearray(buffer[begin:end])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(e["shape"])
        cursor = end
    if cursor != len(buffer):
        fail(f"the tensors cover {cursor} of {len(buffer)} data bytes")
    return tensors, metadata


def load_safetensors(path):
    """(tensors, metadata) of a safetensors file, e.g. a recurrent model directory's model.safetensors."""
    with open(path, "rb") as f:
        return from_bytes(f.read(), path)


def _main(argv):
    args = [a for a in argv if not a.startswith("--key")]
    key = next((a.split("=", 1)[1] for a in argv if a.startswith("--key=")), None)
    if "--key" in argv:
        i = argv.index("--key")
        key = argv[i + 1] if i + 1 < len(argv) else None
        args = [a for j, a in enumerate(argv) if j not in (i, i + 1)]
    if len(args) != 2 or ("--key" in argv and key is None):
        sys.exit("usage: export_pytorch.py STATE_DICT.pt OUT.safetensors [--key NAME]")
    state = torch.load(args[0], map_location="cpu")
    if key is not None:
        if not isinstance(state, dict) or key not in state:
            sys.exit(f"export_pytorch: {args[0]} has no entry {key!r}")
        state = state[key]
    if isinstance(state, torch.nn.Module):
        state = state.state_dict()
    if not isinstance(state, dict):
        sys.exit(f"export_pytorch: {args[0]} holds a {type(state).__name__}, not a state dict (try --key)")
    others = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if others:
        sys.exit(f"export_pytorch: {args[0]} has entries that are not tensors ({', '.join(map(str, others))}); "
                 "pick the state dict with --key NAME")
    save_safetensors(state, args[1], {"format": "pt"})
    print(f"wrote {args[1]} ({len(state)} tensors)")


if __name__ == "__main__":
    _main(sys.argv[1:])
