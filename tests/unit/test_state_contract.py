"""Contract checks of cumulants.state that the mutation pass found untested.

Every expected value is written out by hand (definitions of the layouts, the
Gaussian law, a symmetric tensor) rather than produced by the library.
"""

import itertools

import numpy as np
import pytest
import sympy

from cumulants.distributions import Exponential, Normal
from cumulants.errors import CumulantError, InvalidCumulantsError, ShapeMismatchError
from cumulants.state import Cumulants


def test_gaussian_states_know_they_are_gaussian():
    """Independent Normals and Cumulants.gaussian carry zero_above = 2 (all kappa_n>2 vanish)."""
    a = Cumulants.independent([Normal(0, 1), Normal(1, 2)], 4)
    b = Cumulants.gaussian([0, 1], [[2, 1], [1, 3]], order=4)
    for s in (a, b):
        assert s.is_gaussian and s.zero_above == 2
    assert not Cumulants.independent([Normal(0, 1), Exponential(1)], 4).is_gaussian


def test_from_tensors_rejects_an_asymmetric_covariance():
    with pytest.raises(InvalidCumulantsError):
        Cumulants.from_tensors([[0, 0], [[1, 2], [3, 1]]])


def test_from_tensors_accepts_symbolically_equal_mirror_entries():
    """x (y + 1) and x y + x are the same entry written two ways: the tensor is symmetric."""
    x, y = sympy.symbols("x y")
    s = Cumulants.from_tensors([[0, 0], [[1, x * (y + 1)], [x * y + x, 1]]])
    assert sympy.expand(s[0, 1] - (x * y + x)) == 0


def test_gaussian_rejects_a_covariance_with_one_negative_eigenvalue():
    """[[1, 2], [2, 1]] has eigenvalues -1 and 3: not a covariance."""
    with pytest.raises(CumulantError):
        Cumulants.gaussian([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]])


def test_float_independent_tensor_is_diagonal():
    """kappa_n tensor of independent components: kappa_n(x_i) on the diagonal, 0 elsewhere."""
    s = Cumulants.iid_cumulants([0.5, 2.0, 0.25], 2)
    for n, k in ((2, 2.0), (3, 0.25)):
        t = s.tensor(n)
        assert t.shape == (2,) * n
        for idx in itertools.product(range(2), repeat=n):
            assert t[idx] == (k if len(set(idx)) == 1 else 0.0)


def test_to_packed_keeps_every_entry():
    s = Cumulants.independent([Exponential(1), Exponential(2)], 3)
    p = s.to_packed()
    assert p.order == 3 and not p.is_independent
    for n in range(1, 4):
        for idx in itertools.combinations_with_replacement(range(2), n):
            assert p[idx] == s[idx]
    # Exp(rate): kappa_n = (n - 1)! / rate^n
    assert [p[(1,) * n] for n in (1, 2, 3)] == [sympy.Rational(1, 2), sympy.Rational(1, 4),
                                               sympy.Rational(1, 4)]


@pytest.mark.parametrize("i", [-1, 2, True])
def test_marginal_rejects_indices_outside_the_state(i):
    with pytest.raises(ShapeMismatchError):
        Cumulants.iid(Exponential(1), 2, 2).marginal(i)


def test_equality_sees_every_entry():
    """States differing in one entry (by 1, by a symbol, by 1/2) are unequal; equal ones equal."""
    t = sympy.Symbol("t")
    base = Cumulants.univariate([0, 1, 2])
    assert base == Cumulants.univariate([0, 1, 2])
    for other in ([1, 1, 2], [0, 1 + t, 2], [0, 1, sympy.Rational(5, 2)]):
        assert base != Cumulants.univariate(other)
    assert Cumulants.univariate([t * (t + 1)]) == Cumulants.univariate([t**2 + t])


def test_subs_two_argument_and_pair_list_forms():
    """subs(old, new) and subs([(old, new)]) behave like sympy's subs on every entry."""
    s = Cumulants.symbolic(1, 2)
    assert s.subs("kappa_1", 5).marginal(0)[0] == 5
    assert s.subs(sympy.Symbol("kappa_2"), 7).marginal(0)[1] == 7
    assert s.subs([("kappa_1", 1), ("kappa_2", 2)]).marginal(0) == [1, 2]


def test_float_gaussian_higher_orders_are_zero():
    """A float Gaussian of order 4: every cumulant of order 3 and 4 is 0.0 (not some fill value)."""
    s = Cumulants.gaussian([0.5, 1.0], [[1.0, 0.2], [0.2, 2.0]], order=4)
    for n in (3, 4):
        for idx in itertools.combinations_with_replacement(range(2), n):
            assert s[idx] == 0.0


# ---------------------------------------------------------------- second mutation pass
def test_mpmath_gaussian_zeros_and_moment():
    """An mpmath Gaussian N(1, 2): kappa_3 = 0 and E x^4 = mu^4 + 6 mu^2 s^2 + 3 s^4 = 25."""
    import mpmath

    s = Cumulants.gaussian([1], [[2]], order=2).evalf(dps=30)
    assert s.domain == "mpmath"
    assert s[0, 0, 0] == 0 and s[0, 0, 0, 0, 0] == 0
    assert isinstance(s[0, 0, 0], mpmath.mpf)
    assert s.moment((0, 0, 0, 0)) == 25
    assert s.moment((0, 0, 0)) == 1 + 3 * 1 * 2  # mu^3 + 3 mu s^2


def test_gaussian_of_order_one_holds_one_order():
    s = Cumulants.gaussian([3], [[4]], order=1)
    assert s.order == 1 and s.marginal(0) == [3]
    # truncation drops the covariance; the orders above 2 are still known to vanish
    assert not s.known_to(2) and s.known_to(3) and s[0, 0, 0] == 0
    from cumulants.errors import InsufficientOrderError

    with pytest.raises(InsufficientOrderError):
        s[0, 0]
    assert Cumulants.gaussian([0], [[1]]).order == 2  # the documented default


def test_from_tensors_checks_the_covariance_of_a_two_tensor_state():
    with pytest.raises(InvalidCumulantsError):
        Cumulants.from_tensors([[0], [[-1]]])
    one = Cumulants.from_tensors([[1, 2]])
    assert one.order == 1 and list(one.mean) == [1, 2]


def test_from_moments_mapping_needs_dim_and_order():
    from cumulants.errors import InvalidParameterError

    moments = {(0,): 1, (0, 0): 2}
    for kw in ({"dim": 1}, {"order": 2}):
        with pytest.raises(InvalidParameterError, match="needs dim= and order="):
            Cumulants.from_moments(moments, **kw)
    assert Cumulants.from_moments(moments, dim=1, order=2).marginal(0) == [1, 1]


def _gaussian_moment_tensors(mu, cov):
    """E x_i, E x_i x_j, E x_i x_j x_k of a Gaussian vector, written out by Isserlis."""
    d = len(mu)
    m1 = list(mu)
    m2 = [[cov[i][j] + mu[i] * mu[j] for j in range(d)] for i in range(d)]
    m3 = [[[mu[i] * mu[j] * mu[k] + mu[i] * cov[j][k] + mu[j] * cov[i][k] + mu[k] * cov[i][j]
            for k in range(d)] for j in range(d)] for i in range(d)]
    return [m1, m2, m3]


def test_from_moments_of_moment_tensors_recovers_a_gaussian():
    """Moment tensors of N(mu, cov) by Isserlis: cumulants mu, cov and kappa_3 = 0, exactly."""
    mu, cov = [1, 2], [[2, 1], [1, 3]]
    s = Cumulants.from_moments(_gaussian_moment_tensors(mu, cov))
    assert s.exact and s.domain == "exact" and s.order == 3 and s.dim == 2
    assert list(s.mean) == mu
    assert [[s[i, j] for j in range(2)] for i in range(2)] == cov
    assert all(s[idx] == 0 for idx in itertools.combinations_with_replacement(range(2), 3))
    # the same moments rounded to floats give the same numbers, labelled as not exact
    f = Cumulants.from_moments([np.asarray(t, dtype=float) for t in _gaussian_moment_tensors(mu, cov)])
    assert not f.exact and f.method == "float-moments" and f[0, 1] == 1.0


def test_scalar_moments_are_exact_only_when_given_exactly():
    assert Cumulants.from_moments([1, 5, 13]).exact
    f = Cumulants.from_moments([1.0, 5.0, 13.0])
    assert not f.exact and f.method == "float-moments" and f.marginal(0) == [1.0, 4.0, 0.0]


def test_known_to():
    s = Cumulants.from_tensors([[0.0], [[1.0]], [[[0.5]]]])
    assert [s.known_to(n) for n in (1, 3, 4)] == [True, True, False]
    assert Cumulants.gaussian([0], [[1]], order=2).known_to(9)
    assert Cumulants.iid(Exponential(1), 1, 2).known_to(9)


def test_float_tensor_is_a_float_array():
    t = Cumulants.iid(Normal(0, 1), 2, 3).evalf().tensor(2)
    assert t.dtype == np.float64 and t.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_subs_refuses_malformed_pair_lists_and_ignores_unknown_symbols():
    from cumulants.errors import InvalidParameterError

    s = Cumulants.symbolic(1, 2)
    for bad in ([("kappa_1",)], [1, 2]):
        with pytest.raises(InvalidParameterError, match="pairs"):
            s.subs(bad)
    assert s.subs({sympy.Symbol("zeta"): 1}) == s
    # a user's plain Symbol('kappa_1') (no real=True) still means the state's kappa_1
    assert s.subs({sympy.Symbol("kappa_1"): 4}).marginal(0)[0] == 4


def test_subs_keeps_the_domain_of_a_float_state():
    g = Cumulants.gaussian([0.5], [[1.0]], order=3)
    out = g.subs({"x": 1})
    assert out.domain == "float" and out.marginal(0) == [0.5, 1.0, 0.0]


def test_map_entries_without_a_domain_keeps_the_states_domain():
    s = Cumulants.univariate([1, 2, 3]).map_entries(lambda v: 2 * v)
    assert s.domain == "exact" and s.marginal(0) == [2, 4, 6]
    f = Cumulants.univariate([1.0, 2.0]).map_entries(lambda v: v + 1)
    assert f.domain == "float" and f.marginal(0) == [2.0, 3.0]


def test_truncating_keeps_the_error_estimates_of_the_kept_orders():
    s = Cumulants.univariate([0, 1, 0, 2]).replace(error=(0.1, 0.2, 0.3, 0.4))
    assert s.truncate(2).error == (0.1, 0.2)


def test_moment_refuses_strings_with_a_message_naming_the_indices():
    s = Cumulants.univariate([0, 1])
    for bad in ("ab", None):
        with pytest.raises(ShapeMismatchError, match="tuple of component indices"):
            s.moment(bad)


def test_packed_table_guard_reports_the_exact_entry_count():
    """dim = 60, order = 10: sum_n C(59 + n, n) entries, counted here one order at a time."""
    from math import comb

    from cumulants.errors import OrderTooHighError

    expected = sum(comb(59 + n, n) for n in range(1, 11))
    with pytest.raises(OrderTooHighError, match=f"={expected} exceeds"):
        Cumulants.gaussian(np.zeros(60), np.eye(60), order=10)


def test_float_covariance_tolerance_scales_with_the_matrix():
    """A rank-one float covariance v v^T with |v| ~ 1e4: rounding puts its smallest eigenvalue
    slightly below zero (about -1e-9 here, against a largest of 4.5e7); it is still accepted."""
    v = np.random.default_rng(0).normal(size=4) * 1e4
    cov = np.outer(v, v)
    eig = np.linalg.eigvalsh(cov)
    assert eig[0] < 0 and abs(eig[0]) < 1e-10 * eig[-1]  # the premise of the test
    assert Cumulants.gaussian(np.zeros(4), cov).dim == 4


def test_dense_tensor_guard_counts_dim_to_the_n():
    from cumulants.errors import OrderTooHighError

    s = Cumulants.iid(Normal(0, 1), 100, 4)
    with pytest.raises(OrderTooHighError, match="=100000000 exceeds"):
        s.tensor(4)
    assert s.tensor(3).shape == (100, 100, 100)


def test_subs_refuses_a_bare_value():
    from cumulants.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="dict"):
        Cumulants.symbolic(1, 2).subs(5)


def test_marginal_names_its_own_argument_when_refusing_an_index():
    with pytest.raises(ShapeMismatchError, match=r"\bi=-1"):
        Cumulants.univariate([0, 1]).marginal(-1)


def test_variance_checks():
    """A symbol declared negative is refused as a variance; a zero variance (a constant) is not."""
    neg = -sympy.Symbol("s", positive=True)
    with pytest.raises(InvalidCumulantsError):
        Cumulants.univariate([0, neg])
    assert Cumulants.univariate([1, 0]).marginal(0) == [1, 0]
    assert Cumulants.univariate([1.0, 0.0]).marginal(0) == [1.0, 0.0]


def test_constructor_refuses_unknown_domains_and_layouts():
    from cumulants.errors import InvalidParameterError

    for domain, layout in (("bogus", "packed"), ("exact", "bogus")):
        with pytest.raises(InvalidParameterError, match="build states with"):
            Cumulants(1, 1, domain, layout, [[0]])
    with pytest.raises(InvalidCumulantsError, match="one per order"):
        Cumulants(1, 2, "exact", "packed", [[0]])
    with pytest.raises(InvalidCumulantsError, match="holds 3"):
        Cumulants(2, 2, "exact", "packed", [[0, 0], [1, 0]])


def test_from_tensors_names_the_asymmetric_tensor():
    with pytest.raises(InvalidCumulantsError, match="under index permutations"):
        Cumulants.from_tensors([[0, 0], [[1, 0.5], [0.2, 1]]])


def test_from_moments_refuses_a_string():
    with pytest.raises(InvalidCumulantsError, match="sequence of raw moments"):
        Cumulants.from_moments("abc")


def test_moment_with_a_cumulant_equal_to_minus_one():
    """E x^2 = kappa_2 + kappa_1^2 = 1 + 1 = 2 and E x^3 = k3 + 3 k2 k1 + k1^3 = 0 - 3 - 1 = -4."""
    s = Cumulants.univariate([-1, 1, 0])
    assert s.moment((0, 0)) == 2 and s.moment((0, 0, 0)) == -4
    f = Cumulants.univariate([-1.0, 1.0, 0.0])
    assert f.moment((0, 0)) == 2.0 and f.moment((0, 0, 0)) == -4.0


def test_exact_covariances_are_checked_exactly():
    """[[1, 1], [1, 1 - 1e-20]] has determinant -1e-20 < 0: not PSD, although a float
    eigenvalue solver sees only a rounding-size negative eigenvalue."""
    cov = [[1, 1], [1, 1 - sympy.Rational(1, 10**20)]]
    with pytest.raises(InvalidCumulantsError, match="positive semidefinite"):
        Cumulants.gaussian([0, 0], cov)
    assert Cumulants.gaussian([0, 0], [[1, 1], [1, 1]]).dim == 2  # singular but PSD


def test_float_storage_refuses_symbols_with_the_reason():
    from cumulants.errors import InvalidParameterError

    c = sympy.Symbol("c")
    with pytest.raises(InvalidParameterError, match="float result cannot hold"):
        Cumulants.univariate([1.0, 2.0]).map_entries(lambda v: v * c, "float")
    s = Cumulants.univariate([1.0, 2.0]).map_entries(lambda v: sympy.Rational(1, 3) * v, "float")
    assert s.marginal(0) == [1 / 3, 2 / 3]


def test_map_entries_follows_the_values_into_another_domain():
    s = Cumulants.univariate([1, 2]).map_entries(lambda v: v * 0.5)
    assert s.domain == "float" and s.marginal(0) == [0.5, 1.0]


def test_from_moments_of_a_single_mean_vector():
    s = Cumulants.from_moments([[1, 2]])
    assert s.order == 1 and s.dim == 2 and list(s.mean) == [1, 2]
