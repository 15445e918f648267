"""The paired t-test against textbook values."""
import pytest

from dagmoe.stats import paired_t_test, t_two_sided_p


def test_t_distribution_critical_values():
    # Student's t table: two-sided 5% points for 1, 2, 10 degrees of freedom; 1% for 5.
    assert t_two_sided_p(12.706, 1) == pytest.approx(0.05, abs=2e-5)
    assert t_two_sided_p(4.303, 2) == pytest.approx(0.05, abs=2e-5)
    assert t_two_sided_p(2.228, 10) == pytest.approx(0.05, abs=2e-5)
    assert t_two_sided_p(4.032, 5) == pytest.approx(0.01, abs=2e-5)
    assert t_two_sided_p(0.0, 3) == pytest.approx(1.0)


def test_paired_t_on_a_hand_example():
    # Differences 1, 2, 3: mean 2, sd 1, t = 2 / (1/sqrt 3) = 3.4641, df 2, p = 0.0742.
    mean, t, p = paired_t_test([11, 12, 13], [10, 10, 10])
    assert mean == 2 and t == pytest.approx(3.4641016, rel=1e-7) and p == pytest.approx(0.07418, abs=1e-4)
    with pytest.raises(ValueError, match="paired"):
        paired_t_test([1], [2])
