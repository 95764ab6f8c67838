"""Univariate k-statistics of any order, and the shared combinatorics and input checks."""

from __future__ import annotations

import functools
import math
from collections import Counter
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from .._numbers import check_finite, check_order, to_domain
from ..algebra.partitions import integer_partitions, set_partitions
from ..errors import (
    ShapeMismatchError,
    bad_argument,
)


#: Highest order whose sampling variance is derived symbolically (needs kappa_1..kappa_20).
__all__ = ["k_statistics", "k_statistic_formula", "MAX_VARIANCE_ORDER", "AUTO_PLUGIN_ORDER"]

MAX_VARIANCE_ORDER = 10
#: Highest order given a plug-in standard error by ``method="auto"``.
AUTO_PLUGIN_ORDER = 4
#: Elements per bootstrap batch (replicates x samples), bounding memory.
_BATCH_ELEMENTS = 1 << 22


# --------------------------------------------------------------------------- combinatorics


# Integer and set partitions come from the shared algebra module.
_partitions = integer_partitions
_set_partitions = set_partitions


@functools.lru_cache(maxsize=None)
def _stirling2_row(b):
    """Stirling numbers of the second kind S(b, j), j = 0..b."""
    row = (1,)
    for m in range(1, b + 1):
        row = tuple(
            (j * row[j] if j < len(row) else 0) + (row[j - 1] if j >= 1 else 0)
            for j in range(m + 1)
        )
    return row


def _shape_count(shape):
    """Number of set partitions whose block sizes are ``shape``."""
    count = math.factorial(sum(shape))
    for b in shape:
        count //= math.factorial(b)
    for m in Counter(shape).values():
        count //= math.factorial(m)
    return count


@functools.lru_cache(maxsize=None)
def _shape_weights(shape):
    r"""Integer weights ``w_K`` of the power-sum coefficient of one set partition.

    A set partition :math:`\tau` with block sizes ``shape`` enters :math:`k_r` as
    :math:`c(\tau)\prod_{C\in\tau} S_{|C|}` with
    :math:`c(\tau)=\sum_{\pi\le\tau}(-1)^{|\pi|-1}(|\pi|-1)!\,\mu(\pi,\tau)/n_{(|\pi|)}`.
    Splitting a block of size ``b`` into ``j`` parts happens in ``S(b, j)`` ways
    with Möbius factor ``(-1)^{j-1}(j-1)!``; a product of one polynomial per block
    collects the terms by :math:`K=|\pi|`, and :math:`c=\sum_K w_K/n_{(K)}`.
    """
    poly = [1]
    for b in shape:
        row = _stirling2_row(b)
        factor = [0] + [row[j] * (-1) ** (j - 1) * math.factorial(j - 1) for j in range(1, b + 1)]
        new = [0] * (len(poly) + len(factor) - 1)
        for i, p in enumerate(poly):
            if p:
                for j, f in enumerate(factor):
                    new[i + j] += p * f
        poly = new
    return tuple(
        (K, g * (-1) ** (K - 1) * math.factorial(K - 1)) for K, g in enumerate(poly) if K and g
    )


@functools.lru_cache(maxsize=None)
def _kstat_plan(order):
    """``((rho, ((K, weight), ...)), ...)``: k_order = sum_rho sum_K weight/n_(K) prod S_rho."""
    return tuple(
        (rho, tuple((K, _shape_count(rho) * w) for K, w in _shape_weights(rho)))
        for rho in _partitions(order)
    )


@functools.lru_cache(maxsize=1024)
def _shape_coefficient(shape, n):
    """Exact coefficient of ``prod_C m_{|C|}`` (``m_q = S_q/n``) for one set partition."""
    c = sum(Fraction(w, math.perm(n, K)) for K, w in _shape_weights(shape))
    return c * n ** len(shape)


@functools.lru_cache(maxsize=512)
def _kstat_coefficients(order, n):
    """``((rho, a_rho), ...)`` with ``k_order = sum a_rho prod_j m_{rho_j}`` (Fractions)."""
    out = []
    for rho in _partitions(order):
        a = _shape_count(rho) * _shape_coefficient(rho, n)
        if a:
            out.append((rho, a))
    return tuple(out)


def _combine(means, order, n, convert):
    """``[k_2, ..., k_order]`` from the sample power means ``means[q] = S_q / n``."""
    products = {}

    def product(rho):
        value = products.get(rho)
        if value is None:
            value = means[rho[0]] if len(rho) == 1 else product(rho[:-1]) * means[rho[-1]]
            products[rho] = value
        return value

    ks = []
    for r in range(2, order + 1):
        total = 0
        for rho, a in _kstat_coefficients(r, n):
            total = total + convert(a) * product(rho)
        ks.append(total)
    return ks


def k_statistic_formula(order, n=None):
    r"""The k-statistic :math:`k_r` as a sympy expression in power sums :math:`S_q`.

    .. math::

        k_r = \sum_{\rho \vdash r} \Bigl(\#\rho \sum_K \frac{w_{\rho,K}}{n_{(K)}}\Bigr)
              \prod_j S_{\rho_j},

    summed over the integer partitions :math:`\rho` of :math:`r`, where
    :math:`\#\rho` counts the set partitions of block sizes :math:`\rho`.  The
    symbols are ``S_1..S_r`` and ``n`` (pass ``n`` to substitute a sample size).

    Examples
    --------
    >>> k_statistic_formula(2)
    (-S_1**2 + S_2*n)/(n*(n - 1))
    >>> k_statistic_formula(3, n=5)
    S_1**3/30 - S_1*S_2/4 + 5*S_3/12

    References: Fisher (1930), eqs. for k_1..k_4; McCullagh (1987), §4.2.
    """
    order = check_order(order)
    if n is None:
        n = sympy.Symbol("n")
    elif not isinstance(n, sympy.Basic):
        n = sympy.Integer(check_order(n, "n", minimum=order, maximum=10**18))
    S = [None] + [sympy.Symbol(f"S_{q}") for q in range(1, order + 1)]

    def falling(K):
        return sympy.Mul(*[n - i for i in range(K)])

    expr = sympy.Add(
        *[
            sympy.Add(*[sympy.Integer(w) / falling(K) for K, w in weights])
            * sympy.Mul(*[S[q] for q in rho])
            for rho, weights in _kstat_plan(order)
        ]
    )
    if n.free_symbols:
        return sympy.factor(sympy.together(expr))
    return sympy.expand(expr)


# --------------------------------------------------------------------------- input checks


def _scalar_kind(value):
    if isinstance(value, (bool, np.bool_, int, np.integer, Fraction)):
        return "fraction"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, mpmath.mpf):
        return "mpmath"
    if isinstance(value, sympy.Basic):
        return "fraction" if isinstance(value, sympy.Rational) else "sympy"
    return None


def as_samples(x, name="X"):
    """Validated samples as a float array (any shape); refuses ``None``, strings, complex,
    NaN/inf and empty input with a :class:`CumulantError`."""
    arr, kind = _as_sample(x, name)
    if arr.size == 0:
        raise bad_argument(f"{name}.shape", arr.shape, "at least one sample",
                           cls=ShapeMismatchError)
    arr = arr.astype(np.float64) if kind != "float" else arr
    if not np.all(np.isfinite(arr)):
        _raise_nonfinite(arr, name)
    return arr


def _as_sample(x, name):
    """``(array, kind)``: a float ndarray (kind ``"float"``) or an object ndarray."""
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise bad_argument(name, x, "an array of real numbers (samples)")
    if isinstance(x, np.ndarray) and x.dtype != object:
        arr, from_numpy = x, True
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:
            raise ShapeMismatchError(
                f"{name} is not a rectangular array of numbers ({exc}); pass equal-length rows"
            ) from None
        from_numpy = False
    kind_char = arr.dtype.kind
    if kind_char == "f":
        return arr.astype(np.float64, copy=False), "float"
    if kind_char in "iub":
        if from_numpy:
            return arr.astype(np.float64), "float"
        return np.vectorize(_to_fraction, otypes=[object])(arr.astype(object)), "fraction"
    if kind_char == "c":
        raise bad_argument(name, x, "real numbers (complex samples have no k-statistics here)")
    if kind_char != "O":
        raise bad_argument(name, x, "an array of real numbers")
    kinds = set()
    for value in arr.ravel():
        kind = _scalar_kind(value)
        if kind is None:
            raise bad_argument(f"element of {name}", value, "a real number (int, float, Fraction, "
                               "sympy or mpmath value)")
        kinds.add(kind)
    for kind in ("mpmath", "sympy", "float"):
        if kind in kinds:
            break
    else:
        kind = "fraction"
    if kind == "float":
        return arr.astype(np.float64), "float"
    for value in arr.ravel():
        check_finite(value, f"element of {name}")
    if kind == "fraction":
        arr = np.vectorize(_to_fraction, otypes=[object])(arr) if arr.size else arr
    elif kind == "mpmath":
        arr = np.vectorize(lambda v: to_domain(v, "mpmath"), otypes=[object])(arr)
    else:
        arr = np.vectorize(sympy.sympify, otypes=[object])(arr)
    return arr, kind


def _to_fraction(value):
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    return Fraction(int(value)) if not isinstance(value, Fraction) else value


def _check_length(n, order, name):
    if n < order:
        why = f" (k_{order} divides by n(n-1)...(n-{order - 1}))" if order > 1 else ""
        raise bad_argument(f"len({name})", n, f"at least order={order} samples{why}; "
                           "pass more data or lower the order")


def _raise_nonfinite(x, name):
    bad = np.argwhere(~np.isfinite(x))
    if len(bad):
        where = tuple(int(i) for i in bad[0])
        where = where[0] if len(where) == 1 else where
        raise bad_argument(f"{name}[{where}]", float(x[tuple(bad[0])]),
                           "finite numbers (drop or impute NaN and inf before estimating)")
    raise bad_argument(name, x, "values whose power sums fit in float64; rescale x, "
                       "since k_r(a*x) = a**r * k_r(x)")


_CONVERT = {
    "float": float,
    "fraction": lambda a: a,
    "sympy": lambda a: sympy.Rational(a.numerator, a.denominator),
    "mpmath": lambda a: mpmath.mpf(a.numerator) / a.denominator,
}


# --------------------------------------------------------------------------- univariate


def _float_kstats(x, order, name="x"):
    """k_1..k_order along axis 0 of a float array (1-D, or 2-D column-wise)."""
    n = x.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(x, axis=0)
        if not np.all(np.isfinite(total)):
            _raise_nonfinite(x, name)
        mean = total / n
        centred = x - mean
        means = [None, np.add.reduce(centred, axis=0) / n]
        if order >= 2:
            power = np.multiply(centred, centred)
            means.append(np.add.reduce(power, axis=0) / n)
            for _ in range(3, order + 1):
                np.multiply(power, centred, out=power)
                means.append(np.add.reduce(power, axis=0) / n)
    if not all(np.all(np.isfinite(m)) for m in means[1:]):
        _raise_nonfinite(x, name)
    if x.ndim == 1:
        means = [None] + [float(m) for m in means[1:]]
        mean = float(mean)
    return np.array([mean + means[1]] + _combine(means, order, n, float), dtype=np.float64)


def _exact_kstats(values, order, kind):
    """k_1..k_order of a 1-D object array of Fractions, sympy or mpmath values."""
    n = len(values)
    convert = _CONVERT[kind]
    values = list(values)
    shift = 0
    if kind == "mpmath":
        shift = mpmath.fsum(values) / n
        values = [v - shift for v in values]
    scale = 1
    if kind == "fraction":
        # Power sums over a common denominator run on Python ints, exactly and fast.
        scale = math.lcm(*(v.denominator for v in values))
        values = [v.numerator * (scale // v.denominator) for v in values]
    means = [None]
    power = values
    for q in range(1, order + 1):
        if q > 1:
            power = [p * v for p, v in zip(power, values)]
        total = sum(power[1:], power[0])
        means.append(Fraction(total, n * scale ** q) if kind == "fraction" else total / n)
    ks = [shift + means[1]] + _combine(means, order, n, convert)
    if kind == "fraction":
        return tuple(sympy.Rational(k.numerator, k.denominator) for k in ks)
    if kind == "sympy":
        return tuple(sympy.expand(k) for k in ks)
    return tuple(ks)


def k_statistics(x, order, *, axis=None):
    r"""The unbiased k-statistics :math:`k_1..k_r` of a sample, for any order :math:`r`.

    .. math::

        k_r = \sum_{\pi} (-1)^{|\pi|-1}(|\pi|-1)!\; U(\pi),\qquad
        \mathbb{E}\,k_r = \kappa_r ,

    where :math:`U(\pi)` is the unbiased estimator of
    :math:`\prod_{B\in\pi}\mu'_{|B|}` (see the module docstring).  Float data are
    centred first; :math:`k_1` is the mean, :math:`k_r` (:math:`r\ge2`) are
    computed from central power sums.  A sample of size :math:`n` has
    k-statistics up to order :math:`n`.

    Parameters
    ----------
    x : array_like
        A 1-D sample.  With ``axis=0`` a 2-D array holds one sample per column.
        numpy arrays are computed in float64; Python lists of ints or Fractions,
        and object arrays, are computed exactly (sympy results); sympy symbols
        give expressions; mpmath values keep their precision.
    order : int
        Highest order ``r >= 1``.
    axis : None or 0
        ``0`` computes column-wise k-statistics of a 2-D array.

    Returns
    -------
    numpy.ndarray of shape ``(order,)`` (or ``(order, ncols)`` with ``axis=0``) for
    float input; a tuple (or object array) of sympy / mpmath values otherwise.

    Examples
    --------
    >>> k_statistics([1, 2, 3, 4, 10], 4)
    (4, 25/2, 75, 985/2)
    >>> import numpy as np
    >>> np.round(k_statistics(np.array([1.0, 2.0, 3.0, 4.0, 10.0]), 4), 10).tolist()
    [4.0, 12.5, 75.0, 492.5]

    References: Fisher (1930); McCullagh (1987), §4.2; scipy.stats.kstat (orders <= 4).
    """
    order = check_order(order)
    if axis not in (None, 0) or isinstance(axis, bool):
        raise bad_argument("axis", axis, "None (a 1-D sample) or 0 (one sample per column)")
    arr, kind = _as_sample(x, "x")
    if arr.ndim == 0:
        raise bad_argument("x", x, "a 1-D sample (got a scalar)", cls=ShapeMismatchError)
    if arr.ndim == 2 and axis is None:
        raise bad_argument("x.shape", arr.shape, "a 1-D sample; pass axis=0 for column-wise "
                           "k-statistics of a 2-D array", cls=ShapeMismatchError)
    if arr.ndim > 2:
        raise bad_argument("x.shape", arr.shape, "a 1-D sample or, with axis=0, a 2-D array",
                           cls=ShapeMismatchError)
    _check_length(arr.shape[0], order, "x")
    if kind == "float":
        return _float_kstats(arr, order)
    if arr.ndim == 1:
        return _exact_kstats(arr, order, kind)
    out = np.empty((order, arr.shape[1]), dtype=object)
    for j in range(arr.shape[1]):
        out[:, j] = _exact_kstats(arr[:, j], order, kind)
    return out


