"""Elementwise activations of the numpy backend, with derivatives and a parameter gradient.

Specs: ``"identity"``, ``"quadratic"`` (``z + alpha z^2``; ``"quadratic:0.3"`` fixes
``alpha``), ``"poly:c0,c1,c2,..."`` or a list of coefficients (ascending,
``c0 + c1 z + c2 z^2 + ...``), ``"tanh"``, ``"relu"``.  The quadratic activation may carry a
learnable ``alpha``; the other activations have no parameters.

>>> act = activation("quadratic", alpha=0.5)
>>> act
Quadratic(0.5)
>>> act.forward(np.array([2.0]), 0.5)
array([4.])
>>> activation("poly:0,1,0.5").spec
'poly:0.0,1.0,0.5'
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.polynomial import polynomial as P

from ..errors import InvalidParameterError, MethodUnavailableError, bad_argument

__all__ = ["Activation", "Identity", "Quadratic", "Polynomial", "Tanh", "ReLU", "activation",
           "NAMES"]

#: Activation names understood by :func:`activation` (``poly:...`` takes coefficients).
NAMES = ("identity", "quadratic", "poly", "tanh", "relu")


class Activation:
    """An elementwise map ``a = phi(z; p)`` with an optional scalar parameter ``p``.

    ``forward(z, p)``, ``backward(z, p, da) -> dz`` and, when ``has_param``,
    ``param_grad(z, p, da) -> dL/dp`` (summed over all entries).
    """

    has_param = False
    name = "activation"

    @property
    def spec(self) -> str:
        """A string that :func:`activation` turns back into this activation."""
        return self.name

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other) and self.spec == other.spec

    def __hash__(self):
        return hash(self.spec)

    def forward(self, z, p=None):
        """The activation applied elementwise to pre-activations ``z`` (``p``: its parameter)."""
        raise NotImplementedError

    def backward(self, z, p, da):
        """Gradient with respect to ``z`` given the upstream gradient ``da``."""
        raise NotImplementedError

    def param_grad(self, z, p, da):
        """Gradient with respect to the activation's own parameter (0 when it has none)."""
        return 0.0

    def layer(self, p=None):
        """The matching activation layer of :mod:`cumulants.layers` (imported lazily)."""
        raise NotImplementedError


class Identity(Activation):
    """``phi(z) = z``."""

    name = "identity"

    def forward(self, z, p=None):
        return z

    def backward(self, z, p, da):
        return da

    def layer(self, p=None):
        from .. import layers

        return layers.Identity()


class Quadratic(Activation):
    """``phi(z) = z + alpha z^2``; ``alpha`` is the (optionally learnable) parameter."""

    has_param = True
    name = "quadratic"

    def __init__(self, alpha=0.5):
        self.alpha = _finite("alpha", alpha)

    @property
    def spec(self):
        return f"quadratic:{self.alpha!r}"

    def __repr__(self):
        return f"Quadratic({self.alpha!r})"

    def forward(self, z, p=None):
        a = self.alpha if p is None else p
        return z + a * (z * z)

    def backward(self, z, p, da):
        a = self.alpha if p is None else p
        return da * (1.0 + (2.0 * a) * z)

    def param_grad(self, z, p, da):
        return float(np.sum(da * (z * z)))

    def layer(self, p=None):
        from .. import layers

        return layers.Quadratic(float(self.alpha if p is None else p))


class Polynomial(Activation):
    """``phi(z) = c0 + c1 z + c2 z^2 + ...`` with fixed coefficients (ascending)."""

    name = "poly"

    def __init__(self, coeffs):
        try:
            c = [float(x) for x in coeffs]
        except (TypeError, ValueError):
            raise bad_argument("coeffs", coeffs, "a sequence of real coefficients") from None
        if not c or not all(math.isfinite(x) for x in c):
            raise bad_argument("coeffs", coeffs, "a non-empty sequence of finite coefficients")
        self.coeffs = np.array(c)
        self._dcoeffs = P.polyder(self.coeffs) if len(c) > 1 else np.zeros(1)

    @property
    def spec(self):
        return "poly:" + ",".join(repr(float(x)) for x in self.coeffs)

    def __repr__(self):
        return f"Polynomial({[float(x) for x in self.coeffs]!r})"

    def forward(self, z, p=None):
        return P.polyval(z, self.coeffs)

    def backward(self, z, p, da):
        return da * P.polyval(z, self._dcoeffs)

    def layer(self, p=None):
        from .. import layers

        return layers.Polynomial([float(x) for x in self.coeffs])


class Tanh(Activation):
    """``phi(z) = tanh z``."""

    name = "tanh"

    def forward(self, z, p=None):
        return np.tanh(z)

    def backward(self, z, p, da):
        t = np.tanh(z)
        return da * (1.0 - t * t)

    def layer(self, p=None):
        from .. import layers

        return layers.Tanh()


class ReLU(Activation):
    """``phi(z) = max(z, 0)`` (derivative 0 at the kink)."""

    name = "relu"

    def forward(self, z, p=None):
        return np.maximum(z, 0.0)

    def backward(self, z, p, da):
        return da * (z > 0)

    def layer(self, p=None):
        from .. import layers

        return layers.ReLU()


def _finite(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise bad_argument(name, value, "a finite real number", cls=InvalidParameterError)
    return float(value)


def activation(spec, *, alpha=None) -> Activation:
    """Parse an activation spec (name, ``"poly:..."`` string, coefficient list or instance).

    ``alpha`` sets the quadratic coefficient (default 0.5) and is rejected for other
    activations.

    >>> activation([0.0, 0.0, 1.0])
    Polynomial([0.0, 0.0, 1.0])
    >>> activation("quadratic:0.25")
    Quadratic(0.25)
    >>> activation("softmax")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cumulants.errors.MethodUnavailableError: activation='softmax' is invalid: expected one of ...
    """
    if isinstance(spec, Activation):
        if alpha is not None and not isinstance(spec, Quadratic):
            raise bad_argument("alpha", alpha, f"None: {spec!r} has no alpha")
        if alpha is not None:
            return Quadratic(alpha)
        return spec
    if isinstance(spec, (list, tuple, np.ndarray)):
        if alpha is not None:
            raise bad_argument("alpha", alpha, "None for a polynomial activation")
        return Polynomial(spec)
    if not isinstance(spec, str):
        raise bad_argument("activation", spec, f"one of {NAMES} or a coefficient list",
                           cls=MethodUnavailableError)
    name, _, arg = spec.partition(":")
    name = name.strip().lower()
    if name == "quadratic":
        if arg and alpha is not None:
            raise bad_argument("alpha", alpha, f"None when the spec {spec!r} fixes alpha")
        if arg:
            try:
                value = float(arg)
            except ValueError:
                raise bad_argument("activation", spec, "'quadratic' or 'quadratic:<alpha>'",
                                   cls=InvalidParameterError) from None
            return Quadratic(value)
        return Quadratic(0.5 if alpha is None else alpha)
    if alpha is not None:
        raise bad_argument("alpha", alpha, f"None: activation {spec!r} has no alpha")
    if name in ("poly", "polynomial"):
        try:
            coeffs = [float(x) for x in arg.split(",")]
        except ValueError:
            raise bad_argument("activation", spec, "'poly:c0,c1,...' with numeric "
                               "coefficients", cls=InvalidParameterError) from None
        return Polynomial(coeffs)
    simple = {"identity": Identity, "linear": Identity, "tanh": Tanh, "relu": ReLU}
    if name in simple and not arg:
        return simple[name]()
    raise bad_argument("activation", spec, f"one of {NAMES} (poly as 'poly:c0,c1,...')",
                       cls=MethodUnavailableError)
