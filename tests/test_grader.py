"""The instructor's pipeline: solving, wrong answers, leak scan, and nbgrader end to end."""

import csv
import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import check, demo, feedback
from grader.autograde import autograde, judge_report
from grader.days import Day, built_days
from grader.release import release, release_notebooks, write_submission
from grader.coursedir import CourseDir
from grader.notebooks import (NotebookError, defined_functions, scan_release, solved_notebook,
                              with_wrong_answers)
from solutions import day1_forward

DAYS = [d.name for d in built_days()]


def _stub_cell(name, grade_id=None):
    src = f'def {name}(z):\n    """doc"""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
    return new_code_cell(src, metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "schema_version": 3,
        "grade_id": grade_id or name}})


def test_days_are_discovered_in_syllabus_order():
    assert DAYS[0] == "day1_forward"
    assert DAYS == sorted(DAYS, key=lambda d: int(d[3:].split("_")[0]))


def test_solved_notebook_puts_the_model_answer_into_each_stub():
    nb = new_notebook(cells=[_stub_cell("sigmoid"), _stub_cell("tanh_prime"),
                             new_markdown_cell("YOUR ANSWER HERE", metadata={"nbgrader": {
                                 "grade": True, "solution": True, "points": 2,
                                 "grade_id": "sigmoid-prime-derivation", "schema_version": 3}})])
    solved = solved_notebook(nb, day1_forward)
    assert "np.exp(-np.abs(z))" in solved.cells[0].source
    assert "NotImplementedError" not in solved.cells[0].source
    assert defined_functions(solved.cells[1].source) == ["tanh_prime"]
    assert solved.cells[2].source == day1_forward.ANSWERS["sigmoid-prime-derivation"]
    # the input notebook is left as it was
    assert "NotImplementedError" in nb.cells[0].source


def test_a_stub_without_model_answer_is_named():
    nb = new_notebook(cells=[_stub_cell("no_such_function", grade_id="cell-7")])
    with pytest.raises(NotebookError, match="cell-7.*no_such_function"):
        solved_notebook(nb, day1_forward, "x.ipynb")


def test_a_wrong_answer_replaces_only_its_target():
    nb = solved_notebook(new_notebook(cells=[_stub_cell("relu_prime")]), day1_forward)
    wrong = next(w for w in Day.named("day1_forward").wrong_answers() if w.target == "relu_prime")
    bad = with_wrong_answers(nb, [wrong])
    assert defined_functions(bad.cells[0].source) == ["relu_prime"]
    assert ">=" in bad.cells[0].source and ">=" not in nb.cells[0].source


def test_every_day_has_wrong_answers_for_its_exercises():
    for day in DAYS:
        assert Day.named(day).wrong_answers(), f"{day} has no library of wrong answers"


def test_scan_release_finds_a_model_answer(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    nbformat.write(new_notebook(cells=[_stub_cell("sigmoid")]), str(clean / "a.ipynb"))
    assert scan_release(clean, Day.named("day1_forward")) == []

    leaky = tmp_path / "leaky"
    shutil.copytree(clean, leaky)
    solved = solved_notebook(new_notebook(cells=[_stub_cell("softmax")]), day1_forward)
    # renamed and re-indented, still the same body
    solved.cells[0].source = solved.cells[0].source.replace("def softmax", "def helper")
    nbformat.write(solved, str(leaky / "b.ipynb"))
    (leaky / "solutions").mkdir()
    (leaky / "solutions" / "day1_forward.py").write_text("x = 1\n")
    problems = scan_release(leaky, Day.named("day1_forward"))
    assert any("b.ipynb" in p and "solutions.day1_forward.softmax" in p for p in problems)
    assert any("reference module of day1_forward" in p for p in problems)


def test_rounds_never_put_two_answers_for_one_target_together():
    rounds = check._rounds(Day.named("day1_forward").wrong_answers())
    for group in rounds:
        targets = [w.target for w in group]
        assert len(targets) == len(set(targets))
    assert sum(len(g) for g in rounds) == len(Day.named("day1_forward").wrong_answers())


# --- nbgrader end to end -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("day", DAYS)
def test_check_passes_solved_fails_stub_and_every_wrong_answer_loses(day):
    report = check.check(day, quiet=True)
    print(report.format())
    assert report.ok, report.format()
    assert report.rows and report.wrong
    assert all(ok for _, _, ok in report.wrong)


@pytest.mark.slow
def test_release_holds_no_answer_and_no_hidden_test(tmp_path):
    course = CourseDir(tmp_path / "course")
    folder, leaks = release("day1_forward", course)
    assert leaks == []
    assert (folder / "course" / "checks.py").is_file()
    # Day 1 has no earlier day: an empty package that shadows any installed one.
    assert sorted(p.name for p in (folder / "solutions").iterdir()) == ["__init__.py"]
    hidden = feedback.hidden_test_lines("day1_forward")
    assert hidden, "day 1 has hidden tests"
    for path in folder.glob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        assert not any(h in text for h in hidden)
        nb = nbformat.read(str(path), 4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code":
                assert cell.metadata.get("editable") is False or meta.get("locked")


@pytest.mark.slow
def test_a_broken_submission_is_reported_and_the_rest_graded(tmp_path):
    course = CourseDir(tmp_path / "course")
    folder, _ = release("day1_forward", course)
    stubs = release_notebooks(folder)
    solved = {n: solved_notebook(nb, day1_forward, n) for n, nb in stubs.items()}
    write_submission(course, "alice", "day1_forward", solved)
    broken = course.submitted("bob", "day1_forward")
    broken.mkdir(parents=True)
    for name in stubs:
        (broken / name).write_text('{"cells": [ this is not json')
    results = {r.student: r for r in autograde("day1_forward", course,
                                                        ["bob", "alice"], quiet=True)}
    # bob's files cannot be read: graded as the release itself (nothing answered), and
    # the report says why.
    assert results["bob"].status == "graded" and results["bob"].auto_score == 0
    assert results["bob"].auto_max > 0
    notes = [f["message"] for f in results["bob"].report.findings]
    assert any("not valid JSON" in n for n in notes), notes
    assert "not valid JSON" in judge_report(list(results.values()))
    assert results["alice"].status == "graded"
    assert results["alice"].auto_score == results["alice"].auto_max > 0


@pytest.mark.slow
def test_demo_scores_feedback_and_export(tmp_path, capsys):
    results = demo.demo(root=tmp_path / "demo")
    out = capsys.readouterr().out
    assert "ada-model" in out and "total" in out
    for day in DAYS:
        model, stub, bugs = (results[s][day] for s in ("ada-model", "ben-stub", "cleo-bugs"))
        assert model.status == stub.status == bugs.status == "graded"
        assert model.auto_score == model.auto_max > 0
        assert stub.auto_score == 0
        assert 0 < bugs.auto_score < bugs.auto_max
        for cheat in ("dan-patch", "eve-steal"):
            r = results[cheat][day]
            assert r.status == "graded" and r.auto_score == 0, cheat
            assert r.flags, f"{cheat} is not flagged"
        assert not model.flags and not stub.flags and not bugs.flags
    assert "FLAG" in out
    course = CourseDir(tmp_path / "demo")
    for student in demo.DEMO_STUDENTS:
        for day in DAYS:
            files = list(course.feedback(student, day).glob("*.html"))
            assert files, f"no feedback for {student}"
            hidden = feedback.hidden_test_lines(day)
            for f in files:
                text = feedback.feedback_text(f)
                assert "BEGIN HIDDEN TESTS" not in text
                assert not [h for h in hidden if h in text]
    with open(tmp_path / "demo" / "grades.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["student_id"] for r in rows} == set(demo.DEMO_STUDENTS)
    assert json.dumps(rows)  # plain data


def _cells_with_outputs(path):
    nb = nbformat.read(str(path), 4)
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]


def test_day_notebooks_are_committed_without_outputs(tmp_path):
    from grader.days import REPO

    paths = [p for d in DAYS for p in sorted((REPO / d).glob("*.ipynb"))]
    assert paths
    assert {str(p): _cells_with_outputs(p) for p in paths} == {str(p): [] for p in paths}
    # The check itself sees outputs where there are some.
    nb = new_notebook(cells=[new_code_cell("1 + 1", execution_count=1, outputs=[
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)])])
    nbformat.write(nb, str(tmp_path / "x.ipynb"))
    assert _cells_with_outputs(tmp_path / "x.ipynb") == [0]
