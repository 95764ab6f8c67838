r"""Exact cumulants of polynomial maps of a random vector.

If :math:`y = p(x)` is a vector of polynomials, every joint moment of
:math:`y` is a linear combination of joint moments of :math:`x`:

.. math::

    E\Big[\prod_{i\in S} p_i(x)\Big] = \sum_\alpha c_\alpha\, E[x^\alpha],

and joint cumulants of :math:`y` follow by the set-partition formula.  The
products are formed in sympy's sparse polynomial rings (no expression trees),
the monomial moments :math:`E[x^\alpha]` come from the input cumulants
(products of univariate moments for independent inputs; set partitions, or
pairings for Gaussians, otherwise).  Output order ``n`` needs input order
``n * degree`` -- the non-closure of the cumulant hierarchy (docs/formulas.md §6.1).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product
from math import comb

import mpmath
import sympy
from sympy.polys.polyerrors import CoercionFailed
from sympy.polys.rings import PolyElement, ring

from .. import _tensor
from .._numbers import check_order, domain_of, join_domains
from ..errors import InsufficientOrderError, NotPolynomialError, ShapeMismatchError, bad_argument
from .multivariate import joint_cumulant_from_moments
from .univariate import moments_from_cumulants

__all__ = ["polynomial_ring", "to_ring", "polynomial_cumulants", "monomial_moment_function"]


def polynomial_ring(dim: int, domain: str = "exact", symbolic: bool = False):
    """A sparse polynomial ring in ``x_0..x_{dim-1}`` for the given number domain."""
    if domain == "float":
        dom = sympy.RR
    elif domain == "mpmath":
        dom = sympy.RealField(prec=mpmath.mp.prec)
    else:
        dom = sympy.EX if symbolic else sympy.QQ
    names = ",".join(f"x_{i}" for i in range(dim)) if dim > 1 else "x_0,"
    R, *gens = ring(names, dom)
    gens = gens[0] if isinstance(gens[0], tuple) else tuple(gens)
    return R, tuple(gens)


def to_ring(exprs, symbols, R):
    """Convert sympy expressions in ``symbols`` to elements of ring ``R``."""
    out = []
    for e in exprs:
        e = sympy.sympify(e)
        extra = e.free_symbols - set(symbols)
        if extra and R.domain != sympy.EX:
            raise NotPolynomialError(f"expression {e} has symbols {extra} outside the ring")
        try:
            poly = sympy.Poly(e, *symbols)
        except sympy.PolynomialError as exc:
            raise NotPolynomialError(f"{e} is not a polynomial in {symbols}: {exc}") from None
        terms = {}
        for monom, coeff in poly.terms():
            terms[monom] = R.domain.convert(coeff) if R.domain != sympy.EX else sympy.EX(coeff)
        out.append(R.from_dict(terms) if terms else R.zero)
    return out



def monomial_moment_function(state, domain, convert=None):
    """A cached function ``exps -> E[prod_i x_i**exps[i]]`` for the given state.

    ``convert`` maps each cumulant of the state into another arithmetic (e.g. the
    elements of a polynomial ring over the state's symbols) before it is used.
    """
    d = state.dim
    zero_above = state.zero_above
    if state.is_independent:
        univ_cache: dict = {}

        def raw(i, k):  # k >= 1: moment() below skips absent variables
            key = (i, k)
            if key not in univ_cache:
                cums = [state[(i,) * n] for n in range(1, k + 1)]
                if convert is None:
                    univ_cache[key] = moments_from_cumulants(cums)[k - 1]
                else:  # m_k = sum_j C(k-1, j-1) kappa_j m_{k-j}, in the converted arithmetic
                    kap = [convert(c) for c in cums]
                    mom = [1]
                    for n in range(1, k + 1):
                        mom.append(sum(comb(n - 1, j - 1) * kap[j - 1] * mom[n - j]
                                       for j in range(1, n + 1)))
                    univ_cache[key] = mom[k]
            return univ_cache[key]

        @lru_cache(maxsize=None)
        def moment(exps):
            acc = 1
            for i, k in enumerate(exps):
                if k:
                    acc = acc * raw(i, k)
            return acc

        return moment

    cum_cache: dict = {}

    def cum(idx):
        # state lookups rank the multiset each time; the same few recur many times
        if idx not in cum_cache:
            cum_cache[idx] = state[idx] if convert is None else convert(state[idx])
        return cum_cache[idx]

    exact = state.domain == "exact" and convert is None

    @lru_cache(maxsize=None)
    def moment(exps):
        # E[x_i x^B] = sum_{A <= B} prod_j C(B_j, A_j) kappa(x_i, x^A) E[x^(B - A)]: the
        # block of one distinguished atom, summed over sub-multisets A of the other atoms
        # (the set-partition sum of docs/formulas.md §1.2, without enumerating the partitions)
        i = next((j for j, k in enumerate(exps) if k), None)
        if i is None:
            return 1
        rest = list(exps)
        rest[i] -= 1
        total = 0
        for sub in product(*(range(k + 1) for k in rest)):
            size = sum(sub) + 1
            if zero_above is not None and size > zero_above:
                continue
            kap = cum(tuple(j for j in range(d) for _ in range(sub[j] + (j == i))))
            if kap == 0:
                continue
            weight = 1
            for k, a in zip(rest, sub):
                weight *= comb(k, a)
            total = total + weight * kap * moment(tuple(k - a for k, a in zip(rest, sub)))
        return sympy.expand(total) if exact and isinstance(total, sympy.Basic) else total

    return moment


def _expectation(poly, moment, domain, conv):
    total = 0
    for monom, coeff in poly.iterterms():
        m = moment(monom)
        total = total + conv(coeff) * m
    return total


def _converter(R, domain):
    if R.domain == sympy.EX:
        return lambda c: c.ex
    if R.domain == sympy.QQ:
        return lambda c: sympy.Rational(int(c.numerator), int(c.denominator))
    if domain == "float":
        return lambda c: float(c)
    return lambda c: mpmath.mpf(c)


def _symbolic_ring_setup(rpolys, state, need):
    """Arithmetic in ``QQ[symbols]`` for exact inputs with free symbols, or ``None``.

    Symbolic cumulants and coefficients are usually polynomials in their symbols
    (``mu``, ``sigma``, ``alpha``, ``kappa_n``); sympy's sparse polynomial rings then do
    the products and sums far faster than expression trees.  Anything else (``sqrt``,
    ``exp``, ``1/sigma``) keeps the expression domain.
    """
    syms = set()
    values = []
    top = need if state.is_independent else min(need, state.order)
    if state.zero_above is not None:
        top = min(top, state.zero_above)
    for n in range(1, top + 1):
        vals = state.diagonal(n) if state.is_independent else state.packed(n)
        values.extend(v for v in vals if isinstance(v, sympy.Basic) and v.free_symbols)
    for v in values:
        syms |= v.free_symbols
    R = rpolys[0].ring
    if R.domain == sympy.EX:
        for p in rpolys:
            for c in p.itercoeffs():
                syms |= c.ex.free_symbols
    if not syms:
        return None
    K = sympy.QQ[tuple(sorted(syms, key=str))]
    try:
        for v in values:
            K.from_sympy(v)
        R2, *_ = ring(",".join(str(g) for g in R.gens) + ("," if R.ngens == 1 else ""), K)
        out = []
        for p in rpolys:
            terms = {m: K.from_sympy(c.ex if R.domain == sympy.EX else R.domain.to_sympy(c))
                     for m, c in p.iterterms()}
            out.append(R2.from_dict(terms) if terms else R2.zero)
    except (CoercionFailed, sympy.PolynomialError, ValueError):
        return None
    moment = monomial_moment_function(state, "exact", convert=lambda v: K.from_sympy(
        sympy.sympify(v)))
    return out, moment, (lambda v: K.to_sympy(v) if not isinstance(v, int) else sympy.Integer(v))


def polynomial_cumulants(polys, state, order, *, symbols=None, joint=True, exact=None,
                         method=None):
    """Joint cumulants up to ``order`` of the polynomial vector ``polys(x)``, ``x ~ state``.

    ``polys`` are sympy expressions in ``symbols`` (default ``x_0..x_{d-1}``)
    or elements of a ring from :func:`polynomial_ring`.  With ``joint=False``
    only the marginal cumulants are computed and the outputs are treated as
    independent (valid when each output depends on its own independent inputs).

    >>> from cumulants.state import Cumulants
    >>> x = sympy.Symbol('x_0')
    >>> z = Cumulants.gaussian([1], [[1]], order=2)          # z ~ N(1, 1)
    >>> polynomial_cumulants([x + x**2 / 2], z, 5).marginal(0)   # docs/formulas.md §8 oracle 5
    [2, 9/2, 13, 51, 252]
    """
    from ..state import Cumulants, _as_storage

    order = check_order(order)
    d = state.dim
    ring_elements = [p for p in polys if isinstance(p, PolyElement)]
    if ring_elements:
        # a constant output (e.g. a unit whose weights are all zero) may come as a plain number
        R = ring_elements[0].ring
        rpolys = [p if isinstance(p, PolyElement) else R(p) for p in polys]
        if R.ngens != d:
            raise ShapeMismatchError(f"polynomials have {R.ngens} variables; the state has dim={d}")
    else:
        syms = tuple(symbols) if symbols is not None else tuple(sympy.Symbol(f"x_{i}") for i in range(d))
        if len(syms) != d:
            raise ShapeMismatchError(f"{len(syms)} symbols given; the state has dim={d}")
        exprs = [sympy.sympify(p) for p in polys]
        free = set().union(*(e.free_symbols for e in exprs)) - set(syms) if exprs else set()
        dom = join_domains([domain_of(exprs), state.domain])
        R, _ = polynomial_ring(d, dom, symbolic=bool(free))
        rpolys = to_ring(exprs, syms, R)
    if not rpolys:
        raise bad_argument("polys", polys, "at least one polynomial", ShapeMismatchError)
    degree = max(max((sum(m) for m in p.itermonoms()), default=0) for p in rpolys)
    need = order * max(degree, 1)
    if need > state.order and not state.known_to(need):
        raise InsufficientOrderError(
            f"cumulants up to order {order} of a degree-{degree} polynomial map need input "
            f"cumulants up to order {need}; the state holds order {state.order}")
    out_domain = join_domains([state.domain, "float" if R.domain == sympy.RR else "exact"])
    conv = _converter(R, out_domain)
    moment = monomial_moment_function(state, out_domain)
    to_expr = None
    if out_domain == "exact":
        fast = _symbolic_ring_setup(rpolys, state, need)
        if fast is not None:
            rpolys, moment, to_expr = fast
            R, conv = rpolys[0].ring, (lambda c: c)
    m_out = len(rpolys)

    prod_cache: dict = {(): R.one}

    def product(idx):
        if idx not in prod_cache:
            prod_cache[idx] = product(idx[:-1]) * rpolys[idx[-1]]
        return prod_cache[idx]

    mom_cache: dict = {}

    def out_moment(idx):
        if idx not in mom_cache:
            val = _expectation(product(idx), moment, out_domain, conv)
            mom_cache[idx] = sympy.expand(val) if out_domain == "exact" and to_expr is None \
                else val
        return mom_cache[idx]

    data = []
    for n in range(1, order + 1):
        keys = [(i,) * n for i in range(m_out)] if not joint else \
            [tuple(int(a) for a in ms) for ms in _tensor.multisets(m_out, n)]
        vals = [joint_cumulant_from_moments(out_moment, k) for k in keys]
        if to_expr is not None:
            vals = [to_expr(v) for v in vals]
        data.append(_as_storage(vals, out_domain))
    approx = (not state.exact) if exact is None else (not exact)
    return Cumulants(m_out, order, out_domain, "packed" if joint else "independent", data,
                     exact=not approx, method=method or state.method)
