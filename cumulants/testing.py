"""Hypothesis strategies and assertion helpers for verifying derivations in CI.

Strategies draw *valid* objects only: cumulant sequences of real laws (a
truncated cumulant vector is not a law, by Marcinkiewicz's theorem, so
sequences are computed from actual distributions), catalogue distributions
with parameters in their domains, Gaussian states with positive semidefinite
covariances, and small networks obeying a chosen weight constraint.

The assertions compare a closed form with an independent witness:

* :func:`assert_matches_samples` -- predicted cumulants against k-statistics of
  samples, in standard errors of the estimator (never a hand-tuned tolerance);
* :func:`assert_methods_agree` -- two propagation routes or methods of one layer;
* :func:`assert_backends_agree` -- a closed form in floats, at high precision
  with mpmath, and exactly with sympy.

``hypothesis`` is imported lazily: the assertions work without it.

>>> import numpy as np
>>> import cumulants as cm
>>> from cumulants.distributions import Exponential
>>> x = cm.Cumulants.iid(Exponential(1), 1, 3)
>>> samples = Exponential(1).sample(200_000, np.random.default_rng(0))
>>> assert_matches_samples(x, samples, z=4)
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from . import _tensor
from .errors import CumulantError, InvalidParameterError, MethodUnavailableError, bad_argument

__all__ = [
    "distributions",
    "cumulant_sequences",
    "gaussian_states",
    "iid_states",
    "constrained_networks",
    "assert_matches_samples",
    "assert_methods_agree",
    "assert_backends_agree",
    "SampleMismatch",
    "bad_inputs",
]


def _size_arg(name, value, cap=64):
    """Strategy sizes are validated eagerly (Hypothesis style): small positive integers."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
        raise bad_argument(name, value, f"an integer in [1, {cap}] (strategies draw small objects)")
    return value


# ------------------------------------------------------------------------- strategies
def _st():
    try:
        from hypothesis import strategies as st
    except ImportError:  # pragma: no cover
        raise CumulantError("cumulants.testing strategies need hypothesis: pip install hypothesis") from None
    return st


def distributions(*, exact: bool = True, names=None):
    """Strategy: catalogue distributions with parameters drawn inside their domains.

    ``exact=True`` draws small rationals (exact sympy cumulants); ``False`` floats.
    ``names`` restricts the catalogue (e.g. ``["normal", "uniform"]``).
    """
    if not isinstance(exact, bool):
        raise bad_argument("exact", exact, "True (exact parameters) or False (floats)")
    from . import distributions as D

    st = _st()
    if exact:
        num = st.fractions(min_value=-3, max_value=3, max_denominator=4)
        pos = st.fractions(min_value=Fraction(1, 4), max_value=3, max_denominator=4)
        prob = st.fractions(min_value=Fraction(1, 8), max_value=Fraction(7, 8), max_denominator=8)
        conv = lambda f: sympy.Rational(f.numerator, f.denominator)  # noqa: E731
    else:
        num = st.floats(-3, 3, allow_nan=False)
        pos = st.floats(0.25, 3, allow_nan=False)
        prob = st.floats(0.05, 0.95, allow_nan=False)
        conv = float
    makers = {
        "normal": st.builds(lambda m, s: D.Normal(conv(m), conv(s)), num, pos),
        "uniform": st.builds(lambda a, w: D.Uniform(conv(a), conv(a) + conv(w)), num, pos),
        "rademacher": st.just(D.Rademacher()),
        "laplace": st.builds(lambda m, s: D.Laplace(conv(m), conv(s)), num, pos),
        "exponential": st.builds(lambda r: D.Exponential(conv(r)), pos),
        "gamma": st.builds(lambda k, t: D.Gamma(conv(k), conv(t)), pos, pos),
        "poisson": st.builds(lambda r: D.Poisson(conv(r)), pos),
        "bernoulli": st.builds(lambda p: D.Bernoulli(conv(p)), prob),
    }
    chosen = list(makers) if names is None else list(names)
    for name in chosen:
        if name not in makers:
            raise bad_argument("names", names, f"names from {sorted(makers)}")
    return st.one_of(*[makers[n] for n in chosen])


def cumulant_sequences(order: int = 4, *, exact: bool = True):
    """Strategy: ``(kappa_1, ..., kappa_order)`` of a real law.

    Drawn from catalogue distributions and from finite point-mass mixtures
    (whose exact cumulants come from their moments), so every sequence is the
    cumulant sequence of an actual probability law.
    """
    from .algebra import cumulants_from_moments

    st = _st()
    order = _size_arg("order", order)
    atoms = st.lists(st.tuples(st.integers(-3, 3), st.integers(1, 5)), min_size=1, max_size=5)

    def from_atoms(law):
        total = sum(w for _, w in law)
        moments = [sum(Fraction(w, total) * Fraction(v) ** k for v, w in law) for k in range(1, order + 1)]
        seq = cumulants_from_moments(moments)
        return tuple(seq) if exact else tuple(float(v) for v in seq)

    return st.one_of(distributions(exact=exact).map(lambda d: tuple(d.cumulants(order))),
                     atoms.map(from_atoms))


def gaussian_states(dim: int, *, order: int = 2, exact: bool = True):
    """Strategy: Gaussian :class:`~cumulants.state.Cumulants` with a PSD covariance ``A A^T``."""
    from .state import Cumulants

    dim = _size_arg("dim", dim)
    order = _size_arg("order", order)
    st = _st()
    entry = st.integers(-2, 2) if exact else st.floats(-2, 2, allow_nan=False)

    def build(mean, a):
        A = np.array(a, dtype=object if exact else float).reshape(dim, dim)
        cov = A.dot(A.T) if exact else A @ A.T
        return Cumulants.gaussian(list(mean), cov, order=order)

    return st.builds(build, st.lists(entry, min_size=dim, max_size=dim),
                     st.lists(entry, min_size=dim * dim, max_size=dim * dim))


def iid_states(dim: int, order: int = 4, *, exact: bool = True):
    """Strategy: ``dim`` i.i.d. copies of a drawn catalogue law, as a state of ``order``."""
    from .state import Cumulants

    dim = _size_arg("dim", dim)
    order = _size_arg("order", order)
    return distributions(exact=exact).map(lambda d: Cumulants.iid(d, dim, order))


def constrained_networks(widths=(2, 3, 1), *, constraint="free", activation="quadratic",
                         exact: bool = True):
    """Strategy: a small :class:`~cumulants.layers.Network` obeying a weight constraint.

    ``constraint`` is a name of :mod:`cumulants.constraints` applied to every
    layer, or a dict ``{"hidden": ..., "output": ...}``; ``activation`` is
    ``"identity"``, ``"quadratic"`` (``z + alpha z^2`` with drawn alpha) or a
    list of polynomial coefficients.  Parameters are small rationals when
    ``exact`` (exact propagation), floats otherwise.
    """
    from . import constraints as C
    from .layers import Dense, Identity, Network, Polynomial, Quadratic

    st = _st()
    if widths is None or isinstance(widths, (str, bytes)):
        raise bad_argument("widths", widths, "at least two widths, e.g. (2, 3, 1)")
    widths = [_size_arg("widths", w) for w in widths]
    if len(widths) < 2:
        raise bad_argument("widths", widths, "at least two widths, e.g. (2, 3, 1)")
    n_layers = len(widths) - 1

    def spec_for(k):
        if isinstance(constraint, dict):
            return constraint.get("output" if k == n_layers - 1 else "hidden", "free")
        return constraint

    cons = [C.get(spec_for(k), (widths[k + 1], widths[k])) for k in range(n_layers)]
    number = st.fractions(min_value=-2, max_value=2, max_denominator=3) if exact else \
        st.floats(-2, 2, allow_nan=False)

    def build(thetas, biases, alpha):
        layers = []
        for k, (c, theta) in enumerate(zip(cons, thetas)):
            W = c.symbolic("t").subs(dict(zip(c.symbols("t"), [_num(v, exact) for v in theta])))
            b = [_num(v, exact) for v in biases[k]]
            layers.append(Dense(W if exact else np.asarray(W.tolist(), dtype=float), b))
            if k < n_layers - 1:
                if activation == "identity":
                    layers.append(Identity())
                elif activation == "quadratic":
                    layers.append(Quadratic(_num(alpha, exact)))
                else:
                    layers.append(Polynomial(list(activation)))
        return Network(layers)

    thetas = st.tuples(*[st.lists(number, min_size=c.n_params, max_size=c.n_params) for c in cons])
    biases = st.tuples(*[st.lists(number, min_size=widths[k + 1], max_size=widths[k + 1])
                         for k in range(n_layers)])
    return st.builds(build, thetas, biases, number)


def _num(v, exact):
    if exact:
        return sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.sympify(v)
    return float(v)


# ------------------------------------------------------------------------- assertions
class SampleMismatch(AssertionError):
    """Predicted cumulants disagree with samples by more than the allowed z-score."""


def _predicted_entries(predicted, dim, orders):
    from .state import Cumulants

    if isinstance(predicted, Cumulants):
        out = {}
        for n in orders:
            for key in _tensor.multisets(dim, n):
                key = tuple(int(k) for k in key)
                out[key] = predicted[key]
        return out
    seq = list(predicted)
    if dim != 1:
        raise bad_argument("predicted", predicted, "a Cumulants state for multivariate samples")
    return {(0,) * n: seq[n - 1] for n in orders}


def assert_matches_samples(predicted, samples, z: float = 4.0, *, orders=None, se="auto",
                           rng=None):
    """Assert predicted cumulants agree with k-statistics of samples within ``z`` SEs.

    ``predicted`` is a :class:`~cumulants.state.Cumulants` (or a sequence
    ``kappa_1..kappa_n`` for 1-D samples); ``samples`` has shape ``(n,)`` or
    ``(n, dim)``.  Standard errors are the exact sampling standard deviations
    of the k-statistics computed from the *predicted* cumulants when they are
    known to twice the order (univariate), else a bootstrap (``se="bootstrap"``
    forces it).  Raises :class:`SampleMismatch` listing every entry whose
    ``|k - kappa| / se`` exceeds ``z``.
    """
    from .estimators import joint_k_statistics, joint_k_statistics_se, k_statistic_variance
    from .estimators.kstat import as_samples
    from .state import Cumulants

    if not (isinstance(z, (int, float)) and not isinstance(z, bool) and math.isfinite(z) and z > 0):
        raise bad_argument("z", z, "a positive number of standard errors")
    if not isinstance(predicted, Cumulants):
        if predicted is None or isinstance(predicted, (str, bytes)) or np.ndim(predicted) != 1:
            raise bad_argument("predicted", predicted, "a Cumulants state or a sequence "
                               "kappa_1..kappa_n")
    X = as_samples(samples, "samples")
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise bad_argument("samples", f"array of shape {np.shape(samples)}", "shape (n,) or (n, dim)")
    dim = X.shape[1]
    if isinstance(predicted, Cumulants) and predicted.dim != dim:
        raise bad_argument("samples", f"{dim} columns", f"{predicted.dim} columns (the state's dim)")
    top = predicted.order if isinstance(predicted, Cumulants) else len(list(predicted))
    orders = list(range(1, top + 1)) if orders is None else list(orders)
    pred = _predicted_entries(predicted, dim, orders)
    est = joint_k_statistics(X, max(orders))
    ses = {}
    univariate_ok = (dim == 1 and se != "bootstrap" and isinstance(predicted, Cumulants)
                     and predicted.known_to(2 * max(orders)))
    if univariate_ok:
        kap = [float(predicted[(0,) * j]) for j in range(1, 2 * max(orders) + 1)]
        for n in orders:
            v = float(k_statistic_variance(kap, X.shape[0], n))
            ses[(0,) * n] = math.sqrt(v) if v > 0 else None
    if not univariate_ok or any(v is None for v in ses.values()):
        boot = joint_k_statistics_se(X, max(orders), method="bootstrap", n_boot=200, rng=rng)
        for key in pred:
            if ses.get(key) is None:
                ses[key] = float(boot[key])
    bad = []
    for key, p in pred.items():
        m, s = float(est[key]), ses[key]
        p = float(p)
        score = (m - p) / s if s and s > 0 else (0.0 if m == p else math.inf)
        if abs(score) > z:
            bad.append(f"kappa{key}: predicted {p:.6g}, k-statistic {m:.6g}, se {s:.3g}, z = {score:.2f}")
    if bad:
        raise SampleMismatch(f"{len(bad)} of {len(pred)} cumulants disagree beyond {z} standard errors:\n  "
                             + "\n  ".join(bad))


def _close(a, b, rtol, atol):
    a, b = float(a), float(b)
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def assert_methods_agree(layer, state, *, order=None, methods=None, rtol=1e-9, atol=1e-12):
    """Assert that several propagation routes of ``layer`` give the same cumulants.

    For a :class:`~cumulants.layers.Network` the default compares the
    ``"layerwise"`` and ``"polynomial"`` routes (both exact); otherwise pass
    ``methods`` as a list of callables ``state -> Cumulants``.

    >>> import cumulants as cm
    >>> net = cm.Network([cm.Dense([[1, 2], [0, 1]]), cm.Quadratic(1), cm.Dense([[1, -1]])])
    >>> assert_methods_agree(net, cm.Cumulants.gaussian([0, 1], [[1, 0], [0, 2]]), order=3)
    """
    from ._numbers import check_order
    from .layers import Network
    from .layers.base import Layer
    from .state import Cumulants

    if not isinstance(layer, Layer):
        raise bad_argument("layer", layer, "a cumulants layer or Network")
    if not isinstance(state, Cumulants):
        raise bad_argument("state", state, "a cumulants.Cumulants state")
    order = state.order if order is None else check_order(order)
    if methods is None:
        if not isinstance(layer, Network) or not layer.is_polynomial:
            raise InvalidParameterError("pass methods=[...] for anything but a polynomial Network")
        methods = [lambda s: layer.propagate(s, order, route="layerwise"),
                   lambda s: layer.propagate(s, order, route="polynomial")]
    results = [m(state) for m in methods]
    ref = results[0]
    for k, other in enumerate(results[1:], start=1):
        if other.dim != ref.dim:
            raise AssertionError(f"method {k} returns dim {other.dim}, method 0 dim {ref.dim}")
        for n in range(1, min(ref.order, other.order) + 1):
            for a, b in zip(ref.packed(n), other.packed(n)):
                if ref.domain == other.domain == "exact":
                    if sympy.simplify(a - b) != 0:
                        raise AssertionError(f"order {n}: method 0 gives {a}, method {k} gives {b}")
                elif not _close(a, b, rtol, atol):
                    raise AssertionError(f"order {n}: method 0 gives {a}, method {k} gives {b}")


def assert_backends_agree(expr, subs=None, *, dps: int = 50, rtol: float = 1e-12):
    """Assert a closed form evaluates consistently in floats, mpmath and exactly.

    ``expr`` is a sympy expression (with ``subs`` giving numbers for its
    symbols).  The exact value is evaluated with ``evalf(dps)``, the float value
    with a lambdified numpy function and the mpmath value with a lambdified
    mpmath function at ``dps`` digits; float must match to ``rtol``, mpmath to
    ``10**(5 - dps)`` relative.

    >>> x = sympy.Symbol('x')
    >>> assert_backends_agree(sympy.erf(x / sympy.sqrt(3)), {x: sympy.Rational(1, 2)})
    """
    from ._numbers import check_order, sympify_exact

    expr = sympify_exact(expr, "expr")
    dps = check_order(dps, "dps", maximum=1000, route="fewer digits")
    if subs is not None and not isinstance(subs, dict):
        raise bad_argument("subs", subs, "a dict {symbol: number}")
    subs = dict(subs or {})
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s for s in syms if s not in subs]
    if missing:
        raise bad_argument("subs", subs, f"values for {missing}")
    vals = [subs[s] for s in syms]
    exact = sympy.N(expr.subs(subs), dps + 10)
    f_float = sympy.lambdify(syms, expr, modules=["numpy"])
    f_mp = sympy.lambdify(syms, expr, modules=["mpmath"])
    fv = float(f_float(*[float(v) for v in vals]))
    with mpmath.workdps(dps):
        mv = f_mp(*[mpmath.mpf(sympy.N(v, dps + 10)) if not isinstance(v, float) else mpmath.mpf(v)
                    for v in vals])
        ref = mpmath.mpf(exact)
        scale = max(abs(ref), mpmath.mpf(10) ** (-dps))
        if abs(mv - ref) > mpmath.mpf(10) ** (5 - dps) * scale:
            raise AssertionError(f"mpmath value {mv} differs from exact {ref} at {dps} digits")
    if not _close(fv, float(exact), rtol, 1e-300):
        raise AssertionError(f"float value {fv!r} differs from exact {float(exact)!r} (rtol={rtol})")


# ----------------------------------------------------------------------- bad inputs
#: Families of malformed values, by the kind of argument they attack.
_BAD_SCALARS = {
    "complex": [1 + 2j, complex(0, 1)],
    "nan": [float("nan"), np.float64("nan")],
    "inf": [float("inf"), -float("inf")],
    "string": ["abc", "1", ""],
    "none": [None],
    "object": [object()],
    "container": [[1, 2], {}, (1,)],
}
_BAD_ORDERS = {
    "zero": [0], "negative": [-1, -10**9], "float": [2.5, 3.0], "bool": [True],
    "huge": [10**9, 10**18], "string": ["3"], "none": [None], "complex": [2j],
}


def bad_inputs(kind: str = "scalar"):
    """Strategy: malformed values a public function must refuse with a ``CumulantError``.

    ``kind`` is ``"scalar"`` (a real parameter: complex, NaN, inf, strings, ``None``, objects,
    containers), ``"order"`` (a cumulant order or size: zero, negative, float, bool, huge,
    strings, ``None``), ``"matrix"`` (a weight or covariance: complex, NaN, ragged, wrong rank,
    strings) or ``"samples"`` (a data array: complex, NaN/inf, strings, empty, wrong rank).
    Use it to fuzz your own wrappers in the same way this package fuzzes itself.

    >>> from hypothesis import given
    >>> import cumulants as cm
    >>> @given(bad_inputs("scalar"))
    ... def test_normal_refuses(value):
    ...     try:
    ...         cm.distributions.Normal(value, 1)
    ...     except cm.CumulantError:
    ...         return
    ...     raise AssertionError(f"accepted {value!r}")
    >>> test_normal_refuses()
    """
    st = _st()
    if kind == "scalar":
        return st.sampled_from([v for vs in _BAD_SCALARS.values() for v in vs])
    if kind == "order":
        return st.sampled_from([v for vs in _BAD_ORDERS.values() for v in vs])
    if kind == "matrix":
        finite = st.floats(-3, 3, allow_nan=False)
        bad_entry = st.sampled_from([1 + 2j, float("nan"), float("inf"), "a", None])
        return st.one_of(
            st.tuples(st.integers(1, 3), st.integers(1, 3), bad_entry, finite).map(
                lambda t: [[t[2] if (i, j) == (0, 0) else t[3] for j in range(t[1])]
                           for i in range(t[0])]),
            st.sampled_from([[[1, 2], [3]], [], [[]], np.ones((1, 2, 2)), "W", None]))
    if kind == "samples":
        return st.one_of(
            st.integers(2, 20).map(lambda n: np.full(n, np.nan)),
            st.integers(2, 20).map(lambda n: np.ones(n) * 1j),
            st.integers(2, 20).map(lambda n: np.r_[np.ones(n), np.inf]),
            st.sampled_from([np.array([]), np.ones((2, 2, 2)), ["a", "b"], None, "x"]))
    raise bad_argument("kind", kind, "'scalar', 'order', 'matrix' or 'samples'",
                       MethodUnavailableError)
