#!/usr/bin/env python3
"""numpy reference values for `analyze rank` (issue 4), written as a committed fixture.

Writes Tests/AnalyzeTests/Fixtures/rank_experts.safetensors (linear experts in mixed dtypes with a
planted dependency) and Tests/AnalyzeTests/Fixtures/rank_reference.json: for each case the
command-line arguments and numpy's ranks (numpy.linalg.matrix_rank), singular values
(numpy.linalg.svd), target residuals (numpy.linalg.lstsq) and eigenvalues (numpy.linalg.eigvals).
One case uses `--random`, for which this script reproduces the Swift generator (SplitMix64 and
Box-Muller; see Sources/LinearAlgebra/SeededRandom.swift and docs/random.md) with Python's math module.

Run from the repository root:  python3 tools/rank_reference.py
It also prints the first Gaussian samples for seed 42 (pinned in SeededRandomTests.swift).
"""
import json
import math
import os

import numpy as np
import torch
from safetensors.torch import save_file

MASK = (1 << 64) - 1
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "Tests", "AnalyzeTests", "Fixtures")


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


class SeededGaussian:
    """The normals of Swift's SeededRandom: z0 = r cos(2πu2), then z1 = r sin(2πu2)."""

    def __init__(self, seed):
        self.bits = SplitMix64(seed)
        self.pending = None

    def next(self):
        if self.pending is not None:
            z, self.pending = self.pending, None
            return z
        u1 = ((self.bits.next() >> 11) + 1) * 2.0**-53
        u2 = (self.bits.next() >> 11) * 2.0**-53
        r = math.sqrt(-2.0 * math.log(u1))
        self.pending = r * math.sin(2 * math.pi * u2)
        return r * math.cos(2 * math.pi * u2)


def random_experts(n, d, seed):
    """LinearExperts.random: N(0, 1/d) entries, expert 0 first, row-major."""
    g = SeededGaussian(seed)
    scale = math.sqrt(d)
    return [np.array([[g.next() / scale for _ in range(d)] for _ in range(d)]) for _ in range(n)]


def product_stack(experts, selected, depth):
    """Rows vec(P) for all products of 1..depth selected experts, shortest first (any order works)."""
    levels = [[experts[s] for s in selected]]
    for _ in range(1, depth):
        levels.append([p @ experts[s] for s in selected for p in levels[-1]])
    return [np.stack([p.reshape(-1) for p in level]) for level in levels]


def family_reference(experts, selected, depth, targets):
    levels = product_stack(experts, selected, depth)
    out = []
    for l in range(1, depth + 1):
        a = np.concatenate(levels[:l]).T  # d² × columns, products as columns
        s = np.linalg.svd(a, compute_uv=False)
        rank = int(np.linalg.matrix_rank(a))
        tol = s.max() * max(a.shape) * np.finfo(np.float64).eps
        fits = []
        for t in targets:
            tm = experts[t[-1]]
            for i in reversed(t[:-1]):
                tm = experts[i] @ tm
            b = tm.reshape(-1)
            x, *_ = np.linalg.lstsq(a, b, rcond=tol / s.max())
            fits.append({"target": "*".join(map(str, t)),
                         "residual": float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))})
        out.append({"family": "ws" if l == 1 else "chain", "depth": l, "columns": a.shape[1], "rank": rank,
                    "tolerance": float(tol), "singular_values": [float(v) for v in s], "targets": fits})
    return out


def eigen_reference(experts, names):
    return [{"matrix": n, "values": sorted([[float(z.real), float(z.imag)] for z in np.linalg.eigvals(m)])}
            for n, m in zip(names, experts)]


def planted_experts():
    """d = 5: W0..W3, W5 random in mixed dtypes; W4 = W0 + 2 W1 (F64, so the dependency is exact
    to rounding). Values are rounded to their dtype first, so numpy sees what the file holds."""
    rng = np.random.default_rng(20240604)
    d = 5
    dtypes = [torch.float64, torch.float32, torch.bfloat16, torch.float16, torch.float64, torch.float32]
    tensors = {}
    for e in [0, 1, 2, 3, 5]:
        tensors[e] = torch.tensor(rng.standard_normal((d, d)) / math.sqrt(d)).to(dtypes[e])
    tensors[4] = (tensors[0].double() + 2 * tensors[1].double()).to(torch.float64)
    return {f"experts.{e}.weight": t.contiguous() for e, t in sorted(tensors.items())}


def main():
    g = SeededGaussian(42)
    print("seed 42 samples:", ", ".join(repr(g.next()) for _ in range(6)))
    print("splitmix64(42).next() =", SplitMix64(42).next())

    os.makedirs(FIXTURES, exist_ok=True)
    tensors = planted_experts()
    path = os.path.join(FIXTURES, "rank_experts.safetensors")
    save_file(tensors, path)
    experts = [tensors[f"experts.{e}.weight"].double().numpy() for e in range(len(tensors))]

    cases = []
    planted = [
        (["--select", "0,1,2,3,4", "--depth", "2", "--target", "4", "--target", "1*0", "--target", "3*2*1"],
         [0, 1, 2, 3, 4], 2, [[4], [1, 0], [3, 2, 1]]),
        (["--depth", "3", "--target", "2*5*4", "--eig"], list(range(6)), 3, [[2, 5, 4]]),
    ]
    for args, selected, depth, targets in planted:
        case = {"args": ["--experts", "rank_experts.safetensors"] + args, "d": 5,
                "families": family_reference(experts, selected, depth, targets)}
        if "--eig" in args:
            names = [str(s) for s in selected] + ["*".join(map(str, t)) for t in targets]
            mats = [experts[s] for s in selected]
            for t in targets:
                m = experts[t[-1]]
                for i in reversed(t[:-1]):
                    m = experts[i] @ m
                mats.append(m)
            case["eigenvalues"] = eigen_reference(mats, names)
        cases.append(case)

    random = random_experts(4, 6, 7)
    cases.append({"args": ["--random", "4,6,7", "--depth", "3", "--target", "3*2"], "d": 6,
                  "families": family_reference(random, [0, 1, 2, 3], 3, [[3, 2]])})

    with open(os.path.join(FIXTURES, "rank_reference.json"), "w") as f:
        json.dump({"generator": "tools/rank_reference.py", "numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", path, "and rank_reference.json")


if __name__ == "__main__":
    main()
