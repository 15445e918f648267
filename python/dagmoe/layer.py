"""The DAG-MoE layer of docs/layer.md as a torch.nn.Module.

    x_i^0 = g_i E_{S_i}(x) + x / K                    (router: softmax_topk or topk_softmax)
    x^l   = x^{l-1} + U_l sum_j sigma(a.[h_i; h_j] + b) M [h_i; h_j],  h = D norm(x^{l-1})
    y     = sum_i x_i^L + Es(x)

with SwiGLU experts E(x) = W2 (silu(W1 x) * W3 x), RMSNorm or LayerNorm (biased variance),
the load-balance loss lb = N sum_e f_e P_e (f held constant) and the z-loss
zl = mean_t logsumexp(z_t)^2. Parameters carry the spec's state_dict names
(docs/checkpoint-format.md). The extensions of Sources/MoE/LayerExtensions.swift are
available and off by default: `shared_gate` (y gets sigma(w.x) Es(x)), `router_groups` /
`router_topk_groups` (group-limited selection) and `edge_scorer = "bilinear"`
(h_i^T A_l h_j added to every edge score). Autograd differentiates everything; the
selection is piecewise constant, as the spec's backward assumes.
"""
from dataclasses import dataclass, field
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .random import SeededRandom

DEFAULTS = {"norm": "rmsnorm", "norm_eps": 1e-6, "router": "softmax_topk", "shared_d_ff": 0,
            "lb_coef": 0.0, "z_coef": 0.0, "shared_gate": False, "edge_scorer": "additive",
            "router_groups": 0, "router_topk_groups": 0}
REQUIRED = ("d_model", "n_experts", "top_k", "d_ff", "d_g", "dag_layers")


def layer_config(**cfg):
    """A complete, checked configuration: the spec's metadata keys plus the extensions."""
    missing = [k for k in REQUIRED if k not in cfg]
    if missing:
        raise ValueError(f"layer config misses {', '.join(missing)}")
    out = {**DEFAULTS, **cfg}
    for key in REQUIRED:
        if int(out[key]) != out[key] or out[key] < (0 if key == "dag_layers" else 1):
            raise ValueError(f"{key} must be an integer >= {0 if key == 'dag_layers' else 1}, got {out[key]!r}")
    if out["top_k"] > out["n_experts"]:
        raise ValueError(f"top_k = {out['top_k']} is more than the {out['n_experts']} experts")
    if out["norm"] not in ("rmsnorm", "layernorm"):
        raise ValueError(f"norm must be rmsnorm or layernorm, got {out['norm']!r}")
    if out["router"] not in ("softmax_topk", "topk_softmax"):
        raise ValueError(f"router must be softmax_topk or topk_softmax, got {out['router']!r}")
    if out["edge_scorer"] not in ("additive", "bilinear"):
        raise ValueError(f"edge_scorer must be additive or bilinear, got {out['edge_scorer']!r}")
    if out["shared_gate"] and out["shared_d_ff"] < 1:
        raise ValueError("shared_gate needs a shared expert (shared_d_ff > 0)")
    g, kept = out["router_groups"], out["router_topk_groups"]
    if g:
        n = out["n_experts"]
        if n % g or not 1 <= kept <= g or kept * (n // g) < out["top_k"]:
            raise ValueError(f"router_groups = {g}, router_topk_groups = {kept} is not a grouping of {n} experts "
                             f"that holds top_k = {out['top_k']}")
    return out


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class LayerNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = (x - mean).pow(2).mean(-1, keepdim=True)
        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias


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
    """One round: e_ij = sigma(a_t.h_i + a_s.h_j + b [+ h_i^T A h_j]), m_i = sum_j e_ij M [h_i; h_j]."""

    def __init__(self, d, d_g, norm, eps, bilinear=False):
        super().__init__()
        self.norm = RMSNorm(d, eps) if norm == "rmsnorm" else LayerNorm(d, eps)
        self.down = nn.Linear(d, d_g, bias=False)
        self.edge = nn.Linear(2 * d_g, 1)
        if bilinear:
            self.edge.bilinear = nn.Parameter(torch.zeros(d_g, d_g))
        self.node = nn.Linear(2 * d_g, d_g, bias=False)
        self.up = nn.Linear(d_g, d, bias=False)
        self.gate_override = None  # e -> e', for ablations (dagmoe.ablate); None in training

    def forward(self, nodes):  # nodes [T, K, d]
        h = self.down(self.norm(nodes))  # [T, K, d_g]
        g = h.shape[-1]
        a = self.edge.weight[0]
        score = (h @ a[:g])[:, :, None] + (h @ a[g:])[:, None, :] + self.edge.bias  # [T, i, j]
        if hasattr(self.edge, "bilinear"):
            score = score + torch.einsum("tia,ab,tjb->tij", h, self.edge.bilinear, h)
        e = torch.sigmoid(score)
        if self.gate_override is not None:
            e = self.gate_override(e)
        m_t, m_s = self.node.weight[:, :g], self.node.weight[:, g:]
        p, q = h @ m_t.T, h @ m_s.T  # M c_ij = M_t h_i + M_s h_j
        messages = e.sum(-1, keepdim=True) * p + e @ q
        return nodes + self.up(messages), e


@dataclass
class Details:
    """What forward reports beside y: the spec's ref.* quantities."""
    topk: torch.Tensor
    gates: torch.Tensor
    edge_gates: List[torch.Tensor] = field(default_factory=list)
    lb_loss: Optional[torch.Tensor] = None
    z_loss: Optional[torch.Tensor] = None
    probs: Optional[torch.Tensor] = None

    def aux_loss(self, cfg):
        return cfg["lb_coef"] * self.lb_loss + cfg["z_coef"] * self.z_loss


def route(z, cfg):
    """p = softmax(z), S = top K of p descending (ties to the lower index), g per the router."""
    k, n = cfg["top_k"], cfg["n_experts"]
    p = torch.softmax(z, dim=-1)
    ranked = p.detach()
    if cfg["router_groups"]:
        size = n // cfg["router_groups"]
        scores = ranked.view(-1, cfg["router_groups"], size).amax(-1)
        kept = torch.sort(scores, dim=-1, descending=True, stable=True).indices[:, :cfg["router_topk_groups"]]
        allowed = torch.zeros_like(scores, dtype=torch.bool).scatter_(1, kept, True)
        ranked = torch.where(allowed.repeat_interleave(size, dim=1), ranked, torch.full_like(ranked, -1.0))
    topk = torch.sort(ranked, dim=-1, descending=True, stable=True).indices[:, :k]
    gates = p.gather(1, topk) if cfg["router"] == "softmax_topk" else torch.softmax(z.gather(1, topk), dim=-1)
    return p, topk, gates


def dispatch(experts, x, topk):
    """E_{S_i}(x_t) as [T, K, d], each expert run once on the rows routed to it."""
    out = x.new_zeros(x.shape[0], topk.shape[1], x.shape[1])
    for e, expert in enumerate(experts):
        rows, slots = (topk == e).nonzero(as_tuple=True)
        if rows.numel():
            out = out.index_put((rows, slots), expert(x[rows]))
    return out


def auxiliary_losses(z, p, topk, n):
    t, k = topk.shape
    counts = torch.zeros(n, dtype=p.dtype, device=p.device).index_add_(
        0, topk.flatten(), torch.ones(t * k, dtype=p.dtype, device=p.device))
    f = counts / (t * k)
    lb = n * (f * p.mean(dim=0)).sum()
    zl = torch.logsumexp(z, dim=-1).pow(2).mean()
    return lb, zl


class DAGMoE(nn.Module):
    """The spec's layer; `dag_layers = 0` is the weighted-sum MoE y = x + sum_i g_i E_{S_i}(x) (+ Es(x))."""

    def __init__(self, seed=None, **cfg):
        super().__init__()
        self.cfg = cfg = layer_config(**cfg)
        d, n = cfg["d_model"], cfg["n_experts"]
        self.router = nn.Linear(d, n, bias=False)
        self.experts = nn.ModuleList(SwiGLU(d, cfg["d_ff"]) for _ in range(n))
        if cfg["shared_d_ff"] > 0:
            self.shared = SwiGLU(d, cfg["shared_d_ff"])
        if cfg["shared_gate"]:
            self.shared_gate = nn.Linear(d, 1, bias=False)
        self.dag = nn.ModuleList(DAGRound(d, cfg["d_g"], cfg["norm"], cfg["norm_eps"], cfg["edge_scorer"] == "bilinear")
                                 for _ in range(cfg["dag_layers"]))
        if seed is not None:
            self.initialise(seed)

    def parameter_order(self):
        """The names in Swift's `LayerConfig.parameterShapes` order (initialisation draws in it)."""
        cfg, names = self.cfg, ["router.weight"]
        for e in range(cfg["n_experts"]):
            names += [f"experts.{e}.w1.weight", f"experts.{e}.w2.weight", f"experts.{e}.w3.weight"]
        if cfg["shared_d_ff"]:
            names += ["shared.w1.weight", "shared.w2.weight", "shared.w3.weight"]
        if cfg["shared_gate"]:
            names.append("shared_gate.weight")
        if cfg["edge_scorer"] == "bilinear":
            names += [f"dag.{l}.edge.bilinear" for l in range(cfg["dag_layers"])]
        for l in range(cfg["dag_layers"]):
            names.append(f"dag.{l}.norm.weight")
            if cfg["norm"] == "layernorm":
                names.append(f"dag.{l}.norm.bias")
            names += [f"dag.{l}.{w}" for w in ("down.weight", "edge.weight", "edge.bias", "node.weight", "up.weight")]
        return names

    @torch.no_grad()
    def initialise(self, seed):
        """Swift's Parameters(initializing:seed:): uniform +-1/sqrt(fan_in) drawn in Double from
        SeededRandom in parameter order, edge bias +-1/sqrt(2 d_g), norms 1 and 0, every `up` 0."""
        rng = SeededRandom(seed)
        params = dict(self.named_parameters())
        for name in self.parameter_order():
            param = params[name]
            if name.endswith("norm.weight"):
                param.fill_(1)
            elif name.endswith("norm.bias") or name.endswith("up.weight"):
                param.zero_()
            else:
                fan_in = 2 * self.cfg["d_g"] if name.endswith("edge.bias") else param.shape[-1]
                bound = 1 / fan_in ** 0.5
                values = [rng.uniform(-bound, bound) for _ in range(param.numel())]
                param.copy_(torch.tensor(values, dtype=torch.float64).view(param.shape))

    def forward(self, x, details=False):
        """y for x [..., d]; with details=True also the `Details` (routing, edge gates, losses)."""
        cfg, shape = self.cfg, x.shape
        x = x.reshape(-1, shape[-1])
        z = self.router(x)
        p, topk, gates = route(z, cfg)
        nodes = gates[..., None] * dispatch(self.experts, x, topk) + x[:, None, :] / cfg["top_k"]
        edge_gates = []
        for block in self.dag:
            nodes, e = block(nodes)
            edge_gates.append(e)
        y = nodes.sum(dim=1)
        if cfg["shared_d_ff"]:
            shared = self.shared(x)
            if cfg["shared_gate"]:
                shared = torch.sigmoid(self.shared_gate(x)) * shared
            y = y + shared
        y = y.reshape(shape)
        if not details:
            return y
        lb, zl = auxiliary_losses(z, p, topk, cfg["n_experts"])
        return y, Details(topk, gates, edge_gates, lb, zl, p)


class ChainRouter(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.router = nn.Linear(d, n, bias=False)


class Chain(nn.Module):
    """Chain-of-Experts baseline (Sources/MoE/Chain.swift): C weighted-sum iterations over one
    set of experts, x^c = x^{c-1} + sum_i g_i^c E_{S_i^c}(x^{c-1}), router c = `chain.{c}.router`
    (iteration 0 uses `router`), each iteration's auxiliary losses summed."""

    def __init__(self, iterations=2, seed=None, **cfg):
        super().__init__()
        if iterations < 1:
            raise ValueError(f"a chain needs at least one iteration, got {iterations}")
        cfg = layer_config(**cfg)
        if cfg["dag_layers"] or cfg["shared_d_ff"]:
            raise ValueError("a chain's iterations are weighted sums without a shared expert: "
                             "dag_layers and shared_d_ff must be 0")
        self.cfg, self.iterations = cfg, iterations
        self.layer = DAGMoE(seed=seed, **cfg)
        self.chain = nn.ModuleDict({str(c): ChainRouter(cfg["d_model"], cfg["n_experts"]) for c in range(1, iterations)})

    def state_dict(self, *args, **kwargs):
        out = super().state_dict(*args, **kwargs)
        return type(out)((k[len("layer."):] if k.startswith("layer.") else k, v) for k, v in out.items())

    def load_state_dict(self, state, strict=True):
        renamed = {(k if k.startswith("chain.") else "layer." + k): v for k, v in state.items()}
        return super().load_state_dict(renamed, strict=strict)

    def forward(self, x, details=False):
        shape = x.shape
        current = x.reshape(-1, shape[-1])
        layer, lb, zl, every = self.layer, 0, 0, []
        for c in range(self.iterations):
            router = layer.router if c == 0 else self.chain[str(c)].router
            z = router(current)
            p, topk, gates = route(z, self.cfg)
            current = current + (gates[..., None] * dispatch(layer.experts, current, topk)).sum(1)
            if details:
                l, q = auxiliary_losses(z, p, topk, self.cfg["n_experts"])
                lb, zl = lb + l, zl + q
                every.append(Details(topk, gates, [], l, q, p))
        y = current.reshape(shape)
        if not details:
            return y
        return y, Details(every[0].topk, every[0].gates, [], lb, zl, every[0].probs)
