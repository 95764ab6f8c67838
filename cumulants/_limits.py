"""Cost limits of the public entry points, in one place, with the reasoning.

Every public function estimates the work a request implies (partition counts, tensor
entries, surrogate degrees, array sizes) *before* doing it and refuses with
:class:`~cumulants.errors.OrderTooHighError` when the estimate exceeds a limit below, naming
the limit and a cheaper route.  The limits are generous: each allows what a researcher does
on a laptop in seconds to a minute, and refuses what would take hours or exhaust memory.
Change them here (and only here); :func:`guard` is the one helper that enforces them.

The numbers were chosen from timings on one core of a 2020s laptop-class CPU:

* ``MAX_ORDER = 1000``: univariate cumulant sequences (moment <-> cumulant conversion is
  O(n^2) exact operations; order 1000 takes seconds).  Orders of 10^6 are never real work.
* ``MAX_FORMULA_TERMS = 40_000``: the general formula of order ``n`` has one term per integer
  partition of ``n``; p(30) = 5604 takes 0.5 s, p(40) = 37338 a few seconds, p(80) = 1.6e7
  never finishes.  Cheaper route: numeric values (``cumulants_from_moments``).
* ``MAX_SET_PARTITIONS = 200_000``: enumerating set partitions of ``n`` costs Bell(n);
  Bell(10) = 115975 takes under a second, Bell(12) = 4.2e6 a minute and gigabytes.
* ``MAX_TENSOR_ENTRIES = 10**7``: a dense order-``n`` cumulant tensor of dimension ``d``
  has ``d**n`` entries (80 MB of floats at the limit; object arrays of sympy values are ~10x
  bigger).  Cheaper route: the packed/independent storage, a lower order, or a narrower layer.
* ``MAX_KSTAT_WORK = 5 * 10**9``: joint k-statistics of order ``n`` on ``N`` samples of
  dimension ``d`` cost about Bell(n) * C(d+n-1, n) * N elementary operations (order 8 on
  500 x 3 samples: 9e7, 0.8 s; order 12: 8e11, hours).
* ``MAX_SURROGATE_DEGREE = {"hermite": 128, "taylor": 12}``: the orthonormal Hermite
  projection is stable at any degree, and propagating ReLU through its surrogate of N(0, 1)
  at order 2 takes 0.1 s at degree 100 and 0.5 s at degree 200; higher orders multiply the
  degree (order n needs input order n * degree), so beyond 128 the estimate of the
  surrogate's error rarely stays finite; the exact Taylor surrogate takes
  2 s at degree 8, 15 s at degree 12 and 3 minutes at degree 16 (its rational coefficients
  grow fast).  Cheaper route: the Gaussian closure (``method="gaussian"``).
* ``MAX_LAW_CLASS_ORDER = 64``: the highest moment or cumulant order a
  :class:`cumulants.bounds.LawClass` may constrain; the moment-cone programme needs Hankel
  and localising matrices of half that size and the exact re-evaluation cumulants of that
  order, so orders beyond a few dozen are neither solvable to solver tolerance nor useful.
  Cheaper route: constrain the low orders only.
* ``MAX_QUADRATURE_PANELS = 10**5``: Gauss-Legendre panels of the Gaussian closure; their
  number grows with the input's standard deviation (sigma = 1e6 asked for 2.4e7 panels and
  12 GB).  Cheaper route: a polynomial surrogate (``method="hermite"``).
* ``MAX_DPS = 10_000``: working precision (decimal digits) of mpmath/evalf.
* ``MAX_DIM = 10**6``: dimensions, widths and block sizes given as integers (an i.i.d.
  state stores ``dim * order`` values; a million sites is far beyond any lattice we flow).
* ``MAX_ARRAY_ENTRIES = 2 * 10**8``: arrays the library allocates from a size argument
  (samples, adjacency matrices, weight matrices): 1.6 GB of float64.

>>> from cumulants._limits import guard, MAX_ORDER
>>> guard("order", 10, MAX_ORDER, route="a lower order")
>>> guard("order", 10**9, MAX_ORDER, route="a lower order")
Traceback (most recent call last):
...
cumulants.errors.OrderTooHighError: order=1000000000 exceeds the limit 1000 (cumulants._limits.MAX_ORDER); use a lower order
"""

from __future__ import annotations

from math import comb

from .errors import OrderTooHighError

__all__ = [
    "MAX_ORDER",
    "MAX_LAW_CLASS_ORDER",
    "MAX_FORMULA_TERMS",
    "MAX_SET_PARTITIONS",
    "MAX_TENSOR_ENTRIES",
    "MAX_KSTAT_WORK",
    "MAX_SURROGATE_DEGREE",
    "MAX_DPS",
    "MAX_QUADRATURE_PANELS",
    "MAX_ARRAY_ENTRIES",
    "MAX_DIM",
    "guard",
    "guard_tensor",
    "partition_count",
    "bell_count",
    "multiset_count",
]

MAX_ORDER = 1000
MAX_FORMULA_TERMS = 40_000
MAX_SET_PARTITIONS = 200_000
MAX_TENSOR_ENTRIES = 10**7
MAX_KSTAT_WORK = 5 * 10**9
MAX_SURROGATE_DEGREE = {"hermite": 128, "taylor": 12}
MAX_DPS = 10_000
MAX_LAW_CLASS_ORDER = 64
MAX_QUADRATURE_PANELS = 10**5
MAX_ARRAY_ENTRIES = 2 * 10**8
MAX_DIM = 10**6

_NAMES = {id(v): k for k, v in list(globals().items()) if k.startswith("MAX_") and isinstance(v, int)}


def guard(what: str, estimate, limit: int, *, route: str, shown=None, limit_name=None) -> None:
    """Refuse with :class:`OrderTooHighError` when ``estimate`` exceeds ``limit``.

    ``what`` names the argument (or the quantity), ``shown`` the value the user passed (default
    ``estimate``), ``route`` the cheaper alternative.
    """
    if estimate <= limit:
        return
    name = limit_name or _NAMES.get(id(limit))
    where = f" (cumulants._limits.{name})" if name else ""
    value = estimate if shown is None else shown
    text = _short(value) if isinstance(value, int) and value > 10**15 else repr(value)
    raise OrderTooHighError(f"{what}={text} exceeds the limit {limit}{where}; use {route}")


def _short(value: int) -> str:
    """A huge count in scientific notation (never str() of a thousands-digit integer).

    >>> _short(10**4000 * 3)
    '3.00e4000'
    """
    e = int(value.bit_length() * 0.30102999566398120) - 1
    m = value / 10**e
    while m >= 10:
        m, e = m / 10, e + 1
    return f"{m:.2f}e{e}"


def guard_tensor(what: str, entries: int, *, route: str) -> None:
    """The one guard of dense and packed cumulant tensors (``entries`` values allocated).

    Layers and states call this before allocating; a faster route (e.g. a contraction that
    never forms the tensor) can skip it.
    """
    guard(what, entries, MAX_TENSOR_ENTRIES, route=route, limit_name="MAX_TENSOR_ENTRIES")


def partition_count(n: int, cap: int = 10**12) -> int:
    """Number of integer partitions p(n) (stops early once it exceeds ``cap``).

    >>> partition_count(5), partition_count(30)
    (7, 5604)
    """
    if n > 10_000:
        return cap + 1
    p = [1] + [0] * n
    for k in range(1, n + 1):
        for m in range(k, n + 1):
            p[m] += p[m - k]
    return p[n]


def bell_count(n: int, cap: int = 10**12) -> int:
    """Bell number B(n) by the Bell triangle, or ``cap + 1`` once it exceeds ``cap``.

    >>> bell_count(5), bell_count(10)
    (52, 115975)
    """
    row = [1]
    for _ in range(n - 1 if n > 0 else 0):
        new = [row[-1]]
        for v in row:
            new.append(new[-1] + v)
        row = new
        if row[0] > cap:
            return cap + 1
    return row[-1] if n > 0 else 1


def multiset_count(dim: int, n: int) -> int:
    """Number of multisets of size ``n`` from ``dim`` indices, C(dim + n - 1, n)."""
    return comb(dim + n - 1, n)
