r"""The algebra of a traced model: tensors as elementwise functions of one affine map.

While an ONNX graph is read, every tensor that depends on the model input is a
:class:`Signal`: an elementwise function of an affine map :class:`Base` of the
*trunk* -- the output of the layers committed so far,

.. math::  s_i = P_i(u_i) + \sum_g Q_{g,i}(u_i)\, g(a_{g,i} u_i + c_{g,i}),
           \qquad u = W t + b,

with polynomials :math:`P, Q` (one row of ascending coefficients per unit) and
activations :math:`g` (ReLU, tanh, erf, ...).  Linear operators act on ``u``;
elementwise sums, products and powers act on the polynomials; an activation
applied to an affine signal adds a :math:`g` term.  When a linear operator meets a
nonlinear signal, the signal is *committed*: ``u`` becomes a ``Dense`` (or
``MessagePassing``) layer, the elementwise function becomes an activation layer
(:func:`activation_layers` recognises ``x + a x^2``, polynomials and the erf form of
GELU), and tracing continues on the new trunk.

``Base.kron`` optionally records ``W`` as :math:`\sum_k L_k \otimes R_k` on
node-major ``(nodes, features)`` tensors, so that ``h W_s + A h W_n`` commits as
:class:`~cumulants.layers.MessagePassing` rather than as its dense Kronecker matrix.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Base", "Signal", "poly_mul", "poly_add", "trim", "activation_layers"]

#: float32 spacing at 1: a torch export writes sqrt(2) as the float32 1.4142135.
_SNAP = 2.0 ** -22


def trim(P):
    """Drop trailing all-zero columns of a coefficient table (keep at least one)."""
    m = P.shape[1]
    while m > 1 and not np.any(P[:, m - 1]):
        m -= 1
    return P if m == P.shape[1] else P[:, :m]


def poly_add(P, Q):
    """Sum of two coefficient tables (rows are units, columns ascending powers)."""
    m = max(P.shape[1], Q.shape[1])
    out = np.zeros((max(P.shape[0], Q.shape[0]), m))
    out[:, :P.shape[1]] += P
    out[:, :Q.shape[1]] += Q
    return trim(out)


def poly_mul(P, Q):
    """Product of two coefficient tables, unit by unit."""
    out = np.zeros((max(P.shape[0], Q.shape[0]), P.shape[1] + Q.shape[1] - 1))
    for i in range(P.shape[1]):
        for j in range(Q.shape[1]):
            if np.any(P[:, i]) and np.any(Q[:, j]):
                out[:, i + j] += P[:, i] * Q[:, j]
    return trim(out)


class Base:
    """An affine map ``u = W t + b`` of the trunk output ``t`` at trunk position ``pos``.

    ``b`` is ``None`` when no bias was ever added; ``shape`` is the feature shape of
    ``u`` (``(k,)`` or ``(nodes, features)``); ``kron`` is ``None`` or a list of
    ``(L, R)`` with ``W = sum_k kron(L_k, R_k)``.
    """

    __slots__ = ("W", "b", "pos", "shape", "kron")

    def __init__(self, W, b, pos, shape, kron=None):
        self.W, self.b, self.pos, self.shape, self.kron = W, b, pos, tuple(shape), kron

    @classmethod
    def identity(cls, pos, shape):
        """The trunk output itself, with the identity Kronecker record on 2-D features."""
        k = int(np.prod(shape))
        kron = [(np.eye(shape[0]), np.eye(shape[1]))] if len(shape) == 2 else None
        return cls(np.eye(k), None, pos, shape, kron)

    @property
    def width(self):
        """Number of units of ``u``."""
        return self.W.shape[0]

    def is_identity(self):
        """Whether ``u`` is the trunk output unchanged."""
        return (self.b is None and self.W.shape[0] == self.W.shape[1]
                and np.array_equal(self.W, np.eye(self.W.shape[0])))

    def same(self, other):
        """Whether two bases are the same map of the same trunk position."""
        return self is other or (self.pos == other.pos and self.W.shape == other.W.shape
                                 and np.array_equal(self.W, other.W)
                                 and _same_bias(self.b, other.b))

    def scaled(self, alpha, beta):
        """The base ``alpha * u + beta`` (unit by unit), keeping the Kronecker record if it can."""
        W = self.W * alpha[:, None]
        b = None
        if self.b is not None or np.any(beta):
            b = (np.zeros(self.width) if self.b is None else self.b * alpha) + beta
        return Base(W, b, self.pos, self.shape, _scale_kron(self.kron, alpha))

    def shifted(self, c):
        """The base ``u + c``: a bias is present from now on, even when ``c`` is zero."""
        b = (np.zeros(self.width) if self.b is None else self.b) + c
        return Base(self.W, b, self.pos, self.shape, self.kron)

    def linear(self, M, shape, kron_map=None, grid=None):
        """The base ``M u`` with feature shape ``shape``; ``kron_map`` updates the record.

        ``grid = (nodes, features)`` is the grouping ``kron_map`` assumes; a record with
        another grouping is dropped.
        """
        b = None if self.b is None else M @ self.b
        kron = None
        if kron_map is not None and self.kron is not None and all(
                (L.shape[0], R.shape[0]) == grid for L, R in self.kron):
            kron = [kron_map(L, R) for L, R in self.kron]
        return Base(M @ self.W, b, self.pos, shape, kron)

    def plus(self, other):
        """The base ``u + v`` of two bases at the same trunk position."""
        b = None if self.b is None and other.b is None else \
            (0 if self.b is None else self.b) + (0 if other.b is None else other.b)
        kron = None
        if self.kron is not None and other.kron is not None:
            kron = [(L, R.copy()) for L, R in self.kron]
            for L2, R2 in other.kron:
                for k, (L, R) in enumerate(kron):
                    if L.shape == L2.shape and np.array_equal(L, L2) and R.shape == R2.shape:
                        kron[k] = (L, R + R2)
                        break
                else:
                    kron.append((L2, R2))
        return Base(self.W + other.W, b, self.pos, self.shape, kron)


def _same_bias(a, b):
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a, b)


def _scale_kron(kron, alpha):
    if kron is None or np.all(alpha == 1):
        return kron
    n, f = kron[0][0].shape[0], kron[0][1].shape[0]
    if all((L.shape[0], R.shape[0]) == (n, f) for L, R in kron) and alpha.size == n * f:
        per_node = alpha.reshape(n, f)
        if np.all(per_node == per_node[0]):           # one scale per feature
            return [(L, per_node[0][:, None] * R) for L, R in kron]
    return None


class Signal:
    """A tensor of the traced model: ``P(u) + sum_g Q_g(u) g(a u + c)`` unit by unit."""

    __slots__ = ("base", "P", "terms")

    def __init__(self, base, P, terms=()):
        self.base, self.P, self.terms = base, trim(np.asarray(P, dtype=float)), list(terms)

    @classmethod
    def of(cls, base):
        """The signal ``u`` itself."""
        k = base.width
        return cls(base, np.column_stack([np.zeros(k), np.ones(k)]))

    @property
    def shape(self):
        """Feature shape of the tensor."""
        return self.base.shape

    @property
    def width(self):
        """Number of units."""
        return self.base.width

    @property
    def plain(self):
        """Whether the signal is affine in the trunk (``alpha * u + beta``)."""
        return not self.terms and self.P.shape[1] <= 2

    def alpha_beta(self):
        """``(alpha, beta)`` of a plain signal ``alpha * u + beta``."""
        P = self.P
        alpha = P[:, 1] if P.shape[1] > 1 else np.zeros(P.shape[0])
        return np.broadcast_to(alpha, (self.width,)).copy(), \
            np.broadcast_to(P[:, 0], (self.width,)).copy()

    def as_base(self):
        """The affine map of a plain signal, as a :class:`Base`."""
        alpha, beta = self.alpha_beta()
        return self.base.scaled(alpha, beta)


def _rows_equal(P):
    return bool(np.all(P == P[0]))


def activation_layers(P, terms, make_activation, where):
    """Layers realising the elementwise function ``P(u) + sum Q_g(u) g(a u + c)``.

    Returns ``(alpha, beta, layers, post)``: the base is first mapped to
    ``alpha * u + beta``, then ``layers`` are applied, then the affine ``post =
    (alpha', beta')`` remains pending.  Raises ``ValueError(reason)`` when the function
    is not one the layers of :mod:`cumulants.layers` represent.
    """
    from ..layers import Polynomial, Quadratic
    from ..layers.nonpolynomial import UnitPolynomial

    k = P.shape[0]
    ones, zeros = np.ones(k), np.zeros(k)
    if not terms:
        if _rows_equal(P):
            c = [float(v) for v in P[0]]
            layer = Quadratic(c[2]) if len(c) == 3 and c[0] == 0 and c[1] == 1 else Polynomial(c)
        else:
            layer = UnitPolynomial(P.tolist())
        return ones, zeros, [layer], (ones, zeros)
    if len(terms) > 1:
        raise ValueError(f"{where}: combines {len(terms)} activations "
                         f"({', '.join(t[0] for t in terms)}) of one pre-activation")
    g, a, c, Q = terms[0]
    a = np.broadcast_to(a, (k,)).astype(float)
    c = np.broadcast_to(c, (k,)).astype(float)
    Q = np.broadcast_to(Q, (k, Q.shape[1]))
    if P.shape[1] <= 1 and Q.shape[1] <= 1:                 # Q g(a u + c) + P
        return a, c, [make_activation(g)], (Q[:, 0].copy(), np.broadcast_to(P[:, 0], (k,)).copy())
    rest = poly_add(P, -Q) if P.shape[1] >= Q.shape[1] else None
    if g == "erf" and Q.shape[1] == 2 and rest is not None and rest.shape[1] == 1 \
            and np.all(Q[:, 1] != 0) and np.all(a != 0):
        # m/2 (s u + t)(1 + erf((s u + t)/sqrt 2)) = m GELU(s u + t): a = s/sqrt2, c = t/sqrt2
        s, t = a * math.sqrt(2), c * math.sqrt(2)
        if np.allclose(Q[:, 0] * a, Q[:, 1] * c, rtol=1e-6, atol=1e-12 * np.abs(Q).max()):
            s = np.where(np.abs(s - 1) <= _SNAP, 1.0, s)
            t = np.where(np.abs(t) <= _SNAP * np.abs(s), 0.0, t)
            m = 2 * Q[:, 1] / s
            return s, t, [make_activation("gelu")], (m, np.broadcast_to(rest[:, 0], (k,)).copy())
    raise ValueError(f"{where}: combines {g}(...) with a non-constant polynomial of the same "
                     "pre-activation, which no single activation layer represents (supported: "
                     "polynomials; relu, tanh, sigmoid, erf, gelu, sin, exp times a constant "
                     "plus a constant; the erf form of GELU)")
