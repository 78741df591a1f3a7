"""Release a day: the student version of its notebooks, with the toolkit and earlier days'
references beside them, proven to hold no model answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .coursedir import CourseDir
from .days import REPO, Day
from .notebooks import read_notebook, scan_release, write_notebook


def bundle_toolkit(release_dir: Path, day: str, lang: str | None = None):
    """Put the course toolkit and the earlier days' reference modules beside the notebooks."""
    shutil.copytree(REPO / "course", release_dir / "course", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    before = Day.named(day).earlier()
    target = release_dir / "solutions"
    if target.exists():
        shutil.rmtree(target)
    # Always a package, even with no earlier day: beside the notebooks it comes first on
    # the kernel's path, so `import solutions` never reaches an installed copy.
    target.mkdir()
    (target / "__init__.py").write_text(
        '"""Reference modules of the days before this one: earlier days\' working code."""\n')
    for d in before:
        shutil.copy2(d.reference_file, target / d.reference_file.name)
    # Read by the toolkit: "finish X first — or ask for checkpoint NN".
    from .plan import checkpoints

    # "lang": the release's language, read by the toolkit's messages (course/i18n.py)
    (release_dir / "course" / "release.json").write_text(json.dumps(
        {"day": day, "checkpoints": checkpoints(Day.named(day)),
         "tests": test_cells(release_dir), "lang": lang or "en"}, indent=1) + "\n")


def test_cells(release_dir: Path) -> dict[str, list[str]]:
    """{hash of a released test cell's source: [notebook, grade id]}: how the live board's
    reporter (course/report.py) knows which exercise a cell that just ran tests."""
    from course.report import cell_key

    out = {}
    for path in sorted(release_dir.glob("*.ipynb")):
        for cell in read_notebook(path).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                out[cell_key(cell.source)] = [path.stem, meta.get("grade_id", "")]
    return out


def release(day: str, course: CourseDir) -> tuple[Path, list[str]]:
    """Student version of ``day`` in ``course``'s release folder; returns (folder, leaks)."""
    course.generate_assignment(day)
    folder = course.release(day)
    bundle_toolkit(folder, day, course.lang)
    return folder, scan_release(folder, Day.named(day))


def release_notebooks(folder: Path) -> dict[str, object]:
    return {p.name: read_notebook(p) for p in sorted(folder.glob("*.ipynb"))}



def write_submission(course: CourseDir, student: str, day: str, notebooks: dict[str, object]):
    folder = course.submitted(student, day)
    if folder.exists():
        shutil.rmtree(folder)
    for name, nb in notebooks.items():
        write_notebook(nb, folder / name)
    return folder
