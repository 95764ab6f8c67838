"""Multilayer perceptron with constrained weights and a hand-written backward pass.

Layer ``l`` computes ``z_l = a_{l-1} W_l^T + b_l`` on a batch of row vectors (so each
sample obeys ``z = W x + b`` with ``W`` of shape ``(out, in)``); hidden layers apply the
activation, the output layer is linear.  Each ``W_l`` is built by a constraint from
:mod:`cumulants.constraints` from its parameter vector ``theta_l``.

>>> import numpy as np
>>> net = MLP([2, 3, 1], "quadratic", constraint={"output": "same_sign"}, seed=0)
>>> net
MLP([2, 3, 1], 'quadratic:0.5', constraint=[free((3, 2)), same_sign((1, 3), sign=1)], seed=0)
>>> [W.shape for W in net.weights()]
[(3, 2), (1, 3)]
>>> bool(np.all(net.weights()[1] >= 0))
True
>>> net.predict(np.zeros((4, 2))).shape
(4, 1)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import constraints as C
from ..errors import InvalidParameterError, ShapeMismatchError, bad_argument
from ._spec import constraint_for, per_role
from .activations import Quadratic, activation as _activation
from .base import Model, _seed_streams

__all__ = ["MLP"]


def _is_constraint_spec(s):
    return (s is None or isinstance(s, (str, C.Constraint))
            or (isinstance(s, dict) and "name" in s) or callable(s))


def _is_bool(s):
    return isinstance(s, (bool, np.bool_))


class MLP(Model):
    """A fully connected network ``widths[0] -> ... -> widths[-1]`` trained with numpy.

    Parameters
    ----------
    widths : sequence of int
        Layer widths, input first, e.g. ``[4, 16, 1]``.
    activation : str, list or Activation
        Hidden-layer activation: ``"identity"``, ``"quadratic"`` (``z + alpha z^2``),
        ``"poly:c0,c1,..."`` or a coefficient list, ``"tanh"``, ``"relu"``.
    constraint :
        One constraint spec for every layer, a list with one per layer, or a dict
        ``{"hidden": ..., "output": ...}`` (missing roles are free).  A spec is a name
        (``"free"``, ``"tied"``, ``"same_sign"``, ``"permutation_equivariant"``,
        ``"symmetric"``, ``"circulant"``), a dict ``{"name": ..., **keywords}``, a
        :class:`~cumulants.constraints.Constraint` or a callable ``shape -> Constraint``.
    bias : bool, list or dict
        Whether each layer has a bias (same per-layer forms as ``constraint``).
    alpha : float, optional
        Coefficient of the quadratic activation (default 0.5).
    learn_alpha : bool
        Train ``alpha`` too: one scalar per hidden layer, shared by its units.
    seed : int, optional
        Fixes initialisation, shuffling and validation split.
    init_scale : float
        Initial weights have entries of size ``init_scale / sqrt(fan_in)``; biases start
        at zero.
    """

    def __init__(self, widths, activation="quadratic", *, constraint="free", bias=True,
                 alpha=None, learn_alpha=False, seed=None, init_scale=1.0):
        try:
            widths = [w for w in widths]
        except TypeError:
            raise bad_argument("widths", widths, "a list of at least two positive "
                               "integers") from None
        if len(widths) < 2 or not all(
            isinstance(w, numbers.Integral) and not isinstance(w, bool) and w >= 1 for w in widths
        ):
            raise bad_argument("widths", widths, "a list of at least two positive integers",
                               cls=ShapeMismatchError)
        from .._limits import MAX_ARRAY_ENTRIES, guard

        guard("widths", sum(int(a) * int(b) for a, b in zip(widths, widths[1:])),
              MAX_ARRAY_ENTRIES, shown=list(widths), limit_name="MAX_ARRAY_ENTRIES (weights)",
              route="narrower layers")
        self.widths = [int(w) for w in widths]
        self.activation = _activation(activation, alpha=alpha)
        if not _is_bool(learn_alpha):
            raise bad_argument("learn_alpha", learn_alpha, "True or False")
        if learn_alpha and not isinstance(self.activation, Quadratic):
            raise bad_argument("learn_alpha", learn_alpha,
                               f"False for activation {self.activation!r} (only the "
                               "quadratic activation has a learnable alpha)")
        self.learn_alpha = bool(learn_alpha)
        if not (isinstance(init_scale, numbers.Real) and math.isfinite(init_scale)
                and init_scale >= 0) or isinstance(init_scale, bool):
            raise bad_argument("init_scale", init_scale, "a finite number >= 0")
        self.init_scale = float(init_scale)

        n_layers = len(self.widths) - 1
        roles = ["hidden"] * (n_layers - 1) + ["output"]
        shapes = [(self.widths[l + 1], self.widths[l]) for l in range(n_layers)]
        specs = per_role(constraint, roles, default="free", where="constraint",
                         is_single=_is_constraint_spec)
        self.constraints = [constraint_for(s, shape, f"constraint[{l}]")
                            for l, (s, shape) in enumerate(zip(specs, shapes))]
        flags = per_role(bias, roles, default=True, where="bias", is_single=_is_bool)
        if not all(_is_bool(f) for f in flags):
            raise bad_argument("bias", bias, "True/False, a per-layer list or a dict by role")
        self.bias = [bool(f) for f in flags]

        init_rng, self._train_rng, self.seed = _seed_streams(seed)
        params = {}
        for l, c in enumerate(self.constraints):
            params[f"layer{l}.theta"] = c.init(init_rng, self.init_scale / math.sqrt(shapes[l][1]))
            if self.bias[l]:
                params[f"layer{l}.bias"] = np.zeros(shapes[l][0])
            if self.learn_alpha and l < n_layers - 1:
                params[f"layer{l}.alpha"] = np.array([self.activation.alpha])
        self._params = params
        self._decay = frozenset(k for k in params if k.endswith(".theta"))
        self.n_inputs = self.widths[0]
        self.n_outputs = self.widths[-1]

    @property
    def n_layers(self) -> int:
        """Number of affine layers."""
        return len(self.widths) - 1

    def __repr__(self):
        parts = [repr(self.widths), repr(self.activation.spec)]
        if any(not isinstance(c, C.Free) for c in self.constraints):
            parts.append(f"constraint={self.constraints!r}")
        if not all(self.bias):
            parts.append(f"bias={self.bias!r}")
        if self.learn_alpha:
            parts.append("learn_alpha=True")
        parts.append(f"seed={self.seed!r}")
        return f"MLP({', '.join(parts)})"

    # -- views of the parameters ----------------------------------------------------------
    def weights(self) -> list:
        """The built weight matrices, one ``(out, in)`` array per layer."""
        return [c._build(self._params[f"layer{l}.theta"]) for l, c in enumerate(self.constraints)]

    def biases(self) -> list:
        """The bias vectors, one per layer (``None`` for layers without bias)."""
        return [self._params[f"layer{l}.bias"].copy() if self.bias[l] else None
                for l in range(self.n_layers)]

    def alphas(self) -> list:
        """The quadratic coefficient used by each hidden layer (empty for other activations)."""
        if not isinstance(self.activation, Quadratic):
            return []
        if not self.learn_alpha:
            return [self.activation.alpha] * (self.n_layers - 1)
        return [float(self._params[f"layer{l}.alpha"][0]) for l in range(self.n_layers - 1)]

    def _alpha(self, l, params):
        if self.learn_alpha:
            return params[f"layer{l}.alpha"][0]
        return None

    # -- forward and backward ------------------------------------------------------------------
    def _forward(self, X, params):
        cache = []
        a = X
        last = self.n_layers - 1
        for l, c in enumerate(self.constraints):
            W = c._build(params[f"layer{l}.theta"])
            z = a @ W.T
            if self.bias[l]:
                z += params[f"layer{l}.bias"]
            cache.append((a, z, W))
            a = z if l == last else self.activation.forward(z, self._alpha(l, params))
        return a, cache

    def _backward(self, cache, dout, params):
        grads = {}
        d = dout
        for l in range(self.n_layers - 1, -1, -1):
            a_in, _, W = cache[l]
            key = f"layer{l}.theta"
            grads[key] = self.constraints[l]._grad(params[key], d.T @ a_in)
            if self.bias[l]:
                grads[f"layer{l}.bias"] = d.sum(axis=0)
            if l > 0:
                da = d @ W
                z_prev = cache[l - 1][1]
                p = self._alpha(l - 1, params)
                if self.learn_alpha:
                    grads[f"layer{l - 1}.alpha"] = np.array(
                        [self.activation.param_grad(z_prev, p, da)])
                d = self.activation.backward(z_prev, p, da)
        return grads

    # -- bridges ---------------------------------------------------------------------------
    def to_network(self):
        """The trained network as a :class:`cumulants.layers.Network` (for propagation).

        Layers: ``Dense(W_l, b_l)`` with the activation layer after every hidden ``Dense``.
        """
        from .. import layers

        seq = []
        biases = self.biases()
        for l, W in enumerate(self.weights()):
            seq.append(layers.Dense(W, biases[l]))
            if l < self.n_layers - 1:
                p = self._alpha(l, self._params)
                seq.append(self.activation.layer(None if p is None else float(p)))
        return layers.Network(seq)

    def to_dict(self) -> dict:
        """A JSON-ready description with the parameters; :meth:`from_dict` rebuilds it.

        >>> net = MLP([2, 2, 1], "tanh", seed=1)
        >>> again = MLP.from_dict(net.to_dict())
        >>> all(np.array_equal(a, b) for a, b in zip(net.weights(), again.weights()))
        True
        """
        return {
            "model": "MLP",
            "widths": list(self.widths),
            "activation": self.activation.spec,
            "constraint": [c.to_dict() for c in self.constraints],
            "bias": list(self.bias),
            "learn_alpha": self.learn_alpha,
            "init_scale": self.init_scale,
            "seed": self.seed,
            "parameters": self._params_to_dict(),
        }

    @classmethod
    def from_dict(cls, d) -> "MLP":
        """Rebuild an :class:`MLP` from :meth:`to_dict` output."""
        if not isinstance(d, dict) or d.get("model") != "MLP":
            raise bad_argument("d", d if not isinstance(d, dict) else d.get("model"),
                               "a dict from MLP.to_dict() (model='MLP')",
                               cls=InvalidParameterError)
        net = cls(d["widths"], d["activation"],
                  constraint=[C.from_dict(c) for c in d["constraint"]], bias=d["bias"],
                  learn_alpha=d["learn_alpha"], init_scale=d.get("init_scale", 1.0),
                  seed=d.get("seed"))
        net._load_params(d["parameters"])
        return net
