"""Run hostile cases inside a capped process and report how each one ended.

Reads a JSON object ``{"kind": "lib"|"cli", "cases": [...], "timeout": s, "memory": bytes}``
on stdin and writes one JSON line per case on stdout:
``{"id": ..., "outcome": ..., "detail": ...}``.

Library outcomes: ``clean`` (a ``CumulantError``), ``wrong`` (another exception), ``returned``
(no exception), ``timeout``, ``memory``.  CLI outcomes: ``clean`` (exit 2, exactly one stderr
line, no traceback) or ``bad`` with the exit code and stderr.

The address space is capped with ``resource.setrlimit(RLIMIT_AS)`` and every case runs under
an interval timer, so a hang or a runaway allocation ends the case, not the catalogue.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import sys
import tempfile
import traceback
import warnings


class _Timeout(BaseException):
    """Raised by the interval timer; a BaseException so library code cannot swallow it."""


def _alarm(signum, frame):
    raise _Timeout()


PRELUDE = """
import math
from fractions import Fraction
import numpy as np
import sympy as sp
import cumulants as cm
from cumulants import distributions as D, layers as L, rg, generalisation as G, estimators as E
from cumulants import constraints as C, nn, algebra as A, printing as P, testing as T
from cumulants import bounds as B, io
st = cm.Cumulants.iid(D.Normal(0, 1), 2, 4)
st1 = cm.Cumulants.iid(D.Normal(0, 1), 1, 4)
st4 = cm.Cumulants.iid(D.Exponential(1), 4, 4)
sts = cm.Cumulants.symbolic(2, 4)
net = cm.Network([cm.Dense([[1, 1]]), cm.Quadratic(sp.Rational(1, 2))])
tgt = cm.Dense([[1, 1]])
x1 = np.random.default_rng(0).normal(size=50)
X2 = np.random.default_rng(0).normal(size=(50, 2))
mlp = nn.MLP([2, 1], "identity", seed=0)
"""


def _announce(stream, case):
    stream.write(json.dumps({"start": case["id"]}) + "\n")
    stream.flush()


def _run_lib(cases, timeout, stream):
    env = {}
    exec(PRELUDE, env)  # noqa: S102 - test harness
    cm = env["cm"]
    for case in cases:
        _announce(stream, case)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(case["code"], dict(env))  # noqa: S102
            outcome, detail = "returned", ""
        except _Timeout:
            outcome, detail = "timeout", f"> {timeout} s"
        except MemoryError:
            outcome, detail = "memory", "MemoryError"
        except cm.CumulantError as exc:
            outcome, detail = "clean", f"{type(exc).__name__}: {exc}"[:300]
        except RecursionError as exc:
            outcome, detail = "wrong", f"RecursionError: {str(exc)[:100]}"
        except BaseException as exc:  # noqa: BLE001 - that is what we record
            outcome, detail = "wrong", f"{type(exc).__name__}: {exc}"[:300]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        yield {"id": case["id"], "outcome": outcome, "detail": detail}


def _run_cli(cases, timeout, stream):
    from cumulants.cli import main

    home = os.getcwd()
    for case in cases:
        _announce(stream, case)
        tmp = tempfile.mkdtemp(prefix="hostile-cli-")
        os.chdir(tmp)
        for name, spec in case.get("files", {}).items():
            if spec.get("dir"):
                os.makedirs(name, exist_ok=True)
                continue
            data = spec["text"].encode("latin-1")
            with open(name, "wb") as fh:
                fh.write(data)
            if "mode" in spec:
                os.chmod(name, spec["mode"])
        err, out = io.StringIO(), io.StringIO()
        code, tb = None, ""
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                    try:
                        code = main(case["argv"])
                    except SystemExit as exc:
                        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except _Timeout:
            code, tb = "timeout", ""
        except MemoryError:
            code, tb = "memory", ""
        except BaseException as exc:  # noqa: BLE001 - an escaped exception is a traceback
            code, tb = "traceback", "".join(traceback.format_exception_only(type(exc), exc))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            os.chdir(home)
        lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
        ok = code == 2 and len(lines) == 1 and not tb and "Traceback" not in err.getvalue()
        yield {"id": case["id"], "outcome": "clean" if ok else "bad",
               "detail": f"exit={code} stderr={err.getvalue()[-300:]!r} {tb[:200]}"}


def main():
    job = json.load(sys.stdin)
    resource.setrlimit(resource.RLIMIT_AS, (job["memory"], job["memory"]))
    signal.signal(signal.SIGALRM, _alarm)
    runner = _run_lib if job["kind"] == "lib" else _run_cli
    real_stdout = sys.stdout
    for row in runner(job["cases"], job["timeout"], real_stdout):
        real_stdout.write(json.dumps(row) + "\n")
        real_stdout.flush()


if __name__ == "__main__":
    main()
