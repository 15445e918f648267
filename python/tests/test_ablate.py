"""Loss-level ablations of a trained LM's DAG modules: the loader gives back the trained model,
`removed` is the model with that layer's `up` zeroed, and the rows cover every layer."""
import json
import os

import pytest
import torch
from conftest import TINY

from dagmoe.ablate import ablate, main as ablate_main
from dagmoe.corpus import splits
from dagmoe.lm import bits_per_byte, load_model_dir, main as lm_main


@pytest.fixture
def trained(tmp_path, corpus):
    out = str(tmp_path / "dag")
    lm_main(["--corpus", corpus, "--aggregator", "dag", "--dag-layers", "2", "--lr", "3e-2", "--out", out] + TINY)
    return out


def test_loader_gives_back_the_trained_model(trained, corpus):
    model, args = load_model_dir(trained)
    _, held = splits(corpus)
    with torch.no_grad():
        bpb = bits_per_byte(model, held, args.context, args.eval_windows, "cpu")
    assert bpb == pytest.approx(json.load(open(os.path.join(trained, "metrics.json")))["final_heldout_bpb"], abs=1e-5)


def test_removed_is_the_model_without_that_module(trained, corpus):
    model, args = load_model_dir(trained)
    _, held = splits(corpus)
    with torch.no_grad():
        result = ablate(model, held, args, 8)
        assert [(r["layers"], r["ablation"]) for r in result["rows"]] == [
            (layer, kind) for layer in ("0", "1", "all") for kind in ("removed", "mean gates", "shuffled")]
        for block in model.layers[1].mlp.dag:
            block.up.weight.zero_()
        without = bits_per_byte(model, held, args.context, 8, "cpu")
    row = next(r for r in result["rows"] if r["layers"] == "1" and r["ablation"] == "removed")
    assert row["bpb"] == pytest.approx(without, abs=1e-6) and row["delta"] == pytest.approx(without - result["trained"])
    assert row["delta"] != 0  # the trained module does something


def test_command_refuses_other_models_and_existing_files(tmp_path, trained, corpus):
    target = tmp_path / "rows.json"
    ablate_main([trained, "--corpus", corpus, "--windows", "8", "--json", str(target)])
    assert len(json.load(open(target))["rows"]) == 9
    with pytest.raises(SystemExit, match="exists"):
        ablate_main([trained, "--corpus", corpus, "--json", str(target)])
    ws = str(tmp_path / "ws")
    lm_main(["--corpus", corpus, "--aggregator", "ws", "--out", ws] + TINY)
    with pytest.raises(SystemExit, match="no DAG module"):
        ablate_main([ws, "--corpus", corpus])
