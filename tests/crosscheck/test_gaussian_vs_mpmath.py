"""Closed forms and quadratures of Gaussian expectations against mpmath.quad at 30 digits.

The oracles here are written independently of the library: adaptive tanh-sinh
(:func:`mpmath.quad`) of the defining integral, a 1-D integral of the conditional mean
for pairs, and Rosenbaum's truncated-moment formula with Sheppard's integral for the
bivariate normal CDF.  Tolerances: 1e-12 relative for floats, 1e-25 for mpmath at 30 digits.
"""

import math

import mpmath
import numpy as np
import pytest
import sympy

from cumulants.layers.gaussian import (
    gaussian_covariance,
    gaussian_marginal_cumulants,
    gaussian_mean,
    gaussian_second_moment,
)
from cumulants.layers.hermite import dual_activation, hermite_coefficients

DPS = 30
MP = mpmath.mpf
F = {  # the activations, written out again with mpmath
    "relu": lambda x: x if x > 0 else MP(0),
    "heaviside": lambda x: MP(1) if x > 0 else MP(0),
    "erf": mpmath.erf,
    "gelu": lambda x: x * mpmath.ncdf(x),
    "tanh": mpmath.tanh,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "softplus": lambda x: mpmath.log(1 + mpmath.exp(x)),
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "exp": mpmath.exp,
}


def close(got, want, rel):
    return abs(got - want) <= rel * abs(want)


def _split_points(*kinks):
    """Interval ends for tanh-sinh: the bulk of N(0, 1) and each kink with its tail scale."""
    pts = {MP(x) for x in (-8, 0, 8)}
    for p in kinks:
        if abs(p) < 60:
            h = 1 / (1 + abs(p))
            pts |= {p, p - 4 * h, p + 4 * h} if abs(p) > 4 else {p}
    return [-mpmath.inf] + sorted(pts) + [mpmath.inf]


def quad_rel(f, pts):
    """mpmath.quad controls the absolute error: rescale by a first estimate so that tiny
    integrals (deep tails) get their relative digits too."""
    scale = mpmath.quad(f, pts)
    if abs(scale) > 1e-3:
        return scale
    return scale and mpmath.quad(lambda t: f(t) / scale, pts) * scale


def oracle_mean(name, mu, var, power=1):
    """E[f(mu + s t)^power] by tanh-sinh, split where f turns (z = 0)."""
    with mpmath.workdps(DPS + 5):
        mu, s = MP(mu), mpmath.sqrt(MP(var))
        return quad_rel(lambda t: F[name](mu + s * t) ** power * mpmath.npdf(t),
                        _split_points(-mu / s))


# ------------------------------------------------------------------- E[f(z)]
SMOOTH_GRID = [(0.5, 1.0), (1.0, 4.0), (-0.7, 0.25), (0.3, 1e-8)]
MONOTONE_GRID = SMOOTH_GRID + [(8.0, 1.0), (-20.0, 1.0), (-3.0, 100.0)]


@pytest.mark.parametrize("name", ["relu", "heaviside", "erf", "gelu"])
@pytest.mark.parametrize("mu,var", MONOTONE_GRID)
def test_closed_means_monotone(name, mu, var):
    _check_mean(name, mu, var)


@pytest.mark.parametrize("name", ["sin", "cos", "exp"])
@pytest.mark.parametrize("mu,var", SMOOTH_GRID)
def test_closed_means_trig_exp(name, mu, var):
    _check_mean(name, mu, var)


def _check_mean(name, mu, var):
    want = oracle_mean(name, mu, var)
    assert close(gaussian_mean(name, mu, var, method="closed"), float(want), 1e-12)
    got = gaussian_mean(name, mu, var, method="closed", backend="mpmath", dps=DPS)
    assert close(got, want, 1e-25)
    exact = gaussian_mean(name, sympy.Rational(mu), sympy.Rational(var),  # the same binary values
                          backend="sympy")
    assert close(sympy.N(exact, DPS + 10), sympy.Float(mpmath.nstr(want, DPS + 10), DPS + 10),
                 1e-25)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softplus"])
@pytest.mark.parametrize("mu,var", [(0.5, 1.0), (0.2, 0.01), (3.0, 25.0)])
def test_quadrature_means(name, mu, var):
    want = oracle_mean(name, mu, var)
    assert close(gaussian_mean(name, mu, var), float(want), 1e-12)
    assert close(gaussian_mean(name, mu, var, backend="mpmath", dps=DPS), want, 1e-25)


def test_gelu_mean_is_stein_formula_at_high_precision():
    # docs/formulas.md tags E[z Phi(z)] = mu Phi(mu/c) + (s^2/c) phi(mu/c) as derived: check at 40 digits
    for mu, var in ((0.0, 1.0), (-2.0, 3.0)):
        with mpmath.workdps(40):
            want = oracle_mean("gelu", mu, var)
        got = gaussian_mean("gelu", mu, var, backend="mpmath", dps=40)
        assert close(got, want, 1e-35)


# ------------------------------------------------------------ E[f(z1) f(z2)]
def _cond_mean(name, a, sd):
    """E[f(a + sd V)], V ~ N(0, 1): textbook one-dimensional forms."""
    if sd == 0:
        return F[name](a)
    if name == "relu":
        return a * mpmath.ncdf(a / sd) + sd * mpmath.npdf(a / sd)
    if name == "heaviside":
        return mpmath.ncdf(a / sd)
    if name == "erf":
        return mpmath.erf(a / mpmath.sqrt(1 + 2 * sd**2))
    damp = mpmath.exp(-sd**2 / 2)
    return {"sin": mpmath.sin(a) * damp, "cos": mpmath.cos(a) * damp,
            "exp": mpmath.exp(a + sd**2 / 2)}[name]


def oracle_pair(name, m1, m2, v1, v2, cov):
    """E[f(z1) f(z2)] = E[f(z2) E[f(z1) | z2]] by tanh-sinh over z2."""
    with mpmath.workdps(DPS + 5):
        m1, m2, v1, v2, cov = (MP(x) for x in (m1, m2, v1, v2, cov))
        s2 = mpmath.sqrt(v2)
        b = cov / s2
        sd = mpmath.sqrt(max(v1 * v2 - cov**2, 0) / v2)  # v1 v2 - cov^2 is exact here
        pts = _split_points(-m2 / s2, *([-m1 / b] if b else []))
        return quad_rel(lambda u: F[name](m2 + s2 * u) * _cond_mean(name, m1 + b * u, sd)
                        * mpmath.npdf(u), pts)


ZERO_MEAN_PAIRS = [(1, 1, 0.5), (4, 0.25, -0.9), (1, 1, 0.999999), (1, 1, -0.999999),
                   (1e-8, 1, 5e-5), (0.01, 100, 0.5)]
SQRT6 = 2.449489742783178  # |rho| within one rounding of 1


@pytest.mark.parametrize("name,v1,v2,cov", [
    (name, *case) for name in ("relu", "heaviside", "erf")
    for case in ZERO_MEAN_PAIRS[1 if name == "erf" else 0:] + [(2, 3, SQRT6), (2, 3, -SQRT6)]
    if name != "erf" or case[2] < 0.9])  # erf costs most in mpmath: fewer cases
def test_zero_mean_kernels(name, v1, v2, cov):
    want = oracle_pair(name, 0, 0, v1, v2, cov)
    got = gaussian_second_moment(name, 0, 0, v1, v2, cov, method="closed", backend="mpmath",
                                 dps=DPS)
    assert close(got, want, 1e-25)
    got = gaussian_second_moment(name, 0.0, 0.0, v1, v2, cov, method="closed")
    if abs(cov) != SQRT6:
        assert close(got, float(want), 1e-12)
    else:
        # rho = cov/sqrt(v1 v2) rounds to +-1 in floats; the Heaviside kernel is only
        # Holder-1/2 in rho there, the others Lipschitz
        atol = 1e-7 if name == "heaviside" else 1e-15
        assert abs(got - float(want)) < atol


@pytest.mark.parametrize("name", ["sin", "cos", "exp"])
@pytest.mark.parametrize("m1,m2,v1,v2,cov", [(0.3, -1.1, 1.0, 0.5, 0.4),
                                             (2.0, 0.5, 2.0, 2.0, -1.9), (0.1, 0.1, 1e-6, 1.0, 0)])
def test_trig_exp_pairs(name, m1, m2, v1, v2, cov):
    want = oracle_pair(name, m1, m2, v1, v2, cov)
    assert close(gaussian_second_moment(name, m1, m2, v1, v2, cov), float(want), 1e-12)
    got = gaussian_second_moment(name, m1, m2, v1, v2, cov, backend="mpmath", dps=DPS)
    assert close(got, want, 1e-25)


def _phi2(h, k, r):
    """Bivariate normal CDF by Sheppard's integral over theta in [0, arcsin r]."""
    return mpmath.ncdf(h) * mpmath.ncdf(k) + mpmath.quad(
        lambda t: mpmath.exp(-(h * h + k * k - 2 * h * k * mpmath.sin(t))
                             / (2 * mpmath.cos(t) ** 2)), [0, mpmath.asin(r)]) / (2 * mpmath.pi)


def _rosenbaum_relu(m1, m2, v1, v2, cov):
    """docs/formulas.md §3.3 general-mean ReLU cross moment (Rosenbaum 1961 truncated moments)."""
    with mpmath.workdps(DPS + 5):
        m1, m2, v1, v2, cov = (MP(x) for x in (m1, m2, v1, v2, cov))
        s1, s2 = mpmath.sqrt(v1), mpmath.sqrt(v2)
        r, a1, a2 = cov / (s1 * s2), m1 / s1, m2 / s2
        q = mpmath.sqrt(1 - r * r)
        dens2 = mpmath.exp(-(a1**2 - 2 * r * a1 * a2 + a2**2) / (2 * q * q)) / (2 * mpmath.pi * q)
        return ((m1 * m2 + cov) * _phi2(a1, a2, r)
                + m1 * s2 * mpmath.npdf(a2) * mpmath.ncdf((a1 - r * a2) / q)
                + m2 * s1 * mpmath.npdf(a1) * mpmath.ncdf((a2 - r * a1) / q)
                + s1 * s2 * (1 - r * r) * dens2)


GENERAL_PAIRS = [(1.0, -0.5, 4.0, 1.0, 0.8), (0.3, 0.2, 1.0, 1.0, -0.7),
                 (-2.5, -1.5, 1.0, 2.0, 1.2), (3.0, -4.0, 0.5, 0.5, 0.49),
                 (0.5, 0.5, 1.0, 1.0, 0.99999)]


@pytest.mark.parametrize("m1,m2,v1,v2,cov", GENERAL_PAIRS)
def test_relu_general_means_against_rosenbaum(m1, m2, v1, v2, cov):
    want = _rosenbaum_relu(m1, m2, v1, v2, cov)
    assert close(gaussian_second_moment("relu", m1, m2, v1, v2, cov), float(want), 1e-12)
    got = gaussian_second_moment("relu", m1, m2, v1, v2, cov, backend="mpmath", dps=DPS)
    assert close(got, want, 1e-25)
    if cov > 0.5:  # the formula of docs/formulas.md itself, against the conditional-mean integral
        assert close(want, oracle_pair("relu", m1, m2, v1, v2, cov), 1e-30)


@pytest.mark.parametrize("m1,m2,v1,v2,cov", GENERAL_PAIRS)
def test_heaviside_general_means_is_phi2(m1, m2, v1, v2, cov):
    with mpmath.workdps(DPS + 5):
        s1, s2 = math.sqrt(v1), math.sqrt(v2)
        want = _phi2(MP(m1) / mpmath.sqrt(v1), MP(m2) / mpmath.sqrt(v2),
                     MP(cov) / mpmath.sqrt(MP(v1) * v2))
    del s1, s2
    assert close(gaussian_second_moment("heaviside", m1, m2, v1, v2, cov), float(want), 1e-12)
    got = gaussian_second_moment("heaviside", m1, m2, v1, v2, cov, backend="mpmath", dps=DPS)
    assert close(got, want, 1e-25)


@pytest.mark.parametrize("m1,m2,v1,v2,cov", GENERAL_PAIRS[:2])
def test_erf_general_means(m1, m2, v1, v2, cov):
    want = oracle_pair("erf", m1, m2, v1, v2, cov)
    assert close(gaussian_second_moment("erf", m1, m2, v1, v2, cov), float(want), 1e-12)
    got = gaussian_second_moment("erf", m1, m2, v1, v2, cov, backend="mpmath", dps=DPS)
    assert close(got, want, 1e-25)


@pytest.mark.parametrize("name", ["relu", "heaviside"])
@pytest.mark.parametrize("mu,var", [(1.0, 4.0), (-2.0, 0.5), (5.0, 1.0)])
def test_same_variable_closed_forms(name, mu, var):
    want = oracle_mean(name, mu, var, power=2)
    assert close(gaussian_second_moment(name, mu, mu, var, var, var, method="closed"),
                 float(want), 1e-12)
    got = gaussian_second_moment(name, mu, mu, var, var, var, backend="mpmath", dps=DPS)
    assert close(got, want, 1e-25)


def test_quadrature_pairs_at_high_precision():
    # the generic 2-D rule (used for tanh, sigmoid, softplus) against a closed form
    args = ("cos", 0.3, -0.2, 1.2, 0.7, 0.5)
    exact = gaussian_second_moment(*args, backend="mpmath", dps=20)
    quad = gaussian_second_moment(*args, method="quad", backend="mpmath", dps=20)
    assert close(quad, exact, 1e-18)


def test_float_pairs_against_scipy():
    from scipy import integrate

    for name, f in (("tanh", np.tanh), ("softplus", lambda x: np.logaddexp(0, x))):
        m1, m2, v1, v2, cov = 0.4, -0.6, 2.0, 0.8, -0.9
        det = v1 * v2 - cov**2

        def dens(y, x):
            d1, d2 = x - m1, y - m2
            return math.exp(-(v2 * d1 * d1 - 2 * cov * d1 * d2 + v1 * d2 * d2) / (2 * det)) / (
                2 * math.pi * math.sqrt(det))

        want = integrate.dblquad(lambda y, x: f(x) * f(y) * dens(y, x), -15, 15, -13, 13,
                                 epsabs=1e-14, epsrel=1e-13)[0]
        assert close(gaussian_second_moment(name, m1, m2, v1, v2, cov), want, 1e-10)


@pytest.mark.slow
def test_relu_and_erf_against_two_dimensional_quadrature():
    with mpmath.workdps(20):
        m1, m2, v1, v2, c = MP(1), MP(-0.5), MP(4), MP(1), MP(0.8)
        s2, b = mpmath.sqrt(v2), c / mpmath.sqrt(v2)
        sd = mpmath.sqrt(v1 - c * c / v2)

        def inner(u):
            # E[relu(a + sd W)] = a Phi(a/sd) + sd phi(a/sd), the textbook truncated-Gaussian
            # mean, in place of a nested quadrature (same integral, 100x cheaper); the
            # library's value comes from the arc-cosine kernel, a different route.
            a = m1 + b * u
            return a * mpmath.ncdf(a / sd) + sd * mpmath.npdf(a / sd)

        want = mpmath.quad(lambda u: (m2 + s2 * u) * inner(u) * mpmath.npdf(u),
                           [-m2 / s2, mpmath.inf])
    got = gaussian_second_moment("relu", 1, -0.5, 4, 1, 0.8, backend="mpmath", dps=20)
    assert close(got, want, 1e-17)


# --------------------------------------------------------------- cumulants
def test_marginal_cumulants_at_30_digits():
    with mpmath.workdps(45):
        raw = [oracle_mean("relu", 1, 4, power=k) for k in range(1, 5)]  # at 35 digits
        m1, m2, m3, m4 = raw
        kap = [m1, m2 - m1**2, m3 - 3 * m2 * m1 + 2 * m1**3,
               m4 - 4 * m3 * m1 - 3 * m2**2 + 12 * m2 * m1**2 - 6 * m1**4]
    got = gaussian_marginal_cumulants("relu", 1, 4, 4, backend="mpmath", dps=DPS)
    assert all(close(g, k, 1e-25) for g, k in zip(got, kap))
    assert all(close(g, float(k), 1e-12)
               for g, k in zip(gaussian_marginal_cumulants("relu", 1.0, 4.0, 4), kap))
    got = gaussian_marginal_cumulants("tanh", 0.5, 2.0, 3, backend="mpmath", dps=DPS)
    with mpmath.workdps(45):
        t = [oracle_mean("tanh", 0.5, 2.0, power=k) for k in (1, 2, 3)]
        want = [t[0], t[1] - t[0]**2, t[2] - 3 * t[1] * t[0] + 2 * t[0]**3]
    assert all(close(g, k, 1e-25) for g, k in zip(got, want))


# ------------------------------------------------------------------ Hermite
def _he(n, x):  # probabilists' from physicists' (pitfall 9.3): He_n(x) = 2^{-n/2} H_n(x/sqrt2)
    return mpmath.hermite(n, x / mpmath.sqrt(2)) / mpmath.sqrt(2) ** n


@pytest.mark.parametrize("name,mu,var", [("tanh", 0.5, 2.0), ("relu", -0.4, 0.6)])
def test_hermite_coefficients_at_30_digits(name, mu, var):
    got = hermite_coefficients(name, 4, mu, var, backend="mpmath", dps=DPS)
    with mpmath.workdps(DPS + 5):
        mu, s = MP(mu), mpmath.sqrt(MP(var))
        for n in range(5):
            want = mpmath.quad(lambda t: F[name](mu + s * t) * _he(n, t) * mpmath.npdf(t),
                               _split_points(-mu / s)) / mpmath.factorial(n)
            assert abs(got[n] - want) <= 1e-25 * max(abs(want), MP(10) ** -5)


def test_dual_activation_high_precision():
    with mpmath.workdps(40):
        r = MP("0.5")
        t = mpmath.acos(r)
        arccos = (mpmath.sin(t) + (mpmath.pi - t) * mpmath.cos(t)) / (2 * mpmath.pi)
    got = dual_activation("relu", "0.5", 120, backend="mpmath", dps=DPS)
    # the tail sum_{n >= 120} c_n^2 n! 2^-n is below 1e-37
    assert abs(got - arccos) < 1e-28
    assert gaussian_covariance("relu", 0, 0, 1, 1, 0.5) == pytest.approx(
        float(arccos) - 1 / (2 * math.pi), rel=1e-14)
