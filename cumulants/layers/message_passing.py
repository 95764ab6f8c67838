r"""Message-passing (GNN) layers as affine Kronecker maps.

On node features :math:`h` (``nodes x features``) a message-passing layer is

.. math::  h' = h W_\mathrm{self} + A h W_\mathrm{neigh} + b,

i.e. on the node-major stacked vector (index ``node * features + feature``)
the affine map :math:`I\otimes W_\mathrm{self}^T + A\otimes W_\mathrm{neigh}^T`
(docs/formulas.md §3.6).  Cumulants therefore propagate exactly through it as through
any :class:`~cumulants.layers.dense.Dense` layer; nodes with shared neighbours
acquire cross-cumulants of every order.
"""

from __future__ import annotations

import numpy as np
import sympy

from ..errors import InvalidParameterError, ShapeMismatchError, bad_argument
from .dense import Dense, as_weight_matrix

__all__ = ["MessagePassing", "normalise_adjacency", "chain_graph", "ring_graph", "grid_graph"]


def _kron(a, b):
    if a.dtype == object or b.dtype == object:
        out = np.empty((a.shape[0] * b.shape[0], a.shape[1] * b.shape[1]), dtype=object)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i * b.shape[0]:(i + 1) * b.shape[0], j * b.shape[1]:(j + 1) * b.shape[1]] = a[i, j] * b
        return out
    return np.kron(a, b)


class MessagePassing(Dense):
    """``h' = h W_self + A h W_neigh + b`` on node features, as an exact affine layer.

    ``adjacency`` is a ``(nodes, nodes)`` array, a ``networkx`` graph (weighted or not;
    node ``i`` is ``list(G.nodes)[i]``) or a scipy sparse matrix (see
    :func:`cumulants.nn.graphs.adjacency_matrix`; integer weights stay exact);
    ``self_weight`` and ``neighbour_weight`` are ``(f_in, f_out)``; ``bias`` is
    ``(f_out,)``.  States and samples use the node-major flattening
    ``index = node * f + feature``.

    >>> A = ring_graph(3)
    >>> mp = MessagePassing(A, [[1]], [[1]])
    >>> mp.weight.tolist()
    [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    >>> import networkx as nx
    >>> MessagePassing(nx.cycle_graph(3), [[1]], [[1]]).weight.tolist()
    [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    """

    def __init__(self, adjacency, self_weight, neighbour_weight, bias=None):
        from ..nn.graphs import adjacency_matrix

        A = as_weight_matrix(adjacency_matrix(adjacency), "adjacency")
        if A.shape[0] != A.shape[1]:
            raise ShapeMismatchError(f"adjacency has shape {A.shape}; it must be square (nodes, nodes)")
        Ws = as_weight_matrix(self_weight, "self_weight")
        Wn = as_weight_matrix(neighbour_weight, "neighbour_weight")
        if Ws.shape != Wn.shape:
            raise ShapeMismatchError(
                f"self_weight {Ws.shape} and neighbour_weight {Wn.shape} must have the same shape (f_in, f_out)")
        nodes = A.shape[0]
        eye = np.eye(nodes) if A.dtype != object else \
            np.array([[sympy.Integer(int(i == j)) for j in range(nodes)] for i in range(nodes)], dtype=object)
        W = _kron(eye.astype(Ws.dtype) if Ws.dtype != object else eye, Ws.T) + _kron(A, Wn.T)
        b = None
        if bias is not None:
            bb = np.asarray(bias, dtype=object).reshape(-1)
            if bb.shape[0] != Ws.shape[1]:
                raise ShapeMismatchError(f"bias has length {bb.shape[0]}; expected f_out={Ws.shape[1]}")
            b = np.tile(bb, nodes)
        super().__init__(W, b)
        self.adjacency = A
        self.self_weight = Ws
        self.neighbour_weight = Wn
        self.nodes = nodes
        self.features_in, self.features_out = Ws.shape

    def __repr__(self):
        return (f"MessagePassing(adjacency={self.adjacency.tolist()!r}, "
                f"self_weight={self.self_weight.tolist()!r}, "
                f"neighbour_weight={self.neighbour_weight.tolist()!r})")


def chain_graph(n: int) -> np.ndarray:
    """Adjacency (0/1 integers, so exact downstream) of an open chain of ``n`` nodes.

    >>> chain_graph(3).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    from ..nn.graphs import chain

    return chain(n).adjacency.astype(int)


def ring_graph(n: int) -> np.ndarray:
    """Adjacency of a ring (periodic chain) of ``n`` nodes (see :func:`cumulants.nn.graphs.ring`)."""
    from ..nn.graphs import ring

    return ring(n).adjacency.astype(int)


def grid_graph(rows: int, cols: int, periodic: bool = False) -> np.ndarray:
    """Adjacency of a ``rows x cols`` square grid, row-major (see :func:`cumulants.nn.graphs.grid`)."""
    from ..nn.graphs import grid

    return grid(rows, cols, periodic).adjacency.astype(int)


def normalise_adjacency(A, mode: str = "symmetric"):
    """Normalised adjacency: ``"none"``, ``"mean"`` (row-stochastic) or ``"symmetric"``.

    ``"symmetric"`` is the GCN operator :math:`\\tilde D^{-1/2}(A+I)\\tilde D^{-1/2}`.
    Integer input gives exact sympy entries.
    """
    arr = as_weight_matrix(A, "A")
    if arr.shape[0] != arr.shape[1]:
        raise ShapeMismatchError(f"A has shape {arr.shape}; it must be square")
    n = arr.shape[0]
    if not isinstance(mode, str):
        raise bad_argument("mode", mode, "'none', 'mean' or 'symmetric'", InvalidParameterError)
    if mode == "none":
        return arr
    exact = arr.dtype == object
    if mode == "mean":
        out = arr.copy()
        for i in range(n):
            s = sum(arr[i]) if exact else arr[i].sum()
            if bool(s < 0) if not isinstance(s, sympy.Basic) else s.is_negative:
                raise bad_argument("A", f"matrix whose row {i} sums to {s}", "non-negative "
                                   "edge weights (mean normalisation divides by the row sum)")
            if s != 0:
                out[i] = arr[i] / s if not exact else np.array([v / s for v in arr[i]], dtype=object)
        return out
    if mode == "symmetric":
        At = arr + (np.eye(n, dtype=int) if exact else np.eye(n))
        deg = [sum(At[i]) for i in range(n)]
        for i, d in enumerate(deg):
            positive = bool(d > 0) if not isinstance(d, sympy.Basic) else d.is_positive
            if positive is False:
                raise bad_argument("A", f"matrix whose node {i} has degree {d} (self-loop "
                                   "included)", "non-negative edge weights, so that every degree "
                                   "of A + I is positive (the symmetric normalisation takes "
                                   "D^(-1/2))")
        if exact:
            return np.array([[At[i, j] / sympy.sqrt(deg[i] * deg[j]) for j in range(n)]
                             for i in range(n)], dtype=object)
        dinv = 1 / np.sqrt(np.asarray(deg, dtype=float))
        return At * dinv[:, None] * dinv[None, :]
    raise bad_argument("mode", mode, "'none', 'mean' or 'symmetric'", InvalidParameterError)
