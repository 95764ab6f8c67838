r"""The :class:`Cumulants` state: truncated joint cumulants of a random vector.

A state holds :math:`\kappa(x_{i_1},\dots,x_{i_n})` for every multiset of
indices and every order :math:`n \le` ``order``, each multiset stored once.
Two storage layouts share one interface:

* *independent* -- components are mutually independent, so every mixed
  cumulant is exactly zero and only the ``d`` marginal cumulants per order are
  stored (``Cumulants.iid``, ``Cumulants.independent``);
* *packed* -- the general case, one entry per multiset.

Entries live in one of three number systems (``domain``): ``"exact"`` (sympy),
``"float"`` (numpy ``float64``) or ``"mpmath"``.  A state knows which orders are
exactly zero (Gaussian: all above 2) and, for states built from distributions,
how to compute any higher order exactly; otherwise asking for an order it does
not hold raises :class:`~cumulants.errors.InsufficientOrderError`.
"""

from __future__ import annotations

import math


import mpmath
import numpy as np
import sympy

from . import _tensor
from ._numbers import check_finite, check_order, check_real, domain_of, join_domains, to_domain
from .algebra.partitions import set_partitions
from .errors import (
    InsufficientOrderError,
    InvalidCumulantsError,
    InvalidParameterError,
    ShapeMismatchError,
    bad_argument,
)

__all__ = ["Cumulants"]


def _zero(domain):
    return 0.0 if domain == "float" else (sympy.Integer(0) if domain == "exact" else mpmath.mpf(0))


def _as_storage(values, domain):
    """1-D storage array in the representation of ``domain``."""
    if domain == "float":
        return np.asarray([to_domain(v, "float") for v in np.ravel(np.asarray(values, dtype=object))],
                          dtype=np.float64) if np.asarray(values).dtype == object \
            else np.asarray(values, dtype=np.float64).ravel().copy()
    flat = np.asarray(values, dtype=object).ravel()
    out = np.empty(flat.shape[0], dtype=object)
    for i, v in enumerate(flat):
        out[i] = to_domain(v, domain)
    return out


class Cumulants:
    """Immutable joint cumulants of a random vector up to a truncation order.

    Build states with the constructors (:meth:`iid`, :meth:`independent`,
    :meth:`gaussian`, :meth:`symbolic`, :meth:`from_moments`,
    :meth:`from_samples`, :meth:`from_tensors`, :meth:`univariate`), not with
    ``__init__``.

    >>> from cumulants.distributions import Exponential
    >>> c = Cumulants.iid(Exponential(1), dim=2, order=3)
    >>> c[0, 0, 0], c[0, 1], c.dim, c.order
    (2, 0, 2, 3)
    >>> c.mean
    array([1, 1], dtype=object)
    """

    __slots__ = ("_dim", "_order", "_domain", "_layout", "_data", "_zero_above",
                 "_dists", "exact", "method", "error")

    def __init__(self, dim, order, domain, layout, data, *, zero_above=None, dists=None,
                 exact=True, method="exact", error=None):
        if domain not in ("exact", "float", "mpmath") or layout not in ("packed", "independent"):
            raise InvalidParameterError(
                f"Cumulants(domain={domain!r}, layout={layout!r}) is invalid: build states with "
                "Cumulants.iid / gaussian / symbolic / from_moments / from_samples / from_tensors")
        self._dim = check_order(dim, "dim")
        self._order = check_order(order)
        self._domain = domain
        self._layout = layout
        try:
            self._data = tuple(data)
        except TypeError:
            raise bad_argument("data", data, "one array of values per order") from None
        # one array per order, of the layout's length: a builder that gets this wrong would
        # otherwise hand back a state whose entries sit at the wrong orders
        if len(self._data) != self._order:
            raise InvalidCumulantsError(
                f"Cumulants got {len(self._data)} arrays of values for order {self._order}: "
                "expected one per order")
        for n, arr in enumerate(self._data, start=1):
            size = self._dim if layout == "independent" else _tensor.n_entries(self._dim, n)
            if len(arr) != size:
                raise InvalidCumulantsError(
                    f"Cumulants got {len(arr)} values for order {n}; the {layout} layout of "
                    f"dim={self._dim} holds {size}")
        self._zero_above = zero_above
        self._dists = dists
        #: ``False`` when the state comes from an approximation (closure, surrogate, truncation).
        self.exact = bool(exact)
        #: How the state was obtained (``"exact"``, ``"gaussian-closure"``, ``"hermite-8"``, ...).
        self.method = method
        #: Estimated absolute error of each unit's marginal cumulants, one float array of
        #: length ``dim`` per order (``error[n-1][i]`` for ``kappa_n(y_i)``), when the
        #: approximation that made the state reports one (surrogates); else ``None``.
        self.error = error

    # ------------------------------------------------------------------ constructors
    @classmethod
    def independent(cls, dists, order):
        """Mutually independent components with the given marginal distributions.

        Any higher order can later be computed exactly (see :meth:`extend`).

        >>> from cumulants.distributions import Normal, Exponential
        >>> Cumulants.independent([Normal(0, 1), Exponential(2)], 3).marginal(1)
        [1/2, 1/4, 1/4]
        """
        order = check_order(order)
        dists = tuple(dists)
        if not dists:
            raise bad_argument("dists", dists, "a non-empty sequence of distributions")
        for i, dist in enumerate(dists):
            if not hasattr(dist, "cumulant"):
                raise bad_argument(f"dists[{i}]", dist,
                                   "a distribution with a .cumulant(n) method (see cumulants.distributions)")
        cols = [[dist.cumulant(n) for dist in dists] for n in range(1, order + 1)]
        domain = join_domains(domain_of(c) for c in cols)
        data = [_as_storage(c, domain) for c in cols]
        zero_above = 2 if all(type(d).__name__ == "Normal" for d in dists) else None
        return cls(len(dists), order, domain, "independent", data, zero_above=zero_above,
                   dists=dists)

    @classmethod
    def iid(cls, dist, dim, order):
        """``dim`` independent copies of one distribution.

        >>> from cumulants.distributions import Rademacher
        >>> Cumulants.iid(Rademacher(), 3, 4).marginal(0)
        [0, 1, 0, -2]
        """
        dim = check_order(dim, "dim")
        return cls.independent([dist] * dim, order)

    @classmethod
    def univariate(cls, cumulants):
        """A one-dimensional state from the sequence ``kappa_1..kappa_n``.

        >>> Cumulants.univariate([0, 1, 2]).marginal(0)
        [0, 1, 2]
        """
        seq = list(cumulants)
        if not seq:
            raise bad_argument("cumulants", cumulants, "a non-empty sequence kappa_1..kappa_n",
                               InvalidCumulantsError)
        for i, v in enumerate(seq):
            check_finite(v, f"cumulants[{i}]")
        domain = domain_of(seq)
        if len(seq) >= 2:
            _check_variance(seq[1], "cumulants[1] (the variance)")
        data = [_as_storage([v], domain) for v in seq]
        return cls(1, len(seq), domain, "independent", data)

    @classmethod
    def iid_cumulants(cls, cumulants, dim):
        """``dim`` independent copies of a law given by its cumulants ``kappa_1..kappa_n``.

        >>> Cumulants.iid_cumulants([0, 1, 2], 3)[2, 2, 2]
        2
        """
        dim = check_order(dim, "dim")
        one = cls.univariate(cumulants)
        data = [np.repeat(s, dim) for s in one._data]
        return cls(dim, one.order, one.domain, "independent", data)

    @classmethod
    def gaussian(cls, mean, cov, order=2):
        """A Gaussian vector: cumulants of order >= 3 are exactly zero at every order.

        ``cov`` must be symmetric positive semidefinite (checked).

        >>> g = Cumulants.gaussian([0, 1], [[1, 0.5], [0.5, 2]], order=4)
        >>> g[0, 1], g[0, 0, 1, 1], g[0, 0, 0, 0, 0, 1]
        (0.5, 0.0, 0.0)
        """
        order = check_order(order)
        mean_arr = np.asarray(mean, dtype=object)
        cov_arr = np.asarray(cov.tolist() if isinstance(cov, sympy.MatrixBase) else cov, dtype=object)
        if mean_arr.ndim != 1:
            raise bad_argument("mean", mean, "a 1-D sequence", ShapeMismatchError)
        d = mean_arr.shape[0]
        if cov_arr.shape != (d, d):
            raise ShapeMismatchError(
                f"cov has shape {cov_arr.shape} but mean has length {d}: expected a ({d}, {d}) matrix")
        for i, v in enumerate(mean_arr):
            check_real(v, f"mean[{i}]")
        for (i, j), v in np.ndenumerate(cov_arr):
            check_real(v, f"cov[{i}, {j}]")
        _check_covariance(cov_arr, "cov")
        _guard_packed(d, order)
        domain = join_domains([domain_of(list(mean_arr)), domain_of(list(cov_arr.ravel()))])
        data = [_as_storage(mean_arr, domain), _as_storage(_tensor.pack(cov_arr), domain)]
        for n in range(3, order + 1):
            data.append(_filled(_tensor.n_entries(d, n), _zero(domain), domain))
        state = cls(d, max(order, 2), domain, "packed", data, zero_above=2)
        return state if order >= 2 else state.truncate(order)

    @classmethod
    def symbolic(cls, dim, order, *, iid=True, name="kappa"):
        """Unknown cumulants as sympy symbols.

        ``iid=True``: every component has cumulants ``kappa_1..kappa_order``
        (mixed cumulants zero); ``iid=False``: one symbol per multiset, e.g.
        ``kappa_{0,1,1}``.

        >>> Cumulants.symbolic(2, 2).marginal(1)
        [kappa_1, kappa_2]
        >>> Cumulants.symbolic(2, 2, iid=False)[1, 0]
        kappa_{0,1}
        """
        dim = check_order(dim, "dim")
        order = check_order(order)
        if iid:
            data = []
            from .algebra.univariate import kappa

            for n in range(1, order + 1):
                data.append(_filled(dim, kappa(n, name), "exact"))
            return cls(dim, order, "exact", "independent", data)
        data = []
        for n in range(1, order + 1):
            ms = _tensor.multisets(dim, n)
            arr = np.empty(len(ms), dtype=object)
            for k, m in enumerate(ms):
                arr[k] = sympy.Symbol(f"{name}_{{{','.join(map(str, m))}}}", real=True)
            data.append(arr)
        return cls(dim, order, "exact", "packed", data)

    @classmethod
    def from_tensors(cls, tensors, *, exact=True, method="exact"):
        """A general state from the list of cumulant tensors ``[k1, k2, ...]``.

        ``tensors[n-1]`` is a symmetric array of shape ``(d,)*n`` (checked).

        >>> c = Cumulants.from_tensors([[0, 0], [[1, 0.2], [0.2, 1]]])
        >>> c[1, 0]
        0.2
        """
        tensors = [np.asarray(t.tolist() if isinstance(t, sympy.MatrixBase) else t, dtype=object)
                   for t in tensors]
        if not tensors:
            raise bad_argument("tensors", tensors, "a non-empty list [k1, k2, ...]",
                               InvalidCumulantsError)
        d = tensors[0].shape[0] if tensors[0].ndim == 1 else None
        if d is None:
            raise bad_argument("tensors[0]", tensors[0], "a 1-D mean vector", ShapeMismatchError)
        for n, t in enumerate(tensors, start=1):
            if t.shape != (d,) * n:
                raise ShapeMismatchError(
                    f"tensors[{n - 1}] has shape {t.shape}; expected {(d,) * n} for order {n}")
            for v in t.ravel():
                check_finite(v, f"tensors[{n - 1}]")
            if n >= 2 and not _is_symmetric(t):
                raise InvalidCumulantsError(
                    f"tensors[{n - 1}] is not symmetric under index permutations; "
                    "joint cumulants must be symmetric")
        if len(tensors) >= 2:
            _check_covariance(tensors[1], "tensors[1] (the covariance)")
        domain = join_domains(domain_of(list(t.ravel())) for t in tensors)
        data = [_as_storage(_tensor.pack(t), domain) for t in tensors]
        return cls(d, len(tensors), domain, "packed", data, exact=exact, method=method)

    @classmethod
    def from_moments(cls, moments, order=None, *, dim=None):
        """A state from raw (joint) moments.

        ``moments`` is either a sequence of scalar raw moments ``m_1..m_n``
        (a one-dimensional state), a list of moment tensors ``[m1, m2, ...]``
        (``m_n`` of shape ``(d,)*n``), or a mapping from index tuples to joint
        raw moments (with ``dim`` and ``order``).  Joint cumulants follow from
        the set-partition formula (docs/formulas.md §1.2).

        >>> Cumulants.from_moments([1, 5, 13, 73]).marginal(0)
        [1, 4, 0, 0]
        """
        from .algebra.multivariate import joint_cumulant_from_moments

        if isinstance(moments, dict):
            if dim is None or order is None:
                raise InvalidParameterError("from_moments with a mapping needs dim= and order=")
            dim = check_order(dim, "dim")
            order = check_order(order)

            def m(idx):
                key = tuple(sorted(idx))
                if key not in moments:
                    raise InsufficientOrderError(f"moments has no entry for indices {key}")
                return moments[key]
        else:
            if moments is None or isinstance(moments, (str, bytes)):
                raise bad_argument("moments", moments, "a sequence of raw moments m_1..m_n, a "
                                   "list of moment tensors, or a dict of joint moments",
                                   InvalidCumulantsError)
            try:
                seq = list(moments)
            except TypeError:
                raise bad_argument("moments", moments, "a sequence of raw moments m_1..m_n, a "
                                   "list of moment tensors, or a dict of joint moments",
                                   InvalidCumulantsError) from None
            if not seq:
                raise bad_argument("moments", moments, "a non-empty sequence", InvalidCumulantsError)
            if all(np.ndim(v) == 0 and not isinstance(v, sympy.MatrixBase) for v in seq):
                from .algebra.univariate import cumulants_from_moments

                out = cls.univariate(cumulants_from_moments(seq, validate=True))
                # rounded numbers are not exact moments (the conversion is, exactly
                # rounded; docs/formulas.md §1.2)
                return out if out.domain == "exact" else out.replace(
                    exact=False, method=f"{out.domain}-moments")
            tensors = [np.asarray(t, dtype=object) for t in seq]
            dim = tensors[0].shape[0]
            order = len(tensors) if order is None else check_order(order)
            for n, t in enumerate(tensors, start=1):
                if t.shape != (dim,) * n:
                    raise ShapeMismatchError(
                        f"moments[{n - 1}] has shape {t.shape}; expected {(dim,) * n}")

            def m(idx):
                return tensors[len(idx) - 1][tuple(idx)]

        tensors_out = []
        for n in range(1, order + 1):
            ms = _tensor.multisets(dim, n)
            packed = [joint_cumulant_from_moments(m, tuple(int(i) for i in idx)) for idx in ms]
            tensors_out.append(_tensor.unpack(np.asarray(packed, dtype=object), dim, n))
        out = cls.from_tensors(tensors_out)
        return out if out.domain == "exact" else out.replace(
            exact=False, method=f"{out.domain}-moments")

    @classmethod
    def from_samples(cls, X, order):
        """Unbiased estimates (k-statistics) of the joint cumulants of samples.

        ``X`` has shape ``(n_samples,)`` or ``(n_samples, dim)``.  The state is
        marked ``exact=False`` with ``method="k-statistics"``.

        >>> x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
        >>> [round(v, 6) for v in Cumulants.from_samples(x, 4).marginal(0)]
        [4.0, 12.5, 75.0, 492.5]
        """
        from .estimators import joint_k_statistics

        from .estimators.kstat import as_samples

        order = check_order(order)
        arr = as_samples(X, "X")
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise bad_argument("X", f"array of shape {np.shape(X)}",
                               "shape (n_samples,) or (n_samples, dim)", ShapeMismatchError)
        d = arr.shape[1]
        est = joint_k_statistics(arr, order)
        data = []
        for n in range(1, order + 1):
            data.append(np.array([est[tuple(int(i) for i in m)] for m in _tensor.multisets(d, n)],
                                 dtype=np.float64))
        return cls(d, order, "float", "packed", data, exact=False, method="k-statistics")

    # ---------------------------------------------------------------------- properties
    @property
    def dim(self) -> int:
        """Number of components of the random vector."""
        return self._dim

    @property
    def order(self) -> int:
        """Highest cumulant order held (higher ones may still be known exactly)."""
        return self._order

    @property
    def domain(self) -> str:
        """Number system of the entries: ``"exact"``, ``"float"`` or ``"mpmath"``."""
        return self._domain

    @property
    def is_independent(self) -> bool:
        """True when the components are known to be mutually independent."""
        return self._layout == "independent"

    @property
    def is_gaussian(self) -> bool:
        """True when every cumulant of order >= 3 is known to be exactly zero."""
        return self._zero_above is not None and self._zero_above <= 2

    @property
    def zero_above(self):
        """Order above which all cumulants are exactly zero, or ``None``."""
        return self._zero_above

    @property
    def distributions(self):
        """The marginal distributions of an independent state built from them, or ``None``."""
        return self._dists

    def known_to(self, n: int) -> bool:
        """Whether order ``n`` is available (held, exactly zero, or computable)."""
        return (n <= self._order or (self._zero_above is not None and n > self._zero_above)
                or self._dists is not None)

    # ------------------------------------------------------------------------ access
    def _storage(self, n):
        n = check_order(n, "n")
        if n <= self._order:
            return self._data[n - 1]
        if self._zero_above is not None and n > self._zero_above:
            size = self._dim if self._layout == "independent" else _tensor.n_entries(self._dim, n)
            return _filled(size, _zero(self._domain), self._domain)
        if self._dists is not None:
            return _as_storage([dist.cumulant(n) for dist in self._dists], self._domain)
        raise InsufficientOrderError(
            f"order {n} is needed but this state holds cumulants only up to order {self._order}; "
            f"build the input state with order >= {n} (or from distributions, which extend exactly)")

    def packed(self, n: int) -> np.ndarray:
        """The unique order-``n`` entries in multiset order (``combinations_with_replacement``)."""
        s = self._storage(n)
        if self._layout == "packed":
            return s
        out = _filled(_tensor.n_entries(self._dim, n), _zero(self._domain), self._domain)
        for i in range(self._dim):
            out[_tensor.rank((i,) * n, self._dim)] = s[i]
        return out

    def diagonal(self, n: int) -> np.ndarray:
        """The marginal order-``n`` cumulants of every component (length ``dim``)."""
        s = self._storage(n)
        if self._layout == "independent":
            return s.copy()
        return np.array([s[_tensor.rank((i,) * n, self._dim)] for i in range(self._dim)],
                        dtype=s.dtype)

    def tensor(self, n: int) -> np.ndarray:
        """Dense symmetric array of the order-``n`` joint cumulants, shape ``(dim,)*n``."""
        from ._limits import guard_tensor

        n = check_order(n, "n")
        guard_tensor(f"dim**n = {self._dim}**{n} entries", self._dim ** n,
                              route="indexing single entries (c[i, j, k]), the packed storage "
                           "(c.packed(n)) or marginals, which never form the dense tensor")
        s = self._storage(n)
        if self._layout == "packed":
            return _tensor.unpack(s, self._dim, n)
        out = np.zeros((self._dim,) * n, dtype=s.dtype) if s.dtype != object else \
            np.full((self._dim,) * n, _zero(self._domain), dtype=object)
        for i in range(self._dim):
            out[(i,) * n] = s[i]
        return out

    def __getitem__(self, indices):
        if not isinstance(indices, tuple):
            indices = (indices,)
        if not indices:
            raise bad_argument("indices", indices, "at least one index", ShapeMismatchError)
        for i in indices:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self._dim:
                raise bad_argument("index", i, f"an integer in [0, {self._dim - 1}]",
                                   ShapeMismatchError)
        n = len(indices)
        s = self._storage(n)
        if self._layout == "independent":
            v = s[indices[0]] if len(set(indices)) == 1 else _zero(self._domain)
        else:
            v = s[_tensor.rank(indices, self._dim)]
        return float(v) if self._domain == "float" else v

    @property
    def mean(self) -> np.ndarray:
        """The mean vector (first cumulants)."""
        return self.diagonal(1)

    @property
    def covariance(self) -> np.ndarray:
        """The covariance matrix (second joint cumulants)."""
        return self.tensor(2)

    def marginal(self, i: int) -> list:
        """The cumulants ``kappa_1..kappa_order`` of component ``i``."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self._dim:
            raise bad_argument("i", i, f"an integer in [0, {self._dim - 1}]", ShapeMismatchError)
        return [self[(i,) * n] for n in range(1, self._order + 1)]

    def moment(self, indices):
        """The joint raw moment ``E[x_{i1} ... x_{in}]`` (sum over set partitions).

        >>> from cumulants.distributions import Normal
        >>> Cumulants.iid(Normal(1, 2), 1, 2).moment((0, 0, 0, 0))
        73
        """
        if isinstance(indices, (str, bytes)) or indices is None:
            raise bad_argument("indices", indices, "a tuple of component indices",
                               ShapeMismatchError)
        try:
            indices = tuple(indices) if not isinstance(indices, (int, np.integer)) else (indices,)
        except TypeError:
            raise bad_argument("indices", indices, "a tuple of component indices",
                               ShapeMismatchError) from None
        if not indices:
            raise bad_argument("indices", indices, "at least one index", ShapeMismatchError)
        for i in indices:
            self[(i,)]  # validates the index
        n = len(indices)
        max_block = self._zero_above if self._zero_above is not None else None
        total = _zero(self._domain)
        for part in set_partitions(n, max_block):
            term = 1
            for block in part:
                term = term * self[tuple(indices[a] for a in block)]
                if _is_exact_zero(term):
                    break
            total = total + term
        return sympy.expand(total) if self._domain == "exact" else total

    # ----------------------------------------------------------------- transformations
    def replace(self, **changes):
        """A copy with some attributes changed (``exact``, ``method``, ``error``)."""
        out = self._copy()
        for key, value in changes.items():
            if key not in ("exact", "method", "error"):
                raise bad_argument("replace", key, "one of 'exact', 'method', 'error'")
            setattr(out, key, value)
        return out

    def _copy(self, **kw):
        args = dict(dim=self._dim, order=self._order, domain=self._domain, layout=self._layout,
                    data=self._data, zero_above=self._zero_above, dists=self._dists,
                    exact=self.exact, method=self.method, error=self.error)
        args.update(kw)
        if args["error"] is not None and len(args["error"]) != args["order"]:
            err = list(args["error"])[:args["order"]]
            args["error"] = tuple(err) if len(err) == args["order"] else None
        return Cumulants(**args)

    def truncate(self, order: int):
        """The same state holding only orders ``1..order``."""
        order = check_order(order)
        if order > self._order:
            return self.extend(order)
        return self._copy(order=order, data=self._data[:order])

    def extend(self, order: int):
        """The same state holding orders up to ``order`` (when exactly known).

        Raises :class:`InsufficientOrderError` when higher orders are unknown.
        """
        order = check_order(order)
        if order <= self._order:
            return self
        data = list(self._data) + [self._storage(n) for n in range(self._order + 1, order + 1)]
        return self._copy(order=order, data=data)

    require = extend

    def to_packed(self):
        """The same state in the general (packed) layout."""
        if self._layout == "packed":
            return self
        data = [self.packed(n) for n in range(1, self._order + 1)]
        return self._copy(layout="packed", data=data)

    def map_entries(self, fn, domain=None):
        """Apply ``fn`` to every stored entry (used by ``subs``/``evalf``)."""
        domain = domain or self._domain
        data = []
        for s in self._data:
            vals = [fn(v) for v in s]
            data.append(_as_storage(vals, join_domains([domain, domain_of(vals)])
                                    if domain == "exact" else domain))
        new_domain = join_domains(domain_of(list(d)) for d in data) if domain == "exact" else domain
        data = [_as_storage(d, new_domain) for d in data]
        return self._copy(domain=new_domain, data=data, dists=None)

    def subs(self, *args, **kwargs):
        """Substitute values for symbols in every entry (as ``sympy.Basic.subs``).

        >>> c = Cumulants.symbolic(1, 2).subs({'kappa_1': 0, 'kappa_2': 3})
        >>> c.marginal(0), c.domain
        ([0, 3], 'exact')
        """
        if len(args) == 2:
            pairs = [tuple(args)]
        elif len(args) == 1 and isinstance(args[0], dict):
            pairs = list(args[0].items())
        elif len(args) == 1 and isinstance(args[0], (list, tuple)):
            pairs = list(args[0])
            if not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs):
                raise bad_argument("subs", args[0], "a list of (symbol, value) pairs")
        else:
            raise bad_argument("subs", args[0] if len(args) == 1 else args,
                               "a dict {symbol or name: value}, a list of (symbol, value) pairs, "
                               "or two arguments (symbol, value)")
        for k, v in pairs:
            check_real(v, f"subs[{k!r}]")
        by_name = {}
        for arr in self._data:
            for v in arr:
                if isinstance(v, sympy.Basic):
                    for sym in v.free_symbols:
                        by_name[sym.name] = sym

        def key(k):
            # names, and symbols equal in name to the state's (whatever their assumptions)
            if isinstance(k, str):
                return by_name.get(k, sympy.Symbol(k))
            if isinstance(k, sympy.Symbol) and k.name in by_name:
                return by_name[k.name]
            return k

        pairs = [(key(k), v) for k, v in pairs]

        def fn(v):
            return sympy.sympify(v).subs(pairs, **kwargs)

        out = self.map_entries(fn, self._domain)
        return out._copy(zero_above=self._zero_above)

    def evalf(self, dps=None):
        """Numeric copy: floats (``dps=None``) or mpmath numbers with ``dps`` digits."""
        if dps is not None:
            from ._limits import MAX_DPS

            dps = check_order(dps, "dps", maximum=MAX_DPS, route="fewer digits")
        if dps is None:
            out = self.map_entries(lambda v: to_domain(v, "float"), "float")
        else:
            with mpmath.workdps(dps):
                out = self.map_entries(lambda v: to_domain(v, "mpmath"), "mpmath")
        return out._copy(zero_above=self._zero_above, dists=self._dists)

    def latex(self, **kwargs) -> str:
        """LaTeX of the state (see :func:`cumulants.printing.latex`)."""
        from .printing import latex

        return latex(self, **kwargs)

    # ------------------------------------------------------------------------- dunder
    def __eq__(self, other):
        if not isinstance(other, Cumulants):
            return NotImplemented
        if (self._dim, self._order) != (other._dim, other._order):
            return False
        for n in range(1, self._order + 1):
            a, b = self.packed(n), other.packed(n)
            for x, y in zip(a, b):
                if x != y and sympy.simplify(sympy.sympify(x) - sympy.sympify(y)) != 0:
                    return False
        return True

    __hash__ = None

    def __repr__(self):
        flags = []
        if self.is_independent:
            flags.append("independent")
        if self.is_gaussian:
            flags.append("gaussian")
        if not self.exact:
            flags.append(f"approximate: {self.method}")
        extra = f", {', '.join(flags)}" if flags else ""
        return f"Cumulants(dim={self._dim}, order={self._order}, domain={self._domain!r}{extra})"

    def __reduce__(self):
        return (_rebuild, (self._dim, self._order, self._domain, self._layout, self._data,
                           self._zero_above, self._dists, self.exact, self.method, self.error))


def _rebuild(dim, order, domain, layout, data, zero_above, dists, exact, method, error=None):
    return Cumulants(dim, order, domain, layout, data, zero_above=zero_above, dists=dists,
                     exact=exact, method=method, error=error)


# ----------------------------------------------------------------------- validation
def _filled(size, value, domain):
    if domain == "float":
        return np.full(size, float(value))
    out = np.empty(size, dtype=object)
    out[:] = [value] * size
    return out


def _is_exact_zero(v):
    try:
        return v == 0
    except Exception:  # pragma: no cover
        return False


def _is_symmetric(t):
    n = t.ndim
    from itertools import permutations

    for perm in set(permutations(range(n))):
        diff = t != np.transpose(t, perm)
        if np.any(diff):
            for a, b in zip(t.ravel()[diff.ravel()], np.transpose(t, perm).ravel()[diff.ravel()]):
                if sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) != 0:
                    return False
    return True


def _check_variance(v, name):
    if domain_of(v) != "exact" or not isinstance(v, sympy.Basic) or v.is_number:
        try:
            if float(v) < 0:
                raise bad_argument(name, v, "a non-negative variance", InvalidCumulantsError)
        except TypeError:
            pass
    elif v.is_negative:
        raise bad_argument(name, v, "a non-negative variance", InvalidCumulantsError)


def _guard_packed(dim, order):
    """Refuse a packed table (one value per multiset of indices) that would not fit."""
    from ._limits import guard_tensor

    # sum_{n=1..order} C(dim-1+n, n) = C(dim+order, order) - 1 (hockey stick); an exact
    # integer even at the largest dim and order allowed (thousands of digits, microseconds)
    total = math.comb(dim + order, order) - 1
    guard_tensor(f"packed entries of dim={dim}, order={order}", total,
                 route="a lower order or a smaller dimension (or an independent state, which "
                       "stores dim values per order)")


def _check_covariance(cov, name):
    d = cov.shape[0]
    if not _is_symmetric(cov):
        raise InvalidCumulantsError(f"{name} is not symmetric: a covariance must equal its transpose")
    for i in range(d):
        _check_variance(cov[i, i], f"{name}[{i},{i}]")
    numeric = all(not (isinstance(v, sympy.Basic) and v.free_symbols) for v in cov.ravel())
    if not numeric:
        return
    if domain_of(list(cov.ravel())) == "exact":
        mat = sympy.Matrix(cov.tolist())
        if mat.is_positive_semidefinite is False:
            raise InvalidCumulantsError(f"{name} is not positive semidefinite: "
                                        f"eigenvalues {list(mat.eigenvals())}")
        return
    arr = np.asarray(cov, dtype=float)
    check_finite(arr, name)
    eig = np.linalg.eigvalsh(arr)
    scale = max(1.0, float(np.max(np.abs(eig))))
    if eig[0] < -1e-10 * scale:
        raise InvalidCumulantsError(
            f"{name} is not positive semidefinite (smallest eigenvalue {eig[0]:.3g})")
