"""The contraction route against the expanded polynomial route (exact), Monte Carlo and closed forms."""

import json
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from cumulants.distributions import Bernoulli, Exponential, Normal, Rademacher, Uniform
from cumulants.errors import InvalidParameterError, MethodUnavailableError, OrderTooHighError
from cumulants.layers import Dense, MessagePassing, Network, Polynomial, Quadratic, ring_graph
from cumulants.layers._diagrams import shapes
from cumulants.layers.contraction import (
    applicable,
    contraction_cumulants,
    group_cumulants,
    route_costs,
)
from cumulants.state import Cumulants

R = sympy.Rational
LAWS = [Bernoulli(R(1, 3)), Uniform(-1, 2), Exponential(2), Normal(R(1, 2), 2), Rademacher()]


def _values(state):
    return [v for n in range(1, state.order + 1) for v in state.packed(n)]


def _constrained(draw, rows, cols, constraint):
    """Small rational weights obeying a weight constraint of the study's zoo."""
    ints = st.integers(-3, 3)
    if constraint == "tied":
        w = R(draw(ints), 2)
        return [[w] * cols for _ in range(rows)]
    if constraint == "same_sign":
        return [[R(abs(draw(ints)), 2) for _ in range(cols)] for _ in range(rows)]
    if constraint == "equivariant" and rows == cols:
        a, b = R(draw(ints), 2), R(draw(ints), 3)
        return [[a * int(i == j) + b for j in range(cols)] for i in range(rows)]
    return [[R(draw(ints), 2) for _ in range(cols)] for _ in range(rows)]


@st.composite
def small_networks(draw):
    d = draw(st.integers(1, 3))
    depth = draw(st.integers(1, 2))
    layers, width, degree = [], d, 1
    for _ in range(depth):
        h = draw(st.integers(1, 3))
        cons = draw(st.sampled_from(["free", "tied", "same_sign", "equivariant"]))
        bias = draw(st.one_of(st.none(), st.lists(st.integers(-2, 2), min_size=h, max_size=h)))
        layers.append(Dense(_constrained(draw, h, width, cons), bias=bias))
        k = draw(st.integers(1, 2 if degree * 2 <= 4 else 1))
        coeffs = [R(draw(st.integers(-2, 2)), 2) for _ in range(k + 1)]
        coeffs[-1] = coeffs[-1] or R(1, 2)
        layers.append(Polynomial(coeffs))
        degree *= k
        width = h
    m = draw(st.integers(1, 2))
    layers.append(Dense(_constrained(draw, m, width, draw(st.sampled_from(["free", "tied"])))))
    return Network(layers), d, degree


@given(small_networks(), st.sampled_from(range(len(LAWS))), st.data())
def test_contraction_equals_polynomial_route_exactly(case, law, data):
    net, d, degree = case
    order = data.draw(st.integers(1, 3 if degree <= 2 else 2))
    laws = [LAWS[(law + i * data.draw(st.integers(0, 1))) % len(LAWS)] for i in range(d)]
    x = Cumulants.independent(laws, 2)
    ref = net.propagate(x, order, route="polynomial")          # the independent oracle
    got = net.propagate(x, order, route="contraction")
    assert got.domain == "exact"
    assert _values(got) == _values(ref)
    if degree <= 2:  # both strategies, one answer
        assert _values(contraction_cumulants(net, x, order, strategy="diagrams")) == _values(ref)
        assert _values(contraction_cumulants(net, x, order, strategy="basis")) == _values(ref)


def test_correlated_gaussian_reduces_through_an_exact_ldl_factor():
    net = Network([Dense([[1, 2], [1, -1], [0, 1]], bias=[1, 0, 2]), Quadratic(R(1, 3)),
                   Dense([[1, R(-1, 2), 2]])])
    x = Cumulants.gaussian([1, R(-1, 2)], [[2, R(1, 2)], [R(1, 2), 1]], order=2)
    ref = net.propagate(x, 5, route="polynomial")
    for strategy in ("auto", "basis", "diagrams"):
        assert _values(contraction_cumulants(net, x, 5, strategy=strategy)) == _values(ref)
    singular = Cumulants.gaussian([0, 0], [[1, 1], [1, 1]], order=2)  # a zero LDL pivot
    assert _values(net.propagate(singular, 3, route="contraction")) == \
        _values(net.propagate(singular, 3, route="polynomial"))


def _closed_form(W, v, alpha, n):
    """Issue 13's closed form for x ~ N(0, I): y = g.x + x^T M x, M = W^T diag(alpha v) W."""
    M = W.T * sympy.diag(*[alpha * e for e in v]) * W
    g = W.T * sympy.Matrix(v)
    if n == 1:
        return M.trace()
    return (2 ** (n - 1) * math.factorial(n - 1) * (M ** n).trace()
            + R(2 ** n, 8) * math.factorial(n) * (g.T * M ** (n - 2) * g)[0, 0])


def test_gaussian_closed_form_matches_the_polynomial_route():
    # CGF -1/2 log det(I - 2tM) + t^2/2 g^T (I - 2tM)^-1 g, expanded: derived independently
    W = sympy.Matrix([[1, 2, 0], [R(1, 2), -1, 1], [0, 1, 3], [2, 0, -1]])
    v = [1, R(-1, 3), 2, R(1, 2)]
    alpha = R(1, 2)
    net = Network([Dense(W), Quadratic(alpha), Dense([v])])
    x = Cumulants.iid(Normal(0, 1), 3, 2)
    ref = net.propagate(x, 6, route="polynomial").marginal(0)
    assert ref == [sympy.expand(_closed_form(W, v, alpha, n)) for n in range(1, 7)]
    assert net.propagate(x, 6, route="contraction").marginal(0) == ref


def test_gaussian_shapes_are_the_cycle_and_the_paths():
    # weights 2^(n-1) (n-1)! (cycle) and n! 2^(n-3) (path), as in the closed form
    for n in range(3, 9):
        got = sorted(w for w, *_ in shapes(n, True))
        assert got == sorted([2 ** (n - 1) * math.factorial(n - 1), math.factorial(n) * 2 ** (n - 3)])


def test_float_and_mpmath_agree_with_exact():
    rng = np.random.default_rng(3)
    W = rng.integers(-4, 5, (5, 3)) / 4          # dyadic: exactly representable
    v = rng.integers(-4, 5, (1, 5)) / 8
    exact = Network([Dense([[R(int(4 * a), 4) for a in row] for row in W]),
                     Quadratic(R(1, 2)), Dense([[R(int(8 * a), 8) for a in v[0]]])])
    flt = Network([Dense(W), Quadratic(0.5), Dense(v)])
    x = Cumulants.iid(Uniform(-1, 1), 3, 2)
    exact_ref = exact.propagate(x, 4, route="polynomial").marginal(0)
    ref = [float(a) for a in exact_ref]
    for strategy in ("basis", "diagrams"):
        got = contraction_cumulants(flt, x, 4, strategy=strategy).marginal(0)
        assert np.allclose(got, ref, rtol=1e-12, atol=0)
    with mpmath.workdps(40):
        mp = Network([Dense([[mpmath.mpf(a) for a in row] for row in W]), Quadratic(0.5), Dense(v)])
        got = contraction_cumulants(mp, x, 4).marginal(0)
        assert all(isinstance(a, mpmath.mpf) for a in got)
        want = [mpmath.mpf(a.p) / a.q for a in exact_ref]
        assert all(abs(a - b) <= 1e-30 * abs(b) for a, b in zip(got, want))


def test_monte_carlo_on_a_wide_network():
    # d = 24 exponential inputs, 64 quadratic units; 1e5 samples, k-statistics within 4 SE
    from cumulants.estimators import k_statistics, k_statistics_se

    rng = np.random.default_rng(20261130)
    d, h = 24, 64
    W = rng.normal(size=(h, d)) / np.sqrt(d)
    v = rng.normal(size=(1, h)) / np.sqrt(h)
    net = Network([Dense(W), Quadratic(0.5), Dense(v)])
    x = Cumulants.iid(Exponential(1), d, 2)
    exact = net.propagate(x, 4, route="contraction").marginal(0)
    X = rng.exponential(size=(100_000, d))
    u = X @ W.T
    y = (u + 0.5 * u * u) @ v[0]
    ks = k_statistics(y, 4)
    se = k_statistics_se(y, 4, method="plugin")
    for k, s, e in zip(ks, np.ravel(se), exact):
        assert abs(k - e) < 4 * s, (k, e, s)


def test_message_passing_groups_on_their_light_cones():
    from itertools import combinations_with_replacement as cwr

    from cumulants.algebra.polynomial import polynomial_cumulants

    A = ring_graph(7)
    net = Network([MessagePassing(A, [[1, R(1, 2)]], [[R(1, 2), -1]]), Quadratic(R(1, 2)),
                   MessagePassing(A, [[1], [R(-1, 2)]], [[R(1, 3)], [1]]), Quadratic(1)])
    x = Cumulants.iid(Uniform(-1, 1), 7, 2)
    # the same network ending in its message-passing layer (an affine last step)
    last_affine = Network(net.layers[:-1])
    for net in (net, last_affine):
        polys = net.polynomial(as_ring=True)
        groups = [(6, 0), (3,)]
        for g, res in zip(groups, group_cumulants(net, x, 2, groups)):
            ref = polynomial_cumulants([polys[i] for i in g], x, 2)   # the expanded oracle
            for n in range(1, 3):
                for idx in cwr(range(len(g)), n):
                    assert res[idx] == ref[idx]


def test_subtract_gives_the_error_cumulants():
    from cumulants.generalisation import error_cumulants

    net = Network([Dense([[1, 2], [1, -1]]), Quadratic(R(1, 2)), Dense([[1, 1]])])
    target = Dense([[1, 1]])
    x = Cumulants.iid(Exponential(1), 2, 2)
    ref = error_cumulants(net, target, x, 4)
    assert _values(contraction_cumulants(net, x, 4, subtract=target)) == _values(ref)


def test_bad_inputs_are_refused_with_the_way_out():
    net = Network([Dense([[1, 1]]), Quadratic(1)])
    with pytest.raises(InvalidParameterError, match="route='polynomial'"):
        contraction_cumulants(Network([Dense([[sympy.Symbol("a"), 1]]), Quadratic(1)]),
                              Cumulants.iid(Normal(0, 1), 2, 2), 2)
    corr = Cumulants.from_tensors([[0, 0], [[1, R(1, 2)], [R(1, 2), 1]], np.zeros((2, 2, 2)).tolist(),
                                   np.zeros((2,) * 4).tolist()])
    with pytest.raises(MethodUnavailableError, match="route='layerwise'"):
        contraction_cumulants(net, corr, 2)
    assert not applicable(net, Cumulants.symbolic(2, 4))
    deep = Network([Dense([[1] * 70]), Quadratic(1), Dense([[1]]), Quadratic(1)])
    with pytest.raises(OrderTooHighError, match="route="):
        contraction_cumulants(deep, Cumulants.iid(Uniform(-1, 1), 70, 2), 8)


def test_cost_model_orders_routes_as_measured():
    # measured by benchmarks/bench_wide.py (cost-model section) on this project's 2-core machine
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "wide_routes.json"
    cases = json.loads(path.read_text())
    assert len(cases) >= 3
    for case in cases:
        rng = np.random.default_rng(case["seed"])
        d, h, n = case["d"], case["h"], case["order"]
        W = rng.normal(size=(h, d)) / np.sqrt(d)
        v = rng.normal(size=(1, h)) / np.sqrt(h)
        net = Network([Dense(W), Quadratic(0.5), Dense(v)])
        x = Cumulants.iid(Uniform(-1, 1), d, 2)
        est = {k: t for k, t in route_costs(net, x, n).items() if t is not None}
        measured = {k: t for k, t in case["seconds"].items() if t is not None}
        assert min(est, key=est.get) == min(measured, key=measured.get), case
        for a in measured:  # routes measured 5x apart are ordered the same way
            for b in measured:
                if measured[a] > 5 * measured[b]:
                    assert est[a] > est[b], (case, a, b)


@pytest.mark.parametrize("kx", [
    [0.0, 1.0, 0.0, -2.0, 0.0, 16.0, 0.0, -272.0],         # Rademacher: zero pivots D_2.. = 0
    [0.0, 1.0, 0.0, -1.2, 0.0, 48 / 7, 0.0, -86.4],  # uniform, variance 1: B_2n (2 sqrt3)^2n / 2n
])
def test_float_basis_strategy_on_a_wide_sum_to_the_fourth(kx):
    """y = s^4 with s = w.x over 26 i.i.d. inputs (w_i = (i + 1)/32, dyadic, so exact as
    floats): the output polynomial has C(30, 4) = 27405 monomials, past the 20000 where
    float coefficients go through the dense monomial table.  Oracle: the cumulants of s
    are kappa_n(s) = sum_i w_i^n kappa_n(x); its moments follow from the textbook
    recursion m_n = sum_j C(n-1, j-1) kappa_j m_{n-j}, in exact rationals of the given
    floats; E y = m_4(s) and kappa_2(y) = m_8(s) - m_4(s)^2.  The float route rounds L, D
    and a few hundred thousand products: 1e-12 relative.  A bias b = 1/4 only shifts
    kappa_1(s) by b."""
    from fractions import Fraction

    d = 26
    w = [(i + 1) / 32 for i in range(d)]
    net = Network([Dense([w], [0.25]), Polynomial([0, 0, 0, 0, 1])])
    got = contraction_cumulants(net, Cumulants.iid_cumulants(kx, d), 2, strategy="basis")
    ks = [sum(Fraction(wi) ** n for wi in w) * Fraction(kx[n - 1]) for n in range(1, 9)]
    ks[0] += Fraction(1, 4)
    m = [Fraction(1)]
    for n in range(1, 9):
        m.append(sum(math.comb(n - 1, j - 1) * ks[j - 1] * m[n - j] for j in range(1, n + 1)))
    assert got.domain == "float"
    assert got[(0,)] == pytest.approx(float(m[4]), rel=1e-12)
    assert got[(0, 0)] == pytest.approx(float(m[8] - m[4] ** 2), rel=1e-12)


@pytest.mark.parametrize("strategy", ["basis", "diagrams"])
def test_zero_mean_and_constant_outputs(strategy):
    """x1 - x2 of two Rademacher inputs has mean 0 (no constant term left in its expansion)
    and variance 2; a constant activation 3 of anything has mean 3 and variance 0."""
    rad = Cumulants.iid(Rademacher(), 2, 4)
    got = contraction_cumulants(Network([Dense([[1, -1]])]), rad, 2, strategy=strategy)
    assert (got[(0,)], got[(0, 0)]) == (0, 2)
    const = Network([Dense([[1, 2]]), Polynomial([3])])
    got = contraction_cumulants(const, Cumulants.iid(Uniform(-1, 2), 2, 4), 2, strategy=strategy)
    assert (got[(0,)], got[(0, 0)]) == (3, 0)
    # two biases in a row: 2 * 1 + 3 = 5 whatever the inputs
    chain = Network([Dense([[0, 0]], [1]), Dense([[2]], [3])])
    got = contraction_cumulants(chain, rad, 2, strategy=strategy)
    assert (got[(0,)], got[(0, 0)]) == (5, 0)
    # a unit with all weights zero is the zero polynomial: mean 0, variance 0
    zero = Network([Dense([[1, 1]]), Polynomial([0, 0, 1]), Dense([[0]])])
    got = contraction_cumulants(zero, rad, 2, strategy=strategy)
    assert (got[(0,)], got[(0, 0)]) == (0, 0)


def test_float_square_of_a_large_polynomial_on_the_monomial_table():
    """y = (s^3)^2 with s = w.x over 22 i.i.d. uniform inputs of variance 1 (the identity
    layer between keeps the square a square of one polynomial): s^3 has C(24, 3) = 2024
    cubic monomials and the constant slot, so its square forms 2025^2 > 4e6 pair products
    and goes through the chunked upper-triangle square on the dense monomial table.  Oracle: E y =
    m_6(s) from kappa_n(s) = sum_i w_i^n kappa_n(x) and the textbook moment recursion, in
    exact rationals of the given floats; uniform cumulants kappa_2n = B_2n 12^n / (2n)."""
    from fractions import Fraction

    d = 22
    w = [(i + 1) / 32 for i in range(d)]
    kx = [0.0] + [float(sympy.bernoulli(n) * 12 ** (n // 2) / n) if n % 2 == 0 else 0.0
                  for n in range(2, 13)]
    net = Network([Dense([w]), Polynomial([0, 0, 0, 1]), Dense([[1]]), Polynomial([0, 0, 1])])
    x = Cumulants.iid_cumulants(kx, d)

    def m6(w):
        ks = [sum(Fraction(wi) ** n for wi in w) * Fraction(kx[n - 1]) for n in range(1, 7)]
        m = [Fraction(1)]
        for n in range(1, 7):
            m.append(sum(math.comb(n - 1, j - 1) * ks[j - 1] * m[n - j]
                         for j in range(1, n + 1)))
        return float(m[6])

    got = contraction_cumulants(net, x, 1, strategy="basis")
    assert got[(0,)] == pytest.approx(m6(w), rel=1e-12)
    # two outputs at once (rows multiplied together, not on the one-row table)
    v = [(d - i) / 64 for i in range(d)]
    two = Network([Dense([w, v]), Polynomial([0, 0, 0, 1]), Dense([[1, 0], [0, 1]]),
                   Polynomial([0, 0, 1])])
    got = contraction_cumulants(two, x, 1, strategy="basis")
    assert (got[(0,)], got[(1,)]) == pytest.approx((m6(w), m6(v)), rel=1e-12)


def test_basis_strategy_names_the_order_it_needs():
    """kappa_3 of a quadratic needs input cumulants to order 6 in general, but the basis
    strategy pairs polynomials of degree 2 * ceil(3/2) = 4, i.e. moments to order 8: a
    state holding six cumulants is refused by name; the diagrams agree with the expanded
    polynomial (Rademacher-like cumulants 0, 1, 0, -2, 0, 16)."""
    from cumulants.errors import InsufficientOrderError

    net = Network([Dense([[1, 2]]), Polynomial([0, 1, 1])])
    x = Cumulants.iid_cumulants([0, 1, 0, -2, 0, 16], 2)
    with pytest.raises(InsufficientOrderError, match="basis strategy needs input cumulants "
                                                     "up to order 8; the state holds order 6"):
        contraction_cumulants(net, x, 3, strategy="basis")
    assert contraction_cumulants(net, x, 3, strategy="diagrams")[(0, 0, 0)] == \
        net.propagate(x, 3, route="polynomial")[(0, 0, 0)]


def test_non_gaussian_diagrams_at_the_largest_tabulated_order():
    """Order 7 is the last order with tabulated non-Gaussian shapes (connected graphs of up
    to 7 vertices, read from the graph atlas): the diagrams apply up to there and agree with
    the expanded polynomial at every order from 4 on."""
    net = Network([Dense([[1, 2]]), Polynomial([0, 1, 1])])
    x = Cumulants.iid(Uniform(-1, 2), 2, 8)
    for order in (4, 5, 6, 7):
        got = contraction_cumulants(net, x, order, strategy="diagrams")
        assert _values(got) == _values(net.propagate(x, order, route="polynomial"))
    with pytest.raises(OrderTooHighError, match="strategy='diagrams' does not apply"):
        contraction_cumulants(net, x, 8, strategy="diagrams")


@pytest.mark.parametrize("gaussian", [False, True])
def test_float_diagrams_agree_with_exact_ones(gaussian):
    """Float operands take the BLAS and tensordot paths of the pairwise contractions, exact
    ones np.einsum on object arrays: the same network and inputs (dyadic numbers, exact as
    floats) must give the same joint cumulants of two outputs, to 1e-12 relative (a few
    hundred rounded products).  Orders: 3 for independent inputs with six cumulants
    (degree 2 x 3), 6 for a correlated Gaussian."""
    def net(conv):
        W1 = [[0.5, -1.0, 0.25], [1.0, 0.75, -0.5], [-0.25, 0.5, 1.0]]
        W2 = [[1.0, -0.5, 0.25], [0.5, 0.5, -1.0]]
        return Network([Dense([[conv(v) for v in r] for r in W1], [conv(0.5), conv(0.0), conv(-0.25)]),
                        Polynomial([conv(0.0), conv(1.0), conv(0.5)]),
                        Dense([[conv(v) for v in r] for r in W2])])

    exact = sympy.Rational
    if gaussian:
        mean, cov = [0.5, -0.25, 0.0], [[1.0, 0.25, 0.0], [0.25, 2.0, 0.5], [0.0, 0.5, 1.5]]
        xf = Cumulants.gaussian(mean, cov)
        xe = Cumulants.gaussian([exact(v) for v in mean], [[exact(v) for v in r] for r in cov])
        order = 6
    else:
        kx = [0.25, 1.0, 0.5, -1.25, 2.0, 3.5]
        xf, xe = Cumulants.iid_cumulants(kx, 3), Cumulants.iid_cumulants([exact(v) for v in kx], 3)
        order = 3
    got = contraction_cumulants(net(float), xf, order, strategy="diagrams")
    ref = contraction_cumulants(net(exact), xe, order, strategy="diagrams")
    assert got.domain == "float" and ref.domain == "exact"
    for n in range(1, order + 1):
        for g, r in zip(got.packed(n), ref.packed(n)):
            assert g == pytest.approx(float(r), rel=1e-12, abs=1e-12)


def test_more_outputs_than_inputs_and_symbolic_gaussians():
    """A linear map of 2 inputs to 3 outputs (no quadratic form at all) through the diagrams
    equals the expanded polynomial; a Gaussian whose covariance is symbolic is not a
    contraction problem (numbers are needed), even though its mean is numeric."""
    lin = Network([Dense([[1, 0], [0, 1], [1, 1]])])
    x = Cumulants.iid(Uniform(-1, 2), 2, 4)
    got = contraction_cumulants(lin, x, 2, strategy="diagrams")
    assert _values(got) == _values(lin.propagate(x, 2, route="polynomial"))
    s = sympy.Symbol("s", positive=True)
    net = Network([Dense([[1, 2]]), Polynomial([0, 1, 1])])
    assert not applicable(net, Cumulants.gaussian([0, 0], [[s, 0], [0, 1]]))
    assert applicable(net, Cumulants.gaussian([0, 0], [[2, 0], [0, 1]]))


def test_basis_strategy_joint_cumulants_of_two_outputs_at_order_five():
    """Order 5 pairs products of three centred outputs (ceil(5/2) = 3), including mixed
    ones like y1 y2 y2: every joint cumulant of two outputs equals the expanded polynomial's."""
    x = Cumulants.iid(Exponential(2), 2, 12)
    for net in (Network([Dense([[1, 1], [1, -1]])]),
                Network([Dense([[1, 2], [1, -1]]), Polynomial([0, 1, 1])])):
        got = contraction_cumulants(net, x, 5, strategy="basis")
        assert _values(got) == _values(net.propagate(x, 5, route="polynomial"))


@pytest.mark.parametrize("strategy", ["auto", "basis", "diagrams"])
def test_linear_map_of_a_second_order_state(strategy):
    """x1 + x2 for independent inputs with mean 1/2 and variance 1: mean 1 and variance 2,
    from a state that holds only kappa_1 and kappa_2 (a linear map needs no more)."""
    got = contraction_cumulants(Network([Dense([[1, 1]])]), Cumulants.iid_cumulants([0.5, 1], 2),
                                2, strategy=strategy)
    assert (got[(0,)], got[(0, 0)]) == (1.0, 2.0)
