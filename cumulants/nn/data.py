"""Training data for learning the real-space RG block step (docs/formulas.md §2.2).

:func:`rg_dataset` draws lattice configurations with i.i.d. sites and pairs each with its
exact block-spin image; :func:`block_dataset` is the single-block version -- the map one
network learns and the RG flow then applies blockwise.

>>> import numpy as np
>>> class Coin:                      # any object with .sample(size, rng) will do
...     def sample(self, size, rng):
...         return rng.choice([-1.0, 1.0], size=size)
>>> X, Y = rg_dataset(Coin(), sites=4, block=2, n=3, rng=np.random.default_rng(0))
>>> X.shape, Y.shape
((3, 4), (3, 2))
>>> bool(np.allclose(Y, (X[:, 0::2] + X[:, 1::2]) / np.sqrt(2)))
True
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import InvalidParameterError, MethodUnavailableError, ShapeMismatchError, bad_argument
from .graphs import blocks, lattice_shape

__all__ = ["rg_dataset", "block_dataset", "block_spin", "NORMALISATIONS"]

#: Block normalisations: ``sum * b^{-1/2}``, the mean, the plain sum.
NORMALISATIONS = ("sqrt", "mean", "sum")


def _factor(normalisation, size):
    if normalisation == "sqrt":
        return 1.0 / math.sqrt(size)
    if normalisation == "mean":
        return 1.0 / size
    if normalisation == "sum":
        return 1.0
    raise bad_argument("normalisation", normalisation, f"one of {NORMALISATIONS}",
                       cls=MethodUnavailableError)


def _draw(dist, size, rng):
    """``size`` i.i.d. floats from ``dist`` (``.sample(size, rng)`` or a callable)."""
    if hasattr(dist, "sample"):
        values = dist.sample(size, rng)
    elif callable(dist):
        values = dist(size, rng)
    else:
        raise bad_argument("dist", dist, "an object with .sample(size, rng) or a callable "
                           "(size, rng) -> array")
    try:
        values = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise bad_argument("dist", dist, "a sampler returning real numbers") from None
    if values.size != size:
        raise bad_argument("dist", dist, f"a sampler returning {size} values, got "
                           f"{values.size}", cls=ShapeMismatchError)
    return values


def block_spin(X, sites, block, normalisation="sqrt") -> np.ndarray:
    """The exact block-spin image of configurations ``X`` (rows flattened row-major).

    Each block of ``b`` sites (1-D) or ``b1 x b2`` sites (2-D) is summed and multiplied by
    ``b_total^{-1/2}`` (``"sqrt"``), ``1 / b_total`` (``"mean"``) or 1 (``"sum"``).

    >>> block_spin(np.arange(4.0)[None, :], sites=(2, 2), block=(2, 2), normalisation="sum")
    array([[6.]])
    """
    idx = blocks(sites, block)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != idx.size:
        raise bad_argument("X", f"<array of shape {X.shape}>", f"shape (n, {idx.size})",
                           cls=ShapeMismatchError)
    return X[:, idx].sum(axis=2) * _factor(normalisation, idx.shape[1])


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise bad_argument("n", n, "a positive integer", cls=InvalidParameterError)
    return int(n)


def _generator(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise bad_argument("rng", rng, "a numpy Generator or an integer seed")


def rg_dataset(dist, sites, block, n, rng, normalisation="sqrt") -> tuple:
    """``n`` lattice configurations with i.i.d. sites and their exact block-spin images.

    Returns ``(X, Y)``: ``X`` of shape ``(n, prod(sites))`` (2-D lattices flattened
    row-major), ``Y`` of shape ``(n, n_blocks)`` from :func:`block_spin`.  ``dist`` is any
    object with ``.sample(size, rng)`` (e.g. a :mod:`cumulants.distributions` law) or a
    callable ``(size, rng) -> array``; ``rng`` a numpy Generator or a seed.  A lattice
    not divisible by the block raises :class:`~cumulants.errors.ShapeMismatchError`.

    >>> X, Y = rg_dataset(lambda size, rng: rng.normal(size=size), (4, 4), (2, 2), 5, 0)
    >>> X.shape, Y.shape
    ((5, 16), (5, 4))
    """
    from .._limits import MAX_ARRAY_ENTRIES, guard

    sites = lattice_shape("sites", sites)
    n = _check_n(n)
    n_sites = int(np.prod(sites))
    guard("n", n * n_sites, MAX_ARRAY_ENTRIES, shown=n, limit_name="MAX_ARRAY_ENTRIES",
          route="fewer samples per call (draw in batches)")
    idx = blocks(sites, block)
    factor = _factor(normalisation, idx.shape[1])
    rng = _generator(rng)
    X = _draw(dist, n * idx.size, rng).reshape(n, idx.size)
    Y = X[:, idx].sum(axis=2) * factor
    return X, Y


def block_dataset(dist, block, n, rng, normalisation="sqrt") -> tuple:
    """``n`` single blocks and their block spin: ``X`` of shape ``(n, b)``, ``Y`` ``(n, 1)``.

    ``block`` is ``b`` or ``(b1, b2)`` (then ``X`` has ``b1 * b2`` columns, row-major).

    >>> X, Y = block_dataset(lambda size, rng: rng.normal(size=size), 2, 4, 0)
    >>> bool(np.allclose(Y[:, 0], X.sum(axis=1) / np.sqrt(2)))
    True
    """
    return rg_dataset(dist, block, block, n, rng, normalisation=normalisation)
