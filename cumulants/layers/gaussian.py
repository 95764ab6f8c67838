"""Gaussian expectations of activation functions: the Gaussian-closure layer map.

For ``z ~ N(mu, var)`` and an elementwise activation ``f`` this module computes
``E[f(z)]``, ``E[f(z1) f(z2)]`` and ``Cov(f(z1), f(z2))`` for a bivariate Gaussian, the
mean/covariance map of a whole layer, and the cumulants of ``f(z)``.  Each formula is
written once against a small context of special functions and runs with
``backend="float"`` (numpy and :mod:`math`), ``"mpmath"`` (``dps`` digits; the global
precision is never changed) or ``"sympy"`` (exact closed forms, symbolic parameters).

``method=`` selects how (precedence of ``"auto"``: closed, reduce, quad):

* ``"closed"`` -- a closed form (docs/formulas.md §3.3; Cho & Saul 2009, Williams 1997, Stein's
  lemma, characteristic functions).
* ``"reduce"`` (pairs only) -- ``E[f(z1) f(z2)] = E[f(z2) m(z2)]`` with the closed-form
  conditional mean ``m(z2) = E[f(z1) | z2]``: a 1-D integral, accurate to rounding.
* ``"quad"`` -- quadrature.  Float: composite 16-point Gauss-Legendre in the standardised
  variable ``u = (z - mu)/s`` on ``[-12, 12]`` (widened around far kinks), panels no wider
  than ``min(1, 1/s)``, split at kinks and geometrically graded towards the transition
  points of ``f``; pairs use the same rule nested on the Cholesky factor
  ``z2 = mu2 + s2 u``, ``z1 = mu1 + (cov/s2) u + sc v`` (split per node when ``f`` has
  kinks).  mpmath: the same construction with 24 or 48 nodes per panel, sized to the
  requested digits (a pair costs ~10^5 evaluations: seconds at 20-30 digits).

The expectations are exact for Gaussian ``z``; using them layer after layer is the
Gaussian closure, an approximation (docs/formulas.md §6.2, §6.5).

>>> round(gaussian_mean("relu", 1.0, 4.0), 12)
1.395593114803
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import mpmath
import numpy as np
import sympy

from .._numbers import check_finite, check_order
from ..errors import ApproximationError, MethodUnavailableError, bad_argument
from ._gaussian_numerics import (
    _CTX,
    _FLOAT,
    _GUARD,
    _MPMATH,
    _SYMPY,
    BACKENDS,
    _backend,
    _capped,
    _expect,
    _method,
    _mp_rule,
    _num,
    _Phi,
    _phi,
    _points,
    _relu_var_std,
    _rho,
    _rho_ok,
    _rule,
    _sr_float,
    _sympy_poly_mean,
    _var,
    check_capped,
)

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "BACKENDS",
    "activation",
    "activation_names",
    "expectation",
    "gaussian_mean",
    "gaussian_second_moment",
    "gaussian_covariance",
    "GaussianMoments",
    "gaussian_moments_matrix",
    "gaussian_marginal_cumulants",
]


# ------------------------------------------------------------ closed-form means, var > 0
def _mean_relu(c, mu, v):
    s = c.sqrt(v)
    if c is _FLOAT:
        return s * _sr_float(mu / s)
    return mu * _Phi(c, mu / s) + s * _phi(c, mu / s)


def _mean_gelu(c, mu, v):
    # Stein: E[z Phi(z)] = mu E[Phi(z)] + v E[phi(z)]; E[Phi(z)] = Phi(mu/k) and
    # E[phi(z)] = phi(mu/k)/k are Gaussian convolutions
    k = c.sqrt(1 + v)
    plain = mu * _Phi(c, mu / k) + v / k * _phi(c, mu / k)
    if c is _FLOAT:
        # the two terms cancel for mu << 0: with a = mu/k and k^2 - v = 1 the mean is
        # k SR(a) - phi(a)/k, SR(a) = phi(a) + a Phi(a) from Laplace's fraction
        a = np.asarray(mu / k, dtype=float)
        out = np.where(a < 0, k * _sr_float(a) - _phi(c, a) / k, plain)
        return out if out.ndim else float(out)
    return plain


_MEANS = {
    "identity": lambda c, mu, v: mu + 0 * v,
    "relu": _mean_relu,
    "heaviside": lambda c, mu, v: _Phi(c, mu / c.sqrt(v)),
    "erf": lambda c, mu, v: c.erf(mu / c.sqrt(1 + 2 * v)),
    "gelu": _mean_gelu,
    "sin": lambda c, mu, v: c.sin(mu) * c.exp(-v / 2),
    "cos": lambda c, mu, v: c.cos(mu) * c.exp(-v / 2),
    "exp": lambda c, mu, v: c.exp(mu + v / 2),
}


# ------------------------------------- closed-form covariances, v1, v2 > 0 (None: none)
def _arccos_kernel(c, r, q):
    """``J(rho) = sin t + (pi - t) cos t``, t = arccos rho, q = 1 - rho^2; accurate as
    rho -> -1 too."""
    if c is _SYMPY or r >= -0.5:
        return c.sqrt(q) + r * (c.pi / 2 + c.asin(r))
    # d = pi - t = arccos(-rho): J = sin d - d cos d = sum_k (-1)^(k+1) 2k d^(2k+1)/(2k+1)!
    d = 2 * c.asin(c.sqrt(q / (1 - r) / 2))
    term = d ** 3 / 6
    total = 2 * term
    for k in range(2, 200):
        term = -term * d * d / ((2 * k) * (2 * k + 1))
        total += 2 * k * term
        if abs(term) <= abs(total) * c.eps:
            return total
    return total


def _cov_relu(c, m1, m2, v1, v2, cv):
    s1, s2 = c.sqrt(v1), c.sqrt(v2)
    if m1 == 0 and m2 == 0:
        # arc-cosine kernel (Cho & Saul); the covariance J - 1 rearranged against cancellation
        r, q = _rho(c, v1, v2, cv)
        k = s1 * s2 / (2 * c.pi)
        return (k * (r * c.pi / 2 + r * c.asin(r) - r * r / (1 + c.sqrt(q))),
                k * _arccos_kernel(c, r, q))
    if m1 == m2 and v1 == v2 == cv:
        return v1 * _relu_var_std(c, m1 / s1)
    return None


def _cov_heaviside(c, m1, m2, v1, v2, cv):
    if m1 == 0 and m2 == 0:  # Sheppard: E[H H] = 1/4 + asin(rho)/(2 pi) = arccos(-rho)/(2 pi)
        r, q = _rho(c, v1, v2, cv)
        second = (c.asin(c.sqrt((q / (1 - r) if r < 0 else 1 + r) / 2)) / c.pi
                  if c is not _SYMPY
                  else 1 / sympy.Integer(4) + c.asin(r) / (2 * c.pi))
        return c.asin(r) / (2 * c.pi), second
    if m1 == m2 and v1 == v2 == cv:
        a = m1 / c.sqrt(v1)
        return _Phi(c, a) * _Phi(c, -a)
    return None


def _cov_erf(c, m1, m2, v1, v2, cv):
    if m1 == 0 and m2 == 0:
        return 2 / c.pi * c.asin(2 * cv / c.sqrt((1 + 2 * v1) * (1 + 2 * v2)))
    return None


def _cov_trig(sign):
    def cov(c, m1, m2, v1, v2, cv):
        return c.exp(-(v1 + v2) / 2) / 2 * (
            c.cos(m1 - m2) * c.expm1(cv) + sign * c.cos(m1 + m2) * c.expm1(-cv))
    return cov


_COVS = {
    "identity": lambda c, m1, m2, v1, v2, cv: cv,
    "relu": _cov_relu,
    "heaviside": _cov_heaviside,
    "erf": _cov_erf,
    "sin": _cov_trig(-1),
    "cos": _cov_trig(+1),
    "exp": lambda c, m1, m2, v1, v2, cv: c.exp(m1 + m2 + (v1 + v2) / 2) * c.expm1(cv),
}


# ------------------------------------------------------------------------ the registry
@dataclass(frozen=True)
class Activation:
    """An elementwise activation in three number systems, with its Gaussian closed forms.

    ``kinks``: points where ``f`` or ``f'`` jumps (quadrature splits there); ``features``:
    points where ``f`` changes on a unit scale (quadrature refines there).

    >>> act = activation("gelu")
    >>> round(float(act(1.0)), 6), act.sympy(sympy.Symbol("x"))
    (0.841345, x*(erf(sqrt(2)*x/2) + 1)/2)
    """

    name: str
    float_fn: Callable
    mpmath_fn: Callable
    sympy_fn: Callable
    kinks: tuple = ()
    features: tuple = ()
    mean: Optional[Callable] = None
    cov: Optional[Callable] = None

    def __call__(self, x, backend="float"):
        """Evaluate ``f`` in the number system of ``backend``."""
        if backend == "mpmath":
            return self.mpmath_fn(x)
        if backend == "sympy":
            return self.sympy_fn(x)
        return self.float(x)

    def float(self, x):
        """Evaluate ``f`` on a float array (element by element if ``f`` is not vectorised)."""
        x = np.asarray(x, dtype=float)
        try:
            y = np.asarray(self.float_fn(x), dtype=float)
            if y.shape == x.shape:
                return y
        except (TypeError, ValueError):
            pass
        return np.vectorize(lambda t: float(self.float_fn(float(t))), otypes=[float])(x)

    def sympy(self, x):
        """The sympy expression ``f(x)``."""
        return self.sympy_fn(x)


def _sigmoid_np(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _heaviside_mp(x):
    return mpmath.mpf(1) if x > 0 else (mpmath.mpf(0) if x < 0 else mpmath.mpf(0.5))


def _builtin(name, f, mp, sp, **kw):
    return Activation(name, f, mp, sp, mean=_MEANS.get(name), cov=_COVS.get(name), **kw)


_S = sympy.sqrt(2)
ACTIVATIONS = {a.name: a for a in [
    _builtin("identity", lambda x: x * 1.0, lambda x: +x, lambda x: x),
    _builtin("relu", lambda x: np.maximum(x, 0.0), lambda x: x if x > 0 else mpmath.mpf(0),
             lambda x: sympy.Max(x, 0), kinks=(0.0,)),
    _builtin("heaviside", lambda x: np.heaviside(x, 0.5), _heaviside_mp,
             lambda x: sympy.Heaviside(x, sympy.S.Half), kinks=(0.0,)),
    _builtin("tanh", np.tanh, mpmath.tanh, sympy.tanh, features=(0.0,)),
    _builtin("erf", _FLOAT.erf, mpmath.erf, sympy.erf, features=(0.0,)),
    _builtin("gelu", lambda x: x * _Phi(_FLOAT, x), lambda x: x * mpmath.ncdf(x),
             lambda x: x * (1 + sympy.erf(x / _S)) / 2, features=(0.0,)),
    _builtin("sigmoid", _sigmoid_np, lambda x: 1 / (1 + mpmath.exp(-x)),
             lambda x: 1 / (1 + sympy.exp(-x)), features=(0.0,)),
    _builtin("softplus", lambda x: np.logaddexp(0.0, x),
             lambda x: mpmath.log1p(mpmath.exp(x)), lambda x: sympy.log(1 + sympy.exp(x)),
             features=(0.0,)),
    _builtin("sin", np.sin, mpmath.sin, sympy.sin),
    _builtin("cos", np.cos, mpmath.cos, sympy.cos),
    _builtin("exp", np.exp, mpmath.exp, sympy.exp),
]}


def activation_names():
    """The names of the built-in activations, sorted.

    >>> activation_names()[:4]
    ('cos', 'erf', 'exp', 'gelu')
    """
    return tuple(sorted(ACTIVATIONS))


def activation(fn, breakpoints=()):
    """The :class:`Activation` for a name, an :class:`Activation` or a Python callable.

    A callable must accept numpy arrays (or scalars) for ``backend="float"``, mpmath
    numbers for ``"mpmath"`` and sympy expressions for ``"sympy"``; ``breakpoints`` lists
    its kinks.  Unknown names raise :class:`MethodUnavailableError` listing valid names.

    >>> activation("relu").kinks
    (0.0,)
    """
    if isinstance(fn, Activation):
        return fn
    if isinstance(fn, str):
        key = fn.lower()
        if key not in ACTIVATIONS:
            raise bad_argument("fn", fn, f"one of {', '.join(activation_names())} or a "
                               "callable", cls=MethodUnavailableError)
        return ACTIVATIONS[key]
    if callable(fn):
        return Activation(getattr(fn, "__name__", "f"), fn, fn, fn,
                          kinks=tuple(float(b) for b in breakpoints), features=(0.0,))
    raise bad_argument("fn", fn, "an activation name or a callable", cls=MethodUnavailableError)


# --------------------------------------------------------------------- public: E[f(z)]
def gaussian_mean(fn, mu, var, *, method="auto", backend="float", dps=None, breakpoints=()):
    """``E[f(z)]`` for ``z ~ N(mu, var)``.

    Closed forms (``s = sqrt(var)``, ``a = mu/s``): ReLU ``mu Phi(a) + s phi(a)``;
    Heaviside ``Phi(a)``; erf ``erf(mu/sqrt(1 + 2 var))``; GELU ``x Phi(x)``:
    ``mu Phi(mu/k) + (var/k) phi(mu/k)``, ``k = sqrt(1 + var)`` (Stein's lemma); sin/cos
    ``sin(mu) e^{-var/2}``, ``cos(mu) e^{-var/2}``; exp ``e^{mu + var/2}``.  tanh, sigmoid,
    softplus and callables use quadrature (module docstring); with ``backend="sympy"`` a
    callable returning a polynomial is integrated exactly.  ``var = 0`` gives ``f(mu)``.

    >>> round(gaussian_mean("gelu", 0.5, 2.0), 10), round(gaussian_mean("tanh", 0.5, 2.0), 10)
    (0.7486516294, 0.2363770688)
    >>> print(mpmath.nstr(gaussian_mean("erf", 1, 1, backend="mpmath", dps=30), 25))
    0.5857838217574748833480012
    >>> gaussian_mean("relu", 0, 1, backend="sympy")
    sqrt(2)/(2*sqrt(pi))

    Reference: docs/formulas.md §3.3 (table of Gaussian expectations).
    """
    dps = _backend(backend, dps)
    method = _method(method, ("auto", "closed", "quad"), backend)
    act = activation(fn, breakpoints)
    if backend == "mpmath":
        with mpmath.workdps(dps + _GUARD):
            r = _mean(act, _num(mu, "mu", backend), _var(var, "var", backend), method, backend)
        with mpmath.workdps(dps):
            return +r
    return _mean(act, _num(mu, "mu", backend), _var(var, "var", backend), method, backend)


def expectation(fn, mu, var, **options):
    """``E[f(z)]``, ``z ~ N(mu, var)``, for a name or any callable (same as :func:`gaussian_mean`).

    >>> round(expectation(lambda x: x**4, 0.0, 1.0), 12)
    3.0
    """
    return gaussian_mean(fn, mu, var, **options)


def _no_closed(act, what):
    return MethodUnavailableError(
        f"no closed form for {what} with f = {act.name!r}; use method='quad' "
        "(or backend='float'/'mpmath' for quadrature)")


def _mean(act, mu, v, method, backend):
    c = _CTX[backend]
    if v == 0:
        return act(mu, backend) if backend != "float" else float(act.float(mu))
    if method in ("auto", "closed") and act.mean is not None:
        r = act.mean(c, mu, v)
        return float(r) if backend == "float" else r
    if method == "closed":
        raise _no_closed(act, "E[f(z)]")
    if backend != "sympy":
        s = c.sqrt(v)
        f = act.float if backend == "float" else act.mpmath_fn
        return _expect(lambda u: f(mu + s * u), _points(act, mu, s), s, backend)
    z = sympy.Dummy("Z")
    r = _sympy_poly_mean(act.sympy_fn(mu + sympy.sqrt(v) * z), [z])
    if r is None:
        raise MethodUnavailableError(
            f"no exact Gaussian expectation of f = {act.name!r} in sympy; use "
            "backend='float' or backend='mpmath' (quadrature)")
    return r


# ------------------------------------------------------- public: E[f(z1) f(z2)], Cov
def _pair(act, mu1, mu2, v1, v2, cv, method, backend):
    """``(Cov, E[f(z1) f(z2)], E f(z1), E f(z2))``; Cov and E[ff] are each computed
    directly (rearranged closed forms, centred and plain integrals), never one from the
    other, so both keep their relative accuracy."""
    c = _CTX[backend]
    mean_method = "quad" if method == "quad" else "auto"
    m1, m2 = (_mean(act, m, v, mean_method, backend) for m, v in ((mu1, v1), (mu2, v2)))
    if v1 == 0 or v2 == 0:
        return 0 * m1 * m2, m1 * m2, m1, m2
    if method in ("auto", "closed") and act.cov is not None:
        r = act.cov(c, mu1, mu2, v1, v2, cv)
        if r is not None:
            cov, second = r if isinstance(r, tuple) else (r, r + m1 * m2)
            if backend == "float":
                cov, second = float(cov), float(second)
            return cov, second, m1, m2
    if method == "closed":
        raise MethodUnavailableError(
            f"no closed form for E[f(z1) f(z2)] with f = {act.name!r} at these means; "
            "use method='reduce' (1-D integral, where E[f] has a closed form) or 'quad'")
    if method == "reduce" and act.mean is None:
        raise MethodUnavailableError(
            f"method='reduce' needs a closed-form E[f] and f = {act.name!r} has none; "
            "use method='quad'")
    if backend == "sympy":
        return _pair_sympy(act, mu1, mu2, v1, v2, cv) + (m1, m2)
    inner = act.mean if method != "quad" else None
    if backend == "float":
        return _pair_float(act, mu1, mu2, v1, v2, cv, m1, m2, inner) + (m1, m2)
    return _pair_mp(act, mu1, mu2, v1, v2, cv, m1, m2, inner) + (m1, m2)


def _split(c, v1, v2, cv):
    """Cholesky factor of the pair: z2 = mu2 + s2 u, z1 = mu1 + b u + sc v."""
    r, q = _rho(c, v1, v2, cv)
    return c.sqrt(v2), r * c.sqrt(v1), c.sqrt(v1 * q)


def _pair_float(act, mu1, mu2, v1, v2, cv, m1, m2, inner):
    s2, b, sc = _split(_FLOAT, v1, v2, cv)
    u, w = _rule(_points(act, mu2, s2) + _points(act, mu1, b, sc), max(s2, abs(b)))
    a = mu1 + b * u
    if sc == 0:
        g = act.float(a)
    elif inner is not None:
        g = np.asarray(inner(_FLOAT, a, sc * sc), dtype=float)
    elif act.kinks:  # the kink of f(a + sc v) moves with a: one split rule per node
        g = np.array([_expect(lambda v: act.float(ai + sc * v), _points(act, ai, sc), sc,
                              "float") for ai in a])
    else:
        v, wv = _rule([], sc, 10.0)
        step = max(1, 2_000_000 // len(v))
        g = np.concatenate([act.float(a[i:i + step, None] + sc * v) @ wv
                            for i in range(0, len(a), step)])
    f2 = act.float(mu2 + s2 * u)
    return float(w @ ((f2 - m2) * (g - m1))), float(w @ (f2 * g))


def _pair_mp(act, mu1, mu2, v1, v2, cv, m1, m2, inner):
    s2, b, sc = _split(_MPMATH, v1, v2, cv)
    u, w = _mp_rule(_points(act, mu2, s2) + _points(act, mu1, b, sc), max(s2, abs(b)))
    a = [mu1 + b * x for x in u]
    f = act.mpmath_fn
    if sc == 0:
        g = [f(ai) for ai in a]
    elif inner is not None:
        g = [inner(_MPMATH, ai, sc * sc) for ai in a]
    elif act.kinks:
        g = [_expect(lambda v: f(ai + sc * v), _points(act, ai, sc), sc, "mpmath") for ai in a]
    else:
        v, wv = _mp_rule([], sc)
        g = [mpmath.fdot(wv, [f(ai + sc * x) for x in v]) for ai in a]
    f2 = [f(mu2 + s2 * x) for x in u]
    return (mpmath.fdot(w, [(y - m2) * (gi - m1) for y, gi in zip(f2, g)]),
            mpmath.fdot(w, [y * gi for y, gi in zip(f2, g)]))


def _pair_sympy(act, mu1, mu2, v1, v2, cv):
    u, v = sympy.Dummy("U"), sympy.Dummy("V")
    s2 = sympy.sqrt(v2)
    z1 = mu1 + cv / s2 * u + sympy.sqrt(v1 - cv ** 2 / v2) * v
    second = _sympy_poly_mean(act.sympy_fn(z1) * act.sympy_fn(mu2 + s2 * u), [u, v])
    if second is None:
        raise MethodUnavailableError(
            f"no exact form of E[f(z1) f(z2)] for f = {act.name!r} in sympy at these "
            "parameters; use backend='float' or backend='mpmath'")
    m1 = _sympy_poly_mean(act.sympy_fn(mu1 + sympy.sqrt(v1) * u), [u])
    m2 = _sympy_poly_mean(act.sympy_fn(mu2 + s2 * u), [u])
    return sympy.expand(second - m1 * m2), second


def _pair_public(fn, mu1, mu2, var1, var2, cov, method, backend, dps, breakpoints):
    dps = _backend(backend, dps)
    method = _method(method, ("auto", "closed", "reduce", "quad"), backend)
    act = activation(fn, breakpoints)

    def run():
        v1, v2 = _var(var1, "var1", backend), _var(var2, "var2", backend)
        cv = _num(cov, "cov", backend)
        _rho_ok(v1, v2, cv, backend)
        return _pair(act, _num(mu1, "mu1", backend), _num(mu2, "mu2", backend),
                     v1, v2, cv, method, backend)

    if backend != "mpmath":
        return run()
    with mpmath.workdps(dps + _GUARD):
        r = run()
    with mpmath.workdps(dps):
        return tuple(+x for x in r)


def gaussian_second_moment(fn, mu1, mu2, var1, var2, cov, *, method="auto", backend="float",
                           dps=None, breakpoints=()):
    """``E[f(z1) f(z2)]`` for ``(z1, z2)`` Gaussian with means ``mu1, mu2``, variances
    ``var1, var2`` and covariance ``cov``.

    Closed forms (``rho = cov/(s1 s2)``, clipped into ``[-1, 1]``): ReLU at zero means,
    the arc-cosine kernel ``s1 s2 (sin t + (pi - t) cos t)/(2 pi)``, ``t = arccos rho``
    (Cho & Saul 2009); erf at zero means ``(2/pi) arcsin(2 cov/sqrt((1+2var1)(1+2var2)))``
    (Williams 1997); Heaviside at zero means ``1/4 + arcsin(rho)/(2 pi)`` (Sheppard); ReLU
    and Heaviside at ``z1 = z2`` (any mean); sin, cos (product-to-sum and the
    characteristic function), exp (``e^{mu1+mu2+(var1+var2+2cov)/2}``), identity.  Other
    cases: ``"reduce"`` (ReLU, erf, GELU, Heaviside at general means) or ``"quad"``.

    >>> round(gaussian_second_moment("relu", 0.0, 0.0, 1.0, 1.0, 0.5), 14)
    0.30449889052211
    >>> round(gaussian_second_moment("relu", 1.0, -0.5, 4.0, 1.0, 0.8), 12)
    0.465996927253
    >>> gaussian_second_moment("heaviside", 0, 0, 1, 1, sympy.Rational(1, 2), backend="sympy")
    1/3

    Reference: docs/formulas.md §3.3; Rosenbaum (1961) for the truncated bivariate moments.
    """
    second = _pair_public(fn, mu1, mu2, var1, var2, cov, method, backend, dps, breakpoints)[1]
    return sympy.simplify(second) if backend == "sympy" else second


def gaussian_covariance(fn, mu1, mu2, var1, var2, cov, *, method="auto", backend="float",
                        dps=None, breakpoints=()):
    """``Cov(f(z1), f(z2))``, computed directly rather than as ``E[ff] - E f E f``.

    The closed forms are rearranged (e.g. ``expm1``) and the integrals centred, so that
    the covariance keeps its relative accuracy when the means dominate (docs/formulas.md §6.6).

    >>> print(f"{gaussian_covariance('exp', 3.0, 3.0, 1e-9, 1e-9, 1e-9):.12e}")
    4.034287940979e-07
    """
    cv = _pair_public(fn, mu1, mu2, var1, var2, cov, method, backend, dps, breakpoints)[0]
    return sympy.simplify(cv) if backend == "sympy" else cv


# ---------------------------------------------------------------- public: layer map
class GaussianMoments(NamedTuple):
    """Output of the Gaussian-closure layer map: ``E[f(z_i)]``, ``E[f(z_i) f(z_j)]``, Cov."""

    mean: object
    second_moment: object
    covariance: object


def _matrix_arg(x, name, backend, ndim):
    if backend == "float":
        try:
            a = np.array(x, dtype=float)
        except (TypeError, ValueError):
            raise bad_argument(name, x, "an array of real numbers") from None
        check_finite(a, name)
    else:
        a = np.array(x, dtype=object)
        a = np.vectorize(lambda t: _num(t, name, backend), otypes=[object])(a)
    if a.ndim != ndim:
        raise bad_argument(name, x, f"a {ndim}-d array")
    return a


def _psd_clip(cov, backend):
    """Clip negative eigenvalues of a computed covariance; warn if beyond rounding."""
    if backend == "float":
        lam, vec = np.linalg.eigh(cov)
        scale, eps = max(float(np.max(np.abs(lam))), 1e-300), np.finfo(float).eps
    else:
        lam, vec = mpmath.eigsy(mpmath.matrix(cov.tolist()))
        lam, vec = [lam[i] for i in range(len(cov))], vec
        scale, eps = max(max(abs(x) for x in lam), mpmath.mpf(10) ** -300), mpmath.eps
    low = min(lam)
    if low >= 0:
        return cov
    if -low > 64 * len(cov) * eps * scale:
        warnings.warn(f"Gaussian-closure covariance had eigenvalue {float(low):.3g} "
                      f"(largest {float(scale):.3g}); clipped to 0 (quadrature error)",
                      RuntimeWarning, stacklevel=3)
    if backend == "float":
        out = (vec * np.maximum(lam, 0.0)) @ vec.T
    else:
        d = mpmath.diag([max(x, 0) for x in lam])
        out = np.array((vec * d * vec.T).tolist(), dtype=object)
    return (out + out.T) / 2


def gaussian_moments_matrix(fn, mean_vector, cov_matrix, *, method="auto", backend="float",
                            dps=None, breakpoints=()):
    """The Gaussian-closure layer map ``(m, Sigma) -> (E f(z), E[f(z) f(z)^T], Cov f(z))``.

    ``z ~ N(mean_vector, cov_matrix)``; each pair goes through
    :func:`gaussian_covariance` and ``E[f f^T] = Cov + m m^T``.  The covariance of the
    output is symmetric by construction and checked to be PSD: negative eigenvalues from
    rounding or quadrature are clipped to zero (a ``RuntimeWarning`` is issued when they
    exceed rounding level), so downstream Cholesky factorisations do not fail.  Float
    returns numpy arrays, mpmath and sympy return object arrays.

    >>> m, second, cov = gaussian_moments_matrix("erf", [0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]])
    >>> [[round(x, 10) for x in row] for row in cov.tolist()]
    [[0.4645590544, 0.2163468959], [0.2163468959, 0.4645590544]]

    Reference: docs/formulas.md §3.3, §6.2 (Gaussian closure, ADF/moment matching).
    """
    dps = _backend(backend, dps)
    act = activation(fn, breakpoints)
    method = _method(method, ("auto", "closed", "reduce", "quad"), backend)
    prec = mpmath.workdps(dps + _GUARD) if backend == "mpmath" else contextlib.nullcontext()
    with prec:
        mu = _matrix_arg(mean_vector, "mean_vector", backend, 1)
        sig = _matrix_arg(cov_matrix, "cov_matrix", backend, 2)
        d = len(mu)
        if sig.shape != (d, d):
            raise bad_argument("cov_matrix", sig.shape, f"shape ({d}, {d}) to match mean_vector")
        if backend != "sympy":
            _check_psd(sig, backend)
        cov = np.zeros((d, d), dtype=float if backend == "float" else object)
        m = np.zeros(d, dtype=cov.dtype)
        for i in range(d):
            if sig[i, i] < 0 if backend != "sympy" else sig[i, i].is_negative:
                raise bad_argument(f"cov_matrix[{i}, {i}]", sig[i, i], "a variance >= 0")
            for j in range(i, d):
                cov[i, j], _, m[i], m[j] = _pair(act, mu[i], mu[j], sig[i, i], sig[j, j],
                                                 sig[i, j], method, backend)
                cov[j, i] = cov[i, j]
        if backend == "sympy":
            cov = np.vectorize(sympy.simplify, otypes=[object])(cov)
        else:
            cov = _psd_clip(cov, backend)
        second = cov + np.outer(m, m)
    if backend == "mpmath":
        with mpmath.workdps(dps):
            m, second, cov = (np.vectorize(lambda x: +x, otypes=[object])(a)
                              for a in (m, second, cov))
    return GaussianMoments(m, second, cov)


def _check_psd(sig, backend):
    a = np.array(sig, dtype=float)
    if not np.allclose(a, a.T, rtol=1e-12, atol=0):
        raise bad_argument("cov_matrix", sig.tolist(), "a symmetric matrix")
    lam = np.linalg.eigvalsh((a + a.T) / 2) if a.size else np.zeros(0)
    if a.size and lam[0] < -1e-10 * max(1.0, float(np.max(np.abs(lam)))):
        raise bad_argument("cov_matrix", sig.tolist(),
                           f"a positive semidefinite matrix (smallest eigenvalue {lam[0]:.3g})")


# ----------------------------------------------------- public: cumulants of f(z)
def _cumulants_from_central(mean, central):
    """kappa_1 = mean, kappa_n = mu_n - sum_{m=2}^{n-2} C(n-1, m-1) kappa_m mu_{n-m}."""
    kap = [mean]
    for n in range(2, len(central) + 2):
        kap.append(central[n - 2] - sum(math.comb(n - 1, k - 1) * kap[k - 1] * central[n - k - 2]
                                        for k in range(2, n - 1)))
    return kap


def gaussian_marginal_cumulants(fn, mu, var, order, *, backend="float", dps=None,
                                breakpoints=()):
    """The cumulants ``kappa_1..kappa_order`` of ``f(z)``, ``z ~ N(mu, var)``.

    Central moments ``mu_n = E[(f(z) - E f)^n]`` by the composite Gauss-Legendre rule
    (split at kinks; mpmath at ``dps`` plus guard digits), then
    ``kappa_n = mu'_n - sum_{m<n} C(n-1, m-1) kappa_m mu'_{n-m}`` applied to the centred
    variable (no cancellation from a large mean).  ``backend=
    "sympy"`` is exact for polynomial callables, identity, ReLU, Heaviside and exp.

    >>> [round(k, 12) for k in gaussian_marginal_cumulants("relu", 0.0, 1.0, 4)]
    [0.398942280401, 0.340845056908, 0.326458412069, 0.279708338353]

    Reference: docs/formulas.md §1.2 (moments <-> cumulants), §8 oracles 6-7.
    """
    dps = _backend(backend, dps)
    order = check_order(order)
    act = activation(fn, breakpoints)
    if backend == "sympy":
        return _sympy_cumulants(act, _num(mu, "mu", backend), _var(var, "var", backend), order)
    guard = _GUARD + 2 * order  # central moments of order n lose about n digits
    with mpmath.workdps(dps + guard) if backend == "mpmath" else contextlib.nullcontext():
        mu, v = _num(mu, "mu", backend), _var(var, "var", backend)
        if v == 0:
            kap = [act(mu, backend)] + [0 * mu] * (order - 1)
        elif backend == "float" and float_edge(act, mu, v):
            kap = edge_cumulants(act, mu, v, order)
        else:
            m, s = _mean(act, mu, v, "auto", backend), _CTX[backend].sqrt(v)
            if backend == "float":
                u, w = _rule(_points(act, mu, s), s)
                d = act.float(mu + s * u) - m
                cen = [float(w @ d ** n) for n in range(2, order + 1)]
                if _capped(s, 12.0):
                    u2, w2 = _rule(_points(act, mu, s), s, coarsen=2)
                    d2 = act.float(mu + s * u2) - m
                    for n in range(2, order + 1):
                        check_capped(cen[n - 2], float(w2 @ d2 ** n),
                                     float(w @ np.abs(d) ** n), s)
            else:
                u, w = _mp_rule(_points(act, mu, s), s)
                d = [act.mpmath_fn(mu + s * x) - m for x in u]
                cen = [mpmath.fdot(w, [t ** n for t in d]) for n in range(2, order + 1)]
            kap = _cumulants_from_central(m, cen)
    if backend == "float":
        return [float(k) for k in kap]
    with mpmath.workdps(dps):
        return [+k for k in kap]


#: Float central moments are trusted while f varies by more than this fraction of its
#: size on the Gaussian's support; below it (tiny sigma, saturated tails) they cancel.
_EDGE_RATIO = 0.05
#: Highest working precision of the adaptive edge computation.
_MAX_EDGE_DPS = 160


def float_edge(act, mu, v):
    """Whether float central moments of ``f(z)``, ``z ~ N(mu, v)``, would cancel.

    True when ``max |f - E f| <= 0.05 max |f|`` on the quadrature nodes: ``f`` is nearly
    constant where the Gaussian lives (``sigma -> 0``, or ``|mu|`` deep in a saturated
    tail such as ``tanh`` at ``mu = -40``), so ``f - E f`` and then the
    moment-to-cumulant recursion lose digits.

    >>> float_edge(activation("tanh"), 0.5, 1e-16), float_edge(activation("tanh"), 0.5, 1.0)
    (True, False)
    """
    s = math.sqrt(float(v))
    u, w = _rule(_points(act, float(mu), s), s)
    with np.errstate(all="ignore"):
        f = act.float(float(mu) + s * u)
        if not np.all(np.isfinite(f)):
            return False
        spread = float(np.max(np.abs(f - w @ f)))
        return spread <= _EDGE_RATIO * float(np.max(np.abs(f)))


def edge_cumulants(act, mu, v, order):
    """Float ``kappa_1..kappa_order`` of ``f(z)`` where floats cancel, by mpmath at a
    precision raised until it no longer matters.

    The central-moment computation is run at ``p`` and ``2 p`` digits
    (``p = 30 + 2 order, 60 + 4 order, ...`` up to ``_MAX_EDGE_DPS``); the ``2 p`` result
    is returned once the two agree to ``1e-16`` relative, or to
    ``10^-(p-10) sigma_f^n`` absolute (a cumulant that is 0 to that accuracy, e.g. by
    symmetry).  Otherwise :class:`~cumulants.errors.ApproximationError`
    (docs/formulas.md §6.6).
    """
    p, prev = 30 + 2 * order, None
    with mpmath.workdps(15):
        mu_s, v_s = str(float(mu)), str(float(v))
    while p <= _MAX_EDGE_DPS:
        with mpmath.workdps(p + _GUARD):
            cur = gaussian_marginal_cumulants(act, mpmath.mpf(mu_s), mpmath.mpf(v_s), order,
                                              backend="mpmath", dps=p)
        if prev is not None:
            with mpmath.workdps(p):
                sd = mpmath.sqrt(abs(cur[1])) if order > 1 else mpmath.mpf(0)
                ok = all(abs(a - b) <= 1e-16 * abs(b)
                         or abs(a - b) <= mpmath.mpf(10) ** (10 - p // 2) * sd ** n
                         for n, (a, b) in enumerate(zip(prev, cur), start=1))
            if ok:
                return [float(k) for k in cur]
        prev, p = cur, 2 * p
    raise ApproximationError(
        f"the cumulants of {act.name}(z), z ~ N({mu}, {v}), need more than {_MAX_EDGE_DPS} "
        "digits to reach float accuracy; use a lower order or backend='mpmath' with a "
        "large dps")


def _sympy_cumulants(act, mu, v, order):
    s, z = sympy.sqrt(v), sympy.Dummy("Z")
    if act.name == "relu" and act is ACTIVATIONS["relu"]:
        # E[(mu + s Z)_+^k] = sum_j C(k,j) mu^{k-j} s^j E[Z^j; Z > -a], partial moments
        # P_0 = Phi(a), P_1 = phi(a), P_j = (-a)^{j-1} phi(a) + (j-1) P_{j-2}
        a = mu / s
        part = [_Phi(_SYMPY, a), _phi(_SYMPY, a)]
        for j in range(2, order + 1):
            part.append((-a) ** (j - 1) * _phi(_SYMPY, a) + (j - 1) * part[j - 2])
        raw = [sum(sympy.binomial(k, j) * mu ** (k - j) * s ** j * part[j] for j in range(k + 1))
               for k in range(1, order + 1)]
    elif act.name == "heaviside" and act is ACTIVATIONS["heaviside"]:
        raw = [_Phi(_SYMPY, mu / s)] * order
    elif act.name == "exp" and act is ACTIVATIONS["exp"]:
        raw = [sympy.exp(k * mu + k * k * v / 2) for k in range(1, order + 1)]
    else:
        f = act.sympy_fn(mu + s * z)
        raw = [_sympy_poly_mean(f ** k, [z]) for k in range(1, order + 1)]
        if raw[0] is None:
            raise MethodUnavailableError(
                f"no exact cumulants of f(z) for f = {act.name!r} in sympy; use "
                "backend='float' or backend='mpmath'")
    kap = []
    for n in range(1, order + 1):
        kap.append(raw[n - 1] - sum(sympy.binomial(n - 1, k - 1) * kap[k - 1] * raw[n - k - 1]
                                    for k in range(1, n)))
    return [sympy.simplify(k) for k in kap]
