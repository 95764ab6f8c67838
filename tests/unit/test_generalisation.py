"""Unit tests of cumulants.generalisation: error cumulants, exact MSE, closed-form optima,
the quadratic-network form, the constrained-MLP theorem and the worked gaps.

Independent oracles: E[e^2] from raw moments of the input law (Bell polynomials of
the cumulants, or the law's own moments), hand-solved least squares checked against
numpy/scipy optimisers, and direct expansion of the network polynomial.
"""

import itertools

import numpy as np
import pytest
import sympy

from cumulants import generalisation as G
from cumulants.distributions import Exponential, Laplace, Normal, Rademacher, Uniform, standardise
from cumulants.errors import (
    CumulantError,
    InsufficientOrderError,
    InvalidParameterError,
    MethodUnavailableError,
    NotPolynomialError,
    ShapeMismatchError,
)
from cumulants.layers import Dense, Identity, Network, Polynomial, Quadratic
from cumulants.state import Cumulants

R = sympy.Rational


def x_symbols(d):
    return [sympy.Symbol(f"x_{i}") for i in range(d)]


def raw_moment_symbolic(n, kappas):
    """E[x^n] from cumulants by the complete Bell polynomial (sympy.bell)."""
    if n == 0:
        return sympy.Integer(1)
    return sympy.expand(sum(sympy.bell(n, k, kappas[: n - k + 1]) for k in range(1, n + 1)))


def expectation(poly_expr, d, moment):
    """E[p(x)] for independent components with E[x_i^k] = moment(k)."""
    P = sympy.Poly(sympy.expand(poly_expr), *x_symbols(d))
    total = 0
    for monom, coeff in P.terms():
        term = coeff
        for k in monom:
            term *= moment(k) if k else 1
        total += term
    return sympy.expand(total)


def oracle_mse(model, target, d, moment):
    xs = x_symbols(d)
    errs = [sympy.expand(a - b) for a, b in zip(model.polynomial(xs), target.polynomial(xs))]
    return sympy.expand(sum(expectation(e**2, d, moment) for e in errs))


def random_network(rng, d, hidden, coeffs, out=1, bias=True):
    W = [[R(int(v), 2) for v in row] for row in rng.integers(-3, 4, size=(hidden, d))]
    b = [R(int(v), 3) for v in rng.integers(-2, 3, size=hidden)] if bias else None
    V = [[R(int(v), 2) for v in row] for row in rng.integers(-2, 3, size=(out, hidden))]
    c = [R(int(v), 4) for v in rng.integers(-2, 3, size=out)] if bias else None
    return Network([Dense(W, b), Polynomial(coeffs), Dense(V, c)])


# --------------------------------------------------------------------------- error cumulants
def test_error_cumulants_oracle_4():
    x = Cumulants.iid(Normal(0, 1), 1, 2)
    model = Network([Dense([[1]]), Polynomial([0, 1, 1])])
    e = G.error_cumulants(model, Dense([[1]]), x, 4)
    assert e.marginal(0) == [1, 2, 8, 48]                       # docs/formulas.md §8 oracle 4
    assert e.exact


def test_error_cumulants_joint_outputs():
    x = Cumulants.iid(Exponential(1), 2, 2)
    model = Dense([[1, 1], [1, -1]])
    e = G.error_cumulants(model, Dense([[0, 0], [0, 0]]), x, 4)
    assert e[0, 0, 1, 1] == 12 and e[0, 1, 1] == 4 and e[1, 1, 1] == 0   # docs/formulas.md §8 oracle 12


@pytest.mark.parametrize("law", [Exponential(2), Uniform(-1, 2), Rademacher(), Laplace(R(1, 2), 1),
                                 Normal(R(1, 3), 2)])
def test_mse_random_polynomial_networks_vs_raw_moments(law, rng):
    d = 3
    state = Cumulants.iid(law, d, 2)
    target = Dense([[1 / sympy.sqrt(3)] * 3])
    for _ in range(2):
        model = random_network(rng, d, 2, [R(1, 2), 1, R(-1, 3), R(1, 5)])   # cubic activation
        got = G.mse(model, target, state)
        want = oracle_mse(model, target, d, law.moment)
        assert sympy.simplify(got - want) == 0


def test_mse_multi_output_and_gap(rng):
    d = 2
    model = random_network(rng, d, 3, [0, 1, R(1, 2)], out=2)
    target = Dense([[1, 0], [0, 1]], [1, -1])
    train, test = Normal(0, 1), standardise(Uniform(0, 1))
    tr = G.mse(model, target, Cumulants.iid(train, d, 2))
    te = G.mse(model, target, Cumulants.iid(test, d, 2))
    assert tr == oracle_mse(model, target, d, train.moment)
    assert sympy.simplify(te - oracle_mse(model, target, d, test.moment)) == 0
    gap = G.gap(model, target, Cumulants.iid(train, d, 2), Cumulants.iid(test, d, 2))
    assert sympy.simplify(gap - (te - tr)) == 0


def test_mse_symbolic_state_vs_bell_polynomials(rng):
    d = 2
    k = sympy.symbols("kappa_1:5", real=True)
    state = Cumulants.symbolic(d, 4)
    model = random_network(rng, d, 2, [0, 1, R(1, 3)])
    target = Dense([[1, 1]])
    got = G.mse(model, target, state)
    want = oracle_mse(model, target, d, lambda n: raw_moment_symbolic(n, k))
    names = {s.name: s for s in got.free_symbols}
    want = want.subs({kk: names.get(kk.name, kk) for kk in k})
    assert sympy.expand(got - want) == 0


def test_mse_needs_enough_order():
    model = Network([Dense([[1, 1]]), Quadratic(1)])
    with pytest.raises(InsufficientOrderError):
        G.mse(model, Dense([[1, 1]]), Cumulants.symbolic(2, 3))


def test_mse_float_networks():
    model = Network([Dense([[0.5, -0.25]]), Quadratic(0.3)])
    target = Dense([[0.7, 0.7]])
    law = Laplace(0, 1)
    got = G.mse(model, target, Cumulants.iid(law, 2, 2))
    exact_model = Network([Dense([[R(1, 2), R(-1, 4)]]), Quadratic(R(3, 10))])
    want = oracle_mse(exact_model, Dense([[R(7, 10), R(7, 10)]]), 2, law.moment)
    assert isinstance(got, float) and got == pytest.approx(float(want), rel=1e-12)


# --------------------------------------------------------------------------- closed-form optima
def test_optimal_parameters_tied_linear_by_hand():
    """Hand solution.  y = a (x1 + x2) + c against t = x1 (not representable), x_i iid N(mu, s^2):
    e = (a - 1) x1 + a x2 + c, E e = mu (2a - 1) + c, Var e = s^2 ((a-1)^2 + a^2);
    dMSE/dc = 0 -> c = -mu (2a - 1);  d/da -> 2a - 1 = 0 -> a = 1/2, c = 0,  MSE* = s^2/2."""
    a, c = sympy.symbols("a c", real=True)
    family = Dense([[a, a]], [c])
    target = Dense([[1, 0]])
    state = Cumulants.iid(Normal(R(3, 2), 2), 2, 2)
    assert G.optimal_parameters(family, target, state) == [{a: R(1, 2), c: 0}]
    assert G.mse(Dense([[R(1, 2), R(1, 2)]]), target, state) == 2
    # the same fit by numpy least squares on samples
    rng = np.random.default_rng(7)
    X = rng.normal(1.5, 2.0, size=(200_000, 2))
    design = np.column_stack([X.sum(axis=1), np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(design, X[:, 0], rcond=None)
    assert coef == pytest.approx([0.5, 0.0], abs=0.02)


def test_optimal_parameters_representable_target_and_params_subset():
    a, c = sympy.symbols("a c", real=True)
    family = Dense([[a, a]], [c])
    target = Dense([[1 / sympy.sqrt(2)] * 2])
    state = Cumulants.iid(Exponential(1), 2, 2)
    assert G.optimal_parameters(family, target, state) == [{a: sympy.sqrt(2) / 2, c: 0}]
    # solve for a only, c stays a symbol.  By hand, with d = a - 1/sqrt2 and Exp(1) inputs
    # (mean 1, variance 1): MSE = (2d + c)^2 + 2 d^2, dMSE/da = 12 d + 4 c = 0 -> d = -c/3
    (sol,) = G.optimal_parameters(family, target, state, params=[a])
    assert sympy.simplify(sol[a] - (sympy.sqrt(2) / 2 - c / 3)) == 0


def test_same_sign_family_optimum_vs_scipy_and_bound():
    scipy_optimize = pytest.importorskip("scipy.optimize")
    net, params = G.sign_family((1, 1), 2, alpha=R(1, 2))
    target = Dense([[1 / sympy.sqrt(2)] * 2])
    state = Cumulants.iid(Normal(0, 1), 2, 4)
    sols = G.optimal_parameters(net, target, state)
    best = [float(sympy.N(sols[0][p])) for p in params]
    loss = sympy.lambdify([params], G.mse(net, target, state))
    found = min((scipy_optimize.minimize(loss, x0, method="BFGS", tol=1e-12) for x0 in
                 np.random.default_rng(0).normal(size=(8, 3))), key=lambda r: r.fun)
    assert found.x == pytest.approx(best, abs=1e-5)
    assert found.fun == pytest.approx(float(sympy.N(G.mse(G.substitute(net, sols[0]), target, state))),
                                      abs=1e-10)
    bound = G.same_sign_lower_bound(2, 1, alpha=R(1, 2), hidden=2)
    assert found.fun == pytest.approx(float(bound), abs=1e-10)
    # the two hidden units agree at the optimum (Cauchy-Schwarz equality case)
    assert best[0] == pytest.approx(best[1], abs=1e-12)


def test_free_sign_family_is_exact_everywhere():
    net, (a1, a2, c) = G.sign_family((1, -1), 2, alpha=R(1, 2))
    target = Dense([[1 / sympy.sqrt(2)] * 2])
    (sol,) = G.optimal_parameters(net, target, Cumulants.iid(Normal(0, 1), 2, 4))
    assert sol == {a1: sympy.sqrt(2) / 4, a2: -sympy.sqrt(2) / 4, c: 0}
    fitted = G.substitute(net, sol)
    for law in (Uniform(-1, 3), Exponential(2), Rademacher()):
        assert G.mse(fitted, target, Cumulants.iid(law, 2, 2)) == 0


# --------------------------------------------------------------------------- quadratic form
@pytest.mark.parametrize("seed", range(4))
def test_quadratic_network_form_matches_polynomial(seed):
    rng = np.random.default_rng(seed)
    alpha = R(int(rng.integers(1, 5)), 3)
    d, h = 3, 4
    net = random_network(rng, d, h, [0, 1, alpha])
    c0, g, M = G.quadratic_network_form(net)
    xs = sympy.Matrix(x_symbols(d))
    form = sympy.expand(c0 + (g.T * xs)[0] + alpha * (xs.T * M * xs)[0])
    assert sympy.expand(form - net.polynomial()[0]) == 0
    assert M == M.T


def test_quadratic_network_form_identity_and_errors():
    net = Network([Dense([[1, 2]], [3]), Identity(), Dense([[2]], [1])])
    c0, g, M = G.quadratic_network_form(net)
    assert (c0, list(g), M) == (7, [2, 4], sympy.Matrix([[2, 4], [4, 8]]))
    with pytest.raises(ShapeMismatchError):
        G.quadratic_network_form(Network([Dense([[1, 2]]), Quadratic(1)]))
    with pytest.raises(InvalidParameterError, match="z \\+ alpha z\\^2"):
        G.quadratic_network_form(Network([Dense([[1]]), Polynomial([0, 2, 1]), Dense([[1]])]))
    with pytest.raises(ShapeMismatchError):
        G.quadratic_network_form(Network([Dense([[1]]), Quadratic(1), Dense([[1], [1]])]))


# --------------------------------------------------------------------------- the theorem
@pytest.mark.parametrize("seed", range(3))
def test_constrained_mlp_error_equals_mse_symbolically(seed):
    """docs/formulas.md §7 [D] against the exact MSE of the network, kappa_2..kappa_4 and alpha symbolic."""
    rng = np.random.default_rng(seed)
    alpha = sympy.Symbol("alpha", real=True)
    d, h = 3, 3
    W = [[int(v) for v in row] for row in rng.integers(-2, 3, size=(h, d))]
    b = [int(v) for v in rng.integers(-1, 2, size=h)]
    v = [[int(v) for v in rng.integers(-2, 3, size=h)]]
    net = Network([Dense(W, b), Quadratic(alpha), Dense(v, [int(rng.integers(-2, 3))])])
    g_star = [R(1, 2), -1, 2]
    target = Dense([g_star])
    state = Cumulants.symbolic(d, 4).subs({"kappa_1": 0})
    k2, k3, k4 = (next(s for s in state.diagonal(n)[0].free_symbols) for n in (2, 3, 4))
    c0, g, M = G.quadratic_network_form(net)
    closed = G.constrained_mlp_error(g, M, c0, g_star, k2, k3, k4, alpha=alpha)
    assert sympy.expand(closed - G.mse(net, target, state)) == 0


def test_constrained_mlp_error_nonzero_mean():
    rng = np.random.default_rng(11)
    alpha, mu = R(2, 3), sympy.Symbol("mu", real=True)
    net = random_network(rng, 2, 3, [0, 1, alpha])
    g_star = [1, -1]
    state = Cumulants.symbolic(2, 4).subs({"kappa_1": mu})
    k2, k3, k4 = (next(iter(state.diagonal(n)[0].free_symbols)) for n in (2, 3, 4))
    c0, g, M = G.quadratic_network_form(net)
    closed = G.constrained_mlp_error(g, M, c0, g_star, k2, k3, k4, alpha=alpha, mu=mu)
    assert sympy.expand(closed - G.mse(net, Dense([g_star]), state)) == 0
    # ignoring the mean is wrong as soon as mu != 0 (the substitution matters)
    naive = G.constrained_mlp_error(g, M, c0, g_star, k2, k3, k4, alpha=alpha)
    assert sympy.expand(closed - naive) != 0


def test_constrained_mlp_error_symmetrises_and_validates():
    k = sympy.symbols("k2 k3 k4")
    a = G.constrained_mlp_error([0, 0], [[1, 2], [0, 1]], 0, [0, 0], *k, alpha=1)
    b = G.constrained_mlp_error([0, 0], [[1, 1], [1, 1]], 0, [0, 0], *k, alpha=1)
    assert sympy.expand(a - b) == 0
    with pytest.raises(ShapeMismatchError):
        G.constrained_mlp_error([1, 1], [[1, 1, 1]], 0, [1, 1], *k, alpha=1)
    with pytest.raises(ShapeMismatchError):
        G.constrained_mlp_error([1, 1, 1], [[1, 0], [0, 1]], 0, [1, 1], *k, alpha=1)
    with pytest.raises(InvalidParameterError):
        G.constrained_mlp_error([1], [[1]], 0, [1], -1, 0, 0, alpha=1)


# --------------------------------------------------------------------------- same-sign bound
@pytest.mark.parametrize("law", [Normal(0, 1), standardise(Laplace(0, 1)), Normal(0, 2)])
def test_random_same_sign_networks_respect_the_bound(law, rng):
    B, h, alpha, v = 3, 2, 0.4, 1.5
    k2 = float(law.cumulant(2))
    bound = float(G.same_sign_lower_bound(B, law.cumulant(2), law.cumulant(4), alpha=R(2, 5),
                                          hidden=h, output_weight=R(3, 2)))
    target = Dense([[1 / np.sqrt(B)] * B])
    state = Cumulants.iid(law, B, 4)
    for _ in range(20):
        W = rng.normal(scale=0.6, size=(h, B))
        M = v * W.T @ W
        c = -alpha * k2 * np.trace(M)                     # the optimal output bias
        net = Network([Dense(W), Quadratic(alpha), Dense([[v] * h], [c])])
        assert G.mse(net, target, state) >= bound - 1e-12
    # the bound is attained by tied hidden weights at the optimal scale
    assert bound > 0


def test_same_sign_bound_platykurtic_counterexample():
    """On Rademacher inputs x_i^2 = 1: a same-sign model with hidden = block is exact."""
    B, alpha = 2, R(1, 2)
    a = 1 / sympy.sqrt(B)
    net = Network([Dense([[a, 0], [0, a]]), Quadratic(alpha), Dense([[1, 1]], [-alpha * a**2 * B])])
    target = Dense([[1 / sympy.sqrt(B)] * B])
    assert G.mse(net, target, Cumulants.iid(Rademacher(), B, 4)) == 0
    assert G.mse(net, target, Cumulants.iid(Normal(0, 1), B, 4)) > 0
    with pytest.raises(InvalidParameterError, match="kappa4"):
        G.same_sign_lower_bound(B, 1, -2, alpha=alpha)


def test_same_sign_bound_values():
    assert G.same_sign_lower_bound(2, 1, alpha=0) == 0
    v1 = G.same_sign_lower_bound(2, 1, 0, alpha=R(1, 2), hidden=1, output_weight=2)
    v2 = G.same_sign_lower_bound(2, 1, 0, alpha=R(1, 2), hidden=2, output_weight=1)
    assert sympy.simplify(v1 - v2) == 0                       # only v h matters
    lap = G.same_sign_lower_bound(2, 1, 3, alpha=R(1, 2), hidden=2)
    assert float(lap) > float(v2) > float(G.same_sign_lower_bound(2, 1, 0, alpha=R(1, 2), hidden=8))


# --------------------------------------------------------------------------- worked gaps
def test_worked_gaps_table():
    rows = G.worked_gaps()
    assert [(r["model"], r["test"]) for r in rows] == list(itertools.product(
        ["free", "same-sign"], ["gaussian", "uniform", "rademacher", "laplace", "exponential"]))
    free = [r for r in rows if r["model"] == "free"]
    assert all(r["train_mse"] == 0 and r["test_mse"] == 0 and r["gap"] == 0 for r in free)
    same = {r["test"]: r for r in rows if r["model"] == "same-sign"}
    bound = G.same_sign_lower_bound(2, 1, alpha=R(1, 2), hidden=2)
    assert float(same["gaussian"]["train_mse"]) == pytest.approx(float(bound), abs=1e-14)
    # the gap is the kappa_3 / kappa_4 part of the closed form at the fitted parameters
    net, params = G.sign_family((1, 1), 2, alpha=R(1, 2))
    fitted = G.substitute(net, same["gaussian"]["params"])
    c0, g, M = G.quadratic_network_form(fitted)
    g_star = [1 / sympy.sqrt(2)] * 2
    for name, r in same.items():
        closed = G.constrained_mlp_error(g, M, c0, g_star, 1, r["kappa3"], r["kappa4"], alpha=R(1, 2))
        assert float(sympy.N(closed - r["test_mse"], 30)) == pytest.approx(0, abs=1e-20)
    # platykurtic test laws lower the error, leptokurtic / skewed ones raise it
    assert float(same["uniform"]["gap"]) < 0 and float(same["rademacher"]["gap"]) < 0
    assert float(same["laplace"]["gap"]) > 0 and float(same["exponential"]["gap"]) > 0


def test_worked_gaps_custom_laws():
    rows = G.worked_gaps(hidden=1, tests={"t": standardise(Laplace(0, 1))})
    assert [(r["model"], r["test"]) for r in rows] == [("free", "t"), ("same-sign", "t")]
    assert rows[0]["gap"] > 0                              # one unit cannot cancel either


# --------------------------------------------------------------------------- non-polynomial models
def test_non_polynomial_models_need_a_method():
    nonpoly = pytest.importorskip("cumulants.layers.nonpolynomial")
    model = Network([Dense([[0.5]]), nonpoly.Tanh(), Dense([[2.0]])])
    state = Cumulants.iid(Normal(0, 1), 1, 2)
    with pytest.raises(NotPolynomialError, match="method="):
        G.mse(model, Dense([[1]]), state)
    with pytest.raises(MethodUnavailableError):
        G.mse(model, Dense([[1]]), state, method="gaussian")
    e = G.error_cumulants(model, Dense([[1]]), state, 2, method="hermite", degree=6)
    assert e.exact is False and "hermite" in e.method
    approx = G.mse(model, Dense([[1]]), state, method="taylor", degree=7)
    # 2 tanh(z/2) - z = -z^3/12 + ...: E[e^2] ~ E[z^6]/144 = 15/144 to leading order
    assert 0 < approx < 0.2


# --------------------------------------------------------------------------- bad input
BAD = [
    ("model", lambda: G.mse("net", Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2)), InvalidParameterError),
    ("state", lambda: G.mse(Dense([[1]]), Dense([[1]]), [0, 1]), InvalidParameterError),
    ("widths", lambda: G.mse(Dense([[1, 1]]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2)),
     ShapeMismatchError),
    ("outputs", lambda: G.mse(Dense([[1], [1]]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2)),
     ShapeMismatchError),
    ("no-dense", lambda: G.mse(Network([Quadratic(1)]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2)),
     ShapeMismatchError),
    ("order", lambda: G.error_cumulants(Dense([[1]]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2), 0),
     InvalidParameterError),
    ("no-params", lambda: G.optimal_parameters(Dense([[1]]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2)),
     InvalidParameterError),
    ("foreign-param", lambda: G.optimal_parameters(Dense([[sympy.Symbol("a")]]), Dense([[1]]),
                                                   Cumulants.iid(Normal(0, 1), 1, 2),
                                                   params=[sympy.Symbol("b")]), InvalidParameterError),
    ("signs", lambda: G.sign_family((1, 0)), InvalidParameterError),
    ("block", lambda: G.sign_family((1,), block=0), InvalidParameterError),
    ("weight", lambda: G.sign_family((1,), output_weight=-1), InvalidParameterError),
    ("hidden", lambda: G.same_sign_lower_bound(2, 1, alpha=1, hidden=0), InvalidParameterError),
    ("kappa2", lambda: G.same_sign_lower_bound(2, -1, alpha=1), InvalidParameterError),
    ("method", lambda: G.mse(Dense([[1]]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2), method="mc"),
     MethodUnavailableError),
]


@pytest.mark.parametrize("name, call, cls", BAD, ids=[b[0] for b in BAD])
def test_bad_input(name, call, cls):
    with pytest.raises(cls) as info:
        call()
    assert isinstance(info.value, CumulantError)
    assert "=" in str(info.value) or "width" in str(info.value) or "outputs" in str(info.value)
