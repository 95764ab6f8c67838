r"""Elementwise polynomial activations: exact at any order, for any input.

For :math:`y_i = \sum_k c_k z_i^k` the output cumulants are exact functions of
the input cumulants (docs/formulas.md §3.2): output order ``n`` needs input order
``n * degree``.  Independent inputs give independent outputs, so only the
marginal cumulants are computed then; correlated inputs go through the joint
moment route of :mod:`cumulants.algebra.polynomial`.
"""

from __future__ import annotations

import numpy as np
import sympy

from .._numbers import check_order, check_real, domain_of, to_domain
from ..errors import bad_argument
from ..state import Cumulants
from .base import Layer, ring_scalar

__all__ = ["Polynomial", "Quadratic", "Identity"]


class Polynomial(Layer):
    """Elementwise polynomial ``c0 + c1 z + c2 z^2 + ...`` (ascending coefficients).

    >>> from cumulants.state import Cumulants
    >>> z = Cumulants.gaussian([0], [[1]], order=2)
    >>> Polynomial([0, 0, 1]).propagate(z, order=5).marginal(0)    # docs/formulas.md §8 oracle 4
    [1, 2, 8, 48, 384]
    """

    def __init__(self, coeffs):
        if isinstance(coeffs, (str, bytes)):
            raise bad_argument("coeffs", coeffs, "a sequence of numbers c0, c1, ... (ascending)")
        try:
            cs = list(coeffs)
        except TypeError:
            raise bad_argument("coeffs", coeffs, "a sequence of numbers c0, c1, ... (ascending)") from None
        if not cs:
            raise bad_argument("coeffs", coeffs, "at least one coefficient")
        for i, c in enumerate(cs):
            check_real(c, f"coeffs[{i}]")
        dom = domain_of(cs)
        cs = [to_domain(c, dom) for c in cs]
        while len(cs) > 1 and cs[-1] == 0:
            cs.pop()
        self.coeffs = tuple(cs)

    @property
    def degree(self) -> int:
        """Degree of the polynomial (0 for a constant)."""
        return len(self.coeffs) - 1

    @property
    def is_polynomial(self):
        return True

    def required_order(self, order):
        return check_order(order) * max(self.degree, 1)

    def _expr(self, z):
        acc = 0
        for k, c in enumerate(self.coeffs):
            if c != 0:
                acc = acc + c * z**k if k else acc + c
        return acc

    def polynomial(self, inputs):
        out = []
        for p in inputs:
            acc, power = 0, None
            for k, c in enumerate(self.coeffs):
                power = (p if k == 1 else power * p) if k >= 1 else None
                if c == 0:
                    continue
                acc = acc + (ring_scalar(p, c) if k == 0 else power * ring_scalar(p, c))
            out.append(acc)
        return out

    def propagate(self, state, order=None):
        """Exact output cumulants up to ``order`` (needs input order ``order * degree``)."""
        from ..algebra.polynomial import polynomial_cumulants

        if not isinstance(state, Cumulants):
            raise bad_argument("state", state, "a cumulants.Cumulants instance")
        order = state.order if order is None else check_order(order)
        d = state.dim
        syms = [sympy.Symbol(f"x_{i}") for i in range(d)]
        polys = [self._expr(s) for s in syms]
        out = polynomial_cumulants(polys, state, order, symbols=syms,
                                   joint=not state.is_independent)
        return out

    def apply(self, x):
        x = np.asarray(x, dtype=float)
        acc = np.zeros_like(x)
        for c in reversed(self.coeffs):
            acc = acc * x + float(c)
        return acc

    def __repr__(self):
        return f"Polynomial({list(self.coeffs)!r})"


class Quadratic(Polynomial):
    """The activation ``z + alpha z^2`` (docs/formulas.md §3.2, §7).

    >>> Quadratic(0.5).coeffs
    (0.0, 1.0, 0.5)
    """

    def __init__(self, alpha):
        check_real(alpha, "alpha")
        self.alpha = alpha
        super().__init__([0 * alpha, 1 + 0 * alpha, alpha] if not isinstance(alpha, sympy.Basic)
                         else [sympy.Integer(0), sympy.Integer(1), alpha])

    def __repr__(self):
        return f"Quadratic(alpha={self.alpha!r})"


class Identity(Polynomial):
    """The identity activation (a no-op that keeps every cumulant).

    >>> Identity().coeffs
    (0, 1)
    """

    def __init__(self):
        super().__init__([0, 1])

    def propagate(self, state, order=None):
        if not isinstance(state, Cumulants):
            raise bad_argument("state", state, "a cumulants.Cumulants instance")
        order = state.order if order is None else check_order(order)
        return state.truncate(order) if order <= state.order else state.extend(order)

    def required_order(self, order):
        return check_order(order)

    def apply(self, x):
        return np.asarray(x, dtype=float)

    def polynomial(self, inputs):
        return list(inputs)

    def __repr__(self):
        return "Identity()"
