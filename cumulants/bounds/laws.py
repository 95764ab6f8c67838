r"""Classes of input laws known through a few moments, cumulants and a support.

A :class:`LawClass` is the set of laws :math:`\mu` on the real line with

.. math::

    \operatorname{supp}\mu\subseteq[a, b],\qquad
    \mu'_k(\mu)\in[\ell_k, u_k],\qquad \kappa_k(\mu)\in[\ell'_k, u'_k]

for the orders given (a single value means :math:`\ell = u`).  Cumulant
constraints are polynomial in the raw moments (docs/formulas.md §1.2), so the
class is a semi-algebraic section of the truncated moment cone
(docs/formulas.md §9).

>>> laws = LawClass(cumulants={1: 0, 2: 1}, support=(-2, 2))
>>> laws
LawClass(cumulants={1: 0, 2: 1}, support=(-2, 2))
>>> from cumulants.distributions import Rademacher, Uniform
>>> laws.contains(Rademacher()), laws.contains(Uniform(-1, 1))
(True, False)
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import sympy

from .._limits import MAX_LAW_CLASS_ORDER, guard
from ..errors import InvalidParameterError, bad_argument

__all__ = ["LawClass", "InfeasibleClassError"]


class InfeasibleClassError(InvalidParameterError):
    """The class of laws is empty (its constraints contradict each other or the support)."""


def _number(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating, sympy.Expr)) and \
            type(value).__name__ not in ("Fraction", "mpf"):
        raise bad_argument(name, value, "a real number")
    v = sympy.nsimplify(value) if isinstance(value, sympy.Expr) else value
    if isinstance(v, sympy.Expr) and v.free_symbols:
        raise bad_argument(name, value, "a number (no free symbols)")
    if not math.isfinite(float(v)):
        raise bad_argument(name, value, "a finite number")
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _spec(values, kind):
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise bad_argument(kind, values, "a dict {order: value or (lo, hi)}")
    out = {}
    for k, v in values.items():
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise bad_argument(f"{kind} key", k, "an order: an integer >= 1")
        guard(f"{kind} order", int(k), MAX_LAW_CLASS_ORDER,
              route="constrain the low orders only (the range needs moments up to twice the "
                    "error's degree)", limit_name="MAX_LAW_CLASS_ORDER")
        name = f"{kind}[{int(k)}]"
        if isinstance(v, (tuple, list)):
            if len(v) != 2:
                raise bad_argument(name, v, "a value or an interval (lo, hi)")
            lo, hi = (_number(x, name) for x in v)
            if float(lo) > float(hi):
                raise bad_argument(name, tuple(v), f"an interval with lo <= hi (swap them: "
                                   f"({v[1]}, {v[0]}))")
            out[int(k)] = (lo, hi)
        else:
            x = _number(v, name)
            out[int(k)] = (x, x)
    for k, (lo, hi) in out.items():
        # a variance, and every even moment, is non-negative for every law
        if ((kind == "cumulants" and k == 2) or (kind == "moments" and k % 2 == 0)) \
                and float(hi) < 0:
            raise InfeasibleClassError(
                f"{kind}[{k}] <= {hi} < 0 is impossible for any law ("
                f"{'a variance' if kind == 'cumulants' else 'an even moment'} is >= 0): the "
                "class is empty")
    return out


def _support(support):
    if support is None:
        return (-math.inf, math.inf)
    if not isinstance(support, (tuple, list)) or len(support) != 2:
        raise bad_argument("support", support, "None (the real line) or an interval (a, b)")
    a, b = support
    vals = []
    for name, x in (("support[0]", a), ("support[1]", b)):
        if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and \
                math.isinf(float(x)):
            vals.append(float(x))
        else:
            vals.append(_number(x, name))
    a, b = vals
    if not float(a) < float(b):
        raise bad_argument("support", support, f"an interval (a, b) with a < b "
                           f"(reversed? use ({b}, {a}))" if float(a) > float(b) else
                           "an interval (a, b) with a < b (a single point is a degenerate law)")
    return (a, b)


def _show(v):
    lo, hi = v
    return repr(lo if not isinstance(lo, sympy.Basic) else sympy.sstr(lo)) if lo == hi else \
        f"({lo}, {hi})"


class LawClass:
    r"""All laws on ``support`` whose listed moments and cumulants lie in the given ranges.

    ``moments`` and ``cumulants`` map an order ``k`` to a value or an interval
    ``(lo, hi)``; ``support`` is ``None`` (the real line) or ``(a, b)`` (either end may
    be infinite).  Exact numbers stay exact.  Constraints are

    .. math::  a \le x \le b\ \ \mu\text{-a.s.},\quad \ell_k\le\mu'_k\le u_k,\quad
               \ell'_k\le\kappa_k\le u'_k .

    >>> LawClass(cumulants={1: 0, 2: 1, 4: (-1.2, 3)}, support=(-2, 2)).orders()
    4
    """

    def __init__(self, moments=None, cumulants=None, support=None):
        self.moments = _spec(moments, "moments")
        self.cumulants = _spec(cumulants, "cumulants")
        self.support = _support(support)
        #: How intervals were obtained (``None`` when given by hand).
        self.se_method = None
        #: Confidence level of the intervals of :meth:`from_samples`.
        self.level = None

    # -------------------------------------------------------------- constructors
    @classmethod
    def standardised(cls, support=None, kurtosis=None, skewness=None):
        """Mean 0, variance 1, optional excess kurtosis ``kappa_4`` and ``kappa_3`` (value or range).

        >>> LawClass.standardised((-2, 2), kurtosis=(-1.2, 3)).cumulants
        {1: (0, 0), 2: (1, 1), 4: (-1.2, 3)}
        """
        cums = {1: 0, 2: 1}
        if skewness is not None:
            cums[3] = skewness
        if kurtosis is not None:
            cums[4] = kurtosis
        return cls(cumulants=cums, support=support)

    @classmethod
    def from_samples(cls, x, order, level=0.95, *, support=None, rng=None):
        r"""Intervals :math:`k_j \pm z_{(1+\text{level})/2}\,\widehat{\mathrm{se}}(k_j)`, j = 1..order.

        :math:`k_j` are the unbiased k-statistics of the sample (Fisher 1930) and
        :math:`\widehat{\mathrm{se}}` their standard errors from
        :func:`cumulants.estimators.k_statistics_se` with ``method="auto"``: the
        exact variance of :math:`k_j` (Kendall & Stuart vol. 1, §12) with the sample
        k-statistics :math:`k_1..k_{2j}` plugged in, and a nonparametric bootstrap
        where that plug-in is unavailable or negative.  The method used per order is
        kept in ``se_method``.  The intervals are pointwise (not simultaneous) normal
        approximations: the class holds the true law with probability about
        ``level`` per order.

        >>> x = np.random.default_rng(0).uniform(-1, 1, 4000)
        >>> c = LawClass.from_samples(x, 2, support=(-1, 1))
        >>> lo, hi = c.cumulants[2]
        >>> bool(lo < 1 / 3 < hi), c.se_method
        (True, ('plugin', 'plugin'))
        """
        from ..estimators import k_statistics, k_statistics_se
        from .._numbers import check_order

        order = check_order(order)
        if not isinstance(level, (int, float)) or isinstance(level, bool) or not 0 < level < 1:
            raise bad_argument("level", level, "a confidence level strictly between 0 and 1")
        arr = np.asarray(x, dtype=float)
        if arr.ndim != 1:
            raise bad_argument("x", f"array of shape {arr.shape}", "a 1-D sample")
        k = [float(v) for v in k_statistics(arr, order)]
        se, used = k_statistics_se(arr, order, method="auto", rng=rng, full_output=True)
        z = NormalDist().inv_cdf((1 + level) / 2)
        cums = {j + 1: (k[j] - z * float(se[j]), k[j] + z * float(se[j])) for j in range(order)}
        out = cls(cumulants=cums, support=support)
        out.se_method = tuple(used)
        out.level = float(level)
        return out

    # -------------------------------------------------------------- queries
    def orders(self) -> int:
        """The highest constrained order (0 when only the support is known)."""
        return max(list(self.moments) + list(self.cumulants) + [0])

    @property
    def bounded(self) -> bool:
        """Whether the support is a bounded interval."""
        return all(math.isfinite(float(v)) for v in self.support)

    def contains(self, law, *, tol=1e-9) -> bool:
        """Whether ``law`` (a distribution) meets every constraint, up to ``tol`` relative.

        The support is checked for :class:`~cumulants.distributions.Discrete` laws
        (atoms) and for the catalogue's bounded laws (``Uniform``, ``Rademacher``,
        ``Bernoulli`` and their affine images); other laws count as unbounded.
        """
        def within(v, lo, hi):
            v = float(v)
            scale = tol * max(1.0, abs(float(lo)), abs(float(hi)))
            return float(lo) - scale <= v <= float(hi) + scale

        for k, (lo, hi) in self.moments.items():
            if not within(law.moment(k), lo, hi):
                return False
        for k, (lo, hi) in self.cumulants.items():
            if not within(law.cumulant(k), lo, hi):
                return False
        lo, hi = _law_range(law)
        a, b = (float(v) for v in self.support)
        width = tol * max(1.0, abs(a) if math.isfinite(a) else 1, abs(b) if math.isfinite(b) else 1)
        return lo >= a - width and hi <= b + width

    def __repr__(self):
        parts = []
        if self.moments:
            parts.append("moments={" + ", ".join(f"{k}: {_show(v)}" for k, v in
                                                 sorted(self.moments.items())) + "}")
        if self.cumulants:
            parts.append("cumulants={" + ", ".join(f"{k}: {_show(v)}" for k, v in
                                                   sorted(self.cumulants.items())) + "}")
        if self.support != (-math.inf, math.inf):
            parts.append(f"support={self.support}")
        return f"LawClass({', '.join(parts)})"

    def describe(self) -> str:
        """One line of text: the support and every constraint."""
        items = [f"support [{self.support[0]}, {self.support[1]}]"]
        for name, spec in (("m", self.moments), ("kappa", self.cumulants)):
            for k, (lo, hi) in sorted(spec.items()):
                items.append(f"{name}_{k} = {lo}" if lo == hi else f"{name}_{k} in [{lo}, {hi}]")
        return ", ".join(items)


def _law_range(law):
    """(min, max) of the support of a catalogue law (inf for unbounded laws)."""
    from ..distributions import Affine, Bernoulli, Rademacher, Uniform
    from .._discrete import Discrete

    if isinstance(law, Discrete):
        vals = [float(a) for a, w in zip(law.atoms, law.weights) if float(w) > 0]
        return min(vals), max(vals)
    if isinstance(law, Uniform):
        return float(law.params["a"]), float(law.params["b"])
    if isinstance(law, Rademacher):
        return -1.0, 1.0
    if isinstance(law, Bernoulli):
        return 0.0, 1.0
    if isinstance(law, Affine):
        lo, hi = _law_range(law.params["dist"])
        s, c = float(law.params["scale"]), float(law.params["shift"])
        ends = sorted((s * lo + c, s * hi + c))
        return ends[0], ends[1]
    return -math.inf, math.inf
