"""The Cumulants state: constructors, access, validation, number systems."""

import itertools
import pickle

import mpmath
import numpy as np
import pytest
import sympy

import cumulants as cm
from cumulants.distributions import Exponential, Normal, Rademacher, Uniform

C = cm.Cumulants


def joint_cgf_cumulants(values, probs, order):
    """Independent oracle: joint cumulants of a discrete bivariate law from its CGF series."""
    t1, t2, eps = sympy.symbols("t1 t2 eps")
    mgf = sum(p * sympy.exp(eps * (t1 * a + t2 * b)) for (a, b), p in zip(values, probs))
    ser = sympy.series(sympy.log(mgf), eps, 0, order + 1).removeO()
    out = {}
    for n in range(1, order + 1):
        poly = sympy.Poly(sympy.expand(ser.coeff(eps, n)), t1, t2)
        for j in range(n + 1):  # j copies of index 1
            coeff = poly.coeff_monomial(t1 ** (n - j) * t2**j)
            out[(0,) * (n - j) + (1,) * j] = coeff * sympy.factorial(n - j) * sympy.factorial(j)
    return out


def test_from_moments_joint_matches_cgf():
    values = [(0, 1), (1, 0), (2, 3), (1, 1)]
    probs = [sympy.Rational(1, 4), sympy.Rational(1, 8), sympy.Rational(1, 2), sympy.Rational(1, 8)]
    order = 4
    moments = {}
    for n in range(1, order + 1):
        for key in itertools.combinations_with_replacement(range(2), n):
            moments[key] = sum(p * sympy.prod([v[i] for i in key]) for v, p in zip(values, probs))
    state = C.from_moments(moments, order, dim=2)
    oracle = joint_cgf_cumulants(values, probs, order)
    for key, want in oracle.items():
        assert sympy.simplify(state[key] - want) == 0
        for perm in set(itertools.permutations(key)):
            assert state[perm] == state[key]
    # and the moments come back
    for key, m in moments.items():
        assert sympy.simplify(state.moment(key) - m) == 0


def test_iid_and_gaussian_orders():
    g = C.gaussian([1, 2], [[2, 1], [1, 3]], order=2)
    assert g.is_gaussian and g[0, 1, 1, 1, 1, 0] == 0  # any order, exactly zero
    assert g.moment((0, 0)) == 3
    e = C.iid(Exponential(1), 3, 2)
    assert e[0, 0, 0, 0] == 6  # extends exactly from the distribution
    assert e.extend(5).order == 5 and e.extend(5)[1, 1, 1, 1, 1] == 24
    s = C.symbolic(2, 3)
    with pytest.raises(cm.InsufficientOrderError, match="order 4"):
        s[0, 0, 0, 0]
    with pytest.raises(cm.InsufficientOrderError):
        s.extend(5)


def test_access_and_views():
    c = C.from_tensors([[0.0, 1.0], [[1.0, 0.3], [0.3, 2.0]],
                        np.zeros((2, 2, 2))])
    assert c[1, 0] == c[0, 1] == 0.3
    assert isinstance(c[0, 1], float)
    np.testing.assert_allclose(c.covariance, [[1.0, 0.3], [0.3, 2.0]])
    np.testing.assert_allclose(c.mean, [0.0, 1.0])
    assert c.marginal(1) == [1.0, 2.0, 0.0]
    assert c.tensor(3).shape == (2, 2, 2)
    assert len(c.packed(3)) == 4  # multisets of size 3 from 2 indices
    assert c.truncate(2).order == 2


def test_exact_symbolic_subs_evalf_and_mpmath():
    s = C.symbolic(2, 3, iid=False)
    sub = s.subs({"kappa_{0,1}": sympy.Rational(1, 3)})
    assert sub[1, 0] == sympy.Rational(1, 3)
    num = C.iid(Exponential(3), 2, 3)
    assert num[0, 0] == sympy.Rational(1, 9)
    f = num.evalf()
    assert f.domain == "float" and f[0, 0] == pytest.approx(1 / 9, rel=1e-15)
    m = num.evalf(dps=40)
    assert m.domain == "mpmath"
    with mpmath.workdps(40):
        assert abs(m[0, 0] - mpmath.mpf(1) / 9) < mpmath.mpf(10) ** -38


def test_from_samples_matches_kstat():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    x = rng.exponential(size=(2000, 2))
    c = C.from_samples(x, 3)
    assert c.exact is False and c.method == "k-statistics"
    for n in (1, 2, 3):
        assert c[(1,) * n] == pytest.approx(scipy_stats.kstat(x[:, 1], n), rel=1e-9)


def test_immutability_and_pickle():
    c = C.iid(Rademacher(), 2, 4)
    with pytest.raises(AttributeError):
        c.dim = 3
    back = pickle.loads(pickle.dumps(c))
    assert back == c and repr(back) == repr(c)
    assert "independent" in repr(c)


def test_latex_of_state():
    tex = C.iid(Normal(0, 1), 1, 2).latex()
    assert "\\begin{align*}" in tex and "\\kappa_{2}" in tex


BAD = [
    lambda: C.gaussian([0, 0], [[1, 2], [2, 1]]),  # not PSD
    lambda: C.gaussian([0, 0], [[1, 0.5], [0.4, 1]]),  # asymmetric
    lambda: C.gaussian([0], [[1, 0], [0, 1]]),  # shape mismatch
    lambda: C.gaussian([float("nan")], [[1]]),  # NaN
    lambda: C.gaussian([0], [[-1]]),  # negative variance
    lambda: C.iid(Normal(0, 1), 0, 2),  # dim 0
    lambda: C.iid(Normal(0, 1), 2, 0),  # order 0
    lambda: C.iid(Normal(0, 1), 2, 2.5),  # non-integer order
    lambda: C.iid("normal", 2, 2),  # not a distribution
    lambda: C.univariate([]),
    lambda: C.univariate([0, -1]),  # negative variance
    lambda: C.from_tensors([[0, 0], [[1, 0]]]),  # wrong shape
    lambda: C.from_tensors([[0, 0], [[1, 0], [0, 1]], np.arange(8.0).reshape(2, 2, 2)]),  # asymmetric
    lambda: C.symbolic(2, 2)[0, 2],  # index out of range
    lambda: C.symbolic(2, 2)[0, -1],
    lambda: C.symbolic(2, 2).marginal(5),
    lambda: C.from_samples(np.zeros((3, 2, 2)), 2),
    lambda: C.from_samples(np.array([1.0, 2.0]), 4),  # too few samples
    lambda: C.from_moments({(0,): 1}, 2, dim=1),  # missing moment
]


@pytest.mark.parametrize("make", BAD)
def test_bad_input_raises_cumulant_error(make):
    with pytest.raises(cm.CumulantError):
        make()


def test_uniform_state_values():
    u = C.iid(Uniform(-1, 1), 2, 4)
    assert u.marginal(0) == [0, sympy.Rational(1, 3), 0, sympy.Rational(-2, 15)]
