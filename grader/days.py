"""The days of the course: which exist, in which order, and everything a day's name leads to.

A day is a folder ``dayN_topic/`` of the repository holding notebooks, with its model
answers in ``solutions/dayN_topic.py`` and its typical mistakes in
``solutions/wrong/dayN_topic.py``.  Adding a day means adding those files; nothing in
``grader/`` names a day.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
PATTERN = re.compile(r"^day(\d+)_\w+$")


class DayError(ValueError):
    """A name that is not a built day; the message lists the days there are."""


@dataclass(frozen=True, order=True)
class Day:
    number: int
    name: str

    @classmethod
    def named(cls, name: str) -> "Day":
        """The day of that folder name (built or not); DayError if it is not a day's name."""
        name = str(name).rstrip("/")
        match = PATTERN.match(name)
        if not match:
            raise DayError(f"{name!r} is not a day folder name (expected e.g. 'day1_forward')")
        return cls(int(match.group(1)), name)

    def __str__(self) -> str:
        return self.name

    # files ---------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return REPO / self.name

    @property
    def notebooks(self) -> list[Path]:
        return sorted(self.folder.glob("*.ipynb"))

    @property
    def reference_file(self) -> Path:
        return REPO / "solutions" / f"{self.name}.py"

    @property
    def wrong_file(self) -> Path:
        return REPO / "solutions" / "wrong" / f"{self.name}.py"

    # modules ---------------------------------------------------------------------
    def reference(self) -> ModuleType:
        """``solutions.<day>``: the model answers and ``ANSWERS`` of manually graded cells."""
        return importlib.import_module(f"solutions.{self.name}")

    def wrong_answers(self) -> list:
        """The library of typical mistakes of this day (``solutions.wrong.<day>``)."""
        if not self.wrong_file.is_file():
            return []
        return list(importlib.import_module(f"solutions.wrong.{self.name}").WRONG_ANSWERS)

    # neighbours ---------------------------------------------------------------------
    def earlier(self) -> list["Day"]:
        """Built days before this one: their reference modules come with its release."""
        return [d for d in built_days() if d.number < self.number]

    def later(self) -> list["Day"]:
        return [d for d in built_days() if d.number > self.number]

    def reference_files_before(self) -> list[str]:
        """The earlier days' reference modules, as paths: what the sandbox may import."""
        return [str(d.reference_file) for d in self.earlier()]


def built_days(repo: Path = REPO) -> list[Day]:
    """Day folders that hold at least one notebook, in syllabus order."""
    days = [Day.named(p.name) for p in repo.iterdir()
            if p.is_dir() and PATTERN.match(p.name) and any(p.glob("*.ipynb"))]
    return sorted(days)


def built_day(name: str) -> Day:
    """The built day of that name; DayError naming the built days otherwise."""
    day = Day.named(name)
    if day not in built_days():
        names = ", ".join(d.name for d in built_days()) or "none"
        raise DayError(f"no day folder {day.name!r} with notebooks; built days: {names}")
    return day
