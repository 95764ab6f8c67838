r"""The result of a bound: outer (certified) and attained (inner) extremes with their laws.

``lower <= lower_attained <= upper_attained <= upper``: every law of the class has
its MSE in ``[lower, upper]`` (up to solver tolerance), and the laws
``lower_law``/``upper_law`` lie in the class and attain ``lower_attained`` /
``upper_attained`` exactly.  ``gap`` is the outer width minus the inner width
(zero up to solver tolerance in the affine case).
"""

from __future__ import annotations

import math
import numbers

import sympy

from ..errors import bad_argument

__all__ = ["BoundResult"]


def _fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{float(v):.6g}"


class BoundResult:
    """Range of an error functional over a class of laws (see :func:`cumulants.bounds.mse_range`).

    Attributes: ``lower``, ``upper`` (outer bounds; ``upper`` may be ``inf``),
    ``lower_outer``, ``upper_outer`` (solver values), ``lower_attained``,
    ``upper_attained`` (exact error at the returned laws), ``lower_law``,
    ``upper_law`` (:class:`~cumulants.distributions.Discrete`), ``exact`` (the affine
    case, solved to tolerance), ``affine``, ``approximate`` (a surrogate model),
    ``gap``, ``method``, ``form`` (the error as a polynomial in the unknown raw
    moments ``m_k``, known ones substituted), ``full_form``, ``fixed``, ``laws``,
    ``seconds``, ``quantity`` (``"mse"`` or ``"gap"``).
    """

    def __init__(self, *, lower_outer, upper_outer, lower_attained, upper_attained, lower_law,
                 upper_law, exact, affine, approximate, method, form, full_form, laws, fixed,
                 seconds, witness=None, dim=None, degree=None, quantity="mse", shift=0.0):
        from .laws import LawClass

        for name, v in (("lower_outer", lower_outer), ("upper_outer", upper_outer),
                        ("lower_attained", lower_attained), ("upper_attained", upper_attained)):
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise bad_argument(name, v, "a real number (inf and nan allowed); results are "
                                   "built by cumulants.bounds.mse_range")
        if not isinstance(laws, LawClass):
            raise bad_argument("laws", laws, "a cumulants.bounds.LawClass")
        if not isinstance(method, str):
            raise bad_argument("method", method, "the name of the method used")
        self.lower_outer = lower_outer
        self.upper_outer = upper_outer
        self.lower_attained = lower_attained
        self.upper_attained = upper_attained
        self.lower_law = lower_law
        self.upper_law = upper_law
        self.exact = exact
        self.affine = affine
        self.approximate = approximate
        self.method = method
        self.form = form
        self.full_form = full_form
        self.laws = laws
        self.fixed = fixed
        self.seconds = seconds
        self.dim = dim
        self.degree = degree
        self.quantity = quantity
        self._witness = witness
        self._shift = shift

    # ---------------------------------------------------------------- derived
    @property
    def lower(self):
        """Outer lower bound: ``min(lower_outer, lower_attained)``."""
        return _min(self.lower_outer, self.lower_attained)

    @property
    def upper(self):
        """Outer upper bound: ``max(upper_outer, upper_attained)`` (``inf`` if unbounded)."""
        return _max(self.upper_outer, self.upper_attained)

    @property
    def gap(self):
        """Outer width minus inner width: ``(lower_attained - lower) + (upper - upper_attained)``."""
        if math.isinf(self.upper):
            return math.inf if not math.isinf(_nz(self.upper_attained)) else 0.0
        return (_nz(self.lower_attained) - self.lower) + (self.upper - _nz(self.upper_attained))

    @property
    def unbounded(self) -> bool:
        """Whether the worst case is infinite."""
        return math.isinf(self.upper)

    def witnesses(self, caps=(1e2, 1e3, 1e4)):
        """Laws of the class whose error grows without limit, as ``[(law, value), ...]``.

        Only for an infinite worst case (``unbounded``); each law solves the max
        problem with the trace of the moment matrix capped at ``cap``.
        """
        if self._witness is None:
            return []
        return [(law, v + self._shift) for law, v in self._witness(caps)]

    def shifted(self, delta, label="gap") -> "BoundResult":
        """The same range shifted by the constant ``delta`` (e.g. minus a train error)."""
        def sh(v):
            return v if v is None else v + delta
        out = BoundResult(
            lower_outer=sh(self.lower_outer), upper_outer=sh(self.upper_outer),
            lower_attained=sh(self.lower_attained), upper_attained=sh(self.upper_attained),
            lower_law=self.lower_law, upper_law=self.upper_law, exact=self.exact,
            affine=self.affine, approximate=self.approximate, method=self.method,
            form=sympy.expand(self.form + delta), full_form=sympy.expand(self.full_form + delta),
            laws=self.laws, fixed=self.fixed, seconds=self.seconds, witness=self._witness,
            dim=self.dim, degree=self.degree, quantity=label, shift=self._shift + delta)
        return out

    # ---------------------------------------------------------------- output
    def to_dict(self) -> dict:
        """JSON-ready summary (laws as atom/weight lists, the form as a string)."""
        def law(d):
            return None if d is None else {"atoms": [float(a) for a in d.atoms],
                                           "weights": [float(w) for w in d.weights]}
        return {
            "quantity": self.quantity, "lower": _json(self.lower), "upper": _json(self.upper),
            "lower_outer": _json(self.lower_outer), "upper_outer": _json(self.upper_outer),
            "lower_attained": _json(self.lower_attained),
            "upper_attained": _json(self.upper_attained), "gap": _json(self.gap),
            "lower_law": law(self.lower_law), "upper_law": law(self.upper_law),
            "exact": self.exact, "affine": self.affine, "approximate": self.approximate,
            "method": self.method, "form": str(self.form), "laws": self.laws.describe(),
            "seconds": self.seconds,
        }

    def rows(self):
        """``[(label, outer, attained, law), ...]`` for the two extremes."""
        return [("lower", self.lower, self.lower_attained, self.lower_law),
                ("upper", self.upper, self.upper_attained, self.upper_law)]

    def __repr__(self):
        return (f"BoundResult({self.quantity} in [{_fmt(self.lower)}, {_fmt(self.upper)}], "
                f"attained [{_fmt(self.lower_attained)}, {_fmt(self.upper_attained)}], "
                f"method={self.method!r}, exact={self.exact})")

    def latex(self) -> str:
        r"""LaTeX: the form in the unknown moments, the range and the extremal laws.

        Uses :func:`cumulants.printing.latex` (``m_k`` prints as :math:`\mu'_k`).
        """
        from ..printing import align, latex

        q = r"\mathrm{MSE}" if self.quantity == "mse" else r"\Delta"
        rows = [(sympy.Symbol(q), self.form)]
        body = align(rows).replace(latex(sympy.Symbol(q)), q, 1)
        lines = [body]
        rng = f"{q} \\in [{_tex(self.lower)}, {_tex(self.upper)}]"
        lines.append(r"\[" + rng + (r"\quad\text{(exact)}" if self.exact else
                                     r"\quad\text{(outer; attained }[" +
                                     f"{_tex(self.lower_attained)}, {_tex(self.upper_attained)}]" +
                                     r")}") + r"\]")
        for name, law, val in (("lower", self.lower_law, self.lower_attained),
                               ("upper", self.upper_law, self.upper_attained)):
            if law is None:
                continue
            terms = " + ".join(f"{float(w):.6g}\\,\\delta_{{{float(a):.6g}}}"
                               for a, w in zip(law.atoms, law.weights))
            lines.append(rf"\[\mu_{{\text{{{name}}}}} = {terms},\qquad {q}(\mu_{{\text{{{name}}}}})"
                         f" = {_tex(val)}\\]")
        return "\n".join(lines)


def _tex(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "?"
    if math.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    return f"{float(v):.6g}"


def _json(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else (None if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def _nz(v):
    return v if v is not None and not (isinstance(v, float) and math.isnan(v)) else 0.0


def _min(a, b):
    vals = [v for v in (a, b) if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return min(vals) if vals else math.nan


def _max(a, b):
    vals = [v for v in (a, b) if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return max(vals) if vals else math.nan
