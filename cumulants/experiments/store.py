"""Atomic, resumable storage of finished cells.

Each finished cell is one JSON file written to a temporary name and moved into
place with :func:`os.replace`, so an interrupted run never leaves a truncated
file and a rerun skips every cell that is already on disk with the same
configuration hash.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_text", "atomic_write_json", "CellStore"]


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path, obj) -> None:
    """Write ``obj`` as sorted, indented JSON atomically."""
    atomic_write_text(path, json.dumps(obj, indent=1, sort_keys=True, allow_nan=True) + "\n")


class CellStore:
    """Finished cells under ``out/cells/<cell id>.json``.

    >>> import tempfile
    >>> store = CellStore(tempfile.mkdtemp())
    >>> store.save({"id": "a", "hash": "h1", "value": 1})
    >>> store.load("a", "h1")["value"], store.load("a", "other-hash")
    (1, None)
    """

    def __init__(self, out_dir):
        self.dir = Path(out_dir) / "cells"
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, cell_id: str) -> Path:
        """The file of a cell."""
        return self.dir / f"{cell_id}.json"

    def load(self, cell_id: str, cell_hash: str):
        """The stored result of a cell, or ``None`` if absent, stale or unreadable."""
        p = self.path(cell_id)
        if not p.exists():
            return None
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if data.get("hash") == cell_hash else None

    def save(self, result: dict) -> None:
        """Write a finished cell atomically (its ``id`` names the file)."""
        atomic_write_json(self.path(result["id"]), result)
