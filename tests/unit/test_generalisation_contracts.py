"""Contracts of cumulants.generalisation that the second mutation pass found untested.

Expected values are expanded by hand from the definitions (docs/formulas.md §7).
"""

import pytest
import sympy

from cumulants.generalisation import (
    ApproximateValue,
    error_cumulants,
    mse,
    quadratic_network_form,
    sign_family,
)
from cumulants.layers import Dense, Network, Quadratic
from cumulants.state import Cumulants


def test_quadratic_form_without_an_output_bias():
    """y = sum_k v_k z_k + alpha z_k^2 with z = (x1 + x2 + 1, x1 - x2), v = (1, 1), alpha = 2:
    c0 = v1 b1 + alpha v1 b1^2 = 1 + 2 = 3 (no output bias), g = w1 + w2 + 2 alpha b1 w1 = (6, 4)."""
    net = Network([Dense([[1, 1], [1, -1]], [1, 0]), Quadratic(2), Dense([[1, 1]])])
    c0, g, M = quadratic_network_form(net)
    assert c0 == 3 and list(g) == [6, 4] and M == sympy.Matrix([[2, 0], [0, 2]])


def test_sign_family_defaults():
    """Documented defaults: alpha = 1/2, block = 2, output weight 1."""
    net, params = sign_family((1,))
    a, c = params
    c0, g, M = quadratic_network_form(net)
    # y = c + phi(a (x1 + x2)), phi(z) = z + z^2 / 2: g = (a, a), M = a^2 [[1, 1], [1, 1]]
    assert c0 == c and list(g) == [a, a] and M == a**2 * sympy.ones(2, 2)
    z = a * (sympy.Symbol("x_0") + sympy.Symbol("x_1"))
    assert sympy.expand(net.polynomial()[0] - (c + z + z**2 / 2)) == 0


def test_error_cumulants_default_order_is_two():
    s = Cumulants.gaussian([0], [[1]], order=2)
    e = error_cumulants(Dense([[2]]), Dense([[1]]), s)
    assert e.order == 2 and e[0] == 0 and e[0, 0] == 1  # e = x, x ~ N(0, 1)


def test_exact_float_mse_is_a_plain_float():
    """(0.5 x - x)^2 with x ~ N(0, 1): E = 0.25; an exact model on a float state is exact."""
    s = Cumulants.gaussian([0.0], [[1.0]], order=2)
    value = mse(Dense([[0.5]]), Dense([[1.0]]), s)
    assert type(value) is float and value == 0.25 and not isinstance(value, ApproximateValue)


def _mse_by_hand(g, M, c0, g_star, k2, k3, k4, alpha, mu):
    """E[(c0 + g.x + alpha x^T M x - g*.x)^2] for x = mu 1 + z, z_i i.i.d. centred, expanded
    in z and averaged monomial by monomial: E z^a = 1, 0, k2, k3, k4 + 3 k2^2 (a = 0..4)."""
    z = sympy.symbols("z1 z2")
    x = [mu + zi for zi in z]
    e = c0 + sum((g[i] - g_star[i]) * x[i] for i in range(2)) + alpha * sum(
        M[i][j] * x[i] * x[j] for i in range(2) for j in range(2))
    moments = {0: 1, 1: 0, 2: k2, 3: k3, 4: k4 + 3 * k2**2}
    poly = sympy.Poly(sympy.expand(e**2), *z)
    return sympy.expand(sum(c * moments[a] * moments[b] for (a, b), c in poly.terms()))


@pytest.mark.parametrize("mu", [0, 1, -1, sympy.Rational(1, 3)])
def test_constrained_mlp_error_with_a_mean(mu):
    from cumulants.generalisation import constrained_mlp_error

    k2, k3, k4 = sympy.symbols("kappa_2 kappa_3 kappa_4")
    g, M, c0, gs, alpha = [1, 2], [[1, 3], [3, -2]], 5, [2, -1], sympy.Rational(1, 2)
    got = constrained_mlp_error(g, M, c0, gs, k2, k3, k4, alpha=alpha, mu=mu)
    assert sympy.expand(got - _mse_by_hand(g, M, c0, gs, k2, k3, k4, alpha, mu)) == 0


def test_constrained_mlp_error_refuses_a_string_matrix():
    from cumulants.errors import ShapeMismatchError
    from cumulants.generalisation import constrained_mlp_error

    with pytest.raises(ShapeMismatchError, match="square matrix"):
        constrained_mlp_error([1], "ab", 0, [1], 1, 0, 0, alpha=1)


def test_a_parameter_the_loss_ignores_has_the_empty_solution():
    """Output weight 0: the loss E x^2 = 1 does not depend on a, so every a is optimal."""
    from cumulants.generalisation import optimal_parameters

    a = sympy.Symbol("a", real=True)
    family = Network([Dense([[a]]), Dense([[0]])])
    assert optimal_parameters(family, Dense([[1]]), Cumulants.gaussian([0], [[1]]), [a]) == [{}]


def test_symbols_mixed_with_floats_are_refused_cleanly():
    from cumulants.errors import InvalidParameterError

    c = sympy.Symbol("c", real=True)
    exact, floats = Cumulants.gaussian([0], [[1]]), Cumulants.gaussian([0.0], [[1.0]])
    with pytest.raises(InvalidParameterError, match="mixes symbols with float"):
        mse(Dense([[0.5]], [c]), Dense([[0.25]]), exact)
    with pytest.raises(InvalidParameterError, match="float result cannot hold"):
        mse(Dense([[1]], [c]), Dense([[1]]), floats)
    with pytest.raises(InvalidParameterError, match="an mpmath result cannot hold"):
        Dense([[1]], [c]).propagate(floats.evalf(dps=20), 2)
    # exact numbers everywhere: the error is symbolic, e = c - x / 2, E e^2 = c^2 + 1/4
    assert sympy.expand(mse(Dense([[sympy.Rational(1, 2)]], [c]), Dense([[1]]), exact)
                        - (c**2 + sympy.Rational(1, 4))) == 0


def test_inconsistent_stationarity_system_has_no_solutions():
    """x = 0 and x = 1 at once: the Groebner basis is [1]; no point, and not a
    positive-dimensional set (which would send callers to sympy.solve)."""
    from cumulants.generalisation import _stationary_points

    x, y = sympy.symbols("x y")
    assert _stationary_points([x, x - 1], [x]) == []
    assert _stationary_points([x * y - 1, x], [x, y]) == []


def test_quadratic_form_refuses_a_scaled_identity_activation():
    """Polynomial([0, 2]) is z -> 2 z, not of the form z + alpha z^2."""
    from cumulants.errors import CumulantError
    from cumulants.layers import Polynomial

    net = Network([Dense([[1]]), Polynomial([0, 2]), Dense([[1]])])
    with pytest.raises(CumulantError, match="z \\+ alpha z\\^2"):
        quadratic_network_form(net)
    c0, g, M = quadratic_network_form(Network([Dense([[1]]), Polynomial([0, 1]), Dense([[3]])]))
    assert (c0, list(g), M) == (0, [3], sympy.Matrix([[3]]))  # M = sum_k v_k w_k w_k^T (alpha = 0)


def test_sign_family_refuses_a_non_string_name():
    from cumulants.errors import CumulantError

    with pytest.raises(CumulantError, match="symbol stem"):
        sign_family((1,), name=5)
