"""Atomic, resumable, verified storage of finished cells.

Each finished cell is one JSON file written to a temporary name and moved into
place with :func:`os.replace`, so an interrupted run never leaves a truncated
file, and a rerun skips every cell that is already on disk with the same
configuration hash.  Every file also carries a ``checksum`` of its own content
(SHA-256 of the canonical JSON without the checksum): a file that was truncated,
edited, replaced or reshaped is detected on load, reported, and recomputed.

Files are written with the permissions of an ordinary file (``0666`` minus the
umask, typically ``0644``), not the ``0600`` of a temporary file.  One run at a
time may write into a folder: :class:`RunLock` holds an advisory lock on
``out/cells/.lock`` for the whole run (released by the kernel if the process dies).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from ..errors import CumulantError

__all__ = ["atomic_write_text", "atomic_write_json", "content_checksum", "CellStore",
           "RunLock", "StoreLockedError"]

#: Keys every stored cell must have (beside its results), with their types.
_REQUIRED = {"id": str, "hash": str, "checksum": str}


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file + rename), mode ``0666 & ~umask``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode())
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


def content_checksum(obj: dict) -> str:
    """SHA-256 of the canonical JSON of ``obj`` without its ``checksum`` key.

    >>> content_checksum({"a": 1}) == content_checksum({"a": 1, "checksum": "x"})
    True
    """
    body = {k: v for k, v in obj.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


try:
    import fcntl as _fcntl  # noqa: F401
    _HAVE_FLOCK = True
except ImportError:  # pragma: no cover - not POSIX
    _HAVE_FLOCK = False


class StoreLockedError(CumulantError):
    """Another run is writing into the same output folder."""


class RunLock:
    """Exclusive advisory lock on ``out/cells/.lock`` for the duration of a run.

    Uses ``fcntl.flock`` where available (the kernel drops the lock when the holder dies,
    so a killed run never leaves a stale lock); elsewhere a lock file created with
    ``O_EXCL`` that names the owner's pid (removed at the end of the run).
    """

    def __init__(self, out_dir):
        self.path = Path(out_dir) / "cells" / ".lock"
        self._fd = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            fcntl = None
        if fcntl is not None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, _file_mode())
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise StoreLockedError(
                    f"another run is writing into {self.path.parent.parent}; wait for it to "
                    "finish or choose another --out folder") from None
            # The file is never written: its mtime stays put, like every finished cell's.
            self._fd = fd
            return self
        try:  # pragma: no cover - not POSIX
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, _file_mode())
        except FileExistsError:  # pragma: no cover
            raise StoreLockedError(
                f"{self.path} exists: another run is writing into {self.path.parent} (delete the "
                "file if no run is active)") from None
        os.write(fd, str(os.getpid()).encode())  # pragma: no cover
        self._fd = fd  # pragma: no cover
        return self  # pragma: no cover

    def __exit__(self, *exc):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if not _HAVE_FLOCK:  # pragma: no cover - not POSIX
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
        return False


class CellStore:
    """Finished cells under ``out/cells/<cell id>.json``, each verified by a checksum.

    ``load`` returns ``None`` for a cell that must be (re)computed; ``rejected`` lists
    ``(cell_id, reason)`` for every file that existed but could not be used.

    >>> import tempfile
    >>> store = CellStore(tempfile.mkdtemp())
    >>> _ = store.save({"id": "a", "hash": "h1", "value": 1})
    >>> store.load("a", "h1")["value"], store.load("a", "other-hash")
    (1, None)
    """

    def __init__(self, out_dir):
        self.dir = Path(out_dir) / "cells"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rejected = []

    def path(self, cell_id: str) -> Path:
        """The file of a cell."""
        return self.dir / f"{cell_id}.json"

    def _reject(self, cell_id, reason):
        self.rejected.append((cell_id, reason))
        return None

    def load(self, cell_id: str, cell_hash: str):
        """The stored result of a cell, or ``None`` if absent, stale or damaged."""
        p = self.path(cell_id)
        if not p.exists():
            return None
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self._reject(cell_id, "unreadable or truncated JSON")
        if not isinstance(data, dict):
            return self._reject(cell_id, f"holds a JSON {type(data).__name__}, not a cell")
        for key, typ in _REQUIRED.items():
            if not isinstance(data.get(key), typ):
                return self._reject(cell_id, f"lacks a valid {key!r}")
        if data["id"] != cell_id:
            return self._reject(cell_id, f"belongs to cell {data['id']!r}")
        if data["hash"] != cell_hash:
            return self._reject(cell_id, "was computed with another configuration")
        if data["checksum"] != content_checksum(data):
            return self._reject(cell_id, "content does not match its checksum (edited or "
                                         "damaged)")
        return data

    def save(self, result: dict) -> dict:
        """Write a finished cell atomically (its ``id`` names the file), with its checksum.

        Returns exactly what a later :meth:`load` gives back (sorted keys, JSON floats), so
        fresh and resumed runs aggregate identically.
        """
        result = json.loads(json.dumps(result, sort_keys=True, allow_nan=True))
        result["checksum"] = content_checksum(result)
        atomic_write_json(self.path(result["id"]), result)
        return result
