"""Drive the sandbox: run many cases per capped subprocess, survive crashes, count outcomes."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Per-case wall-clock cap (seconds) and address-space cap of each sandbox process (bytes).
CASE_TIMEOUT = 4.0
MEMORY_CAP = 3 * 2**30


def _run_batch(kind, todo, timeout, memory, env):
    """Run ``todo`` in one sandbox; return (rows, id of a case that hung or crashed, stderr)."""
    job = {"kind": kind, "cases": todo, "timeout": timeout, "memory": memory}
    proc = subprocess.Popen([sys.executable, str(HERE / "sandbox.py")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    lines = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    errs = []
    threading.Thread(target=pump, daemon=True).start()
    threading.Thread(target=lambda: errs.append(proc.stderr.read()), daemon=True).start()
    proc.stdin.write(json.dumps(job))
    proc.stdin.close()
    rows, current = [], None
    # The sandbox's own timer ends a slow case; this watchdog catches cases that ignore it
    # (a hang inside C code or in a thread) and the interpreter's start-up.
    while True:
        try:
            line = lines.get(timeout=timeout + 30)
        except queue.Empty:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return rows, current, "hard timeout"
        if line is None:
            break
        row = json.loads(line)
        if "start" in row:
            current = row["start"]
        else:
            rows.append(row)
            current = None
    proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stray children of a case
    return rows, current, f"exit {proc.returncode}: {(errs[0] if errs else '')[-300:]}"


def run_cases(kind, cases, *, timeout=CASE_TIMEOUT, memory=MEMORY_CAP, env=None):
    """Run ``cases`` (dicts with an ``id``) in capped subprocesses; return ``{id: row}``."""
    results = {}
    todo = list(cases)
    env = dict(os.environ if env is None else env)
    env.setdefault("PYTHONPATH", str(HERE.parent.parent))
    env["PYTHONWARNINGS"] = "ignore"
    while todo:
        rows, current, why = _run_batch(kind, todo, timeout, memory, env)
        for row in rows:
            results[row["id"]] = row
        left = [c for c in todo if c["id"] not in results]
        if left:
            # The process died or hung in this case: record it and go on with the rest.
            bad = current or left[0]["id"]
            if current is None and len(left) == len(todo):
                raise RuntimeError(f"sandbox produced nothing: {why}")
            results[bad] = {"id": bad, "outcome": "hang" if why == "hard timeout" else "crash",
                            "detail": why}
            left = [c for c in left if c["id"] != bad]
        todo = left
    return results


def summary(results):
    """Counts of outcomes: ``{"tried": n, "clean": k, outcome: count, ...}``."""
    out = {"tried": len(results)}
    for row in results.values():
        out[row["outcome"]] = out.get(row["outcome"], 0) + 1
    out.setdefault("clean", 0)
    return out
