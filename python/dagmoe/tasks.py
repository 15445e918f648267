"""The synthetic regression tasks of Sources/MoE/Tasks.swift, with the same generators.

A task has F hidden functions f_j(v) = tanh(W_j v + b_j) on R^c, W_j entries N(0, 1.5^2/c),
b_j entries N(0, 0.1^2), drawn from SeededRandom(seed). A token is
x = [v (c values) | one-hot(a) (F) | one-hot(b) (F) | ...], c = d - steps*F; the target on
the content slice is f_b(f_a(v)) (composition), f_a(v) + f_b(v) (sum) or f_c(f_b(f_a(v)))
(composition3). Same seeds give the same batches as Swift, to the last bit of v and the codes
and to libm's tanh in the targets.
"""
import math

import torch

from .random import SeededRandom

GAIN = 1.5
STEPS = {"composition": 2, "sum": 2, "composition3": 3}
HELD_OUT_SALT = 0x48E1D0A75EED0001


class SyntheticTask:
    def __init__(self, kind, d_model, functions=4, seed=1):
        if kind not in STEPS:
            raise ValueError(f"unknown task {kind!r}: expected one of {', '.join(STEPS)}")
        if functions < 1:
            raise ValueError(f"the task needs at least one hidden function, got {functions}")
        self.kind, self.d_model, self.function_count, self.seed = kind, d_model, functions, seed
        self.steps = STEPS[kind]
        c = self.content_width
        if c < 1:
            raise ValueError(f"d = {d_model} leaves no content coordinates: {kind} reserves "
                             f"{self.steps}*{functions} = {self.steps * functions} for the function code")
        rng = SeededRandom(seed)
        scale = GAIN / math.sqrt(c)
        self.functions = []
        for _ in range(functions):
            weight = [[scale * rng.normal() for _ in range(c)] for _ in range(c)]
            bias = [0.1 * rng.normal() for _ in range(c)]
            self.functions.append((weight, bias))

    @property
    def content_width(self):
        return self.d_model - self.steps * self.function_count

    def apply(self, code, v):
        weight, bias = self.functions[code]
        out = []
        for i in range(len(bias)):
            s = bias[i]
            for j in range(len(v)):
                s += weight[i][j] * v[j]
            out.append(math.tanh(s))
        return out

    def target(self, v, codes):
        if self.kind == "sum":
            return [a + b for a, b in zip(self.apply(codes[0], v), self.apply(codes[1], v))]
        for code in codes:
            v = self.apply(code, v)
        return v

    def batch(self, tokens, rng, dtype=torch.float64):
        """(x [T, d], target [T, c], codes [T, steps]) drawn from `rng` as Swift's batch draws them."""
        c, f = self.content_width, self.function_count
        x = torch.zeros(tokens, self.d_model, dtype=torch.float64)
        y = torch.zeros(tokens, c, dtype=torch.float64)
        codes = torch.zeros(tokens, self.steps, dtype=torch.int64)
        for t in range(tokens):
            v = [rng.normal() for _ in range(c)]
            code = [rng.next() % f for _ in range(self.steps)]
            x[t, :c] = torch.tensor(v, dtype=torch.float64)
            for s, k in enumerate(code):
                x[t, c + s * f + k] = 1
            y[t] = torch.tensor(self.target(v, code), dtype=torch.float64)
            codes[t] = torch.tensor(code)
        return x.to(dtype), y.to(dtype), codes

    def held_out(self, tokens, dtype=torch.float64):
        """The task's fixed held-out batch, from SeededRandom(seed ^ 0x48E1D0A75EED0001)."""
        return self.batch(tokens, SeededRandom(self.seed ^ HELD_OUT_SALT), dtype)


def mean_squared_error(y, target):
    """MSE over the content slice (the first c columns of y)."""
    return (y[:, :target.shape[1]] - target).pow(2).mean()
