r"""Write a :class:`cumulants.layers.Network` as an ONNX model.

Each layer becomes the standard operators that other frameworks read and that
:func:`cumulants.io.from_onnx` maps back onto the same layer:

* :class:`~cumulants.layers.Dense` -- ``Gemm(x, W, b, transB=1)``;
* :class:`~cumulants.layers.MessagePassing` -- ``Reshape`` to ``(batch, nodes,
  features)``, ``MatMul(h, W_self) + MatMul(MatMul(A, h), W_neigh) + b``, ``Reshape``
  back (the node-major flattening of the layer);
* :class:`~cumulants.layers.Quadratic` -- ``x + alpha * (x * x)``;
  :class:`~cumulants.layers.Polynomial` and
  :class:`~cumulants.layers.nonpolynomial.UnitPolynomial` -- ``c0 + sum_k c_k Pow(x, k)``;
* ``ReLU``, ``Tanh``, ``Sigmoid``, ``Sin``, ``Exp`` -- the ONNX operator of the same name;
  ``Erf`` -- ``Erf``; ``GELU`` -- ``0.5 x (1 + Erf(x / sqrt 2))``, the form
  ``torch.onnx.export`` writes (the ``Gelu`` operator needs opset 20).

Weights are written as float64 by default, so a round trip through
:func:`~cumulants.io.from_onnx` returns identical weights; exact (sympy) weights are
written as their float64 values.  ONNX Runtime has no float64 ``Erf``, so in a float64
model ``Erf`` is wrapped in ``Cast`` to float32 and back.  The propagation ``method``
of non-polynomial layers is not stored: choose it again when reading.
"""

from __future__ import annotations

import math
import os

import numpy as np

from ..errors import InvalidParameterError, ShapeMismatchError, bad_argument
from .onnx_import import UnsupportedModelError, require_onnx

__all__ = ["to_onnx"]

_UNARY = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "sin": "Sin", "exp": "Exp"}


class _Writer:
    def __init__(self, dtype):
        self.onnx = require_onnx()
        self.np_dtype = np.float64 if dtype == "float64" else np.float32
        self.elem = self.onnx.TensorProto.DOUBLE if dtype == "float64" else self.onnx.TensorProto.FLOAT
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, stem):
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, stem, value, integer=False):
        from onnx import numpy_helper

        arr = np.asarray(value, dtype=np.int64 if integer else self.np_dtype)
        n = self.name(stem)
        self.inits.append(numpy_helper.from_array(arr, n))
        return n

    def node(self, op, inputs, stem=None, **attrs):
        from onnx import helper

        out = self.name(stem or op.lower())
        self.nodes.append(helper.make_node(op, list(inputs), [out], name=out, **attrs))
        return out

    # ------------------------------------------------------------------- layers
    def dense(self, x, layer, k):
        W = np.asarray(layer.weight, dtype=float)
        ins = [x, self.const(f"layer{k}.weight", W)]
        if layer.bias is not None:
            ins.append(self.const(f"layer{k}.bias", np.asarray(layer.bias, dtype=float)))
        return self.node("Gemm", ins, f"layer{k}.gemm", transB=1)

    def message_passing(self, x, layer, k):
        n, fi, fo = layer.nodes, layer.features_in, layer.features_out
        h = self.node("Reshape", [x, self.const(f"layer{k}.shape_in", [-1, n, fi], True)],
                      f"layer{k}.nodes")
        Ws = self.const(f"layer{k}.self_weight", np.asarray(layer.self_weight, dtype=float))
        Wn = self.const(f"layer{k}.neighbour_weight",
                        np.asarray(layer.neighbour_weight, dtype=float))
        A = self.const(f"layer{k}.adjacency", np.asarray(layer.adjacency, dtype=float))
        own = self.node("MatMul", [h, Ws], f"layer{k}.self")
        msg = self.node("MatMul", [self.node("MatMul", [A, h], f"layer{k}.aggregate"), Wn],
                        f"layer{k}.neighbour")
        y = self.node("Add", [own, msg], f"layer{k}.sum")
        if layer.bias is not None:
            b = np.asarray(layer.bias, dtype=float)[:fo]
            y = self.node("Add", [y, self.const(f"layer{k}.bias", b)], f"layer{k}.bias_add")
        return self.node("Reshape", [y, self.const(f"layer{k}.shape_out", [-1, n * fo], True)],
                         f"layer{k}.flat")

    def polynomial(self, x, coeffs, k):
        """``c0 + sum c_j x^j`` with ``coeffs`` of shape (deg+1,) or (units, deg+1)."""
        C = np.asarray(coeffs, dtype=float)
        C2 = C if C.ndim == 2 else C[None, :]
        acc = None
        for j in range(1, C2.shape[1]):
            c = C2[:, j] if C.ndim == 2 else C2[0, j]
            if not np.any(c):
                continue
            term = x if j == 1 else (self.node("Mul", [x, x], f"layer{k}.square") if j == 2
                                     else self.node("Pow", [x, self.const(f"layer{k}.exponent", j)],
                                                    f"layer{k}.pow"))
            if not np.all(c == 1):
                term = self.node("Mul", [term, self.const(f"layer{k}.c{j}", c)], f"layer{k}.scale")
            acc = term if acc is None else self.node("Add", [acc, term], f"layer{k}.add")
        c0 = C2[:, 0] if C.ndim == 2 else C2[0, 0]
        if acc is None:
            acc = self.node("Mul", [x, self.const(f"layer{k}.zero", 0.0)], f"layer{k}.zero")
        if np.any(c0):
            acc = self.node("Add", [acc, self.const(f"layer{k}.c0", c0)], f"layer{k}.shift")
        return acc

    def quadratic(self, x, alpha, k):
        sq = self.node("Mul", [x, x], f"layer{k}.square")
        sq = self.node("Mul", [sq, self.const(f"layer{k}.alpha", float(alpha))], f"layer{k}.scale")
        return self.node("Add", [x, sq], f"layer{k}.quadratic")

    def erf(self, x, k):
        if self.np_dtype == np.float32:
            return self.node("Erf", [x], f"layer{k}.erf")
        to32 = self.node("Cast", [x], f"layer{k}.to_float", to=self.onnx.TensorProto.FLOAT)
        e = self.node("Erf", [to32], f"layer{k}.erf")
        return self.node("Cast", [e], f"layer{k}.to_double", to=self.onnx.TensorProto.DOUBLE)

    def gelu(self, x, k):
        u = self.node("Mul", [x, self.const(f"layer{k}.inv_sqrt2", 1 / math.sqrt(2))],
                      f"layer{k}.scaled")
        e = self.node("Add", [self.erf(u, k), self.const(f"layer{k}.one", 1.0)], f"layer{k}.add")
        y = self.node("Mul", [x, e], f"layer{k}.mul")
        return self.node("Mul", [y, self.const(f"layer{k}.half", 0.5)], f"layer{k}.gelu")

    def layer(self, x, layer, k):
        from ..layers import Dense, Identity, MessagePassing, Network, Polynomial, Quadratic
        from ..layers.nonpolynomial import Activation, UnitPolynomial

        if isinstance(layer, Network):
            for sub in layer.layers:
                x = self.layer(x, sub, k)
            return x
        if isinstance(layer, MessagePassing):
            return self.message_passing(x, layer, k)
        if isinstance(layer, Dense):
            return self.dense(x, layer, k)
        if isinstance(layer, Identity):
            return self.node("Identity", [x], f"layer{k}.identity")
        if isinstance(layer, Quadratic):
            return self.quadratic(x, layer.alpha, k)
        if isinstance(layer, Polynomial):
            return self.polynomial(x, [float(c) for c in layer.coeffs], k)
        if isinstance(layer, UnitPolynomial):
            return self.polynomial(x, np.asarray(layer.coeffs, dtype=float), k)
        if isinstance(layer, Activation) and type(layer).__name__ != "Activation":
            name = layer.name
            if name in _UNARY:
                return self.node(_UNARY[name], [x], f"layer{k}.{name}")
            if name == "erf":
                return self.erf(x, k)
            if name == "gelu":
                return self.gelu(x, k)
        raise UnsupportedModelError(
            f"layers[{k}] = {layer!r} has no ONNX form here (supported: Dense, MessagePassing, "
            "Identity, Quadratic, Polynomial, UnitPolynomial, ReLU, Tanh, Sigmoid, Erf, GELU, "
            "Sin, Exp)")


def to_onnx(network, path=None, *, dtype="float64", input_dim=None, opset=17,
            name="cumulants_network"):
    """Write ``network`` as an ONNX model (returned; also saved to ``path`` if given).

    The model has one input ``"x"`` of shape ``(batch, in_dim)`` and one output ``"y"``
    of shape ``(batch, out_dim)``; it computes ``network.apply(x)``.  ``dtype`` is
    ``"float64"`` (default: weights round-trip exactly through
    :func:`~cumulants.io.from_onnx`) or ``"float32"``.  ``input_dim`` is needed only when
    the network starts with an elementwise layer.

    >>> import cumulants as cm
    >>> net = cm.Network([cm.Dense([[1.0, -1.0]], [0.5]), cm.Quadratic(0.25)])
    >>> model = to_onnx(net)
    >>> [n.op_type for n in model.graph.node]
    ['Gemm', 'Mul', 'Mul', 'Add']
    >>> cm.io.from_onnx(model)
    Network([Dense(weight=[[1.0, -1.0]], bias=[0.5]), Quadratic(alpha=0.25)])
    """
    from ..layers import Layer, Network

    onnx = require_onnx()
    from onnx import helper

    if isinstance(network, Layer) and not isinstance(network, Network):
        network = Network([network])
    if not isinstance(network, Network):
        raise bad_argument("network", network, "a cumulants Network (or a single layer)")
    if dtype not in ("float64", "float32"):
        raise bad_argument("dtype", dtype, "'float64' or 'float32'")
    d = network.in_dim() if input_dim is None else input_dim
    if d is None:
        raise bad_argument("input_dim", input_dim, "the input width (the network starts with "
                           "an elementwise layer)", ShapeMismatchError)
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise bad_argument("input_dim", d, "a positive integer")
    if network.in_dim() is not None and network.in_dim() != d:
        raise bad_argument("input_dim", d, f"the network's input width {network.in_dim()}",
                           ShapeMismatchError)
    if not isinstance(opset, int) or opset < 13:
        raise bad_argument("opset", opset, "an ONNX opset version >= 13", InvalidParameterError)
    w = _Writer(dtype)
    x = "x"
    for k, layer in enumerate(network.layers):
        x = w.layer(x, layer, k)
    if w.nodes and w.nodes[-1].output[0] == x:
        w.nodes[-1].output[0] = "y"
    else:
        w.nodes.append(helper.make_node("Identity", [x], ["y"], name="output"))
    graph = helper.make_graph(
        w.nodes, name, [helper.make_tensor_value_info("x", w.elem, ["batch", int(d)])],
        [helper.make_tensor_value_info("y", w.elem, ["batch", int(network.out_dim(d))])],
        w.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="cumulants")
    # the oldest IR version that carries the opset: readable by older runtimes too
    model.ir_version = helper.find_min_ir_version_for(list(model.opset_import))
    onnx.checker.check_model(model)
    if path is not None:
        onnx.save(model, os.fspath(path))
    return model
