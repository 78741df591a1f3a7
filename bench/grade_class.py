"""Grading a synthetic class of 30 for Day 1: overhead per submission and scaling.

    .venv/bin/python bench/grade_class.py [--students 30] [--day day1_forward]

The class mixes model answers, stubs and typical wrong answers.  It is graded
twice through the judge, with 1 and with 2 local worker processes, and then
recorded once by nbgrader.  Printed:

- per submission: wall time, time inside the sandbox running the student's own
  code (loading the cells and every call), and the rest — the grading overhead
  (sandbox start, plain-data transport, trusted tests, bookkeeping); budget 2 s;
- the speed-up of the judge phase from 1 to 2 workers (budget ≥ 1.7×);
- the time nbgrader takes to record the whole class.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.coursedir import CourseDir  # noqa: E402
from grader.days import Day  # noqa: E402
from grader.judge import pipeline  # noqa: E402
from grader.notebooks import notebook_defining, solved_notebook, with_wrong_answers  # noqa: E402
from grader.release import release, release_notebooks, write_submission  # noqa: E402


def synthetic_class(course, day, n):
    folder, _ = release(day, course)
    stubs = release_notebooks(folder)
    solved = {k: solved_notebook(nb, Day.named(day).reference(), k) for k, nb in stubs.items()}
    wrongs = Day.named(day).wrong_answers()
    students = []
    for i in range(n):
        student = f"s{i:02d}"
        if i % 3 == 0:
            nbs = solved
        elif i % 3 == 1:
            nbs = stubs
        else:
            w = wrongs[i % len(wrongs)]
            home = notebook_defining(solved, w.target)
            nbs = dict(solved, **{home: with_wrong_answers(solved[home], [w])})
        write_submission(course, student, day, nbs)
        students.append(student)
    return students, {p.name: __import__("json").loads(p.read_text())
                      for p in sorted(folder.glob("*.ipynb"))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--day", default="day1_forward")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        course = CourseDir(tmp / "course")
        students, release = synthetic_class(course, args.day, args.students)
        print(f"{args.students} submissions of {args.day}; {os.cpu_count()} CPU cores")
        walls = {}
        for workers in (1, 2):
            start = time.monotonic()
            reports = pipeline.judge_class(course, args.day, students, release,
                                           workers=workers)
            walls[workers] = time.monotonic() - start
            own = [sum(nb.get("student_seconds", 0) for nb in r.notebooks.values())
                   for r in reports.values()]
            total = [r.seconds for r in reports.values()]
            if workers == 1:
                over = [t - o for t, o in zip(total, own)]
                print(f"judge, 1 worker: {walls[1]:.1f} s for the class")
                print(f"  per submission: {sum(total) / len(total):.2f} s, of which the "
                      f"student's own code {sum(own) / len(own):.2f} s")
                print(f"  grading overhead per submission: mean {sum(over) / len(over):.2f} s, "
                      f"max {max(over):.2f} s (budget 2 s)")
            else:
                print(f"judge, 2 workers: {walls[2]:.1f} s for the class")
        print(f"speed-up from 1 to 2 workers: {walls[1] / walls[2]:.2f}x (budget >= 1.7x)")
        start = time.monotonic()
        course.nbgrader_autograde(args.day, submitted=pipeline.staged_root(course.root),
                         results=course.root / pipeline.JUDGE_DIR / "results")
        print(f"nbgrader recording the class: {time.monotonic() - start:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
