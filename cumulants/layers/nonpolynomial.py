r"""Non-polynomial activations: Gaussian closure, Hermite and Taylor surrogates.

A non-polynomial activation :math:`y_i = f(z_i)` (ReLU, tanh, erf, GELU, sigmoid,
...) couples every input cumulant order to every output order (docs/formulas.md §6.1), so no
finite propagation rule is exact.  Each layer therefore takes a ``method=``:

``"gaussian"`` (default) -- *Gaussian closure*.  The pre-activation is treated as
    :math:`z \sim N(m, \Sigma)` with the state's mean and covariance; then

    .. math::

        \kappa_1(y_i) = E[f(z_i)],\qquad
        \kappa(y_i, y_j) = \operatorname{Cov}(f(z_i), f(z_j)),

    from closed forms where they exist, quadrature otherwise
    (:mod:`cumulants.layers.gaussian`, docs/formulas.md §3.3).  Higher orders are returned only
    when the closure makes the outputs independent (one unit, or uncorrelated units):
    then :math:`\kappa_n(y_i)` comes from 1-D quadrature.  Mixed higher cumulants of
    correlated units are unknown to the closure and raise
    :class:`~cumulants.errors.OrderTooHighError`; ``method="hermite"`` gives them for
    the surrogate.
``"hermite"`` (``degree=D``) -- project :math:`f` on the Hermite polynomials of each
    unit's Gaussian marginal :math:`N(m_i, \Sigma_{ii})`,
    :math:`f(z) \approx \sum_{n\le D} c_n He_n((z - m_i)/s_i)`, then propagate the
    per-unit polynomials exactly (:class:`UnitPolynomial`): any order, and the input's
    higher cumulants are used.  Output order ``n`` needs input order ``n D``.
``"taylor"`` (``degree=D``) -- the Taylor polynomial of :math:`f` about each unit's
    mean, :math:`\sum_{k\le D} f^{(k)}(m_i)(z - m_i)^k/k!`, propagated exactly.

A surrogate is exact for itself, not for :math:`f`: it is fitted where a Gaussian with
the unit's mean and variance puts its mass, and its high powers dominate under
heavy-tailed inputs (a degree-6 surrogate of the sigmoid on Laplace input overstates
the variance almost threefold).  Compare with samples (``cumulants propagate
--simulate``) when in doubt.

Every result says it is approximate: ``result.exact is False`` and
``result.method`` is ``"gaussian-closure"``, ``"hermite-8"`` or ``"taylor-5"``
(joined with ``+`` after earlier approximations).  A single closure layer on an
exactly Gaussian input is exact for the mean and covariance (up to quadrature
error); stacking layers, or non-Gaussian inputs, is where the closure errs
(docs/formulas.md §6.2).

>>> from cumulants.state import Cumulants
>>> z = Cumulants.gaussian([0.0], [[1.0]])
>>> y = ReLU().propagate(z, order=4)                      # docs/formulas.md §8 oracle 6
>>> [round(k, 9) for k in y.marginal(0)], y.exact, y.method
([0.39894228, 0.340845057, 0.326458412, 0.279708338], False, 'gaussian-closure')
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

from .. import _tensor
from .._numbers import check_finite, check_order, domain_of, join_domains, to_domain
from ..errors import (
    InsufficientOrderError,
    InvalidParameterError,
    MethodUnavailableError,
    NotPolynomialError,
    OrderTooHighError,
    ShapeMismatchError,
    bad_argument,
)
from ..state import Cumulants, _as_storage
from . import gaussian as _gauss
from ._surrogate_coeffs import _has_symbols, _hermite_coeffs, _shift_coeffs, _taylor_terms, _taylor_value
from ._surrogate_error import hermite_values, marginal_error, refuse_untrusted, taylor_values
from .hermite import exact_monomials, hermite_coefficients, to_rational
from .base import Layer

__all__ = [
    "METHODS",
    "Activation",
    "UnitPolynomial",
    "ReLU",
    "Tanh",
    "Erf",
    "GELU",
    "Sigmoid",
    "Heaviside",
    "Sin",
    "Exp",
]

#: The propagation methods of non-polynomial activations, in order of preference.
METHODS = ("gaussian", "hermite", "taylor")
_DEFAULT_DEGREE = {"hermite": 8, "taylor": 5}
_BACKENDS = ("auto", "float", "mpmath", "sympy")


def _check_state(state):
    if not isinstance(state, Cumulants):
        raise bad_argument("state", state, "a cumulants.Cumulants instance", InvalidParameterError)
    return state


def _chain(state, label):
    """The ``method`` of a result: earlier approximations first, joined with ``+``."""
    if state.exact or not state.method or state.method == "exact":
        return label
    parts = state.method.split("+")
    return state.method if parts[-1] == label else f"{state.method}+{label}"


# =============================================================== per-unit polynomials
class UnitPolynomial(Layer):
    r"""Elementwise polynomials, one per unit: :math:`y_i = \sum_k c_{ik} z_i^k`.

    ``coeffs[i]`` lists the ascending coefficients of unit ``i``.  Propagation is
    exact (docs/formulas.md §3.2 with a different polynomial per unit); it is what the Hermite
    and Taylor surrogates of :class:`Activation` reduce to.

    >>> from cumulants.state import Cumulants
    >>> z = Cumulants.gaussian([0, 0], [[1, 0], [0, 1]])
    >>> UnitPolynomial([[0, 0, 1], [0, 1]]).propagate(z, order=3).diagonal(3)
    array([8, 0], dtype=object)
    """

    def __init__(self, coeffs):
        if isinstance(coeffs, (str, bytes)) or not hasattr(coeffs, "__len__") or not len(coeffs):
            raise bad_argument("coeffs", coeffs,
                               "a non-empty list of coefficient lists, one per unit")
        rows = []
        for i, row in enumerate(coeffs):
            if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
                raise bad_argument(f"coeffs[{i}]", row, "a sequence c0, c1, ... (ascending)")
            row = list(row)
            if not row:
                raise bad_argument(f"coeffs[{i}]", row, "at least one coefficient")
            for k, c in enumerate(row):
                if isinstance(c, str):
                    raise bad_argument(f"coeffs[{i}][{k}]", c, "a number or sympy expression")
                check_finite(c, f"coeffs[{i}][{k}]")
            rows.append(row)
        dom = domain_of([c for row in rows for c in row])
        width = max(len(r) for r in rows)
        zero = 0.0 if dom == "float" else 0
        table = [[to_domain(c, dom) for c in row] + [to_domain(zero, dom)] * (width - len(row))
                 for row in rows]
        while width > 1 and all(row[-1] == 0 for row in table):
            width -= 1
            table = [row[:-1] for row in table]
        self.coeffs = np.array(table, dtype=np.float64 if dom == "float" else object)
        self.domain = dom

    @property
    def units(self) -> int:
        """Number of units (the input and output width)."""
        return self.coeffs.shape[0]

    @property
    def degree(self) -> int:
        """The highest degree over all units."""
        return self.coeffs.shape[1] - 1

    @property
    def is_polynomial(self):
        return True

    def in_dim(self):
        return self.units

    def out_dim(self, in_dim):
        return self.units

    def required_order(self, order):
        return check_order(order) * max(self.degree, 1)

    def exprs(self, symbols):
        """The sympy polynomial of each unit in the given symbols."""
        return [sum((sympy.sympify(c) * s**k for k, c in enumerate(row) if c != 0), sympy.S.Zero)
                for s, row in zip(symbols, self.coeffs)]

    def propagate(self, state, order=None):
        """Exact output cumulants up to ``order`` (needs input order ``order * degree``)."""
        from ..algebra.polynomial import polynomial_cumulants, polynomial_ring, to_ring

        _check_state(state)
        if state.dim != self.units:
            raise ShapeMismatchError(f"UnitPolynomial has {self.units} units but the state has "
                                     f"dim={state.dim}")
        order = state.order if order is None else check_order(order)
        need = self.required_order(order)
        if need > state.order and not state.known_to(need):
            raise InsufficientOrderError(
                f"output cumulants up to order {order} of degree-{self.degree} polynomials need "
                f"input cumulants up to order {need}; the state holds order {state.order}")
        if self.domain == "float" and state.domain == "exact":
            state = state.evalf()
        syms = [sympy.Symbol(f"x_{i}") for i in range(self.units)]
        exprs = self.exprs(syms)
        dom = join_domains([self.domain, state.domain])
        transcendental = dom == "exact" and any(
            not (sympy.sympify(c).is_Rational or (isinstance(c, sympy.Basic) and c.free_symbols))
            for c in self.coeffs.ravel())
        if transcendental:
            # coefficients such as tanh(1/2) do not live in QQ: use the expression domain
            R, _ = polynomial_ring(self.units, "exact", symbolic=True)
            exprs = to_ring(exprs, syms, R)
        return polynomial_cumulants(exprs, state, order, symbols=syms,
                                    joint=not state.is_independent)

    def apply(self, x):
        """Each column through its own polynomial (Horner), samples of shape ``(n, units)``."""
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.units:
            raise ShapeMismatchError(f"samples have shape {x.shape}; expected (n, {self.units})")
        c = np.asarray(self.coeffs, dtype=float)
        acc = np.zeros_like(x)
        for k in range(c.shape[1] - 1, -1, -1):
            acc = acc * x + c[:, k]
        return acc

    def polynomial(self, inputs):
        if len(inputs) != self.units:
            raise ShapeMismatchError(
                f"{len(inputs)} inputs given; the layer has {self.units} units")
        out = []
        for p, row in zip(inputs, self.coeffs):
            acc, power = 0, None
            for k, c in enumerate(row):
                power = None if k == 0 else (p if k == 1 else power * p)
                if c != 0:
                    acc = acc + (c if k == 0 else power * c)
            out.append(acc)
        return out

    def __repr__(self):
        return f"UnitPolynomial({self.coeffs.tolist()!r})"


# ====================================================================== activations
class Activation(Layer):
    r"""An elementwise non-polynomial activation :math:`y_i = f(z_i)` with a ``method=``.

    ``fn`` is the name of a built-in activation (see
    :func:`cumulants.layers.gaussian.activation_names`) or a
    :class:`cumulants.layers.gaussian.Activation`; user functions go through
    :meth:`from_function`.  ``method`` is ``"gaussian"`` (Gaussian closure),
    ``"hermite"`` or ``"taylor"`` (a polynomial surrogate of ``degree``, default 8 and
    5, propagated exactly); see the module docstring.  ``backend`` selects the number
    system of the Gaussian expectations: ``"auto"`` follows the state, or one of
    ``"float"``, ``"mpmath"`` (``dps`` digits), ``"sympy"``.  Under ``"auto"`` exact
    states get sympy closed forms for the closure (floats where there is none), Taylor
    coefficients stay exact, and Hermite projections are floats unless the state is
    symbolic (``backend="sympy"`` asks for exact projections where sympy has them).

    >>> from cumulants.state import Cumulants
    >>> z = Cumulants.gaussian([0.5], [[2.0]])
    >>> y = Activation("tanh", method="hermite", degree=6).propagate(z, order=2)
    >>> y.method, round(y[0], 3)
    ('hermite-6', 0.236)
    >>> Activation("tanh", method="newton")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cumulants.errors.MethodUnavailableError: method='newton' is invalid: expected one of ...
    """

    exact = False
    _fixed = None  # the built-in activation name of a subclass

    def __init__(self, fn, *, method="gaussian", degree=None, backend="auto", dps=None):
        self.act = _gauss.activation(fn)
        if not isinstance(method, str) or method not in METHODS:
            raise bad_argument("method", method, "one of " + ", ".join(repr(m) for m in METHODS),
                               MethodUnavailableError)
        if method == "gaussian":
            if degree is not None:
                raise bad_argument("degree", degree, "None with method='gaussian' (a degree "
                                   "applies to method='hermite' or 'taylor')")
        else:
            from .._limits import MAX_SURROGATE_DEGREE

            cap = MAX_SURROGATE_DEGREE.get(method)
            degree = _DEFAULT_DEGREE[method] if degree is None else check_order(
                degree, "degree", maximum=cap,
                route="a lower degree, or method='gaussian' (the Gaussian closure needs no "
                      "surrogate)")
        if backend not in _BACKENDS:
            raise bad_argument("backend", backend, "one of " + ", ".join(map(repr, _BACKENDS)),
                               MethodUnavailableError)
        if dps is not None:
            from .._limits import MAX_DPS

            dps = check_order(dps, "dps", maximum=MAX_DPS, route="fewer digits")
        self.method = method
        self.degree = degree
        self.backend = backend
        self.dps = dps

    @classmethod
    def from_function(cls, fn, *, name=None, sympy_fn=None, mpmath_fn=None, breakpoints=(),
                      method="gaussian", degree=None, backend="auto", dps=None):
        r"""An activation from a user function.

        ``fn`` maps numpy arrays elementwise (used for samples and float quadrature);
        ``sympy_fn`` maps a sympy symbol to an expression (Taylor surrogates, exact
        backends; default: ``fn`` itself if it accepts symbols); ``mpmath_fn`` maps mpmath
        numbers (default: ``sympy_fn`` lambdified to mpmath, else ``fn``);
        ``breakpoints`` lists kinks where quadrature must split.

        >>> import numpy as np
        >>> from cumulants.state import Cumulants
        >>> soft = Activation.from_function(lambda x: np.log1p(np.exp(x)), name="softplus",
        ...                                 sympy_fn=lambda x: sympy.log(1 + sympy.exp(x)))
        >>> y = soft.propagate(Cumulants.gaussian([0.0], [[1.0]]), order=2)
        >>> round(y[0], 6), y.method
        (0.806059, 'gaussian-closure')
        """
        if not callable(fn):
            raise bad_argument("fn", fn, "a callable mapping numpy arrays elementwise")
        if sympy_fn is not None and not callable(sympy_fn):
            raise bad_argument("sympy_fn", sympy_fn,
                               "a callable mapping a sympy symbol to an expression")
        if mpmath_fn is not None and not callable(mpmath_fn):
            raise bad_argument("mpmath_fn", mpmath_fn, "a callable on mpmath numbers")
        label = name if name is not None else getattr(fn, "__name__", "f")
        if not isinstance(label, str) or not label:
            raise bad_argument("name", name, "a non-empty string")
        sym = sympy_fn if sympy_fn is not None else fn
        if mpmath_fn is None:
            if sympy_fn is not None:
                x = sympy.Dummy("x")
                mpmath_fn = sympy.lambdify(x, sympy_fn(x), "mpmath")
            else:
                mpmath_fn = fn
        try:
            kinks = tuple(float(b) for b in breakpoints)
        except (TypeError, ValueError):
            raise bad_argument("breakpoints", breakpoints, "a sequence of real numbers") from None
        act = _gauss.Activation(label, fn, mpmath_fn, sym, kinks=kinks, features=(0.0,))
        make = cls if cls._fixed is None else Activation
        return make(act, method=method, degree=degree, backend=backend, dps=dps)

    # ------------------------------------------------------------------ protocol
    @property
    def name(self) -> str:
        """The activation's name (``"relu"``, ``"tanh"``, ...)."""
        return self.act.name

    @property
    def label(self) -> str:
        """The approximation recorded in results: ``"gaussian-closure"``, ``"hermite-8"``, ..."""
        return "gaussian-closure" if self.method == "gaussian" else f"{self.method}-{self.degree}"

    def required_order(self, order):
        """Input order needed: 2 for the closure, ``order * degree`` for surrogates."""
        order = check_order(order)
        return 2 if self.method == "gaussian" else order * self.degree

    def propagate(self, state, order=None):
        """Approximate output cumulants up to ``order`` (see the module docstring).

        ``order=None`` means the state's order; under the closure, correlated
        outputs then stop at order 2.
        """
        _check_state(state)
        if self.method == "gaussian":
            return self._closure(state, order)
        if order is None:
            order = state.order
        order = check_order(order)
        need = self.required_order(order)
        if need > state.order and not state.known_to(need):
            raise InsufficientOrderError(
                f"{self!r}: output cumulants up to order {order} need input cumulants up to "
                f"order {need} (order x degree {self.degree}); the state holds order "
                f"{state.order}. Build it with order >= {need}, lower degree=, or use "
                "method='gaussian' (needs order 2)")
        numeric = self._numeric_parts(state, self.method, self.degree)
        if numeric is None:  # symbolic or exact states: exact surrogate, exact propagation
            out = self.surrogate(state).propagate(state, order)
            return out.replace(exact=False, method=_chain(state, self.label))
        rows, pfuns, mv = numeric
        est = [marginal_error(self.act, m, v, pfun, order, self.degree)
               for pfun, (m, v) in zip(pfuns, mv)]
        # on the Gaussian marginal first (cheap), so a hopeless request is refused
        # before the exact propagation
        refuse_untrusted(self, [e[4] for e in est], est, mv)
        # the monomial coefficients are exact rationals (huge and alternating for large
        # |m|/s or degree): propagate the exactly representable input in rationals and
        # round once, so no cancellation happens in floats (docs/formulas.md §3.3.1)
        rational = state.extend(need)
        if rational.domain != "exact":
            rational = rational.map_entries(to_rational, "exact")
        out = UnitPolynomial(rows).propagate(rational, order)
        out = out.evalf(None if state.domain != "mpmath" else mpmath.mp.dps)
        values = [[float(out.diagonal(n)[i]) for n in range(1, order + 1)]
                  for i in range(out.dim)]
        refuse_untrusted(self, values, est, mv, warn=True)
        err = np.array([e[0] for e in est], dtype=float).T  # (order, dim)
        return out.replace(exact=False, method=_chain(state, self.label),
                           error=tuple(err[n] for n in range(order)))

    def _numeric_parts(self, state, method, degree):
        """For numeric states: exact rational rows, float evaluators and ``(m, v)`` per unit.

        ``None`` for symbolic states (and exact states under Taylor), which keep the
        exact path of :meth:`surrogate`.
        """
        mean = list(state.mean)
        var = list(state.diagonal(2)) if state.known_to(2) else None
        if _has_symbols(mean + (var or [])):
            return None
        if method == "taylor" and state.domain == "exact":
            return None
        if var is None or (method == "hermite" and self.backend == "sympy"):
            return None
        backend = "mpmath" if (state.domain == "mpmath" or self.backend == "mpmath") \
            else "float"
        kw = {"dps": self.dps} if backend == "mpmath" and self.dps is not None else {}
        rows, pfuns, mv = [], [], []
        for m, v in zip(mean, var):
            mf, vf = float(to_domain(m, "float")), float(to_domain(v, "float"))
            mm = m if backend == "mpmath" else mf
            vv = v if backend == "mpmath" else vf
            if method == "hermite":
                a = hermite_coefficients(self.act, degree, mm, vv, backend=backend,
                                         normalized=True, **kw)
                rows.append(exact_monomials(list(a), mm, vv))
                pfuns.append(lambda u, a=[float(x) for x in a]: hermite_values(a, u))
            else:
                x, terms = _taylor_terms(self.act, degree)
                exact_m = to_rational(mm)
                t = [to_rational(_taylor_value(term, x, exact_m, "mpmath_hi", self.name))
                     for term in terms]
                rows.append(_shift_coeffs(t, exact_m, "exact"))
                sd = math.sqrt(vf)
                pfuns.append(lambda u, t=[float(c) for c in t], sd=sd: taylor_values(t, sd, u))
            mv.append((mf, vf))
        return rows, pfuns, mv

    def surrogate(self, state, *, method=None, degree=None):
        """The per-unit polynomial (:class:`UnitPolynomial`) replacing ``f`` for this state.

        Uses the layer's ``method``/``degree`` unless given (``"hermite"`` or
        ``"taylor"``); the Gaussian closure has no polynomial form.

        >>> from cumulants.state import Cumulants
        >>> z = Cumulants.gaussian([1], [[1]])
        >>> c = Tanh(method="taylor", degree=2).surrogate(z).coeffs[0]
        >>> sympy.simplify(c[2] + sympy.tanh(1) * (1 - sympy.tanh(1)**2))     # f''(1)/2
        0
        """
        _check_state(state)
        method = self.method if method is None else method
        if method not in ("hermite", "taylor"):
            raise bad_argument("method", method, "'hermite' or 'taylor' (the Gaussian closure has "
                               "no polynomial surrogate)", MethodUnavailableError)
        if degree is None:
            degree = self.degree if self.degree is not None and method == self.method \
                else _DEFAULT_DEGREE[method]
        degree = check_order(degree, "degree")
        if not state.known_to(2 if method == "hermite" else 1):
            raise InsufficientOrderError(
                f"the {method} surrogate needs each unit's mean and variance; the state holds "
                f"order {state.order}")
        dom = state.domain
        numeric = self._numeric_parts(state, method, degree)
        if numeric is not None:  # exact monomials, rounded once to the state's numbers
            conv = (lambda x: mpmath.mpf(x.p) / x.q) if dom == "mpmath" else float
            return UnitPolynomial([[conv(x) for x in row] for row in numeric[0]])
        mean = state.mean
        var = state.diagonal(2) if method == "hermite" else [None] * state.dim
        rows = []
        if method == "taylor":
            x, terms = _taylor_terms(self.act, degree)
            for m in mean:
                a = [_taylor_value(t, x, m, dom, self.name) for t in terms]
                rows.append(_shift_coeffs(a, m, dom))
        else:
            backend = self.backend
            if backend == "auto":
                # exact numbers get float projections (the surrogate is an approximation
                # anyway); symbolic states need sympy's closed forms
                symbolic = _has_symbols(list(mean) + list(var))
                backend = {"float": "float", "mpmath": "mpmath"}.get(
                    dom, "sympy" if symbolic else "float")
            for m, v in zip(mean, var):
                rows.append(_hermite_coeffs(self.act, m, v, degree, backend, self.dps))
        return UnitPolynomial(rows)

    def apply(self, x):
        """``f`` elementwise on samples (the finite network the propagation describes)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise ShapeMismatchError(f"samples have shape {x.shape}; expected (n, width)")
        return self.act.float(x)

    def polynomial(self, inputs):
        raise NotPolynomialError(
            f"{self!r} is not a polynomial map; its polynomial surrogate depends on the input "
            "state: use layer.surrogate(state) (method='hermite' or 'taylor')")

    def __repr__(self):
        head = repr(self.act.name) if self._fixed is None else ""
        opts = [] if self.method == "gaussian" else [f"method={self.method!r}",
                                                     f"degree={self.degree}"]
        if self.backend != "auto":
            opts.append(f"backend={self.backend!r}")
        if self.dps is not None:
            opts.append(f"dps={self.dps}")
        name = type(self).__name__
        return f"{name}({', '.join(([head] if head else []) + opts)})"

    # ----------------------------------------------------------- Gaussian closure
    def _backend_for(self, state):
        if self.backend != "auto":
            return self.backend
        return {"float": "float", "mpmath": "mpmath", "exact": "sympy"}[state.domain]

    def _run(self, state, compute):
        """Run ``compute(backend)``; exact states without a closed form fall back to floats."""
        backend = self._backend_for(state)
        kw = {"dps": self.dps} if backend == "mpmath" and self.dps is not None else {}
        if backend != "sympy" or self.backend == "sympy":
            return compute(backend, kw), backend
        try:
            return compute("sympy", kw), "sympy"
        except MethodUnavailableError:
            values = list(state.mean) + list(state.diagonal(2))
            if _has_symbols(values):
                raise MethodUnavailableError(
                    f"no closed-form Gaussian expectation of {self.name!r} for symbolic "
                    "inputs; substitute numbers (state.subs), or use method='taylor' (or "
                    "'hermite' for ReLU, Heaviside, erf, exp, sin)") from None
            return compute("float", {}), "float"

    def _closure(self, state, order):
        d = state.dim
        if not state.known_to(2):
            raise InsufficientOrderError(
                f"the Gaussian closure needs the mean and covariance; the state holds order "
                f"{state.order}. Build it with order >= 2")
        cov_in = state.covariance
        independent = state.is_independent or all(
            cov_in[i, j] == 0 for i in range(d) for j in range(i + 1, d))
        if order is None:
            order = state.order if independent else min(state.order, 2)
        order = check_order(order)
        if order >= 3 and not independent:
            raise OrderTooHighError(
                f"order={order} is invalid under the Gaussian closure of {self.name!r}: the "
                f"closure gives only the mean and covariance of {d} correlated units (mixed "
                "cumulants of order >= 3 are not determined by it). Use order <= 2, or "
                "method='hermite' (exact propagation of a Hermite surrogate, any order)")
        mean_in = state.mean
        label = _chain(state, self.label)
        if independent:
            var_in = [cov_in[i, i] for i in range(d)]

            def compute(backend, kw):
                return [self._marginal(mean_in[i], var_in[i], order, backend, kw)
                        for i in range(d)]

            cols, backend = self._run(state, compute)
            domain = _domain_of_backend(backend)
            data = [_as_storage([cols[i][n] for i in range(d)], domain) for n in range(order)]
            return Cumulants(d, order, domain, "independent", data, exact=False, method=label)

        def compute(backend, kw):
            conv = _converter(backend)
            mu = np.array([conv(v) for v in mean_in], dtype=object)
            sig = np.array([[conv(v) for v in row] for row in cov_in], dtype=object)
            if backend == "float":
                mu, sig = mu.astype(float), sig.astype(float)
            res = _gauss.gaussian_moments_matrix(self.act, mu, sig, backend=backend, **kw)
            return res.mean, res.covariance

        (m, cov), backend = self._run(state, compute)
        domain = _domain_of_backend(backend)
        data = [_as_storage(m, domain)]
        if order >= 2:
            cov = np.asarray(cov, dtype=np.float64 if domain == "float" else object)
            data.append(_as_storage(_tensor.pack(cov), domain))
        return Cumulants(d, order, domain, "packed", data, exact=False, method=label)

    def _marginal(self, mu, var, order, backend, kw):
        """``kappa_1..kappa_order`` of ``f(z)``, ``z ~ N(mu, var)``: closed mean/variance first."""
        conv = _converter(backend)
        mu, var = conv(mu), conv(var)
        if backend == "float" and order >= 2 and var > 0 and _gauss.float_edge(self.act, mu, var):
            # f nearly constant on the input's support: floats cancel, raise the precision
            return _gauss.edge_cumulants(self.act, mu, var, order)
        mean = _gauss.gaussian_mean(self.act, mu, var, backend=backend, **kw)
        out = [mean]
        if order >= 2:
            out.append(_gauss.gaussian_covariance(self.act, mu, mu, var, var, var,
                                                  backend=backend, **kw))
        if order >= 3:
            out += list(_gauss.gaussian_marginal_cumulants(self.act, mu, var, order,
                                                           backend=backend, **kw))[2:]
        return out


def _converter(backend):
    if backend == "float":
        return lambda v: to_domain(v, "float")
    if backend == "mpmath":
        return lambda v: v if isinstance(v, mpmath.mpf) else to_domain(v, "mpmath")
    return sympy.sympify


def _domain_of_backend(backend):
    return {"float": "float", "mpmath": "mpmath", "sympy": "exact"}[backend]


# ========================================================================= built-ins
class _Builtin(Activation):
    """A built-in activation: the function is fixed, the options are as for Activation."""

    def __init__(self, *, method="gaussian", degree=None, backend="auto", dps=None):
        super().__init__(self._fixed, method=method, degree=degree, backend=backend, dps=dps)


class ReLU(_Builtin):
    r"""The rectifier :math:`\max(z, 0)`.

    Closed forms (docs/formulas.md §3.3): :math:`E = \mu\Phi(a) + s\varphi(a)`, the arc-cosine
    kernel at zero means, Rosenbaum's truncated moments otherwise (1-D reduction).

    >>> from cumulants.state import Cumulants
    >>> z = Cumulants.gaussian([0, 0], [[1, 0.5], [0.5, 1]])
    >>> round(ReLU().propagate(z)[0, 1] + 1 / (2 * np.pi), 14)          # docs/formulas.md §8 oracle 8
    0.30449889052211
    """

    _fixed = "relu"


class Tanh(_Builtin):
    r"""The hyperbolic tangent (no closed form: quadrature).

    >>> from cumulants.state import Cumulants
    >>> round(Tanh().propagate(Cumulants.gaussian([0.5], [[2.0]]))[0], 10)
    0.2363770688
    """

    _fixed = "tanh"


class Erf(_Builtin):
    r"""The error function: :math:`E[\mathrm{erf}\,z] = \mathrm{erf}(\mu/\sqrt{1+2s^2})`.

    Zero-mean covariance (Williams 1997):
    :math:`(2/\pi)\arcsin(2\Sigma_{12}/\sqrt{(1+2\Sigma_{11})(1+2\Sigma_{22})})`.

    >>> from cumulants.state import Cumulants
    >>> z = Cumulants.gaussian([0, 0], [[1, 0.5], [0.5, 1]])
    >>> round(Erf().propagate(z)[0, 1], 12)                        # docs/formulas.md §8 oracle 10
    0.216346895939
    """

    _fixed = "erf"


class GELU(_Builtin):
    r"""The Gaussian error linear unit :math:`z\Phi(z)`.

    Closed mean by Stein's lemma: :math:`\mu\Phi(\mu/c) + (s^2/c)\varphi(\mu/c)`,
    :math:`c = \sqrt{1+s^2}`.

    >>> from cumulants.state import Cumulants
    >>> round(GELU().propagate(Cumulants.gaussian([0.5], [[2.0]]))[0], 10)
    0.7486516294
    """

    _fixed = "gelu"


class Sigmoid(_Builtin):
    r"""The logistic function :math:`1/(1+e^{-z})` (no closed form: quadrature).

    >>> from cumulants.state import Cumulants
    >>> round(Sigmoid().propagate(Cumulants.gaussian([0.0], [[1.0]]))[0], 12)
    0.5
    """

    _fixed = "sigmoid"


class Heaviside(_Builtin):
    r"""The step function :math:`H(z)`.

    :math:`E = \Phi(\mu/s)`; at zero means :math:`E[H H] = 1/4 + \arcsin(\rho)/(2\pi)`.

    >>> from cumulants.state import Cumulants
    >>> half = sympy.Rational(1, 2)
    >>> z = Cumulants.gaussian([0, 0], [[1, half], [half, 1]])
    >>> Heaviside().propagate(z)[0, 1] + sympy.Rational(1, 4)      # docs/formulas.md §8 oracle 9
    1/3
    """

    _fixed = "heaviside"


class Sin(_Builtin):
    r"""The sine: :math:`E[\sin z] = \sin\mu\, e^{-s^2/2}`.

    >>> from cumulants.state import Cumulants
    >>> y = Sin().propagate(Cumulants.gaussian([0], [[2]]), order=2)
    >>> y[0], sympy.simplify(y[0, 0] - (1 - sympy.exp(-4)) / 2)
    (0, 0)
    """

    _fixed = "sin"


class Exp(_Builtin):
    r"""The exponential: the output is log-normal, :math:`E = e^{\mu + s^2/2}`.

    >>> from cumulants.state import Cumulants
    >>> y = Exp().propagate(Cumulants.gaussian([0], [[1]]), order=2)
    >>> y[0], sympy.factor(y[0, 0])
    (exp(1/2), E*(-1 + E))
    """

    _fixed = "exp"
