"""The ``cumulants`` command.

Subcommands: ``convert`` (moment <-> cumulant formulas), ``propagate`` (cumulants
through an activation), ``clt`` (the CLT as an RG recursion) and ``reproduce``
(the whole study and its report).  Bad input exits with status 2 and a single
line on stderr; no tracebacks.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import warnings

from .errors import CumulantError

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


_INT_OR_FRACTION = re.compile(r"[+-]?\d+(/\d+)?")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _parse_values(text):
    """Numbers (``3``, ``-1/3``, ``0.5``, ``1e-3``) or symbol names (``m1``) of ``--values``.

    NaN, infinities, zero denominators and anything else are refused with one message.
    """
    import sympy

    from ._limits import MAX_ORDER

    items = text.split(",")
    if len(items) > MAX_ORDER:
        raise CumulantError(f"--values has {len(items)} entries; the limit is {MAX_ORDER} "
                            "(cumulants._limits.MAX_ORDER)")
    out = []
    for item in items:
        item = item.strip()
        if not item:
            raise CumulantError("--values has an empty entry; use e.g. --values 1,5,13,73")
        if _INT_OR_FRACTION.fullmatch(item):
            num, _, den = item.partition("/")
            if den and int(den) == 0:
                raise CumulantError(f"--values entry {item!r} divides by zero; use a non-zero "
                                    "denominator")
            out.append(sympy.Rational(int(num), int(den or 1)))
        elif _DECIMAL.fullmatch(item):
            value = float(item)
            if not math.isfinite(value):
                raise CumulantError(f"--values entry {item!r} overflows a float; use a smaller "
                                    "number or an exact fraction")
            out.append(value)
        elif _NAME.fullmatch(item) and item.lower() not in _NOT_NAMES:
            out.append(sympy.Symbol(item, real=True))
        else:
            raise CumulantError(f"--values entry {item!r} is not a finite number (2, -1/3, 0.5) "
                                "or a symbol name (m1)")
    return out


#: Words that look like names but would be read as numbers or constants elsewhere.
_NOT_NAMES = {"nan", "inf", "infinity", "oo", "zoo", "i", "e", "pi", "none", "true", "false"}


def _cmd_convert(args) -> int:
    from .algebra import cumulant_formula, cumulants_from_moments, moment_formula, moments_from_cumulants
    from .algebra.univariate import kappa, moment_symbol
    from .printing import latex

    if args.values is not None:
        vals = _parse_values(args.values)
        if args.to == "cumulants":
            res = cumulants_from_moments(vals, central=args.central, validate=True)
        else:
            res = moments_from_cumulants(vals, central=args.central)
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


def _one_line(text) -> str:
    return " ".join(str(text).split())


def main(argv=None) -> int:
    """Entry point of the ``cumulants`` command; returns the exit status.

    Exit status: 0 success; 2 bad input (argparse errors, any :class:`CumulantError`, and
    files or folders that cannot be read or written), always with exactly one line on
    stderr; 130 interrupted (Ctrl-C); 1 an internal error (a bug: one line naming the
    exception, the traceback only when the environment sets ``CUMULANTS_DEBUG=1``).
    Warnings raised while a command runs are printed as one line each after a successful
    run and dropped after a failed one, so a failure is always a single line.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    prefix = f"cumulants {args.command}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            status = int(args.func(args) or 0)
        except CumulantError as exc:
            print(f"{prefix}: error: {_one_line(exc)}", file=sys.stderr)
            return 2
        except OSError as exc:
            where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
            print(f"{prefix}: error: {_one_line(exc.strerror or exc)}{where}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:
            detail = f": {_one_line(exc)}" if str(exc) else ""
            print(f"{prefix}: interrupted{detail}", file=sys.stderr)
            return 130
        except MemoryError:
            print(f"{prefix}: error: out of memory; ask for a lower order or fewer samples",
                  file=sys.stderr)
            return 2
        except Exception as exc:  # noqa: BLE001 - the last line of defence of the command
            if os.environ.get("CUMULANTS_DEBUG") == "1":
                raise
            print(f"{prefix}: internal error: {type(exc).__name__}: {_one_line(exc)[:300]} "
                  "(a bug: please report it; CUMULANTS_DEBUG=1 shows the traceback)",
                  file=sys.stderr)
            return 1
    seen = set()
    for w in caught:
        msg = _one_line(w.message)
        if msg not in seen:
            seen.add(msg)
            print(f"{prefix}: warning: {msg}", file=sys.stderr)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
