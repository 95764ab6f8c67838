"""Contracts of cumulants.algebra that the second mutation pass found untested.

Expected values are derived without the library: noncentral chi-square cumulants,
exact rational arithmetic on the floats given, central-moment identities by hand.
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from cumulants.algebra import (
    cumulant_formula,
    cumulant_of_products,
    cumulants_from_moments,
    joint_cumulant_from_moments,
    moments_from_cumulants,
    partition_multiplicity,
    set_partitions,
)
from cumulants.algebra.polynomial import polynomial_cumulants, polynomial_ring
from cumulants.errors import CumulantError, InvalidCumulantsError, OrderTooHighError
from cumulants.state import Cumulants


def test_ring_element_input_gives_the_expression_result():
    """z + z^2/2 with z ~ N(1, 1): [2, 9/2, 13, 51, 252] (docs/formulas.md §8, oracle 5)."""
    _, (x,) = polynomial_ring(1)
    z = Cumulants.gaussian([1], [[1]], order=2)
    assert polynomial_cumulants([x + x**2 / 2], z, 5).marginal(0) == [2, sympy.Rational(9, 2), 13, 51, 252]


def test_square_of_a_float_independent_gaussian_is_noncentral_chi_square():
    """x ~ N(1, 1): x^2 is noncentral chi-square (k = 1, lambda = 1) with
    kappa_n = 2^(n-1) (n-1)! (k + n lambda): kappa_1 = 2, kappa_2 = 6."""
    x = sympy.Symbol("x_0")
    z = Cumulants.iid_cumulants([1.0, 1.0, 0.0, 0.0], 1)
    assert z.is_independent and z.domain == "float"
    out = polynomial_cumulants([x**2, 3 * x**2], z, 2)
    assert out.domain == "float"
    assert out.marginal(0) == pytest.approx([2.0, 6.0], rel=1e-14)
    assert out.marginal(1) == pytest.approx([6.0, 54.0], rel=1e-14)


def test_float_moments_are_converted_exactly_then_rounded():
    """kappa_2 = m_2 - m_1^2 of the floats given, computed in rationals and rounded once;
    a float evaluation of m_2 - m_1 * m_1 loses the answer to cancellation."""
    m1 = 1e8 + 1
    m2 = float((10**8 + 1) ** 2 + 1)
    exact = float(Fraction(m2) - Fraction(m1) ** 2)
    assert cumulants_from_moments([m1, m2])[1] == exact
    assert exact != m2 - m1 * m1  # the premise: the naive route differs
    ints = cumulants_from_moments([1, 5, 13])
    assert ints == (1, 4, 0) and all(isinstance(v, sympy.Integer) for v in ints)


def test_central_conversions_in_float_and_mpmath():
    """(mean, mu_2, mu_3, mu_4) = (1, 2, 0.5, 12): kappa_4 = mu_4 - 3 mu_2^2 = 0."""
    out = cumulants_from_moments([1.0, 2.0, 0.5, 12.0], central=True)
    assert out == (1.0, 2.0, 0.5, 0.0) and all(type(v) is float for v in out)
    back = moments_from_cumulants([1.0, 2.0, 0.5, 0.0], central=True)
    assert back == (1.0, 2.0, 0.5, 12.0) and all(type(v) is float for v in back)
    mp = [mpmath.mpf(v) for v in (1, 2, "0.5", 12)]
    out = cumulants_from_moments(mp, central=True)
    assert [float(v) for v in out] == [1.0, 2.0, 0.5, 0.0]
    assert all(isinstance(v, mpmath.mpf) for v in out)


def test_symbolic_central_conversions_keep_one_entry_per_order():
    mean, mu2, mu3, mu4 = sympy.symbols("m mu2 mu3 mu4")
    out = cumulants_from_moments([mean, mu2, mu3, mu4], central=True)
    assert len(out) == 4 and out[0] == mean and out[1] == mu2 and out[2] == mu3
    assert sympy.expand(out[3] - (mu4 - 3 * mu2**2)) == 0
    back = moments_from_cumulants(list(out), central=True)
    assert len(back) == 4 and sympy.expand(back[3] - mu4) == 0
    assert cumulant_formula(1, central=True) == 0


def test_moment_problem_messages():
    with pytest.raises(InvalidCumulantsError, match="variance m_2 - m_1\\^2 is negative"):
        cumulants_from_moments([1, 0.5], validate=True)
    # m_4 = 0.5 < m_2^2 = 1 with m_1 = m_3 = 0: the variance is fine, the Hankel matrix
    # [[1, 0, 1], [0, 1, 0], [1, 0, 0.5]] has determinant 0.5 - 1 < 0
    with pytest.raises(InvalidCumulantsError, match="Hankel matrix"):
        cumulants_from_moments([0, 1, 0, 0.5], validate=True)
    assert cumulants_from_moments([0, 1, 0, 3], validate=True) == (0, 1, 0, 0)


@pytest.mark.parametrize("bad", [None, np.array(3.0), np.array([]), np.zeros((0, 3))])
def test_degenerate_sequences_are_refused_cleanly(bad):
    with pytest.raises(CumulantError, match="sequence"):
        cumulants_from_moments(bad)


def test_joint_conversion_guards_its_work():
    moments = {}
    with pytest.raises(OrderTooHighError, match="len\\(indices\\)=40"):
        joint_cumulant_from_moments(moments.__getitem__, tuple(range(40)))
    with pytest.raises(CumulantError, match="non-negative integer indices"):
        joint_cumulant_from_moments(moments.__getitem__, (0, -1))


def test_set_partitions_guard_applies_when_no_block_is_cut():
    with pytest.raises(OrderTooHighError):
        set_partitions(30, max_block=30)
    assert len(set_partitions(30, max_block=1)) == 1


@pytest.mark.parametrize("parts", [(2, 0), (True, 1), (1.5,)])
def test_partition_multiplicity_refuses_non_block_sizes(parts):
    with pytest.raises(CumulantError, match="positive integers"):
        partition_multiplicity(parts)


def test_products_refuse_an_empty_group():
    s = Cumulants.univariate([0, 1, 0, 3])
    with pytest.raises(CumulantError, match="non-empty groups"):
        cumulant_of_products(s, [(0,), ()])


def test_two_atom_law_with_large_moments_passes_the_moment_check():
    """X = 100 B, B ~ Bernoulli(1/2): m_k = 100^k / 2; its Hankel matrix is singular (two atoms),
    so only a check on the rescaled matrix tells rounding from infeasibility.  Cumulants:
    kappa_n(B) = 1/2, 1/4, 0, -1/8, 0, 1/4 (p q (1 - 6 p q) and p q (1 - 30 p q + 120 p^2 q^2))."""
    m = [100.0**k / 2 for k in range(1, 7)]
    got = cumulants_from_moments(m, validate=True)
    want = [100.0**n * b for n, b in enumerate([0.5, 0.25, 0.0, -0.125, 0.0, 0.25], start=1)]
    assert got == pytest.approx(want, rel=1e-12, abs=1e-3)


def test_symbolic_joint_moments():
    """E[x0 x1] = kappa(0,1) + kappa(0) kappa(1), with symbols for every cumulant."""
    k0, k1, k01 = sympy.symbols("k0 k1 k01")
    table = {(0,): k0, (1,): k1, (0, 1): k01, (0, 0): 0, (1, 1): 0}
    from cumulants.algebra import joint_moment_from_cumulants

    assert sympy.expand(joint_moment_from_cumulants(table.__getitem__, (0, 1)) - (k01 + k0 * k1)) == 0


def test_smallest_partition_lists_and_formulas():
    assert set_partitions(0) == ((),)
    assert set_partitions(1) == (((0,),),)
    from cumulants.algebra import moment_formula

    assert moment_formula(1, central=True) == 0


def test_negative_mpmath_moments_convert_exactly():
    """m = (-1, 3): kappa_2 = 3 - 1 = 2; the mean keeps its sign."""
    out = cumulants_from_moments([mpmath.mpf(-1), mpmath.mpf(3)])
    assert [float(v) for v in out] == [-1.0, 2.0]
    out = cumulants_from_moments([mpmath.mpf("-0.5"), mpmath.mpf("0.5"), mpmath.mpf("-0.5")])
    # kappa_3 = m3 - 3 m2 m1 + 2 m1^3 = -0.5 + 0.75 - 0.25 = 0
    assert [float(v) for v in out] == [-0.5, 0.25, 0.0]


def test_integer_partitions_refuses_huge_n_without_counting():
    from cumulants.algebra import integer_partitions

    with pytest.raises(OrderTooHighError):
        integer_partitions(10**5)
    assert len(integer_partitions(10)) == 42  # p(10), Hardy & Wright table


def test_joint_cumulants_of_mpmath_moments():
    """x ~ N(1/2, 1): E x = 1/2, E x^2 = 5/4, E x^3 = m^3 + 3 m s^2 = 1/8 + 3/2 = 13/8;
    kappa(0,0) = 1 and kappa(0,0,0) = 0, returned as mpmath numbers."""
    table = {(0,): mpmath.mpf("0.5"), (0, 0): mpmath.mpf("1.25"), (0, 0, 0): mpmath.mpf("1.625")}
    k2 = joint_cumulant_from_moments(table.__getitem__, (0, 0))
    k3 = joint_cumulant_from_moments(table.__getitem__, (0, 0, 0))
    assert isinstance(k2, mpmath.mpf) and k2 == 1 and k3 == 0


@pytest.mark.parametrize("sizes", [(), (2, 0), (True, 2)])
def test_connected_partitions_refuse_bad_group_sizes(sizes):
    from cumulants.algebra import connected_partitions

    with pytest.raises(CumulantError, match="positive integers"):
        connected_partitions(sizes)


def test_validation_of_symbolic_and_central_moments():
    m1, m2 = sympy.symbols("m1 m2")
    assert cumulants_from_moments([m1, m2], validate=True) == (m1, m2 - m1**2)
    # mean 5 and central moments (2, 0, 12) of N(5, 2): valid, kappa = (5, 2, 0, 0)
    assert cumulants_from_moments([5, 2, 0, 12], central=True, validate=True) == (5, 2, 0, 0)
    with pytest.raises(InvalidCumulantsError):
        cumulants_from_moments([5, 2, 0, 1], central=True, validate=True)  # mu_4 < mu_2^2


def test_central_conversion_of_arrays_keeps_the_array_type():
    """Rows are orders, columns are laws: N(5, 2) and a law with mean -1, mu_2 = 1, mu_3 = 2."""
    arr = np.array([[5.0, -1.0], [2.0, 1.0], [0.0, 2.0], [12.0, 3.0]])
    out = cumulants_from_moments(arr, central=True)
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in out)
    assert [list(v) for v in out] == [[5.0, -1.0], [2.0, 1.0], [0.0, 2.0], [0.0, 0.0]]


def test_ring_polynomials_with_a_constant_output():
    """A network unit whose weights are all zero comes out as the plain number 0 among ring
    elements; z ~ N(0, 1): (z^2, 0) has mean (1, 0) and covariance [[2, 0], [0, 0]]."""
    _, (x,) = polynomial_ring(1)
    z = Cumulants.gaussian([0], [[1]])
    for polys in ([x**2, 0], [0, x**2]):
        out = polynomial_cumulants(polys, z, 2)
        i = polys.index(0)
        assert out[i] == 0 and out[i, i] == 0 and out[1 - i, 1 - i] == 2 and out[1 - i] == 1


def test_network_with_a_dead_unit_agrees_across_routes():
    import cumulants as cm

    net = cm.Network([cm.Dense([[1], [0]]), cm.Polynomial([0, 0, 1]), cm.Dense([[1, 1]])])
    z = Cumulants.gaussian([0], [[1]], order=2)
    assert net.propagate(z, 2, route="polynomial").marginal(0) == [1, 2]


def test_mpmath_networks_keep_every_digit():
    """x ~ N(1/3, 1), z = x/3 + 1/11, y = 1/13 + z + z^2/7, all at 40 digits:
    E y = 1/13 + mu + (s^2 + mu^2)/7 with mu = 1/9 + 1/11 = 20/99, s^2 = 1/9 (in rationals);
    the polynomial route must agree to 35 digits, not to the 16 of a float."""
    import cumulants as cm

    mu, s2 = Fraction(20, 99), Fraction(1, 9)
    want = Fraction(1, 13) + mu + (s2 + mu**2) / 7
    with mpmath.workdps(40):
        third = mpmath.mpf(1) / 3
        state = Cumulants.gaussian([third], [[mpmath.mpf(1)]], order=2)
        net = cm.Network([cm.Dense([[third]], [mpmath.mpf(1) / 11]),
                          cm.Polynomial([mpmath.mpf(1) / 13, 1, mpmath.mpf(1) / 7])])
        for route in ("polynomial", "layerwise"):
            got = net.propagate(state, 1, route=route)[0]
            assert isinstance(got, mpmath.mpf)
            assert abs(got - mpmath.mpf(want.numerator) / want.denominator) < mpmath.mpf(10) ** -35


def test_integer_arrays_convert_to_exact_integers():
    out = cumulants_from_moments(np.array([1, 5, 13]))
    assert out == (1, 4, 0) and all(isinstance(v, sympy.Integer) for v in out)


def test_joint_conversions_keep_fractions_and_minus_one():
    """Fraction moments give a Fraction: kappa_2 = 1/2 - (1/2)^2 = 1/4.  A cumulant equal to
    -1 is not mistaken for zero: E x^2 = kappa_2 + kappa_1^2 = 1 + 1 = 2."""
    from cumulants.algebra import joint_moment_from_cumulants

    m = {(0,): Fraction(1, 2), (0, 0): Fraction(1, 2)}
    k2 = joint_cumulant_from_moments(m.__getitem__, (0, 0))
    assert k2 == Fraction(1, 4) and isinstance(k2, Fraction)
    kap = {(0,): -1, (0, 0): 1}
    assert joint_moment_from_cumulants(kap.__getitem__, (0, 0)) == 2


def test_cross_covariance_of_two_different_outputs():
    """x ~ N(1, 1), outputs (x, x^2): cov = E x^3 - E x E x^2 = (1 + 3) - 1 * 2 = 2."""
    _, (x,) = polynomial_ring(1)
    z = Cumulants.gaussian([1], [[1]], order=2)
    out = polynomial_cumulants([x, x**2], z, 2)
    assert out[0, 1] == 2 and out[1, 1] == 6  # Var x^2 = 2 s^4 + 4 mu^2 s^2 = 6


def test_validation_with_three_moments_and_the_variance_message():
    assert cumulants_from_moments([0, 1, 0], validate=True) == (0, 1, 0)
    # m1 = 0.5, m2 = 0.2: m2 - m1^2 = -0.05 < 0 (while m2 - m1^3 would be positive)
    with pytest.raises(InvalidCumulantsError, match="variance m_2 - m_1\\^2 is negative"):
        cumulants_from_moments([0.5, 0.2], validate=True)
