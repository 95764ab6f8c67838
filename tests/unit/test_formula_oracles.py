"""Oracles for central formulas that a plausible one-token bug would otherwise slip past.

Each test derives its expected values by a route that shares no code with the library:
Gaussian moments written out by hand (Isserlis), the moment generating function
differentiated with sympy, a numerical minimisation of an MSE expanded by hand,
and Monte Carlo replicate samples whose tolerance is the standard error of the
estimator used.  The mutation report (docs/mutation.md) names the mutants each
test kills.
"""

import itertools
import math
import random

import numpy as np
import pytest
import sympy

from cumulants import rg
from cumulants.algebra import joint_moment_from_cumulants
from cumulants.distributions import Normal
from cumulants.layers import Dense, Network, Quadratic
from cumulants.state import Cumulants


# ----------------------------------------------------------------- helpers (independent)
def gaussian_moment(k, var):
    """E[S^k] for S ~ N(0, var): 0 for odd k, var^(k/2) (k-1)!! for even k."""
    if k % 2:
        return sympy.Integer(0)
    return sympy.sympify(var) ** (k // 2) * sympy.factorial2(k - 1)


def cumulants_1_to_4(m):
    """kappa_1..kappa_4 from raw moments m[1..4] (textbook formulas, written out)."""
    m1, m2, m3, m4 = m
    k2 = m2 - m1**2
    k3 = m3 - 3 * m2 * m1 + 2 * m1**3
    k4 = m4 - 4 * m3 * m1 - 3 * m2**2 + 12 * m2 * m1**2 - 6 * m1**4
    return [sympy.expand(v) for v in (m1, k2, k3, k4)]


def moments_of_polynomial_of_gaussian(poly, var, order):
    """E[p(S)^j], j = 1..order, for S ~ N(0, var), by expanding p^j monomial by monomial."""
    s = sympy.Symbol("s")
    out = []
    for j in range(1, order + 1):
        P = sympy.Poly(sympy.expand(poly(s) ** j), s)
        out.append(sum(c * gaussian_moment(k, var) for (k,), c in P.terms()))
    return out


# -------------------------------------------------- (a) learned RG step: Gaussian bookkeeping
def test_learned_non_affine_step_on_gaussian_sites_has_higher_cumulants():
    """One learned step z + z^2 on blocks of two N(0, 1) sites: kappa_3 = 88, kappa_4 = 1152.

    Independent route: the block sum S = x_1 + x_2 is N(0, 2); the moments of
    y = S + S^2 follow from E[S^{2k}] = 2^k (2k-1)!!, and kappa_1..4 from the
    textbook moment-to-cumulant formulas.  Gives [2, 10, 88, 1152].  A step that
    kept the input's "Gaussian" flag (zero_above = 2) would report 0, 0.
    """
    expected = cumulants_1_to_4(moments_of_polynomial_of_gaussian(lambda s: s + s**2, 2, 4))
    assert expected == [2, 10, 88, 1152]
    x = Cumulants.iid(Normal(0, 1), 4, 2)           # Gaussian: zero_above = 2
    step = Network([Dense([[1, 1]]), Quadratic(1)])
    (s,) = rg.flow(x, 1, step=step, order=4)
    assert s.dim == 2 and s.order == 4
    for site in (0, 1):                             # both blocks carry the same law
        assert list(s.marginal(site)) == expected
    assert s.zero_above is None or s.zero_above >= 4
    # The two blocks share no site, so every mixed cumulant vanishes.
    for idx in [(0, 1), (0, 0, 1), (0, 1, 1), (0, 0, 1, 1), (0, 0, 0, 1)]:
        assert s[idx] == 0
    # The same step through the block-diagonal network on a correlated-layout copy.
    dense = Cumulants.gaussian([0] * 4, np.eye(4, dtype=int).tolist(), order=2)
    (t,) = rg.flow(dense, 1, step=step, order=4)
    assert [t[(0,) * n] for n in range(1, 5)] == expected and t[0, 0, 1, 1] == 0


def test_learned_affine_step_keeps_gaussian_law():
    """An affine learned step maps Gaussian sites to Gaussian sites: kappa_n = 0 for n > 2."""
    x = Cumulants.iid(Normal(0, 1), 4, 2)
    (s,) = rg.flow(x, 1, step=Network([Dense([[1, 1]], [3])]), order=4)
    # S + 3 with S ~ N(0, 2): mean 3, variance 2, nothing above.
    assert list(s.marginal(0)) == [3, 2, 0, 0]


# ------------------------------------------- (b) joint moments from cumulants: multiplicities
def test_isserlis_standard_gaussian_fourth_moment():
    """E[z^4] = 3 (three pairings) and E[z^6] = 15 for a standard Gaussian."""
    kappa = lambda idx: 1 if len(idx) == 2 else 0  # noqa: E731
    assert joint_moment_from_cumulants(kappa, (0, 0, 0, 0)) == 3
    assert joint_moment_from_cumulants(kappa, (0,) * 6) == 15
    assert joint_moment_from_cumulants(kappa, (0,) * 6, max_block=2) == 15


def test_isserlis_correlated_gaussian():
    """E[x0^2 x1^2] = S00 S11 + 2 S01^2 and E[x0^3 x1] = 3 S00 S01 (Isserlis, by hand)."""
    S = {(0, 0): 2, (0, 1): 3, (1, 1): 5}
    kappa = lambda idx: S.get(idx, 0) if len(idx) == 2 else 0  # noqa: E731
    assert joint_moment_from_cumulants(kappa, (0, 0, 1, 1)) == 2 * 5 + 2 * 9
    assert joint_moment_from_cumulants(kappa, (0, 0, 0, 1)) == 3 * 2 * 3
    assert joint_moment_from_cumulants(kappa, (1, 0, 1, 0), max_block=2) == 28


def _moments_by_mgf(kappa_table, dim, order):
    """E[x^alpha] = alpha! [t^alpha] exp(K(t)), K(t) = sum kappa_beta t^beta / beta!.

    exp(K) = sum_j K^j / j! (K has no constant term), truncated at total degree ``order``.
    Returns {alpha: moment} for every exponent vector of total degree 1..order.
    """
    t = sympy.symbols(f"t0:{dim}")
    K = sympy.Poly(0, *t)
    for idx, val in kappa_table.items():
        beta = [idx.count(i) for i in range(dim)]
        K += sympy.Poly(val * sympy.prod(t[i] ** b / sympy.factorial(b) for i, b in enumerate(beta)), *t)

    def truncate(P):
        return sympy.Poly.from_dict({m: c for m, c in P.terms() if sum(m) <= order}, *t)

    total, term = sympy.Poly(1, *t), sympy.Poly(1, *t)
    for j in range(1, order + 1):
        term = truncate(term * K) * sympy.Rational(1, j)
        total += term
    return {m: c * sympy.prod(sympy.factorial(a) for a in m) for m, c in total.terms()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_joint_moments_match_mgf_differentiation(seed):
    """Random integer joint cumulants of 2-3 variables up to order 4: moment = MGF derivative."""
    rng = random.Random(seed)
    dim, order = 2 + seed % 2, 5
    table = {idx: rng.randint(-3, 3) for n in range(1, order + 1)
             for idx in itertools.combinations_with_replacement(range(dim), n)}
    expected = _moments_by_mgf(table, dim, order)
    for n in range(1, order + 1):
        for idx in itertools.combinations_with_replacement(range(dim), n):
            alpha = tuple(idx.count(i) for i in range(dim))
            got = joint_moment_from_cumulants(lambda k: table[tuple(sorted(k))], idx)
            assert got == expected.get(alpha, 0), idx


# ----------------------------------------------- (c) exact standard error of the study's MSE
def _study_se(network, n, *, b=2, dist=None):
    from cumulants.experiments.cells import _exact_mse_se, _target_network

    dist = Normal(0, 1) if dist is None else dist
    degree = 2 if any(isinstance(layer, Quadratic) for layer in network.layers) else 1
    return _exact_mse_se(network, _target_network(b), dist, b, n, degree, {"max_prediction_order": 12})


@pytest.mark.parametrize("n", [1, 50, 1000])
def test_exact_mse_se_linear_error_textbook(n):
    """e = (1 - 1/sqrt2)(x1 + x2) ~ N(0, s2), s2 = 2 (1 - 1/sqrt2)^2; Var(e^2) = 2 s2^2 (chi-square).

    SE of the sample mean of n values of e^2 is sqrt(2 s2^2 / n).
    """
    s2 = 2 * (1 - 1 / math.sqrt(2)) ** 2
    se = _study_se(Network([Dense([[1.0, 1.0]])]), n)
    assert se == pytest.approx(math.sqrt(2 * s2**2 / n), rel=1e-9)


def test_exact_mse_se_quadratic_error_by_hand_and_monte_carlo():
    """e = c S + S^2/2 with S = x1 + x2 ~ N(0, 2), c = 1 - 1/sqrt2.

    By hand: Var(e^2) = E[e^4] - E[e^2]^2 from Gaussian moments of S.  By Monte
    Carlo: R = 4000 replicate studies of n = 25 samples each (one numpy array);
    the spread of their sample MSEs estimates the SE.  Tolerance: the standard
    error of a sample standard deviation, sqrt(Var(s^2)) / (2 s) with
    Var(s^2) = (mu_4 - sigma^4) / R estimated from the replicates, times 5.
    """
    n, R = 25, 4000
    c = 1 - 1 / math.sqrt(2)
    m = moments_of_polynomial_of_gaussian(lambda s: c * s + s**2 / 2, 2, 4)
    var_e2 = float(m[3] - m[1] ** 2)
    se = _study_se(Network([Dense([[1.0, 1.0]]), Quadratic(0.5)]), n)
    assert se == pytest.approx(math.sqrt(var_e2 / n), rel=1e-9)
    X = np.random.default_rng(12).normal(size=(R, n, 2))
    S = X.sum(axis=2)
    mse = ((c * S + S**2 / 2) ** 2).mean(axis=1)
    sd = mse.std(ddof=1)
    dev = mse - mse.mean()
    se_sd = math.sqrt(((dev**4).mean() - sd**4) / R) / (2 * sd)
    assert abs(sd - se) < 5 * se_sd, (sd, se, se_sd)


# ------------------------------------------------ (d) same-sign lower bound and its kappa_4 term
def _family_mse(w, c, *, block, alpha, v, moments):
    """Exact MSE of y = c + v sum_k phi(w_k . x) vs B^{-1/2} 1.x, expanded by hand.

    Inputs i.i.d. with raw moments ``moments[j] = E[x^j]`` (j <= 4); the
    expectation of every monomial is the product of per-coordinate moments.
    """
    xs = sympy.symbols(f"x0:{block}")
    y = c + v * sum((lin := sum(wi * xi for wi, xi in zip(wk, xs))) + alpha * lin**2 for wk in w)
    e = sympy.expand((y - sum(xs) / sympy.sqrt(block)) ** 2)
    P = sympy.Poly(e, *xs)
    return sum(coef * sympy.prod(moments[k] for k in mon) for mon, coef in P.terms())


def _minimise_same_sign(block, hidden, alpha, v, k2, k4):
    """Numerical minimum of the exact MSE over all w_k in R^B and c (several starts)."""
    from scipy.optimize import minimize

    moments = {0: 1, 1: 0, 2: k2, 3: 0, 4: 3 * k2**2 + k4}
    W = sympy.symbols(f"w0:{block * hidden}")
    c = sympy.Symbol("c")
    w = [W[k * block:(k + 1) * block] for k in range(hidden)]
    f = _family_mse(w, c, block=block, alpha=alpha, v=v, moments=moments)
    args = (*W, c)
    fn = sympy.lambdify([args], f, "math")
    grad = sympy.lambdify([args], [sympy.diff(f, a) for a in args], "math")
    rng = np.random.default_rng(0)
    best = math.inf
    for _ in range(6):
        x0 = rng.normal(scale=0.5, size=len(args))
        res = minimize(fn, x0, jac=lambda p: np.array(grad(p)), method="BFGS",
                       options={"gtol": 1e-12, "maxiter": 2000})
        best = min(best, res.fun)
    return best


@pytest.mark.parametrize("block, hidden, k2, k4, alpha, v", [
    (2, 1, 1.0, 0.0, 0.5, 1.0),      # Gaussian
    (2, 2, 1.0, 3.0, 0.5, 1.0),      # Laplace(0, 1/sqrt2): kappa_4 = 3
    (2, 1, 2.0, 12.0, 0.3, 1.0),     # Laplace with variance 2: kappa_4 = 3 * 2^2
    (3, 2, 1.0, 6.0, 0.5, 0.7),      # standardised exponential-like kappa_4 = 6 (kappa_3 = 0 here)
])
def test_same_sign_lower_bound_is_the_family_minimum(block, hidden, k2, k4, alpha, v):
    """The bound equals the numerically minimised exact MSE over the whole same-sign family.

    Tolerance 1e-7 relative: BFGS on a smooth quartic converges to gtol 1e-12,
    far below it; a wrong kappa_4 term moves the value by O(kappa_4 / B) x 10%.
    """
    from cumulants.generalisation import same_sign_lower_bound

    bound = float(same_sign_lower_bound(block, k2, k4, alpha=alpha, hidden=hidden, output_weight=v))
    assert bound == pytest.approx(_minimise_same_sign(block, hidden, alpha, v, k2, k4), rel=1e-7)


def test_same_sign_lower_bound_closed_form_by_hand_in_sympy():
    """Tied model w_k = a 1: MSE(a, c) by hand; sympy solves dMSE/da = 0 exactly.

    S = 1.x has kappa_2 = B k2, kappa_4 = B k4, so E S^2 = B k2, E S^4 = 3 B^2 k2^2 + B k4.
    With u = v h a: y - f = c + (u - B^{-1/2}) S + alpha u a S^2 ... (a enters as a^2 via v h a^2).
    """
    from cumulants.generalisation import same_sign_lower_bound

    a, c = sympy.symbols("a c", real=True)
    B, h, v, alpha = 2, 2, 1, sympy.Rational(1, 2)
    for k2, k4 in [(1, 0), (1, 3), (sympy.Rational(1, 2), 5)]:
        ES2, ES4 = B * k2, 3 * B**2 * k2**2 + B * k4
        lin = v * h * a - 1 / sympy.sqrt(B)
        quad = v * h * alpha * a**2
        # E[(c + lin S + quad S^2)^2] with E S = E S^3 = 0
        mse = c**2 + lin**2 * ES2 + quad**2 * ES4 + 2 * c * quad * ES2
        mse = mse.subs(c, sympy.solve(sympy.diff(mse, c), c)[0])
        crit = [r for r in sympy.Poly(sympy.diff(mse, a), a).nroots(n=30) if abs(sympy.im(r)) < 1e-20]
        best = min(mse.subs(a, sympy.re(r)) for r in crit)
        bound = same_sign_lower_bound(B, k2, k4, alpha=alpha, hidden=h, output_weight=v)
        assert abs(sympy.N(bound - best, 30)) < 1e-20


# ------------------------------------------- symbolic inputs: moments in the polynomial ring
def test_square_of_symbolic_input_textbook_moments():
    """x^2 and x^3 of one input with free cumulants kappa_1..kappa_6 (the ring arithmetic path).

    Expected values by hand from the textbook raw moments
    m2 = k2 + k1^2, m3 = k3 + 3 k2 k1 + k1^3,
    m4 = k4 + 4 k3 k1 + 3 k2^2 + 6 k2 k1^2 + k1^4:
    E x^2 = m2, Var x^2 = m4 - m2^2, E x^3 = m3.
    """
    from cumulants.algebra.polynomial import polynomial_cumulants

    state = Cumulants.symbolic(1, 6)
    k1, k2, k3, k4 = (state[(0,) * n] for n in range(1, 5))
    x = sympy.Symbol("x")
    m2 = k2 + k1**2
    m3 = k3 + 3 * k2 * k1 + k1**3
    m4 = k4 + 4 * k3 * k1 + 3 * k2**2 + 6 * k2 * k1**2 + k1**4
    sq = polynomial_cumulants([x**2], state, 2, symbols=[x])
    assert sympy.expand(sq[(0,)] - m2) == 0
    assert sympy.expand(sq[(0, 0)] - (m4 - m2**2)) == 0
    cube = polynomial_cumulants([x**3], state, 1, symbols=[x])
    assert sympy.expand(cube[(0,)] - m3) == 0


@pytest.mark.parametrize("kappa", [[1, 1, 2, 6], [1.0, 1.0, 2.0, 6.0]], ids=["exact", "float"])
def test_cumulants_of_products_of_independent_exponentials(kappa):
    """x0, x1 i.i.d. Exp(1) (kappa_n = (n-1)!), by hand from E x = 1, E x^2 = 2:
    Cov(x0 x1, x0) = Var(x0) E x1 = 1; Var(x0 x1) = E x0^2 E x1^2 - (E x0 E x1)^2 = 3."""
    import cumulants as cm

    s = Cumulants.iid_cumulants(kappa, 2)
    assert cm.cumulant_of_products(s, [(0, 1), (0,)]) == 1
    assert cm.cumulant_of_products(s, [(0, 1), (0, 1)]) == 3


def test_learned_step_on_blocks_that_differ_only_in_kappa_4():
    """Blocks of N(0, 1) sites and of standardised Uniform sites agree up to kappa_3 and
    differ in kappa_4 (0 vs -6/5 per site).  Block sums (step 1 . x): kappa_4 = 0 and
    2 * (-6/5) = -12/5 (independent sites add cumulants); the blocks must not share a result."""
    from cumulants.distributions import Uniform, standardise

    u = standardise(Uniform(-1, 1))
    x = Cumulants.independent([Normal(0, 1), Normal(0, 1), u, u], 4)
    (s,) = rg.flow(x, 1, step=Network([Dense([[1, 1]]), Quadratic(0)]), order=4)
    assert list(s.marginal(0)) == [0, 2, 0, 0]
    assert list(s.marginal(1)) == [0, 2, 0, sympy.Rational(-12, 5)]
