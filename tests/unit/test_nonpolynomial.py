"""Non-polynomial activations: Gaussian closure, Hermite and Taylor surrogates, flags, errors."""

import math

import mpmath
import numpy as np
import pytest
import sympy
from scipy import special

import cumulants as cm
from cumulants import Cumulants
from cumulants.distributions import Normal, Uniform
from cumulants.layers import (
    GELU,
    Activation,
    Dense,
    Erf,
    Exp,
    Heaviside,
    Network,
    Polynomial,
    ReLU,
    Sigmoid,
    Sin,
    Tanh,
    UnitPolynomial,
)
from cumulants.layers import gaussian as G

R = sympy.Rational
BUILTINS = [(ReLU, "relu"), (Tanh, "tanh"), (Erf, "erf"), (GELU, "gelu"), (Sigmoid, "sigmoid"),
            (Heaviside, "heaviside"), (Sin, "sin"), (Exp, "exp")]
M = np.array([0.3, -0.5, 0.0])
S = np.array([[1.0, 0.6, -0.2], [0.6, 1.5, 0.3], [-0.2, 0.3, 0.5]])


# ------------------------------------------------------------------- Gaussian closure
# Independent definitions of the activations (mpmath for quadrature, numpy for sampling).
MP = {"relu": lambda x: max(x, 0), "tanh": mpmath.tanh, "erf": mpmath.erf,
      "gelu": lambda x: x * mpmath.ncdf(x), "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
      "heaviside": lambda x: 1 if x > 0 else 0, "sin": mpmath.sin, "exp": mpmath.exp}
NP = {"relu": lambda x: np.maximum(x, 0), "tanh": np.tanh, "erf": special.erf,
      "gelu": lambda x: x * 0.5 * (1 + special.erf(x / math.sqrt(2))),
      "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "heaviside": lambda x: (x > 0).astype(float),
      "sin": np.sin, "exp": np.exp}


def _quad_moments(name, mu, var, kmax):
    """E[f(mu + s Z)^k], k = 1..kmax, by mpmath quadrature split at the kink x = 0."""
    s = mpmath.sqrt(var)
    kink = -mpmath.mpf(mu) / s
    with mpmath.workdps(30):
        return [mpmath.quad(lambda z: MP[name](mu + s * z) ** k * mpmath.npdf(z),
                            [-mpmath.inf, kink, mpmath.inf]) for k in range(1, kmax + 1)]


@pytest.mark.parametrize("cls, name", BUILTINS)
def test_closure_mean_and_covariance_against_quadrature_and_sampling(cls, name):
    """Means by mpmath quadrature (rel 1e-10: the library's closed forms or rules are
    accurate to ~1e-14, quadrature at 30 digits to far better); covariances by
    Monte Carlo, 2e5 draws of the Gaussian input, tolerance 5 standard errors of each
    sample covariance (SE from the sample variance of the centred products)."""
    y = cls().propagate(Cumulants.gaussian(M, S))
    for i in range(3):
        assert float(y[i]) == pytest.approx(float(_quad_moments(name, M[i], S[i, i], 1)[0]),
                                            rel=1e-10, abs=1e-13)
    Z = np.random.default_rng(31).multivariate_normal(M, S, size=200_000)
    F = NP[name](Z)
    Fc = F - F.mean(axis=0)
    for i in range(3):
        for j in range(i, 3):
            prod = Fc[:, i] * Fc[:, j]
            se = prod.std(ddof=1) / math.sqrt(len(prod))
            assert abs(y[i, j] - prod.mean()) < 5 * se + 1e-12, (i, j, y[i, j], prod.mean(), se)
    assert y.order == 2 and not y.exact and y.method == "gaussian-closure"


@pytest.mark.parametrize("cls, name", BUILTINS)
def test_closure_marginal_cumulants_of_one_unit(cls, name):
    """kappa_1..5 of f(X), X ~ N(0.4, 0.8), vs moments by mpmath quadrature and the
    textbook moment-to-cumulant formulas (rtol 1e-9: both sides accurate to ~1e-12)."""
    y = cls().propagate(Cumulants.gaussian([0.4], [[0.8]]), order=5)
    m1, m2, m3, m4, m5 = (float(v) for v in _quad_moments(name, 0.4, 0.8, 5))
    ref = [m1, m2 - m1**2, m3 - 3 * m2 * m1 + 2 * m1**3,
           m4 - 4 * m3 * m1 - 3 * m2**2 + 12 * m2 * m1**2 - 6 * m1**4,
           m5 - 5 * m4 * m1 - 10 * m3 * m2 + 20 * m3 * m1**2 + 30 * m2**2 * m1
           - 60 * m2 * m1**3 + 24 * m1**5]
    assert y.is_independent and y.order == 5
    np.testing.assert_allclose(np.array(y.marginal(0), dtype=float), ref, rtol=1e-9, atol=1e-11)


def test_closure_of_uncorrelated_units_is_independent():
    x = Cumulants.iid(Normal(0.5, 2.0), 3, 2)
    y = Tanh().propagate(x, order=4)
    assert y.is_independent and y.order == 4 and y[0, 1] == 0 and y[0, 0, 1, 2] == 0
    diag = Cumulants.gaussian([0.0, 1.0], [[1.0, 0.0], [0.0, 2.0]])
    assert ReLU().propagate(diag, order=3).is_independent


def test_closure_default_order_stops_at_two_for_correlated_units():
    x = Cumulants.gaussian(M, S, order=4)
    assert ReLU().propagate(x).order == 2
    assert ReLU().propagate(Cumulants.gaussian([0.0], [[1.0]], order=4)).order == 4
    assert ReLU().propagate(x, order=1).order == 1


def test_closure_of_correlated_units_refuses_higher_orders():
    with pytest.raises(cm.OrderTooHighError, match="method='hermite'"):
        ReLU().propagate(Cumulants.gaussian(M, S), order=3)
    with pytest.raises(cm.OrderTooHighError):
        Network([Dense(np.eye(3)), Tanh()]).propagate(Cumulants.gaussian(M, S), 3)


def test_closure_ignores_higher_input_cumulants():
    """The closure sees only the mean and covariance: a uniform input with the same two
    cumulants as a Gaussian gives the same (approximate) result."""
    u = Cumulants.iid(Uniform(-1.0, 1.0), 1, 4)
    g = Cumulants.gaussian([0.0], [[1.0 / 3.0]], order=4)
    np.testing.assert_allclose(Erf().propagate(u, 2).marginal(0), Erf().propagate(g, 2).marginal(0))


def test_exact_states_use_closed_forms_and_fall_back_to_floats():
    half = R(1, 2)
    y = ReLU().propagate(Cumulants.gaussian([0, 0], [[1, half], [half, 1]]))
    assert y.domain == "exact"
    expected = (sympy.sqrt(3) / 2 + half * (sympy.pi - sympy.acos(half))) / (2 * sympy.pi) \
        - 1 / (2 * sympy.pi)
    assert sympy.simplify(y[0, 1] - expected) == 0
    t = Tanh().propagate(Cumulants.gaussian([0, 0], [[1, half], [half, 1]]))
    assert t.domain == "float" and t[0, 1] > 0


def test_symbolic_inputs_without_closed_form_raise():
    mu = sympy.Symbol("mu")
    with pytest.raises(cm.MethodUnavailableError, match="method='taylor'"):
        Tanh().propagate(Cumulants.gaussian([mu], [[1]]))


def test_mpmath_states_keep_their_precision():
    with mpmath.workdps(40):
        x = Cumulants.gaussian([mpmath.mpf(1)], [[mpmath.mpf(4)]])
        y = ReLU(dps=40).propagate(x)
        assert y.domain == "mpmath"
        # docs/formulas.md §8 oracle 7 to 13 digits; the mpmath value carries many more
        assert abs(y[0] - mpmath.mpf("1.3955931148026")) < mpmath.mpf("1e-12")
        ref = G.gaussian_mean("relu", 1, 4, backend="mpmath", dps=40)
        assert abs(y[0] - ref) < mpmath.mpf(10) ** -35


def test_backend_option():
    x = Cumulants.gaussian([0.3], [[1.0]])
    assert Erf(backend="mpmath").propagate(x).domain == "mpmath"
    e = Erf(backend="sympy").propagate(Cumulants.gaussian([0], [[1]]))
    assert e.domain == "exact" and e[0] == 0
    assert Erf(backend="float").propagate(Cumulants.gaussian([0], [[1]])).domain == "float"


# ---------------------------------------------------------------- Hermite surrogate
def test_hermite_mean_equals_the_closure_mean_at_every_degree():
    """Under the unit's own Gaussian, E[He_n] = 0 for n >= 1: the surrogate mean is c_0."""
    x = Cumulants.gaussian([0.5], [[2.0]])
    closure = Tanh().propagate(x, 1)[0]
    for degree in (1, 2, 4, 8):
        assert Tanh(method="hermite", degree=degree).propagate(x, 1)[0] == pytest.approx(
            closure, rel=1e-12)


@pytest.mark.parametrize("cls", [ReLU, Tanh, GELU])
def test_hermite_variance_increases_to_the_closure_variance(cls):
    """Var of the surrogate = sum_{n <= D} c_n^2 n!, monotone in D, limit the closure (Parseval)."""
    x = Cumulants.gaussian([0.2], [[1.5]])
    target = cls().propagate(x)[0, 0]
    gaps = [target - cls(method="hermite", degree=d).propagate(x, 2)[0, 0] for d in (2, 4, 8, 16)]
    assert all(g >= -1e-12 for g in gaps)
    assert all(a >= b - 1e-12 for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] < 0.1 * gaps[0] + 1e-10


def test_hermite_covariance_converges_to_the_closure_covariance():
    x = Cumulants.gaussian(M, S)
    target = Erf().propagate(x).covariance
    errs = [np.max(np.abs(Erf(method="hermite", degree=d).propagate(x, 2).covariance - target))
            for d in (3, 7, 11, 15)]
    # Mehler: the error is the tail sum_{n > D} c_n c'_n n! rho^n, geometric in D here
    assert all(b < a / 3 for a, b in zip(errs, errs[1:]))


def test_relu_hermite_coefficients_match_the_closed_form():
    """c_0 = 1/sqrt(2 pi), c_1 = 1/2, c_n = phi(0) He_{n-2}(0)/n! (docs/formulas.md §3.3)."""
    x = Cumulants.gaussian([0.0], [[1.0]])
    coeffs = ReLU(method="hermite", degree=6).surrogate(x).coeffs[0]
    phi0 = 1 / math.sqrt(2 * math.pi)
    c = [phi0, 0.5, phi0 / 2, 0.0, -phi0 / 24, 0.0, 3 * phi0 / 720]
    # sum_n c_n He_n(z) in monomials: He_2 = z^2 - 1, He_4 = z^4 - 6z^2 + 3, He_6 = ...
    he = [[1], [0, 1], [-1, 0, 1], [0, -3, 0, 1], [3, 0, -6, 0, 1], [0, 15, 0, -10, 0, 1],
          [-15, 0, 45, 0, -15, 0, 1]]
    mono = [sum(c[n] * (he[n][k] if k < len(he[n]) else 0) for n in range(7)) for k in range(7)]
    np.testing.assert_allclose(coeffs, mono, atol=1e-14)


def test_hermite_covariance_is_the_truncated_dual_activation():
    """Mehler: standard units with correlation rho give E[p p] = sum_{n<=D} c_n^2 n! rho^n."""
    from cumulants.layers.hermite import dual_activation

    x = Cumulants.gaussian([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]])
    for degree in (2, 5, 10):
        y = ReLU(method="hermite", degree=degree).propagate(x, 2)
        assert y[0, 1] + y[0] * y[1] == pytest.approx(
            dual_activation("relu", 0.5, terms=degree + 1), rel=1e-12)


def test_hermite_exact_for_symbolic_means():
    mu = sympy.Symbol("mu", real=True)
    y = ReLU(method="hermite", degree=3).propagate(Cumulants.gaussian([mu], [[1]]), 1)
    cdf = (1 + sympy.erf(mu / sympy.sqrt(2))) / 2
    pdf = sympy.exp(-mu ** 2 / 2) / sympy.sqrt(2 * sympy.pi)
    assert y.domain == "exact"
    assert sympy.simplify((y[0] - (mu * cdf + pdf)).rewrite(sympy.erf)) == 0
    with pytest.raises(cm.MethodUnavailableError, match="method='taylor'"):
        Tanh(method="hermite").propagate(Cumulants.gaussian([mu], [[1]]), 1)


def test_hermite_backends():
    z = Cumulants.gaussian([0], [[1]])
    assert ReLU(method="hermite", degree=4).propagate(z, 2).domain == "float"
    exact = ReLU(method="hermite", degree=4, backend="sympy").propagate(z, 2)
    assert exact.domain == "exact"
    assert sympy.simplify(exact[0, 0] - (R(1, 4) + R(13, 48) / sympy.pi)) == 0
    with mpmath.workdps(30):
        y = ReLU(method="hermite", degree=4, dps=30).propagate(
            Cumulants.gaussian([mpmath.mpf(0)], [[mpmath.mpf(1)]]), 2)
        assert y.domain == "mpmath"
        assert abs(y[0, 0] - (mpmath.mpf(1) / 4 + mpmath.mpf(13) / (48 * mpmath.pi))) < 1e-28


def test_hermite_surrogate_of_a_polynomial_is_exact():
    """A degree-2 polynomial is its own degree-2 Hermite projection: results are exact values."""
    poly = Activation.from_function(lambda z: z + 0.5 * z ** 2, name="quad",
                                    sympy_fn=lambda z: z + z ** 2 / 2)
    x = Cumulants.gaussian(M, S)
    y = Activation(poly.act, method="hermite", degree=2).propagate(x, 3)
    ref = Polynomial([0, 1, 0.5]).propagate(x, 3)
    for n in range(1, 4):
        np.testing.assert_allclose(y.packed(n), ref.packed(n), rtol=1e-12, atol=1e-12)
    assert not y.exact and y.method == "hermite-2"


def test_hermite_uses_higher_input_cumulants():
    """Unlike the closure, the surrogate sees the input's kappa_3, kappa_4, ..."""
    u = Cumulants.iid(Uniform(-1.0, 1.0), 1, 8)
    g = Cumulants.gaussian([0.0], [[1.0 / 3.0]], order=8)
    a = Tanh(method="hermite", degree=4).propagate(u, 2)[0, 0]
    b = Tanh(method="hermite", degree=4).propagate(g, 2)[0, 0]
    assert abs(a - b) > 1e-4


def test_hermite_gives_mixed_higher_cumulants_of_correlated_units():
    y = Tanh(method="hermite", degree=5).propagate(Cumulants.gaussian(M, S), order=3)
    assert y.order == 3 and not y.is_independent and y[0, 1, 2] != 0


def test_high_degree_float_surrogates_do_not_lose_digits():
    x = Cumulants.gaussian([0.0], [[1.0]])
    phi0 = 1 / math.sqrt(2 * math.pi)

    def he0(n):
        return 0 if n % 2 else (-1) ** (n // 2) * math.prod(range(n - 1, 0, -2))

    c = [phi0, 0.5] + [phi0 * he0(n - 2) / math.factorial(n) for n in range(2, 25)]
    parseval = sum(c[n] ** 2 * math.factorial(n) for n in range(1, 25))
    assert ReLU(method="hermite", degree=24).propagate(x, 2)[0, 0] == pytest.approx(
        parseval, rel=1e-12)


# ------------------------------------------------------------------ Taylor surrogate
def test_taylor_symbolic_mean():
    """E f(z) ~ f(k1) + f''(k1) k2/2 + f'''(k1) k3/6 for a symbolic input."""
    x = Cumulants.symbolic(1, 3)
    k1, k2, k3 = x.marginal(0)
    y = Tanh(method="taylor", degree=3).propagate(x, 1)
    t = sympy.Symbol("t")
    f = sympy.tanh(t)
    want = (f + f.diff(t, 2) * k2 / 2 + f.diff(t, 3) * k3 / 6).subs(t, k1)
    assert sympy.simplify(y[0] - want) == 0
    assert y.method == "taylor-3"


def test_taylor_of_exp_converges_to_the_lognormal_mean():
    x = Cumulants.gaussian([0.2], [[0.5]])
    exact = math.exp(0.2 + 0.25)
    errs = [abs(Exp(method="taylor", degree=d).propagate(x, 1)[0] - exact) for d in (2, 4, 8, 12)]
    assert errs == sorted(errs, reverse=True) and errs[-1] < 1e-7


def test_taylor_of_a_kink_at_the_mean_is_refused():
    with pytest.raises(cm.MethodUnavailableError, match="not smooth"):
        ReLU(method="taylor").propagate(Cumulants.gaussian([0], [[1]]))
    y = ReLU(method="taylor", degree=3).propagate(Cumulants.gaussian([2], [[1]]), 2)
    assert y.marginal(0) == [2, 1]                       # the local map is the identity


def test_taylor_exact_transcendental_coefficients():
    y = Sin(method="taylor", degree=2).propagate(Cumulants.gaussian([1], [[1]]), 1)
    assert sympy.simplify(y[0] - sympy.sin(1) / 2) == 0


# ------------------------------------------------------------- flags and the network
def test_every_method_is_flagged_approximate():
    x = Cumulants.gaussian([0.1, 0.2], [[1.0, 0.1], [0.1, 1.0]])
    for layer, label in [(GELU(), "gaussian-closure"), (GELU(method="hermite"), "hermite-8"),
                         (GELU(method="taylor"), "taylor-5"),
                         (GELU(method="hermite", degree=3), "hermite-3")]:
        y = layer.propagate(x, 2)
        assert y.exact is False and y.method == label
        assert layer.label == label and layer.exact is False


def test_stacked_approximations_are_recorded_in_order():
    x = Cumulants.gaussian([0.1, 0.2], [[1.0, 0.1], [0.1, 1.0]])
    net = Network([Dense([[1.0, 1.0], [1.0, -1.0]]), Tanh(method="hermite", degree=3),
                   Dense([[1.0, 0.5], [0.0, 1.0]]), ReLU(), Dense([[1.0, 1.0]]), ReLU()])
    y = net.propagate(x, 2)
    assert not y.exact and y.method == "hermite-3+gaussian-closure"


def test_required_order():
    assert ReLU().required_order(7) == 2
    assert ReLU(method="hermite", degree=4).required_order(3) == 12
    assert Tanh(method="taylor", degree=5).required_order(2) == 10


def test_surrogate_is_a_unit_polynomial_for_the_state():
    x = Cumulants.gaussian([0.0, 1.0], [[1.0, 0.2], [0.2, 2.0]])
    sur = Tanh(method="hermite", degree=3).surrogate(x)
    assert isinstance(sur, UnitPolynomial) and sur.units == 2 and sur.degree == 3
    assert sur.coeffs[0, 0] == pytest.approx(0.0, abs=1e-15)          # tanh is odd, mean 0
    other = Tanh().surrogate(x, method="taylor", degree=2)
    assert other.degree == 2
    with pytest.raises(cm.MethodUnavailableError, match="no polynomial surrogate"):
        Tanh().surrogate(x)


def test_polynomial_points_at_the_surrogate():
    with pytest.raises(cm.NotPolynomialError, match="surrogate\\(state\\)"):
        ReLU(method="hermite").polynomial([sympy.Symbol("x")])
    assert not ReLU().is_polynomial


@pytest.mark.parametrize("cls, name", BUILTINS)
def test_apply_is_the_activation(cls, name):
    z = np.linspace(-2.0, 2.0, 11)[:, None] * np.ones((1, 2))
    np.testing.assert_allclose(cls().apply(z), G.activation(name).float(z))


def test_reprs():
    assert repr(ReLU()) == "ReLU()"
    assert repr(Tanh(method="hermite", degree=6)) == "Tanh(method='hermite', degree=6)"
    assert repr(Activation("softplus")) == "Activation('softplus')"
    assert repr(Erf(backend="mpmath", dps=30)) == "Erf(backend='mpmath', dps=30)"


# --------------------------------------------------------------------- user activations
def test_from_function_closure_hermite_and_taylor():
    soft = Activation.from_function(np.log1p, name="log1p_abs", sympy_fn=sympy.log)
    assert soft.name == "log1p_abs"
    cube = Activation.from_function(lambda z: z ** 3, name="cube")
    x = Cumulants.gaussian([0.5], [[2.0]])
    # E[z^3] = mu^3 + 3 mu s^2 and the cube is its own degree-3 surrogate
    assert cube.propagate(x, 1)[0] == pytest.approx(0.125 + 3.0, rel=1e-12)
    for method in ("hermite", "taylor"):
        y = Activation(cube.act, method=method, degree=3).propagate(x, 2)
        ref = Polynomial([0, 0, 0, 1]).propagate(x, 2)
        np.testing.assert_allclose(y.marginal(0), [float(v) for v in ref.marginal(0)],
                                   rtol=1e-12)


def test_from_function_with_breakpoints():
    hinge = Activation.from_function(lambda z: np.maximum(z - 1.0, 0.0), name="hinge",
                                     sympy_fn=lambda z: sympy.Max(z - 1, 0), breakpoints=[1.0])
    y = hinge.propagate(Cumulants.gaussian([1.0], [[1.0]]), 2)
    r = ReLU().propagate(Cumulants.gaussian([0.0], [[1.0]]), 2)
    np.testing.assert_allclose(y.marginal(0), r.marginal(0), rtol=1e-12)


def test_from_function_without_sympy_form_cannot_taylor():
    f = Activation.from_function(lambda z: np.tanh(np.asarray(z, dtype=float)), name="nt",
                                 method="taylor")
    with pytest.raises(cm.MethodUnavailableError, match="sympy_fn"):
        f.propagate(Cumulants.gaussian([0.0], [[1.0]]), 1)


# -------------------------------------------------------------------------------- errors
def test_constructor_validation():
    with pytest.raises(cm.MethodUnavailableError, match="'gaussian', 'hermite', 'taylor'"):
        Tanh(method="mc")
    with pytest.raises(cm.MethodUnavailableError, match="one of"):
        Activation("swish")
    with pytest.raises(cm.InvalidParameterError, match="degree"):
        Tanh(degree=3)
    with pytest.raises(cm.InvalidParameterError, match="degree"):
        Tanh(method="hermite", degree=0)
    with pytest.raises(cm.MethodUnavailableError, match="backend"):
        Tanh(backend="gpu")
    with pytest.raises(cm.InvalidParameterError, match="dps"):
        Tanh(dps=-1)
    with pytest.raises(cm.InvalidParameterError):
        Activation.from_function(3)
    with pytest.raises(cm.InvalidParameterError, match="breakpoints"):
        Activation.from_function(np.tanh, breakpoints=["a"])


def test_insufficient_order_names_the_order_needed():
    with pytest.raises(cm.InsufficientOrderError, match="up to order 8"):
        Tanh(method="hermite", degree=4).propagate(Cumulants.symbolic(1, 3).subs(
            {"kappa_1": 0, "kappa_2": 1, "kappa_3": 0}), 2)
    with pytest.raises(cm.InsufficientOrderError, match="order >= 2"):
        ReLU().propagate(Cumulants.univariate([0.0]))


def test_bad_state_and_samples():
    with pytest.raises(cm.InvalidParameterError, match="Cumulants"):
        ReLU().propagate([0.0, 1.0])
    with pytest.raises(cm.ShapeMismatchError):
        ReLU().apply(np.zeros((2, 2, 2)))
    with pytest.raises(cm.ShapeMismatchError):
        UnitPolynomial([[0, 1], [1]]).propagate(Cumulants.gaussian([0], [[1]]))
    with pytest.raises(cm.InvalidParameterError, match="finite"):
        UnitPolynomial([[0, float("nan")]])
    with pytest.raises(cm.InvalidParameterError):
        UnitPolynomial([])


def test_unit_polynomial_drops_trailing_zero_columns():
    """Rows are padded with zeros to one width, then all-zero top columns are dropped:
    constant units keep one column, a mixed table keeps its longest nonzero row."""
    assert UnitPolynomial([[3, 0, 0], [5]]).coeffs.tolist() == [[3], [5]]
    assert UnitPolynomial([[1, 2, 0], [3]]).coeffs.tolist() == [[1, 2], [3, 0]]
    assert UnitPolynomial([[0.5, 0.0]]).coeffs.tolist() == [[0.5]]
    assert UnitPolynomial([[0, 0], [0]]).coeffs.tolist() == [[0], [0]]  # zero units keep c0


def test_surrogate_degree_follows_the_method_it_is_asked_for():
    """The layer's degree belongs to the layer's method: asked for the other method, the
    surrogate uses that method's default degree (8 for Hermite, 5 for Taylor), so it equals
    the surrogate of a layer built for that method.  Taylor at the mean 1 of tanh has every
    coefficient up to degree 5 nonzero (tanh has no vanishing derivative at 1)."""
    z = Cumulants.gaussian([1], [[1]])
    got = Tanh(method="hermite", degree=3).surrogate(z, method="taylor").coeffs
    assert got.shape == (1, 6)
    assert got.tolist() == Tanh(method="taylor").surrogate(z).coeffs.tolist()
    own = Tanh(method="taylor").surrogate(z, method="taylor").coeffs  # no degree given
    assert own.shape == (1, 6)


def test_unit_polynomial_apply_evaluates_each_unit_by_hand():
    """Unit 0 is 1 + 2 z + 3 z^2, unit 1 is -z (its row padded with a zero)."""
    layer = UnitPolynomial([[1, 2, 3], [0, -1]])
    x = np.array([[0.5, 2.0], [-1.0, 0.0], [2.0, -3.0]])
    expected = np.column_stack([1 + 2 * x[:, 0] + 3 * x[:, 0] ** 2, -x[:, 1]])
    assert np.array_equal(layer.apply(x), expected)


def test_taylor_surrogate_needs_only_the_mean():
    """The Taylor surrogate expands f about the mean, so a state holding only kappa_1 is
    enough: with mean 1/2 and degree 2 it is f(1/2) + f'(1/2)(z - 1/2) + f''(1/2)/2
    (z - 1/2)^2, coefficients in powers of z."""
    z, half = sympy.Symbol("z"), sympy.Rational(1, 2)
    got = Tanh(method="taylor", degree=2).surrogate(Cumulants.univariate([half])).coeffs[0]
    f = sympy.tanh(z)
    taylor = sum(sympy.diff(f, z, k).subs(z, half) / sympy.factorial(k) * (z - half) ** k
                 for k in range(3))
    want = sympy.Poly(sympy.expand(taylor), z).all_coeffs()[::-1]
    assert all(sympy.simplify(g - w) == 0 for g, w in zip(got, want)) and len(got) == 3


def test_warning_names_the_largest_relative_error():
    """refuse_untrusted warns about the (unit, order) whose estimated error is the largest
    share of its value: 0.5 of 1.0 (50%, kappa_2) beats 2.0 of 10.0 (20%, kappa_1)."""
    from cumulants.layers._surrogate_error import refuse_untrusted

    est = [([2.0, 0.5], [0.0, 0.0], [1.0, 1.0], 0.0, [10.0, 1.0])]
    with pytest.warns(cm.errors.ApproximationWarning, match=r"kappa_2 of unit 0 .*\(50%\)"):
        refuse_untrusted("layer", [[10.0, 1.0]], est, [(0.0, 1.0)], warn=True)


@pytest.mark.parametrize("coeffs, where", [([5], r"coeffs\[0\]=5"), (["ab"], r"coeffs\[0\]='ab'"),
                                           ([[1, "x"]], r"coeffs\[0\]\[1\]='x'")])
def test_unit_polynomial_names_the_bad_row(coeffs, where):
    """A row must be a sequence of numbers: a number or a string as a row is refused at the
    row, a string inside a row at its entry."""
    with pytest.raises(cm.errors.InvalidParameterError, match=where):
        UnitPolynomial(coeffs)
