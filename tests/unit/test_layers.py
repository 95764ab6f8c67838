"""Unit tests of the layers package: Dense, polynomial activations, message passing, Network."""

import functools

import numpy as np
import pytest
import sympy

import cumulants as cm
from cumulants import Cumulants
from cumulants.distributions import Bernoulli, Exponential, Normal, Rademacher, Uniform
from cumulants.layers import (
    Dense,
    Identity,
    Layer,
    MessagePassing,
    Network,
    Polynomial,
    Quadratic,
    ReLU,
    Tanh,
    chain_graph,
    grid_graph,
    normalise_adjacency,
    ring_graph,
)

R = sympy.Rational


# ------------------------------------------------------------------------------ Dense
class TestDense:
    def test_mean_and_covariance_are_affine_images(self):
        x = Cumulants.gaussian([1, 2], [[2, 1], [1, 3]])
        W = np.array([[1, -1], [2, 0], [0, 3]])
        y = Dense(W, bias=[1, 0, -1]).propagate(x)
        W_ = sympy.Matrix(W)
        assert list(y.mean) == list(W_ * sympy.Matrix([1, 2]) + sympy.Matrix([1, 0, -1]))
        assert sympy.Matrix(y.covariance.tolist()) == W_ * sympy.Matrix([[2, 1], [1, 3]]) * W_.T

    def test_independent_input_gives_sum_of_rank_one_terms(self):
        """kappa^(n)_z = sum_j kappa_n(y_j) W_{.j}^{(x)n} for independent inputs (docs/formulas.md §3.1)."""
        x = Cumulants.independent([Exponential(1), Uniform(0, 1), Bernoulli(R(1, 3))], 4)
        W = np.array([[1, 2, -1], [0, 1, 3]])
        y = Dense(W).propagate(x)
        for n in range(2, 5):
            expected = sum(x[(j,) * n] * functools.reduce(np.multiply.outer, [W[:, j]] * n)
                           for j in range(3))
            assert (y.tensor(n) == expected).all()

    def test_packed_and_independent_inputs_agree(self):
        x = Cumulants.iid(Exponential(2), 3, 3)
        W = [[1, 1, 0], [0, 2, -1]]
        assert Dense(W).propagate(x) == Dense(W).propagate(x.to_packed())

    def test_bias_moves_only_the_mean(self):
        x = Cumulants.iid(Exponential(1), 2, 3)
        a = Dense([[1, 2]]).propagate(x)
        b = Dense([[1, 2]], bias=[5]).propagate(x)
        assert b[0] == a[0] + 5
        assert [b[0, 0], b[0, 0, 0]] == [a[0, 0], a[0, 0, 0]]

    def test_gaussian_stays_gaussian(self):
        y = Dense([[1, 2], [3, 4]]).propagate(Cumulants.gaussian([0, 0], [[1, 0], [0, 1]]))
        assert y.is_gaussian and y[0, 0, 1, 1, 1] == 0

    def test_domains(self):
        x = Cumulants.iid(Exponential(1), 2, 2)
        assert Dense([[1, 2]]).propagate(x).domain == "exact"
        assert Dense([[1.5, 2.0]]).propagate(x).domain == "float"
        w = sympy.Symbol("w")
        y = Dense([[w, 1]]).propagate(x)
        assert y[0, 0] == w ** 2 + 1

    def test_order_argument(self):
        x = Cumulants.iid(Exponential(1), 2, 2)
        assert Dense([[1, 1]]).propagate(x, order=5)[0, 0, 0, 0, 0] == 48
        assert Dense([[1, 1]]).propagate(x, order=1).order == 1

    def test_apply_and_polynomial(self):
        d = Dense([[1, 2], [0, -1]], bias=[1, 1])
        x = np.array([[1.0, 1.0], [2.0, 0.5]])
        np.testing.assert_allclose(d.apply(x), [[4.0, 0.0], [4.0, 0.5]])
        a, b = sympy.symbols("a b")
        assert d.polynomial([a, b]) == [a + 2 * b + 1, 1 - b]

    def test_protocol(self):
        d = Dense(np.ones((3, 2)))
        assert isinstance(d, Layer) and d.exact and d.is_polynomial
        assert (d.in_dim(), d.out_dim(2), d.required_order(4)) == (2, 3, 4)
        assert "Dense(weight=" in repr(d)


# ------------------------------------------------------------------- polynomial activations
class TestPolynomialActivations:
    def test_coefficients_are_trimmed_and_exact(self):
        p = Polynomial([1, 2, 0, 0])
        assert p.coeffs == (1, 2) and p.degree == 1
        assert Polynomial([R(1, 3), 1]).coeffs[0] == R(1, 3)

    def test_required_order_is_order_times_degree(self):
        assert Polynomial([0, 0, 0, 1]).required_order(3) == 9
        assert Polynomial([2]).required_order(3) == 3
        assert Identity().required_order(3) == 3

    def test_independent_inputs_stay_independent(self):
        y = Polynomial([0, 0, 1]).propagate(Cumulants.iid(Rademacher(), 2, 4), order=2)
        assert y.is_independent
        assert y.marginal(1) == [1, 0]          # x^2 = 1 for a Rademacher sign

    def test_correlated_inputs_give_joint_outputs(self):
        x = Cumulants.gaussian([0, 0], [[1, R(1, 2)], [R(1, 2), 1]])
        y = Polynomial([0, 0, 1]).propagate(x, order=2)
        assert not y.is_independent
        assert y[0, 1] == 2 * R(1, 2) ** 2       # Cov(z1^2, z2^2) = 2 Sigma_12^2

    def test_constant_and_linear(self):
        x = Cumulants.iid(Exponential(1), 1, 3)
        assert Polynomial([5]).propagate(x).marginal(0) == [5, 0, 0]
        assert Polynomial([1, 2]).propagate(x).marginal(0) == [3, 4, 16]

    def test_quadratic_and_identity(self):
        assert Quadratic(R(1, 2)).coeffs == (0, 1, R(1, 2))
        a = sympy.Symbol("alpha")
        assert Quadratic(a).coeffs == (0, 1, a)
        x = Cumulants.iid(Exponential(1), 2, 2)
        assert Identity().propagate(x, order=4).marginal(0) == [1, 1, 2, 6]
        assert Identity().propagate(x, order=1).order == 1

    def test_apply_matches_polynomial(self):
        p = Polynomial([1, -1, R(1, 2)])
        x = np.linspace(-2, 2, 9)[:, None]
        z = sympy.Symbol("z")
        expr = p.polynomial([z])[0]
        np.testing.assert_allclose(p.apply(x)[:, 0], [float(expr.subs(z, v)) for v in x[:, 0]])
        np.testing.assert_allclose(Identity().apply(x), x)

    def test_reprs(self):
        assert repr(Polynomial([0, 1])) == "Polynomial([0, 1])"
        assert repr(Quadratic(R(1, 2))) == "Quadratic(alpha=1/2)"
        assert repr(Identity()) == "Identity()"


# ----------------------------------------------------------------------- message passing
class TestMessagePassing:
    def test_weight_is_the_kronecker_operator(self):
        A = ring_graph(3)
        Ws, Wn = np.array([[1, 0], [0, 1]]), np.array([[1, 1], [0, 1]])
        mp = MessagePassing(A, Ws, Wn, bias=[1, 2])
        expected = np.kron(np.eye(3, dtype=int), Ws.T) + np.kron(A, Wn.T)
        assert (mp.weight.astype(int) == expected).all()
        assert list(mp.bias) == [1, 2] * 3
        assert (mp.nodes, mp.features_in, mp.features_out) == (3, 2, 2)

    def test_apply_is_h_ws_plus_a_h_wn(self):
        rng = np.random.default_rng(0)
        A = grid_graph(2, 2)
        Ws, Wn = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        mp = MessagePassing(A, Ws, Wn, bias=[0.5, 0.0, -1.0])
        H = rng.normal(size=(5, 4, 2))                      # samples x nodes x features
        expected = H @ Ws + A @ H @ Wn + np.array([0.5, 0.0, -1.0])
        np.testing.assert_allclose(mp.apply(H.reshape(5, 8)), expected.reshape(5, 12))

    def test_regular_graph_mean_aggregation_scales_cumulants(self):
        """A_hat = (A + I)/(d+1) on a d-regular graph: kappa_n -> (d+1)^{1-n} kappa_n (§3.6)."""
        A = normalise_adjacency(ring_graph(7), "mean")
        mp = MessagePassing(A, [[R(1, 3)]], [[R(2, 3)]])    # node + neighbour mean, d = 2
        y = mp.propagate(Cumulants.iid(Exponential(1), 7, 4))
        for n in range(1, 5):
            assert y[(3,) * n] == R(1, 3 ** (n - 1)) * sympy.factorial(n - 1)

    def test_shared_neighbours_create_cross_cumulants(self):
        x = Cumulants.iid(Exponential(1), 3, 3)
        y = MessagePassing(chain_graph(3), [[0]], [[1]]).propagate(x)
        assert y[0, 2] == 1 and y[0, 0, 2] == 2         # nodes 0 and 2 share neighbour 1
        assert y[0, 1] == 0

    def test_graph_helpers(self):
        assert chain_graph(1).tolist() == [[0]]
        assert ring_graph(2).tolist() == [[0, 1], [1, 0]]
        assert (ring_graph(5).sum(axis=1) == 2).all()
        assert (grid_graph(3, 3, periodic=True).sum(axis=1) == 4).all()
        assert sorted(grid_graph(2, 3).sum(axis=1)) == [2, 2, 2, 2, 3, 3]
        S = normalise_adjacency(ring_graph(4))
        assert (S == S.T).all() and S[0, 0] == R(1, 3)
        M = normalise_adjacency(ring_graph(4), "mean")
        assert all(sum(row) == 1 for row in M)
        assert (normalise_adjacency(ring_graph(4), "none") == ring_graph(4)).all()
        Sf = normalise_adjacency(ring_graph(4).astype(float))
        np.testing.assert_allclose(Sf, np.array(S, dtype=float))


# ---------------------------------------------------------------------------------- Network
class TestNetwork:
    def test_propagate_matches_moments_of_the_composite_polynomial(self):
        """y = sum_k h_k + h_k^2 / 2, h = (x0 + 2 x1, x0 - x1), x_i i.i.d. Exp(1).

        Oracle (no library code): expand y^j, take E[x0^a x1^b] = a! b! (Exp(1) moments),
        then the textbook moment-to-cumulant formulas.
        """
        net = Network([Dense([[1, 2], [1, -1]]), Quadratic(R(1, 2)), Dense([[1, 1]])])
        x0, x1 = sympy.symbols("x0 x1")
        h = [x0 + 2 * x1, x0 - x1]
        y = sum(v + v**2 / 2 for v in h)
        m = []
        for j in range(1, 4):
            P = sympy.Poly(sympy.expand(y**j), x0, x1)
            m.append(sum(c * sympy.factorial(a) * sympy.factorial(b) for (a, b), c in P.terms()))
        expected = [m[0], m[1] - m[0] ** 2, m[2] - 3 * m[1] * m[0] + 2 * m[0] ** 3]
        out = net.propagate(Cumulants.iid(Exponential(1), 2, 6), order=3)
        assert out.marginal(0) == expected

    def test_required_order(self):
        net = Network([Dense([[1, 2]]), Polynomial([0, 0, 1]), Polynomial([0, 1, 0, 1])])
        assert net.required_order(2) == 12
        assert Network([Dense([[1]]), ReLU()]).required_order(5) == 2
        assert Network([Dense([[1]]), Tanh(method="hermite", degree=3)]).required_order(2) == 6

    def test_polynomial_and_apply_agree(self):
        net = Network([Dense([[1, -1], [2, 1]], bias=[0, 1]), Quadratic(R(1, 3)), Dense([[1, 2]])])
        (p,) = net.polynomial()
        x = np.array([[0.5, -1.0], [2.0, 0.25]])
        syms = sympy.symbols("x_0 x_1")
        want = [float(p.subs(dict(zip(syms, row)))) for row in x]
        np.testing.assert_allclose(net.apply(x)[:, 0], want)
        np.testing.assert_allclose(net(x), net.apply(x))
        assert net.is_polynomial and net.exact

    def test_routes_agree(self):
        net = Network([Dense([[1, 2], [0, 1], [1, -1]]), Quadratic(R(1, 3)), Dense([[1, 1, 1]])])
        x = Cumulants.iid(Exponential(1), 2, 2)
        a = net.propagate(x, 3, route="layerwise")
        b = net.propagate(x, 3, route="polynomial")
        assert a.marginal(0) == b.marginal(0) == [10, R(1444, 9), 8800]

    def test_exactness_flag_follows_the_layers(self):
        x = Cumulants.gaussian([0.0, 0.0], [[1.0, 0.2], [0.2, 1.0]])
        exact_net = Network([Dense([[1.0, 1.0]]), Quadratic(0.5)])
        assert exact_net.propagate(x, 2).exact
        approx_net = Network([Dense([[1.0, 1.0], [1.0, -1.0]]), ReLU(), Dense([[1.0, 1.0]])])
        y = approx_net.propagate(x, 2)
        assert not approx_net.exact
        assert not y.exact and y.method == "gaussian-closure"
        assert not Dense([[2.0]]).propagate(y).exact      # later exact layers keep the flag

    def test_len_getitem_repr(self):
        net = Network([Dense([[1]]), Identity()])
        assert len(net) == 2 and isinstance(net[1], Identity)
        assert repr(net) == "Network([Dense(weight=[[1]]), Identity()])"

    def test_polynomial_of_nonpolynomial_network_raises(self):
        with pytest.raises(cm.NotPolynomialError, match="surrogate"):
            Network([Dense([[1, 2]]), ReLU()]).polynomial()
        with pytest.raises(cm.NotPolynomialError):
            Network([Dense([[1, 2]]), ReLU()]).propagate(
                Cumulants.iid(Normal(0, 1), 2, 2), 2, route="polynomial")


# ---------------------------------------------------------------------------------- errors
class TestErrors:
    def test_mismatched_widths(self):
        with pytest.raises(cm.ShapeMismatchError, match="layers\\[1\\] expects width 2"):
            Network([Dense([[1, 2]]), Dense([[1, 2]])])
        with pytest.raises(cm.ShapeMismatchError, match="width 2 .* dim=3"):
            Dense([[1, 2]]).propagate(Cumulants.iid(Normal(0, 1), 3, 2))
        with pytest.raises(cm.ShapeMismatchError, match="width 2"):
            Network([Dense([[1, 2]]), Quadratic(1)]).propagate(Cumulants.iid(Normal(0, 1), 3, 2))
        with pytest.raises(cm.ShapeMismatchError, match="bias"):
            Dense([[1, 2]], bias=[1, 2])
        with pytest.raises(cm.ShapeMismatchError, match=r"expected \(n, 2\)"):
            Dense([[1, 2]]).apply(np.ones((3, 3)))
        with pytest.raises(cm.ShapeMismatchError, match="same shape"):
            MessagePassing(ring_graph(3), [[1, 0]], [[1]])

    @pytest.mark.parametrize("bad", [float("nan"), np.inf, -np.inf])
    def test_nan_and_infinite_weights(self, bad):
        with pytest.raises(cm.InvalidParameterError, match="finite"):
            Dense([[1.0, bad]])
        with pytest.raises(cm.InvalidParameterError, match="finite"):
            Dense(np.array([[1.0, bad]]))
        with pytest.raises(cm.InvalidParameterError, match="finite"):
            Dense([[1.0]], bias=[bad])
        with pytest.raises(cm.InvalidParameterError, match="finite"):
            Polynomial([0, bad])
        with pytest.raises(cm.InvalidParameterError, match="finite"):
            MessagePassing(ring_graph(3), [[bad]], [[1.0]])

    def test_non_square_adjacency(self):
        with pytest.raises(cm.ShapeMismatchError, match="square"):
            MessagePassing([[0, 1, 0], [1, 0, 1]], [[1]], [[1]])
        with pytest.raises(cm.ShapeMismatchError, match="square"):
            normalise_adjacency([[0, 1, 0], [1, 0, 1]])

    def test_unknown_method_and_route(self):
        with pytest.raises(cm.MethodUnavailableError, match="'gaussian', 'hermite', 'taylor'"):
            ReLU(method="closure")
        with pytest.raises(cm.InvalidParameterError, match="route"):
            Network([Dense([[1]])]).propagate(Cumulants.iid(Normal(0, 1), 1, 2), route="fast")
        with pytest.raises(cm.InvalidParameterError, match="mode"):
            normalise_adjacency(ring_graph(3), "row")

    def test_insufficient_input_order_names_the_order_needed(self):
        net = Network([Dense([[1, 1]]), Quadratic(R(1, 2))])
        with pytest.raises(cm.InsufficientOrderError, match="up to order 6"):
            net.propagate(Cumulants.symbolic(2, 2), 3)
        with pytest.raises(cm.InsufficientOrderError, match="up to order 4"):
            Quadratic(R(1, 2)).propagate(Cumulants.symbolic(2, 3), 2)
        with pytest.raises(cm.InsufficientOrderError, match="order 3"):
            Dense([[1, 1]]).propagate(Cumulants.symbolic(2, 2), 3)

    def test_bad_arguments(self):
        for call in (lambda: Dense([["a"]]), lambda: Dense([]), lambda: Polynomial([]),
                     lambda: Polynomial("abc"), lambda: Quadratic("a"), lambda: Network([]),
                     lambda: Network([Dense([[1]]), 3]), lambda: Dense([[1]]).propagate("x"),
                     lambda: Polynomial([0, 1]).propagate([1, 2]),
                     lambda: Dense([[1]]).propagate(Cumulants.iid(Normal(0, 1), 1, 2), 0),
                     lambda: ring_graph(0), lambda: grid_graph(2, 0)):
            with pytest.raises(cm.CumulantError):
                call()

    def test_every_error_is_a_value_error(self):
        with pytest.raises(ValueError):
            Dense([[np.nan]])
