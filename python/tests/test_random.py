"""The portable stream against SplitMix64's published outputs and libm (docs/random.md)."""
import math

from dagmoe.random import SeededRandom, portable_log, sin_cos_two_pi


def test_splitmix64_published_outputs():
    rng = SeededRandom(0)
    assert [rng.next() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert SeededRandom(42).next() == 13679457532755275413


def test_uniform_is_top_53_bits():
    bits = SeededRandom(0).next()
    assert SeededRandom(0).uniform() == (bits >> 11) / 2 ** 53
    assert SeededRandom(0).uniform(-2, 2) == -2 + 4 * ((bits >> 11) / 2 ** 53)


def test_normals_match_libm_box_muller():
    rng, ref = SeededRandom(42), SeededRandom(42)
    for _ in range(50):
        u1 = ((ref.next() >> 11) + 1) * 2.0 ** -53
        u2 = (ref.next() >> 11) * 2.0 ** -53
        r = math.sqrt(-2 * math.log(u1))
        assert abs(rng.normal() - r * math.cos(2 * math.pi * u2)) < 1e-14
        assert abs(rng.normal() - r * math.sin(2 * math.pi * u2)) < 1e-14


def test_spare_normal_survives_a_uniform():
    a, b = SeededRandom(9), SeededRandom(9)
    first, u, second = a.normal(), a.uniform(), a.normal()
    b.next(), b.next()  # the pair's two draws; the uniform is the third
    assert u == b.uniform()
    c = SeededRandom(9)
    assert [c.normal(), c.normal()] == [first, second]


def test_portable_math_against_libm():
    for x in [1e-300, 2.0 ** -53, 0.1, 0.7071, 1.0, 1.4142135623730951, 1.5, 10.0, 1e300]:
        assert abs(portable_log(x) - math.log(x)) <= 4e-16 * max(1, abs(math.log(x)))
    for i in range(1000):
        u = i / 1000
        s, c = sin_cos_two_pi(u)
        assert abs(s - math.sin(2 * math.pi * u)) < 1e-15 and abs(c - math.cos(2 * math.pi * u)) < 1e-15
