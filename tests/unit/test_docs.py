"""The documentation is executable: every page's doctests, its CLI examples, the site build.

* each ``docs/**/*.md`` page runs under :mod:`doctest` (one test per page), and every
  ```` ```python ```` block on it must be a doctest session;
* each ```` ```bash ```` block starting with ``cumulants `` runs its commands and must exit
  with status 0; when the next block on the page is a ```` ```text ```` block, the output
  must match it (``...`` matches anything).  ``cumulants reproduce`` runs without
  ``--help``/``--print-config`` are too long for the unit suite and are skipped;
* the site builds with ``mkdocs build --strict`` when MkDocs is installed.
"""

from __future__ import annotations

import concurrent.futures
import doctest
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
CLI_TIMEOUT = 120
BUILD_TIMEOUT = 600


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _blocks(path: Path):
    """``(lang, body, line)`` of every fenced block of a page, in order."""
    text = path.read_text(encoding="utf-8")
    return [(m.group("lang"), m.group("body"), text.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(text)]


def _commands(body: str):
    """The argument lists of the command lines of a bash block (comments dropped)."""
    return [shlex.split(line, comments=True) for line in body.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _cli_examples():
    """One ``pytest.param(args, expected)`` per command line of the CLI examples."""
    cases = []
    for page in PAGES:
        blocks = _blocks(page)
        for k, (lang, body, line) in enumerate(blocks):
            commands = _commands(body) if lang == "bash" else []
            if not commands or commands[0][0] != "cumulants":
                continue
            following = blocks[k + 1] if k + 1 < len(blocks) else None
            expected = following[1] if following and following[0] == "text" \
                and len(commands) == 1 else None
            for args in commands:
                long_run = "reproduce" in args and not {"--help", "-h", "--print-config"} & set(args)
                if args[0] != "cumulants" or long_run:
                    continue
                cases.append(pytest.param(args, expected, id=f"{_rel(page)}:{line}:{' '.join(args[1:3])}"))
    return cases


def _env():
    env = dict(os.environ)
    env.update({"COLUMNS": "80", "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8",
                "NO_MKDOCS_2_WARNING": "1"})
    return env


@pytest.mark.parametrize("page", PAGES, ids=[_rel(p) for p in PAGES])
def test_page_doctests(page, monkeypatch, tmp_path):
    """Every example on the page runs and prints what the page shows."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS,
                              encoding="utf-8", name=_rel(page))
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {_rel(page)}"


@pytest.mark.parametrize("page", PAGES, ids=[_rel(p) for p in PAGES])
def test_python_blocks_are_doctests(page):
    """A ```python block without ``>>>`` would not be executed: there must be none."""
    for lang, body, line in _blocks(page):
        if lang in ("python", "py", "pycon"):
            assert ">>>" in body, f"{_rel(page)}:{line}: python block is not a doctest session"
            assert body.endswith("\n\n"), \
                f"{_rel(page)}:{line}: leave a blank line before the closing fence"


CLI_EXAMPLES = _cli_examples()


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """Run every CLI example once, a few at a time (each is mostly interpreter start-up)."""
    def run(args):
        cwd = tmp_path_factory.mktemp("cli")
        return subprocess.run([sys.executable, "-m", "cumulants", *args[1:]], cwd=cwd,
                              env=_env(), capture_output=True, text=True, timeout=CLI_TIMEOUT)

    commands = {tuple(case.values[0]) for case in CLI_EXAMPLES}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {args: pool.submit(run, list(args)) for args in commands}
        return {args: fut.result() for args, fut in futures.items()}


@pytest.mark.parametrize("args, expected", CLI_EXAMPLES)
def test_cli_examples(args, expected, cli_runs):
    """The command of the example exits with 0 and prints the output the page shows."""
    proc = cli_runs[tuple(args)]
    assert proc.returncode == 0, f"{shlex.join(args)} exited with {proc.returncode}:\n{proc.stderr}"
    if expected is not None:
        checker = doctest.OutputChecker()
        assert checker.check_output(expected, proc.stdout, FLAGS), (
            f"{shlex.join(args)} printed\n{proc.stdout}\nbut the page shows\n{expected}")


def test_site_builds_strict(tmp_path):
    """``mkdocs build --strict`` succeeds: no broken link, reference or docstring."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings_handlers.python")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
         "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    assert (tmp_path / "site" / "index.html").exists()
