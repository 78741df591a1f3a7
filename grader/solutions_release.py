"""``grader release-solutions DAY``: the solved notebooks of a day, for the instructor to
publish after the deadline (the proofs and derivations that the student release leaves
out, "No answer on the page" in DESIGN.md).

For each notebook of the day folder:

- every stub holds its model answer (``notebooks.solved_notebook``: the functions of
  ``solutions/<day>.py``), every manually graded answer cell ``ANSWERS[grade_id]`` of
  that module — a manual cell without an entry is an error naming the grade_id and the
  file to add it to;
- **hidden tests are stripped**, as in the student release: they stay the instructor's
  grading grid for the next class, and they compare with the day's own reference
  module, which is not published next to the notebooks;
- no outputs (the notebooks run top to bottom as the students' do).

Written as ``.ipynb`` and as HTML (``write_notebook_html``), with the toolkit and the
earlier days' references beside them (``release.bundle_toolkit``) so that the notebooks
run where they are published.  Default folder: ``<course root>/solutions_release/<day>``.
"""

from __future__ import annotations

import copy
from pathlib import Path

from .coursedir import CourseDir
from .days import REPO, Day, built_day
from .judge import cells
from .notebooks import NotebookError, read_notebook, solved_notebook, write_notebook

STUB_MARKERS = ("NotImplementedError", "YOUR CODE HERE", "YOUR ANSWER HERE",
                "BEGIN SOLUTION", "END SOLUTION")


def default_folder(course: CourseDir, day: str) -> Path:
    return course.root / "solutions_release" / day


def without_hidden_tests(nb):
    """A copy of ``nb`` whose test cells lack their hidden part (markers included)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        hidden = cells.hidden_lines(cell.source)
        if hidden:
            cell.source = "\n".join(line for number, line in enumerate(cell.source.splitlines(), 1)
                                    if number not in hidden).rstrip() + "\n"
    return nb


def solutions_notebook(nb, day: Day, name: str = "notebook"):
    """The published solution of one source notebook of ``day`` (see the module docstring)."""
    module = day.reference()
    answers = getattr(module, "ANSWERS", {})
    where = day.reference_file.relative_to(REPO) if day.reference_file.is_relative_to(REPO) \
        else day.reference_file
    for index, cell in enumerate(nb.cells):
        if cells.role(cell) == cells.MANUAL and cell.cell_type == "markdown":
            gid = cells.grade_id(cell)
            if gid not in answers:
                raise NotebookError(
                    f"{name}: the manually graded cell {gid!r} (cell {index}) has no model "
                    f"answer: add ANSWERS[{gid!r}] = r\"\"\"...\"\"\" to {where}")
    solved = solved_notebook(without_hidden_tests(nb), module, name)
    for index, cell in enumerate(solved.cells):
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if cells.role(cell) in (cells.ANSWER, cells.MANUAL):
            left = [m for m in STUB_MARKERS if m in cell.source]
            if left:
                raise NotebookError(f"{name}: answer cell {cells.grade_id(cell)!r} (cell "
                                    f"{index}) still holds {left[0]!r} after filling it from "
                                    f"{where}: its model answer is a stub")
    return solved


def write_notebook_html(nb, path: Path) -> list[Path]:
    """``nb`` as an HTML page at ``path`` whose math renders offline (the page and its
    MathJax script, see grader/html.py)."""
    from .html import notebook_html

    return notebook_html(nb, Path(path))


def notebook_named(day: Day, which: str) -> Path:
    """The day's notebook whose number (``01``) or name (``01_activations``) is ``which``;
    ValueError naming the notebooks otherwise."""
    for p in day.notebooks:
        if which in (p.name, p.stem, p.stem.split("_")[0]):
            return p
    names = ", ".join(p.stem for p in day.notebooks)
    raise ValueError(f"{day.name} has no notebook {which!r}; its notebooks: {names}")


def release_solutions(day: str, course: CourseDir | None = None, to: Path | None = None,
                      notebook: str | None = None) -> tuple[Path, list[Path]]:
    """Write the day's solutions (or, with ``notebook``, that notebook's only: a
    checkpoint); returns (folder, the notebooks and pages written)."""
    from .release import bundle_toolkit

    d = built_day(day)
    paths = [notebook_named(d, notebook)] if notebook else d.notebooks
    course = course or CourseDir()
    folder = Path(to) if to else (
        course.root / "checkpoints" / d.name / paths[0].stem.split("_")[0] if notebook
        else default_folder(course, d.name))
    def source(p):
        nb = read_notebook(p)
        if course.lang:                     # the Czech edition's texts (locale/)
            from .translations import translated_notebook
            nb = translated_notebook(nb, d, p.stem, course.lang)
        return nb

    solved = {p.name: solutions_notebook(source(p), d, f"{d.name}/{p.name}")
              for p in paths}      # all of them first: an error leaves nothing half-written
    written = []
    for name, nb in solved.items():
        target = folder / name
        write_notebook(nb, target)
        written += [target, *write_notebook_html(nb, target.with_suffix(".html"))]
    bundle_toolkit(folder, d.name, course.lang)
    return folder, list(dict.fromkeys(written))   # one MathJax script for all pages
