"""The instructor's pipeline: solving, wrong answers, leak scan, and nbgrader end to end."""

import csv
import json
import re
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


def _test_cell(grade_id):
    return new_code_cell("pass", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "schema_version": 3,
        "grade_id": grade_id, "points": 1}})


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


# --- nbgrader end to end -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("day", DAYS)
def test_check_passes_solved_fails_stub_and_every_wrong_answer_loses(day):
    report = check.check(day, quiet=True)
    print(report.format())
    assert report.ok, report.format()
    assert report.rows and report.wrong
    assert all(v.tier != check.MISSED for v in report.wrong)
    counts = report.counts()
    assert counts[check.HIDDEN] >= check.HIDDEN_SHARE * len(report.wrong), counts


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
    # the core and the extension apart (grader/plan.py), adding up to the total
    from grader.plan import day_parts

    for r in rows:
        parts = set(day_parts(Day.named(r["assignment"])).values())
        assert float(r["core_max"]) > 0
        assert (float(r["extension_max"]) > 0) == ("extension" in parts), r
        assert float(r["core_max"]) + float(r["extension_max"]) == pytest.approx(
            float(r["max_score"])), r
        if r["student_id"] == "ada-model":
            # the model answers: every autograded point of both parts (manual ones pending)
            assert float(r["core_score"]) > 0
        if r["student_id"] == "ben-stub":
            assert float(r["core_score"]) == float(r["extension_score"]) == 0
    page = next(course.feedback("ada-model", "day2_backprop").glob("*.html"))
    assert re.search(r"Core: [\d.]+ of [\d.]+ points · Extension \(optional\)",
                     feedback.feedback_text(page)), page


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


# --- the solutions release ---------------------------------------------------------------


def _manual_cell(grade_id):
    return new_markdown_cell("YOUR ANSWER HERE", metadata={"nbgrader": {
        "grade": True, "solution": True, "points": 1, "grade_id": grade_id,
        "schema_version": 3}})


def test_release_solutions_fills_every_answer_and_writes_html(tmp_path):
    from grader.judge import cells
    from grader.solutions_release import STUB_MARKERS, release_solutions

    day = Day.named("day1_forward")
    folder, written = release_solutions(day.name, to=tmp_path / "sol")
    assert folder == tmp_path / "sol"
    assert sorted(p.name for p in written) == sorted(
        [p.name for p in day.notebooks] + [p.stem + ".html" for p in day.notebooks]
        + ["mathjax-offline.js"])                            # the pages' math, offline
    assert (folder / "course" / "checks.py").is_file()      # runs where it is published
    answers = day.reference().ANSWERS
    manual = 0
    for path in day.notebooks:
        nb = nbformat.read(str(folder / path.name), 4)
        assert "BEGIN HIDDEN TESTS" not in json.dumps(nb)
        page = feedback.feedback_text(folder / (path.stem + ".html"))
        for cell in nb.cells:
            role = cells.role(cell)
            if role in (cells.ANSWER, cells.MANUAL):
                assert not [m for m in STUB_MARKERS if m in cell.source], cell.source
            if role == cells.ANSWER:
                for name in defined_functions(cell.source):
                    assert f"def {name}(" in page
            if role == cells.MANUAL:
                manual += 1
                assert cell.source == answers[cell.metadata.nbgrader.grade_id]
                first = cell.source.split("\n")[0].strip()
                assert first[:40] in page
    assert manual == len(answers)


def test_release_solutions_names_a_manual_cell_without_model_answer():
    from grader.solutions_release import solutions_notebook

    nb = new_notebook(cells=[_stub_cell("sigmoid"), _manual_cell("no-such-question")])
    with pytest.raises(NotebookError, match=r"'no-such-question'.*solutions/day1_forward\.py"):
        solutions_notebook(nb, Day.named("day1_forward"), "x.ipynb")


def _stub_model_answer(z):
    raise NotImplementedError()


def test_release_solutions_refuses_a_model_answer_that_is_a_stub(monkeypatch):
    import types

    from grader.solutions_release import solutions_notebook

    fake = types.ModuleType("solutions.fake")
    fake.sigmoid = _stub_model_answer
    fake.ANSWERS = {}
    monkeypatch.setattr(Day, "reference", lambda self: fake)
    nb = new_notebook(cells=[_stub_cell("sigmoid")])
    with pytest.raises(NotebookError, match="'sigmoid'.*NotImplementedError"):
        solutions_notebook(nb, Day.named("day1_forward"), "x.ipynb")


def test_release_solutions_of_an_unknown_day_lists_the_days(capsys):
    from grader import cli

    with pytest.raises(SystemExit):
        cli.main(["release-solutions", "day9_nothing"])
    assert "day1_forward" in capsys.readouterr().err


# --- the answer-leak check -----------------------------------------------------------------

MODEL_ANSWER = r"""
By definition $\delta^l_j = \partial C/\partial z^l_j$.  The cost depends on $z^l_j$ only through
the weighted inputs $z^{l+1}_k$ of the next layer, so by the chain rule
$$\delta^l_j = \sum_k \frac{\partial C}{\partial z^{l+1}_k}\frac{\partial z^{l+1}_k}{\partial z^l_j}
= \sum_k \delta^{l+1}_k \frac{\partial z^{l+1}_k}{\partial z^l_j}.$$
Only the term $i = j$ of $z^{l+1}_k = \sum_i w^{l+1}_{ki}\sigma(z^l_i) + b^{l+1}_k$ depends on
$z^l_j$, hence $\partial z^{l+1}_k/\partial z^l_j = w^{l+1}_{kj}\sigma'(z^l_j)$ and
$$\delta^l_j = \sum_k w^{l+1}_{kj}\,\delta^{l+1}_k\,\sigma'(z^l_j),$$
which is the $j$-th entry of $((w^{l+1})^\top\delta^{l+1})\odot\sigma'(z^l)$: the transpose
appears because the error travels from layer $l+1$ back to layer $l$.
""".strip()

# The same proof, rewrapped, re-spaced, one sentence changed: a leak.
NEAR_COPY = r"""**Proof, to compare with yours.**  By definition
$\delta^l_j = \partial C / \partial z^l_j$. The cost depends on $z^l_j$ only through the
weighted inputs $z^{l+1}_k$ of the next layer, so by the chain rule
$$\delta^l_j = \sum_k \frac{\partial C}{\partial z^{l+1}_k} \frac{\partial z^{l+1}_k}{\partial z^l_j}
 = \sum_k \delta^{l+1}_k \frac{\partial z^{l+1}_k}{\partial z^l_j}.$$
Only the term $i = j$ of $z^{l+1}_k = \sum_i w^{l+1}_{ki} \sigma(z^l_i) + b^{l+1}_k$ depends on
$z^l_j$, hence $\partial z^{l+1}_k/\partial z^l_j = w^{l+1}_{kj}\sigma'(z^l_j)$ and so
$$\delta^l_j = \sum_k w^{l+1}_{kj} \, \delta^{l+1}_k \, \sigma'(z^l_j). \qquad\blacksquare$$"""

# The question's topic in other words, with the result stated: not a leak.
REWORDED_PARTIAL = r"""The error of a hidden layer comes from the errors of the layer after it:
each neuron $k$ of layer $l+1$ sends back its $\delta^{l+1}_k$, weighted by the weight that
connects it to neuron $j$, and the activation's slope scales the sum.  In matrix form this is
BP2, $\delta^l = ((w^{l+1})^\top\delta^{l+1})\odot\sigma'(z^l)$; prove it below."""

UNRELATED = r"""Gradient descent moves every parameter against its gradient,
$\theta \leftarrow \theta - \eta\,\nabla_\theta C$, with a learning rate $\eta$ chosen so
that the cost decreases from one step to the next."""


def test_a_cell_answers_a_question_when_it_holds_most_of_the_model_answer():
    from grader import leaks

    near = leaks.answer_match(NEAR_COPY, MODEL_ANSWER)
    reworded = leaks.answer_match(REWORDED_PARTIAL, MODEL_ANSWER)
    unrelated = leaks.answer_match(UNRELATED, MODEL_ANSWER)
    assert near[0] >= leaks.ANSWER_SHARE, near
    assert reworded[0] < leaks.ANSWER_SHARE and reworded[1] < leaks.CELL_SHARE, reworded
    assert unrelated[2] == 0, unrelated
    assert leaks.is_answer(NEAR_COPY, MODEL_ANSWER)
    assert not leaks.is_answer(REWORDED_PARTIAL, MODEL_ANSWER)
    assert not leaks.is_answer(UNRELATED, MODEL_ANSWER)
    # The decisive last third alone, copied: most of the cell is the answer.
    half = MODEL_ANSWER[MODEL_ANSWER.index("$$\\delta^l_j = \\sum_k w"):]
    assert leaks.answer_match(half, MODEL_ANSWER)[0] < leaks.ANSWER_SHARE
    assert leaks.is_answer("Compare with yours.\n" + half, MODEL_ANSWER)
    # A heading that happens to repeat a few words of it is not.
    assert not leaks.is_answer("## By definition $\\delta^l_j$", MODEL_ANSWER)


REFERENCE = '''
def affine_backward(dout, cache):
    """Backward pass."""
    x, W, b = cache
    n = x.shape[0]
    cols = helper(x, 3)
    if n:
        pass
    return dout @ W, dout.T @ x, dout.sum(axis=0)


def quadratic_cost_grad(A, Y):
    return (A - Y) / N


def bp2(W_next, delta_next, sp):
    out = (W_next.T @ delta_next) * sp
    return out


def shuffle(x, rng):
    shifts = rng.integers(-2, 2 + 1, size=(4, 2))
    return x
'''


@pytest.mark.parametrize("text, leaked", [
    ("Returns (dx, dW, db):\n    dx = dout @ W       (N, n_in)", "dout @ W"),
    ("| BP2 | the error one layer back | `(W_next.T @ delta_next) * sp` |",
     "(W_next.T @ delta_next) * sp"),
    ("Returns (A − Y) / N, the gradient of the quadratic cost.", "(A - Y) / N"),
    ("out = (W_next.T@delta_next)*sp  # spaced differently", "(W_next.T @ delta_next) * sp"),
    # not leaks: trivial lines, API hints, a piece of a longer expression, random draws
    ("Hints: n = x.shape[0] is the batch; cols = helper(x, 3); return out", None),
    ("The article writes dW1 = (1 / m) * dz1.T @ X and dout @ W.T for dx.", None),
    ("shifts = rng.integers(-2, 2 + 1, size=(4, 2)): the random numbers, in this order", None),
])
def test_a_model_answers_code_line_in_prose_is_a_leak(text, leaked):
    from grader import leaks

    lines = [(s, w, "ref.f") for s, w in leaks.code_lines(REFERENCE)]
    hits = leaks.code_line_leaks(text, lines)
    if leaked is None:
        assert hits == [], hits
    else:
        assert hits and leaks.squeeze(leaked) in leaks.squeeze(hits[0][0]), hits
        assert hits[0][2] in [ln.strip() for ln in text.splitlines()]


def test_code_lines_are_read_from_docstrings_and_comments_not_from_code():
    from grader import leaks

    lines = [(s, w, "ref.f") for s, w in leaks.code_lines(REFERENCE)]
    code = 'def f(dout, W):\n    """Shapes only."""\n    return dout @ W\n'
    assert leaks.code_line_leaks(leaks.prose(code, "code"), lines) == []
    commented = ('def f(dout, W):\n    """Shapes only."""\n    # dx = dout @ W\n'
                 '    raise NotImplementedError\n')
    assert leaks.code_line_leaks(leaks.prose(commented, "code"), lines)
    documented = '%matplotlib inline\ndef f(dout, W):\n    """dx = dout @ W"""\n'
    assert leaks.code_line_leaks(leaks.prose(documented, "code"), lines)


def test_a_visible_test_is_read_whole_code_messages_and_hints():
    from grader import leaks

    lines = [(s, w, "ref.f") for s, w in leaks.code_lines(REFERENCE)]
    test = _test_cell("test_f")
    test.source = ('import numpy as np\nout = f(dout, W)\n'
                   'checks.assert_close(out, dout @ W, "dx")\n')
    found = leaks.scan_cells("t.ipynb", [test], {}, lines)
    assert found and "a visible test holds the code of ref.f" in found[0].what
    test.source = ('out = f(dout, W)\n'
                   'checks.crosscheck({"dx": out}, ref, hints={"dx": "dx = dout @ W"})\n')
    assert leaks.scan_cells("t.ipynb", [test], {}, lines)
    # a property, or torch's own API: no leak
    test.source = ('out = f(dout, W)\n'
                   'checks.assert_shape(out, (2, 3), "dx")\n'
                   'checks.crosscheck({"dx": out}, {"dx": xt.grad})\n')
    assert leaks.scan_cells("t.ipynb", [test], {}, lines) == []
    # the same line as plain code of an answer cell is the student's, not a leak
    answer = _stub_cell("f")
    answer.source = "def f(dout, W):\n    return dout @ W\n"
    assert leaks.scan_cells("t.ipynb", [answer], {}, lines) == []


def test_scan_cells_reports_notebook_cell_and_first_matching_line():
    from grader import leaks

    lines = [(s, w, "ref.bp2") for s, w in leaks.code_lines(REFERENCE)]
    stub = _stub_cell("bp2")
    stub.source = stub.source.replace('"""doc"""', '"""Returns (W_next.T @ delta_next) * sp."""')
    nb = new_notebook(cells=[new_markdown_cell("**Question.** Prove BP2."),
                             _manual_cell("bp2-proof"),
                             new_markdown_cell(NEAR_COPY), stub, new_markdown_cell(UNRELATED)])
    found = leaks.scan_cells("02_four.ipynb", nb.cells, {"bp2-proof": MODEL_ANSWER}, lines)
    text = [str(f) for f in found]
    assert len(found) == 2, text
    assert found[0].where == "02_four.ipynb cell 2" and "answers 'bp2-proof'" in found[0].what
    assert found[0].line.startswith("$\\delta^l_j = \\partial C")
    assert found[1].where == "02_four.ipynb cell 3 (bp2)" and "docstring" in found[1].what
    assert found[1].line == '"""Returns (W_next.T @ delta_next) * sp."""'.strip('"')


def test_scan_release_finds_a_days_answer_and_its_code_in_prose(tmp_path):
    from grader import leaks

    day = Day.named("day3_multilayer")
    module = day.reference()
    gid, answer = next(iter(module.ANSWERS.items()))
    squeezed, written, function = leaks.reference_code_lines(module)[0]
    nb = new_notebook(cells=[new_markdown_cell("Intro"),
                             new_markdown_cell("To compare with yours:\n\n" + answer),
                             new_markdown_cell(f"In NumPy: `{written}`")])
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    problems = scan_release(tmp_path, day)
    assert any(p.startswith(f"n.ipynb cell 1: answers {gid!r}") for p in problems), problems
    assert any(p.startswith("n.ipynb cell 2: markdown holds the code of " + function)
               for p in problems), problems


def _forward_of_the_article(X, W1, b1, dout, W):
    z1 = X @ W1.T + b1
    dx = dout @ W
    return z1, dx


def test_a_computation_an_earlier_day_publishes_is_no_leak(tmp_path):
    import types

    from grader import leaks

    fake = types.ModuleType("solutions.fake_day")
    fake.f = _forward_of_the_article
    _forward_of_the_article.__module__ = fake.__name__
    earlier = tmp_path / "day1.py"
    earlier.write_text("def affine_forward(x, W, b):\n    out = x @ W.T + b\n    return out\n"
                       "def other(g, V):\n    return g @ V\n")
    every = {w for _, w, _ in leaks.reference_code_lines(fake)}
    assert {"z1 = X @ W1.T + b1", "dx = dout @ W"} <= every
    kept = {w for _, w, _ in leaks.reference_code_lines(fake, leaks.published_code([earlier]))}
    # Day 1's x @ W.T + b under other names: published.  A single product is too common a
    # shape to be excused by name-blind matching: it stays a candidate.
    assert "z1 = X @ W1.T + b1" not in kept and "dx = dout @ W" in kept
