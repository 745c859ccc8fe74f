"""Save a PyTorch state_dict as safetensors with plain torch (no extra Python packages).

Usage as a library:
    from export_pytorch import save_safetensors
    save_safetensors(model.state_dict(), "model.safetensors", {"format": "pt"})

Usage from the command line (a checkpoint written with torch.save(model.state_dict(), path)):
    python3 scripts/export_pytorch.py state_dict.pt model.safetensors

The file loads in recurrent with `io.loadSafetensors` / `loadSafetensorsFile`, and in the
`safetensors` Python package. Tensors are written contiguous, little-endian, in name order, with the
header padded to a multiple of 8 bytes as the reference writer does.
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


def _raw_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are what matter
    return t.numpy().tobytes()


def to_bytes(tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype not in DTYPES:
            raise ValueError(f"export_pytorch: unsupported dtype {t.dtype} for {name}")
        raw = _raw_bytes(t)
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


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: export_pytorch.py STATE_DICT.pt OUT.safetensors")
    state = torch.load(sys.argv[1], map_location="cpu")
    if not isinstance(state, dict):
        state = state.state_dict()
    save_safetensors(state, sys.argv[2], {"format": "pt"})
    print(f"wrote {sys.argv[2]} ({len(state)} tensors)")
