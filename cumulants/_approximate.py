"""Numbers that say they are approximate.

:class:`ApproximateValue` is what :func:`cumulants.generalisation.mse` returns when a
non-polynomial network goes through a polynomial surrogate (``method="hermite"`` or
``"taylor"``): a float carrying ``exact=False``, the method and, when known, an error
estimate.  Re-exported as ``cumulants.generalisation.ApproximateValue``.
"""

from __future__ import annotations

import numbers

from .errors import bad_argument

__all__ = ["ApproximateValue"]


class ApproximateValue(float):
    """A float that says it is approximate: ``.exact`` (``False``), ``.method`` (e.g.
    ``"hermite-8"``) and ``.error`` (an estimated absolute error, or ``None`` when the
    approximation gives none).

    It is a :class:`float` in every other respect (arithmetic returns plain floats),
    so code written for the 0.1 float results keeps working.

    >>> v = ApproximateValue(0.25, "hermite-8")
    >>> v + 0, v.exact, v.method, v.error
    (0.25, False, 'hermite-8', None)
    """

    __slots__ = ("method", "error")
    exact = False

    def __new__(cls, value, method, error=None):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise bad_argument("value", value, "a real number")
        if not isinstance(method, str):
            raise bad_argument("method", method, "the name of the approximation, e.g. 'hermite-8'")
        if error is not None and (isinstance(error, bool) or not isinstance(error, numbers.Real)):
            raise bad_argument("error", error, "None or a real number (an absolute error estimate)")
        out = super().__new__(cls, value)
        out.method = method
        out.error = error
        return out

    def __repr__(self):
        return f"ApproximateValue({float(self)!r}, method={self.method!r})"

    def __reduce__(self):
        return (ApproximateValue, (float(self), self.method, self.error))
