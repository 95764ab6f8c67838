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
