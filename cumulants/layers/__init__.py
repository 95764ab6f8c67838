"""Analytic layers: dense, activations, message passing and networks."""

from .activations import Identity, Polynomial, Quadratic
from .base import Layer
from .contraction import contraction_cumulants, group_cumulants, route_costs
from .dense import Dense
from .message_passing import (
    MessagePassing,
    chain_graph,
    grid_graph,
    normalise_adjacency,
    ring_graph,
)
from .network import Network
from .nonpolynomial import (
    GELU,
    Activation,
    Erf,
    Exp,
    Heaviside,
    ReLU,
    Sigmoid,
    Sin,
    Tanh,
    UnitPolynomial,
)

__all__ = [
    "Layer",
    "Dense",
    "Identity",
    "Polynomial",
    "Quadratic",
    "MessagePassing",
    "Network",
    "contraction_cumulants",
    "group_cumulants",
    "route_costs",
    "chain_graph",
    "ring_graph",
    "grid_graph",
    "normalise_adjacency",
    "Activation",
    "UnitPolynomial",
    "ReLU",
    "Tanh",
    "Erf",
    "GELU",
    "Sigmoid",
    "Heaviside",
    "Sin",
    "Exp",
]
