"""Layers against independent closed forms: docs/formulas.md §8 oracles, §3.2 formulas, quadratic forms.

Every expected value here is computed by a route that does not share code with the layer
under test: a published closed form, Leonov-Shiryaev products
(:func:`cumulants.cumulant_of_products`), or mpmath quadrature at 30 digits.
"""

import itertools
import math

import numpy as np
import pytest
import sympy

import cumulants as cm
from cumulants import Cumulants, cumulant_of_products
from cumulants.distributions import Exponential
from cumulants.layers import (
    Dense,
    Erf,
    Heaviside,
    Network,
    Polynomial,
    Quadratic,
    ReLU,
)

R = sympy.Rational


def _exact_equal(a, b):
    return sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0


# ------------------------------------------------------------------ docs/formulas.md §8 oracles
@pytest.mark.parametrize(
    "mu, expected",
    [(1, [2, 6, 32, 240, 2304]),            # oracle 3
     (0, [1, 2, 8, 48, 384])],               # oracle 4
)
def test_square_of_gaussian_oracles_3_4(mu, expected):
    z = Cumulants.gaussian([mu], [[1]])
    y = Polynomial([0, 0, 1]).propagate(z, order=5)
    assert y.marginal(0) == expected
    assert y.exact and y.domain == "exact"
    # independent witness: kappa_n(z^2) as a cumulant of n products z*z
    for n in range(1, 6):
        assert cumulant_of_products(z, [(0, 0)] * n) == expected[n - 1]


def test_quadratic_activation_oracle_5():
    z = Cumulants.gaussian([1], [[1]])
    y = Quadratic(R(1, 2)).propagate(z, order=5)
    assert y.marginal(0) == [2, R(9, 2), 13, 51, 252]


def test_dense_oracle_12():
    x = Cumulants.iid(Exponential(1), 2, 4)
    y = Dense([[1, 1], [1, -1]]).propagate(x)
    third = {(0, 0, 0): 4, (0, 0, 1): 0, (0, 1, 1): 4, (1, 1, 1): 0}
    fourth = {(0, 0, 0, 0): 12, (0, 0, 0, 1): 0, (0, 0, 1, 1): 12, (1, 1, 1, 1): 12}
    for idx, value in {**third, **fourth}.items():
        assert y[idx] == value
    assert y[1, 1, 0, 1] == 0                   # any index order


def test_product_of_correlated_normals_oracle_13():
    """y = x1 x2 for a standard bivariate normal with rho = 1/2, two independent routes."""
    x = Cumulants.gaussian([0, 0], [[1, R(1, 2)], [R(1, 2), 1]])
    expected = [R(1, 2), R(5, 4), R(13, 4), R(123, 8), R(363, 4)]
    for n in range(1, 6):
        assert cumulant_of_products(x, [(0, 1)] * n) == expected[n - 1]
    # polarisation: x1 x2 = ((x1 + x2)^2 - (x1 - x2)^2) / 4, a one-hidden-layer network
    net = Network([Dense([[1, 1], [1, -1]]), Polynomial([0, 0, 1]), Dense([[R(1, 4), R(-1, 4)]])])
    assert net.propagate(x, order=5).marginal(0) == expected
    assert net.propagate(x, order=5, route="layerwise").marginal(0) == expected


# ----------------------------------------------------------- quadratic forms of Gaussians
def _quadratic_form_cumulant(r, A, S, mu):
    AS = A * S
    return 2 ** (r - 1) * math.factorial(r - 1) * (
        (AS ** r).trace() + r * (mu.T * AS ** (r - 1) * A * mu)[0, 0])


def test_quadratic_form_cumulants_of_one_hidden_layer_network():
    r"""kappa_r(x^T A x) = 2^{r-1}(r-1)! [tr((AS)^r) + r mu^T (AS)^{r-1} A mu], x ~ N(mu, S).

    The network ``v^T (W x)^2`` is the quadratic form with ``A = W^T diag(v) W``.
    """
    W = sympy.Matrix([[1, 2, 0], [0, 1, -1], [1, 0, 1], [2, -1, 1]])
    v = [R(1, 2), -1, R(1, 3), 2]
    mu = sympy.Matrix([1, R(-1, 2), 0])
    S = sympy.Matrix([[2, 1, 0], [1, 2, R(1, 2)], [0, R(1, 2), 1]])
    A = W.T * sympy.diag(*v) * W
    net = Network([Dense(W), Polynomial([0, 0, 1]), Dense([v])])
    x = Cumulants.gaussian(list(mu), S)
    y = net.propagate(x, order=5)
    assert y.exact
    for r in range(1, 6):
        assert y[(0,) * r] == _quadratic_form_cumulant(r, A, S, mu)


# --------------------------------------------- docs/formulas.md §3.2: Gaussian-input joint formulas
def _fischer_joint(alpha, m, S, idx):
    """kappa(y_i, ...) for y = z + alpha z^2, z ~ N(m, S), orders 1-4 (docs/formulas.md §3.2)."""
    a = [1 + 2 * alpha * mi for mi in m]
    if len(idx) == 1:
        i, = idx
        return m[i] + alpha * (m[i] ** 2 + S[i, i])
    if len(idx) == 2:
        i, j = idx
        return S[i, j] * a[i] * a[j] + 2 * alpha ** 2 * S[i, j] ** 2
    if len(idx) == 3:
        i, j, k = idx
        return (2 * alpha * (a[i] * a[j] * S[i, k] * S[j, k] + a[i] * a[k] * S[i, j] * S[k, j]
                             + a[j] * a[k] * S[j, i] * S[k, i])
                + 8 * alpha ** 3 * S[i, j] * S[j, k] * S[k, i])
    i, j, k, l = idx
    total = 0
    for p, q in itertools.combinations(range(4), 2):
        r, s = [t for t in range(4) if t not in (p, q)]
        P, Q, Rr, Ss = idx[p], idx[q], idx[r], idx[s]
        total += a[P] * a[Q] * (S[P, Rr] * S[Rr, Ss] * S[Ss, Q] + S[P, Ss] * S[Ss, Rr] * S[Rr, Q])
    return (4 * alpha ** 2 * total
            + 16 * alpha ** 4 * (S[i, j] * S[j, k] * S[k, l] * S[l, i]
                                 + S[i, j] * S[j, l] * S[l, k] * S[k, i]
                                 + S[i, k] * S[k, j] * S[j, l] * S[l, i]))


def test_quadratic_activation_gaussian_joint_cumulants_to_order_4():
    alpha = R(1, 3)
    m = [1, R(-1, 2), 0]
    S = sympy.Matrix([[2, 1, 0], [1, 2, R(1, 2)], [0, R(1, 2), 1]])
    y = Quadratic(alpha).propagate(Cumulants.gaussian(m, S), order=4)
    for n in range(1, 5):
        for idx in itertools.combinations_with_replacement(range(3), n):
            assert y[idx] == sympy.nsimplify(_fischer_joint(alpha, m, S, idx)), idx


def test_quadratic_activation_scalar_gaussian_symbolic():
    """kappa_1..kappa_4 of z + alpha z^2, z ~ N(mu, s^2), all symbols (docs/formulas.md §3.2)."""
    mu, alpha = sympy.symbols("mu alpha", real=True)
    s = sympy.Symbol("s", positive=True)
    y = Quadratic(alpha).propagate(Cumulants.gaussian([mu], [[s ** 2]]), order=4)
    a2 = 1 + 4 * alpha * mu + 4 * alpha ** 2 * mu ** 2
    expected = [mu + alpha * (mu ** 2 + s ** 2),
                s ** 2 * (a2 + 2 * alpha ** 2 * s ** 2),
                2 * alpha * s ** 4 * (3 + 12 * alpha * mu + 12 * alpha ** 2 * mu ** 2
                                      + 4 * alpha ** 2 * s ** 2),
                48 * alpha ** 2 * s ** 6 * (1 + 4 * alpha * mu + 4 * alpha ** 2 * mu ** 2
                                            + alpha ** 2 * s ** 2)]
    for got, want in zip(y.marginal(0), expected):
        assert sympy.expand(got - want) == 0


def test_square_noncentral_chi2_cumulants_symbolic():
    """kappa_n(z^2) = 2^{n-1}(n-1)! s^{2n-2}(s^2 + n mu^2) for z ~ N(mu, s^2)."""
    mu = sympy.Symbol("mu", real=True)
    s = sympy.Symbol("s", positive=True)
    y = Polynomial([0, 0, 1]).propagate(Cumulants.gaussian([mu], [[s ** 2]]), order=6)
    for n in range(1, 7):
        want = 2 ** (n - 1) * math.factorial(n - 1) * s ** (2 * n - 2) * (s ** 2 + n * mu ** 2)
        assert sympy.expand(y[(0,) * n] - want) == 0


def test_quadratic_activation_scalar_any_input_in_k1_to_k6():
    """kappa_1..kappa_3 of z + alpha z^2 in the input cumulants k1..k6 (docs/formulas.md §3.2)."""
    alpha = sympy.Symbol("alpha", real=True)
    state = Cumulants.symbolic(1, 6)
    k1, k2, k3, k4, k5, k6 = state.marginal(0)
    y = Quadratic(alpha).propagate(state, order=3)
    expected = [
        k1 + alpha * (k1 ** 2 + k2),
        k2 + alpha * (4 * k1 * k2 + 2 * k3)
        + alpha ** 2 * (4 * k1 ** 2 * k2 + 4 * k1 * k3 + 2 * k2 ** 2 + k4),
        k3 + alpha * (6 * k1 * k3 + 6 * k2 ** 2 + 3 * k4)
        + alpha ** 2 * (12 * k1 ** 2 * k3 + 24 * k1 * k2 ** 2 + 12 * k1 * k4 + 24 * k2 * k3
                        + 3 * k5)
        + alpha ** 3 * (8 * k1 ** 3 * k3 + 24 * k1 ** 2 * k2 ** 2 + 12 * k1 ** 2 * k4
                        + 48 * k1 * k2 * k3 + 6 * k1 * k5 + 8 * k2 ** 3 + 12 * k2 * k4
                        + 10 * k3 ** 2 + k6),
    ]
    for got, want in zip(y.marginal(0), expected):
        assert sympy.expand(got - want) == 0


def test_order_3_needs_order_6_of_the_input():
    with pytest.raises(cm.InsufficientOrderError, match="order 6"):
        Quadratic(R(1, 2)).propagate(Cumulants.symbolic(1, 5), order=3)


# --------------------------------------------------------------- docs/formulas.md §6 pitfall 2
def test_pitfall_2_truncation_is_badly_wrong():
    """z ~ N(0,1), y1 = z^2, y2 = y1^2: Var y2 = 96; Gaussian closure of y1 gives 16."""
    z = Cumulants.gaussian([0], [[1]])
    square = Polynomial([0, 0, 1])
    exact = Network([square, square]).propagate(z, order=2)
    assert exact.marginal(0) == [3, 96]
    y1 = square.propagate(z, order=4)
    assert y1.marginal(0) == [1, 2, 8, 48]
    closed = square.propagate(Cumulants.gaussian([y1[0]], [[y1[0, 0]]]), order=2)
    assert closed[0, 0] == 16
    assert square.propagate(y1, order=2)[0, 0] == 96     # keeping kappa_3, kappa_4 recovers it


def test_covariance_of_squares_of_dependent_exponentials():
    """Cov(z1^2, z2^2) on (E1, E1 + E2), Ei ~ Exp(1): both sides 28 (docs/formulas.md §1.5)."""
    z = Dense([[1, 0], [1, 1]]).propagate(Cumulants.iid(Exponential(1), 2, 4))
    y = Polynomial([0, 0, 1]).propagate(z, order=2)
    assert y[0, 1] == 28
    assert cumulant_of_products(z, [(0, 0), (1, 1)]) == 28
    m = z.mean
    formula = (z[0, 0, 1, 1] + 2 * m[1] * z[0, 0, 1] + 2 * m[0] * z[0, 1, 1]
               + 2 * z[0, 1] ** 2 + 4 * m[0] * m[1] * z[0, 1])
    assert formula == 28


# ---------------------------------------------- Gaussian closure: oracles 6-10, mpmath witness
def test_relu_closure_oracle_6_float_and_exact():
    expected = [0.398942280401, 0.340845056908, 0.326458412069, 0.279708338353]
    y = ReLU().propagate(Cumulants.gaussian([0.0], [[1.0]]), order=4)
    np.testing.assert_allclose(y.marginal(0), expected, rtol=0, atol=1e-11)
    ye = ReLU().propagate(Cumulants.gaussian([0], [[1]]), order=4)
    assert ye.domain == "exact"
    assert _exact_equal(ye[0], 1 / sympy.sqrt(2 * sympy.pi))
    np.testing.assert_allclose([float(v) for v in ye.marginal(0)], expected, atol=1e-11)


def test_relu_closure_oracle_7():
    y = ReLU().propagate(Cumulants.gaussian([1.0], [[4.0]]), order=2)
    assert y[0] == pytest.approx(1.3955931148026, abs=1e-12)
    assert y[0, 0] == pytest.approx(2.2137628178142, abs=1e-12)


def test_pair_closure_oracles_8_9_10():
    half = R(1, 2)
    cov = [[1, half], [half, 1]]
    relu = ReLU().propagate(Cumulants.gaussian([0.0, 0.0], np.array(cov, dtype=float)))
    assert relu[0, 1] + relu[0] * relu[1] == pytest.approx(0.30449889052211, abs=1e-13)
    step = Heaviside().propagate(Cumulants.gaussian([0, 0], cov))
    assert _exact_equal(step[0, 1] + step[0] * step[1], R(1, 3))
    erf = Erf().propagate(Cumulants.gaussian([0, 0], cov))
    assert _exact_equal(erf[0, 1], 2 / sympy.pi * sympy.asin(R(1, 3)))
    assert float(erf[0, 1]) == pytest.approx(0.21634689593879, abs=1e-13)


def _quadrant_moment(m, S):
    """E[relu(z1) relu(z2)] as a plain 2-D integral of z1 z2 over the positive quadrant."""
    integrate = pytest.importorskip("scipy.integrate")
    Si, det = np.linalg.inv(S), np.linalg.det(S)

    def integrand(z2, z1):
        d = np.array([z1 - m[0], z2 - m[1]])
        return z1 * z2 * np.exp(-0.5 * d @ Si @ d) / (2 * np.pi * np.sqrt(det))

    value, err = integrate.dblquad(integrand, 0, np.inf, 0, np.inf, epsabs=1e-13, epsrel=1e-12)
    assert err < 1e-11
    return value


def test_relu_closure_general_means_against_2d_quadrature():
    """Rosenbaum's truncated bivariate moments (general means) against 2-D quadrature."""
    m = [1.0, -0.5]
    S = np.array([[4.0, 0.8], [0.8, 1.0]])
    y = ReLU().propagate(Cumulants.gaussian(m, S))
    assert y[0, 1] + y[0] * y[1] == pytest.approx(_quadrant_moment(m, S), rel=1e-11)
