"""The layer protocol shared by every analytic layer.

A layer is an immutable pure map with two faces that tests hold against each
other: :meth:`Layer.propagate` maps a :class:`~cumulants.state.Cumulants`
state of the input to the state of the output, and :meth:`Layer.apply` maps
numpy samples.  Polynomial layers also expose :meth:`Layer.polynomial`.
"""

from __future__ import annotations

from ..errors import NotPolynomialError

__all__ = ["Layer"]


def ring_scalar(p, c):
    """``c`` as an element of the coefficient domain of the ring element ``p``.

    sympy turns an mpmath number that meets a ring element into a float first, which keeps
    16 of its digits; converting it through the domain keeps all of them.  Anything else
    (numbers with a ring of their own kind, or ``p`` not a ring element) is returned as is.
    """
    import mpmath

    if isinstance(c, mpmath.mpf) and hasattr(p, "ring"):
        return p.ring.domain(c)
    return c


class Layer:
    """Base class of analytic layers (dense, activations, message passing)."""

    def __new__(cls, *args, **kwargs):
        if cls is Layer:
            from ..errors import MethodUnavailableError

            raise MethodUnavailableError("Layer is an abstract base class; use one of its subclasses (Dense, Polynomial, Tanh, ...)")
        return super().__new__(cls)

    #: True when :meth:`propagate` is exact for any input with enough cumulants.
    exact = True

    def in_dim(self):
        """Input width, or ``None`` for elementwise layers (any width)."""
        return None

    def out_dim(self, in_dim):
        """Output width for a given input width."""
        return in_dim

    def required_order(self, order: int) -> int:
        """Input cumulant order needed to produce output cumulants up to ``order``."""
        return order

    def propagate(self, state, order=None):  # pragma: no cover - abstract
        """Cumulants of the output given the cumulants of the input."""
        raise NotImplementedError

    def apply(self, x):  # pragma: no cover - abstract
        """Numpy forward pass on samples of shape ``(n, in_dim)``."""
        raise NotImplementedError

    @property
    def is_polynomial(self) -> bool:
        """Whether the layer is a polynomial map (so propagation is exact)."""
        return False

    def polynomial(self, inputs):
        """Apply the layer to a list of polynomials (sympy ring elements or expressions)."""
        raise NotPolynomialError(
            f"{self!r} is not a polynomial map; use a polynomial activation or a "
            "Hermite surrogate (method='hermite') for an exact polynomial form")

    def latex(self) -> str:
        """LaTeX of the layer map."""
        from ..printing import latex

        return latex(self)
