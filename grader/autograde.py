"""Autograde a day: every submission judged (in parallel), then recorded by nbgrader."""

from __future__ import annotations

import json
import shutil
import threading
import time
from dataclasses import dataclass, field

from .console import echo
from .coursedir import CourseDir, NbgraderFailed, NotebookScore
from .notebooks import NotebookError
from .progress import Progress


@dataclass
class GradedSubmission:
    student: str
    day: str
    status: str = "graded"          # graded | error | empty
    message: str = ""
    notebooks: list[NotebookScore] = field(default_factory=list)
    seconds: float = 0.0
    report: object = None           # grader.judge.pipeline.SubmissionReport
    judged_at: float | None = None   # time.monotonic() when the judge finished it
    recorded_at: float | None = None  # ... and when nbgrader had recorded it
    record_started: float | None = None  # ... and when the record batch holding it began
    rejudged: bool = False           # nbgrader judged it again (the keys did not match)

    @property
    def auto_score(self):
        return sum(n.auto_score for n in self.notebooks)

    @property
    def auto_max(self):
        return sum(n.auto_max for n in self.notebooks)

    @property
    def flags(self) -> list[str]:
        return self.report.tampering if self.report else []

    def parts(self) -> dict[str, list[float]]:
        """part -> [score, max]: the core and the extension apart (grader.plan)."""
        from .days import Day
        from .plan import day_parts, part_scores

        return part_scores(self.notebooks, day_parts(Day.named(self.day)))

    def cell(self, grade_id):
        for n in self.notebooks:
            for c in n.cells:
                if c.grade_id == grade_id:
                    return c
        return None


class Recorder:
    """Records judged submissions with nbgrader while the rest of the class is judged.

    Each judged student joins a queue; one nbgrader ``autograde`` at a time records all
    students queued by then (nbgrader's start-up costs seconds, so students are recorded
    in batches, not one by one).  One slow submission never keeps the class's grades
    from the gradebook.
    """

    def __init__(self, course: CourseDir, day: str, isolate: bool):
        from .judge import pipeline

        self.course, self.day, self.isolate = course, day, isolate
        self.results = course.root / pipeline.JUDGE_DIR / "results"
        self.staged = pipeline.staged_root(course.root)
        self.batches = course.root / pipeline.JUDGE_DIR / "record"
        self.queue: list[str] = []
        self.recorded_at: dict[str, float] = {}
        self.record_started: dict[str, float] = {}
        self.output = ""
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._count = 0
        self.server = course.nbgrader_server()
        self.server.start()     # imports nbgrader while the first submissions are judged
        shutil.rmtree(self.batches, ignore_errors=True)

    def add(self, student: str):
        with self._lock:
            self.queue.append(student)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, daemon=True)
                self._thread.start()

    def _drain(self):
        while True:
            with self._lock:
                batch, self.queue = self.queue, []
                if not batch:
                    self._thread = None
                    return
            self._record(batch)

    def _record(self, students: list[str]):
        self._count += 1
        started = time.monotonic()
        with self._lock:
            for student in students:
                self.record_started[student] = started
        folder = self.batches / f"batch-{self._count}"
        folder.mkdir(parents=True)
        for student in students:
            (folder / student).symlink_to(self.staged / student, target_is_directory=True)
        try:
            output = self.course.nbgrader_autograde(self.day, submitted=folder,
                                                    results=self.results, isolate=self.isolate,
                                                    server=self.server)
        except NbgraderFailed as exc:
            output = exc.output
        now = time.monotonic()
        with self._lock:
            self.output += output
            for student in students:
                self.recorded_at[student] = now

    def finish(self) -> str:
        """Wait until every queued student is recorded; nbgrader's output."""
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                break
            thread.join()
        with self._lock:
            if self.queue:
                batch, self.queue = self.queue, []
            else:
                batch = []
        if batch:
            self._record(batch)
        self.server.close()
        return self.output


def autograde(day: str, course: CourseDir, students=None, quiet=False, workers=None,
              scheduler=None, isolate=True, limits=None) -> list[GradedSubmission]:
    """Judge every submission (in parallel) and record each with nbgrader as it is judged.

    See grader.judge.pipeline for the three phases.  A submission that cannot be
    read is graded as empty and reported; nothing stops the rest of the class.
    """
    from .judge import pipeline

    students = list(students or course.students(day))
    if not students:
        return []
    folder = course.release(day)
    release_files = sorted(folder.glob("*.ipynb"))
    if not release_files:
        raise NotebookError(f"{day} has not been released in {course.root}; run "
                            f"`grader release {day}` first")
    release_nbs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in release_files}
    results = {s: GradedSubmission(s, day) for s in students}
    present = []
    for s in students:
        if any(course.submitted(s, day).glob("*.ipynb")):
            present.append(s)
        else:
            results[s].status = "empty"
            results[s].message = f"no notebook in {course.submitted(s, day)}"
    recorder = Recorder(course, day, isolate)
    bar = Progress(len(present), f"autograde {day}", quiet=quiet)

    def judged(i, n, report):
        results[report.student].judged_at = time.monotonic()
        recorder.add(report.student)
        flags = f"  {len(report.tampering)} flag(s)" if report.tampering else ""
        events = f"  {len(report.events)} failure(s) in student code" if report.events else ""
        bar.step(f"judged {report.student:<20} ({report.seconds:.1f} s){flags}{events}",
                 keep=bool(flags or events))

    reports = pipeline.judge_class(course, day, present, release_nbs, workers=workers,
                                   scheduler=scheduler, limits=limits, isolate=isolate,
                                   progress=judged)
    bar.close()
    if not quiet:
        echo("recording the last grades with nbgrader")
    output = recorder.finish()
    recorded = course.class_scores(day, present)
    for s in present:
        r = results[s]
        r.report = reports.get(s)
        r.seconds = r.report.seconds if r.report else 0.0
        r.recorded_at = recorder.recorded_at.get(s)
        r.record_started = recorder.record_started.get(s)
        r.notebooks = recorded[s]
        if not r.notebooks or not course.autograded(s, day).is_dir():
            lines = [ln for ln in output.splitlines() if s in ln and "rror" in ln]
            r.status = "error"
            r.message = lines[-1].strip() if lines else "nbgrader could not record the grades"
    # The record step judges a notebook again when its key differs from the judging step's:
    # twice the time, and a sign that the two steps planned the notebook differently.
    again = [ln for ln in output.splitlines() if "do not match the notebook" in ln]
    for s in present:
        results[s].rejudged = any(f" {s}/" in ln for ln in again)
    if again:
        echo(f"warning: nbgrader judged {len(again)} notebook(s) again (judge keys did not match)")
    if not quiet:
        for s in students:
            r = results[s]
            if r.status == "graded":
                echo(f"  {s:<20} {r.auto_score:g}/{r.auto_max:g} autograded points")
            else:
                echo(f"  {s:<20} {r.status.upper()}: {r.message}")
    return [results[s] for s in students]


def judge_report(results: list[GradedSubmission]) -> str:
    """What the instructor should look at: repairs, failures and signs of tampering."""
    lines = []
    for r in results:
        rep = r.report
        if rep is None:
            continue
        # one line per kind, with its first place and a count: a class fits on a screen
        failed: dict[str, list[str]] = {}
        for name, nb in rep.notebooks.items():
            if "error" in nb:
                failed.setdefault("judge", []).append(f"{name}: the judge failed: {nb['error']}")
            for e in nb.get("events", []):
                failed.setdefault(e["kind"], []).append(
                    f"{name}: {e['when']}: {e['kind']}: {e['message']}")
        notes: dict[str, list[str]] = {}
        for f in rep.findings:
            if not f.get("tampering"):
                notes.setdefault(f["kind"], []).append(f"{f['notebook']}: {f['message']}")
        if not (rep.tampering or failed or notes):
            continue
        lines.append(f"{r.student} ({r.day}):")
        lines += [f"  FLAG   {t}" for t in rep.tampering]
        lines += [f"  failed {_first(where)}" for where in failed.values()]
        lines += [f"  note   {_first(where)}" for where in notes.values()]
    return "\n".join(lines) if lines else "nothing to report: no repairs, failures or flags"


def _first(places: list[str]) -> str:
    more = len(places) - 1
    return places[0] + (f" and {more} more like it" if more else "")


def summary(results: list[GradedSubmission]) -> str:
    """The class in a few lines: graded, points, flagged, failures, what went wrong."""
    graded = [r for r in results if r.status == "graded"]
    bad = [r for r in results if r.status != "graded"]
    lines = [f"{len(graded)} of {len(results)} submissions graded"]
    if graded:
        points = sorted(r.auto_score for r in graded)
        top = max(r.auto_max for r in graded)
        lines.append(f"autograded points (of {top:g}): lowest {points[0]:g}, median "
                     f"{points[len(points) // 2]:g}, highest {points[-1]:g}; "
                     f"full marks {sum(r.auto_score >= r.auto_max > 0 for r in graded)}, "
                     f"none {sum(r.auto_score == 0 for r in graded)}")
        from .plan import CORE, EXTENSION

        parts = [r.parts() for r in graded]
        core = sorted(p[CORE][0] for p in parts)
        ext_max = max(p[EXTENSION][1] for p in parts)
        lines.append(f"core points (of {max(p[CORE][1] for p in parts):g}): lowest {core[0]:g}, "
                     f"median {core[len(core) // 2]:g}, highest {core[-1]:g}; "
                     + (f"extension (of {ext_max:g}): "
                        f"{sum(p[EXTENSION][0] > 0 for p in parts)} scored in it"
                        if ext_max else "no extension"))
        seconds = [r.seconds for r in graded if r.report]
        if seconds:
            lines.append(f"judged in {max(seconds):.1f} s at most per submission")
    flagged = [r.student for r in results if r.flags]
    failing = [r.student for r in results if r.report and r.report.events]
    if flagged:
        lines.append(f"flagged ({len(flagged)}): {', '.join(flagged)}")
    if failing:
        lines.append(f"failures in student code ({len(failing)}): {', '.join(failing)}")
    for r in bad:
        lines.append(f"  {r.student}: {r.status}: {r.message}")
    return "\n".join(lines)
