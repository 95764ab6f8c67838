r"""The ``cumulants clt`` subcommand: the central limit theorem as an RG recursion.

``cumulants clt --block 2 --order 4`` prints the block-spin recursion
:math:`\kappa'_n = B^{1-n/2}\kappa_n`, its eigenvalues, which directions are
relevant / marginal / irrelevant and the fixed points (docs/formulas.md §2); ``--dim 2``
uses ``b x b`` blocks (``B = b^2``); ``--flow exponential:1 --steps 3`` also
follows an i.i.d. lattice of ``b^steps`` sites (per axis) step by step, with the
skewness and excess kurtosis of a site shrinking towards the Gaussian.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="cumulants")
>>> _ = add_parser(parser.add_subparsers(dest="command"))
>>> run(parser.parse_args(["clt", "--block", "4", "--order", "3"]))
clt: block-spin step, B = 4 sites per block (1-D), normalisation sqrt
kappa'_1 = 2*kappa_1    eigenvalue 2 = 2    relevant
kappa'_2 = kappa_2    eigenvalue 1 = 1    marginal
kappa'_3 = kappa_3/2    eigenvalue 1/2 = 0.5    irrelevant
fixed points: kappa_1 = 0, kappa_3 = 0 (others free)
0
"""

from __future__ import annotations

import math

import sys

import sympy

from .errors import CumulantError, bad_argument

__all__ = ["add_parser", "run"]

_MAX_ORDER = 20
_MAX_SITES = 1 << 20


def add_parser(subparsers):
    """Register the ``clt`` subcommand on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "clt", help="the CLT as a cumulant RG recursion",
        description="Print the block-spin RG recursion kappa'_n = B^(1-n/2) kappa_n, its "
                    "eigenvalues, the classification of directions and the fixed points; "
                    "optionally follow an i.i.d. lattice along the exact flow.")
    p.add_argument("--block", type=int, default=2, metavar="B",
                   help="block length b (default 2); with --dim 2 the block is b x b")
    p.add_argument("--order", type=int, default=4, metavar="N",
                   help="highest cumulant order (default 4)")
    p.add_argument("--dim", type=int, default=1, choices=[1, 2], help="lattice dimension (1 or 2)")
    p.add_argument("--normalisation", default="sqrt", choices=["sqrt", "mean", "sum"],
                   help="rescaling of a block sum: B^-1/2 (default), 1/B or none")
    p.add_argument("--latex", action="store_true", help="print LaTeX (align*) instead of text")
    p.add_argument("--flow", default=None, metavar="DIST",
                   help="follow an i.i.d. lattice of this law, e.g. exponential:1, uniform:0,1")
    p.add_argument("--steps", type=int, default=None, metavar="K",
                   help="number of RG steps of --flow (default 3); the lattice has b^K sites per axis")
    p.set_defaults(func=run)
    return p


def _validate(args):
    if args.block is None or args.block < 1:
        raise bad_argument("--block", args.block, "an integer >= 1")
    if args.order is None or not 1 <= args.order <= _MAX_ORDER:
        raise bad_argument("--order", args.order, f"an integer between 1 and {_MAX_ORDER}")
    if args.dim not in (1, 2):
        raise bad_argument("--dim", args.dim, "1 or 2")
    if args.steps is not None and args.flow is None:
        raise bad_argument("--steps", args.steps, "to be used with --flow DIST")
    if args.flow is not None:
        steps = 3 if args.steps is None else args.steps
        if steps < 1:
            raise bad_argument("--steps", steps, "an integer >= 1")
        if args.block < 2:
            raise bad_argument("--block", args.block, "an integer >= 2 with --flow")
        # Compare logarithms first: block ** (10**9) would itself never finish.
        too_many = steps * args.dim * math.log(args.block) > math.log(_MAX_SITES) + 1e-9
        sites = args.block ** (steps * args.dim) if not too_many else f"{args.block}^{steps * args.dim}"
        if too_many:
            raise bad_argument("--steps", steps, f"fewer steps: the lattice would have {sites} sites "
                               f"(limit {_MAX_SITES})")
        return steps
    return None


def _text(value):
    return str(value)


def _float(value):
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)


def run(args) -> int:
    """Execute ``clt`` for parsed ``args``; returns the exit status (2 on bad input)."""
    from . import rg

    try:
        steps = _validate(args)
        block = args.block if args.dim == 1 else (args.block, args.block)
        B = args.block ** args.dim
        eqs = rg.recursion(args.order, block, normalisation=args.normalisation)
        lam = rg.eigenvalues(args.order, block, normalisation=args.normalisation)
        kinds = rg.classify(args.order, block, normalisation=args.normalisation)
        fixed = rg.fixed_points(args.order, block, normalisation=args.normalisation)
        rows = None
        if args.flow is not None:
            rows = _flow_rows(args, block, steps)
    except CumulantError as exc:
        print(f"cumulants clt: error: {exc}", file=sys.stderr)
        return 2
    shape = "1-D" if args.dim == 1 else f"2-D, {args.block} x {args.block} blocks"
    if args.latex:
        _print_latex(eqs, lam, kinds, fixed, rows)
        return 0
    print(f"clt: block-spin step, B = {B} sites per block ({shape}), normalisation "
          f"{args.normalisation}")
    for eq, n in zip(eqs, lam):
        print(f"{eq.lhs} = {eq.rhs}    eigenvalue {lam[n]} = {_float(lam[n])}    {kinds[n]}")
    for sol in fixed:
        fixed_text = ", ".join(f"{k} = {v}" for k, v in sol.items()) or "every kappa_n"
        print(f"fixed points: {fixed_text} (others free)")
    if rows is not None:
        print(f"flow of {args.flow} (i.i.d. sites), one site per step:")
        for r in rows:
            ks = ", ".join(_text(k) for k in r["kappa"])
            print(f"  step {r['step']}: kappa = [{ks}]    skewness {_float(r['skewness'])}    "
                  f"excess kurtosis {_float(r['excess_kurtosis'])}")
    return 0


def _flow_rows(args, block, steps):
    from . import rg
    from .distributions import parse
    from .state import Cumulants

    dist = parse(args.flow)
    side = args.block ** steps
    sites = side if args.dim == 1 else side * side
    state = Cumulants.iid(dist, sites, args.order)
    shape = None if args.dim == 1 else (side, side)
    states = rg.flow(state, steps, block, shape=shape, normalisation=args.normalisation,
                     include_initial=True)
    return rg.flow_summary(states, start=0)


def _print_latex(eqs, lam, kinds, fixed, rows):
    from .printing import align, latex

    print(align([(eq.lhs, eq.rhs) for eq in eqs]))
    print(align([(sympy.Symbol(f"lambda_{n}"), rf"{latex(v)} \quad \text{{({kinds[n]})}}")
                 for n, v in lam.items()]))
    for sol in fixed:
        print(align([(k, v) for k, v in sol.items()]) if sol else "% every kappa_n is fixed")
    if rows is not None:
        lines = []
        for r in rows:
            k = r["step"]
            if r["skewness"] is not None:
                lines.append((rf"\gamma_1^{{({k})}}", r["skewness"]))
            if r["excess_kurtosis"] is not None:
                lines.append((rf"\gamma_2^{{({k})}}", r["excess_kurtosis"]))
        if lines:
            print(align(lines))
