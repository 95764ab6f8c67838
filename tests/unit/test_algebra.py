"""Moment <-> cumulant conversion and cumulants of products, against independent oracles."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

import cumulants as cm
from cumulants.algebra import (
    bell_number,
    connected_partitions,
    cumulant_formula,
    integer_partitions,
    moment_formula,
    set_partitions,
)


def log_series_cumulants(moments):
    """Independent route: kappa_n = n! [t^n] log(1 + sum m_k t^k / k!)."""
    t = sympy.Symbol("t")
    n = len(moments)
    mgf = 1 + sum(m * t**k / sympy.factorial(k) for k, m in enumerate(moments, start=1))
    ser = sympy.series(sympy.log(mgf), t, 0, n + 1).removeO()
    return [sympy.expand(ser.coeff(t, k) * sympy.factorial(k)) for k in range(1, n + 1)]


@pytest.mark.parametrize("n", range(1, 8))
def test_symbolic_formula_matches_log_series(n):
    ms = sympy.symbols(f"m_1:{n + 1}", real=True)
    ours = cm.cumulants_from_moments(ms)
    assert [sympy.expand(a - b) for a, b in zip(ours, log_series_cumulants(list(ms)))] == [0] * n


def test_explicit_low_orders_math_md():
    m1, m2, m3, m4, m5 = sympy.symbols("m1:6")
    k = cm.cumulants_from_moments([m1, m2, m3, m4, m5])
    assert sympy.expand(k[3] - (m4 - 4 * m1 * m3 - 3 * m2**2 + 12 * m1**2 * m2 - 6 * m1**4)) == 0
    assert sympy.expand(k[4] - (m5 - 5 * m1 * m4 - 10 * m2 * m3 + 20 * m1**2 * m3
                                + 30 * m1 * m2**2 - 60 * m1**3 * m2 + 24 * m1**5)) == 0
    k1, k2, k3, k4, k5 = sympy.symbols("k1:6")
    mu = cm.moments_from_cumulants([k1, k2, k3, k4, k5])
    assert sympy.expand(mu[4] - (k5 + 5 * k4 * k1 + 10 * k3 * k2 + 10 * k3 * k1**2
                                 + 15 * k2**2 * k1 + 10 * k2 * k1**3 + k1**5)) == 0


def test_bell_polynomial_route():
    # mu'_n = B_n(kappa_1..kappa_n): complete Bell polynomial from sympy.bell.
    ks = sympy.symbols("k1:7")
    ours = cm.moments_from_cumulants(ks)
    for n in range(1, 7):
        bell = sum(sympy.bell(n, j, ks[: n - j + 1]) for j in range(1, n + 1))
        assert sympy.expand(ours[n - 1] - bell) == 0


def test_normal_moments_oracle():
    # docs/formulas.md §1.4: N(1, 4) raw moments.
    assert cm.moments_from_cumulants([1, 4, 0, 0, 0, 0]) == (1, 5, 13, 73, 281, 1741)
    assert cm.cumulants_from_moments([1, 5, 13, 73, 281, 1741]) == (1, 4, 0, 0, 0, 0)


def test_number_systems():
    out = cm.cumulants_from_moments([Fraction(1, 2), Fraction(1, 3)])
    assert out == (sympy.Rational(1, 2), sympy.Rational(1, 12))
    assert all(isinstance(v, sympy.Rational) for v in out)
    fl = cm.cumulants_from_moments([0.5, 1 / 3])
    assert all(isinstance(v, float) for v in fl)
    assert fl[1] == pytest.approx(1 / 12, rel=1e-15)
    arr = cm.cumulants_from_moments(np.array([[0.5, 1.0], [0.5, 2.0]]))
    assert isinstance(arr, np.ndarray) and arr.shape == (2, 2)
    np.testing.assert_allclose(arr[1], [0.25, 1.0])
    with mpmath.workdps(50):
        third = mpmath.mpf(1) / 3
        mp = cm.cumulants_from_moments([third, third])
        assert isinstance(mp[1], mpmath.mpf)
        assert abs(mp[1] - (third - third**2)) < mpmath.mpf(10) ** -48


def test_central_variants():
    # central=True: (mean, mu2, mu3, ...) with kappa_4 = mu4 - 3 mu2^2 and kappa_5 = mu5 - 10 mu2 mu3.
    mean, mu2, mu3, mu4, mu5 = sympy.symbols("a mu2 mu3 mu4 mu5")
    k = cm.cumulants_from_moments([mean, mu2, mu3, mu4, mu5], central=True)
    assert k[0] == mean and k[1] == mu2 and k[2] == mu3
    assert sympy.expand(k[3] - (mu4 - 3 * mu2**2)) == 0
    assert sympy.expand(k[4] - (mu5 - 10 * mu2 * mu3)) == 0
    # numeric central round trip against the raw route with a binomial shift
    raw = [2, 7, 30, 150]  # arbitrary raw moments
    kr = cm.cumulants_from_moments(raw)
    m1 = raw[0]
    central = [sum(sympy.binomial(n, j) * ([1] + raw)[j] * (-m1) ** (n - j) for j in range(n + 1))
               for n in range(2, 5)]
    assert cm.cumulants_from_moments([m1, *central], central=True) == kr
    assert cm.moments_from_cumulants(kr, central=True) == (m1, *central)


def test_formula_functions():
    assert cumulant_formula(1) == sympy.Symbol("m_1", real=True)
    assert cumulant_formula(3, central=True) == sympy.Symbol("mu_3", real=True)
    k = cm.kappas(4)
    assert sympy.expand(moment_formula(4, central=True) - (k[3] + 3 * k[1] ** 2)) == 0
    # order 30 formula has p(30) = 5604 terms
    assert len(cumulant_formula(30).args) == len(integer_partitions(30)) == 5604


def test_partition_counts():
    assert [bell_number(n) for n in range(10)] == [len(set_partitions(n)) for n in range(10)]
    # docs/formulas.md §8 oracle 18
    for sizes, connected, total in [((2, 2), 11, 15), ((2, 2, 2), 129, 203), ((2, 2, 2, 2), 2465, 4140)]:
        assert len(connected_partitions(sizes)) == connected
        assert len(set_partitions(sum(sizes))) == total


def test_kappa_symbols():
    assert cm.kappa(3) == sympy.Symbol("kappa_3", real=True)
    assert cm.kappas(3) == (cm.kappa(1), cm.kappa(2), cm.kappa(3))
    with pytest.raises(cm.CumulantError):
        cm.kappa(0)


# ------------------------------------------------------------- products (Leonov-Shiryaev)
def test_product_identity_three_atoms():
    s = cm.Cumulants.symbolic(3, 3, iid=False)
    got = cm.cumulant_of_products(s, [(0, 1), (2,)])
    want = s[0, 1, 2] + s[0] * s[1, 2] + s[1] * s[0, 2]
    assert sympy.expand(got - want) == 0


def test_products_scalar_formulas():
    s = cm.Cumulants.symbolic(1, 4)
    k1, k2, k3, k4 = s.marginal(0)
    assert sympy.expand(cm.cumulant_of_products(s, [(0, 0), (0,)]) - (k3 + 2 * k1 * k2)) == 0
    assert sympy.expand(cm.cumulant_of_products(s, [(0, 0), (0, 0)])
                        - (k4 + 4 * k1 * k3 + 2 * k2**2 + 4 * k1**2 * k2)) == 0


def test_covariance_of_squares_exponential_example():
    # (E1, E1 + E2), Ei ~ Exp(1): both sides of docs/formulas.md §1.5 equal 28.
    x = cm.Cumulants.iid(cm.distributions.Exponential(1), 2, 4)
    y = cm.layers.Dense([[1, 0], [1, 1]]).propagate(x)
    assert cm.cumulant_of_products(y, [(0, 0), (1, 1)]) == 28
    # direct: Cov(E1^2, (E1+E2)^2) from exact moments of Exp(1) (E[E^k] = k!)
    f = sympy.factorial
    ee = lambda a, b: f(a) * f(b)  # E[E1^a E2^b]
    e_y2 = ee(2, 0) + 2 * ee(1, 1) + ee(0, 2)
    e_x2y2 = ee(4, 0) + 2 * ee(3, 1) + ee(2, 2)
    assert e_x2y2 - ee(2, 0) * e_y2 == 28


def test_product_of_correlated_normals_oracle_13():
    rho = sympy.Rational(1, 2)
    g = cm.Cumulants.gaussian([0, 0], [[1, rho], [rho, 1]])
    got = [cm.cumulant_of_products(g, [(0, 1)] * n) for n in range(1, 6)]
    assert got == [sympy.Rational(1, 2), sympy.Rational(5, 4), sympy.Rational(13, 4),
                   sympy.Rational(123, 8), sympy.Rational(363, 4)]
    # closed form from the CGF, docs/formulas.md §1.6
    closed = [sympy.factorial(n - 1) / 2 * ((1 + rho) ** n + (-1) ** n * (1 - rho) ** n)
              for n in range(1, 6)]
    assert got == closed


def test_products_need_enough_order():
    s = cm.Cumulants.symbolic(1, 3)
    with pytest.raises(cm.InsufficientOrderError, match="order 4"):
        cm.cumulant_of_products(s, [(0, 0), (0, 0)])


@pytest.mark.parametrize("groups", ["01", [], [()], [(0, 5)], [(0, -1)], [(0.5,)]])
def test_products_bad_groups(groups):
    s = cm.Cumulants.symbolic(2, 2)
    with pytest.raises(cm.CumulantError):
        cm.cumulant_of_products(s, groups)


@pytest.mark.parametrize("bad", [[], "123", None, [1, float("nan")], [1, "a"], 5])
def test_conversion_bad_input(bad):
    with pytest.raises(cm.CumulantError):
        cm.cumulants_from_moments(bad)
    with pytest.raises(cm.CumulantError):
        cm.moments_from_cumulants(bad)
