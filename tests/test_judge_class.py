"""A whole class of Day 1 through the judge and nbgrader: cheats among honest students.

The honest students must score exactly what a clean serial run of them alone
gives; every cheat scores 0 on what it targets; nothing outlives grading; the
gradebook holds what the judge decided; a Dask LocalCluster gives the same scores.
"""

from __future__ import annotations

import copy
import json
import time

import pytest

from grader.autograde import GradedSubmission, autograde
from grader.coursedir import CourseDir
from grader.judge.sandbox import bubblewrap, stray_processes
from grader.days import Day
from grader.notebooks import nbgrader_meta, notebook_defining, solved_notebook, with_wrong_answers
from grader.release import release, release_notebooks, write_submission
from solutions import day1_forward

DAY = "day1_forward"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bubblewrap() is None, reason="bubblewrap is not installed")]


def cell_scores(result) -> dict:
    return {(n.notebook, c.grade_id): c.score for n in result.notebooks for c in n.cells
            if c.auto}


def _replace(nbs, grade_id, source):
    nbs = copy.deepcopy(nbs)
    for nb in nbs.values():
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") == grade_id:
                cell.source = source
                return nbs
    raise AssertionError(f"no cell {grade_id}")


@pytest.fixture(scope="module")
def day1(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    course = CourseDir(base / "course")
    folder, leaks = release(DAY, course)
    assert leaks == []
    stubs = release_notebooks(folder)
    solved = {n: solved_notebook(nb, day1_forward, n) for n, nb in stubs.items()}
    bug = next(w for w in Day.named(DAY).wrong_answers() if w.target == "softmax")
    home = notebook_defining(solved, "softmax")
    buggy = dict(solved)
    buggy[home] = with_wrong_answers(solved[home], [bug])
    honest = {"h-model": solved, "h-stub": stubs, "h-bug": buggy}
    return course, stubs, solved, honest


def cheats(course, stubs, solved):
    """student -> (notebooks or raw files, grade ids the cheat must score 0 on)."""
    gradebook = course.root / "gradebook.db"
    sig = "sigmoid"
    out = {
        "c-allclose": (_replace(solved, sig, "import numpy as np\n"
                                "np.allclose = lambda *a, **k: True\n"
                                "np.testing.assert_allclose = lambda *a, **k: None\n"
                                "def sigmoid(z):\n    return z\n"), ["test_sigmoid"]),
        "c-always-equal": (_replace(solved, sig, "import numpy as np\n"
                                    "class Eq(np.ndarray):\n"
                                    "    def __eq__(self, o): return True\n"
                                    "def sigmoid(z):\n    return np.asarray(z).view(Eq)\n"),
                           ["test_sigmoid"]),
        "c-transformer": (_replace(stubs, sig, "ip = get_ipython()\n"
                                   "ip.ast_transformers.append(None)\n"
                                   "def sigmoid(z):\n    return z\n"), ["test_sigmoid"]),
        "c-steal": (_replace(stubs, sig,
                             f"exec(open({str(day1_forward.__file__)!r}).read())\n"),
                    ["test_sigmoid", "test_relu", "test_tanh"]),
        "c-gradebook": (_replace(solved, sig,
                                 "import subprocess\n"
                                 f"subprocess.Popen(['sh', '-c', 'sleep 3; echo x > {gradebook}'],"
                                 " start_new_session=True)\n"
                                 "def sigmoid(z):\n    return z\n"), ["test_sigmoid"]),
        # leaky_relu: no other exercise calls it, so only its own test may suffer.
        "c-crash": (_replace(solved, "leaky_relu", "import os\n"
                             "def leaky_relu(z, alpha=0.01):\n    os._exit(1)\n"),
                    ["test_leaky_relu"]),
        "c-ignore-int": (_replace(solved, "leaky_relu", "import signal\n"
                                  "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                  "def leaky_relu(z, alpha=0.01):\n    while True:\n"
                                  "        pass\n"),
                         ["test_leaky_relu"]),
        "c-torch": (_replace(solved, sig, "import torch\ndef sigmoid(z):\n"
                             "    return torch.sigmoid(torch.as_tensor(z)).numpy()\n"),
                    ["test_sigmoid"]),
    }
    # Tests edited and points changed in the submission.
    edited = copy.deepcopy(solved)
    for nb in edited.values():
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if meta.get("grade_id") == "test_sigmoid":
                cell.source = "pass\n"
                meta["points"] = 1000
            if meta.get("grade_id") == "sigmoid":
                cell.source = "def sigmoid(z):\n    return z\n"
    out["c-edit-tests"] = (edited, ["test_sigmoid"])
    # A copied graded cell (duplicate grade id) after a wrong one.
    dup = _replace(solved, sig, "def sigmoid(z):\n    return z\n")
    for nb in dup.values():
        copies = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "sigmoid"]
        if copies:
            nb.cells.append(copy.deepcopy(copies[0]))
    out["c-duplicate"] = (dup, ["test_sigmoid"])
    # A copy of a demo cell without its tag: a demo for both the judging and the record step.
    demo_copy = copy.deepcopy(solved)
    for nb in demo_copy.values():
        demos = [c for c in nb.cells if "demo" in (c.metadata.get("tags") or [])]
        if demos:
            plain = copy.deepcopy(demos[0])
            plain.metadata.pop("tags", None)
            nb.cells.append(plain)
    out["c-demo-copy"] = (demo_copy, [])
    return out


def _submit(course, student, nbs):
    if isinstance(nbs, dict):
        write_submission(course, student, DAY, nbs)


def test_cheats_score_zero_and_honest_students_are_unaffected(day1):
    course, stubs, solved, honest = day1
    for student, nbs in honest.items():
        _submit(course, student, nbs)
    clean = {r.student: cell_scores(r)
             for r in autograde(DAY, course, list(honest), quiet=True, workers=1)}
    assert clean["h-stub"] and not any(clean["h-stub"].values())
    assert all(v > 0 for v in clean["h-model"].values())

    cheating = cheats(course, stubs, solved)
    for student, (nbs, _) in cheating.items():
        _submit(course, student, nbs)
    broken = course.submitted("c-bad-json", DAY)
    broken.mkdir(parents=True)
    for name in stubs:
        (broken / name).write_bytes(b"\x00{\"cells\": [")
    renamed = course.submitted("c-renamed", DAY)
    renamed.mkdir(parents=True)
    for name, nb in solved.items():
        (renamed / f"Copy of {name}").write_text(json.dumps(nb))

    students = list(honest) + list(cheating) + ["c-bad-json", "c-renamed"]
    results = {r.student: r for r in autograde(DAY, course, students, quiet=True,
                                                        workers=2)}
    assert all(r.status == "graded" for r in results.values()), \
        {s: r.message for s, r in results.items() if r.status != "graded"}
    # Recording used the judge's results for every notebook: nothing was judged twice.
    assert not [s for s, r in results.items() if r.rejudged]
    for student in honest:
        assert cell_scores(results[student]) == clean[student], student
        assert not results[student].flags, student
    for student, (_, targets) in cheating.items():
        scores = {gid: v for (_, gid), v in cell_scores(results[student]).items()}
        for target in targets:
            assert scores[target] == 0, f"{student} scored on {target}"
    # Cheats that leave the rest of the notebook honest keep their honest points.
    model = {gid: v for (_, gid), v in clean["h-model"].items()}
    for student in ("c-crash", "c-ignore-int"):
        got = {gid: v for (_, gid), v in cell_scores(results[student]).items()}
        assert {g: v for g, v in got.items() if g != "test_leaky_relu"} == \
            {g: v for g, v in model.items() if g != "test_leaky_relu"}, student
    assert cell_scores(results["c-renamed"]) == clean["h-model"]
    assert results["c-bad-json"].auto_score == 0
    for student in ("c-allclose", "c-transformer", "c-steal", "c-gradebook", "c-edit-tests"):
        assert results[student].flags, f"{student} is not flagged"
    # The detached writer would have struck after 3 s: the gradebook is intact.
    time.sleep(4)
    for student in students:
        assert cell_scores(GradedSubmission(student, DAY, notebooks=course.scores(DAY, student))) \
            == cell_scores(results[student])
    assert stray_processes() == []


def test_an_endless_answer_cell_does_not_hold_the_class(day1):
    from grader.judge.sandbox import Limits

    course, stubs, solved, honest = day1
    endless = _replace(solved, "sigmoid", "import numpy as np\n"
                       "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
                       "while True:\n    pass\n")
    _submit(course, "c-endless", endless)
    for student, nbs in honest.items():
        _submit(course, student, nbs)
    limits = Limits(cell_seconds=30.0, submission_seconds=120.0)
    results = {r.student: r for r in autograde(DAY, course, ["c-endless", *honest], quiet=True,
                                                workers=2, limits=limits)}
    assert all(r.status == "graded" for r in results.values())
    slow = results["c-endless"]
    # Charged once: one cell budget, not one per test that needs the cell (each test
    # that needs sigmoid would otherwise wait its own 30 s).
    timeouts = [e for e in slow.report.events if "running cell" in e and "timeout" in e]
    assert len(timeouts) == 1, slow.report.events
    assert slow.seconds < 2 * limits.cell_seconds, slow.seconds
    scores = {gid: v for (_, gid), v in cell_scores(slow).items()}
    model = {gid: v for (_, gid), v in cell_scores(results["h-model"]).items()}
    assert scores["test_sigmoid"] == 0
    assert scores["test_relu"] == model["test_relu"] > 0       # tests without sigmoid still run
    # Recording of the class began while the slow submission was still judged: the first
    # honest one is judged and handed to the recorder in a second or two, the endless cell
    # holds its worker for a whole cell budget (at least runner.CELL_FLOOR).  Not every
    # honest one: on a loaded machine the budget may run out first, and that is right.
    first = min(results[student].record_started for student in honest)
    assert first < slow.judged_at, (first, slow.judged_at)
    for student in honest:
        assert results[student].recorded_at is not None, student
    assert stray_processes() == []


def test_a_dask_cluster_gives_the_same_scores(day1):
    distributed = pytest.importorskip("distributed")
    course, stubs, solved, honest = day1
    for student, nbs in honest.items():
        _submit(course, student, nbs)
    serial = {r.student: cell_scores(r)
              for r in autograde(DAY, course, list(honest), quiet=True, workers=1)}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        clustered = {r.student: cell_scores(r) for r in autograde(
            DAY, course, list(honest), quiet=True, scheduler=cluster.scheduler_address)}
    assert clustered == serial
    assert stray_processes() == []


def _gradebook_rows(course, students) -> dict:
    """What nbgrader keeps of each submission: every grade and comment, by name."""
    out = {}
    with course.gradebook() as gb:
        for student in students:
            sub = gb.find_submission(DAY, student)
            out[student] = {"timestamp": str(sub.timestamp), "late": sub.total_seconds_late}
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[student][(nb.name, "grade", g.name)] = (
                        g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                for c in nb.comments:
                    out[student][(nb.name, "comment", c.name)] = (c.auto_comment,
                                                                  c.manual_comment)
    return out


def test_the_record_process_writes_what_plain_nbgrader_writes(day1):
    """grader.recording's faster nbgrader (one engine, one commit per notebook) leaves
    the gradebook and the graded notebooks exactly as a fresh nbgrader process does."""
    from grader.judge import pipeline

    course, stubs, solved, honest = day1
    for student, nbs in honest.items():
        _submit(course, student, nbs)
    students = list(honest)
    results = autograde(DAY, course, students, quiet=True, workers=2)
    assert all(r.status == "graded" for r in results)
    fast = _gradebook_rows(course, students)
    graded = {p.relative_to(course.root): p.read_bytes()
              for s in students for p in course.autograded(s, DAY).rglob("*.ipynb")}
    folder = course.root / pipeline.JUDGE_DIR / "record-plain"
    folder.mkdir(parents=True)
    for student in students:
        (folder / student).symlink_to(pipeline.staged_root(course.root) / student,
                                      target_is_directory=True)
    course.nbgrader_autograde(DAY, submitted=folder,
                              results=course.root / pipeline.JUDGE_DIR / "results")
    assert _gradebook_rows(course, students) == fast
    assert {p.relative_to(course.root): p.read_bytes()
            for s in students for p in course.autograded(s, DAY).rglob("*.ipynb")} == graded
