"""Every layer kind against samples, in standard errors of the k-statistics.

Each test propagates an input state through a layer or network, pushes samples of the same
input through the same weights (``.apply``), and compares predicted cumulants with the
unbiased k-statistics of the outputs.  Tolerances are ``Z = 4`` standard errors, never
hand-tuned:

* scalar outputs use the exact sampling variance of :math:`k_j` (docs/formulas.md §4) evaluated at
  the *predicted* cumulants :math:`\\kappa_1..\\kappa_{2j}` (``k_statistic_variance``);
* joint cumulants use the bootstrap standard errors of ``joint_k_statistics_se``.

Seeds are fixed.  Each test has a fast variant (run in CI) and a ``slow`` variant with
larger samples and higher orders.
"""

import numpy as np
import pytest
import sympy

from cumulants import Cumulants
from cumulants.distributions import Exponential, Laplace, Normal, Rademacher, Uniform
from cumulants.estimators import (
    joint_k_statistics,
    joint_k_statistics_se,
    k_statistic_variance,
    k_statistics,
)
from cumulants.layers import (
    GELU,
    Dense,
    Erf,
    Exp,
    Heaviside,
    MessagePassing,
    Network,
    Polynomial,
    Quadratic,
    ReLU,
    Sigmoid,
    Sin,
    Tanh,
    grid_graph,
    normalise_adjacency,
    ring_graph,
)

Z = 4.0
R = sympy.Rational


# --------------------------------------------------------------------------- helpers
def scalar_z_scores(predicted, y, order):
    """z-scores of k_1..k_order of ``y`` against ``predicted`` (kappa_1..kappa_{2 order})."""
    n = len(y)
    k = np.asarray(k_statistics(np.asarray(y, dtype=float), order), dtype=float)
    pred = [float(v) for v in predicted]
    z = []
    for j in range(1, order + 1):
        var = float(k_statistic_variance(pred[: 2 * j], n, j))
        assert var > 0, f"predicted variance of k_{j} is {var}"
        z.append((k[j - 1] - pred[j - 1]) / np.sqrt(var))
    return np.array(z)


def assert_scalar_matches(predicted, y, order):
    z = scalar_z_scores(predicted, y, order)
    assert np.all(np.abs(z) < Z), f"z-scores {np.round(z, 2)} (predicted {predicted[:order]})"


BATCHES = 64


def batch_means_se(Y, order, batches=BATCHES):
    """Standard errors of the joint k-statistics by batch means.

    The k-statistics of ``batches`` disjoint batches of size m = n / batches are
    independent, each with variance var_m(k) = c / m + O(1 / m^2), so
    sd(batch values) / sqrt(batches) estimates sqrt(c / n) = the SE of the full-sample
    k-statistic up to a relative O(1 / m) (m >= 3000 here).  The estimate's own
    relative error is 1 / sqrt(2 (batches - 1)) ~ 9%, like a 100-resample bootstrap,
    at 1/100 of its cost.
    """
    parts = [joint_k_statistics(B, order) for B in np.array_split(np.asarray(Y), batches)]
    return {key: float(np.std([p[key] for p in parts], ddof=1)) / np.sqrt(batches)
            for key in parts[0]}


def assert_joint_matches(state, Y, order, seed=0, n_boot=100):
    """Every joint cumulant up to ``order`` of ``state`` against the samples ``Y``.

    Bootstrap SEs for samples up to 2e5; batch means (same accuracy, far cheaper) above.
    """
    k = joint_k_statistics(Y, order)
    if len(Y) > 200_000:
        se = batch_means_se(Y, order)
    else:
        se = joint_k_statistics_se(Y, order, n_boot=n_boot, rng=seed)
    worst = (0.0, None)
    for key, value in k.items():
        pred = float(state[key])
        z = (value - pred) / se[key]
        if abs(z) > abs(worst[0]):
            worst = (z, key, pred, value, se[key])
    assert abs(worst[0]) < Z, f"worst z = {worst[0]:.2f} at {worst[1:]}"


def scalar_readout(net, state, order):
    """Predicted kappa_1..kappa_{2 order} of a network's scalar output (for the variances).

    The polynomial route avoids the dense order-``2 order`` tensors of hidden layers.
    """
    return net.propagate(state, 2 * order, route="polynomial").marginal(0)


def sample_independent(dists, n, rng):
    return np.column_stack([d.sample(n, rng) for d in dists])


FAST = pytest.param(20_000, 3, id="fast")
SLOW = pytest.param(400_000, 4, id="slow", marks=pytest.mark.slow)


# ----------------------------------------------------------------------------- Dense
@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_dense_on_independent_exponentials(n, order):
    rng = np.random.default_rng(1)
    dists = [Exponential(1), Exponential(2), Uniform(-1, 1)]
    W = np.array([[1, 1, 0], [1, -1, 2], [0, 2, 1]])
    x = Cumulants.independent(dists, 2 * order)
    X = sample_independent(dists, n, rng)
    dense = Dense(W, bias=[1, 0, -1])
    assert_joint_matches(dense.propagate(x, order), dense.apply(X), order, seed=2)
    readout = Network([dense, Dense([[1, -1, 1]])])
    assert_scalar_matches(scalar_readout(readout, x, order), readout.apply(X)[:, 0], order)


# ------------------------------------------------------------------------ polynomials
@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_quadratic_on_correlated_gaussian(n, order):
    rng = np.random.default_rng(3)
    m = [R(1, 2), 0, R(-1, 2)]
    S = [[1, R(1, 2), 0], [R(1, 2), 1, R(1, 4)], [0, R(1, 4), R(1, 2)]]
    x = Cumulants.gaussian(m, S)
    X = rng.multivariate_normal(np.array(m, dtype=float), np.array(S, dtype=float), size=n)
    act = Quadratic(R(1, 2))
    joint_order = min(order, 3)
    assert_joint_matches(act.propagate(x, joint_order), act.apply(X), joint_order, seed=4)
    readout = Network([act, Dense([[1, 1, -1]])])
    assert_scalar_matches(scalar_readout(readout, x, order), readout.apply(X)[:, 0], order)


@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_cubic_on_correlated_non_gaussian_input(n, order):
    rng = np.random.default_rng(5)
    dists = [Uniform(-1, 1), Laplace(0, R(1, 2)), Rademacher()]
    x = Cumulants.independent(dists, 2)
    X = sample_independent(dists, n, rng)
    mix = Dense([[1, R(1, 2), 0], [0, 1, R(-1, 2)]])          # correlated, non-Gaussian
    cubic = Polynomial([R(1, 4), 1, R(-1, 2), R(1, 3)])
    net = Network([mix, cubic])
    assert_joint_matches(net.propagate(x, 2), net.apply(X), 2, seed=6)
    readout = Network([mix, cubic, Dense([[1, 1]])])
    scalar_order = order - 1
    assert_scalar_matches(scalar_readout(readout, x, scalar_order), readout.apply(X)[:, 0],
                          scalar_order)


@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_two_stacked_polynomial_nonlinearities(n, order):
    rng = np.random.default_rng(7)
    dists = [Rademacher(), Uniform(0, 1)]
    x = Cumulants.independent(dists, 2)
    X = sample_independent(dists, n, rng)
    net = Network([Dense([[1, 1], [1, -1], [R(1, 2), 1]]), Quadratic(R(1, 2)),
                   Dense([[1, R(-1, 2), 1], [0, 1, 1]]), Polynomial([0, 1, 0, R(-1, 6)]),
                   Dense([[1, 1]])])
    assert_scalar_matches(scalar_readout(net, x, order), net.apply(X)[:, 0], order)
    hidden = Network(list(net.layers[:4]))
    assert_joint_matches(hidden.propagate(x, 2), hidden.apply(X), 2, seed=8)


# ------------------------------------------------------------------- message passing
@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_message_passing_on_a_ring(n, order):
    rng = np.random.default_rng(9)
    nodes = 5
    dists = [Exponential(1), Uniform(0, 2), Laplace(1, 1), Exponential(2), Rademacher()]
    x = Cumulants.independent(dists, 2 * order)
    X = sample_independent(dists, n, rng)
    mp = MessagePassing(ring_graph(nodes), [[1]], [[R(1, 2)]], bias=[1])
    assert_joint_matches(mp.propagate(x, order), mp.apply(X), order, seed=10)
    readout = Network([mp, Polynomial([0, 1, R(1, 4)]), Dense([[1] * nodes])])
    scalar_order = order - 1
    assert_scalar_matches(scalar_readout(readout, x, scalar_order), readout.apply(X)[:, 0],
                          scalar_order)


@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_message_passing_on_a_grid_with_two_features(n, order):
    rng = np.random.default_rng(11)
    A = normalise_adjacency(grid_graph(2, 2), "mean")
    Ws = [[1, R(1, 2)], [0, 1]]
    Wn = [[R(1, 2), 0], [1, -1]]
    dists = [Uniform(-1, 1), Exponential(1)] * 4                    # node-major: (node, feature)
    x = Cumulants.independent(dists, 2 * order)
    X = sample_independent(dists, n, rng)
    mp = MessagePassing(A, Ws, Wn)
    assert_joint_matches(mp.propagate(x, 2), mp.apply(X), 2, seed=12)
    readout = Network([mp, Dense([[1, -1] * 4])])
    assert_scalar_matches(scalar_readout(readout, x, order), readout.apply(X)[:, 0], order)


# --------------------------------------------------------------- constrained weights
def _constrained(name, rng):
    constraints = pytest.importorskip("cumulants.constraints")
    builders = {
        "circulant": lambda: constraints.circulant(3),
        "permutation_equivariant": lambda: constraints.permutation_equivariant(3),
        "symmetric": lambda: constraints.symmetric(3),
        "tied": lambda: constraints.tied((3, 3), "rows"),
        "same_sign": lambda: constraints.same_sign((3, 3), +1),
    }
    c = builders[name]()
    return c.build(c.init(rng, 0.8))


@pytest.mark.parametrize("name", ["circulant", "permutation_equivariant", "symmetric", "tied",
                                  "same_sign"])
@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_networks_with_constrained_weights(name, n, order):
    rng = np.random.default_rng(13)
    W = _constrained(name, rng)
    constraints = pytest.importorskip("cumulants.constraints")
    v = constraints.same_sign((1, 3), +1)
    out = v.build(v.init(rng, 1.0))
    dists = [Uniform(-1, 1), Normal(0, 1), Laplace(0, 1)]
    x = Cumulants.independent(dists, 2).evalf()
    X = sample_independent(dists, n, rng)
    net = Network([Dense(W), Quadratic(0.5), Dense(out)])
    scalar_order = order - 1
    assert_scalar_matches(scalar_readout(net, x, scalar_order), net.apply(X)[:, 0], scalar_order)


# ------------------------------------------------- non-polynomial: the Gaussian closure
ACTIVATIONS = [ReLU, Tanh, Erf, GELU, Sigmoid, Heaviside, Sin, Exp]


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n", [pytest.param(20_000, id="fast"),
                               pytest.param(1_000_000, id="slow", marks=pytest.mark.slow)])
def test_closure_is_exact_for_one_layer_of_gaussian_input(cls, n):
    """Mean and covariance of f(z), z Gaussian, are what the closure computes (in SE)."""
    rng = np.random.default_rng(14)
    m = np.array([0.3, -0.5, 0.0])
    S = np.array([[1.0, 0.6, -0.2], [0.6, 1.5, 0.3], [-0.2, 0.3, 0.5]])
    y = cls().propagate(Cumulants.gaussian(m, S))
    Z_samples = rng.multivariate_normal(m, S, size=n)
    assert_joint_matches(y, cls().apply(Z_samples), 2, seed=15)


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n, order", [FAST, SLOW])
def test_closure_marginal_cumulants_of_one_unit(cls, n, order):
    """For one Gaussian unit the closure gives every kappa_n of f(z) by 1-D quadrature."""
    rng = np.random.default_rng(16)
    z = Cumulants.gaussian([0.4], [[0.8]])
    pred = cls().propagate(z, 2 * order).marginal(0)
    samples = rng.normal(0.4, np.sqrt(0.8), size=(n, 1))
    assert_scalar_matches(pred, cls().apply(samples)[:, 0], order)


@pytest.mark.parametrize("n", [pytest.param(20_000, id="fast"),
                               pytest.param(1_000_000, id="slow", marks=pytest.mark.slow)])
def test_closure_after_a_dense_layer_of_gaussian_input(n):
    """Dense of a Gaussian is Gaussian, so ReLU closure then Dense is exact for mean/cov."""
    rng = np.random.default_rng(17)
    W1 = np.array([[1.0, -0.5], [0.5, 1.0], [1.0, 1.0]])
    net = Network([Dense(W1, bias=[0.2, -0.3, 0.0]), ReLU(), Dense([[1.0, -1.0, 0.5],
                                                                   [0.0, 1.0, 1.0]])])
    x = Cumulants.gaussian([0.0, 0.5], [[1.0, 0.3], [0.3, 0.7]])
    y = net.propagate(x, 2)
    assert not y.exact and y.method == "gaussian-closure"
    X = rng.multivariate_normal([0.0, 0.5], [[1.0, 0.3], [0.3, 0.7]], size=n)
    assert_joint_matches(y, net.apply(X), 2, seed=18)


@pytest.mark.slow
def test_stacked_closure_is_detectably_approximate():
    """Two squaring layers: the closure's Var = 16 is rejected by samples, the exact 96 is not."""
    rng = np.random.default_rng(19)
    z = Cumulants.gaussian([0], [[1]])
    square = Polynomial([0, 0, 1])
    y1 = square.propagate(z, 4)
    closed = square.propagate(Cumulants.gaussian([y1[0]], [[y1[0, 0]]]), 4).marginal(0)
    exact = Network([square, square]).propagate(z, 4).marginal(0)
    samples = rng.normal(size=2_000_000) ** 4
    assert_scalar_matches(exact, samples, 2)
    assert abs(scalar_z_scores(closed, samples, 2)[1]) > 10 * Z
