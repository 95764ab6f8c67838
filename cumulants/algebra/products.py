r"""Joint cumulants of products of random variables (Leonov--Shiryaev).

Group atoms :math:`X_1..X_N` into factors :math:`Y_j = \prod_{a\in S_j} X_a`.
Then (Leonov & Shiryaev 1959; McCullagh 1987, ch. 3; docs/formulas.md §1.5)

.. math::

    \kappa(Y_1,\dots,Y_m) = \sum_{\pi\vee\sigma = \hat 1}\ \prod_{B\in\pi}\kappa(X_B),

the sum running over the set partitions :math:`\pi` of the atoms that connect
all the factors.  For Gaussian states only blocks of size one and two survive,
so the enumeration is restricted to them (connected pairings, i.e. diagrams).
"""

from __future__ import annotations

import numpy as np
import sympy

from ..errors import InsufficientOrderError, ShapeMismatchError, bad_argument
from .partitions import connected_partitions

__all__ = ["cumulant_of_products"]


def _validate_groups(groups, dim):
    if isinstance(groups, (str, bytes)):
        raise bad_argument("groups", groups, "a sequence of index tuples such as [(0, 1), (2,)]",
                           ShapeMismatchError)
    try:
        out = [tuple(g) if not isinstance(g, (int, np.integer)) else (g,) for g in groups]
    except TypeError:
        raise bad_argument("groups", groups, "a sequence of index tuples such as [(0, 1), (2,)]",
                           ShapeMismatchError) from None
    if not out or any(len(g) == 0 for g in out):
        raise bad_argument("groups", groups, "non-empty groups, e.g. [(0, 1), (2,)]",
                           ShapeMismatchError)
    for g in out:
        for i in g:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < dim:
                raise bad_argument("groups", groups,
                                   f"component indices in [0, {dim - 1}]", ShapeMismatchError)
    return out


def cumulant_of_products(state, groups):
    """Joint cumulant of the products ``prod_{i in g} x_i`` for each group ``g``.

    ``groups=[(0, 1), (2,)]`` is :math:`\\kappa(x_0 x_1, x_2)`; repeated indices
    are powers: ``[(0, 0)]`` is :math:`\\kappa_1(x_0^2) = E[x_0^2]` and ``[(0, 0), (0, 0)]`` is :math:`\\mathrm{Var}(x_0^2)`.

    >>> from cumulants.state import Cumulants
    >>> z = Cumulants.gaussian([1], [[1]], order=2)      # z ~ N(1, 1)
    >>> cumulant_of_products(z, [(0, 0), (0, 0)])          # Var(z^2) = 2 + 4
    6
    >>> k = Cumulants.symbolic(1, 4)
    >>> cumulant_of_products(k, [(0, 0), (0, 0)])          # docs/formulas.md §1.5
    4*kappa_1**2*kappa_2 + 4*kappa_1*kappa_3 + 2*kappa_2**2 + kappa_4
    """
    from ..state import Cumulants

    if not isinstance(state, Cumulants):
        raise bad_argument("state", state, "a cumulants.Cumulants state")
    groups = _validate_groups(groups, state.dim)
    atoms = [i for g in groups for i in g]
    sizes = tuple(len(g) for g in groups)
    n_atoms = len(atoms)
    max_block = state.zero_above if state.zero_above is not None else None
    if max_block is None and n_atoms > state.order and not state.known_to(n_atoms):
        raise InsufficientOrderError(
            f"kappa of products with {n_atoms} atoms needs input cumulants up to order {n_atoms}, "
            f"but the state holds order {state.order}; build it with order >= {n_atoms}")
    independent = state.is_independent
    cache: dict = {}
    total = 0
    for part in connected_partitions(sizes, max_block):
        term = 1
        for block in part:
            idx = tuple(sorted(atoms[a] for a in block))
            if independent and idx[0] != idx[-1]:
                term = 0
                break
            if idx not in cache:
                cache[idx] = state[idx]
            term = term * cache[idx]
            if isinstance(term, (int, float)) and term == 0:
                break
        total = total + term
    if state.domain == "exact":
        return sympy.expand(sympy.sympify(total))
    return total

