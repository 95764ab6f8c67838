r"""Best and worst test error of a fixed network over a class of input laws.

``mse_range(model, target, laws)`` bounds :math:`\mathrm{MSE}(\mu)` (inputs i.i.d.
:math:`\sim\mu`) over every :math:`\mu` in the :class:`~cumulants.bounds.LawClass`:

* **affine case** (every degree-2 error once mean and variance are known, or any
  error whose monomials carry at most one unknown moment): a semidefinite
  programme over the truncated moment cone, exact up to solver tolerance
  (``exact=True``);
* **otherwise**: a moment-SOS (Lasserre) outer bound in exchangeable variables
  and an inner bound attained by an explicit discrete law (atoms and weights
  optimised by SLSQP from the extracted law and a few other starts); ``gap`` is
  the outer width minus the inner width.

Each extreme is re-evaluated with :func:`cumulants.generalisation.mse` at its
:class:`~cumulants.distributions.Discrete` law (``lower_attained``,
``upper_attained``); the solver values (``lower_outer``, ``upper_outer``) are
reported beside them and ``lower``/``upper`` are the outer ones (never inside the
attained values).  On an unbounded support the worst case may be infinite:
``upper = inf`` and :meth:`BoundResult.witnesses` returns laws of the class with
ever larger MSE.

>>> from cumulants.layers import Dense, Network, Quadratic
>>> net = Network([Dense([[1, 1]]), Quadratic(1), Dense([[1]])])
>>> res = mse_range(net, Dense([[1, 1]]), LawClass.standardised((-2, 2)))
>>> round(res.lower, 6), round(res.upper, 6), res.exact
(8.0, 14.0, True)
>>> [round(a, 6) + 0 for a in res.upper_law.atoms], [round(w, 6) for w in res.upper_law.weights]
([-2.0, 0.0, 2.0], [0.125, 0.75, 0.125])
"""

from __future__ import annotations

import math
import time

import numpy as np
import sympy

from ..algebra.univariate import moment_symbol
from ..errors import CumulantError, bad_argument
from .laws import LawClass
from .problem import mse_moment_form, resolve
from .result import BoundResult
from .sdp import Relaxation, extract_atoms, local_search

__all__ = ["mse_range", "gap_range"]

_UNBOUNDED_CAPS = (1e6, 1e9)


def _factors(expr, free):
    """Largest number of unknown-moment factors in a monomial of ``expr``."""
    e = sympy.expand(expr)
    if not e.free_symbols:
        return 0
    syms = [moment_symbol(k) for k in free]
    return max(sum(m) for m in sympy.Poly(e, *syms).monoms())


def _scale(resolved):
    a, b = (float(v) for v in resolved.support)
    if math.isfinite(a) and math.isfinite(b):
        return max(abs(a), abs(b))
    if 2 in resolved.fixed:
        return max(1e-6, math.sqrt(max(float(resolved.fixed[2]), 0.0)))
    return 1.0


def mse_range(model, target, laws, *, method=None, degree=None, reference=None, starts=8,
              seed=0, max_size=120):
    r"""Certified range of the test MSE of ``model`` against ``target`` over the class ``laws``.

    Inputs are i.i.d. with an unknown marginal law in ``laws`` (a
    :class:`~cumulants.bounds.LawClass`).  The MSE is the polynomial in raw
    moments of :func:`~cumulants.bounds.problem.mse_moment_form`; with the known
    moments substituted it is optimised over the truncated moment cone (affine
    case, exact) or over its moment-SOS relaxation (outer) together with a search
    over discrete laws (inner).  Non-polynomial networks need ``method="hermite"``
    or ``"taylor"`` (``degree=``): the surrogate is fitted once on ``reference``
    (default: the normal law with the class's mean and variance when known) and
    the result is labelled approximate.

    Returns a :class:`~cumulants.bounds.BoundResult`.

    >>> from cumulants.layers import Dense
    >>> r = mse_range(Dense([[2]]), Dense([[1]]), LawClass(cumulants={1: 0, 2: (1, 4)}))
    >>> round(r.lower_attained, 9), round(r.upper_attained, 9)
    (1.0, 4.0)
    """
    if not isinstance(laws, LawClass):
        raise bad_argument("laws", laws, "a cumulants.bounds.LawClass")
    t0 = time.perf_counter()
    if reference is None and method is not None:
        reference = _reference(laws)
    F, d, D, exact_model = mse_moment_form(model, target, method=method, degree=degree,
                                           reference=reference)
    resolved = resolve(laws, 2 * D)
    Fr = resolved.subs(F)
    r = max([_factors(Fr, resolved.free)] +
            [_factors(e, resolved.free) for e, *_ in resolved.constraints] + [1])
    affine = r == 1
    size = math.comb(r + resolved.K // 2, r)
    interval = not affine and size > max_size  # the affine SDP is the moment cone itself
    s = _scale(resolved)
    relax = None if interval else Relaxation(Fr, resolved, r, s)
    rng = np.random.default_rng(seed)
    Fnum = _numeric(F, resolved.K)
    bounded = laws.bounded

    def evaluate(law):
        if exact_model:
            from ..generalisation import mse
            from ..state import Cumulants

            # exact irrational weights meet the float law as floats (one number context)
            return float(mse(model, target, Cumulants.iid(law, d, resolved.K)))
        return float(Fnum(np.array([law.moment(k) for k in range(1, resolved.K + 1)])))

    sides = {}
    box = None if affine else _interval_outer(Fr, resolved, s, bounded)
    for sense in ("min", "max"):
        if interval:
            status, outer, marg = "interval", box[0 if sense == "min" else 1], None
        else:
            status, outer, marg = _solve(relax, sense, bounded)
            if box is not None:  # two valid outer bounds: keep the tighter one
                outer = max(outer, box[0]) if sense == "min" else min(outer, box[1])
        if sense == "min":
            outer = max(outer, 0.0)  # a mean of squares
        if math.isinf(outer):
            sides[sense] = dict(outer=outer, inner=None, law=None, attained=outer, status=status)
            continue
        starts_list = []
        if marg is not None:
            starts_list.append(extract_atoms(marg, laws.support))
        n_atoms = resolved.K // 2 + 1
        if not affine:
            starts_list.append(_end_start(resolved, n_atoms, s))
        for _ in range(0 if affine else (starts if resolved.K <= 8 else min(starts, 2))):
            starts_list.append(_random_start(resolved, n_atoms, rng, s))
        found = local_search(Fnum, resolved, starts_list, sense, s)
        if found is None:  # the extracted law could not be polished into the class
            found = local_search(Fnum, resolved, [_random_start(resolved, n_atoms, rng, s),
                                                  _end_start(resolved, n_atoms, s)], sense, s)
        law, attained = None, math.nan
        if found is not None:
            from .._discrete import Discrete

            val, atoms, weights = found
            keep = weights > 1e-12
            law = Discrete(*_merge(atoms[keep], weights[keep]))
            attained = evaluate(law)
        sides[sense] = dict(outer=outer, law=law, attained=attained, status=status)
    method_label = ("sdp-moment-cone" if affine else
                    (f"moment-box-interval(K={resolved.K})" if interval else
                     f"moment-sos(r={r}, order={resolved.K // 2})+moment-box") + "+slsqp-inner")
    if not exact_model:
        method_label += f"+{method}-surrogate"
    witness = None
    if math.isinf(sides["max"]["outer"]) and relax is not None:
        witness = _witness_factory(relax, resolved, Fnum, evaluate, s)
    return BoundResult(
        lower_outer=sides["min"]["outer"], upper_outer=sides["max"]["outer"],
        lower_attained=sides["min"]["attained"], upper_attained=sides["max"]["attained"],
        lower_law=sides["min"]["law"], upper_law=sides["max"]["law"],
        exact=affine and exact_model, affine=affine, approximate=not exact_model,
        method=method_label, form=Fr, full_form=F, laws=laws, fixed=dict(resolved.fixed),
        seconds=time.perf_counter() - t0, witness=witness, dim=d, degree=D)


def _interval_outer(F, resolved, s, bounded):
    """Outer bound for large relaxations: each unknown moment's exact range (univariate SDPs
    with the class's affine constraints), then interval arithmetic over the monomials of F."""
    from .problem import Resolved

    free = resolved.free
    affine_cons = [c for c in resolved.constraints if _factors(c[0], free) <= 1]
    uni = Resolved(resolved.K, resolved.fixed, affine_cons, resolved.support)
    ranges = {}
    for k in free:
        relax = Relaxation(moment_symbol(k), uni, 1, s)
        lo = _solve(relax, "min", bounded)[1]
        hi = _solve(relax, "max", bounded)[1]
        ranges[k] = (lo, hi)
    e = sympy.expand(F)
    if not e.free_symbols:
        return float(e), float(e)
    syms = [moment_symbol(k) for k in free]
    total_lo = total_hi = 0.0
    for monom, c in sympy.Poly(e, *syms).terms():
        lo = hi = 1.0
        for k, p in zip(free, monom):
            if p:
                lo, hi = _interval_mul((lo, hi), _interval_pow(ranges[k], p))
        c = float(c)
        lo, hi = (c * lo, c * hi) if c >= 0 else (c * hi, c * lo)
        total_lo, total_hi = total_lo + lo, total_hi + hi
    return total_lo, total_hi


def _interval_mul(x, y):
    with np.errstate(invalid="ignore"):
        vals = [a * b for a in x for b in y]
    vals = [0.0 if math.isnan(v) else v for v in vals]
    return min(vals), max(vals)


def _interval_pow(x, p):
    lo, hi = x
    if p % 2 == 0 and lo <= 0 <= hi:
        return 0.0, max(lo**p, hi**p)
    vals = sorted((lo**p, hi**p))
    return vals[0], vals[1]


def _merge(atoms, weights):
    """Merge atoms closer than 1e-7 (relative); returns (atoms, weights) lists.

    SLSQP leaves one atom of an extremal law as two a few 1e-9 apart; merging at their
    weighted mean keeps m_1 and moves m_k (k >= 2) by O(w * gap^2) only.
    """
    order = np.argsort(atoms)
    out_a, out_w = [], []
    for a, w in zip(np.asarray(atoms)[order], np.asarray(weights)[order]):
        if out_a and abs(a - out_a[-1]) <= 1e-7 * max(1.0, abs(a)):
            tot = out_w[-1] + w
            out_a[-1] = (out_a[-1] * out_w[-1] + a * w) / tot
            out_w[-1] = tot
        else:
            out_a.append(float(a))
            out_w.append(float(w))
    tot = sum(out_w)
    return [float(a) for a in out_a], [w / tot for w in out_w]


def _solve(relax, sense, bounded):
    if bounded:
        return relax.solve(sense)
    v1 = relax.solve(sense, cap=_UNBOUNDED_CAPS[0] * relax.n)
    v2 = relax.solve(sense, cap=_UNBOUNDED_CAPS[1] * relax.n)
    if not math.isfinite(v2[1]):
        return v2
    grows = abs(v2[1] - v1[1]) > 1e-3 * (1 + abs(v1[1]))
    if grows:
        return "unbounded", math.inf if sense == "max" else -math.inf, None
    return v2


def _random_start(resolved, n, rng, s):
    a, b = (float(v) for v in resolved.support)
    lo = a if math.isfinite(a) else -3 * s
    hi = b if math.isfinite(b) else 3 * s
    atoms = np.sort(rng.uniform(lo, hi, n))
    w = rng.dirichlet(np.ones(n))
    return atoms, w


def _end_start(resolved, n, s):
    """Equal weights on equally spaced atoms spanning the support (ends included)."""
    a, b = (float(v) for v in resolved.support)
    lo = a if math.isfinite(a) else -2 * s
    hi = b if math.isfinite(b) else 2 * s
    return np.linspace(lo, hi, n), np.full(n, 1.0 / n)


def _numeric(F, K):
    syms = [moment_symbol(k) for k in range(1, K + 1)]
    f = sympy.lambdify([syms], F, "numpy")
    return lambda m: float(f(list(m)))


def _reference(laws):
    from ..distributions import Normal

    mean = laws.cumulants.get(1, laws.moments.get(1, (0, 0)))
    var = laws.cumulants.get(2)
    m = float(mean[0]) if mean[0] == mean[1] else 0.0
    v = float(var[0]) if var is not None and var[0] == var[1] else 1.0
    return Normal(m, math.sqrt(v))


def _witness_factory(relax, resolved, Fnum, evaluate, s):
    """Laws of the class with growing MSE: the max problem with trace(M) <= cap."""
    from .._discrete import Discrete

    def witnesses(caps=(1e2, 1e3, 1e4)):
        out = []
        for cap in caps:
            status, _, marg = relax.solve("max", cap=cap * relax.n)
            if marg is None:  # pragma: no cover - a capped problem is bounded
                continue
            start = extract_atoms(marg, resolved.support)
            found = local_search(Fnum, resolved, [start], "max", s)
            if found is None:
                continue
            _, atoms, weights = found
            keep = weights > 1e-15
            law = Discrete(*_merge(atoms[keep], weights[keep]))
            out.append((law, evaluate(law)))
        return out

    return witnesses


def gap_range(model, target, train_state, laws, **kwargs):
    r"""Range of the generalisation gap ``MSE(test law) - MSE(train_state)`` over the class.

    The train error is a constant (exact :func:`~cumulants.generalisation.mse` on
    ``train_state``), so the range is :func:`mse_range` shifted by it.

    >>> from cumulants.layers import Dense
    >>> from cumulants.state import Cumulants
    >>> from cumulants.distributions import Normal
    >>> g = gap_range(Dense([[2]]), Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 2),
    ...               LawClass(cumulants={1: 0, 2: (1, 4)}))
    >>> round(g.lower_attained, 9) + 0, round(g.upper_attained, 9)
    (0.0, 3.0)
    """
    from ..generalisation import mse

    try:
        train = mse(model, target, train_state, method=kwargs.get("method"),
                    degree=kwargs.get("degree"))
    except CumulantError:
        raise
    train = float(train)
    return mse_range(model, target, laws, **kwargs).shifted(-train, label="gap")
