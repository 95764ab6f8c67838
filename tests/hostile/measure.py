"""Print the catalogue's counts: ``python tests/hostile/measure.py [lib|cli] [--failures]``.

Run with ``PYTHONPATH`` pointing at the package to measure (any version of it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases_cli  # noqa: E402
import cases_lib  # noqa: E402
from harness import run_cases, summary  # noqa: E402


def main(argv):
    kinds = [a for a in argv if a in ("lib", "cli")] or ["lib", "cli"]
    for kind in kinds:
        cases = cases_lib.all_cases() if kind == "lib" else cases_cli.all_cases()
        t0 = time.perf_counter()
        res = run_cases(kind, cases)
        print(kind, summary(res), f"{time.perf_counter() - t0:.1f} s")
        if "--failures" in argv:
            for row in res.values():
                if row["outcome"] != "clean":
                    code = next(c.get("code", c.get("argv")) for c in cases if c["id"] == row["id"])
                    print(f"  {row['outcome']:8} {row['id']}  {code}  -> {row['detail'][:160]}")


if __name__ == "__main__":
    main(sys.argv[1:])
