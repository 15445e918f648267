"""The module against finite differences, the PyTorch fixtures of tools/make_fixtures.py, and
checkpoints written by Swift (`analyze train`)."""
import glob
import os

import pytest
import torch
from conftest import FIXTURES, ROOT
from torch.func import functional_call

from dagmoe import Chain, DAGMoE, from_safetensors, references
from dagmoe.checkpoint import read

BASE = dict(d_model=6, n_experts=4, top_k=2, d_ff=5, d_g=3, lb_coef=0.1, z_coef=0.01)


def randomise(model, seed):
    """Weights with nothing zero, so every round and the losses move the output."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype) / max(p.shape[-1], 1) ** 0.5 + 0.1)


def margin_tokens(model, count, seed):
    """Tokens whose top-K selection is at least 1e-3 in p from changing (and from group changes)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(256, model.cfg["d_model"], generator=gen, dtype=torch.float64)
    with torch.no_grad():
        p = torch.softmax(model.router(x), -1)
    top = torch.sort(p, -1, descending=True).values
    gaps = (top[:, :-1] - top[:, 1:]).min(-1).values
    return x[gaps > 1e-3][:count]


# Each router and norm with and without the shared expert, L = 0, 1, 2 each twice.
CASES = [dict(router=r, norm=n, shared_d_ff=s, dag_layers=l) for r, n, s, l in [
    ("softmax_topk", "rmsnorm", 0, 0), ("topk_softmax", "layernorm", 4, 0), ("softmax_topk", "layernorm", 4, 1),
    ("topk_softmax", "rmsnorm", 0, 1), ("softmax_topk", "rmsnorm", 4, 2), ("topk_softmax", "layernorm", 0, 2)]]
EXTENSIONS = [dict(shared_d_ff=4, shared_gate=True, dag_layers=1), dict(edge_scorer="bilinear", dag_layers=2),
              dict(n_experts=6, router_groups=3, router_topk_groups=2, dag_layers=1)]


@pytest.mark.parametrize("extra", CASES + EXTENSIONS)
def test_gradcheck_float64(extra):
    model = DAGMoE(**{**BASE, **extra}).double()
    randomise(model, 1)
    x = margin_tokens(model, 5, 2).requires_grad_(True)
    names = [n for n, _ in model.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in model.parameters()]
    g = torch.randn(x.shape, generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    def objective(x, *ps):
        y, det = functional_call(model, dict(zip(names, ps)), (x,), {"details": True})
        return (y * g).sum() + det.aux_loss(model.cfg)

    assert torch.autograd.gradcheck(objective, (x, *params), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_weighted_sum_by_hand_and_zero_up():
    ws = DAGMoE(**BASE, dag_layers=0, seed=4).double()
    x = margin_tokens(ws, 6, 5)
    z = ws.router(x)
    p = torch.softmax(z, -1)
    topk = torch.sort(p, dim=-1, descending=True, stable=True).indices[:, :2]
    y = x.clone()
    for t in range(6):
        for i in range(2):
            y[t] += p[t, topk[t, i]] * ws.experts[topk[t, i]](x[t])
    assert torch.allclose(ws(x), y, atol=1e-13)
    # A fresh layer (every `up` zero) is the weighted sum, bit for bit.
    dag = DAGMoE(**BASE, dag_layers=2, seed=4).double()
    assert torch.equal(dag(x), ws(x))


def test_chain_of_one_iteration_is_the_weighted_sum():
    chain = Chain(iterations=1, seed=6, **BASE, dag_layers=0).double()
    ws = DAGMoE(**BASE, dag_layers=0, seed=6).double()
    x = margin_tokens(ws, 4, 7)
    assert torch.allclose(chain(x), ws(x), rtol=0, atol=1e-14)  # x + sum g E against sum (g E + x/K)
    two = Chain(iterations=2, seed=6, **BASE, dag_layers=0).double()
    assert set(two.state_dict()) == set(ws.state_dict()) | {"chain.1.router.weight"}


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "Tests", "MoETests", "Fixtures", "*.safetensors"))))
def test_reproduces_pytorch_fixtures(path):
    """Every ref.* of tools/make_fixtures.py's files, recomputed by the module in float64."""
    model, refs = from_safetensors(path)
    got = references(model, refs["ref.x"], refs["ref.grad_y"])
    assert torch.equal(got["ref.topk"], refs["ref.topk"])
    for name, want in refs.items():
        err = (got[name].double() - want.double()).abs().max() / want.double().abs().max().clamp_min(1e-30)
        # The float32 references' own round-off: up to 1.4e-5 on edge.bias's cancelling sum
        # (docs/checkpoint-format.md measures the same with Swift).
        assert err < (1e-4 if "grad" in name else 1e-5), f"{os.path.basename(path)} {name}: {err:.2e}"


def test_swift_checkpoint_gives_swift_outputs():
    """A layer trained by `analyze train` loads and reproduces every reference Swift stored."""
    model, refs = from_safetensors(os.path.join(FIXTURES, "swift_trained_l2.safetensors"))
    assert model.cfg["dag_layers"] == 2 and model.cfg["norm"] == "layernorm" and model.cfg["shared_d_ff"] == 4
    got = references(model, refs["ref.x"])  # G from SeededRandom(2024), as Swift draws it
    assert torch.equal(got["ref.topk"], refs["ref.topk"])
    for name, want in refs.items():
        err = (got[name].double() - want.double()).abs().max() / want.double().abs().max().clamp_min(1e-30)
        assert err < 1e-6, f"{name}: {err:.2e}"


def test_initialisation_is_swifts():
    """`analyze train --lr 1e-300 --steps 1` stores Swift's initialisation; the same seed gives it here."""
    path = os.path.join(FIXTURES, "swift_init_l1.safetensors")
    meta, tensors = read(path)
    model, _ = from_safetensors(path, torch.float32)
    fresh = DAGMoE(seed=int(meta["seed"]), **model.cfg)
    for name, value in fresh.state_dict().items():
        assert torch.equal(value, tensors[name]), name


def test_swift_chain_checkpoint_loads():
    model, refs = from_safetensors(os.path.join(FIXTURES, "swift_chain.safetensors"))
    assert isinstance(model, Chain) and model.iterations == 2 and refs == {}
    x = torch.randn(3, model.cfg["d_model"], dtype=torch.float64)
    assert model(x).shape == x.shape


def test_config_errors_name_the_key():
    with pytest.raises(ValueError, match="top_k"):
        DAGMoE(**{**BASE, "top_k": 5}, dag_layers=0)
    with pytest.raises(ValueError, match="shared_gate"):
        DAGMoE(**BASE, dag_layers=0, shared_gate=True)
    with pytest.raises(ValueError, match="dag_layers"):
        DAGMoE(d_model=4, n_experts=2, top_k=1, d_ff=2, d_g=2)
