"""Plan the cells of the study, run them on an executor, keep every finished cell.

``run_study`` is resumable: a cell whose result is already on disk with the same
configuration hash is loaded, not recomputed; each newly finished cell is written
atomically as soon as it completes, so an interrupted run loses only the cells
that were in flight.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .cells import CELL_VERSION, run_cell
from .config import config_hash
from .executor import completed, make_executor
from .progress import Progress
from .store import CellStore, RunLock

__all__ = ["plan_cells", "run_study", "StudyInterrupted"]


def plan_cells(cfg: dict) -> list:
    """The list of cell specifications (JSON-ready) of a configuration."""
    study = {k: v for k, v in cfg["study"].items() if k not in ("seeds", "train_laws")}
    cells = []
    for arch in cfg["architectures"]:
        for train_law in cfg["study"]["train_laws"]:
            for seed in cfg["study"]["seeds"]:
                spec = {"architecture": arch, "study": study, "train_law": train_law, "seed": seed,
                        "cell_version": CELL_VERSION}
                cell_id = f"{arch['name']}__{train_law}__s{seed}"
                spec["id"] = cell_id
                spec["hash"] = config_hash({k: v for k, v in spec.items() if k != "id"})
                cells.append(spec)
    return cells


def _execute(spec):
    """Worker entry point: run a cell and time it."""
    t0 = time.perf_counter()
    out = run_cell({k: v for k, v in spec.items() if k not in ("id", "hash")})
    out["id"] = spec["id"]
    out["hash"] = spec["hash"]
    return out, time.perf_counter() - t0


class StudyInterrupted(KeyboardInterrupt):
    """Ctrl-C during a study: finished cells are on disk; the message says how many."""

    def __init__(self, saved: int, total: int):
        super().__init__(f"{saved} of {total} cells saved; rerun to resume")
        self.saved = saved
        self.total = total


def run_study(cfg: dict, out_dir, *, workers=None, scheduler=None, progress=True,
              max_cells=None, log=None) -> dict:
    """Run (or resume) every cell; returns ``{"cells": [...], "timings": {...}}``.

    ``max_cells`` stops after that many *new* cells (used to test resuming).  Stored cells
    that are damaged, edited or reshaped are reported through ``log`` (default: one line
    each on stderr) and recomputed.  One run at a time may write into ``out_dir``
    (:class:`~cumulants.experiments.store.RunLock`).  Ctrl-C stops the workers at once and
    raises :class:`StudyInterrupted` saying how many cells are saved.
    """
    if log is None:
        def log(msg):
            print(msg, file=sys.stderr)
    out_dir = Path(out_dir)
    with RunLock(out_dir):
        return _run_locked(cfg, out_dir, workers, scheduler, progress, max_cells, log)


def _run_locked(cfg, out_dir, workers, scheduler, progress, max_cells, log):
    store = CellStore(out_dir)
    cells = plan_cells(cfg)
    done, todo = {}, []
    for spec in cells:
        stored = store.load(spec["id"], spec["hash"])
        if stored is not None:
            done[spec["id"]] = stored
        else:
            todo.append(spec)
    for cell_id, reason in store.rejected:
        if reason != "was computed with another configuration":
            log(f"cell {cell_id}: stored file {reason}; recomputing")
    if max_cells is not None:
        todo = todo[:max_cells]
    bar = Progress(len(cells), "cells", enabled=progress, initial=len(done))
    timings = {}
    t0 = time.perf_counter()
    saved = 0
    if todo:
        try:
            with make_executor(workers, scheduler) as ex:
                for result, seconds in completed(ex, _execute, todo):
                    # Keep exactly what a resumed run would load (sorted keys, JSON floats,
                    # the checksum), so fresh and resumed runs aggregate identically.
                    result = store.save(result)
                    saved += 1
                    done[result["id"]] = result
                    timings[result["id"]] = seconds
                    bar.update(1, result["id"])
        except KeyboardInterrupt:
            bar.close()
            raise StudyInterrupted(len(done), len(cells)) from None
    bar.close()
    ordered = [done[spec["id"]] for spec in cells if spec["id"] in done]
    return {"cells": ordered, "timings": timings, "wall_seconds": time.perf_counter() - t0,
            "resumed": len(cells) - len(todo) if max_cells is None else len(done) - len(timings),
            "complete": len(ordered) == len(cells)}
