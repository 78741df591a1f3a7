"""Grading a synthetic class of 30 for Day 1: overhead per submission and scaling.

    .venv/bin/python bench/grade_class.py [--students 30] [--day day1_forward | --day all]

The class mixes model answers, stubs and typical wrong answers.  Its judge phase
runs with 1 and with 2 local worker processes, alternately, ``--rounds`` times each;
then the whole of ``grader autograde`` (judging with 2 workers, recording as it
goes) and plain nbgrader (its own Execute step, student code in its kernel, no
protection) grade the same class.  Every timed run is a fresh Python process, as
``grader autograde`` is (nothing imported or started by an earlier run helps it);
the best round of each configuration is compared, as timeit does, since a shared
machine only ever adds time.  Printed:

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
import json
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
from grader.days import REPO, Day, built_days  # noqa: E402
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
    return students, {p.name: json.loads(p.read_text())
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


def timed_run(root: Path, day: str, students: list[str], what: str) -> dict:
    """One timed run in a fresh process: ``judge-1``, ``judge-2`` or ``autograde``."""
    out = subprocess.run([sys.executable, __file__, "--run", what, "--root", str(root),
                          "--day", day, *students], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run(what: str, root: Path, day: str, students: list[str]):
    course = CourseDir(root)
    release = {p.name: json.loads(p.read_text())
               for p in sorted(course.release(day).glob("*.ipynb"))}
    start = time.monotonic()
    if what == "autograde":
        results = autograde(day, course, students, quiet=True, workers=2)
        wall = time.monotonic() - start
        assert all(r.status == "graded" for r in results)
        print(json.dumps({"wall": wall}))
        return
    reports = pipeline.judge_class(course, day, students, release,
                                   workers=int(what.split("-")[1]))
    wall = time.monotonic() - start
    print(json.dumps({"wall": wall, "students": list(reports),
                      "total": [r.seconds for r in reports.values()],
                      "own": [sum(nb.get("student_seconds", 0) for nb in r.notebooks.values())
                              for r in reports.values()],
                      "phases": [phases(r) for r in reports.values()]}))


def phases(report) -> dict:
    """Where one submission's judging time went, in seconds."""
    nbs = report.notebooks.values()
    inside = sum(nb.get("seconds", 0) for nb in nbs)
    own = sum(nb.get("student_seconds", 0) for nb in nbs)
    sandbox = sum(nb.get("sandbox_seconds", 0) for nb in nbs)
    return {"starting and resetting sandboxes": sandbox, "the student's code": own,
            "trusted tests and transport": inside - own - sandbox,
            "outside the notebooks (closing the sandbox, the task)": report.seconds - inside}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2,
                    help="timed judge runs per number of workers (the best one counts)")
    ap.add_argument("--run", help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("only", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--day", default="day1_forward",
                    help="a day, or 'all': every built day, then a table (plain nbgrader left out)")
    ap.add_argument("--skip-plain", action="store_true",
                    help="leave out plain nbgrader (it takes about 30 s per submission)")
    args = ap.parse_args(argv)
    if args.run:
        return _run(args.run, Path(args.root), args.day, args.only)
    days = [d.name for d in built_days()] if args.day == "all" else [args.day]
    rows = [bench_day(day, args.students, args.rounds, args.skip_plain or len(days) > 1)
            for day in days]
    if len(rows) > 1:
        print()
        print(f"{'day':<18} {'own code':>9} {'limit':>7} {'autograde':>10} {'ratio':>6} "
              f"{'overhead mean / max':>20}")
        for r in rows:
            print(f"{r['day']:<18} {r['own']:>8.2f}s {r['limit']:>6.1f}s {r['autograde']:>9.1f}s "
                  f"{r['autograde'] / r['limit']:>5.2f}x {r['over_mean']:>12.2f} / {r['over_max']:.2f} s")
        print("own code: the students' code per submission (mean); limit: own code x students / "
              "2 cores; goal: autograde within 1.5x of the limit, overhead max <= 0.5 s")


def bench_day(day: str, n: int, rounds: int, skip_plain: bool) -> dict:
    """Measure one day's class and print what it found; returns the table's row."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        course = CourseDir(tmp / "course")
        students, release = synthetic_class(course, day, n)
        # The model answers' times are measured once per course folder and day, when the
        # day is first graded: measured here, before any timed run.
        from grader.judge.budgets import model_times

        model_times(course.root, Day.named(day))
        print(f"{n} submissions of {day}; {os.cpu_count()} CPU cores")
        walls, total, own, who, split = {1: [], 2: []}, [], [], [], []
        for _ in range(rounds):
            for workers in (1, 2):
                run = timed_run(course.root, day, students, f"judge-{workers}")
                walls[workers].append(run["wall"])
                if workers == 1:        # every submission of every 1-worker round
                    total += run["total"]
                    own += run["own"]
                    split += run["phases"]
                    who += [f"{s} ({i} of {len(run['students'])} judged)"
                            for i, s in enumerate(run["students"], 1)]
        over = [t - o for t, o in zip(total, own)]
        print(f"judge, 1 worker: {min(walls[1]):.1f} s for the class "
              f"(rounds: {', '.join(f'{w:.1f}' for w in walls[1])})")
        print(f"  per submission: {sum(total) / len(total):.2f} s, of which the "
              f"student's own code {sum(own) / len(own):.2f} s")
        print(f"  grading overhead per submission: mean {sum(over) / len(over):.2f} s, "
              f"max {max(over):.2f} s (budget 2 s), "
              f"the largest for {who[over.index(max(over))]}")
        slowest = split[over.index(max(over))]
        print("    its time: " + "; ".join(f"{k} {v:.2f} s" for k, v in slowest.items()))
        mean = {k: sum(p[k] for p in split) / len(split) for k in slowest}
        print("    mean submission: " + "; ".join(f"{k} {v:.2f} s" for k, v in mean.items()))
        print(f"judge, 2 workers: {min(walls[2]):.1f} s for the class "
              f"(rounds: {', '.join(f'{w:.1f}' for w in walls[2])})")
        print(f"speed-up from 1 to 2 workers: {min(walls[1]) / min(walls[2]):.2f}x "
              f"(budget >= 1.7x)")
        judged = timed_run(course.root, day, students, "autograde")["wall"]
        print(f"grader autograde, 2 workers, recording included: {judged:.1f} s "
              f"(goal for 30 students of Day 1: <= 45 s)")
        row = {"day": day, "own": sum(own) / len(own), "limit": sum(own) / len(own) * n / 2,
               "autograde": judged, "over_mean": sum(over) / len(over), "over_max": max(over)}
        if not skip_plain:
            plain = plain_nbgrader(tmp, course, day)
            print(f"plain nbgrader (no protection) on the same class: {plain:.1f} s; "
                  f"grader autograde takes {judged / plain:.2f}x its time")
        return row
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
