r"""Real-space renormalisation: the central limit theorem as a cumulant recursion.

A block-spin step on a lattice sums every block of ``B`` sites and rescales the
sum by ``B^{-1/2}`` (``normalisation="sqrt"``; ``"mean"`` divides by ``B``,
``"sum"`` keeps the plain sum).  For i.i.d. sites the step is *diagonal and
exact* in cumulant coordinates (docs/formulas.md §2.1-2.2; Schulz §8.2, eq. 8.16):

.. math::

    \kappa'_n = B\, w^n \kappa_n = B^{1-n/2}\kappa_n \qquad (w = B^{-1/2}),

so the mean is relevant (eigenvalue :math:`\sqrt B`), the variance marginal
(eigenvalue 1) and every :math:`\kappa_{n\ge 3}` irrelevant: the Gaussian line
is the fixed point.  The same numbers are the eigenvalues :math:`2^{1-n/2}` of
the linearised doubling map :math:`T[f](x) = \sqrt2 (f*f)(\sqrt2 x)` on the
Hermite directions :math:`\mathrm{He}_n f^*` (Sethna's CLT/RG notes; Calvo,
Cuchí, Esteve, Falceto 2010).  For correlated sites the step acts on the full
joint cumulant tensors by multilinearity, so :func:`flow` carries every cross
cumulant; a *learned* step (any :class:`~cumulants.layers.Network` mapping one
block to one site) is applied blockwise and compared with the exact step.

Block sizes: ``block`` is the number ``B`` of sites summed per block (an
integer or a sympy symbol) or a block *shape* (a tuple, ``B`` = its product);
a ``2 x 2`` block of a square lattice is ``block=(2, 2)``, i.e. ``B = 4``.

>>> from cumulants import rg
>>> rg.recursion(4, 2)[2]
Eq(kappa'_3, sqrt(2)*kappa_3/2)
>>> rg.classify(4, 2)
{1: 'relevant', 2: 'marginal', 3: 'irrelevant', 4: 'irrelevant'}
"""

from __future__ import annotations

import math
from functools import reduce

import mpmath
import numpy as np
import sympy

from ._numbers import check_order, join_domains, to_domain
from .algebra.univariate import kappa
from .errors import (
    InsufficientOrderError,
    InvalidParameterError,
    MethodUnavailableError,
    ShapeMismatchError,
    bad_argument,
)
from .state import Cumulants

__all__ = [
    "block_spin",
    "block_size",
    "recursion",
    "eigenvalues",
    "scaling_dimensions",
    "classify",
    "fixed_points",
    "doubling_eigenvalues",
    "flow",
    "flow_summary",
    "blockwise_network",
]

_NORMALISATIONS = {"sqrt": sympy.Rational(1, 2), "mean": sympy.Integer(1), "sum": sympy.Integer(0)}
_B = sympy.Symbol("b", positive=True)


# ------------------------------------------------------------------ validation helpers
def _exponent(normalisation):
    """The power ``p`` of the normalisation ``B^{-p}`` (sqrt: 1/2, mean: 1, sum: 0)."""
    if isinstance(normalisation, str):
        if normalisation not in _NORMALISATIONS:
            raise bad_argument("normalisation", normalisation, "'sqrt', 'mean' or 'sum'")
        return _NORMALISATIONS[normalisation]
    raise bad_argument("normalisation", normalisation, "'sqrt', 'mean' or 'sum'")


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, sympy.Integer)):
        raise bad_argument(name, value, "a positive integer")
    if int(value) < 1:
        raise bad_argument(name, value, "a positive integer")
    return int(value)


def _block_factor(value, name):
    """One block length: a positive integer or a sympy expression that may be positive."""
    if isinstance(value, sympy.Basic) and not value.is_Integer:
        if value.is_positive is False or value.is_real is False:
            raise bad_argument(name, value, "a positive integer or a positive sympy symbol")
        return value
    return sympy.Integer(_positive_int(value, name))


def block_size(block):
    """The number ``B`` of sites summed per block.

    ``block`` is ``B`` itself (integer or positive sympy symbol) or a block shape
    (tuple), whose product is ``B``.

    >>> block_size(3), block_size((2, 2))
    (3, 4)
    >>> block_size((sympy.Symbol('b', positive=True),) * 2)
    b**2
    """
    if isinstance(block, (tuple, list)):
        if not block:
            raise bad_argument("block", block, "a positive integer or a non-empty tuple of them")
        return reduce(lambda a, c: a * c, (_block_factor(v, "block") for v in block))
    return _block_factor(block, "block")


def _factors(block):
    return [_block_factor(v, "block") for v in block] if isinstance(block, (tuple, list)) \
        else [_block_factor(block, "block")]


def _eigenvalue(n, block, p):
    # prod(b_i ** (1 - n p)) rather than (prod b_i) ** (1 - n p): sympy then combines
    # (b, b) into b**(2 - n) without needing to know that b is positive.
    return reduce(lambda a, c: a * c, (f ** (1 - n * p) for f in _factors(block)))


def _default_block(block):
    return _B if block is None else block


# ------------------------------------------------------------------ the step as a layer
def block_spin(sites, block, normalisation="sqrt"):
    r"""The block-spin RG step as a :class:`~cumulants.layers.Dense` layer.

    1-D: ``sites`` = chain length ``L``, ``block`` = ``b``; output site ``k`` is
    :math:`w \sum_{i=kb}^{kb+b-1} x_i`.  2-D: ``sites = (L, M)``, ``block =
    (b1, b2)``, sites flattened row-major (site ``(r, c)`` is ``r*M + c``, and
    likewise for the coarse lattice).  The weight is :math:`w = B^{-1/2}`
    (``"sqrt"``, exact sympy), :math:`1/B` (``"mean"``) or 1 (``"sum"``).

    >>> block_spin(4, 2).weight.tolist()
    [[sqrt(2)/2, sqrt(2)/2, 0, 0], [0, 0, sqrt(2)/2, sqrt(2)/2]]
    >>> block_spin((2, 4), (2, 2), normalisation="mean").weight.tolist()[0]
    [1/4, 1/4, 0, 0, 1/4, 1/4, 0, 0]
    >>> block_spin(5, 2)
    Traceback (most recent call last):
    ...
    cumulants.errors.ShapeMismatchError: sites=5 is invalid: expected a multiple of the block length 2 along every axis
    """
    from .layers.dense import Dense

    shape, bshape = _lattice_shapes(sites, block)
    p = _exponent(normalisation)
    B = math.prod(bshape)
    w = sympy.Integer(B) ** (-p)
    coarse = tuple(s // b for s, b in zip(shape, bshape))
    n_out, n_in = math.prod(coarse), math.prod(shape)
    W = np.full((n_out, n_in), sympy.Integer(0), dtype=object)
    for out, members in enumerate(_blocks(shape, bshape)):
        W[out, members] = w
    return Dense(W)


def _lattice_shapes(sites, block):
    """Validated ``(shape, block_shape)`` tuples of integers for a 1-D or 2-D lattice."""
    if isinstance(sites, (tuple, list)):
        if len(sites) not in (1, 2):
            raise bad_argument("sites", sites, "an integer (chain) or a pair (L, M) (square lattice)",
                               ShapeMismatchError)
        shape = tuple(_positive_int(s, "sites") for s in sites)
    else:
        shape = (_positive_int(sites, "sites"),)
    if isinstance(block, (tuple, list)):
        bshape = tuple(_positive_int(b, "block") for b in block)
        if len(bshape) != len(shape):
            raise bad_argument("block", block, f"a block shape with {len(shape)} entries, one per "
                               f"lattice axis of sites={sites!r}", ShapeMismatchError)
    else:
        b = _positive_int(block, "block")
        bshape = (b,) * len(shape)
    from ._limits import MAX_ARRAY_ENTRIES, guard

    n_sites = int(np.prod(shape))
    guard("sites", n_sites * (n_sites // int(np.prod(bshape))), MAX_ARRAY_ENTRIES, shown=sites,
          limit_name="MAX_ARRAY_ENTRIES (entries of the block-spin weight matrix)",
          route="a smaller lattice, or rg.recursion / rg.flow on an i.i.d. state, which never "
                "form the weight matrix")
    for s, b in zip(shape, bshape):
        if s % b:
            shown = bshape[0] if len(bshape) == 1 else bshape
            raise bad_argument("sites", sites, "a multiple of the block length "
                               f"{shown} along every axis", ShapeMismatchError)
    return shape, bshape


def _blocks(shape, bshape):
    """Flat (row-major) site indices of every block, blocks in row-major order."""
    if len(shape) == 1:
        (L,), (b,) = shape, bshape
        return [list(range(k * b, (k + 1) * b)) for k in range(L // b)]
    (L, M), (b1, b2) = shape, bshape
    out = []
    for R in range(L // b1):
        for C in range(M // b2):
            out.append([(R * b1 + r) * M + C * b2 + c for r in range(b1) for c in range(b2)])
    return out


# ------------------------------------------------------------------ the recursion
def recursion(order, block=None, *, normalisation="sqrt"):
    r"""The RG recursion :math:`\kappa'_n = B^{1-n/2}\kappa_n`, ``n = 1..order``, as sympy equations.

    ``block`` defaults to the symbol ``b`` (positive).  For i.i.d. sites this is
    exact at every order (docs/formulas.md §2.1, Schulz §8.2 eq. 8.16).

    >>> recursion(2)
    [Eq(kappa'_1, sqrt(b)*kappa_1), Eq(kappa'_2, kappa_2)]
    >>> recursion(3, (2, 2), normalisation="mean")[1]
    Eq(kappa'_2, kappa_2/4)
    """
    order = check_order(order)
    block = _default_block(block)
    p = _exponent(normalisation)
    block_size(block)
    return [sympy.Eq(sympy.Symbol(f"kappa'_{n}", real=True), _eigenvalue(n, block, p) * kappa(n))
            for n in range(1, order + 1)]


def eigenvalues(order, block=None, *, normalisation="sqrt"):
    r"""Eigenvalues :math:`\lambda_n = B^{1 - n p}` of the step, ``n = 1..order`` (dict).

    ``p = 1/2`` for ``"sqrt"``, 1 for ``"mean"``, 0 for ``"sum"``.  With ``B = 2``
    these are the doubling-map eigenvalues of docs/formulas.md §8 oracle 16.

    >>> eigenvalues(5, 2)
    {1: sqrt(2), 2: 1, 3: sqrt(2)/2, 4: 1/2, 5: sqrt(2)/4}
    >>> eigenvalues(4, (2, 2))
    {1: 2, 2: 1, 3: 1/2, 4: 1/4}
    """
    order = check_order(order)
    block = _default_block(block)
    p = _exponent(normalisation)
    block_size(block)
    return {n: _eigenvalue(n, block, p) for n in range(1, order + 1)}


def scaling_dimensions(order, *, normalisation="sqrt"):
    r"""RG exponents :math:`y_n` with :math:`\lambda_n = B^{y_n}`: :math:`y_n = 1 - n/2` (dict).

    Positive: relevant; zero: marginal; negative: irrelevant.  They do not depend
    on the block size.

    >>> scaling_dimensions(4)
    {1: 1/2, 2: 0, 3: -1/2, 4: -1}
    """
    order = check_order(order)
    p = _exponent(normalisation)
    return {n: 1 - n * p for n in range(1, order + 1)}


def classify(order, block=None, *, normalisation="sqrt"):
    """``{n: "relevant" | "marginal" | "irrelevant"}`` for ``n = 1..order``.

    The eigenvalue ``B^{y_n}`` is compared with 1; a symbolic block is taken to
    have ``B > 1`` (``B = 1`` is the identity, where everything is marginal).

    >>> classify(3, 4, normalisation="mean")
    {1: 'marginal', 2: 'irrelevant', 3: 'irrelevant'}
    """
    order = check_order(order)
    block = _default_block(block)
    B = block_size(block)
    ys = scaling_dimensions(order, normalisation=normalisation)
    if B == 1:
        return {n: "marginal" for n in ys}
    return {n: "relevant" if y > 0 else ("marginal" if y == 0 else "irrelevant")
            for n, y in ys.items()}


def fixed_points(order, block=None, *, normalisation="sqrt"):
    r"""Solutions of :math:`\kappa'_n = \kappa_n` for ``n = 1..order`` (sympy ``solve``).

    A list of dicts; symbols absent from a dict are free.  ``"sqrt"``: the
    Gaussian line :math:`\kappa_1 = 0`, :math:`\kappa_2` free,
    :math:`\kappa_{n\ge3} = 0`.  ``"mean"``: the point mass at the mean
    (:math:`\kappa_1` free, all others 0; the law of large numbers).

    >>> fixed_points(4, 2)
    [{kappa_1: 0, kappa_3: 0, kappa_4: 0}]
    >>> fixed_points(3, normalisation="mean")
    [{kappa_2: 0, kappa_3: 0}]
    """
    eqs = recursion(order, block, normalisation=normalisation)
    ks = [kappa(n) for n in range(1, len(eqs) + 1)]
    system = [sympy.Eq(eq.rhs, k) for eq, k in zip(eqs, ks)]
    system = [e for e in system if e is not sympy.true]
    if not system:
        return [{}]
    return sympy.solve(system, ks, dict=True)


# ------------------------------------------------------------------ the doubling map
_MONOMIAL_INTEGRALS: dict = {}


def _gaussian_monomial_integral(k):
    """:math:`\\int_{-\\infty}^{\\infty} u^k e^{-u^2} du` by sympy integration (cached)."""
    if k not in _MONOMIAL_INTEGRALS:
        u = sympy.Symbol("u", real=True)
        _MONOMIAL_INTEGRALS[k] = sympy.integrate(u**k * sympy.exp(-u**2), (u, -sympy.oo, sympy.oo))
    return _MONOMIAL_INTEGRALS[k]


def _linearised_doubling_on_hermite(n, x):
    r""":math:`DT[\mathrm{He}_n f^*](x) = 2\sqrt2\,(f^* * \mathrm{He}_n f^*)(\sqrt2 x)`, by integration.

    With :math:`\varphi(y)\varphi(z-y) = e^{-z^2/4} e^{-(y-z/2)^2}/(2\pi)` the
    convolution is :math:`e^{-z^2/4}/(2\pi)\int \mathrm{He}_n(z/2-u) e^{-u^2} du`,
    integrated monomial by monomial with sympy.
    """
    z, u = sympy.symbols("z u", real=True)
    integrand = sympy.Poly(sympy.expand(sympy.hermite_prob(n, z / 2 - u)), u)
    inner = 0
    for (k,), coeff in integrand.terms():
        inner += coeff * _gaussian_monomial_integral(k)
    conv = sympy.exp(-z**2 / 4) / (2 * sympy.pi) * inner
    return 2 * sympy.sqrt(2) * conv.subs(z, sympy.sqrt(2) * x)


def doubling_eigenvalues(n_max, *, method="integral"):
    r"""Eigenvalues of the linearised doubling map on :math:`\mathrm{He}_n f^*`, ``n = 0..n_max``.

    :math:`T[f](x) = \sqrt2 (f*f)(\sqrt2 x)` has the Gaussian :math:`f^*` as fixed
    point; its linearisation :math:`DT[\delta] = 2\sqrt2 (f^* * \delta)(\sqrt2 x)`
    maps :math:`\mathrm{He}_n f^*` to :math:`2^{1-n/2}\,\mathrm{He}_n f^*` (docs/formulas.md
    §2.2, Sethna).  ``method="integral"`` applies the map with sympy integrals
    and checks that the ratio is a constant; ``"closed"`` returns
    :math:`2^{1-n/2}`.

    >>> doubling_eigenvalues(5)                      # docs/formulas.md §8 oracle 16
    {0: 2, 1: sqrt(2), 2: 1, 3: sqrt(2)/2, 4: 1/2, 5: sqrt(2)/4}
    """
    n_max = check_order(n_max, "n_max", minimum=0)
    if method == "closed":
        return {n: sympy.Integer(2) ** (1 - sympy.Rational(n, 2)) for n in range(n_max + 1)}
    if method != "integral":
        raise bad_argument("method", method, "'integral' or 'closed'", MethodUnavailableError)
    x = sympy.Symbol("x", real=True)
    phi = sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)
    out = {}
    for n in range(n_max + 1):
        delta = sympy.hermite_prob(n, x) * phi
        ratio = sympy.cancel(sympy.powsimp(_linearised_doubling_on_hermite(n, x) / delta))
        if ratio.has(x):  # pragma: no cover - would falsify docs/formulas.md §2.2
            raise ArithmeticError(f"He_{n} f* is not an eigenfunction: ratio {ratio}")
        out[n] = sympy.nsimplify(ratio)
    return out


# ------------------------------------------------------------------ flows
def flow(state, steps, block=None, *, step=None, shape=None, normalisation="sqrt", order=None,
         include_initial=False):
    r"""Coarse-grain a lattice state ``steps`` times; the list of states after each step.

    Exact flow (``block=``): every step is :func:`block_spin` acting on the full
    joint cumulants (multilinearity, docs/formulas.md §2.2), so correlated and non-i.i.d.
    states are handled; independent states keep the independent layout
    (:math:`\kappa_n(x'_k) = w^n\sum_{i\in k}\kappa_n(x_i)`).  The lattice size
    must be divisible by ``b**steps`` along every axis.

    Learned flow (``step=``): a :class:`~cumulants.layers.Network` mapping one
    block (``B`` inputs, in block row-major order) to one site, applied to every
    block; the output of step ``k`` is the input of step ``k + 1``.  Polynomial
    steps are exact; output order ``n`` of a degree-``d`` step needs input order
    ``n d`` per step, which is worked out up front.  Non-polynomial steps use
    their own (labelled approximate) propagation.

    2-D lattices: ``shape=(L, M)`` (inferred as square when ``dim`` is a perfect
    square and ``block`` is a pair) with ``block=(b1, b2)``.

    >>> from cumulants.distributions import Exponential
    >>> x = Cumulants.iid(Exponential(1), 16, order=4)
    >>> [s.marginal(0) for s in flow(x, 2, block=4)][-1]     # docs/formulas.md §8 oracle 14, N = 16
    [4, 1, 1/2, 3/8]
    """
    from .layers.network import Network

    if not isinstance(state, Cumulants):
        raise bad_argument("state", state, "a cumulants.Cumulants instance")
    steps = check_order(steps, "steps", minimum=0)
    if block is None and step is None:
        raise InvalidParameterError("flow needs block= (the exact step) or step= (a learned step)")
    _exponent(normalisation)
    if step is not None:
        from .layers.base import Layer

        if not isinstance(step, Layer):
            raise bad_argument("step", step, "a cumulants Network (or layer) mapping one block to one site")
        step = step if isinstance(step, Network) else Network([step])
        B_in = step.in_dim()
        if B_in is None:
            raise bad_argument("step", step, "a network whose first map has a fixed input width "
                               "(start with a Dense layer)", ShapeMismatchError)
        if step.out_dim(B_in) != 1:
            raise bad_argument("step", step, f"a network with one output (it has {step.out_dim(B_in)})",
                               ShapeMismatchError)
    shape, bshape = _flow_shapes(state, block, shape, step)
    B = math.prod(bshape)
    if step is not None and step.in_dim() != B:
        raise ShapeMismatchError(f"the step network takes {step.in_dim()} inputs but a block has "
                                 f"{B} sites (block={bshape if len(bshape) > 1 else bshape[0]})")
    for s, b in zip(shape, bshape):
        if s % (b ** steps):
            raise ShapeMismatchError(
                f"lattice shape {shape} is not divisible by block**steps = "
                f"{tuple(b ** steps for b in bshape)}: use fewer steps or a larger lattice")
    order = state.order if order is None else check_order(order)

    # orders[k] = order needed after k steps (orders[steps] = order)
    orders = [order]
    for _ in range(steps):
        orders.append(step.required_order(orders[-1]) if step is not None else order)
    orders = orders[::-1]
    need = orders[0]
    if need > state.order and not state.known_to(need):
        raise InsufficientOrderError(
            f"{steps} learned step(s) with output order {order} need input cumulants up to order "
            f"{need}; the state holds order {state.order}. Build it with order >= {need} (or from "
            "distributions, which extend exactly)")
    cur = state.extend(need) if need > state.order else state
    out = [cur.truncate(order)] if include_initial else []
    for k in range(steps):
        if step is None:
            cur = _exact_step(cur, shape, bshape, normalisation, orders[k + 1])
        else:
            cur = _learned_step(cur, shape, bshape, step, orders[k + 1])
        shape = tuple(s // b for s, b in zip(shape, bshape))
        out.append(cur.truncate(order) if cur.order > order else cur)
    return out


def _flow_shapes(state, block, shape, step):
    if shape is None:
        two_d = isinstance(block, (tuple, list)) and len(block) == 2
        if two_d:
            r = math.isqrt(state.dim)
            if r * r != state.dim:
                raise bad_argument("shape", shape, f"the lattice shape (L, M) with L*M = {state.dim}",
                                   ShapeMismatchError)
            shape = (r, r)
        else:
            shape = (state.dim,)
    shape = tuple(_positive_int(s, "shape") for s in
                  (shape if isinstance(shape, (tuple, list)) else (shape,)))
    if math.prod(shape) != state.dim:
        raise ShapeMismatchError(f"shape={shape} has {math.prod(shape)} sites; the state has dim={state.dim}")
    if block is None:  # learned step without an explicit block: infer from its width
        width = step.in_dim()
        if len(shape) == 1:
            block = width
        else:
            r = math.isqrt(width)
            if r * r != width:
                raise bad_argument("block", block, "the block shape (b1, b2) of the learned step",
                                   ShapeMismatchError)
            block = (r, r)
    if not isinstance(block, (tuple, list)):
        block = (block,) * len(shape)
    if len(block) != len(shape):
        raise bad_argument("block", block, f"{len(shape)} block lengths for the lattice shape {shape}",
                           ShapeMismatchError)
    bshape = tuple(_positive_int(b, "block") for b in block)
    return shape, bshape


def _weight(B, normalisation, domain):
    w = sympy.Integer(B) ** (-_exponent(normalisation))
    return to_domain(w, domain)


def _independent_state(marginals, state, dists=None, zero_above=None, exact=None, method=None,
                       domain=None):
    """An independent-layout state from per-order arrays of marginal cumulants."""
    from .state import _as_storage

    domain = state.domain if domain is None else domain
    data = [_as_storage(m, domain) for m in marginals]
    return Cumulants(len(marginals[0]), len(marginals), domain, "independent", data,
                     zero_above=zero_above, dists=dists,
                     exact=state.exact if exact is None else exact,
                     method=state.method if method is None else method)


def _exact_step(state, shape, bshape, normalisation, order):
    blocks = _blocks(shape, bshape)
    B = math.prod(bshape)
    if not state.is_independent:
        return block_spin(shape if len(shape) > 1 else shape[0], bshape if len(bshape) > 1
                          else bshape[0], normalisation).propagate(state, order)
    w = _weight(B, normalisation, state.domain)
    marginals = []
    for n in range(1, order + 1):
        diag = state.diagonal(n)
        wn = w ** n
        vals = [wn * reduce(lambda a, c: a + c, (diag[i] for i in members)) for members in blocks]
        if state.domain == "exact":
            vals = [sympy.expand(v) for v in vals]
        marginals.append(vals)
    dists = None
    if state.distributions is not None:
        from .distributions import Affine, independent_sum

        ws = sympy.Integer(B) ** (-_exponent(normalisation))
        dists = tuple(Affine(independent_sum(*(state.distributions[i] for i in members)), ws)
                      if ws != 1 else independent_sum(*(state.distributions[i] for i in members))
                      for members in blocks)
        if state.domain != "exact":
            dists = None  # keep exact laws only alongside exact entries
    return _independent_state(marginals, state, dists=dists, zero_above=state.zero_above)


def _sub_state(state, members, order):
    """The independent marginal state of the sites ``members`` up to ``order``."""
    marginals = [[state.diagonal(n)[i] for i in members] for n in range(1, order + 1)]
    return _independent_state(marginals, state, zero_above=state.zero_above)


def _learned_step(state, shape, bshape, step, order):
    blocks = _blocks(shape, bshape)
    if state.is_independent:
        cache = {}
        marginals = [[None] * len(blocks) for _ in range(order)]
        exact, method = state.exact, state.method
        for k, members in enumerate(blocks):
            sub = _sub_state(state, members, state.order)
            key = tuple(tuple(sub.diagonal(n)) for n in range(1, sub.order + 1))
            if key not in cache:
                cache[key] = step.propagate(sub, order)
            res = cache[key]
            exact, method = res.exact and exact, res.method
            for n in range(1, order + 1):
                marginals[n - 1][k] = res[(0,) * n]
        gauss = state.zero_above if _is_affine(step) else None
        domain = join_domains(res.domain for res in cache.values())
        return _independent_state(marginals, state, zero_above=gauss, exact=exact, method=method,
                                  domain=domain)
    return blockwise_network(step, shape, bshape).propagate(state, order)


def _is_affine(net):
    """Whether every layer is affine (Dense, identity, degree <= 1 polynomial)."""
    return all(layer.is_polynomial and (getattr(layer, "degree", 1) or 0) <= 1
               for layer in _flatten(net))


def blockwise_network(step, shape, block):
    """The block-diagonal network applying ``step`` to every block of a lattice.

    Copies of each ``Dense`` layer are stacked block-diagonally (``I ⊗ W``, bias
    tiled); elementwise activations act on all units at once.  For a 2-D lattice
    a permutation first gathers each block's sites (row-major within the block).

    >>> from cumulants.layers import Dense, Network
    >>> blockwise_network(Network([Dense([[1, 1]])]), (4,), (2,)).layers[0].weight.tolist()
    [[1, 1, 0, 0], [0, 0, 1, 1]]
    """
    from .layers.dense import Dense
    from .layers.network import Network

    from .layers.base import Layer

    if not isinstance(step, Layer):
        raise bad_argument("step", step, "a cumulants Network or layer mapping one block to "
                           "one site")
    for name, value in (("shape", shape), ("block", block)):
        if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list, int, np.integer)):
            raise bad_argument(name, value, "an integer or a tuple of integers (lattice shape)",
                               ShapeMismatchError)
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    block = tuple(block) if isinstance(block, (tuple, list)) else (block,)
    shape, bshape = _lattice_shapes(shape, block)
    blocks = _blocks(shape, bshape)
    n_blocks, n_sites = len(blocks), math.prod(shape)
    layers = _flatten(step)
    out = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Dense):
            W = layer.weight
            Wbd = _block_diag(W, n_blocks)
            bias = None if layer.bias is None else np.tile(layer.bias, n_blocks)
            out.append(Dense(Wbd, bias))
        elif layer.in_dim() is None:
            out.append(layer)
        else:
            raise bad_argument(f"step.layers[{i}]", layer,
                               "Dense layers and elementwise activations only", ShapeMismatchError)
    order = [i for members in blocks for i in members]
    if order != list(range(n_sites)):
        P = np.full((n_sites, n_sites), sympy.Integer(0), dtype=object)
        for new, old in enumerate(order):
            P[new, old] = sympy.Integer(1)
        out.insert(0, Dense(P))
    return Network(out)


def _flatten(net):
    from .layers.network import Network

    out = []
    for layer in net.layers:
        out.extend(_flatten(layer) if isinstance(layer, Network) else [layer])
    return out


def _block_diag(W, n):
    r, c = W.shape
    if W.dtype == object:
        out = np.full((n * r, n * c), sympy.Integer(0), dtype=object)
    else:
        out = np.zeros((n * r, n * c), dtype=W.dtype)
    for k in range(n):
        out[k * r:(k + 1) * r, k * c:(k + 1) * c] = W
    return out


def flow_summary(states, *, site=0, start=1):
    r"""Per state: the cumulants of one site, skewness and excess kurtosis.

    Rows are dicts ``{"step", "kappa", "skewness", "excess_kurtosis"}`` with
    skewness :math:`\kappa_3/\kappa_2^{3/2}` and excess kurtosis
    :math:`\kappa_4/\kappa_2^2` (``None`` when the order is not held or
    :math:`\kappa_2 = 0`).  ``start`` numbers the first row (1 for the output of
    :func:`flow`, 0 with ``include_initial=True``).  Under the exact i.i.d. flow
    with block ``B`` they shrink by :math:`B^{-1/2}` and :math:`B^{-1}` per step.

    >>> from cumulants.distributions import Exponential
    >>> x = Cumulants.iid(Exponential(1), 4, order=4)
    >>> [(r["step"], r["skewness"], r["excess_kurtosis"])
    ...  for r in flow_summary(flow(x, 2, block=2, include_initial=True), start=0)]
    [(0, 2, 6), (1, sqrt(2), 3), (2, 1, 3/2)]
    """
    if states is None or isinstance(states, (str, bytes)):
        raise bad_argument("states", states, "a sequence of Cumulants states (e.g. from rg.flow)")
    try:
        states = list(states)
    except TypeError:
        raise bad_argument("states", states,
                           "a sequence of Cumulants states (e.g. from rg.flow)") from None
    for i, s in enumerate(states):
        if not isinstance(s, Cumulants):
            raise bad_argument(f"states[{i}]", s, "a cumulants.Cumulants instance")
    rows = []
    for k, s in enumerate(states):
        ks = s.marginal(site)
        exact = s.domain == "exact"
        k2 = ks[1] if len(ks) >= 2 else None
        skew = kurt = None
        if k2 is not None and k2 != 0:
            if len(ks) >= 3:
                skew = sympy.simplify(ks[2] / k2 ** sympy.Rational(3, 2)) if exact else \
                    ks[2] / k2 ** 1.5 if s.domain == "float" else ks[2] / mpmath.power(k2, 1.5)
            if len(ks) >= 4:
                kurt = sympy.simplify(ks[3] / k2**2) if exact else ks[3] / k2**2
        rows.append({"step": start + k, "kappa": ks, "skewness": skew, "excess_kurtosis": kurt})
    return rows
