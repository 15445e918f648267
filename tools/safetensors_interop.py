#!/usr/bin/env python3
"""Interoperability of the Swift safetensors reader/writer with Python's `safetensors`.

    python3 tools/safetensors_interop.py write   # writes Tests/CheckpointTests/Fixtures/python_written.safetensors
    python3 tools/safetensors_interop.py check   # loads swift_written.safetensors (written by SafeTensorsWriter)

The values match `InteropValues` in Tests/CheckpointTests/SafeTensorsWriterTests.swift.
"""
import math
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import save_file

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "Tests", "CheckpointTests", "Fixtures")

F32 = [0.5, -1.25, 3.0, 1e-3, 65504.0, -0.0]
F64 = [0.1, -1e300, 5e-324]
BF16_SOURCE = [1.0, 1.0 + 2.0 ** -8, 3.14159, -2.5e-3]
BF16_ROUNDED = [1.0, 1.0, 3.140625, -0.00250244140625]
F16 = [1.0, -2.0, 65504.0, 2.0 ** -24, 1.0 / 3.0]
I64 = [0, -1, 2 ** 63 - 1, -(2 ** 63)]


def write():
    tensors = {
        "a.f32": torch.tensor(F32, dtype=torch.float32).reshape(2, 3),
        "b.f64": torch.tensor(F64, dtype=torch.float64),
        "c.bf16": torch.tensor(BF16_SOURCE, dtype=torch.float32).to(torch.bfloat16).reshape(2, 2),
        "d.i64": torch.tensor(I64, dtype=torch.int64),
        "f.f16": torch.tensor(F16, dtype=torch.float32).to(torch.float16),
    }
    save_file(tensors, os.path.join(FIXTURES, "python_written.safetensors"),
              metadata={"format": "pt", "written_by": "python"})


def check():
    path = os.path.join(FIXTURES, "swift_written.safetensors")
    with safe_open(path, framework="pt") as f:
        assert f.metadata() == {"format": "pt", "written_by": "swift"}, f.metadata()
        t = {k: f.get_tensor(k) for k in f.keys()}
    assert t["a.f32"].dtype == torch.float32 and list(t["a.f32"].shape) == [2, 3]
    assert t["a.f32"].flatten().equal(torch.tensor(F32, dtype=torch.float32))
    assert math.copysign(1, t["a.f32"].flatten()[5].item()) == -1
    assert t["b.f64"].dtype == torch.float64 and t["b.f64"].tolist() == F64
    assert t["c.bf16"].dtype == torch.bfloat16 and t["c.bf16"].double().flatten().tolist() == BF16_ROUNDED
    assert t["c.bf16"].equal(torch.tensor(BF16_SOURCE).to(torch.bfloat16).reshape(2, 2))
    assert t["d.i64"].dtype == torch.int64 and t["d.i64"].tolist() == I64
    assert t["e.scalar"].shape == () and t["e.scalar"].item() == 2.5
    print(f"ok: {path} loads in safetensors with the expected {len(t)} tensors and metadata")


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1] if len(sys.argv) > 1 else "check"]()
