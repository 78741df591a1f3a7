"""`grader collect`: handed-in files of the demo class, with messy names and junk, placed where
autograde finds them; progress lines and summaries of the long commands."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import datetime, timezone

import pytest

from grader import cli
from grader.autograde import GradedSubmission, judge_report
from grader.collect import (NEWER_IN_PLACE, NO_STUDENT, NOT_IN_MAP, NOT_NOTEBOOK, SKIPPED,
                            UNKNOWN_NOTEBOOK, UNREADABLE, CollectError, collect, match_notebook,
                            read_timestamp, student_id)
from grader.coursedir import CourseDir
from grader.days import Day
from grader.demo import simulated_class
from grader.judge.pipeline import SubmissionReport
from grader.notebooks import read_notebook
from grader.progress import Progress

DAY = "day1_forward"
A, B = "01_activations.ipynb", "02_simple_network.ipynb"


def _bytes(nb) -> bytes:
    return json.dumps(nb, indent=1).encode()


@pytest.fixture(scope="module")
def demo_class(tmp_path_factory):
    """The demo class's day 1 notebooks (from the day's source notebooks: no release needed)."""
    stubs = {p.name: read_notebook(p) for p in Day.named(DAY).notebooks}
    assert sorted(stubs) == [A, B]
    course = CourseDir(tmp_path_factory.mktemp("unused"))
    return {s: {n: _bytes(nb) for n, nb in nbs.items()}
            for s, nbs in simulated_class(DAY, stubs, course).items()}


def _zip(entries: list[tuple[str, bytes, tuple]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, when in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return buf.getvalue()


T1 = (2026, 11, 27, 15, 0, 0)     # zip times are local times of the machine that made the zip
T2 = (2026, 11, 27, 16, 30, 0)


def _local(t):
    return datetime(*t).astimezone()


def messy_zip(cls) -> bytes:
    """One platform download: every naming students and platforms come up with, and junk."""
    ada, ben, cleo, dan, eve = (cls[s] for s in
                                ("ada-model", "ben-stub", "cleo-bugs", "dan-patch", "eve-steal"))
    cleo_zip = _zip([(f"Copy of {A}", cleo[A], T1), ("02_Simple_Network.IPYNB", cleo[B], T1)])
    return _zip([
        (f"ada-model_{A}", ada[A], T1),
        ("Ada-Model - 02_simple_network (1).ipynb", ada[B], T1),
        (f"Ben-Stub/day1_forward/{A}", ben[A], T1),              # a folder per student
        (f"Ben-Stub/day1_forward/{B}", ben[B], T1),
        ("cleo-bugs.zip", cleo_zip, T1),                        # a zip per student
        (f"Dan-Patch_4711_assignsubmission_file_{A}", dan[A], T1),   # Moodle's export
        (f"Dan-Patch_4711_assignsubmission_file_{B}", dan[B], T1),
        (f"eve-steal_{A}", eve[A], T2),
        (f"eve-steal_{B}", eve[B], T2),
        ("eve-steal_01_activations (1).ipynb", ben[A], T1),     # an older copy: dropped
        (f"Novák Jan - {A}", ada[A], T1),
        # junk
        ("readme.txt", b"please grade kindly", T1),
        (f"broken_{A}", b'{"cells": [ not json', T1),
        ("ada-model_03_extra.ipynb", ada[A], T1),
        (A, ada[A], T1),                                          # whose?
        ("__MACOSX/._ada-model_01_activations.ipynb", b"\x00\x05", T1),
    ])


def _rejected(report) -> dict[str, str]:
    return {source.split(":", 1)[1]: reason for source, reason, _ in report.rejected}


def test_a_messy_zip_of_the_demo_class_is_placed_where_autograde_finds_it(tmp_path, demo_class):
    course = CourseDir(tmp_path / "course")
    upload = tmp_path / "class.zip"
    upload.write_bytes(messy_zip(demo_class))
    report = collect(DAY, [upload], course, quiet=True)

    demo_students = sorted(demo_class)
    assert course.students(DAY) == sorted(demo_students + ["novak_jan"])
    for student in demo_students:
        folder = course.submitted(student, DAY)
        assert sorted(p.name for p in folder.glob("*.ipynb")) == [A, B], student
        for name in (A, B):
            assert (folder / name).read_bytes() == demo_class[student][name], (student, name)
    # the older copy of eve's notebook lost to the newer one, and the report says so
    assert len(report.duplicates) == 1
    dropped, kept = report.duplicates[0]
    assert "eve-steal_01_activations (1).ipynb" in dropped and f"eve-steal_{A}" in kept
    # timestamps for late penalties: the zip entries' times, nbgrader's format
    assert read_timestamp(course.submitted("eve-steal", DAY)) == _local(T2)
    assert read_timestamp(course.submitted("ada-model", DAY)) == _local(T1)
    assert (course.submitted("ada-model", DAY) / "timestamp.txt").read_text().endswith(" UTC")
    assert _rejected(report) == {
        "readme.txt": NOT_NOTEBOOK,
        f"broken_{A}": UNREADABLE,
        "ada-model_03_extra.ipynb": UNKNOWN_NOTEBOOK,
        A: NO_STUDENT,
        "__MACOSX/._ada-model_01_activations.ipynb": SKIPPED,
    }
    text = report.format()
    assert "11 notebook(s) placed" in text and "for 6 student(s)" in text
    assert "unknown notebook (1)" in text and "unreadable JSON (1)" in text
    assert "duplicates, the newest kept (1)" in text


def test_collecting_again_changes_nothing_and_never_overwrites_a_newer_submission(
        tmp_path, demo_class):
    course = CourseDir(tmp_path / "course")
    upload = tmp_path / "class.zip"
    upload.write_bytes(messy_zip(demo_class))
    collect(DAY, [upload], course, quiet=True)
    again = collect(DAY, [upload], course, quiet=True)
    assert {p.status for p in again.placed} == {"unchanged"}

    # a folder upload: ada resubmits notebook B later, ben sends an older one
    later = tmp_path / "later"
    (later / "ada-model").mkdir(parents=True)
    (later / "ben-stub").mkdir()
    newer_ada = demo_class["ben-stub"][B]
    (later / "ada-model" / B).write_bytes(newer_ada)
    (later / "ben-stub" / B).write_bytes(demo_class["ada-model"][B])
    late = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc).timestamp()
    early = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc).timestamp()
    os.utime(later / "ada-model" / B, (late, late))
    os.utime(later / "ben-stub" / B, (early, early))
    report = collect(DAY, [later], course, quiet=True, deadline="2026-11-27T18:00:00+01:00")

    assert (course.submitted("ada-model", DAY) / B).read_bytes() == newer_ada
    assert [(p.student, p.status) for p in report.placed] == [("ada-model", "replaced")]
    assert read_timestamp(course.submitted("ada-model", DAY)).timestamp() == late
    # ben's notebook in place is newer than the one sent: kept, and the report says why
    assert (course.submitted("ben-stub", DAY) / B).read_bytes() == demo_class["ben-stub"][B]
    assert [r for _, r, _ in report.rejected] == [NEWER_IN_PLACE]
    assert report.late() == {"ada-model": datetime.fromtimestamp(late, timezone.utc)}
    text = report.format()
    assert "LATE by 16 h 0 min" in text
    assert "deadline 2026-11-27 17:00 UTC: 1 late submission(s)" in text


@pytest.mark.slow
def test_the_deadline_goes_to_the_gradebook(tmp_path, demo_class, capsys):
    from nbgrader.api import Gradebook

    upload = tmp_path / "upload" / "ada"
    upload.mkdir(parents=True)
    (upload / A).write_bytes(demo_class["ada-model"][A])
    course = CourseDir(tmp_path / "course")
    assert cli.main(["--root", str(course.root), "collect", DAY, str(upload.parent),
                     "--deadline", "2026-11-27T18:00+01:00"]) == 0
    assert "recorded in the gradebook" in capsys.readouterr().out
    # where nbgrader's late penalty reads it (naive UTC, as nbgrader stores it)
    with Gradebook(course.db_url, course.course_id) as gb:
        assert gb.find_assignment(DAY).duedate == datetime(2026, 11, 27, 17, 0)


def test_a_folder_per_student_with_file_times_and_a_student_map(tmp_path, demo_class):
    course = CourseDir(tmp_path / "course")
    upload = tmp_path / "upload"
    for folder, student in (("Novák Jan", "ada-model"), ("Łucja Dvořáková", "cleo-bugs")):
        (upload / folder).mkdir(parents=True)
        for name, data in demo_class[student].items():
            (upload / folder / name.upper()).write_bytes(data)
    when = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc).timestamp()
    for p in upload.rglob("*.IPYNB"):
        os.utime(p, (when, when))
    plain = collect(DAY, [upload], CourseDir(tmp_path / "plain"), quiet=True)
    assert sorted(plain.students) == ["lucja_dvorakova", "novak_jan"]

    mapping = tmp_path / "students.csv"
    mapping.write_text("name,student_id\nNovák Jan,s1001\n", encoding="utf-8")
    report = collect(DAY, [upload], course, student_map=mapping, quiet=True)
    assert course.students(DAY) == ["s1001"]
    assert (course.submitted("s1001", DAY) / A).read_bytes() == demo_class["ada-model"][A]
    assert read_timestamp(course.submitted("s1001", DAY)).timestamp() == when
    assert [r for _, r, _ in report.rejected] == [NOT_IN_MAP, NOT_IN_MAP]


def test_a_pattern_of_the_instructor_and_bad_input(tmp_path, demo_class):
    course = CourseDir(tmp_path / "course")
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "hw-01_activations-by-s42.ipynb").write_bytes(demo_class["ada-model"][A])
    report = collect(DAY, [upload], course, quiet=True,
                     pattern=r"hw-(?P<notebook>\d\d_[a-z_]+)-by-(?P<student>\w+)")
    assert [(p.student, p.notebook) for p in report.placed] == [("s42", A)]
    with pytest.raises(CollectError, match="no group"):
        collect(DAY, [upload], course, pattern=r"(?P<student>\w+)")
    with pytest.raises(CollectError, match="not a regular expression"):
        collect(DAY, [upload], course, pattern=r"(?P<notebook>")
    with pytest.raises(CollectError, match="does not exist"):
        collect(DAY, [tmp_path / "nowhere"], course)
    with pytest.raises(CollectError, match="is not a time"):
        collect(DAY, [upload], course, deadline="friday")


def test_names():
    assert student_id("Novák Jan") == "novak_jan"
    assert student_id("  Jan Novák_4711_assignsubmission_file_ ") == "jan_novak"
    assert student_id("ŁUKASZ Žížala") == "lukasz_zizala"
    released = [A, B]
    assert match_notebook("Copy of 01_Activations (1)", released) == A
    assert match_notebook("02 simple-network_final", released) == B
    assert match_notebook("03_extra", released) is None


def test_a_zip_from_windows_without_the_utf8_flag_keeps_the_names(tmp_path, demo_class):
    class NoFlag(zipfile.ZipInfo):
        # what zips written by Windows tools look like: UTF-8 bytes, the UTF-8 flag unset
        def _encodeFilenameFlags(self):
            return self.filename.encode("cp437"), self.flag_bits

    name = f"Dvořák Jan - {A}".encode().decode("cp437")
    upload = tmp_path / "class.zip"
    with zipfile.ZipFile(upload, "w") as z:
        z.writestr(NoFlag(name, date_time=T1), demo_class["ada-model"][A])
    with zipfile.ZipFile(upload) as z:
        assert not z.infolist()[0].flag_bits & 0x800
    report = collect(DAY, [upload], CourseDir(tmp_path / "course"), quiet=True)
    assert [p.student for p in report.placed] == ["dvorak_jan"]


def test_the_collect_command_prints_the_report(tmp_path, demo_class, capsys):
    upload = tmp_path / "class.zip"
    upload.write_bytes(messy_zip(demo_class))
    code = cli.main(["--root", str(tmp_path / "course"), "collect", DAY, str(upload)])
    out = capsys.readouterr().out
    assert code == 0
    # not a terminal: one plain line per file, then the report
    assert f"[1/17] collect {DAY}: " in out and "[17/17]" in out and "\r" not in out
    assert "novak_jan" in out and "not placed (5 file(s))" in out
    assert cli.main(["--root", str(tmp_path / "course"), "collect", DAY,
                     str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --- progress and summaries ------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one(capsys, monkeypatch):
    monkeypatch.delenv("GRADER_PROGRESS", raising=False)
    bar = Progress(3, "judging")
    bar.step("ada")
    bar.note("warning: something")
    bar.step()
    bar.step("eve", keep=True)
    bar.close()
    assert capsys.readouterr().out.splitlines() == [
        "[1/3] judging: ada", "warning: something", "[2/3] judging", "[3/3] judging: eve"]

    tty = _Tty()
    bar = Progress(2, "judging", stream=tty)
    bar.step("ada")
    bar.step("eve", keep=True)
    bar.close()
    screen = tty.getvalue()
    assert "judging [##########..........] 1/2 ada" in screen
    assert "[2/2] eve\n" in screen                 # kept above the bar
    assert screen.endswith("\r\x1b[2K")             # the bar is gone at the end

    monkeypatch.setenv("GRADER_PROGRESS", "plain")
    tty = _Tty()
    Progress(1, "x", stream=tty).step("y")
    assert tty.getvalue() == "[1/1] x: y\n"
    Progress(1, "x", quiet=True).step("y")
    assert capsys.readouterr().out == ""


def _report(student, events=0, findings=()):
    nb = {"events": [{"when": f"calling sigmoid in test {i}", "kind": "timeout",
                      "message": "no answer in 5 s"} for i in range(events)],
          "suspicious": [{"what": "np.allclose = ...", "kind": "patches a module",
                          "cell": c, "line": 1} for c in range(3)] if student == "cheat" else []}
    return GradedSubmission(student, DAY, report=SubmissionReport(
        student, DAY, findings=list(findings), notebooks={A: nb}))


def test_the_judge_report_is_one_line_per_kind_per_student():
    restored = [{"notebook": A, "kind": "restored", "message": f"test cell t{i} was edited",
                 "tampering": True} for i in range(4)]
    missing = [{"notebook": B, "kind": "missing", "message": f"cell c{i} was deleted",
                "tampering": False} for i in range(5)]
    text = judge_report([_report("honest"), _report("slow", events=12, findings=missing),
                         _report("cheat", findings=restored)])
    lines = text.splitlines()
    assert "honest" not in text
    assert lines == [
        f"slow ({DAY}):",
        f"  failed {A}: calling sigmoid in test 0: timeout: no answer in 5 s "
        "and 11 more like it",
        f"  note   {B}: cell c0 was deleted and 4 more like it",
        f"cheat ({DAY}):",
        f"  FLAG   changed locked cells, tests or points: {A}: test cell t0 was edited "
        "and 3 more place(s)",
        f"  FLAG   patches a module: np.allclose = ... ({A}, cell 0, line 1) "
        "and 2 more place(s)",
    ]


def test_autograde_shows_progress_and_ends_with_a_summary(tmp_path, capsys, monkeypatch):
    """autograde's own lines around a fake judge and a fake nbgrader (no sandbox, no gradebook)."""
    from grader import autograde as ag
    from grader.coursedir import CellScore, NotebookScore
    from grader.judge import pipeline

    monkeypatch.delenv("GRADER_PROGRESS", raising=False)
    course = CourseDir(tmp_path / "course")
    course.release(DAY).mkdir(parents=True)
    (course.release(DAY) / A).write_text('{"cells": []}')
    students = ["ada", "ben", "cheat"]
    for s in students:
        course.submitted(s, DAY).mkdir(parents=True)
        (course.submitted(s, DAY) / A).write_text("{}")
        course.autograded(s, DAY).mkdir(parents=True)
    points = {"ada": 3, "ben": 0, "cheat": 0}

    def judge_class(course, day, present, release, progress=None, **kw):
        reports = {s: _report(s, events=2 if s == "ben" else 0) for s in present}
        for i, s in enumerate(present, 1):
            reports[s].report.seconds = 1.5
            progress(i, len(present), reports[s].report)
        return {s: r.report for s, r in reports.items()}

    class Recorder:
        def __init__(self, *a):
            self.recorded_at, self.record_started = {}, {}

        def add(self, student):
            self.recorded_at[student] = 0.0

        def finish(self):
            return ""

    monkeypatch.setattr(pipeline, "judge_class", judge_class)
    monkeypatch.setattr(ag, "Recorder", Recorder)
    monkeypatch.setattr(CourseDir, "class_scores", lambda self, day, present: {s: [NotebookScore(
        "01_activations", [CellScore("test_sigmoid", points[s], 3, True, points[s] < 3)])]
        for s in present})
    results = ag.autograde(DAY, course, students)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [f"[1/3] autograde {DAY}: judged ada                  (1.5 s)",
                         f"[2/3] autograde {DAY}: judged ben                  (1.5 s)  "
                         "2 failure(s) in student code",
                         f"[3/3] autograde {DAY}: judged cheat                (1.5 s)  "
                         "1 flag(s)"]
    assert ag.summary(results).splitlines() == [
        "3 of 3 submissions graded",
        "autograded points (of 3): lowest 0, median 0, highest 3; full marks 1, none 2",
        "core points (of 3): lowest 0, median 0, highest 3; no extension",
        "judged in 1.5 s at most per submission",
        "flagged (1): cheat",
        "failures in student code (1): ben",
    ]


# --- end to end: the real release, nbgrader's exchange, the judge ------------------------------


def _as_student(home, *args):
    """An nbgrader command run as a student would on a hub: in their home, without the
    instructor's nbgrader_config.py (same OS user here; the student id is given)."""
    import subprocess
    import sys

    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_DATA_DIR=str(home / ".local"))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_a_zip_and_nbgraders_exchange_fill_one_course_that_autograde_grades(tmp_path):
    """Handed-in files (collect) and a hub's exchange (nbgrader collect) in one course folder."""
    from grader.autograde import autograde
    from grader.release import release, release_notebooks
    from grader.notebooks import solved_notebook
    from solutions import day1_forward

    course = CourseDir(tmp_path / "course")
    folder, leaks = release(DAY, course)
    assert leaks == []
    stubs = release_notebooks(folder)
    demo = {s: {n: _bytes(nb) for n, nb in nbs.items()}
            for s, nbs in simulated_class(DAY, stubs, course).items()}
    upload = tmp_path / "class.zip"
    upload.write_bytes(messy_zip(demo))
    report = collect(DAY, [upload], course, quiet=True)
    assert len(report.placed) == 11

    # nbgrader's exchange: release, a student fetches and submits, the instructor collects
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    hub = [f"--Exchange.root={exchange}", "--course=backprop"]
    # nbgrader_config.py keeps course/ and solutions/ out of what nbgrader copies (so that a
    # submission's copies never reach grading); the release to the exchange must carry them.
    toolkit = [f"--CourseDirectory.ignore={p}" for p in
               (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")]
    course.nbgrader("release_assignment", DAY, *hub, *toolkit)
    home = tmp_path / "home" / "hub-ann"
    cache = f"--Exchange.cache={home / 'cache'}"
    _as_student(home, "fetch_assignment", DAY, *hub, cache)
    assert sorted(p.name for p in (home / DAY).glob("*.ipynb")) == [A, B]
    assert (home / DAY / "course" / "checks.py").is_file()
    assert (home / DAY / "solutions" / "__init__.py").is_file()
    for name in (A, B):
        nb = read_notebook(home / DAY / name)
        (home / DAY / name).write_bytes(_bytes(solved_notebook(nb, day1_forward, name)))
    # One OS user plays both parts: the student id is given, as nbgrader allows.
    _as_student(home, "submit", DAY, *hub, cache, "--student=hub-ann")
    out = course.nbgrader("collect", DAY, *hub)
    assert "hub-ann" in out
    assert read_timestamp(course.submitted("hub-ann", DAY)) is not None
    # the student's copies of the toolkit and references stay out of the course folder
    assert not (course.submitted("hub-ann", DAY) / "course").exists()
    assert not (course.submitted("hub-ann", DAY) / "solutions").exists()

    # autograde finds every student; the judge's scores of the demo class itself are the
    # demo test's business, so four are graded here: one of each way in.
    assert course.students(DAY) == sorted([*demo, "hub-ann", "novak_jan"])
    graded = ["ada-model", "ben-stub", "novak_jan", "hub-ann"]
    results = {r.student: r for r in autograde(DAY, course, graded, quiet=True)}
    assert all(r.status == "graded" for r in results.values())
    full = results["ada-model"].auto_max
    assert full > 0
    assert results["ada-model"].auto_score == results["hub-ann"].auto_score == full
    # Novák Jan handed in the model answers of the first notebook only
    first = sum(c.max_score for n in results["ada-model"].notebooks if n.notebook == A[:-6]
                for c in n.cells if c.auto)
    assert 0 < first < full
    assert results["novak_jan"].auto_score == first
    assert results["ben-stub"].auto_score == 0
