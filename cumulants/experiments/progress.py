"""A dependency-free progress bar on stderr."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Counts finished items and prints a bar with an ETA (a line per item when not a TTY)."""

    def __init__(self, total: int, label: str = "cells", stream=None, enabled: bool = True):
        self.total = max(int(total), 0)
        self.done = 0
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, n: int = 1, note: str = "") -> None:
        """Count ``n`` more finished items and redraw the bar (``note`` names the last one)."""
        self.done += n
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        width = 28
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "." * (width - filled)
        eta_text = f"{eta:5.0f}s" if eta == eta else "    ?"
        line = f"[{bar}] {self.done}/{self.total} {self.label}  elapsed {elapsed:5.0f}s  eta {eta_text}"
        if note:
            line += f"  {note}"
        if self.tty:
            self.stream.write("\r" + line[:160])
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
