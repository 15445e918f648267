"""Same seeds, same batches: the held-out batch stored by `analyze train` (ref.x) is Python's."""
import os

import pytest
import torch
from conftest import FIXTURES

from dagmoe import SyntheticTask
from dagmoe.checkpoint import read
from dagmoe.random import SeededRandom


def test_swift_batch_is_reproduced():
    meta, tensors = read(os.path.join(FIXTURES, "swift_trained_l2.safetensors"))
    task = SyntheticTask(meta["task"], int(meta["d_model"]), int(meta["task_functions"]), int(meta["task_seed"]))
    x, y, codes = task.held_out(8, torch.float32)
    assert torch.equal(x, tensors["ref.x"])  # bit for bit: content normals and one-hot codes
    c, f = task.content_width, task.function_count
    assert torch.equal(x[:, c:].view(8, task.steps, f).argmax(-1), codes)


def test_targets_follow_the_definition():
    task = SyntheticTask("composition3", 14, functions=2, seed=5)
    x, y, codes = task.batch(4, SeededRandom(1))
    for t in range(4):
        v = x[t, :task.content_width]
        for code in codes[t]:
            w, b = task.functions[code]
            v = torch.tanh(torch.tensor(w, dtype=torch.float64) @ v + torch.tensor(b, dtype=torch.float64))
        assert torch.allclose(v, y[t], atol=1e-14)
    s = SyntheticTask("sum", 12, functions=2, seed=5)
    x, y, codes = s.batch(2, SeededRandom(2))
    v = x[0, :s.content_width].tolist()
    assert y[0].tolist() == [a + b for a, b in zip(s.apply(codes[0, 0].item(), v), s.apply(codes[0, 1].item(), v))]


def test_task_errors_name_the_problem():
    with pytest.raises(ValueError, match="no content coordinates"):
        SyntheticTask("composition", 8, functions=4)
    with pytest.raises(ValueError, match="unknown task"):
        SyntheticTask("product", 8)
