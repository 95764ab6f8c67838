"""Numerical kernel of the Gaussian expectations: number systems, normal tails, quadrature.

Private support for :mod:`cumulants.layers.gaussian` and :mod:`cumulants.layers.hermite`.

* Contexts ``_FLOAT``, ``_MPMATH``, ``_SYMPY``: the few special functions a closed form
  needs, so that each formula is written once and evaluated in any number system.
* Normal tails without cancellation: ``SR(x) = E[(x + Z)_+]`` and ``E[(x + Z)_+^2]`` from
  Laplace's continued fraction for x << 0; ``Phi`` through ``erfc`` (docs/formulas.md §6.6).
* Quadrature for ``E[g(U)]``, U ~ N(0, 1): composite Gauss-Legendre panels in floats
  (16 nodes) or mpmath (24/48 nodes, sized to the working precision), split at kinks and
  graded geometrically towards kinks and transitions of the activation.
* Exact Gaussian expectations of polynomials (sympy) and argument checks.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import mpmath
import numpy as np
import sympy
from mpmath.calculus.quadrature import GaussLegendre

from .._numbers import check_finite, check_order
from ..errors import ApproximationError, MethodUnavailableError, bad_argument

__all__: list = []  # private helpers; the public names live in gaussian.py and hermite.py

BACKENDS = ("float", "mpmath", "sympy")
_GUARD = 10  # extra mpmath digits used internally
_SQ2PI = math.sqrt(2 * math.pi)

# --------------------------------------------------------------------------- contexts
_verf, _verfc = (np.vectorize(g, otypes=[float]) for g in (math.erf, math.erfc))


def _scalar_or_vec(scalar, vector):
    return lambda x: scalar(x) if np.ndim(x) == 0 else vector(x)


_FLOAT = SimpleNamespace(
    name="float", erf=_scalar_or_vec(math.erf, _verf), erfc=_scalar_or_vec(math.erfc, _verfc),
    exp=np.exp, expm1=np.expm1, sqrt=np.sqrt, sin=np.sin, cos=np.cos, asin=np.arcsin,
    pi=math.pi, eps=np.finfo(float).eps)
_MPMATH = SimpleNamespace(
    name="mpmath", erf=mpmath.erf, erfc=mpmath.erfc, exp=mpmath.exp, expm1=mpmath.expm1,
    sqrt=mpmath.sqrt, sin=mpmath.sin, cos=mpmath.cos, asin=mpmath.asin, pi=mpmath.pi,
    eps=mpmath.eps)
_SYMPY = SimpleNamespace(
    name="sympy", erf=sympy.erf, erfc=sympy.erfc, exp=sympy.exp,
    expm1=lambda x: sympy.exp(x) - 1, sqrt=sympy.sqrt, sin=sympy.sin, cos=sympy.cos,
    asin=sympy.asin, pi=sympy.pi)
_CTX = {"float": _FLOAT, "mpmath": _MPMATH, "sympy": _SYMPY}


def _phi(c, x):
    return c.exp(-x * x / 2) / c.sqrt(2 * c.pi)


def _Phi(c, x):
    # erfc form: relative accuracy deep in the lower tail (docs/formulas.md §6.6)
    return c.erfc(-x / c.sqrt(2)) / 2


def _laplace_cf(t, stop):
    """Tail ``t + stop/(t + (stop+1)/(t + ...))`` of Laplace's Mills-ratio fraction (t >= 3)."""
    k = t
    for j in range(100, stop - 1, -1):
        k = t + j / k
    return k


def _sr_float(x):
    """``SR(x) = phi(x) + x Phi(x) = E[(x + Z)_+]`` without cancellation for x << 0."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    low = x < -3.0
    xh = x[~low]
    out[~low] = _phi(_FLOAT, xh) + xh * _Phi(_FLOAT, xh)
    t = -x[low]
    # Laplace: Phi(-t) = phi(t)/(t + 1/K), K = t + 2/(t + 3/...)  =>  SR(-t) = phi(t)/(1 + tK)
    out[low] = _phi(_FLOAT, t) / (1 + t * _laplace_cf(t, 2))
    return out if out.ndim else float(out)


def _t2_float(x):
    """``E[(x + Z)_+^2] = (x^2 + 1) Phi(x) + x phi(x)``, stable for x << 0."""
    x = float(x)
    if x >= -3.0:
        return (x * x + 1) * _Phi(_FLOAT, x) + x * _phi(_FLOAT, x)
    t = -x
    k2 = _laplace_cf(t, 3)
    return _phi(_FLOAT, t) * 2 / (k2 * (t * (t + 2 / k2) + 1))


def _relu_var_std(c, a):
    """``Var (a + Z)_+``; for a >= 0 as ``1 - Phi(-a) - a e - e^2``, e = SR(-a), which
    does not cancel."""
    if c is _FLOAT:
        if a >= 0:
            e = _sr_float(-a)
            return 1 - _Phi(c, -a) - a * e - e * e
        return _t2_float(a) - _sr_float(a) ** 2
    sr = _phi(c, a) + a * _Phi(c, a)
    return (a * a + 1) * _Phi(c, a) + a * _phi(c, a) - sr * sr


def _rho(c, v1, v2, cv):
    """``(rho, 1 - rho^2)``, rho clipped into [-1, 1].  With mpmath, ``v1 v2 - cv^2`` is
    exact for float inputs at the working precision, so ``1 - rho^2`` (and
    ``1 + rho = (1 - rho^2)/(1 - rho)``) keep their digits as |rho| -> 1."""
    if c is _SYMPY:
        r = cv / c.sqrt(v1 * v2)
        return r, 1 - r * r
    r = min(max(cv / c.sqrt(v1 * v2), -1), 1)
    if c is _MPMATH:
        return r, max(v1 * v2 - cv * cv, 0) / (v1 * v2)
    if 1 - abs(r) < 4 * c.eps:  # within rounding of |rho| = 1: snap (kernels are only
        r = math.copysign(1.0, r)  # Holder-1/2 there, so rounding would cost 8 digits)
    return r, (1 - r) * (1 + r)


# -------------------------------------------------------------------- argument checks
def _backend(backend, dps):
    if backend not in BACKENDS:
        raise bad_argument("backend", backend, f"one of {BACKENDS}", cls=MethodUnavailableError)
    if dps is None:
        return mpmath.mp.dps
    return check_order(dps, "dps")


def _method(method, allowed, backend):
    if method not in allowed:
        raise bad_argument("method", method, f"one of {allowed}", cls=MethodUnavailableError)
    if backend == "sympy" and method in ("reduce", "quad"):
        raise MethodUnavailableError(
            f"method={method!r} is numerical; use backend='float' or backend='mpmath' "
            "(backend='sympy' gives exact closed forms only)")
    return method


def _num(x, name, backend):
    """Convert a scalar parameter to the backend's number type, rejecting NaN/inf."""
    try:
        if backend == "float":
            x = float(x)
        elif backend == "mpmath":
            if isinstance(x, sympy.Basic):
                x = sympy.N(x, mpmath.mp.dps + _GUARD)
            x = mpmath.mpmathify(str(x) if isinstance(x, sympy.Basic) else x)
        else:
            x = sympy.sympify(x)
    except (TypeError, ValueError, sympy.SympifyError):
        raise bad_argument(name, x, "a real number") from None
    check_finite(x, name)
    return x


def _var(x, name, backend):
    v = _num(x, name, backend)
    if (v.is_negative if backend == "sympy" else v < 0):
        raise bad_argument(name, x, "a variance >= 0")
    return v


def _rho_ok(v1, v2, cv, backend):
    if backend == "sympy" and not (v1 * v2 - cv * cv).is_number:
        return
    if cv * cv > v1 * v2 * (1 + 1e-9) + 1e-300:
        raise bad_argument("cov", cv, f"|cov| <= sqrt(var1 var2) = {math.sqrt(float(v1 * v2))!r} "
                           "(the 2x2 covariance must be positive semidefinite)")


# -------------------------------------------------------------------------- quadrature
_GLX, _GLW = np.polynomial.legendre.leggauss(16)
_MP_GL = GaussLegendre(mpmath.mp)


def _points(act, a, b, smooth=0.0):
    """Kinks and transitions of ``f(a + b u)`` (of ``E f(a + b u + smooth V)``) in ``u``.

    Each is ``(u, h)``: a kink (h = 0) or a transition of width h (unit width in z).
    """
    if b == 0:
        return []
    pts = [((z - a) / b, smooth / abs(b)) for z in act.kinks]
    return pts + [((z - a) / b, max(smooth, 1.0) / abs(b)) for z in act.features]


def _edges(points, wmax, t):
    """Panel edges on ``[-t, t]`` (widened by t past far points): uniform, at most ``wmax``
    wide, split at every point and graded geometrically towards it (first width h, or
    ``1/(1+|u|)`` at a kink, which also resolves the ``e^{-|u| x}`` decay of a far tail)."""
    lo, hi = -t, t
    locs = [p for p, _ in points if abs(p) < 3 * t]
    if locs:
        lo, hi = min(lo, min(locs) - t), max(hi, max(locs) + t)
    n = int(math.ceil(float(hi - lo) / wmax))
    from .._limits import MAX_QUADRATURE_PANELS, guard

    guard("quadrature panels", n, MAX_QUADRATURE_PANELS,
          route="method='hermite' or 'taylor' (a polynomial surrogate), or a narrower input "
                "law (panels grow with the input's standard deviation)")
    edges = {lo + (hi - lo) * k / n for k in range(n + 1)}
    for p, h in points:
        if lo < p < hi:
            edges.add(p)
            d = min(max(float(h), 1e-13), wmax) if h > 0 else min(wmax, 1 / (1 + abs(float(p))))
            while d < wmax:
                edges.update(e for e in (p - d, p + d) if lo < e < hi)
                d *= 2
    return sorted(edges)


#: At most this many uniform panels: beyond it (sigma >~ 1e3) the panel width stops
#: shrinking with 1/scale and the geometric grading towards each kink and transition
#: resolves f; results on a capped rule are checked against half as many panels.
_MAX_PANELS = 2048


def _wmax(scale, t, base=1.0):
    """Panel width ``base * min(1, 1/scale)``, but no more than ``_MAX_PANELS`` panels."""
    return max(base * min(1.0, 1.0 / float(scale)), 2.0 * float(t) / _MAX_PANELS)


def _capped(scale, t, base=1.0):
    """Whether :func:`_wmax` had to cap the panel count (sigma far above 1)."""
    return base * min(1.0, 1.0 / float(scale)) < 2.0 * float(t) / _MAX_PANELS


def _rule(points, scale, t=12.0, coarsen=1):
    """Float nodes ``u`` and weights ``w phi(u)`` for ``E[g(U)]``, U ~ N(0,1): 16-point
    Gauss-Legendre panels no wider than ``min(1, 1/scale)`` (scale = dz/du), at most
    ``_MAX_PANELS`` of them (``coarsen`` panels-widths wider, for the cap check)."""
    e = np.array(_edges(points, coarsen * _wmax(scale, t), t), dtype=float)
    a, b = e[:-1, None], e[1:, None]
    u = ((a + b) / 2 + (b - a) / 2 * _GLX).ravel()
    return u, ((b - a) / 2 * _GLW).ravel() * np.exp(-u * u / 2) / _SQ2PI


def _mp_rule(points, scale, t=None):
    """mpmath nodes and weights as :func:`_rule`, sized for ``mp.dps - _GUARD`` digits.

    24 or 48 Gauss-Legendre nodes per panel (up to 768 above 46 digits, keeping the
    panels about one unit wide); the panel width makes the Bernstein-ellipse
    error bound ``rho^(-2n)`` small for integrands analytic in a strip of half-width 1.5
    in z (tanh, sigmoid, softplus, entire functions), the range covers
    ``phi(u) > 10^(-digits)``.
    """
    digits = mpmath.mp.dps - _GUARD + 3
    deg = 4 if digits <= 23 else 5
    while deg < 9 and 3 * 2 ** (deg - 1) < digits / 1.556:
        deg += 1  # high precision: more nodes per panel, not ever narrower panels
    n = 3 * 2 ** (deg - 1)
    r = 10.0 ** (digits / (2 * n))
    t = max(t or 0.0, math.sqrt(2 * math.log(10) * digits))
    wmax = _wmax(scale, t, min(4.0, 6 * r / (r * r - 1)))
    e = _edges(points, wmax, mpmath.mpf(t))
    xw = _MP_GL.get_nodes(-1, 1, deg, mpmath.mp.prec)
    c = 1 / mpmath.sqrt(2 * mpmath.pi)
    u = [(a + b) / 2 + (b - a) / 2 * x for a, b in zip(e[:-1], e[1:]) for x, _ in xw]
    w = [(b - a) / 2 * wx * c for a, b in zip(e[:-1], e[1:]) for _, wx in xw]
    return u, [wi * mpmath.exp(-ui * ui / 2) for ui, wi in zip(u, w)]


def _expect(g, points, scale, backend):
    """``E[g(U)]``, U ~ N(0,1), by the composite rule (``g`` vectorised for floats).

    On a capped rule (huge ``scale``) the result is checked against a rule with half
    as many panels and refused (:class:`ApproximationError`) when they disagree."""
    if backend == "float":
        u, w = _rule(points, scale)
        gu = g(u)
        out = float(w @ gu)
        if _capped(scale, 12.0):
            u2, w2 = _rule(points, scale, coarsen=2)
            check_capped(out, float(w2 @ g(u2)), float(w @ np.abs(gu)), scale)
        return out
    u, w = _mp_rule(points, scale)
    return mpmath.fdot(w, [g(x) for x in u])


def check_capped(fine, coarse, size, scale):
    """Refuse a capped-rule result that moves between half and full panel counts."""
    if not abs(fine - coarse) <= 1e-10 * size + 1e-300:
        raise ApproximationError(
            f"var={float(scale) ** 2:.3g} is beyond what the quadrature resolves: with "
            f"{_MAX_PANELS} panels the Gaussian expectation moves by {abs(fine - coarse):.3g} "
            "(relative accuracy 1e-10 not reached). Rescale the input, or use a "
            "closed-form activation / method='hermite'")


def _sympy_poly_mean(expr, zs):
    """Exact ``E[p(Z1, Z2, ...)]`` for a polynomial p of independent standard normals."""
    try:
        poly = sympy.Poly(sympy.expand(expr), *zs)
    except sympy.PolynomialError:
        return None
    total = sympy.S.Zero
    for exps, coeff in poly.terms():
        if all(k % 2 == 0 for k in exps):
            total += coeff * sympy.Mul(*[sympy.factorial2(k - 1) for k in exps])
    return sympy.expand(total)
