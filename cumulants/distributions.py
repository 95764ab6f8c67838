"""Catalogue of distributions with closed-form cumulants of every order, and samplers.

Each law knows its cumulants ``kappa_n`` for every integer ``n >= 1`` in closed form
(docs/formulas.md §1.1: ``K(t) = log E[e^{tX}] = sum_n kappa_n t^n / n!``), its cumulant
generating function as a sympy expression (the independent witness used in tests),
its raw moments (through the recursion of docs/formulas.md §1.2) and a sampler.

Parameters keep their number system: ints, Fractions and sympy numbers give exact
sympy results, floats give floats, :class:`mpmath.mpf` values give mpf results, and
symbolic sympy parameters give sympy expressions.

>>> from cumulants.distributions import parse, standardise
>>> parse("exponential:2")
Exponential(rate=2)
>>> standardise(parse("uniform:0,1")).cumulants(4)
(0, 1, 0, -6/5)
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction

import mpmath
from mpmath.ctx_mp import MPContext
import numpy as np
import sympy

from ._numbers import check_finite, check_order, domain_of, join_domains, to_domain
from .errors import InvalidParameterError, bad_argument

__all__ = [
    "Distribution", "Normal", "Uniform", "Rademacher", "Laplace", "Exponential", "Gamma",
    "Poisson", "Bernoulli", "Affine", "Sum", "independent_sum", "standardise", "CATALOGUE",
    "parse", "Discrete",
]  # fmt: skip

_SCALAR_TYPES = (int, Fraction, float, np.integer, np.floating, mpmath.mpf, sympy.Expr)


def _check_scalar(value, name):
    """Validate one real parameter (number or sympy expression) and return it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _SCALAR_TYPES):
        raise bad_argument(name, value, "a real number or a sympy expression")
    if isinstance(value, sympy.Expr) and value.is_real is False:
        raise bad_argument(name, value, "a real value")
    return check_finite(value, name)


def _is_symbolic(value) -> bool:
    if isinstance(value, Distribution):
        return value._symbolic
    return isinstance(value, sympy.Basic) and bool(value.free_symbols)


def _domain(values):
    """Domain of a set of parameters: symbolic anywhere means exact (sympy) throughout."""
    if any(_is_symbolic(v) for v in values):
        return "exact"
    return join_domains(v._domain if isinstance(v, Distribution) else domain_of(v) for v in values)


def _truth(value, predicate):
    """``True``/``False`` when ``predicate`` ('positive', 'nonnegative', 'nonzero') is
    decidable for ``value`` and ``None`` otherwise (sympy assumptions)."""
    if isinstance(value, sympy.Basic):
        return getattr(value, "is_" + predicate)
    return {"positive": value > 0, "nonnegative": value >= 0, "nonzero": value != 0}[predicate]


def _require(value, predicate, name, shown, expected):
    if _truth(value, predicate) is False:
        raise bad_argument(name, shown, expected)


# Float results are computed at 113 bits in a private mpmath context, then rounded: this
# keeps float cumulants correctly rounded and lets overflow give inf instead of an error.
_FLOAT_CTX = MPContext()
_FLOAT_CTX.prec = 113


class _Work:
    """Arithmetic of one domain: constants (``num``), inputs (``val``), output (``out``)."""

    def __init__(self, domain):
        self.domain = domain

    def num(self, x):
        x = Fraction(x)
        if self.domain == "exact":
            return sympy.Rational(x.numerator, x.denominator)
        ctx = mpmath.mp if self.domain == "mpmath" else _FLOAT_CTX
        return ctx.mpf(x.numerator) / x.denominator

    def val(self, v):
        if self.domain != "float":
            return to_domain(v, self.domain)
        if isinstance(v, sympy.Rational):
            return self.num(Fraction(int(v.p), int(v.q)))
        if isinstance(v, sympy.Basic):
            return _FLOAT_CTX.mpf(str(sympy.N(v, 40)))
        return _FLOAT_CTX.mpf(v)

    def out(self, v):
        return float(v) if self.domain == "float" else v


@functools.lru_cache(maxsize=None)
def _bernoulli_number(n: int) -> Fraction:
    b = sympy.bernoulli(n)
    return Fraction(int(b.p), int(b.q))


def _show(value) -> str:
    """Source-like text of a parameter for ``repr``."""
    if isinstance(value, sympy.Rational) and not isinstance(value, sympy.Integer):
        return f"Rational({value.p}, {value.q})"
    if isinstance(value, sympy.Basic):
        return sympy.sstr(value)
    return repr(value)


def _rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise bad_argument("rng", rng, "a numpy.random.Generator or a non-negative int seed")


def _size(size):
    from ._limits import MAX_ARRAY_ENTRIES, guard

    items = size if isinstance(size, tuple) else (size,)
    total = 1
    for s in items:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise bad_argument("size", size, "a non-negative int or a tuple of them")
        total *= int(s)
    guard("size", total, MAX_ARRAY_ENTRIES, shown=size,
          route="fewer samples per call (draw in batches and accumulate)")
    return tuple(int(s) for s in items) if isinstance(size, tuple) else int(size)


class Distribution:
    """Base class: a real random variable known through its cumulants of every order.

    Subclasses implement ``_cumulant(n, params, work)`` (the closed form, evaluated with
    the arithmetic ``work`` of the domain), ``_cgf(t)`` and ``_draw(size, rng)``.
    Instances are immutable values compared and hashed by their parameters.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Distribution:
            from .errors import MethodUnavailableError

            raise MethodUnavailableError("Distribution is an abstract base class; use a law of the catalogue (Normal, Exponential, ...)")
        return super().__new__(cls)

    _names: tuple = ()

    def __init__(self, *args):
        values = dict(zip(self._names, args))
        for name, value in values.items():
            if not isinstance(value, Distribution):
                _check_scalar(value, name)
        domain = _domain(values.values())
        params = {
            k: v if isinstance(v, Distribution) else to_domain(v, domain)
            for k, v in values.items()
        }
        object.__setattr__(self, "_domain", domain)
        object.__setattr__(self, "_symbolic", any(_is_symbolic(v) for v in params.values()))
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "_kappa", {})
        object.__setattr__(self, "_moments", [])
        self._validate(**params)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable; build a new one instead")

    def _validate(self, **params):
        """Check parameter domains; subclasses raise InvalidParameterError."""

    # -- identity -------------------------------------------------------------
    @property
    def params(self) -> dict:
        """The parameters, by name, in the number system of the distribution."""
        return dict(self._params)

    def _args(self) -> tuple:
        return tuple(self._params.values())

    def __repr__(self):
        inner = ", ".join(f"{k}={_show(v)}" for k, v in self._params.items())
        return f"{type(self).__name__}({inner})"

    def _key(self):
        return (type(self).__name__, tuple(self._params.items()))

    def __eq__(self, other):
        if not isinstance(other, Distribution):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    @property
    def free_symbols(self) -> set:
        """The sympy symbols the parameters depend on."""
        out = set()
        for v in self._args():
            if isinstance(v, (Distribution, sympy.Basic)):
                out |= v.free_symbols
        return out

    def subs(self, *args, **kwargs) -> "Distribution":
        """Substitute values for symbols in the parameters (arguments as ``sympy.subs``).

        >>> mu = sympy.Symbol("mu")
        >>> Normal(mu, 2).subs(mu, 1)
        Normal(mu=1, sigma=2)
        """
        new = [
            v.subs(*args, **kwargs) if isinstance(v, (Distribution, sympy.Basic)) else v
            for v in self._args()
        ]
        return type(self)(*new)

    # -- cumulants and moments -------------------------------------------------
    def cumulant(self, n):
        """The ``n``-th cumulant ``kappa_n = n! [t^n] K(t)`` in closed form."""
        n = check_order(n, "n")
        if n not in self._kappa:
            work = _Work(self._domain)
            params = {
                k: v if isinstance(v, Distribution) else work.val(v)
                for k, v in self._params.items()
            }
            self._kappa[n] = self._tidy(work.out(self._cumulant(n, params, work)))
        return self._kappa[n]

    def cumulants(self, order) -> tuple:
        """The tuple ``(kappa_1, ..., kappa_order)``."""
        order = check_order(order, "order")
        return tuple(self.cumulant(n) for n in range(1, order + 1))

    @property
    def mean(self):
        """The mean ``kappa_1``."""
        return self.cumulant(1)

    @property
    def variance(self):
        """The variance ``kappa_2``."""
        return self.cumulant(2)

    def moment(self, n):
        """The raw moment ``mu'_n = E[X^n]`` from the cumulants (docs/formulas.md §1.2).

        ``mu'_n = kappa_n + sum_{m=1}^{n-1} C(n-1, m-1) kappa_m mu'_{n-m}``.

        >>> Normal(1, 2).moment(4)
        73
        """
        n = check_order(n, "n")
        mom = self._moments
        while len(mom) < n:
            k = len(mom) + 1
            value = self.cumulant(k)
            for m in range(1, k):
                value = value + math.comb(k - 1, m - 1) * self.cumulant(m) * mom[k - m - 1]
            mom.append(self._tidy(value))
        return mom[n - 1]

    def _tidy(self, value):
        """Expanded form for exact values that are not plain rationals."""
        if self._domain == "exact" and not isinstance(value, sympy.Rational):
            return sympy.expand(value)
        return value

    def cgf(self, t=None):
        """The cumulant generating function ``K(t) = log E[exp(t X)]`` as a sympy expression.

        >>> Exponential(2).cgf()
        -log(1 - t/2)
        """
        t = sympy.Symbol("t") if t is None else sympy.sympify(t)
        return self._cgf(t)

    def _sym(self, name):
        """A parameter as a sympy object (floats and mpf become sympy Floats)."""
        value = self._params[name]
        if isinstance(value, mpmath.mpf):
            return sympy.Float(value, mpmath.mp.dps)
        return sympy.sympify(value)

    # -- transformations and sampling -------------------------------------------
    def affine(self, scale, shift=0) -> "Affine":
        """The law of ``scale * X + shift``.

        >>> Normal(0, 1).affine(3, shift=1).cumulants(3)
        (1, 9, 0)
        """
        return Affine(self, scale, shift)

    def sample(self, size, rng) -> np.ndarray:
        """Draw independent samples as a float array of shape ``size``.

        ``rng`` is a :class:`numpy.random.Generator` or an int seed.

        >>> Bernoulli(1).sample(3, rng=0)
        array([1., 1., 1.])
        """
        size = _size(size)
        rng = _rng(rng)
        if self._symbolic:
            raise InvalidParameterError(
                f"{self!r} has free symbols {sorted(map(str, self.free_symbols))}; "
                "substitute numbers with .subs(...) before sampling"
            )
        return np.asarray(self._draw(size, rng), dtype=float)

    def _fparams(self):
        return {
            k: v if isinstance(v, Distribution) else float(v) for k, v in self._params.items()
        }


class Normal(Distribution):
    """Normal law ``N(mu, sigma^2)``: ``kappa_1 = mu``, ``kappa_2 = sigma^2``, ``kappa_n = 0``
    for ``n >= 3``; ``K(t) = mu t + sigma^2 t^2 / 2``.

    >>> Normal(0, 1)
    Normal(mu=0, sigma=1)
    >>> Normal(1, 2).cumulants(4)
    (1, 4, 0, 0)
    """

    _names = ("mu", "sigma")

    def __init__(self, mu, sigma):
        super().__init__(mu, sigma)

    def _validate(self, mu, sigma):
        _require(sigma, "positive", "sigma", sigma, "a positive number (the standard deviation)")

    def _cumulant(self, n, p, w):
        return p["mu"] if n == 1 else p["sigma"] ** 2 if n == 2 else w.num(0)

    def _cgf(self, t):
        return self._sym("mu") * t + self._sym("sigma") ** 2 * t**2 / 2

    def _draw(self, size, rng):
        p = self._fparams()
        return rng.normal(p["mu"], p["sigma"], size)


class Uniform(Distribution):
    """Uniform law on ``[a, b]``: ``kappa_1 = (a + b)/2``, ``kappa_n = B_n (b - a)^n / n``
    for ``n >= 2`` (Bernoulli numbers; zero for odd ``n``);
    ``K(t) = log((e^{bt} - e^{at}) / ((b - a) t))``.

    >>> Uniform(0, 1).cumulants(4)
    (1/2, 1/12, 0, -1/120)
    """

    _names = ("a", "b")

    def __init__(self, a, b):
        super().__init__(a, b)

    def _validate(self, a, b):
        _require(b - a, "positive", "b", b, f"a number greater than a={a!r}")

    def _cumulant(self, n, p, w):
        a, b = p["a"], p["b"]
        if n == 1:
            return (a + b) / 2
        if n % 2:
            return w.num(0)
        return w.num(_bernoulli_number(n) / n) * (b - a) ** n

    def _cgf(self, t):
        a, b = self._sym("a"), self._sym("b")
        return sympy.log((sympy.exp(b * t) - sympy.exp(a * t)) / ((b - a) * t))

    def _draw(self, size, rng):
        p = self._fparams()
        return rng.uniform(p["a"], p["b"], size)


class Rademacher(Distribution):
    """Rademacher law (``+1`` or ``-1`` with probability 1/2): ``kappa_n = 2^n (2^n - 1) B_n / n``
    for even ``n``, zero for odd ``n``; ``K(t) = log cosh t``.

    >>> Rademacher().cumulants(8)
    (0, 1, 0, -2, 0, 16, 0, -272)
    """

    def __init__(self):
        super().__init__()

    def _cumulant(self, n, p, w):
        if n % 2:
            return w.num(0)
        return w.num(2**n * (2**n - 1) * _bernoulli_number(n) / n)

    def _cgf(self, t):
        return sympy.log(sympy.cosh(t))

    def _draw(self, size, rng):
        return 2.0 * rng.integers(0, 2, size) - 1.0


class Laplace(Distribution):
    """Laplace law with density ``exp(-|x - loc| / scale) / (2 scale)``: ``kappa_1 = loc``,
    ``kappa_n = 2 (n - 1)! scale^n`` for even ``n``, zero for odd ``n >= 3``;
    ``K(t) = loc t - log(1 - scale^2 t^2)``.

    >>> Laplace(0, 1).cumulants(6)
    (0, 2, 0, 12, 0, 240)
    """

    _names = ("loc", "scale")

    def __init__(self, loc, scale):
        super().__init__(loc, scale)

    def _validate(self, loc, scale):
        _require(scale, "positive", "scale", scale, "a positive number")

    def _cumulant(self, n, p, w):
        if n == 1:
            return p["loc"]
        if n % 2:
            return w.num(0)
        return w.num(2 * math.factorial(n - 1)) * p["scale"] ** n

    def _cgf(self, t):
        return self._sym("loc") * t - sympy.log(1 - self._sym("scale") ** 2 * t**2)

    def _draw(self, size, rng):
        p = self._fparams()
        return rng.laplace(p["loc"], p["scale"], size)


class Exponential(Distribution):
    """Exponential law with density ``rate exp(-rate x)`` on ``x > 0``:
    ``kappa_n = (n - 1)! / rate^n``; ``K(t) = -log(1 - t / rate)``.

    >>> Exponential(1).cumulants(5)
    (1, 1, 2, 6, 24)
    """

    _names = ("rate",)

    def __init__(self, rate):
        super().__init__(rate)

    def _validate(self, rate):
        _require(rate, "positive", "rate", rate, "a positive number (the inverse mean)")

    def _cumulant(self, n, p, w):
        return w.num(math.factorial(n - 1)) / p["rate"] ** n

    def _cgf(self, t):
        return -sympy.log(1 - t / self._sym("rate"))

    def _draw(self, size, rng):
        return rng.exponential(1.0 / self._fparams()["rate"], size)


class Gamma(Distribution):
    """Gamma law with shape ``k`` and scale ``theta`` (mean ``k theta``):
    ``kappa_n = k (n - 1)! theta^n``; ``K(t) = -k log(1 - theta t)``.

    >>> Gamma(2, 1).cumulants(6)
    (2, 2, 4, 12, 48, 240)
    """

    _names = ("shape", "scale")

    def __init__(self, shape, scale):
        super().__init__(shape, scale)

    def _validate(self, shape, scale):
        _require(shape, "positive", "shape", shape, "a positive number")
        _require(scale, "positive", "scale", scale, "a positive number")

    def _cumulant(self, n, p, w):
        return p["shape"] * w.num(math.factorial(n - 1)) * p["scale"] ** n

    def _cgf(self, t):
        return -self._sym("shape") * sympy.log(1 - self._sym("scale") * t)

    def _draw(self, size, rng):
        p = self._fparams()
        return rng.gamma(p["shape"], p["scale"], size)


class Poisson(Distribution):
    """Poisson law with mean ``rate``: ``kappa_n = rate`` for every ``n``;
    ``K(t) = rate (e^t - 1)``.

    >>> Poisson(3).cumulants(4)
    (3, 3, 3, 3)
    """

    _names = ("rate",)

    def __init__(self, rate):
        super().__init__(rate)

    def _validate(self, rate):
        _require(rate, "positive", "rate", rate, "a positive number (the mean)")

    def _cumulant(self, n, p, w):
        return p["rate"]

    def _cgf(self, t):
        return self._sym("rate") * (sympy.exp(t) - 1)

    def _draw(self, size, rng):
        return rng.poisson(self._fparams()["rate"], size)


def _as_fraction(x) -> Fraction:
    """The exact binary value of a float or mpf."""
    if isinstance(x, mpmath.mpf):
        man, exp = x.man_exp
        return Fraction(man) * Fraction(2) ** exp
    return Fraction(x)


@functools.lru_cache(maxsize=None)
def _bernoulli_polynomial(n: int) -> tuple:
    """Integer coefficients (ascending powers of p) of the ``n``-th Bernoulli cumulant,
    from ``kappa_{n+1} = p (1 - p) d kappa_n / dp`` with ``kappa_1 = p``.

    Iterative (any order, no recursion depth).  Only the last polynomial is kept (the
    coefficients grow like n!, so keeping every order would cost O(n^3 log n) memory);
    ascending requests, as ``cumulants(order)`` makes, extend it one step at a time.

    >>> _bernoulli_polynomial(3)
    (0, 1, -3, 2)
    """
    k, poly = _BERNOULLI_LAST[0] if _BERNOULLI_LAST[0][0] <= n else (1, (0, 1))
    while k < n:
        deriv = [i * c for i, c in enumerate(poly)][1:]
        out = [0] * (len(deriv) + 2)
        for i, c in enumerate(deriv):
            out[i + 1] += c
            out[i + 2] -= c
        k, poly = k + 1, tuple(out)
    _BERNOULLI_LAST[0] = (k, poly)
    return poly


_BERNOULLI_LAST = [(1, (0, 1))]


class Bernoulli(Distribution):
    """Bernoulli law (1 with probability ``p``, else 0): ``kappa_1 = p`` and
    ``kappa_{n+1} = p (1 - p) d kappa_n / dp``; ``K(t) = log(1 - p + p e^t)``.

    >>> Bernoulli(sympy.Rational(1, 2)).cumulants(4)
    (1/2, 1/4, 0, -1/8)
    >>> Bernoulli(sympy.Symbol("p")).cumulant(3)
    2*p**3 - 3*p**2 + p
    """

    _names = ("p",)

    def __init__(self, p):
        super().__init__(p)

    def _validate(self, p):
        expected = "a probability in [0, 1]"
        _require(p, "nonnegative", "p", p, expected)
        _require(1 - p, "nonnegative", "p", p, expected)

    def _cumulant(self, n, p, w):
        coeffs = _bernoulli_polynomial(n)
        if w.domain == "exact":
            return sum((c * p["p"] ** i for i, c in enumerate(coeffs) if c), sympy.Integer(0))
        # The coefficients alternate in sign and grow like n!: evaluate exactly at the
        # binary value of p, then round once.
        q = _as_fraction(self._params["p"])
        value = Fraction(0)
        for c in reversed(coeffs):
            value = value * q + c
        return w.num(value)

    def _cgf(self, t):
        p = self._sym("p")
        return sympy.log(1 - p + p * sympy.exp(t))

    def _draw(self, size, rng):
        return (rng.random(size) < self._fparams()["p"]).astype(float)


class Affine(Distribution):
    """The law of ``scale * X + shift``: ``kappa_1 = scale kappa_1(X) + shift`` and
    ``kappa_n = scale^n kappa_n(X)`` for ``n >= 2`` (docs/formulas.md §1.3);
    ``K(t) = K_X(scale t) + shift t``.

    >>> Affine(Exponential(1), -2, shift=3).cumulants(3)
    (1, 4, -16)
    """

    _names = ("dist", "scale", "shift")

    def __init__(self, dist, scale, shift=0):
        if not isinstance(dist, Distribution):
            raise bad_argument("dist", dist, "a Distribution")
        _check_scalar(scale, "scale")
        _check_scalar(shift, "shift")
        super().__init__(dist, scale, shift)

    def _validate(self, dist, scale, shift):
        _require(scale, "nonzero", "scale", scale, "a non-zero real number")

    def affine(self, scale, shift=0):
        """Compose affine maps: ``c (a X + b) + d = (c a) X + (c b + d)``."""
        _check_scalar(scale, "scale")
        _check_scalar(shift, "shift")
        domain = _domain((self, scale, shift))
        a, b, c, d = (to_domain(v, domain) for v in (self._params["scale"],
                                                    self._params["shift"], scale, shift))
        return Affine(self._params["dist"], c * a, c * b + d)

    def _cumulant(self, n, p, w):
        value = w.val(p["dist"].cumulant(n)) * p["scale"] ** n
        return value + p["shift"] if n == 1 else value

    def _cgf(self, t):
        return self._params["dist"].cgf(self._sym("scale") * t) + self._sym("shift") * t

    def _draw(self, size, rng):
        p = self._fparams()
        return p["scale"] * p["dist"].sample(size, rng) + p["shift"]


class Sum(Distribution):
    """The law of a sum of independent terms: ``kappa_n = sum_i kappa_n(X_i)``
    (additivity, docs/formulas.md §1.3); ``K(t) = sum_i K_i(t)``.

    >>> Sum(Exponential(1), Exponential(2)).cumulants(3)
    (3/2, 5/4, 9/4)
    """

    def __init__(self, *terms):
        if not terms:
            raise bad_argument("terms", terms, "at least one Distribution")
        for i, term in enumerate(terms):
            if not isinstance(term, Distribution):
                raise bad_argument(f"terms[{i}]", term, "a Distribution")
        object.__setattr__(self, "_names", tuple(f"terms[{i}]" for i in range(len(terms))))
        super().__init__(*terms)

    @property
    def terms(self) -> tuple:
        """The independent summands."""
        return self._args()

    @property
    def params(self) -> dict:
        """``{"terms": (X_1, X_2, ...)}``."""
        return {"terms": self.terms}

    def __repr__(self):
        return f"Sum({', '.join(map(repr, self.terms))})"

    def _cumulant(self, n, p, w):
        return sum((w.val(d.cumulant(n)) for d in self.terms), w.num(0))

    def _cgf(self, t):
        return sympy.Add(*(d.cgf(t) for d in self.terms))

    def _draw(self, size, rng):
        return sum(d.sample(size, rng) for d in self.terms)


def independent_sum(*dists) -> Sum:
    """The law of the sum of independent ``dists`` (nested sums are flattened).

    >>> independent_sum(Poisson(1), independent_sum(Poisson(2), Normal(0, 1))).cumulants(3)
    (3, 4, 3)
    """
    terms = []
    for d in dists:
        terms.extend(d.terms if isinstance(d, Sum) else (d,))
    return Sum(*terms)


def standardise(dist, mean=0, variance=1) -> Affine:
    """The affine image of ``dist`` with the given mean and variance.

    ``Y = s (X - kappa_1) + mean`` with ``s = sqrt(variance / kappa_2)``, so that
    ``kappa_n(Y) = s^n kappa_n(X)`` for ``n >= 2``.

    >>> standardise(Rademacher(), variance=4).cumulants(4)
    (0, 4, 0, -32)
    """
    if not isinstance(dist, Distribution):
        raise bad_argument("dist", dist, "a Distribution")
    _check_scalar(mean, "mean")
    _check_scalar(variance, "variance")
    _require(variance, "positive", "variance", variance, "a positive number")
    domain = _domain((dist, mean, variance))
    mu, var = (to_domain(v, domain) for v in (dist.mean, dist.variance))
    _require(var, "positive", "dist", dist, f"a law with positive variance (its variance is {var})")
    variance = to_domain(variance, domain)
    sqrt = {"exact": sympy.sqrt, "float": math.sqrt, "mpmath": mpmath.sqrt}[domain]
    scale = sqrt(variance / var)
    return Affine(dist, scale, to_domain(mean, domain) - scale * mu)


#: Name (as used by :func:`parse` and the command line) -> class.
CATALOGUE = {
    cls.__name__.lower(): cls
    for cls in (Normal, Uniform, Rademacher, Laplace, Exponential, Gamma, Poisson, Bernoulli)
}

_INT = re.compile(r"[+-]?\d+")
_FRACTION = re.compile(r"([+-]?\d+)/(\d+)")


def _parse_number(text, spec):
    if _INT.fullmatch(text):
        return int(text)
    match = _FRACTION.fullmatch(text)
    if match and int(match.group(2)) != 0:
        return Fraction(int(match.group(1)), int(match.group(2)))
    try:
        return float(text)
    except ValueError:
        raise bad_argument(
            "spec", spec, f"numbers as integers, fractions like 1/2 or decimals (got {text!r})"
        ) from None


def parse(spec: str) -> Distribution:
    """Build a distribution from a ``name:arg1,arg2`` specification.

    Integers and fractions (``1/2``) are kept exact, decimals become floats.
    Names: ``normal:MU,SIGMA``, ``uniform:A,B``, ``rademacher``, ``laplace:LOC,SCALE``,
    ``exponential:RATE``, ``gamma:SHAPE,SCALE``, ``poisson:RATE``, ``bernoulli:P``.

    >>> parse("normal:0,1")
    Normal(mu=0, sigma=1)
    >>> parse("bernoulli:1/3")
    Bernoulli(p=Rational(1, 3))
    >>> parse("gamma:2, 0.5")
    Gamma(shape=2.0, scale=0.5)
    """
    if not isinstance(spec, str):
        raise bad_argument("spec", spec, "a string such as 'normal:0,1'")
    name, _, rest = spec.strip().partition(":")
    cls = CATALOGUE.get(name.strip().lower())
    if cls is None:
        raise bad_argument("spec", spec, f"a name among {sorted(CATALOGUE)}, e.g. 'normal:0,1'")
    texts = [s.strip() for s in rest.split(",")] if rest.strip() else []
    if len(texts) != len(cls._names):
        usage = f"{name.strip().lower()}:{','.join(n.upper() for n in cls._names)}".rstrip(":")
        raise bad_argument("spec", spec, f"{len(cls._names)} argument(s), as in '{usage}'")
    return cls(*(_parse_number(s, spec) for s in texts))


from ._discrete import Discrete  # noqa: E402  (finitely supported laws, in their own module)
