"""safetensors written by PyTorch (scripts/export_pytorch.py) in every dtype the reader accepts."""
import base64
import os
import sys

import torch

import common

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from export_pytorch import to_bytes  # noqa: E402


def main():
    torch.manual_seed(0)
    base = torch.randn(3, 5) * 10
    tensors = {
        "f32": base.clone(),
        "f16": base.half(),
        "bf16": base.bfloat16(),
        "f64": base.double(),
        "i64": torch.tensor([[-2147483648, 0, 7], [2147483647, -1, 42]], dtype=torch.int64),
        "i32": torch.arange(-3, 3, dtype=torch.int32).reshape(2, 3),
        "i16": torch.tensor([-32768, 1, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "empty": torch.zeros(0, 4),
        "scalar": torch.tensor(3.5),
        "lstm.weight_ih_l0": torch.randn(8, 3),
    }
    expected = {k: common.t(v.float() if v.is_floating_point() else v.int()) for k, v in tensors.items()}
    raw = to_bytes(tensors, {"format": "pt", "note": "recurrent fixture"})
    common.write(
        "safetensors_dtypes",
        {"bytes": base64.b64encode(raw).decode("ascii"), "expected": expected},
    )
