"""Number-system bridge: exact (sympy), float (numpy) and mpmath values.

One propagation rule is written once and runs on all three number systems.  The
*domain* of a value decides how results are stored:

* ``"exact"``  -- ints, :class:`fractions.Fraction`, sympy numbers and expressions;
* ``"float"``  -- Python/numpy floats (and ints mixed with floats);
* ``"mpmath"`` -- :class:`mpmath.mpf` values, which keep their precision.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from .errors import InvalidParameterError, bad_argument

__all__ = [
    "domain_of",
    "join_domains",
    "number_context",
    "to_domain",
    "sympify_exact",
    "check_order",
    "check_real",
    "check_finite",
    "is_zero",
]

_DOMAIN_RANK = {"exact": 0, "float": 1, "mpmath": 2}


def domain_of(value) -> str:
    """Return the number domain of a scalar or (nested) sequence/array of scalars.

    >>> domain_of(3), domain_of(0.5), domain_of(sympy.Symbol('a'))
    ('exact', 'float', 'exact')
    """
    if isinstance(value, np.ndarray):
        if value.dtype != object:
            if np.issubdtype(value.dtype, np.integer) or value.dtype == bool:
                return "exact"
            return "float"
        return join_domains(domain_of(v) for v in value.ravel())
    if isinstance(value, (list, tuple)):
        return join_domains(domain_of(v) for v in value)
    if isinstance(value, sympy.MatrixBase):
        return join_domains(domain_of(v) for v in value)
    if isinstance(value, (mpmath.mpf, mpmath.mpc)):
        return "mpmath"
    if isinstance(value, (bool, int, Fraction, np.integer)):
        return "exact"
    if isinstance(value, (float, np.floating, complex, np.complexfloating)):
        return "float"
    if isinstance(value, sympy.Basic):
        if value.has(sympy.Float):
            return "float" if not value.free_symbols else "exact"
        return "exact"
    if isinstance(value, numbers.Number):
        return "float"
    return "exact"


def join_domains(domains) -> str:
    """The widest of several domains (exact < float < mpmath); exact if empty."""
    best = "exact"
    for d in domains:
        if _DOMAIN_RANK[d] > _DOMAIN_RANK[best]:
            best = d
    return best


def number_context(*domains) -> str:
    """The one number system a computation runs in, decided once at its entry point.

    ``"exact"`` when every input is exact (ints, rationals, sympy numbers and
    expressions, including irrational constants such as ``sqrt(2)/2``); ``"float"`` as
    soon as a float enters; ``"mpmath"`` as soon as an mpmath number does.  Exact
    irrational constants are then evaluated in that system (they cannot stay exact
    next to a float), so mixing exact and float inputs gives a float answer.

    >>> number_context("exact", "float"), number_context("exact"), number_context("float", "mpmath")
    ('float', 'exact', 'mpmath')
    """
    return join_domains(domains)


def sympify_exact(value, name: str = "value"):
    """Convert to a sympy object, keeping Fractions and ints exact.

    Refuses what is not a real number or a sympy expression (strings, ``None``, complex
    numbers, arbitrary objects) with :class:`InvalidParameterError`; a string is never turned
    into a symbol -- pass ``sympy.Symbol("a")`` for a symbolic parameter.

    >>> sympify_exact("a")
    Traceback (most recent call last):
    ...
    cumulants.errors.InvalidParameterError: value='a' is invalid: expected a real number or a sympy expression (a string is not turned into a symbol: pass sympy.Symbol('a'))
    """
    check_real(value, name)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (np.integer,)):
        return sympy.Integer(int(value))
    if isinstance(value, (mpmath.mpf,)):
        return sympy.Float(value, mpmath.mp.dps)
    return sympy.sympify(value)


def to_domain(value, domain: str):
    """Convert one scalar to the representation used by ``domain``."""
    if domain == "exact":
        return sympify_exact(value)
    if domain in ("float", "mpmath") and isinstance(value, sympy.Basic) and value.free_symbols:
        raise InvalidParameterError(
            f"value {value} has free symbols {sorted(map(str, value.free_symbols))}, which "
            f"{'an' if domain == 'mpmath' else 'a'} {domain} result cannot hold; substitute "
            "numbers (e.g. with .subs), or keep every number exact (ints, sympy.Rational) so "
            "that the result stays symbolic")
    if domain == "float":
        return float(value)
    if domain == "mpmath":
        if isinstance(value, sympy.Basic):
            return mpmath.mpf(sympy.N(value, mpmath.mp.dps + 5))
        if isinstance(value, Fraction):
            return mpmath.mpf(value.numerator) / value.denominator
        return mpmath.mpf(value)
    raise ValueError(f"unknown domain {domain!r}")


def check_real(value, name: str):
    """Reject what cannot be a real scalar: strings, ``None``, complex, NaN/inf, objects.

    Real numbers of every kind (int, Fraction, float, numpy, mpmath) and sympy expressions
    that are not provably non-real pass (symbols stand for real parameters).

    >>> check_real(1 + 2j, "mu")
    Traceback (most recent call last):
    ...
    cumulants.errors.InvalidParameterError: mu=(1+2j) is invalid: expected a real number (complex values are not supported)
    """
    if isinstance(value, str):
        raise bad_argument(name, value, "a real number or a sympy expression (a string is not "
                           f"turned into a symbol: pass sympy.Symbol({value!r}))")
    if value is None:
        raise bad_argument(name, value, "a real number or a sympy expression")
    if isinstance(value, (complex, np.complexfloating, mpmath.mpc)):
        raise bad_argument(name, value, "a real number (complex values are not supported)")
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, Fraction, np.integer)):
        return value
    if isinstance(value, (float, np.floating, mpmath.mpf)):
        return check_finite(value, name)
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise bad_argument(name, value, "a real number or a sympy expression")
        check_finite(value, name)
        if value.is_real is False or (value.is_number and value.has(sympy.I)
                                      and sympy.im(value).equals(0) is False):
            raise bad_argument(name, value, "a real number (complex values are not supported)")
        return value
    if isinstance(value, numbers.Real):
        return value
    raise bad_argument(name, value, "a real number or a sympy expression")


def check_order(n, name: str = "order", minimum: int = 1, maximum=None, route=None) -> int:
    """Validate a cumulant order: an integer >= ``minimum``.

    >>> check_order(3)
    3
    >>> check_order(0)
    Traceback (most recent call last):
    ...
    cumulants.errors.InvalidParameterError: order=0 is invalid: expected an integer >= 1
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        if isinstance(n, sympy.Integer):
            n = int(n)
        elif isinstance(n, float) and n.is_integer():
            raise bad_argument(name, n, f"an integer >= {minimum} (got a float; pass int({n}))")
        else:
            raise bad_argument(name, n, f"an integer >= {minimum}")
    n = int(n)
    if n < minimum:
        raise bad_argument(name, n, f"an integer >= {minimum}")
    from ._limits import MAX_DIM, MAX_DPS, MAX_ORDER, guard

    if maximum is None:
        maximum = {"dim": MAX_DIM, "hidden": MAX_DIM, "block": MAX_DIM, "index": None,
                   "n_samples": None, "dps": MAX_DPS}.get(name, MAX_ORDER)
    if maximum is not None:
        guard(name, n, maximum, route=route or (
            "a smaller dimension" if maximum is MAX_DIM else
            "a lower order (orders beyond this are never needed in practice)"))
    return n


def check_finite(value, name: str):
    """Reject NaN / infinite numeric values (symbols pass through)."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        if not np.all(np.isfinite(value)):
            raise bad_argument(name, value, "finite numbers (found NaN or inf)")
        return value
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise bad_argument(name, value, "a finite number")
    elif isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise bad_argument(name, value, "a finite number")
    elif isinstance(value, sympy.Basic):
        if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise bad_argument(name, value, "a finite value")
    return value


def is_zero(value) -> bool:
    """True when ``value`` is exactly zero (never for a non-trivial symbol)."""
    if isinstance(value, sympy.Basic):
        return value == 0
    try:
        return value == 0
    except Exception:  # pragma: no cover - exotic types
        return False
