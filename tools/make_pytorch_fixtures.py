#!/usr/bin/env python3
"""Checkpoints written by the PyTorch package (python/dagmoe) that the Swift tests read.

    /opt/venv/bin/python tools/make_pytorch_fixtures.py

Writes Tests/CheckpointTests/Fixtures/pytorch/trained_l2_layernorm_shared.safetensors: a DAG-MoE
layer (L = 2) initialised as Swift initialises it, trained 60 Adam steps on the composition
task in PyTorch, its `up` no longer zero, saved with ref.* tensors on the task's first 8
held-out tokens (references in float64 from the stored float32 weights).

Writes Tests/CheckpointTests/Fixtures/models/dagmoe_lm: the model directory of a tiny
`python -m dagmoe.lm` run (2 layers, d = 8, 4 experts top-2, L = 1, d_g = 4, 40 steps on a
generated text), which `analyze crosscheck --model DIR --all-layers` reads, with its
layers/layer_{i}.safetensors.
"""
import os
import shutil
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from dagmoe import DAGMoE, SyntheticTask, save_safetensors  # noqa: E402
from dagmoe.lm import main as lm_main  # noqa: E402
from dagmoe.train import fit_task  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CheckpointTests", "Fixtures", "pytorch")


def lm_directory():
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "CheckpointTests", "Fixtures", "models", "dagmoe_lm")
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as corpus:
        for i in range(10):
            with open(os.path.join(corpus, f"text_{i}_gut.txt"), "w") as f:
                f.write("".join(f"Line {j} of text {i}: to be, or not to be.\n" for j in range(60)))
        lm_main(["--corpus", corpus, "--aggregator", "dag", "--dag-layers", "1", "--layers", "2", "--d-model", "8",
                 "--heads", "2", "--experts", "4", "--top-k", "2", "--d-ff", "4", "--d-g", "4", "--context", "16",
                 "--batch", "8", "--tokens", "5120", "--eval-every", "20", "--eval-windows", "8", "--ref-tokens", "8", "--input-tokens", "64",
                 "--threads", "1", "--seed", "3", "--out", out])
    metrics = os.path.join(out, "metrics.json")
    os.remove(metrics)  # holds the scratch corpus path; the curve is not part of the fixture


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    task = SyntheticTask("composition", d_model=12, functions=2, seed=3)
    model = DAGMoE(seed=11, d_model=12, n_experts=4, top_k=2, d_ff=8, d_g=4, dag_layers=2, norm="layernorm",
                   router="topk_softmax", shared_d_ff=4, lb_coef=0.01, z_coef=0.001)
    before, after = fit_task(model, task, steps=60, batch=32, lr=1e-2, seed=5)
    x, _, _ = task.held_out(8, torch.float32)
    path = os.path.join(OUT, "trained_l2_layernorm_shared.safetensors")
    save_safetensors(model, path, reference_x=x, metadata={
        "task": task.kind, "task_functions": task.function_count, "task_seed": task.seed, "seed": 11,
        "steps": 60, "trainer": "tools/make_pytorch_fixtures.py", "torch": torch.__version__,
        "final_heldout_loss": f"{after:.6f}"})
    print(f"{path}: {os.path.getsize(path)} bytes, held-out MSE {before:.4f} -> {after:.4f}")
    lm_directory()


if __name__ == "__main__":
    main()
