r"""The contraction route: exact cumulants of wide polynomial networks.

``Network.propagate(state, order, route="contraction")`` never expands the
``order``-th power of the network polynomial and never builds a dense hidden
cumulant tensor.  Inputs are independent (any laws) or Gaussian; a correlated
Gaussian :math:`x = \mu + L z` with :math:`\Sigma = L\,\mathrm{diag}(D)\,L^T`
(an exact LDL factor, so rational covariances stay rational) becomes the
independent :math:`z_j \sim N(0, D_j)` behind one more dense layer.  In the centred
inputs :math:`\xi` the outputs are polynomials; two exact strategies share the
compiled form (docs/formulas.md §10):

* ``"diagrams"`` -- outputs of degree <= 2, :math:`y = c + g\cdot\xi + \xi^T M\xi`
  with :math:`M = W^T\mathrm{diag}(v\,c_2)W` formed once (cost ``h d^2``):
  :math:`\kappa_n` is a sum over connected multigraph shapes whose vertices are
  the diagonal input cumulants and whose edges are ``M``
  (:mod:`cumulants.layers._diagrams`).  Polynomial in ``d`` and independent of the
  width ``h``; for Gaussian inputs it is the trace closed form.
* ``"basis"`` -- any degree: the outputs in the product basis of each input's
  orthogonal polynomials, where a moment is the contraction
  :math:`E[fg] = \sum_\beta \hat f_\beta \hat g_\beta \prod_i D_{\beta_i}`, so
  :math:`E[y^n]` needs only products of ``n/2`` outputs
  (:mod:`cumulants.layers._polyvec`).  Outputs depend only on their light cone
  of inputs (message passing on a sparse graph), so each group of outputs is
  computed on its own small problem (:func:`group_cumulants`).

Exact (``Fraction``/sympy), float64 and mpmath inputs run through the same code.

>>> import sympy
>>> from cumulants.layers import Dense, Network, Quadratic
>>> from cumulants.state import Cumulants
>>> from cumulants.distributions import Uniform
>>> net = Network([Dense([[1, 2], [1, -1]]), Quadratic(sympy.Rational(1, 2)), Dense([[1, 1]])])
>>> x = Cumulants.iid(Uniform(-1, 1), 2, 2)
>>> contraction_cumulants(net, x, 3).marginal(0) == net.propagate(x, 3, route="polynomial").marginal(0)
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations_with_replacement

import mpmath
import numpy as np
import sympy

from .. import _tensor
from .._numbers import check_order, domain_of, join_domains, to_domain
from ..errors import (
    InsufficientOrderError,
    InvalidParameterError,
    MethodUnavailableError,
    NotPolynomialError,
    OrderTooHighError,
    bad_argument,
)
from . import _diagrams
from ._polyvec import PolyVec, as_fraction, law_basis, pair, transform

__all__ = ["contraction_cumulants", "group_cumulants", "route_costs", "applicable", "MEMORY_LIMIT"]

#: Refuse a strategy whose estimated working set exceeds this many bytes.
MEMORY_LIMIT = 2 * 1024**3


# ----------------------------------------------------------------- number systems
def _one(domain):
    return 1.0 if domain == "float" else (1 if domain == "exact" else mpmath.mpf(1))


def _conv(v, domain):
    if domain == "float":
        return float(v)
    if domain == "mpmath":
        return to_domain(v, "mpmath")
    if isinstance(v, sympy.Basic) and v.free_symbols:
        raise InvalidParameterError(
            f"route='contraction' needs numeric weights and cumulants; {v} has symbols "
            f"{sorted(map(str, v.free_symbols))}: substitute numbers, or use route='polynomial'")
    return as_fraction(v)


def _arr(values, domain):
    values = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if domain == "float":
        return np.asarray(values, dtype=np.float64)
    out = np.empty(values.shape, dtype=object)
    flat = out.reshape(-1)
    for k, v in enumerate(values.reshape(-1)):
        flat[k] = _conv(v, domain)
    return out


def _out(v, domain):
    if domain == "float":
        return float(v)
    if domain == "mpmath":
        return mpmath.mpf(v)
    if isinstance(v, int):
        return sympy.Integer(v)
    if hasattr(v, "numerator") and hasattr(v, "denominator") and not isinstance(v, sympy.Basic):
        return sympy.Rational(int(v.numerator), int(v.denominator))
    return sympy.nsimplify(v) if isinstance(v, float) else sympy.expand(sympy.sympify(v))


# -------------------------------------------------------------------- compilation
def _layers(network):
    """Network layers as ``("affine", W, b)`` / ``("poly", coeffs)`` steps."""
    from .activations import Identity, Polynomial
    from .dense import Dense
    from .network import Network

    layers = network.layers if isinstance(network, Network) else (network,)
    steps = []
    for k, layer in enumerate(layers):
        if isinstance(layer, Dense):
            steps.append(("affine", layer.weight, layer.bias))
        elif isinstance(layer, Identity):
            continue
        elif isinstance(layer, Polynomial):
            steps.append(("poly", layer.coeffs))
        else:
            raise NotPolynomialError(
                f"layers[{k}]={layer!r} is not a dense layer or polynomial activation; "
                "route='contraction' covers polynomial networks (use route='layerwise')")
    return steps


def _degree(steps):
    deg = 1
    for step in steps:
        if step[0] == "poly":
            deg *= max(len(step[1]) - 1, 1)
    return deg


class _Problem:
    """Independent centred inputs (means, per-order cumulant vectors) behind affine/poly steps."""

    def __init__(self, steps, means, cumulant, domain, gaussian, nvars):
        self.steps = steps
        self.means = means          # (v,) in the domain
        self.cumulant = cumulant    # r -> (v,) vector of kappa_r(x_i), r >= 2
        self.domain = domain
        self.gaussian = gaussian
        self.nvars = nvars


def _problem(network, state, order, subtract=None):
    from ..state import Cumulants

    if not isinstance(state, Cumulants):
        raise bad_argument("state", state, "a cumulants.Cumulants instance")
    steps = _layers(network)
    degree = _degree(steps)
    if subtract is not None:
        degree = max(degree, _degree(_layers(subtract)))
    need = order * degree
    doms = [state.domain]
    for step in steps + (_layers(subtract) if subtract is not None else []):
        for arr in step[1:]:
            if arr is not None:
                doms.append(_domain(arr))
    domain = join_domains(doms)
    d = state.dim
    if state.is_independent:
        if need > state.order and not state.known_to(need):
            raise InsufficientOrderError(
                f"output cumulants up to order {order} need input cumulants up to order {need}; "
                f"the state holds order {state.order}. Build it with order >= {need}, or from "
                "distributions so higher orders are known exactly")
        means = _arr(state.diagonal(1), domain)
        # the basis strategy pairs products of ceil(order/2) outputs: moments up to this order
        avail = max(2, need)
        full = 2 * degree * math.ceil(order / 2)
        if state.known_to(full):
            avail = max(avail, full)
        top = avail if not state.is_gaussian else 2
        cum = {r: _arr(state.diagonal(r), domain) for r in range(2, top + 1)}
        zero = _arr(np.zeros(d, dtype=object), domain)
        cumulant = {r: cum.get(r, zero) for r in range(2, avail + 1)}
        return _Problem(steps, means, cumulant, domain, state.is_gaussian, d), subtract
    if not state.is_gaussian:
        raise MethodUnavailableError(
            "route='contraction' needs independent inputs or a Gaussian state; this state is "
            "correlated and non-Gaussian: use route='polynomial' or route='layerwise'")
    mean = _arr(state.mean, domain)
    cov = _arr(state.covariance, domain)
    L, D = _ldl(cov, domain)
    keep = [j for j in range(d) if D[j] != 0]
    L, D = L[:, keep], D[keep]
    zero = _arr(np.zeros(len(keep), dtype=object), domain)
    pre = [("affine", L, mean)]
    cumulant = {r: (D if r == 2 else zero) for r in range(2, max(2, 2 * need) + 1)}
    sub = subtract
    if subtract is not None:
        from .dense import Dense
        from .network import Network

        sub = Network([Dense(L.astype(object) if domain != "float" else L, mean), *(
            subtract.layers if isinstance(subtract, Network) else (subtract,))])
    return _Problem(pre + steps, zero, cumulant, domain, True, len(keep)), sub


def _domain(arr):
    """Number system of a weight array (a float64 array needs no scan)."""
    if isinstance(arr, np.ndarray) and arr.dtype != object:
        return "float" if np.issubdtype(arr.dtype, np.floating) else "exact"
    return domain_of(list(np.asarray(arr, dtype=object).ravel()))


def _ldl(cov, domain):
    """``cov = L diag(D) L^T`` with unit lower-triangular ``L`` (exact for rationals)."""
    n = cov.shape[0]
    obj = domain != "float"
    L = np.empty((n, n), dtype=object) if obj else np.eye(n)
    if obj:
        for i in range(n):
            for j in range(n):
                L[i, j] = 1 if i == j else 0
    D = [0] * n
    tol = 1e-12 * max(1.0, float(np.max(np.abs(np.asarray(cov, dtype=float))))) if not obj else 0
    for j in range(n):
        s = cov[j, j] - sum(L[j, k] ** 2 * D[k] for k in range(j))
        D[j] = 0 if (s == 0 if obj else abs(s) <= tol) else s
        for i in range(j + 1, n):
            piv = Fraction(D[j]) if isinstance(D[j], int) else D[j]
            L[i, j] = 0 if D[j] == 0 else (cov[i, j] - sum(L[i, k] * L[j, k] * D[k]
                                                           for k in range(j))) / piv
    return L, _arr(np.array(D, dtype=object), domain)


def _light_cone(steps, outputs, nvars):
    """Restrict the steps to the units and inputs that the given outputs depend on."""
    need = list(outputs)
    cones = [None] * len(steps)
    for k in range(len(steps) - 1, -1, -1):
        cones[k] = need
        if steps[k][0] == "affine":
            W = np.asarray(steps[k][1])[need]
            need = [int(j) for j in np.flatnonzero(np.any(W != 0, axis=0))]
    inputs = need
    out, prev = [], inputs
    for k, step in enumerate(steps):
        if step[0] == "affine":
            W = np.asarray(step[1])[np.ix_(cones[k], prev)]
            b = None if step[2] is None else np.asarray(step[2], dtype=object)[cones[k]]
            out.append(("affine", W, b))
            prev = cones[k]
        else:
            out.append(step)
    return inputs, out


def _compile(prob, steps, inputs, order, degree):
    """Output polynomials in the centred inputs ``xi`` (a :class:`PolyVec`)."""
    domain, obj = prob.domain, prob.domain != "float"
    top = degree * math.ceil(order / 2)
    base = top + 1
    if len(inputs) * math.log(base) > 62 * math.log(2):
        raise OrderTooHighError("too many inputs for the monomial keys")
    means = [prob.means[i] for i in inputs]
    cur = PolyVec.inputs(len(inputs), base, means, obj)
    one = _one(domain)
    for step in steps:
        if step[0] == "affine":
            W = _arr(step[1], domain)
            b = None if step[2] is None else _arr(step[2], domain)
            cur = cur.affine(W, b)
        else:
            cur = cur.power_series([_conv(c, domain) for c in step[1]], one)
    return cur


# ------------------------------------------------------------------ the basis strategy
def _bases(prob, inputs, top):
    obj = prob.domain != "float"
    cache, out = {}, []
    from ..algebra.univariate import moments_from_cumulants

    if 2 * top > max(prob.cumulant):
        raise InsufficientOrderError(
            f"the basis strategy needs input cumulants up to order {2 * top}; the state holds "
            f"order {max(prob.cumulant)}: build it with order >= {2 * top} (or from "
            "distributions), or use strategy='diagrams' / route='polynomial'")
    for i in inputs:
        ks = tuple([0] + [prob.cumulant[r][i] for r in range(2, 2 * top + 1)])
        if ks not in cache:
            if obj:
                m = [1] + list(moments_from_cumulants(list(ks)))
                cache[ks] = law_basis(m, top)
            else:
                # Hankel matrices of high order are ill-conditioned: factor the float
                # moments exactly (every float is a dyadic rational), round L and D once
                m = [Fraction(1)] + _float_moments([Fraction(float(v)) for v in ks])
                L, D = law_basis(m, top)
                cache[ks] = (np.array(L, dtype=float), np.array(D, dtype=float))
        out.append(cache[ks])
    return out


def _float_moments(ks):
    from math import comb

    mom = [1.0]
    for n in range(1, len(ks) + 1):
        mom.append(sum(comb(n - 1, j - 1) * ks[j - 1] * mom[n - j] for j in range(1, n + 1)))
    return mom[1:]


def _basis_group(prob, polys, order, degree):
    """Joint cumulants (dict multiset -> value) of compiled outputs by the basis strategy."""
    obj = prob.domain != "float"
    m = polys.C.shape[0]
    top = degree * math.ceil(order / 2)
    bases = _bases(prob, range(polys.nvars), top)
    base, nv = polys.base, polys.nvars

    def tr(p):
        return transform(p.keys, p.C[0], base, nv, bases, obj)

    rows = [polys.rows([r]) for r in range(m)]
    means = []
    for r in range(m):
        k, c, _w = tr(rows[r])
        means.append(c[0] if k.size and k[0] == 0 else 0 * _one(prob.domain))
    centred = []
    for r in range(m):
        p = rows[r]
        if p.keys.size == 0 or p.keys[0] != 0:
            p = PolyVec(np.r_[0, p.keys].astype(np.int64),
                        np.concatenate([np.zeros((1, 1), dtype=p.C.dtype), p.C], axis=1), base, nv)
        C = p.C.copy()
        C[0, 0] = C[0, 0] - means[r]
        centred.append(PolyVec(p.keys, C, base, nv))
    products, hats = {}, {}
    half = math.ceil(order / 2)
    for size in range(1, half + 1):
        for S in combinations_with_replacement(range(m), size):
            products[S] = centred[S[0]] if size == 1 else products[S[:-1]].mul(centred[S[-1]])
            hats[S] = tr(products[S])
    out = {}
    for r in range(m):
        out[(r,)] = means[r]
    mom_cache = {}

    def central(S):
        if len(S) == 1:
            return 0
        if S not in mom_cache:
            h = math.ceil(len(S) / 2)
            mom_cache[S] = pair(hats[S[:h]], hats[S[h:]])
        return mom_cache[S]

    from ..algebra.multivariate import joint_cumulant_from_moments

    for n in range(2, order + 1):
        for S in combinations_with_replacement(range(m), n):
            out[S] = joint_cumulant_from_moments(central, S)
    return out


# --------------------------------------------------------------- the diagram strategy
def _quadratic_form(prob, steps, d):
    """``(c, G, M)`` of degree-<=2 outputs: ``y_o = c_o + G_o.xi + xi^T M_o xi``."""
    domain, obj = prob.domain, prob.domain != "float"
    one = _one(domain)
    # state: constant (m,), linear (m, d), and a pending quadratic kept factored
    c = prob.means.copy()
    G = None  # the identity, until the first affine step
    Q = None  # list of (A (m, k), B (k, d)) with quadratic part sum_k A_ok (B_k.xi)^2
    M = None
    for step in steps:
        if step[0] == "affine":
            W = _arr(step[1], domain)
            b = None if step[2] is None else _arr(step[2], domain)
            c = W.dot(c) if obj else W @ c
            if b is not None:
                c = c + b
            G = W.copy() if G is None else (W.dot(G) if obj else W @ G)
            if Q is not None:
                A, B = Q
                A = W * A[None, :] if A.ndim == 1 else (W.dot(A) if obj else W @ A)
                Q = (A, B)
            if M is not None:
                M = np.einsum("om,mij->oij", W, M)
        else:
            if G is None:
                G = _arr(np.eye(d, dtype=int).astype(object), domain) if obj else np.eye(d)
            coeffs = [_conv(v, domain) for v in step[1]]
            if len(coeffs) > 3 or (len(coeffs) == 3 and (Q is not None or M is not None)):
                raise OrderTooHighError("degree above 2")
            c0 = coeffs[0] * one
            c1 = coeffs[1] if len(coeffs) > 1 else 0
            c2 = coeffs[2] if len(coeffs) > 2 else 0
            if Q is not None:  # a linear activation keeps the pending quadratic form
                A, B = Q
                Q = (A * c1, B)
            if M is not None:
                M = M * c1
            quad_from_linear = None
            if c2 != 0:
                # (c + G.xi)^2 = c^2 + 2 c G.xi + (G.xi)^2
                m = G.shape[0]
                quad_from_linear = (np.array([c2] * m, dtype=object if obj else float), G)
            new_c = c0 + c1 * c + c2 * c * c
            new_G = G * c1 + (G * (2 * c2 * c)[:, None] if c2 != 0 else 0)
            c, G = new_c, new_G
            if quad_from_linear is not None:
                Q = quad_from_linear
    if G is None:
        G = _arr(np.eye(d, dtype=int).astype(object), domain) if obj else np.eye(d)
    if Q is not None:
        A, B = Q
        if A.ndim == 1:  # the network ends on the activation: one quadratic form per unit
            A = np.diag(A) if not obj else _diag_obj(A)
        if A.shape[0] * d * d > 5e7:
            raise OrderTooHighError("quadratic form too large")
        if obj:
            M = np.einsum("ok,ki,kj->oij", A, B, B, optimize=True)
        else:  # M_o = B^T diag(A_o) B, one BLAS product per output
            M = np.stack([(B.T * A[o]) @ B for o in range(A.shape[0])])
    if M is None:
        M = np.zeros((G.shape[0], d, d), dtype=object if obj else float)
        if obj:
            M.fill(0)
    half = 0.5 if not obj else (Fraction(1, 2) if domain == "exact" else mpmath.mpf(1) / 2)
    M = (M + np.transpose(M, (0, 2, 1))) * half
    return c, G, M


def _diag_obj(a):
    out = np.empty((a.size, a.size), dtype=object)
    out.fill(0)
    for k in range(a.size):
        out[k, k] = a[k]
    return out


def _diagram_group(prob, steps, order):
    d = prob.nvars
    c, G, M = _quadratic_form(prob, steps, d)
    m = c.shape[0]
    one = _one(prob.domain)
    kappa = dict(prob.cumulant)
    if prob.domain != "float":
        kappa = {r: np.asarray(v, dtype=object) for r, v in kappa.items()}
    if order > _diagrams.MAX_GENERAL_ORDER and not prob.gaussian:
        raise OrderTooHighError(f"non-Gaussian diagrams are tabulated up to order "
                                f"{_diagrams.MAX_GENERAL_ORDER}")
    out = {}
    for r in range(m):
        out[(r,)] = _diagrams.quadratic_cumulant(1, c[r], G[r], M[r], kappa, prob.gaussian, one)
    for n in range(2, order + 1):
        for S in combinations_with_replacement(range(m), n):
            out[S] = _polarised(n, S, c, G, M, kappa, prob.gaussian, one)
    return out


def _polarised(n, S, c, G, M, kappa, gaussian, one):
    """Joint cumulant of ``y_S`` from marginal ones: the polarisation identity."""
    if len(set(S)) == 1:
        r = S[0]
        return _diagrams.quadratic_cumulant(n, c[r], G[r], M[r], kappa, gaussian, one)
    total = 0 * one
    for mask in range(1, 2 ** n):
        idx = [S[j] for j in range(n) if mask >> j & 1]
        g = sum((G[r] for r in idx[1:]), G[idx[0]])
        Mm = sum((M[r] for r in idx[1:]), M[idx[0]])
        val = _diagrams.quadratic_cumulant(n, 0 * one, g, Mm, kappa, gaussian, one)
        total = total + (-1) ** (n - len(idx)) * val
    return total / math.factorial(n) if not isinstance(one, int) else \
        total * Fraction(1, math.factorial(n))


# --------------------------------------------------------------------------- costs
def _n_monomials(v, deg):
    return math.comb(v + deg, deg)


def _strategy_costs(prob_nvars, steps, order, degree, m_out, gaussian, widths):
    """Estimated seconds of the two strategies (``None`` when it does not apply or fit)."""
    v = prob_nvars
    out = {}
    half = math.ceil(order / 2)
    top = degree * half
    if v * math.log(top + 1) <= 62 * math.log(2):
        n1 = _n_monomials(v, degree)
        nh = _n_monomials(v, top)
        pairs = n1 * _n_monomials(v, degree * max(half - 1, 1))
        mem = 40 * min(pairs, 4_000_000) + 24 * nh * (top + 1)
        build = sum(w * _n_monomials(v, 2 * degree) for w in widths)
        outs = math.comb(m_out + half, half)
        ops = outs * (pairs + v * nh * 2) + build
        out["basis"] = None if mem > MEMORY_LIMIT else 3e-8 * ops + 2e-3
    else:
        out["basis"] = None
    if degree <= 2 and (gaussian or order <= _diagrams.MAX_GENERAL_ORDER):
        ops = sum(_diagrams.costs(n, gaussian, v) for n in range(2, order + 1))
        polar = math.comb(m_out + order - 1, order) * (2 ** order if m_out > 1 else 1)
        build = sum(w for w in widths) * v * v
        mem = 8 * (m_out * v * v + max(widths) * v)
        out["diagrams"] = None if mem > MEMORY_LIMIT else \
            2e-9 * (ops * polar + build) + 1e-4 * order * len(_diagrams.shapes(order, gaussian)) \
            + 1e-3
    else:
        out["diagrams"] = None
    return out


def route_costs(network, state, order):
    """Estimated seconds of each route: ``{"polynomial", "layerwise", "contraction"}``.

    ``None`` marks a route that does not apply or would not fit in memory.  The
    constants are fitted to ``benchmarks/bench_wide.py`` on a 2-core machine; the
    ordering (not the absolute value) is what :meth:`Network.propagate` uses and
    what the test suite checks against measured times.
    """
    order = check_order(order)
    steps = _layers(network)
    degree = _degree(steps)
    d = state.dim
    widths = [np.asarray(s[1]).shape[0] for s in steps if s[0] == "affine"] or [d]
    m_out = widths[-1]
    out = {}
    ok_state = state.is_independent or state.is_gaussian
    if ok_state:
        strat = _strategy_costs(d, steps, order, degree, m_out, state.is_gaussian, widths)
        vals = [t for t in strat.values() if t is not None]
        out["contraction"] = min(vals) if vals else None
    else:
        out["contraction"] = None
    # the expanded polynomial: products p^k for k < order in sympy rings, plus building the
    # network polynomial unit by unit (constants fitted to benchmarks/bench_wide.py)
    terms = sum(_n_monomials(d, k * degree) * min(_n_monomials(d, degree), 10**7)
                for k in range(1, order))
    out["polynomial"] = 0.03 + 3e-5 * terms + 4e-3 * sum(widths)
    # layerwise: joint tensors of every layer up to the order each layer needs
    cost, need = 0.0, order
    fwd, w = [], d
    for step in steps:
        w_in = w
        if step[0] == "affine":
            w = np.asarray(step[1]).shape[0]
        fwd.append((w_in, w))
    for step, (w_in, w_out) in zip(reversed(steps), reversed(fwd)):
        if step[0] == "affine":
            cost += sum(_tensor.n_entries(w_out, r) * w_in for r in range(1, need + 1))
        else:
            deg = max(len(step[1]) - 1, 1)
            cost += _tensor.n_entries(w_out, need) * 50 * math.factorial(min(need, 8))
            need *= deg
    out["layerwise"] = 0.05 + 2e-6 * cost if cost < 1e12 else None
    return out


def _choose(prob, steps, order, degree, m_out, widths, strategy):
    costs = _strategy_costs(prob.nvars, steps, order, degree, m_out, prob.gaussian, widths)
    if strategy == "auto" and 2 * degree * math.ceil(order / 2) > max(prob.cumulant):
        costs["basis"] = None  # the state does not know the moments the pairing needs
    if strategy != "auto":
        if strategy not in costs:
            raise bad_argument("strategy", strategy, "'auto', 'basis' or 'diagrams'")
        if costs[strategy] is None and not (strategy == "basis" and degree > 2):
            raise OrderTooHighError(
                f"strategy={strategy!r} does not apply here (degree {degree}, order {order}, "
                f"{prob.nvars} inputs); use strategy='auto'")
        return strategy
    usable = {k: t for k, t in costs.items() if t is not None}
    if not usable:
        raise OrderTooHighError(
            f"no contraction strategy fits in memory for order {order} of a degree-{degree} "
            f"network on {prob.nvars} inputs; for a single output on non-Gaussian inputs ask for "
            f"order <= {_diagrams.MAX_GENERAL_ORDER} (degree <= 2), or use route='polynomial'")
    return min(usable, key=usable.get)


# ------------------------------------------------------------------------ public API
def _symbolic(values):
    return any(isinstance(v, sympy.Basic) and v.free_symbols
               for v in np.asarray(values, dtype=object).ravel())


def applicable(network, state):
    """Whether the contraction route covers ``network`` on ``state``.

    It needs dense layers and polynomial activations with numeric weights, and
    independent inputs or a Gaussian state with numeric cumulants.

    >>> from cumulants.layers import Dense, Network, Quadratic
    >>> from cumulants.state import Cumulants
    >>> net = Network([Dense([[1, 1]]), Quadratic(1)])
    >>> applicable(net, Cumulants.symbolic(2, 4)), applicable(net, Cumulants.iid_cumulants([0, 1], 2))
    (False, True)
    """
    try:
        steps = _layers(network)
    except NotPolynomialError:
        return False
    if not (state.is_independent or state.is_gaussian):
        return False
    for step in steps:
        for arr in step[1:]:
            if arr is not None and _symbolic(arr):
                return False
    top = min(state.order, 2 if state.is_gaussian else state.order)
    for n in range(1, top + 1):
        if _symbolic(state.diagonal(n) if state.is_independent else state.packed(n)):
            return False
    return True



def _result(values, m, order, domain, state):
    from ..state import Cumulants, _as_storage

    data = []
    for n in range(1, order + 1):
        keys = [tuple(int(a) for a in ms) for ms in _tensor.multisets(m, n)]
        data.append(_as_storage([_out(values[k], domain) for k in keys], domain))
    return Cumulants(m, order, domain, "packed", data, exact=state.exact, method=state.method)


def contraction_cumulants(network, state, order, *, subtract=None, strategy="auto"):
    """Joint cumulants up to ``order`` of a polynomial network's outputs (the contraction route).

    ``state`` holds independent inputs (any laws) or a Gaussian.  ``subtract``
    (a network or dense layer with the same widths) gives the cumulants of the
    difference ``network(x) - subtract(x)`` (the error against a target).
    ``strategy`` is ``"auto"`` (cheapest by :func:`route_costs`), ``"basis"`` or
    ``"diagrams"`` (degree <= 2 only).  Raises
    :class:`~cumulants.errors.OrderTooHighError` naming the cheaper route when no
    strategy fits in memory.

    >>> from cumulants.layers import Dense, Network, Quadratic
    >>> from cumulants.state import Cumulants
    >>> from cumulants.distributions import Normal
    >>> net = Network([Dense([[1]]), Quadratic(1)])       # y = z + z^2, z ~ N(0, 1)
    >>> contraction_cumulants(net, Cumulants.iid(Normal(0, 1), 1, 2), 4).marginal(0)
    [1, 3, 14, 96]
    """
    order = check_order(order)
    prob, sub = _problem(network, state, order, subtract)
    steps = prob.steps
    degree = _degree(steps)
    m_out = _out_width(steps, prob.nvars)
    widths = [np.asarray(s[1]).shape[0] for s in steps if s[0] == "affine"] or [prob.nvars]
    if sub is not None:
        sub_steps = _layers(sub)
        degree = max(degree, _degree(sub_steps))
        inputs = list(range(prob.nvars))
        a = _compile(prob, steps, inputs, order, degree)
        b = _compile(prob, sub_steps, inputs, order, degree)
        if a.C.shape[0] != b.C.shape[0]:
            raise bad_argument("subtract", subtract, f"a map with {a.C.shape[0]} outputs")
        vals = _basis_group(prob, a.add(b.scaled(-_one(prob.domain))).pruned(), order, degree)
        return _result(vals, m_out, order, prob.domain, state)
    choice = _choose(prob, steps, order, degree, m_out, widths, strategy)
    if choice == "diagrams":
        vals = _diagram_group(prob, steps, order)
    else:
        polys = _compile(prob, steps, list(range(prob.nvars)), order, degree)
        vals = _basis_group(prob, polys, order, degree)
    return _result(vals, m_out, order, prob.domain, state)


def _out_width(steps, d):
    w = d
    for s in steps:
        if s[0] == "affine":
            w = np.asarray(s[1]).shape[0]
    return w


def group_cumulants(network, state, order, groups):
    """Joint cumulants of each group of outputs, each computed on its light cone of inputs.

    ``groups`` is a list of output-index tuples, e.g. a node and its neighbour.
    On a sparse message-passing network every group costs a small problem, so
    all nodes and nearest-neighbour pairs of a 64-node ring take seconds.
    Returns a list of :class:`~cumulants.state.Cumulants`, one per group (in
    the group's index order).

    >>> from cumulants.layers import MessagePassing, Network, Quadratic, ring_graph
    >>> from cumulants.state import Cumulants
    >>> from cumulants.distributions import Uniform
    >>> net = Network([MessagePassing(ring_graph(6), [[1]], [[1]]), Quadratic(1)])
    >>> x = Cumulants.iid(Uniform(-1, 1), 6, 2)
    >>> [g.order for g in group_cumulants(net, x, 2, [(0, 1), (3,)])]
    [2, 2]
    """
    order = check_order(order)
    prob, _ = _problem(network, state, order)
    degree = _degree(prob.steps)
    results = []
    for k, group in enumerate(groups):
        group = tuple(int(g) for g in group)
        if not group:
            raise bad_argument(f"groups[{k}]", group, "a non-empty tuple of output indices")
        inputs, steps = _light_cone(prob.steps, group, prob.nvars)
        if not inputs:
            inputs = [0]
        sub = _Problem(steps, prob.means[inputs], {r: v[inputs] for r, v in prob.cumulant.items()},
                       prob.domain, prob.gaussian, len(inputs))
        widths = [np.asarray(s[1]).shape[0] for s in steps if s[0] == "affine"] or [len(inputs)]
        choice = _choose(sub, steps, order, degree, len(group), widths, "auto")
        if choice == "diagrams":
            vals = _diagram_group(sub, steps, order)
        else:
            polys = _compile(sub, steps, list(range(len(inputs))), order, degree)
            vals = _basis_group(sub, polys, order, degree)
        results.append(_result(vals, len(group), order, prob.domain, state))
    return results
