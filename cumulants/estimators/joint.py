"""Joint (generalised, multivariate) k-statistics."""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import sympy

from .._numbers import check_order
from ..errors import (
    InvalidParameterError,
    ShapeMismatchError,
    bad_argument,
)


#: Highest order whose sampling variance is derived symbolically (needs kappa_1..kappa_20).
from .kstat import (
    _BATCH_ELEMENTS,
    _CONVERT,
    _as_sample,
    _check_length,
    _raise_nonfinite,
    _set_partitions,
    _shape_coefficient,
)

__all__ = ["joint_k_statistics", "joint_k_statistic"]

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


def _guard_work(order, dim, n):
    """Refuse joint k-statistics whose cost Bell(order) * C(dim+order-1, order) * n is too big."""
    from .._limits import MAX_KSTAT_WORK, bell_count, guard, multiset_count

    work = bell_count(order, MAX_KSTAT_WORK) * multiset_count(dim, order) * n
    guard("order", work, MAX_KSTAT_WORK, shown=order,
          limit_name="MAX_KSTAT_WORK (Bell(order) * multisets * samples)",
          route="a lower order, fewer columns, or univariate k_statistics of each column "
                "(any order, O(order * n))")


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
    _guard_work(order, dim, n)
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
    _guard_work(s, 1, n)
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


