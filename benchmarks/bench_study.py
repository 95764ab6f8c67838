"""Wall time of the study on 1 worker, 2 local processes and a 2-worker Dask cluster.

Runs the same configuration three times into fresh folders (nothing resumed) and
prints the wall times and the speed-ups over one worker.  ``--full`` uses the
full default study instead of ``--quick``.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from cumulants.experiments.config import load_config
from cumulants.experiments.runner import run_study


def timed(cfg, **kw):
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        res = run_study(cfg, out, progress=False, **kw)
        return time.perf_counter() - t0, len(res["cells"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the full study (default: quick)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    args = parser.parse_args(argv)
    cfg = load_config(quick=not args.full)
    t1, n = timed(cfg, workers=1)
    print(f"{n} cells, 1 worker (in-process):   {t1:7.1f} s")
    t2, _ = timed(cfg, workers=2)
    print(f"{n} cells, 2 local processes:       {t2:7.1f} s   speed-up {t1 / t2:.2f}x")
    if not args.no_dask:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("Dask distributed is not installed: pip install 'cumulants[dask]'")
            return
        t3, _ = timed(cfg, scheduler="local", workers=2)
        print(f"{n} cells, Dask local cluster (2):  {t3:7.1f} s   speed-up {t1 / t3:.2f}x")


if __name__ == "__main__":
    main()
