"""Symmetric tensors stored once per multiset of indices.

An order-``n`` symmetric tensor in ``d`` dimensions has ``C(d+n-1, n)`` unique
entries.  They are stored in a 1-D array in the order of
``itertools.combinations_with_replacement(range(d), n)``; these helpers map
between that packed form and dense ``(d,)*n`` arrays, vectorised and cached.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations_with_replacement
from math import comb

import numpy as np

__all__ = ["n_entries", "multisets", "rank", "dense_rank", "pack", "unpack"]


def n_entries(d: int, n: int) -> int:
    """Number of distinct entries of a symmetric order-n tensor in d dimensions."""
    return comb(d + n - 1, n)


@lru_cache(maxsize=64)
def multisets(d: int, n: int) -> np.ndarray:
    """All sorted index tuples, shape ``(n_entries, n)``, in packed order."""
    if n == 0:
        return np.zeros((1, 0), dtype=np.int64)
    arr = np.fromiter(
        (i for c in combinations_with_replacement(range(d), n) for i in c),
        dtype=np.int64,
        count=n_entries(d, n) * n,
    )
    return arr.reshape(-1, n)


def _rank_sorted(sorted_idx: np.ndarray, d: int) -> np.ndarray:
    """Vectorised rank of sorted multisets (last axis) in packed order."""
    n = sorted_idx.shape[-1]
    big_n = d + n - 1
    b = sorted_idx + np.arange(n)  # strictly increasing combination of range(big_n)
    total = comb(big_n, n)
    table = np.array([[comb(x, y) for y in range(n + 1)] for x in range(big_n + 1)], dtype=np.int64)
    acc = np.zeros(sorted_idx.shape[:-1], dtype=np.int64)
    for k in range(n):
        acc += table[big_n - 1 - b[..., k], n - k]
    return total - 1 - acc


def rank(indices, d: int) -> int:
    """Packed position of the entry with the given (any-order) indices.

    >>> [rank(c, 3) for c in [(0, 0), (0, 1), (1, 0), (2, 2)]]
    [0, 1, 1, 5]
    """
    s = sorted(int(i) for i in indices)
    n = len(s)
    if n == 0:
        return 0
    big_n = d + n - 1
    acc = 0
    for k, a in enumerate(s):
        acc += comb(big_n - 1 - (a + k), n - k)
    return comb(big_n, n) - 1 - acc


@lru_cache(maxsize=32)
def dense_rank(d: int, n: int) -> np.ndarray:
    """For every dense position, the packed position: shape ``(d,)*n``."""
    grids = np.indices((d,) * n).reshape(n, -1).T
    grids.sort(axis=1)
    return _rank_sorted(grids, d).reshape((d,) * n)


@lru_cache(maxsize=32)
def _flat_positions(d: int, n: int) -> np.ndarray:
    ms = multisets(d, n)
    weights = d ** np.arange(n - 1, -1, -1, dtype=np.int64)
    return ms @ weights


def pack(tensor: np.ndarray) -> np.ndarray:
    """Packed unique entries of a (symmetric) dense tensor."""
    n = tensor.ndim
    d = tensor.shape[0] if n else 1
    return tensor.reshape(-1)[_flat_positions(d, n)].copy()


def unpack(values: np.ndarray, d: int, n: int) -> np.ndarray:
    """Dense symmetric tensor from its packed entries."""
    return np.asarray(values)[dense_rank(d, n)]
