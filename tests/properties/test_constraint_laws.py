"""Laws of the weight constraints and of the equivariant models built from them."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cumulants import constraints as C
from cumulants import nn

sizes = st.integers(1, 5)
shapes = st.tuples(sizes, sizes)

constraint_st = st.one_of(
    st.builds(C.free, shapes),
    st.builds(C.tied, shapes, st.sampled_from(C.Tied.MODES)),
    st.builds(C.same_sign, shapes, st.sampled_from([1, -1]),
              st.sampled_from(C.SameSign.PARAMETERISATIONS)),
    st.builds(lambda n, i, o: C.permutation_equivariant(n, in_channels=i, out_channels=o),
              sizes, st.integers(1, 3), st.integers(1, 3)),
    st.builds(C.symmetric, sizes),
    st.builds(C.circulant, sizes),
)
linear_st = constraint_st.filter(lambda c: c.linear)
values = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


def vector(n):
    return hnp.arrays(np.float64, n, elements=values)


def matrix(shape):
    return hnp.arrays(np.float64, shape, elements=values)


@given(st.data(), constraint_st)
def test_built_matrices_satisfy_their_constraint(data, c):
    theta = data.draw(vector(c.n_params))
    W = c.build(theta)
    assert W.shape == c.shape
    assert c.check(W)


@given(st.data(), constraint_st)
def test_project_then_build_is_identity_on_feasible_matrices(data, c):
    W = c.build(data.draw(vector(c.n_params)))
    np.testing.assert_allclose(c.build(c.project(W)), W, rtol=1e-9, atol=1e-9)


@given(st.data(), constraint_st)
def test_projection_is_idempotent(data, c):
    W = data.draw(matrix(c.shape))
    P1 = c.build(c.project(W))
    assert c.check(P1, atol=1e-8)
    np.testing.assert_allclose(c.build(c.project(P1)), P1, rtol=1e-9, atol=1e-9)


@given(st.data(), linear_st)
def test_linear_constraints_are_linear(data, c):
    t1, t2 = data.draw(vector(c.n_params)), data.draw(vector(c.n_params))
    a, b = data.draw(values), data.draw(values)
    np.testing.assert_allclose(c.build(a * t1 + b * t2), a * c.build(t1) + b * c.build(t2),
                               atol=1e-10)


@given(st.data(), linear_st)
def test_grad_is_the_adjoint_of_build(data, c):
    # <grad(theta, G), delta> = <G, build(delta)> for every G and delta
    G = data.draw(matrix(c.shape))
    delta = data.draw(vector(c.n_params))
    theta = data.draw(vector(c.n_params))
    lhs = float(c.grad(theta, G) @ delta)
    rhs = float(np.sum(G * c.build(delta)))
    assert abs(lhs - rhs) <= 1e-9 * (1 + abs(rhs))


@given(st.data(), constraint_st)
def test_grad_matches_central_differences(data, c):
    theta = data.draw(vector(c.n_params))
    G = data.draw(matrix(c.shape))
    eps = 1e-6
    numeric = np.empty(c.n_params)
    for k in range(c.n_params):
        e = np.zeros(c.n_params)
        e[k] = eps
        numeric[k] = (np.sum(G * c.build(theta + e)) - np.sum(G * c.build(theta - e))) / (2 * eps)
    analytic = c.grad(theta, G)
    assert np.linalg.norm(analytic - numeric) <= 1e-6 * (
        np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12)


@given(st.data(), constraint_st)
def test_symbolic_matrix_agrees_with_build(data, c):
    theta = data.draw(vector(c.n_params))
    M = c.symbolic("t")
    value = np.array(M.subs(dict(zip(c.symbols("t"), theta))).evalf(), dtype=float)
    np.testing.assert_allclose(value, c.build(theta), rtol=1e-12, atol=1e-12)


@given(st.data(), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3))
def test_permutation_equivariant_commutes_with_permutations(data, n, cin, cout):
    c = C.permutation_equivariant(n, in_channels=cin, out_channels=cout)
    W = c.build(data.draw(vector(c.n_params)))
    perm = np.array(data.draw(st.permutations(range(n))))
    P_in = np.kron(np.eye(n)[perm], np.eye(cin))
    P_out = np.kron(np.eye(n)[perm], np.eye(cout))
    np.testing.assert_allclose(P_out @ W, W @ P_in, atol=1e-12)


@given(st.data(), st.integers(1, 7))
def test_circulant_commutes_with_ring_rotations(data, n):
    c = C.circulant(n)
    W = c.build(data.draw(vector(n)))
    s = data.draw(st.integers(0, n - 1))
    R = np.roll(np.eye(n), s, axis=1)
    np.testing.assert_allclose(R @ W, W @ R, atol=1e-12)


@given(st.data(), st.integers(1, 6))
def test_symmetric_is_symmetric(data, n):
    c = C.symmetric(n)
    W = c.build(data.draw(vector(c.n_params)))
    np.testing.assert_array_equal(W, W.T)


@given(st.data(), st.integers(1, 4),
       st.sampled_from(["identity", "quadratic", "tanh", "relu", "poly:0.1,1,-0.3"]))
def test_equivariant_mlp_is_permutation_invariant(data, n, act):
    # equivariant hidden layers and a tied (sum) read-out give a symmetric function
    net = nn.MLP([n, n, n, 1], act, constraint={"hidden": "permutation_equivariant",
                                                 "output": "tied"},
                 seed=data.draw(st.integers(0, 2**16)))
    X = data.draw(matrix((3, n)))
    perm = np.array(data.draw(st.permutations(range(n))))
    np.testing.assert_allclose(net.predict(X[:, perm]), net.predict(X), rtol=1e-10,
                               atol=1e-10)


@given(st.data(), st.integers(3, 8),
       st.sampled_from(["identity", "quadratic", "tanh", "relu"]),
       st.sampled_from(["symmetric", "mean", "none"]))
def test_gnn_on_a_ring_commutes_with_rotations(data, n, act, norm):
    net = nn.GNN(nn.ring(n), hidden=3, layers=2, activation=act, readout="node",
                 normalisation=norm, seed=data.draw(st.integers(0, 2**16)))
    X = data.draw(matrix((2, n)))
    s = data.draw(st.integers(0, n - 1))
    np.testing.assert_allclose(net.predict(np.roll(X, s, axis=1)),
                               np.roll(net.predict(X), s, axis=1), rtol=1e-10, atol=1e-10)


@given(st.data(), st.sampled_from([2, 3]), st.integers(2, 3),
       st.sampled_from(["quadratic", "tanh"]))
def test_gnn_block_readout_commutes_with_block_translations(data, b, k, act):
    n = b * k
    net = nn.GNN(nn.ring(n), hidden=2, layers=1, activation=act, block=b,
                 seed=data.draw(st.integers(0, 2**16)))
    X = data.draw(matrix((2, n)))
    s = data.draw(st.integers(0, k - 1))
    np.testing.assert_allclose(net.predict(np.roll(X, s * b, axis=1)),
                               np.roll(net.predict(X), s, axis=1), rtol=1e-10, atol=1e-10)


@given(st.data(), st.sampled_from(["symmetric", "circulant", "permutation_equivariant"]))
def test_gnn_with_constrained_hidden_weights_stays_ring_equivariant(data, cons):
    n = 6
    net = nn.GNN(nn.ring(n), hidden=3, layers=2, activation="quadratic", readout="node",
                 in_features=3, constraint=cons, seed=data.draw(st.integers(0, 2**16)))
    X = data.draw(matrix((2, n * 3)))
    s = data.draw(st.integers(0, n - 1))
    rolled = np.roll(X.reshape(2, n, 3), s, axis=1).reshape(2, -1)
    np.testing.assert_allclose(net.predict(rolled), np.roll(net.predict(X), s, axis=1),
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("sites, block", [(8, 2), (9, 3), ((4, 4), (2, 2)), ((4, 6), (2, 3))])
@given(data=st.data())
def test_block_spin_is_linear_and_preserves_sums(sites, block, data):
    size = int(np.prod(sites))
    X = data.draw(matrix((2, size)))
    Y = nn.block_spin(X, sites, block, normalisation="sum")
    np.testing.assert_allclose(Y.sum(axis=1), X.sum(axis=1), atol=1e-9)
    Z = nn.block_spin(2 * X, sites, block, normalisation="sqrt")
    np.testing.assert_allclose(Z, 2 * Y / np.sqrt(size // Y.shape[1]), atol=1e-9)
