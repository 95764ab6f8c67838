"""cumulants.testing: the strategies draw valid objects and catch planted bugs."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import cumulants as cm
from cumulants import constraints as C
from cumulants.testing import (
    SampleMismatch,
    assert_backends_agree,
    assert_matches_samples,
    assert_methods_agree,
    constrained_networks,
    cumulant_sequences,
    distributions,
    gaussian_states,
    iid_states,
)


@given(cumulant_sequences(6))
def test_sequences_are_laws(seq):
    # A real law has a non-negative variance and its moment sequence is a valid
    # Hankel (positive semidefinite) sequence: check the 3x3 Hankel matrix.
    assert seq[1] >= 0
    m = cm.moments_from_cumulants(seq)
    hankel = sympy.Matrix(3, 3, lambda i, j: ([1] + list(m))[i + j])
    # A moment Hankel matrix of a real law is positive semidefinite: every principal minor >= 0.
    for rows in [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]:
        assert hankel.extract(list(rows), list(rows)).det() >= 0


@given(distributions(exact=False))
def test_distributions_sample_and_have_cumulants(dist):
    x = dist.sample(50, np.random.default_rng(0))
    assert x.shape == (50,) and np.all(np.isfinite(x))
    assert float(dist.cumulant(2)) >= 0


@given(gaussian_states(3))
def test_gaussian_states_are_psd(state):
    cov = np.asarray(state.covariance, dtype=float)
    assert np.linalg.eigvalsh(cov).min() > -1e-9 and state.is_gaussian


@given(constrained_networks((3, 3, 1), constraint={"hidden": "circulant", "output": "same_sign"}))
def test_constrained_networks_obey_constraints(net):
    hidden, output = net.layers[0].weight, net.layers[2].weight
    assert C.circulant(3).check(np.asarray(hidden, dtype=float))
    assert C.same_sign((1, 3)).check(np.asarray(output, dtype=float))


@settings(max_examples=15)
@given(constrained_networks((2, 2, 1), constraint={"hidden": "symmetric"}), gaussian_states(2, order=2))
def test_routes_agree_on_drawn_networks(net, state):
    assert_methods_agree(net, state, order=2)


def test_assert_matches_samples_passes_and_fails(rng):
    dist = cm.distributions.Gamma(2, 1)
    x = dist.sample(100_000, rng)
    good = cm.Cumulants.iid(dist, 1, 4)
    assert_matches_samples(good, x, z=4)
    wrong = cm.Cumulants.univariate([2, 2.2, 4, 12])  # variance 10% off
    with pytest.raises(SampleMismatch, match="kappa\\(0, 0\\)"):
        assert_matches_samples(wrong, x, z=4, se="bootstrap", rng=1)


def test_assert_matches_samples_multivariate(rng):
    x = cm.Cumulants.iid(cm.distributions.Exponential(1), 2, 3)
    W = [[1, 1], [1, -1]]
    y = cm.Dense(W).propagate(x)
    samples = rng.exponential(size=(50_000, 2)) @ np.array(W, dtype=float).T
    assert_matches_samples(y, samples, z=4, rng=2)


def test_assert_backends_agree_catches_a_wrong_float_path():
    x = sympy.Symbol("x")
    assert_backends_agree(sympy.exp(x) * sympy.erfc(x), {x: 3})
    with pytest.raises(cm.CumulantError):
        assert_backends_agree(sympy.exp(x), {})


# ----------------------------------------------------------------- a planted bug is caught
class BuggyDense(cm.Dense):
    """A deliberately wrong rule: scales every cumulant order by |W| instead of W**n."""

    def propagate(self, state, order=None):
        order = state.order if order is None else order
        w = abs(self.weight[0, 0])
        return cm.Cumulants.univariate([w * state[(0,) * n] for n in range(1, order + 1)])


def test_planted_bug_is_found_by_the_strategies():
    @settings(max_examples=50, database=None)
    @given(iid_states(1, 4), st.integers(-3, 3))
    def homogeneity(state, a):
        out = BuggyDense([[a]]).propagate(state)
        for n in range(1, 5):
            assert sympy.simplify(out[(0,) * n] - a**n * state[(0,) * n]) == 0

    with pytest.raises(AssertionError):
        homogeneity()

    # The real layer satisfies the same law on the same strategies.
    @settings(max_examples=30, database=None)
    @given(iid_states(1, 4), st.integers(-3, 3))
    def homogeneity_ok(state, a):
        out = cm.Dense([[a]]).propagate(state)
        for n in range(1, 5):
            assert sympy.simplify(out[(0,) * n] - a**n * state[(0,) * n]) == 0

    homogeneity_ok()


def test_planted_closure_bug_is_caught_by_samples(rng):
    """Treating a non-Gaussian input as Gaussian in z^2 is caught against samples."""
    dist = cm.distributions.Exponential(1)
    exact = cm.Polynomial([0, 0, 1]).propagate(cm.Cumulants.iid(dist, 1, 4), order=2)
    closure = cm.Polynomial([0, 0, 1]).propagate(cm.Cumulants.gaussian([1], [[1]]), order=2)
    x = dist.sample(100_000, rng) ** 2
    assert_matches_samples(exact, x, z=4, rng=3)
    with pytest.raises(SampleMismatch):
        assert_matches_samples(closure, x, z=4, rng=3)
