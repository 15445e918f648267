"""The byte-level LM: a tiny run writes a model directory whose per-layer files check themselves,
and the DDP path runs under torchrun with the gloo backend and two CPU processes."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import torch
from conftest import ROOT, TINY
from safetensors.torch import load_file

from dagmoe import from_safetensors
from dagmoe.corpus import splits
from dagmoe.lm import main


def test_corpus_holds_out_whole_texts(corpus):
    train, held = splits(corpus)
    assert bytes(held.tolist()).startswith(b"ACT 9.") and b"ACT 9." not in bytes(train.tolist())
    assert b"another edition" not in bytes(train.tolist())


@pytest.mark.parametrize("aggregator", ["ws+shared", "dag", "chain"])
def test_tiny_run_writes_a_model_directory(tmp_path, corpus, aggregator):
    out = str(tmp_path / "model")
    main(["--corpus", corpus, "--aggregator", aggregator, "--dag-layers", "2", "--out", out] + TINY)
    config = json.load(open(os.path.join(out, "config.json")))
    assert config["model_type"] == "dagmoe_lm" and config["num_hidden_layers"] == 2
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert 0 < metrics["final_heldout_bpb"] < 8.5
    for i in range(2):
        model, refs = from_safetensors(os.path.join(out, "layers", f"layer_{i}.safetensors"))
        if aggregator == "chain":
            assert refs == {} and not os.path.exists(os.path.join(out, "inputs.safetensors"))
            continue
        io = load_file(os.path.join(out, "inputs.safetensors"))
        y, det = model(io[f"layers.{i}.x"].double(), details=True)
        assert io[f"layers.{i}.x"].shape == (256, 16) and torch.equal(det.topk, io[f"layers.{i}.topk"])
        assert (y - io[f"layers.{i}.x"].double() - io[f"layers.{i}.moe_out"].double()).abs().max() < 1e-5
        assert torch.equal(io[f"layers.{i}.x"][:8], refs["ref.x"])
        y, det = model(refs["ref.x"].double(), details=True)
        assert (y - refs["ref.y"].double()).abs().max() < 1e-5
        assert model.cfg["dag_layers"] == (2 if aggregator == "dag" else 0)
        assert (model.cfg["shared_d_ff"] > 0) == (aggregator == "ws+shared")
    analyze = os.path.join(ROOT, ".build", "debug", "analyze")
    if aggregator != "chain" and os.access(analyze, os.X_OK):
        result = subprocess.run([analyze, "crosscheck", "--model", out, "--all-layers", "--jacobian-tokens", "2",
                                 "--inputs", os.path.join(out, "inputs.safetensors")], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert ("structural" if aggregator == "dag" else "weighted-sum") in result.stdout
        rows = [line for line in result.stdout.splitlines() if re.match(r"\s+\d+\s", line)]
        assert len(rows) == 2 and all(re.search(r"\de-\d\d\s+yes$", row) for row in rows), result.stdout  # ref max_rel
    with pytest.raises(SystemExit, match="not empty"):
        main(["--corpus", corpus, "--out", out] + TINY)


@pytest.mark.skipif(shutil.which("torchrun") is None and not os.path.exists(os.path.join(os.path.dirname(sys.executable), "torchrun")),
                    reason="torchrun not installed")
def test_ddp_two_cpu_processes(tmp_path, corpus):
    out = str(tmp_path / "ddp")
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "python"), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([torchrun, "--standalone", "--nproc_per_node", "2", "-m", "dagmoe.lm", "--corpus", corpus,
                             "--aggregator", "dag", "--backend", "gloo", "--out", out] + TINY,
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["world_size"] == 2
    assert os.path.exists(os.path.join(out, "layers", "layer_1.safetensors"))
