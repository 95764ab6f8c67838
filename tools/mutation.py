"""Mutation testing of the core formulas within a wall-clock budget per module.

Each mutant is one small plausible bug, made on the syntax tree of one module:

* ``binop``: an arithmetic operator swapped (``+ <-> -``, ``* <-> /``, ``** -> *``, ``// -> /``);
* ``drop``: one term of a sum or difference dropped (``a + b -> a``, ``a - b -> a``);
* ``const``: an integer constant moved by +1 or -1;
* ``compare``: a comparison flipped (``< <-> <=``, ``> <-> >=``, ``== <-> !=``);
* ``neg``: a unary minus removed;
* ``bool``: ``and <-> or``.

Docstrings, f-strings, error messages (``raise`` statements) and lines marked
``# pragma: no mutate`` are not mutated.  A mutant is applied to a private copy
of the package, then the module's mapped fast tests (and the module's own
doctests) run with ``pytest -x`` and a timeout of three times the clean run.
A failing or timed-out run kills the mutant.  Mutants are tried in a fixed
pseudo-random order, so a pass cut short by the budget is a uniform sample and
its score an unbiased estimate; results are appended atomically to a JSON
file, and a rerun resumes (mutants of an unchanged source are not run twice).

Usage::

    nice -n 19 python tools/mutation.py cumulants/rg.py cumulants/algebra --budget 600
    python tools/mutation.py --report-only         # rewrite docs/mutation.md from the results

Modules without an entry in ``TESTS`` need ``--tests`` (a comma-separated list of test files);
``GROUPS`` names sets of files scored as one module.  Results record their file's digest:
results of an edited file are stale, left out of the report and dropped by the next pass.
Survivor notes (why a mutant is equivalent or harmless) live in
``tools/mutation_notes.toml``, keyed ``"file:kind:description:line text@column"``
(``--survivors MODULE`` prints the keys).
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tools" / "mutation-results.json"
NOTES = ROOT / "tools" / "mutation_notes.toml"
REPORT = ROOT / "docs" / "mutation.md"

ORACLES = "tests/unit/test_formula_oracles.py"
CALIBRATION = "tests/unit/test_calibration.py"
# Module (or package folder) -> the fast test files that exercise it.
# Fastest, most specific files first: with ``-x`` most mutants die in the first one.
# Property tests run with the ``dev`` hypothesis profile (15 examples) during mutation.
TESTS = {
    "cumulants/algebra": [ORACLES, "tests/unit/test_algebra_contracts.py", "tests/unit/test_algebra.py",
                          "tests/properties/test_algebra_laws.py"],
    "cumulants/state.py": ["tests/unit/test_state_contract.py", "tests/unit/test_state.py",
                           "tests/unit/test_algebra.py"],
    "cumulants/rg.py": [ORACLES, "tests/unit/test_rg.py", "tests/properties/test_rg_laws.py"],
    "cumulants/generalisation.py": [ORACLES, "tests/unit/test_generalisation_contracts.py",
                                    "tests/unit/test_generalisation.py"],
    "cumulants/estimators": [CALIBRATION, "tests/unit/test_estimators.py",
                             "tests/properties/test_kstat_laws.py"],
    "cumulants/distributions.py": ["tests/unit/test_distributions.py",
                                   "tests/properties/test_distribution_laws.py"],
    "cumulants/layers": ["tests/unit/test_layers.py", "tests/crosscheck/test_layers_oracles.py",
                         "tests/unit/test_gaussian_expectations.py", "tests/unit/test_nonpolynomial.py",
                         "tests/properties/test_layer_laws.py"],
    "cumulants/experiments/cells.py": [ORACLES, CALIBRATION],
    "cumulants/bounds": [ORACLES, "tests/unit/test_bounds_contracts.py", "tests/unit/test_bounds_solver.py",
                         "tests/unit/test_bounds.py", "tests/unit/test_bounds_discrete.py",
                         "tests/properties/test_bounds_laws.py"],
    "cumulants/layers (exact)": [ORACLES, "tests/unit/test_layers_contracts.py", "tests/unit/test_algebra_contracts.py",
                                 "tests/unit/test_layers.py", "tests/unit/test_contraction.py",
                                 "tests/crosscheck/test_layers_oracles.py",
                                 "tests/properties/test_layer_laws.py"],
    "cumulants/layers (approximate)": ["tests/unit/test_nonpolynomial.py",
                                       "tests/unit/test_gaussian_expectations.py",
                                       "tests/crosscheck/test_gaussian_vs_mpmath.py",
                                       "tests/crosscheck/test_edges_vs_mpmath.py"],
}
# Named groups of files: the exact-formula part of a package is scored on its own.
GROUPS = {
    "cumulants/layers (exact)": ["cumulants/layers/base.py", "cumulants/layers/dense.py",
                                 "cumulants/layers/activations.py", "cumulants/layers/message_passing.py",
                                 "cumulants/layers/network.py", "cumulants/layers/contraction.py",
                                 "cumulants/layers/_diagrams.py", "cumulants/layers/_polyvec.py"],
    "cumulants/layers (approximate)": ["cumulants/layers/gaussian.py", "cumulants/layers/hermite.py",
                                       "cumulants/layers/nonpolynomial.py",
                                       "cumulants/layers/_gaussian_numerics.py",
                                       "cumulants/layers/_surrogate_coeffs.py",
                                       "cumulants/layers/_surrogate_error.py"],
}
# The exact-formula modules first: a pass cut short by the budget covers them.
DEFAULT_MODULES = ["cumulants/algebra", "cumulants/state.py", "cumulants/rg.py", "cumulants/generalisation.py",
                   "cumulants/estimators/kstat.py", "cumulants/estimators/variance.py",
                   "cumulants/estimators/joint.py", "cumulants/distributions.py",
                   "cumulants/layers (exact)", "cumulants/bounds"]

SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
        ast.Pow: ast.Mult, ast.FloorDiv: ast.Div}
FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
        ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


# ------------------------------------------------------------------ mutant generation
def _skip_lines(tree, source):
    """Lines never mutated: docstrings, raise statements, f-strings, pragma lines."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise, ast.JoinedStr, ast.Assert)):
            skip.update(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.update(range(body[0].lineno, body[0].end_lineno + 1))
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                for t in node.targets):
            skip.update(range(node.lineno, node.end_lineno + 1))
    for i, line in enumerate(source.splitlines(), 1):
        if "pragma: no mutate" in line or "pragma: no cover" in line:
            skip.add(i)
    return skip


def _variants(node):
    """(kind, description, replacement node) for every mutation of ``node``."""
    out = []
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op in SWAP:
            new = copy.deepcopy(node)
            new.op = SWAP[op]()
            out.append(("binop", f"{op.__name__} -> {SWAP[op].__name__}", new))
        if op in (ast.Add, ast.Sub):
            out.append(("drop", f"drop right term of {op.__name__}", copy.deepcopy(node.left)))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in FLIP:
        new = copy.deepcopy(node)
        op = type(node.ops[0])
        new.ops = [FLIP[op]()]
        out.append(("compare", f"{op.__name__} -> {FLIP[op].__name__}", new))
    elif isinstance(node, ast.Constant) and type(node.value) is int and abs(node.value) < 1000:
        for d in (1, -1):
            out.append(("const", f"{node.value} -> {node.value + d}", ast.Constant(node.value + d)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        out.append(("neg", "drop unary minus", copy.deepcopy(node.operand)))
    elif isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        out.append(("bool", f"{type(node.op).__name__} -> {type(new.op).__name__}", new))
    return out


def mutants(path: Path):
    """Every mutant of one file: dicts with line, kind, description and the mutated source."""
    source = path.read_text()
    tree = ast.parse(source)
    skip = _skip_lines(tree, source)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()
    out = []
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or node.lineno in skip or node.end_lineno in skip:
            continue
        for kind, desc, new in _variants(node):
            start = offsets[node.lineno - 1] + node.col_offset
            end = offsets[node.end_lineno - 1] + node.end_col_offset
            text = "(" + ast.unparse(new) + ")"
            mutated = (data[:start] + text.encode() + data[end:]).decode()
            try:
                ast.parse(mutated)
            except SyntaxError:
                continue
            out.append({"line": node.lineno, "col": node.col_offset, "kind": kind, "description": desc,
                        "line_text": lines[node.lineno - 1].strip()[:120],
                        "original": data[start:end].decode().splitlines()[0][:80],
                        "source": mutated})
    out.sort(key=lambda m: (m["line"], m["kind"], m["description"]))
    return out


# ------------------------------------------------------------------ running
def _files(module: str):
    if module in GROUPS:
        return [ROOT / f for f in GROUPS[module]]
    p = ROOT / module
    return sorted(p.rglob("*.py")) if p.is_dir() else [p]


def _tests_for(module: str, override):
    if override:
        return override
    for key in sorted(TESTS, key=len, reverse=True):
        if module == key or module.startswith(key + "/"):
            return TESTS[key]
    raise SystemExit(f"no tests mapped for {module}: pass --tests file1,file2")


def _pytest(workdir: Path, targets, timeout):
    """Run pytest on ``targets`` in a forked child (heavy imports are inherited, not repeated).

    The parent has imported numpy, sympy, scipy, hypothesis and pytest but never
    ``cumulants``, so each child imports the (mutated) package afresh from ``workdir``.
    """
    args = ["-x", "-q", "-p", "no:randomly", "-p", "no:xdist", "-p", "no:cacheprovider",
            "-m", "", "--no-header", "-o", "addopts=--doctest-modules", *targets]
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 3
        try:
            os.chdir(workdir)
            sys.path.insert(0, str(workdir))
            # an editable install's finder must never hand back the unmutated package
            sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            import pytest

            code = int(pytest.main(args))
        finally:
            os._exit(code)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() - t0 > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return "timeout", time.monotonic() - t0
        time.sleep(0.05)
    # 0: all passed; 5: nothing collected; anything else (failures, import errors) kills.
    return {0: "survived", 5: "error"}.get(code, "killed"), time.monotonic() - t0


def _preload():
    """Import the heavy dependencies once, before any fork (never ``cumulants`` itself)."""
    os.environ.update(PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg", HYPOTHESIS_PROFILE="dev")
    sys.dont_write_bytecode = True
    import hypothesis  # noqa: F401
    import mpmath  # noqa: F401
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import scipy.optimize  # noqa: F401
    import scipy.stats  # noqa: F401
    import sympy  # noqa: F401
    import sympy.stats  # noqa: F401


def _load(path):
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path, data, module=None):
    """Write atomically; with ``module``, merge only that entry into what is on disk.

    Passes over different modules may run at the same time (one per core): each holds
    a lock while it reads, merges its own module and replaces the file.
    """
    import fcntl

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if module is not None:
            disk = _load(path)
            disk[module] = data[module]
            data = disk
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, path)


def _key(m):
    # the column tells apart equal mutations of one line (both 1s of ``range(1, n + 1)``)
    return (f"{m['digest']}|{m['file']}:{m['line']}:{m['col']}:{m['kind']}:{m['description']}:"
            f"{m['original']}")


def run_module(module, budget, tests, results, seed=12, first=()):
    """Run the mutants of ``module`` in a fixed random order (those keyed in ``first`` first)."""
    files = _files(module)
    work = Path(tempfile.mkdtemp(prefix="mutation-"))
    try:
        shutil.copytree(ROOT / "cumulants", work / "cumulants",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
        for extra in ("docs", "derivations", "benchmarks"):
            if (ROOT / extra).exists():
                shutil.copytree(ROOT / extra, work / extra)
        pool = []
        for f in files:
            rel = f.relative_to(ROOT).as_posix()
            digest = hashlib.sha1(f.read_bytes()).hexdigest()[:12]
            for m in mutants(f):
                m["file"], m["digest"] = rel, digest
                pool.append(m)
        random.Random(seed).shuffle(pool)
        pool.sort(key=lambda m: _key(m) not in first)  # stable: the rest keep their order
        targets = [t for t in tests if (work / t).exists()]
        status, base = _pytest(work, targets + [f.relative_to(ROOT).as_posix() for f in files], 1800)
        if status != "survived":
            raise SystemExit(f"{module}: the mapped tests fail before mutation ({status})")
        timeout = max(20.0, 3 * base)
        entry = results.setdefault(module, {"mutants": {}})
        # results made on an earlier version of a file say nothing about this one
        digests = {m["digest"] for m in pool}
        entry["mutants"] = {k: v for k, v in entry["mutants"].items() if k.split("|")[0] in digests}
        entry.update(total=len(pool), tests=targets, clean_seconds=round(base, 1))
        t0 = time.monotonic()
        for m in pool:
            key_full = _key(m)
            if key_full in entry["mutants"] and key_full not in first:
                continue
            if time.monotonic() - t0 > budget:
                break
            target = work / m["file"]
            clean = target.read_text()
            target.write_text(m["source"])
            try:
                status, secs = _pytest(work, targets + [m["file"]], timeout)
            finally:
                target.write_text(clean)
            entry["mutants"][key_full] = {"status": status, "seconds": round(secs, 1),
                                          "line": m["line"], "file": m["file"], "kind": m["kind"],
                                          "line_text": m["line_text"], "col": m["col"],
                                          "description": m["description"], "original": m["original"]}
            entry["spent_seconds"] = round(entry.get("spent_seconds", 0) + secs, 1)
            _save(RESULTS, results, module)
            print(f"{module}: {status:8s} {m['file']}:{m['line']} {m['kind']} {m['description']}",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ report
def _note_key(m):
    """Notes are keyed by the mutated line's text, so they survive edits elsewhere in the file."""
    return f"{m['file']}:{m['kind']}:{m['description']}:{m.get('line_text', m['line'])}@{m.get('col')}"


def _note(notes, m):
    return notes.get(_note_key(m)) or notes.get(f"{m['file']}:{m['line']}:{m['kind']}:{m['description']}")


def _current(module, e):
    """The results of ``module`` made on its files as they are now (edited files are re-run)."""
    digests = {f.relative_to(ROOT).as_posix(): hashlib.sha1(f.read_bytes()).hexdigest()[:12]
               for f in _files(module) if f.exists()}
    cur = [m for k, m in e["mutants"].items() if digests.get(m["file"]) == k.split("|")[0]]
    return cur, len(e["mutants"]) - len(cur)


def write_report(results, notes):
    rows, survivors = [], []
    for module, e in sorted(results.items()):
        ms, stale = _current(module, e)
        killed = sum(m["status"] in ("killed", "timeout", "error") for m in ms)
        surv = [m for m in ms if m["status"] == "survived"]
        timeouts = sum(m["status"] == "timeout" for m in ms)
        p = killed / len(ms) if ms else float("nan")
        se = 100 * (p * (1 - p) / len(ms)) ** 0.5 if ms else float("nan")
        # Survivors explained as equivalent cannot be killed: the score among the rest.
        equiv = sum((_note(notes, m) or "").startswith("equivalent") for m in surv)
        adj = 100 * killed / (len(ms) - equiv) if len(ms) > equiv else float("nan")
        seconds = sum(m["seconds"] for m in ms)
        rows.append(f"| `{module}` | {e['total']} | {len(ms)} | {killed} ({timeouts} by timeout) | "
                    f"{len(surv)} ({equiv} equivalent) | {100 * p:.0f}% ± {se:.0f} | {adj:.0f}% | "
                    f"{seconds / 60:.1f} | {stale} |")
        for m in sorted(surv, key=lambda m: (m["file"], m["line"])):
            original = m["original"].replace("|", "\\|")
            where = f"{m['file']}:{m['line']}" + (f":{m['col']}" if "col" in m else "")
            survivors.append(f"| `{where}` | {m['kind']}: {m['description']} | "
                             f"`{original}` | {_note(notes, m) or 'not yet analysed'} |")
    head = (REPORT.read_text().split("<!-- results -->")[0] if REPORT.exists()
            else "# Mutation testing\n\n")
    body = ["<!-- results -->", "",
            "| module | mutants | tried | killed | survived | score ± SE | score without equivalent | minutes "
            "| stale (left out) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|", *rows, "",
            "## Surviving mutants", "",
            "| where (file:line:column) | mutation | original | why it survives |", "|---|---|---|---|", *survivors, ""]
    REPORT.write_text(head + "\n".join(body))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", help="modules or package folders (default: the core)")
    ap.add_argument("--budget", type=float, default=600, help="seconds of mutant runs per module")
    ap.add_argument("--tests", help="comma-separated test files (for modules not in TESTS)")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--retest-survivors", action="store_true",
                    help="run the surviving mutants again (after new tests were added)")
    ap.add_argument("--survivors", action="store_true",
                    help="print the current survivors of the named modules as note lines "
                         "(for tools/mutation_notes.toml) and the mutated source, then stop")
    args = ap.parse_args(argv)
    results = _load(RESULTS)
    if args.survivors:
        notes = tomllib.loads(NOTES.read_text()) if NOTES.exists() else {}
        for module in args.modules or sorted(results):
            ms, _ = _current(module, results.get(module, {"mutants": {}}))
            for m in sorted(ms, key=lambda m: (m["file"], m["line"], m.get("col", 0))):
                if m["status"] == "survived":
                    print(f"# {m['file']}:{m['line']} {m['kind']} {m['description']}: "
                          f"`{m['original']}` in `{m.get('line_text', '')}`")
                    print(f"{json.dumps(_note_key(m))} = {json.dumps(_note(notes, m) or '')}")
        return 0
    if not args.report_only:
        _preload()
        override = args.tests.split(",") if args.tests else None
        for module in args.modules or DEFAULT_MODULES:
            module = module.rstrip("/")
            first = set()
            if args.retest_survivors and module in results:
                kept = results[module]["mutants"]
                # rerun in place: a pass cut short by its budget keeps the old verdicts
                first = {k for k, m in kept.items() if m["status"] == "survived"}
            run_module(module, args.budget, _tests_for(module, override), results, first=first)
    notes = tomllib.loads(NOTES.read_text()) if NOTES.exists() else {}
    write_report(results, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
