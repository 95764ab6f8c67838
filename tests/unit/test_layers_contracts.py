"""Contracts of the exact layer code: Dense argument handling, the PolyVec kernels of the
contraction route (constant slot, chunked and tabled products, exact transforms, the
moment pairing) and the contraction route's edge cases.

Every expected value is derived independently of the library: Gaussian and uniform
moments by hand (written next to each test), exact ``Fraction`` arithmetic done here,
or a polynomial product checked by evaluating both factors at a point (the monomial
keys are decoded in this file).  Fast: the whole file runs in about a second.
"""

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy

from cumulants.distributions import Normal, Uniform
from cumulants.errors import InvalidParameterError
from cumulants.layers import Dense, Network, Polynomial
from cumulants.layers import _polyvec
from cumulants.layers._polyvec import PolyVec, transform
from cumulants.layers.contraction import _basis_group, _problem, contraction_cumulants
from cumulants.state import Cumulants

R = sympy.Rational


# ------------------------------------------------------------------------- Dense arguments
@pytest.mark.parametrize("weight", [np.array([[1 + 2j, 0.5]]), np.array([["a", "b"]])])
def test_dense_rejects_complex_and_text_arrays(weight):
    """A complex or text numpy array is refused with the documented error, not cast."""
    with pytest.raises(InvalidParameterError, match="real numbers or sympy expressions"):
        Dense(weight)


@pytest.mark.parametrize("bias", [sympy.Matrix([[5], [-7]]), np.array([[5, -7]]), [[5], [-7]]])
def test_dense_two_dimensional_bias_is_flattened(bias):
    """A column or row bias works like the flat one: E[y] = W mu + b = (2*1 + 5, 3*1 - 7)."""
    x = Cumulants.iid(Normal(1, 1), 1, 2)
    y = Dense([[2], [3]], bias=bias).propagate(x)
    assert [y[0], y[1]] == [7, -4]
    assert [y[0, 0], y[0, 1], y[1, 1]] == [4, 6, 9]  # W W^T for unit variance


def test_dense_scalar_bias_for_one_output():
    """A scalar bias of a one-output layer: E[2 x + 3] = 2*1 + 3 = 5."""
    y = Dense([[2]], bias=3).propagate(Cumulants.iid(Normal(1, 1), 1, 1))
    assert y[0] == 5


# ------------------------------------------------------------------------- PolyVec kernels
def _evaluate(poly, row, point):
    """Value of row ``row`` of ``poly`` at ``point``, decoding the keys here (base-B digits)."""
    total = 0
    for key, c in zip(poly.keys.tolist(), poly.C[row].tolist()):
        term = c
        for t, z in enumerate(point):
            term = term * z ** ((key // poly.base ** t) % poly.base)
        total = total + term
    return total


def _dense_poly(nvars, degree, base, coef):
    """Every monomial of total degree <= ``degree`` with coefficient ``coef(k)``, one row."""
    exps = [e for e in itertools.product(range(degree + 1), repeat=nvars) if sum(e) <= degree]
    keys = sorted(sum(x * base ** i for i, x in enumerate(e)) for e in exps)
    C = np.array([[coef(k) for k in range(len(keys))]], dtype=object)
    return np.array(keys, dtype=np.int64), C


def test_affine_adds_the_bias_on_a_missing_constant_slot():
    """``W p + b`` for a polynomial without constant key: the constant key 0 is added
    in front and carries ``b``; checked by evaluation at xi = 3: (2*9 + 1, -9 + 4)."""
    p = PolyVec(np.array([2]), np.array([[1.0]]), 3, 1)  # xi^2, no constant slot
    out = p.affine(np.array([[2.0], [-1.0]]), np.array([1.0, 4.0]))
    assert out.keys[0] == 0
    assert [_evaluate(out, r, [3.0]) for r in range(2)] == [19.0, -5.0]


@pytest.fixture
def small_chunk(monkeypatch):
    """Shrink the pair-product chunk so the chunked and tabled product kernels run on
    polynomials of 10 and 15 terms (12 pairs at once: 12 // 10 = 1, 12 / 10 is not whole)."""
    monkeypatch.setattr(_polyvec, "_CHUNK", 12)


def test_float_products_on_the_monomial_table(small_chunk):
    """m = 1 float products with na*nb > _CHUNK take ``_mul_table`` (square and general
    branch).  Integer coefficients and integer points keep every float exact, so
    (p q)(z) == p(z) q(z) and (p p)(z) == p(z)^2 hold exactly."""
    keys, C = _dense_poly(2, 3, 10, lambda k: float(k % 7 - 3))   # 10 terms, degree 3
    p = PolyVec(keys, C.astype(float), 10, 2)
    keys, C = _dense_poly(2, 4, 10, lambda k: float(k % 5 - 2))   # 15 terms, degree 4
    q = PolyVec(keys, C.astype(float), 10, 2)
    for z in ([2.0, 3.0], [-1.0, 2.0]):
        assert _evaluate(p.mul(p), 0, z) == _evaluate(p, 0, z) ** 2
        assert _evaluate(p.mul(q), 0, z) == _evaluate(p, 0, z) * _evaluate(q, 0, z)
        assert _evaluate(q.mul(p), 0, z) == _evaluate(q, 0, z) * _evaluate(p, 0, z)


def test_exact_products_in_chunks(small_chunk):
    """m = 1 exact (object) products with na*nb > _CHUNK take ``_mul_chunked``; checked
    by exact evaluation at rational points."""
    keys, C = _dense_poly(2, 3, 10, lambda k: F(k % 7 - 3, 2))
    p = PolyVec(keys, C, 10, 2)
    keys, C = _dense_poly(2, 4, 10, lambda k: F(k % 5 - 2, 3))
    q = PolyVec(keys, C, 10, 2)
    for z in ([F(2), F(1, 3)], [F(-1, 2), F(5)]):
        assert _evaluate(p.mul(p), 0, z) == _evaluate(p, 0, z) ** 2
        assert _evaluate(p.mul(q), 0, z) == _evaluate(p, 0, z) * _evaluate(q, 0, z)


def test_exact_transform_of_a_large_polynomial_stays_exact():
    """The tabled transform (> 20000 keys) is float-only: an exact polynomial with 20349
    monomials (all of degree <= 16 in 5 variables) must keep its Fractions.  With the
    identity basis (``P_b = xi^b``, ``D = 1``) the transform returns the input unchanged."""
    nv, deg, base = 5, 16, 17
    grid = np.stack(np.meshgrid(*[np.arange(deg + 1)] * nv, indexing="ij"), -1).reshape(-1, nv)
    grid = grid[grid.sum(axis=1) <= deg]
    keys = np.sort(grid @ (base ** np.arange(nv))).astype(np.int64)
    assert keys.size == 20349  # C(21, 5)
    coef = np.array([F(1 + k % 5, 3) for k in range(keys.size)], dtype=object)
    L = np.empty((deg + 1, deg + 1), dtype=object)
    L.fill(0)
    for i in range(deg + 1):
        L[i, i] = 1
    D = np.array([1] * (deg + 1), dtype=object)
    k2, c2, w2 = transform(keys, coef, base, nv, [(L, D)] * nv, True)
    assert k2.tolist() == keys.tolist()
    assert all(type(v) is F for v in c2) and c2.tolist() == coef.tolist()
    assert set(w2.tolist()) == {1}


# ------------------------------------------------------------------ the contraction route
def test_basis_mixed_cumulant_of_independent_outputs_vanishes():
    """y = x for two iid Uniform(-1, 1) inputs: every mixed cumulant of independent
    outputs is 0, and kappa_4(x) = E x^4 - 3 (E x^2)^2 = 1/5 - 3/9 = -2/15.  The moment
    E[y0^2 y1^2] pairs y0^2 with y1^2, whose basis expansions share only the constant."""
    x = Cumulants.iid(Uniform(-1, 1), 2, 4)
    r = contraction_cumulants(Network([Dense([[1, 0], [0, 1]])]), x, 4, strategy="basis")
    assert [r[0, 0, 1, 1], r[0, 0, 0, 1], r[0, 1, 1, 1]] == [0, 0, 0]
    assert [r[0, 0], r[0, 0, 0, 0], r[1, 1, 1, 1]] == [R(1, 3), R(-2, 15), R(-2, 15)]


def test_correlated_gaussian_order_one():
    """Order 1 of a linear map of a correlated Gaussian: E[x0 + x1 + 1] = 1 + 2 + 1."""
    x = Cumulants.gaussian([1, 2], [[2, 1], [1, 2]], 2)
    net = Network([Dense([[1, 1]], bias=[1])])
    assert net.propagate(x, 1, route="contraction").marginal(0) == [4]
    for strategy in ("basis", "diagrams"):
        assert contraction_cumulants(net, x, 1, strategy=strategy).marginal(0) == [4]


def test_basis_strategy_at_the_monomial_key_width_limit():
    """y = s^3, s = sum of 27 iid N(0, 1) ~ N(0, 27): kappa_1 = E s^3 = 0 and
    kappa_2 = E s^6 = 15 * 27^3.  Keys use base top + 1 = 4 (27 * 2 = 54 bits <= 62),
    so the basis strategy applies (27 * log2(5) > 62 would not); diagrams need degree <= 2."""
    x = Cumulants.iid(Normal(0, 1), 27, 2)
    net = Network([Dense([[1] * 27]), Polynomial([0, 0, 0, 1])])
    assert net.propagate(x, 2, route="contraction").marginal(0) == [0, 15 * 27 ** 3]


def test_basis_group_adds_a_missing_constant_slot():
    """``_basis_group`` on an output polynomial without constant key (y = xi^2, keys [2]),
    xi ~ Uniform(-1, 1): E y = 1/3, Var y = E xi^4 - (1/3)^2 = 1/5 - 1/9 = 4/45."""
    x = Cumulants.iid(Uniform(-1, 1), 1, 4)
    prob, _ = _problem(Network([Dense([[1]]), Polynomial([0, 0, 1])]), x, 2)
    poly = PolyVec(np.array([2]), np.array([[F(1)]], dtype=object), 3, 1)
    assert _basis_group(prob, poly, 2, 2) == {(0,): F(1, 3), (0, 0): F(4, 45)}


def test_dense_and_message_passing_refuse_malformed_weights():
    """No weight matrix, an empty one, a non-square adjacency and a node of degree 0 in
    A + I (the symmetric normalisation divides by sqrt(degree)) are refused by name."""
    from cumulants.errors import ShapeMismatchError
    from cumulants.layers import MessagePassing
    from cumulants.layers.message_passing import normalise_adjacency

    with pytest.raises(InvalidParameterError, match="weight=None is invalid"):
        Dense(None)
    with pytest.raises(ShapeMismatchError, match=r"shape \(1, 0\).*non-empty 2-D matrix"):
        Dense([[]])
    with pytest.raises(ShapeMismatchError, match="square adjacency"):
        MessagePassing([[1, 0, 1], [0, 1, 0]], 1, 1)
    for A in ([[-1, 0], [0, 0]], [[-1.0, 0.0], [0.0, 0.0]]):
        with pytest.raises(InvalidParameterError, match="node 0 has degree 0"):
            normalise_adjacency(A, "symmetric")


def test_an_explicit_route_is_kept_even_where_auto_would_choose_another():
    """route='contraction' on correlated non-Gaussian inputs is refused with the routes that
    apply, rather than silently replaced by the automatic choice."""
    from cumulants.errors import MethodUnavailableError
    from cumulants.state import Cumulants

    net = Network([Dense([[1, 2]]), Polynomial([0, 1, 1])])
    base = Cumulants.iid(Uniform(-1, 2), 2, 4)
    corr = Dense([[1, 1], [1, -1]]).propagate(
        Network([Dense([[1, 0], [0, 1]]), Polynomial([0, 1, 1])]).propagate(base, 4), 4)
    assert not (corr.is_independent or corr.is_gaussian)
    with pytest.raises(MethodUnavailableError, match="route='polynomial' or route='layerwise'"):
        net.propagate(corr, 2, route="contraction")
    assert net.propagate(corr, 2, route="layerwise")[(0, 0)] == \
        net.propagate(corr, 2, route="polynomial")[(0, 0)]


def test_symbolic_and_irrational_weights_through_the_polynomial_route():
    """y = (a x1 + x2)^2 for independent standard normals: y = (a^2 + 1) chi^2_1, so
    kappa_1 = a^2 + 1 and kappa_2 = 2 (a^2 + 1)^2; with a = sqrt(2), 3 and 18 exactly."""
    from cumulants.state import Cumulants

    a = sympy.Symbol("a")
    x = Cumulants.gaussian([0, 0], [[1, 0], [0, 1]], order=2)
    for w, k1, k2 in ((a, a**2 + 1, 2 * (a**2 + 1) ** 2), (sympy.sqrt(2), 3, 18)):
        got = Network([Dense([[w, 1]]), Polynomial([0, 0, 1])]).propagate(x, 2, route="polynomial")
        assert sympy.expand(got[(0,)] - k1) == 0 and sympy.expand(got[(0, 0)] - k2) == 0


def test_mean_normalisation_accepts_every_nonnegative_row_sum():
    """Mean aggregation divides each row by its sum; sums in (0, 1) are fine, a zero row
    (an isolated node) is kept, only negative sums are refused."""
    from cumulants.layers.message_passing import normalise_adjacency

    out = normalise_adjacency([[0, sympy.Rational(1, 2)], [sympy.Rational(1, 3), 0]], "mean")
    assert out.tolist() == [[0, 1], [1, 0]]
    assert normalise_adjacency([[0, 0.5], [0.5, 0]], "mean").tolist() == [[0.0, 1.0], [1.0, 0.0]]
    # an isolated node (row sum 0) keeps its zero row
    assert normalise_adjacency([[0, 0], [1, 1]], "mean").tolist() == [[0, 0], [sympy.Rational(1, 2)] * 2]
    assert normalise_adjacency([[0.0, 0.0], [1.0, 1.0]], "mean").tolist() == [[0.0, 0.0], [0.5, 0.5]]
