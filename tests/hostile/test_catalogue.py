"""Every bad library call ends in a ``CumulantError``; every bad command line exits 2 with one
line on stderr and no traceback.

The cases run in capped subprocesses (``RLIMIT_AS`` and a per-case timer, many cases per
process, see ``sandbox.py``); one session-wide run feeds one test per case.
"""

import argparse

import pytest

from . import cases_cli, cases_lib
from .harness import run_cases

LIB = cases_lib.all_cases()
CLI = cases_cli.all_cases()


@pytest.fixture(scope="module")
def lib_results():
    return run_cases("lib", LIB)


@pytest.fixture(scope="module")
def cli_results():
    return run_cases("cli", CLI)


def test_catalogue_sizes():
    assert len(LIB) >= 300 and len(CLI) >= 80


def test_every_public_callable_is_attacked():
    """A new public function joins the catalogue through ``__all__`` (generic cases); one
    without required arguments needs a spec entry (or a reason in NO_ENTRY_NEEDED)."""
    covered = {c["covers"] for c in LIB}
    missing = [name for name in cases_lib.public_callables()
               if name not in cases_lib.NO_ENTRY_NEEDED
               and not any(c == name or c.startswith(name + ".") for c in covered)]
    assert not missing, f"add hostile cases to tests/hostile/cases_lib.py for {missing}"


def test_every_subcommand_is_attacked():
    from cumulants.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(cases_cli.SUBCOMMANDS)
    attacked = {c["argv"][0] for c in CLI}
    assert set(cases_cli.SUBCOMMANDS) <= attacked


@pytest.mark.parametrize("case", LIB, ids=[c["id"] for c in LIB])
def test_bad_call_is_refused(case, lib_results):
    row = lib_results[case["id"]]
    assert row["outcome"] == "clean", f"{case['code']} -> {row['outcome']}: {row['detail']}"


@pytest.mark.parametrize("case", CLI, ids=[c["id"] for c in CLI])
def test_bad_command_line_exits_2(case, cli_results):
    row = cli_results[case["id"]]
    assert row["outcome"] == "clean", f"cumulants {' '.join(case['argv'])}: {row['detail']}"
