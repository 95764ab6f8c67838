"""Unit tests of cumulants.rg (block-spin RG, recursion, doubling map, flows) and the clt CLI.

Oracles are independent of the code under test: cumulants of block sums from the
series of the summed cumulant generating function, docs/formulas.md §8 oracles 14 and 16,
numpy einsum contractions for correlated states, exact enumeration for learned
steps on Rademacher lattices, and quadrature for the doubling map.
"""

import argparse
import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from cumulants import rg
from cumulants.algebra.univariate import kappa
from cumulants.cli_clt import add_parser, run
from cumulants.distributions import Exponential, Normal, Rademacher, Uniform
from cumulants.errors import (
    CumulantError,
    InsufficientOrderError,
    InvalidParameterError,
    MethodUnavailableError,
    ShapeMismatchError,
)
from cumulants.layers import Dense, Network, Quadratic
from cumulants.state import Cumulants

SQ2 = sympy.sqrt(2)


def cgf_cumulants_of_block_sum(dist, b, order):
    """kappa_1..kappa_order of X_1 + ... + X_b from the series of b K_X(t)."""
    t = sympy.Symbol("t")
    series = sympy.series(b * dist.cgf(t), t, 0, order + 1).removeO()
    return [sympy.factorial(n) * series.coeff(t, n) for n in range(1, order + 1)]


# --------------------------------------------------------------------------- block_spin
def test_block_spin_1d_weights_and_normalisations():
    W = block_spin_weight(6, 3, "sqrt")
    w = 1 / sympy.sqrt(3)
    assert W == [[w, w, w, 0, 0, 0], [0, 0, 0, w, w, w]]
    assert block_spin_weight(4, 2, "mean") == [[sympy.Rational(1, 2)] * 2 + [0, 0],
                                               [0, 0] + [sympy.Rational(1, 2)] * 2]
    assert block_spin_weight(4, 4, "sum") == [[1, 1, 1, 1]]


def block_spin_weight(sites, block, normalisation):
    return rg.block_spin(sites, block, normalisation=normalisation).weight.tolist()


def test_block_spin_2d_row_major():
    # 4 x 4 lattice, 2 x 2 blocks: coarse site (R, C) sums sites (2R+r, 2C+c)
    W = np.array(rg.block_spin((4, 4), (2, 2)).weight.tolist(), dtype=object)
    assert W.shape == (4, 16)
    expected = np.zeros((4, 16), dtype=int)
    for R, C, r, c in itertools.product(range(2), repeat=4):
        expected[R * 2 + C, (2 * R + r) * 4 + 2 * C + c] = 1
    assert np.array_equal((W != 0).astype(int), expected)
    assert set(W[W != 0]) == {sympy.Rational(1, 2)}
    # rectangular blocks on a rectangular lattice
    W = rg.block_spin((2, 6), (1, 3), normalisation="sum").weight
    assert W.shape == (4, 12) and W[3].tolist() == [0] * 9 + [1] * 3


@pytest.mark.parametrize("sites, block, cls, fragment", [
    (5, 2, ShapeMismatchError, "multiple of the block length 2"),
    ((4, 6), (2, 4), ShapeMismatchError, "multiple"),
    (0, 1, InvalidParameterError, "sites=0"),
    (4, 0, InvalidParameterError, "block=0"),
    (4, -2, InvalidParameterError, "block=-2"),
    (4.0, 2, InvalidParameterError, "sites=4.0"),
    (4, True, InvalidParameterError, "block=True"),
    ((4, 4, 4), 2, ShapeMismatchError, "sites=(4, 4, 4)"),
    ((4, 4), (2,), ShapeMismatchError, "block=(2,)"),
])
def test_block_spin_bad_shapes(sites, block, cls, fragment):
    with pytest.raises(cls, match=None) as info:
        rg.block_spin(sites, block)
    assert fragment in str(info.value)


def test_block_spin_bad_normalisation():
    with pytest.raises(InvalidParameterError, match="normalisation='median'"):
        rg.block_spin(4, 2, normalisation="median")


def test_block_spin_propagates_iid_exactly():
    x = Cumulants.iid(Exponential(1), 4, 5)
    y = rg.block_spin(4, 2).propagate(x)
    expected = [k / sympy.Integer(2) ** sympy.Rational(n, 2)
                for n, k in enumerate(cgf_cumulants_of_block_sum(Exponential(1), 2, 5), start=1)]
    assert [sympy.simplify(a - b) for a, b in zip(y.marginal(1), expected)] == [0] * 5
    assert y[0, 1] == 0 and y[0, 0, 1] == 0          # different blocks stay independent


# --------------------------------------------------------------------------- recursion
def test_recursion_symbolic_block():
    b = sympy.Symbol("b", positive=True)
    eqs = rg.recursion(5)
    for n, eq in enumerate(eqs, start=1):
        assert eq.lhs.name == f"kappa'_{n}"
        assert sympy.simplify(eq.rhs - b ** (1 - sympy.Rational(n, 2)) * sympy.Symbol(f"kappa_{n}", real=True)) == 0


def test_recursion_plain_symbol_block_and_2d_symbol():
    b = sympy.Symbol("b")
    assert rg.recursion(3, b)[2].rhs == b ** sympy.Rational(-1, 2) * sympy.Symbol("kappa_3", real=True)
    assert rg.eigenvalues(4, (b, b)) == {1: b, 2: 1, 3: 1 / b, 4: b**-2}


def test_eigenvalues_oracle_16_and_2d():
    expected = [2, SQ2, 1, SQ2 / 2, sympy.Rational(1, 2), SQ2 / 4]       # docs/formulas.md §8 #16
    lam = rg.eigenvalues(5, 2)
    assert [lam[n] for n in range(1, 6)] == expected[1:]
    assert rg.eigenvalues(4, (2, 2)) == rg.eigenvalues(4, 4) == {1: 2, 2: 1, 3: sympy.Rational(1, 2),
                                                                 4: sympy.Rational(1, 4)}
    assert rg.eigenvalues(3, 3, normalisation="mean") == {1: 1, 2: sympy.Rational(1, 3),
                                                          3: sympy.Rational(1, 9)}
    assert rg.eigenvalues(3, 3, normalisation="sum") == {1: 3, 2: 3, 3: 3}


def test_scaling_dimensions_and_classify():
    assert rg.scaling_dimensions(4) == {1: sympy.Rational(1, 2), 2: 0, 3: sympy.Rational(-1, 2), 4: -1}
    assert rg.classify(5, 3) == {1: "relevant", 2: "marginal", 3: "irrelevant", 4: "irrelevant",
                                 5: "irrelevant"}
    assert rg.classify(2) == {1: "relevant", 2: "marginal"}          # symbolic b > 1
    assert rg.classify(3, 1) == {1: "marginal", 2: "marginal", 3: "marginal"}
    assert rg.classify(2, 2, normalisation="sum") == {1: "relevant", 2: "relevant"}


def test_fixed_points_gaussian_line():
    (sol,) = rg.fixed_points(6, 3)
    k = [sympy.Symbol(f"kappa_{n}", real=True) for n in range(1, 7)]
    assert sol == {k[0]: 0, k[2]: 0, k[3]: 0, k[4]: 0, k[5]: 0}      # kappa_2 free
    (sol,) = rg.fixed_points(4)                                     # symbolic block
    assert sol == {k[0]: 0, k[2]: 0, k[3]: 0}
    (sol,) = rg.fixed_points(3, 2, normalisation="mean")
    assert sol == {k[1]: 0, k[2]: 0}
    # every fixed point is left unchanged by the recursion
    eqs = rg.recursion(6, 3)
    sol = rg.fixed_points(6, 3)[0]
    assert all(sympy.simplify(eq.rhs.subs(sol) - k[n].subs(sol)) == 0 for n, eq in enumerate(eqs))


@pytest.mark.parametrize("call", [
    lambda: rg.recursion(0, 2),
    lambda: rg.eigenvalues(3, 0),
    lambda: rg.eigenvalues(3, sympy.Symbol("b", negative=True)),
    lambda: rg.classify(3, (2, 0)),
    lambda: rg.scaling_dimensions(2, normalisation=0.5),
    lambda: rg.fixed_points(-1),
    lambda: rg.doubling_eigenvalues(-1),
])
def test_recursion_bad_input(call):
    with pytest.raises(CumulantError):
        call()


# --------------------------------------------------------------------------- doubling map
def test_doubling_eigenvalues_oracle_16():
    expected = [2, SQ2, 1, SQ2 / 2, sympy.Rational(1, 2), SQ2 / 4]
    for method in ("integral", "closed"):
        assert list(rg.doubling_eigenvalues(5, method=method).values()) == expected
    with pytest.raises(MethodUnavailableError):
        rg.doubling_eigenvalues(2, method="fft")


def test_gaussian_is_fixed_point_of_doubling_map_sympy():
    """T[f*](x) = sqrt2 (f* * f*)(sqrt2 x) = f*(x), by a direct sympy integral; the library's
    exact step (block 2, sqrt normalisation) is T in cumulant language, so it must map
    N(0, 1) sites to N(0, 1) sites, and its fixed-point set must contain N(0, 1)."""
    x, y = sympy.symbols("x y", real=True)
    f = sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)
    conv = sympy.integrate(f.subs(x, y) * f.subs(x, sympy.sqrt(2) * x - y), (y, -sympy.oo, sympy.oo))
    assert sympy.simplify(sympy.sqrt(2) * conv - f) == 0
    (s,) = rg.flow(Cumulants.iid(Normal(0, 1), 2, 6), 1, block=2)
    assert list(s.marginal(0)) == [0, 1, 0, 0, 0, 0]
    (fp,) = rg.fixed_points(6, 2)
    assert all(fp.get(kappa(n), 0) == 0 for n in (1, 3, 4, 5, 6)) and kappa(2) not in fp


@pytest.mark.parametrize("n", [0, 1, 2])
def test_linearised_doubling_direct_sympy_integral(n):
    """DT[He_n f*] = 2 sqrt2 (f* * He_n f*)(sqrt2 x) integrated directly, without completing squares."""
    x, y = sympy.symbols("x y", real=True)
    f = sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)
    delta = sympy.hermite_prob(n, x) * f
    conv = sympy.integrate(f.subs(x, y) * delta.subs(x, sympy.sqrt(2) * x - y), (y, -sympy.oo, sympy.oo))
    ratio = sympy.simplify(2 * sympy.sqrt(2) * conv / delta)
    assert ratio == 2 ** (1 - sympy.Rational(n, 2))      # Sethna's eigenvalue, by hand
    for method in ("integral", "closed"):                 # the library agrees with both
        assert sympy.simplify(rg.doubling_eigenvalues(n, method=method)[n] - ratio) == 0


@pytest.mark.parametrize("n", range(0, 8))
def test_linearised_doubling_by_quadrature(n):
    """The same map by mpmath quadrature at a few points (independent of sympy)."""
    phi = lambda z: mpmath.npdf(z)  # noqa: E731
    he = lambda k, z: mpmath.hermite(k, z / mpmath.sqrt(2)) * mpmath.power(2, -mpmath.mpf(k) / 2)  # noqa: E731
    with mpmath.workdps(30):
        lam = mpmath.mpf(sympy.N(rg.doubling_eigenvalues(n, method="closed")[n], 40))  # under test
        for x in (mpmath.mpf("-0.7"), mpmath.mpf("0.3"), mpmath.mpf("1.9")):
            z = mpmath.sqrt(2) * x
            conv = mpmath.quad(lambda y: phi(y) * he(n, z - y) * phi(z - y), [-mpmath.inf, 0, mpmath.inf])
            lhs = 2 * mpmath.sqrt(2) * conv
            rhs = lam * he(n, x) * phi(x)
            assert abs(lhs - rhs) < mpmath.mpf(10) ** -20


# --------------------------------------------------------------------------- flows: iid
@pytest.mark.parametrize("dist", [Rademacher(), Uniform(0, 1), Exponential(1), Exponential(3)])
@pytest.mark.parametrize("b", [2, 3])
def test_exact_flow_iid_matches_block_sum_cgf(dist, b):
    order = 6
    x = Cumulants.iid(dist, b**2, order)
    states = rg.flow(x, 2, block=b)
    assert [s.dim for s in states] == [b, 1]
    one = cgf_cumulants_of_block_sum(dist, b, order)
    two = cgf_cumulants_of_block_sum(dist, b**2, order)
    for n in range(1, order + 1):
        assert sympy.simplify(states[0][(0,) * n] - one[n - 1] / sympy.Integer(b) ** sympy.Rational(n, 2)) == 0
        assert sympy.simplify(states[1][(0,) * n] - two[n - 1] / sympy.Integer(b) ** n) == 0


def test_flow_oracle_14_normalised_exponential_sums():
    """docs/formulas.md §8 #14: kappa_2..kappa_6 of S_N for Exp(1), N = 1, 4, 16."""
    expected = {1: [1, 2, 6, 24, 120], 4: [1, 1, 1.5, 3, 7.5], 16: [1, 0.5, 0.375, 0.375, 0.46875]}
    x = Cumulants.iid(Exponential(1), 16, 6)
    states = rg.flow(x, 2, block=4, include_initial=True)
    for N, state in zip((1, 4, 16), states):
        assert [float(v) for v in state.marginal(0)[1:]] == expected[N]


def test_flow_keeps_distributions_and_extends_exactly():
    x = Cumulants.iid(Exponential(1), 4, 2)
    (s,) = rg.flow(x, 1, block=4)
    assert s.distributions is not None
    assert s.extend(5).marginal(0)[4] == sympy.Rational(24 * 4, 4 ** sympy.Rational(5, 2))


def test_gaussian_iid_is_fixed_point_and_mean_normalisation_contracts():
    x = Cumulants.iid(Normal(0, 3), 8, 5)
    for s in rg.flow(x, 3, block=2):
        assert s.marginal(0) == [0, 9, 0, 0, 0]
    x = Cumulants.iid(Exponential(1), 8, 3)
    last = rg.flow(x, 3, block=2, normalisation="mean")[-1]
    assert last.marginal(0) == [1, sympy.Rational(1, 8), sympy.Rational(2, 64)]


def test_flow_2d_iid_equals_1d_with_block_size():
    x2 = Cumulants.iid(Uniform(-1, 1), 16, 4)
    a = rg.flow(x2, 2, block=(2, 2))                    # shape inferred as 4 x 4
    b = rg.flow(Cumulants.iid(Uniform(-1, 1), 16, 4), 2, block=4)
    assert [s.marginal(0) for s in a] == [s.marginal(0) for s in b]
    c = rg.flow(Cumulants.iid(Uniform(-1, 1), 8, 4), 1, block=(2, 2), shape=(2, 4))
    assert c[0].dim == 2 and c[0].marginal(1) == b[0].marginal(0)


def test_independent_fast_path_equals_dense_propagation():
    dists = [Exponential(1), Exponential(2), Uniform(0, 1), Rademacher()] * 2
    x = Cumulants.independent(dists, 4)
    fast = rg.flow(x, 1, block=2)[0]
    slow = rg.block_spin(8, 2).propagate(x.to_packed())
    for n in range(1, 5):
        assert [sympy.simplify(a - b) for a, b in zip(fast.packed(n), slow.packed(n))] == [0] * len(slow.packed(n))


# --------------------------------------------------------------------------- flows: correlated
def block_matrix(L, b, w):
    P = np.zeros((L // b, L))
    for k in range(L // b):
        P[k, k * b:(k + 1) * b] = w
    return P


def contract(T, P):
    """kappa'_{a..} = sum P_{a i}... T_{i..} by numpy einsum (multilinearity)."""
    letters = "ijklmn"[: T.ndim]
    outs = "abcdef"[: T.ndim]
    spec = ",".join(f"{o}{i}" for o, i in zip(outs, letters)) + f",{letters}->{outs}"
    return np.einsum(spec, *([P] * T.ndim), T)


def test_correlated_gaussian_field_flow_vs_einsum():
    L = 8
    cov = np.array([[0.6 ** abs(i - j) for j in range(L)] for i in range(L)])
    mean = np.linspace(-1, 1, L)
    x = Cumulants.gaussian(mean, cov, order=3)
    s1, s2 = rg.flow(x, 2, block=2)
    P1 = block_matrix(L, 2, 2**-0.5)
    P2 = block_matrix(L // 2, 2, 2**-0.5)
    assert np.allclose(s1.tensor(2).astype(float), P1 @ cov @ P1.T)
    assert np.allclose(s2.tensor(2).astype(float), P2 @ P1 @ cov @ P1.T @ P2.T)
    assert np.allclose(s2.mean.astype(float), P2 @ P1 @ mean)
    assert s2.is_gaussian and np.allclose(s2.tensor(3).astype(float), 0)


def test_correlated_non_gaussian_flow_vs_einsum():
    rng = np.random.default_rng(3)
    A = rng.integers(-2, 3, size=(8, 8))
    x = Cumulants.iid(Exponential(1), 8, 4)
    y = Dense(A).propagate(x)                            # correlated, non-Gaussian
    s1, s2 = rg.flow(y, 2, block=2)
    P1 = block_matrix(8, 2, 2**-0.5)
    P2 = block_matrix(4, 2, 2**-0.5)
    kap = {1: 1.0, 2: 1.0, 3: 2.0, 4: 6.0}               # Exp(1)
    for n in range(1, 5):
        for P, s in ((P1 @ A, s1), (P2 @ P1 @ A, s2)):
            # kappa_n(Px) = kappa_n(Exp) sum_j P[:, j]^{(x) n}  (independent x_j)
            T = np.zeros((8,) * n)
            for j in range(8):
                T[(j,) * n] = kap[n]
            assert np.allclose(s.tensor(n).astype(float), contract(T, P)), n


def test_correlated_2d_gaussian_flow_vs_explicit_blocks():
    from cumulants.layers import grid_graph

    A = grid_graph(4, 4).astype(float)
    cov = np.eye(16) * 2 + 0.5 * A
    x = Cumulants.gaussian(np.zeros(16), cov, order=2)
    (s,) = rg.flow(x, 1, block=(2, 2))
    P = np.zeros((4, 16))
    for R in range(2):
        for C in range(2):
            for r in range(2):
                for c in range(2):
                    P[2 * R + C, (2 * R + r) * 4 + 2 * C + c] = 0.5
    assert np.allclose(s.tensor(2).astype(float), P @ cov @ P.T)


# --------------------------------------------------------------------------- learned flows
def test_learned_exact_step_reproduces_exact_flow_iid_and_correlated():
    step = Network([Dense([[1 / SQ2, 1 / SQ2]])])
    x = Cumulants.iid(Exponential(1), 8, 5)
    exact = rg.flow(x, 3, block=2)
    learned = rg.flow(x, 3, step=step)
    assert [s.marginal(0) for s in exact] == [s.marginal(0) for s in learned]
    y = Dense(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]])).propagate(
        Cumulants.iid(Exponential(1), 4, 3))
    a, b = rg.flow(y, 2, block=2), rg.flow(y, 2, step=step)
    for s, t in zip(a, b):
        for n in range(1, 4):
            assert [sympy.simplify(u - v) for u, v in zip(s.packed(n), t.packed(n))] == [0] * len(s.packed(n))


def test_learned_2d_block_step_matches_exact():
    step = Dense([[sympy.Rational(1, 2)] * 4])           # a 2 x 2 block, row-major
    cov = np.eye(16) + 0.25 * np.eye(16, k=1) + 0.25 * np.eye(16, k=-1)
    x = Cumulants.gaussian(np.arange(16) / 8, cov, order=2)
    (a,) = rg.flow(x, 1, block=(2, 2))
    (b,) = rg.flow(x, 1, step=step, shape=(4, 4))        # block inferred as (2, 2)
    (c,) = rg.flow(x, 1, step=step, block=(2, 2))        # shape inferred as 4 x 4
    assert np.allclose(c.tensor(2).astype(float), b.tensor(2).astype(float))
    (d,) = rg.flow(x, 1, step=step)                      # no shape: a chain of 4-site blocks
    assert not np.allclose(d.tensor(2).astype(float), b.tensor(2).astype(float))
    assert np.allclose(a.tensor(2).astype(float), b.tensor(2).astype(float))
    assert np.allclose(a.mean.astype(float), b.mean.astype(float))


def rademacher_enumeration_cumulants(fn, sites, order):
    """Exact cumulants of fn(x) for x uniform on {-1, 1}^sites (enumeration)."""
    from cumulants.algebra import cumulants_from_moments

    vals = [fn(c) for c in itertools.product([-1, 1], repeat=sites)]   # python ints throughout
    N = len(vals)
    moments = [sum(sympy.Rational(v) ** k for v in vals) / N for k in range(1, order + 1)]
    return list(cumulants_from_moments(moments))


def test_learned_quadratic_flow_vs_enumeration():
    alpha, v = sympy.Rational(1, 4), sympy.Rational(1, 2)
    step = Network([Dense([[1, 1]]), Quadratic(alpha), Dense([[v]])])

    def f(pair):
        s = Fraction(pair[0]) + Fraction(pair[1])
        return Fraction(v.p, v.q) * (s + Fraction(alpha.p, alpha.q) * s * s)

    x = Cumulants.iid(Rademacher(), 4, 2)
    s1, s2 = rg.flow(x, 2, step=step, order=3)
    assert s1.marginal(0) == rademacher_enumeration_cumulants(lambda c: f(c[:2]), 2, 3)
    assert s1.marginal(1) == s1.marginal(0) and s1[0, 1] == 0   # blocks stay independent
    expected = rademacher_enumeration_cumulants(lambda c: f([f(c[:2]), f(c[2:])]), 4, 3)
    assert s2.marginal(0) == expected


def test_learned_flow_on_correlated_state_uses_block_diagonal_network():
    step = Network([Dense([[1, 1]]), Quadratic(sympy.Rational(1, 2))])
    cov = [[2, 1, 0, 0], [1, 2, 1, 0], [0, 1, 2, 1], [0, 0, 1, 2]]
    x = Cumulants.gaussian([0] * 4, cov, order=2)
    (s,) = rg.flow(x, 1, step=step, order=2)
    net = rg.blockwise_network(step, (4,), (2,))
    assert net.layers[0].weight.tolist() == [[1, 1, 0, 0], [0, 0, 1, 1]]
    # y_k = S_k + S_k^2/2 with (S_0, S_1) Gaussian, zero mean, cov [[6, 1], [1, 6]]:
    # E y = var/2; Cov(S + S^2/2, T + T^2/2) = c + (1/4) 2 c^2 = c + c^2/2 (Isserlis)
    assert s.mean.tolist() == [3, 3]
    assert s.covariance.tolist() == [[6 + 18, 1 + sympy.Rational(1, 2)], [sympy.Rational(3, 2), 24]]


def test_flow_summary_rows():
    x = Cumulants.iid(Exponential(1), 8, 4)
    rows = rg.flow_summary(rg.flow(x, 3, block=2, include_initial=True), start=0)
    assert [r["step"] for r in rows] == [0, 1, 2, 3]
    for k, r in enumerate(rows):
        assert sympy.simplify(r["skewness"] - 2 / SQ2**k) == 0          # gamma_1 / sqrt(B) per step
        assert r["excess_kurtosis"] == sympy.Rational(6, 2**k)        # gamma_2 / B per step
    rows = rg.flow_summary([Cumulants.univariate([0.0, 0.0, 1.0]), Cumulants.univariate([1.0, 2.0])])
    assert rows[0]["skewness"] is None and rows[1]["excess_kurtosis"] is None
    # float path, by hand: skewness 8 / 4^1.5 = 1, excess kurtosis 48 / 4^2 = 3
    (row,) = rg.flow_summary([Cumulants.univariate([0.0, 4.0, 8.0, 48.0])])
    assert row["skewness"] == 1.0 and row["excess_kurtosis"] == 3.0
    (row,) = rg.flow_summary([Cumulants.univariate([0, 4, 8, 48])])      # exact path, kappa_2 != 1
    assert row["skewness"] == 1 and row["excess_kurtosis"] == 3
    with pytest.raises(CumulantError):
        rg.flow_summary([1, 2])


@pytest.mark.parametrize("call, cls, fragment", [
    (lambda x: rg.flow(x, 3, block=2), ShapeMismatchError, "not divisible"),
    (lambda x: rg.flow(x, 1), InvalidParameterError, "block="),
    (lambda x: rg.flow("x", 1, block=2), InvalidParameterError, "state="),
    (lambda x: rg.flow(x, -1, block=2), InvalidParameterError, "steps=-1"),
    (lambda x: rg.flow(x, 1, block=2, shape=(3, 3)), ShapeMismatchError, "shape=(3, 3)"),
    (lambda x: rg.flow(x, 1, block=(2, 2)), ShapeMismatchError, "shape="),
    (lambda x: rg.flow(x, 1, step=Dense([[1] * 5])), ShapeMismatchError, "not divisible"),
    (lambda x: rg.flow(x, 1, step=Dense([[1, 1], [1, 1]])), ShapeMismatchError, "one output"),
    (lambda x: rg.flow(x, 1, step="net"), InvalidParameterError, "step="),
    (lambda x: rg.flow(x, 1, step=Dense([[1, 1]]), block=3), ShapeMismatchError, "takes 2 inputs"),
    (lambda x: rg.flow(x, 1, block=2, normalisation="l2"), InvalidParameterError, "normalisation"),
])
def test_flow_bad_input(call, cls, fragment):
    x = Cumulants.iid(Exponential(1), 12, 2)
    with pytest.raises(cls) as info:
        call(x)
    assert fragment in str(info.value)


def test_learned_flow_needs_enough_input_order():
    step = Network([Dense([[1, 1]]), Quadratic(1)])
    x = Cumulants.symbolic(4, 3)
    with pytest.raises(InsufficientOrderError, match="order >= 8"):
        rg.flow(x, 2, step=step, order=2)
    assert rg.flow(Cumulants.symbolic(4, 8), 2, step=step, order=2)[-1].order == 2


# --------------------------------------------------------------------------- CLI
def cli(argv, capsys):
    parser = argparse.ArgumentParser(prog="cumulants")
    add_parser(parser.add_subparsers(dest="command"))
    code = run(parser.parse_args(["clt"] + argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_recursion_text(capsys):
    code, out, err = cli(["--block", "2", "--order", "4"], capsys)
    assert code == 0 and err == ""
    assert "kappa'_3 = sqrt(2)*kappa_3/2" in out and "irrelevant" in out
    assert "eigenvalue sqrt(2) = 1.41421" in out
    assert "fixed points: kappa_1 = 0, kappa_3 = 0, kappa_4 = 0" in out


def test_cli_2d_and_flow(capsys):
    code, out, _ = cli(["--block", "2", "--dim", "2", "--order", "4", "--flow", "exponential:1",
                        "--steps", "2"], capsys)
    assert code == 0
    assert "B = 4 sites per block" in out and "kappa'_3 = kappa_3/2" in out
    assert "step 2: kappa = [4, 1, 1/2, 3/8]" in out                # docs/formulas.md §8 #14, N = 16


def test_cli_latex(capsys):
    code, out, _ = cli(["--order", "4", "--latex", "--flow", "uniform:0,1", "--steps", "1"], capsys)
    assert code == 0
    assert out.count("\\begin{align*}") == out.count("\\end{align*}") >= 3
    assert "\\kappa'_{1}" in out and "(relevant)" in out and "\\gamma_2^{(1)}" in out


@pytest.mark.parametrize("argv, fragment", [
    (["--block", "0"], "--block=0"),
    (["--order", "0"], "--order=0"),
    (["--order", "99"], "--order=99"),
    (["--steps", "2"], "--steps=2"),
    (["--flow", "cauchy:1"], "cauchy"),
    (["--flow", "normal:0,-1"], "sigma"),
    (["--flow", "normal:0,1", "--steps", "0"], "--steps=0"),
    (["--flow", "normal:0,1", "--block", "1"], "--block=1"),
    (["--flow", "normal:0,1", "--steps", "40"], "fewer steps"),
])
def test_cli_errors_one_line(argv, fragment, capsys):
    code, out, err = cli(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("cumulants clt: error: ") and err.count("\n") == 1
    assert fragment in err and "Traceback" not in err


def test_learned_non_polynomial_step_is_labelled_and_matches_samples():
    nonpoly = pytest.importorskip("cumulants.layers.nonpolynomial")
    step = Network([Dense([[0.7, 0.7]]), nonpoly.Tanh(), Dense([[1.2]])])
    x = Cumulants.iid(Normal(0, 1), 4, 2)
    s1, s2 = rg.flow(x, 2, step=step)
    assert not s1.exact and not s2.exact and s1.domain == "float"
    # one step on Gaussian inputs: the closure is exact for the mean and variance
    rng = np.random.default_rng(4)
    y = 1.2 * np.tanh(0.7 * rng.normal(size=(400_000, 2)).sum(axis=1))
    c = y - y.mean()
    se_var = np.sqrt(((c**4).mean() - c.var() ** 2) / len(y))
    assert abs(y.var(ddof=1) - s1[0, 0]) < 4 * se_var
    assert abs(y.mean() - s1[0]) < 4 * y.std() / np.sqrt(len(y))


def test_learned_step_on_blocks_that_differ_only_in_the_mean():
    """Step y = S + S^2 on block sums S ~ N(mu, 2) (two N(mu/2, 1) sites):
    E y = mu + s^2 + mu^2 and Var y = s^2 + (2 s^4 + 4 mu^2 s^2) + 2 (2 mu s^2), s^2 = 2:
    mu = 0 gives (2, 10), mu = 2 gives (8, 58)."""
    from cumulants.distributions import Normal
    from cumulants.layers import Dense, Network, Quadratic

    step = Network([Dense([[1, 1]]), Quadratic(1)])
    x = Cumulants.independent([Normal(0, 1)] * 2 + [Normal(1, 1)] * 2, 4)
    (out,) = rg.flow(x, 1, step=step, order=2)
    assert out.marginal(0) == [2, 10] and out.marginal(1) == [8, 58]


def test_flow_summary_numbers_steps_from_one_and_needs_three_cumulants_for_skewness():
    x = Cumulants.iid(Exponential(1), 4, 3)
    rows = rg.flow_summary(rg.flow(x, 2, block=2))
    assert [r["step"] for r in rows] == [1, 2]
    # order 3 held: skewness 2 / sqrt(2) after one step, no kurtosis
    assert sympy.simplify(rows[0]["skewness"] - SQ2) == 0 and rows[0]["excess_kurtosis"] is None
    (row,) = rg.flow_summary([Cumulants.univariate([0, 4, 8])])
    assert row["skewness"] == 1 and row["excess_kurtosis"] is None


def test_zero_steps_and_one_cumulant():
    x = Cumulants.iid(Exponential(1), 4, 3)
    assert rg.flow(x, 0, block=2) == []
    assert rg.flow(x, 0, block=2, include_initial=True) == [x]
    (row,) = rg.flow_summary([Cumulants.univariate([1.5])])
    assert row["kappa"] == [1.5] and row["skewness"] is None and row["excess_kurtosis"] is None
