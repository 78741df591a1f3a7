"""The model answers' times, from which a student's cells and calls get their time budgets.

One 60 s budget for every cell and 20 s for every call let a hang cost minutes where the
model answers take milliseconds.  Instead, the solved notebooks of a day are judged once,
here, exactly as a submission is, and the time of each answer and set-up cell and the
student time of each test are kept in ``<root>/judge/model_times/<day>.json`` (measured
again when the day's notebooks or its reference change).  The runner gives each cell and
each call of a test ``runner.FACTOR`` times the model's time, with a floor, within the limits'
caps (``runner.budget_for``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from ..days import Day

FOLDER = "model_times"


def _key(day: Day) -> str:
    digest = hashlib.sha256()
    for path in [*day.notebooks, day.reference_file, *map(Path, day.reference_files_before())]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def measure(day: Day) -> dict:
    """{notebook file name: {"cells": {grade id: s}, "tests": {grade id: s}}} of the day's
    solved notebooks, judged as a submission is (in a sandbox, tests here)."""
    from ..notebooks import read_notebook, solved_notebook
    from . import cells
    from .runner import judge_notebook
    from .sandbox import Limits, Sandbox

    module = day.reference()
    references = day.reference_files_before()
    limits = Limits()
    out = {}
    sandbox = Sandbox(limits, True, references)
    try:
        for path in day.notebooks:
            nb = json.loads(json.dumps(solved_notebook(read_notebook(path), module, path.name)))
            judged = judge_notebook(nb, frozenset(cells.demo_sources(nb["cells"])), limits,
                                    True, references, sandbox=sandbox)
            answers = {cells.grade_id(c) for c in nb["cells"] if cells.role(c) == cells.ANSWER}
            # Only the student's answer cells get a budget from the model: the set-up cells
            # are the instructor's, and keep the cap whatever the machine's load.
            out[path.name] = {"cells": {g: t for g, t in judged.cell_seconds.items()
                                        if g in answers},
                              "tests": judged.test_seconds}
    finally:
        sandbox.close()
    return out


def _kept(path: Path, key: str) -> dict | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return kept["notebooks"] if kept.get("key") == key else None
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return None


def _write(path: Path, key: str, times: dict):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "notebooks": times}, indent=1))
        os.replace(tmp, path)
    except OSError:
        pass


def model_times(root: Path, day: Day) -> dict:
    """The day's model times, measured once and kept under ``root`` until the day changes
    (and in the machine's temporary folder, by the day's content, so that another course
    folder of the same day does not measure them again)."""
    key = _key(day)
    path = Path(root) / "judge" / FOLDER / f"{day.name}.json"
    shared = Path(tempfile.gettempdir()) / "backprop-model-times" / f"{day.name}-{key[:24]}.json"
    times = _kept(path, key) or _kept(shared, key)
    if times is None:
        times = measure(day)
        _write(shared, key, times)
    if _kept(path, key) is None:
        _write(path, key, times)
    return times
