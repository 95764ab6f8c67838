"""Contracts of the numerical core of cm.bounds: atom extraction (a law on the support for
any moment vector; principal representations), the relaxations and their solving at
extreme scales, and the inner search by SLSQP.

Expected values are derived by hand in each docstring (moment-cone facts: m_4 >= m_2^2,
m_4 <= h^2 m_2 on [-h, h], point masses for the range of m_2); discrete laws are checked
with plain numpy.  Tolerances as in test_bounds_contracts.py: SDP values to 1e-6
relative (Clarabel's 1e-8 tolerances on the unit-scaled problem, with two orders of
magnitude of slack), extracted laws to rounding (1e-9 on the moments).
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cumulants.bounds import LawClass, mse_range
from cumulants.bounds.problem import resolve
from cumulants.bounds.sdp import extract_atoms
from cumulants.layers import Dense, Network, Polynomial

from ._bounds_oracles import SDP_REL, enumerate_mse, m


# ----------------------------------------------------------------- atom extraction
def test_extract_atoms_recovers_discrete_laws():
    # three atoms from m_1..m_6 (rank 3 < D + 1 = 4)
    atoms, weights = [-2.0, 0.5, 1.0], [0.2, 0.5, 0.3]
    mom = [sum(w * a**k for a, w in zip(atoms, weights)) for k in range(1, 7)]
    a, w = extract_atoms(mom, (-3, 3))
    assert a == pytest.approx(atoms, abs=1e-7) and w == pytest.approx(weights, abs=1e-7)
    # full-rank H_2 (m = 0, 1, 0, 4 on [-2, 2]): the extension puts atoms at both ends, the
    # law {-2, 0, 2} with weights 1/8, 3/4, 1/8 (the unique law with m_4 = h^2 m_2 = 4)
    a, w = extract_atoms([0, 1, 0, 4], (-2, 2))
    assert a == pytest.approx([-2, 0, 2], abs=1e-6) and w == pytest.approx([1 / 8, 3 / 4, 1 / 8],
                                                                           abs=1e-6)
    # a point law
    a, w = extract_atoms([1.5, 2.25], (-3, 3))
    assert a == pytest.approx([1.5], abs=1e-7) and w == pytest.approx([1.0])


def test_extract_atoms_at_large_scale():
    # the rank test must see three atoms when the moments span four orders of magnitude
    for atoms, weights, support in (([-10.0, 1.0, 10.0], [0.3, 0.4, 0.3], (-10, 10)),
                                    ([-20.0, 0.5, 2.0, 30.0], [0.1, 0.4, 0.3, 0.2], (-30, 30)),
                                    ([100.0, 101.0], [0.5, 0.5], (0, 200))):
        mom = [sum(w * a**k for a, w in zip(atoms, weights)) for k in range(1, 2 * len(atoms) + 1)]
        a, w = extract_atoms(mom, support)
        assert a == pytest.approx(atoms, rel=1e-6) and w == pytest.approx(weights, abs=1e-6)


def test_extract_atoms_fallback_is_a_finite_start():
    """m = (-2, 4) is the point law at -2, outside the support [1, ...): the one-atom trial
    clips the atom to 1 and its least-squares weight (1 + 1 * (-2)) / (1 + 1) < 0 is no law,
    so the fallback start is used: a point law in the support, at the midpoint of a bounded
    support, at the end of a half-line, at 0 on the line."""
    a, w = extract_atoms([-2, 4], (1, 3))
    assert a.tolist() == [2.0] and w.tolist() == [1.0]
    a, w = extract_atoms([-2, 4], (1, math.inf))
    assert a.tolist() == [1.0] and w.tolist() == [1.0]
    a, w = extract_atoms([2, 4], (-math.inf, -1))
    assert a.tolist() == [-1.0] and w.tolist() == [1.0]


def test_extract_atoms_of_moments_no_law_on_the_support_has():
    """m = (0, 1, 0, 1) is Rademacher, with atoms +-1 outside [-1/2, 1/2].  The rank is 2
    (H_2 = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]); the two-atom trial finds the roots +-1 of
    x^2 - 1, clips them to +-1/2, and the least-squares weights of the inconsistent system
    (rows x^0..x^3) are equal by symmetry: w = 10/17 each, which sum to 20/17, not 1.
    Normalised, the start is the law {-1/2, 1/2} with weights 1/2, 1/2."""
    a, w = extract_atoms([0, 1, 0, 1], (-0.5, 0.5))
    assert a.tolist() == [-0.5, 0.5]
    assert w == pytest.approx([0.5, 0.5], abs=1e-12)


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=6),
       st.sampled_from([(-math.inf, math.inf), (-2, 2), (0, 3), (1, math.inf), (-math.inf, 0.5)]))
def test_extract_atoms_always_returns_a_law_on_the_support(m, support):
    """Whatever the moment vector (feasible or not), the result is a start for the search: a
    probability law (weights >= 0 summing to 1) with finite atoms in the support."""
    a, w = extract_atoms(m, support)
    assert np.all(np.isfinite(a)) and np.all(w >= 0)
    assert w.sum() == pytest.approx(1, abs=1e-12)
    assert support[0] <= a.min() and a.max() <= support[1]


# 24 laws with four atoms on [-2, 2] (atoms rounded to 0.01, integer weights / their sum)
FOUR_ATOM_LAWS = [
    ([1.22, 1.23, 0.06, -0.86], [1, 7, 11, 2]), ([-1.8, 2.0, 0.61, -1.06], [5, 5, 1, 9]),
    ([-0.43, -0.03, 0.71, -1.76], [3, 4, 13, 1]), ([0.72, 1.48, -1.09, 1.58], [8, 1, 12, 1]),
    ([0.01, -0.25, -1.19, -0.7], [8, 3, 3, 6]), ([-0.21, 1.2, -1.06, -0.72], [10, 7, 1, 3]),
    ([-1.66, 1.38, -0.53, 1.8], [4, 10, 2, 3]), ([0.97, 0.7, 0.74, -0.14], [6, 3, 1, 11]),
    ([0.54, -0.49, 1.19, -1.22], [3, 7, 1, 9]), ([0.45, 1.76, 1.97, 0.89], [5, 1, 5, 10]),
    ([-0.4, 0.21, -0.08, 1.83], [10, 5, 1, 5]), ([0.53, 1.74, 1.69, -0.69], [5, 10, 1, 4]),
    ([-1.71, 1.43, 1.32, -1.44], [5, 5, 1, 9]), ([-1.57, 1.46, -0.89, -0.21], [1, 1, 7, 12]),
    ([1.71, 1.56, -0.08, -0.18], [3, 8, 1, 7]), ([-0.4, 0.38, 0.95, 0.01], [14, 5, 1, 1]),
    ([-1.4, -1.15, -1.19, -1.8], [7, 1, 9, 3]), ([-0.53, -0.33, 0.72, 1.14], [4, 3, 8, 5]),
    ([1.3, -1.08, 1.48, 0.02], [10, 2, 4, 5]), ([-1.8, -1.83, 0.12, -0.09], [9, 1, 5, 6]),
    ([0.39, 0.92, 0.1, 0.25], [6, 8, 4, 2]), ([0.69, -1.24, 1.96, 0.99], [12, 2, 4, 2]),
    ([-1.81, -1.93, -1.01, 1.45], [1, 17, 1, 1]), ([-1.23, 0.71, 0.01, 0.2], [3, 5, 2, 10]),
]


def test_extract_atoms_full_rank_gives_a_principal_representation():
    """m_1..m_4 of a four-atom law have a full-rank H_2, so the extension by y_5 is free;
    docs/formulas.md §9: it is chosen so that an atom sits at an end of the support (a
    principal representation, three atoms).  Checked with numpy: the returned law matches
    m_1..m_4 to rounding and has an atom at -2 or 2.  Affine images of the laws on other
    supports have principal representations too (the images of those on [-2, 2]); the
    tolerances scale with the support's size h = max(1, |a|, |b|): h^4 for m_4, h for atoms."""
    for lo, hi in ((-2, 2), (0, 1), (0, 0.5), (-20, 20), (1, 3)):
        h = max(1, abs(lo), abs(hi))
        for atoms, counts in FOUR_ATOM_LAWS:
            x = lo + (np.array(atoms) + 2) / 4 * (hi - lo)
            w = np.array(counts, float) / sum(counts)
            mom = [w @ x**k for k in range(1, 5)]
            a, v = extract_atoms(mom, (lo, hi))
            assert max(abs(v @ a**k - mom[k - 1]) for k in range(1, 5)) < 1e-9 * h**4
            assert min(np.abs(a - lo).min(), np.abs(a - hi).min()) < 1e-6 * h
            assert a.min() >= lo and a.max() <= hi
    # laws on [0, 1] with most mass near 1, whose best extension is the last grid point
    # t = 1 (y_5 = y_4, the largest value x <= 1 allows): the refinement bracket ends there
    for x, counts in (([0.29, 0.42, 0.49, 1.0], [16, 8, 4, 72]),
                      ([0.02, 0.15, 0.15, 0.99], [56, 1, 26, 17]),
                      ([0.29, 0.35, 0.63, 1.0], [2, 25, 4, 69])):
        x, w = np.array(x), np.array(counts, float) / sum(counts)
        mom = [w @ x**k for k in range(1, 5)]
        a, v = extract_atoms(mom, (0, 1))
        assert max(abs(v @ a**k - mom[k - 1]) for k in range(1, 5)) < 1e-9
        assert a.max() == pytest.approx(1, abs=1e-6) and a.min() >= 0


# ----------------------------------------------------------------- relaxations and solving
def test_relaxation_unbounded_below_falls_back_to_the_box():
    """e = x1 + x2 + x3 with no constraint on the real line: MSE = 3 m_2 + 6 m_1^2 (r = 2).
    The r = 2 moment matrix [[1, m1, m1], [m1, m2, L12], [m1, L12, m2]] allows m1 = 0,
    L12 = -m2 (it only sees two of the three exchangeable inputs), so the relaxed minimum
    3 m2 + 6 L12 = -3 m2 is unbounded below; the moment box (m_1^2 in [0, inf), m_2 in
    [0, inf)) gives 0, which is the true minimum (the point law at 0).  The worst case is
    infinite.  Tolerance: Clarabel's absolute gap 1e-8 on min m_2, times the coefficient 3."""
    res = mse_range(Dense([[1, 1, 1]]), Dense([[0, 0, 0]]), LawClass(), starts=1)
    assert not res.affine and res.upper == math.inf
    assert res.lower_outer == pytest.approx(0, abs=1e-7)
    assert res.lower_attained == pytest.approx(0, abs=1e-7)


def test_a_degenerate_interval_is_a_known_value():
    """moments 1: [0, 0] and 2: [1, 1] say exactly what the values 0 and 1 say: for the
    affine error (2 - 1) x, the MSE is E x^2 = 1 on both classes."""
    from cumulants.bounds import LawClass, mse_range
    from cumulants.layers import Dense

    fixed = mse_range(Dense([[2]]), Dense([[1]]), LawClass(moments={1: 0, 2: 1}))
    interval = mse_range(Dense([[2]]), Dense([[1]]), LawClass(moments={1: (0, 0), 2: (1, 1)}))
    assert float(fixed.lower) == pytest.approx(1.0, rel=1e-6) and fixed.exact
    assert float(interval.lower) == pytest.approx(1.0, rel=1e-6)
    assert float(interval.upper) == pytest.approx(1.0, rel=1e-6)
    tex = fixed.latex()
    assert r"\text{(exact)}" in tex and tex.count(r"\[") == tex.count(r"\]") >= 1


def test_fixed_second_moment_other_than_one():
    """e = (2x + 1) - x = x + 1 with E x = 0 and E x^2 = 2: MSE = 2 + 1 = 3 exactly (a fixed
    moment enters the objective's constant with its value, here 2, not 1)."""
    from cumulants.bounds import LawClass, mse_range
    from cumulants.layers import Dense

    for support in (None, (-3, 3)):
        kw = {} if support is None else {"support": support}
        r = mse_range(Dense([[2]], [1]), Dense([[1]]), LawClass(moments={1: 0, 2: 2}, **kw))
        assert float(r.lower) == pytest.approx(3.0, rel=1e-6)
        assert float(r.upper) == pytest.approx(3.0, rel=1e-6)


def test_quadratic_error_on_the_whole_line_is_unbounded_above():
    """e = x^2 with E x = 0, E x^2 = 1 on the real line: E e^2 = E x^4 >= (E x^2)^2 = 1 (equality
    for Rademacher) and unbounded above (E x^4 has no upper limit)."""
    from cumulants.bounds import LawClass, mse_range
    from cumulants.layers import Dense, Network, Quadratic

    net = Network([Dense([[1]]), Quadratic(1)])
    r = mse_range(net, Dense([[1]]), LawClass(moments={1: 0, 2: 1}))
    assert float(r.lower) == pytest.approx(1.0, rel=1e-6) and r.upper == math.inf


def test_tiny_error_coefficients_keep_their_relative_accuracy():
    """e = 1e-5 x^2 (target 0), mean 0 and variance 1 on [-3, 3]: MSE = 1e-10 m_4 with
    m_4 in [1, 9]: m_4 >= m_2^2 = 1 (Rademacher) and m_4 <= h^2 m_2 = 9 ({-3, 0, 3} with
    weights 1/18, 8/9, 1/18).  The conic solver's tolerances are absolute, so the range
    [1e-10, 9e-10] is only resolved when the objective is unit-scaled before solving."""
    net = Network([Dense([[1]]), Polynomial([0, 0, 1e-5])])
    res = mse_range(net, Dense([[0]]), LawClass.standardised((-3, 3)))
    assert res.affine
    assert res.lower_outer == pytest.approx(1e-10, rel=SDP_REL)
    assert res.upper_outer == pytest.approx(9e-10, rel=SDP_REL)
    assert res.lower_attained == pytest.approx(1e-10, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(9e-10, rel=SDP_REL)


def test_large_bounded_values_on_the_line_are_not_called_unbounded():
    """e = 1e4 x (target 0), mean 0 and variance in [1, 4] on the real line: MSE = 1e8 m_2,
    in [1e8, 4e8].  Without a bounded support the range is solved under two trace caps and
    called unbounded when the value grows between them; solver noise on a value of 4e8
    (about 1e-8 relative, i.e. several units) must not count as growth."""
    res = mse_range(Dense([[1e4]]), Dense([[0]]), LawClass(cumulants={1: 0, 2: (1, 4)}))
    assert res.lower_outer == pytest.approx(1e8, rel=SDP_REL)
    assert res.upper_outer == pytest.approx(4e8, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(4e8, rel=SDP_REL)


def test_box_inner_search_polishes_starts_into_a_known_variance():
    """e = x1^2 x2^2 (target 0), mean 0 and variance 1 on [-2, 2]: MSE = m_4^2, with m_4 in
    [1, 4] (m_4 >= m_2^2 = 1, Rademacher; m_4 <= h^2 m_2 = 4, {-2, 0, 2} with weights 1/8,
    3/4, 1/8), so the range is [1, 16].  With max_size=0 the outer bound is the moment box
    and the inner one comes from SLSQP alone, started from equal weights on five equally
    spaced atoms (variance 2, outside the class) and random laws: the search must keep the
    known variance while moving atoms and weights to reach both ends."""
    net = Network([Dense([[1, 1], [1, -1]]), Polynomial([0, 0, 1]), Dense([[0.25, -0.25]]),
                   Polynomial([0, 0, 1])])
    laws = LawClass.standardised((-2, 2))
    res = mse_range(net, Dense([[0, 0]]), laws, max_size=0)
    assert res.method.startswith("moment-box-interval(K=8)")
    assert (res.lower_outer, res.upper_outer) == pytest.approx((1, 16), rel=SDP_REL)
    assert res.lower_attained == pytest.approx(1, rel=SDP_REL)
    assert res.upper_attained == pytest.approx(16, rel=SDP_REL)
    for law, value in ((res.lower_law, 1), (res.upper_law, 16)):
        assert laws.contains(law, tol=1e-8)
        assert enumerate_mse(net, Dense([[0, 0]]), law.atoms, law.weights) == \
            pytest.approx(value, rel=SDP_REL)
    # both extremal laws are unique: m_4 = m_2^2 forces x^2 = 1 a.s. (mean 0: weights 1/2);
    # m_4 = 4 m_2 forces x^2 (4 - x^2) = 0 a.s. (mean 0, variance 1: weights 1/8, 3/4, 1/8)
    assert res.lower_law.atoms == pytest.approx([-1, 1], abs=1e-6)
    assert res.lower_law.weights == pytest.approx([0.5, 0.5], abs=1e-6)
    assert res.upper_law.atoms == pytest.approx([-2, 0, 2], abs=1e-6)
    assert res.upper_law.weights == pytest.approx([1 / 8, 3 / 4, 1 / 8], abs=1e-6)


@pytest.mark.parametrize("K", [2, 4])
@pytest.mark.parametrize("support, lo, hi", [((-3, 3), 0, 9), ((-1, 2), 0, 4), ((1, 3), 1, 9)])
def test_relaxation_keeps_the_support_for_every_number_of_variables(K, support, lo, hi):
    """The range of m_2 over the laws on [a, b] is [min x^2, max x^2] over [a, b] (point
    masses).  An objective in one variable's moments is relaxed exactly for any number r of
    exchangeable variables: the univariate Hankel and localising matrices are principal
    submatrices of the r-variable ones, so the bound cannot be looser, and every law is
    feasible, so it cannot be tighter.  The localising matrix of (b - x_1)(x_1 - a) must
    therefore act on x_1 alone, for r = 1, 2, 3."""
    from cumulants.bounds.sdp import Relaxation

    res = resolve(LawClass(support=support), K)
    for r in (1, 2, 3):
        relax = Relaxation(m(2), res, r, 3)
        assert relax.solve("max")[1] == pytest.approx(hi, rel=SDP_REL)
        assert relax.solve("min")[1] == pytest.approx(lo, abs=9 * SDP_REL)


@pytest.mark.parametrize("K", [2, 4])
@pytest.mark.parametrize("support, lo", [((1, math.inf), 1), ((-math.inf, -2), 4)])
def test_relaxation_keeps_a_half_line_for_every_number_of_variables(K, support, lo):
    """On a half-line the localising constraint is the linear x_1 - a >= 0 (or b - x_1 >= 0):
    min m_2 is the squared end nearest 0 (a point mass there), for r = 1, 2, 3 variables
    by the same principal-submatrix argument as on an interval."""
    from cumulants.bounds.sdp import Relaxation

    res = resolve(LawClass(support=support), K)
    for r in (1, 2, 3):
        assert Relaxation(m(2), res, r, 1).solve("min")[1] == pytest.approx(lo, rel=SDP_REL)
