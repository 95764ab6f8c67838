r"""The test error as a polynomial in the raw moments of the input law, and the class as constraints.

For i.i.d. inputs :math:`x_1..x_d\sim\mu` and an error polynomial
:math:`e = f - f^* = \sum_\alpha c_\alpha x^\alpha` of degree :math:`D`,

.. math::

    \mathrm{MSE}(\mu) = E[e^2] = \sum_{\alpha} (c * c)_\alpha \prod_{i:\alpha_i>0} \mu'_{\alpha_i},

a polynomial in :math:`\mu'_1..\mu'_{2D}` whose monomials are products of at most
:math:`d` moments (one factor per coordinate present).  The error polynomial is the
one the exact machinery builds (:func:`cumulants.generalisation.error_cumulants`);
the tests check this form against :func:`cumulants.generalisation.mse` on symbolic
cumulants.  Known moments are substituted; when every remaining monomial has at most
one unknown factor the error is *affine* in the unknown moments.

>>> from cumulants.layers import Dense, Network, Quadratic
>>> net = Network([Dense([[1, 1]]), Quadratic(1)])
>>> mse_moment_form(net, Dense([[1, 1]]))[0]
8*m_1*m_3 + 6*m_2**2 + 2*m_4
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from ..algebra.univariate import cumulant_formula, moment_symbol
from ..errors import bad_argument
from .laws import InfeasibleClassError

__all__ = ["mse_moment_form", "resolve", "Resolved"]


def _to_sympy(R, c):
    v = R.domain.to_sympy(c)
    return v


def mse_moment_form(model, target, *, method=None, degree=None, reference=None):
    r"""``(F, d, D, exact)``: the MSE as a sympy polynomial in ``m_1..m_{2D}``, input width, degree.

    ``method="hermite"``/``"taylor"`` replaces non-polynomial activations by their
    polynomial surrogates fitted on ``reference`` (a distribution, default the
    standard normal), as in :func:`cumulants.generalisation.error_cumulants`;
    ``exact`` is then ``False``.
    """
    from ..distributions import Normal
    from ..generalisation import _as_network, _error_polys, _restore
    from ..state import Cumulants

    model = _as_network(model, "model")
    target = _as_network(target, "target")
    d = model.in_dim()
    if d is None:
        raise bad_argument("model", model, "a network that starts with a Dense layer")
    if target.in_dim() != d:
        from ..errors import ShapeMismatchError

        raise ShapeMismatchError(f"model takes {d} inputs but target takes {target.in_dim()}")
    ref = Normal(0, 1) if reference is None else reference
    state = Cumulants.iid(ref, d, 2)
    diffs, restore, exact, _ = _error_polys(model, target, state, method, degree)
    total = {}
    D = 0
    for e in diffs:
        if not e:
            continue
        D = max(D, max(sum(m) for m in e.itermonoms()))
        if e.ring.domain.is_RealField:  # float weights: square with numpy (same sums, faster)
            _square_float(e, total)
            continue
        sq = e * e
        for monom, c in sq.iterterms():
            key = tuple(sorted((k for k in monom if k), reverse=True))
            total[key] = total.get(key, 0) + _to_sympy(sq.ring, c)
    F = sympy.Integer(0)
    for key, c in total.items():
        F += c * sympy.Mul(*(moment_symbol(k) for k in key))
    F = sympy.expand(_restore(F, restore)) if restore else sympy.expand(F)
    return F, d, max(D, 1), exact


def _square_float(e, total):
    """Add the moment-product form of ``e**2`` (float coefficients) to ``total``.

    E[x^(a+b)] depends only on the sorted non-zero exponents of a + b, so the pairs
    of terms are grouped by that key (vectorised) and their coefficient products summed.
    """
    terms = list(e.iterterms())
    E = np.array([m for m, _ in terms], dtype=np.int64)
    C = np.array([float(c) for _, c in terms])
    S = -np.sort(-(E[:, None, :] + E[None, :, :]), axis=2).reshape(-1, E.shape[1])
    W = (C[:, None] * C[None, :]).ravel()
    keys, inv = np.unique(S, axis=0, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=W, minlength=len(keys))
    for key, c in zip(keys, sums):
        k = tuple(int(v) for v in key if v)
        total[k] = total.get(k, 0) + sympy.Float(float(c))


class Resolved:
    """A law class turned into fixed moments and polynomial constraints in the free moments.

    Attributes: ``K`` (highest moment order), ``fixed`` (order -> exact value),
    ``free`` (sorted free orders), ``constraints`` (list of ``(expr, lo, hi, label)``,
    sympy polynomials in the free ``m_k``), ``support``.
    """

    def __init__(self, K, fixed, constraints, support):
        self.K = K
        self.fixed = fixed
        self.free = [k for k in range(1, K + 1) if k not in fixed]
        self.constraints = constraints
        self.support = support

    def subs(self, expr):
        """``expr`` with the fixed moments substituted, expanded."""
        return sympy.expand(sympy.sympify(expr).xreplace(
            {moment_symbol(k): v for k, v in self.fixed.items()}))


def _linear_in_one(expr, fixed):
    """If ``expr`` is ``c * m_k + r`` with numbers c != 0, r and m_k the only free symbol."""
    syms = expr.free_symbols
    if len(syms) != 1:
        return None
    s = next(iter(syms))
    poly = sympy.Poly(expr, s)
    if poly.degree() != 1:
        return None
    c1, c0 = poly.all_coeffs()
    return s, c1, c0


def resolve(laws, K):
    """Fixed moments (from exact constraints, in order) and the remaining constraints.

    A moment is fixed when given exactly, or when an exact cumulant is linear in it
    once the lower moments are fixed (e.g. mean and variance fix ``m_1, m_2``).
    Constant constraints are checked here; a contradiction raises
    :class:`~cumulants.bounds.InfeasibleClassError`.
    """
    K = max(K, laws.orders())
    if K % 2:
        K += 1
    items = []
    for k, (lo, hi) in sorted(laws.moments.items()):
        items.append((moment_symbol(k), sympy.nsimplify(lo) if isinstance(lo, sympy.Basic) else lo,
                      hi, f"m_{k}"))
    for k, (lo, hi) in sorted(laws.cumulants.items()):
        items.append((cumulant_formula(k), lo, hi, f"kappa_{k}"))
    fixed = {}
    changed = True
    while changed:
        changed = False
        for expr, lo, hi, _ in items:
            if lo != hi:
                continue
            e = sympy.expand(expr.xreplace({moment_symbol(k): v for k, v in fixed.items()}))
            hit = _linear_in_one(e, fixed)
            if hit is not None:
                s, c1, c0 = hit
                k = int(s.name.split("_")[1])
                fixed[k] = sympy.nsimplify(sympy.sympify(lo)) if not isinstance(lo, float) else \
                    sympy.sympify(lo)
                fixed[k] = sympy.expand((fixed[k] - c0) / c1)
                changed = True
    fixed = {k: v for k, v in fixed.items() if k <= K}
    constraints = []
    subs = {moment_symbol(k): v for k, v in fixed.items()}
    for expr, lo, hi, label in items:
        e = sympy.expand(expr.xreplace(subs))
        if not e.free_symbols:
            v = float(e)
            tol = 1e-9 * max(1.0, abs(float(lo)), abs(float(hi)))
            if not float(lo) - tol <= v <= float(hi) + tol:
                raise InfeasibleClassError(
                    f"the class {laws!r} is empty: its fixed moments give {label} = {e}, "
                    f"outside [{lo}, {hi}]; relax that constraint")
            continue
        constraints.append((e, lo, hi, label))
    a, b = (float(v) for v in laws.support)
    _check_fixed_support(fixed, a, b, laws)
    return Resolved(K, fixed, constraints, laws.support)


def _check_fixed_support(fixed, a, b, laws):
    """Quick necessary checks with a readable message (the SDP decides the rest)."""
    if 1 in fixed:
        m1 = float(fixed[1])
        if not a <= m1 <= b:
            raise InfeasibleClassError(f"the class {laws!r} is empty: mean {fixed[1]} lies outside "
                                       f"the support [{a}, {b}]")
        if 2 in fixed:
            var = float(fixed[2]) - m1 * m1
            if var < -1e-12:
                raise InfeasibleClassError(f"the class {laws!r} is empty: its variance {var} < 0")
            if math.isfinite(a) and math.isfinite(b):
                top = (b - m1) * (m1 - a)  # Bhatia-Davis: Var <= (b - m)(m - a)
                if var > top * (1 + 1e-12):
                    raise InfeasibleClassError(
                        f"the class {laws!r} is empty: a law on [{a}, {b}] with mean {m1} has "
                        f"variance at most (b - mean)(mean - a) = {top:g} < {var:g}; widen the "
                        "support or lower the variance")
