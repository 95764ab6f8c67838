"""Progress of the study on stderr, drawn by :mod:`tqdm`.

On a terminal a single bar is redrawn; otherwise (a log file, a pipe, a batch job)
one line is written per finished cell, as soon as it finishes.  The rate and the
ETA count only the cells finished by *this* run, so a resumed run that loaded most
cells from disk does not report an absurdly short ETA:

.. math::

    \\text{ETA} = (N - n)\\,\\frac{t}{n - n_0},

with ``N`` cells in all, ``n`` finished, ``n_0`` loaded at the start and ``t``
seconds since the start of this run.

>>> import io
>>> now = [0.0]
>>> out = io.StringIO()
>>> bar = Progress(10, stream=out, initial=6, clock=lambda: now[0])  # 6 cells resumed
>>> now[0] = 4.0
>>> bar.update(1, "cell-a")  # 4 s for the first new cell, 3 cells left
>>> bar.eta_seconds
12.0
>>> print(out.getvalue().strip())
7/10 cells [elapsed 00:04, eta 00:12], cell-a
>>> bar.close()
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["Progress"]

_LINE = "{n_fmt}/{total_fmt} {unit} [elapsed {elapsed}, eta {remaining}]{postfix}"


class Progress:
    """Counts finished cells and shows a bar with an ETA (a line per cell when not a TTY).

    ``initial`` cells were already done when the run started (a resume); ``clock``
    (seconds, monotonic) is for tests.
    """

    def __init__(self, total: int, label: str = "cells", stream=None, enabled: bool = True,
                 initial: int = 0, clock=None):
        from tqdm import tqdm

        self.stream = stream or sys.stderr
        self.enabled = bool(enabled)
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._clock = clock or time.monotonic
        self._sink = None if self.tty else open(os.devnull, "w")  # noqa: SIM115 - closed in close()
        self._bar = tqdm(total=max(int(total), 0), initial=int(initial), unit=label,
                         file=self.stream if self.tty else self._sink, disable=not self.enabled,
                         smoothing=0, mininterval=0, dynamic_ncols=True, leave=True,
                         bar_format=("{l_bar}{bar}| " + _LINE[len("{n_fmt}/{total_fmt} {unit} "):])
                         if self.tty else _LINE)
        if clock is not None:
            self._bar._time = clock
            self._bar.start_t = self._bar.last_print_t = clock()
        self.start = self._bar.start_t if self.enabled else self._clock()

    @property
    def done(self) -> int:
        """Cells finished so far (loaded ones included)."""
        return int(self._bar.n)

    @property
    def total(self) -> int:
        """Cells in the whole study."""
        return int(self._bar.total)

    @property
    def eta_seconds(self) -> float:
        """Seconds left at the rate of this run's cells (``nan`` before the first one)."""
        new = self._bar.n - self._bar.initial
        elapsed = self._last - self.start if hasattr(self, "_last") else 0.0
        if new <= 0 or elapsed <= 0:
            return float("nan")
        return (self.total - self.done) * elapsed / new

    def update(self, n: int = 1, note: str = "") -> None:
        """Count ``n`` more finished cells (``note`` names the last one) and redraw."""
        if not self.enabled:
            self._bar.n += n
            return
        self._bar.set_postfix_str(note, refresh=False)
        self._bar.update(n)
        self._last = self._bar.last_print_t
        if not self.tty:
            self.stream.write(str(self._bar).rstrip(", ") + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Finish the bar (a final newline on a terminal)."""
        self._bar.close()
        if self._sink is not None:
            self._sink.close()
            self._sink = None
