"""Algebraic laws of the layers, as property tests (exact rationals unless stated).

Composition, identities, multilinearity, shift invariance, additivity under independence,
Gaussian closure under fixed linear maps, permutation equivariance of message passing,
homogeneity of polynomial maps, agreement of the two network routes and of the float and
exact number systems.
"""

import numpy as np
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from cumulants import Cumulants
from cumulants.distributions import (
    Bernoulli,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    Poisson,
    Rademacher,
    Uniform,
)
from cumulants.layers import (
    Dense,
    Erf,
    Identity,
    MessagePassing,
    Network,
    Polynomial,
    Quadratic,
    Tanh,
    ring_graph,
)

R = sympy.Rational
DISTS = [Exponential(1), Exponential(2), Rademacher(), Bernoulli(R(1, 3)), Poisson(2),
         Uniform(0, 1), Normal(1, 2), Laplace(0, 1), Gamma(2, R(1, 2))]

small_ints = st.integers(-2, 2)
rationals = st.builds(R, st.integers(-3, 3), st.sampled_from([1, 2, 3]))


def matrices(rows, cols, elements=small_ints):
    return st.lists(st.lists(elements, min_size=cols, max_size=cols), min_size=rows,
                    max_size=rows)


@st.composite
def independent_states(draw, dim=None, order=4):
    d = draw(st.integers(1, 3)) if dim is None else dim
    dists = draw(st.lists(st.sampled_from(DISTS), min_size=d, max_size=d))
    return Cumulants.independent(dists, order)


@st.composite
def gaussian_states(draw, dim=None):
    """Exact Gaussian states with covariance L L^T (PSD by construction)."""
    d = draw(st.integers(1, 3)) if dim is None else dim
    L = sympy.Matrix(draw(matrices(d, d)))
    mean = draw(st.lists(rationals, min_size=d, max_size=d))
    return Cumulants.gaussian(mean, L * L.T)


@st.composite
def polynomials(draw, max_degree=2):
    coeffs = draw(st.lists(rationals, min_size=1, max_size=max_degree + 1))
    return Polynomial(coeffs)


def same(a, b, order):
    assert a.dim == b.dim
    for n in range(1, order + 1):
        assert [sympy.expand(v) for v in a.packed(n)] == [sympy.expand(v) for v in b.packed(n)]


# ------------------------------------------------------------------- composition, identity
@given(st.data())
def test_network_of_two_layers_is_the_composition(data):
    x = data.draw(independent_states(order=4))
    W = data.draw(matrices(2, x.dim))
    A, B = Dense(W, bias=data.draw(st.lists(rationals, min_size=2, max_size=2))), \
        data.draw(polynomials())
    order = 2
    composed = B.propagate(A.propagate(x, B.required_order(order)), order)
    same(Network([A, B]).propagate(x, order, route="layerwise"), composed, order)


@given(independent_states(order=3), st.integers(1, 3))
def test_identity_layers_change_nothing(x, order):
    eye = np.eye(x.dim, dtype=int)
    for layer in (Identity(), Dense(eye), Polynomial([0, 1]), Network([Identity(), Dense(eye)])):
        same(layer.propagate(x, order), x.to_packed().extend(order), order)


@given(st.data())
def test_dense_layers_compose_by_matrix_product(data):
    x = data.draw(independent_states(order=3))
    W1 = np.array(data.draw(matrices(2, x.dim)), dtype=int)
    W2 = np.array(data.draw(matrices(2, 2)), dtype=int)
    same(Dense(W2).propagate(Dense(W1).propagate(x)), Dense(W2 @ W1).propagate(x), 3)


# --------------------------------------------------------------------- Dense laws
@given(st.data())
def test_bias_shifts_only_the_mean(data):
    x = data.draw(independent_states(order=3))
    W = data.draw(matrices(2, x.dim))
    b = data.draw(st.lists(rationals, min_size=2, max_size=2))
    y0, y1 = Dense(W).propagate(x), Dense(W, bias=b).propagate(x)
    assert [y1[i] - y0[i] for i in range(2)] == b
    for n in (2, 3):
        assert list(y1.packed(n)) == list(y0.packed(n))


@given(independent_states(order=4), st.integers(1, 4))
def test_cumulants_of_independent_sums_add(x, order):
    total = Dense([[1] * x.dim]).propagate(x, order)
    for n in range(1, order + 1):
        assert total[(0,) * n] == sum(x[(i,) * n] for i in range(x.dim))


@given(independent_states(order=4), rationals, st.integers(1, 4))
def test_cumulants_are_homogeneous(x, a, order):
    y = Dense([[a] + [0] * (x.dim - 1)]).propagate(x, order)
    for n in range(1, order + 1):
        assert y[(0,) * n] == a ** n * x[(0,) * n]


@given(st.data())
def test_gaussian_stays_gaussian_under_fixed_linear_maps(data):
    x = data.draw(gaussian_states())
    W = sympy.Matrix(data.draw(matrices(data.draw(st.integers(1, 3)), x.dim)))
    b = data.draw(st.lists(rationals, min_size=W.rows, max_size=W.rows))
    y = Dense(W, bias=b).propagate(x)
    assert y.is_gaussian and y.zero_above == 2
    S = sympy.Matrix(x.covariance.tolist())
    assert sympy.Matrix(y.covariance.tolist()) == W * S * W.T
    assert list(y.mean) == list(W * sympy.Matrix(list(x.mean)) + sympy.Matrix(b))
    assert all(v == 0 for v in y.extend(4).packed(3)) and all(v == 0 for v in y.packed(4))


# ----------------------------------------------------------------- message passing
@given(st.integers(3, 6), rationals, rationals, st.integers(1, 5), st.data())
def test_message_passing_on_a_ring_is_rotation_equivariant(n, a, b, shift, data):
    dists = data.draw(st.lists(st.sampled_from(DISTS), min_size=n, max_size=n))
    mp = MessagePassing(ring_graph(n), [[a]], [[b]])
    y = mp.propagate(Cumulants.independent(dists, 3))
    rotated = [dists[(i - shift) % n] for i in range(n)]
    y_rot = mp.propagate(Cumulants.independent(rotated, 3))
    for idx in [(0,), (0, 1), (1, 2), (0, n - 1), (0, 0, 1), (0, 1, 2)]:
        assert y_rot[tuple((i + shift) % n for i in idx)] == y[idx]


# ---------------------------------------------------------------- polynomial maps
@given(independent_states(order=6), rationals, rationals, st.integers(1, 3))
def test_square_is_homogeneous_of_degree_two(x, a, c, order):
    """kappa_n(c (a x)^2) = c^n a^(2n) kappa_n(x^2)."""
    scaled = Network([Dense([[a] + [0] * (x.dim - 1)]), Polynomial([0, 0, c])])
    base = Network([Dense([[1] + [0] * (x.dim - 1)]), Polynomial([0, 0, 1])])
    y, z = scaled.propagate(x, order), base.propagate(x, order)
    for n in range(1, order + 1):
        assert y[(0,) * n] == c ** n * a ** (2 * n) * z[(0,) * n]


@given(independent_states(dim=1, order=6), st.data())
def test_polynomial_of_a_scaled_input_rescales_its_coefficients(x, data):
    """p(a x) is the polynomial with coefficients c_k a^k."""
    p = data.draw(polynomials())
    a = data.draw(rationals)
    lhs = Network([Dense([[a]]), p]).propagate(x, 3, route="layerwise")
    rhs = Polynomial([c * a ** k for k, c in enumerate(p.coeffs)]).propagate(x, 3)
    same(lhs, rhs.to_packed(), 3)


@given(st.data())
def test_layerwise_and_polynomial_routes_agree_exactly(data):
    x = data.draw(independent_states(order=2))
    hidden = data.draw(st.integers(1, 3))
    W1 = data.draw(matrices(hidden, x.dim))
    W2 = data.draw(matrices(1, hidden))
    net = Network([Dense(W1, bias=data.draw(st.lists(rationals, min_size=hidden,
                                                     max_size=hidden))),
                   data.draw(polynomials()), Dense(W2)])
    order = data.draw(st.integers(1, 3))
    same(net.propagate(x, order, route="layerwise"), net.propagate(x, order, route="polynomial"),
         order)


@given(st.data())
def test_float_and_exact_domains_agree(data):
    x = data.draw(independent_states(order=2))
    W = data.draw(matrices(2, x.dim))
    alpha = data.draw(rationals)
    net = Network([Dense(W), Quadratic(alpha), Dense([[1, -1]])])
    exact = net.propagate(x, 3)
    floating = Network([Dense(np.array(W, dtype=float)), Quadratic(float(alpha)),
                        Dense([[1.0, -1.0]])]).propagate(x.evalf(), 3)
    assert exact.domain == "exact" and floating.domain == "float"
    np.testing.assert_allclose([float(v) for v in exact.marginal(0)], floating.marginal(0),
                               rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------- Gaussian closure laws
psd = st.lists(st.floats(-1.5, 1.5), min_size=9, max_size=9).map(
    lambda v: (np.array(v).reshape(3, 3) @ np.array(v).reshape(3, 3).T) + 0.1 * np.eye(3))


@given(psd, st.lists(st.floats(-1, 1), min_size=3, max_size=3), st.permutations(range(3)))
def test_closure_is_permutation_equivariant(S, m, perm):
    p = list(perm)
    y = Tanh().propagate(Cumulants.gaussian(m, S))
    yp = Tanh().propagate(Cumulants.gaussian(np.array(m)[p], S[np.ix_(p, p)]))
    np.testing.assert_allclose(yp.mean, y.mean[p], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(yp.covariance, y.covariance[np.ix_(p, p)], rtol=1e-10, atol=1e-13)


@given(psd)
def test_odd_activations_of_centred_gaussians_have_zero_mean(S):
    y = Erf().propagate(Cumulants.gaussian([0.0, 0.0, 0.0], S))
    np.testing.assert_allclose(y.mean, 0.0, atol=1e-15)
    lam = np.linalg.eigvalsh(y.covariance)
    assume(np.all(np.isfinite(lam)))
    assert lam[0] >= -1e-12 * max(1.0, lam[-1])             # the closure covariance is PSD
