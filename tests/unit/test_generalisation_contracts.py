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
