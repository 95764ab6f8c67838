"""Calibration of the standard errors behind every z-score.

A z-test is only as honest as its standard error.  Here many replicate samples
(one numpy array, one seed) give many z-scores of a correct formula; they must
look standard normal, with thresholds fixed before looking at the data:

* mean: |mean| < 4 / sqrt(R) (the mean of R standard normals has SE 1 / sqrt(R));
* variance: |s^2 - 1| < 4 sqrt((m_4 - s^4) / R), the SE of a sample variance with
  the fourth central moment m_4 estimated from the same z-scores;
* shape: Kolmogorov-Smirnov p-value > 1e-3 against N(0, 1).

Each check is also run on a deliberately wrong formula, which it must reject.
Bootstrap and plug-in SEs are compared with the exact SE on average over
replicates, at a tolerance derived from the spread of the SE estimates.
"""

import math

import numpy as np
import pytest
import sympy
from scipy import stats

from cumulants.distributions import Exponential, Normal
from cumulants.estimators import k_statistic_variance, k_statistics, k_statistics_se
from cumulants.layers import Dense, Network, Quadratic

KS_P = 1e-3


def standard_normal_failures(z, shape=True):
    """The pre-set checks a sample of z-scores fails (empty when it looks N(0, 1)).

    ``shape=False`` checks only mean and variance: the SE is right when they are,
    even where the estimator is visibly skewed (k_3, k_4 at moderate n).
    """
    z = np.asarray(z, dtype=float)
    R = z.size
    out = []
    if abs(z.mean()) >= 4 / math.sqrt(R):
        out.append(f"mean {z.mean():.3f}")
    s2 = z.var(ddof=1)
    m4 = ((z - z.mean()) ** 4).mean()
    if abs(s2 - 1) >= 4 * math.sqrt(max(m4 - s2**2, 0) / R):
        out.append(f"variance {s2:.3f}")
    p = stats.kstest(z, "norm").pvalue if shape else 1.0
    if p <= KS_P:
        out.append(f"KS p = {p:.2g}")
    return out


# ----------------------------------------------------------------------- k-statistics
def _kstat_z(law, n, R, seed, variance=k_statistic_variance):
    """z-scores of k_1..k_4 over R replicate samples of size n (one array, columns = replicates)."""
    X = np.asarray(law.sample((n, R), np.random.default_rng(seed)), dtype=float)
    k = k_statistics(X, 4, axis=0)                      # shape (4, R)
    kappa = [float(law.cumulant(j)) for j in range(1, 9)]
    se = np.array([math.sqrt(float(variance(kappa, n, r))) for r in range(1, 5)])
    return (k - np.array(kappa[:4])[:, None]) / se[:, None]


@pytest.mark.parametrize("law, n", [(Normal(0, 1), 1000), (Exponential(1), 4000)])
def test_k_statistic_z_scores_are_standard_normal(law, n):
    """k_1..k_4 with their exact variances: mean 0 and variance 1 over R = 2000 replicates.

    The KS shape check applies to k_1 and k_2 only: the skewness of k_2 is about
    sqrt(8 / n) (Gaussian) to 0.15 (Exp(1), n = 4000), which moves the CDF by at
    most ~ gamma / 6 * max|He_2 phi| ~ 0.01, well below the 1e-3 KS critical value
    1.95 / sqrt(R) = 0.044.  k_3 and k_4 are skewed at these n (skewness ~0.5-1.7),
    so for them only mean and variance -- what the SE governs -- are checked.
    """
    z = _kstat_z(law, n, 2000, seed=3)
    for r in range(4):
        assert standard_normal_failures(z[r], shape=r < 2) == [], r + 1


def test_wrong_k2_variance_is_detected():
    """Var(k_2) without its kappa_4 / n term (the Gaussian formula on Exp(1)) is rejected."""
    def wrong(kappa, n, r):
        return 2 * kappa[1] ** 2 / (n - 1) if r == 2 else k_statistic_variance(kappa, n, r)

    z = _kstat_z(Exponential(1), 4000, 2000, seed=3, variance=wrong)
    assert any("variance" in f for f in standard_normal_failures(z[1]))


# ----------------------------------------------------------------- the study's MSE z-scores
def _mse_z(n, R, seed, se_fn):
    """z = (sample MSE - exact MSE) / SE for the quadratic model of the study, R replicates."""
    from cumulants.experiments.cells import _target_network
    from cumulants.generalisation import mse
    from cumulants.state import Cumulants

    net = Network([Dense([[1.0, 1.0]]), Quadratic(0.5)])
    exact = float(mse(net, _target_network(2), Cumulants.iid(Normal(0, 1), 2, 4)))
    X = np.random.default_rng(seed).normal(size=(R, n, 2))
    S = X.sum(axis=2)
    e = (1 - 1 / math.sqrt(2)) * S + 0.5 * S**2       # model minus target, written out
    return ((e**2).mean(axis=1) - exact) / se_fn(net, n)


def _library_se(net, n):
    from cumulants.experiments.cells import _exact_mse_se, _target_network

    return _exact_mse_se(net, _target_network(2), Normal(0, 1), 2, n, 2, {"max_prediction_order": 8})


def test_study_mse_z_scores_are_standard_normal():
    """The study's exact SE: z of R = 2000 replicate sample MSEs (n = 2000) ~ N(0, 1).

    e^2 is heavy-tailed (a quartic of a Gaussian), so n is chosen large enough
    for the sample mean's skewness to stay below ~0.1 (KS deviation < 0.01).
    """
    assert standard_normal_failures(_mse_z(2000, 2000, 5, _library_se)) == []


@pytest.mark.parametrize("wrong", [
    lambda net, n: _library_se(net, n) * math.sqrt(n),     # "/ n" dropped
    lambda net, n: _library_se(net, n) * 1.25,             # a 25% error
])
def test_wrong_mse_se_is_detected(wrong):
    assert standard_normal_failures(_mse_z(2000, 2000, 5, wrong)) != []


# ----------------------------------------------------------- bootstrap and plug-in SEs
@pytest.mark.parametrize("method", ["bootstrap", "plugin"])
def test_estimated_se_matches_exact_on_average(method):
    """Mean over R = 40 samples (n = 2000, N(0, 1)) of the estimated SE of k_1..k_4 vs exact.

    Tolerance: 4 sd / sqrt(R) (the SE of the mean of R estimates) plus
    sd^2 / (2 se) (the largest Jensen bias of a square root: E sqrt(V) >= sqrt(E V)
    - Var(V) / (8 V^{3/2}), with Var(V) ~ 4 V Var(se_hat)).  The resampling
    error of 200 bootstrap resamples is part of the spread sd.
    """
    n, R = 2000, 40
    X = np.random.default_rng(8).normal(size=(R, n))
    kappa = [0, 1] + [0] * 6
    exact = np.array([math.sqrt(float(k_statistic_variance(kappa, n, r))) for r in range(1, 5)])
    est = np.array([k_statistics_se(x, 4, method=method, n_boot=200, rng=i) for i, x in enumerate(X)])
    sd = est.std(axis=0, ddof=1)
    tol = 4 * sd / math.sqrt(R) + sd**2 / (2 * exact)
    assert np.all(np.abs(est.mean(axis=0) - exact) < tol), (est.mean(axis=0), exact, tol)
    # The tolerance is tight: a 5% error in the SE of k_1..k_2 (10% for k_3, 20% for k_4,
    # whose estimates rest on sample moments of order 6 and 8) would fail it.
    assert np.all(tol < np.array([0.05, 0.05, 0.1, 0.2]) * exact), tol / exact


def test_variance_of_k2_closed_form_by_hand():
    """var(k_2) = kappa_4 / n + 2 kappa_2^2 / (n - 1) (Kendall & Stuart 12.34), symbolic in n."""
    n, k2, k4 = sympy.symbols("n kappa2 kappa4", positive=True)
    got = k_statistic_variance([0, k2, 0, k4], n, 2)
    assert sympy.simplify(got - (k4 / n + 2 * k2**2 / (n - 1))) == 0


def test_batch_means_se_matches_exact_on_average():
    """The batch-means SE used by the large-sample Monte Carlo tests, vs the exact SE.

    R = 20 replicate samples of n = 32000 N(0, 1) pairs; for k_(0, 1) the exact
    variance is 1/(n-1), for k_(0, 0) it is 2/(n-1), for k_(0, 0, 0) 6n/((n-1)(n-2)).
    Tolerance as for the bootstrap: 4 sd / sqrt(R) + sd^2 / (2 se).
    """
    from tests.montecarlo.test_layers_mc import batch_means_se

    n, R = 32_000, 20
    X = np.random.default_rng(21).normal(size=(R, n, 2))
    exact = {(0, 1): math.sqrt(1 / (n - 1)), (0, 0): math.sqrt(2 / (n - 1)),
             (0, 0, 0): math.sqrt(6 * n / ((n - 1) * (n - 2)))}
    est = [batch_means_se(x, 3) for x in X]
    for key, want in exact.items():
        vals = np.array([e[key] for e in est])
        sd = vals.std(ddof=1)
        assert abs(vals.mean() - want) < 4 * sd / math.sqrt(R) + sd**2 / (2 * want), key
