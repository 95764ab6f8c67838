"""Algebraic laws obeyed by k-statistics and their variances (Hypothesis).

* shift invariance and homogeneity: k_1(a x + c) = a k_1(x) + c and
  k_r(a x + c) = a^r k_r(x) for r >= 2 (exactly, with rational data);
* symmetry: a k-statistic does not depend on the order of the observations, nor a
  joint one on the order of its indices;
* multilinearity: joint k-statistics transform as tensors under Y = X W + b;
* the sampling variance of k_r is a variance (never negative for a real law), is
  homogeneous of degree 2r in the cumulants and ignores kappa_1.
"""

import math
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cumulants.estimators import (
    joint_k_statistic,
    joint_k_statistics,
    k_statistic_variance,
    k_statistics,
)

int_samples = st.lists(st.integers(-20, 20), min_size=6, max_size=12)
rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)
nonzero_rationals = rationals.filter(lambda a: a != 0)
float_samples = arrays(np.float64, st.integers(6, 40),
                       elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False))


def rational(f):
    return sympy.Rational(f.numerator, f.denominator)


def cumulants_of_law(values, weights, order):
    total = sum(weights)
    raw = [sum(Fraction(w, total) * Fraction(v) ** r for v, w in zip(values, weights))
           for r in range(1, order + 1)]
    kappa = []
    for r in range(1, order + 1):
        value = raw[r - 1]
        for j in range(1, r):
            value -= math.comb(r - 1, j - 1) * kappa[j - 1] * raw[r - j - 1]
        kappa.append(value)
    return kappa


@given(int_samples, nonzero_rationals, rationals)
def test_shift_and_homogeneity_exact(x, a, c):
    order = min(5, len(x))
    base = k_statistics(x, order)
    moved = k_statistics([a * v + c for v in x], order)
    assert moved[0] == rational(a) * base[0] + rational(c)
    for r in range(2, order + 1):
        assert moved[r - 1] == rational(a) ** r * base[r - 1]


@given(float_samples, st.floats(0.1, 10), st.sampled_from([-1.0, 1.0]), st.floats(-1e3, 1e3))
def test_shift_and_homogeneity_float(x, scale, sign, c):
    a = sign * scale
    base = k_statistics(x, 4)
    moved = k_statistics(a * x + c, 4)
    spread = abs(a) * float(np.max(np.abs(x - x.mean())))
    # Each a*x_i + c is rounded by up to delta; k_r moves by ~ r spread^(r-1) delta.  Below
    # the normal range a rounding error is up to one subnormal spacing, not a relative one.
    delta = 4e-16 * (abs(c) + abs(a) * float(np.max(np.abs(x)))) + np.finfo(float).smallest_subnormal
    assert abs(moved[0] - (a * base[0] + c)) <= 10 * delta
    for r in range(2, 5):
        tol = 1e-10 * spread ** r + 100 * r * (spread + delta) ** (r - 1) * delta
        assert abs(moved[r - 1] - a ** r * base[r - 1]) <= tol


@given(int_samples, st.randoms(use_true_random=False))
def test_permutation_invariance(x, random):
    shuffled = list(x)
    random.shuffle(shuffled)
    order = min(6, len(x))
    assert k_statistics(shuffled, order) == k_statistics(x, order)


@given(int_samples)
def test_float_path_matches_exact(x):
    order = min(6, len(x))
    exact = k_statistics(x, order)
    approx = k_statistics(np.array(x, dtype=float), order)
    spread = max(abs(v - sum(x) / len(x)) for v in x) + 1e-300
    for r in range(1, order + 1):
        assert abs(approx[r - 1] - float(exact[r - 1])) <= 1e-11 * (1 + spread) ** r


@given(
    st.integers(4, 7).flatmap(
        lambda n: st.lists(st.lists(st.integers(-4, 4), min_size=2, max_size=2),
                           min_size=n, max_size=n)),
    st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=2, max_size=2),
    st.lists(st.integers(-5, 5), min_size=3, max_size=3),
)
def test_joint_multilinearity(X, W, b):
    """k_Y(a_1..a_r) = sum_i W_{i_1 a_1}..W_{i_r a_r} k_X(i_1..i_r) (+ b for r = 1)."""
    Xa, Wa = np.array(X), np.array(W)
    Y = (Xa @ Wa + np.array(b)).tolist()
    kx = joint_k_statistics(X, 3)
    ky = joint_k_statistics(Y, 3)
    for key, value in ky.items():
        expected = sympy.Integer(b[key[0]]) if len(key) == 1 else sympy.Integer(0)
        for idx in np.ndindex(*(2,) * len(key)):
            coef = math.prod(int(Wa[i, a]) for i, a in zip(idx, key))
            if coef:
                expected += coef * kx[tuple(sorted(idx))]
        assert value == expected


@given(
    st.lists(st.lists(st.integers(-5, 5), min_size=3, max_size=3), min_size=5, max_size=8),
    st.lists(st.integers(0, 2), min_size=1, max_size=4),
    st.randoms(use_true_random=False),
)
def test_joint_symmetric_in_indices(X, indices, random):
    shuffled = list(indices)
    random.shuffle(shuffled)
    assert joint_k_statistic(X, shuffled) == joint_k_statistic(X, indices)


@given(arrays(np.float64, st.tuples(st.integers(8, 30), st.integers(1, 3)),
              elements=st.floats(-10, 10, allow_nan=False, allow_infinity=False)))
def test_joint_diagonal_equals_univariate(X):
    table = joint_k_statistics(X, 4)
    uni = k_statistics(X, 4, axis=0)
    spread = float(np.max(np.abs(X - X.mean(axis=0)))) + 1.0
    for j in range(X.shape[1]):
        for r in range(1, 5):
            assert abs(table[(j,) * r] - uni[r - 1, j]) <= 1e-12 * spread ** r


laws = st.integers(2, 4).flatmap(
    lambda m: st.tuples(st.lists(st.integers(-4, 6), min_size=m, max_size=m, unique=True),
                        st.lists(st.integers(1, 9), min_size=m, max_size=m)))


@given(laws, st.integers(1, 5), st.integers(0, 6))
def test_variance_of_a_real_law_is_nonnegative(law, order, extra):
    values, weights = law
    kappa = cumulants_of_law(values, weights, 2 * order)
    assert k_statistic_variance(kappa, order + extra, order) >= 0


@given(st.lists(rationals, min_size=10, max_size=10), nonzero_rationals, rationals,
       st.integers(1, 5), st.integers(5, 40))
def test_variance_homogeneous_and_ignores_mean(kappa, a, shift, order, n):
    kappa = [rational(k) for k in kappa]
    scaled = [rational(a) ** j * k for j, k in enumerate(kappa, start=1)]
    scaled[0] += rational(shift)
    base = k_statistic_variance(kappa, n, order)
    assert k_statistic_variance(scaled, n, order) == rational(a) ** (2 * order) * base
