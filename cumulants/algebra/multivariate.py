r"""Joint (multivariate) moment <-> cumulant conversion over set partitions.

.. math::

    E[X_1\cdots X_n] = \sum_{\pi} \prod_{B\in\pi} \kappa(X_B),\qquad
    \kappa(X_1,\dots,X_n) = \sum_{\pi} (|\pi|-1)!(-1)^{|\pi|-1}\prod_{B\in\pi} E[X_B]

(MATH.md §1.2, Speed 1983).  Entries are looked up through a callable
``f(indices) -> value`` so any storage (dense, packed, symbolic) can be used.
"""

from __future__ import annotations

from math import factorial

import sympy

from .partitions import set_partitions

__all__ = ["joint_cumulant_from_moments", "joint_moment_from_cumulants"]


def _lookup(fn, idx):
    return fn(tuple(sorted(idx)))


def joint_cumulant_from_moments(moment, indices):
    """Joint cumulant of ``x[indices]`` from a raw-moment lookup ``moment(sorted_indices)``.

    >>> m = {(0,): 1, (1,): 2, (0, 1): 5}
    >>> joint_cumulant_from_moments(m.__getitem__, (0, 1))
    3
    """
    indices = tuple(indices)
    n = len(indices)
    cache: dict = {}
    total = 0
    for part in set_partitions(n):
        k = len(part)
        term = (-1) ** (k - 1) * factorial(k - 1)
        for block in part:
            key = tuple(sorted(indices[a] for a in block))
            if key not in cache:
                cache[key] = moment(key)
            term = term * cache[key]
        total = total + term
    return sympy.expand(total) if isinstance(total, sympy.Basic) else total


def joint_moment_from_cumulants(cumulant, indices, max_block=None):
    """Joint raw moment of ``x[indices]`` from a cumulant lookup ``cumulant(sorted_indices)``.

    ``max_block`` skips partitions with larger blocks (e.g. 2 for Gaussians).

    >>> k = {(0,): 1, (1,): 2, (0, 1): 3}
    >>> joint_moment_from_cumulants(k.__getitem__, (0, 1))
    5
    """
    indices = tuple(indices)
    total = 0
    for part in set_partitions(len(indices), max_block):
        term = 1
        for block in part:
            term = term * cumulant(tuple(sorted(indices[a] for a in block)))
        total = total + term
    return sympy.expand(total) if isinstance(total, sympy.Basic) else total
