"""Gaussian expectations of activations and Hermite projections: oracles, laws, errors.

Expected numbers come from docs/formulas.md §8 (oracles 6-11) or from formulas written out here
independently of the library (numpy's Hermite module, samples, Parseval).
"""

import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy
from numpy.polynomial import hermite_e as H

from cumulants.errors import CumulantError, InvalidParameterError, MethodUnavailableError
from cumulants.layers.gaussian import (
    _psd_clip,
    activation,
    activation_names,
    expectation,
    gaussian_covariance,
    gaussian_marginal_cumulants,
    gaussian_mean,
    gaussian_moments_matrix,
    gaussian_second_moment,
)
from cumulants.layers.hermite import (
    dual_activation,
    hermite_coefficients,
    hermite_e,
    hermite_surrogate,
)

NAMES = ["relu", "tanh", "erf", "gelu", "sigmoid", "heaviside", "sin", "cos", "exp",
         "softplus", "identity"]


# ------------------------------------------------------------------------ registry
def test_registry_has_every_documented_name():
    assert sorted(NAMES) == list(activation_names())


@pytest.mark.parametrize("name", NAMES)
def test_three_number_systems_agree_pointwise(name):
    act = activation(name)
    x = sympy.Symbol("x")
    for t in (-2.5, -0.3, 0.7, 3.0):
        expected = float(act.sympy(x).subs(x, sympy.Rational(str(t))).evalf(30))
        assert act(np.array([t]))[0] == pytest.approx(expected, rel=1e-14, abs=1e-300)
        assert float(act(mpmath.mpf(t), "mpmath")) == pytest.approx(expected, rel=1e-14)


def test_float_forms_are_vectorised_and_stable():
    x = np.linspace(-800, 800, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("sigmoid", "softplus", "tanh", "gelu", "erf"):
            y = activation(name)(x)
            assert y.shape == x.shape and np.all(np.isfinite(y))
    assert activation("sigmoid")(np.array([-700.0]))[0] == pytest.approx(math.exp(-700))


# ------------------------------------------------------------- docs/formulas.md §8 oracles
def test_oracle_6_relu_standard_normal():
    assert gaussian_mean("relu", 0.0, 1.0) == pytest.approx(0.398942280401, abs=1e-12)
    assert gaussian_second_moment("relu", 0, 0, 1, 1, 1) == pytest.approx(0.5, abs=1e-15)
    k = gaussian_marginal_cumulants("relu", 0.0, 1.0, 4)
    assert k == pytest.approx([0.398942280401, 0.340845056908, 0.326458412069,
                               0.279708338353], abs=1e-12)


def test_oracle_7_relu_shifted():
    assert gaussian_mean("relu", 1.0, 4.0) == pytest.approx(1.3955931148026, abs=1e-13)
    assert gaussian_second_moment("relu", 1, 1, 4, 4, 4) == pytest.approx(4.1614429599,
                                                                          abs=1e-10)
    assert gaussian_marginal_cumulants("relu", 1.0, 4.0, 2)[1] == pytest.approx(
        2.2137628178142, abs=1e-13)
    assert gaussian_covariance("relu", 1, 1, 4, 4, 4) == pytest.approx(2.2137628178142,
                                                                       abs=1e-13)


def test_oracle_8_9_10_pair_kernels():
    assert gaussian_second_moment("relu", 0, 0, 1, 1, 0.5) == pytest.approx(
        0.30449889052211, abs=1e-14)
    assert gaussian_second_moment("heaviside", 0, 0, 1, 1, 0.5) == pytest.approx(1 / 3,
                                                                               abs=1e-15)
    assert gaussian_second_moment("erf", 0, 0, 1, 1, 0.5) == pytest.approx(
        0.21634689593879, abs=1e-14)
    exact = gaussian_second_moment("heaviside", 0, 0, 1, 1, sympy.Rational(1, 2),
                                   backend="sympy")
    assert exact == sympy.Rational(1, 3)


def test_oracle_11_mehler_for_hermite_polynomials():
    he = {n: (lambda z, n=n: H.hermeval(z, [0] * n + [1])) for n in (2, 3, 4)}
    rho = 0.3
    for n, value in ((2, 0.18), (3, 0.162), (4, 0.1944)):
        assert gaussian_second_moment(he[n], 0, 0, 1, 1, rho) == pytest.approx(value, abs=1e-13)
    # E[He2 He3] = 0 through the cross term of f = He2 + He3
    f = lambda z: he[2](z) + he[3](z)  # noqa: E731
    assert gaussian_second_moment(f, 0, 0, 1, 1, rho) == pytest.approx(0.18 + 0.162, abs=1e-13)
    z = sympy.Symbol("z")
    exact = gaussian_second_moment(lambda t: sympy.hermite_prob(2, t) + sympy.hermite_prob(3, t),
                                   0, 0, 1, 1, sympy.Rational(3, 10), backend="sympy")
    assert exact == sympy.Rational(171, 500)
    # the spurious 2 pi of pitfall 9.5 is absent
    assert exact != 2 * sympy.pi * sympy.Rational(171, 500)
    del z


# ---------------------------------------------------------------- special cases
def test_zero_variance_is_the_point_value():
    for name in NAMES:
        assert gaussian_mean(name, 0.7, 0.0) == pytest.approx(float(activation(name)(0.7)))
    assert gaussian_second_moment("tanh", 0.7, -0.2, 0.0, 2.0, 0.0) == pytest.approx(
        math.tanh(0.7) * gaussian_mean("tanh", -0.2, 2.0))
    assert gaussian_marginal_cumulants("relu", 0.5, 0, 3) == [0.5, 0.0, 0.0]
    assert hermite_surrogate("tanh", 2, 0.5, 0).tolist() == [math.tanh(0.5), 0.0, 0.0]


@pytest.mark.parametrize("sign", [1, -1])
def test_perfect_correlation(sign):
    v1, v2 = 2.0, 0.5
    cov = sign * math.sqrt(v1 * v2)
    relu = gaussian_second_moment("relu", 0, 0, v1, v2, cov)
    assert relu == pytest.approx(math.sqrt(v1 * v2) / 2 if sign > 0 else 0.0, abs=1e-15)
    assert gaussian_second_moment("heaviside", 0, 0, v1, v2, cov) == pytest.approx(
        0.5 if sign > 0 else 0.0, abs=1e-15)
    # rounding just past |rho| = 1 is clipped, not an error
    assert gaussian_second_moment("relu", 0, 0, v1, v2, cov * (1 + 1e-15)) == pytest.approx(
        relu, abs=1e-14)
    # general means at rho = +-1: z1 is an affine function of z2
    a = gaussian_second_moment("relu", 0.3, -0.4, v1, v2, cov)
    b = expectation(lambda z: np.maximum(0.3 + sign * (z + 0.4) * 2, 0) * np.maximum(z, 0),
                    -0.4, v2, breakpoints=[-0.4 - sign * 0.15, 0.0])
    assert a == pytest.approx(b, rel=1e-12)


def test_tails_do_not_underflow_or_cancel():
    # E[(a + Z)_+] = phi(a) + a Phi(a) at a = -30, in closed form; float would cancel
    with mpmath.workdps(40):
        exact = float(mpmath.npdf(-30) - 30 * mpmath.ncdf(-30))
        var_exact = float(_relu_var_mp(mpmath.mpf(30)))
    assert gaussian_mean("relu", -30.0, 1.0) == pytest.approx(exact, rel=1e-13)
    assert gaussian_mean("heaviside", -30.0, 1.0) == pytest.approx(4.906713927148187e-198,
                                                                  rel=1e-13)
    assert gaussian_covariance("relu", 30, 30, 1, 1, 1) == pytest.approx(var_exact, rel=1e-13)
    # far from the kink ReLU is the identity: Cov = 0.5 up to e^{-450}, from a centred
    # integral rather than E[ff] - m1 m2 = 900.5 - 900
    assert gaussian_covariance("relu", 30, 30, 1, 1, 0.5) == pytest.approx(0.5, rel=1e-14)
    # one unit deep in its lower tail: Cov = E[relu(z2) (z2 + 30)]/2 up to e^{-450}
    with mpmath.workdps(40):
        a = mpmath.mpf(-30)
        sr = mpmath.npdf(a) + a * mpmath.ncdf(a)
        t2 = (a * a + 1) * mpmath.ncdf(a) + a * mpmath.npdf(a)
        tail = float((t2 + 30 * sr) / 2)
    assert gaussian_covariance("relu", 30, -30, 1, 1, 0.5) == pytest.approx(tail, rel=1e-12)


def _relu_var_mp(a):
    sr = mpmath.npdf(a) + a * mpmath.ncdf(a)
    return (a * a + 1) * mpmath.ncdf(a) + a * mpmath.npdf(a) - sr * sr


def test_covariance_is_direct_and_consistent():
    for name in ("relu", "erf", "gelu", "heaviside", "sin", "cos", "exp", "tanh"):
        args = (name, 0.4, -0.3, 1.5, 0.8, 0.6)
        second = gaussian_second_moment(*args)
        m1, m2 = gaussian_mean(name, 0.4, 1.5), gaussian_mean(name, -0.3, 0.8)
        assert gaussian_covariance(*args) == pytest.approx(second - m1 * m2, rel=1e-12,
                                                           abs=1e-15)
    # exp with tiny covariance: expm1 keeps every digit
    got = gaussian_covariance("exp", 3.0, 3.0, 1e-9, 1e-9, 1e-9)
    assert got == pytest.approx(math.exp(6 + 1e-9) * math.expm1(1e-9), rel=1e-15)


# ---------------------------------------------------------------- methods agree
@pytest.mark.parametrize("name", ["relu", "erf", "gelu", "heaviside", "sin", "exp"])
def test_methods_agree_for_pairs(name):
    for mus in ((0.0, 0.0), (0.5, -1.2)):
        args = (name, *mus, 1.3, 0.7, -0.55)
        values = {}
        for method in ("auto", "closed", "reduce", "quad"):
            try:
                values[method] = gaussian_second_moment(*args, method=method)
            except MethodUnavailableError:
                assert method in ("closed", "reduce")
        ref = values["auto"]
        for method, v in values.items():
            assert v == pytest.approx(ref, rel=1e-12, abs=1e-14), method


@pytest.mark.parametrize("name", ["relu", "erf", "gelu", "heaviside", "sin", "cos", "exp"])
def test_mean_closed_equals_quadrature(name):
    for mu, var in ((0.0, 1.0), (1.5, 0.3), (-2.0, 5.0)):
        closed = gaussian_mean(name, mu, var, method="closed")
        quad = gaussian_mean(name, mu, var, method="quad")
        assert quad == pytest.approx(closed, rel=1e-13, abs=1e-15)


def test_backends_agree():
    for name in ("relu", "gelu", "erf", "heaviside", "sin", "exp"):
        f = gaussian_mean(name, 0.75, 1.5)
        m = gaussian_mean(name, 0.75, 1.5, backend="mpmath", dps=30)
        s = gaussian_mean(name, sympy.Rational(3, 4), sympy.Rational(3, 2), backend="sympy")
        assert isinstance(m, mpmath.mpf)
        assert abs(sympy.N(s, 40) - sympy.Float(mpmath.nstr(m, 40), 40)) < 1e-28
        assert f == pytest.approx(float(m), rel=1e-14)
    mu, s = sympy.symbols("mu sigma", positive=True)
    symbolic = gaussian_mean("relu", mu, s**2, backend="sympy")
    assert symbolic.has(sympy.erfc) and symbolic.free_symbols == {mu, s}


def test_mpmath_does_not_touch_global_precision():
    before = mpmath.mp.dps
    value = gaussian_mean("tanh", 0.5, 2.0, backend="mpmath", dps=40)
    assert mpmath.mp.dps == before
    with mpmath.workdps(40):
        assert abs(value - mpmath.quad(lambda t: mpmath.tanh(0.5 + mpmath.sqrt(2) * t)
                                       * mpmath.npdf(t), [-mpmath.inf, -0.35, mpmath.inf])
                   ) < mpmath.mpf(10) ** -35


def test_sympy_exact_for_polynomials():
    mu, v = sympy.symbols("mu v", positive=True)
    assert gaussian_mean(lambda z: z**4, mu, v, backend="sympy") == sympy.expand(
        mu**4 + 6 * mu**2 * v + 3 * v**2)
    kap = gaussian_marginal_cumulants(lambda z: z**2, 1, 1, 5, backend="sympy")
    assert kap == [2, 6, 32, 240, 2304]  # docs/formulas.md §8 oracle 3
    kap = gaussian_marginal_cumulants("relu", 0, 1, 2, backend="sympy")
    assert sympy.simplify(kap[1] - (sympy.Rational(1, 2) - 1 / (2 * sympy.pi))) == 0


# --------------------------------------------------------------- layer map
def test_moments_matrix_matches_pairs_and_is_psd():
    mean = [0.2, -0.5, 1.0]
    cov = [[1.0, 0.3, -0.2], [0.3, 0.5, 0.1], [-0.2, 0.1, 2.0]]
    m, second, c = gaussian_moments_matrix("gelu", mean, cov)
    assert np.array_equal(c, c.T) and np.array_equal(second, second.T)
    assert np.linalg.eigvalsh(c).min() > 0
    assert second[0, 2] == pytest.approx(gaussian_second_moment("gelu", 0.2, 1.0, 1.0, 2.0,
                                                                -0.2), rel=1e-13)
    assert np.allclose(second - np.outer(m, m), c, rtol=1e-13, atol=1e-15)


def test_moments_matrix_rank_deficient_input_is_clipped_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m, second, c = gaussian_moments_matrix("relu", [0.3, 0.3], [[1.0, 1.0], [1.0, 1.0]])
    assert np.linalg.eigvalsh(c).min() > -1e-15


def test_psd_clip_warns_beyond_rounding():
    with pytest.warns(RuntimeWarning, match="clipped"):
        out = _psd_clip(np.array([[1.0, 2.0], [2.0, 1.0]]), "float")
    assert np.linalg.eigvalsh(out).min() > -1e-15
    assert np.allclose(out, [[1.5, 1.5], [1.5, 1.5]])


def test_moments_matrix_backends():
    cov = [[1, sympy.Rational(1, 2)], [sympy.Rational(1, 2), 1]]
    m, second, c = gaussian_moments_matrix("heaviside", [0, 0], cov, backend="sympy")
    assert second[0, 1] == sympy.Rational(1, 3) and c[0, 0] == sympy.Rational(1, 4)
    mm, ms, mc = gaussian_moments_matrix("erf", [0.1, -0.1], [[1, 0.5], [0.5, 1]],
                                         backend="mpmath", dps=25)
    fm, fs, fc = gaussian_moments_matrix("erf", [0.1, -0.1], [[1, 0.5], [0.5, 1]])
    assert np.allclose(np.array(mc, dtype=float), fc, rtol=1e-13)


def test_moments_matrix_against_samples(rng):
    mean = np.array([0.3, -0.8, 1.1])
    cov = np.array([[1.0, 0.6, -0.3], [0.6, 2.0, 0.4], [-0.3, 0.4, 0.7]])
    m, second, c = gaussian_moments_matrix("tanh", mean, cov)
    y = np.tanh(rng.multivariate_normal(mean, cov, size=400_000))
    n = len(y)
    se_mean = y.std(axis=0, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(y.mean(axis=0) - m) < 4 * se_mean)
    d = y - y.mean(axis=0)
    for i in range(3):
        for j in range(i, 3):
            prod = d[:, i] * d[:, j]
            se = prod.std(ddof=1) / math.sqrt(n)
            assert abs(prod.mean() * n / (n - 1) - c[i, j]) < 4 * se, (i, j)


# ------------------------------------------------------------------------ errors
def test_unknown_activation_lists_valid_names():
    with pytest.raises(MethodUnavailableError, match="relu") as info:
        gaussian_mean("swish", 0, 1)
    for name in NAMES:
        assert name in str(info.value)


def test_invalid_parameters():
    with pytest.raises(InvalidParameterError, match="var"):
        gaussian_mean("relu", 0.0, -1.0)
    with pytest.raises(InvalidParameterError, match="mu"):
        gaussian_mean("relu", float("nan"), 1.0)
    with pytest.raises(InvalidParameterError, match="positive semidefinite"):
        gaussian_second_moment("relu", 0, 0, 1, 1, 1.01)
    with pytest.raises(InvalidParameterError, match="positive semidefinite"):
        gaussian_moments_matrix("tanh", [0, 0], [[1, 2], [2, 1]])
    with pytest.raises(InvalidParameterError, match="symmetric"):
        gaussian_moments_matrix("tanh", [0, 0], [[1, 0.2], [0.1, 1]])
    with pytest.raises(InvalidParameterError, match="cov_matrix"):
        gaussian_moments_matrix("tanh", [0, 0, 0], np.eye(2))
    with pytest.raises(InvalidParameterError):
        gaussian_moments_matrix("tanh", [0, 0], [[1, 0], [0, float("nan")]])
    with pytest.raises(InvalidParameterError, match="order"):
        gaussian_marginal_cumulants("relu", 0, 1, 0)
    with pytest.raises(InvalidParameterError, match="rho"):
        dual_activation("relu", 1.5)


def test_unavailable_methods_name_the_fix():
    with pytest.raises(MethodUnavailableError, match="quad"):
        gaussian_mean("tanh", 0, 1, method="closed")
    with pytest.raises(MethodUnavailableError, match="quad"):
        gaussian_second_moment("tanh", 0, 0, 1, 1, 0.5, method="reduce")
    with pytest.raises(MethodUnavailableError, match="reduce"):
        gaussian_second_moment("relu", 1, 0, 1, 1, 0.5, method="closed")
    with pytest.raises(MethodUnavailableError, match="backend"):
        gaussian_mean("tanh", 0, 1, backend="sympy")
    for order in (1, 3):  # no exact cumulants of a non-polynomial f, at any order
        with pytest.raises(MethodUnavailableError, match="no exact cumulants of f"):
            gaussian_marginal_cumulants("tanh", 0, 1, order, backend="sympy")
    with pytest.raises(MethodUnavailableError, match="numerical"):
        gaussian_second_moment("relu", 0, 0, 1, 1, 0.5, method="quad", backend="sympy")
    with pytest.raises(MethodUnavailableError, match="backend"):
        gaussian_mean("relu", 0, 1, backend="jax")
    with pytest.raises(MethodUnavailableError, match="method"):
        gaussian_mean("relu", 0, 1, method="montecarlo")
    with pytest.raises(MethodUnavailableError, match="quad"):
        hermite_coefficients("tanh", 3, method="closed")
    assert issubclass(MethodUnavailableError, CumulantError)


# ------------------------------------------------------------------------ Hermite
def test_hermite_polynomials_match_numpy_and_sympy():
    t = sympy.Symbol("t")
    for n in range(9):
        assert hermite_e(n) == [int(x) for x in H.herme2poly([0] * n + [1])]
        assert sympy.Poly(sympy.hermite_prob(n, t), t).all_coeffs()[::-1] == hermite_e(n)


@pytest.mark.parametrize("mu, var", [(0, 1), (0.5, 2.0)])
@pytest.mark.parametrize("coeffs", [[0, 0, 0, 0, 1], [1, -2, 0, 0, 0, 1], [0.3, 0, -1, 2]])
def test_quadrature_hermite_coefficients_of_polynomials(coeffs, mu, var):
    """c_n = E[f(mu + s Z) He_n(Z)] / n! by the library's quadrature vs numpy's basis change.

    Oracle: expand f(mu + s z) as a polynomial in z, then numpy's poly2herme (pure
    algebra, no integration); a wrongly normalised rule (pitfall 9.4: Gauss-Hermite
    weights sum to sqrt(2 pi)) or a missing 1/n! shows as a factor.  Tolerance: the
    rule integrates these low-degree polynomials exactly, so only rounding remains
    (~1e-15 x the largest coefficient, <= 40 here); 1e-11 leaves a wide margin.
    """
    s = math.sqrt(var)
    f = np.polynomial.Polynomial(coeffs)
    g = f(np.polynomial.Polynomial([mu, s]))            # f(mu + s z) in powers of z
    expected = H.poly2herme(g.coef)
    got = hermite_coefficients(lambda x: f(x), len(coeffs) + 1, mu, var, method="quad")
    expected = np.concatenate([expected, np.zeros(len(got) - len(expected))])
    np.testing.assert_allclose(got, expected, atol=1e-11)


def test_relu_coefficients_match_math_reference():
    c = hermite_coefficients("relu", 7)
    phi0 = 1 / math.sqrt(2 * math.pi)
    assert c[:3] == pytest.approx([phi0, 0.5, phi0 / 2], rel=1e-15)
    assert c[4] == pytest.approx(-0.016623, abs=5e-7)
    assert c[6] == pytest.approx(0.0016623, abs=5e-8)
    assert c[3] == 0 and c[5] == 0 and c[7] == 0
    for n in range(2, 8):  # phi(0) He_{n-2}(0)/n!
        assert c[n] == pytest.approx(phi0 * H.hermeval(0.0, [0] * (n - 2) + [1])
                                     / math.factorial(n), rel=1e-15, abs=1e-300)  # a few ulps


@pytest.mark.parametrize("name,mu,var", [("relu", 0.7, 2.0), ("heaviside", -0.4, 0.5),
                                         ("erf", 0.3, 1.7), ("exp", -0.5, 0.8),
                                         ("sin", 1.1, 0.6), ("cos", 0.2, 3.0),
                                         ("identity", 2.0, 0.3)])
def test_closed_hermite_coefficients_equal_quadrature(name, mu, var):
    closed = hermite_coefficients(name, 12, mu, var, method="closed")
    quad = hermite_coefficients(name, 12, mu, var, method="quad")
    assert np.allclose(quad, closed, rtol=1e-11, atol=1e-14)


def test_dual_activation_reproduces_kernels():
    assert dual_activation("relu", 0.5, 40) == pytest.approx(0.30449889052211, abs=1e-13)
    rho = 0.5
    assert dual_activation("erf", rho, 60) == pytest.approx(
        2 / math.pi * math.asin(2 * rho / 3), abs=1e-13)
    assert dual_activation("tanh", -0.6, 60) == pytest.approx(
        gaussian_second_moment("tanh", 0, 0, 1, 1, -0.6), abs=1e-12)


def test_surrogate_of_a_polynomial_is_the_polynomial():
    f = lambda z: z**3 - z  # noqa: E731
    for degree in (3, 5):
        got = hermite_surrogate(f, degree, 0.5, 2.0)
        assert np.allclose(got, [0, -1, 0, 1] + [0] * (degree - 3), atol=1e-12)
        got = hermite_surrogate(f, degree, 0.5, 2.0, backend="mpmath", dps=30)
        assert all(abs(a - b) < 1e-25 for a, b in zip(got, [0, -1, 0, 1] + [0] * (degree - 3)))
    mu, v = sympy.symbols("mu v", positive=True)
    assert hermite_surrogate(lambda z: z**3 - z, 4, mu, v, backend="sympy") == [0, -1, 0, 1, 0]


def test_surrogate_mean_is_the_closure_mean():
    mu, var = 0.3, 0.8
    for name in ("tanh", "relu", "softplus"):
        a = hermite_surrogate(name, 10, mu, var)
        # E[z^k] for z ~ N(mu, var), from the moment recursion m_k = mu m_{k-1} + (k-1) var m_{k-2}
        m = [1.0, mu]
        for k in range(2, len(a)):
            m.append(mu * m[-1] + (k - 1) * var * m[-2])
        assert float(np.dot(a, m)) == pytest.approx(gaussian_mean(name, mu, var), rel=1e-11)


def test_surrogate_second_moment_increases_to_the_closure_value():
    # Parseval: E[p_N(z)^2] = sum_{n <= N} c_n^2 n!  increases to E[f(z)^2]
    c = hermite_coefficients("tanh", 30, 0.2, 1.5)
    partial = np.cumsum(c**2 * [math.factorial(n) for n in range(31)])
    assert np.all(np.diff(partial) >= 0)
    full = gaussian_second_moment("tanh", 0.2, 0.2, 1.5, 1.5, 1.5)
    assert 0 < full - partial[-1] < 1e-5 and full - partial[5] > 1e-3


def test_sympy_pair_of_a_polynomial_callable():
    """A callable without a closed-form covariance goes through the exact sympy pair route.
    For jointly Gaussian (X, Y) with means m1, m2, variances v1, v2 and covariance c,
    Isserlis on the centred parts gives Cov(X^2, Y^2) = 2 c^2 + 4 m1 m2 c and
    E[X^2 Y^2] = Cov + (v1 + m1^2)(v2 + m2^2), with every symbol free."""
    m1, m2, c = sympy.symbols("m1 m2 c", real=True)
    v1, v2 = sympy.symbols("v1 v2", positive=True)
    cov = gaussian_covariance(lambda x: x**2, m1, m2, v1, v2, c, backend="sympy")
    assert sympy.simplify(cov - (2 * c**2 + 4 * m1 * m2 * c)) == 0
    second = gaussian_second_moment(lambda x: x**2, m1, m2, v1, v2, c, backend="sympy")
    assert sympy.simplify(second - (2 * c**2 + 4 * m1 * m2 * c + (v1 + m1**2) * (v2 + m2**2))) == 0


def test_exp_covariance_in_sympy_is_the_lognormal_one():
    """Cov(e^X, e^Y) = e^(m1 + m2 + (v1 + v2)/2) (e^c - 1) for jointly Gaussian (X, Y)
    (lognormal moments E e^(X+Y) = e^(m1 + m2 + (v1 + v2 + 2c)/2))."""
    c = sympy.Rational(1, 2)
    got = gaussian_covariance("exp", 0, 0, 1, 1, c, backend="sympy")
    assert sympy.simplify(got - sympy.E * (sympy.exp(c) - 1)) == 0


@pytest.mark.parametrize("backend", ["float", "mpmath"])
def test_uncorrelated_pair_with_unit_conditional_variance(backend):
    """With cov = 0, z1 given z2 is N(m1, v1); v1 = 1 makes the conditional standard
    deviation exactly 1, which must not be mistaken for a degenerate (zero) one:
    E[f(z1) f(z2)] = E f(z1) E f(z2) for independent z1, z2."""
    second = gaussian_second_moment("tanh", 0.3, -0.2, 1, 2, 0, backend=backend)
    product = gaussian_mean("tanh", 0.3, 1, backend=backend) * \
        gaussian_mean("tanh", -0.2, 2, backend=backend)
    assert float(second) == pytest.approx(float(product), rel=1e-12)


def test_float_hermite_coefficients_that_overflow_are_refused():
    """a_0 of exp on N(800, 1) is e^800.5 > 1.8e308: float64 cannot hold it, so the float
    backend refuses (no RuntimeWarning, no inf passed on) and names the mpmath backend,
    which holds it: exp(mu + s z) = e^(mu + s^2/2) sum_k s^k He_k(z) / k!, so the
    coefficient of He_2 is e^800.5 / 2."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(MethodUnavailableError, match="overflow float64.*backend='mpmath'"):
            hermite_coefficients("exp", 3, 800, 1)
    a = hermite_coefficients("exp", 3, 800, 1, backend="mpmath")
    assert abs(a[2] / (mpmath.exp(800.5) / 2) - 1) < mpmath.mpf(10) ** -14
