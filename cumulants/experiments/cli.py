"""``cumulants reproduce``: run the study and write its report."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..errors import CumulantError

__all__ = ["add_parser", "run", "check_out_dir", "QUICK_RUNTIME", "FULL_RUNTIME"]

#: Measured on an idle 2-core machine with 2 workers (see README.md): the quick study took
#: 33 s of wall time; the full study 329 s (623 s of cell CPU time).
QUICK_RUNTIME = "under a minute"
FULL_RUNTIME = "about 6 minutes"


def _workers(text: str) -> int:
    """``--workers`` value: a positive integer."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: expected an integer >= 1 (1 runs every cell in this process)")
    return n


def check_out_dir(path) -> Path:
    """The output folder, created if needed; refuses a file, or a folder we cannot write.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> check_out_dir(os.path.join(d, "report")).is_dir()
    True
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise CumulantError(f"--out={str(path)!r} is a file; expected a folder (give a new or "
                            "existing folder name)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CumulantError(f"--out={str(path)!r} cannot be written ({exc.strerror}); choose a "
                            "folder you can write to") from None
    return out


def add_parser(subparsers):
    """Register the ``reproduce`` subcommand on an argparse subparsers object."""
    p = subparsers.add_parser(
        "reproduce", help="run the whole study and write the report",
        description="Train the architecture zoo on the RG step, test in and out of distribution, "
                    "set every measurement beside its closed-form prediction and write a report "
                    "(report.md, report.tex, PNG and PDF figures, results.json with provenance). "
                    "Interrupted runs resume: rerun the same command. "
                    f"The quick study takes {QUICK_RUNTIME}, the full one {FULL_RUNTIME} "
                    "with 2 workers on 2 cores.")
    p.add_argument("--quick", action="store_true",
                   help=f"the small study: 6 architectures, 2 seeds ({QUICK_RUNTIME})")
    p.add_argument("--config", metavar="FILE", help="TOML file overriding the built-in configuration")
    p.add_argument("--out", metavar="DIR", default="cumulants-report", help="output folder (default: %(default)s)")
    p.add_argument("--workers", type=_workers, default=None, metavar="N",
                   help="local worker processes, N >= 1 (default: min(2, CPU count); 1 runs every "
                        "cell in this process; with --scheduler local, the Dask workers)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786) or 'local' (needs the dask extra)")
    p.add_argument("--print-config", action="store_true", help="print the built-in configuration and exit")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress output (by default a bar on a terminal, else a line per cell "
                        "on stderr, with an ETA from the cells finished by this run)")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    """Run (or resume) the study described by the parsed ``args``; returns the exit status."""
    from .config import default_config_text, load_config
    from .report import write_report
    from .runner import run_study

    if args.print_config:
        sys.stdout.write(default_config_text())
        return 0
    cfg = load_config(args.config, quick=args.quick)
    out = check_out_dir(args.out)
    if args.scheduler:
        from .executor import check_scheduler

        check_scheduler(args.scheduler)
    t0 = time.perf_counter()
    res = run_study(cfg, out, workers=args.workers, scheduler=args.scheduler,
                    progress=not args.no_progress)
    summary = write_report(out, res["cells"], cfg,
                           timings={"cells": res["timings"], "wall_seconds": res["wall_seconds"]},
                           resumed=res["resumed"])
    dt = time.perf_counter() - t0
    print(f"{len(res['cells'])} cells ({res['resumed']} resumed) in {dt:.0f} s; "
          f"theory vs samples: {summary['n_within_threshold']}/{summary['n_comparisons']} "
          f"within |z| < {summary['z_threshold']}")
    print(f"report: {out / 'report.md'}")
    return 0
