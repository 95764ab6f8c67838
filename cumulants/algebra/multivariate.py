r"""Joint (multivariate) moment <-> cumulant conversion over set partitions.

.. math::

    E[X_1\cdots X_n] = \sum_{\pi} \prod_{B\in\pi} \kappa(X_B),\qquad
    \kappa(X_1,\dots,X_n) = \sum_{\pi} (|\pi|-1)!(-1)^{|\pi|-1}\prod_{B\in\pi} E[X_B]

(docs/formulas.md §1.2, Speed 1983).  Entries are looked up through a callable
``f(indices) -> value`` so any storage (dense, packed, symbolic) can be used.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import sympy

from .univariate import _to_fraction

__all__ = ["joint_cumulant_from_moments", "joint_moment_from_cumulants"]



def _distinct_counts(sorted_idx):
    values, counts = [], []
    for i in sorted_idx:
        if values and values[-1] == i:
            counts[-1] += 1
        else:
            values.append(i)
            counts.append(1)
    return tuple(values), tuple(counts)


def _sub_multisets(counts):
    """Every count vector ``gamma <= counts`` with its multiplicity ``prod C(c_j, gamma_j)``."""
    out = [((), 1)]
    for c in counts:
        out = [(g + (k,), w * comb(c, k)) for g, w in out for k in range(c + 1)]
    return out


def _multiset(values, counts, first=None):
    idx = [v for v, k in zip(values, counts) for _ in range(k)]
    if first is not None:
        idx.append(first)
    return tuple(sorted(idx))


def _check_indices(indices, lookup, lookup_name):
    """Validate ``indices`` (non-negative integers) and the lookup; guard the work."""
    from .._limits import MAX_SET_PARTITIONS, guard
    from ..errors import bad_argument

    if not callable(lookup):
        raise bad_argument(lookup_name, lookup, "a function of a sorted index tuple "
                           "(e.g. a dict's __getitem__)")
    if isinstance(indices, (str, bytes)) or indices is None:
        raise bad_argument("indices", indices, "a tuple of non-negative integer indices")
    try:
        indices = tuple(indices)
    except TypeError:
        raise bad_argument("indices", indices, "a tuple of non-negative integer indices") from None
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
            raise bad_argument("indices", indices, "a tuple of non-negative integer indices")
    _, counts = _distinct_counts(tuple(sorted(int(i) for i in indices)))
    work = 1
    for c in counts:
        work *= (c + 1) * (c + 2) // 2
        if work > 50 * MAX_SET_PARTITIONS:
            break
    guard("len(indices)", work, 50 * MAX_SET_PARTITIONS, shown=len(indices),
          limit_name="50 * MAX_SET_PARTITIONS (pairs of sub-multisets of the indices)",
          route="fewer distinct indices, or a Gaussian/independent state whose high cumulants "
                "vanish")
    return tuple(int(i) for i in indices)


def joint_cumulant_from_moments(moment, indices):
    """Joint cumulant of ``x[indices]`` from a raw-moment lookup ``moment(sorted_indices)``.

    Equal to the set-partition (Möbius) sum; computed with the recursion
    :math:`m(1..n) = \\sum_{S \\subseteq \\{2..n\\}} \\kappa(\\{1\\}\\cup S)\\, m(\\{2..n\\}\\setminus S)`
    with subsets grouped by their multiset of indices, so repeated indices cost
    a product of binomials instead of a Bell number of partitions.

    >>> m = {(0,): 1, (1,): 2, (0, 1): 5}
    >>> joint_cumulant_from_moments(m.__getitem__, (0, 1))
    3
    """
    indices = tuple(sorted(_check_indices(indices, moment, "moment")))
    if not indices:
        from ..errors import ShapeMismatchError

        raise ShapeMismatchError("indices=() is invalid: a joint cumulant needs at least one index")
    first = indices[0]
    values, counts = _distinct_counts(indices[1:])
    mom_cache: dict = {}

    kinds = set()

    def mom(key):  # key is never empty: every multiset below keeps at least one index
        if key not in mom_cache:
            v = moment(key)
            # floats and mpmath numbers run the recursion exactly (rounded once below);
            # numpy ints become Python ints (no int64 overflow)
            if isinstance(v, (float, np.floating, mpmath.mpf)):
                kinds.add("mpmath" if isinstance(v, mpmath.mpf) else "float")
                v = _to_fraction(v)
            elif isinstance(v, np.integer):
                v = int(v)
            mom_cache[key] = v
        return mom_cache[key]

    kap_cache: dict = {}

    def kap(beta):  # kappa(first, values**beta)
        if beta not in kap_cache:
            total = mom(_multiset(values, beta, first))
            for gamma, weight in _sub_multisets(beta):
                if gamma == beta:
                    continue
                rest = tuple(b - g for b, g in zip(beta, gamma))
                total = total - weight * kap(gamma) * mom(_multiset(values, rest))
            kap_cache[beta] = total
        return kap_cache[beta]

    total = kap(counts)
    if isinstance(total, Fraction) and kinds:
        if "mpmath" in kinds:
            return mpmath.mpf(total.numerator) / total.denominator
        return total.numerator / total.denominator
    return sympy.expand(total) if isinstance(total, sympy.Basic) else total


def joint_moment_from_cumulants(cumulant, indices, max_block=None):
    """Joint raw moment of ``x[indices]`` from a cumulant lookup ``cumulant(sorted_indices)``.

    ``max_block`` skips partitions with larger blocks (e.g. 2 for Gaussians).
    Equal to the sum over set partitions; computed by the recursion on the block
    containing the first index, with blocks grouped by their multiset of indices.

    >>> k = {(0,): 1, (1,): 2, (0, 1): 3}
    >>> joint_moment_from_cumulants(k.__getitem__, (0, 1))
    5
    """
    indices = _check_indices(indices, cumulant, "cumulant")
    if max_block is not None:
        from .._numbers import check_order

        max_block = check_order(max_block, "max_block")
    cache: dict = {}

    def mom(key):
        if not key:
            return 1
        if key not in cache:
            first = key[0]
            values, counts = _distinct_counts(key[1:])
            total = 0
            for gamma, weight in _sub_multisets(counts):
                if max_block is not None and 1 + sum(gamma) > max_block:
                    continue
                k = cumulant(_multiset(values, gamma, first))
                if isinstance(k, (int, float)) and k == 0 or (isinstance(k, sympy.Basic) and k == 0):
                    continue
                rest = tuple(c - g for c, g in zip(counts, gamma))
                total = total + weight * k * mom(_multiset(values, rest))
            cache[key] = total
        return cache[key]

    total = mom(tuple(sorted(indices)))
    return sympy.expand(total) if isinstance(total, sympy.Basic) else total
