#!/usr/bin/env python3
"""PyTorch peer of `analyze bench`: forward + backward of one DAG-MoE layer on CPU.

The layer is the spec's (docs/layer.md) with RMSNorm and the
`softmax_topk` router, written for speed the way a PyTorch MoE is usually written:
experts stacked as [N, d_ff, d] tensors, (token, slot) pairs sorted by expert and each
expert run as three matmuls over its rows (grouped dispatch), the DAG rounds batched
over tokens as [T, K, *] tensors. One step is the forward pass, the objective
J = <y, G> + lb_coef*lb + z_coef*zl, and `J.backward()` (every weight gradient and
dJ/dx). The figure is the median over --repeats timed steps after --warmup untimed
ones, with torch.set_num_threads(--threads), Float32.

    python3 tools/bench_layer.py --d 256 --n 16 --k 4 --d-ff 512 --d-g 64 --depth 2 \
        --tokens 1024 --threads 2 --out peer.json
    analyze bench ... --peer peer.json

--check FILE recomputes y of a spec checkpoint carrying ref.x/ref.y (rmsnorm,
softmax_topk) with this implementation and exits non-zero if it disagrees, so the
benchmarked code is known to be the spec's layer.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


class BenchLayer:
    """The spec layer with stacked expert weights; all tensors require grad."""

    def __init__(self, d, n, k, d_ff, d_g, depth, eps=1e-6, lb_coef=0.01, z_coef=0.001, seed=11):
        g = torch.Generator().manual_seed(seed)

        def uniform(*shape, fan_in):
            bound = 1.0 / fan_in ** 0.5
            return ((torch.rand(*shape, generator=g) * 2 - 1) * bound).requires_grad_()

        self.d, self.n, self.k, self.depth, self.eps = d, n, k, depth, eps
        self.lb_coef, self.z_coef = lb_coef, z_coef
        self.router = uniform(n, d, fan_in=d)
        self.w1 = uniform(n, d_ff, d, fan_in=d)
        self.w3 = uniform(n, d_ff, d, fan_in=d)
        self.w2 = uniform(n, d, d_ff, fan_in=d_ff)
        self.rounds = []
        for _ in range(depth):
            self.rounds.append({
                "norm": torch.ones(d, requires_grad=True),
                "down": uniform(d_g, d, fan_in=d),
                "edge_w": uniform(2 * d_g, fan_in=2 * d_g),
                "edge_b": uniform(1, fan_in=2 * d_g),
                "node": uniform(d_g, 2 * d_g, fan_in=2 * d_g),
                # Drawn like `down`, not zero, so that the rounds change y (as analyze bench does).
                "up": uniform(d, d_g, fan_in=d_g),
            })

    def parameters(self):
        ps = [self.router, self.w1, self.w3, self.w2]
        for r in self.rounds:
            ps += list(r.values())
        return ps

    def forward(self, x):
        t, d, n, k = x.shape[0], self.d, self.n, self.k
        logits = x @ self.router.t()                       # [T, N]
        probs = torch.softmax(logits, dim=-1)
        gates, idx = torch.topk(probs, k, dim=-1)          # [T, K], descending p

        # Grouped dispatch: sort the T*K (token, slot) pairs by expert.
        flat = idx.reshape(-1)
        order = torch.argsort(flat, stable=True)
        counts = torch.bincount(flat, minlength=n).tolist()
        rows = x[order // k]                               # [T*K, d], grouped by expert
        outs = []
        start = 0
        for e, c in enumerate(counts):
            if c == 0:
                continue
            xe = rows[start:start + c]
            h = F.silu(xe @ self.w1[e].t()) * (xe @ self.w3[e].t())
            outs.append(h @ self.w2[e].t())
            start += c
        grouped = torch.cat(outs, dim=0)
        expert_out = torch.empty_like(grouped).index_copy(0, order, grouped).view(t, k, d)

        nodes = gates.unsqueeze(-1) * expert_out + x.unsqueeze(1) / k   # [T, K, d]
        edge_gates = []
        for r in self.rounds:
            u = nodes * torch.rsqrt(nodes.pow(2).mean(-1, keepdim=True) + self.eps) * r["norm"]
            h = u @ r["down"].t()                                       # [T, K, d_g]
            dg = h.shape[-1]
            s_t = h @ r["edge_w"][:dg]                                  # [T, K]
            s_s = h @ r["edge_w"][dg:]
            e = torch.sigmoid(s_t.unsqueeze(2) + s_s.unsqueeze(1) + r["edge_b"])   # [T, K(i), K(j)]
            p = h @ r["node"][:, :dg].t()
            q = h @ r["node"][:, dg:].t()
            m = e.sum(-1, keepdim=True) * p + e @ q                     # m_i = sum_j e_ij (P_i + Q_j)
            nodes = nodes + m @ r["up"].t()
            edge_gates.append(e)
        y = nodes.sum(1)

        fractions = torch.bincount(flat, minlength=n).to(x.dtype) / (t * k)
        lb = n * (fractions * probs.mean(0)).sum()
        zl = torch.logsumexp(logits, dim=-1).pow(2).mean()
        return y, lb, zl, idx, edge_gates

    def step(self, x, grad_y):
        for p in self.parameters():
            p.grad = None
        x = x.detach().requires_grad_()
        y, lb, zl, _, _ = self.forward(x)
        objective = (y * grad_y).sum() + self.lb_coef * lb + self.z_coef * zl
        objective.backward()
        return objective


def check(path):
    """Recomputes y of a spec checkpoint (rmsnorm, softmax_topk) and compares with ref.y."""
    from safetensors import safe_open
    with safe_open(path, "pt") as f:
        meta = f.metadata()
        if meta.get("norm") != "rmsnorm" or meta.get("router") != "softmax_topk" or int(meta.get("shared_d_ff", "0")) != 0:
            sys.exit(f"{path}: --check supports rmsnorm, softmax_topk, no shared expert")
        d, n, k = int(meta["d_model"]), int(meta["n_experts"]), int(meta["top_k"])
        d_ff, d_g, depth = int(meta["d_ff"]), int(meta["d_g"]), int(meta["dag_layers"])
        layer = BenchLayer(d, n, k, d_ff, d_g, depth, eps=float(meta["norm_eps"]))
        w = {name: f.get_tensor(name).float() for name in f.keys()}
    with torch.no_grad():
        layer.router.copy_(w["router.weight"])
        for e in range(n):
            layer.w1[e].copy_(w[f"experts.{e}.w1.weight"])
            layer.w3[e].copy_(w[f"experts.{e}.w3.weight"])
            layer.w2[e].copy_(w[f"experts.{e}.w2.weight"])
        for l, r in enumerate(layer.rounds):
            r["norm"].copy_(w[f"dag.{l}.norm.weight"])
            r["down"].copy_(w[f"dag.{l}.down.weight"])
            r["edge_w"].copy_(w[f"dag.{l}.edge.weight"][0])
            r["edge_b"].copy_(w[f"dag.{l}.edge.bias"])
            r["node"].copy_(w[f"dag.{l}.node.weight"])
            r["up"].copy_(w[f"dag.{l}.up.weight"])
        y, _, _, idx, _ = layer.forward(w["ref.x"])
    err = ((y - w["ref.y"]).abs().max() / w["ref.y"].abs().max()).item()
    same = bool((idx == w["ref.topk"]).all()) if "ref.topk" in w else True
    print(json.dumps({"file": path, "max_rel_error_y": err, "topk_equal": same}))
    if err > 1e-4 or not same:
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--d-ff", type=int, default=512)
    ap.add_argument("--d-g", type=int, default=64)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--out", help="write the JSON here as well as to stdout")
    ap.add_argument("--check", metavar="FILE", help="verify this implementation on a spec checkpoint and exit")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.check:
        check(a.check)
        return

    layer = BenchLayer(a.d, a.n, a.k, a.d_ff, a.d_g, a.depth)
    g = torch.Generator().manual_seed(12)
    x = torch.randn(a.tokens, a.d, generator=g)
    grad_y = torch.randn(a.tokens, a.d, generator=g)
    for _ in range(a.warmup):
        layer.step(x, grad_y)
    times = []
    for _ in range(a.repeats):
        start = time.perf_counter()
        layer.step(x, grad_y)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    result = {
        "impl": f"pytorch {torch.__version__}", "d": a.d, "n": a.n, "k": a.k, "d_ff": a.d_ff, "d_g": a.d_g,
        "depth": a.depth, "tokens": a.tokens, "threads": a.threads, "repeats": a.repeats,
        "tokens_per_s": a.tokens / median, "ms_per_step": median * 1e3,
    }
    text = json.dumps(result)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
