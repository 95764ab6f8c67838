"""Discrete laws: cumulants against catalogue laws and the CGF series, sampling, validation."""

import numpy as np
import pytest
import sympy

from cumulants.distributions import Bernoulli, Discrete, Rademacher
from cumulants.errors import CumulantError, ShapeMismatchError
from cumulants.state import Cumulants


def test_matches_rademacher_and_bernoulli_exactly():
    # independent closed forms: Rademacher's Bernoulli-number cumulants, Bernoulli's recursion
    assert Discrete([-1, 1], [sympy.Rational(1, 2)] * 2).cumulants(10) == Rademacher().cumulants(10)
    p = sympy.Rational(2, 7)
    assert Discrete([0, 1], [1 - p, p]).cumulants(9) == Bernoulli(p).cumulants(9)


def test_symbolic_atoms_against_cgf_series():
    t, a = sympy.symbols("t a", real=True)
    d = Discrete([-a, 2 * a], [sympy.Rational(2, 3), sympy.Rational(1, 3)])
    series = sympy.series(d.cgf(t), t, 0, 6).removeO()
    for n in range(1, 6):
        assert sympy.simplify(series.coeff(t, n) * sympy.factorial(n) - d.cumulant(n)) == 0


def test_float_cumulants_and_iid_state():
    d = Discrete([-0.5, 2.0], [0.8, 0.2])
    assert d.cumulants(2) == pytest.approx((0.0, 1.0))
    assert d.moment(4) == pytest.approx(0.8 * 0.0625 + 0.2 * 16)
    c = Cumulants.iid(d, 3, 4)
    assert c[1, 1, 1, 1] == pytest.approx(d.cumulant(4))


def test_sampling_matches_weights():
    x = Discrete([0.0, 3.0], [0.25, 0.75]).sample(40000, rng=1)
    se = np.sqrt(0.25 * 0.75 / x.size)  # binomial standard error of a frequency
    assert abs(np.mean(x == 0.0) - 0.25) < 4 * se


@pytest.mark.parametrize("atoms, weights, cls", [
    ([0, 1], [0.5], ShapeMismatchError),
    ([0, 1], [0.7, 0.7], CumulantError),
    ([0, 1], [-0.5, 1.5], CumulantError),
    ([0, float("nan")], [0.5, 0.5], CumulantError),
    ([], [], CumulantError),
])
def test_validation(atoms, weights, cls):
    with pytest.raises(cls):
        Discrete(atoms, weights)


def test_symbolic_law_cannot_sample():
    a = sympy.Symbol("a")
    with pytest.raises(CumulantError, match="subs"):
        Discrete([a, 1], [sympy.Rational(1, 2)] * 2).sample(2, rng=0)
