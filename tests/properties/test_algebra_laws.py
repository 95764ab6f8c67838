"""Algebraic laws of cumulants as property-based tests."""

import itertools
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

import cumulants as cm

fractions = st.fractions(min_value=-5, max_value=5, max_denominator=7)
# Exact cumulant sequences drawn from real laws: mixtures of point masses.
atoms = st.lists(st.tuples(st.integers(-3, 3), st.integers(1, 4)), min_size=1, max_size=4)


def exact_moments(law, order):
    total = sum(w for _, w in law)
    return [sum(Fraction(w, total) * Fraction(v) ** k for v, w in law) for k in range(1, order + 1)]


@given(st.lists(fractions, min_size=1, max_size=9))
def test_round_trip_exact(moments):
    k = cm.cumulants_from_moments(moments)
    back = cm.moments_from_cumulants(k)
    assert list(back) == [sympy.Rational(m.numerator, m.denominator) for m in moments]


@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6))
def test_round_trip_float(moments):
    back = cm.moments_from_cumulants(cm.cumulants_from_moments(moments))
    np.testing.assert_allclose(back, moments, rtol=1e-9, atol=1e-9 * 10 ** len(moments))


@given(atoms, fractions, st.integers(1, 6))
def test_homogeneity(law, a, order):
    # kappa_n(a X) = a^n kappa_n(X), with aX computed from scaled atoms (independent route).
    # The law of aX from its scaled atoms, not from scaled moments.
    k = cm.cumulants_from_moments(exact_moments(law, order))
    total = sum(w for _, w in law)
    ka = cm.cumulants_from_moments([sum(Fraction(w, total) * (a * v) ** j for v, w in law)
                                    for j in range(1, order + 1)])
    assert list(ka) == [sympy.Rational(a.numerator, a.denominator) ** n * kn for n, kn in enumerate(k, 1)]


@given(atoms, st.integers(-4, 4), st.integers(2, 6))
def test_shift_invariance(law, c, order):
    k = cm.cumulants_from_moments(exact_moments(law, order))
    shifted = [(v + c, w) for v, w in law]
    ks = cm.cumulants_from_moments(exact_moments(shifted, order))
    assert ks[0] == k[0] + c
    assert list(ks[1:]) == list(k[1:])


@given(atoms, atoms, st.integers(1, 6))
def test_additivity_under_independence(law_x, law_y, order):
    # The law of X + Y by convolution of the two point-mass laws.
    conv = [(vx + vy, wx * wy) for (vx, wx), (vy, wy) in itertools.product(law_x, law_y)]
    ksum = cm.cumulants_from_moments(exact_moments(conv, order))
    kx = cm.cumulants_from_moments(exact_moments(law_x, order))
    ky = cm.cumulants_from_moments(exact_moments(law_y, order))
    assert list(ksum) == [a + b for a, b in zip(kx, ky)]
    # and through the state: Dense([[1, 1]]) of independent components
    sx = cm.Cumulants.univariate(kx)
    sy = cm.Cumulants.univariate(ky)
    joint = cm.Cumulants.from_tensors(
        [np.array([kx[0], ky[0]], dtype=object)]
        + [_diag2(kx[n - 1], ky[n - 1], n) for n in range(2, order + 1)])
    out = cm.Dense([[1, 1]]).propagate(joint)
    assert out.marginal(0) == list(ksum)
    assert sx.order == sy.order == order


def _diag2(a, b, n):
    t = np.full((2,) * n, sympy.Integer(0), dtype=object)
    t[(0,) * n] = a
    t[(1,) * n] = b
    return t


@given(st.lists(st.tuples(st.integers(-2, 2), st.integers(-2, 2), st.integers(-1, 2)),
                min_size=2, max_size=4),
       st.integers(2, 4))
def test_joint_cumulants_symmetric_under_permutation(points, order):
    assume(len(set(points)) > 1)
    moments = {}
    for n in range(1, order + 1):
        for key in itertools.combinations_with_replacement(range(3), n):
            moments[key] = sum(sympy.Rational(1, len(points)) * sympy.prod([p[i] for i in key])
                               for p in points)
    state = cm.Cumulants.from_moments(moments, order, dim=3)
    for n in range(2, order + 1):
        t = state.tensor(n)
        for perm in itertools.permutations(range(n)):
            assert (t == np.transpose(t, perm)).all()


@given(atoms, st.integers(1, 7))
def test_symbolic_and_exact_routes_agree(law, order):
    m = exact_moments(law, order)
    syms = sympy.symbols(f"m1:{order + 1}")
    general = cm.cumulants_from_moments(syms)
    subs = {s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(syms, m)}
    assert [g.xreplace(subs) for g in general] == list(cm.cumulants_from_moments(m))
