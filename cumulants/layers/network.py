"""Networks: compositions of analytic layers.

:meth:`Network.propagate` works out up front which input cumulant order the
whole stack needs (polynomial activations multiply it by their degree), then
maps the state layer by layer; :meth:`Network.apply` runs the same weights on
samples; :meth:`Network.polynomial` returns the whole map as sympy polynomials
when every layer is polynomial.
"""

from __future__ import annotations

import numpy as np
import sympy

from .._numbers import check_order, domain_of, join_domains
from ..errors import InsufficientOrderError, InvalidParameterError, ShapeMismatchError, bad_argument
from ..state import Cumulants
from .base import Layer

__all__ = ["Network"]


class Network(Layer):
    """A sequence of layers applied in order.

    >>> from cumulants.layers import Dense, Quadratic
    >>> from cumulants.state import Cumulants
    >>> net = Network([Dense([[1]]), Quadratic(sympy.Rational(1, 2))])
    >>> z = Cumulants.gaussian([1], [[1]], order=2)
    >>> net.propagate(z, order=3).marginal(0)                # docs/formulas.md §8 oracle 5
    [2, 9/2, 13]
    >>> net.polynomial()
    [x_0**2/2 + x_0]
    """

    def __init__(self, layers):
        if layers is None or isinstance(layers, (str, bytes, Layer)):
            raise bad_argument("layers", layers, "a list of layers, e.g. [Dense(W), Quadratic(a)]")
        try:
            layers = list(layers)
        except TypeError:
            raise bad_argument("layers", layers,
                               "a list of layers, e.g. [Dense(W), Quadratic(a)]") from None
        if not layers:
            raise bad_argument("layers", layers, "a non-empty list of layers")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise bad_argument(f"layers[{i}]", layer, "a cumulants layer (Dense, an activation, ...)")
        width = None
        for i, layer in enumerate(layers):
            need = layer.in_dim()
            if width is not None and need is not None and need != width:
                raise ShapeMismatchError(
                    f"layers[{i}] expects width {need} but layers[{i - 1}] outputs width {width}")
            width = layer.out_dim(width if need is None else need)
        self.layers = tuple(layers)

    def in_dim(self):
        for layer in self.layers:
            d = layer.in_dim()
            if d is not None:
                return d
        return None

    def out_dim(self, in_dim):
        w = in_dim
        for layer in self.layers:
            w = layer.out_dim(w)
        return w

    @property
    def exact(self):
        return all(layer.exact for layer in self.layers)

    @property
    def is_polynomial(self):
        return all(layer.is_polynomial for layer in self.layers)

    def required_order(self, order: int) -> int:
        """Input order needed for output cumulants up to ``order``."""
        order = check_order(order)
        for layer in reversed(self.layers):
            order = layer.required_order(order)
        return order

    def propagate(self, state, order=None, *, route="auto"):
        """Cumulants of the network output up to ``order`` (default: the state's order).

        ``route``: ``"layerwise"`` maps the full joint state through every layer;
        ``"polynomial"`` (polynomial networks only) expands the whole network as
        one polynomial map of the input and takes its cumulants directly, which
        avoids the large hidden-layer tensors; ``"contraction"`` (polynomial
        networks on independent or Gaussian numeric inputs) sums connected
        diagrams / contracts orthogonal-basis coefficients without expanding
        powers (:mod:`cumulants.layers.contraction`), which scales to wide
        layers; ``"auto"`` picks ``"layerwise"`` for networks without a nonlinear
        polynomial activation, else the cheapest applicable route by the cost
        model :func:`~cumulants.layers.contraction.route_costs`.
        All routes are exact and agree (a tested law).
        """
        if route not in ("auto", "layerwise", "polynomial", "contraction"):
            raise bad_argument("route", route,
                               "'auto', 'layerwise', 'polynomial' or 'contraction'")
        if not isinstance(state, Cumulants):
            raise bad_argument("state", state, "a cumulants.Cumulants instance")
        order = state.order if order is None else check_order(order)
        d = self.in_dim()
        if d is not None and state.dim != d:
            raise ShapeMismatchError(f"the network expects inputs of width {d}; the state has dim={state.dim}")
        orders = [order]
        for layer in reversed(self.layers):
            orders.append(layer.required_order(orders[-1]))
        orders = orders[::-1]  # orders[k] = order needed at the input of layer k
        need = orders[0]
        if need > state.order and not state.known_to(need):
            raise InsufficientOrderError(
                f"output cumulants up to order {order} need input cumulants up to order {need} "
                f"(polynomial activations multiply the order by their degree); the state holds "
                f"order {state.order}. Build it with order >= {need}, or from distributions / as "
                "a Gaussian so higher orders are known exactly")
        nonlinear = any((getattr(layer, "degree", None) or 1) > 1 for layer in self.layers)
        if route == "auto" and self.is_polynomial and nonlinear and self.in_dim() is not None:
            route = self._auto_route(state, order)
        if route == "contraction":
            from .contraction import contraction_cumulants

            if not self.is_polynomial:
                from ..errors import NotPolynomialError

                raise NotPolynomialError("route='contraction' needs every layer to be polynomial")
            return contraction_cumulants(self, state, order)
        cur = state.extend(need) if need > state.order else state
        if route == "polynomial":
            from ..algebra.polynomial import polynomial_cumulants

            if not self.is_polynomial:
                from ..errors import NotPolynomialError

                raise NotPolynomialError("route='polynomial' needs every layer to be polynomial")
            return polynomial_cumulants(self.polynomial(as_ring=True), cur, order,
                                        joint=True)
        for k, layer in enumerate(self.layers):
            cur = layer.propagate(cur, orders[k + 1])
        return cur

    def _auto_route(self, state, order):
        """The cheapest applicable exact route by :func:`~.contraction.route_costs`."""
        from .contraction import applicable, route_costs

        costs = route_costs(self, state, order)
        if not applicable(self, state):
            costs["contraction"] = None
        usable = {k: v for k, v in costs.items() if v is not None}
        return min(usable, key=usable.get) if usable else "polynomial"

    def apply(self, x):
        """Forward pass on samples ``x`` of shape ``(n, in_dim)``."""
        from ..estimators.kstat import as_samples

        out = as_samples(x, "x")
        if out.ndim == 1:
            out = out[:, None]
        for layer in self.layers:
            out = layer.apply(out)
        return out

    __call__ = apply

    def _ring_domain(self):
        doms, symbolic, free = [], False, False
        for layer in self.layers:
            for attr in ("weight", "bias", "coeffs"):
                v = getattr(layer, attr, None)
                if v is None:
                    continue
                vals = list(np.asarray(v, dtype=object).ravel())
                doms.append(domain_of(vals))
                # symbols and irrational exact numbers (sqrt(2), pi) need the EX domain
                if any(isinstance(e, sympy.Basic) and (e.free_symbols or
                                                       (e.is_number and not e.is_Rational
                                                        and not e.is_Float))
                       for e in vals):
                    symbolic = True
                if symbolic and any(isinstance(e, sympy.Basic) and e.free_symbols for e in vals):
                    free = True
        dom = join_domains(doms)
        if dom != "exact" and free:
            raise InvalidParameterError(
                f"the network mixes symbols with {dom} numbers; a symbolic network needs exact "
                "numbers (ints, sympy.Rational) everywhere, or substitute values for the symbols")
        return dom, symbolic

    def polynomial(self, inputs=None, *, as_ring=False):
        """The network as a list of polynomials (one per output).

        ``inputs`` defaults to symbols ``x_0..x_{d-1}``.  With ``as_ring=True``
        the result stays in sympy's sparse polynomial ring (fast for further
        algebra).  Raises :class:`~cumulants.errors.NotPolynomialError` if an
        activation is not polynomial.
        """
        from ..algebra.polynomial import polynomial_ring

        if inputs is not None:
            cur = list(inputs)
            for layer in self.layers:
                cur = layer.polynomial(cur)
            return [sympy.expand(c) for c in cur]
        d = self.in_dim()
        if d is None:
            raise InvalidParameterError("the network has no Dense layer; pass inputs= explicitly")
        dom, symbolic = self._ring_domain()
        R, gens = polynomial_ring(d, dom, symbolic=symbolic)
        cur = list(gens)
        for layer in self.layers:
            cur = layer.polynomial(cur)
        if as_ring:
            return cur
        syms = [sympy.Symbol(f"x_{i}") for i in range(d)]
        return [R(c).as_expr(*syms) if not isinstance(c, (int, float)) else sympy.sympify(c) for c in cur]

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, k):
        return self.layers[k]

    def __repr__(self):
        return "Network([" + ", ".join(repr(layer) for layer in self.layers) + "])"
