"""Laws of the RG step (hypothesis): exactness for any i.i.d. law, composition,
Gaussian fixed points, linear learned steps = exact steps, bad input catalogue."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from cumulants import rg
from cumulants.distributions import (
    Bernoulli,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    Poisson,
    Rademacher,
    Uniform,
)
from cumulants.errors import CumulantError
from cumulants.layers import Dense, Network
from cumulants.state import Cumulants

fractions = st.fractions(min_value=Fraction(-3), max_value=Fraction(3), max_denominator=4)
positive = st.fractions(min_value=Fraction(1, 4), max_value=Fraction(3), max_denominator=4)

laws = st.one_of(
    st.builds(Normal, fractions, positive),
    st.builds(lambda a, w: Uniform(a, a + w), fractions, positive),
    st.just(Rademacher()),
    st.builds(Laplace, fractions, positive),
    st.builds(Exponential, positive),
    st.builds(Gamma, positive, positive),
    st.builds(Poisson, positive),
    st.builds(Bernoulli, st.fractions(min_value=Fraction(1, 8), max_value=Fraction(7, 8), max_denominator=8)),
)


def exact_equal(a, b):
    return sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0


@given(law=laws, b=st.integers(2, 4), steps=st.integers(1, 2), order=st.integers(1, 5))
def test_block_step_is_exact_for_any_iid_law(law, b, steps, order):
    """kappa_n of a site scales by b^{1-n/2} per step, for every n (docs/formulas.md §2.1)."""
    x = Cumulants.iid(law, b**steps, order)
    last = rg.flow(x, steps, block=b)[-1]
    lam = rg.eigenvalues(order, b)
    for n in range(1, order + 1):
        assert exact_equal(last[(0,) * n], lam[n] ** steps * law.cumulant(n))


@given(law=laws, b=st.integers(2, 3), order=st.integers(2, 4))
def test_general_multilinear_path_agrees_with_iid_recursion(law, b, order):
    """The Dense (joint-tensor) route on a packed state gives the same as the recursion."""
    x = Cumulants.iid(law, 2 * b, order).to_packed()
    y = rg.block_spin(2 * b, b).propagate(x)
    lam = rg.eigenvalues(order, b)
    for n in range(1, order + 1):
        assert exact_equal(y[(1,) * n], lam[n] * law.cumulant(n))
        if n >= 2:
            assert y[(0,) * (n - 1) + (1,)] == 0


@given(law=laws, b=st.integers(2, 3), order=st.integers(1, 4),
       norm=st.sampled_from(["sqrt", "mean", "sum"]))
def test_two_steps_equal_one_step_with_squared_block(law, b, order, norm):
    x = Cumulants.iid(law, b * b, order)
    two = rg.flow(x, 2, block=b, normalisation=norm)[-1]
    one = rg.flow(x, 1, block=b * b, normalisation=norm)[-1]
    assert all(exact_equal(u, v) for u, v in zip(two.marginal(0), one.marginal(0)))


@given(seed=st.integers(0, 2**16), b=st.integers(2, 3))
def test_composition_on_correlated_states(seed, b):
    rng = np.random.default_rng(seed)
    A = rng.integers(-2, 3, size=(b * b, b * b))
    y = Dense(A).propagate(Cumulants.iid(Exponential(1), b * b, 3))
    two = rg.flow(y, 2, block=b)[-1]
    one = rg.flow(y, 1, block=b * b)[-1]
    assert all(exact_equal(u, v) for u, v in zip(two.marginal(0), one.marginal(0)))


@given(mu_sigma=st.tuples(fractions, positive), b=st.integers(2, 4), steps=st.integers(1, 2))
def test_centred_gaussians_are_fixed_points_of_sqrt_normalisation(mu_sigma, b, steps):
    _, sigma = mu_sigma
    x = Cumulants.iid(Normal(0, sigma), b**steps, 6)
    for s in rg.flow(x, steps, block=b):
        assert s.marginal(0) == x.marginal(0)
    # a non-zero mean is relevant: it grows by sqrt(b) per step
    mu = mu_sigma[0]
    last = rg.flow(Cumulants.iid(Normal(mu, sigma), b**steps, 2), steps, block=b)[-1]
    assert exact_equal(last[0], mu * sympy.sqrt(b) ** steps)


@given(sym=st.booleans(), b=st.integers(2, 3), order=st.integers(2, 5))
def test_fixed_points_are_fixed(sym, b, order):
    block = sympy.Symbol("b", positive=True) if sym else b
    (sol,) = rg.fixed_points(order, block)
    for eq in rg.recursion(order, block):
        n = int(eq.lhs.name.split("_")[1])
        k = sympy.Symbol(f"kappa_{n}", real=True)
        assert sympy.simplify(eq.rhs.subs(sol) - k.subs(sol)) == 0


@given(law=laws, b=st.integers(2, 3), order=st.integers(1, 4))
def test_linear_learned_step_equals_exact_step(law, b, order):
    step = Network([Dense([[1 / sympy.sqrt(b)] * b])])
    x = Cumulants.iid(law, b * b, order)
    exact = rg.flow(x, 2, block=b)
    learned = rg.flow(x, 2, step=step)
    for s, t in zip(exact, learned):
        assert all(exact_equal(u, v) for u, v in zip(s.marginal(0), t.marginal(0)))


BAD_CALLS = [
    ("block_spin sites", lambda: rg.block_spin(7, 2), "sites=7"),
    ("block_spin block", lambda: rg.block_spin(4, 3), "sites=4"),
    ("block_spin zero", lambda: rg.block_spin(4, 0), "block=0"),
    ("block_spin float", lambda: rg.block_spin(4, 2.0), "block=2.0"),
    ("block_spin str", lambda: rg.block_spin("4", 2), "sites='4'"),
    ("recursion order", lambda: rg.recursion(0), "order=0"),
    ("eigenvalues block", lambda: rg.eigenvalues(2, -1), "block=-1"),
    ("eigenvalues empty", lambda: rg.eigenvalues(2, ()), "block=()"),
    ("classify norm", lambda: rg.classify(2, 2, normalisation=None), "normalisation=None"),
    ("doubling", lambda: rg.doubling_eigenvalues(1.5), "n_max=1.5"),
    ("flow steps", lambda: rg.flow(Cumulants.iid(Normal(0, 1), 4, 2), 1.0, block=2), "steps=1.0"),
    ("flow order", lambda: rg.flow(Cumulants.iid(Normal(0, 1), 4, 2), 1, block=2, order=0), "order=0"),
    ("flow shape", lambda: rg.flow(Cumulants.iid(Normal(0, 1), 4, 2), 1, block=2, shape=(0, 4)), "shape=0"),
]


@pytest.mark.parametrize("name, call, fragment", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_catalogue(name, call, fragment):
    with pytest.raises(CumulantError) as info:
        call()
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
