r"""Finitely supported laws: atoms :math:`a_j` with weights :math:`w_j`.

The raw moments are finite sums and the cumulants follow from them through the
moment -> cumulant recursion (docs/formulas.md §1.2):

.. math::

    \mu'_n = \sum_j w_j a_j^n,\qquad
    \kappa_n = \mu'_n - \sum_{m=1}^{n-1}\binom{n-1}{m-1}\kappa_m\mu'_{n-m},\qquad
    K(t) = \log\sum_j w_j e^{a_j t}.

These are the laws at which extremal test errors over a class of laws are
attained (:mod:`cumulants.bounds`), so they carry exact, float and symbolic
atoms through the same code as every other law of :mod:`cumulants.distributions`.

>>> import sympy
>>> d = Discrete([-1, 2], [sympy.Rational(2, 3), sympy.Rational(1, 3)])
>>> d.cumulants(4)
(0, 2, 2, -6)
>>> d.moment(4)
6
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from ._numbers import check_order, to_domain
from .distributions import (
    _FLOAT_CTX,
    Distribution,
    _check_scalar,
    _domain,
    _is_symbolic,
    _rng,
    _show,
    _size,
    _truth,
)
from .errors import InvalidParameterError, ShapeMismatchError, bad_argument

__all__ = ["Discrete"]

#: Relative tolerance on ``sum(weights) == 1`` for float weights.
WEIGHT_SUM_TOL = 1e-9


def _as_tuple(values, name):
    if isinstance(values, (str, bytes)) or values is None or np.ndim(values) == 0 and \
            not isinstance(values, (list, tuple)):
        raise bad_argument(name, values, "a non-empty 1-D sequence of numbers")
    arr = list(np.asarray(values, dtype=object).ravel()) if isinstance(values, np.ndarray) \
        else list(values)
    if not arr:
        raise bad_argument(name, values, "a non-empty 1-D sequence of numbers")
    out = []
    for i, v in enumerate(arr):
        if isinstance(v, np.floating):
            v = float(v)
        elif isinstance(v, np.integer):
            v = int(v)
        out.append(_check_scalar(v, f"{name}[{i}]"))
    return out


class Discrete(Distribution):
    r"""The law putting mass ``weights[j]`` on ``atoms[j]``.

    :math:`\mu'_n = \sum_j w_j a_j^n`, cumulants by the moment -> cumulant
    recursion, :math:`K(t) = \log\sum_j w_j e^{a_j t}`.  Weights must be
    non-negative and sum to one (exactly for exact weights, to ``1e-9``
    relative for floats, which are then renormalised); atoms and weights must
    be finite and of equal length.  Symbolic atoms (and weights whose sum is not
    decidably different from one) are allowed.

    >>> Discrete([-1, 1], [0.5, 0.5]).cumulants(4)
    (0.0, 1.0, 0.0, -2.0)
    >>> from cumulants.state import Cumulants
    >>> Cumulants.iid(Discrete([0, 1], [sympy.Rational(3, 4), sympy.Rational(1, 4)]), 2, 3)[0, 0, 0]
    3/32
    """

    _names = ("atoms", "weights")

    def __init__(self, atoms, weights):
        atoms = _as_tuple(atoms, "atoms")
        weights = _as_tuple(weights, "weights")
        if len(atoms) != len(weights):
            raise bad_argument("weights", weights, f"{len(atoms)} weights, one per atom "
                               f"(got {len(weights)})", ShapeMismatchError)
        domain = _domain(atoms + weights)
        atoms = tuple(to_domain(a, domain) for a in atoms)
        weights = tuple(to_domain(w, domain) for w in weights)
        for i, w in enumerate(weights):
            if _truth(w, "nonnegative") is False:
                raise bad_argument(f"weights[{i}]", w, "a non-negative probability")
        total = sum(weights[1:], weights[0])
        if domain == "exact":
            diff = sympy.simplify(total - 1)
            if diff.is_zero is False:
                raise bad_argument("weights", weights, f"probabilities summing to 1 (they sum to {total})")
        else:
            if abs(total - 1) > WEIGHT_SUM_TOL * len(weights):
                raise bad_argument("weights", weights, f"probabilities summing to 1 (they sum to {total})")
            weights = tuple(w / total for w in weights)
        object.__setattr__(self, "_domain", domain)
        object.__setattr__(self, "_symbolic", any(_is_symbolic(v) for v in atoms + weights))
        object.__setattr__(self, "_params", {"atoms": atoms, "weights": weights})
        object.__setattr__(self, "_kappa", {})
        object.__setattr__(self, "_moments", [])

    # -- identity --------------------------------------------------------------
    @property
    def atoms(self) -> tuple:
        """The support points."""
        return self._params["atoms"]

    @property
    def weights(self) -> tuple:
        """The probabilities of the atoms."""
        return self._params["weights"]

    def __repr__(self):
        a = ", ".join(_show(v) for v in self.atoms)
        w = ", ".join(_show(v) for v in self.weights)
        return f"Discrete(atoms=({a}), weights=({w}))"

    def _key(self):
        return ("Discrete", self.atoms, self.weights)

    @property
    def free_symbols(self) -> set:
        """The sympy symbols the atoms and weights depend on."""
        out = set()
        for v in self.atoms + self.weights:
            if isinstance(v, sympy.Basic):
                out |= v.free_symbols
        return out

    def subs(self, *args, **kwargs) -> "Discrete":
        """Substitute values for symbols in atoms and weights.

        >>> t = sympy.Symbol("t")
        >>> Discrete([-t, t], [sympy.Rational(1, 2)] * 2).subs(t, 2).moment(2)
        4
        """
        def f(v):
            return v.subs(*args, **kwargs) if isinstance(v, sympy.Basic) else v
        return Discrete([f(a) for a in self.atoms], [f(w) for w in self.weights])

    # -- moments and cumulants ---------------------------------------------------
    def _work_values(self):
        if self._domain == "float":
            return ([_FLOAT_CTX.mpf(a) for a in self.atoms],
                    [_FLOAT_CTX.mpf(w) for w in self.weights])
        return list(self.atoms), list(self.weights)

    def _raw_moments(self, n):
        """Working-precision raw moments ``mu'_1..mu'_n`` (113-bit for floats)."""
        atoms, weights = self._work_values()
        out, powers = [], list(weights)
        for _ in range(n):
            powers = [p * a for p, a in zip(powers, atoms)]
            value = sum(powers[1:], powers[0])
            out.append(sympy.expand(value) if self._domain == "exact" and
                       not isinstance(value, sympy.Rational) else value)
        return out

    def moment(self, n):
        """The raw moment ``mu'_n = sum_j w_j a_j^n`` (a finite sum).

        >>> Discrete([0, 3], [0.5, 0.5]).moment(3)
        13.5
        """
        n = check_order(n, "n")
        if len(self._moments) < n:
            raw = self._raw_moments(n)
            object.__setattr__(self, "_moments", [self._out(v) for v in raw])
        return self._moments[n - 1]

    def _out(self, v):
        return float(v) if self._domain == "float" else v

    def cumulant(self, n):
        """The ``n``-th cumulant, from the raw moments by the recursion of §1.2."""
        from .algebra.univariate import cumulants_from_moments

        n = check_order(n, "n")
        if n not in self._kappa:
            raw = self._raw_moments(n)
            kap = cumulants_from_moments(raw)
            for k, v in enumerate(kap, start=1):
                self._kappa[k] = self._tidy(self._out(v))
        return self._kappa[n]

    def _cgf(self, t):
        def s(v):
            return sympy.Float(v, mpmath.mp.dps) if isinstance(v, mpmath.mpf) else sympy.sympify(v)
        return sympy.log(sympy.Add(*(s(w) * sympy.exp(s(a) * t)
                                     for a, w in zip(self.atoms, self.weights))))

    # -- sampling ---------------------------------------------------------------
    def sample(self, size, rng) -> np.ndarray:
        """Independent draws as a float array of shape ``size``.

        >>> Discrete([2], [1]).sample(2, rng=0)
        array([2., 2.])
        """
        size = _size(size)
        rng = _rng(rng)
        if self._symbolic:
            raise InvalidParameterError(
                f"{self!r} has free symbols {sorted(map(str, self.free_symbols))}; "
                "substitute numbers with .subs(...) before sampling")
        atoms = np.array([float(a) for a in self.atoms])
        p = np.array([float(w) for w in self.weights])
        p = p / p.sum()
        return atoms[rng.choice(len(atoms), size=size, p=p)].astype(float)

    def affine(self, scale, shift=0):
        """The law of ``scale * X + shift``, again a :class:`Discrete` law.

        >>> Discrete([0, 1], [0.5, 0.5]).affine(2, -1).atoms
        (-1.0, 1.0)
        """
        _check_scalar(scale, "scale")
        _check_scalar(shift, "shift")
        if _truth(scale, "nonzero") is False:
            raise bad_argument("scale", scale, "a non-zero real number")
        domain = _domain(list(self.atoms) + [scale, shift])
        s, c = to_domain(scale, domain), to_domain(shift, domain)
        return Discrete([s * to_domain(a, domain) + c for a in self.atoms],
                        [to_domain(w, domain) for w in self.weights])

    def to_float(self) -> "Discrete":
        """The same law with float atoms and weights.

        >>> Discrete([0, 1], [sympy.Rational(1, 3), sympy.Rational(2, 3)]).to_float().weights
        (0.3333333333333333, 0.6666666666666666)
        """
        return Discrete([float(a) for a in self.atoms], [float(w) for w in self.weights])

