"""Time budgets from the model answers: a hang costs seconds, not minutes.

Day 2 has four notebooks.  A submission whose first answer cell of every notebook loops
forever at top level, and one whose first function of every notebook loops forever when
called, are each judged in well under 30 s (the old budgets: 60 s a cell, 20 s a call
for every test that calls it), and keep every point that does not need what hangs.
"""

from __future__ import annotations

import json
import time

import pytest

from grader.days import Day
from grader.judge import cells, pipeline
from grader.judge.budgets import model_times
from grader.judge.runner import CALL_FLOOR, CELL_FLOOR, FACTOR, budget_for, score_of
from grader.judge.sandbox import bubblewrap
from grader.notebooks import read_notebook, solved_notebook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bubblewrap() is None, reason="bubblewrap is not installed")]

DAY = Day.named("day2_backprop")


def test_a_budget_is_a_multiple_of_the_model_with_a_floor_and_a_cap():
    assert budget_for(None, 60.0, CELL_FLOOR) == 60.0
    assert budget_for(0.001, 60.0, CELL_FLOOR) == CELL_FLOOR
    assert budget_for(1.0, 60.0, CELL_FLOOR) == FACTOR * 1.0
    assert budget_for(100.0, 60.0, CELL_FLOOR) == 60.0
    assert budget_for(0.0, 20.0, CALL_FLOOR) == CALL_FLOOR


@pytest.fixture(scope="module")
def budgets(tmp_path_factory):
    return model_times(tmp_path_factory.mktemp("root"), DAY)


def _solved():
    module = DAY.reference()
    return {p.name: json.loads(json.dumps(solved_notebook(read_notebook(p), module, p.name)))
            for p in DAY.notebooks}


def _first_answer(nb):
    return next(c for c in nb["cells"] if cells.role(c) == cells.ANSWER)


def _judge(notebooks, budgets):
    task = {"student": "hang", "day": DAY.name, "notebooks": notebooks,
            "demo_sources": {n: cells.demo_sources(nb["cells"]) for n, nb in notebooks.items()},
            "references": DAY.reference_files_before(), "limits": {}, "isolate": True,
            "budgets": budgets}
    start = time.monotonic()
    result = pipeline.judge_task(task)
    return result, time.monotonic() - start


def _scores(result, notebooks):
    out = {}
    for name, nb in notebooks.items():
        outputs = result["notebooks"][name]["grade_outputs"]
        for c in nb["cells"]:
            if cells.role(c) == cells.TEST:
                gid = cells.grade_id(c)
                points = float(cells.nbgrader_meta(c).get("points", 0))
                out[gid] = (score_of(outputs[gid], points), points)
    return out


def test_the_model_times_cover_every_answer_cell_and_test(budgets):
    solved = _solved()
    assert set(budgets) == set(solved)
    for name, nb in solved.items():
        answers = {cells.grade_id(c) for c in nb["cells"] if cells.role(c) == cells.ANSWER}
        tests = {cells.grade_id(c) for c in nb["cells"] if cells.role(c) == cells.TEST}
        assert set(budgets[name]["cells"]) == answers
        assert set(budgets[name]["tests"]) == tests


def test_a_top_level_hang_in_every_notebook_costs_seconds(budgets):
    notebooks = _solved()
    hung = {}
    for name, nb in notebooks.items():
        cell = _first_answer(nb)
        cell["source"] = cells.source(cell) + "\n\nwhile True:\n    pass\n"
        hung[name] = cells.defined_functions(cells.source(cell))
    result, seconds = _judge(notebooks, budgets)
    assert seconds < 30, f"judged in {seconds:.1f} s"
    scores = _scores(result, notebooks)
    for name, nb in notebooks.items():
        judged = result["notebooks"][name]
        assert any("ran longer than" in e["message"] and "the model answer takes" in e["message"]
                   for e in judged["events"]), judged["events"]
        for fn in hung[name]:
            assert scores[f"test_{fn}"][0] == 0
    kept = [gid for gid, (got, pts) in scores.items() if got == pts]
    assert len(kept) >= len(scores) - 2 * len(notebooks) - 4, scores


def test_a_function_that_hangs_is_waited_for_once(budgets):
    notebooks = _solved()
    hung = {}
    for name, nb in notebooks.items():
        cell = _first_answer(nb)
        fn = cells.defined_functions(cells.source(cell))[0]
        cell["source"] = cells.source(cell) + (f"\n\n\ndef {fn}(*args, **kw):\n"
                                               f"    while True:\n        pass\n")
        hung[name] = fn
    result, seconds = _judge(notebooks, budgets)
    assert seconds < 30, f"judged in {seconds:.1f} s"
    scores = _scores(result, notebooks)
    for name, fn in hung.items():
        judged = result["notebooks"][name]
        timeouts = [e for e in judged["events"] if e["kind"] == "timeout"]
        assert len(timeouts) == 1, judged["events"]         # waited for once per notebook
        assert scores[f"test_{fn}"][0] == 0
        own = json.dumps(judged["grade_outputs"][f"test_{fn}"])
        assert f"{fn}: ran longer than" in own and "model answer" in own, own
        # every later test that needs it (directly, or through the student's functions
        # that call it) fails at once instead of waiting again
        later = [json.dumps(o) for g, o in judged["grade_outputs"].items()
                 if g != f"test_{fn}" and "not run again" in json.dumps(o)]
        assert all(f"{fn} ran longer than" in o for o in later)
    full = sum(1 for got, pts in scores.values() if got == pts)
    assert full >= len(scores) // 2, scores


def test_a_call_that_swallows_the_interrupt_is_stopped_all_the_same():
    from test_judge import notebook

    from grader.judge.runner import GRACE, judge_notebook
    from grader.judge.sandbox import Limits, stray_processes

    stubborn = ("def square(x):\n"
                "    while True:\n"
                "        try:\n"
                "            while True:\n"
                "                pass\n"
                "        except BaseException:\n"
                "            pass\n")
    limits = Limits(call_seconds=3.0, cell_seconds=10.0, memory_bytes=1 << 30)
    start = time.monotonic()
    judged = judge_notebook(notebook(stubborn), limits=limits)
    seconds = time.monotonic() - start
    assert score_of(judged.grade_outputs["test_square"], 2) == 0
    assert score_of(judged.grade_outputs["test_cube"], 1) == 1      # the sandbox restarted
    assert [e["kind"] for e in judged.events] == ["timeout"]
    assert seconds < 3.0 + GRACE + 15, seconds
    assert stray_processes() == []
