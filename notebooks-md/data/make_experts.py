#!/usr/bin/env python3
"""Writes the linear experts that notebook 03 loads (run from anywhere; needs numpy and safetensors).

- commuting.safetensors: d = 6, six experts W_i = sum_j c_ij A^j (j = 0..5), polynomials in one random
  matrix A, so every product of experts is again a polynomial in A: all chains stay in a 6-dimensional
  algebra.
- nilpotent.safetensors: d = 5, three strictly upper triangular experts: every product of 5 or more
  of them is zero, and products of m experts vanish below the m-th superdiagonal.

Float64, fixed seeds: the files are committed, this script documents how they were made.
"""
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def commuting(d=6, n=6, seed=3):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((d, d)) / np.sqrt(d)
    powers = [np.linalg.matrix_power(a, j) for j in range(d)]
    return {f"experts.{i}.weight": sum(c * p for c, p in zip(rng.standard_normal(d), powers))
            for i in range(n)}


def nilpotent(d=5, n=3, seed=4):
    rng = np.random.default_rng(seed)
    return {f"experts.{i}.weight": np.triu(rng.standard_normal((d, d)) / np.sqrt(d), k=1) for i in range(n)}


if __name__ == "__main__":
    for name, tensors in [("commuting", commuting()), ("nilpotent", nilpotent())]:
        save_file({k: np.ascontiguousarray(v, dtype=np.float64) for k, v in tensors.items()},
                  os.path.join(HERE, f"{name}.safetensors"))
