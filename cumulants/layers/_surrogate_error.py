"""Error estimates of polynomial surrogates on each unit's Gaussian marginal.

Private support for :mod:`cumulants.layers.nonpolynomial`.  A surrogate ``p`` of an
activation ``f`` fitted to ``z ~ N(m, s^2)`` is judged where it was fitted: with
``U ~ N(0, 1)`` and the composite quadrature rule of :mod:`cumulants.layers.gaussian`,

* the L2(N) residual ``r = ||f - p|| = E[(f(m + sU) - p(m + sU))^2]^(1/2)``
  (for the Hermite surrogate ``r^2 = E f^2 - sum_{n<=D} a_n^2``, the tail of the
  orthonormal coefficients, and ``Var f - Var p = r^2``);
* the cumulant error ``|kappa_n(f(z)) - kappa_n(p(z))|`` for ``n = 1..order``, both from
  moments about the common centre ``E p`` on the same nodes, plus a rounding floor
  ``64 eps y_n`` where ``y_n`` is the moment-to-cumulant recursion run on absolute
  central moments (all signs +, so it bounds the cancellation; docs/formulas.md §3.3.1).

This is the error of the surrogate for a Gaussian input with the unit's mean and
variance; for a non-Gaussian input it is the error on the Gaussian part only.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..errors import ApproximationError, ApproximationWarning

from ._gaussian_numerics import _points, _rule

__all__: list = []

_EPS = float(np.finfo(float).eps)


def _cumulants(m):
    """``kappa_1..kappa_n`` from raw moments ``m_1..m_n`` (standard recursion)."""
    kap = []
    for n in range(1, len(m) + 1):
        kap.append(m[n - 1] - sum(math.comb(n - 1, k - 1) * kap[k - 1] * m[n - k - 1]
                                  for k in range(1, n)))
    return kap


def _cancellation_scale(m):
    """The recursion with every sign +: ``y_n = m_n + sum C(n-1, k-1) y_k m_{n-k}``."""
    y = []
    for n in range(1, len(m) + 1):
        y.append(m[n - 1] + sum(math.comb(n - 1, k - 1) * y[k - 1] * m[n - k - 1]
                                for k in range(1, n)))
    return y


def marginal_error(act, mu, var, pfun, order, degree):
    """``(err, floor, scale, residual, kp)``: estimated ``|kappa_n(f) - kappa_n(p)|`` for
    ``n <= order`` (rounding floor included), the rounding floor alone, the natural scale
    ``(Var p)^(n/2)`` of each order, and the L2(N) residual; ``pfun(u)`` is the surrogate
    at ``z = mu + s u``; ``kp`` are the surrogate's own cumulants on the marginal."""
    mu, var = float(mu), float(var)
    if var <= 0:
        return [0.0] * order, [0.0] * order, [0.0] * order, 0.0, [0.0] * order
    s = math.sqrt(var)
    u, w = _rule(_points(act, mu, s), s, 12.0 + 2 * math.sqrt(degree + 1))
    with np.errstate(all="ignore"):
        fv = act.float(mu + s * u)
        pv = np.asarray(pfun(u), dtype=float)
        if not (np.all(np.isfinite(fv)) and np.all(np.isfinite(pv))):
            return [math.inf] * order, [0.0] * order, [0.0] * order, math.inf, [math.nan] * order
        resid = math.sqrt(float(w @ (fv - pv) ** 2))
        c = float(w @ pv)
        dp, df = pv - c, fv - c
        jit = 4 * _EPS * float(np.max(np.abs(fv)))
        kp = _cumulants([float(w @ dp ** j) for j in range(1, order + 1)])
        kf = _cumulants([float(w @ df ** j) for j in range(1, order + 1)])
        ap = _cancellation_scale([float(w @ np.abs(dp) ** j) for j in range(1, order + 1)])
        aj = _cancellation_scale([float(w @ (np.abs(dp) + jit) ** j)
                                  for j in range(1, order + 1)])
    floor = [64 * _EPS * y + (yj - y) for y, yj in zip(ap, aj)]
    err = [abs(a - b) + fl for a, b, fl in zip(kf, kp, floor)]
    sd = math.sqrt(float(w @ dp ** 2))
    scale = [sd ** n for n in range(1, order + 1)]
    kp[0] += c
    return [e if math.isfinite(e) else math.inf for e in err], floor, scale, resid, kp


def hermite_values(a, u):
    """``sum_n a_n h_n(u)`` on float nodes (orthonormal recurrence)."""
    a = [float(x) for x in a]
    prev, cur = np.ones_like(u), u.copy()
    out = a[0] * prev + (a[1] * cur if len(a) > 1 else 0.0)
    for k in range(1, len(a) - 1):
        prev, cur = cur, (u * cur - math.sqrt(k) * prev) / math.sqrt(k + 1)
        out = out + a[k + 1] * cur
    return out


def taylor_values(t, s, u):
    """``sum_k t_k (s u)^k`` on float nodes (Horner)."""
    x = s * u
    out = np.zeros_like(u)
    for tk in reversed([float(v) for v in t]):
        out = out * x + tk
    return out


def refuse_untrusted(layer, values, est, mv, warn=False):
    """Refuse ``layer``'s result when, for some unit and order, (a) the value is not finite, (b) the error
    estimate exceeds the value by more than rounding (the difference itself carries
    rounding up to the floor, so a value 0 within it is fine), or (c) rounding swamps
    both the value and the unit's scale ``(Var p)^(n/2)``.  With ``warn``, an estimate
    above 10% of a value gives one :class:`ApproximationWarning`."""
    worst = None
    for i, (vals, (err, floor, scale, _, _), (m, v)) in enumerate(zip(values, est, mv)):
        for n, (x, e, fl, sc) in enumerate(zip(vals, err, floor, scale), start=1):
            if warn and e - 2 * fl > 0.1 * abs(x) and (worst is None or
                                                       e / abs(x) > worst[0]):
                worst = (e / abs(x), n, i, x, e)
            if not math.isfinite(x) or e - 2 * fl > abs(x) or fl > max(abs(x), 1e-6 * sc):
                raise ApproximationError(
                    f"{layer!r}: kappa_{n} of unit {i} is {x:.6g} but the surrogate's "
                    f"estimated error is {e:.3g} (measured on the unit's Gaussian "
                    f"marginal N({float(m):.6g}, {float(v):.6g})); the result cannot be "
                    "trusted. Use a lower order=, another degree=, or method='gaussian'")
    if worst is not None:
        _, n, i, x, e = worst
        warnings.warn(f"{layer!r}: kappa_{n} of unit {i} is {x:.6g} with an estimated "
                      f"error of {e:.3g} ({100 * e / abs(x):.0f}%); see result.error",
                      ApproximationWarning, stacklevel=3)
