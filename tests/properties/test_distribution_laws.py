"""Algebraic laws of cumulants (docs/formulas.md §1.3) checked on the distribution catalogue.

Homogeneity, shift invariance, additivity under independence, composition of affine
maps, the moment/cumulant recursion and agreement between number systems.
"""

import math
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st
import sympy

from cumulants.distributions import (
    Bernoulli,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    Poisson,
    Rademacher,
    Uniform,
    independent_sum,
    standardise,
)

ORDERS = st.integers(min_value=1, max_value=8)


def fractions(low=-5, high=5, positive=False):
    """Small exact rationals with denominators up to 8."""
    values = st.builds(Fraction, st.integers(4 * low, 4 * high), st.integers(1, 8))
    return values.filter(lambda x: x > 0) if positive else values


POSITIVE = fractions(0, 4, positive=True)
PROBABILITY = st.builds(Fraction, st.integers(0, 8), st.just(8))


@st.composite
def uniform_params(draw):
    a = draw(fractions())
    return a, a + draw(POSITIVE)


# Each entry: a law and a strategy of its exact parameter tuples.
LAWS = [
    (Normal, st.tuples(fractions(), POSITIVE)),
    (Uniform, uniform_params()),
    (Rademacher, st.just(())),
    (Laplace, st.tuples(fractions(), POSITIVE)),
    (Exponential, st.tuples(POSITIVE)),
    (Gamma, st.tuples(POSITIVE, POSITIVE)),
    (Poisson, st.tuples(POSITIVE)),
    (Bernoulli, st.tuples(PROBABILITY)),
]


@st.composite
def laws_with_params(draw):
    cls, params = draw(st.sampled_from(LAWS))
    return cls, draw(params)


def distributions():
    return laws_with_params().map(lambda pair: pair[0](*pair[1]))


NONZERO = fractions().filter(lambda x: x != 0)


@given(distributions(), NONZERO, ORDERS)
def test_homogeneity(dist, scale, n):
    # kappa_n(aX) = a^n kappa_n(X)
    assert dist.affine(scale).cumulant(n) == sympy.Rational(scale) ** n * dist.cumulant(n)


@given(distributions(), fractions(), ORDERS)
def test_shift_invariance(dist, shift, n):
    # kappa_1(X + c) = kappa_1(X) + c; kappa_n(X + c) = kappa_n(X) for n >= 2
    shifted = dist.affine(1, shift=shift).cumulant(n)
    assert shifted == dist.cumulant(n) + (shift if n == 1 else 0)


@given(distributions(), distributions(), ORDERS)
def test_additivity_of_independent_sums(first, second, n):
    total = independent_sum(first, second).cumulant(n)
    assert total == first.cumulant(n) + second.cumulant(n)


@given(distributions(), NONZERO, fractions(), NONZERO, fractions(), ORDERS)
def test_affine_maps_compose(dist, a, b, c, d, n):
    twice = dist.affine(a, shift=b).affine(c, shift=d)
    assert twice.cumulant(n) == dist.affine(c * a, shift=c * b + d).cumulant(n)


@given(distributions(), ORDERS)
def test_moments_invert_to_cumulants(dist, order):
    # kappa_n = mu'_n - sum_{m<n} C(n-1, m-1) kappa_m mu'_{n-m}  (docs/formulas.md §1.2)
    mom = [dist.moment(n) for n in range(1, order + 1)]
    kappa = []
    for n in range(1, order + 1):
        kappa.append(mom[n - 1] - sum(math.comb(n - 1, m - 1) * kappa[m - 1] * mom[n - m - 1]
                                      for m in range(1, n)))
    assert tuple(kappa) == dist.cumulants(order)


@given(distributions(), fractions(), POSITIVE)
def test_standardise_sets_mean_and_variance(dist, mean, variance):
    assume(dist.variance != 0)  # Bernoulli(0) and Bernoulli(1) are point masses
    target = standardise(dist, mean=mean, variance=variance)
    assert target.mean == mean
    assert sympy.simplify(target.variance - sympy.Rational(variance)) == 0


@given(PROBABILITY, st.integers(2, 12))
def test_bernoulli_reflection(p, n):
    # 1 - X ~ Bernoulli(1 - p): kappa_n(1 - p) = (-1)^n kappa_n(p) for n >= 2
    assert Bernoulli(1 - p).cumulant(n) == (-1) ** n * Bernoulli(p).cumulant(n)


@given(laws_with_params().filter(lambda law: law[0] is not Rademacher), ORDERS)
def test_float_parameters_agree_with_exact(law, n):
    cls, params = law
    exact = float(cls(*params).cumulant(n))
    floating = cls(*(float(x) for x in params)).cumulant(n)
    assert isinstance(floating, float)
    # Parameters are rounded to binary; the closed forms amplify that by at most ~n.
    assert math.isclose(floating, exact, rel_tol=1e-13, abs_tol=1e-13)
