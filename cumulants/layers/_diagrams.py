r"""Connected diagrams of a quadratic form in independent inputs.

For :math:`y = c + g\cdot\xi + \xi^T M \xi` with independent centred inputs
(:math:`\kappa_1(\xi_i) = 0`), Leonov--Shiryaev expands :math:`\kappa_n(y)` over the
connected partitions of the atoms of ``n`` factors (a linear factor has one atom,
a quadratic factor two).  With independent inputs every block of a partition is
one input index carrying :math:`\kappa_r(\xi_i)`, ``r`` its size, so a partition is
a connected multigraph: blocks are vertices, quadratic factors edges (a factor
with both atoms in one block is a loop), linear factors leaves.  Its value is the
tensor-network contraction

.. math::

    \mathrm{val}(S) = \sum_{i_v} \prod_v \kappa_{\deg v}(i_v)\, M_{i_v i_v}^{\lambda_v}
    g_{i_v}^{f_v} \prod_{e=(u,v)} M_{i_u i_v}^{m_e},

and the number of partitions with shape ``S`` is (orbit--stabiliser)

.. math::

    w(S) = \frac{n!\,2^{q}}{|\mathrm{Aut}(S)|\prod_e m_e!\prod_v \lambda_v!\,2^{\lambda_v} f_v!},

``q`` the number of quadratic factors, :math:`m_e` edge multiplicities,
:math:`\lambda_v` loops and :math:`f_v` leaves at vertex ``v``.  For Gaussian
inputs only degree-2 vertices survive: the shapes are the ``n``-cycle,
:math:`2^{n-1}(n-1)!\operatorname{tr}M^n`, and the paths,
:math:`2^{n-3}n!\,g^T M^{n-2} g` -- the closed form.  Shapes are enumerated once
per ``(n, gaussian)`` from the connected simple graphs (networkx's graph atlas)
decorated with multiplicities, loops and leaves, canonicalised under the graph's
automorphisms, and cached.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np

__all__ = ["shapes", "quadratic_cumulant", "costs", "MAX_GENERAL_ORDER"]

#: Non-Gaussian shapes use the graph atlas (connected graphs up to 7 vertices).
MAX_GENERAL_ORDER = 7


def _atlas_graphs(max_vertices):
    from itertools import islice

    import networkx as nx

    count = {1: 2, 2: 4, 3: 8, 4: 19, 5: 53, 6: 209, 7: 1253}[max_vertices]
    try:  # reads the atlas file only as far as needed
        from networkx.generators.atlas import _generate_graphs

        graphs = islice(_generate_graphs(), count)
    except ImportError:  # pragma: no cover - older or newer networkx
        graphs = nx.graph_atlas_g()[:count]
    for G in graphs:
        if G.number_of_nodes() >= 1 and nx.is_connected(G):
            yield G


def _path_cycle_graphs(n):
    """Paths and cycles ``(V, edges, automorphisms)``: the only Gaussian shapes."""
    yield 1, [], [(0,)]
    for v in range(2, n + 1):
        ident = tuple(range(v))
        yield v, [(k, k + 1) for k in range(v - 1)], [ident, ident[::-1]]
        if v >= 3:
            rots = [tuple((k + r) % v for k in range(v)) for r in range(v)]
            yield v, sorted(tuple(sorted((k, (k + 1) % v))) for k in range(v)), \
                rots + [tuple((r - k) % v for k in range(v)) for r in range(v)]


def _atlas(max_vertices):
    from networkx.algorithms.isomorphism import GraphMatcher

    for G in _atlas_graphs(max_vertices):
        V = G.number_of_nodes()
        autos = [tuple(m[v] for v in range(V)) for m in GraphMatcher(G, G).isomorphisms_iter()]
        yield V, sorted(tuple(sorted(e)) for e in G.edges()), autos


def _compositions(total, slots):
    if slots == 0:
        if total == 0:
            yield ()
        return
    if slots == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, slots - 1):
            yield (first,) + rest


@lru_cache(maxsize=None)
def shapes(n: int, gaussian: bool):
    """Connected shapes of ``kappa_n`` of a quadratic form: ``(weight, V, edges, loops, leaves)``.

    ``edges`` is a tuple of ``(u, v, multiplicity)``; ``loops`` and ``leaves`` are
    per-vertex counts.  Weights are integers (numbers of partitions).

    >>> [(w, V) for w, V, *_ in shapes(3, True)]      # path g M g and 3-cycle tr M^3
    [(6, 2), (8, 3)]
    """
    out = []
    graphs = _path_cycle_graphs(n) if gaussian else _atlas(min(n, MAX_GENERAL_ORDER))
    for V, E, autos in graphs:
        if len(E) > n or V > n:
            continue
        eindex = {e: k for k, e in enumerate(E)}
        emaps = [[eindex[tuple(sorted((s[u], s[v])))] for (u, v) in E] for s in autos]
        for q in range(len(E), n + 1):
            l = n - q
            if 2 * q + l < 2 * V or (gaussian and 2 * q + l != 2 * V):
                continue  # vertex degrees sum to 2q + l, each >= 2 (== 2 for Gaussians)
            for extra in _compositions(q - len(E), len(E) + V):
                mult = tuple(1 + x for x in extra[:len(E)])
                loops = extra[len(E):]
                for leaves in _compositions(l, V):
                    deg = [2 * loops[v] + leaves[v] for v in range(V)]
                    for (u, v), m in zip(E, mult):
                        deg[u] += m
                        deg[v] += m
                    if min(deg) < 2 or (gaussian and max(deg) > 2):
                        continue
                    deco = (mult, tuple(loops), tuple(leaves))
                    best, stab = deco, 0
                    for s, em in zip(autos, emaps):
                        # the image decoration under the vertex map s
                        m2 = [0] * len(E)
                        for k, k2 in enumerate(em):
                            m2[k2] = mult[k]
                        lo2 = [0] * V
                        le2 = [0] * V
                        for v in range(V):
                            lo2[s[v]] = loops[v]
                            le2[s[v]] = leaves[v]
                        img = (tuple(m2), tuple(lo2), tuple(le2))
                        if img == deco:
                            stab += 1
                        if img < best:
                            best = img
                    if best != deco:
                        continue  # not the canonical representative of its class
                    denom = stab
                    for m in mult:
                        denom *= factorial(m)
                    for v in range(V):
                        denom *= factorial(loops[v]) * 2 ** loops[v] * factorial(leaves[v])
                    num = factorial(n) * 2 ** q
                    assert num % denom == 0
                    out.append((num // denom, V, tuple((u, v, m) for (u, v), m in zip(E, mult)),
                                tuple(loops), tuple(leaves)))
    return tuple(out)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_PATHS: dict = {}


def _plan(subs, operands):
    """Pairwise contraction steps of an einsum, from ``numpy.einsum_path`` (cached)."""
    path = np.einsum_path(subs, *operands, optimize="greedy")[0][1:]
    inputs, output = subs.split("->")
    terms = inputs.split(",")
    steps = []
    for pos in path:
        pos = sorted(pos, reverse=True)
        taken = [terms.pop(p) for p in pos]
        rest = set("".join(terms)) | set(output)
        result = "".join(sorted(set("".join(taken)) & rest))
        steps.append((tuple(pos), ",".join(taken) + "->" + result))
        terms.append(result)
    return steps


def _einsum(subs, operands):
    if len(operands) <= 2:
        return np.einsum(subs, *operands)
    key = (subs, tuple(o.shape for o in operands))
    plan = _PATHS.get(key)
    if plan is None:
        plan = _PATHS[key] = _plan(subs, operands)
    ops = list(operands)
    for pos, step in plan:
        taken = [ops.pop(p) for p in pos]
        ops.append(_pairwise(step, taken))
    return ops[0]


def _pairwise(step, ops):
    """One contraction step; pure contractions of two float operands go to BLAS."""
    ins, out = step.split("->")
    terms = ins.split(",")
    if len(ops) != 2 or ops[0].dtype == object or ops[1].dtype == object:
        return np.einsum(step, *ops)
    (x, y), (a, b) = terms, ops
    if len(x) == 1 and x in y and out == y:  # a vertex weight on one axis
        return b * a.reshape([-1 if i == x else 1 for i in y])
    if len(y) == 1 and y in x and out == x:
        return a * b.reshape([-1 if i == y else 1 for i in x])
    if len(x) <= 2 and len(y) <= 2 and len(out) <= 2:
        con = [i for i in x if i in y]
        if len(con) == 1 and not (set(x) & set(y) & set(out)) and \
                len(set(x)) == len(x) and len(set(y)) == len(y) and \
                set(x) | set(y) == set(out) | set(con):
            c = con[0]
            a2 = a if x[-1] == c else a.T
            b2 = b if y[0] == c else b.T
            res = a2 @ b2
            order = [i for i in x if i != c] + [i for i in y if i != c]
            return res if "".join(order) == out else res.T
    shared = set(x) & set(y)
    if shared & set(out) or len(set(x)) < len(x) or len(set(y)) < len(y):
        return np.einsum(step, a, b)
    for idx in [i for i in x if i not in y and i not in out]:
        a = a.sum(axis=x.index(idx))
        x = x.replace(idx, "")
    for idx in [i for i in y if i not in x and i not in out]:
        b = b.sum(axis=y.index(idx))
        y = y.replace(idx, "")
    con = [i for i in x if i in y]
    res = np.tensordot(a, b, axes=([x.index(i) for i in con], [y.index(i) for i in con]))
    order = [i for i in x if i not in con] + [i for i in y if i not in con]
    return res if "".join(order) == out else np.transpose(res, [order.index(i) for i in out])


def quadratic_cumulant(n, c, g, M, kappa, gaussian, one):
    """``kappa_n`` of ``c + g.xi + xi^T M xi``; ``kappa[r]`` is the vector of ``kappa_r(xi_i)``.

    ``M`` must be symmetric.  ``one`` is the unit of the number system (``1``,
    ``1.0`` or an mpmath ``mpf``).
    """
    obj = M.dtype == object
    diag = np.diagonal(M).copy() if not obj else np.array([M[i, i] for i in range(M.shape[0])],
                                                            dtype=object)
    if n == 1:
        return c + (diag * kappa[2]).sum() if not obj else c + sum((diag * kappa[2]).tolist(), 0)
    hadamard = {1: M}
    total = 0 * one
    linear = not any(v != 0 for v in M.ravel()) if obj else not M.any()
    for weight, V, edges, loops, leaves in shapes(n, gaussian):
        if linear and (edges or any(loops)):
            continue  # a linear map: every shape with a quadratic factor vanishes
        weights = []
        for v in range(V):
            deg = 2 * loops[v] + leaves[v] + sum(m for a, b, m in edges if v in (a, b))
            w = kappa[deg]
            if loops[v]:
                w = w * diag ** loops[v]
            if leaves[v]:
                w = w * g ** leaves[v]
            weights.append(w)
        ops, subs, folded = [], [], set()
        for a, b, m in edges:
            if m not in hadamard:
                hadamard[m] = M ** m
            E = hadamard[m]
            # fold the vertex weights into the first edge at each vertex (fewer operands)
            if a not in folded:
                E = weights[a][:, None] * E
                folded.add(a)
            if b not in folded:
                E = E * weights[b][None, :]
                folded.add(b)
            ops.append(E)
            subs.append(_LETTERS[a] + _LETTERS[b])
        for v in range(V):
            if v not in folded:
                ops.append(weights[v])
                subs.append(_LETTERS[v])
        val = _einsum(",".join(subs) + "->", ops)
        total = total + weight * val
    return total


def costs(n, gaussian, d):
    """Rough operation count of :func:`quadratic_cumulant` (for the route cost model)."""
    total = 0
    for _w, V, edges, _l, _f in shapes(n, gaussian):
        total += d ** min(V, 3) + len(edges) * d * d
    return total

