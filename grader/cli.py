"""``grader`` (also ``python -m grader``): the instructor's commands over nbgrader.

One command per step of the week, each in a module of its own:

    release    grader/release.py    the student version of a day
    collect    grader/collect.py    handed-in notebooks (folders, zips) into submitted/
    release-solutions  grader/solutions_release.py  the solved day, to publish after the deadline
                       (--notebook NN: one notebook's, a checkpoint in the middle of the day)
    guide      grader/plan.py       the day's timetable from the minutes of its items
                                    (with points, hand-graded items, typical mistakes:
                                    grader/materials.py)
    handout    grader/materials.py  the day's printed handout (A4 PDF)
    slides     grader/materials.py  reveal.js decks of the day's notebooks
    check      grader/check.py      the day's tests against model answers, stubs, known bugs
    autograde  grader/autograde.py  every submission judged (grader/judge/), then recorded
    feedback   grader/feedback.py   feedback HTML that never shows a hidden test
    export     grader/feedback.py   all grades as CSV
    summary    grader/summary.py    the class at a glance: one HTML page per day
    formgrader grader/formgrader.py the instructor's JupyterLab: manual grading
    lab        grader/lab.py        the student's JupyterLab
    demo       grader/demo.py       the whole pipeline on a simulated class
    hub        grader/hub.py        the classroom on a JupyterHub: accounts, the exchange
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .coursedir import CourseDir
from .days import DayError, built_day
from .notebooks import NotebookError


def _day(value: str) -> str:
    try:
        return built_day(value).name
    except DayError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=None,
                   help="nbgrader course folder (default: .nbgrader/ in the repository)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("release", help="student version of a day: stubs, no hidden tests, "
                                       "locked cells, the toolkit and earlier days' references")
    s.add_argument("day", type=_day)
    s.add_argument("--lang", default="en", choices=("en", "cs"),
                   help="the edition: en (the source) or cs (locale/cs/ catalogues)")
    s = sub.add_parser("release-solutions", help="the solved notebooks of a day (.ipynb and "
                                                 "HTML), to publish after the deadline")
    s.add_argument("day", type=_day)
    s.add_argument("--lang", default="en", choices=("en", "cs"),
                   help="the edition: en (the source) or cs (locale/cs/ catalogues)")
    s.add_argument("--to", type=Path, default=None,
                   help="folder to write to (default: <root>/solutions_release/DAY, or "
                        "<root>/checkpoints/DAY/NN with --notebook)")
    s.add_argument("--notebook", default=None, metavar="NN",
                   help="only this notebook (its number, e.g. 01, or its name): a checkpoint "
                        "released in the middle of the day, so that a participant stuck in it "
                        "goes on")
    s = sub.add_parser("guide", help="the lecturer's timetable of a day: lecture and lab blocks, "
                                     "lunch, the core's and the extension's minutes")
    s.add_argument("day", type=_day)
    s.add_argument("--start", default="09:00", help="when the day starts (default 09:00)")
    s = sub.add_parser("handout", help="the day's printed handout: one A4 PDF (timetable, "
                                       "glossary, derivations, exercises), no answer")
    s.add_argument("day", type=_day)
    s.add_argument("--to", type=Path, default=None,
                   help="PDF path (default: <root>/materials/DAY/DAY_handout.pdf)")
    s.add_argument("--no-figures", action="store_true",
                   help="leave the demos' figures out (they run the demos on the model "
                        "answers: a minute or more)")
    s.add_argument("--lang", default="en", choices=("en", "cs"),
                   help="the edition: en (the source) or cs (locale/cs/ catalogues)")
    s = sub.add_parser("slides", help="one reveal.js deck per notebook of the day, offline, "
                                      "with speaker notes (key S)")
    s.add_argument("day", type=_day)
    s.add_argument("--to", type=Path, default=None,
                   help="folder (default: <root>/materials/DAY/slides)")
    s.add_argument("--no-figures", action="store_true", help="leave the demos' figures out")
    s.add_argument("--lang", default="en", choices=("en", "cs"),
                   help="the edition: en (the source) or cs (locale/cs/ catalogues)")
    s = sub.add_parser("check", help="grade the solved and the stub notebook (and known wrong "
                                     "answers); non-zero exit on any weak test or leak")
    s.add_argument("day", type=_day)
    s.add_argument("--no-wrong", action="store_true", help="skip the known wrong answers")
    s.add_argument("--keep", type=Path, help="keep the check's course folder here")
    s.add_argument("--lang", default="en", choices=("en", "cs"),
                   help="check the release of this edition (cs: every text translated)")
    s.add_argument("--workers", type=int, default=None,
                   help="processes judging the wrong answers (default: one per core)")
    s = sub.add_parser("translations", help="the Czech edition's catalogues (locale/): "
                                            "`update` extracts new and changed texts")
    s.add_argument("action", choices=("update",))
    s.add_argument("--lang", default="cs", choices=("cs",))
    s.add_argument("--toolkit", action="store_true",
                   help="only the toolkit's catalogue (locale/LANG/toolkit.po: the toolkit's, "
                        "the tests' and the wrong-answer library's messages); the notebooks' "
                        "catalogues are left as they are")
    s = sub.add_parser("collect", help="put handed-in notebooks (folders, zips from a learning "
                                       "platform) into submitted/<student>/DAY with a timestamp")
    s.add_argument("day", type=_day)
    s.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="folders, zip files or notebooks")
    s.add_argument("--pattern", default=None, metavar="REGEX",
                   help="searched in each file name (without .ipynb): the named group "
                        "'notebook' names the notebook, 'student' (optional) the student; "
                        "default: anything before a released notebook's name is the student, "
                        "else the folder holding the file")
    s.add_argument("--deadline", default=None, metavar="ISO",
                   help="due date (UTC unless a zone is given), e.g. 2026-11-27T17:00: "
                        "late submissions are reported and the gradebook gets the due date")
    s.add_argument("--student-map", type=Path, default=None, metavar="CSV",
                   help="rows 'name,student_id': names as found -> nbgrader ids; "
                        "files of other names are not placed")
    s = sub.add_parser("autograde", help="grade every submission in submitted/<student>/DAY")
    s.add_argument("day", type=_day)
    s.add_argument("--student", action="append", help="only this student (repeatable)")
    s.add_argument("--workers", type=int, default=None,
                   help="local processes judging in parallel (default: one per CPU core)")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="judge on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    s.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                   help="wall-clock budget of one submission, all its notebooks together "
                        "(default 600); tests that find it used up fail at once")
    s.add_argument("--notebook-budget", type=float, default=None, metavar="SECONDS",
                   help="wall-clock budget of one notebook of a submission (default 300)")
    s.add_argument("--cell-budget", type=float, default=None, metavar="SECONDS",
                   help="time for one answer cell to finish (default 60); a cell that "
                        "does not is left out and charged once")
    s = sub.add_parser("feedback", help="feedback HTML for every graded submission of DAY, "
                                        "and one zip of it per student in "
                                        "<root>/feedback_archives/DAY/")
    s.add_argument("day", type=_day)
    s.add_argument("--student", action="append")
    s.add_argument("--inline-math", action="store_true",
                   help="put MathJax into every page (for nbgrader's release_feedback, which "
                        "returns the pages without the script beside them)")
    s = sub.add_parser("export", help="all grades to a CSV file")
    s.add_argument("--to", type=Path, default=None, help="CSV path (default: <root>/grades.csv)")
    s = sub.add_parser("summary", help="the class summary page <root>/summary/DAY.html: score "
                                       "distribution, pass rates, judge's flags, totals")
    s.add_argument("day", type=_day)
    s.add_argument("--to", type=Path, default=None, help="HTML path instead of the default")
    s = sub.add_parser("formgrader", help="JupyterLab with nbgrader's formgrader on the course "
                                          "folder (manual grading), on 127.0.0.1")
    s.add_argument("--port", type=int, default=8888)
    s.add_argument("--no-start", action="store_true", help="write the configuration only")
    s = sub.add_parser("lab", help="JupyterLab on a student release of every built day")
    s.add_argument("--workspace", type=Path, default=None,
                   help="student workspace (default: <root>/lab); existing day folders are kept")
    s.add_argument("--port", type=int, default=8888)
    s.add_argument("--no-start", action="store_true", help="prepare the workspace only")
    s.add_argument("--lang", default="en", choices=("en", "cs"),
                   help="the edition released into the workspace (default workspace for cs: "
                        "<root>/lab_cs)")
    s = sub.add_parser("demo", help="the whole pipeline end to end on a simulated class")
    s.add_argument("--day", action="append", type=_day, help="only this day (repeatable)")
    _hub_parser(sub)
    s = sub.add_parser("board", help="the lecturer's live board: a service of the classroom hub "
                                     "(grader hub starts it); --export writes its records")
    s.add_argument("--instructor", action="append", default=[], metavar="ACCOUNT",
                   help="a hub user who may open the board (repeatable)")
    s.add_argument("--port", type=int, default=None,
                   help="port (default: the one the hub gives the service)")
    s.add_argument("--export", action="store_true",
                   help="write every record as CSV (see --to) and stop")
    s.add_argument("--to", type=Path, default=None,
                   help="CSV path for --export (default: <root>/board.csv)")
    return p


def _hub_parser(sub):
    from .hub import DEFAULT_HUB_ROOT

    h = sub.add_parser("hub", help="the classroom on a JupyterHub (run as root): start it, "
                                   "make the students' accounts, release, collect, feedback "
                                   "through nbgrader's exchange")
    h.add_argument("--hub-root", type=Path, default=DEFAULT_HUB_ROOT,
                   help=f"the hub's folder: exchange, database, configuration "
                        f"(default {DEFAULT_HUB_ROOT})")
    hs = h.add_subparsers(dest="hub_command")
    s = hs.add_parser("start", help="start the hub (the default): the repository is closed to "
                                    "other accounts first, except the course environment")
    for p, default in ((h, None), (s, argparse.SUPPRESS)):
        p.add_argument("--ip", default=default or "127.0.0.1",
                       help="address to listen on (default 127.0.0.1; the classroom network's "
                            "address, or 0.0.0.0, behind TLS: see the README)")
        p.add_argument("--port", type=int, default=default or 8000,
                       help="the hub's port (default 8000; it also uses the next two)")
        p.add_argument("--instructor", action="append", default=default or [], metavar="ACCOUNT",
                       help="an OS account that gets formgrader on the course folder and the "
                            "hub's admin page (repeatable)")
        p.add_argument("--ssl-cert", default=default, metavar="PEM",
                       help="TLS in the hub itself (with --ssl-key); or a proxy in front")
        p.add_argument("--ssl-key", default=default, metavar="PEM")
        p.add_argument("--no-start", action="store_true", default=default or False,
                       help="write the configuration and check the machine only")
    s = hs.add_parser("accounts", help="OS accounts and nbgrader students from a roster CSV "
                                       "(name,student_id[,email]); first passwords go to a "
                                       "file only root can read; run again: nothing changes")
    s.add_argument("roster", type=Path)
    s.add_argument("--remove", action="store_true",
                   help="remove the roster's accounts (those this command made) and homes")
    s.add_argument("--dry-run", action="store_true",
                   help="print the commands instead of running them (the default when not root)")
    for name, text in (("release", "release DAY and put it on the exchange, with the toolkit"),
                       ("collect", "collect DAY's submissions from the exchange into submitted/"),
                       ("feedback", "feedback pages for DAY's graded submissions, onto the "
                                    "exchange for the students to fetch")):
        s = hs.add_parser(name, help=text)
        s.add_argument("day", type=_day)
        if name == "collect":
            s.add_argument("--deadline", default=None, metavar="ISO",
                           help="due date (UTC unless a zone is given): recorded in the "
                                "gradebook for nbgrader's late penalty; late ones are listed")
    s = hs.add_parser("checkpoint", help="one notebook's model answers for whoever is stuck: "
                                         "to chosen students' homes, or to everyone through "
                                         "the Assignments tab")
    s.add_argument("day", type=_day)
    s.add_argument("--notebook", required=True, metavar="NN",
                   help="the notebook (its number, e.g. 01, or its name)")
    s.add_argument("--student", action="append", default=[], metavar="ID",
                   help="only this student (repeatable); default: everyone")
    hs.add_parser("lock", help="close the repository to other accounts (start does this)")
    hs.add_parser("unlock", help="give the repository back the modes `lock` found")


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    lang = getattr(args, "lang", None)
    course = CourseDir(args.root, lang=lang) if args.root else CourseDir(lang=lang)
    try:
        return COMMANDS[args.command](args, course)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def release(args, course) -> int:
    from .release import release

    folder, leaks = release(args.day, course)
    print(f"released {args.day} to {folder}")
    if leaks:
        print("the release holds model answers:\n  " + "\n  ".join(leaks))
    return 1 if leaks else 0


def release_solutions(args, course) -> int:
    from .solutions_release import release_solutions

    try:
        folder, written = release_solutions(args.day, course, args.to, notebook=args.notebook)
    except (DayError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    what = f"checkpoint {args.notebook} of {args.day}" if args.notebook else \
        f"solutions of {args.day}"
    print(f"{what} written to {folder}:")
    for path in written:
        print(f"  {path.name}")
    return 0


def guide(args, course) -> int:
    from .materials import lecturer_guide
    from .plan import PlanError

    try:
        print(lecturer_guide(built_day(args.day), args.start))
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def handout(args, course) -> int:
    from .materials import handout_command

    return handout_command(args, course)


def slides(args, course) -> int:
    from .materials import slides_command

    return slides_command(args, course)


def check(args, course) -> int:
    from .check import check

    report = check(args.day, with_wrong=not args.no_wrong, keep=args.keep, workers=args.workers,
                   lang=args.lang)
    print()
    print(report.format())
    return 0 if report.ok else 1


def translations(args, course) -> int:
    from .translations import completeness, update, update_toolkit

    if not args.toolkit:
        print(completeness(update(args.lang)))
    done, fuzzy, total = update_toolkit(args.lang)
    print(f"toolkit: {done}/{total} translated ({100 * done // max(total, 1)} %)"
          + (f", {fuzzy} fuzzy" if fuzzy else ""))
    return 0


def collect(args, course) -> int:
    from .collect import CollectError, collect, record_deadline

    try:
        report = collect(args.day, args.paths, course, pattern=args.pattern,
                         deadline=args.deadline, student_map=args.student_map)
    except CollectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.format())
    if report.deadline is not None:
        record_deadline(course, args.day, report.deadline)
        print(f"due date of {args.day} recorded in the gradebook (nbgrader's late penalties)")
    return 0 if report.placed else 1


def autograde(args, course) -> int:
    from .autograde import autograde, judge_report, summary
    from .judge.sandbox import Limits

    given = {"submission_seconds": args.budget, "notebook_seconds": args.notebook_budget,
             "cell_seconds": args.cell_budget}
    limits = Limits(**{k: v for k, v in given.items() if v}) if any(given.values()) else None
    results = autograde(args.day, course, args.student, workers=args.workers,
                        scheduler=args.scheduler, limits=limits)
    if not results:
        print(f"no submissions in {course.root / 'submitted'}/<student>/{args.day}")
        return 1
    print(summary(results))
    print("\njudge report (also in <root>/judge/results/<day>/<student>/report.json):")
    print(judge_report(results))
    return 0 if all(r.status == "graded" for r in results) else 1


def feedback(args, course) -> int:
    from .feedback import feedback

    from .archive import archive_feedback
    from .html import offline_math

    pages = feedback(args.day, course, args.student)
    if args.inline_math:
        for files in pages.values():
            for page in files:
                offline_math(page, inline=True)
    archives = archive_feedback(args.day, course, args.student)
    if archives:
        print(f"{len(archives)} feedback archive(s), one per student, in "
              f"{course.root / 'feedback_archives' / args.day}")
    return 0


def export(args, course) -> int:
    from .feedback import export

    print(f"grades written to {export(course, args.to)}")
    return 0


def summary_page(args, course) -> int:
    from .summary import write_summary

    print(f"class summary: {write_summary(args.day, course, args.to)}")
    return 0


def formgrader(args, course) -> int:
    from .formgrader import start_formgrader, write_formgrader_config

    if args.no_start:
        print(f"formgrader configuration in {write_formgrader_config(course)}")
        return 0
    return start_formgrader(course, args.port)


def board(args, course) -> int:
    from .board import Store, serve

    if args.export:
        path = args.to or course.root / "board.csv"
        if not (course.root / "board.sqlite").is_file():
            print(f"error: no board records in {course.root}", file=sys.stderr)
            return 1
        count = Store(course.root / "board.sqlite").export(path)
        print(f"{count} record(s) written to {path}")
        return 0
    return serve(course, set(args.instructor), args.port)


def hub(args, course) -> int:
    from . import hub as classroom

    place = classroom.Hub(args.hub_root, course_root=course.root)
    what = args.hub_command or "start"
    tls = None
    if what == "start" and (args.ssl_cert or args.ssl_key):
        if not (args.ssl_cert and args.ssl_key):
            print("error: --ssl-cert and --ssl-key go together", file=sys.stderr)
            return 2
        tls = (args.ssl_cert, args.ssl_key)
    try:
        if what == "start":
            if args.no_start:
                if classroom.is_root():
                    classroom.lock_repository(place)
                config = classroom.prepare(place, args.ip, args.port, tuple(args.instructor),
                                           tls=tls)
                problems = classroom.preflight(place, args.instructor)
                print(f"hub configuration written to {config}")
                for p in problems:
                    print(f"  not ready: {p}")
                return 1 if problems else 0
            return classroom.start(place, args.ip, args.port, args.instructor, tls=tls)
        if what == "accounts":
            do = classroom.remove_accounts if args.remove else classroom.create_accounts
            report = do(place, args.roster, course, dry_run=True if args.dry_run else None)
            if not classroom.is_root() or args.dry_run:
                print("not run (needs root); as root this would run:")
                for cmd in report.commands:
                    print("  " + " ".join(cmd))
                return 0
            if args.remove:
                print(f"removed {len(report.removed)} account(s): {', '.join(report.removed)}")
                if report.kept:
                    print(f"not made by this command, left alone: {', '.join(report.kept)}")
                return 0
            print(f"created {len(report.created)} account(s), {len(report.kept)} already there")
            if report.passwords:
                print(f"first passwords (once, root only): {report.passwords}")
            return 0
        if what == "release":
            print(classroom.release_to_exchange(place, args.day, course).strip()[-2000:])
        elif what == "collect":
            from .collect import CollectError, parse_deadline

            try:
                deadline = parse_deadline(args.deadline) if args.deadline else None
            except CollectError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            out = classroom.collect_from_exchange(place, args.day, course, deadline)
            print(out.strip()[-4000:])
        elif what == "feedback":
            print(classroom.feedback_to_exchange(place, args.day, course).strip()[-2000:])
        elif what == "checkpoint":
            from .days import DayError

            try:
                where = classroom.checkpoint(place, args.day, args.notebook, course,
                                             args.student)
            except (DayError, ValueError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print("checkpoint handed out:\n  " + "\n  ".join(where))
        elif what == "lock":
            changed = classroom.lock_repository(place)
            print(f"closed to other accounts: {len(changed)} entr(ies) of {place.repo}")
        elif what == "unlock":
            classroom.unlock_repository(place)
            print(f"{place.repo}: modes restored")
        return 0
    except classroom.HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def lab(args, course) -> int:
    from .lab import prepare_lab, start_lab

    workspace = prepare_lab(course, args.workspace)
    print(f"student workspace: {workspace}")
    return 0 if args.no_start else start_lab(workspace, args.port)


def demo(args, course) -> int:
    from .demo import demo

    demo(args.root, args.day)
    return 0


COMMANDS = {"guide": guide, "release": release, "collect": collect, "check": check, "autograde": autograde,
            "feedback": feedback, "export": export, "summary": summary_page, "lab": lab,
            "formgrader": formgrader, "demo": demo, "release-solutions": release_solutions,
            "hub": hub, "board": board, "handout": handout, "slides": slides,
            "translations": translations}
