"""Monte Carlo witnesses of the exact MSE and gap of polynomial networks.

Each prediction is compared with the sample mean of e(x)^2 within 4 standard errors,
SE = sd(e^2)/sqrt(n).  Fixed seeds; the fast subset (2e5 samples) runs by default, the
1e6-sample sweep is marked slow.
"""

import numpy as np
import pytest
import sympy

from cumulants import generalisation as G
from cumulants.distributions import Exponential, Laplace, Normal, Rademacher, Uniform, standardise
from cumulants.layers import Dense, Network, Polynomial, Quadratic
from cumulants.state import Cumulants

LAWS = {
    "gaussian": Normal(0, 1),
    "uniform": Uniform(-1, 1),
    "rademacher": Rademacher(),
    "laplace": Laplace(0, 1),
    "exponential": standardise(Exponential(1)),          # centred, unit variance
}


def random_model(seed, d=3, hidden=4, coeffs=(0.0, 1.0, 0.3)):
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=0.5, size=(hidden, d))
    b = rng.normal(scale=0.3, size=hidden)
    v = rng.normal(scale=0.5, size=(1, hidden))
    return Network([Dense(W, b), Polynomial(list(coeffs)), Dense(v, [0.1])])


def target(d=3):
    return Dense([[1 / np.sqrt(d)] * d])


def sample_mse(model, tgt, law, d, n, rng):
    X = law.sample((n, d), rng)
    e2 = ((model.apply(X) - tgt.apply(X)) ** 2).sum(axis=1)
    return e2.mean(), e2.std(ddof=1) / np.sqrt(n)


def check_mse(model, law, n, seed, d=3):
    tgt = target(d)
    pred = float(G.mse(model, tgt, Cumulants.iid(law, d, 2)))
    mean, se = sample_mse(model, tgt, law, d, n, np.random.default_rng(seed))
    assert abs(mean - pred) < 4 * se, (pred, mean, se)
    return pred, mean, se


@pytest.mark.parametrize("name", list(LAWS))
def test_mse_fast(name):
    check_mse(random_model(1), LAWS[name], 200_000, seed=100)


def test_gap_fast():
    model, tgt, d, n = random_model(2), target(), 3, 200_000
    train, test = LAWS["gaussian"], LAWS["laplace"]
    pred = float(G.gap(model, tgt, Cumulants.iid(train, d, 2), Cumulants.iid(test, d, 2)))
    m1, s1 = sample_mse(model, tgt, train, d, n, np.random.default_rng(5))
    m2, s2 = sample_mse(model, tgt, test, d, n, np.random.default_rng(6))
    assert abs((m2 - m1) - pred) < 4 * np.hypot(s1, s2)


def test_worked_gaps_fitted_same_sign_model_fast():
    rows = [r for r in G.worked_gaps() if r["model"] == "same-sign"]
    net, _ = G.sign_family((1, 1), 2, alpha=sympy.Rational(1, 2))
    fitted = G.substitute(net, rows[0]["params"])
    tgt = Dense([[1 / np.sqrt(2)] * 2])
    laws = {"gaussian": Normal(0, 1), "uniform": standardise(Uniform(-1, 1)), "rademacher": Rademacher(),
            "laplace": standardise(Laplace(0, 1)), "exponential": standardise(Exponential(1))}
    for k, r in enumerate(rows):
        mean, se = sample_mse(fitted, tgt, laws[r["test"]], 2, 200_000, np.random.default_rng(10 + k))
        assert abs(mean - float(r["test_mse"])) < 4 * se, r["test"]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LAWS))
@pytest.mark.parametrize("seed", [3, 4, 5])
@pytest.mark.parametrize("coeffs", [(0.0, 1.0, 0.3), (0.2, 1.0, -0.4, 0.15)])
def test_mse_slow(name, seed, coeffs):
    check_mse(random_model(seed, coeffs=coeffs), LAWS[name], 1_000_000, seed=1000 + seed)


@pytest.mark.slow
@pytest.mark.parametrize("train, test", [("gaussian", "uniform"), ("gaussian", "rademacher"),
                                         ("gaussian", "laplace"), ("uniform", "exponential")])
def test_gap_slow(train, test):
    model, tgt, d, n = random_model(7, coeffs=(0.0, 1.0, 0.5)), target(), 3, 1_000_000
    pred = float(G.gap(model, tgt, Cumulants.iid(LAWS[train], d, 2), Cumulants.iid(LAWS[test], d, 2)))
    m1, s1 = sample_mse(model, tgt, LAWS[train], d, n, np.random.default_rng(21))
    m2, s2 = sample_mse(model, tgt, LAWS[test], d, n, np.random.default_rng(22))
    assert abs((m2 - m1) - pred) < 4 * np.hypot(s1, s2)


@pytest.mark.slow
def test_multi_output_quadratic_network_slow():
    rng = np.random.default_rng(9)
    model = Network([Dense(rng.normal(size=(3, 2))), Quadratic(0.4), Dense(rng.normal(size=(2, 3)))])
    tgt = Dense([[1.0, 0.0], [0.5, 0.5]])
    law = LAWS["laplace"]
    pred = float(G.mse(model, tgt, Cumulants.iid(law, 2, 2)))
    mean, se = sample_mse(model, tgt, law, 2, 1_000_000, np.random.default_rng(23))
    assert abs(mean - pred) < 4 * se
