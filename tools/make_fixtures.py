#!/usr/bin/env python3
"""Reference DAG-MoE layer in PyTorch and the self-checking fixtures the Swift tests load.

    python3 tools/make_fixtures.py            # writes Tests/MoETests/Fixtures/*.safetensors

The layer is written from docs/layer.md (this project's contract),
independently of the Swift code: router (softmax_topk or topk_softmax), SwiGLU experts,
an optional shared expert, x_i^0 = g_i E_{S_i}(x) + x/K, L rounds of gated message
passing with RMSNorm or LayerNorm, y = sum_i x_i^L (+ Es(x)), the load-balance and
z losses, and J = sum_t <y_t, G_t> + lb_coef*lb + z_coef*zl differentiated by autograd.

Every fixture holds the weights under the spec's state_dict names, the config in
__metadata__, and every ref.* tensor of the spec's table, computed in float32. For BF16
fixtures the weights are rounded to bfloat16 first and the references computed from
those rounded weights widened to float32, so the stored weights are exactly what was run.

Self-checks before writing: the float32 references agree with a float64 run of the same
weights (so each fixture is well conditioned and a Swift run in either precision can be
held to a tight tolerance), and every token's selection has a clear margin (adjacent
sorted probabilities among the top K+1 differ by at least MIN_P_GAP), so round-off cannot
change ref.topk. Tokens failing the margin are redrawn.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "Tests", "MoETests", "Fixtures")
MIN_P_GAP = 1e-3
F64_AGREEMENT = 1e-4  # max |f32 - f64| / max |f64| per tensor, asserted for every reference


class RMSNorm(nn.Module):
    """u = x / sqrt(mean(x^2) + eps) * w."""

    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class LayerNorm(nn.Module):
    """u = (x - mean) / sqrt(var + eps) * w + b, biased variance."""

    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = (x - mean).pow(2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


class SwiGLU(nn.Module):
    """E(x) = W2 (silu(W1 x) * (W3 x))."""

    def __init__(self, d, d_ff):
        super().__init__()
        self.w1 = nn.Linear(d, d_ff, bias=False)
        self.w2 = nn.Linear(d_ff, d, bias=False)
        self.w3 = nn.Linear(d, d_ff, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class DAGRound(nn.Module):
    """x_i <- x_i + U sum_j sigmoid(a.[h_i; h_j] + b) M [h_i; h_j], h = D norm(x)."""

    def __init__(self, d, d_g, norm, eps):
        super().__init__()
        self.norm = RMSNorm(d, eps) if norm == "rmsnorm" else LayerNorm(d, eps)
        self.down = nn.Linear(d, d_g, bias=False)
        self.edge = nn.Linear(2 * d_g, 1)
        self.node = nn.Linear(2 * d_g, d_g, bias=False)
        self.up = nn.Linear(d_g, d, bias=False)

    def forward(self, nodes):  # nodes [T, K, d]
        t, k, _ = nodes.shape
        h = self.down(self.norm(nodes))  # [T, K, d_g]
        g = h.shape[-1]
        target = h[:, :, None, :].expand(t, k, k, g)  # c_ij's first half is h_i
        source = h[:, None, :, :].expand(t, k, k, g)  # second half is h_j
        c = torch.cat([target, source], dim=-1)  # [T, K(i), K(j), 2 d_g]
        e = torch.sigmoid(self.edge(c)).squeeze(-1)  # [T, K, K], [t, i, j]
        messages = (e[..., None] * self.node(c)).sum(dim=2)  # sum over sources j
        return nodes + self.up(messages), e


class DAGMoE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d, n = cfg["d_model"], cfg["n_experts"]
        self.router = nn.Linear(d, n, bias=False)
        self.experts = nn.ModuleList(SwiGLU(d, cfg["d_ff"]) for _ in range(n))
        if cfg["shared_d_ff"] > 0:
            self.shared = SwiGLU(d, cfg["shared_d_ff"])
        self.dag = nn.ModuleList(DAGRound(d, cfg["d_g"], cfg["norm"], cfg["norm_eps"])
                                 for _ in range(cfg["dag_layers"]))

    def forward(self, x):
        cfg = self.cfg
        t, k, n = x.shape[0], cfg["top_k"], cfg["n_experts"]
        z = self.router(x)
        p = torch.softmax(z, dim=-1)
        # Descending p, ties to the lower index: a stable sort keeps index order among equals.
        topk = torch.sort(p, dim=-1, descending=True, stable=True).indices[:, :k]
        if cfg["router"] == "softmax_topk":
            gates = p.gather(1, topk)
        else:
            gates = torch.softmax(z.gather(1, topk), dim=-1)
        every = torch.stack([expert(x) for expert in self.experts])  # [N, T, d]
        chosen = every[topk, torch.arange(t)[:, None]]  # [T, K, d]
        nodes = gates[..., None] * chosen + x[:, None, :] / k
        edge_gates = []
        for block in self.dag:
            nodes, e = block(nodes)
            edge_gates.append(e)
        y = nodes.sum(dim=1)
        if cfg["shared_d_ff"] > 0:
            y = y + self.shared(x)
        counts = torch.zeros(n, dtype=x.dtype).index_add_(0, topk.flatten(), torch.ones(t * k, dtype=x.dtype))
        f = (counts / (t * k)).detach()
        lb = n * (f * p.mean(dim=0)).sum()
        zl = torch.logsumexp(z, dim=-1).pow(2).mean()
        return y, topk, gates, edge_gates, lb, zl, p


def objective(model, x, grad_y):
    """J = sum <y, G> + lb_coef*lb + z_coef*zl and everything forward reports."""
    y, topk, gates, edges, lb, zl, p = model(x)
    j = (y * grad_y).sum() + model.cfg["lb_coef"] * lb + model.cfg["z_coef"] * zl
    return j, (y, topk, gates, edges, lb, zl, p)


def references(model, x, grad_y):
    """Every ref.* tensor of the spec's table, for `model` in its own dtype."""
    x = x.clone().requires_grad_(True)
    model.zero_grad()
    j, (y, topk, gates, edges, lb, zl, _) = objective(model, x, grad_y)
    j.backward()
    refs = {"ref.x": x.detach(), "ref.y": y.detach(), "ref.topk": topk.to(torch.int64),
            "ref.gates": gates.detach(), "ref.lb_loss": lb.detach(), "ref.z_loss": zl.detach(),
            "ref.grad_y": grad_y, "ref.grad_x": x.grad.detach()}
    for l, e in enumerate(edges):
        refs[f"ref.edge_gates.{l}"] = e.detach()
    for name, param in model.named_parameters():
        refs[f"ref.grad.{name}"] = param.grad.detach()
    return refs


def initialise(model, gen):
    """Random weights, nothing zero (so every DAG round moves the output)."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.copy_(1 + 0.2 * torch.randn(param.shape, generator=gen))
            elif name.endswith("norm.bias") or name.endswith("edge.bias"):
                param.copy_(0.3 * torch.randn(param.shape, generator=gen))
            else:
                fan_in = param.shape[1]
                param.copy_(torch.randn(param.shape, generator=gen) / fan_in ** 0.5)


def tokens_with_margin(model, count, gen):
    """`count` standard normal tokens whose top-K selections have a clear margin."""
    k = model.cfg["top_k"]
    kept = []
    while len(kept) < count:
        x = torch.randn(64, model.cfg["d_model"], generator=gen)
        with torch.no_grad():
            p = torch.softmax(model.router(x).double(), dim=-1)
        top = torch.sort(p, dim=-1, descending=True).values[:, :k + 1]
        gaps = (top[:, :-1] - top[:, 1:]).min(dim=-1).values
        kept.extend(x[gaps >= MIN_P_GAP])
    return torch.stack(kept[:count])


def train(model, steps, gen):
    """A few Adam steps on a regression task (a random teacher map) with the auxiliary losses."""
    d = model.cfg["d_model"]
    teacher = torch.randn(d, d, generator=gen) / d ** 0.5
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        x = torch.randn(32, d, generator=gen)
        target = torch.tanh(x @ teacher) * 2
        y, _, _, _, lb, zl, _ = model(x)
        loss = (y - target).pow(2).mean() + model.cfg["lb_coef"] * lb + model.cfg["z_coef"] * zl
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def check_against_float64(model, refs):
    """The float32 references agree with a float64 run of the same weights."""
    double = DAGMoE(model.cfg).double()
    double.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    exact = references(double, refs["ref.x"].double(), refs["ref.grad_y"].double())
    assert torch.equal(exact["ref.topk"], refs["ref.topk"]), "selection differs between float32 and float64"
    worst = 0.0
    for name, value in refs.items():
        if name == "ref.topk":
            continue
        truth = exact[name]
        scale = truth.abs().max().item()
        err = (value.double() - truth).abs().max().item() / max(scale, 1e-30)
        assert err < F64_AGREEMENT, f"{name}: float32 reference off by {err:.2e} of its scale"
        worst = max(worst, err)
    return worst


def fixture(name, cfg, *, tokens, seed, bf16=False, train_steps=0):
    gen = torch.Generator().manual_seed(seed)
    cfg = {"norm_eps": 1e-6, "shared_d_ff": 0, "lb_coef": 0.01, "z_coef": 0.001, **cfg}
    model = DAGMoE(cfg)
    initialise(model, gen)
    final_loss = train(model, train_steps, gen) if train_steps else None
    if bf16:
        with torch.no_grad():
            for param in model.parameters():
                param.copy_(param.to(torch.bfloat16).float())
    x = tokens_with_margin(model, tokens, gen)
    grad_y = torch.randn(tokens, cfg["d_model"], generator=gen)
    refs = references(model, x, grad_y)
    worst = check_against_float64(model, refs)
    weight_dtype = torch.bfloat16 if bf16 else torch.float32
    tensors = {k: v.detach().to(weight_dtype).contiguous() for k, v in model.state_dict().items()}
    tensors.update({k: v.contiguous() for k, v in refs.items()})
    metadata = {k: str(v) for k, v in cfg.items()}
    metadata["source"] = "tools/make_fixtures.py"
    if train_steps:
        metadata["trained"] = f"{train_steps} Adam steps, final loss {final_loss:.4f}"
    path = os.path.join(FIXTURES, name + ".safetensors")
    save_file(tensors, path, metadata=metadata)
    print(f"{name}: {os.path.getsize(path)} bytes, float32 vs float64 worst {worst:.1e}")


def main():
    base = {"d_model": 8, "n_experts": 4, "top_k": 2, "d_ff": 8, "d_g": 4}
    fixture("random_l0_softmax_topk_rmsnorm", {**base, "dag_layers": 0, "norm": "rmsnorm",
            "router": "softmax_topk"}, tokens=8, seed=1)
    fixture("random_l1_topk_softmax_layernorm_shared", {**base, "n_experts": 5, "top_k": 3, "dag_layers": 1,
            "norm": "layernorm", "router": "topk_softmax", "shared_d_ff": 8}, tokens=8, seed=2)
    fixture("random_l2_softmax_topk_layernorm_bf16", {**base, "n_experts": 6, "dag_layers": 2,
            "norm": "layernorm", "router": "softmax_topk", "lb_coef": 0.1}, tokens=8, seed=3, bf16=True)
    fixture("random_l3_topk_softmax_rmsnorm_shared_bf16", {**base, "top_k": 3, "dag_layers": 3,
            "norm": "rmsnorm", "router": "topk_softmax", "shared_d_ff": 4, "norm_eps": 1e-5},
            tokens=6, seed=4, bf16=True)
    fixture("trained_l2_softmax_topk_rmsnorm", {"d_model": 16, "n_experts": 4, "top_k": 2, "d_ff": 8,
            "d_g": 4, "dag_layers": 2, "norm": "rmsnorm", "router": "softmax_topk"},
            tokens=12, seed=5, train_steps=40)
    fixture("trained_l1_topk_softmax_layernorm_shared_bf16", {"d_model": 12, "n_experts": 4, "top_k": 3,
            "d_ff": 8, "d_g": 4, "dag_layers": 1, "norm": "layernorm", "router": "topk_softmax",
            "shared_d_ff": 4}, tokens=12, seed=6, bf16=True, train_steps=40)


if __name__ == "__main__":
    main()
