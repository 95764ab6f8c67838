r"""Moment relaxations solved with cvxpy, atom extraction and the search over discrete laws.

**Relaxation.**  With the unknown law :math:`\mu` on :math:`[a,b]`, every product of
moments :math:`\prod_i\mu'_{\lambda_i}` is the moment :math:`L(x_1^{\lambda_1}\cdots
x_r^{\lambda_r})` of the product law :math:`\mu^{\otimes r}`.  Replacing
:math:`\mu^{\otimes r}` by any exchangeable functional :math:`L` with

.. math::

    M_D(L) = \big(L(x^{\alpha+\beta})\big)_{|\alpha|,|\beta|\le D}\succeq 0,\qquad
    M_{D-1}\big((b-x_1)(x_1-a)\,L\big)\succeq 0

(Lasserre 2001; Schmüdgen 1991 for the box; docs/formulas.md §9), and keeping the
equalities :math:`L(x^\alpha)=\prod_{\text{known}}\mu'_k\cdot L(x^{\text{rest}})` for
the known moments, gives an outer bound.  When the error is affine in the unknown
moments, :math:`r = 1` and the relaxation is the truncated moment cone itself
(Hankel and localising matrices, Curto & Fialkow 1991): the range is exact up to
solver tolerance.

**Extraction.**  The atoms of a law with moments :math:`y_0..y_{2r-1}` and
:math:`\operatorname{rank}H_{r-1}=r` are the roots of the monic polynomial
:math:`p(x)=x^r+\sum_{j<r}c_jx^j` with :math:`H_{r-1}c=-(y_r..y_{2r-1})^T` (the
univariate case of Henrion & Lasserre 2005; a flat extension in the sense of
Curto & Fialkow), the weights solve the Vandermonde system.  The law is then polished
by SLSQP over atoms and weights so that it lies in the class to rounding error.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import sympy

from ..algebra.univariate import moment_symbol
from ..errors import CumulantError
from .laws import InfeasibleClassError

__all__ = ["SolverFailedError", "Relaxation", "extract_atoms", "local_search"]


class SolverFailedError(CumulantError):
    """The conic solvers (Clarabel, then SCS) did not return a usable solution."""


def _monomials(r, deg):
    out = []
    for total in range(deg + 1):
        for c in itertools.combinations_with_replacement(range(r), total):
            e = [0] * r
            for i in c:
                e[i] += 1
            out.append(tuple(e))
    return out


def _partition(exps):
    return tuple(sorted((e for e in exps if e), reverse=True))


class Relaxation:
    """The moment relaxation of order ``K/2`` in ``r`` exchangeable variables, scaled by ``s``.

    ``objective`` and each constraint expression are sympy polynomials in the free
    ``m_k``; ``fixed`` maps orders to known moments.  :meth:`solve` returns
    ``(value, marginal_moments)`` in the original scale.
    """

    def __init__(self, objective, resolved, r, scale):
        import scipy.sparse as sps

        self.K = resolved.K
        self.D = self.K // 2
        self.r = max(1, r)
        self.s = float(scale)
        self.free = list(resolved.free)
        self.fixed_u = {k: float(v) / self.s ** k for k, v in resolved.fixed.items()}
        a, b = (float(v) for v in resolved.support)
        self.a, self.b = a / self.s, b / self.s
        # free partitions = variables
        self.var_index = {}
        basis = _monomials(self.r, self.D)
        self.n = len(basis)

        def affine_of(lam):
            """(coef, var index or None) of L(x^lam) after the known-moment equalities."""
            coef, rest = 1.0, []
            for k in lam:
                if k in self.fixed_u:
                    coef *= self.fixed_u[k]
                else:
                    rest.append(k)
            rest = tuple(rest)
            if not rest:
                return coef, None
            if rest not in self.var_index:
                self.var_index[rest] = len(self.var_index)
            return coef, self.var_index[rest]

        self._affine_of = affine_of
        ent = [[_partition(np.add(al, be)) for be in basis] for al in basis]
        self.M_entries = [[affine_of(lam) for lam in row] for row in ent]
        e1 = tuple([1] + [0] * (self.r - 1))
        self.loc_entries = None
        locb = _monomials(self.r, self.D - 1)
        polys = []
        if math.isfinite(self.a) and math.isfinite(self.b):
            polys.append({2: -1.0, 1: self.a + self.b, 0: -self.a * self.b})
        elif math.isfinite(self.a):
            polys.append({1: 1.0, 0: -self.a})
        elif math.isfinite(self.b):
            polys.append({1: -1.0, 0: self.b})
        self.loc = []
        for g in polys:
            rows = []
            for al in locb:
                row = []
                for be in locb:
                    terms = []
                    for p, c in g.items():
                        lam = _partition(np.add(np.add(al, be), np.multiply(e1, p)))
                        cf, idx = affine_of(lam)
                        terms.append((c * cf, idx))
                    row.append(terms)
                rows.append(row)
            self.loc.append(rows)
        self.obj = self._linear(objective)
        self.cons = [(self._linear(e), float(lo), float(hi), label)
                     for e, lo, hi, label in resolved.constraints]
        self.marg = {k: affine_of((k,)) for k in range(1, self.K + 1)}
        self.P = len(self.var_index)
        self._sps = sps

    def _linear(self, expr):
        """sympy polynomial in free m_k -> (constant, {var: coef}) in scaled variables."""
        syms = [moment_symbol(k) for k in self.free]
        e = sympy.expand(sympy.sympify(expr))
        if not e.free_symbols:
            return float(e), {}
        poly = sympy.Poly(e, *syms)
        const, lin = 0.0, {}
        for monom, c in poly.terms():
            lam = []
            for k, p in zip(self.free, monom):
                lam += [k] * p
            lam = tuple(sorted(lam, reverse=True))
            if len(lam) > self.r:
                raise ValueError("relaxation order r too small")  # pragma: no cover
            factor = float(c) * self.s ** sum(lam)
            if not lam:
                const += factor
                continue
            # every factor is an unknown moment (known ones were substituted), so the
            # monomial is one variable of the relaxation
            cf, idx = self._affine_of(lam)
            lin[idx] = lin.get(idx, 0.0) + factor * cf
        return const, lin

    def _matrix(self, y, entries_fn, n):
        sps = self._sps
        rows, cols, vals = [], [], []
        for i in range(n):
            for j in range(n):
                for c, idx in entries_fn(i, j):
                    rows.append(i + n * j)
                    cols.append(0 if idx is None else idx + 1)
                    vals.append(c)
        A = sps.csr_matrix((vals, (rows, cols)), shape=(n * n, self.P + 1))
        import cvxpy as cp

        z = cp.hstack([np.ones(1), y]) if self.P else cp.Constant(np.ones(1))
        return cp.reshape(A @ z, (n, n), order="F")

    def _expr(self, y, lin):
        c, terms = lin
        out = c
        for idx, v in terms.items():
            out = out + v * y[idx]
        return out

    def solve(self, sense, cap=None):
        """Optimise the objective (``sense`` = "min" or "max"); returns (status, value, marginals)."""
        import cvxpy as cp

        if self.P == 0:
            return "optimal", self.obj[0], self._marginals(np.zeros(0))
        y = cp.Variable(self.P)
        M = self._matrix(y, lambda i, j: [self.M_entries[i][j]], self.n)
        cons = [M >> 0]
        for rows in self.loc:
            m = len(rows)
            cons.append(self._matrix(y, lambda i, j, rows=rows: rows[i][j], m) >> 0)
        for lin, lo, hi, _ in self.cons:
            e = self._expr(y, lin)
            if lo == hi:
                cons.append(e == lo)
            else:
                cons.append(e >= lo)
                cons.append(e <= hi)
        if cap is not None:
            cons.append(cp.trace(M) <= cap)
        # The solver's tolerances are absolute: an objective whose coefficients are tiny
        # (a nearly exact fit, MSE ~ 1e-9) would stop at the first feasible point.  Solve
        # for the unit-scaled linear part and restore constant and scale afterwards.
        const, terms = self.obj
        norm = max((abs(v) for v in terms.values()), default=0.0) or 1.0
        obj = self._expr(y, (0.0, {i: v / norm for i, v in terms.items()}))
        prob = cp.Problem(cp.Minimize(obj) if sense == "min" else cp.Maximize(obj), cons)
        status, value = None, None
        for solver, kw in (("CLARABEL", {}), ("SCS", {"eps": 1e-9, "max_iters": 200000})):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    prob.solve(solver=solver, **kw)
            except (cp.error.SolverError, ValueError, ArithmeticError):
                continue
            status = prob.status
            if status in ("optimal", "optimal_inaccurate") and y.value is not None:
                value = const + norm * float(prob.value)
                return status, value, self._marginals(np.asarray(y.value, dtype=float))
            if status in ("infeasible", "unbounded"):
                break
        if status in ("infeasible", "infeasible_inaccurate"):
            raise InfeasibleClassError("the class of laws is empty: no moment sequence on the "
                                       "support satisfies its constraints (the moment cone "
                                       "section is infeasible); relax the constraints or widen "
                                       "the support")
        if status in ("unbounded", "unbounded_inaccurate"):
            return "unbounded", math.inf if sense == "max" else -math.inf, None
        raise SolverFailedError(f"the conic solvers (Clarabel, then SCS) failed on the {sense} "
                                f"problem (status {status!r}); try a smaller class or method=")

    def _marginals(self, y):
        out = []
        for k in range(1, self.K + 1):
            c, idx = self.marg[k]
            u = c if idx is None else c * y[idx]
            out.append(u * self.s ** k)
        return np.array(out)


def extract_atoms(m, support=(-math.inf, math.inf), tol=1e-7):
    """Atoms and weights of a law whose raw moments ``m_1..m_K`` are (close to) ``m``.

    Tries the numerical rank of the Hankel matrix first, then fewer atoms.

    >>> a, w = extract_atoms([0, 1, 0, 1])
    >>> np.round(a, 8).tolist(), np.round(w, 8).tolist()
    ([-1.0, 1.0], [0.5, 0.5])
    """
    y = np.concatenate([[1.0], np.asarray(m, dtype=float)])
    K = len(y) - 1
    D = K // 2
    H = np.array([[y[i + j] for j in range(D + 1)] for i in range(D + 1)])
    scale = np.array([max(1.0, abs(H[i, i])) ** -0.5 for i in range(D + 1)])
    Hs = H * np.outer(scale, scale)
    ev = np.linalg.eigvalsh(Hs)
    rank = int(np.sum(ev > tol * max(ev.max(), 1e-300)))
    rank = max(1, min(rank, D + 1))
    a_lo, a_hi = (float(v) for v in support)
    best = None
    span = max(abs(v) for v in (a_lo, a_hi, 1.0) if math.isfinite(v))
    trials = []
    for r in range(rank, 0, -1):
        if r <= D:  # y_0..y_{2r-1} are known (2r - 1 < 2D <= K)
            trials.append((r, y))
        else:  # r = D + 1: extend by a free moment y_{2D+1} (flat extension), best choice
            t = _best_extension(y, r, span, a_lo, a_hi)
            trials.append((r, np.concatenate([y, [t * span * y[K]]])))
    for r, yy in trials:
        found = _trial(yy, r, y, a_lo, a_hi)
        if found is None:
            continue
        err = found[0]
        if best is None or err < best[0]:
            best = found
        if err < 1e-9 * max(1.0, np.abs(y).max()):
            break
    if best is None:  # a point law in the support: its midpoint, the end of a half-line, or 0
        ends = [v for v in (a_lo, a_hi) if math.isfinite(v)]
        return np.array([sum(ends) / len(ends) if ends else 0.0]), np.ones(1)
    order = np.argsort(best[1])
    return best[1][order], best[2][order]


def _trial(yy, r, y, a_lo, a_hi):
    """``(error, atoms, weights)`` of the ``r``-atom law read off ``yy``, or None.

    None when the Hankel system is singular or its roots overflow (moments spanning
    hundreds of orders of magnitude), or when no nonnegative weights exist.
    """
    K = len(y) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            c = np.linalg.solve(np.array([[yy[i + j] for j in range(r)] for i in range(r)]),
                                -yy[r:2 * r])
            if not np.all(np.isfinite(c)):
                return None
            atoms = np.clip(np.real(np.roots(np.concatenate([[1.0], c[::-1]]))), a_lo, a_hi)
            V = np.vander(atoms, min(2 * r, K + 1), increasing=True).T
            if not np.all(np.isfinite(V)):
                return None
            w, *_ = np.linalg.lstsq(V, y[:len(V)], rcond=None)
        except np.linalg.LinAlgError:
            return None
        w = np.clip(w, 0, None)
        if not w.sum() > 0:
            return None
        w = w / w.sum()
        err = np.abs(np.vander(atoms, K + 1, increasing=True).T @ w - y).max()
    return (err, atoms, w) if math.isfinite(err) else None


def _quadrature(yy, r, a_lo, a_hi):
    c = np.linalg.solve(np.array([[yy[i + j] for j in range(r)] for i in range(r)]), -yy[r:2 * r])
    atoms = np.real(np.roots(np.concatenate([[1.0], c[::-1]])))
    outside = np.sum(np.clip(a_lo - atoms, 0, None) + np.clip(atoms - a_hi, 0, None)) \
        if math.isfinite(a_lo + a_hi) else 0.0
    return atoms, outside


def _best_extension(y, r, span, a_lo, a_hi):
    """The free moment y_{2D+1} (as a fraction of span * y_{2D}) whose atoms best fit the support.

    Extremal laws of a bounded support put atoms at its ends (principal
    representations), so among the extensions with every atom inside we keep the
    one with an atom closest to an end.
    """
    K = len(y) - 1

    def score(t):
        try:
            atoms, outside = _quadrature(np.concatenate([y, [t * span * y[K]]]), r, a_lo, a_hi)
        except np.linalg.LinAlgError:
            return math.inf
        ends = [abs(atoms - v).min() for v in (a_lo, a_hi) if math.isfinite(v)]
        value = outside * 1e6 + (min(ends) if ends else 0.0)
        return value if math.isfinite(value) else math.inf  # overflowing roots: no candidate

    grid = np.linspace(-1, 1, 101)
    vals = [score(t) for t in grid]
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    for _ in range(60):  # golden-section refinement
        m1, m2 = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        if score(m1) < score(m2):
            hi = m2
        else:
            lo = m1
    t = (lo + hi) / 2
    return t if score(t) <= vals[i] else grid[i]


def local_search(F, resolved, starts, sense, scale):
    """Polish discrete laws in the class with SLSQP; returns the best ``(value, atoms, weights)``.

    ``F`` is a numeric function of the raw moments ``m_1..m_K`` (a numpy vector);
    constraints come from ``resolved``.  Laws violating a constraint by more than
    ``1e-9`` (relative, in scaled moments) are discarded.
    """
    from scipy.optimize import minimize

    K = resolved.K
    s = float(scale)
    sign = 1.0 if sense == "min" else -1.0
    cons_f = []
    for e, lo, hi, _ in resolved.constraints:
        syms = sorted(e.free_symbols, key=lambda x: int(x.name.split("_")[1]))
        ks = [int(x.name.split("_")[1]) for x in syms]
        f = sympy.lambdify(syms, e, "numpy")
        cons_f.append((f, ks, float(lo), float(hi)))
    fixed = [(k, float(v)) for k, v in resolved.fixed.items()]
    a, b = (float(v) / s for v in resolved.support)
    powers = np.arange(1, K + 1)

    def moments(z, n):
        t, w = z[:n], z[n:]
        return (t[None, :] ** powers[:, None] @ w) * s ** powers

    def violation(z, n):
        m = moments(z, n)
        out = [abs(z[n:].sum() - 1)]
        for k, v in fixed:
            out.append(abs(m[k - 1] - v) / max(1.0, s ** k))
        for f, ks, lo, hi in cons_f:
            g = float(f(*(m[k - 1] for k in ks)))
            sc = max(1.0, abs(lo), abs(hi))
            out.append(max(0.0, lo - g, g - hi) / sc)
        return max(out)

    def repair(z, n):
        """Least-norm change of the weights restoring sum 1 and the known moments exactly."""
        z = np.array(z, dtype=float)
        t, w = z[:n], np.clip(z[n:], 0, None)
        rows = [np.ones(n)] + [t ** k for k, _ in fixed]
        rhs = [1.0] + [v / s ** k for k, v in fixed]
        A, r = np.array(rows), np.array(rhs)
        for _ in range(3):
            w = w + np.linalg.pinv(A) @ (r - A @ w)
            w = np.clip(w, 0, None)
        return np.concatenate([t, w])

    best = None
    for atoms, weights in starts:
        t0 = np.clip(np.asarray(atoms, float) / s, a if math.isfinite(a) else -np.inf,
                     b if math.isfinite(b) else np.inf)
        w0 = np.asarray(weights, float)
        n = len(t0)
        z0 = np.concatenate([t0, w0])
        cons = [{"type": "eq", "fun": lambda z, n=n: z[n:].sum() - 1}]
        for k, v in fixed:
            cons.append({"type": "eq", "fun": lambda z, k=k, v=v, n=n:
                         (moments(z, n)[k - 1] - v) / s ** k})
        for f, ks, lo, hi in cons_f:
            def g(z, f=f, ks=ks, n=n):
                m = moments(z, n)
                return float(f(*(m[k - 1] for k in ks)))
            sc = max(1.0, abs(lo), abs(hi))
            if lo == hi:
                cons.append({"type": "eq", "fun": lambda z, g=g, lo=lo, sc=sc: (g(z) - lo) / sc})
            else:
                cons.append({"type": "ineq", "fun": lambda z, g=g, lo=lo, sc=sc: (g(z) - lo) / sc})
                cons.append({"type": "ineq", "fun": lambda z, g=g, hi=hi, sc=sc: (hi - g(z)) / sc})
        bounds = [(a if math.isfinite(a) else None, b if math.isfinite(b) else None)] * n + \
            [(0.0, 1.0)] * n
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = minimize(lambda z, n=n: sign * F(moments(z, n)), z0, method="SLSQP",
                           bounds=bounds, constraints=cons,
                           options={"maxiter": 500, "ftol": 1e-15})
        for z in (repair(res.x, n), repair(z0, n)):
            if violation(z, n) <= 1e-9:
                val = F(moments(z, n))
                if best is None or sign * val < sign * best[0]:
                    best = (val, z[:n] * s, z[n:] / z[n:].sum())
    return best
