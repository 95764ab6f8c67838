"""networkx graphs and scipy sparse matrices as adjacency, beside arrays.

Oracles: ``networkx.to_numpy_array`` (networkx's own reading of a graph), the explicit
loop construction of the lattices that the library used before they came from the
networkx generators, and the array route of ``MessagePassing`` (whose cumulants are
tested elsewhere against Monte Carlo).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import cumulants as cm
from cumulants.nn import graphs

nx = pytest.importorskip("networkx")


def loop_lattice(sites, periodic):
    """The lattice by explicit loops (the 0.1 construction): the independent oracle."""
    L, M = (1, sites[0]) if len(sites) == 1 else sites
    A = np.zeros((L * M, L * M))

    def link(i, j):
        if i != j:
            A[i, j] = A[j, i] = 1.0

    for r in range(L):
        for c in range(M):
            if c + 1 < M or periodic:
                link(r * M + c, r * M + (c + 1) % M)
            if r + 1 < L or periodic:
                link(r * M + c, ((r + 1) % L) * M + c)
    return A


@pytest.mark.parametrize("n", range(1, 7))
def test_chain_and_ring_equal_the_loop_construction(n):
    assert np.array_equal(graphs.chain(n).adjacency, loop_lattice((n,), False))
    assert np.array_equal(graphs.ring(n).adjacency, loop_lattice((n,), True))
    assert repr(graphs.ring(n)) == f"ring({n})"
    assert nx.utils.graphs_equal(graphs.chain(n).to_networkx(), nx.path_graph(n))


@pytest.mark.parametrize("L, M", [(1, 1), (1, 3), (2, 2), (2, 3), (3, 3), (3, 4)])
@pytest.mark.parametrize("periodic", [False, True])
def test_grid_equals_the_loop_construction(L, M, periodic):
    g = graphs.grid(L, M, periodic)
    assert np.array_equal(g.adjacency, loop_lattice((L, M), periodic))
    assert g.sites == (L, M)
    # a grid read back from networkx keeps its lattice shape and equals the original
    assert graphs.Graph(g.to_networkx()) == g
    if not periodic:
        assert nx.utils.graphs_equal(g.to_networkx(), nx.grid_2d_graph(L, M))


def test_networkx_node_order_weights_and_kinds():
    G = nx.Graph()
    G.add_nodes_from(["c", "a", "b"])            # insertion order, not sorted order
    G.add_edge("a", "b", weight=0.5)
    G.add_edge("c", "a", weight=2)
    G.add_edge("b", "b")                         # a self-loop of weight 1
    nodelist = list(G.nodes)
    assert np.array_equal(graphs.adjacency_matrix(G).astype(float),
                          nx.to_numpy_array(G, nodelist=nodelist))
    D = nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    assert np.array_equal(graphs.adjacency_matrix(D).astype(float), nx.to_numpy_array(D))
    MG = nx.MultiGraph([(0, 1), (0, 1), (1, 2)])
    assert np.array_equal(graphs.adjacency_matrix(MG).astype(float), nx.to_numpy_array(MG))
    assert graphs.adjacency_matrix(nx.path_graph(3), weight=None).tolist() == \
        [[0, 1, 0], [1, 0, 1], [0, 1, 0]]


def test_bad_graphs_are_refused():
    with pytest.raises(cm.ShapeMismatchError, match="at least one node"):
        graphs.adjacency_matrix(nx.Graph())
    G = nx.Graph([(0, 1, {"weight": "heavy"})])
    with pytest.raises(cm.InvalidParameterError, match="heavy"):
        cm.MessagePassing(G, [[1]], [[1]])


def _propagate(mp, order=3):
    x = cm.Cumulants.iid(cm.distributions.Uniform(-1, 1), mp.in_dim(), order)
    return mp.propagate(x, order)


def test_message_passing_networkx_equals_array_exactly():
    G = nx.cycle_graph(4)
    A = np.array(nx.to_numpy_array(G), dtype=int)
    half = sympy.Rational(1, 2)
    via_graph = cm.MessagePassing(G, [[1, half]], [[half, -1]], bias=[1, 0])
    via_array = cm.MessagePassing(A, [[1, half]], [[half, -1]], bias=[1, 0])
    assert via_graph.weight.dtype == object          # integer weights stay exact
    assert np.array_equal(via_graph.weight, via_array.weight)
    assert _propagate(via_graph) == _propagate(via_array)


def test_weighted_networkx_and_sparse_equal_the_array():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 0.5), (1, 2, 1.5), (2, 3, 0.25), (3, 0, 2.0)])
    A = nx.to_numpy_array(G)
    base = cm.MessagePassing(A, [[1.0]], [[0.5]])
    for adjacency in (G, scipy_sparse.csr_matrix(A), scipy_sparse.csr_array(A),
                      scipy_sparse.coo_matrix(A)):
        mp = cm.MessagePassing(adjacency, [[1.0]], [[0.5]])
        assert np.array_equal(mp.weight, base.weight)
        assert _propagate(mp) == _propagate(base)
    # integer sparse matrices stay exact, like integer arrays
    ring = graphs.ring(5).adjacency.astype(int)
    exact = cm.MessagePassing(scipy_sparse.csr_matrix(ring), [[1]], [[1]])
    assert np.array_equal(exact.weight, cm.MessagePassing(ring, [[1]], [[1]]).weight)
    assert exact.weight.dtype == object


def test_gnn_accepts_networkx_and_sparse():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X = np.random.default_rng(3).normal(size=(5, 9))
    ref = cm.nn.GNN(graphs.grid(3, 3), hidden=2, layers=1, activation="tanh", block=(3, 3),
                    seed=0)
    for g in (nx.grid_2d_graph(3, 3), scipy_sparse.csr_matrix(graphs.grid(3, 3).adjacency)):
        sites = None if not scipy_sparse.issparse(g) else (3, 3)
        net = cm.nn.GNN(graphs.Graph(g, sites) if sites else g, hidden=2, layers=1,
                        activation="tanh", block=(3, 3), seed=0)
        assert net.graph.adjacency.tolist() == ref.graph.adjacency.tolist()
        assert net.graph.sites == (3, 3)
        np.testing.assert_array_equal(net.predict(X), ref.predict(X))
