"""k-statistics, joint k-statistics and their standard errors against independent oracles.

Oracles: the public table of docs/formulas.md §8 (#17), the power-sum and central-moment
formulas of docs/formulas.md §4 typed in by hand, ``scipy.stats.kstat``, exact
enumeration of every ordered sample of small discrete laws, and Monte Carlo
compared in standard errors.
"""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.stats
import sympy
from sympy.utilities.iterables import multiset_partitions

import cumulants as cm
from cumulants.estimators import (
    joint_k_statistic,
    joint_k_statistics,
    joint_k_statistics_se,
    k_statistic_formula,
    k_statistic_variance,
    k_statistics,
    k_statistics_se,
)

# --------------------------------------------------------------------------- helpers (oracles)


def cumulants_from_moments(raw):
    """kappa_1..kappa_r from raw moments by the textbook recursion (independent of the package)."""
    kappa = []
    for r in range(1, len(raw) + 1):
        value = raw[r - 1]
        for j in range(1, r):
            value -= math.comb(r - 1, j - 1) * kappa[j - 1] * raw[r - j - 1]
        kappa.append(value)
    return kappa


def law_cumulants(values, probs, order):
    raw = [sum(p * Fraction(v) ** r for v, p in zip(values, probs)) for r in range(1, order + 1)]
    return cumulants_from_moments(raw)


def joint_cumulant(points, probs, indices):
    """kappa(X_a1..X_ar) of a discrete law by Möbius inversion over set partitions."""
    def moment(block):
        return sum(p * math.prod(Fraction(pt[indices[j]]) for j in block)
                   for pt, p in zip(points, probs))

    total = Fraction(0)
    for part in multiset_partitions(list(range(len(indices)))):
        k = len(part)
        total += (-1) ** (k - 1) * math.factorial(k - 1) * math.prod(moment(b) for b in part)
    return total


def as_fraction(value):
    return Fraction(int(value.p), int(value.q))


# docs/formulas.md §4, typed in as printed.
def math_md_power_sums(n, S):
    return [
        S[1] / n,
        (n * S[2] - S[1] ** 2) / (n * (n - 1)),
        (2 * S[1] ** 3 - 3 * n * S[1] * S[2] + n ** 2 * S[3]) / (n * (n - 1) * (n - 2)),
        (-6 * S[1] ** 4 + 12 * n * S[1] ** 2 * S[2] - 3 * n * (n - 1) * S[2] ** 2
         - 4 * n * (n + 1) * S[1] * S[3] + n ** 2 * (n + 1) * S[4])
        / (n * (n - 1) * (n - 2) * (n - 3)),
    ]


def math_md_variance(k, n, r):
    if r == 1:
        return k[2] / n
    if r == 2:
        return k[4] / n + 2 * k[2] ** 2 / (n - 1)
    if r == 3:
        return (k[6] / n + 9 * k[2] * k[4] / (n - 1) + 9 * k[3] ** 2 / (n - 1)
                + 6 * n * k[2] ** 3 / ((n - 1) * (n - 2)))
    return (k[8] / n + 16 * k[2] * k[6] / (n - 1) + 48 * k[3] * k[5] / (n - 1)
            + 34 * k[4] ** 2 / (n - 1) + 72 * n * k[2] ** 2 * k[4] / ((n - 1) * (n - 2))
            + 144 * n * k[2] * k[3] ** 2 / ((n - 1) * (n - 2))
            + 24 * n * (n + 1) * k[2] ** 4 / ((n - 1) * (n - 2) * (n - 3)))


# --------------------------------------------------------------------------- public oracle #17


class TestOracle17:
    data = [1, 2, 3, 4, 10]
    expected = (4, Fraction(25, 2), 75, Fraction(985, 2))

    def test_exact_ints(self):
        assert k_statistics(self.data, 4) == self.expected

    def test_exact_fractions_return_sympy(self):
        out = k_statistics([Fraction(v) for v in self.data], 4)
        assert out == self.expected
        assert all(isinstance(v, sympy.Rational) for v in out)

    def test_float(self):
        out = k_statistics(np.array(self.data, dtype=float), 4)
        assert isinstance(out, np.ndarray) and out.shape == (4,)
        np.testing.assert_allclose(out, [4, 12.5, 75, 492.5], rtol=1e-12, atol=0)

    def test_numpy_int_array_gives_floats(self):
        out = k_statistics(np.array(self.data), 4)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, [4, 12.5, 75, 492.5], rtol=1e-12)

    def test_joint_diagonal(self):
        X = [[v] for v in self.data]
        for r in range(1, 5):
            assert joint_k_statistic(X, (0,) * r) == self.expected[r - 1]

    def test_mpmath_keeps_precision(self):
        with mpmath.workdps(50):
            out = k_statistics([mpmath.mpf(v) / 3 for v in self.data], 4)
            for r, (got, want) in enumerate(zip(out, self.expected), start=1):
                assert isinstance(got, mpmath.mpf)
                assert abs(got - mpmath.mpf(want.numerator) / want.denominator / 3 ** r) < \
                    mpmath.mpf(10) ** -45


# --------------------------------------------------------------------------- formulas


class TestFormulas:
    def test_power_sum_formulas_match_math_md(self):
        n = sympy.Symbol("n")
        S = [None] + [sympy.Symbol(f"S_{q}") for q in range(1, 5)]
        for r, want in enumerate(math_md_power_sums(n, S), start=1):
            assert sympy.simplify(k_statistic_formula(r) - want) == 0

    def test_formula_with_numeric_n_matches_data(self):
        data = [Fraction(v) for v in (3, -1, 4, 1, -5, 9, 2)]
        for r in range(1, 8):
            expr = k_statistic_formula(r, n=len(data))
            subs = {sympy.Symbol(f"S_{q}"): sum(x ** q for x in data) for q in range(1, r + 1)}
            assert expr.subs(subs) == k_statistics(data, r)[r - 1]

    def test_central_moment_forms(self, rng):
        x = rng.gamma(2.0, size=500)
        n = len(x)
        m = [None] + [np.mean((x - x.mean()) ** q) for q in range(1, 5)]
        k = k_statistics(x, 4)
        np.testing.assert_allclose(k[1], n * m[2] / (n - 1), rtol=1e-12)
        np.testing.assert_allclose(k[2], n ** 2 * m[3] / ((n - 1) * (n - 2)), rtol=1e-11)
        np.testing.assert_allclose(
            k[3], n ** 2 * ((n + 1) * m[4] - 3 * (n - 1) * m[2] ** 2)
            / ((n - 1) * (n - 2) * (n - 3)), rtol=1e-11)

    @pytest.mark.parametrize("dist", ["exponential", "gamma", "uniform", "lognormal"])
    @pytest.mark.parametrize("size", [7, 100, 5000])
    def test_agrees_with_scipy(self, rng, dist, size):
        x = {"exponential": lambda: rng.exponential(2.0, size),
             "gamma": lambda: rng.gamma(0.7, 3.0, size),
             "uniform": lambda: rng.uniform(-1, 3, size),
             "lognormal": lambda: rng.lognormal(0, 0.5, size)}[dist]()
        ours = k_statistics(x, 4)
        spread = np.std(x)
        for r in range(1, 5):
            theirs = scipy.stats.kstat(x, r)
            # scipy uses raw power sums; allow its rounding on near-zero values.
            atol = 1e-12 * (spread ** r + abs(np.mean(x)) ** r)
            assert abs(ours[r - 1] - theirs) <= 1e-9 * abs(theirs) + atol

    def test_columnwise_axis0(self, rng):
        X = rng.exponential(size=(300, 3))
        out = k_statistics(X, 4, axis=0)
        assert out.shape == (4, 3)
        for j in range(3):
            np.testing.assert_allclose(out[:, j], k_statistics(X[:, j], 4), rtol=1e-12)
            for r in range(1, 5):
                np.testing.assert_allclose(out[r - 1, j], scipy.stats.kstat(X[:, j], r),
                                           rtol=1e-9, atol=1e-13)

    def test_columnwise_exact(self):
        X = [[1, 0], [2, 5], [3, -1], [4, 2], [10, 2]]
        out = k_statistics(X, 4, axis=0)
        assert out.shape == (4, 2) and tuple(out[:, 0]) == TestOracle17.expected
        assert tuple(out[:, 1]) == k_statistics([0, 5, -1, 2, 2], 4)

    def test_high_order_float_matches_exact(self, rng):
        ints = rng.integers(-6, 7, size=40)
        exact = k_statistics(ints.tolist(), 12)
        approx = k_statistics(ints.astype(float), 12)
        scale = np.std(ints)
        for r in range(1, 13):
            assert abs(approx[r - 1] - float(exact[r - 1])) <= 1e-9 * scale ** r * math.factorial(r)

    def test_sample_size_equal_to_order(self):
        # k_n exists for exactly n observations.
        out = k_statistics([0, 1, 3], 3)
        assert len(out) == 3
        n = 3
        m3 = sum((Fraction(v) - Fraction(4, 3)) ** 3 for v in (0, 1, 3)) / n
        assert out[2] == n ** 2 * m3 / ((n - 1) * (n - 2))

    def test_symbolic_sample(self):
        a, b = sympy.symbols("a b")
        k1, k2 = k_statistics([a, b], 2)
        assert sympy.simplify(k1 - (a + b) / 2) == 0
        assert sympy.simplify(k2 - (a - b) ** 2 / 2) == 0


# --------------------------------------------------------------------------- exact enumeration

LAW_VALUES, LAW_PROBS = (0, 1, 3), (Fraction(1, 2), Fraction(1, 3), Fraction(1, 6))
LAW_KAPPA = law_cumulants(LAW_VALUES, LAW_PROBS, 12)


@pytest.fixture(scope="module")
def enumerated_moments():
    """E[k_r] and E[k_r^2] over all ordered samples of size m from the 3-point law."""
    out = {}
    for m in (5, 6, 7):
        top = min(6, m)
        first = [Fraction(0)] * top
        second = [Fraction(0)] * top
        for sample in itertools.product(range(3), repeat=m):
            p = math.prod(LAW_PROBS[i] for i in sample)
            ks = [as_fraction(k) for k in k_statistics([LAW_VALUES[i] for i in sample], top)]
            for r in range(top):
                first[r] += p * ks[r]
                second[r] += p * ks[r] ** 2
        out[m] = (first, second)
    return out


class TestExactEnumeration:
    def test_population_cumulants_sanity(self):
        assert LAW_KAPPA[0] == Fraction(5, 6)  # mean 0/2 + 1/3 + 3/6
        assert LAW_KAPPA[1] == Fraction(1, 3) + Fraction(9, 6) - Fraction(25, 36)

    @pytest.mark.parametrize("m", [5, 6, 7])
    def test_unbiased(self, enumerated_moments, m):
        first, _ = enumerated_moments[m]
        for r in range(1, min(6, m) + 1):
            assert first[r - 1] == LAW_KAPPA[r - 1], (m, r)

    @pytest.mark.parametrize("m", [5, 6, 7])
    def test_variance_closed_forms(self, enumerated_moments, m):
        first, second = enumerated_moments[m]
        for r in range(1, 5):
            var = second[r - 1] - first[r - 1] ** 2
            assert k_statistic_variance(LAW_KAPPA, m, r) == var
            assert k_statistic_variance(LAW_KAPPA, m, r, method="derived") == var
            k = [None] + LAW_KAPPA
            assert math_md_variance(k, Fraction(m), r) == var

    @pytest.mark.parametrize("m", [5, 6, 7])
    def test_variance_derived_high_orders(self, enumerated_moments, m):
        first, second = enumerated_moments[m]
        for r in range(5, min(6, m) + 1):
            var = second[r - 1] - first[r - 1] ** 2
            assert k_statistic_variance(LAW_KAPPA, m, r) == var

    def test_four_point_law(self):
        values, probs = (-1, 0, 2, 5), (Fraction(1, 10), Fraction(2, 5), Fraction(3, 10),
                                        Fraction(1, 5))
        kappa = law_cumulants(values, probs, 10)
        m = 5
        first = [Fraction(0)] * 5
        second = [Fraction(0)] * 5
        for sample in itertools.product(range(4), repeat=m):
            p = math.prod(probs[i] for i in sample)
            ks = [as_fraction(k) for k in k_statistics([values[i] for i in sample], 5)]
            for r in range(5):
                first[r] += p * ks[r]
                second[r] += p * ks[r] ** 2
        assert first == kappa[:5]
        for r in range(1, 6):
            assert k_statistic_variance(kappa, m, r) == second[r - 1] - first[r - 1] ** 2

    @pytest.mark.parametrize("m", [4, 5])
    def test_joint_unbiased(self, m):
        points = ((0, 0), (1, 2), (2, -1))
        probs = (Fraction(1, 2), Fraction(1, 3), Fraction(1, 6))
        entries = [(0, 1), (0, 0, 1), (0, 1, 1), (1, 1, 1), (0, 0, 1, 1), (0, 1, 1, 1)]
        totals = {e: Fraction(0) for e in entries}
        for sample in itertools.product(range(3), repeat=m):
            p = math.prod(probs[i] for i in sample)
            X = [points[i] for i in sample]
            for e in entries:
                totals[e] += p * as_fraction(joint_k_statistic(X, e))
        for e in entries:
            assert totals[e] == joint_cumulant(points, probs, e), e

    def test_joint_dict_matches_single_entries_exactly(self):
        X = [[0, 1, 2], [1, 3, -1], [2, 2, 0], [5, 0, 1], [-1, 4, 4]]
        table = joint_k_statistics(X, 4)
        assert len(table) == 3 + 6 + 10 + 15
        for key, value in table.items():
            assert joint_k_statistic(X, key) == value
            assert joint_k_statistic(X, key[::-1]) == value


# --------------------------------------------------------------------------- variances


class TestVariance:
    def test_closed_and_derived_agree_symbolically(self):
        n = sympy.Symbol("n")
        kap = sympy.symbols("kappa1:9")
        for r in range(1, 5):
            closed = k_statistic_variance(kap, n, r, method="closed")
            derived = k_statistic_variance(kap, n, r, method="derived")
            want = math_md_variance((None,) + kap, n, r)
            assert sympy.simplify(derived - want) == 0
            assert sympy.simplify(closed - want) == 0

    def test_float_and_mpmath_domains(self):
        kap = [0.0, 1.0, 0.5, 2.0, 1.0, 3.0, 0.0, 1.0]
        v = k_statistic_variance(kap, 50, 4)
        assert isinstance(v, float)
        exact = k_statistic_variance([Fraction(x) for x in kap], 50, 4)
        assert v == pytest.approx(float(exact), rel=1e-14)
        with mpmath.workdps(30):
            vm = k_statistic_variance([mpmath.mpf(x) for x in kap], 50, 4)
            assert isinstance(vm, mpmath.mpf)
            assert abs(vm - float(exact)) < 1e-12

    def test_gaussian_high_order_positive_and_homogeneous(self):
        for r in range(1, 9):
            base = k_statistic_variance([0, 1] + [0] * (2 * r - 2), 40, r)
            scaled = k_statistic_variance([0, 4] + [0] * (2 * r - 2), 40, r)
            assert base > 0 and scaled == 4 ** r * base

    def test_gaussian_k3_k4_known(self):
        n = 30
        assert k_statistic_variance([0, 1, 0, 0, 0, 0], n, 3) == sympy.Rational(6 * n, (n - 1) * (n - 2))
        assert k_statistic_variance([0, 1] + [0] * 6, n, 4) == sympy.Rational(
            24 * n * (n + 1), (n - 1) * (n - 2) * (n - 3))


# --------------------------------------------------------------------------- numerics


class TestNumerics:
    def test_large_offset(self, rng):
        z = rng.normal(size=10_000)
        near = k_statistics(z, 6)
        far = k_statistics(1e6 + z, 6)
        assert far[0] == pytest.approx(1e6 + near[0], abs=1e-8)
        # Representing 1e6 + z rounds each value by ~1e-10; nothing else may be lost.
        np.testing.assert_allclose(far[1:], near[1:], rtol=0, atol=1e-6)

    def test_large_offset_joint(self, rng):
        Z = rng.normal(size=(5_000, 3))
        near = joint_k_statistics(Z, 4)
        far = joint_k_statistics(Z + np.array([1e6, -3e5, 7e4]), 4)
        for key, value in near.items():
            if len(key) > 1:
                assert far[key] == pytest.approx(value, abs=1e-6)

    def test_joint_diagonal_equals_univariate(self, rng):
        X = rng.gamma(2.0, size=(2_000, 4))
        table = joint_k_statistics(X, 5)
        uni = k_statistics(X, 5, axis=0)
        for j in range(4):
            for r in range(1, 6):
                assert table[(j,) * r] == pytest.approx(uni[r - 1, j], rel=1e-11, abs=1e-13)

    def test_joint_float_matches_exact(self, rng):
        ints = rng.integers(-3, 4, size=(12, 3))
        exact = joint_k_statistics(ints.tolist(), 4)
        approx = joint_k_statistics(ints.astype(float), 4)
        assert exact.keys() == approx.keys()
        for key in exact:
            assert approx[key] == pytest.approx(float(exact[key]), rel=1e-10, abs=1e-10)

    def test_joint_covariance_matches_numpy(self, rng):
        X = rng.normal(size=(1_000, 5)) @ rng.normal(size=(5, 5))
        table = joint_k_statistics(X, 2)
        cov = np.cov(X, rowvar=False)
        for (a, b), value in ((k, v) for k, v in table.items() if len(k) == 2):
            assert value == pytest.approx(cov[a, b], rel=1e-11, abs=1e-12)

    def test_joint_dim8_order4_full_table(self, rng):
        # Timing lives in benchmarks/bench_kstat.py; here the large table must be right.
        X = rng.normal(size=(20_000, 8))
        table = joint_k_statistics(X, 4)
        assert len(table) == 8 + 36 + 120 + 330
        for key in [(0, 3), (1, 2, 7), (0, 0, 5, 6), (2, 4, 6, 7), (7, 7, 7, 7)]:
            assert table[key] == pytest.approx(joint_k_statistic(X, key), rel=1e-9, abs=1e-12)

    def test_order_12_float(self, rng):
        out = k_statistics(rng.normal(size=100_000), 12)
        assert out.shape == (12,) and np.all(np.isfinite(out))
        assert out[1] == pytest.approx(1, abs=0.02)


# --------------------------------------------------------------------------- standard errors


class TestStandardErrors:
    def test_plugin_and_bootstrap_agree_with_exact_on_one_sample(self, rng):
        """One sample, n = 5000: each estimated SE within 5 of its own standard errors.

        The SE of an SE estimate is measured, not guessed: the spread of the estimates
        over 20 further replicate samples (their average is checked tightly in
        tests/unit/test_calibration.py).
        """
        n = 5_000
        x = rng.normal(size=n)
        kappa = [0, 1] + [0] * 6
        exact = np.array([math.sqrt(float(k_statistic_variance(kappa, n, r))) for r in range(1, 5)])
        reps = np.random.default_rng(4).normal(size=(20, n))
        for method in ("plugin", "bootstrap"):
            est = k_statistics_se(x, 4, method=method, n_boot=200, rng=1)
            spread = np.array([k_statistics_se(r, 4, method=method, n_boot=200, rng=i)
                               for i, r in enumerate(reps)]).std(axis=0, ddof=1)
            assert np.all(np.abs(est - exact) < 5 * spread), (method, est, exact, spread)

    def test_auto_cascade(self, rng):
        x = rng.exponential(size=2_000)
        se, used = k_statistics_se(x, 6, n_boot=50, rng=0, full_output=True)
        assert used == ("plugin",) * 4 + ("bootstrap",) * 2
        assert np.all(se > 0)

    def test_negative_plugin_falls_back_to_bootstrap(self):
        x = np.tile([-1.0, 1.0], 20)  # sample kurtosis at its floor: plug-in var(k_2) < 0
        k = k_statistics(x, 4)
        assert k_statistic_variance(list(k), len(x), 2) < 0
        se, used = k_statistics_se(x, 2, method="plugin", rng=0, full_output=True)
        assert used == ("plugin", "bootstrap") and se[1] > 0

    def test_bootstrap_reproducible(self, rng):
        x = rng.normal(size=500)
        a = k_statistics_se(x, 3, method="bootstrap", rng=7)
        b = k_statistics_se(x, 3, method="bootstrap", rng=np.random.default_rng(7))
        np.testing.assert_array_equal(a, b)

    def test_joint_bootstrap(self, rng):
        """Joint bootstrap SEs over R = 20 replicate samples (n = 4000) vs exact ones.

        Gaussian, independent unit components: var(k_01) = 1/(n-1) (product of two
        independent unit variances, unbiased form), var(k_000) = 6n/((n-1)(n-2))
        (Kendall & Stuart 12.35 with kappa_2 = 1, higher kappa = 0), var(k_1) = 1/n.
        Tolerance: 4 sd / sqrt(R) (SE of the mean estimate) + sd^2 / (2 se) (Jensen bias
        of a square root), with sd the spread of the R estimates.
        """
        n, R = 4_000, 20
        X = rng.normal(size=(R, n, 2))
        exact = {(0, 1): math.sqrt(1 / (n - 1)), (0, 0, 0): math.sqrt(6 * n / ((n - 1) * (n - 2))),
                 (1,): math.sqrt(1 / n)}
        est = [joint_k_statistics_se(X[r], 3, n_boot=150, rng=r) for r in range(R)]
        for key, want in exact.items():
            vals = np.array([e[key] for e in est])
            sd = vals.std(ddof=1)
            assert abs(vals.mean() - want) < 4 * sd / math.sqrt(R) + sd**2 / (2 * want), key
            assert 4 * sd / math.sqrt(R) < 0.1 * want      # and the check is a tight one

    def test_exponential_k5_k6_within_four_standard_errors(self):
        n = 200_000
        x = np.random.default_rng(20251016).exponential(size=n)
        k = k_statistics(x, 6)
        kappa = [math.factorial(j - 1) for j in range(1, 13)]
        for r, want in ((5, 24), (6, 120)):
            se = math.sqrt(float(k_statistic_variance(kappa, n, r)))
            assert abs(k[r - 1] - want) < 4 * se, (r, k[r - 1], se)


# --------------------------------------------------------------------------- bad input

BAD_CALLS = [
    (lambda: k_statistics([1.0, 2.0, 3.0], 0), cm.InvalidParameterError, "order"),
    (lambda: k_statistics([1.0, 2.0, 3.0], 2.0), cm.InvalidParameterError, "order"),
    (lambda: k_statistics([1.0, 2.0, 3.0], True), cm.InvalidParameterError, "order"),
    (lambda: k_statistics([1.0, 2.0, 3.0], "2"), cm.InvalidParameterError, "order"),
    (lambda: k_statistics([1.0, 2.0, 3.0], 4), cm.InvalidParameterError, "len(x)=3"),
    (lambda: k_statistics([], 1), cm.InvalidParameterError, "len(x)=0"),
    (lambda: k_statistics([1.0, np.nan, 3.0], 2), cm.InvalidParameterError, "x[1]"),
    (lambda: k_statistics(np.array([1.0, 2.0, np.inf]), 2), cm.InvalidParameterError, "x[2]"),
    (lambda: k_statistics([1e300, 2e300, -1e300], 2), cm.InvalidParameterError, "rescale"),
    (lambda: k_statistics(np.ones((3, 2)), 2), cm.ShapeMismatchError, "axis=0"),
    (lambda: k_statistics(np.ones((3, 2, 2)), 2, axis=0), cm.ShapeMismatchError, "x.shape"),
    (lambda: k_statistics(3.0, 1), cm.ShapeMismatchError, "x"),
    (lambda: k_statistics([[1, 2], [3]], 1), cm.ShapeMismatchError, "x"),
    (lambda: k_statistics([1.0, 2.0], 1, axis=1), cm.InvalidParameterError, "axis"),
    (lambda: k_statistics(["a", "b"], 1), cm.InvalidParameterError, "x"),
    (lambda: k_statistics([1 + 2j, 3j], 1), cm.InvalidParameterError, "x"),
    (lambda: k_statistics([Fraction(1), object()], 1), cm.InvalidParameterError, "element of x"),
    (lambda: k_statistics([sympy.Rational(1), sympy.oo], 1), cm.InvalidParameterError, "x"),
    (lambda: k_statistic_formula(0), cm.InvalidParameterError, "order"),
    (lambda: joint_k_statistics(np.ones(5), 2), cm.ShapeMismatchError, "X.shape"),
    (lambda: joint_k_statistics(np.ones((5, 0)), 2), cm.ShapeMismatchError, "X.shape"),
    (lambda: joint_k_statistics(np.ones((2, 2)), 3), cm.InvalidParameterError, "len(X)=2"),
    (lambda: joint_k_statistics([[1.0, np.nan]], 1), cm.InvalidParameterError, "X[(0, 1)]"),
    (lambda: joint_k_statistic(np.ones((5, 2)), (0, 2)), cm.ShapeMismatchError, "indices"),
    (lambda: joint_k_statistic(np.ones((5, 2)), (0, -1)), cm.InvalidParameterError, "index"),
    (lambda: joint_k_statistic(np.ones((5, 2)), ()), cm.ShapeMismatchError, "indices"),
    (lambda: joint_k_statistic(np.ones((5, 2)), 3), cm.InvalidParameterError, "indices"),
    (lambda: k_statistic_variance([0, 1, 0], 10, 2), cm.InsufficientOrderError, "len(cumulants)"),
    (lambda: k_statistic_variance([0, 1, 0, 3], 1, 2), cm.InvalidParameterError, "n_samples"),
    (lambda: k_statistic_variance([0, 1, 0, 3], 10.5, 2), cm.InvalidParameterError, "n_samples"),
    (lambda: k_statistic_variance([0, 1, 0, float("nan")], 10, 2), cm.InvalidParameterError,
     "cumulants"),
    (lambda: k_statistic_variance(5, 10, 1), cm.InvalidParameterError, "cumulants"),
    (lambda: k_statistic_variance([0] * 10, 10, 5, method="closed"), cm.OrderTooHighError,
     "derived"),
    (lambda: k_statistic_variance([0] * 30, 30, 11), cm.OrderTooHighError, "bootstrap"),
    (lambda: k_statistic_variance([0] * 4, 10, 2, method="exact"), cm.MethodUnavailableError,
     "method"),
    (lambda: k_statistics_se([1.0, 2.0, 3.0], 2, method="magic"), cm.MethodUnavailableError,
     "method"),
    (lambda: k_statistics_se([1.0, 2.0, 3.0], 2, method="plugin"), cm.InvalidParameterError,
     "bootstrap"),
    (lambda: k_statistics_se([1.0, 2.0, 3.0], 1, n_boot=1), cm.InvalidParameterError, "n_boot"),
    (lambda: k_statistics_se([1.0, 2.0, 3.0], 1, rng="seed"), cm.InvalidParameterError, "rng"),
    (lambda: k_statistics_se(np.ones((3, 2)), 1), cm.ShapeMismatchError, "x.shape"),
    (lambda: k_statistics_se([sympy.Symbol("a"), 1], 1), cm.InvalidParameterError, "x"),
    (lambda: joint_k_statistics_se(np.ones((5, 2)), 2, method="plugin"),
     cm.MethodUnavailableError, "bootstrap"),
]


@pytest.mark.parametrize("call, error, fragment", BAD_CALLS)
def test_bad_input(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, cm.CumulantError)
    assert fragment in str(info.value)


# ---------------------------------------------------------------- second mutation pass
def test_variance_uses_only_kappa_1_to_kappa_2r():
    """Values beyond kappa_{2r} are ignored: a trailing float does not make an exact result float."""
    exact = k_statistic_variance([0, 1, 0, 2], 10, 2)
    assert k_statistic_variance([0, 1, 0, 2, 0.5, 0.25], 10, 2) == exact
    assert isinstance(exact, sympy.Rational)


def test_bootstrap_method_never_plugs_in():
    x = np.random.default_rng(1).normal(size=40)
    _, used = k_statistics_se(x, 3, method="bootstrap", n_boot=20, full_output=True)
    assert used == ("bootstrap",) * 3


def test_auto_plugs_in_every_order_the_sample_supports():
    """auto: order j uses the plug-in variance when n >= 2j, j <= 4 and that variance is
    positive (checked here from k_statistic_variance with the sample's own k-statistics)."""
    for n, seed in ((8, 1), (9, 2), (12, 3)):
        x = np.random.default_rng(seed).normal(size=n)
        se, used = k_statistics_se(x, 5, n_boot=20, full_output=True)
        ks = [float(v) for v in k_statistics(x, min(8, 2 * (n // 2)))]
        for j in range(1, 6):
            positive = j <= min(4, n // 2) and float(k_statistic_variance(ks[:2 * j], n, j)) > 0
            assert used[j - 1] == ("plugin" if positive else "bootstrap"), (n, j)
            if positive:
                assert se[j - 1] == pytest.approx(math.sqrt(float(
                    k_statistic_variance(ks[:2 * j], n, j))), rel=1e-12)


def test_joint_bootstrap_of_one_column_is_the_univariate_bootstrap():
    """Same resampling stream, same replicates: the SEs agree to rounding."""
    x = np.random.default_rng(5).exponential(size=300)
    uni = k_statistics_se(x, 3, method="bootstrap", n_boot=50, rng=7)
    joint = joint_k_statistics_se(x[:, None], 3, n_boot=50, rng=7)
    assert [joint[(0,) * r] for r in (1, 2, 3)] == pytest.approx(list(uni), rel=1e-9)
    two = joint_k_statistics_se(np.column_stack([x, x[::-1]]), 2, n_boot=50, rng=7)
    assert two[(0, 0)] == pytest.approx(uni[1], rel=1e-9)


def test_bootstrap_resamples_every_row():
    """One outlier among 50 values: the bootstrap SE of the mean must see it.

    sd of the mean = sqrt(var_pop / n) = sqrt((1000^2 / 50 - 20^2) / 50) = sqrt(392); with 400
    replicates the bootstrap SD has relative SE about 1/sqrt(2 * 399) = 3.5%, so 4 SE is 14%.
    """
    x = np.zeros(50)
    x[0] = 1000.0
    se = k_statistics_se(x, 1, method="bootstrap", n_boot=400, rng=11)
    assert se[0] == pytest.approx(math.sqrt(392.0), rel=0.14)
    se_joint = joint_k_statistics_se(x[:, None], 1, n_boot=400, rng=11)
    assert se_joint[(0,)] == pytest.approx(math.sqrt(392.0), rel=0.14)


def test_default_bootstrap_size_is_the_documented_200():
    x = np.random.default_rng(3).normal(size=30)
    assert list(k_statistics_se(x, 2, method="bootstrap")) == list(
        k_statistics_se(x, 2, method="bootstrap", n_boot=200))


def test_plugin_needs_exactly_two_order_samples():
    from cumulants.errors import CumulantError

    x = np.random.default_rng(4).normal(size=6)
    se, used = k_statistics_se(x, 3, method="plugin", full_output=True)  # n = 2 * order
    assert se.shape == (3,) and all(u in ("plugin", "bootstrap") for u in used)
    assert used[0] == "plugin"  # var(k_1) = k_2 / n > 0 whenever the sample varies
    with pytest.raises(CumulantError, match="at least 2\\*order=6"):
        k_statistics_se(x[:5], 3, method="plugin")


@pytest.mark.parametrize("order", [1, 2, 4])
def test_joint_kstats_are_the_same_when_the_sample_is_summed_in_chunks(monkeypatch, order):
    """A tiny batch budget forces many sample chunks; the sums must add up to the same
    k-statistics, and the diagonal ones must equal the univariate k-statistics."""
    import cumulants.estimators.joint as joint_module

    X = np.random.default_rng(8).normal(size=(101, 2)) + [1.0, -2.0]
    whole = joint_k_statistics(X, order)
    monkeypatch.setattr(joint_module, "_BATCH_ELEMENTS", 7)
    chunked = joint_k_statistics(X, order)
    assert sorted(chunked) == sorted(whole)
    for key in whole:
        assert chunked[key] == pytest.approx(whole[key], rel=1e-12, abs=1e-12)
    uni = k_statistics(X[:, 0], order)
    for r in range(1, order + 1):
        assert chunked[(0,) * r] == pytest.approx(float(uni[r - 1]), rel=1e-11, abs=1e-12)
    boot_whole = joint_k_statistics_se(X, order, n_boot=20, rng=1)
    monkeypatch.setattr(joint_module, "_BATCH_ELEMENTS", 1 << 22)
    assert joint_k_statistics_se(X, order, n_boot=20, rng=1) == pytest.approx(boot_whole, rel=1e-10)


def test_joint_kstats_refuse_work_beyond_the_limit():
    """Bell(12) * C(13, 12) * 100 = 4213597 * 13 * 100 = 5.5e9 > MAX_KSTAT_WORK = 5e9."""
    with pytest.raises(cm.OrderTooHighError, match="MAX_KSTAT_WORK"):
        joint_k_statistics(np.zeros((100, 2)), 12)


def test_k1_carries_the_compensation_of_the_float_mean():
    """The float mean sum(x)/n is corrected by the mean of the residuals x - mean; on this
    sample that gives the exactly rounded mean (computed here in rationals) where the plain
    float mean is one unit in the last place off."""
    x = np.array([1001.257302210934, 867.8951367086981, 1000.6404226504433, 1001.0490011715304,
                  464.3306268388891])
    exact = float(sum(Fraction(v) for v in x) / len(x))
    assert np.add.reduce(x) / len(x) != exact  # the premise
    assert k_statistics(x, 1)[0] == exact
    assert k_statistics(x, 3)[0] == exact


def test_as_samples_refuses_empty_input_and_passes_data_through():
    from cumulants.estimators.kstat import as_samples

    with pytest.raises(cm.ShapeMismatchError, match="at least one sample"):
        as_samples(np.zeros(0))
    out = as_samples([1, 2, 3])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0, 3.0]


def test_bootstrap_batches_do_not_change_the_standard_errors(monkeypatch):
    """Replicates drawn a few at a time consume the same random stream in the same order, so
    the SEs equal those of one batch (to rounding)."""
    import cumulants.estimators.variance as variance_module

    X = np.random.default_rng(9).normal(size=(40, 2))
    whole_joint = joint_k_statistics_se(X, 2, n_boot=20, rng=1)
    whole = k_statistics_se(X[:, 0], 3, method="bootstrap", n_boot=20, rng=1)
    monkeypatch.setattr(variance_module, "_BATCH_ELEMENTS", 3 * 40)
    assert joint_k_statistics_se(X, 2, n_boot=20, rng=1) == pytest.approx(whole_joint, rel=1e-12)
    assert list(k_statistics_se(X[:, 0], 3, method="bootstrap", n_boot=20, rng=1)) == \
        pytest.approx(list(whole), rel=1e-12)


def test_two_bootstrap_replicates_are_enough_to_run():
    se = k_statistics_se(np.arange(10.0), 2, method="bootstrap", n_boot=2, rng=0)
    assert se.shape == (2,) and np.all(np.isfinite(se))


def test_single_joint_k_statistic_of_order_one_is_the_column_mean():
    X = np.random.default_rng(12).normal(size=(30, 2)) + [5.0, -3.0]
    assert float(joint_k_statistic(X, (1,))) == pytest.approx(X[:, 1].mean(), rel=1e-13)
    assert float(joint_k_statistic(X, (0,))) == pytest.approx(X[:, 0].mean(), rel=1e-13)


def test_nonfinite_message_names_the_first_bad_value():
    with pytest.raises(cm.CumulantError, match=r"x\[1\]=nan"):
        k_statistics(np.array([1.0, np.nan, 2.0, np.inf]), 2)
