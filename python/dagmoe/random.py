"""The project's portable random stream (docs/random.md), bit for bit as SeededRandom.swift.

SplitMix64 bits, uniforms from the top 53 bits, normals by Box-Muller with the portable
log and sin/cos (IEEE additions, multiplications, divisions and square roots only), so a
seed gives the same numbers here as in Swift.
"""
import math

MASK = (1 << 64) - 1
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10


def portable_log(x):
    """PortableMath.log: x = m*2^e with m in [sqrt(1/2), sqrt(2)), then 2*atanh(s) to s^23."""
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"portable_log needs a positive finite argument, got {x}")
    frac, exp = math.frexp(x)  # x = frac * 2^exp, frac in [0.5, 1)
    m, e = frac * 2, float(exp - 1)  # Swift's significand in [1, 2) and exponent
    if m > 1.4142135623730951:
        m /= 2
        e += 1
    s = (m - 1) / (m + 1)
    s2 = s * s
    p = 1.0 / 23
    for k in range(21, 2, -2):
        p = p * s2 + 1.0 / k
    log_m = 2 * s + 2 * s * s2 * p
    return e * LN2_HI + (log_m + e * LN2_LO)


def sin_cos_two_pi(u):
    """PortableMath.sinCosTwoPi: (sin 2 pi u, cos 2 pi u) for u in [0, 1)."""
    if not 0 <= u < 1:
        raise ValueError(f"sin_cos_two_pi needs u in [0, 1), got {u}")
    v = u * 4
    q = int(v)
    f = v - q
    mirrored = f > 0.5
    a = (1 - f if mirrored else f) * (math.pi / 2)
    a2 = a * a
    sin_a = cos_a = 1.0
    for k in range(8, 0, -1):
        sin_a = 1 - sin_a * a2 / ((2 * k) * (2 * k + 1))
        cos_a = 1 - cos_a * a2 / ((2 * k - 1) * (2 * k))
    sin_a *= a
    s, c = (cos_a, sin_a) if mirrored else (sin_a, cos_a)
    return [(s, c), (c, -s), (-s, -c), (-c, s)][q]


class SeededRandom:
    """SplitMix64 with 53-bit uniforms and portable Box-Muller normals."""

    def __init__(self, seed):
        self.state = seed & MASK
        self.spare = None

    def next(self):
        """The next 64 random bits."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self, lower=None, upper=None):
        """In [0, 1) with 53 random bits, or lower + (upper - lower) * that."""
        u = (self.next() >> 11) * 2.0 ** -53
        return u if lower is None else lower + (upper - lower) * u

    def normal(self):
        """A standard normal (Box-Muller; the pair's sine half is kept for the next call)."""
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1 = ((self.next() >> 11) + 1) * 2.0 ** -53
        u2 = (self.next() >> 11) * 2.0 ** -53
        r = math.sqrt(-2 * portable_log(u1))
        s, c = sin_cos_two_pi(u2)
        self.spare = r * s
        return r * c
