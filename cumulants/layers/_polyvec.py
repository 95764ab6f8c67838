r"""Vectors of polynomials on a shared monomial table, and their exact moments.

The contraction route (:mod:`cumulants.layers.contraction`) compiles a polynomial
network into its output polynomials in the centred inputs :math:`\xi_i = x_i - \mu_i`.
A :class:`PolyVec` holds ``m`` polynomials in ``v`` variables as a coefficient
matrix ``C`` of shape ``(m, N)`` over ``N`` monomials; a monomial is the integer
key :math:`\sum_i e_i B^i` of its exponent vector (base ``B`` larger than every
exponent), so multiplying monomials adds keys.  Dense layers are matrix products
of ``C``, activations unit-wise products.

Moments use, for every independent input, the monic orthogonal polynomials
:math:`P_b` of its law: :math:`H = L D L^T` for the Hankel matrix of moments
:math:`H_{ab} = E[\xi^{a+b}]` gives :math:`\xi^a = \sum_{b\le a} L_{ab} P_b(\xi)` with
:math:`E[P_b P_c] = D_b\delta_{bc}`.  In the product basis
:math:`P_\beta(\xi) = \prod_i P_{\beta_i}(\xi_i)` the moment pairing is diagonal,

.. math::  E[f g] = \sum_\beta \hat f_\beta\,\hat g_\beta \prod_i D^{(i)}_{\beta_i},

so a moment of order ``n`` of the outputs costs two products of ``n/2`` outputs
and one contraction, instead of the expansion of the order-``n`` product.  One
code runs on float64 arrays, exact (``Fraction``/sympy) and mpmath object arrays.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["PolyVec", "law_basis", "transform", "pair"]

_CHUNK = 4_000_000  # pair products formed at once when squaring large polynomials


def _zeros(shape, obj):
    if not obj:
        return np.zeros(shape)
    out = np.empty(shape, dtype=object)
    out.fill(0)
    return out


def _aggregate(values, inv, n, obj):
    """Sum the columns of ``values`` (m, P) that share ``inv`` into (m, n)."""
    if not obj and values.shape[0] == 1:
        return np.bincount(inv, weights=values[0], minlength=n)[None, :]
    order = np.argsort(inv, kind="stable")
    sorted_inv = inv[order]
    starts = np.flatnonzero(np.r_[True, sorted_inv[1:] != sorted_inv[:-1]])
    return np.add.reduceat(values[:, order], starts, axis=1)


class PolyVec:
    """``m`` polynomials over the sorted monomial keys ``keys`` (coefficients ``C``)."""

    __slots__ = ("keys", "C", "base", "nvars")

    def __init__(self, keys, C, base, nvars):
        self.keys = np.asarray(keys, dtype=np.int64)
        self.C = C
        self.base = base
        self.nvars = nvars

    @property
    def obj(self):
        return self.C.dtype == object

    @classmethod
    def inputs(cls, nvars, base, means, obj):
        """``x_i = mu_i + xi_i`` for every input variable."""
        keys = np.r_[0, base ** np.arange(nvars, dtype=np.int64)].astype(np.int64)
        C = _zeros((nvars, nvars + 1), obj)
        for i in range(nvars):
            C[i, 0] = means[i]
            C[i, i + 1] = 1 if obj else 1.0
        return cls(keys, C, base, nvars)

    def rows(self, idx):
        return PolyVec(self.keys, self.C[list(idx)], self.base, self.nvars).pruned()

    def pruned(self):
        keep = np.any(self.C != 0, axis=0)
        keep[0] |= self.keys[0] == 0  # keep the constant slot
        if keep.all():
            return self
        return PolyVec(self.keys[keep], self.C[:, keep], self.base, self.nvars)

    def affine(self, W, b):
        """``W @ self + b`` (``W`` of shape ``(m_out, m)``)."""
        C = W @ self.C if not self.obj else W.dot(self.C)
        keys = self.keys
        if b is not None:
            if keys.size == 0 or keys[0] != 0:
                keys = np.r_[0, keys].astype(np.int64)
                C = np.concatenate([_zeros((C.shape[0], 1), self.obj), C], axis=1)
            C[:, 0] = C[:, 0] + b
        return PolyVec(keys, C, self.base, self.nvars).pruned()

    def scaled(self, c):
        return PolyVec(self.keys, self.C * c, self.base, self.nvars)

    def add(self, other):
        keys, inv = np.unique(np.r_[self.keys, other.keys], return_inverse=True)
        C = _zeros((self.C.shape[0], keys.size), self.obj or other.obj)
        C[:, inv[:self.keys.size]] = self.C
        C[:, inv[self.keys.size:]] = C[:, inv[self.keys.size:]] + other.C
        return PolyVec(keys, C, self.base, self.nvars)

    def mul(self, other):
        """Unit-wise product (row ``r`` times row ``r``)."""
        obj = self.obj or other.obj
        m = self.C.shape[0]
        na, nb = self.keys.size, other.keys.size
        if m == 1 and not obj and na * nb > _CHUNK:
            table = full_table(self.nvars, self.degree() + other.degree(), self.base)
            if table is not None and table.size <= 4 * na * nb:
                return self._mul_table(other, table)
        if m == 1 and na * nb > _CHUNK:
            return self._mul_chunked(other)
        K = (self.keys[:, None] + other.keys[None, :]).ravel()
        keys, inv = np.unique(K, return_inverse=True)
        V = (self.C[:, :, None] * other.C[:, None, :]).reshape(m, -1)
        return PolyVec(keys, _aggregate(V, inv, keys.size, obj), self.base, self.nvars).pruned()

    def _mul_table(self, other, table):
        """Float product of two single polynomials, accumulated on a full monomial table."""
        out = np.zeros(table.size)
        same = self is other
        step = max(1, _CHUNK // other.keys.size)
        ca, cb = self.C[0], other.C[0]
        if same:  # a square: the upper triangle i <= j, off-diagonal terms twice
            n = self.keys.size
            rows = max(1, _CHUNK // n)
            for s in range(0, n, rows):
                r = np.arange(s, min(s + rows, n))
                lens = n - r
                i = np.repeat(r, lens)
                starts = np.cumsum(lens) - lens
                j = np.arange(i.size) - np.repeat(starts, lens) + i
                V = ca[i] * ca[j]
                V[i != j] *= 2.0
                out += np.bincount(np.searchsorted(table, self.keys[i] + self.keys[j]),
                                   weights=V, minlength=table.size)
            return PolyVec(table, out[None, :], self.base, self.nvars).pruned()
        for s in range(0, self.keys.size, step):
            K = self.keys[s:s + step, None] + other.keys[None, :]
            V = ca[s:s + step, None] * cb[None, :]
            out += np.bincount(np.searchsorted(table, K.ravel()), weights=V.ravel(),
                               minlength=table.size)
        return PolyVec(table, out[None, :], self.base, self.nvars).pruned()

    def _mul_chunked(self, other):
        obj = self.obj or other.obj
        step = max(1, _CHUNK // other.keys.size)
        parts_k, parts_c = [], []
        a, ca = self.keys, self.C[0]
        for s in range(0, a.size, step):
            K = (a[s:s + step, None] + other.keys[None, :]).ravel()
            keys, inv = np.unique(K, return_inverse=True)
            V = (ca[s:s + step, None] * other.C[0][None, :]).reshape(1, -1)
            parts_k.append(keys)
            parts_c.append(_aggregate(V, inv, keys.size, obj)[0])
        keys, inv = np.unique(np.concatenate(parts_k), return_inverse=True)
        vals = np.concatenate(parts_c) if not obj else np.concatenate(parts_c).astype(object)
        C = _aggregate(vals[None, :], inv, keys.size, obj)
        return PolyVec(keys, C, self.base, self.nvars).pruned()

    def power_series(self, coeffs, one):
        """``sum_k coeffs[k] * self**k`` unit-wise (an elementwise polynomial activation)."""
        m = self.C.shape[0]
        const = _zeros((m, 1), self.obj)
        const[:, 0] = coeffs[0] * one
        out = PolyVec(np.zeros(1, dtype=np.int64), const, self.base, self.nvars)
        power = None
        for k, c in enumerate(coeffs[1:], start=1):
            power = self if power is None else power.mul(self)
            if c != 0:
                out = out.add(power.scaled(c))
        return out.pruned()

    def degree(self):
        if self.keys.size == 0:
            return 0
        digits = (self.keys[:, None] // self.base ** np.arange(self.nvars, dtype=np.int64)) % self.base
        return int(digits.sum(axis=1).max())


_TABLES: dict = {}


def full_table(nvars, degree, base, limit=6_000_000):
    """Sorted keys of every monomial of total degree <= ``degree`` (``None`` if too many)."""
    from math import comb

    if comb(nvars + degree, degree) > limit:
        return None
    key = (nvars, degree, base)
    if key not in _TABLES:
        keys = np.zeros(1, dtype=np.int64)
        deg = np.zeros(1, dtype=np.int64)
        for t in range(nvars):
            pk, pd = [], []
            for e in range(degree + 1):
                ok = deg <= degree - e
                pk.append(keys[ok] + e * base ** t)
                pd.append(deg[ok] + e)
            keys, deg = np.concatenate(pk), np.concatenate(pd)
        if len(_TABLES) > 4:
            _TABLES.clear()
        _TABLES[key] = np.sort(keys)
    return _TABLES[key]


_MAPS: dict = {}


def _table_maps(table, nvars, base):
    """Per input ``t``: the exponents of ``x_t`` over the table, and ``down[i]``, the
    table position of monomial ``i`` with that exponent lowered by one (cached)."""
    key = (table.size, nvars, base, int(table[-1]))
    if key not in _MAPS:
        out = []
        for t in range(nvars):
            pw = base ** t
            a = ((table // pw) % base).astype(np.int64)
            has = np.flatnonzero(a >= 1)
            down = np.arange(table.size)
            down[has] = np.searchsorted(table, table[has] - pw)
            out.append((a, down))
        _MAPS.clear()
        _MAPS[key] = out
    return _MAPS[key]


def law_basis(moments, top):
    """``(L, D)`` with ``H = L D L^T`` for the Hankel matrix ``H_ab = m_{a+b}``, ``a, b <= top``.

    ``moments[k] = E[xi^k]`` for ``k <= 2 top``, exact (rationals, or sympy or mpmath
    numbers): float moments are factored as the rationals they are and rounded
    afterwards.  A zero pivot (a law with few support points, e.g. Rademacher) makes
    ``P_b = 0`` almost surely: its column is zeroed, so it drops out of every moment.
    """
    n = top + 1
    H = [[moments[a + b] for b in range(n)] for a in range(n)]
    L = [[1 if a == b else 0 for b in range(n)] for a in range(n)]
    D = [0] * n
    for b in range(n):
        s = H[b][b] - sum(L[b][k] * L[b][k] * D[k] for k in range(b))
        zero = s == 0
        D[b] = 0 if zero else s
        for a in range(b + 1, n):
            if zero:
                L[a][b] = 0
            else:
                L[a][b] = (H[a][b] - sum(L[a][k] * L[b][k] * D[k] for k in range(b))) / \
                    (Fraction(s) if isinstance(s, int) else s)
    return np.array(L, dtype=object), np.array(D, dtype=object)


def transform(keys, coef, base, nvars, bases, obj):
    """Coefficients of one polynomial in the orthogonal product basis.

    ``bases[i] = (L, D)`` of input ``i``.  Returns ``(keys, coef, weight)`` with
    ``weight = prod_i D_i[beta_i]`` (the norm of each basis polynomial).
    """
    if not obj and keys.size > 20000:
        table = full_table(nvars, int(((keys[:, None] // base ** np.arange(nvars, dtype=np.int64))
                                       % base).sum(axis=1).max()), base)
        if table is not None and table.size <= 3 * keys.size:
            full = np.zeros(table.size)
            full[np.searchsorted(table, keys)] = coef
            keys, coef = table, full
            maps = _table_maps(table, nvars, base)
            for t in range(nvars):
                L, D = bases[t]
                a, down = maps[t]
                amax = int(a.max())
                if amax == 0:
                    continue
                Lm = L * (D != 0)[None, :]
                idx = np.flatnonzero(coef != 0)
                cur, aa, cc = idx, a[idx], coef[idx]
                pos, val = [], []
                for delta in range(amax + 1):
                    if delta:
                        keep = aa >= delta
                        cur, aa, cc = down[cur[keep]], aa[keep], cc[keep]
                    if cur.size == 0:
                        break
                    w = Lm[aa, aa - delta]
                    nz = w != 0
                    pos.append(cur[nz])
                    val.append(cc[nz] * w[nz])
                coef = np.bincount(np.concatenate(pos), weights=np.concatenate(val),
                                   minlength=table.size)
            nz = coef != 0
            keys, coef = keys[nz], coef[nz]
            return keys, coef, _weights(keys, base, nvars, bases, obj)
    for t in range(nvars):
        L, D = bases[t]
        pw = base ** t
        a = (keys // pw) % base
        amax = int(a.max()) if a.size else 0
        if amax == 0:
            continue
        pk, pc = [], []
        for b in range(amax + 1):
            if D[b] == 0:
                continue
            lv = L[np.minimum(a, L.shape[0] - 1), b]
            mask = (a >= b) & (lv != 0)
            if not mask.any():
                continue
            pk.append(keys[mask] + (b - a[mask]) * pw)
            pc.append(coef[mask] * lv[mask])
        if not pk:
            return np.zeros(0, dtype=np.int64), coef[:0], coef[:0]
        allk = np.concatenate(pk)
        allc = np.concatenate(pc)
        keys, inv = np.unique(allk, return_inverse=True)
        coef = _aggregate(allc[None, :], inv, keys.size, obj)[0]
    return keys, coef, _weights(keys, base, nvars, bases, obj)


def _weights(keys, base, nvars, bases, obj):
    """``prod_i D_i[beta_i]``: the norms of the product-basis polynomials."""
    weight = np.array([1] * keys.size, dtype=object) if obj else np.ones(keys.size)
    for t in range(nvars):
        a = (keys // base ** t) % base
        if a.any():
            weight = weight * bases[t][1][a]
    return weight


def pair(f, g):
    """``E[f g]`` for two transformed polynomials ``(keys, coef, weight)``."""
    common, ia, ib = np.intersect1d(f[0], g[0], assume_unique=True, return_indices=True)
    if common.size == 0:
        return 0
    prod = f[1][ia] * g[1][ib] * f[2][ia]
    return prod.sum() if prod.dtype != object else sum(prod.tolist(), 0)


def as_fraction(v):
    """An exact number as ``int``/``Fraction`` when rational (faster than sympy), else as is."""
    import sympy

    if isinstance(v, (int, Fraction)):
        return v
    if isinstance(v, np.integer):
        return int(v)
    s = sympy.sympify(v)
    if s.is_Integer:
        return int(s)
    if s.is_Rational:
        return Fraction(int(s.p), int(s.q))
    return s
