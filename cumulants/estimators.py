r"""Unbiased estimators of cumulants from samples: k-statistics of any order.

The k-statistic :math:`k_r` is the unique symmetric function of a sample that is
an unbiased estimator of the cumulant :math:`\kappa_r` (Fisher 1930).  For a
set partition :math:`\pi` of :math:`\{1..r\}` let :math:`U(\pi)` be the unbiased
estimator of :math:`\prod_{B\in\pi}\mu'_{|B|}`, the augmented symmetric function

.. math::

    U(\pi) = \frac{1}{n_{(k)}} \sum_{i_1..i_k \text{ distinct}}
             \prod_{j=1}^{k} x_{i_j}^{|B_j|},
    \qquad k_r = \sum_{\pi} (-1)^{|\pi|-1} (|\pi|-1)!\, U(\pi),

with :math:`n_{(k)}` the falling factorial.  Möbius inversion over the set
partitions of the :math:`k` blocks writes :math:`U(\pi)` in power sums
:math:`S_q = \sum_i x_i^q`.  Every coefficient depends on block sizes only, so
the formula of :math:`k_r` is derived once per order as :math:`p(r)` numbers (one
per integer partition of :math:`r`), not :math:`\mathrm{Bell}(r)`.  The joint
(generalised) k-statistics use the same coefficients with multivariate power
sums :math:`S_{a_1..a_q} = \sum_s \prod_j X_{s a_j}`.

Float data are centred before power sums are formed (:math:`k_r`, :math:`r\ge 2`,
is shift invariant), which removes the catastrophic cancellation of raw power
sums.  The sampling noise of high-order k-statistics is intrinsic: var(k_r)
involves kappa_{2r} (see :func:`k_statistic_variance`, :func:`k_statistics_se`).

Exact inputs (Python ints, :class:`fractions.Fraction`, sympy numbers or
symbols) give exact sympy results; numpy arrays give floats; mpmath values keep
their precision.

References: R. A. Fisher (1930), "Moments and product moments of sampling
distributions", Proc. London Math. Soc. (2) 30, 199-238; P. McCullagh (1987),
*Tensor Methods in Statistics*, ch. 4 (generalised k-statistics).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter, defaultdict
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from ._numbers import check_finite, check_order, domain_of, to_domain
from .algebra.partitions import integer_partitions, set_partitions
from .errors import (
    InsufficientOrderError,
    InvalidParameterError,
    MethodUnavailableError,
    OrderTooHighError,
    ShapeMismatchError,
    bad_argument,
)

__all__ = [
    "k_statistics",
    "k_statistic_formula",
    "joint_k_statistics",
    "joint_k_statistic",
    "k_statistic_variance",
    "k_statistics_se",
    "joint_k_statistics_se",
]

#: Highest order whose sampling variance is derived symbolically (needs kappa_1..kappa_20).
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
        n = sympy.Integer(check_order(n, "n", minimum=order))
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


def _as_sample(x, name):
    """``(array, kind)``: a float ndarray (kind ``"float"``) or an object ndarray."""
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


# --------------------------------------------------------------------------- joint


@functools.lru_cache(maxsize=32)
def _multiset_table(dim, order):
    """Multisets of ``range(dim)`` of sizes 1..order in colex order, with their parents.

    A sorted multiset ``a`` maps to the strictly increasing ``b = a + (0, 1, ...)``,
    whose colex rank ``sum_j C(b_j, j+1)`` indexes it within its size; the flat
    index adds an offset per size.
    """
    binom = np.array([[math.comb(i, j) for j in range(order + 1)] for i in range(dim + order)],
                     dtype=np.int64)
    offsets, tuples, parents, lasts, total = {}, {}, {}, {}, 0
    for s in range(1, order + 1):
        combos = list(itertools.combinations_with_replacement(range(dim), s))
        arr = np.array(combos, dtype=np.int64).reshape(len(combos), s)
        rank = _rank(arr, binom)
        ordered = np.empty_like(arr)
        ordered[rank] = arr
        offsets[s], tuples[s] = total, ordered
        parents[s] = _rank(ordered[:, :-1], binom) if s > 1 else None
        lasts[s] = ordered[:, -1]
        total += len(combos)
    return binom, offsets, tuples, parents, lasts, total


def _rank(arr, binom):
    s = arr.shape[1]
    if s == 0:
        return np.zeros(len(arr), dtype=np.int64)
    b = arr + np.arange(s)
    return binom[b, np.arange(1, s + 1)].sum(axis=1)


@functools.lru_cache(maxsize=32)
def _joint_plan(dim, s):
    """For each set partition of ``s`` positions: its shape and the flat index of each block."""
    binom, offsets, tuples, *_ = _multiset_table(dim, s)
    plan = []
    for part in _set_partitions(s):
        shape = tuple(sorted((len(block) for block in part), reverse=True))
        idx = tuple(offsets[len(b)] + _rank(tuples[s][:, list(b)], binom) for b in part)
        plan.append((shape, idx))
    return tuple(plan)


def _gram_power_means(Xc, order):
    """Means of all monomials ``prod_j X[:, a_j]`` up to ``order`` (flat colex index).

    A monomial of degree ``s`` is split into halves of degrees ``ceil(s/2)`` and
    ``floor(s/2)``; the sums over samples of all such products are the entries of
    Gram matrices of half-degree monomials, formed with one matrix product each.
    """
    n, dim = Xc.shape
    binom, offsets, tuples, parents, lasts, total = _multiset_table(dim, order)
    half = (order + 1) // 2
    pairs = sorted({((s + 1) // 2, s // 2) for s in range(1, order + 1)})
    is_float = Xc.dtype != object
    chunk = max(1, _BATCH_ELEMENTS // (2 * len(lasts[half]))) if is_float else n
    XT = np.ascontiguousarray(Xc.T)  # row gathers of contiguous rows are fast
    grams = {}
    for start in range(0, n, chunk):
        rows = XT[:, start : start + chunk]
        levels = {1: rows}
        for h in range(2, half + 1):
            levels[h] = levels[h - 1][parents[h]] * rows[lasts[h]]
        for h1, h2 in pairs:
            g = levels[h1].sum(axis=1) if h2 == 0 else levels[h1] @ levels[h2].T
            grams[h1, h2] = g if (h1, h2) not in grams else grams[h1, h2] + g
    sums = np.empty(total, dtype=np.float64 if is_float else object)
    for s in range(1, order + 1):
        h1, h2 = (s + 1) // 2, s // 2
        first = _rank(tuples[s][:, :h1], binom)
        if h2 == 0:
            values = grams[h1, 0][first]
        else:
            values = grams[h1, h2][first, _rank(tuples[s][:, h1:], binom)]
        sums[offsets[s] : offsets[s] + len(first)] = values
    return sums / n


def _weighted_power_means(Xc, order, weights):
    """Monomial means of bootstrap resamples: ``weights`` holds row counts (replicates, n)."""
    n, dim = Xc.shape
    _, _, _, parents, lasts, total = _multiset_table(dim, order)
    sums = np.zeros((weights.shape[0], total))
    chunk = max(1, _BATCH_ELEMENTS // (4 * max(len(v) for v in lasts.values())))
    XT = np.ascontiguousarray(Xc.T)
    for start in range(0, n, chunk):
        rows = XT[:, start : start + chunk]
        pos = 0
        level = None
        for s in range(1, order + 1):
            level = rows if s == 1 else level[parents[s]] * rows[lasts[s]]
            sums[:, pos : pos + level.shape[0]] += weights[:, start : start + chunk] @ level.T
            pos += level.shape[0]
    return sums / n


def _joint_from_means(means, shift, dim, order, n, convert):
    """Dict ``s -> array (..., T_s)`` of joint k-statistics of orders 1..order."""
    _, offsets, tuples, *_ = _multiset_table(dim, order)
    out = {1: shift + means[..., offsets[1] : offsets[1] + dim]}
    for s in range(2, order + 1):
        total = 0
        for shape, idx in _joint_plan(dim, s):
            term = means[..., idx[0]]
            for block in idx[1:]:
                term = term * means[..., block]
            total = total + convert(_shape_coefficient(shape, n)) * term
        out[s] = total
    return out, tuples


def _as_matrix(X, name="X"):
    arr, kind = _as_sample(X, name)
    if arr.ndim != 2:
        raise bad_argument(f"{name}.shape", arr.shape, "a 2-D array (n_samples, dim); "
                           "reshape a single variable with X[:, None]", cls=ShapeMismatchError)
    if arr.shape[1] == 0:
        raise bad_argument(f"{name}.shape", arr.shape, "at least one column",
                           cls=ShapeMismatchError)
    if kind == "float" and not np.all(np.isfinite(arr)):
        _raise_nonfinite(arr, name)
    if kind not in ("float", "fraction"):
        raise bad_argument(f"{name}", "sympy/mpmath values", "floats, ints or Fractions for joint "
                           "k-statistics", cls=InvalidParameterError)
    return arr, kind


def _centre(arr, kind):
    if kind != "float":
        return arr, np.zeros(arr.shape[1], dtype=object)
    mean = arr.mean(axis=0)
    return arr - mean, mean


def joint_k_statistics(X, order):
    r"""All joint (generalised) k-statistics of a sample matrix up to ``order``.

    .. math::

        k_{a_1..a_q} = \sum_{\tau} c(\tau)\prod_{C\in\tau} S_{a_C},\qquad
        S_{a_C} = \sum_s \prod_{j\in C} X_{s a_j},

    summed over the set partitions :math:`\tau` of the :math:`q` positions, with the
    same coefficients :math:`c(\tau)` (depending only on block sizes) as the
    univariate :math:`k_q`; :math:`\mathbb{E}\,k_{a_1..a_q} = \kappa(X_{a_1},..,X_{a_q})`.
    Columns are centred first; the diagonal entries equal :func:`k_statistics`.

    Parameters
    ----------
    X : array_like, shape (n_samples, dim)
        Float data, or ints / Fractions for exact results.
    order : int

    Returns
    -------
    dict mapping each sorted index tuple (e.g. ``(0, 0, 1)``) of every order
    ``1..order`` to its k-statistic (float, or sympy Rational for exact input).

    Examples
    --------
    >>> k = joint_k_statistics([[0, 1], [1, 3], [2, 2], [5, 0]], 2)
    >>> k[(0,)], k[(0, 0)], k[(0, 1)], k[(1, 1)]
    (2, 14/3, -5/3, 5/3)

    References: McCullagh (1987), §4.2 (generalised k-statistics); Fisher (1930).
    """
    order = check_order(order)
    arr, kind = _as_matrix(X)
    n, dim = arr.shape
    _check_length(n, order, "X")
    Xc, shift = _centre(arr, kind)
    with np.errstate(over="ignore", invalid="ignore"):
        means = _gram_power_means(Xc, order)
    if kind == "float" and not np.all(np.isfinite(means)):
        _raise_nonfinite(arr, "X")
    values, tuples = _joint_from_means(means, shift, dim, order, n, _CONVERT[kind])
    out = {}
    for s in range(1, order + 1):
        for key, value in sorted(zip(map(tuple, tuples[s].tolist()), values[s])):
            out[key] = float(value) if kind == "float" else sympy.Rational(
                value.numerator, value.denominator)
    return out


def joint_k_statistic(X, indices):
    r"""One joint k-statistic :math:`k_{a_1..a_q}`, the unbiased estimator of
    :math:`\kappa(X_{a_1},..,X_{a_q})`.

    Same formula as :func:`joint_k_statistics`, computed for one index tuple (in any
    order; repeated indices allowed).

    Examples
    --------
    >>> joint_k_statistic([[0, 1], [1, 3], [2, 2], [5, 0]], (1, 0))
    -5/3
    >>> joint_k_statistic([[1], [2], [3], [4], [10]], (0, 0, 0))
    75

    References: McCullagh (1987), §4.2.
    """
    arr, kind = _as_matrix(X)
    n, dim = arr.shape
    try:
        idx = tuple(sorted(check_order(i, "index", minimum=0) for i in indices))
    except TypeError:
        raise bad_argument("indices", indices, "a sequence of column indices") from None
    if not idx:
        raise bad_argument("indices", indices, "at least one column index", cls=ShapeMismatchError)
    if idx[-1] >= dim:
        raise bad_argument("indices", indices, f"column indices in 0..{dim - 1} (X has {dim} "
                           "columns)", cls=ShapeMismatchError)
    s = len(idx)
    _check_length(n, s, "X")
    Xc, shift = _centre(arr, kind)
    convert = _CONVERT[kind]
    cache = {}

    def mean_of(sub):
        if sub not in cache:
            prod = Xc[:, sub[0]]
            for a in sub[1:]:
                prod = prod * Xc[:, a]
            cache[sub] = prod.sum() / n
        return cache[sub]

    if s == 1:
        value = shift[idx[0]] + mean_of(idx)
    else:
        value = 0
        for part in _set_partitions(s):
            shape = tuple(sorted((len(b) for b in part), reverse=True))
            term = convert(_shape_coefficient(shape, n))
            for block in part:
                term = term * mean_of(tuple(idx[j] for j in block))
            value = value + term
    if kind == "float":
        return float(value)
    return sympy.Rational(value.numerator, value.denominator)


# --------------------------------------------------------------------------- sampling variance


@functools.lru_cache(maxsize=None)
def _central_moment_poly(v):
    """Central moment mu_v as ``{kappa-monomial: count}`` (kappa_1 = 0)."""
    return {rho: _shape_count(rho) for rho in _partitions(v) if rho[-1] != 1}


@functools.lru_cache(maxsize=None)
def _moment_product_poly(parts):
    """``prod_j mu_{parts_j}`` as ``{kappa-monomial: int}`` (monomials non-increasing)."""
    if not parts:
        return {(): 1}
    out = defaultdict(int)
    for m1, c1 in _moment_product_poly(parts[:-1]).items():
        for m2, c2 in _central_moment_poly(parts[-1]).items():
            out[tuple(sorted(m1 + m2, reverse=True))] += c1 * c2
    return dict(out)


def _matchings(lam1, lam2):
    """Partial matchings of the blocks of two brackets, grouped by multiplicity tables.

    Yields ``(count, merged_parts, K)``: ``[lam1][lam2]`` is the sum of
    ``count * [merged]`` with ``K`` distinct indices.  Unmatched parts equal to 1
    are skipped, as their expectation carries mu_1 = 0.
    """
    c1, c2 = Counter(lam1), Counter(lam2)
    v1, m1 = list(c1), [c1[v] for v in c1]
    v2, m2 = list(c2), [c2[v] for v in c2]
    cells = [(i, j) for i in range(len(v1)) for j in range(len(v2))]
    const = math.prod(math.factorial(m) for m in m1 + m2)
    rows, cols, table = list(m1), list(m2), [0] * len(cells)

    def walk(c):
        if c == len(cells):
            if any(v == 1 and r for v, r in zip(v1, rows)) or any(
                v == 1 and r for v, r in zip(v2, cols)
            ):
                return
            denom = math.prod(math.factorial(u) for u in rows + cols)
            denom *= math.prod(math.factorial(t) for t in table)
            merged = [v for v, u in zip(v1, rows) for _ in range(u)]
            merged += [v for v, u in zip(v2, cols) for _ in range(u)]
            for (i, j), t in zip(cells, table):
                merged += [v1[i] + v2[j]] * t
            yield const // denom, tuple(sorted(merged)), len(merged)
            return
        i, j = cells[c]
        for t in range(min(rows[i], cols[j]) + 1):
            rows[i] -= t
            cols[j] -= t
            table[c] = t
            yield from walk(c + 1)
            rows[i] += t
            cols[j] += t
        table[c] = 0

    yield from walk(0)


@functools.lru_cache(maxsize=None)
def _variance_plan(order):
    r"""var(k_r) as ``{kappa-monomial: ((const, K, k1, k2), ...)}``.

    With :math:`k_r=\sum_\lambda\beta_\lambda[\lambda]/n_{(|\lambda|)}` and
    :math:`\mathbb{E}[\nu]=n_{(|\nu|)}\prod_j\mu_{\nu_j}` (mean zero, as
    :math:`k_r` is shift invariant for :math:`r\ge2`),
    :math:`\mathbb{E}k_r^2` is a sum of ``const * n_(K) / (n_(k1) n_(k2))`` times
    central-moment products, rewritten in cumulants.
    """
    brackets = [
        (lam, _shape_count(lam) * (-1) ** (len(lam) - 1) * math.factorial(len(lam) - 1))
        for lam in _partitions(order)
    ]
    acc = defaultdict(int)
    for lam1, b1 in brackets:
        for lam2, b2 in brackets:
            for count, merged, K in _matchings(lam1, lam2):
                for mono, c in _moment_product_poly(merged).items():
                    acc[(mono, K, len(lam1), len(lam2))] += b1 * b2 * count * c
    if order >= 2:
        acc[((order, order), 0, 0, 0)] -= 1
    plan = defaultdict(list)
    for (mono, K, k1, k2), const in acc.items():
        if const:
            plan[mono].append((const, K, k1, k2))
    return {mono: tuple(terms) for mono, terms in plan.items()}


@functools.lru_cache(maxsize=256)
def _variance_coefficients(order, n):
    """``((monomial, coefficient), ...)`` of var(k_order) at sample size ``n``."""
    out = []
    for mono, terms in sorted(_variance_plan(order).items()):
        if isinstance(n, int):
            c = sum(Fraction(const * math.perm(n, K), math.perm(n, k1) * math.perm(n, k2))
                    for const, K, k1, k2 in terms)
            c = sympy.Rational(c.numerator, c.denominator)
        else:
            def ff(m):
                return sympy.Mul(*[n - i for i in range(m)])

            c = sympy.factor(sympy.together(sympy.Add(
                *[const * ff(K) / (ff(k1) * ff(k2)) for const, K, k1, k2 in terms])))
        if c != 0:
            out.append((mono, c))
    return tuple(out)


def _closed_form_variance(k, n, order):
    """Closed forms of var(k_1)..var(k_4) (Kendall & Stuart vol. 1, §12; scipy PR #5067)."""
    if order == 1:
        return k[2] / n
    if order == 2:
        return k[4] / n + 2 * k[2] ** 2 / (n - 1)
    if order == 3:
        return (k[6] / n + 9 * k[2] * k[4] / (n - 1) + 9 * k[3] ** 2 / (n - 1)
                + 6 * n * k[2] ** 3 / ((n - 1) * (n - 2)))
    return (k[8] / n + 16 * k[2] * k[6] / (n - 1) + 48 * k[3] * k[5] / (n - 1)
            + 34 * k[4] ** 2 / (n - 1) + 72 * n * k[2] ** 2 * k[4] / ((n - 1) * (n - 2))
            + 144 * n * k[2] * k[3] ** 2 / ((n - 1) * (n - 2))
            + 24 * n * (n + 1) * k[2] ** 4 / ((n - 1) * (n - 2) * (n - 3)))


def k_statistic_variance(cumulants, n_samples, order, *, method="auto"):
    r"""The exact sampling variance of :math:`k_r` from the population cumulants.

    .. math::

        \operatorname{var}(k_2) = \frac{\kappa_4}{n} + \frac{2\kappa_2^2}{n-1},\qquad
        \operatorname{var}(k_r) = \mathbb{E}\,k_r^2 - \kappa_r^2 ,

    a polynomial in :math:`\kappa_2..\kappa_{2r}` with coefficients rational in
    :math:`n`.  ``method="closed"`` uses the closed forms of Kendall & Stuart for
    orders 1..4; ``method="derived"`` expands :math:`\mathbb{E}k_r^2` exactly from
    the augmented-symmetric-function form of :math:`k_r` (any order up to
    ``MAX_VARIANCE_ORDER``); ``"auto"`` takes the closed form when it exists.

    Parameters
    ----------
    cumulants : sequence
        :math:`\kappa_1, \kappa_2, ..` with at least ``2*order`` entries
        (:math:`\kappa_1` is not used).  Exact, float, mpmath or sympy values.
    n_samples : int or sympy expression
        Sample size ``n >= order`` (a symbol gives a formula in ``n``).
    order : int

    Examples
    --------
    >>> k_statistic_variance([0, 1, 0, 0], 10, 2)
    2/9
    >>> import sympy
    >>> n = sympy.Symbol("n")
    >>> kap = sympy.symbols("kappa1:5")
    >>> k_statistic_variance(kap, n, 2, method="derived")
    2*kappa2**2/(n - 1) + kappa4/n

    References: Fisher (1930); Kendall & Stuart, *Advanced Theory of Statistics*
    vol. 1, §12; McCullagh (1987), ch. 4; scipy PR #5067.
    """
    order = check_order(order)
    if method not in ("auto", "closed", "derived"):
        raise bad_argument("method", method, "'auto', 'closed' or 'derived'",
                           cls=MethodUnavailableError)
    if method == "closed" and order > 4:
        raise bad_argument("order", order, "<= 4 for method='closed'; use method='derived'",
                           cls=OrderTooHighError)
    if order > MAX_VARIANCE_ORDER and method != "closed":
        raise bad_argument("order", order, f"<= {MAX_VARIANCE_ORDER} for an exact variance; "
                           "estimate standard errors with k_statistics_se(x, order, "
                           "method='bootstrap')", cls=OrderTooHighError)
    if isinstance(n_samples, sympy.Basic) and n_samples.free_symbols:
        n, symbolic = n_samples, True
    else:
        n, symbolic = check_order(n_samples, "n_samples", minimum=order), False
    try:
        values = list(cumulants)
    except TypeError:
        raise bad_argument("cumulants", cumulants, "a sequence kappa_1, kappa_2, ...") from None
    if len(values) < 2 * order:
        raise bad_argument("len(cumulants)", len(values), f"at least 2*order={2 * order} "
                           f"values kappa_1..kappa_{2 * order}", cls=InsufficientOrderError)
    values = [check_finite(v, "cumulants") for v in values[: 2 * order]]
    domain = "exact" if symbolic else domain_of(values)
    k = [None] + [to_domain(v, domain) for v in values]
    if method == "closed" or (method == "auto" and order <= 4):
        nn = n if symbolic else to_domain(n, domain)
        return _closed_form_variance(k, nn, order)
    total = 0
    for mono, c in _variance_coefficients(order, n):
        term = to_domain(c, domain) if domain != "exact" else c
        for j in mono:
            term = term * k[j]
        total = total + term
    return total


# --------------------------------------------------------------------------- standard errors


def _rng(rng):
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise bad_argument("rng", rng, "a numpy.random.Generator, a non-negative int seed or None")


def _bootstrap_weights(n, n_boot, rng):
    """Yield row-count matrices (batch, n) of nonparametric bootstrap resamples."""
    batch = max(1, min(n_boot, _BATCH_ELEMENTS // n))
    for start in range(0, n_boot, batch):
        b = min(batch, n_boot - start)
        draws = rng.integers(0, n, size=(b, n))
        draws += (np.arange(b) * n)[:, None]
        yield np.bincount(draws.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)


def _check_n_boot(n_boot):
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise bad_argument("n_boot", n_boot, "an integer >= 2 (bootstrap replicates)")
    return int(n_boot)


def _float_sample(x, name):
    arr, kind = _as_sample(x, name)
    if kind == "float":
        return arr
    try:
        return np.array([float(v) for v in arr.ravel()], dtype=np.float64).reshape(arr.shape)
    except TypeError:
        raise bad_argument(name, x, "numbers (standard errors are numeric; substitute "
                           "symbols first)") from None


def k_statistics_se(x, order, *, method="auto", n_boot=200, rng=None, full_output=False):
    r"""Standard errors of the k-statistics :math:`k_1..k_r` of a 1-D sample.

    .. math::

        \widehat{\mathrm{se}}(k_j) = \sqrt{\operatorname{var}(k_j)
            \big|_{\kappa_i \to k_i,\; i \le 2j}}\quad\text{(plug-in)}

    Methods, in order of precedence:

    * ``"plugin"``: insert the sample k-statistics :math:`k_1..k_{2j}` into
      :func:`k_statistic_variance` (needs ``n >= 2*order``);
    * ``"bootstrap"``: the standard deviation of :math:`k_j` over ``n_boot``
      nonparametric resamples (vectorised, any order);
    * ``"auto"`` (default): plug-in for orders ``<= AUTO_PLUGIN_ORDER`` when
      ``n >= 2j``, bootstrap otherwise.

    A plug-in variance can come out negative (the plugged-in :math:`k_{2j}` is
    noisy); such entries are not clipped to zero but fall back to the bootstrap.
    Both are approximations; ``full_output=True`` also returns the method used per
    order.  The default ``rng=None`` is a fixed seed, so results are reproducible.
    At high orders on heavy-tailed data both are themselves noisy (they rest on
    sample moments of order ``2j``); the bootstrap tends to underestimate, e.g. by
    a factor ~2 for :math:`k_6` of 2e5 Exp(1) draws.  Prefer
    :func:`k_statistic_variance` with population cumulants when they are known.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(1).normal(size=1000)
    >>> se = k_statistics_se(x, 2)
    >>> bool(abs(se[1] - np.sqrt(2 / 999)) < 0.01)
    True

    References: Fisher (1930); Kendall & Stuart vol. 1, §12 (variances of
    k-statistics); Efron & Tibshirani (1993), *An Introduction to the Bootstrap*.
    """
    order = check_order(order)
    if method not in ("auto", "plugin", "bootstrap"):
        raise bad_argument("method", method, "'auto', 'plugin' or 'bootstrap'",
                           cls=MethodUnavailableError)
    n_boot = _check_n_boot(n_boot)
    gen = _rng(rng)
    arr = _float_sample(x, "x")
    if arr.ndim != 1:
        raise bad_argument("x.shape", arr.shape, "a 1-D sample", cls=ShapeMismatchError)
    n = arr.shape[0]
    _check_length(n, order, "x")
    if not np.all(np.isfinite(arr)):
        _raise_nonfinite(arr, "x")
    if method == "plugin":
        if n < 2 * order:
            raise bad_argument("len(x)", n, f"at least 2*order={2 * order} samples for plug-in "
                               "variances (they use k_1..k_{2 order}); use method='bootstrap'")
        plug = order
    elif method == "auto":
        plug = min(order, AUTO_PLUGIN_ORDER, n // 2)
    else:
        plug = 0
    se = np.full(order, np.nan)
    used = ["bootstrap"] * order
    if plug:
        ks = [float(v) for v in _float_kstats(arr, 2 * plug)]
        for j in range(1, plug + 1):
            var = float(k_statistic_variance(ks[: 2 * j], n, j))
            if np.isfinite(var) and var > 0:
                se[j - 1], used[j - 1] = math.sqrt(var), "plugin"
    missing = [j for j in range(order) if used[j] == "bootstrap"]
    if missing:
        top = max(missing) + 1
        mean = arr.mean()
        centred = arr - mean
        powers = np.empty((n, top))
        powers[:, 0] = centred
        for q in range(1, top):
            powers[:, q] = powers[:, q - 1] * centred
        reps = []
        for weights in _bootstrap_weights(n, n_boot, gen):
            m = (weights @ powers) / n
            means = [None] + [m[:, q] for q in range(top)]
            reps.append(np.stack([mean + means[1]] + _combine(means, top, n, float)))
        boot = np.concatenate(reps, axis=1).std(axis=1, ddof=1)
        se[missing] = boot[missing]
    return (se, tuple(used)) if full_output else se


def joint_k_statistics_se(X, order, *, method="bootstrap", n_boot=200, rng=None):
    r"""Bootstrap standard errors of every joint k-statistic up to ``order``.

    .. math::

        \widehat{\mathrm{se}}(k_{a}) = \operatorname{sd}_{b=1..B}\, k_{a}(X^{*b}),

    with :math:`X^{*b}` resampled rows of ``X`` (vectorised over replicates).
    Only ``method="bootstrap"`` (or ``"auto"``, its alias) is available: exact
    variances of joint k-statistics need joint cumulants up to order ``2*order``,
    which a plug-in would estimate very noisily.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(2).normal(size=(2000, 2))
    >>> se = joint_k_statistics_se(X, 2, n_boot=100, rng=3)
    >>> sorted(se)
    [(0,), (0, 0), (0, 1), (1,), (1, 1)]
    >>> bool(0.015 < se[(0, 1)] < 0.03)
    True

    References: McCullagh (1987), ch. 4; Efron & Tibshirani (1993).
    """
    order = check_order(order)
    if method not in ("auto", "bootstrap"):
        raise bad_argument("method", method, "'bootstrap' (joint plug-in variances are not "
                           "available)", cls=MethodUnavailableError)
    n_boot = _check_n_boot(n_boot)
    gen = _rng(rng)
    arr, kind = _as_matrix(X)
    if kind != "float":
        arr = np.asarray(arr.tolist(), dtype=np.float64)
    n, dim = arr.shape
    _check_length(n, order, "X")
    Xc, shift = _centre(arr, "float")
    reps = defaultdict(list)
    with np.errstate(over="ignore", invalid="ignore"):
        for weights in _bootstrap_weights(n, n_boot, gen):
            means = _weighted_power_means(Xc, order, weights)
            values, tuples = _joint_from_means(means, shift, dim, order, n, float)
            for s in values:
                reps[s].append(values[s])
    out = {}
    for s in range(1, order + 1):
        sd = np.concatenate(reps[s], axis=0).std(axis=0, ddof=1)
        for key, value in sorted(zip(map(tuple, tuples[s].tolist()), sd)):
            out[key] = float(value)
    return out
