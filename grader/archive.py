"""One feedback archive per student: ``<root>/feedback_archives/DAY/<student>.zip``.

An in-person class has no exchange to return feedback through, so each student gets
one file to send or upload: the day's feedback pages and the MathJax script they load,
so the pages render their math offline once unpacked.  (On a JupyterHub, nbgrader's
``release_feedback`` puts the same feedback folder on the exchange instead.)
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .coursedir import CourseDir
from .html import offline_math, uses_offline_math


def archive_path(course: CourseDir, day: str, student: str) -> Path:
    return course.root / "feedback_archives" / day / f"{student}.zip"


def archive_feedback(day: str, course: CourseDir, students=None) -> dict[str, Path]:
    """A zip of ``feedback/<student>/DAY`` per student who has feedback; student -> path.

    Inside, the files sit in a ``DAY/`` folder: ``DAY/01_….html`` and
    ``DAY/mathjax-offline.js`` (a page that still loads MathJax from elsewhere is
    rewritten first; a page with the script inside it is kept as it is).
    """
    students = students or sorted(p.parent.name for p in
                                  (course.root / "feedback").glob(f"*/{day}") if p.is_dir())
    out = {}
    for student in students:
        folder = course.feedback(student, day)
        pages = sorted(folder.glob("*.html"))
        if not pages:
            continue
        for page in pages:
            # A page made by hand with nbgrader still asks a CDN; an inlined one stays so.
            if not uses_offline_math(page.read_text(encoding="utf-8")):
                offline_math(page)
        target = archive_path(course, day, student)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".zip.part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                zf.write(path, f"{day}/{path.relative_to(folder).as_posix()}")
        partial.replace(target)
        out[student] = target
    return out
