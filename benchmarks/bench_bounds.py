"""Time of ``cumulants.bounds.mse_range`` on every quick-study model, and the inner/outer gap.

Each architecture of the quick study (and ``gnn-3`` of the full one) is trained as
a study cell trains it (first train law, seed 0), then its test MSE against the
block-spin step is bounded over standardised laws on ``[-sqrt(3) c, sqrt(3) c]``
(``c = 1``: the uniform law's support).  Prints per model: the range, the
attained values, the gap (outer width minus inner width), the method and the wall
time of ``mse_range`` (training excluded; the first call also pays for importing
cvxpy, so a warm-up call is made first).  Goals: < 1 s in the affine case,
< 30 s for gnn-3.

    python benchmarks/bench_bounds.py [--epochs N] [--arch NAME ...]
"""

from __future__ import annotations

import argparse
import math
import time

from cumulants.bounds import LawClass, mse_range
from cumulants.cli_bound import study_model
from cumulants.experiments.config import load_config
from cumulants.layers import Dense


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="override training epochs")
    parser.add_argument("--arch", nargs="*", default=None, help="architectures (default: quick + gnn-3)")
    parser.add_argument("--c", type=float, default=1.0, help="half-width factor c")
    args = parser.parse_args(argv)
    names = args.arch or [a["name"] for a in load_config(quick=True)["architectures"]]
    if args.arch is None and "gnn-3" not in names:
        names.append("gnn-3")
    h = math.sqrt(3) * args.c
    laws = LawClass.standardised((-h, h))
    mse_range(Dense([[1.0]]), Dense([[0.5]]), laws)  # warm-up: imports cvxpy and scipy
    print(f"laws: standardised on [-{h:.4g}, {h:.4g}]")
    print(f"{'model':18s} {'lower':>11s} {'upper':>11s} {'att. lower':>11s} {'att. upper':>11s} "
          f"{'gap':>9s} {'time s':>7s}  method")
    for name in names:
        quick = name != "gnn-3"
        net, target, _ = study_model(name, quick=quick, epochs=args.epochs)
        kw = {} if net.is_polynomial else {"method": "hermite", "degree": 2}
        t0 = time.perf_counter()
        res = mse_range(net, target, laws, **kw)
        dt = time.perf_counter() - t0
        print(f"{name:18s} {res.lower:11.5g} {res.upper:11.5g} {res.lower_attained:11.5g} "
              f"{res.upper_attained:11.5g} {res.gap:9.2g} {dt:7.2f}  {res.method}", flush=True)


if __name__ == "__main__":
    main()
