"""cm.bounds: SDP ranges against an independent brute-force search over discrete laws.

The oracle never uses the moment machinery: the MSE of a discrete law is the
exact average of (f(x) - f*(x))^2 over every tuple of atoms (network forward
passes, ``Network.apply``), and the search runs over 2- and 3-atom laws with
mean 0 and variance 1 (by Caratheodory, with two moment constraints the extremes
of an affine function of the moments are attained by laws with at most 3 atoms).
"""

import itertools
import math

import numpy as np
import pytest
import sympy
from scipy.optimize import minimize_scalar

import cumulants as cm
from cumulants.bounds import InfeasibleClassError, LawClass, SolverFailedError, mse_range
from cumulants.distributions import Discrete, Rademacher, Uniform, standardise
from cumulants.errors import CumulantError, NotPolynomialError
from cumulants.layers import Dense, Network, Quadratic


def same_sign_net(width=3, block=2, alpha=0.5):
    """A one-hidden-layer quadratic net with positive output weights (cm.constraints.same_sign)."""
    W = np.array([[0.62, 0.58], [0.5, 0.55], [0.45, 0.61]])[:width, :block]
    v = cm.constraints.same_sign((1, width), 1).build(np.array([[0.64, 0.6, 0.66]])[:, :width].ravel())
    return Network([Dense(W), Quadratic(alpha), Dense(v, [-0.3])])


def block_target(block=2):
    return Dense([[1 / math.sqrt(block)] * block])


def oracle_mse(net, target, atoms, weights):
    """Exact MSE of i.i.d. inputs with a discrete law, by enumeration of atom tuples."""
    d = net.in_dim()
    atoms, weights = np.asarray(atoms, float), np.asarray(weights, float)
    X = np.array(list(itertools.product(atoms, repeat=d)))
    P = np.prod(np.array(list(itertools.product(weights, repeat=d))), axis=1)
    e = net.apply(X)[:, 0] - target.apply(X)[:, 0]
    return float(P @ e**2)


def three_atom(x1, x2, x3):
    """Weights of the mean-0 variance-1 law on three atoms (None when not a law)."""
    A = np.array([[1, 1, 1], [x1, x2, x3], [x1**2, x2**2, x3**2]], float)
    try:
        w = np.linalg.solve(A, [1, 0, 1])
    except np.linalg.LinAlgError:
        return None
    return w if np.all(w >= -1e-14) else None


def brute_force(net, target, half, sense):
    """Best MSE over standardised laws with <= 3 atoms on [-half, half]: grid, then refinement."""
    sign = 1 if sense == "min" else -1
    best = (math.inf, None)
    # two atoms t, -1/t with weights 1/(1+t^2), t^2/(1+t^2); t in [1/half, half]
    def two(t):
        return oracle_mse(net, target, [t, -1 / t], [1 / (1 + t * t), t * t / (1 + t * t)])
    res = minimize_scalar(lambda t: sign * two(t), bounds=(1 / half, half), method="bounded",
                          options={"xatol": 1e-12})
    for t in list(np.linspace(1 / half, half, 200)) + [res.x]:
        v = sign * two(t)
        if v < best[0]:
            best = (v, ("two", t))
    grid = np.linspace(-half, half, 41)
    for x1, x2, x3 in itertools.combinations(grid, 3):
        w = three_atom(x1, x2, x3)
        if w is None:
            continue
        v = sign * oracle_mse(net, target, [x1, x2, x3], w)
        if v < best[0]:
            best = (v, ("three", (x1, x2, x3)))
    if best[1][0] == "three":  # refine the middle atom with the outer ones fixed, then all three
        x = list(best[1][1])
        for _ in range(3):
            for i in range(3):
                def f(t, i=i):
                    y = list(x)
                    y[i] = t
                    w = three_atom(*y)
                    return 1e9 if w is None else sign * oracle_mse(net, target, y, w)
                lo = -half if i == 0 else x[i - 1]
                hi = half if i == 2 else x[i + 1]
                r = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
                if r.fun < sign * oracle_mse(net, target, x, three_atom(*x)):
                    x[i] = r.x
        best = (min(best[0], sign * oracle_mse(net, target, x, three_atom(*x))), best[1])
    return sign * best[0]


@pytest.fixture(scope="module")
def first_check():
    net, target = same_sign_net(), block_target()
    return net, target, mse_range(net, target, LawClass.standardised((-2, 2)))


def test_first_check_sdp_agrees_with_brute_force(first_check):
    net, target, res = first_check
    assert res.exact and res.affine
    lo, hi = brute_force(net, target, 2.0, "min"), brute_force(net, target, 2.0, "max")
    # the oracle's values are attained by laws of the class: inside the certified range ...
    assert res.lower <= lo * (1 + 1e-6) and hi <= res.upper * (1 + 1e-6)
    # ... and the range is attained to 1e-6 relative
    assert abs(lo - res.lower) <= 1e-6 * abs(lo) and abs(hi - res.upper) <= 1e-6 * abs(hi)


def test_extremal_laws_are_in_the_class_and_attain(first_check):
    net, target, res = first_check
    for law, value in ((res.lower_law, res.lower_attained), (res.upper_law, res.upper_attained)):
        assert res.laws.contains(law, tol=1e-8)
        assert len(law.atoms) <= 3
        # exact re-evaluation agrees with the independent enumeration
        assert value == pytest.approx(oracle_mse(net, target, law.atoms, law.weights), rel=1e-9)
    assert res.lower_outer <= res.lower_attained + 1e-7 and res.upper_attained <= res.upper_outer + 1e-7
    assert 0 <= res.gap < 1e-6


@pytest.mark.parametrize("side", ["lower", "upper"])
def test_monte_carlo_at_the_extremal_laws(first_check, side):
    net, target, res = first_check
    law = getattr(res, f"{side}_law")
    X = law.sample((200000, 2), rng=7)
    e2 = (net.apply(X)[:, 0] - target.apply(X)[:, 0]) ** 2
    se = e2.std(ddof=1) / math.sqrt(e2.size)  # sample standard error of a mean
    assert abs(e2.mean() - getattr(res, f"{side}_attained")) < 4 * se


def test_closed_form_two_atom_extreme():
    # e = x^2 - 1 on one input: MSE = m4 - 1 for mean 0, variance 1 laws on [-2, 2].
    # min m4 = 1 (Rademacher, two atoms); max m4 = 4 at {-2, 0, 2} with weights 1/8, 3/4, 1/8
    # (Chebyshev-Markov: m4 <= (a^2 + b^2) m2 - a^2 b^2 ... at a=-2, b=2: 8 - 4 = 4).
    net = Network([Dense([[1]], [0]), cm.layers.Polynomial([-1, 0, 1])])
    res = mse_range(net, Dense([[0]]), LawClass.standardised((-2, 2)))
    assert res.lower_attained == pytest.approx(0, abs=1e-9)
    assert res.upper_attained == pytest.approx(3, rel=1e-9)
    assert sorted(np.round(res.lower_law.atoms, 6)) == [-1, 1]


def test_form_matches_exact_mse_on_symbolic_cumulants():
    from cumulants.algebra.univariate import moment_formula, moment_symbol
    from cumulants.generalisation import mse
    from cumulants.state import Cumulants

    net = Network([Dense([[1, 2], [0, 1]], [1, 0]), Quadratic(sympy.Rational(1, 2)),
                   Dense([[1, -1]])])
    target = Dense([[1, 1]])
    F = cm.bounds.mse_moment_form(net, target)[0]
    G = mse(net, target, Cumulants.symbolic(2, 4))
    subs = {moment_symbol(k): moment_formula(k) for k in range(1, 5)}
    assert sympy.expand(F.xreplace(subs) - G) == 0


def test_non_affine_inner_and_outer_bracket_the_truth():
    # variance in [1, 2] unknown: MSE = 2*m4 + 6*m2^2 (products of unknowns -> relaxation).
    # On [-2, 2] with mean 0 the truth is [8, 2*16 + 6*16 = ...] restricted by m2 <= 2:
    # min at Rademacher (m2 = 1, m4 = 1): 8; max at m2 = 2: m4 <= 4*m2 = 8 (atoms +-2, 0): 16 + 24 = 40.
    net = Network([Dense([[1, 1]]), Quadratic(1), Dense([[1]])])
    laws = LawClass(cumulants={1: 0, 2: (1, 2)}, support=(-2, 2))
    res = mse_range(net, Dense([[1, 1]]), laws)
    assert not res.affine
    assert res.lower <= 8 + 1e-6 <= res.lower_attained + 2e-6
    assert res.upper_attained <= 40 + 1e-6 <= res.upper + 2e-6
    assert res.upper_attained == pytest.approx(40, rel=1e-6)


def test_unbounded_support_gives_infinite_worst_case_with_witnesses():
    net = Network([Dense([[1]]), Quadratic(1)])
    res = mse_range(net, Dense([[1]]), LawClass.standardised(None))
    assert res.upper == math.inf and res.unbounded
    values = [v for _, v in res.witnesses((1e1, 1e2, 1e3))]
    assert len(values) == 3 and values[0] < values[1] < values[2]
    assert math.isfinite(res.lower)


def test_zero_range_for_representable_target():
    res = mse_range(block_target(), block_target(), LawClass.standardised((-2, 2)))
    assert res.lower == pytest.approx(0, abs=1e-9) and res.upper == pytest.approx(0, abs=1e-9)


def test_gap_range_is_shifted_mse_range(first_check):
    net, target, res = first_check
    from cumulants.distributions import Normal
    from cumulants.generalisation import mse
    from cumulants.state import Cumulants

    train = Cumulants.iid(Normal(0, 1), 2, 4)
    g = cm.bounds.gap_range(net, target, train, LawClass.standardised((-2, 2)))
    tr = float(mse(net, target, train))
    assert g.lower_attained == pytest.approx(res.lower_attained - tr, rel=1e-6, abs=1e-9)
    assert g.quantity == "gap"


def test_latex_and_dict(first_check):
    _, _, res = first_check
    tex = res.latex()
    assert r"\mu'_{4}" in tex and r"\delta_" in tex
    d = res.to_dict()
    assert d["exact"] is True and len(d["upper_law"]["atoms"]) == len(res.upper_law.atoms)


@pytest.mark.parametrize("kwargs, match", [
    (dict(cumulants={1: 0, 2: 1}, support=(-0.5, 0.5)), "empty"),
    (dict(cumulants={4: (3, -1.2)}), "lo <= hi"),
    (dict(support=(2, -2)), "reversed"),
    (dict(cumulants={2: -1}, support=(-1, 1)), "empty|variance"),
])
def test_bad_classes(kwargs, match):
    net = Network([Dense([[1]]), Quadratic(1)])
    with pytest.raises(CumulantError, match=match):
        mse_range(net, Dense([[1]]), LawClass(**kwargs))


def test_infeasible_moment_cone_is_detected():
    # m4 < m2^2 is impossible (Hankel matrix not PSD): variance 1 with m4 = 0.5
    net = Network([Dense([[1]]), Quadratic(1)])
    with pytest.raises(InfeasibleClassError):
        mse_range(net, Dense([[1]]), LawClass(moments={1: 0, 2: 1, 4: 0.5}, support=(-3, 3)))


def test_non_polynomial_needs_method():
    from cumulants.layers import Tanh
    net = Network([Dense([[1]]), Tanh()])
    with pytest.raises(NotPolynomialError, match="method"):
        mse_range(net, Dense([[1]]), LawClass.standardised((-2, 2)))
    res = mse_range(net, Dense([[1]]), LawClass.standardised((-2, 2)), method="taylor", degree=3)
    assert res.approximate and not res.exact and "taylor" in res.method


def test_solver_failure_is_a_cumulant_error(monkeypatch):
    import cvxpy

    def broken(self, *args, **kwargs):
        raise cvxpy.error.SolverError("simulated failure")

    monkeypatch.setattr(cvxpy.Problem, "solve", broken)
    net = Network([Dense([[1]]), Quadratic(1)])
    with pytest.raises(SolverFailedError, match="Clarabel, then SCS"):
        mse_range(net, Dense([[1]]), LawClass.standardised((-2, 2)))
    assert issubclass(SolverFailedError, CumulantError)


def test_from_samples_intervals_cover_and_state_se():
    x = Uniform(-1, 1).sample(20000, rng=3)
    c = LawClass.from_samples(x, 4, level=0.99, support=(-1, 1))
    assert c.se_method == ("plugin",) * 4 and c.level == 0.99
    exact = Uniform(-1, 1).cumulants(4)  # (0, 1/3, 0, -2/15)
    for k in range(1, 5):
        lo, hi = c.cumulants[k]
        assert lo <= float(exact[k - 1]) <= hi
    with pytest.raises(CumulantError):
        LawClass.from_samples(x, 2, level=1.5)


def test_contains_catalogue_laws():
    laws = LawClass.standardised((-2, 2), kurtosis=(-1.2, 3))
    assert laws.contains(standardise(Uniform(0, 1))) and laws.contains(Rademacher()) is False
    assert laws.contains(Discrete([-1, 1], [0.5, 0.5])) is False  # kappa_4 = -2 < -1.2


def test_float_form_matches_exact_mse_at_a_law():
    # float weights take the numpy squaring path; the exact mse (cumulant propagation) is
    # the independent witness at a skewed three-atom law
    from cumulants.algebra.univariate import moment_symbol
    from cumulants.generalisation import mse
    from cumulants.state import Cumulants

    net = Network([Dense([[0.3, -0.7, 0.2], [0.5, 0.1, -0.4]], [0.1, -0.2]), Quadratic(0.5),
                   Dense([[0.6, -0.9]], [0.05]), Quadratic(0.3)])
    target = Dense([[1 / math.sqrt(3)] * 3])
    F, d, D, exact = cm.bounds.mse_moment_form(net, target)
    assert (d, D, exact) == (3, 4, True)
    law = Discrete([-1.3, 0.2, 2.1], [0.3, 0.5, 0.2])
    value = float(F.xreplace({moment_symbol(k): law.moment(k) for k in range(1, 9)}))
    assert value == pytest.approx(float(mse(net, target, Cumulants.iid(law, 3, 8))), rel=1e-12)


def test_exact_irrational_target_gives_the_float_targets_range():
    """``rg.block_spin`` carries exact weights sqrt(2)/2; the extremal laws are float laws, so
    the exact re-evaluation mixes exact and float numbers (one number context: floats).
    Oracle: the same problem with the float target 1/sqrt(2)."""
    net = Network([Dense([[0.62, 0.58], [0.5, 0.55], [0.45, 0.61]]), Quadratic(0.5),
                   Dense([[0.4096, 0.36, 0.4356]], [-0.3])])
    laws = LawClass(cumulants={1: 0, 2: 1}, support=(-2, 2))
    exact = mse_range(net, cm.rg.block_spin(2, 2), laws)
    flt = mse_range(net, Dense([[1 / math.sqrt(2)] * 2]), laws)
    assert math.isclose(exact.upper_attained, flt.upper_attained, rel_tol=1e-9)
    assert math.isclose(exact.lower_attained, flt.lower_attained, rel_tol=1e-9)
