import os
import sys

import pytest

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(ROOT, "python"))

import torch  # noqa: E402

torch.set_num_threads(1)  # tiny tensors: threads only add overhead

# A tiny LM run (python -m dagmoe.lm arguments) on the `corpus` fixture: a second or two.
TINY = ["--layers", "2", "--d-model", "16", "--heads", "2", "--experts", "4", "--d-ff", "8", "--d-g", "4",
        "--context", "16", "--batch", "4", "--tokens", "640", "--eval-every", "5", "--eval-windows", "8",
        "--ref-tokens", "8", "--threads", "1"]


@pytest.fixture
def corpus(tmp_path):
    """Ten generated plays (one held out) and a `_gut_f` edition that must be left out."""
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(10):
        (folder / f"play_{i}_gut.txt").write_text(f"ACT {i}. Enter a player, speaking line {i}.\n" * 40)
    (folder / "play_0_gut_f.txt").write_text("another edition\n")
    return str(folder)
