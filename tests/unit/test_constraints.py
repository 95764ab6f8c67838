"""Unit tests of cumulants.constraints: build, grad, symbolic, project/check, errors."""

import json
import math
import pickle

import numpy as np
import pytest
import sympy

from cumulants import constraints as C
from cumulants.errors import (
    CumulantError,
    InvalidParameterError,
    MethodUnavailableError,
    ShapeMismatchError,
)

CATALOGUE = [
    C.free((3, 4)),
    C.free((1, 1)),
    C.tied((3, 4)),
    C.tied((3, 4), mode="rows"),
    C.same_sign((1, 5)),
    C.same_sign((3, 2), sign=-1),
    C.same_sign((2, 3), sign=-1, parameterisation="softplus"),
    C.permutation_equivariant(1),
    C.permutation_equivariant(4),
    C.permutation_equivariant(3, in_channels=2, out_channels=3),
    C.symmetric(1),
    C.symmetric(4),
    C.circulant(1),
    C.circulant(5),
]
IDS = [repr(c) for c in CATALOGUE]


def fd_grad(f, theta, eps=1e-6):
    g = np.zeros_like(theta)
    for k in range(theta.size):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += eps
        tm[k] -= eps
        g[k] = (f(tp) - f(tm)) / (2 * eps)
    return g


def rel_err(a, b):
    denom = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    return np.linalg.norm(a - b) / denom


@pytest.mark.parametrize("c", CATALOGUE, ids=IDS)
def test_build_shape_dtype_and_check(c, rng):
    theta = c.init(rng, 0.7)
    assert theta.shape == (c.n_params,)
    W = c.build(theta)
    assert W.shape == c.shape and W.dtype == np.float64
    assert c.check(W)


@pytest.mark.parametrize("c", CATALOGUE, ids=IDS)
def test_grad_matches_finite_differences(c, rng):
    theta = rng.normal(size=c.n_params)
    G = rng.normal(size=c.shape)
    analytic = c.grad(theta, G)
    numeric = fd_grad(lambda t: float(np.sum(G * c.build(t))), theta)
    assert rel_err(analytic, numeric) < 1e-6


@pytest.mark.parametrize("c", CATALOGUE, ids=IDS)
def test_symbolic_matches_build(c, rng):
    theta = rng.normal(size=c.n_params)
    M = c.symbolic("w")
    syms = c.symbols("w")
    assert M.shape == c.shape
    assert M.free_symbols <= set(syms)
    assert M.free_symbols == set(syms)  # every parameter is used
    value = np.array(M.subs(dict(zip(syms, theta))).evalf(), dtype=float)
    np.testing.assert_allclose(value, c.build(theta), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("c", CATALOGUE, ids=IDS)
def test_project_recovers_feasible_matrices(c, rng):
    W = c.build(c.init(rng, 1.0))
    np.testing.assert_allclose(c.build(c.project(W)), W, atol=1e-12)


@pytest.mark.parametrize("c", CATALOGUE, ids=IDS)
def test_repr_rebuilds_and_serialises(c):
    namespace = {name: getattr(C, name) for name in C.NAMES}
    assert eval(repr(c), namespace) == c
    assert C.from_dict(json.loads(json.dumps(c.to_dict()))) == c
    assert pickle.loads(pickle.dumps(c)) == c
    assert hash(eval(repr(c), namespace)) == hash(c)


@pytest.mark.parametrize("c", CATALOGUE, ids=IDS)
def test_constraints_are_immutable(c):
    with pytest.raises(AttributeError):
        c.foo = 1
    with pytest.raises(AttributeError):
        c._shape = (9, 9)


def test_parameter_counts():
    assert C.free((3, 4)).n_params == 12
    assert C.tied((3, 4)).n_params == 1
    assert C.tied((3, 4), mode="rows").n_params == 4
    assert C.same_sign((3, 4)).n_params == 12
    assert C.permutation_equivariant(7).n_params == 2
    assert C.permutation_equivariant(7, in_channels=2, out_channels=3).n_params == 12
    assert C.symmetric(4).n_params == 10
    assert C.circulant(6).n_params == 6


def test_concrete_matrices():
    np.testing.assert_array_equal(C.tied((2, 3), mode="rows").build([1.0, 2.0, 3.0]),
                                  [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(C.permutation_equivariant(2).build([2.0, -1.0]),
                                  [[1, -1], [-1, 1]])
    np.testing.assert_array_equal(C.symmetric(3).build([1, 2, 3, 4, 5, 6.0]),
                                  [[1, 2, 3], [2, 4, 5], [3, 5, 6]])
    np.testing.assert_array_equal(C.circulant(3).build([1.0, 2.0, 3.0]),
                                  [[1, 2, 3], [3, 1, 2], [2, 3, 1]])
    np.testing.assert_array_equal(C.same_sign((1, 2), sign=-1).build([2.0, -3.0]), [[-4, -9]])
    np.testing.assert_allclose(C.same_sign((1, 1), parameterisation="softplus").build([0.0]),
                               [[math.log(2)]])


def test_channels_layout_is_node_major():
    c = C.permutation_equivariant(2, in_channels=1, out_channels=2)
    lam, gam = [1.0, 2.0], [10.0, 20.0]
    W = c.build(lam + gam)
    # row = element * out_channels + channel, column = element (one input channel)
    np.testing.assert_array_equal(W, [[11, 10], [22, 20], [10, 11], [20, 22]])


def test_symbolic_names_and_realness():
    M = C.tied((2, 2)).symbolic("v")
    assert M == sympy.Matrix([[sympy.Symbol("v_0", real=True)] * 2] * 2)
    x = C.free((1, 1)).symbolic("x", real=False)[0, 0]
    assert x == sympy.Symbol("x_0")
    assert C.same_sign((1, 1)).symbolic("v")[0, 0] == sympy.Symbol("v_0", real=True) ** 2


def test_same_sign_keeps_sign_after_any_theta(rng):
    for c in (C.same_sign((4, 3)), C.same_sign((4, 3), sign=-1, parameterisation="softplus")):
        W = c.build(rng.normal(scale=5.0, size=c.n_params))
        assert np.all(c.sign * W >= 0)


def test_same_sign_softplus_projection_and_init(rng):
    c = C.same_sign((2, 2), parameterisation="softplus")
    W = np.array([[1.0, 2.0], [0.5, 3.0]])
    np.testing.assert_allclose(c.build(c.project(W)), W, rtol=1e-12)
    assert np.all(c.build(c.init(rng, 0.1)) > 0)


def test_projection_is_orthogonal_for_linear_constraints(rng):
    # the residual of a least-squares projection is orthogonal to the constraint subspace
    for c in CATALOGUE:
        if not c.linear:
            continue
        W = rng.normal(size=c.shape)
        residual = W - c.build(c.project(W))
        np.testing.assert_allclose(c.grad(np.zeros(c.n_params), residual), 0.0, atol=1e-12)


def test_project_examples():
    np.testing.assert_allclose(C.tied((2, 2)).project([[1.0, 2.0], [3.0, 4.0]]), [2.5])
    np.testing.assert_allclose(C.permutation_equivariant(2).project([[3.0, 1.0], [1.0, 3.0]]),
                               [2.0, 1.0])
    np.testing.assert_allclose(C.same_sign((1, 2)).project([[4.0, -1.0]]), [2.0, 0.0])


def test_check_rejects():
    assert not C.symmetric(2).check([[0.0, 1.0], [2.0, 0.0]])
    assert not C.circulant(3).check(np.eye(3)[[1, 0, 2]])
    assert C.circulant(3).check(np.eye(3)[[1, 2, 0]])
    assert not C.permutation_equivariant(3).check(np.diag([1.0, 2.0, 3.0]))
    assert not C.tied((2, 2), mode="rows").check([[1.0, 2.0], [1.0, 3.0]])
    assert not C.same_sign((1, 2), sign=-1).check([[-1.0, 1e-3]])
    assert not C.free((2, 2)).check(np.zeros((2, 3)))
    assert not C.free((1, 1)).check([[np.nan]])
    assert not C.free((1, 1)).check("abc")
    assert C.free((1, 1)).check([[1.0]])


def test_check_tolerance_is_relative_to_scale():
    c = C.symmetric(2)
    W = np.array([[1e8, 3.0], [3.0 + 1e-4, 0.0]])
    assert c.check(W, atol=1e-10)
    assert not c.check(W, atol=1e-14)


def test_get_maps_every_name():
    for name in C.NAMES:
        c = C.get(name, (3, 3))
        assert c.name == name and c.shape == (3, 3)
    assert C.get("tied", (2, 5), mode="rows") == C.tied((2, 5), mode="rows")
    c = C.circulant(3)
    assert C.get(c, (3, 3)) is c
    assert C.get("permutation_equivariant", (6, 3), out_channels=2) == \
        C.permutation_equivariant(3, out_channels=2)


def test_init_respects_seed_and_scale():
    c = C.free((50, 50))
    a = c.init(np.random.default_rng(1), 0.5)
    b = c.init(np.random.default_rng(1), 0.5)
    assert a.tobytes() == b.tobytes()
    assert 0.45 < np.std(a) < 0.55
    np.testing.assert_array_equal(c.init(2, 0.0), 0.0)


BAD = [
    (lambda: C.get("diagonal", (2, 2)), MethodUnavailableError, "name='diagonal'"),
    (lambda: C.get("circulant", (2, 3)), ShapeMismatchError, "square"),
    (lambda: C.get("symmetric", (2, 3)), ShapeMismatchError, "square"),
    (lambda: C.get("permutation_equivariant", (2, 3)), ShapeMismatchError, "shape"),
    (lambda: C.get("permutation_equivariant", (5, 3), out_channels=2), ShapeMismatchError,
     "shape"),
    (lambda: C.get("tied", (2, 2), sign=1), InvalidParameterError, "keywords"),
    (lambda: C.get(C.circulant(3), (4, 4)), ShapeMismatchError, "shape"),
    (lambda: C.free((0, 2)), ShapeMismatchError, "shape"),
    (lambda: C.free((2, 2, 2)), ShapeMismatchError, "shape"),
    (lambda: C.free("ab"), ShapeMismatchError, "shape"),
    (lambda: C.free(None), ShapeMismatchError, "shape"),
    (lambda: C.circulant(0), InvalidParameterError, "positive"),
    (lambda: C.circulant(2.5), ShapeMismatchError, "shape"),
    (lambda: C.tied((2, 2), mode="cols"), MethodUnavailableError, "mode"),
    (lambda: C.same_sign((2, 2), sign=0), InvalidParameterError, "sign"),
    (lambda: C.same_sign((2, 2), sign=True), InvalidParameterError, "sign"),
    (lambda: C.same_sign((2, 2), parameterisation="exp"), MethodUnavailableError,
     "parameterisation"),
    (lambda: C.permutation_equivariant(3, in_channels=0), InvalidParameterError, "in_channels"),
    (lambda: C.free((2, 2)).build([1.0, 2.0, 3.0]), ShapeMismatchError, "n_params=4"),
    (lambda: C.free((2, 2)).build(np.ones((2, 2))), ShapeMismatchError, "theta"),
    (lambda: C.free((1, 2)).build([1.0, np.nan]), InvalidParameterError, "finite"),
    (lambda: C.free((1, 2)).build([1.0, np.inf]), InvalidParameterError, "finite"),
    (lambda: C.free((1, 2)).build(["a", "b"]), InvalidParameterError, "theta"),
    (lambda: C.circulant(2).grad([1.0, 2.0], np.ones((3, 3))), ShapeMismatchError, "dW"),
    (lambda: C.circulant(2).grad([1.0, 2.0], [[1.0, np.nan], [0, 0]]), InvalidParameterError,
     "dW"),
    (lambda: C.symmetric(2).project(np.ones(3)), ShapeMismatchError, "W"),
    (lambda: C.free((1, 1)).init(0, -1.0), InvalidParameterError, "scale"),
    (lambda: C.free((1, 1)).init(0, math.nan), InvalidParameterError, "scale"),
    (lambda: C.free((1, 1)).symbols(""), InvalidParameterError, "name"),
    (lambda: C.from_dict({"shape": 2}), InvalidParameterError, "name"),
]


@pytest.mark.parametrize("call, cls, fragment", BAD, ids=[b[2] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_catalogue(call, cls, fragment):
    with pytest.raises(cls) as info:
        call()
    assert isinstance(info.value, CumulantError)
    assert fragment in str(info.value)
