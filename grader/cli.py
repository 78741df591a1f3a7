"""``grader`` (also ``python -m grader``): the instructor's commands over nbgrader."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .coursedir import CourseDir
from .notebooks import NotebookError, discover_days


def _day(value: str) -> str:
    days = discover_days()
    value = value.rstrip("/")
    if value not in days:
        raise argparse.ArgumentTypeError(
            f"no day folder {value!r} with notebooks; built days: {', '.join(days) or 'none'}")
    return value


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="grader", description=__doc__)
    p.add_argument("--root", type=Path, default=None,
                   help="nbgrader course folder (default: .nbgrader/ in the repository)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("release", help="student version of a day: stubs, no hidden tests, "
                                       "locked cells, the toolkit and earlier days' references")
    s.add_argument("day", type=_day)
    s = sub.add_parser("check", help="grade the solved and the stub notebook (and known wrong "
                                     "answers); non-zero exit on any weak test or leak")
    s.add_argument("day", type=_day)
    s.add_argument("--no-wrong", action="store_true", help="skip the known wrong answers")
    s.add_argument("--keep", type=Path, help="keep the check's course folder here")
    s = sub.add_parser("autograde", help="grade every submission in submitted/<student>/DAY")
    s.add_argument("day", type=_day)
    s.add_argument("--student", action="append", help="only this student (repeatable)")
    s.add_argument("--workers", type=int, default=None,
                   help="local processes judging in parallel (default: one per CPU core)")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="judge on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    s = sub.add_parser("feedback", help="feedback HTML for every graded submission of DAY")
    s.add_argument("day", type=_day)
    s.add_argument("--student", action="append")
    s = sub.add_parser("export", help="all grades to a CSV file")
    s.add_argument("--to", type=Path, default=None, help="CSV path (default: <root>/grades.csv)")
    s = sub.add_parser("lab", help="JupyterLab on a student release of every built day")
    s.add_argument("--workspace", type=Path, default=None,
                   help="student workspace (default: <root>/lab); existing day folders are kept")
    s.add_argument("--port", type=int, default=8888)
    s.add_argument("--no-start", action="store_true", help="prepare the workspace only")
    s = sub.add_parser("demo", help="the whole pipeline end to end on a simulated class")
    s.add_argument("--day", action="append", type=_day, help="only this day (repeatable)")
    args = p.parse_args(argv)

    from . import workflow

    course = CourseDir(args.root) if args.root else CourseDir()
    try:
        if args.command == "release":
            folder, leaks = workflow.release(args.day, course)
            print(f"released {args.day} to {folder}")
            if leaks:
                print("the release holds model answers:\n  " + "\n  ".join(leaks))
                return 1
            return 0
        if args.command == "check":
            report = workflow.check(args.day, with_wrong=not args.no_wrong, keep=args.keep)
            print()
            print(report.format())
            return 0 if report.ok else 1
        if args.command == "autograde":
            results = workflow.autograde(args.day, course, args.student, workers=args.workers,
                                         scheduler=args.scheduler)
            if not results:
                print(f"no submissions in {course.root / 'submitted'}/<student>/{args.day}")
                return 1
            print(workflow.summary(results))
            print("\njudge report (also in <root>/judge/results/<day>/<student>/report.json):")
            print(workflow.judge_report(results))
            return 0 if all(r.status == "graded" for r in results) else 1
        if args.command == "feedback":
            workflow.feedback(args.day, course, args.student)
            return 0
        if args.command == "export":
            print(f"grades written to {workflow.export(course, args.to)}")
            return 0
        if args.command == "lab":
            workspace = workflow.prepare_lab(course, args.workspace)
            print(f"student workspace: {workspace}")
            if args.no_start:
                return 0
            return workflow.start_lab(workspace, args.port)
        if args.command == "demo":
            workflow.demo(args.root, args.day)
            return 0
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1
