"""Cumulant propagation: ours vs the sympy.stats route, and a width-32 quadratic MLP.

(a) Symbolic kappa_1..kappa_6 of ``y = z + alpha z^2`` for ``z ~ N(mu, sigma^2)``, all
    parameters symbols.  Ours: a :class:`~cumulants.layers.Quadratic` layer on
    ``Cumulants.gaussian([mu], [[sigma**2]])``.  Peer: ``sympy.stats.E(y**k)`` for
    ``k = 1..6`` (raw moments), converted to cumulants with the recursion
    ``kappa_n = m_n - sum_{k<n} C(n-1, k-1) kappa_k m_{n-k}`` in plain sympy.  Results
    must be identical (``simplify(difference) == 0``); goal: >= 20x faster.
(b) Exact kappa_1..kappa_4 of the scalar output of a 4-input, width-32 quadratic MLP
    on i.i.d. inputs (rational weights); goal: < 1 s.

sympy's cache is cleared before every timed call, so each timing includes the work.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import sympy
from sympy.core.cache import clear_cache

from cumulants import Cumulants
from cumulants.distributions import Exponential, Laplace, Rademacher, Uniform
from cumulants.layers import Dense, Network, Quadratic


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        clear_cache()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def symbols():
    mu, alpha = sympy.symbols("mu alpha", real=True)
    sigma = sympy.Symbol("sigma", positive=True)
    return mu, sigma, alpha


def ours_symbolic(order):
    mu, sigma, alpha = symbols()
    state = Cumulants.gaussian([mu], [[sigma ** 2]])
    return Quadratic(alpha).propagate(state, order).marginal(0)


def peer_symbolic(order):
    from sympy.stats import E, Normal

    mu, sigma, alpha = symbols()
    z = Normal("z", mu, sigma)
    y = z + alpha * z ** 2
    m = [None] + [sympy.expand(E(y ** k)) for k in range(1, order + 1)]
    kappa = [None]
    for n in range(1, order + 1):
        kappa.append(sympy.expand(m[n] - sum(sympy.binomial(n - 1, k - 1) * kappa[k] * m[n - k]
                                             for k in range(1, n))))
    return kappa[1:]


def mlp(width=32, inputs=4, seed=0):
    rng = np.random.default_rng(seed)
    W1 = [[sympy.Rational(int(v), 4) for v in row] for row in rng.integers(-4, 5, (width, inputs))]
    b1 = [sympy.Rational(int(v), 8) for v in rng.integers(-4, 5, width)]
    w2 = [[sympy.Rational(int(v), 16) for v in rng.integers(-8, 9, width)]]
    return Network([Dense(W1, bias=b1), Quadratic(sympy.Rational(1, 2)), Dense(w2)])


def ours_mlp(order, net, state):
    return net.propagate(state, order).marginal(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--order", type=int, default=6, help="symbolic order for (a)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"(a) symbolic kappa_1..kappa_{args.order} of z + alpha z^2, z ~ N(mu, sigma^2)")
    t_peer, ref = best(lambda: peer_symbolic(args.order), 1)
    t_ours, res = best(lambda: ours_symbolic(args.order), args.repeat)
    same = all(sympy.simplify(a - b) == 0 for a, b in zip(res, ref))
    print(f"    ours {t_ours:.4f} s   sympy.stats {t_peer:.3f} s   speed-up {t_peer / t_ours:.0f}x"
          f"   (goal >= 20x)   identical: {same}")
    if not same:
        raise SystemExit("results differ")

    print("(b) exact kappa_1..kappa_4 of a 4-input, width-32 quadratic MLP, i.i.d. inputs")
    net = mlp()
    for name, dist in [("exponential(1)", Exponential(1)), ("uniform(-1,1)", Uniform(-1, 1)),
                       ("laplace(0,1)", Laplace(0, 1)), ("rademacher", Rademacher())]:
        state = Cumulants.iid(dist, 4, 2)
        t, kap = best(lambda: ours_mlp(4, net, state), args.repeat)
        assert all(isinstance(k, sympy.Rational) for k in kap)
        print(f"    {name:<15} {t:.4f} s   (goal < 1 s: {1.0 / t:.0f}x margin)   "
              f"kappa_2 = {float(kap[1]):.6g}")


if __name__ == "__main__":
    main()
