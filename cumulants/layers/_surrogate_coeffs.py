"""Coefficients of the polynomial surrogates of a non-polynomial activation.

The Taylor surrogate about the pre-activation mean, ``sum_k f^(k)(m)/k! (z - m)^k``,
and the Hermite surrogate under ``N(m, var)`` (:mod:`cumulants.layers.hermite`), both
as monomial coefficients in the number system of the state (exact, float or mpmath);
:class:`cumulants.layers.nonpolynomial.Activation` propagates them exactly.
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import mpmath
import sympy

from .._numbers import to_domain
from ..errors import MethodUnavailableError


def _has_symbols(values):
    return any(isinstance(v, sympy.Basic) and v.free_symbols for v in values)


def _shift_coeffs(a, m, dom):
    """Monomial coefficients of ``sum_k a_k (z - m)^k``."""
    n = len(a)
    out = []
    for j in range(n):
        acc = {"float": 0.0, "mpmath": mpmath.mpf(0)}.get(dom, sympy.S.Zero)
        for k in range(j, n):
            if a[k] != 0:
                acc = acc + a[k] * comb(k, j) * (-m) ** (k - j)
        out.append(sympy.expand(acc) if dom == "exact" else acc)
    return out


@lru_cache(maxsize=64)
def _taylor_terms(act, degree):
    """``f^(k)(x)/k!`` for ``k = 0..degree`` as sympy expressions in a dummy ``x``."""
    x = sympy.Dummy("x", real=True)
    try:
        f = sympy.sympify(act.sympy_fn(x))
    except Exception as exc:  # a user callable that does not accept sympy input
        raise MethodUnavailableError(
            f"method='taylor' needs a sympy form of {act.name!r} (pass sympy_fn= to "
            f"Activation.from_function); calling it on a symbol failed: {exc}") from None
    terms, d = [], f
    for k in range(degree + 1):
        terms.append(d / sympy.factorial(k))
        d = sympy.diff(d, x)
    return x, tuple(terms)


def _taylor_value(expr, x, m, dom, name):
    v = expr.subs(x, m)
    if v.has(sympy.DiracDelta) or v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise MethodUnavailableError(
            f"the Taylor expansion of {name!r} about {m} does not exist (the activation is not "
            "smooth there); use method='hermite' or method='gaussian'")
    if dom == "float":
        try:
            return float(sympy.N(v, 17))
        except TypeError:
            raise MethodUnavailableError(
                f"the Taylor coefficient {v} of {name!r} is not a number; use "
                "method='hermite'") from None
    if dom == "mpmath":
        return to_domain(v, "mpmath")
    if dom == "mpmath_hi":  # 40 digits, for exact rational rounding
        with mpmath.workdps(40):
            return mpmath.mpf(sympy.N(v, 45))
    return sympy.simplify(v) if v.free_symbols else v


def _hermite_coeffs(act, m, var, degree, backend, dps):
    r"""Monomial coefficients of the Hermite surrogate of ``f`` under ``N(m, var)``.

    :func:`cumulants.layers.hermite.hermite_surrogate`: ``c_n = E[f(m + s U) He_n(U)]/n!``
    (closed forms where they exist, quadrature otherwise) and ``sum_n c_n He_n((z - m)/s)``
    expanded in powers of ``z``, in the number system of ``backend``.
    """
    from .hermite import hermite_surrogate

    kw = {"dps": dps} if backend == "mpmath" and dps is not None else {}
    if backend == "float":
        m, var = to_domain(m, "float"), to_domain(var, "float")
    try:
        return list(hermite_surrogate(act, degree, m, var, backend=backend, **kw))
    except MethodUnavailableError:
        if backend != "sympy" or not _has_symbols([m, var]):
            raise
        raise MethodUnavailableError(
            f"no exact Hermite surrogate of {act.name!r} for symbolic means and variances; "
            "substitute numbers (state.subs) or use method='taylor'") from None
