"""`grader check`'s verdict on each wrong answer, judged alone, on a tiny synthetic day.

One notebook: ``clip01`` (clip to [0, 1]) with a test whose visible part tries a few
values and whose hidden part tries the edges; ``double`` after it, which calls nothing.
Three wrong answers: one the visible part sees, one only the hidden part sees, one that
neither sees (MISSED). A fourth breaks ``clip01`` in a way that also costs the test of
a later exercise: it must still be charged to its own exercise's tiers only.
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import check
from grader.days import Day
from grader.notebooks import WrongAnswer

SETUP = "import numpy as np\n"
ANSWER_CLIP = ("def clip01(x):\n"
               "    return np.minimum(np.maximum(x, 0.0), 1.0)\n")
ANSWER_TWICE = ("def twice_clipped(x):\n"
                "    return 2 * clip01(x)\n")
TEST_CLIP = """import numpy as np
x = np.array([-0.5, 0.25, 0.75, 2.0])
assert np.array_equal(clip01(x), np.array([0.0, 0.25, 0.75, 1.0])), "wrong values"
### BEGIN HIDDEN TESTS
edge = np.array([0.0, 1.0, -1e300, 1e300, 0.1])
out = clip01(edge)
assert out.dtype == np.float64, "dtype"
assert np.array_equal(out, np.array([0.0, 1.0, 0.0, 1.0, 0.1])), "wrong at the edges"
### END HIDDEN TESTS
"""
TEST_TWICE = """import numpy as np
assert np.array_equal(twice_clipped(np.array([0.25, 3.0])), np.array([0.5, 2.0]))
"""


def _cell(source, kind=None, gid=None, points=0):
    cell = new_code_cell(source)
    if gid:
        meta = {"grade_id": gid, "schema_version": 3, "locked": kind != "answer",
                "solution": kind == "answer", "grade": kind == "test"}
        if kind == "test":
            meta["points"] = points
        cell.metadata["nbgrader"] = meta
    return cell


def solved():
    return new_notebook(cells=[
        _cell(SETUP, "setup", "setup"),
        _cell(ANSWER_CLIP, "answer", "clip01"),
        _cell(TEST_CLIP, "test", "test_clip01", 2),
        _cell(ANSWER_TWICE, "answer", "twice_clipped"),
        _cell(TEST_TWICE, "test", "test_twice_clipped", 1),
    ])


def clip_no_upper(x):
    return np.maximum(x, 0.0)


def clip_in_float32(x):
    return np.minimum(np.maximum(x.astype(np.float32), 0.0), 1.0).astype(np.float64)


def clip_with_where(x):
    return np.where(x < 0, 0.0, np.where(x > 1, 1.0, x))


def twice_not_clipped(x):
    return 2 * x


import numpy as np  # noqa: E402  (the wrong answers above read np from here)

WRONGS = [WrongAnswer("clip01:no_upper", "clip01", "no upper bound", clip_no_upper),
          WrongAnswer("clip01:float32", "clip01", "computed in float32", clip_in_float32),
          WrongAnswer("clip01:where", "clip01", "the same clip written with where", clip_with_where),
          WrongAnswer("twice_clipped:unclipped", "twice_clipped", "not clipped", twice_not_clipped)]


@pytest.fixture(scope="module")
def verdicts():
    return {v.wrong.name: v for v in check.judge_wrong_answers(
        Day.named("day1_forward"), {"tiny.ipynb": solved()}, WRONGS, workers=1)}


def test_a_bug_the_visible_tests_see(verdicts):
    v = verdicts["clip01:no_upper"]
    assert v.tier == check.VISIBLE
    assert ("test_clip01", 2.0, "visible") in v.lost
    # judged alone, a later exercise that calls it loses too, and is listed
    assert ("test_twice_clipped", 1.0, "visible") in v.lost


def test_a_bug_only_the_hidden_tests_see(verdicts):
    v = verdicts["clip01:float32"]
    assert v.tier == check.HIDDEN
    assert v.lost == [("test_clip01", 2.0, "hidden")]


def test_a_bug_no_test_sees_is_missed_and_fails_the_check(verdicts):
    v = verdicts["clip01:where"]
    assert v.tier == check.MISSED and v.lost == [] and v.error is None
    report = check.CheckReport("tiny", rows=[("tiny", "test_clip01", 2, 2, 0)],
                               wrong=list(verdicts.values()))
    assert not report.ok
    assert report.counts() == {check.VISIBLE: 2, check.HIDDEN: 1, check.MISSED: 1}
    text = report.format()
    assert "caught by the visible tests: 2; caught only by the hidden tests: 1 (25%); missed: 1" \
        in text
    assert "check FAILED" in text


def test_only_the_tests_after_the_target_run(verdicts):
    # twice_clipped's answer comes after test_clip01: a wrong twice_clipped is judged by the
    # tests below it only, so test_clip01 is not even run for it.
    v = verdicts["twice_clipped:unclipped"]
    assert v.tier == check.VISIBLE and [gid for gid, _, _ in v.lost] == ["test_twice_clipped"]
    nb = check.wrong_answer_notebook(solved(), WRONGS[3])
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb["cells"]]
    assert "test_clip01" not in ids and "test_twice_clipped" in ids


def test_a_hidden_part_followed_by_visible_code_is_reported():
    nb = solved()
    nb.cells[2].source = TEST_CLIP + "assert clip01(np.zeros(1))[0] == 0\n"
    problems = check.hidden_part_not_last({"tiny.ipynb": nb})
    assert problems and "test_clip01" in problems[0]
    assert check.hidden_part_not_last({"tiny.ipynb": solved()}) == []


def test_the_hidden_share_is_reported():
    v = check.WrongVerdict(WRONGS[0], lost=[("test_clip01", 2.0, "visible")])
    report = check.CheckReport("tiny", rows=[("tiny", "test_clip01", 2, 2, 0)], wrong=[v] * 4)
    assert not report.hidden_share_ok and not report.ok
    assert "fewer than 25%" in report.format() and "check FAILED" in report.format()
    hidden = check.WrongVerdict(WRONGS[1], lost=[("test_clip01", 2.0, "hidden")])
    report.wrong = [v] * 3 + [hidden]
    assert report.hidden_share_ok and report.ok


# --- an exercise one call away ---------------------------------------------------------

ANSWER_SQUASH = "def squash(z):\n    return 1.0 / (1.0 + np.exp(-z))\n"
TEST_SQUASH = """import numpy as np
z = np.linspace(-3.0, 3.0, 7)
assert np.allclose(squash(z), 1.0 / (1.0 + np.exp(-z)))
"""

def _squash_notebook(test):
    return new_notebook(cells=[_cell(SETUP, "setup", "setup"),
                               _cell(ANSWER_SQUASH, "answer", "squash"),
                               _cell(test, "test", "test_squash", 1)])


def test_an_exercise_that_an_earlier_days_function_solves_is_found():
    from grader.shortcuts import find_shortcuts

    # Day 2's release ships Day 1's reference, whose sigmoid is this exercise.
    found = find_shortcuts(Day.named("day2_backprop"), {"s.ipynb": _squash_notebook(TEST_SQUASH)})
    assert "solutions.day1_forward.sigmoid" in [s.by for s in found]
    assert {s.function for s in found} == {"squash"}
    # On Day 1 nothing earlier is shipped, and the toolkit holds no logistic.
    assert find_shortcuts(Day.named("day1_forward"),
                          {"s.ipynb": _squash_notebook(TEST_SQUASH)}) == []
