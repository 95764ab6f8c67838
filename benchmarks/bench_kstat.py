"""Side-by-side timing of ``cumulants.k_statistics`` against ``scipy.stats.kstat``.

Run with ``python benchmarks/bench_kstat.py [--n 1000000] [--repeats 7]``.  Both
libraries run in the same process on the same normal sample; each timing is the
best of ``--repeats`` runs (``time.perf_counter``).  scipy computes one order per
call, so the reference is ``kstat(x, r)`` for r = 1..4; ours is one call
returning k_1..k_4.  Orders scipy does not offer (8, 12) and the joint table are
timed for ours alone.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cumulants.estimators import joint_k_statistics, k_statistics


def best_of(func, repeats):
    """Shortest wall time of ``repeats`` calls (after one warm-up call)."""
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="sample size")
    parser.add_argument("--repeats", type=int, default=7, help="repeats per timing (best kept)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        import scipy.stats
    except ImportError:  # pragma: no cover - scipy is a test extra
        raise SystemExit("scipy is needed for the reference timing: pip install 'cumulants[test]'")

    x = np.random.default_rng(args.seed).normal(size=args.n)
    ours = best_of(lambda: k_statistics(x, 4), args.repeats)
    theirs = best_of(lambda: [scipy.stats.kstat(x, r) for r in range(1, 5)], args.repeats)
    diff = np.max(np.abs(k_statistics(x, 4) - [scipy.stats.kstat(x, r) for r in range(1, 5)]))

    print(f"k-statistics of {args.n:,} N(0,1) samples, best of {args.repeats}")
    print(f"  orders 1-4  cumulants.k_statistics     {ours * 1e3:9.2f} ms")
    print(f"  orders 1-4  scipy.stats.kstat (x4)     {theirs * 1e3:9.2f} ms")
    print(f"  ratio ours/scipy                       {ours / theirs:9.3f}")
    print(f"  max |ours - scipy|                     {diff:9.2e}")
    for order in (8, 12):
        t = best_of(lambda: k_statistics(x, order), args.repeats)
        print(f"  orders 1-{order:<2d} cumulants.k_statistics     {t * 1e3:9.2f} ms")

    X = np.random.default_rng(args.seed + 1).normal(size=(100_000, 8))
    t = best_of(lambda: joint_k_statistics(X, 4), max(1, args.repeats // 2))
    print(f"  joint table, 1e5 x 8, orders 1-4 (494 entries) {t * 1e3:9.2f} ms")
    return ours / theirs


if __name__ == "__main__":
    main()
