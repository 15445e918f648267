#!/usr/bin/env python3
"""Labeled DAG counts a(0..K) by Robinson's recurrence, in Python, as a peer for
`analyze count`'s benchmark and as an independent source of known values.

    a(n) = sum_{k=1}^{n} (-1)^(k+1) C(n,k) 2^(k(n-k)) a(n-k)

Uses gmpy2 when it is installed, plain Python ints otherwise.
Usage: labeled_dags_reference.py K   (prints a(K) digits count and the time)
"""
import sys
import time

try:
    import gmpy2
    mpz, comb = gmpy2.mpz, gmpy2.comb
    BACKEND = "gmpy2"
except ImportError:
    import math
    mpz, comb = int, math.comb
    BACKEND = "python-int"


def labeled_dags(kmax):
    a = [mpz(1)]
    for n in range(1, kmax + 1):
        total = mpz(0)
        for k in range(1, n + 1):
            term = comb(n, k) * a[n - k] << (k * (n - k))
            total = total + term if k % 2 == 1 else total - term
        a.append(total)
    return a


if __name__ == "__main__":
    kmax = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    start = time.perf_counter()
    a = labeled_dags(kmax)
    elapsed = time.perf_counter() - start
    print(f"{BACKEND} k={kmax} seconds={elapsed:.3f} digits={len(str(a[kmax]))} a_mod_1e9={a[kmax] % 1000000007}")
