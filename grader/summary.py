"""The class at a glance, one page per day: ``<root>/summary/DAY.html``.

What an instructor opens after grading: how the totals spread (a histogram), which
exercises the class passed and which it failed most, what the judge flagged per
student, and every student's total.  Scores come from nbgrader's gradebook (manual
grades included, so the page is worth rewriting after formgrader), flags from the
judge's ``<root>/judge/results/DAY/<student>/report.json``.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .coursedir import CourseDir
from .html import standalone_page
from .translations import tr

#: How many of the most failed exercises the page names.
MOST_FAILED = 5


@dataclass
class ExerciseResult:
    """One graded cell across the class."""
    grade_id: str
    notebook: str
    auto: bool
    max_score: float
    scores: list[float] = field(default_factory=list)   # graded students only
    ungraded: int = 0                                   # manual answers not graded yet
    part: str = "core"                                  # core or extension (grader.plan)

    @property
    def passed(self) -> int:
        """Students with full points."""
        return sum(1 for s in self.scores if s >= self.max_score)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / len(self.scores) if self.scores else None

    @property
    def mean_fraction(self) -> float | None:
        if not self.scores or not self.max_score:
            return None
        return sum(self.scores) / (len(self.scores) * self.max_score)


@dataclass
class StudentResult:
    student: str
    score: float
    max_score: float
    auto_score: float
    manual_score: float
    needs_manual_grade: bool
    flags: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    parts: dict = field(default_factory=dict)           # part -> [score, max]


@dataclass
class DaySummary:
    day: str
    students: list[StudentResult]
    exercises: list[ExerciseResult]

    @property
    def most_failed(self) -> list[ExerciseResult]:
        failed = [e for e in self.exercises if e.pass_rate is not None and e.pass_rate < 1]
        return sorted(failed, key=lambda e: (e.pass_rate, e.mean_fraction or 0,
                                             e.notebook, e.grade_id))[:MOST_FAILED]


def judge_report(course: CourseDir, day: str, student: str) -> dict:
    path = course.root / "judge" / "results" / day / student / "report.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def collect(day: str, course: CourseDir) -> DaySummary:
    """The day's scores from the gradebook and flags from the judge's reports."""
    from nbgrader.api import Gradebook, MissingEntry

    from .days import Day
    from .plan import day_parts, part_scores

    students, exercises = [], {}
    if not (course.root / "gradebook.db").is_file():
        return DaySummary(day, [], [])
    parts = day_parts(Day.named(day))
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            submissions = gb.assignment_submissions(day)
        except MissingEntry:
            submissions = []
        for sub in sorted(submissions, key=lambda s: s.student_id):
            auto = manual = 0.0
            for nb in sorted(sub.notebooks, key=lambda n: n.name):
                for grade in sorted(nb.grades, key=lambda g: g.name):
                    is_auto = grade.cell.cell_type == "code"
                    key = (nb.name, grade.name)
                    ex = exercises.setdefault(key, ExerciseResult(
                        grade.name, nb.name, is_auto, grade.max_score,
                        part=parts.get(key, "core")))
                    if grade.needs_manual_grade:
                        ex.ungraded += 1
                        continue
                    score = grade.score or 0.0
                    ex.scores.append(score)
                    if is_auto and grade.manual_score is None:
                        auto += score
                    else:
                        manual += score
            report = judge_report(course, day, sub.student_id)
            students.append(StudentResult(
                sub.student_id, sub.score, sub.max_score, auto, manual,
                bool(sub.needs_manual_grade), list(report.get("tampering", [])),
                list(report.get("events", [])),
                part_scores(course.scores(day, sub.student_id), parts)))
    ordered = sorted(exercises.values(), key=lambda e: (e.notebook, e.grade_id))
    return DaySummary(day, students, ordered)


def histogram_png(summary: DaySummary, lang: str = "en") -> bytes:
    """The totals (percent of the day's points) as a histogram, PNG bytes."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    ax = fig.add_subplot()
    percents = [100 * s.score / s.max_score for s in summary.students if s.max_score]
    ax.hist(percents, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel(tr("total score (% of the day's points)", lang))
    ax.set_ylabel(tr("students", lang))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(tr("{day}: {n} submission(s)", lang).format(day=summary.day, n=len(percents)))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _table(head: list[str], rows: list[list[str]], cls: str) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return f'<table class="{cls}">\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>'


def render(summary: DaySummary, lang: str = "en") -> str:
    """The page's body (HTML), its fixed texts in ``lang``."""
    e = html.escape

    def t(text):
        return tr(text, lang)

    parts = [f"<h1>{e(t('Class summary: {day}').format(day=summary.day))}</h1>"]
    if not summary.students:
        parts.append("<p>" + t("No graded submission in the gradebook: run {command} first.")
                     .format(command=f"<code>grader autograde {e(summary.day)}</code>") + "</p>")
        return "\n".join(parts)
    totals = [s.score for s in summary.students]
    top = summary.students[0].max_score
    ungraded = sum(s.needs_manual_grade for s in summary.students)
    flagged = sum(bool(s.flags) for s in summary.students)
    parts.append("<p>" + e(t(
        "{n} submission(s); mean {mean} of {top} points; {ungraded} still need manual grading "
        "(formgrader); {flagged} flagged by the judge.").format(
            n=len(totals), mean=f"{sum(totals) / len(totals):.1f}", top=f"{top:g}",
            ungraded=ungraded, flagged=flagged)) + "</p>")
    png = base64.b64encode(histogram_png(summary, lang)).decode()
    parts.append(f'<h2>{e(t("Score distribution"))}</h2>\n'
                 f'<img id="score-histogram" alt="{e(t("histogram of total scores"))}" '
                 f'src="data:image/png;base64,{png}">')

    parts.append(f"<h2>{e(t('Exercises most failed'))}</h2>")
    worst = summary.most_failed
    if worst:
        parts.append("<ol id=\"most-failed\">" + "".join(
            f"<li><code>{e(x.grade_id)}</code> ({e(x.notebook)}): "
            + e(t("{passed} of {n} with full points, mean {mean}").format(
                passed=x.passed, n=len(x.scores), mean=_pct(x.mean_fraction))) + "</li>"
            for x in worst) + "</ol>")
    else:
        parts.append("<p id=\"most-failed\">" + e(t(
            "Every graded exercise got full points from every student.")) + "</p>")

    parts.append(f"<h2>{e(t('Per exercise'))}</h2>")
    rows = [[f"<code>{e(x.grade_id)}</code>", e(x.notebook), e(x.part),
             t("auto") if x.auto else t("manual"),
             f"{x.max_score:g}", f"{x.passed}/{len(x.scores)}", _pct(x.pass_rate),
             _pct(x.mean_fraction), str(x.ungraded) if x.ungraded else ""]
            for x in summary.exercises]
    parts.append(_table([t("exercise"), t("notebook"), t("part"), t("graded"), t("points"),
                         t("full points"), t("pass rate"), t("mean score"),
                         t("not graded yet")], rows, "exercises"))

    parts.append(f"<h2>{e(t('Students'))}</h2>")
    rows = []
    for s in summary.students:
        manual = f"{s.manual_score:g}" + (" " + t("(needs grading)") if s.needs_manual_grade
                                          else "")
        core, ext = s.parts.get("core", [0, 0]), s.parts.get("extension", [0, 0])
        rows.append([e(s.student), f"{s.score:g} / {s.max_score:g}",
                     _pct(s.score / s.max_score if s.max_score else None),
                     f"{core[0]:g} / {core[1]:g}",
                     f"{ext[0]:g} / {ext[1]:g}" if ext[1] else "",
                     f"{s.auto_score:g}", manual, str(len(s.flags)) if s.flags else "",
                     str(len(s.failures)) if s.failures else ""])
    parts.append(_table([t("student"), t("total"), "%", t("core"), t("extension"),
                         t("autograded"), t("manual"), t("judge flags"),
                         t("failures in student code")], rows, "students"))

    parts.append("<h2>" + e(t("Judge's flags")) + "</h2>")
    flagged = [s for s in summary.students if s.flags]
    if flagged:
        parts.append("<dl id=\"judge-flags\">" + "".join(
            f"<dt>{e(s.student)}</dt>" + "".join(f"<dd>{e(f)}</dd>" for f in s.flags)
            for s in flagged) + "</dl>")
    else:
        parts.append("<p id=\"judge-flags\">" + e(t("No submission flagged.")) + "</p>")
    return "\n".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f2f2f2; }
dd { margin-bottom: 0.3em; }
"""


def write_summary(day: str, course: CourseDir, path: Path | None = None) -> Path:
    """``<root>/summary/DAY.html`` (or ``path``); returns the page's path."""
    from .feedback import release_language

    path = Path(path or course.root / "summary" / f"{day}.html")
    lang = release_language(course, day)
    standalone_page(path, tr("{day}: class summary", lang).format(day=day),
                    render(collect(day, course), lang), STYLE)
    return path
