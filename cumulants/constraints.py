"""Constrained weight matrices: free, tied, same-sign, equivariant, symmetric, circulant.

A *constraint* maps a flat parameter vector ``theta`` to a weight matrix ``W`` of a fixed
shape ``(out, in)`` (the convention ``z = W x + b``).  The same object serves the numpy
trainer (:meth:`Constraint.build` and the chain rule :meth:`Constraint.grad`) and symbolic
work (:meth:`Constraint.symbolic`, a sympy matrix in the parameter symbols
``w_0, w_1, ...``), so a trained network and its closed-form family share one
parameterisation (docs/formulas.md §3.5, §7).

=========================== ==================================== =====================
builder                     matrix                               parameters
=========================== ==================================== =====================
``free(shape)``             any ``W``                            ``out * in``
``tied(shape, "scalar")``   ``W = a 1 1^T``                      1
``tied(shape, "rows")``     every row equals one vector ``w``    ``in``
``same_sign(shape, sign)``  ``W = sign * theta**2`` entrywise    ``out * in``
``permutation_equivariant`` ``W = a I + b 1 1^T`` (DeepSets)     2 (per channel pair)
``symmetric(n)``            ``W = W^T``                          ``n (n + 1) / 2``
``circulant(n)``            ``W[i, j] = w[(j - i) mod n]``       ``n``
=========================== ==================================== =====================

Every constraint except ``same_sign`` is *linear* in ``theta``.  ``same_sign`` uses the
square parameterisation ``sign * theta**2`` by default: it is polynomial, so the symbolic
matrix stays polynomial (closed-form stationary points remain reachable by sympy), and the
projection of a matrix back to parameters is exact.  ``parameterisation="softplus"``
(``sign * log(1 + exp(theta))``, strictly one-signed) is available for training.

>>> import numpy as np
>>> c = circulant(3)
>>> c
circulant(3)
>>> c.build(np.array([1.0, 2.0, 3.0]))
array([[1., 2., 3.],
       [3., 1., 2.],
       [2., 3., 1.]])
>>> c.symbolic("v")
Matrix([
[v_0, v_1, v_2],
[v_2, v_0, v_1],
[v_1, v_2, v_0]])
>>> get("tied", (2, 3), mode="rows").n_params
3
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import sympy

from .errors import InvalidParameterError, MethodUnavailableError, ShapeMismatchError, bad_argument

__all__ = ["Constraint", "Free", "Tied", "SameSign", "PermutationEquivariant", "Symmetric",
           "Circulant", "free", "tied", "same_sign", "permutation_equivariant", "symmetric",
           "circulant", "get", "from_dict", "NAMES"]


# --------------------------------------------------------------------------- helpers


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise bad_argument(name, value, "a positive integer", cls=InvalidParameterError)
    return int(value)


def _shape2(name, shape):
    """Validate a matrix shape ``(out, in)``; an int ``n`` means ``(n, n)``."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape, shape)
    try:
        shape = tuple(shape)
    except TypeError:
        raise bad_argument(name, shape, "a pair (out, in) of positive integers",
                           cls=ShapeMismatchError) from None
    if len(shape) != 2 or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in shape
    ):
        raise bad_argument(name, shape, "a pair (out, in) of positive integers",
                           cls=ShapeMismatchError)
    _guard_entries(name, shape, int(shape[0]) * int(shape[1]))
    return (int(shape[0]), int(shape[1]))


def _guard_entries(name, shown, entries):
    from ._limits import MAX_ARRAY_ENTRIES, guard

    guard(name, entries, MAX_ARRAY_ENTRIES, shown=shown, limit_name="MAX_ARRAY_ENTRIES",
          route="a smaller weight matrix")


def _square(name, n):
    """Validate the size of a square-only constraint: an int or a square shape."""
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        n = _positive_int(name, n)
        _guard_entries(name, n, n * n)
        return n
    shape = _shape2(name, n)
    if shape[0] != shape[1]:
        raise bad_argument(name, shape, "a square shape (n, n): this constraint needs "
                           "in == out", cls=ShapeMismatchError)
    return shape[0]


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _inverse_softplus(y):
    # log(exp(y) - 1), stable for large y
    y = np.asarray(y, dtype=float)
    return y + np.log(-np.expm1(-y))


# --------------------------------------------------------------------------- base class


class Constraint:
    """A parameterisation ``theta -> W`` of weight matrices of one shape ``(out, in)``.

    Subclasses are immutable values: equal when built from equal arguments, with a repr
    that rebuilds them.  Public methods validate their input; the underscored twins
    (``_build``, ``_grad``) skip validation for the training hot loop.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Constraint:
            from .errors import MethodUnavailableError

            raise MethodUnavailableError("Constraint is an abstract base class; use a constraint such as Free, Tied or SameSign (or constraints.get(name, shape))")
        return super().__new__(cls)

    __slots__ = ("_shape",)
    name = "constraint"
    linear = True

    def __setattr__(self, key, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _set(self, **kw):
        for key, value in kw.items():
            object.__setattr__(self, key, value)

    # -- description --------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The shape ``(out, in)`` of the built matrix."""
        return self._shape

    @property
    def n_params(self) -> int:
        """Length of the parameter vector ``theta``."""
        raise NotImplementedError

    def _args(self) -> dict:
        """Keyword arguments (besides ``shape``) that rebuild this constraint."""
        return {}

    def _shape_arg(self):
        return self._shape

    def __repr__(self):
        parts = [repr(self._shape_arg())]
        parts += [f"{k}={v!r}" for k, v in self._args().items()]
        return f"{self.name}({', '.join(parts)})"

    def __eq__(self, other):
        return (type(self) is type(other) and self._shape == other._shape
                and self._args() == other._args())

    def __hash__(self):
        return hash((type(self).__name__, self._shape, tuple(sorted(self._args().items()))))

    def __reduce__(self):
        return (from_dict, (self.to_dict(),))

    def to_dict(self) -> dict:
        """A JSON-ready description; :func:`from_dict` rebuilds the constraint.

        >>> from_dict(tied((2, 3), mode="rows").to_dict())
        tied((2, 3), mode='rows')
        """
        shape = self._shape_arg()
        return {"name": self.name, "shape": list(shape) if isinstance(shape, tuple) else shape,
                **self._args()}

    # -- validation ---------------------------------------------------------------
    def _theta(self, theta):
        try:
            theta = np.asarray(theta, dtype=float)
        except (TypeError, ValueError):
            raise bad_argument("theta", theta, "a real vector", cls=InvalidParameterError) from None
        if theta.ndim != 1 or theta.shape[0] != self.n_params:
            raise bad_argument("theta", f"<array of shape {theta.shape}>",
                               f"a vector of length n_params={self.n_params} for {self!r}",
                               cls=ShapeMismatchError)
        if not np.all(np.isfinite(theta)):
            raise bad_argument("theta", theta, "finite values (no NaN or inf)")
        return theta

    def _matrix(self, name, W):
        try:
            W = np.asarray(W, dtype=float)
        except (TypeError, ValueError):
            raise bad_argument(name, W, "a real matrix", cls=InvalidParameterError) from None
        if W.shape != self._shape:
            raise bad_argument(name, f"<array of shape {W.shape}>",
                               f"a matrix of shape {self._shape} for {self!r}",
                               cls=ShapeMismatchError)
        if not np.all(np.isfinite(W)):
            raise bad_argument(name, W, "finite values (no NaN or inf)")
        return W

    # -- numeric maps ---------------------------------------------------------------
    def build(self, theta) -> np.ndarray:
        """The weight matrix ``W(theta)`` (float64, shape ``(out, in)``)."""
        return self._build(self._theta(theta))

    def grad(self, theta, dW) -> np.ndarray:
        """Chain rule: ``dL/dtheta`` from ``dL/dW`` (vector-Jacobian product of :meth:`build`)."""
        return self._grad(self._theta(theta), self._matrix("dW", dW))

    def init(self, rng, scale=1.0) -> np.ndarray:
        """Random parameters whose built entries have magnitude about ``scale``."""
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        scale = float(scale)
        if not (math.isfinite(scale) and scale >= 0):
            raise bad_argument("scale", scale, "a finite number >= 0")
        return self._init(rng, scale)

    def project(self, W) -> np.ndarray:
        """Parameters of the feasible matrix nearest to ``W`` (least squares in Frobenius norm).

        >>> symmetric(2).project([[1.0, 2.0], [0.0, 3.0]])
        array([1., 1., 3.])
        """
        return self._project(self._matrix("W", W))

    def check(self, W, *, atol=1e-10) -> bool:
        """Whether ``W`` satisfies the constraint, to tolerance ``atol * max(1, max|W|)``.

        A matrix of another shape or with non-finite entries does not satisfy it.

        >>> c = tied((2, 2))
        >>> c.check([[1.0, 1.0], [1.0, 1.0]]), c.check([[1.0, 0.0], [0.0, 1.0]])
        (True, False)
        """
        try:
            W = np.asarray(W, dtype=float)
        except (TypeError, ValueError):
            return False
        if W.shape != self._shape or not np.all(np.isfinite(W)):
            return False
        tol = atol * max(1.0, float(np.max(np.abs(W))))
        return bool(np.all(np.abs(self._build(self._project(W)) - W) <= tol))

    # -- symbolic -------------------------------------------------------------------
    def symbols(self, name="w", *, real=True) -> tuple:
        """The parameter symbols ``name_0, name_1, ...`` in the order of ``theta``.

        Symbols are declared real unless ``real=False`` (then they carry no assumption).

        >>> free((1, 2)).symbols("v")
        (v_0, v_1)
        """
        if not isinstance(name, str) or not name:
            raise bad_argument("name", name, "a non-empty string")
        assumptions = {"real": True} if real else {}
        return tuple(sympy.Symbol(f"{name}_{k}", **assumptions) for k in range(self.n_params))

    def symbolic(self, name="w", *, real=True) -> sympy.Matrix:
        """``W`` as a sympy matrix in the parameter symbols of :meth:`symbols`."""
        return self._symbolic(self.symbols(name, real=real))

    # -- to be provided by subclasses -------------------------------------------------
    def _build(self, theta):  # pragma: no cover - abstract
        raise NotImplementedError

    def _grad(self, theta, dW):  # pragma: no cover - abstract
        raise NotImplementedError

    def _init(self, rng, scale):
        return rng.normal(0.0, scale, size=self.n_params)

    def _project(self, W):  # pragma: no cover - abstract
        raise NotImplementedError

    def _symbolic(self, syms):  # pragma: no cover - abstract
        raise NotImplementedError


# --------------------------------------------------------------------------- builders


class Free(Constraint):
    """No constraint: ``theta`` is ``W`` flattened row-major.

    >>> free((2, 2)).build([1.0, 2.0, 3.0, 4.0])
    array([[1., 2.],
           [3., 4.]])
    """

    __slots__ = ()
    name = "free"

    def __init__(self, shape):
        self._set(_shape=_shape2("shape", shape))

    @property
    def n_params(self):
        return self._shape[0] * self._shape[1]

    def _build(self, theta):
        return theta.reshape(self._shape).copy()

    def _grad(self, theta, dW):
        return np.asarray(dW, dtype=float).reshape(-1).copy()

    def _project(self, W):
        return W.reshape(-1).copy()

    def _symbolic(self, syms):
        return sympy.Matrix(self._shape[0], self._shape[1], list(syms))


class Tied(Constraint):
    """Shared weights: one scalar for the whole matrix, or one row vector for every row.

    ``mode="scalar"``: ``W = a 1 1^T`` (one parameter).  ``mode="rows"``: ``W[i, :] = w``
    for every ``i`` (``in`` parameters) -- every output unit sees the input the same way.

    >>> tied((2, 3)).build([0.5])
    array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]])
    >>> tied((2, 2), mode="rows").symbolic()
    Matrix([
    [w_0, w_1],
    [w_0, w_1]])
    """

    __slots__ = ("_mode",)
    name = "tied"
    MODES = ("scalar", "rows")

    def __init__(self, shape, mode="scalar"):
        if mode not in self.MODES:
            raise bad_argument("mode", mode, f"one of {self.MODES}", cls=MethodUnavailableError)
        self._set(_shape=_shape2("shape", shape), _mode=mode)

    @property
    def mode(self):
        """``"scalar"`` (one shared weight) or ``"rows"`` (every row the same vector)."""
        return self._mode

    def _args(self):
        return {} if self._mode == "scalar" else {"mode": self._mode}

    @property
    def n_params(self):
        return 1 if self._mode == "scalar" else self._shape[1]

    def _build(self, theta):
        if self._mode == "scalar":
            return np.full(self._shape, theta[0])
        return np.repeat(theta[None, :], self._shape[0], axis=0)

    def _grad(self, theta, dW):
        if self._mode == "scalar":
            return np.array([dW.sum()])
        return dW.sum(axis=0)

    def _project(self, W):
        if self._mode == "scalar":
            return np.array([W.mean()])
        return W.mean(axis=0)

    def _symbolic(self, syms):
        out, inp = self._shape
        if self._mode == "scalar":
            return sympy.Matrix(out, inp, [syms[0]] * (out * inp))
        return sympy.Matrix(out, inp, lambda i, j: syms[j])


class SameSign(Constraint):
    """All entries of one sign: ``W = sign * theta**2`` (or ``sign * softplus(theta)``).

    The important use is output weights of one sign ("homogeneous" read-out, docs/formulas.md §7):
    with a quadratic activation their quadratic forms cannot cancel.  The default square
    parameterisation is polynomial (so :meth:`symbolic` is too) and admits exact
    projection; ``"softplus"`` keeps entries strictly one-signed.

    >>> c = same_sign((1, 2), sign=-1)
    >>> c.build([1.0, 2.0])
    array([[-1., -4.]])
    >>> c.symbolic("v")
    Matrix([[-v_0**2, -v_1**2]])
    >>> c.check([[-1.0, 0.0]]), c.check([[-1.0, 0.5]])
    (True, False)
    """

    __slots__ = ("_sign", "_param")
    name = "same_sign"
    linear = False
    PARAMETERISATIONS = ("square", "softplus")

    def __init__(self, shape, sign=+1, parameterisation="square"):
        if isinstance(sign, bool) or sign not in (1, -1):
            raise bad_argument("sign", sign, "+1 or -1")
        if parameterisation not in self.PARAMETERISATIONS:
            raise bad_argument("parameterisation", parameterisation,
                               f"one of {self.PARAMETERISATIONS}", cls=MethodUnavailableError)
        self._set(_shape=_shape2("shape", shape), _sign=int(sign), _param=parameterisation)

    @property
    def sign(self):
        """The common sign of every entry, ``+1`` or ``-1``."""
        return self._sign

    @property
    def parameterisation(self):
        """``"square"`` (``sign * theta**2``) or ``"softplus"`` (``sign * log(1 + e^theta)``)."""
        return self._param

    def _args(self):
        args = {"sign": self._sign}
        if self._param != "square":
            args["parameterisation"] = self._param
        return args

    @property
    def n_params(self):
        return self._shape[0] * self._shape[1]

    def _build(self, theta):
        mag = theta * theta if self._param == "square" else _softplus(theta)
        return (self._sign * mag).reshape(self._shape)

    def _grad(self, theta, dW):
        d = 2.0 * theta if self._param == "square" else _sigmoid(theta)
        return self._sign * d * dW.reshape(-1)

    def _init(self, rng, scale):
        mag = scale * np.abs(rng.normal(size=self.n_params))
        if self._param == "square":
            return np.sqrt(mag)
        return _inverse_softplus(np.maximum(mag, 1e-8))

    def _project(self, W):
        mag = np.maximum(self._sign * W.reshape(-1), 0.0)
        if self._param == "square":
            return np.sqrt(mag)
        # softplus never reaches 0: the nearest reachable entry is tiny but positive
        return _inverse_softplus(np.maximum(mag, 1e-300))

    def check(self, W, *, atol=1e-10) -> bool:
        try:
            W = np.asarray(W, dtype=float)
        except (TypeError, ValueError):
            return False
        if W.shape != self._shape or not np.all(np.isfinite(W)):
            return False
        return bool(np.all(self._sign * W >= -atol))

    def _symbolic(self, syms):
        if self._param == "square":
            entries = [self._sign * s**2 for s in syms]
        else:
            entries = [self._sign * sympy.log(1 + sympy.exp(s)) for s in syms]
        return sympy.Matrix(self._shape[0], self._shape[1], entries)


class PermutationEquivariant(Constraint):
    """Permutation-equivariant linear map ``W = a I + b 1 1^T`` (DeepSets, docs/formulas.md §3.5).

    With channels the map acts on ``n`` set elements carrying ``in_channels`` features
    each (node-major flattening, index ``element * channels + channel``)::

        W = I_n (x) Lambda + 1 1^T (x) Gamma,   Lambda, Gamma of shape (out_channels, in_channels)

    so ``theta = (Lambda.ravel(), Gamma.ravel())``.  It commutes with every permutation
    of the ``n`` elements.

    >>> permutation_equivariant(3).build([2.0, 1.0])
    array([[3., 1., 1.],
           [1., 3., 1.],
           [1., 1., 3.]])
    """

    __slots__ = ("_n", "_cin", "_cout")
    name = "permutation_equivariant"

    def __init__(self, n, *, in_channels=1, out_channels=1):
        cin = _positive_int("in_channels", in_channels)
        cout = _positive_int("out_channels", out_channels)
        if isinstance(n, numbers.Integral) and not isinstance(n, bool):
            n = _positive_int("n", n)
        else:
            shape = _shape2("n", n)
            if shape[0] % cout or shape[1] % cin or shape[0] // cout != shape[1] // cin:
                raise bad_argument("shape", shape, f"(n * out_channels, n * in_channels) with "
                                   f"in_channels={cin}, out_channels={cout}; a square shape "
                                   "when there is one channel", cls=ShapeMismatchError)
            n = shape[1] // cin
        self._set(_shape=(n * cout, n * cin), _n=n, _cin=cin, _cout=cout)

    @property
    def n(self):
        """Number of set elements the map permutes."""
        return self._n

    def _shape_arg(self):
        return self._n

    def _args(self):
        args = {}
        if self._cin != 1:
            args["in_channels"] = self._cin
        if self._cout != 1:
            args["out_channels"] = self._cout
        return args

    @property
    def n_params(self):
        return 2 * self._cin * self._cout

    def _blocks(self, theta):
        k = self._cin * self._cout
        lam = theta[:k].reshape(self._cout, self._cin)
        gam = theta[k:].reshape(self._cout, self._cin)
        return lam, gam

    def _build(self, theta):
        lam, gam = self._blocks(theta)
        n = self._n
        return np.kron(np.eye(n), lam) + np.kron(np.ones((n, n)), gam)

    def _grad(self, theta, dW):
        n = self._n
        d4 = dW.reshape(n, self._cout, n, self._cin)
        dlam = np.einsum("ipiq->pq", d4)
        dgam = d4.sum(axis=(0, 2))
        return np.concatenate([dlam.ravel(), dgam.ravel()])

    def _init(self, rng, scale):
        k = self._cin * self._cout
        return np.concatenate([rng.normal(0.0, scale, size=k),
                               rng.normal(0.0, scale / math.sqrt(self._n), size=k)])

    def _project(self, W):
        n = self._n
        d4 = W.reshape(n, self._cout, n, self._cin)
        diag = np.einsum("ipiq->pq", d4) / n
        if n == 1:
            # a and b enter only through a + b: the minimum-norm split
            return np.concatenate([diag.ravel() / 2, diag.ravel() / 2])
        off = (d4.sum(axis=(0, 2)) - diag * n) / (n * (n - 1))
        return np.concatenate([(diag - off).ravel(), off.ravel()])

    def _symbolic(self, syms):
        k = self._cin * self._cout
        n, cin, cout = self._n, self._cin, self._cout

        def entry(r, c):
            i, p = divmod(r, cout)
            j, q = divmod(c, cin)
            s = syms[k + p * cin + q]
            return s + syms[p * cin + q] if i == j else s

        return sympy.Matrix(n * cout, n * cin, entry)


class Symmetric(Constraint):
    """Symmetric square matrix ``W = W^T``; ``theta`` is the upper triangle, row-major.

    >>> symmetric(2).build([1.0, 2.0, 3.0])
    array([[1., 2.],
           [2., 3.]])
    """

    __slots__ = ("_iu",)
    name = "symmetric"

    def __init__(self, n):
        n = _square("shape", n)
        self._set(_shape=(n, n), _iu=np.triu_indices(n))

    def _shape_arg(self):
        return self._shape[0]

    @property
    def n_params(self):
        n = self._shape[0]
        return n * (n + 1) // 2

    def _build(self, theta):
        W = np.zeros(self._shape)
        W[self._iu] = theta
        return W + np.triu(W, 1).T

    def _grad(self, theta, dW):
        S = dW + dW.T
        S[np.diag_indices(self._shape[0])] = np.diagonal(dW)
        return S[self._iu]

    def _project(self, W):
        return (0.5 * (W + W.T))[self._iu]

    def _symbolic(self, syms):
        n = self._shape[0]
        index = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(*self._iu))}
        return sympy.Matrix(n, n, lambda i, j: syms[index[(min(i, j), max(i, j))]])


class Circulant(Constraint):
    """Translation-equivariant map on a ring: ``W[i, j] = w[(j - i) mod n]``.

    It commutes with the cyclic shift, so a circulant layer on a periodic 1-D lattice
    treats every site alike (the symmetry of the block-spin RG step).

    >>> c = circulant(4)
    >>> shift = np.roll(np.eye(4), 1, axis=1)
    >>> W = c.build([1.0, 2.0, 0.0, -1.0])
    >>> bool(np.allclose(shift @ W, W @ shift))
    True
    """

    __slots__ = ("_index",)
    name = "circulant"

    def __init__(self, n):
        n = _square("shape", n)
        i, j = np.indices((n, n))
        self._set(_shape=(n, n), _index=(j - i) % n)

    def _shape_arg(self):
        return self._shape[0]

    @property
    def n_params(self):
        return self._shape[0]

    def _build(self, theta):
        return theta[self._index]

    def _grad(self, theta, dW):
        return np.bincount(self._index.ravel(), weights=dW.ravel(), minlength=self._shape[0])

    def _project(self, W):
        n = self._shape[0]
        return np.bincount(self._index.ravel(), weights=W.ravel(), minlength=n) / n

    def _symbolic(self, syms):
        n = self._shape[0]
        return sympy.Matrix(n, n, lambda i, j: syms[(j - i) % n])


# --------------------------------------------------------------------------- factories

# The builders are the classes themselves, under the names that their reprs use.
free = Free
tied = Tied
same_sign = SameSign
permutation_equivariant = PermutationEquivariant
symmetric = Symmetric
circulant = Circulant

_BUILDERS = {
    "free": free,
    "tied": tied,
    "same_sign": same_sign,
    "permutation_equivariant": permutation_equivariant,
    "symmetric": symmetric,
    "circulant": circulant,
}

#: Names understood by :func:`get`.
NAMES = tuple(_BUILDERS)


def get(name, shape, **kw) -> Constraint:
    """The constraint called ``name`` for weight matrices of ``shape = (out, in)``.

    Square-only constraints (``permutation_equivariant`` without channels,
    ``symmetric``, ``circulant``) raise :class:`~cumulants.errors.ShapeMismatchError` on
    a rectangular shape.

    >>> get("same_sign", (1, 4), sign=-1)
    same_sign((1, 4), sign=-1)
    >>> get("circulant", (3, 2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cumulants.errors.ShapeMismatchError: shape=(3, 2) is invalid: expected a square shape ...
    """
    if isinstance(name, Constraint):
        if kw:
            raise bad_argument("kw", kw, "no keywords when a Constraint instance is given")
        if name.shape != _shape2("shape", shape):
            raise bad_argument("constraint", name, f"a constraint of shape {tuple(shape)}",
                               cls=ShapeMismatchError)
        return name
    if name not in _BUILDERS:
        raise bad_argument("name", name, f"one of {NAMES}", cls=MethodUnavailableError)
    builder = _BUILDERS[name]
    try:
        return builder(shape, **kw)
    except TypeError as exc:
        raise bad_argument("kw", kw, f"keywords accepted by {name}(): {exc}") from None


def from_dict(d) -> Constraint:
    """Rebuild a constraint from :meth:`Constraint.to_dict`.

    >>> from_dict({"name": "circulant", "shape": 5})
    circulant(5)
    """
    if not isinstance(d, dict) or "name" not in d or "shape" not in d:
        raise bad_argument("d", d, "a dict with keys 'name' and 'shape'")
    kw = {k: v for k, v in d.items() if k not in ("name", "shape")}
    shape = d["shape"]
    if isinstance(shape, list):
        shape = tuple(shape)
    return get(d["name"], shape, **kw)
