r"""Read a trained ONNX model into a :class:`cumulants.layers.Network`.

The graph is traced once in topological order (:mod:`cumulants.io._signal`):
constant subgraphs are evaluated with the ONNX reference evaluator, linear
operators (``Gemm``, ``MatMul``, ``Add``/``Sub``/``Mul``/``Div`` by constants,
``Flatten``/``Reshape`` of the feature axes) compose into one affine map, and
elementwise operators (``Mul``/``Add``/``Pow`` of signals, ``Relu``, ``Tanh``,
``Sigmoid``, ``Erf``, ``Gelu``, ``Sin``, ``Exp``) build the activation that follows it.
``x + a*x*x`` becomes :class:`~cumulants.layers.Quadratic`, other polynomials
:class:`~cumulants.layers.Polynomial`, ``0.5*x*(1 + erf(x/sqrt(2)))`` (the form
``torch.onnx.export`` writes at opsets below 20) :class:`~cumulants.layers.GELU`, and
``h W_s + A h W_n`` on ``(batch, nodes, features)`` tensors
:class:`~cumulants.layers.MessagePassing`.  Anything else is refused with an
:class:`UnsupportedModelError` naming the node and its operator.

Conventions: the model has one input of shape ``(batch, *features)`` with a static
feature shape and one output; inputs and outputs of the
:class:`~cumulants.layers.Network` are the row-major flattening of the feature axes
(``index = node * features + feature``).  Weights are read as float64 (float32 weights
convert exactly).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import CumulantError, MethodUnavailableError, bad_argument
from ._signal import Base, Signal, activation_layers, poly_add, poly_mul

__all__ = ["from_onnx", "UnsupportedModelError", "require_onnx"]

_ACTIVATIONS = {"Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Erf": "erf",
                "Gelu": "gelu", "Sin": "sin", "Exp": "exp"}
_PASS = ("Identity", "Dropout", "Cast")


class UnsupportedModelError(CumulantError):
    """An ONNX model uses an operator, shape or type that has no exact layer here."""


def require_onnx():
    """The ``onnx`` module, or a clear error naming the extra that installs it."""
    try:
        import onnx
    except ImportError:
        raise MethodUnavailableError(
            "reading and writing ONNX models needs the 'onnx' package: "
            "pip install 'cumulants[onnx]'") from None
    return onnx


def _load(path_or_model):
    onnx = require_onnx()
    if isinstance(path_or_model, onnx.ModelProto):
        return path_or_model
    if isinstance(path_or_model, (bytes, bytearray)):
        try:
            return onnx.load_from_string(bytes(path_or_model))
        except Exception as exc:
            raise bad_argument("path_or_model", "<bytes>", f"a serialised ONNX model ({exc})",
                               UnsupportedModelError) from None
    if isinstance(path_or_model, (str, os.PathLike)):
        path = os.fspath(path_or_model)
        if not os.path.isfile(path):
            raise bad_argument("path_or_model", path, "the path of an existing .onnx file")
        try:
            return onnx.load(path)
        except Exception as exc:
            raise bad_argument("path_or_model", path, f"an ONNX model file ({exc})",
                               UnsupportedModelError) from None
    raise bad_argument("path_or_model", path_or_model,
                       "a path, the bytes of an ONNX model or an onnx.ModelProto")


def _what(node):
    return f"node {node.name or node.output[0]!r} (op {node.op_type})"


class _Tracer:
    def __init__(self, model, method, degree):
        self.onnx = require_onnx()
        self.model = model
        self.method, self.degree = method, degree
        self.layers = []
        self.values = {}
        self.opset = max([o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
                         or [13])

    # ----------------------------------------------------------------- set-up
    def _inputs(self):
        from onnx import numpy_helper

        g = self.model.graph
        for init in g.initializer:
            self.values[init.name] = numpy_helper.to_array(init)
        free = [i for i in g.input if i.name not in self.values]
        if len(free) != 1:
            raise UnsupportedModelError(
                f"the model has {len(free)} inputs ({', '.join(i.name for i in free)}); "
                "exactly one input tensor (batch, features...) is supported: fold the others "
                "into constants before exporting")
        inp = free[0]
        tt = inp.type.tensor_type
        if tt.elem_type not in (1, 10, 11, 16):   # float, float16, double, bfloat16
            raise UnsupportedModelError(
                f"input {inp.name!r} has element type "
                f"{self.onnx.TensorProto.DataType.Name(tt.elem_type)}; a float input is needed")
        dims = list(tt.shape.dim)
        if len(dims) < 2:
            raise UnsupportedModelError(
                f"input {inp.name!r} has rank {len(dims)}; expected (batch, features...) with "
                "the batch axis first")
        shape = []
        for k, d in enumerate(dims[1:], start=1):
            if not d.HasField("dim_value") or d.dim_value < 1:
                raise UnsupportedModelError(
                    f"input {inp.name!r} has a dynamic size on axis {k} "
                    f"({d.dim_param or 'unknown'}); only the batch axis may be dynamic: "
                    "export with a fixed feature shape")
            shape.append(int(d.dim_value))
        if len(g.output) != 1:
            raise UnsupportedModelError(
                f"the model has {len(g.output)} outputs ({', '.join(o.name for o in g.output)}); "
                "exactly one output is supported")
        self.values[inp.name] = Signal.of(Base.identity(0, shape))
        self.in_shape = tuple(shape)

    # ----------------------------------------------------------------- helpers
    def _make_activation(self, name):
        from ..layers import nonpolynomial as npl

        cls = {"relu": npl.ReLU, "tanh": npl.Tanh, "sigmoid": npl.Sigmoid, "erf": npl.Erf,
               "gelu": npl.GELU, "sin": npl.Sin, "exp": npl.Exp}[name]
        return cls(method=self.method, degree=self.degree)

    def _const(self, node, name, *, integer=False):
        v = self.values[name]
        if isinstance(v, Signal):  # pragma: no cover - callers check
            raise UnsupportedModelError(f"{_what(node)}: input {name!r} must be a constant")
        v = np.asarray(v)
        if v.dtype.kind == "f" or (integer and v.dtype.kind in "iu"):
            return v.astype(np.float64) if v.dtype.kind == "f" else v
        raise UnsupportedModelError(
            f"{_what(node)}: constant {name!r} has dtype {v.dtype}; weights must be floating "
            "point (float16/32/64): cast them to float before exporting")

    def _per_unit(self, node, c, shape):
        """A constant broadcast against a (batch, *shape) signal, flattened per unit."""
        c = np.asarray(c, dtype=np.float64)
        full = (1,) + tuple(shape)
        try:
            out = np.broadcast_shapes(full, c.shape)
        except ValueError:
            out = None
        if out != full:
            raise UnsupportedModelError(
                f"{_what(node)}: a constant of shape {c.shape} does not broadcast unit by unit "
                f"against features of shape {tuple(shape)} (it would change the batch or "
                "feature shape)")
        return np.broadcast_to(c, full).reshape(-1).copy()

    def _commit(self, base, alpha, beta):
        """Append the layer for ``alpha * base + beta``; returns the new trunk position."""
        from ..layers import Dense, MessagePassing

        if base.pos != len(self.layers):
            raise UnsupportedModelError(
                "the model reuses the output of an earlier layer after a later one (a skip or "
                "residual connection); only chains of layers are supported")
        b = base.scaled(alpha, beta)
        if b.is_identity():
            return
        layer = None
        if b.kron is not None and len(b.kron) in (1, 2):
            n, f_out, f_in = b.kron[0][0].shape[0], b.kron[0][1].shape[0], b.kron[0][1].shape[1]
            eye = np.eye(n)
            selfs = [R for L, R in b.kron if np.array_equal(L, eye)]
            neigh = [(L, R) for L, R in b.kron if not np.array_equal(L, eye)]
            bias = None if b.b is None else b.b.reshape(n, f_out)
            if len(neigh) == 1 and len(selfs) <= 1 and b.W.shape[1] == n * f_in and (
                    bias is None or np.all(bias == bias[0])):
                A, Rn = neigh[0]
                Rs = selfs[0] if selfs else np.zeros_like(Rn)
                layer = MessagePassing(A, Rs.T, Rn.T, None if bias is None else bias[0])
                if not np.array_equal(np.asarray(layer.weight, dtype=float), b.W):
                    layer = None  # pragma: no cover - the record is exact by construction
        self.layers.append(layer if layer is not None else Dense(b.W, b.b))

    def _materialise(self, node, sig):
        """Commit a signal's base and activation: the result is plain on a new trunk."""
        if sig.plain:
            return sig
        where = _what(node) if node is not None else "the model output"
        try:
            alpha, beta, acts, (a2, b2) = activation_layers(
                sig.P, sig.terms, self._make_activation, where)
        except ValueError as exc:
            raise UnsupportedModelError(str(exc)) from None
        self._commit(sig.base, alpha, beta)
        self.layers.extend(acts)
        P = np.column_stack([b2, a2])
        # every name for this tensor (reshapes and identities share P) now reads the new trunk
        for k, v in self.values.items():
            if isinstance(v, Signal) and v.P is sig.P and v.base.pos == sig.base.pos:
                self.values[k] = Signal(Base.identity(len(self.layers), v.shape), P)
        return Signal(Base.identity(len(self.layers), sig.shape), P)

    def _ready_for_linear(self, node, name, sig):
        """The plain signal a linear operator acts on (starting a new layer when it can)."""
        sig = self._materialise(node, sig)
        base = sig.as_base()
        pos = base.pos
        shared = self.uses[name] > 1 or any(
            isinstance(v, Signal) and v.base.pos == pos and k != name and self.uses.get(k, 0) > 0
            for k, v in self.values.items())
        if not shared and not sig.base.is_identity() and pos == len(self.layers):
            # a linear map after a linear map, nothing else reading it: a new Dense layer
            self._commit(sig.base, *sig.alpha_beta())
            base = Base.identity(len(self.layers), base.shape)
        return base

    # ----------------------------------------------------------------- operators
    def _linear(self, node, name, C, sig_left):
        """The base of ``x @ C`` (``sig_left``) or ``C @ x`` for the signal called ``name``."""
        base = self._ready_for_linear(node, name, self.values[name])
        shape = base.shape
        if C.ndim != 2:
            raise UnsupportedModelError(f"{_what(node)}: weight of shape {C.shape} must be a "
                                        "2-D matrix")
        if sig_left and len(shape) == 1:
            if C.shape[0] != shape[0]:
                raise UnsupportedModelError(f"{_what(node)}: weight {C.shape} does not fit "
                                            f"features {shape}")
            return base.linear(C.T, (C.shape[1],))
        if sig_left and len(shape) == 2:
            n, f = shape
            if C.shape[0] != f:
                raise UnsupportedModelError(f"{_what(node)}: weight {C.shape} does not fit "
                                            f"features {shape}")
            return base.linear(np.kron(np.eye(n), C.T), (n, C.shape[1]),
                               lambda L, R: (L, C.T @ R), (n, f))
        if not sig_left and len(shape) == 2:
            n, f = shape
            if C.shape[1] != n:
                raise UnsupportedModelError(f"{_what(node)}: matrix {C.shape} does not fit "
                                            f"{n} nodes")
            return base.linear(np.kron(C, np.eye(f)), (C.shape[0], f),
                               lambda L, R: (C @ L, R), (n, f))
        raise UnsupportedModelError(
            f"{_what(node)}: a constant times a (batch, features) input would mix samples of "
            "the batch, or the features have more than two axes")

    def _op_Gemm(self, node, attrs):
        a, b = node.input[0], node.input[1]
        if not isinstance(self.values[a], Signal) or isinstance(self.values[b], Signal):
            raise UnsupportedModelError(f"{_what(node)}: only Gemm(input, weight, bias) with a "
                                        "constant weight is supported")
        if attrs.get("transA", 0):
            raise UnsupportedModelError(f"{_what(node)}: transA=1 would transpose the batch")
        B = self._const(node, b)
        B = B.T if attrs.get("transB", 0) else B
        sig = Signal.of(self._linear(node, a, B * float(attrs.get("alpha", 1.0)), True))
        if len(node.input) > 2 and node.input[2]:
            c = self._per_unit(node, self._const(node, node.input[2]) * float(attrs.get("beta", 1.0)),
                               sig.shape)
            sig = self._add_const(sig, c)
        return sig

    def _op_MatMul(self, node, attrs):
        a, b = node.input[:2]
        sig_left = isinstance(self.values[a], Signal)
        if sig_left and isinstance(self.values[b], Signal):
            raise UnsupportedModelError(f"{_what(node)}: both factors depend on the input "
                                        "(a bilinear map); one must be a constant weight")
        C = self._const(node, b if sig_left else a)
        return Signal.of(self._linear(node, a if sig_left else b, C, sig_left))

    def _add_const(self, sig, c):
        if sig.plain and sig.P.shape[1] == 2 and np.all(sig.P == [0, 1]):
            # a bias of the affine map itself: it stays with its Dense layer
            return Signal.of(sig.base.shifted(c))
        return Signal(sig.base, poly_add(sig.P, c[:, None]), sig.terms)

    def _scale(self, sig, c):
        terms = [(g, a, cc, Q * c[:, None]) for g, a, cc, Q in sig.terms]
        return Signal(sig.base, sig.P * c[:, None], terms)

    def _common(self, node, x, y):
        if x.base.same(y.base):
            return x, y
        if x.plain and y.plain:
            return None
        raise UnsupportedModelError(
            f"{_what(node)}: combines nonlinear functions of two different linear maps (only "
            "one pre-activation per activation layer is supported)")

    def _op_Add(self, node, attrs, sign=1.0):
        a, b = node.input[:2]
        x, y = self.values[a], self.values[b]
        if not isinstance(y, Signal):                      # x + sign * c
            c = self._per_unit(node, self._const(node, b), x.shape)
            return self._add_const(x, sign * c)
        if not isinstance(x, Signal):                      # c + sign * y
            c = self._per_unit(node, self._const(node, a), y.shape)
            return self._add_const(self._scale(y, np.full(y.width, sign)), c)
        if x.shape != y.shape:
            raise UnsupportedModelError(f"{_what(node)}: adds features of shapes {x.shape} and "
                                        f"{y.shape}")
        pair = self._common(node, x, y)
        if pair is None:    # two different affine maps of the same trunk: add the maps
            if x.base.pos != y.base.pos:
                raise UnsupportedModelError(
                    f"{_what(node)}: adds the outputs of two different layers (a skip or "
                    "residual connection); only chains of layers are supported")
            bx, by = x.as_base(), y.as_base()
            if sign != 1.0:
                by = by.scaled(np.full(y.width, sign), np.zeros(y.width))
            return Signal.of(bx.plus(by))
        y = self._scale(y, np.full(y.width, sign))
        terms = [list(t) for t in x.terms]
        for g, a, c, Q in y.terms:
            for t in terms:
                if t[0] == g and np.array_equal(t[1], a) and np.array_equal(t[2], c):
                    t[3] = poly_add(t[3], Q)
                    break
            else:
                terms.append([g, a, c, Q])
        return Signal(x.base, poly_add(x.P, y.P), [tuple(t) for t in terms if np.any(t[3])])

    def _op_Sub(self, node, attrs):
        return self._op_Add(node, attrs, sign=-1.0)

    def _op_Neg(self, node, attrs):
        x = self.values[node.input[0]]
        return self._scale(x, np.full(x.width, -1.0))

    def _op_Mul(self, node, attrs):
        x, y = (self.values[n] for n in node.input[:2])
        if not isinstance(x, Signal):
            x, y, cname = y, x, node.input[0]
        else:
            cname = node.input[1]
        if not isinstance(y, Signal):
            return self._scale(x, self._per_unit(node, self._const(node, cname), x.shape))
        if x.shape != y.shape:
            raise UnsupportedModelError(f"{_what(node)}: multiplies features of shapes "
                                        f"{x.shape} and {y.shape}")
        pair = self._common(node, x, y)
        if pair is None:
            raise UnsupportedModelError(
                f"{_what(node)}: multiplies two different linear maps of the input (a bilinear "
                "layer); only elementwise functions of one pre-activation are supported")
        if x.terms and y.terms:
            raise UnsupportedModelError(f"{_what(node)}: multiplies two activations "
                                        f"({x.terms[0][0]} and {y.terms[0][0]})")
        terms = [(g, a, c, poly_mul(Q, y.P)) for g, a, c, Q in x.terms] + \
                [(g, a, c, poly_mul(Q, x.P)) for g, a, c, Q in y.terms]
        return Signal(x.base, poly_mul(x.P, y.P), terms)

    def _op_Div(self, node, attrs):
        x, y = (self.values[n] for n in node.input[:2])
        if not isinstance(x, Signal) or isinstance(y, Signal):
            raise UnsupportedModelError(f"{_what(node)}: only division by a constant is "
                                        "supported")
        c = self._per_unit(node, self._const(node, node.input[1]), x.shape)
        if np.any(c == 0):
            raise UnsupportedModelError(f"{_what(node)}: divides by zero")
        return self._scale(x, 1.0 / c)

    def _op_Pow(self, node, attrs):
        x, y = (self.values[n] for n in node.input[:2])
        if not isinstance(x, Signal) or isinstance(y, Signal):
            raise UnsupportedModelError(f"{_what(node)}: only a power with a constant "
                                        "exponent is supported")
        e = np.unique(np.asarray(self._const(node, node.input[1], integer=True), dtype=float))
        if e.size != 1 or e[0] < 0 or e[0] != int(e[0]) or e[0] > 64:
            raise UnsupportedModelError(f"{_what(node)}: exponent {e.tolist()} is not a "
                                        "non-negative integer (<= 64): not a polynomial")
        if x.terms:
            raise UnsupportedModelError(f"{_what(node)}: a power of an activation "
                                        f"({x.terms[0][0]}) is not supported")
        out = np.ones((x.width, 1))
        for _ in range(int(e[0])):
            out = poly_mul(out, x.P)
        return Signal(x.base, out)

    def _op_activation(self, node, attrs, name):
        x = self.values[node.input[0]]
        approx = attrs.get("approximate", b"none")
        approx = approx.decode() if isinstance(approx, bytes) else approx
        if name == "gelu" and approx != "none":
            raise UnsupportedModelError(f"{_what(node)}: approximate={approx!r}; only the exact "
                                        "(erf) GELU is supported")
        if not x.plain:
            x = self._materialise(node, x)
        alpha, beta = x.alpha_beta()
        k = x.width
        return Signal(x.base, np.zeros((k, 1)), [(name, alpha, beta, np.ones((k, 1)))])

    def _op_reshape(self, node, x, shape):
        if int(np.prod(shape)) != x.width:
            raise UnsupportedModelError(f"{_what(node)}: cannot reshape {x.shape} to {shape}")
        if tuple(shape) == x.shape:
            return x
        if len(shape) > 2:
            raise UnsupportedModelError(f"{_what(node)}: features with {len(shape)} axes "
                                        f"{tuple(shape)} are not supported (at most 2)")
        base = x.base
        kron = base.kron          # the record is about flat indices: reshaping keeps it
        if len(shape) == 2 and base.is_identity():
            kron = Base.identity(0, shape).kron
        return Signal(Base(base.W, base.b, base.pos, shape, kron), x.P, x.terms)

    def _op_Flatten(self, node, attrs):
        x = self.values[node.input[0]]
        if attrs.get("axis", 1) != 1:
            raise UnsupportedModelError(f"{_what(node)}: axis={attrs.get('axis')}; only "
                                        "axis=1 keeps the batch axis")
        return self._op_reshape(node, x, (x.width,))

    def _op_Reshape(self, node, attrs):
        x = self.values[node.input[0]]
        target = [int(v) for v in np.asarray(self._const(node, node.input[1], integer=True)).ravel()]
        if len(target) < 2 or target[0] not in (0, -1) or (target[0] == -1 and -1 in target[1:]):
            raise UnsupportedModelError(
                f"{_what(node)}: shape {target} must keep the batch axis first (0 or -1)")
        rest = target[1:]
        if attrs.get("allowzero", 0) and 0 in rest:
            raise UnsupportedModelError(f"{_what(node)}: allowzero with a zero size")
        rest = [x.shape[k] if v == 0 and k < len(x.shape) else v for k, v in enumerate(rest)]
        if -1 in rest:
            known = int(np.prod([v for v in rest if v != -1]))
            if known == 0 or x.width % known:
                raise UnsupportedModelError(f"{_what(node)}: cannot reshape {x.shape} to {target}")
            rest = [x.width // known if v == -1 else v for v in rest]
        if any(v < 1 for v in rest) or not rest:
            raise UnsupportedModelError(f"{_what(node)}: cannot reshape {x.shape} to {target}")
        return self._op_reshape(node, x, tuple(rest))

    # ----------------------------------------------------------------- driver
    def _constant_node(self, node):
        from onnx.reference import ReferenceEvaluator

        feeds = {n: self.values[n] for n in node.input if n}
        try:
            out = ReferenceEvaluator(node, opsets={"": self.opset}).run(None, feeds)
        except Exception as exc:
            raise UnsupportedModelError(f"{_what(node)}: could not evaluate this constant "
                                        f"subgraph ({exc})") from None
        for name, v in zip(node.output, out):
            self.values[name] = np.asarray(v)

    def _node(self, node):
        if node.domain not in ("", "ai.onnx"):
            raise UnsupportedModelError(f"{_what(node)}: operator domain {node.domain!r} is "
                                        "not the standard ONNX domain")
        if not any(isinstance(self.values.get(n), Signal) for n in node.input if n):
            self._constant_node(node)
            return
        from onnx import helper

        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op in _PASS:
            if op == "Cast" and attrs.get("to") not in (1, 10, 11, 16):
                raise UnsupportedModelError(f"{_what(node)}: casts the signal to a non-float "
                                            "type")
            out = self.values[node.input[0]]
        elif op in _ACTIVATIONS:
            out = self._op_activation(node, attrs, _ACTIVATIONS[op])
        elif hasattr(self, f"_op_{op}"):
            out = getattr(self, f"_op_{op}")(node, attrs)
        else:
            raise UnsupportedModelError(
                f"{_what(node)} is not supported: no exact layer for it (supported: Gemm, "
                "MatMul, Add, Sub, Mul, Div, Neg, Pow, Relu, Tanh, Sigmoid, Erf, Gelu, Sin, Exp, "
                "Identity, Dropout, Cast, Flatten, Reshape)")
        for n in node.input:
            if n in self.uses:
                self.uses[n] -= 1
        self.values[node.output[0]] = out
        for extra in node.output[1:]:
            if extra and self.uses.get(extra, 0):
                raise UnsupportedModelError(f"{_what(node)}: its second output {extra!r} "
                                            "(e.g. a dropout mask) is used")

    def run(self):
        from ..layers import Identity, Network

        self._inputs()
        g = self.model.graph
        self.uses = {}
        for node in g.node:
            for n in node.input:
                self.uses[n] = self.uses.get(n, 0) + 1
        for o in g.output:
            self.uses[o.name] = self.uses.get(o.name, 0) + 1
        for node in g.node:
            self._node(node)
        out = self.values.get(g.output[0].name)
        if not isinstance(out, Signal):
            raise UnsupportedModelError(
                f"output {g.output[0].name!r} does not depend on the input (a constant model)")
        out = self._materialise(None, out)
        alpha, beta = out.alpha_beta()
        self._commit(out.base, alpha, beta)
        return Network(self.layers or [Identity()])


def from_onnx(path_or_model, *, method="gaussian", degree=None):
    """Read an ONNX model (file path, bytes or ``onnx.ModelProto``) as a :class:`~cumulants.layers.Network`.

    The network computes the same function as the model on the row-major flattening of
    its input features: :math:`\\mathrm{net.apply}(x) = \\mathrm{model}(x)`.  Dense parts
    become :class:`~cumulants.layers.Dense` (or
    :class:`~cumulants.layers.MessagePassing`), polynomial activations
    :class:`~cumulants.layers.Quadratic` / :class:`~cumulants.layers.Polynomial`
    (exact propagation), and ``Relu``, ``Tanh``, ``Sigmoid``, ``Erf``, ``Gelu``, ``Sin``,
    ``Exp`` the matching non-polynomial layers built with ``method`` and ``degree`` (see
    :class:`~cumulants.layers.Activation`).  Unsupported operators, several inputs or
    outputs, dynamic feature shapes and non-float weights raise
    :class:`UnsupportedModelError` naming the node.

    >>> import numpy as np
    >>> from onnx import helper, numpy_helper, TensorProto
    >>> W = numpy_helper.from_array(np.array([[2.0, 1.0]]), "W")
    >>> g = helper.make_graph(
    ...     [helper.make_node("MatMul", ["x", "W"], ["z"]),
    ...      helper.make_node("Mul", ["z", "z"], ["zz"]),
    ...      helper.make_node("Mul", ["zz", "half"], ["h"]),
    ...      helper.make_node("Add", ["z", "h"], ["y"])], "quadratic",
    ...     [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["batch", 1])],
    ...     [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["batch", 2])],
    ...     [W, numpy_helper.from_array(np.array(0.5), "half")])
    >>> from_onnx(helper.make_model(g))
    Network([Dense(weight=[[2.0], [1.0]]), Quadratic(alpha=0.5)])

    References: the ONNX operator specification, https://onnx.ai/onnx/operators/.
    """
    model = _load(path_or_model)
    return _Tracer(model, method, degree).run()
