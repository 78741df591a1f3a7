"""Check a day's tests: the solved notebooks must get every point, the stubs none, and
every known wrong answer must lose points on the exercise it targets."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .autograde import GradedSubmission, autograde
from .console import echo
from .coursedir import CourseDir, NbgraderFailed
from .days import Day
from .notebooks import (NotebookError, WrongAnswer, is_grade_cell, nbgrader_meta, notebook_defining,
                        solved_notebook, with_wrong_answers)
from .release import release, release_notebooks, write_submission


def grade_cell_order(notebooks: dict[str, object]) -> dict[str, list[tuple[str, bool, float]]]:
    """notebook -> [(grade_id, autograded, points)] in the order of the cells."""
    out = {}
    for name, nb in notebooks.items():
        cells = []
        for cell in nb.cells:
            if is_grade_cell(cell):
                meta = nbgrader_meta(cell)
                cells.append((meta["grade_id"], cell.cell_type == "code",
                              float(meta.get("points", 0))))
        out[Path(name).stem] = cells
    return out



@dataclass
class CheckReport:
    day: str
    rows: list = field(default_factory=list)      # (notebook, grade_id, points, solved, stub)
    wrong: list = field(default_factory=list)     # (WrongAnswer, cells lost, ok)
    leaks: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return (not self.errors and not self.leaks and bool(self.rows)
                and all(solved == pts and stub == 0 for _, _, pts, solved, stub in self.rows)
                and all(ok for _, _, ok in self.wrong))

    def format(self) -> str:
        out = [f"grader check {self.day}", ""]
        out.append(f"{'notebook':<28} {'cell':<30} {'points':>6}  {'solved':<7} {'stub':<7} verdict")
        for nb, gid, pts, solved, stub in self.rows:
            good = solved == pts and stub == 0
            out.append(f"{nb:<28} {gid:<30} {pts:>6g}  "
                       f"{'pass' if solved == pts else 'FAIL':<7} "
                       f"{'fails' if stub == 0 else 'PASSES':<7} {'ok' if good else 'PROBLEM'}")
        if self.wrong:
            out += ["", "known wrong answers (each must lose points on the exercise it targets):"]
            for w, lost, ok in self.wrong:
                what = ", ".join(lost) if lost else "loses nothing"
                out.append(f"  {'ok     ' if ok else 'PROBLEM'} {w.name:<40} {what}")
        if self.leaks:
            out += ["", "model answers found in the release:"] + [f"  {p}" for p in self.leaks]
        if self.errors:
            out += ["", "errors:"] + [f"  {e}" for e in self.errors]
        out += ["", "check passed" if self.ok else "check FAILED"]
        return "\n".join(out)


def _rounds(wrongs: list[WrongAnswer]) -> list[list[WrongAnswer]]:
    """Group wrong answers so that no two in a group target the same function."""
    rounds: list[list[WrongAnswer]] = []
    for w in wrongs:
        for r in rounds:
            if all(x.target != w.target for x in r):
                r.append(w)
                break
        else:
            rounds.append([w])
    return rounds


def solved_failures(course: CourseDir, day: str, result: GradedSubmission) -> list[str]:
    """Why the model answers lost points: the judge's failures and each failing test's error."""
    from .judge import pipeline

    out = list(result.report.events if result.report else [])
    folder = pipeline.results_dir(course.root, day, result.student)
    for n in result.notebooks:
        path = folder / f"{n.notebook}.json"
        judged = json.loads(path.read_text()) if path.is_file() else {}
        if "error" in judged:
            out.append(f"{n.notebook}: {judged['error']}")
        for c in n.cells:
            if not c.auto or (c.score or 0) >= c.max_score:
                continue
            errors = [o for o in judged.get("grade_outputs", {}).get(c.grade_id, [])
                      if o.get("output_type") == "error"]
            what = (f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors
                    else "no error recorded")
            out.append(f"solved {n.notebook} {c.grade_id}: {what[:300]}")
    return out


def check(day: str, with_wrong=True, quiet=False, keep: Path | None = None) -> CheckReport:
    report = CheckReport(day)
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=f"check-{day}-"))
    try:
        course = CourseDir(tmp / "course")
        say = (lambda text: None) if quiet else echo
        say(f"check {day}: releasing in {course.root}")
        folder, report.leaks = release(day, course)
        stubs = release_notebooks(folder)
        module = Day.named(day).reference()
        solved = {n: solved_notebook(nb, module, n) for n, nb in stubs.items()}
        write_submission(course, "solved", day, solved)
        write_submission(course, "stub", day, stubs)
        wrongs = Day.named(day).wrong_answers() if with_wrong else []
        rounds = _rounds(wrongs)
        for i, group in enumerate(rounds):
            nbs = {}
            for w in group:
                home = notebook_defining(solved, w.target)
                if home is None:
                    report.errors.append(f"wrong answer {w.name}: no stub cell defines {w.target}")
                    continue
                nbs[home] = with_wrong_answers(nbs.get(home, solved[home]), [w])
            write_submission(course, f"wrong{i + 1}", day, nbs)
        students = ["solved", "stub"] + [f"wrong{i + 1}" for i in range(len(rounds))]
        say(f"check {day}: grading the solved and the stub notebooks and {len(wrongs)} known "
            f"wrong answer(s) in {len(rounds)} submission(s)")
        results = {r.student: r for r in autograde(day, course, students, quiet=quiet)}
        for r in results.values():
            if r.status != "graded":
                report.errors.append(f"{r.student}: {r.status}: {r.message}")
        report.errors += solved_failures(course, day, results["solved"])
        for nb, cells in grade_cell_order(stubs).items():
            for gid, auto, pts in cells:
                if not auto:
                    continue
                s = results["solved"].cell(gid)
                t = results["stub"].cell(gid)
                report.rows.append((nb, gid, pts, s.score if s else None, t.score if t else None))
        for i, group in enumerate(rounds):
            r = results[f"wrong{i + 1}"]
            for w in group:
                lost = [f"{c.grade_id} −{c.max_score - (c.score or 0):g}"
                        for n in r.notebooks for c in n.cells
                        if c.auto and (c.score or 0) < c.max_score]
                targeted = [x for x in lost if x.startswith(f"test_{w.target} ")]
                report.wrong.append((w, lost, bool(targeted)))
    except (NotebookError, NbgraderFailed) as exc:
        report.errors.append(str(exc))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return report
