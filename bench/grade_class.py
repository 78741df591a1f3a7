"""Grading a synthetic class of 30 for Day 1: overhead per submission and scaling.

    .venv/bin/python bench/grade_class.py [--students 30] [--day day1_forward]

The class mixes model answers, stubs and typical wrong answers.  Its judge phase
runs twice, with 1 and with 2 local worker processes; then the whole of
``grader autograde`` (judging with 2 workers, recording as it goes) and plain
nbgrader (its own Execute step, student code in its kernel, no protection) grade
the same class.  Printed:

- per submission: wall time, time inside the sandbox running the student's own
  code (loading the cells and every call), and the rest — the grading overhead
  (sandbox start, plain-data transport, trusted tests, bookkeeping); budget 2 s,
  the maximum as well as the mean;
- the speed-up of the judge phase from 1 to 2 workers (budget ≥ 1.7×);
- ``grader autograde`` on the class, recording included (goal for 30 students of
  Day 1 on 2 cores: ≤ 45 s), beside plain nbgrader and their ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.autograde import autograde  # noqa: E402
from grader.coursedir import CourseDir  # noqa: E402
from grader.days import REPO, Day  # noqa: E402
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


PLAIN_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.root = {root!r}
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.Execute.timeout = 120
"""


def plain_nbgrader(tmp: Path, course: CourseDir, day: str) -> float:
    """Seconds of plain ``nbgrader autograde`` (its own Execute) on the class of ``course``."""
    plain = CourseDir(tmp / "plain")
    plain.generate_assignment(day)
    shutil.copytree(course.root / "submitted", plain.root / "submitted")
    config = tmp / "plain-config"
    config.mkdir()
    (config / "nbgrader_config.py").write_text(PLAIN_CONFIG.format(root=str(plain.root)))
    env = dict(os.environ, PYTHONPATH=str(REPO),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", day, "--force"], cwd=config,
                   env=env, check=True, capture_output=True)
    return time.monotonic() - start


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--day", default="day1_forward")
    ap.add_argument("--skip-plain", action="store_true",
                    help="leave out plain nbgrader (it takes about 30 s per submission)")
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
        results = autograde(args.day, course, students, quiet=True, workers=2)
        judged = time.monotonic() - start
        assert all(r.status == "graded" for r in results)
        print(f"grader autograde, 2 workers, recording included: {judged:.1f} s "
              f"(goal for 30 students of Day 1: <= 45 s)")
        if args.skip_plain:
            return
        plain = plain_nbgrader(tmp, course, args.day)
        print(f"plain nbgrader (no protection) on the same class: {plain:.1f} s; "
              f"grader autograde takes {judged / plain:.2f}x its time")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
