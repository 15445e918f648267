#!/usr/bin/env python3
"""Checkpoints written by the PyTorch package (python/dagmoe) that the Swift tests read.

    /opt/venv/bin/python tools/make_pytorch_fixtures.py

Writes Tests/CheckpointTests/Fixtures/pytorch/trained_l2_layernorm_shared.safetensors: a DAG-MoE
layer (L = 2) initialised as Swift initialises it, trained 60 Adam steps on the composition
task in PyTorch, its `up` no longer zero, saved with ref.* tensors on the task's first 8
held-out tokens (references in float64 from the stored float32 weights).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from dagmoe import DAGMoE, SyntheticTask, save_safetensors  # noqa: E402
from dagmoe.train import fit_task  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CheckpointTests", "Fixtures", "pytorch")


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


if __name__ == "__main__":
    main()
