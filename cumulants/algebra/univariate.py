r"""Univariate moment <-> cumulant conversion, any order, any number system.

Raw moments :math:`\mu'_n` and cumulants :math:`\kappa_n` are related by the
complete Bell polynomials (docs/formulas.md §1.2)

.. math::

    \mu'_n = \sum_{\lambda \vdash n} N_\lambda \prod_i \kappa_{\lambda_i}, \qquad
    \kappa_n = \sum_{\lambda \vdash n} (-1)^{\ell-1}(\ell-1)!\, N_\lambda
               \prod_i \mu'_{\lambda_i},

where :math:`N_\lambda` counts the set partitions with block sizes
:math:`\lambda` and :math:`\ell` is the number of parts.  Numbers (ints,
Fractions, floats, numpy arrays, mpmath values) go through the O(n^2)
recursion :math:`\kappa_n = \mu'_n - \sum_{m<n}\binom{n-1}{m-1}\kappa_m\mu'_{n-m}`;
symbolic sequences are built directly from the integer partitions, already
expanded, with no series expansion and no ``expand()`` call.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import comb, factorial

import mpmath
import numpy as np
import sympy
from sympy.core.basic import _args_sortkey

from .._numbers import check_finite, domain_of, to_domain
from ..errors import InvalidCumulantsError, bad_argument
from .partitions import integer_partitions, partition_multiplicity

__all__ = [
    "cumulants_from_moments",
    "moments_from_cumulants",
    "cumulant_formula",
    "moment_formula",
    "kappa",
    "kappas",
    "moment_symbol",
    "moment_symbols",
]


# --------------------------------------------------------------------------- symbols
def _check_name(name):
    if not isinstance(name, str) or not name.isidentifier():
        raise bad_argument("name", name, "a symbol stem such as 'kappa' (a Python identifier)")
    return name


def kappa(n: int, name: str = "kappa"):
    """The sympy symbol :math:`\\kappa_n` (real).

    >>> kappa(3)
    kappa_3
    """
    from .._numbers import check_order

    return _kappa(check_order(n, "n"), _check_name(name))


@lru_cache(maxsize=None)
def _kappa(n, name):
    return sympy.Symbol(f"{name}_{n}", real=True)


def kappas(n: int, name: str = "kappa") -> tuple:
    """The tuple of symbols :math:`\\kappa_1, \\dots, \\kappa_n`.

    >>> kappas(3)
    (kappa_1, kappa_2, kappa_3)
    """
    from .._numbers import check_order

    n = check_order(n, "n")
    _check_name(name)
    return tuple(_kappa(i, name) for i in range(1, n + 1))


def moment_symbol(n: int, central: bool = False):
    """The symbol of the raw moment :math:`\\mu'_n` (``m_n``) or central ``mu_n``.

    >>> moment_symbol(2), moment_symbol(2, central=True)
    (m_2, mu_2)
    """
    from .._numbers import check_order

    return _moment_symbol(check_order(n, "n"), bool(central))


@lru_cache(maxsize=None)
def _moment_symbol(n, central):
    return sympy.Symbol(f"mu_{n}" if central else f"m_{n}", real=True)


def moment_symbols(n: int, central: bool = False) -> tuple:
    """Symbols ``m_1..m_n`` (raw) or ``mu_1..mu_n`` (central).

    >>> moment_symbols(2)
    (m_1, m_2)
    """
    from .._numbers import check_order

    n = check_order(n, "n")
    return tuple(_moment_symbol(i, bool(central)) for i in range(1, n + 1))


# ----------------------------------------------------------------------- coefficients
@lru_cache(maxsize=None)
def _coefficients(n: int, to_cumulants: bool) -> tuple:
    """Terms ``(coefficient, parts)`` of the order-n conversion polynomial."""
    terms = []
    for lam in integer_partitions(n):
        mult = partition_multiplicity(lam)
        if to_cumulants:
            ell = len(lam)
            mult *= (-1) ** (ell - 1) * factorial(ell - 1)
        terms.append((mult, lam))
    return tuple(terms)


def _build_polynomial(terms, values):
    """Expanded sum of ``c * prod values[p-1]`` built without re-expansion."""
    plain = all(isinstance(v, sympy.Symbol) for v in values)
    if not plain:
        dummies = sympy.symbols(f"_x1:{len(values) + 1}", cls=sympy.Dummy)
        expr = _build_polynomial(terms, dummies)
        return sympy.expand(expr.xreplace(dict(zip(dummies, values))))
    # Build each factor x_p**e once and rank all factors once in sympy's canonical
    # order, so sorting a term's factors is an integer sort.
    factor: dict = {}
    for _, lam in terms:
        for p in set(lam):
            e = lam.count(p)
            if (p, e) not in factor:
                factor[(p, e)] = values[p - 1] ** e
    ranked = sorted(factor, key=lambda pe: _args_sortkey(factor[pe]))
    rank = {pe: r for r, pe in enumerate(ranked)}
    out = []
    for c, lam in terms:
        keys = sorted({(p, lam.count(p)) for p in lam}, key=rank.__getitem__)
        factors = [factor[k] for k in keys]
        if c != 1:
            factors.insert(0, sympy.Integer(c))
        out.append(sympy.Mul._from_args(factors) if len(factors) > 1 else factors[0])
    out.sort(key=_args_sortkey)
    return sympy.Add._from_args(out) if len(out) > 1 else out[0]


def cumulant_formula(n: int, moments=None, *, central: bool = False):
    """The general order-``n`` cumulant as an expanded polynomial of moments.

    ``moments`` defaults to the symbols ``m_1..m_n`` (raw) or, with
    ``central=True``, ``mu_2..mu_n`` (the mean drops out for ``n >= 2``).

    >>> cumulant_formula(4)
    -6*m_1**4 + 12*m_1**2*m_2 - 4*m_1*m_3 - 3*m_2**2 + m_4
    >>> cumulant_formula(4, central=True)
    -3*mu_2**2 + mu_4
    """
    from .._numbers import check_order

    n = check_order(n, "n")
    _guard_formula(n)
    syms = tuple(moments) if moments is not None else moment_symbols(n, central)
    if len(syms) < n:
        raise bad_argument("moments", moments, f"at least {n} entries", InvalidCumulantsError)
    if central:
        if n == 1:
            return sympy.Integer(0)
        syms = (sympy.Integer(0),) + tuple(syms[1:])
        terms = tuple((c, lam) for c, lam in _coefficients(n, True) if 1 not in lam)
        return _build_polynomial(terms, syms)
    return _build_polynomial(_coefficients(n, True), syms)


def moment_formula(n: int, cumulants=None, *, central: bool = False):
    """The general order-``n`` raw (or central) moment as a polynomial of cumulants.

    >>> moment_formula(3)
    kappa_1**3 + 3*kappa_1*kappa_2 + kappa_3
    >>> moment_formula(4, central=True)
    3*kappa_2**2 + kappa_4
    """
    from .._numbers import check_order

    n = check_order(n, "n")
    _guard_formula(n)
    syms = tuple(cumulants) if cumulants is not None else kappas(n)
    if len(syms) < n:
        raise bad_argument("cumulants", cumulants, f"at least {n} entries", InvalidCumulantsError)
    terms = _coefficients(n, False)
    if central:
        if n == 1:
            return sympy.Integer(0)
        terms = tuple((c, lam) for c, lam in terms if 1 not in lam)
    return _build_polynomial(terms, syms)


def _guard_formula(n):
    """The general formula of order ``n`` has p(n) terms: refuse beyond MAX_FORMULA_TERMS."""
    from .._limits import MAX_FORMULA_TERMS, guard, partition_count

    guard("n", partition_count(n, MAX_FORMULA_TERMS), MAX_FORMULA_TERMS, shown=n,
          limit_name="MAX_FORMULA_TERMS (terms = integer partitions of n)",
          route="numeric values with cumulants_from_moments / moments_from_cumulants, which "
                "take O(n^2) operations at any order")


# ------------------------------------------------------------------------ conversion
def _check_moment_problem(values, kind, central, name, shown):
    """Refuse numeric moments no distribution has: the Hankel matrix must be PSD.

    For a law on the real line the matrix :math:`H_{ij} = \\mu'_{i+j}` (``i, j = 0..k``,
    :math:`\\mu'_0 = 1`) is positive semidefinite (docs/formulas.md, Hamburger); in
    particular :math:`\\mu'_2 \\ge \\mu_1'^2`.
    """
    if kind not in ("rational", "float", "mpmath") or len(values) < 2:
        return
    seq = [1.0] + [float(v) for v in values]
    if central:
        seq[1] = 0.0
    k = (len(seq) - 1) // 2
    H = np.array([[seq[i + j] for j in range(k + 1)] for i in range(k + 1)])
    if not np.all(np.isfinite(H)):
        return
    # Rescale row/column i by 1/sqrt(H_ii) so moments of very different sizes compare.
    d = np.sqrt(np.maximum(np.abs(np.diag(H)), 1e-300))
    lo = np.linalg.eigvalsh(H / np.outer(d, d)).min()
    if lo < -1e-9:
        what = "the variance m_2 - m_1^2 is negative" if seq[2] - seq[1] ** 2 < 0 else \
            "the Hankel matrix of the moments is not positive semidefinite"
        raise bad_argument(name, shown, f"moments of some distribution ({what}); check "
                           "the order of the entries (m_1, m_2, ...) and whether they are raw "
                           "or central moments (central=True)", InvalidCumulantsError)


def _normalise_sequence(seq, name):
    from .._limits import MAX_ORDER, guard
    from .._numbers import check_real

    if isinstance(seq, (str, bytes, dict, set)) or seq is None:
        raise bad_argument(name, seq, "a non-empty sequence of numbers or sympy expressions")
    if isinstance(seq, np.ndarray) and seq.dtype != object:
        if seq.ndim == 0 or seq.shape[0] == 0:
            raise bad_argument(name, seq, "a non-empty sequence (first axis = order)")
        if not (np.issubdtype(seq.dtype, np.floating) or np.issubdtype(seq.dtype, np.integer)
                or seq.dtype == bool):
            raise bad_argument(name, seq, "a real numeric array (complex and string arrays are "
                               "not supported)")
        guard(f"len({name})", seq.shape[0], MAX_ORDER, route="a shorter sequence")
        check_finite(seq, name)
        if np.issubdtype(seq.dtype, np.integer):
            # int64 overflows silently at high order: exact Python integers instead.
            return _normalise_sequence([int(v) for v in seq], name) if seq.ndim == 1 else \
                (seq.astype(object), "array")
        return seq, "array"
    try:
        values = list(seq)
    except TypeError:
        raise bad_argument(name, seq, "a non-empty sequence of numbers or sympy expressions") from None
    if not values:
        raise bad_argument(name, seq, "a non-empty sequence of numbers or sympy expressions")
    guard(f"len({name})", len(values), MAX_ORDER, route="a shorter sequence")
    for i, v in enumerate(values):
        if isinstance(v, str):
            raise bad_argument(f"{name}[{i}]", v, "a number or sympy expression, not a string")
        if isinstance(v, (list, tuple, np.ndarray)):
            raise bad_argument(f"{name}[{i}]", v, "a number or sympy expression (a flat sequence "
                               "m_1, m_2, ...; for a batch pass a numpy array whose first axis "
                               "is the order)")
        check_real(v, f"{name}[{i}]")
    dom = domain_of(values)
    if any(isinstance(v, sympy.Basic) and v.free_symbols for v in values):
        return [to_domain(v, "exact") for v in values], "symbolic"
    if dom == "exact":
        if all(isinstance(v, (int, Fraction, np.integer, sympy.Rational)) for v in values):
            return [Fraction(int(v.p), int(v.q)) if isinstance(v, sympy.Rational) else Fraction(v)
                    for v in values], "rational"
        return [to_domain(v, "exact") for v in values], "symbolic"
    if dom == "float":
        return [to_domain(v, "float") if not isinstance(v, (float, complex)) else v
                for v in values], "float"
    return [to_domain(v, "mpmath") for v in values], "mpmath"


def _to_fraction(v):
    """The exact value of a float, numpy float or mpmath number as a Fraction."""
    if isinstance(v, mpmath.mpf):
        sign, man, exp, _ = v._mpf_
        f = Fraction(int(man)) * (Fraction(2) ** exp)
        return -f if sign else f
    if isinstance(v, (int, np.integer)):
        return Fraction(int(v))
    return Fraction(float(v))


def _recursion(values, to_cumulants: bool, kind):
    """The O(n^2) recursion; floats and mpmath numbers run it in exact rationals.

    Float (and mpmath) inputs are exactly rational, so the recursion is done on their
    exact values and each result is rounded once: the error is then only what the
    inputs' own rounding implies (the conditioning of the conversion), never the
    cancellation of the recursion itself (docs/formulas.md §1.2).  Integer arrays are
    converted to Python ints first (no int64 overflow).
    """
    n = len(values)
    if kind == "array":
        arr = np.asarray(values)
        if arr.dtype.kind in "iub":
            ints = [np.vectorize(int, otypes=[object])(arr[i]) for i in range(n)]
            return _plain_recursion(ints, to_cumulants)
        if arr.dtype.kind == "f":
            fr = [np.vectorize(_to_fraction, otypes=[object])(arr[i]) for i in range(n)]
            out = _plain_recursion(fr, to_cumulants)
            return [np.vectorize(float, otypes=[float])(o) for o in out]
        values = [values[i] for i in range(n)]
    elif kind == "float":
        if all(isinstance(v, (float, np.floating, int)) for v in values):
            out = _plain_recursion([_to_fraction(v) for v in values], to_cumulants)
            return [float(v) for v in out]
    elif kind == "mpmath":
        out = _plain_recursion([_to_fraction(v) for v in values], to_cumulants)
        return [mpmath.mpf(v.numerator) / v.denominator for v in out]
    return _plain_recursion(values, to_cumulants)


def _plain_recursion(values, to_cumulants: bool):
    n = len(values)
    out = []
    for k in range(1, n + 1):
        acc = values[k - 1]
        for m in range(1, k):
            term = comb(k - 1, m - 1) * out[m - 1] * values[k - m - 1] if to_cumulants \
                else comb(k - 1, m - 1) * values[m - 1] * out[k - m - 1]
            acc = acc - term if to_cumulants else acc + term
        out.append(acc)
    return out


def _finish(out, kind):
    if kind == "rational":
        return tuple(sympy.Rational(v.numerator, v.denominator) for v in out)
    if kind == "array":
        return np.stack(out)
    return tuple(out)


def cumulants_from_moments(m, *, central: bool = False, validate: bool = False):
    r"""Cumulants :math:`\kappa_1..\kappa_n` from raw moments :math:`\mu'_1..\mu'_n`.

    ``m`` is any sequence (list, tuple, numpy array whose first axis is the
    order) of ints, Fractions, floats, mpmath numbers or sympy expressions.
    Exact inputs give exact sympy results, floats give floats, mpmath values
    keep their precision.  With ``central=True`` the input is
    ``(mean, mu_2, ..., mu_n)``: the mean followed by central moments.

    >>> cumulants_from_moments([1, 5, 13, 73])      # N(1, 4), docs/formulas.md §1.4
    (1, 4, 0, 0)
    >>> cumulants_from_moments([0.0, 1.0, 0.0, 3.0])
    (0.0, 1.0, 0.0, 0.0)
    >>> m1, m2 = sympy.symbols('m1 m2')
    >>> cumulants_from_moments([m1, m2])
    (m1, -m1**2 + m2)
    >>> cumulants_from_moments([5, 2, 0, 12], central=True)  # mean 5, mu2..mu4
    (5, 2, 0, 0)

    The conversion is a polynomial identity, valid for any sequence (formal moments).
    ``validate=True`` also checks that some distribution has these moments (the Hankel
    matrix of ``1, m_1, m_2, ...`` is positive semidefinite); :meth:`Cumulants.from_moments`
    and ``cumulants convert --values`` always check.

    >>> cumulants_from_moments([3, 1], validate=True)
    Traceback (most recent call last):
    ...
    cumulants.errors.InvalidCumulantsError: m=[3, 1] is invalid: expected moments of some distribution (the variance m_2 - m_1^2 is negative); check the order of the entries (m_1, m_2, ...) and whether they are raw or central moments (central=True)
    """
    values, kind = _normalise_sequence(m, "m")
    if not isinstance(validate, bool):
        raise bad_argument("validate", validate, "True or False")
    if validate:
        _check_moment_problem(values, kind, central, "m", m)
    if central:
        return _central_to_cumulants(values, kind)
    if kind == "symbolic":
        return tuple(cumulant_formula(k, values) for k in range(1, len(values) + 1))
    return _finish(_recursion(values, True, kind), kind)


def moments_from_cumulants(k, *, central: bool = False):
    r"""Raw moments :math:`\mu'_1..\mu'_n` from cumulants :math:`\kappa_1..\kappa_n`.

    With ``central=True`` returns ``(mean, mu_2, ..., mu_n)``: the mean
    followed by the central moments.

    >>> moments_from_cumulants([1, 4, 0, 0, 0, 0])   # N(1, 4): docs/formulas.md §1.4
    (1, 5, 13, 73, 281, 1741)
    >>> moments_from_cumulants([0, 1, 0, 0], central=True)
    (0, 1, 0, 3)
    >>> moments_from_cumulants(kappas(2))
    (kappa_1, kappa_1**2 + kappa_2)
    """
    values, kind = _normalise_sequence(k, "k")
    if central:
        return _cumulants_to_central(values, kind)
    if kind == "symbolic":
        return tuple(moment_formula(j, values) for j in range(1, len(values) + 1))
    return _finish(_recursion(values, False, kind), kind)


def _central_to_cumulants(values, kind):
    mean = values[0]
    if kind == "symbolic":
        rest = [cumulant_formula(j, values, central=True) for j in range(2, len(values) + 1)]
        return (values[0], *rest)
    shifted = [mean * 0] + list(values[1:])  # a zero of the input's type
    out = _recursion(shifted, True, kind)
    out[0] = mean
    return _finish(out, kind)


def _cumulants_to_central(values, kind):
    mean = values[0]
    if kind == "symbolic":
        rest = [moment_formula(j, values, central=True) for j in range(2, len(values) + 1)]
        return (values[0], *rest)
    shifted = [mean * 0] + list(values[1:])  # a zero of the input's type
    out = _recursion(shifted, False, kind)
    out[0] = mean
    return _finish(out, kind)
