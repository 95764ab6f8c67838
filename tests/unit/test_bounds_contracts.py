"""Contracts of cm.bounds: law-class validation, resolution of known moments, result
arithmetic, the numerical helpers, and a few ranges with hand-derived values.

Every expected value is derived independently of the library's moment machinery:
validation messages are the documented ones; fixed moments come from the textbook
relations m_2 = kappa_2 + kappa_1^2 and m_3 = kappa_3 + 3 kappa_1 kappa_2 + kappa_1^3
done in exact rationals; moment forms are expanded by hand in the docstrings; ranges of
affine models are the image of the class under (a - c)^2 m_2 + 2 (a - c) b m_1 + b^2;
moment-cone feasibility facts (Hankel / localising determinants) are derived in the
comments; discrete laws are checked by plain numpy forward passes over all atom tuples.

Tolerances for SDP results: Clarabel's default gap and feasibility tolerances are 1e-8
(relative, on the unit-scaled problem); the extremes are re-evaluated exactly at laws
polished by SLSQP to a constraint violation <= 1e-9, so values on O(1)-O(10) scales are
compared to 1e-6 relative (two orders of magnitude of slack for the conditioning of 3x3
Hankel matrices on supports of half-width <= 3).  Everything else is exact or compared
to 1e-12 (rounding of a few float operations).
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

import cumulants as cm
from cumulants.bounds import (BoundResult, InfeasibleClassError, LawClass, gap_range,
                              mse_moment_form, mse_range)
from cumulants.bounds.core import (_end_start, _factors, _interval_mul, _interval_pow, _merge,
                                   _random_start, _reference)
from cumulants.bounds.problem import resolve
from cumulants.distributions import (Affine, Bernoulli, Discrete, Normal, Rademacher,
                                     Uniform)
from cumulants.errors import InvalidParameterError, OrderTooHighError
from cumulants.layers import Dense, Network, Polynomial

from ._bounds_oracles import SDP_REL, enumerate_mse, m


# ----------------------------------------------------------------- LawClass validation
@pytest.mark.parametrize("kwargs, cls, message", [
    (dict(moments=[1]), InvalidParameterError, "moments=[1] is invalid: expected a dict"),
    (dict(cumulants={0: 1}), InvalidParameterError,
     "cumulants key=0 is invalid: expected an order: an integer >= 1"),
    (dict(moments={True: 1}), InvalidParameterError, "moments key=True is invalid"),
    (dict(moments={1.0: 1}), InvalidParameterError, "moments key=1.0 is invalid"),
    (dict(moments={1: (1, 2, 3)}), InvalidParameterError,
     "moments[1]=(1, 2, 3) is invalid: expected a value or an interval (lo, hi)"),
    (dict(moments={1: (1,)}), InvalidParameterError, "expected a value or an interval"),
    (dict(moments={1: True}), InvalidParameterError, "moments[1]=True is invalid: expected a real"),
    (dict(moments={1: np.bool_(False)}), InvalidParameterError, "expected a real number"),
    (dict(moments={1: "a"}), InvalidParameterError, "moments[1]='a' is invalid"),
    (dict(moments={1: sympy.Symbol("x")}), InvalidParameterError, "no free symbols"),
    (dict(moments={1: float("nan")}), InvalidParameterError, "a finite number"),
    (dict(moments={1: (0, float("inf"))}), InvalidParameterError, "a finite number"),
    (dict(cumulants={4: (3, -1.2)}), InvalidParameterError, r"lo <= hi \(swap them: \(-1.2, 3\)\)"),
    (dict(moments={2: -1}), InfeasibleClassError, "an even moment is >= 0"),
    (dict(moments={4: (-3, -1)}), InfeasibleClassError, r"moments\[4\] <= -1 < 0"),
    (dict(cumulants={2: (-2, -0.5)}), InfeasibleClassError, "a variance is >= 0"),
    (dict(moments={65: 1}), OrderTooHighError, "MAX_LAW_CLASS_ORDER"),
    (dict(support=(0,)), InvalidParameterError, "None \\(the real line\\) or an interval"),
    (dict(support=3), InvalidParameterError, "None \\(the real line\\) or an interval"),
    (dict(support=(1, 1)), InvalidParameterError, "a single point is a degenerate law"),
    (dict(support=(2, -1)), InvalidParameterError, r"reversed\? use \(-1, 2\)"),
    (dict(support=(math.inf, math.inf)), InvalidParameterError, "a < b"),
    (dict(support=(-math.inf, -math.inf)), InvalidParameterError, "a < b"),
    (dict(support=(0, math.nan)), InvalidParameterError, "support\\[1\\]=nan"),
    (dict(support=(True, 2)), InvalidParameterError, "support\\[0\\]=True"),
], ids=lambda v: None)
def test_law_class_validation_messages(kwargs, cls, message):
    with pytest.raises(cls, match=message if any(c in message for c in "\\") else None) as info:
        LawClass(**kwargs)
    if "\\" not in message:
        assert message in str(info.value)


@pytest.mark.parametrize("kwargs", [
    dict(cumulants={4: -1}),          # an odd-order or higher cumulant may be negative
    dict(moments={3: -1, 1: -2}),     # odd moments may be negative
    dict(cumulants={1: (-5, -1)}),    # a negative mean
    dict(moments={2: (-1, 0)}),       # interval reaching 0 is allowed (the point law 0)
    dict(cumulants={2: 0}),           # variance 0: a point law
    dict(moments={64: 1}),            # the largest admitted order
    dict(support=(0, math.inf)), dict(support=(-math.inf, 0)), dict(support=(-math.inf, math.inf)),
])
def test_law_class_accepts_valid_edge_cases(kwargs):
    LawClass(**kwargs)


def test_law_class_number_types():
    laws = LawClass(moments={1: np.int64(2), 2: np.float32(5.0), 3: sympy.Rational(1, 3),
                             4: Fraction(7, 2), 5: sympy.Float(0.5)})
    assert laws.moments[1] == (2, 2) and type(laws.moments[1][0]) is int
    assert laws.moments[2] == (5.0, 5.0) and type(laws.moments[2][0]) is float
    assert laws.moments[3] == (sympy.Rational(1, 3),) * 2
    assert laws.moments[4] == (Fraction(7, 2),) * 2
    assert laws.moments[5] == (sympy.Rational(1, 2),) * 2  # nsimplify of an exact binary float
    assert LawClass().moments == {} and LawClass().cumulants == {}
    assert LawClass().support == (-math.inf, math.inf)
    assert LawClass(support=[np.float64(-1), np.int32(2)]).support == (-1.0, 2)


def test_orders_bounded_repr_describe():
    laws = LawClass(moments={1: sympy.Rational(1, 3), 2: (1, 2)}, cumulants={3: 0, 6: (0, 1)},
                    support=(0, math.inf))
    assert laws.orders() == 6 and LawClass().orders() == 0
    assert LawClass(moments={5: 1}, cumulants={2: 1}).orders() == 5
    assert not laws.bounded and LawClass(support=(-1, 1)).bounded
    assert not LawClass(support=(-math.inf, 1)).bounded and not LawClass().bounded
    assert repr(laws) == ("LawClass(moments={1: '1/3', 2: (1, 2)}, cumulants={3: 0, 6: (0, 1)}, "
                          "support=(0, inf))")
    assert repr(LawClass()) == "LawClass()"
    assert laws.describe() == ("support [0, inf], m_1 = 1/3, m_2 in [1, 2], kappa_3 = 0, "
                               "kappa_6 in [0, 1]")
    assert LawClass.standardised((-2, 2), kurtosis=(-1, 1), skewness=0.5).cumulants == \
        {1: (0, 0), 2: (1, 1), 3: (0.5, 0.5), 4: (-1, 1)}
    assert LawClass.standardised().cumulants == {1: (0, 0), 2: (1, 1)}
    assert LawClass.standardised().support == (-math.inf, math.inf)


# ----------------------------------------------------------------- contains / support of laws
def test_contains_checks_moments_cumulants_and_support():
    # Rademacher: m_k = 1 for even k, 0 for odd k; kappa_4 = -2 (= m_4 - 3 m_2^2)
    rad = Rademacher()
    assert LawClass(moments={2: 1, 4: 1}, cumulants={1: 0, 4: -2}, support=(-1, 1)).contains(rad)
    assert not LawClass(moments={4: (1.01, 2)}).contains(rad)
    assert not LawClass(moments={4: (0, 0.99)}).contains(rad)
    assert not LawClass(cumulants={4: (-1.9, 0)}).contains(rad)
    assert not LawClass(cumulants={4: (-3, -2.1)}).contains(rad)
    assert not LawClass(support=(-0.9, 1)).contains(rad)
    assert not LawClass(support=(-1, 0.9)).contains(rad)
    assert LawClass(support=(-1, math.inf)).contains(rad)
    # the relative tolerance: 1 + 5e-10 is within 1e-9 of the interval [0, 1], 1 + 2e-9 is not
    assert LawClass(moments={2: (0, 1 - 5e-10)}).contains(rad)
    assert not LawClass(moments={2: (0, 1 - 2e-9)}).contains(rad)
    assert LawClass(moments={2: (0, 0.9)}).contains(rad, tol=0.2)
    assert LawClass(support=(-1 + 5e-10, 1 - 5e-10)).contains(rad)
    assert not LawClass(support=(-1 + 2e-9, 1)).contains(rad)
    assert not LawClass(support=(-1, 1 - 2e-9)).contains(rad)
    # the tolerance scales with the interval's size: 100 * (1 + 5e-10) within [0, 100 (1 - ...)]
    big = Discrete([-10.0, 10.0], [0.5, 0.5])
    assert LawClass(moments={2: (0, 100 - 5e-8)}).contains(big)
    assert not LawClass(moments={2: (0, 100 - 2e-7)}).contains(big)
    assert LawClass(support=(-10 + 5e-9, 10)).contains(big)
    assert not LawClass(support=(-10 + 2e-8, 10)).contains(big)
    assert not LawClass(support=(-10, 10 - 2e-8)).contains(big)
    # an infinite end does not scale the tolerance: on (-inf, 1/2] it is tol * max(1, 1/2)
    near = Discrete([0.0, 0.5 + 1.5e-6], [0.5, 0.5])
    assert not LawClass(support=(-math.inf, 0.5)).contains(near, tol=1e-6)
    assert LawClass(support=(-math.inf, 0.5)).contains(near, tol=2e-6)
    mirror = Discrete([-0.5 - 1.5e-6, 0.0], [0.5, 0.5])
    assert not LawClass(support=(-0.5, math.inf)).contains(mirror, tol=1e-6)
    assert LawClass(support=(-0.5, math.inf)).contains(mirror, tol=2e-6)


def test_contains_support_of_catalogue_laws():
    unbounded = Normal(0, 1)
    assert not LawClass(support=(-100, 100)).contains(unbounded)
    assert LawClass().contains(unbounded)
    assert not LawClass(support=(-math.inf, 100)).contains(unbounded)
    assert not LawClass(support=(-100, math.inf)).contains(unbounded)
    assert LawClass(support=(2, 5)).contains(Uniform(2, 5))
    assert not LawClass(support=(2.1, 5)).contains(Uniform(2, 5))
    assert not LawClass(support=(2, 4.9)).contains(Uniform(2, 5))
    assert LawClass(support=(0, 1)).contains(Bernoulli(0.3))
    assert not LawClass(support=(0.01, 1)).contains(Bernoulli(0.3))
    assert not LawClass(support=(0, 0.99)).contains(Bernoulli(0.3))
    # affine images: -2 * U(0, 1) + 1 lives on [-1, 1]; 3 * Rademacher - 1 on [-4, 2]
    assert LawClass(support=(-1, 1)).contains(Affine(Uniform(0, 1), -2, 1))
    assert not LawClass(support=(-0.9, 1)).contains(Affine(Uniform(0, 1), -2, 1))
    assert not LawClass(support=(-1, 0.9)).contains(Affine(Uniform(0, 1), -2, 1))
    assert LawClass(support=(-4, 2)).contains(Affine(Rademacher(), 3, -1))
    assert not LawClass(support=(-3.9, 2)).contains(Affine(Rademacher(), 3, -1))
    assert not LawClass(support=(-4, 1.9)).contains(Affine(Rademacher(), 3, -1))
    # an atom of weight zero does not count for the support
    d = Discrete([-5.0, 0.0, 1.0], [0.0, 0.5, 0.5])
    assert LawClass(support=(0, 1)).contains(d)
    assert not LawClass(support=(0.1, 1)).contains(d)
    assert not LawClass(support=(0, 0.9)).contains(d)


# ----------------------------------------------------------------- resolve (no SDP)
def test_resolve_fixes_moments_from_exact_cumulants():
    # m_1 = k1 = 1, m_2 = k2 + k1^2 = 3, m_3 = k3 + 3 k1 k2 + k1^3 = 0 + 6 + 1 = 7
    laws = LawClass(cumulants={1: 1, 2: 2, 3: 0})
    r = resolve(laws, 3)
    assert r.K == 4  # raised to an even order
    assert r.fixed == {1: 1, 2: 3, 3: 7} and r.free == [4] and r.constraints == []
    assert resolve(laws, 6).K == 6 and resolve(laws, 1).K == 4  # K >= the class's orders
    assert resolve(LawClass(cumulants={1: 0, 2: 1}), 1).K == 2
    # exact rationals stay exact: k1 = 1/3, k2 = 1/2 -> m2 = 1/2 + 1/9 = 11/18
    r = resolve(LawClass(cumulants={1: sympy.Rational(1, 3), 2: sympy.Rational(1, 2)}), 2)
    assert r.fixed == {1: sympy.Rational(1, 3), 2: sympy.Rational(11, 18)}
    # the highest order K itself is fixed too
    r = resolve(LawClass(moments={1: 0, 2: 1}), 2)
    assert r.fixed == {1: 0, 2: 1} and r.free == []
    # an order fixed only through a higher-order one: kappa_2 = 2 with m_1 = 1 -> m_2 = 3
    r = resolve(LawClass(moments={1: 1}, cumulants={2: 2}), 2)
    assert r.fixed == {1: 1, 2: 3}
    # kappa_3 = m_3 - 3 m_1 m_2 + 2 m_1^3 is linear in m_2 with coefficient -3 m_1 once m_1 and
    # m_3 are known: m_1 = 1, m_3 = 4, kappa_3 = 0 give 0 = 4 - 3 m_2 + 2, so m_2 = 2
    r = resolve(LawClass(moments={1: 1, 3: 4}, cumulants={3: 0}), 4)
    assert r.fixed == {1: 1, 2: 2, 3: 4} and r.free == [4]
    # floats: m_1 = 0.5, kappa_2 = 1 -> m_2 = 1.25
    r = resolve(LawClass(cumulants={1: 0.5, 2: 1.0}), 2)
    assert float(r.fixed[2]) == 1.25
    assert r.subs(m(1) * m(2) + m(4)) == sympy.Float(0.625) + m(4)


def test_resolve_keeps_interval_constraints_in_the_free_moments():
    laws = LawClass(cumulants={1: 1, 2: (2, 3)}, moments={4: (1, 50)})
    r = resolve(laws, 2)
    assert r.K == 4 and r.fixed == {1: 1} and r.free == [2, 3, 4]
    assert {(sympy.expand(e), lo, hi, label) for e, lo, hi, label in r.constraints} == \
        {(m(4), 1, 50, "m_4"), (m(2) - 1, 2, 3, "kappa_2")}


def test_resolve_checks_constant_constraints():
    # m_1 = 0, m_2 = 1 give kappa_2 = 1: inside [0.5, 2] is fine (and no constraint is left)
    r = resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (0.5, 2)}), 2)
    assert r.constraints == []
    r = resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (1, 2)}), 2)  # on the boundary
    assert r.constraints == []
    r = resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (0, 1)}), 2)
    assert r.constraints == []
    with pytest.raises(InfeasibleClassError, match=r"kappa_2 = 1, outside \[2, 3\]"):
        resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (2, 3)}), 2)
    with pytest.raises(InfeasibleClassError, match=r"kappa_2 = 1, outside \[0.25, 0.5\]"):
        resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (0.25, 0.5)}), 2)
    # within the 1e-9 relative tolerance of the boundary
    resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (1 + 5e-10, 2)}), 2)
    resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (0, 1 - 5e-10)}), 2)
    with pytest.raises(InfeasibleClassError):
        resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (1 + 3e-9, 2)}), 2)
    with pytest.raises(InfeasibleClassError):
        resolve(LawClass(moments={1: 0, 2: 1}, cumulants={2: (0, 1 - 3e-9)}), 2)
    # the tolerance is relative to the largest end: 100 (1 + 5e-10) is within [0, 100]
    resolve(LawClass(moments={1: 0, 2: 100 + 5e-8}, cumulants={2: (0, 100)}), 2)
    with pytest.raises(InfeasibleClassError):
        resolve(LawClass(moments={1: 0, 2: 100 + 3e-7}, cumulants={2: (0, 100)}), 2)


def test_resolve_checks_the_support_with_readable_messages():
    with pytest.raises(InfeasibleClassError, match="mean 3 lies outside the support"):
        resolve(LawClass(cumulants={1: 3, 2: 1}, support=(-2, 2)), 2)
    with pytest.raises(InfeasibleClassError, match="mean -3 lies outside the support"):
        resolve(LawClass(cumulants={1: -3}, support=(-2, 2)), 2)
    resolve(LawClass(cumulants={1: 2, 2: 0}, support=(-2, 2)), 2)  # the point law at an end
    resolve(LawClass(cumulants={1: -2, 2: 0}, support=(-2, 2)), 2)
    resolve(LawClass(cumulants={1: 5}, support=(0, math.inf)), 2)
    with pytest.raises(InfeasibleClassError, match="variance -1"):
        resolve(LawClass(moments={1: 1, 2: 0}), 2)
    # Bhatia-Davis: on [-1, 3] with mean 0 the variance is at most (3 - 0)(0 + 1) = 3,
    # attained by the two-point law on {-1, 3} (weights 3/4, 1/4: variance 3/4 + 9/4 = 3)
    resolve(LawClass(cumulants={1: 0, 2: 3}, support=(-1, 3)), 2)
    with pytest.raises(InfeasibleClassError, match=r"\(b - mean\)\(mean - a\) = 3 < 3.01"):
        resolve(LawClass(cumulants={1: 0, 2: 3.01}, support=(-1, 3)), 2)
    # with mean 1 on [-1, 3]: (3 - 1)(1 + 1) = 4
    resolve(LawClass(cumulants={1: 1, 2: 4}, support=(-1, 3)), 2)
    with pytest.raises(InfeasibleClassError, match="= 4 < 4.1"):
        resolve(LawClass(cumulants={1: 1, 2: 4.1}, support=(-1, 3)), 2)
    # a class on the Bhatia-Davis boundary given in floats: m_2 = 0.449304 + 0.474^2 rounds so
    # that m_2 - m_1^2 exceeds (b - m)(m - a) by one ulp, yet the class holds the two-point law
    # on {a, b} (variance exactly (b - m)(m - a)); rounding must not empty it
    a, b, mu = -0.69, 0.86, 0.474
    laws = LawClass(cumulants={1: mu, 2: (b - mu) * (mu - a)}, support=(a, b))
    r = resolve(laws, 2)
    assert float(r.fixed[2]) - mu * mu > (b - mu) * (mu - a)  # the rounding this guards against
    law = Discrete([a, b], [(b - mu) / (b - a), (mu - a) / (b - a)])
    assert laws.contains(law)
    # half-line: no Bhatia-Davis bound
    resolve(LawClass(cumulants={1: 0, 2: 100}, support=(-1, math.inf)), 2)


# ----------------------------------------------------------------- the moment form
def test_moment_form_of_affine_models_by_hand():
    # e = (a - c) x + b with a = 3, b = 1, c = 1: E e^2 = 4 m_2 + 4 m_1 + 1
    F, d, D, exact = mse_moment_form(Dense([[3]], [1]), Dense([[1]]))
    assert sympy.expand(F - (4 * m(2) + 4 * m(1) + 1)) == 0 and (d, D, exact) == (1, 1, True)
    # float weights take the numpy squaring route: same polynomial
    F, d, D, exact = mse_moment_form(Dense([[3.0]], [1.0]), Dense([[1.0]]))
    assert sympy.expand(F - (4 * m(2) + 4 * m(1) + 1)) == 0 and (d, D) == (1, 1)
    # two inputs, e = x1 - 2 x2 + 1/2: E e^2 = m2 + 4 m2 + 1/4 + 2 m1 (1/2) - 4 m1^2 - 2 m1
    F = mse_moment_form(Dense([[1, -2]], [sympy.Rational(1, 2)]), Dense([[0, 0]]))[0]
    assert sympy.expand(F - (5 * m(2) - 4 * m(1) ** 2 - m(1) + sympy.Rational(1, 4))) == 0


def test_moment_form_of_a_quartic_error_by_hand():
    # e = (x1 + 2 x2)^2 squared: E (x1 + 2 x2)^4 = m4 + 4*2 m3 m1 + 6*4 m2^2 + 4*8 m1 m3 + 16 m4
    net = Network([Dense([[1.0, 2.0]]), Polynomial([0, 0, 1.0])])
    F, d, D, exact = mse_moment_form(net, Dense([[0.0, 0.0]]))
    expected = 17 * m(4) + 40 * m(1) * m(3) + 24 * m(2) ** 2
    assert float(sympy.Poly(sympy.expand(F - expected), m(1), m(2), m(3), m(4))
                 .max_norm()) < 1e-12
    assert (d, D) == (2, 2)
    Fe = mse_moment_form(Network([Dense([[1, 2]]), Polynomial([0, 0, 1])]), Dense([[0, 0]]))[0]
    assert sympy.expand(Fe - expected) == 0
    # identical model and target: the error polynomial is zero, the form is 0 and D = 1
    F, d, D, exact = mse_moment_form(Dense([[1, 1]]), Dense([[1, 1]]))
    assert F == 0 and D == 1


def test_moment_form_checks_the_networks():
    from cumulants.errors import ShapeMismatchError

    with pytest.raises(ShapeMismatchError, match="model takes 2 inputs but target takes 1"):
        mse_moment_form(Dense([[1, 1]]), Dense([[1]]))


# ----------------------------------------------------------------- helpers
def test_interval_arithmetic():
    assert _interval_pow((-1.0, 2.0), 2) == (0.0, 4.0)
    assert _interval_pow((-3.0, 2.0), 2) == (0.0, 9.0)
    assert _interval_pow((0.0, 2.0), 2) == (0.0, 4.0)
    assert _interval_pow((-2.0, 0.0), 4) == (0.0, 16.0)
    assert _interval_pow((-2.0, -1.0), 2) == (1.0, 4.0)
    assert _interval_pow((1.0, 3.0), 2) == (1.0, 9.0)
    assert _interval_pow((-2.0, 1.0), 3) == (-8.0, 1.0)
    assert _interval_pow((-3.0, -1.0), 1) == (-3.0, -1.0)
    assert _interval_mul((-1.0, 2.0), (3.0, 4.0)) == (-4.0, 8.0)
    assert _interval_mul((-1.0, 2.0), (-5.0, 4.0)) == (-10.0, 8.0)
    assert _interval_mul((1.0, 2.0), (0.0, math.inf)) == (0.0, math.inf)
    # 0 * inf counts as 0 (a zero-width factor times an unbounded one)
    assert _interval_mul((0.0, 0.0), (1.0, math.inf)) == (0.0, 0.0)


def test_merge_and_starts():
    atoms, weights = _merge(np.array([1.0, 0.0, 1e-12, 3.0]), np.array([0.2, 0.2, 0.2, 0.2]))
    # atoms within 1e-7 (relative to max(1, |a|)) merge at their weighted mean, weights
    # renormalised to sum 1
    assert atoms[0] == pytest.approx(5e-13, abs=1e-15) and atoms[1:] == [1.0, 3.0]
    assert weights == pytest.approx([0.5, 0.25, 0.25], abs=1e-15)
    atoms, weights = _merge(np.array([1000.0, 1000.0 + 8e-5, 1000.0 + 2e-4]), np.array([3, 1, 4.0]))
    assert len(atoms) == 2 and weights == pytest.approx([0.5, 0.5], abs=1e-15)
    assert atoms[0] == pytest.approx(1000.0 + 2e-5, abs=1e-10)  # (3 * 1000 + 1000 + 8e-5) / 4
    atoms, _ = _merge(np.array([1.0, 1.0 + 2e-7]), np.array([0.5, 0.5]))
    assert len(atoms) == 2  # 2e-7 apart at scale 1: two atoms
    r = resolve(LawClass(support=(-2, 3)), 2)
    a, w = _end_start(r, 5, 1.0)
    assert a.tolist() == [-2.0, -0.75, 0.5, 1.75, 3.0] and w.tolist() == [0.2] * 5
    a, w = _end_start(resolve(LawClass(support=(-math.inf, 1)), 2), 3, 2.0)
    assert a.tolist() == [-4.0, -1.5, 1.0]
    a, w = _end_start(resolve(LawClass(support=(0, math.inf)), 2), 3, 2.0)
    assert a.tolist() == [0.0, 2.0, 4.0]
    a, w = _random_start(resolve(LawClass(support=(1, 2)), 2), 50, np.random.default_rng(0), 1.0)
    assert np.all(np.diff(a) >= 0) and a.min() >= 1 and a.max() <= 2 and a.max() - a.min() > 0.8
    assert w.sum() == pytest.approx(1, abs=1e-12) and np.all(w >= 0)
    a, _ = _random_start(resolve(LawClass(), 2), 200, np.random.default_rng(0), 2.0)
    assert a.min() >= -6 and a.max() <= 6 and a.max() - a.min() > 10


def test_factors_counts_unknown_moment_factors():
    assert _factors(3 * m(2) + m(4) + 1, [2, 4]) == 1
    assert _factors(m(2) * m(4) + m(3), [2, 3, 4]) == 2
    assert _factors(m(2) ** 2 * m(3) + m(3), [2, 3]) == 3
    assert _factors(sympy.Integer(5), [2]) == 0
    assert _factors(m(1) * m(2) - m(1) * m(2) + m(2), [1, 2]) == 1


def test_reference_law_for_surrogates():
    def mv(law):
        return float(law.cumulant(1)), float(law.cumulant(2))

    assert mv(_reference(LawClass(cumulants={1: 2, 2: 9}))) == pytest.approx((2, 9), rel=1e-12)
    assert mv(_reference(LawClass(moments={1: -1}, cumulants={2: (2, 5)}))) == \
        pytest.approx((-1, 1), rel=1e-12)
    assert mv(_reference(LawClass(cumulants={1: (0.5, 1), 2: 4}))) == pytest.approx((0, 4), abs=1e-12)
    assert mv(_reference(LawClass())) == pytest.approx((0, 1), abs=1e-12)


# ----------------------------------------------------------------- BoundResult arithmetic
def _result(**kw):
    base = dict(lower_outer=1.0, upper_outer=5.0, lower_attained=1.5, upper_attained=4.0,
                lower_law=Discrete([-1.0, 1.0], [0.5, 0.5]), upper_law=Discrete([2.0], [1.0]),
                exact=False, affine=False, approximate=False, method="m", form=m(4) + 1,
                full_form=m(4) + 1, laws=LawClass(cumulants={1: 0}), fixed={}, seconds=0.5)
    base.update(kw)
    return BoundResult(**base)


def test_bound_result_derived_values():
    r = _result()
    assert (r.lower, r.upper) == (1.0, 5.0)
    assert r.gap == pytest.approx((1.5 - 1.0) + (5.0 - 4.0), abs=1e-15)
    assert not r.unbounded
    # attained values outside the solver values widen the range (never inside them)
    r = _result(lower_outer=2.0, upper_outer=3.0)
    assert (r.lower, r.upper) == (1.5, 4.0) and r.gap == 0.0
    # nan attained values are ignored; both nan gives nan
    r = _result(lower_attained=math.nan, upper_attained=math.nan)
    assert (r.lower, r.upper) == (1.0, 5.0) and r.gap == pytest.approx(-1.0 + 5.0, abs=1e-15)
    r = _result(lower_outer=math.nan, lower_attained=math.nan)
    assert math.isnan(r.lower)
    # so are nan solver values (a nan first in Python's min/max would win)
    r = _result(lower_outer=math.nan, upper_outer=math.nan)
    assert (r.lower, r.upper) == (1.5, 4.0)
    r = _result(upper_outer=math.inf, upper_attained=math.inf)
    assert r.unbounded and r.upper == math.inf and r.gap == 0.0
    r = _result(upper_outer=math.inf, upper_attained=7.0)
    assert r.unbounded and r.gap == math.inf
    assert r.witnesses() == []
    assert r.rows() == [("lower", 1.0, 1.5, r.lower_law), ("upper", math.inf, 7.0, r.upper_law)]


def test_bound_result_shift_and_witnesses():
    calls = []

    def witness(caps):
        calls.append(caps)
        return [(Rademacher(), 10.0), (Rademacher(), 20.0)]

    r = _result(witness=witness)
    g = r.shifted(-2.5)
    assert (g.lower_outer, g.upper_outer, g.lower_attained, g.upper_attained) == \
        (-1.5, 2.5, -1.0, 1.5)
    assert g.quantity == "gap" and r.quantity == "mse"
    assert sympy.expand(g.form - (m(4) - 1.5)) == 0
    assert sympy.expand(g.full_form - (m(4) - 1.5)) == 0
    assert [v for _, v in g.witnesses((1, 2))] == [7.5, 17.5] and calls == [(1, 2)]
    assert [v for _, v in g.shifted(1.0, label="x").witnesses()] == [8.5, 18.5]
    assert g.shifted(1.0, label="x").quantity == "x"
    assert r.shifted(0.0).lower_law is r.lower_law


def test_bound_result_output():
    r = _result(upper_outer=math.inf, upper_attained=math.nan, upper_law=None)
    d = r.to_dict()
    assert d["lower"] == 1.0 and d["upper"] == "inf" and d["upper_attained"] is None
    assert d["lower_law"] == {"atoms": [-1.0, 1.0], "weights": [0.5, 0.5]}
    assert d["upper_law"] is None and d["laws"] == "support [-inf, inf], kappa_1 = 0"
    assert d["gap"] == "inf" and d["quantity"] == "mse" and d["seconds"] == 0.5
    assert _result(lower_outer=-math.inf).to_dict()["lower"] == "-inf"
    assert repr(r) == "BoundResult(mse in [1, inf], attained [1.5, -], method='m', exact=False)"
    assert repr(_result(lower_outer=-math.inf, lower_attained=0.1234567)) == \
        "BoundResult(mse in [-inf, 5], attained [0.123457, 4], method='m', exact=False)"
    tex = r.latex()
    assert r"\mathrm{MSE} \in [1, \infty]" in tex and r"attained }[1.5, ?])}\]" in tex
    assert r"0.5\,\delta_{-1} + 0.5\,\delta_{1}" in tex and r"\mu_{\text{upper}}" not in tex
    tex = _result(exact=True, lower_outer=-math.inf).shifted(1.0).latex()
    assert r"\Delta \in [-\infty, 6]\quad\text{(exact)}" in tex
    assert r"\mu_{\text{upper}} = 1\,\delta_{2},\qquad \Delta(\mu_{\text{upper}}) = 5" in tex


@pytest.mark.parametrize("kw, match", [
    (dict(lower_outer=True), "lower_outer=True"), (dict(upper_attained="1"), "upper_attained='1'"),
    (dict(laws=None), "laws=None"), (dict(method=3), "method=3"),
])
def test_bound_result_validation(kw, match):
    with pytest.raises(InvalidParameterError, match=match):
        _result(**kw)


# ----------------------------------------------------------------- ranges with closed forms
def test_result_seconds_is_the_elapsed_time_of_the_call():
    import time

    t0 = time.perf_counter()
    res = mse_range(Dense([[2]]), Dense([[1]]), LawClass(cumulants={1: 0, 2: (1, 4)}))
    elapsed = time.perf_counter() - t0
    assert 0 < res.seconds <= elapsed


def test_affine_model_over_a_variance_interval():
    """y = 3 x + 1 against y* = x, mean 0, variance in [1, 4] on [-3, 3]:
    MSE = (3 - 1)^2 m_2 + 2 (3 - 1) 1 m_1 + 1 = 4 v + 1 over v in [1, 4] -> [5, 17];
    the extremes are any laws with v = 1 and v = 4 (atoms within [-3, 3])."""
    net, target = Dense([[3]], [1]), Dense([[1]])
    laws = LawClass(cumulants={1: 0, 2: (1, 4)}, support=(-3, 3))
    res = mse_range(net, target, laws)
    assert res.exact and res.affine and res.method == "sdp-moment-cone"
    assert res.lower == pytest.approx(5, rel=SDP_REL) and res.upper == pytest.approx(17, rel=SDP_REL)
    assert res.lower_attained == pytest.approx(5, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(17, rel=SDP_REL)
    for law, value in ((res.lower_law, 5), (res.upper_law, 17)):
        assert laws.contains(law, tol=1e-8)
        assert enumerate_mse(net, target, law.atoms, law.weights) == pytest.approx(value, rel=SDP_REL)
    assert res.dim == 1 and res.degree == 1 and res.fixed == {1: 0}
    assert res.witnesses() == []  # documented: witnesses only for an infinite worst case
    assert sympy.expand(res.form - (4 * m(2) + 1)) == 0
    # the train error of N(0, 1) is 4 * 1 + 1 = 5: the gap range is [0, 12]
    # the affine SDP is the (small) moment cone itself: max_size never switches it to the
    # moment box (that raised a TypeError before: no box is built in the affine case)
    small = mse_range(net, target, laws, max_size=0)
    assert small.exact and small.method == "sdp-moment-cone"
    assert (small.lower, small.upper) == pytest.approx((5, 17), rel=SDP_REL)
    g = gap_range(net, target, cm.state.Cumulants.iid(Normal(0, 1), 1, 2), laws)
    assert g.lower_attained == pytest.approx(0, abs=SDP_REL * 5)
    assert g.upper_attained == pytest.approx(12, rel=SDP_REL) and g.quantity == "gap"


def test_half_line_supports_use_their_localising_constraint():
    """e = x^2 + x (target 0), mean 0 and variance 1: MSE = m_4 + 2 m_3 + 1.

    Hankel H_2 >= 0 gives m_4 >= 1 + m_3^2.  On [-1, inf) the localising matrix of x + 1,
    [[m_1 + 1, m_2 + m_1], [m_2 + m_1, m_3 + m_2]] = [[1, 1], [1, m_3 + 1]] >= 0, gives
    m_3 >= 0, so MSE >= 2 (Rademacher: (1/2)(0) + (1/2)(4) = 2).  On the real line the
    minimum is min_t 1 + t^2 + 2t + 1 = 1 at m_3 = -1 (e.g. atoms -2 and 1/2, weights
    1/5, 4/5).  By the reflection x -> -x, e = x^2 - x on (-inf, 1] also has minimum 2.
    The upper end is infinite (m_4 is unbounded)."""
    plus = Network([Dense([[1]]), Polynomial([0, 1, 1])])
    res = mse_range(plus, Dense([[0]]), LawClass.standardised((-1, math.inf)))
    assert res.lower == pytest.approx(2, rel=SDP_REL) and res.upper == math.inf
    assert res.lower_attained == pytest.approx(2, rel=SDP_REL)
    law = res.lower_law
    assert min(law.atoms) >= -1 - 1e-9
    assert enumerate_mse(plus, Dense([[0]]), law.atoms, law.weights) == pytest.approx(2, rel=SDP_REL)
    minus = Network([Dense([[1]]), Polynomial([0, -1, 1])])
    res = mse_range(minus, Dense([[0]]), LawClass.standardised((-math.inf, 1)))
    assert res.lower == pytest.approx(2, rel=SDP_REL) and res.upper == math.inf
    assert max(res.lower_law.atoms) <= 1 + 1e-9
    res = mse_range(plus, Dense([[0]]), LawClass.standardised(None))
    assert res.lower == pytest.approx(1, rel=SDP_REL) and res.upper == math.inf


def test_moment_box_alone_for_large_relaxations():
    """max_size=0 forces the moment-box bound.  MSE = 2 m_4 + 6 m_2^2 (mean 0, variance in
    [1, 2], support [-2, 2]): each moment's exact range over the class is m_2 in [1, 2] and
    m_4 in [1, 8] (m_4 >= m_2^2 >= 1; m_4 <= h^2 m_2 = 8), so the box is
    [2 + 6, 16 + 24] = [8, 40], attained by Rademacher and by {-2, 0, 2} with weights 1/4, 1/2, 1/4."""
    net = Network([Dense([[1, 1]]), cm.layers.Quadratic(1), Dense([[1]])])
    laws = LawClass(cumulants={1: 0, 2: (1, 2)}, support=(-2, 2))
    res = mse_range(net, Dense([[1, 1]]), laws, max_size=0)
    assert res.method.startswith("moment-box-interval(K=4)") and not res.exact
    assert res.lower_outer == pytest.approx(8, rel=SDP_REL)
    assert res.upper_outer == pytest.approx(40, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(40, rel=SDP_REL)


def test_non_affine_class_constraint_outer_and_inner_by_hand():
    """e = x (target 0): MSE = m_2.  Class: mean in [-1/2, 1/2], variance exactly 1, on
    [-3, 3], so m_2 = 1 + m_1^2 ranges over [1, 5/4] (inner values, attained by laws of the
    class).  The constraint m_2 - m_1^2 = 1 has a product of unknowns, so the outer bound is
    the r = 2, order-1 relaxation: with L12 = L(x1 x2) = m_2 - 1 the moment matrix
    [[1, m1, m1], [m1, m2, L12], [m1, L12, m2]] >= 0 iff u = m2 - m1^2 >= |L12 - m1^2| =
    |u - 1|, i.e. u >= 1/2: min m_2 = 1/2 (at m_1 = 0); the localiser 9 - m_2 >= 0 gives
    max m_2 = 9 (the moment box, m_2 in [0, 9], agrees)."""
    laws = LawClass(cumulants={1: (-0.5, 0.5), 2: 1}, support=(-3, 3))
    res = mse_range(Dense([[1]]), Dense([[0]]), laws, starts=2)
    assert not res.affine and res.method.startswith("moment-sos(r=2, order=1)")
    assert res.lower_outer == pytest.approx(0.5, rel=SDP_REL)
    assert res.upper_outer == pytest.approx(9, rel=SDP_REL)
    assert res.lower_attained == pytest.approx(1, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(1.25, rel=SDP_REL)
    for law in (res.lower_law, res.upper_law):
        assert laws.contains(law, tol=1e-8)
    assert res.gap == pytest.approx((1 - 0.5) + (9 - 1.25), rel=SDP_REL)
    # that relaxation has comb(2 + 1, 2) = 3 monomials: max_size=3 still allows it, 2 does not
    assert mse_range(Dense([[1]]), Dense([[0]]), laws, starts=2, max_size=3).method.startswith(
        "moment-sos(r=2, order=1)")
    assert mse_range(Dense([[1]]), Dense([[0]]), laws, starts=2, max_size=2).method.startswith(
        "moment-box-interval")


def test_moment_box_lower_bound_is_clipped_at_zero():
    """e = x1 - x2: MSE = 2 m_2 - 2 m_1^2 (twice the variance), class: mean in [-1, 1] on
    [-3, 3].  The moment box has m_1 in [-1, 1] (so m_1^2 in [0, 1]) and m_2 in [0, 9], so
    interval arithmetic gives [0 - 2, 18 - 0] = [-2, 18]; a mean of squares is >= 0, so the
    lower end is reported as 0 (attained by any point law), the upper 18 (atoms -3, 3)."""
    laws = LawClass(cumulants={1: (-1, 1)}, support=(-3, 3))
    res = mse_range(Dense([[1, -1]]), Dense([[0, 0]]), laws, max_size=0, starts=2)
    assert res.method.startswith("moment-box-interval(K=2)")
    assert res.lower_outer == 0.0 and res.lower == 0.0
    assert res.upper_outer == pytest.approx(18, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(18, rel=SDP_REL)
    assert res.lower_attained == pytest.approx(0, abs=18 * SDP_REL)
    # halved weights: MSE = m_2 / 2 - m_1^2 / 2, box [0 - 1/2, 9/2 - 0]; a coefficient in
    # (0, 1) keeps its interval's orientation (c lo <= c hi)
    res = mse_range(Dense([[0.5, -0.5]]), Dense([[0, 0]]), laws, max_size=0, starts=2)
    assert res.lower_outer == 0.0
    assert res.upper_outer == pytest.approx(4.5, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(4.5, rel=SDP_REL)


def test_from_samples_mean_interval_and_validation():
    """The order-1 interval is k_1 +- z sqrt(k_2 / n): the exact variance of the sample mean is
    kappa_2 / n, with the unbiased sample variance k_2 plugged in; z = 1.959963984540054 for
    95% (the normal quantile, Abramowitz & Stegun 26.2)."""
    x = np.random.default_rng(4).uniform(-1, 1, 400)
    c = LawClass.from_samples(x, 2, support=(-1, 1))
    lo, hi = c.cumulants[1]
    half = 1.959963984540054 * math.sqrt(x.var(ddof=1) / x.size)
    assert (lo + hi) / 2 == pytest.approx(x.mean(), abs=1e-12)
    assert (hi - lo) / 2 == pytest.approx(half, rel=1e-9)
    assert c.level == 0.95 and c.support == (-1, 1)
    lo99, hi99 = LawClass.from_samples(x, 1, level=0.99).cumulants[1]
    assert (hi99 - lo99) / 2 == pytest.approx(2.5758293035489 / 1.959963984540054 * half, rel=1e-9)
    for level in (0, 1, 1.5, -0.1, True, "0.9"):
        with pytest.raises(InvalidParameterError, match="level"):
            LawClass.from_samples(x, 2, level=level)
    with pytest.raises(InvalidParameterError, match="a 1-D sample"):
        LawClass.from_samples(x.reshape(20, 20), 2)


def _max_coeff_diff(F, G):
    syms = [m(k) for k in range(1, 7)]
    return float(sympy.Poly(sympy.expand(F - G), *syms).max_norm())


def test_surrogate_reference_laws():
    """Hermite surrogates are fitted on a reference law: the documented default of
    mse_moment_form is the standard normal; mse_range uses the reference it is given, and
    without one the normal law with the class's mean and variance.  The forms are compared
    with mse_moment_form called with that reference explicitly (no core.py code involved)."""
    from cumulants.layers import Tanh

    net, target = Network([Dense([[1]]), Tanh()]), Dense([[1]])

    def form(ref):
        return mse_moment_form(net, target, method="hermite", degree=3, reference=ref)[0]

    default, std, shifted = form(None), form(Normal(0, 1)), form(Normal(1, 1))
    assert _max_coeff_diff(default, std) < 1e-15 and _max_coeff_diff(default, shifted) > 1e-3
    uni = Uniform(-1, 1)
    res = mse_range(net, target, LawClass.standardised((-2, 2)), method="hermite", degree=3,
                    reference=uni)
    assert _max_coeff_diff(res.full_form, form(uni)) < 1e-15
    assert _max_coeff_diff(res.full_form, std) > 1e-3 and res.approximate
    res = mse_range(net, target, LawClass(cumulants={1: 1, 2: 1}, support=(-1, 3)),
                    method="hermite", degree=3)
    assert _max_coeff_diff(res.full_form, shifted) < 1e-15


def test_moment_box_with_a_negative_coefficient():
    """e = x1 - x2 + 3: MSE = 2 m_2 - 2 m_1^2 + 9 (the cross term 6 E(x1 - x2) vanishes).
    Class: mean in [-3/2, 3/2] on [-3, 3]: m_1^2 in [0, 9/4], m_2 in [0, 9], so the box is
    [9 + 0 - 2 * 9/4, 9 + 18 - 0] = [4.5, 27]; the true range is [9, 27] (a point law; the
    law on {-3, 3} with mean 0)."""
    laws = LawClass(cumulants={1: (-1.5, 1.5)}, support=(-3, 3))
    res = mse_range(Dense([[1, -1]], [3]), Dense([[0, 0]]), laws, max_size=0, starts=2)
    assert res.lower_outer == pytest.approx(4.5, rel=SDP_REL)
    assert res.upper_outer == pytest.approx(27, rel=SDP_REL)
    assert res.lower_attained == pytest.approx(9, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(27, rel=SDP_REL)


def test_constant_form_is_the_affine_case():
    """Model = target: the error is 0, the form is the constant 0 and the range [0, 0] is
    exact (no unknown moment at all counts as the affine case, not as a relaxation)."""
    res = mse_range(Dense([[1, 1]]), Dense([[1, 1]]), LawClass.standardised((-2, 2)))
    assert res.affine and res.exact and res.method == "sdp-moment-cone"
    assert res.form == 0 and (res.lower, res.upper) == (0, 0)
