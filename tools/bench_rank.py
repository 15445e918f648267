#!/usr/bin/env python3
"""Benchmark for issue 4: the d = 64, k = 8, L = 3 chain (584 products of 4096 entries) in
`analyze rank` against numpy on the same matrices, in one run.

analyze is timed as a whole command (process start, seeded generation, stacking, three SVDs, output).
numpy is timed for the same linear algebra (stacking the products and numpy.linalg.svd +
matrix_rank for ws, chain L=2, chain L=3) on the matrices rank_reference.py reproduces from the
same seed; generating them in Python is not timed. The ranks and top singular values of both are
compared so the timing is of the same answer. Best of --repeat runs each, as wall time and as CPU
time (user + system, all threads), which a machine shared with other jobs distorts less.

Usage: tools/bench_rank.sh  (builds the release binary, then runs this script)
   or: python3 tools/bench_rank.py --binary .build/release/analyze [--target "7*0"]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from rank_reference import product_stack, random_experts  # noqa: E402


def numpy_ranks(experts, selected, depth, targets):
    levels = product_stack(experts, selected, depth)
    out = []
    for l in range(1, depth + 1):
        a = np.concatenate(levels[:l]).T
        s = np.linalg.svd(a, compute_uv=False)
        tol = s.max() * max(a.shape) * np.finfo(np.float64).eps
        rank = int((s > tol).sum())
        for t in targets:
            tm = experts[t[-1]]
            for i in reversed(t[:-1]):
                tm = experts[i] @ tm
            np.linalg.lstsq(a, tm.reshape(-1), rcond=tol / s.max())
        out.append((rank, float(s[0])))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=".build/release/analyze")
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--target", action="append", default=[])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()

    cmd = [args.binary, "rank", "--random", f"{args.n},{args.d},{args.seed}", "--depth", str(args.depth),
           "--format", "json"]
    for t in args.target:
        cmd += ["--target", t]
    swift_times, swift_cpu = [], []
    for _ in range(args.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        swift_times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        swift_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    report = json.loads(out)
    swift_ranks = [(f["rank"], f["singular_values"][0]) for f in report["families"]]

    experts = random_experts(args.n, args.d, args.seed)
    targets = [[int(i) for i in t.split("*")] for t in args.target]
    numpy_times, numpy_cpu = [], []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        numpy_ranks_out = numpy_ranks(experts, list(range(args.n)), args.depth, targets)
        numpy_times.append(time.perf_counter() - start)
        numpy_cpu.append(time.process_time() - cpu)

    for (rs, ss), (rn, sn) in zip(swift_ranks, numpy_ranks_out):
        if rs != rn or abs(ss - sn) > 1e-12 * sn:
            sys.exit(f"analyze and numpy disagree: rank {rs} vs {rn}, σ_max {ss} vs {sn}")
    cols = sum(args.n ** l for l in range(1, args.depth + 1))
    ts, tn = min(swift_times), min(numpy_times)
    print(f"d={args.d} k={args.n} L={args.depth} ({cols} products of {args.d ** 2} entries), "
          f"ranks {[r for r, _ in swift_ranks]} agree; numpy {np.__version__}, best of {args.repeat}")
    print(f"wall: analyze rank (whole command) {ts:6.3f} s   numpy (stack + SVDs) {tn:6.3f} s   "
          f"ratio numpy/analyze {tn / ts:.2f}x")
    cs, cn = min(swift_cpu), min(numpy_cpu)
    print(f"cpu:  analyze rank (whole command) {cs:6.3f} s   numpy (stack + SVDs) {cn:6.3f} s   "
          f"ratio numpy/analyze {cn / cs:.2f}x")


if __name__ == "__main__":
    main()
