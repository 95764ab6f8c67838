"""Symbolic moment -> cumulant conversion: ours vs sympy's log-series route.

The peer computes kappa_n = n! [t^n] log(1 + sum_k m_k t^k / k!) with
``sympy.series`` -- the route SymPy's documentation points to for cumulants.
Both give the general order-n formula in symbols m_1..m_n; results are checked
equal before timing is reported.
"""

from __future__ import annotations

import argparse
import time

import sympy

from cumulants.algebra import cumulant_formula
from cumulants.algebra.univariate import _coefficients


def peer(n):
    t = sympy.Symbol("t")
    ms = sympy.symbols(f"m_1:{n + 1}", real=True)
    mgf = 1 + sum(m * t**k / sympy.factorial(k) for k, m in enumerate(ms, start=1))
    ser = sympy.series(sympy.log(mgf), t, 0, n + 1).removeO()
    return sympy.expand(ser.coeff(t, n) * sympy.factorial(n)), ms


def ours(n, ms=None):
    _coefficients.cache_clear()  # time the derivation, not a cache hit
    return cumulant_formula(n, ms)


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", default="6,8,10,12")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'order':>5} {'ours [s]':>10} {'sympy series [s]':>17} {'speed-up':>9}")
    for n in [int(v) for v in args.orders.split(",")]:
        tp, (ref, ms) = best(lambda: peer(n), 1)
        to, res = best(lambda: ours(n, ms), args.repeat)
        assert sympy.expand(res - ref) == 0, f"results differ at order {n}"
        print(f"{n:>5} {to:>10.4f} {tp:>17.3f} {tp / to:>8.0f}x")
    for n in (20, 30):
        to, res = best(lambda: ours(n), args.repeat)
        print(f"order {n}: ours {to:.3f} s ({len(res.args)} terms)")


if __name__ == "__main__":
    main()
