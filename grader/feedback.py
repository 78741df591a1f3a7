"""Feedback for students (never showing a hidden test) and the export of all grades."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .console import echo
from .coursedir import CourseDir, NbgraderFailed
from .days import Day
from .html import offline_math
from .judge import cells
from .plan import day_parts
from .notebooks import read_notebook
from .progress import Progress


def hidden_test_lines(day: str) -> list[str]:
    """The distinctive lines of the day's hidden tests (to prove feedback never shows them).

    A line that also appears outside the hidden regions (in a visible test, a stub's
    docstring, a derivation, a model or known wrong answer) is not distinctive and is
    left out.
    """
    hidden, visible = [], set()
    day = Day.named(day)
    for path in day.notebooks:
        for cell in read_notebook(path).cells:
            inside = cells.hidden_lines(cell.source)
            for number, line in enumerate(cell.source.splitlines(), 1):
                if number in inside and "HIDDEN TESTS" not in line:
                    if len(line.strip()) >= 20:
                        hidden.append(line.strip())
                else:
                    visible.add(line.strip())
    # Lines of the model answers and known wrong answers appear in submissions too.
    answers = [day.reference_file, day.wrong_file]
    shown = "\n".join([*visible, *(p.read_text() for p in answers if p.is_file())])
    return [h for h in dict.fromkeys(hidden) if h not in shown]


def feedback_text(path: Path) -> str:
    """What a feedback page shows, as text: tags removed (highlighted code is split into
    many spans), entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", path.read_text(encoding="utf-8")))


def release_language(course: CourseDir, day: str) -> str:
    """The language of the day's release in ``course`` (its course/release.json); "en"."""
    import json

    try:
        data = json.loads((course.release(day) / "course" / "release.json").read_text())
    except (OSError, ValueError):
        return "en"
    lang = data.get("lang") if isinstance(data, dict) else None
    return lang if isinstance(lang, str) and lang.isalpha() else "en"


_OUTPUT = re.compile(r'(<div class="output_subarea output_(?:text|stream)[^"]*">\s*<pre>)(.*?)(</pre>)',
                     re.S)


def translate_outputs(page: Path, lang: str):
    """The tests' outputs on a feedback page in ``lang``: the judge grades with the
    toolkit's English, the student reads the release's language (course.i18n's
    Translator, with locale/<lang>/toolkit.po: the hidden tests' messages too)."""
    from course.i18n import Translator

    from .translations import _toolkit_table

    if lang == "en":
        return
    translator = Translator(_toolkit_table(lang))

    def one(m):
        pieces = re.split(r"(<[^>]*>)", m.group(2))
        text = "".join(p if p.startswith("<") else html.escape(
            translator.text(html.unescape(p)), quote=False) for p in pieces)
        return m.group(1) + text + m.group(3)

    text = page.read_text(encoding="utf-8")
    page.write_text(_OUTPUT.sub(one, text), encoding="utf-8")


def translate_template(page: Path, lang: str):
    """nbgrader's own words on a feedback page (its template) in ``lang``."""
    from .translations import tr

    if lang == "en":
        return
    text = page.read_text(encoding="utf-8")
    for english in (tr("Test cell", "en"), tr("Written response", "en"),
                    tr("Student's answer", "en"), tr("Grade cell:", "en"), tr("(Top)", "en")):
        said = html.escape(tr(english, lang), quote=False)
        text = text.replace(f">{english}<", f">{said}<").replace(f">{english} ", f">{said} ")
    score = html.escape(tr("Score:", lang), quote=False)
    text = re.sub(r"\bScore: (?=[0-9.]+ / [0-9.]+)", score + " ", text)
    page.write_text(text, encoding="utf-8")


def show_parts(page: Path, notebook, parts: dict, lang: str = "en"):
    """Put the notebook's core and extension scores at the top of its feedback page."""
    from .plan import CORE, EXTENSION, part_scores
    from .translations import tr

    scores = part_scores([notebook], parts)
    core, ext = scores[CORE], scores[EXTENSION]
    line = tr("Core: {score} of {total} points", lang).format(score=f"{core[0]:g}",
                                                               total=f"{core[1]:g}")
    line += " · " + (tr("Extension (optional): {score} of {total} points", lang).format(
        score=f"{ext[0]:g}", total=f"{ext[1]:g}") if ext[1]
        else tr("this notebook has no extension", lang))
    text = page.read_text(encoding="utf-8")
    block = f'<p id="part-scores"><strong>{html.escape(line)}</strong></p>'
    if 'id="part-scores"' in text:
        return
    text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + block, text, count=1)
    page.write_text(text, encoding="utf-8")


def feedback(day: str, course: CourseDir, students=None, quiet=False) -> dict[str, list[Path]]:
    """Feedback HTML per student; checks that no hidden test's source is in it."""

    students = students or [s for s in course.students(day) if course.autograded(s, day).is_dir()]
    hidden = hidden_test_lines(day)
    parts = day_parts(Day.named(day))
    lang = release_language(course, day)
    out = {}
    bar = Progress(len(students), f"feedback {day}", quiet=quiet)
    for student in students:
        try:
            course.generate_feedback(day, student)
        except NbgraderFailed as exc:
            bar.step(f"{student:<20} FEEDBACK FAILED: {str(exc).splitlines()[-1]}", keep=True)
            continue
        files = sorted(course.feedback(student, day).glob("*.html"))
        scores = {n.notebook: n for n in course.scores(day, student)}
        for f in files:
            offline_math(f)         # MathJax from beside the page, not from a CDN
            translate_outputs(f, lang)
            translate_template(f, lang)
            if f.stem in scores:
                show_parts(f, scores[f.stem], parts, lang)
            text = feedback_text(f)
            leaked = [h for h in hidden if h in text]
            if leaked:
                raise RuntimeError(f"{f} shows hidden test source, e.g. {leaked[0]!r}")
        out[student] = files
        bar.step(f"{student:<20} {len(files)} feedback file(s) in {course.feedback(student, day)}")
    bar.close()
    if not quiet:
        failed = [s for s in students if s not in out]
        echo(f"feedback for {len(out)} of {len(students)} student(s) in "
             f"{course.root / 'feedback'}/<student>/{day}"
             + (f"; FAILED for {', '.join(failed)}" if failed else ""))
    return out


PART_COLUMNS = ["core_score", "core_max", "extension_score", "extension_max"]


def export(course: CourseDir, path: Path | None = None) -> Path:
    """nbgrader's CSV of all grades, with the core and the extension of each day apart."""
    path = Path(path or course.root / "grades.csv").resolve()
    course.export(path)
    add_part_columns(course, path)
    return path


def add_part_columns(course: CourseDir, path: Path):
    import csv

    from .days import DayError
    from .plan import CORE, EXTENSION, day_parts, part_scores

    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    parts = {}
    for row in rows:
        day = row.get("assignment", "")
        try:
            parts.setdefault(day, day_parts(Day.named(day)))
        except DayError:
            parts.setdefault(day, {})
        scores = part_scores(course.scores(day, row.get("student_id", "")), parts[day])
        row.update(core_score=f"{scores[CORE][0]:g}", core_max=f"{scores[CORE][1]:g}",
                   extension_score=f"{scores[EXTENSION][0]:g}",
                   extension_max=f"{scores[EXTENSION][1]:g}")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields + [c for c in PART_COLUMNS if c not in fields])
        writer.writeheader()
        writer.writerows(rows)
