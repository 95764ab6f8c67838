r"""Dense (affine) layers: the exact multilinear map of every cumulant order.

For :math:`z = W x + b` (docs/formulas.md §3.1)

.. math::

    \kappa^z_i = \sum_j W_{ij}\kappa^x_j + b_i,\qquad
    \kappa^z_{i_1\dots i_n} = \sum_{j_1..j_n} W_{i_1 j_1}\cdots W_{i_n j_n}
    \kappa^x_{j_1\dots j_n}\quad(n\ge 2),

the bias moving only the mean.  For independent inputs the sum collapses to
:math:`\sum_j \kappa_n(x_j) W_{\cdot j}^{\otimes n}`.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .. import _tensor
from .._numbers import check_finite, check_order, check_real, domain_of, join_domains, to_domain
from ..errors import InvalidParameterError, ShapeMismatchError, bad_argument
from ..state import Cumulants, _as_storage
from .base import Layer, ring_scalar

__all__ = ["Dense", "as_weight_matrix"]


def as_weight_matrix(weight, name="weight"):
    """Validate and convert a weight to a 2-D array (float64 or object).

    Accepts nested lists, numpy arrays, sympy matrices and scalars (a 1x1 matrix).
    """
    if isinstance(weight, sympy.MatrixBase):
        arr = np.array(weight.tolist(), dtype=object)
    elif isinstance(weight, np.ndarray):
        arr = weight
    else:
        if weight is None or isinstance(weight, (str, bytes)):
            raise bad_argument(name, weight, "a 2-D array of numbers or sympy expressions")
        try:
            arr = np.array(weight, dtype=object)
        except Exception:  # ragged input
            raise bad_argument(name, weight, "a 2-D array of numbers or sympy expressions",
                               ShapeMismatchError) from None
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    if arr.ndim != 2 or 0 in arr.shape:
        raise bad_argument(name, f"array of shape {arr.shape}", "a non-empty 2-D matrix (out, in)",
                           ShapeMismatchError)
    if arr.dtype == bool or (arr.dtype == object and any(isinstance(v, (bool, np.bool_)) for v in arr.ravel())):
        raise bad_argument(name, arr.tolist(), "numbers or sympy expressions, not booleans")
    if arr.dtype == object:
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, (list, tuple, np.ndarray)):
                raise bad_argument(name, weight, "a rectangular 2-D matrix (rows of equal length)",
                                   ShapeMismatchError)
            check_real(v, f"{name}[{', '.join(map(str, idx))}]")
        dom = domain_of(list(arr.ravel()))
        if dom == "float":
            return np.asarray(arr, dtype=np.float64)
        return np.array([[to_domain(v, dom) for v in row] for row in arr], dtype=object)
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise bad_argument(name, arr.tolist() if arr.size < 20 else f"array of dtype {arr.dtype}",
                           "real numbers or sympy expressions (complex values are not supported)")
    check_finite(arr, name)
    if np.issubdtype(arr.dtype, np.integer):
        return np.array([[sympy.Integer(int(v)) for v in row] for row in arr], dtype=object)
    return np.asarray(arr, dtype=np.float64)


class Dense(Layer):
    """Affine layer ``z = W x + b`` with ``W`` of shape ``(out, in)``.

    Weights may be numbers, numpy arrays, sympy matrices or symbols.

    >>> from cumulants.state import Cumulants
    >>> from cumulants.distributions import Exponential
    >>> x = Cumulants.iid(Exponential(1), 2, 3)
    >>> z = Dense([[1, 1], [1, -1]]).propagate(x)       # docs/formulas.md §8 oracle 12
    >>> z[0, 0, 0], z[0, 0, 1], z[0, 1, 1]
    (4, 0, 4)
    """

    def __init__(self, weight, bias=None):
        self.weight = as_weight_matrix(weight, "weight")
        out, _ = self.weight.shape
        if bias is None:
            self.bias = None
        else:
            b = np.asarray(bias.tolist() if isinstance(bias, sympy.MatrixBase) else bias, dtype=object)
            b = b.reshape(-1) if b.ndim == 2 and 1 in b.shape else b
            if b.ndim == 0:
                b = b.reshape(1)
            if b.shape != (out,):
                raise ShapeMismatchError(
                    f"bias has shape {b.shape} but weight has {out} rows: expected shape ({out},)")
            self.bias = as_weight_matrix(b.reshape(1, -1), "bias").reshape(-1)

    # ---------------------------------------------------------------- protocol
    def in_dim(self):
        return self.weight.shape[1]

    def out_dim(self, in_dim):
        return self.weight.shape[0]

    @property
    def is_polynomial(self):
        return True

    @property
    def domain(self):
        """Number system of the weights and bias: ``"exact"``, ``"float"`` or ``"mpmath"``."""
        doms = [domain_of(self.weight)]
        if self.bias is not None:
            doms.append(domain_of(self.bias))
        return join_domains(doms)

    def _check_input(self, state):
        if not isinstance(state, Cumulants):
            raise bad_argument("state", state, "a cumulants.Cumulants instance", InvalidParameterError)
        if state.dim != self.weight.shape[1]:
            raise ShapeMismatchError(
                f"Dense layer expects inputs of width {self.weight.shape[1]} but the state has "
                f"dim={state.dim}")

    def _weight_in(self, domain):
        if domain == "float":
            return np.asarray(self.weight, dtype=np.float64)
        return np.array([[to_domain(v, domain) for v in row] for row in self.weight], dtype=object)

    def propagate(self, state, order=None):
        """Exact cumulants of ``W x + b`` up to ``order`` (default: the state's order)."""
        self._check_input(state)
        order = state.order if order is None else check_order(order)
        domain = join_domains([state.domain, self.domain])
        W = self._weight_in(domain)
        d_out = W.shape[0]
        data = []
        from .._limits import guard_tensor, multiset_count

        for n in range(1, order + 1):
            if state.is_independent:
                guard_tensor(f"order-{n} output entries x input width "
                             f"({multiset_count(d_out, n)} x {W.shape[1]})",
                             multiset_count(d_out, n) * W.shape[1],
                             route="a lower order, a narrower layer, or float weights on a "
                                   "subset of the outputs")
                diag = _as_storage(state.diagonal(n), domain)
                ms = _tensor.multisets(d_out, n)
                prod = W[ms[:, 0], :]
                for t in range(1, n):
                    prod = prod * W[ms[:, t], :]
                vals = prod @ diag if domain == "float" else prod.dot(diag)
            else:
                big = max(state.dim, d_out)
                guard_tensor(f"dense order-{n} tensor of width {big}",
                             big ** n if n * math.log10(max(big, 1)) < 30 else 10**30,
                             route="a lower order, or propagate the whole polynomial network "
                                   "with Network.propagate(..., route='polynomial')")
                T = state.tensor(n)
                T = T.astype(np.float64) if domain == "float" else _as_storage(T, domain).reshape(T.shape)
                for _ in range(n):
                    T = np.tensordot(T, W, axes=([0], [1]))
                vals = _tensor.pack(T)
            if n == 1 and self.bias is not None:
                b = np.asarray(self.bias, dtype=np.float64) if domain == "float" else \
                    np.array([to_domain(v, domain) for v in self.bias], dtype=object)
                vals = vals + b
            if domain == "exact":
                vals = np.array([sympy.expand(v) for v in vals], dtype=object)
            data.append(_as_storage(vals, domain))
        return Cumulants(d_out, order, domain, "packed", data, zero_above=state.zero_above,
                         exact=state.exact, method=state.method)

    def apply(self, x):
        """``x @ W.T + b`` on samples of shape ``(n, in)``."""
        x = np.asarray(x, dtype=float)
        W = np.asarray(self.weight, dtype=float)
        if x.ndim != 2 or x.shape[1] != W.shape[1]:
            raise ShapeMismatchError(
                f"samples have shape {x.shape}; expected (n, {W.shape[1]})")
        out = x @ W.T
        if self.bias is not None:
            out = out + np.asarray(self.bias, dtype=float)
        return out

    def polynomial(self, inputs):
        if len(inputs) != self.weight.shape[1]:
            raise ShapeMismatchError(f"{len(inputs)} inputs given; the layer expects {self.weight.shape[1]}")
        out = []
        for i in range(self.weight.shape[0]):
            acc = 0
            for j, p in enumerate(inputs):
                w = self.weight[i, j]
                if w != 0:
                    acc = acc + p * ring_scalar(p, w)
            if self.bias is not None:
                acc = acc + ring_scalar(acc, self.bias[i])
            out.append(acc)
        return out

    def __repr__(self):
        b = "" if self.bias is None else f", bias={self.bias.tolist()!r}"
        return f"Dense(weight={self.weight.tolist()!r}{b})"
