"""Message-passing network on a lattice graph with a block-spin (or mean, or node) read-out.

Node features ``h`` (nodes x features) are updated ``layers`` times by

    h' = act(h W_self + A h W_neigh + b)

with ``A`` the normalised adjacency (docs/formulas.md §3.6) and ``W_self``, ``W_neigh`` of shape
``(f_in, f_out)``; the read-out is linear:

* ``"block"``: every block of the block-spin partition (see
  :func:`cumulants.nn.graphs.blocks`) is mapped by one shared ``(out_features, block_size *
  hidden)`` matrix ``R`` to ``out_features`` outputs -- the GNN maps a configuration to its
  block-spin image;
* ``"mean"``: ``y = mean_i(h_i) R^T + c``;
* ``"node"``: ``y_i = h_i R^T + c`` for every node.

Inputs are flattened node-major (``index = node * in_features + feature``); with one
input feature they are just the lattice configurations of :func:`~cumulants.nn.rg_dataset`.

>>> import numpy as np
>>> from cumulants.nn.graphs import ring
>>> net = GNN(ring(8), hidden=4, layers=1, activation="tanh", block=2, seed=0)
>>> net.predict(np.zeros((3, 8))).shape
(3, 4)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import constraints as C
from ..errors import InvalidParameterError, MethodUnavailableError, ShapeMismatchError, bad_argument
from ._spec import constraint_for
from .activations import Quadratic, activation as _activation
from .base import Model, _seed_streams
from .graphs import NORMALISATIONS, Graph, blocks as _blocks, normalise

__all__ = ["GNN", "READOUTS"]

#: Read-outs understood by :class:`GNN`.
READOUTS = ("block", "mean", "node")


def _is_spec(s):
    return (s is None or isinstance(s, (str, C.Constraint))
            or (isinstance(s, dict) and "name" in s) or callable(s))


def _nonneg_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise bad_argument(name, value, "a non-negative integer")
    return int(value)


def _apply_adjacency(A, H):
    """``A @ H[b]`` for every sample ``b`` of ``H`` (n, N, f), as one matrix product."""
    n, N, f = H.shape
    flat = H.transpose(1, 0, 2).reshape(N, n * f)
    return (A @ flat).reshape(N, n, f).transpose(1, 0, 2)


class GNN(Model):
    """A message-passing network on a lattice graph, trained with numpy.

    Parameters
    ----------
    graph : Graph, networkx graph, scipy sparse matrix or array
        The lattice graph (:func:`~cumulants.nn.graphs.chain`, ``ring``, ``grid``), a
        ``networkx`` graph (weighted or not; node ``i`` is ``list(G.nodes)[i]``, and a
        ``grid_2d_graph`` keeps its ``(L, M)`` lattice shape), a scipy sparse matrix or a
        square adjacency matrix.
    hidden : int
        Features per node after each message-passing layer.
    layers : int
        Number of message-passing layers (0 gives a linear read-out of the input).
    activation :
        As for :class:`~cumulants.nn.MLP`; applied after every message-passing layer.
    readout : {"block", "mean", "node"}
        See the module docstring; ``"block"`` needs ``block=`` (an int for 1-D lattices,
        ``(b1, b2)`` for 2-D).
    out_features : int
        Outputs per block (``"block"``), per node (``"node"``) or in total (``"mean"``).
    normalisation : {"symmetric", "mean", "none"}
        How the adjacency is normalised (:func:`~cumulants.nn.graphs.normalise`).
    constraint :
        A constraint spec for every message-passing matrix, or a dict with keys
        ``"self"``, ``"neighbour"``, ``"message"`` (both) and ``"readout"``; missing
        entries are free, and ``"self"``/``"neighbour"``/``"message"`` may hold one spec
        per layer (a list).  The read-out is free unless named.
    bias : bool or dict
        Biases of the message-passing layers and the read-out (dict keys ``"message"``,
        ``"readout"``).
    alpha, learn_alpha, seed, init_scale :
        As for :class:`~cumulants.nn.MLP`.
    """

    def __init__(self, graph, hidden=8, layers=1, activation="quadratic", *, readout="block",
                 block=None, in_features=1, out_features=1, normalisation="symmetric",
                 constraint="free", bias=True, alpha=None, learn_alpha=False, seed=None,
                 init_scale=1.0):
        self.graph = graph if isinstance(graph, Graph) else Graph(graph)
        if normalisation not in NORMALISATIONS:
            raise bad_argument("normalisation", normalisation, f"one of {NORMALISATIONS}",
                               cls=MethodUnavailableError)
        self.normalisation = normalisation
        self._A = normalise(self.graph, normalisation)
        self.hidden = _nonneg_int("hidden", hidden)
        self.layers = _nonneg_int("layers", layers)
        if self.layers and not self.hidden:
            raise bad_argument("hidden", hidden, "a positive integer when layers > 0")
        self.in_features = _nonneg_int("in_features", in_features)
        self.out_features = _nonneg_int("out_features", out_features)
        if not self.in_features or not self.out_features:
            raise bad_argument("in_features/out_features", (in_features, out_features),
                               "positive integers")
        self.activation = _activation(activation, alpha=alpha)
        if not isinstance(learn_alpha, (bool, np.bool_)):
            raise bad_argument("learn_alpha", learn_alpha, "True or False")
        if learn_alpha and not isinstance(self.activation, Quadratic):
            raise bad_argument("learn_alpha", learn_alpha,
                               f"False for activation {self.activation!r}")
        self.learn_alpha = bool(learn_alpha)
        if (isinstance(init_scale, bool) or not isinstance(init_scale, numbers.Real)
                or not math.isfinite(init_scale) or init_scale < 0):
            raise bad_argument("init_scale", init_scale, "a finite number >= 0")
        self.init_scale = float(init_scale)

        if readout not in READOUTS:
            raise bad_argument("readout", readout, f"one of {READOUTS}",
                               cls=MethodUnavailableError)
        self.readout = readout
        N = self.graph.n_nodes
        if readout == "block":
            if block is None:
                raise bad_argument("block", block, "a block shape for readout='block'",
                                   cls=ShapeMismatchError)
            self._blocks = _blocks(self.graph.sites, block)
            self.block = tuple(block) if isinstance(block, (list, tuple)) else int(block)
        else:
            if block is not None:
                raise bad_argument("block", block, f"None for readout={readout!r}")
            self._blocks = None
            self.block = None
        f_last = self.hidden if self.layers else self.in_features
        if readout == "block":
            r_shape = (self.out_features, self._blocks.shape[1] * f_last)
            self.n_outputs = self._blocks.shape[0] * self.out_features
        else:
            r_shape = (self.out_features, f_last)
            self.n_outputs = (N if readout == "node" else 1) * self.out_features
        self.n_inputs = N * self.in_features

        self._parse_constraints(constraint, r_shape)
        self._parse_bias(bias)

        init_rng, self._train_rng, self.seed = _seed_streams(seed)
        params = {}
        f_in = self.in_features
        for l in range(self.layers):
            scale = self.init_scale / math.sqrt(2 * f_in)
            params[f"mp{l}.self_theta"] = self.self_constraints[l].init(init_rng, scale)
            params[f"mp{l}.neighbour_theta"] = self.neighbour_constraints[l].init(init_rng, scale)
            if self.bias_message:
                params[f"mp{l}.bias"] = np.zeros(self.hidden)
            if self.learn_alpha:
                params[f"mp{l}.alpha"] = np.array([self.activation.alpha])
            f_in = self.hidden
        params["readout.theta"] = self.readout_constraint.init(
            init_rng, self.init_scale / math.sqrt(r_shape[1]))
        if self.bias_readout:
            params["readout.bias"] = np.zeros(self.out_features)
        self._params = params
        self._decay = frozenset(k for k in params if k.endswith("theta"))

    # -- option parsing ----------------------------------------------------------------------
    def _parse_constraints(self, spec, r_shape):
        roles = {"self": None, "neighbour": None, "readout": None}
        if isinstance(spec, dict) and "name" not in spec:
            unknown = set(spec) - {"self", "neighbour", "message", "readout"}
            if unknown:
                raise bad_argument("constraint", spec, "a dict with keys among 'self', "
                                   "'neighbour', 'message', 'readout'")
            roles["self"] = spec.get("self", spec.get("message"))
            roles["neighbour"] = spec.get("neighbour", spec.get("message"))
            roles["readout"] = spec.get("readout")
        elif _is_spec(spec):
            roles["self"] = roles["neighbour"] = spec
        else:
            raise bad_argument("constraint", spec, "a constraint spec or a dict by role")
        for role in ("self", "neighbour"):
            value = roles[role]
            if isinstance(value, (list, tuple)):
                if len(value) != self.layers:
                    raise bad_argument(f"constraint[{role!r}]", value,
                                       f"one entry per layer ({self.layers})",
                                       cls=ShapeMismatchError)
                roles[role] = list(value)
            else:
                roles[role] = [value] * self.layers
        self.self_constraints, self.neighbour_constraints = [], []
        f_in = self.in_features
        for l in range(self.layers):
            shape = (f_in, self.hidden)
            self.self_constraints.append(
                constraint_for(roles["self"][l], shape, f"constraint['self'][{l}]"))
            self.neighbour_constraints.append(
                constraint_for(roles["neighbour"][l], shape, f"constraint['neighbour'][{l}]"))
            f_in = self.hidden
        self.readout_constraint = constraint_for(roles["readout"], r_shape, "constraint")

    def _parse_bias(self, bias):
        if isinstance(bias, (bool, np.bool_)):
            self.bias_message = self.bias_readout = bool(bias)
            return
        if isinstance(bias, dict) and set(bias) <= {"message", "readout"} and all(
            isinstance(v, (bool, np.bool_)) for v in bias.values()
        ):
            self.bias_message = bool(bias.get("message", True))
            self.bias_readout = bool(bias.get("readout", True))
            return
        raise bad_argument("bias", bias, "True/False or a dict with keys 'message', 'readout'")

    def __repr__(self):
        parts = [repr(self.graph), f"hidden={self.hidden}", f"layers={self.layers}",
                 repr(self.activation.spec), f"readout={self.readout!r}"]
        if self.block is not None:
            parts.append(f"block={self.block!r}")
        parts.append(f"seed={self.seed!r}")
        return f"GNN({', '.join(parts)})"

    # -- views ---------------------------------------------------------------------------
    @property
    def adjacency(self) -> np.ndarray:
        """The normalised adjacency used in message passing."""
        return self._A.copy()

    def weights(self) -> list:
        """Built matrices: ``(W_self, W_neigh)`` per layer (``(f_in, f_out)``), then ``R``."""
        out = [(self.self_constraints[l]._build(self._params[f"mp{l}.self_theta"]),
                self.neighbour_constraints[l]._build(self._params[f"mp{l}.neighbour_theta"]))
               for l in range(self.layers)]
        out.append(self.readout_constraint._build(self._params["readout.theta"]))
        return out

    def readout_matrix(self) -> tuple:
        """The read-out as a dense map of the flattened node state: ``(D, d)``, ``y = D h + d``.

        ``D`` has shape ``(n_outputs, n_nodes * f)`` (node-major input, the output ordered
        block-major / node-major); ``d`` is ``None`` without a read-out bias.
        """
        R = self.readout_constraint._build(self._params["readout.theta"])
        N = self.graph.n_nodes
        o, f = self.out_features, (self.hidden if self.layers else self.in_features)
        c = self._params.get("readout.bias")
        if self.readout == "node":
            return np.kron(np.eye(N), R), None if c is None else np.tile(c, N)
        if self.readout == "mean":
            return np.tile(R, (1, N)) / N, None if c is None else c.copy()
        K, bt = self._blocks.shape
        D = np.zeros((K * o, N * f))
        Rb = R.reshape(o, bt, f)
        for k in range(K):
            for p, node in enumerate(self._blocks[k]):
                D[k * o:(k + 1) * o, node * f:(node + 1) * f] = Rb[:, p, :]
        return D, None if c is None else np.tile(c, K)

    def _alpha(self, l, params):
        return params[f"mp{l}.alpha"][0] if self.learn_alpha else None

    # -- forward and backward ---------------------------------------------------------------
    def _forward(self, X, params):
        n = X.shape[0]
        H = X.reshape(n, self.graph.n_nodes, self.in_features)
        cache = []
        for l in range(self.layers):
            Ws = self.self_constraints[l]._build(params[f"mp{l}.self_theta"])
            Wn = self.neighbour_constraints[l]._build(params[f"mp{l}.neighbour_theta"])
            AH = _apply_adjacency(self._A, H)
            Z = H @ Ws + AH @ Wn
            if self.bias_message:
                Z += params[f"mp{l}.bias"]
            cache.append((H, AH, Z, Ws, Wn))
            H = self.activation.forward(Z, self._alpha(l, params))
        R = self.readout_constraint._build(params["readout.theta"])
        if self.readout == "block":
            K, bt = self._blocks.shape
            Hr = H[:, self._blocks, :].reshape(n, K, bt * H.shape[2])
        elif self.readout == "mean":
            Hr = H.mean(axis=1)
        else:
            Hr = H
        Y = Hr @ R.T
        if self.bias_readout:
            Y += params["readout.bias"]
        cache.append((H, Hr, R))
        return Y.reshape(n, self.n_outputs), cache

    def _backward(self, cache, dout, params):
        grads = {}
        n = dout.shape[0]
        H, Hr, R = cache[-1]
        o = self.out_features
        N, f = H.shape[1], H.shape[2]
        dY = dout.reshape(Hr.shape[:-1] + (o,))
        dR = dY.reshape(-1, o).T @ Hr.reshape(-1, Hr.shape[-1])
        grads["readout.theta"] = self.readout_constraint._grad(params["readout.theta"], dR)
        if self.bias_readout:
            grads["readout.bias"] = dY.reshape(-1, o).sum(axis=0)
        dHr = dY @ R
        if self.readout == "block":
            dH = np.empty_like(H)
            dH[:, self._blocks, :] = dHr.reshape(n, *self._blocks.shape, f)
        elif self.readout == "mean":
            dH = np.broadcast_to(dHr[:, None, :] / N, H.shape)
        else:
            dH = dHr
        for l in range(self.layers - 1, -1, -1):
            Hin, AH, Z, Ws, Wn = cache[l]
            p = self._alpha(l, params)
            if self.learn_alpha:
                grads[f"mp{l}.alpha"] = np.array([self.activation.param_grad(Z, p, dH)])
            dZ = self.activation.backward(Z, p, dH)
            fi, fo = Ws.shape
            dZf = dZ.reshape(-1, fo)
            key_s, key_n = f"mp{l}.self_theta", f"mp{l}.neighbour_theta"
            grads[key_s] = self.self_constraints[l]._grad(params[key_s],
                                                          Hin.reshape(-1, fi).T @ dZf)
            grads[key_n] = self.neighbour_constraints[l]._grad(params[key_n],
                                                               AH.reshape(-1, fi).T @ dZf)
            if self.bias_message:
                grads[f"mp{l}.bias"] = dZf.sum(axis=0)
            if l > 0:
                dH = dZ @ Ws.T + _apply_adjacency(self._A.T, dZ @ Wn.T)
        return grads

    # -- bridges ------------------------------------------------------------------------------
    def to_network(self):
        """The trained GNN as a :class:`cumulants.layers.Network`.

        ``MessagePassing(A, W_self, W_neigh, b)`` and the activation for every layer, then
        the read-out as ``Dense`` (see :meth:`readout_matrix`).
        """
        from .. import layers

        seq = []
        for l, (Ws, Wn) in enumerate(self.weights()[:-1]):
            b = self._params[f"mp{l}.bias"].copy() if self.bias_message else None
            seq.append(layers.MessagePassing(self._A.copy(), Ws, Wn, b))
            p = self._alpha(l, self._params)
            seq.append(self.activation.layer(None if p is None else float(p)))
        D, d = self.readout_matrix()
        seq.append(layers.Dense(D, d))
        return layers.Network(seq)

    def to_dict(self) -> dict:
        """A JSON-ready description with the parameters; :meth:`from_dict` rebuilds it."""
        return {
            "model": "GNN",
            "adjacency": self.graph.adjacency.tolist(),
            "sites": list(self.graph.sites),
            "graph": repr(self.graph),
            "hidden": self.hidden,
            "layers": self.layers,
            "activation": self.activation.spec,
            "readout": self.readout,
            "block": list(self.block) if isinstance(self.block, tuple) else self.block,
            "in_features": self.in_features,
            "out_features": self.out_features,
            "normalisation": self.normalisation,
            "constraint": {
                "self": [c.to_dict() for c in self.self_constraints],
                "neighbour": [c.to_dict() for c in self.neighbour_constraints],
                "readout": self.readout_constraint.to_dict(),
            },
            "bias": {"message": self.bias_message, "readout": self.bias_readout},
            "learn_alpha": self.learn_alpha,
            "init_scale": self.init_scale,
            "seed": self.seed,
            "parameters": self._params_to_dict(),
        }

    @classmethod
    def from_dict(cls, d) -> "GNN":
        """Rebuild a :class:`GNN` from :meth:`to_dict` output."""
        if not isinstance(d, dict) or d.get("model") != "GNN":
            raise bad_argument("d", d if not isinstance(d, dict) else d.get("model"),
                               "a dict from GNN.to_dict() (model='GNN')",
                               cls=InvalidParameterError)
        graph = Graph(d["adjacency"], tuple(d["sites"]), label=d.get("graph"))
        cons = d["constraint"]
        net = cls(graph, d["hidden"], d["layers"], d["activation"], readout=d["readout"],
                  block=d["block"], in_features=d["in_features"],
                  out_features=d["out_features"], normalisation=d["normalisation"],
                  constraint={"self": [C.from_dict(c) for c in cons["self"]],
                              "neighbour": [C.from_dict(c) for c in cons["neighbour"]],
                              "readout": C.from_dict(cons["readout"])},
                  bias=d["bias"], learn_alpha=d["learn_alpha"],
                  init_scale=d.get("init_scale", 1.0), seed=d.get("seed"))
        net._load_params(d["parameters"])
        return net
