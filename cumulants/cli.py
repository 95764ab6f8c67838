"""The ``cumulants`` command.

Subcommands: ``convert`` (moment <-> cumulant formulas), ``propagate`` (cumulants
through an activation), ``clt`` (the CLT as an RG recursion) and ``reproduce``
(the whole study and its report).  Bad input exits with status 2 and a single
line on stderr; no tracebacks.
"""

from __future__ import annotations

import argparse
import sys

from .errors import CumulantError

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parse_values(text):
    import sympy

    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise CumulantError("--values has an empty entry; use e.g. --values 1,5,13,73")
        try:
            if any(ch in item for ch in ".eE") and "/" not in item and not item.isalpha():
                out.append(float(item))
            else:
                out.append(sympy.Rational(item) if item.lstrip("-").replace("/", "").isdigit()
                           else sympy.Symbol(item))
        except (ValueError, TypeError, SyntaxError):
            raise CumulantError(f"--values entry {item!r} is not a number or a symbol name") from None
    return out


def _cmd_convert(args) -> int:
    from .algebra import cumulant_formula, cumulants_from_moments, moment_formula, moments_from_cumulants
    from .algebra.univariate import kappa, moment_symbol
    from .printing import latex

    if args.values is not None:
        vals = _parse_values(args.values)
        fn = cumulants_from_moments if args.to == "cumulants" else moments_from_cumulants
        res = fn(vals, central=args.central)
        names = ([f"kappa_{n}" for n in range(1, len(res) + 1)] if args.to == "cumulants" else
                 ["mean" if args.central and n == 1 else (f"mu_{n}" if args.central else f"m_{n}")
                  for n in range(1, len(res) + 1)])
        for name, value in zip(names, res):
            print(f"{name} = {latex(value) if args.latex else value}")
        return 0
    if args.order is None:
        raise CumulantError("convert needs --order N (the general formula) or --values v1,v2,...")
    if args.order < 1:
        raise CumulantError(f"--order={args.order} is invalid: expected an integer >= 1")
    if args.order > 60:
        raise CumulantError(f"--order={args.order} is too high for printing: expected <= 60")
    orders = [args.order] if args.only else range(1, args.order + 1)
    rows = []
    for n in orders:
        if args.to == "cumulants":
            lhs, rhs = kappa(n), cumulant_formula(n, central=args.central)
        else:
            lhs, rhs = moment_symbol(n, args.central), moment_formula(n, central=args.central)
        rows.append((lhs, rhs))
    if args.latex:
        from .printing import align

        print(align(rows))
    else:
        for lhs, rhs in rows:
            print(f"{lhs} = {rhs}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cumulants`` command."""
    from . import __version__

    parser = _Parser(
        prog="cumulants",
        description="Exact cumulant propagation through network layers and RG steps.",
    )
    parser.add_argument("--version", action="version", version=f"cumulants {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    conv = sub.add_parser("convert", help="moment <-> cumulant formulas, any order",
                          description="Print the general moment/cumulant conversion formulas "
                                      "(or convert given values).")
    conv.add_argument("--order", type=int, help="highest order N")
    conv.add_argument("--to", choices=["cumulants", "moments"], default="cumulants",
                      help="direction: cumulants from moments (default) or moments from cumulants")
    conv.add_argument("--central", action="store_true",
                      help="use central moments (the mean drops out of orders >= 2)")
    conv.add_argument("--only", action="store_true", help="print only order N")
    conv.add_argument("--values", help="convert these comma-separated values instead, e.g. 1,5,13,73")
    conv.add_argument("--latex", action="store_true", help="print LaTeX (align*)")
    conv.set_defaults(func=_cmd_convert)

    for modname in ("cli_propagate", "cli_clt", "cli_bound", "experiments.cli"):
        try:
            module = __import__(f"cumulants.{modname}", fromlist=["add_parser"])
        except ImportError:
            continue
        module.add_parser(sub)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``cumulants`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CumulantError as exc:
        print(f"cumulants {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cumulants {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
