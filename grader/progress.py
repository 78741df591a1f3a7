"""Progress of a long command: a bar on a terminal, plain lines anywhere else (CI, a log file).

One helper for every long command (``autograde``, ``feedback``, ``check``, ``demo``,
``collect``)::

    bar = Progress(len(items), "judging")
    for item in items:
        ...
        bar.step(f"{item}: 3/10 points")     # one line per item in plain mode
        bar.note("warning: ...")              # a line that stays, above the bar
    bar.close()

On a terminal the bar is redrawn in place (``\\r``) and every ``note`` and the text of
each step that the caller wants kept (``keep=True``) is printed above it; not on a
terminal, every step is a line ``[3/30] judging: ...`` flushed at once, so a CI log
shows how far a run got.  ``GRADER_PROGRESS=plain`` or ``=bar`` overrides the choice.
"""

from __future__ import annotations

import os
import shutil
import sys
import time


def _bar_wanted(stream) -> bool:
    forced = os.environ.get("GRADER_PROGRESS", "").lower()
    if forced in ("plain", "bar"):
        return forced == "bar"
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    def __init__(self, total: int, label: str, stream=None, quiet: bool = False):
        self.total, self.label, self.quiet = total, label, quiet
        self.stream = stream
        self.done = 0
        self.start = time.monotonic()
        self.bar = not quiet and _bar_wanted(self._out)
        self._drawn = False

    @property
    def _out(self):
        # looked up at each write, so that pytest's capsys (which swaps sys.stdout) sees it
        return self.stream or sys.stdout

    def _write(self, text: str):
        self._out.write(text)
        self._out.flush()

    def _clear(self):
        if self._drawn:
            self._write("\r\x1b[2K")
            self._drawn = False

    def _draw(self, text: str):
        width = shutil.get_terminal_size((80, 20)).columns
        filled = int(20 * self.done / self.total) if self.total else 20
        head = f"{self.label} [{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} "
        line = (head + text)[: max(10, width - 1)]
        self._clear()
        self._write(line)
        self._drawn = True

    def note(self, text: str):
        """A line that stays (a warning, a result worth keeping)."""
        if self.quiet:
            return
        if self.bar:
            self._clear()
            self._write(text + "\n")
            self._draw("")
        else:
            self._write(text + "\n")

    def step(self, text: str = "", keep: bool = False):
        """One item done; ``text`` says which and how it went."""
        self.done += 1
        if self.quiet:
            return
        if self.bar:
            if keep and text:
                self._clear()
                self._write(f"[{self.done}/{self.total}] {text}\n")
            self._draw("" if keep else text)
        else:
            self._write(f"[{self.done}/{self.total}] {self.label}: {text}\n"
                        if text else f"[{self.done}/{self.total}] {self.label}\n")

    def close(self) -> float:
        """Removes the bar; the seconds since the start."""
        if self.bar:
            self._clear()
        return time.monotonic() - self.start

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
