"""Hermite projections of activations: coefficients, polynomial surrogates, dual activations.

With probabilists' Hermite polynomials ``He_n`` (``He_{n+1}(x) = x He_n(x) - n He_{n-1}(x)``;
``sympy.hermite_prob``, ``numpy.polynomial.hermite_e`` -- not the physicists' ``H_n`` of
``sympy.hermite``) and ``Z ~ N(0, 1)``,

    f(mu + s Z) = sum_n c_n He_n(Z),    c_n = E[f(mu + s Z) He_n(Z)] / n!,

since ``E[He_n(Z) He_k(Z)] = n! delta_nk``.  Truncating at ``degree`` gives a polynomial
surrogate of ``f`` that is best in mean square under ``N(mu, s^2)``; its exact cumulant
propagation is what ``method="hermite"`` layers use.  For standard ``X, Y`` with
correlation ``rho`` Mehler's formula gives the dual activation
``E[f(X) f(Y)] = sum_n c_n^2 n! rho^n`` (Daniely, Frostig & Singer 2016).

Backends as in :mod:`cumulants.layers.gaussian`: ``"float"``, ``"mpmath"`` (``dps``) and
``"sympy"`` (closed forms, and polynomial callables integrated exactly).

>>> [round(c, 6) + 0.0 for c in hermite_coefficients("relu", 4).tolist()]
[0.398942, 0.5, 0.199471, 0.0, -0.016623]
"""

from __future__ import annotations

import contextlib
import math

import mpmath
import numpy as np
import sympy

from .._numbers import check_order
from ..errors import MethodUnavailableError, bad_argument
from ._gaussian_numerics import (
    _CTX,
    _GUARD,
    _backend,
    _method,
    _mp_rule,
    _num,
    _Phi,
    _phi,
    _points,
    _rule,
    _sympy_poly_mean,
    _var,
)
from .gaussian import ACTIVATIONS, _mean_relu, activation

__all__ = ["hermite_e", "hermite_coefficients", "hermite_surrogate", "dual_activation",
           "exact_monomials", "to_rational"]


def hermite_e(n):
    """Integer coefficients (ascending powers) of the probabilists' Hermite ``He_n``.

    >>> hermite_e(4)
    [3, 0, -6, 0, 1]
    """
    n = check_order(n, "n", 0)
    prev, cur = [1], [0, 1]
    if n == 0:
        return prev
    for k in range(1, n):
        nxt = [0] + cur
        for j, p in enumerate(prev):
            nxt[j] -= k * p
        prev, cur = cur, nxt
    return cur


def _hn_values(x, n, sqrt=math.sqrt):
    """Orthonormal ``h_k = He_k/sqrt(k!)``, ``k = 0..n``, by the stable recurrence
    ``h_{k+1} = (x h_k - sqrt(k) h_{k-1})/sqrt(k+1)`` (no factorials, no overflow)."""
    out = [1 + 0 * x, x]
    for k in range(1, n):
        out.append((x * out[k] - sqrt(k) * out[k - 1]) / sqrt(k + 1))
    return out[:n + 1]


# ------------------------------- closed forms, var > 0, orthonormal a_n = sqrt(n!) c_n
# c_n = s^n E[f^(n)(mu + s Z)] / n!  (Gaussian integration by parts, E[g(Z) He_n(Z)] = E g^(n));
# written for a_n = E[f h_n(Z)] so that no factorial is ever formed
def _hc_relu(c, mu, v, n):
    s = c.sqrt(v)
    a = mu / s
    h = _hn_values(-a, max(n - 2, 1), c.sqrt)
    # f'' = delta(z): E[delta^(k)(a + Z)] = He_k(-a) phi(a)  =>  a_n = s phi(a) h_{n-2}(-a)/sqrt(n(n-1))
    return ([_mean_relu(c, mu, v), s * _Phi(c, a)]
            + [s * _phi(c, a) * h[k - 2] / c.sqrt(k * (k - 1)) for k in range(2, n + 1)])[:n + 1]


def _hc_heaviside(c, mu, v, n):
    a = mu / c.sqrt(v)
    h = _hn_values(-a, n, c.sqrt)
    return [_Phi(c, a)] + [_phi(c, a) * h[k - 1] / c.sqrt(k) for k in range(1, n + 1)]


def _hc_erf(c, mu, v, n):
    # erf^(k)(x) = (2/sqrt(pi)) (-1)^(k-1) H_{k-1}(x) e^{-x^2} with physicists'
    # H_j(x) = 2^(j/2) He_j(sqrt(2) x); its Gaussian mean is d^(k-1)/dmu^(k-1) of
    # e^{-mu^2/q}/sqrt(q), q = 1 + 2 var  =>  a_k = (-1)^(k-1) g h_{k-1}(sqrt2 x) q^(k-1)/sqrt(k) * s/r,
    # q = sqrt(2) s / r < 1
    s, r = c.sqrt(v), c.sqrt(1 + 2 * v)
    x = mu / r
    h = _hn_values(c.sqrt(2) * x, n, c.sqrt)
    g = 2 / c.sqrt(c.pi) * c.exp(-x * x)
    q = c.sqrt(2) * s / r
    return [c.erf(x)] + [(-1) ** (k - 1) * g * h[k - 1] * q ** (k - 1) * (s / r) / c.sqrt(k)
                         for k in range(1, n + 1)]


def _hc_powers(c, lead, s, n):
    """``lead * s^k / sqrt(k!)`` by the recurrence (no overflow of s^k or k!)."""
    out = [lead]
    for k in range(1, n + 1):
        out.append(out[-1] * s / c.sqrt(k))
    return out


def _hc_trig(shift):
    def coeffs(c, mu, v, n):
        d = [c.sin(mu), c.cos(mu), -c.sin(mu), -c.cos(mu)]
        pw = _hc_powers(c, c.exp(-v / 2), c.sqrt(v), n)
        return [pw[k] * d[(k + shift) % 4] for k in range(n + 1)]
    return coeffs


_CLOSED = {
    "identity": lambda c, mu, v, n: ([mu, c.sqrt(v)] + [0 * mu] * n)[:n + 1],
    "relu": _hc_relu,
    "heaviside": _hc_heaviside,
    "erf": _hc_erf,
    "exp": lambda c, mu, v, n: _hc_powers(c, c.exp(mu + v / 2), c.sqrt(v), n),
    "sin": _hc_trig(0),
    "cos": _hc_trig(1),
}


def hermite_coefficients(fn, degree, mu=0, var=1, *, method="auto", backend="float", dps=None,
                         breakpoints=(), normalized=False):
    """``c_0..c_degree`` with ``c_n = E[f(mu + s Z) He_n(Z)] / n!``, ``s = sqrt(var)``.

    With ``normalized=True`` the coefficients ``a_n = sqrt(n!) c_n = E[f h_n(Z)]`` on the
    orthonormal basis ``h_n = He_n/sqrt(n!)`` are returned instead; they are what is
    computed (stable recurrence ``h_{n+1} = (x h_n - sqrt(n) h_{n-1})/sqrt(n+1)``, no
    factorials, any degree), and ``sum_n a_n^2 = E f^2`` (Parseval).

    Closed forms (``a = mu/s``, from ``c_n = s^n E[f^(n)(mu + s Z)]/n!``): ReLU
    ``c_0 = s SR(a)``, ``c_1 = s Phi(a)``, ``c_n = s phi(a) He_{n-2}(-a)/n!``; Heaviside
    ``c_0 = Phi(a)``, ``c_n = phi(a) He_{n-1}(-a)/n!``; erf; exp ``e^{mu+var/2} s^n/n!``;
    sin/cos ``s^n e^{-var/2} sin^(n)(mu)/n!``; identity.  Otherwise quadrature (the
    composite Gauss-Legendre rule of :mod:`cumulants.layers.gaussian`, widened to cover
    the oscillations of ``He_degree``).  Float returns a numpy array, mpmath and sympy
    a list.

    >>> c = hermite_coefficients("relu", 6, backend="sympy")
    >>> c[:3], c[6]
    ([sqrt(2)/(2*sqrt(pi)), 1/2, sqrt(2)/(4*sqrt(pi))], sqrt(2)/(480*sqrt(pi)))
    >>> [round(x, 10) for x in hermite_coefficients("tanh", 3, 0.5, 2.0).tolist()]
    [0.2363770688, 0.6483001106, -0.0844108597, -0.0720993511]
    >>> a = hermite_coefficients("relu", 400, normalized=True)  # no overflow at any degree
    >>> round(float(a[400]), 12)   # -phi(0) 397!! / sqrt(398! 400 399), from He_398(0)
    -0.000199644103

    Reference: docs/formulas.md §3.3 (Hermite / Mehler); O'Donnell, *Analysis of Boolean
    Functions*, §11.2.
    """
    dps = _backend(backend, dps)
    degree = check_order(degree, "degree", 0)
    method = _method(method, ("auto", "closed", "quad"), backend)
    act = activation(fn, breakpoints)
    if backend == "sympy":
        out = _coefficients(act, _num(mu, "mu", backend), _var(var, "var", backend), degree,
                            method, backend)
        return [sympy.simplify(x * sympy.sqrt(sympy.factorial(k))) for k, x in enumerate(out)] \
            if normalized else out
    quiet = np.errstate(over="ignore", invalid="ignore")  # overflow is checked below
    with mpmath.workdps(dps + _GUARD) if backend == "mpmath" else quiet:
        a = _orthonormal(act, _num(mu, "mu", backend), _var(var, "var", backend), degree,
                         method, backend)
        if not normalized:
            if backend == "float":
                a = [x * math.exp(-math.lgamma(k + 1) / 2) for k, x in enumerate(a)]
            else:
                a = [x / mpmath.sqrt(mpmath.factorial(k)) for k, x in enumerate(a)]
    if backend == "float":
        out = np.array([float(x) for x in a], dtype=float)
        if not np.all(np.isfinite(out)):
            raise MethodUnavailableError(
                f"the Hermite coefficients of {act.name!r} on N({float(mu):.6g}, "
                f"{float(var):.6g}) overflow float64 (a coefficient is "
                f"{out[~np.isfinite(out)][0]}); use backend='mpmath'")
        return out
    with mpmath.workdps(dps):
        return [+x for x in a]


def _orthonormal(act, mu, v, n, method, backend):
    """``a_0..a_n`` (orthonormal Hermite coefficients) in floats or mpmath."""
    c = _CTX[backend]
    if v == 0:
        return [act(mu, backend) if backend != "float" else float(act.float(mu))] + [0 * mu] * n
    closed = _CLOSED.get(act.name) if ACTIVATIONS.get(act.name) is act else None
    if method != "quad" and closed is not None:
        return closed(c, mu, v, n)
    if method == "closed":
        raise MethodUnavailableError(
            f"no closed-form Hermite coefficients for f = {act.name!r}; use method='quad'")
    u, w = _nodes(act, mu, v, n, backend)
    if backend == "float":
        fw = act.float(mu + c.sqrt(v) * u) * w
        return [float(fw @ h) for h in _hn_values(u, n)]
    s = c.sqrt(v)
    fw = [act.mpmath_fn(mu + s * x) * wi for x, wi in zip(u, w)]
    hs = [_hn_values(x, n, mpmath.sqrt) for x in u]
    return [mpmath.fsum(f * h[k] for f, h in zip(fw, hs)) for k in range(n + 1)]


def _nodes(act, mu, v, n, backend):
    """Quadrature nodes/weights for ``E[g(U)]`` wide enough for ``h_n(U)`` (|u| < 2 sqrt(n))."""
    s = _CTX[backend].sqrt(v)
    t = 12.0 + 2 * math.sqrt(n + 1)  # He_n(u) phi(u)^(1/2) lives in |u| < 2 sqrt(n + 1/2)
    if backend == "float":
        return _rule(_points(act, mu, s), s, t)
    return _mp_rule(_points(act, mu, s), s, t)


def _coefficients(act, mu, v, n, method, backend):
    """Sympy ``c_n`` (exact closed forms or exact polynomial integration)."""
    if v == 0:
        return [act(mu, backend)] + [0 * mu] * n
    closed = _CLOSED.get(act.name) if ACTIVATIONS.get(act.name) is act else None
    if method != "quad" and closed is not None:
        return [sympy.simplify(x / sympy.sqrt(sympy.factorial(k)))
                for k, x in enumerate(closed(_CTX["sympy"], mu, v, n))]
    if method == "closed":
        raise MethodUnavailableError(
            f"no closed-form Hermite coefficients for f = {act.name!r}; use method='quad'")
    s = sympy.sqrt(v)
    z = sympy.Dummy("Z")
    f = act.sympy_fn(mu + s * z)
    out = [_sympy_poly_mean(f * sympy.hermite_prob(k, z), [z]) for k in range(n + 1)]
    if out[0] is None:
        raise MethodUnavailableError(
            f"no exact Hermite coefficients of f = {act.name!r} in sympy; use "
            "backend='float' or backend='mpmath'")
    return [sympy.simplify(x / math.factorial(k)) for k, x in enumerate(out)]


def hermite_surrogate(fn, degree, mu=0, var=1, *, method="auto", backend="float", dps=None,
                      breakpoints=()):
    """Ascending coefficients ``a_0..a_degree`` of the polynomial surrogate in ``z``:

        f(z) ~ sum_k a_k z^k = sum_{n <= degree} c_n He_n((z - mu)/s),

    the mean-square-best polynomial of that degree under ``z ~ N(mu, var)``.  Its Gaussian
    mean is ``c_0 = E f(z)`` at every degree; a polynomial ``f`` of degree ``<= degree``
    is returned unchanged.  The re-expansion about ``z = 0`` is done in exact rationals
    from the computed ``c_n`` (it cancels catastrophically in floats when ``|mu|/s`` or
    the degree is large), and rounded once; the monomial coefficients themselves can
    still be huge and alternating, which is why layers propagate the exact rationals
    (:class:`cumulants.layers.nonpolynomial.Activation`).  ``var = 0`` gives the
    constant ``f(mu)``.

    >>> [round(a, 12) + 0.0 for a in hermite_surrogate(lambda z: z**3 - z, 3, 0.5, 2.0).tolist()]
    [0.0, -1.0, 0.0, 1.0]
    >>> z = sympy.Symbol("z")
    >>> sum(a * z**k for k, a in enumerate(hermite_surrogate("relu", 2, backend="sympy")))
    sqrt(2)*z**2/(4*sqrt(pi)) + z/2 + sqrt(2)/(4*sqrt(pi))

    Reference: docs/formulas.md §3.2-3.3.
    """
    dps = _backend(backend, dps)
    if backend != "sympy":
        a = hermite_coefficients(fn, degree, mu, var, method=method, backend=backend, dps=dps,
                                 breakpoints=breakpoints, normalized=True)
        with mpmath.workdps(dps + _GUARD) if backend == "mpmath" else contextlib.nullcontext():
            mu, v = _num(mu, "mu", backend), _var(var, "var", backend)
        exact = exact_monomials(list(a), mu, v)
        if backend == "float":
            return np.array([float(x) for x in exact])
        with mpmath.workdps(dps):
            return [mpmath.mpf(x.p) / x.q for x in exact]
    coeffs = hermite_coefficients(fn, degree, mu, var, method=method, backend=backend,
                                  dps=dps, breakpoints=breakpoints)
    mu, v = _num(mu, "mu", backend), _var(var, "var", backend)
    n = len(coeffs) - 1
    if v == 0:
        return [sympy.simplify(coeffs[0])] + [sympy.S.Zero] * n
    s = sympy.sqrt(v)
    b = [sympy.S.Zero] * (n + 1)  # coefficients in t = (z - mu)/s
    for k, ck in enumerate(coeffs):
        for j, h in enumerate(hermite_e(k)):
            if h:
                b[j] = b[j] + ck * h
    return [sympy.simplify(x) for x in _shift_scale(b, mu, s)]


def _shift_scale(b, mu, s):
    """Coefficients in ``z`` of ``sum_j b_j ((z - mu)/s)^j``."""
    n = len(b) - 1
    a = [0 * b[0]] * (n + 1)
    for j, bj in enumerate(b):
        if bj == 0:
            continue
        scaled = bj / s ** j
        for k in range(j + 1):
            a[k] = a[k] + scaled * math.comb(j, k) * (-mu) ** (j - k)
    return a


def to_rational(x):
    """The exact rational value of a float, mpmath number or sympy number.

    >>> to_rational(0.5), to_rational(-mpmath.mpf(3) / 4)
    (1/2, -3/4)
    """
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise bad_argument("x", x, "a finite number")
        sign, man, exp, _ = x._mpf_
        return (-1) ** sign * sympy.Integer(man) * sympy.Integer(2) ** exp
    if isinstance(x, (float, np.floating)):
        return sympy.Rational(float(x))
    x = sympy.sympify(x)
    if x.is_Rational:
        return x
    return sympy.Rational(sympy.Float(x, 40))


def exact_monomials(a, mu, var):
    """Exact rational monomial coefficients of ``sum_n a_n h_n((z - mu)/s)``.

    ``a`` are orthonormal Hermite coefficients (floats or mpmath), ``h_n = He_n/sqrt(n!)``;
    each ``c_n = a_n/sqrt(n!)`` is rounded once to 40 significant digits, ``mu`` and
    ``s = sqrt(var)`` to rationals, and everything after that is exact: the result is
    the exact expansion of a polynomial within rounding of the projection.

    >>> exact_monomials([0.0, 1.0, 0.0, 0.0], 2.0, 4.0)     # (z - 2)/2
    [-1, 1/2, 0, 0]
    """
    n = len(a) - 1
    with mpmath.workdps(40):
        c = [to_rational(mpmath.mpf(x) / mpmath.sqrt(mpmath.factorial(k)))
             if x != 0 else sympy.S.Zero for k, x in enumerate(a)]
        if var == 0:
            return [to_rational(a[0])] + [sympy.S.Zero] * n
        s = to_rational(mpmath.sqrt(mpmath.mpf(var)))
    b = [sympy.S.Zero] * (n + 1)
    for k, ck in enumerate(c):
        if ck != 0:
            for j, h in enumerate(hermite_e(k)):
                if h:
                    b[j] += ck * h
    return _shift_scale(b, to_rational(mu), s)


def dual_activation(fn, rho, terms=40, *, backend="float", dps=None, breakpoints=()):
    """Mehler series ``sum_{n < terms} c_n^2 n! rho^n`` for ``E[f(X) f(Y)]``, X, Y standard
    normal with correlation ``rho`` (the dual activation of ``f``).

    The truncation error is ``sum_{n >= terms} c_n^2 n! |rho|^n``; for ReLU at
    ``rho = 0.5`` forty terms reproduce the arc-cosine kernel to ``2e-17``.

    >>> round(dual_activation("relu", 0.5), 14)
    0.30449889052211
    >>> dual_activation("relu", sympy.Symbol("rho"), 3, backend="sympy")
    (rho**2 + pi*rho + 2)/(4*pi)

    Reference: docs/formulas.md §3.3; Daniely, Frostig & Singer (2016).
    """
    dps = _backend(backend, dps)
    terms = check_order(terms, "terms")
    # orthonormal a_n = sqrt(n!) c_n: the series is sum a_n^2 rho^n (no n! overflow)
    coeffs = hermite_coefficients(fn, terms - 1, backend=backend, dps=dps,
                                  breakpoints=breakpoints, normalized=True)
    prec = mpmath.workdps(dps + _GUARD) if backend == "mpmath" else contextlib.nullcontext()
    with prec:
        r = _num(rho, "rho", backend)
        if (r.is_number if backend == "sympy" else True) and abs(float(r)) > 1:
            raise bad_argument("rho", rho, "a correlation in [-1, 1]")
        total = sum(ak * ak * r ** k for k, ak in enumerate(coeffs))
    if backend == "float":
        return float(total)
    if backend == "sympy":
        return sympy.simplify(total)
    with mpmath.workdps(dps):
        return +total
