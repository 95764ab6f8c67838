r"""Generalisation in closed form: cumulants of the error of a network on any input law.

For polynomial networks the error :math:`e(x) = f(x) - f^*(x)` of a model
``f`` against a target ``f*`` is itself a polynomial of the input, so its
cumulants -- and the mean squared error

.. math::  \mathrm{MSE} = E[e^2] = \sum_{o} \kappa_1(e_o)^2 + \kappa_2(e_o)

-- are exact functions of the input cumulants.
Training and test distributions enter only through their cumulants, so the
generalisation gap is a closed form too.  For the one-hidden-layer quadratic
network :math:`y = c_0 + g\cdot x + \alpha x^T M x` and i.i.d. zero-mean
inputs (docs/formulas.md §7):

.. math::

    E[e] = c_0 + \alpha\kappa_2 \operatorname{tr}M,\qquad
    \operatorname{Var}[e] = \kappa_2|\delta|^2 + 2\alpha\kappa_3\sum_i \delta_i M_{ii}
      + \alpha^2\big(2\kappa_2^2\operatorname{tr}M^2 + \kappa_4\sum_i M_{ii}^2\big),

:math:`\delta = g - g^*` (:func:`constrained_mlp_error`, checked against
:func:`mse`).  Same-sign output weights make :math:`M` semidefinite, so the
quadratic remainder cannot cancel: the best such model keeps an error that
depends on the test law's :math:`\kappa_4` (:func:`same_sign_lower_bound`,
:func:`worked_gaps`).

>>> import sympy
>>> from cumulants.layers import Dense, Network, Quadratic
>>> from cumulants.state import Cumulants
>>> a = sympy.Symbol("a")
>>> model = Network([Dense([[a, a]]), Quadratic(1)])
>>> target = Dense([[1, 1]])
>>> x = Cumulants.symbolic(2, 4).subs({"kappa_1": 0})
>>> sympy.factor(mse(model, target, x).subs(a, 0))
2*kappa_2
"""

from __future__ import annotations

import numpy as np
import sympy

from ._approximate import ApproximateValue
from ._numbers import check_order, number_context, sympify_exact, to_domain
from .errors import (
    InvalidParameterError,
    MethodUnavailableError,
    NotPolynomialError,
    ShapeMismatchError,
    bad_argument,
)
from .state import Cumulants

__all__ = [
    "ApproximateValue",
    "error_cumulants",
    "mse",
    "gap",
    "optimal_parameters",
    "reduce_roots",
    "quadratic_network_form",
    "constrained_mlp_error",
    "sign_family",
    "same_sign_lower_bound",
    "worked_gaps",
    "substitute",
]

_SURROGATES = ("hermite", "taylor")


# ------------------------------------------------------------------ helpers
def _as_network(obj, name):
    from .layers.base import Layer
    from .layers.network import Network

    if isinstance(obj, Network):
        return obj
    if isinstance(obj, Layer):
        return Network([obj])
    raise bad_argument(name, obj, "a cumulants Network or layer (e.g. Dense)")


def _check_pair(model, target, state):
    if not isinstance(state, Cumulants):
        raise bad_argument("state", state, "a cumulants.Cumulants instance")
    model = _as_network(model, "model")
    target = _as_network(target, "target")
    d_m, d_t = model.in_dim(), target.in_dim()
    for name, d in (("model", d_m), ("target", d_t)):
        if d is None:
            raise bad_argument(name, d, "a network that starts with a Dense layer (fixed input width)",
                               ShapeMismatchError)
        if d != state.dim:
            raise ShapeMismatchError(f"{name} takes inputs of width {d}; the state has dim={state.dim}")
    o_m, o_t = model.out_dim(d_m), target.out_dim(d_t)
    if o_m != o_t:
        raise ShapeMismatchError(f"model has {o_m} outputs but target has {o_t}: they must match")
    return model, target


def _surrogate_network(net, state, method, degree):
    """``net`` with every non-polynomial activation replaced by its polynomial surrogate.

    Each surrogate is fitted to the pre-activation mean and variance obtained by
    propagating ``state`` through the (already surrogate) layers before it.
    """
    from .layers.network import Network

    layers, labels = [], []
    for layer in net.layers:
        if not layer.is_polynomial:
            if not hasattr(layer, "surrogate"):
                raise NotPolynomialError(f"{layer!r} has no polynomial surrogate")
            pre = Network(layers).propagate(state, 2) if layers else state
            layer = layer.surrogate(pre, method=method, degree=degree)
            labels.append(f"{method}-{layer.degree}")
        layers.append(layer)
    return Network(layers), labels


def _ring_kind(R):
    if R.domain == sympy.EX:
        return 2
    if R.domain.is_RealField:
        return 1
    return 0


def _error_polys(model, target, state, method, degree):
    """Ring elements of ``f - f*`` in a common ring, the back-substitution, (exact, label).

    Irrational constants in the coefficients (``sqrt(2)``, root objects) are
    replaced by placeholder symbols so that the arithmetic runs in a ring of
    polynomials over ``QQ`` rather than in sympy's slow expression domain;
    ``restore`` maps results back (a ring homomorphism, so this is exact).
    """
    from .algebra.polynomial import polynomial_ring

    exact, labels = True, []
    nets = []
    for name, net in (("model", model), ("target", target)):
        if not net.is_polynomial:
            if method is None:
                raise NotPolynomialError(
                    f"the {name} {net!r} is not polynomial, so its error has no exact cumulants; "
                    "pass method='hermite' or method='taylor' (with degree=) for a labelled "
                    "polynomial-surrogate approximation")
            if method not in _SURROGATES:
                raise bad_argument("method", method, "'hermite' or 'taylor'", MethodUnavailableError)
            net, lab = _surrogate_network(net, state, method, degree)
            exact, labels = False, labels + lab
        elif method is not None and method not in _SURROGATES:
            raise bad_argument("method", method, "'hermite' or 'taylor'", MethodUnavailableError)
        nets.append(net)
    pm = nets[0].polynomial(as_ring=True)
    pt = nets[1].polynomial(as_ring=True)
    rings = [p.ring for p in pm + pt if hasattr(p, "ring")]
    kind = max((_ring_kind(R) for R in rings), default=0)
    d = state.dim
    if kind == 2:
        R, _ = polynomial_ring(d, "exact", symbolic=True)
    elif kind == 1:
        R, _ = polynomial_ring(d, "mpmath" if state.domain == "mpmath" else "float")
    else:
        R, _ = polynomial_ring(d, "exact")

    def lift(p):
        return p.set_ring(R) if hasattr(p, "set_ring") else R(p)

    diffs = [lift(a) - lift(b) for a, b in zip(pm, pt)]
    restore = {}
    ctx = number_context(state.domain, *(net._ring_domain()[0] for net in nets))
    if kind == 2 and ctx != "exact" and not any(
            c.ex.free_symbols for p in diffs for c in p.itercoeffs()):
        # a float entered: irrational exact constants (sqrt(2)/2) are evaluated in the
        # float (or mpmath) context once, here, instead of failing downstream
        Rn, _ = polynomial_ring(d, ctx)
        diffs = [Rn.from_dict({m: to_domain(c.ex, ctx) for m, c in p.iterterms()})
                 if p else Rn.zero for p in diffs]
        kind = 1
    if kind == 2:
        diffs, restore = _placeholders(diffs, R)
    return diffs, restore, exact, "+".join(labels) if labels else None


def _placeholders(polys, R):
    """Replace irrational constants in EX coefficients by symbols; the inverse map."""
    coeffs = [c.ex for p in polys for c in p.itercoeffs()]
    try:
        _, opt = sympy.parallel_poly_from_expr(coeffs) if coeffs else (None, None)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded):
        return polys, {}
    if opt is None:
        return polys, {}
    consts = [g for g in opt.gens if not g.free_symbols]
    if not consts:
        return polys, {}
    forward = {g: sympy.Symbol(f"_const{k}", real=True) for k, g in enumerate(consts)}
    out = []
    for p in polys:
        out.append(R.from_dict({m: sympy.EX(c.ex.xreplace(forward)) for m, c in p.iterterms()})
                   if p else R.zero)
    return out, {v: k for k, v in forward.items()}


def _restore(value, restore):
    if not restore or not isinstance(value, sympy.Basic):
        return value
    return sympy.expand(value.xreplace(restore))


def _wants_float(model, target, state):
    """Whether a float enters (weights or state): then numeric results are returned as floats."""
    if state.domain in ("float", "mpmath"):
        return True
    return any(net._ring_domain()[0] in ("float", "mpmath") for net in (model, target))


def _as_float_if_numeric(value, wants):
    if wants and isinstance(value, sympy.Basic) and not value.free_symbols:
        return float(value)
    return value


def error_cumulants(model, target, state, order=2, *, method=None, degree=None):
    r"""Joint cumulants up to ``order`` of the error vector :math:`e = f(x) - f^*(x)`.

    ``model`` and ``target`` are networks (or single layers such as ``Dense``)
    with the same input and output widths.  Exact when both are polynomial: the
    difference is built in one sparse polynomial ring and its cumulants come
    from :func:`~cumulants.algebra.polynomial.polynomial_cumulants` (output order
    ``n`` needs input order ``n * degree``).  Non-polynomial networks raise
    :class:`~cumulants.errors.NotPolynomialError` unless ``method="hermite"`` or
    ``"taylor"`` is given: each non-polynomial activation is then replaced by its
    polynomial surrogate (fitted to its pre-activation mean and variance) and the
    result is labelled ``exact=False`` with the method.

    >>> from cumulants.layers import Dense, Network, Polynomial
    >>> from cumulants.distributions import Normal
    >>> x = Cumulants.iid(Normal(0, 1), 1, 2)
    >>> error_cumulants(Network([Dense([[1]]), Polynomial([0, 1, 1])]), Dense([[1]]), x, 3).marginal(0)
    [1, 2, 8]
    """
    model, target = _check_pair(model, target, state)
    order = check_order(order)
    from .algebra.polynomial import polynomial_cumulants

    diffs, restore, exact, label = _error_polys(model, target, state, method, degree)
    out = polynomial_cumulants(diffs, state, order, joint=True)
    if restore:
        out = out.map_entries(lambda v: _restore(v, restore))
    # (a network that mixes symbols with floats is refused, so a float result has no symbols)
    if _wants_float(model, target, state) and out.domain == "exact":
        out = out.evalf()
    if not exact:
        prev = state.method if not state.exact else None
        out = out.replace(exact=False, method="+".join(m for m in (prev, label) if m))
    return out


def mse(model, target, state, *, method=None, degree=None):
    r"""Exact mean squared error :math:`\sum_o \kappa_1(e_o)^2 + \kappa_2(e_o)` on the law ``state``.

    Needs input cumulants up to twice the degree of the error polynomial; any
    law with those cumulants works (Gaussian, uniform, Rademacher, skewed, or
    symbolic).  ``method=`` as in :func:`error_cumulants`: a numeric result is then an
    :class:`ApproximateValue` (a float with ``.exact = False``, ``.method`` and
    ``.error``, the last ``None`` since the network-level error is not estimated).
    Exact and float inputs mix: exact irrational weights (``sqrt(2)/2``) meet a float
    state as floats (:func:`cumulants._numbers.number_context`).

    >>> from cumulants.layers import Dense
    >>> from cumulants.distributions import Exponential
    >>> mse(Dense([[1, 0]]), Dense([[0, 1]]), Cumulants.iid(Exponential(1), 2, 2))
    2
    """
    model, target = _check_pair(model, target, state)
    from .algebra.polynomial import polynomial_cumulants

    diffs, restore, exact, label = _error_polys(model, target, state, method, degree)
    out = polynomial_cumulants(diffs, state, 2, joint=False)
    total = sum(out[(o,)] ** 2 + out[(o, o)] for o in range(out.dim))
    if restore:
        total = _restore(total, restore)
    elif isinstance(total, sympy.Basic):
        total = sympy.expand(total)
    total = _as_float_if_numeric(total, _wants_float(model, target, state))
    if not exact and isinstance(total, (float, np.floating)):
        prev = state.method if not state.exact else None
        return ApproximateValue(total, "+".join(m for m in (prev, label) if m))
    return total


def gap(model, target, train_state, test_state, *, method=None, degree=None):
    r"""Generalisation gap: test MSE minus train MSE, both exact for polynomial networks.

    >>> from cumulants.layers import Dense, Network, Quadratic
    >>> from cumulants.distributions import Normal, Rademacher
    >>> net = Network([Dense([[1]]), Quadratic(1)])
    >>> gap(net, Dense([[1]]), Cumulants.iid(Normal(0, 1), 1, 4), Cumulants.iid(Rademacher(), 1, 4))
    -2
    """
    tr = mse(model, target, train_state, method=method, degree=degree)
    te = mse(model, target, test_state, method=method, degree=degree)
    diff = te - tr
    return sympy.simplify(diff) if isinstance(diff, sympy.Basic) else diff


# ------------------------------------------------------------------ closed-form training
def _family_symbols(net):
    syms = set()
    for layer in net.layers:
        for attr in ("weight", "bias", "coeffs"):
            v = getattr(layer, attr, None)
            if v is None:
                continue
            for e in np.asarray(v, dtype=object).ravel():
                if isinstance(e, sympy.Basic):
                    syms |= e.free_symbols
    return sorted(syms, key=lambda s: s.name)


def _numeric(value, dps=40):
    return complex(sympy.N(value, dps))


def _is_real(value, tol=1e-12):
    try:
        z = _numeric(value, 30)
    except (TypeError, ValueError):
        return True  # symbolic: cannot decide, keep
    return abs(z.imag) <= tol * max(1.0, abs(z.real))


def _real_roots(poly, x):
    """Exact real roots of a univariate polynomial.

    Over ``QQ`` every irreducible factor gives rationals, square roots or
    ``CRootOf`` objects; with algebraic coefficients, radicals (degree <= 4).
    """
    P = sympy.Poly(poly, x)
    if P.degree() == 1:
        return [sympy.radsimp(-P.nth(0) / P.nth(1))]
    if P.domain.is_QQ or P.domain.is_ZZ:
        out = []
        for f, _ in P.factor_list()[1]:
            if f.degree() <= 2:
                out.extend(r for r in sympy.roots(f, x) if r.is_real)
            else:
                out.extend(f.real_roots())
        return out
    roots = sympy.roots(P, x)
    if sum(roots.values()) != P.degree():
        raise NotImplementedError(f"no closed-form roots for {poly}")
    return [r for r in roots if _is_real(r, 1e-25)]


def reduce_roots(expr):
    """Reduce a rational expression in ``CRootOf`` numbers modulo their minimal polynomials.

    Powers of a root ``r`` of an irreducible ``p`` above ``deg p - 1`` and
    denominators in ``r`` are rewritten in the basis ``1, r, .., r^{deg p - 1}``
    (exact; sympy leaves them unreduced).

    >>> r = sympy.CRootOf(sympy.Symbol("x")**3 - 2, 0)
    >>> reduce_roots(r**4 + 1 / r)
    CRootOf(x**3 - 2, 0)**2/2 + 2*CRootOf(x**3 - 2, 0)
    """
    expr = sympify_exact(expr, "expr")
    for r in sorted(expr.atoms(sympy.CRootOf), key=str):
        y = sympy.Dummy("y")
        p = r.poly.as_expr().subs(r.poly.gen, y)
        e = sympy.together(expr.xreplace({r: y}))
        num, den = sympy.fraction(e)
        if den.has(y):
            inv = sympy.invert(sympy.expand(den), p, y)
            num, den = sympy.expand(num * inv), sympy.Integer(1)
        try:
            num = sympy.rem(sympy.expand(num), p, y)
        except sympy.PolynomialError:
            continue
        expr = sympy.expand(num.xreplace({y: r}) / den)
    return expr


def _stationary_points(eqs, params):
    """Real solutions of a zero-dimensional polynomial system, by a lex Groebner basis.

    The triangular basis is solved from the last variable up: each step takes
    the lowest-degree basis element in the new variable (after substituting the
    values found so far), its exact real roots, and keeps those that satisfy
    the other elements (checked at 50 digits).  Raises ``NotImplementedError``
    for positive-dimensional systems (callers fall back to ``sympy.solve``).
    """
    G = sympy.groebner(eqs, *params, order="lex", extension=True)
    exprs = list(G.exprs)
    if exprs == [1]:
        return []
    if not G.is_zero_dimensional:
        raise NotImplementedError("positive-dimensional set of stationary points")
    sols = [{}]
    for j in range(len(params) - 1, -1, -1):
        x = params[j]
        later = set(params[j:])
        mine = [e for e in exprs if x in e.free_symbols and e.free_symbols <= later]
        found = []
        for sol in sols:
            polys = [sympy.expand(e.xreplace(sol)) for e in mine]
            polys = [q for q in polys if q.has(x)]
            if not polys:  # pragma: no cover - excluded by zero-dimensionality
                raise NotImplementedError("free variable")
            polys.sort(key=lambda q: sympy.degree(q, x))
            for root in _real_roots(polys[0], x):
                if all(abs(_numeric(q.xreplace({x: root}), 50)) < 1e-30 for q in polys[1:]):
                    found.append({**sol, x: root})
        sols = found
    return [{p: reduce_roots(sol[p]) for p in params} for sol in sols]


def optimal_parameters(family, target, train_state, params=None, *, real=True):
    r"""Closed-form least-squares stationary points of a small symbolic family.

    ``family`` is a network whose weights contain sympy symbols (the parameters;
    ``params`` restricts which are solved for, the others stay symbolic).  The
    exact training MSE :math:`L(\theta)` is a polynomial in the parameters
    (:func:`mse`); this returns the solutions of :math:`\nabla L = 0` as a list
    of dicts, sorted by their training MSE when it is numeric (so the first is
    the best stationary point).  Zero-dimensional systems are solved exactly
    through a lex Groebner basis (real roots as rationals, radicals or
    ``CRootOf``; ``real=True`` keeps real ones only); otherwise
    ``sympy.solve`` is used, and parameters missing from a dict are free along
    a manifold of stationary points.  Keep the families small: polynomial
    system solving is exponential in the worst case.

    >>> from cumulants.layers import Dense, Network
    >>> from cumulants.distributions import Normal
    >>> a, c = sympy.symbols("a c")
    >>> tied = Dense([[a, a]], [c])                                # y = a x1 + a x2 + c
    >>> target = Dense([[1 / sympy.sqrt(2)] * 2])
    >>> optimal_parameters(tied, target, Cumulants.iid(Normal(1, 1), 2, 2))
    [{a: sqrt(2)/2, c: 0}]
    """
    family = _as_network(family, "family")
    symbols = _family_symbols(family)
    if params is None:
        params = symbols
    else:
        params = list(params)
        for p in params:
            if not isinstance(p, sympy.Symbol) or p not in symbols:
                raise bad_argument("params", p, f"symbols of the family's weights, among {symbols}")
    if not params:
        raise bad_argument("family", family, "a network with sympy symbols in its weights")
    loss = sympy.sympify(mse(family, target, train_state))
    grad = [sympy.expand(sympy.diff(loss, p)) for p in params]
    grad = [g for g in grad if g != 0]
    if not grad:
        return [{}]
    numeric = not (set().union(*(g.free_symbols for g in grad)) - set(params))
    sols = None
    if numeric:
        try:
            sols = _stationary_points(grad, params)
        except (NotImplementedError, sympy.PolynomialError):
            sols = None
    if sols is None:
        sols = sympy.solve(grad, params, dict=True)
        if real:
            sols = [s for s in sols if all(_is_real(v) for v in s.values())]
    values = []
    for s in sols:
        try:
            values.append(float(sympy.N(loss.xreplace(s))))
        except (TypeError, ValueError):
            values = None
            break
    if values is not None:
        sols = [sols[i] for i in np.argsort(values, kind="stable")]
    return sols


# ------------------------------------------------------------------ one hidden quadratic layer
def quadratic_network_form(net):
    r"""``(c0, g, M)`` with :math:`y = c_0 + g\cdot x + \alpha x^T M x` for ``Dense, z + alpha z^2, Dense``.

    For hidden units :math:`z_k = w_k\cdot x + b_k`, output weights :math:`v_k`
    and output bias :math:`c` (docs/formulas.md §7):

    .. math::

        M = \sum_k v_k w_k w_k^T,\quad
        g = \sum_k v_k w_k + 2\alpha\sum_k v_k b_k w_k,\quad
        c_0 = c + \sum_k v_k b_k + \alpha\sum_k v_k b_k^2 .

    ``g`` is a column ``sympy.Matrix``, ``M`` a symmetric one.  The activation
    must be ``Quadratic(alpha)`` (or ``Polynomial([0, 1, alpha])``, or the
    identity, ``alpha = 0``) and the network must have one output.

    >>> from cumulants.layers import Dense, Network, Quadratic
    >>> net = Network([Dense([[1, 1], [1, -1]], [1, 0]), Quadratic(2), Dense([[1, 1]], [3])])
    >>> c0, g, M = quadratic_network_form(net)
    >>> c0, g.T, M
    (6, Matrix([[6, 4]]), Matrix([
    [2, 0],
    [0, 2]]))
    """
    from .layers.activations import Polynomial
    from .layers.dense import Dense

    net = _as_network(net, "net")
    layers = list(net.layers)
    shape_msg = "a network [Dense(W, b), Quadratic(alpha), Dense(v, c)] with one output"
    if len(layers) != 3 or not isinstance(layers[0], Dense) or not isinstance(layers[2], Dense):
        raise bad_argument("net", net, shape_msg, ShapeMismatchError)
    act = layers[1]
    if not isinstance(act, Polynomial) or act.degree > 2 or act.coeffs[0] != 0 or \
            (act.degree >= 1 and act.coeffs[1] != 1):
        raise bad_argument("net.layers[1]", act, "the activation z + alpha z^2 "
                           "(Quadratic(alpha), Polynomial([0, 1, alpha]) or Identity())")
    W = sympy.Matrix(layers[0].weight.tolist())
    h, d = W.shape
    b = sympy.Matrix(layers[0].bias.tolist()) if layers[0].bias is not None else sympy.zeros(h, 1)
    V = layers[2].weight
    if V.shape != (1, h):
        raise bad_argument("net.layers[2]", layers[2], f"an output layer of shape (1, {h})",
                           ShapeMismatchError)
    v = [sympy.sympify(e) for e in V[0]]
    c = sympy.sympify(layers[2].bias[0]) if layers[2].bias is not None else sympy.Integer(0)
    alpha = sympy.sympify(act.coeffs[2]) if act.degree == 2 else sympy.Integer(0)
    M = sympy.zeros(d, d)
    g = sympy.zeros(d, 1)
    c0 = c
    for k in range(h):
        w = W[k, :].T
        M += v[k] * w * w.T
        g += v[k] * w + 2 * alpha * v[k] * b[k] * w
        c0 += v[k] * b[k] + alpha * v[k] * b[k] ** 2
    return sympy.expand(c0), g.applyfunc(sympy.expand), M.applyfunc(sympy.expand)


def _vector(v, name, d=None):
    if v is None or isinstance(v, (str, bytes)):
        raise bad_argument(name, v, "a vector of numbers or sympy expressions", ShapeMismatchError)
    arr = v.tolist() if isinstance(v, sympy.MatrixBase) else v
    arr = np.asarray(arr, dtype=object).ravel()
    if d is not None and arr.shape[0] != d:
        raise bad_argument(name, v, f"a vector of length {d}", ShapeMismatchError)
    return sympy.Matrix([sympify_exact(e, f"{name}[{i}]") for i, e in enumerate(arr)])


def constrained_mlp_error(g, M, c0, g_star, kappa2, kappa3, kappa4, *, alpha, mu=0):
    r"""Exact MSE of :math:`y = c_0 + g\cdot x + \alpha x^T M x` against :math:`g^*\cdot x`.

    Inputs are i.i.d. with mean ``mu`` and cumulants :math:`\kappa_2,\kappa_3,\kappa_4`
    (docs/formulas.md §7, verified against :func:`mse` in the tests).  For ``mu = 0``,
    with :math:`\delta = g - g^*` and :math:`M` symmetrised,

    .. math::

        \mathrm{MSE} = (c_0 + \alpha\kappa_2\operatorname{tr}M)^2 + \kappa_2|\delta|^2
          + 2\alpha\kappa_3\sum_i\delta_i M_{ii}
          + \alpha^2\big(2\kappa_2^2\operatorname{tr}M^2 + \kappa_4\sum_i M_{ii}^2\big).

    A non-zero mean is handled by writing :math:`x = \mu\mathbf 1 + u`:
    :math:`\delta\to\delta + 2\alpha\mu M\mathbf 1`,
    :math:`c_0\to c_0 + \mu\,\delta\cdot\mathbf 1 + \alpha\mu^2\mathbf 1^T M\mathbf 1`.

    >>> k2, k3, k4 = sympy.symbols("kappa_2 kappa_3 kappa_4")
    >>> constrained_mlp_error([1, 1], [[1, 1], [1, 1]], 0, [1, 1], k2, k3, k4, alpha=1)
    12*kappa_2**2 + 2*kappa_4
    """
    if M is None or isinstance(M, (str, bytes)) or np.ndim(M) != 2:
        raise bad_argument("M", M, "a square matrix (nested lists, numpy array or sympy Matrix)",
                           ShapeMismatchError)
    Mm = sympy.Matrix(np.asarray(M, dtype=object).tolist()) if not isinstance(
        M, sympy.MatrixBase) else M
    for (i, j), v in np.ndenumerate(np.asarray(Mm.tolist(), dtype=object)):
        sympify_exact(v, f"M[{i}, {j}]")
    if Mm.rows != Mm.cols:
        raise bad_argument("M", M, "a square matrix", ShapeMismatchError)
    d = Mm.rows
    Mm = Mm.applyfunc(sympy.sympify)
    Mm = (Mm + Mm.T) / 2
    gv, gs = _vector(g, "g", d), _vector(g_star, "g_star", d)
    k2, k3, k4, a, m, c = (sympify_exact(v, nm) for v, nm in (
        (kappa2, "kappa2"), (kappa3, "kappa3"), (kappa4, "kappa4"), (alpha, "alpha"), (mu, "mu"),
        (c0, "c0")))
    if k2.is_negative:
        raise bad_argument("kappa2", kappa2, "a non-negative variance")
    one = sympy.ones(d, 1)
    delta = gv - gs
    if m != 0:
        c = c + m * (delta.T * one)[0] + a * m**2 * (one.T * Mm * one)[0]
        delta = delta + 2 * a * m * Mm * one
    mean = c + a * k2 * Mm.trace()
    diag = [Mm[i, i] for i in range(d)]
    var = (k2 * (delta.T * delta)[0] + 2 * a * k3 * sum(delta[i] * diag[i] for i in range(d))
           + a**2 * (2 * k2**2 * (Mm * Mm).trace() + k4 * sum(x**2 for x in diag)))
    return mean**2 + var


# ------------------------------------------------------------------ same-sign output weights
def sign_family(signs, block=2, *, alpha=sympy.Rational(1, 2), output_weight=1, name="a"):
    r"""A one-hidden-layer quadratic family with fixed output signs, and its parameters.

    :math:`y = c + v\sum_k s_k\,\varphi(a_k\,\mathbf 1\cdot x)`, :math:`\varphi(z) = z + \alpha z^2`:
    hidden unit ``k`` sums the block with trainable weight :math:`a_k`
    (permutation-symmetric), output weights are fixed to :math:`v s_k`.
    ``signs=(1, 1)`` is the same-sign (homogeneous) model; ``(1, -1)`` the
    sign-free one that can cancel its quadratic part.  Returns ``(network,
    [a_1, .., a_h, c])``.

    >>> net, params = sign_family((1, -1))
    >>> params
    [a_1, a_2, c]
    >>> quadratic_network_form(net)[2]
    Matrix([
    [a_1**2 - a_2**2, a_1**2 - a_2**2],
    [a_1**2 - a_2**2, a_1**2 - a_2**2]])
    """
    from .layers.activations import Quadratic
    from .layers.dense import Dense
    from .layers.network import Network

    if signs is None or isinstance(signs, (str, bytes)) or np.ndim(signs) != 1:
        raise bad_argument("signs", signs, "a non-empty sequence of +1 / -1")
    signs = list(signs)
    if not isinstance(name, str) or not name.isidentifier():
        raise bad_argument("name", name, "a symbol stem such as 'a'")
    if not signs or any(isinstance(s, bool) or s not in (1, -1) for s in signs):
        raise bad_argument("signs", signs, "a non-empty sequence of +1 / -1")
    block = check_order(block, "block")
    a = list(sympy.symbols(f"{name}_1:{len(signs) + 1}", real=True))
    c = sympy.Symbol("c", real=True)
    W = [[ak] * block for ak in a]
    v = sympify_exact(output_weight, "output_weight")
    if v.is_positive is False:
        raise bad_argument("output_weight", output_weight, "a positive number")
    net = Network([Dense(W), Quadratic(sympify_exact(alpha, "alpha")), Dense([[v * s for s in signs]], [c])])
    return net, a + [c]


def same_sign_lower_bound(block, kappa2, kappa4=0, *, alpha, hidden=1, output_weight=1):
    r"""Exact minimum MSE of same-sign quadratic networks learning the block step.

    Family: :math:`y = c + v\sum_{k=1}^h \varphi(w_k\cdot x)`, :math:`v > 0`
    fixed, :math:`w_k\in\mathbb R^B` free, no hidden biases; target
    :math:`f^*(x) = B^{-1/2}\mathbf 1\cdot x` (so :math:`|g^*| = 1`); inputs
    i.i.d., zero mean, :math:`\kappa_3 = 0`, :math:`\kappa_4\ge 0`.  Then
    :math:`g = v\sum w_k` and :math:`M = v\sum w_k w_k^T \succeq g g^T/(vh)`
    (Cauchy-Schwarz), whence :math:`\operatorname{tr}M^2 \ge |g|^4/(vh)^2`,
    :math:`\sum_i M_{ii}^2 \ge |g|^4/(B (vh)^2)` and, with :math:`t = |g|`
    and the optimal :math:`c`,

    .. math::

        \mathrm{MSE} \ge \min_{t}\ \kappa_2 (t-1)^2 + \tfrac{p}{2} t^4,\qquad
        p = \frac{2\alpha^2 (2\kappa_2^2 + \kappa_4/B)}{(vh)^2},

    attained by the tied model :math:`w_k = a\mathbf 1`, so the bound is the
    exact optimum of the family.  The minimiser is the real root of
    :math:`p t^3 + \kappa_2 t - \kappa_2 = 0`,
    :math:`t^* = \sqrt[3]{s + q/2} - \sqrt[3]{s - q/2}` with
    :math:`q = \kappa_2/p`, :math:`s = \sqrt{q^2/4 + q^3/27}` (Cardano).  The
    value is positive for :math:`\alpha\neq0`, grows with :math:`\kappa_4`, and
    vanishes only as :math:`vh\to\infty` (the activation's linear regime).
    For :math:`\kappa_4 < 0` the bound does not apply: on two-point laws
    (:math:`x_i^2 = 1`) a same-sign model with ``hidden >= block`` is exact.

    >>> v = same_sign_lower_bound(2, 1, alpha=sympy.Rational(1, 2), hidden=2)
    >>> round(float(v), 10)
    0.0877426888
    """
    B = check_order(block, "block")
    h = check_order(hidden, "hidden")
    k2, k4, a, v = (sympify_exact(x, nm) for x, nm in (
        (kappa2, "kappa2"), (kappa4, "kappa4"), (alpha, "alpha"), (output_weight, "output_weight")))
    if k2.is_positive is False:
        raise bad_argument("kappa2", kappa2, "a positive variance")
    if k4.is_negative:
        raise bad_argument("kappa4", kappa4, "kappa4 >= 0 (the bound needs it; on platykurtic "
                           "laws same-sign models can do better, see the docstring)")
    if v.is_positive is False:
        raise bad_argument("output_weight", output_weight, "a positive number")
    p = 2 * a**2 * (2 * k2**2 + k4 / B) / (v * h) ** 2
    if p == 0:
        return sympy.Integer(0)
    q = k2 / p
    s = sympy.sqrt(q**2 / 4 + q**3 / 27)
    t = sympy.cbrt(s + q / 2) - sympy.cbrt(s - q / 2)
    return k2 * (t - 1) ** 2 + p * t**4 / 2


def _default_test_laws():
    from .distributions import Exponential, Laplace, Normal, Rademacher, Uniform, standardise

    return {
        "gaussian": Normal(0, 1),
        "uniform": standardise(Uniform(-1, 1)),
        "rademacher": Rademacher(),
        "laplace": standardise(Laplace(0, 1)),
        "exponential": standardise(Exponential(1)),
    }


def worked_gaps(*, alpha=sympy.Rational(1, 2), block=2, hidden=2, output_weight=1, train=None,
                tests=None):
    r"""Train on Gaussian data in closed form, test on other laws: free vs same-sign models.

    Both models are :func:`sign_family` networks with ``hidden`` units (signs
    alternating for ``"free"``, all ``+1`` for ``"same-sign"``) learning the
    block step :math:`f^*(x) = B^{-1/2}\mathbf 1\cdot x`.  Their parameters are
    the exact least-squares optimum on the training law (:func:`optimal_parameters`,
    default :math:`N(0,1)` inputs); test laws default to standardised uniform,
    Rademacher, Laplace and centred exponential (same mean and variance, so only
    :math:`\kappa_3, \kappa_4` differ).  Returns one dict per (model, test law):
    ``model, test, kappa3, kappa4, train_mse, test_mse, gap`` (exact sympy values)
    and ``params`` (the fitted parameters).  The free model is exact everywhere;
    the same-sign model's gap is :math:`\alpha^2 B v^2 \big(\sum_k a_k^2\big)^2\kappa_4`
    plus a :math:`\kappa_3` term (:func:`constrained_mlp_error`).

    >>> rows = worked_gaps()
    >>> [(r["model"], r["test"], round(float(r["gap"]), 4)) for r in rows if r["test"] == "laplace"]
    [('free', 'laplace', 0.0), ('same-sign', 'laplace', 0.0484)]
    """
    from .distributions import Normal

    hidden = check_order(hidden, "hidden")
    block = check_order(block, "block")
    train = Normal(0, 1) if train is None else train
    tests = _default_test_laws() if tests is None else dict(tests)
    from .layers.dense import Dense

    target = Dense([[1 / sympy.sqrt(block)] * block])
    order = 4
    train_state = Cumulants.iid(train, block, order)
    rows = []
    for model in ("free", "same-sign"):
        signs = [1] * hidden if model == "same-sign" else [(-1) ** k for k in range(hidden)]
        net, params = sign_family(signs, block, alpha=alpha, output_weight=output_weight)
        sols = optimal_parameters(net, target, train_state, params)
        if not sols:  # pragma: no cover - every family here has a stationary point
            raise InvalidParameterError(f"no real stationary point for the {model} family")
        best = dict(sols[0])
        for p in params:  # free directions of a manifold of optima: pick 0
            best.setdefault(p, sympy.Integer(0))
        best = {p: sympy.sympify(val).subs({q: 0 for q in params if q not in sols[0]})
                for p, val in best.items()}
        # the family's MSE is a polynomial in its parameters on every law: evaluate it at
        # the optimum (cheaper than expanding a network with algebraic weights)
        tr = reduce_roots(sympy.sympify(mse(net, target, train_state)).xreplace(best))
        for name, law in tests.items():
            loss = sympy.sympify(mse(net, target, Cumulants.iid(law, block, order)))
            te = reduce_roots(loss.xreplace(best))
            rows.append({"model": model, "test": name, "kappa3": law.cumulant(3),
                         "kappa4": law.cumulant(4), "train_mse": tr, "test_mse": te,
                         "gap": reduce_roots(te - tr), "params": best})
    return rows


def substitute(net, values):
    """A copy of ``net`` with its parameters replaced by ``values`` (a dict symbol -> value).

    >>> net, (a1, a2, c) = sign_family((1, -1))
    >>> substitute(net, {a1: 1, a2: 2, c: 0}).layers[0].weight.tolist()
    [[1, 1], [2, 2]]
    """
    from .layers.activations import Polynomial, Quadratic
    from .layers.dense import Dense
    from .layers.network import Network

    if not isinstance(net, Network):
        raise bad_argument("net", net, "a cumulants Network (e.g. from sign_family)")
    if not isinstance(values, dict):
        raise bad_argument("values", values, "a dict {symbol: value}")
    for k, val in values.items():
        sympify_exact(val, f"values[{k!r}]")
    out = []
    for layer in net.layers:
        if isinstance(layer, Dense):
            W = np.array([[sympy.sympify(e).subs(values) for e in row] for row in layer.weight],
                         dtype=object)
            b = None if layer.bias is None else [sympy.sympify(e).subs(values) for e in layer.bias]
            out.append(Dense(W, b))
        elif isinstance(layer, Quadratic):
            out.append(Quadratic(sympy.sympify(layer.alpha).subs(values)))
        elif isinstance(layer, Polynomial):
            out.append(Polynomial([sympy.sympify(c).subs(values) for c in layer.coeffs]))
        else:
            out.append(layer)
    return Network(out)
