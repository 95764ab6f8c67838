"""Set partitions, integer partitions and connected partitions (cached, any size).

These combinatorial objects drive every exact formula in the package: the
moment/cumulant conversion sums over set partitions, and the Leonov--Shiryaev
formula for cumulants of products keeps the partitions *connected* relative to
the grouping of the atoms.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

__all__ = [
    "set_partitions",
    "integer_partitions",
    "connected_partitions",
    "bell_number",
    "partition_multiplicity",
]


def _set_partitions_gen(n, max_block):
    # Restricted-growth strings: element k joins an existing block or opens a new one.
    if n == 0:
        yield ()
        return
    blocks: list[list[int]] = []

    def rec(k):
        if k == n:
            yield tuple(tuple(b) for b in blocks)
            return
        for b in blocks:
            if len(b) < max_block:
                b.append(k)
                yield from rec(k + 1)
                b.pop()
        blocks.append([k])
        yield from rec(k + 1)
        blocks.pop()

    yield from rec(0)


def _check_size(n, name="n"):
    from .._numbers import check_order

    return check_order(n, name, minimum=0)


def set_partitions(n: int, max_block: int | None = None) -> tuple:
    """All set partitions of ``{0, ..., n-1}``, optionally with blocks of size <= max_block.

    Each partition is a tuple of blocks; each block a sorted tuple.

    >>> len(set_partitions(4)), len(set_partitions(4, max_block=2))
    (15, 10)
    >>> set_partitions(2)
    (((0, 1),), ((0,), (1,)))
    """
    from .._limits import MAX_SET_PARTITIONS, bell_count, guard

    n = _check_size(n)
    if max_block is not None:
        max_block = _check_size(max_block, "max_block")
    if max_block is None or max_block >= n:
        guard("n", bell_count(n, MAX_SET_PARTITIONS), MAX_SET_PARTITIONS, shown=n,
              limit_name="MAX_SET_PARTITIONS (Bell(n) partitions)",
              route="bell_number(n) for the count, or a formula that sums over integer "
                    "partitions (cumulant_formula) instead of listing set partitions")
    return _set_partitions(n, max_block)


@lru_cache(maxsize=64)
def _set_partitions(n, max_block):
    mb = n if max_block is None else max(1, min(max_block, n))
    return tuple(_set_partitions_gen(n, mb))


def integer_partitions(n: int) -> tuple:
    """Integer partitions of ``n`` as non-increasing tuples.

    >>> integer_partitions(4)
    ((4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1))
    """
    from .._limits import MAX_FORMULA_TERMS, guard, partition_count

    n = _check_size(n)
    guard("n", partition_count(n, 25 * MAX_FORMULA_TERMS), 25 * MAX_FORMULA_TERMS, shown=n,
          limit_name="25 * MAX_FORMULA_TERMS (integer partitions of n)",
          route="numeric moment/cumulant conversion, which needs no partition list")
    return _integer_partitions(n)


@lru_cache(maxsize=256)
def _integer_partitions(n):
    out = []

    def rec(remaining, largest, prefix):
        if remaining == 0:
            out.append(tuple(prefix))
            return
        for part in range(min(remaining, largest), 0, -1):
            prefix.append(part)
            rec(remaining - part, part, prefix)
            prefix.pop()

    rec(n, n, [])
    return tuple(out)


def partition_multiplicity(parts) -> int:
    """Number of set partitions of ``sum(parts)`` whose block sizes are ``parts``.

    ``n! / (prod lambda_i! * prod m_j!)`` with ``m_j`` the multiplicity of size ``j``.

    >>> partition_multiplicity((2, 2)), partition_multiplicity((2, 1, 1))
    (3, 6)
    """
    from ..errors import bad_argument

    try:
        parts = tuple(parts)
    except TypeError:
        raise bad_argument("parts", parts, "a sequence of positive integers (block sizes)") from None
    for p in parts:
        if isinstance(p, bool) or not isinstance(p, int) or p < 1:
            raise bad_argument("parts", parts, "a sequence of positive integers (block sizes)")
    n = _check_size(sum(parts), "sum(parts)")
    denom = 1
    counts: dict[int, int] = {}
    for p in parts:
        denom *= factorial(p)
        counts[p] = counts.get(p, 0) + 1
    for c in counts.values():
        denom *= factorial(c)
    return factorial(n) // denom


def bell_number(n: int) -> int:
    """The Bell number ``B_n`` (number of set partitions of n elements).

    >>> [bell_number(k) for k in range(8)]
    [1, 1, 2, 5, 15, 52, 203, 877]
    """
    return _bell_number(_check_size(n))


@lru_cache(maxsize=None)
def _bell_number(n):
    # Bell triangle.
    row = [1]
    for _ in range(n):
        new = [row[-1]]
        for v in row:
            new.append(new[-1] + v)
        row = new
    return row[0]


def connected_partitions(group_sizes: tuple, max_block: int | None = None) -> tuple:
    """Set partitions of the atoms that are connected relative to the groups.

    The atoms ``0..N-1`` are laid out group after group (``group_sizes`` gives
    the size of each group).  A partition ``pi`` is kept when ``pi v sigma = 1``,
    i.e. the graph joining groups that share a block of ``pi`` is connected
    (Leonov & Shiryaev 1959; McCullagh 1987, ch. 3).

    >>> len(connected_partitions((2, 2))), len(connected_partitions((2, 2, 2)))
    (11, 129)
    """
    from ..errors import bad_argument

    try:
        sizes = tuple(group_sizes)
    except TypeError:
        raise bad_argument("group_sizes", group_sizes, "a tuple of positive integers") from None
    if not sizes or any(isinstance(g, bool) or not isinstance(g, int) or g < 1 for g in sizes):
        raise bad_argument("group_sizes", group_sizes, "a non-empty tuple of positive integers")
    _check_size(sum(sizes), "sum(group_sizes)")
    if max_block is not None:
        max_block = _check_size(max_block, "max_block")
    set_partitions(sum(sizes), max_block)  # refuses sizes beyond the partition limit
    return _connected_partitions(sizes, max_block)


@lru_cache(maxsize=512)
def _connected_partitions(group_sizes, max_block):
    group_of = []
    for g, size in enumerate(group_sizes):
        group_of.extend([g] * size)
    n_groups = len(group_sizes)
    n = len(group_of)
    kept = []
    for part in _set_partitions(n, max_block):
        parent = list(range(n_groups))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        comps = n_groups
        for block in part:
            root = find(group_of[block[0]])
            for atom in block[1:]:
                other = find(group_of[atom])
                if other != root:
                    parent[other] = root
                    comps -= 1
        if comps == 1:
            kept.append(part)
    return tuple(kept)
