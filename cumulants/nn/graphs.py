"""Lattice graphs for message passing: chains, rings, grids, adjacency normalisation, blocks.

Nodes of a lattice with shape ``sites`` are numbered row-major (``node = r * M + c`` on an
``L x M`` grid), the same flattening as :func:`cumulants.nn.data.rg_dataset`, so a graph,
a data set and a block-spin read-out agree on which node is which site.

The lattices are the networkx generators' graphs (``path_graph``, ``cycle_graph``,
``grid_2d_graph``): :meth:`Graph.to_networkx` returns them, and a ``networkx.Graph`` (or a
scipy sparse matrix) is accepted wherever an adjacency matrix is (:func:`adjacency_matrix`;
node ``i`` is ``list(G.nodes)[i]``).

>>> g = ring(4)
>>> g
ring(4)
>>> g.adjacency
array([[0., 1., 0., 1.],
       [1., 0., 1., 0.],
       [0., 1., 0., 1.],
       [1., 0., 1., 0.]])
>>> blocks(4, 2)
array([[0, 1],
       [2, 3]])
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InvalidParameterError, MethodUnavailableError, ShapeMismatchError, bad_argument

__all__ = ["Graph", "chain", "ring", "grid", "normalise", "blocks", "lattice_shape",
           "adjacency_matrix", "NORMALISATIONS"]

#: Modes understood by :func:`normalise`.
NORMALISATIONS = ("none", "mean", "symmetric")


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise bad_argument(name, value, "a positive integer", cls=InvalidParameterError)
    return int(value)


def _guard_entries(name, shown, entries, route):
    from .._limits import MAX_ARRAY_ENTRIES, guard

    guard(name, entries, MAX_ARRAY_ENTRIES, shown=shown, route=route,
          limit_name="MAX_ARRAY_ENTRIES")


def lattice_shape(name, sites) -> tuple:
    """Validate a lattice shape: an int ``n`` (1-D) or a pair ``(L, M)`` (2-D), as a tuple.

    >>> lattice_shape("sites", 8), lattice_shape("sites", (2, 3))
    ((8,), (2, 3))
    """
    if isinstance(sites, numbers.Integral) and not isinstance(sites, bool):
        return (_positive_int(name, sites),)
    try:
        shape = tuple(sites)
    except TypeError:
        raise bad_argument(name, sites, "a positive integer or a pair (L, M) of them",
                           cls=ShapeMismatchError) from None
    if len(shape) not in (1, 2) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in shape
    ):
        raise bad_argument(name, sites, "a positive integer or a pair (L, M) of them",
                           cls=ShapeMismatchError)
    return tuple(int(s) for s in shape)


def _is_networkx(obj):
    return any(c.__module__.startswith("networkx.") for c in type(obj).__mro__)


def _is_scipy_sparse(obj):
    return type(obj).__module__.startswith("scipy.sparse")


def adjacency_matrix(graph, *, weight="weight", name="adjacency"):
    """The adjacency matrix of a ``networkx`` graph, a scipy sparse matrix or an array.

    For a networkx graph ``G`` node ``i`` is ``list(G.nodes)[i]`` and entry ``[i, j]`` is
    the weight of edge ``(i, j)`` (the edge attribute ``weight``, 1 when absent; parallel
    edges of a multigraph add up; an undirected edge fills both entries; a self-loop its
    diagonal entry once) -- the matrix of ``networkx.to_numpy_array(G)``, with integer
    weights kept as exact Python integers.  Sparse matrices are densified (scipy is needed
    only if you pass one); :class:`Graph` gives its adjacency; a square array-like is
    returned unchanged for the caller to validate, anything else is refused.

    >>> import networkx as nx
    >>> adjacency_matrix(nx.path_graph(3)).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    >>> G = nx.Graph([("a", "b", {"weight": 0.5})])
    >>> adjacency_matrix(G).tolist()
    [[0, 0.5], [0.5, 0]]
    """
    if isinstance(graph, Graph):
        return graph.adjacency
    if _is_networkx(graph):
        nodes = list(graph.nodes)
        if not nodes:
            raise bad_argument(name, graph, "a graph with at least one node", cls=ShapeMismatchError)
        index = {v: i for i, v in enumerate(nodes)}
        A = np.zeros((len(nodes), len(nodes)), dtype=object)
        A[:] = 0
        directed = graph.is_directed()
        for u, v, data in graph.edges(data=True):
            w = data.get(weight, 1) if weight is not None else 1
            if isinstance(w, bool) or not isinstance(w, numbers.Number):
                raise bad_argument(f"{name} edge ({u!r}, {v!r}) {weight}", w, "a real number")
            i, j = index[u], index[v]
            A[i, j] += w
            if not directed and i != j:
                A[j, i] += w
        if all(isinstance(a, numbers.Integral) for a in A.ravel()):
            return np.array([[int(a) for a in row] for row in A], dtype=object)
        return A
    if _is_scipy_sparse(graph):
        import scipy.sparse

        if scipy.sparse.issparse(graph):
            return graph.toarray()
    try:
        arr = np.asarray(graph, dtype=object)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise bad_argument(name, graph, "a square adjacency matrix (nested lists or an array), a "
                           "networkx graph or a scipy sparse matrix", cls=ShapeMismatchError)
    return graph


class Graph:
    """An immutable lattice graph: a 0/1 adjacency matrix and the lattice shape it lives on.

    ``adjacency[i, j] = 1`` when nodes ``i`` and ``j`` are neighbours (no self-loops).
    Build one with :func:`chain`, :func:`ring` or :func:`grid`, or from any square
    adjacency matrix, ``networkx`` graph or scipy sparse matrix (see
    :func:`adjacency_matrix`; ``sites`` then defaults to the 1-D shape ``(n,)``, or to
    ``(L, M)`` for a graph whose nodes are the tuples ``(r, c)`` of an ``L x M`` grid in
    row-major order, as ``networkx.grid_2d_graph`` makes them).

    >>> Graph([[0, 1], [1, 0]]).n_nodes
    2
    """

    __slots__ = ("_adjacency", "_sites", "_label")

    def __init__(self, adjacency, sites=None, *, label=None):
        if sites is None and _is_networkx(adjacency):
            sites = _grid_sites(list(adjacency.nodes))
        adjacency = adjacency_matrix(adjacency)
        try:
            A = np.array(adjacency, dtype=float)
        except (TypeError, ValueError):
            raise bad_argument("adjacency", adjacency, "a square real matrix") from None
        if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
            raise bad_argument("adjacency", f"<array of shape {A.shape}>",
                               "a non-empty square matrix", cls=ShapeMismatchError)
        if not np.all(np.isfinite(A)):
            raise bad_argument("adjacency", A, "finite entries")
        sites = (A.shape[0],) if sites is None else lattice_shape("sites", sites)
        if int(np.prod(sites)) != A.shape[0]:
            raise bad_argument("sites", sites, f"a lattice with {A.shape[0]} sites (the "
                               "adjacency size)", cls=ShapeMismatchError)
        A.setflags(write=False)
        object.__setattr__(self, "_adjacency", A)
        object.__setattr__(self, "_sites", sites)
        object.__setattr__(self, "_label", label)

    def __setattr__(self, key, value):
        raise AttributeError("Graph is immutable")

    def __reduce__(self):
        return (_rebuild_graph, (self._adjacency.copy(), self._sites, self._label))

    @property
    def adjacency(self) -> np.ndarray:
        """The (read-only) adjacency matrix, float64, shape ``(n_nodes, n_nodes)``."""
        return self._adjacency

    @property
    def sites(self) -> tuple:
        """The lattice shape: ``(n,)`` or ``(L, M)``."""
        return self._sites

    @property
    def n_nodes(self) -> int:
        """Number of nodes (sites) of the graph."""
        return self._adjacency.shape[0]

    def to_networkx(self):
        """The graph as a ``networkx.Graph``: nodes ``0..n-1``, or ``(r, c)`` on an ``L x M`` lattice.

        Edges carry a ``weight`` attribute when it is not 1, so
        ``Graph(g.to_networkx()) == g``; the lattices equal the networkx generators' graphs.

        >>> import networkx as nx
        >>> nx.utils.graphs_equal(grid(2, 3).to_networkx(), nx.grid_2d_graph(2, 3))
        True
        """
        import networkx as nx

        A = self._adjacency
        if not np.array_equal(A, A.T):
            raise bad_argument("adjacency", "<non-symmetric matrix>",
                               "a symmetric matrix for an undirected networkx.Graph")
        if len(self._sites) == 2:
            M = self._sites[1]
            names = [(i // M, i % M) for i in range(self.n_nodes)]
        else:
            names = list(range(self.n_nodes))
        G = nx.Graph()
        G.add_nodes_from(names)
        for i, j in zip(*np.nonzero(np.triu(A))):
            w = float(A[i, j])
            if w == 1:
                G.add_edge(names[i], names[j])
            else:
                G.add_edge(names[i], names[j], weight=w)
        return G

    def degrees(self) -> np.ndarray:
        """Row sums of the adjacency matrix."""
        return self._adjacency.sum(axis=1)

    def normalised(self, mode="symmetric") -> np.ndarray:
        """The normalised adjacency :func:`normalise` ``(self, mode)``."""
        return normalise(self, mode)

    def __repr__(self):
        if self._label is not None:
            return self._label
        return f"Graph(<{self.n_nodes} nodes>, sites={self._sites!r})"

    def __eq__(self, other):
        return (isinstance(other, Graph) and self._sites == other._sites
                and np.array_equal(self._adjacency, other._adjacency))

    def __hash__(self):
        return hash((self._sites, self._adjacency.tobytes()))


def _rebuild_graph(adjacency, sites, label):
    return Graph(adjacency, sites, label=label)


def _grid_sites(nodes):
    """``(L, M)`` when ``nodes`` are the tuples ``(r, c)`` of an L x M grid, row-major."""
    if not nodes or not all(isinstance(v, tuple) and len(v) == 2 and all(
            isinstance(t, numbers.Integral) and not isinstance(t, bool) for t in v) for v in nodes):
        return None
    L, M = max(v[0] for v in nodes) + 1, max(v[1] for v in nodes) + 1
    if nodes == [(r, c) for r in range(L) for c in range(M)]:
        return (L, M)
    return None


def _simple(G):
    """The networkx graph without self-loops (our lattices are simple graphs)."""
    import networkx as nx

    G.remove_edges_from(list(nx.selfloop_edges(G)))
    return G


def chain(n) -> Graph:
    """The open chain of ``n`` sites: ``i ~ i + 1``.

    >>> chain(3).adjacency
    array([[0., 1., 0.],
           [1., 0., 1.],
           [0., 1., 0.]])
    """
    import networkx as nx

    n = _positive_int("n", n)
    _guard_entries("n", n, n * n, "a smaller graph (the adjacency is a dense n x n array)")
    return Graph(nx.path_graph(n), (n,), label=f"chain({n})")


def ring(n) -> Graph:
    """The periodic chain of ``n`` sites: ``i ~ (i + 1) mod n`` (a simple graph).

    >>> ring(3).degrees()
    array([2., 2., 2.])
    """
    import networkx as nx

    n = _positive_int("n", n)
    _guard_entries("n", n, n * n, "a smaller graph (the adjacency is a dense n x n array)")
    return Graph(_simple(nx.cycle_graph(n)), (n,), label=f"ring({n})")


def grid(L, M, periodic=False) -> Graph:
    """The ``L x M`` square lattice with nearest-neighbour edges, nodes row-major.

    With ``periodic=True`` the lattice is a torus (a simple graph: on a side of length 2
    the two wrap-around neighbours coincide and count once).

    >>> grid(2, 3).degrees()
    array([2., 3., 2., 2., 3., 2.])
    >>> grid(3, 3, periodic=True).degrees()
    array([4., 4., 4., 4., 4., 4., 4., 4., 4.])
    """
    import networkx as nx

    L = _positive_int("L", L)
    M = _positive_int("M", M)
    _guard_entries("L * M", (L, M), (L * M) ** 2,
                   "a smaller lattice (the adjacency is a dense (L M) x (L M) array)")
    label = f"grid({L}, {M}, periodic=True)" if periodic else f"grid({L}, {M})"
    return Graph(_simple(nx.grid_2d_graph(L, M, periodic=bool(periodic))), (L, M), label=label)


def normalise(A, mode="symmetric") -> np.ndarray:
    """Normalised adjacency for message passing.

    ``"none"``: ``A``; ``"mean"``: ``D^{-1} A`` (average over neighbours; rows of isolated
    nodes stay zero); ``"symmetric"``: ``D~^{-1/2} (A + I) D~^{-1/2}`` with ``D~`` the
    degrees of ``A + I`` (the GCN propagation matrix, docs/formulas.md §3.6).

    >>> normalise(ring(4), "mean")[0]
    array([0. , 0.5, 0. , 0.5])
    >>> normalise(ring(4))[0]
    array([0.33333333, 0.33333333, 0.        , 0.33333333])
    """
    A = adjacency_matrix(A, name="A")
    try:
        A = np.array(A, dtype=float)
    except (TypeError, ValueError):
        raise bad_argument("A", A, "a square real matrix or a Graph") from None
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise bad_argument("A", f"<array of shape {A.shape}>", "a square matrix",
                           cls=ShapeMismatchError)
    if not np.all(np.isfinite(A)):
        raise bad_argument("A", A, "finite entries")
    if mode == "none":
        return A
    if mode == "mean":
        deg = A.sum(axis=1)
        inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg != 0)
        return A * inv[:, None]
    if mode == "symmetric":
        At = A + np.eye(A.shape[0])
        deg = At.sum(axis=1)
        if np.any(deg <= 0):
            raise bad_argument("A", A, "non-negative weights (degrees of A + I must be > 0) "
                               "for mode='symmetric'")
        s = 1.0 / np.sqrt(deg)
        return At * s[:, None] * s[None, :]
    raise bad_argument("mode", mode, f"one of {NORMALISATIONS}", cls=MethodUnavailableError)


def blocks(sites, block) -> np.ndarray:
    """Node indices of each block of a block-spin step, shape ``(n_blocks, block_size)``.

    1-D: ``sites=n``, ``block=b`` gives consecutive runs of ``b`` sites.  2-D:
    ``sites=(L, M)``, ``block=(b1, b2)`` (or ``block=b`` for ``b x b``) gives ``b1 x b2``
    rectangles; blocks are ordered
    row-major over the coarse lattice and nodes row-major inside each block.

    >>> blocks((4, 4), (2, 2))[1]
    array([2, 3, 6, 7])
    """
    sites = lattice_shape("sites", sites)
    block = lattice_shape("block", block)
    if len(block) != len(sites):
        if len(block) == 1 and len(sites) == 2:
            block = (block[0], block[0])
        else:
            raise bad_argument("block", block, f"a block of the same dimension as "
                               f"sites={sites}", cls=ShapeMismatchError)
    if any(s % b for s, b in zip(sites, block)):
        raise bad_argument("block", block, f"a block shape dividing the lattice shape "
                           f"sites={sites}", cls=ShapeMismatchError)
    if len(sites) == 1:
        return np.arange(sites[0]).reshape(sites[0] // block[0], block[0])
    L, M = sites
    b1, b2 = block
    idx = np.arange(L * M).reshape(L // b1, b1, M // b2, b2)
    return idx.transpose(0, 2, 1, 3).reshape((L // b1) * (M // b2), b1 * b2)
