"""The spec layout written by the package: round trip, and `analyze crosscheck` when built."""
import os
import shutil
import subprocess

import pytest
import torch
from conftest import ROOT

from dagmoe import DAGMoE, SyntheticTask, from_safetensors, save_safetensors
from dagmoe.checkpoint import read
from dagmoe.train import fit_task

ANALYZE = os.path.join(ROOT, ".build", "debug", "analyze")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_round_trip(tmp_path, dtype):
    model = DAGMoE(seed=3, d_model=8, n_experts=4, top_k=2, d_ff=6, d_g=4, dag_layers=1, norm="layernorm",
                   shared_d_ff=4, shared_gate=True, edge_scorer="bilinear")
    path = str(tmp_path / "layer.safetensors")
    save_safetensors(model, path, dtype=dtype)
    meta, tensors = read(path)
    assert meta["shared_gate"] == "sigmoid" and meta["edge_scorer"] == "bilinear" and meta["dag_layers"] == "1"
    assert {str(t.dtype) for t in tensors.values()} == {str(dtype)}
    loaded, refs = from_safetensors(path, torch.float32)
    assert refs == {} and loaded.cfg == model.cfg
    for name, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value.to(dtype).float()), name


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    task = SyntheticTask("composition", d_model=12, functions=2, seed=3)
    model = DAGMoE(seed=1, d_model=12, n_experts=4, top_k=2, d_ff=8, d_g=4, dag_layers=1, lb_coef=0.01, z_coef=0.001)
    before, after = fit_task(model, task, steps=20, batch=16, lr=1e-2, seed=2)
    path = str(tmp_path_factory.mktemp("ckpt") / "trained.safetensors")
    save_safetensors(model, path, reference_x=task.held_out(8, torch.float32)[0])
    return path, before, after, model


def test_trained_references_are_self_consistent(trained):
    path, before, after, model = trained
    assert after < before
    assert model.dag[0].up.weight.abs().max() > 0  # training moved `up` off zero
    loaded, refs = from_safetensors(path)
    y, det = loaded(refs["ref.x"].double(), details=True)
    assert torch.equal(det.topk, refs["ref.topk"])
    assert (y - refs["ref.y"].double()).abs().max() < 1e-5


@pytest.mark.skipif(not os.access(ANALYZE, os.X_OK), reason="swift build has not built .build/debug/analyze")
def test_trained_layer_passes_analyze_crosscheck(trained):
    result = subprocess.run([ANALYZE, "crosscheck", trained[0], "--format", "json", "--jacobian-tokens", "2"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '"pass" : true' in result.stdout.replace('"pass": true', '"pass" : true')
