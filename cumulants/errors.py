"""The error family of ``cumulants``.

Every public function validates its arguments eagerly and raises a subclass of
:class:`CumulantError` (itself a :class:`ValueError`) whose message names the
argument, shows the offending value and says what would be valid.

>>> import cumulants as cm
>>> issubclass(cm.InvalidParameterError, cm.CumulantError)
True
>>> issubclass(cm.CumulantError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "CumulantError",
    "InvalidParameterError",
    "InvalidCumulantsError",
    "ShapeMismatchError",
    "InsufficientOrderError",
    "OrderTooHighError",
    "MethodUnavailableError",
    "NotPolynomialError",
    "ApproximationError",
    "ApproximationWarning",
    "bad_argument",
]


class CumulantError(ValueError):
    """Base class of every error raised by ``cumulants`` on bad input."""


class InvalidParameterError(CumulantError):
    """A parameter is outside its domain (negative scale, p outside [0, 1], NaN, ...)."""


class InvalidCumulantsError(CumulantError):
    """A cumulant table is not valid (asymmetric or non-PSD covariance, wrong length, ...)."""


class ShapeMismatchError(CumulantError):
    """Dimensions of two objects do not fit together (layer widths, index ranges, ...)."""


class InsufficientOrderError(CumulantError):
    """A computation needs cumulants of a higher order than the state holds."""


class OrderTooHighError(CumulantError):
    """An order is beyond what a method supports (e.g. a closed form known only to order 4)."""


class MethodUnavailableError(CumulantError):
    """The requested ``method=`` is unknown or does not apply to this object."""


class NotPolynomialError(CumulantError):
    """An exact polynomial operation was asked of a non-polynomial map."""


class ApproximationError(CumulantError):
    """An approximation (surrogate, quadrature) cannot reach a trustworthy accuracy: its own
    error estimate exceeds the value, or the precision it would need is out of reach."""


class ApproximationWarning(UserWarning):
    """An approximation's own error estimate is a sizeable fraction (over 10%) of a value
    it returns; the estimate is attached to the result (``result.error``)."""


def bad_argument(name, value, expected, cls=InvalidParameterError):
    """Build an error whose message names the argument, its value and what is valid.

    >>> str(bad_argument("order", 0, "an integer >= 1"))
    'order=0 is invalid: expected an integer >= 1'
    """
    return cls(f"{name}={value!r} is invalid: expected {expected}")
