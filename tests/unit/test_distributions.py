"""Unit tests of ``cumulants.distributions``.

Every closed form is held against a witness computed another way: the series of a
textbook cumulant generating function, ``sympy.stats`` moment generating functions and
moments, the public oracles of docs/formulas.md §8, identities between laws, and samples compared
in standard errors derived from the law's own cumulants.
"""

import math
import pickle
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from sympy import Rational as R
from sympy import stats

from cumulants import distributions
from cumulants.distributions import (
    CATALOGUE,
    Affine,
    Bernoulli,
    Distribution,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    Poisson,
    Rademacher,
    Sum,
    Uniform,
    independent_sum,
    parse,
    standardise,
)
from cumulants.errors import CumulantError, InvalidParameterError

T = sympy.Symbol("t")
ORDER = 8


def series_cumulants(K, order=ORDER):
    """``kappa_n = n! [t^n] K(t)`` from sympy's Taylor series of a CGF."""
    series = sympy.series(K, T, 0, order + 1).removeO()
    return tuple(sympy.factorial(n) * series.coeff(T, n) for n in range(1, order + 1))


def assert_equal_exprs(actual, expected):
    assert len(actual) == len(expected)
    for n, (a, e) in enumerate(zip(actual, expected), start=1):
        assert sympy.cancel(sympy.expand(a - e)) == 0, (n, a, e)


# -- closed forms against independent witnesses ---------------------------------------

mu, a = sympy.symbols("mu a", real=True)
s, h, r, k, theta, lam = sympy.symbols("s h r k theta lam", positive=True)
p = sympy.Symbol("p")

# Textbook CGFs log E[exp(tX)], written here independently of the module.  The uniform
# law on [a, a + h] is written with e^{at} factored out, a form whose series sympy finds
# quickly for symbolic end points.
SYMBOLIC_CASES = [
    (Normal(mu, s), mu * T + s**2 * T**2 / 2),
    (Uniform(a, a + h), a * T + sympy.log((sympy.exp(h * T) - 1) / (h * T))),
    (Rademacher(), sympy.log((sympy.exp(T) + sympy.exp(-T)) / 2)),
    (Laplace(mu, s), mu * T - sympy.log(1 - s**2 * T**2)),
    (Exponential(r), sympy.log(r / (r - T))),
    (Gamma(k, theta), -k * sympy.log(1 - theta * T)),
    (Poisson(lam), lam * (sympy.exp(T) - 1)),
    (Bernoulli(p), sympy.log(1 - p + p * sympy.exp(T))),
]


@pytest.mark.parametrize("dist, K", SYMBOLIC_CASES, ids=lambda x: repr(x)[:24])
def test_symbolic_cumulants_match_textbook_cgf(dist, K):
    assert_equal_exprs(dist.cumulants(ORDER), series_cumulants(K))


STATS_CASES = [
    (Normal(1, 2), stats.Normal("X", 1, 2)),
    (Uniform(-1, 3), stats.Uniform("X", -1, 3)),
    (Laplace(1, R(1, 2)), stats.Laplace("X", 1, R(1, 2))),
    (Exponential(3), stats.Exponential("X", 3)),
    (Gamma(R(3, 2), 2), stats.Gamma("X", R(3, 2), 2)),
    (Poisson(R(5, 2)), stats.Poisson("X", R(5, 2))),
    (Bernoulli(R(1, 3)), stats.Bernoulli("X", R(1, 3))),
    (Rademacher(), stats.FiniteRV("X", {1: R(1, 2), -1: R(1, 2)})),
]


@pytest.mark.parametrize("dist, X", STATS_CASES, ids=lambda x: repr(x)[:24])
def test_exact_cumulants_match_sympy_stats_mgf(dist, X):
    mgf = stats.moment_generating_function(X)(T)
    expected = series_cumulants(sympy.log(mgf))
    assert dist.cumulants(ORDER) == expected


@pytest.mark.parametrize(
    "dist",
    [d for d, _ in STATS_CASES]
    + [Affine(Exponential(2), -3, shift=R(1, 2)), Sum(Poisson(1), Uniform(0, 2), Normal(1, 1))],
    ids=repr,
)
def test_cgf_method_series_gives_the_cumulants(dist):
    assert dist.cumulants(ORDER) == series_cumulants(dist.cgf(T))


def test_oracle_1_sum_of_exponentials():
    S = independent_sum(Exponential(1), Exponential(2))
    assert S.cumulants(6) == (R(3, 2), R(5, 4), R(9, 4), R(51, 8), R(99, 4), R(975, 8))


def test_oracle_2_gamma_is_sum_of_exponentials():
    assert Gamma(2, 1).cumulants(6) == (2, 2, 4, 12, 48, 240)
    assert Gamma(2, 1).cumulants(30) == Sum(Exponential(1), Exponential(1)).cumulants(30)


def test_oracle_15_rademacher():
    assert [Rademacher().cumulant(n) for n in (2, 4, 6, 8)] == [1, -2, 16, -272]
    assert all(Rademacher().cumulant(n) == 0 for n in range(1, 30, 2))


@pytest.mark.parametrize("n", range(1, 31))
def test_high_order_identities_between_laws(n):
    # Three pairs of closed forms that share no code path.
    # Bernoulli(1/2) = (R + 1)/2: the Bernoulli recursion against Bernoulli numbers.
    half = Bernoulli(R(1, 2)).cumulant(n)
    assert half == (R(1, 2) if n == 1 else Rademacher().cumulant(n) / 2**n)
    # Laplace(0, 1) = E1 - E2 with E1, E2 i.i.d. Exp(1).
    assert Laplace(0, 1).cumulant(n) == Sum(Exponential(1), Exponential(1).affine(-1)).cumulant(n)
    # Gamma(1, 1/r) = Exp(r).
    assert Gamma(1, R(1, 3)).cumulant(n) == Exponential(3).cumulant(n)


def test_uniform_high_order_against_series():
    assert Uniform(0, 1).cumulants(14) == series_cumulants(Uniform(0, 1).cgf(T), 14)


@pytest.mark.parametrize("n", range(2, 31))
def test_uniform_is_a_binary_expansion_of_rademachers(n):
    # U(-1, 1) = sum_{k >= 1} 2^{-k} R_k with R_k i.i.d. Rademacher, hence by homogeneity
    # and additivity kappa_n(U) = kappa_n(R) sum_k 2^{-nk} = kappa_n(R) / (2^n - 1).
    assert Uniform(-1, 1).cumulant(n) == Rademacher().cumulant(n) / (2**n - 1)


# -- raw moments ---------------------------------------------------------------------


def test_normal_moments_oracle():
    # docs/formulas.md §1.4: E z^n for N(1, 4).
    assert [Normal(1, 2).moment(n) for n in range(1, 7)] == [1, 5, 13, 73, 281, 1741]


@pytest.mark.parametrize(
    "dist, raw",
    [
        (Bernoulli(p), lambda n: p),
        (Rademacher(), lambda n: 1 - n % 2),
        (Exponential(r), lambda n: sympy.factorial(n) / r**n),
        (Laplace(0, s), lambda n: (1 - n % 2) * sympy.factorial(n) * s**n),
        (Gamma(k, theta), lambda n: sympy.rf(k, n) * theta**n),
        (Uniform(a, a + h), lambda n: ((a + h) ** (n + 1) - a ** (n + 1)) / ((n + 1) * h)),
        # Touchard polynomials: E X^n = sum_k S(n, k) lam^k.
        (Poisson(lam), lambda n: sum(sympy.functions.combinatorial.numbers.stirling(n, j) * lam**j
                                     for j in range(n + 1))),
    ],
    ids=lambda x: repr(x)[:20],
)
def test_symbolic_moments_match_textbook(dist, raw):
    for n in range(1, 7):
        assert sympy.cancel(sympy.expand(dist.moment(n) - raw(n))) == 0, n


@pytest.mark.parametrize(
    "dist, X",
    [
        (Uniform(-1, 3), stats.Uniform("X", -1, 3)),
        (Laplace(1, R(1, 2)), stats.Laplace("X", 1, R(1, 2))),
    ],
    ids=lambda x: repr(x)[:20],
)
def test_moments_match_sympy_stats(dist, X):
    assert [dist.moment(n) for n in range(1, 5)] == [
        sympy.simplify(stats.moment(X, n)) for n in range(1, 5)
    ]


# -- number systems ------------------------------------------------------------------


def test_exact_inputs_give_sympy_rationals():
    for value in Uniform(Fraction(1, 2), 3).cumulants(6) + Bernoulli(Fraction(1, 3)).cumulants(6):
        assert isinstance(value, sympy.Rational)
    assert Exponential(np.int64(2)).cumulant(2) == R(1, 4)


def test_float_inputs_give_floats():
    for dist in [Normal(0.5, 2.0), Uniform(0, 1.5), Laplace(0, np.float64(2)), Poisson(2.5),
                 Bernoulli(0.25), Gamma(1.5, 2), Exponential(0.5).affine(3),
                 Rademacher().affine(0.5)]:
        values = dist.cumulants(6) + (dist.moment(4),)
        assert all(type(v) is float for v in values), dist


def test_float_results_are_the_rounded_exact_values():
    pairs = [(Bernoulli(R(1, 4)), Bernoulli(0.25)), (Gamma(R(3, 2), 2), Gamma(1.5, 2.0)),
             (Uniform(R(-1, 2), R(5, 4)), Uniform(-0.5, 1.25))]
    for exact, floating in pairs:
        expected = tuple(float(v) for v in exact.cumulants(12))
        assert floating.cumulants(12) == pytest.approx(expected, rel=2e-16, abs=0)


def test_float_overflow_gives_inf_and_exact_stays_exact():
    assert Exponential(0.5).cumulant(400) == math.inf
    assert Exponential(R(1, 2)).cumulant(400) == math.factorial(399) * 2**400
    # Alternating coefficients of size ~ n! do not spoil the float Bernoulli cumulants.
    exact = Bernoulli(sympy.Rational(0.9)).cumulant(40)
    assert Bernoulli(0.9).cumulant(40) == pytest.approx(float(exact), rel=1e-14)


def test_mpmath_inputs_keep_their_precision():
    with mpmath.workdps(40):
        dist = Gamma(mpmath.mpf(3) / 2, mpmath.mpf(2))
        values = dist.cumulants(8)
        assert all(isinstance(v, mpmath.mpf) for v in values)
        exact = Gamma(R(3, 2), 2).cumulants(8)
        assert all(abs(v - mpmath.mpf(sympy.N(e, 50))) < mpmath.mpf(10) ** -35 * abs(v)
                   for v, e in zip(values, exact))
        third = Bernoulli(mpmath.mpf(1) / 3).cumulant(6)
        assert abs(third - mpmath.mpf(sympy.N(Bernoulli(R(1, 3)).cumulant(6), 50))) < 1e-36


def test_symbols_mixed_with_floats_stay_symbolic():
    dist = Normal(mu, 0.5)
    assert dist.cumulant(2) == sympy.Float(0.25)
    assert dist.cumulant(1) == mu
    assert dist.free_symbols == {mu}


# -- transformations -----------------------------------------------------------------


def test_affine_cumulants_and_composition():
    X = Exponential(1)
    Y = X.affine(-2, shift=3)
    assert Y.cumulants(4) == (1, 4, -16, 96)
    assert Y.affine(R(1, 2), shift=1) == X.affine(-1, shift=R(5, 2))


def test_independent_sum_flattens_and_adds():
    S = independent_sum(Poisson(1), independent_sum(Poisson(2), Normal(0, 1)))
    assert S.terms == (Poisson(1), Poisson(2), Normal(0, 1))
    assert S.cumulants(5) == (3, 4, 3, 3, 3)


STANDARDISE_SPECS = {
    "normal": "normal:1,3", "uniform": "uniform:-1,2", "rademacher": "rademacher",
    "laplace": "laplace:2,1/3", "exponential": "exponential:5", "gamma": "gamma:3,1/2",
    "poisson": "poisson:7/2", "bernoulli": "bernoulli:1/5",
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_standardise_every_law(name):
    base = parse(STANDARDISE_SPECS[name])
    Z = standardise(base, mean=R(1, 2), variance=3)
    assert Z.mean == R(1, 2)
    assert sympy.simplify(Z.variance - 3) == 0
    scale2 = 3 / base.variance
    for n in range(3, 7):
        assert sympy.simplify(Z.cumulant(n) - sympy.sqrt(scale2) ** n * base.cumulant(n)) == 0


def test_standardise_keeps_number_system():
    assert standardise(Uniform(0, 1)).cumulants(4) == (0, 1, 0, R(-6, 5))
    floats = standardise(Uniform(0.0, 1.0), mean=1.0, variance=2.0).cumulants(4)
    assert floats == pytest.approx((1.0, 2.0, 0.0, -1.2 * 4), rel=1e-14, abs=1e-15)
    sym = standardise(Normal(mu, s), mean=0, variance=4)
    assert sym.cumulants(3) == (0, 4, 0)


# -- identity, repr, parsing -----------------------------------------------------------


def test_repr_shows_construction_and_rebuilds():
    assert repr(Normal(0, 1)) == "Normal(mu=0, sigma=1)"
    assert repr(Rademacher()) == "Rademacher()"
    assert repr(Exponential(1).affine(2, 1)) == "Affine(dist=Exponential(rate=1), scale=2, shift=1)"
    assert repr(Sum(Poisson(1), Normal(0, 0.5))) == (
        "Sum(Poisson(rate=1), Normal(mu=0.0, sigma=0.5))"
    )
    namespace = dict(vars(distributions), Rational=sympy.Rational, mpf=mpmath.mpf)
    for dist in [Bernoulli(Fraction(1, 3)), Laplace(-2, 0.5), Gamma(mpmath.mpf("1.5"), 2),
                 Affine(Uniform(-1, 1), R(2, 3), 1), Sum(Rademacher(), Poisson(2))]:
        assert eval(repr(dist), namespace) == dist


def test_equality_and_hash_by_params():
    assert Normal(0, 1) == Normal(Fraction(0), sympy.Integer(1))
    assert hash(Normal(0, 1)) == hash(Normal(Fraction(0), sympy.Integer(1)))
    assert Normal(0, 1) != Normal(0, 2)
    assert Normal(0, 1) != Laplace(0, 1)
    assert len({Poisson(2), Poisson(2), Poisson(3)}) == 2
    assert Normal(0, 1).params == {"mu": 0, "sigma": 1}
    assert Sum(Poisson(1)).params == {"terms": (Poisson(1),)}


def test_distributions_pickle():
    for dist in [standardise(Uniform(0, 1)), independent_sum(Poisson(1), Exponential(2.0))]:
        assert pickle.loads(pickle.dumps(dist)) == dist


def test_distributions_are_immutable():
    dist = Normal(0, 1)
    with pytest.raises(AttributeError):
        dist.mu = 3
    dist.params["mu"] = 5
    assert dist.mean == 0


def test_subs_rebuilds_with_numbers():
    dist = Affine(Gamma(k, theta), s)
    numeric = dist.subs({k: 2, theta: 1, s: 3})
    assert numeric == Affine(Gamma(2, 1), 3)
    assert numeric.cumulants(3) == tuple(3**n * c for n, c in enumerate((2, 2, 4), start=1))


def test_catalogue_and_parse():
    assert set(CATALOGUE) == {"normal", "uniform", "rademacher", "laplace", "exponential",
                              "gamma", "poisson", "bernoulli"}
    assert all(issubclass(cls, Distribution) for cls in CATALOGUE.values())
    assert parse("normal:0,1") == Normal(0, 1)
    assert parse(" Uniform : -1/2 , 1/2 ") == Uniform(R(-1, 2), R(1, 2))
    assert parse("rademacher") == Rademacher()
    assert parse("laplace:0,2") == Laplace(0, 2)
    assert parse("exponential:1.5") == Exponential(1.5)
    assert parse("gamma:2,1e-1") == Gamma(2, 0.1)
    assert parse("poisson:3") == Poisson(3)
    assert parse("bernoulli:0.5").params["p"] == 0.5
    assert isinstance(parse("bernoulli:1/2").params["p"], sympy.Rational)


# -- sampling ------------------------------------------------------------------------

SAMPLE_SIZE = 200_000
SAMPLED = [
    Normal(1, 2), Uniform(-1, 3), Rademacher(), Laplace(0.5, 1.5), Exponential(2),
    Gamma(R(3, 2), 2), Poisson(3), Bernoulli(0.3), Affine(Exponential(1), -2, shift=1),
    independent_sum(Exponential(1), Exponential(2), Uniform(0, 1)),
    standardise(Uniform(0, 1), mean=1, variance=2),
]


@pytest.mark.parametrize("dist", SAMPLED, ids=repr)
def test_sample_mean_and_variance_within_standard_errors(dist):
    x = dist.sample(SAMPLE_SIZE, np.random.default_rng(20251016))
    n = x.size
    k1, k2, _, k4 = (float(v) for v in dist.cumulants(4))
    se_mean = math.sqrt(k2 / n)
    se_var = math.sqrt(k4 / n + 2 * k2**2 / (n - 1))
    assert abs(x.mean() - k1) < 4 * se_mean
    assert abs(x.var(ddof=1) - k2) < 4 * se_var


def test_sample_shape_dtype_and_reproducibility():
    x = Poisson(2).sample((3, 4), 7)
    assert x.shape == (3, 4) and x.dtype == np.float64
    assert np.array_equal(x, Poisson(2).sample((3, 4), np.random.default_rng(7)))
    assert set(np.unique(Rademacher().sample(1000, 0))) == {-1.0, 1.0}
    assert set(np.unique(Bernoulli(0.5).sample(1000, 0))) == {0.0, 1.0}
    assert Normal(0, 1).sample(0, 0).shape == (0,)


def test_sampling_symbolic_parameters_asks_for_numbers():
    with pytest.raises(CumulantError, match="substitute numbers"):
        Normal(mu, 1).sample(10, 0)
    with pytest.raises(CumulantError, match="substitute numbers"):
        independent_sum(Poisson(1), Exponential(r)).sample(10, 0)


# -- bad input -------------------------------------------------------------------------

BAD = [
    ("sigma", lambda: Normal(0, 0)),
    ("sigma", lambda: Normal(0, -1)),
    ("sigma", lambda: Normal(0, -0.5)),
    ("sigma", lambda: Normal(0, sympy.Symbol("s", negative=True))),
    ("sigma", lambda: Normal(0, float("inf"))),
    ("sigma", lambda: Normal(0, None)),
    ("mu", lambda: Normal(float("nan"), 1)),
    ("mu", lambda: Normal("0", 1)),
    ("mu", lambda: Normal(True, 1)),
    ("mu", lambda: Normal(1j, 1)),
    ("mu", lambda: Normal(sympy.I, 1)),
    ("mu", lambda: Normal(sympy.oo, 1)),
    ("b", lambda: Uniform(1, 1)),
    ("b", lambda: Uniform(2, 1)),
    ("b", lambda: Uniform(0, mpmath.mpf("nan"))),
    ("scale", lambda: Laplace(0, 0)),
    ("scale", lambda: Laplace(0, -2)),
    ("rate", lambda: Exponential(0)),
    ("rate", lambda: Exponential(-1)),
    ("rate", lambda: Exponential(mpmath.mpf(-1))),
    ("shape", lambda: Gamma(0, 1)),
    ("shape", lambda: Gamma(sympy.Symbol("k", nonpositive=True), 1)),
    ("scale", lambda: Gamma(1, -1)),
    ("rate", lambda: Poisson(0)),
    ("rate", lambda: Poisson(-3)),
    ("p", lambda: Bernoulli(-0.1)),
    ("p", lambda: Bernoulli(Fraction(3, 2))),
    ("p", lambda: Bernoulli(2)),
    ("p", lambda: Bernoulli(sympy.Symbol("q", negative=True))),
    ("scale", lambda: Affine(Normal(0, 1), 0)),
    ("dist", lambda: Affine("normal", 1)),
    ("shift", lambda: Normal(0, 1).affine(2, shift="1")),
    ("variance", lambda: standardise(Normal(0, 1), variance=0)),
    ("variance", lambda: standardise(Normal(0, 1), variance=-1.0)),
    ("dist", lambda: standardise(3)),
    ("dist", lambda: standardise(Bernoulli(0))),
    ("dist", lambda: standardise(Bernoulli(1.0), variance=2.0)),
    ("terms", lambda: independent_sum()),
    ("terms[1]", lambda: independent_sum(Normal(0, 1), 3)),
    ("n", lambda: Normal(0, 1).cumulant(0)),
    ("n", lambda: Normal(0, 1).cumulant(-1)),
    ("n", lambda: Normal(0, 1).cumulant(2.0)),
    ("n", lambda: Normal(0, 1).cumulant("3")),
    ("n", lambda: Normal(0, 1).moment(0)),
    ("order", lambda: Normal(0, 1).cumulants(0)),
    ("size", lambda: Normal(0, 1).sample(-1, 0)),
    ("size", lambda: Normal(0, 1).sample(2.5, 0)),
    ("size", lambda: Normal(0, 1).sample((2, -1), 0)),
    ("rng", lambda: Normal(0, 1).sample(3, "seed")),
    ("rng", lambda: Normal(0, 1).sample(3, -1)),
    ("rng", lambda: Normal(0, 1).sample(3, None)),
    ("spec", lambda: parse("")),
    ("spec", lambda: parse("normal")),
    ("spec", lambda: parse("normal:0")),
    ("spec", lambda: parse("normal:0,1,2")),
    ("spec", lambda: parse("cauchy:0,1")),
    ("spec", lambda: parse("normal:a,b")),
    ("spec", lambda: parse("bernoulli:1/0")),
    ("spec", lambda: parse(3)),
    ("sigma", lambda: parse("normal:0,-1")),
    ("rate", lambda: parse("poisson:nan")),
]


@pytest.mark.parametrize("argument, build", BAD, ids=[f"{i}-{a}" for i, (a, _) in enumerate(BAD)])
def test_bad_input_raises_invalid_parameter(argument, build):
    with pytest.raises(InvalidParameterError) as info:
        build()
    message = str(info.value)
    assert message.startswith(f"{argument}=") and "expected" in message
    assert isinstance(info.value, CumulantError) and isinstance(info.value, ValueError)


def test_bad_value_messages_say_what_is_valid():
    cases = [
        (lambda: Normal(0, -1), r"sigma=-1 is invalid: expected a positive"),
        (lambda: Bernoulli(2), r"p=2 is invalid: expected a probability in \[0, 1\]"),
        (lambda: Uniform(1, 0), r"b=0 is invalid: expected a number greater than a=1"),
        (lambda: standardise(Bernoulli(0)), r"dist=Bernoulli\(p=0\) .* positive variance"),
    ]
    for build, message in cases:
        with pytest.raises(InvalidParameterError, match=message):
            build()


def test_undecidable_symbolic_parameters_are_allowed():
    x = sympy.Symbol("x")
    assert Normal(0, x).cumulant(2) == x**2
    assert Bernoulli(x).cumulant(2) == x - x**2
    assert Uniform(x, x + 1).cumulant(2) == R(1, 12)


@pytest.mark.parametrize(
    "dist",
    [d for d, _ in STATS_CASES]
    + [Poisson(3), Affine(Exponential(2), -3, shift=R(1, 2)), Sum(Poisson(1), Uniform(0, 2), Normal(1, 1))],
    ids=repr,
)
def test_cgf_vanishes_at_zero(dist):
    """K(0) = log E[e^0] = 0 for every law: the series check above cannot see a constant.
    (A limit, since some closed forms, such as the uniform law's, are 0/0 at t = 0.)"""
    assert sympy.limit(dist.cgf(T), T, 0) == 0


def test_mpmath_laws_compute_at_the_callers_precision():
    """kappa_2 and kappa_4 of Uniform(0, 1) are 1/12 and -1/120 (B_n / n); at 50 digits the
    constants must carry 50 digits, not the 34 of the private float context."""
    with mpmath.workdps(50):
        u = Uniform(mpmath.mpf(0), mpmath.mpf(1))
        assert abs(u.cumulant(2) - mpmath.mpf(1) / 12) < mpmath.mpf(10) ** -48
        assert abs(u.cumulant(4) + mpmath.mpf(1) / 120) < mpmath.mpf(10) ** -48
