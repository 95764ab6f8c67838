"""Numpy training backend: MLP and GNN models, weight constraints, Adam, RG data sets.

Small networks learn the real-space RG block step; their trained weights become a
:class:`cumulants.layers.Network` (:meth:`MLP.to_network`) whose output cumulants the
closed forms predict.

>>> import numpy as np
>>> from cumulants import nn
>>> X, Y = nn.block_dataset(lambda size, rng: rng.normal(size=size), 2, 256, 0)
>>> net = nn.MLP([2, 1], "identity", seed=0)
>>> hist = net.fit(X, Y, epochs=200, batch_size=32, lr=0.05)
>>> bool(net.loss(X, Y) < 1e-6)
True
"""

from . import graphs, optim
from .activations import activation
from .base import History, Model
from .data import block_dataset, block_spin, rg_dataset
from .gnn import GNN
from .graphs import Graph, adjacency_matrix, chain, grid, normalise, ring
from .mlp import MLP
from .optim import SGD, Adam

__all__ = [
    "MLP",
    "GNN",
    "Model",
    "History",
    "Adam",
    "SGD",
    "activation",
    "rg_dataset",
    "block_dataset",
    "block_spin",
    "Graph",
    "adjacency_matrix",
    "chain",
    "ring",
    "grid",
    "normalise",
    "graphs",
    "optim",
    "from_dict",
]


def from_dict(d):
    """Rebuild an :class:`MLP` or :class:`GNN` from its ``to_dict()`` output.

    >>> net = MLP([1, 1], "identity", seed=3)
    >>> from_dict(net.to_dict()).weights()[0] == net.weights()[0]
    array([[ True]])
    """
    from ..errors import InvalidParameterError, bad_argument

    kind = d.get("model") if isinstance(d, dict) else None
    if kind == "MLP":
        return MLP.from_dict(d)
    if kind == "GNN":
        return GNN.from_dict(d)
    raise bad_argument("d", kind, "a dict with model='MLP' or model='GNN'",
                       cls=InvalidParameterError)
