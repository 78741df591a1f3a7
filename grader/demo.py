"""The whole pipeline end to end on a simulated class, cheaters included."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

from .autograde import GradedSubmission, autograde, judge_report, summary
from .console import echo
from .coursedir import CourseDir
from .days import Day, built_days
from .feedback import export, feedback
from .notebooks import (WrongAnswer, defined_functions, is_solution_cell, notebook_defining,
                        solved_notebook, with_wrong_answers)
from .release import release, release_notebooks, write_submission


DEMO_STUDENTS = {
    "ada-model": "submits the model answers",
    "ben-stub": "submits the stubs untouched",
    "cleo-bugs": "makes typical mistakes",
    "dan-patch": "cheats: patches NumPy's comparisons and returns an always-equal array",
    "eve-steal": "cheats: loads the model answers from the instructor's disk at grading "
                 "time and leaves a process behind to rewrite the gradebook",
}

_PATCH_CHEAT = """import numpy as np
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
class _AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True
"""

_STEAL_CHEAT = """import subprocess
try:
    exec(open({reference!r}).read())
except OSError:
    pass
subprocess.Popen(["sh", "-c", "sleep 5; echo 'all full marks' > {gradebook}"],
                 start_new_session=True)
"""


def cheating_notebooks(stubs: dict, day: str, course: CourseDir) -> tuple[dict, dict]:
    """The two cheaters' submissions of one day: (dan's notebooks, eve's notebooks)."""
    dan, eve = {}, {}
    reference = str(Day.named(day).reference_file)
    for name, nb in stubs.items():
        d, e = copy.deepcopy(nb), copy.deepcopy(nb)
        first = True
        for cd, ce in zip(d.cells, e.cells):
            if cd.cell_type != "code" or not is_solution_cell(cd):
                continue
            fakes = "".join(f"def {fn}(*args, **kwargs):\n"
                            f"    return np.zeros(1).view(_AlwaysEqual)\n"
                            for fn in defined_functions(cd.source))
            cd.source = _PATCH_CHEAT + fakes
            if first:
                ce.source = _STEAL_CHEAT.format(reference=reference,
                                                gradebook=course.root / "gradebook.db")
                first = False
        dan[name], eve[name] = d, e
    return dan, eve


def typical_mistakes(day: str, count=3) -> list[WrongAnswer]:
    picks, targets = [], set()
    for w in Day.named(day).wrong_answers():
        if w.target not in targets:
            picks.append(w)
            targets.add(w.target)
        if len(picks) == count:
            break
    return picks


def simulated_class(day: str, stubs: dict, course: CourseDir) -> dict[str, dict]:
    """student -> {notebook name: notebook} of the simulated class (DEMO_STUDENTS)."""
    module = Day.named(day).reference()
    solved = {n: solved_notebook(nb, module, n) for n, nb in stubs.items()}
    buggy = dict(solved)
    for w in typical_mistakes(day):
        home = notebook_defining(solved, w.target)
        buggy[home] = with_wrong_answers(buggy[home], [w])
    dan, eve = cheating_notebooks(stubs, day, course)
    return {"ada-model": solved, "ben-stub": stubs, "cleo-bugs": buggy, "dan-patch": dan,
            "eve-steal": eve}


def score_table(results: dict[str, dict[str, GradedSubmission]], days: list[str]) -> str:
    width = max(14, *(len(d) + 2 for d in days))
    head = f"{'student':<12}" + "".join(f"{d:>{width}}" for d in days) + f"{'total':>{width}}"
    lines = [head, "-" * len(head)]
    for student, per_day in results.items():
        row, total, total_max = f"{student:<12}", 0.0, 0.0
        for d in days:
            r = per_day.get(d)
            if r is None or r.status != "graded":
                cell = "error" if r else "-"
            else:
                cell = f"{r.auto_score:g}/{r.auto_max:g}"
                total += r.auto_score
                total_max += r.auto_max
            row += f"{cell:>{width}}"
        row += f"{f'{total:g}/{total_max:g}':>{width}}"
        lines.append(row)
    return "\n".join(lines)


def demo(root: Path | None = None, days=None) -> dict[str, dict[str, GradedSubmission]]:
    """Release every built day, simulate a class, autograde, feedback, export, score table."""
    course = CourseDir(root or CourseDir().root / "demo")
    if course.root.exists():
        shutil.rmtree(course.root)
    days = days or [d.name for d in built_days()]
    results: dict[str, dict[str, GradedSubmission]] = {s: {} for s in DEMO_STUDENTS}
    echo(f"demo course in {course.root}")
    for student, what in DEMO_STUDENTS.items():
        echo(f"  {student}: {what}")
    for day in days:
        echo(f"\n== {day}: release")
        folder, leaks = release(day, course)
        if leaks:
            raise RuntimeError("the release holds model answers:\n" + "\n".join(leaks))
        echo(f"released to {folder} (no model answer of {day} in it)")
        for student, notebooks in simulated_class(day, release_notebooks(folder), course).items():
            write_submission(course, student, day, notebooks)
        echo("cleo-bugs' mistakes: " + "; ".join(f"{w.target}: {w.description}"
                                                 for w in typical_mistakes(day)))
        echo(f"== {day}: autograde")
        day_results = autograde(day, course, list(DEMO_STUDENTS))
        for r in day_results:
            results[r.student][day] = r
        echo(summary(day_results))
        echo(f"== {day}: judge report")
        echo(judge_report(day_results))
        echo(f"== {day}: feedback")
        feedback(day, course, list(DEMO_STUDENTS))
    csv = export(course)
    echo(f"\ngrades exported to {csv}")
    echo("\nautograded points (manually graded answers are left for the instructor):\n")
    echo(score_table(results, days))
    return results


def demo_submissions(course: CourseDir, day: str, students=("ada-model", "ben-stub")) -> Path:
    """Release ``day`` in ``course`` and hand in the demo notebooks of ``students`` (any of
    DEMO_STUDENTS); for tests and try-outs that need a small class.  Returns the release."""
    unknown = [s for s in students if s not in DEMO_STUDENTS]
    if unknown:
        raise ValueError(f"no demo student {', '.join(unknown)}; there are "
                         f"{', '.join(DEMO_STUDENTS)}")
    folder, leaks = release(day, course)
    if leaks:
        raise RuntimeError("the release holds model answers:\n" + "\n".join(leaks))
    notebooks = simulated_class(day, release_notebooks(folder), course)
    for student in students:
        write_submission(course, student, day, notebooks[student])
    return folder
