"""The judge against hostile and broken student code.

Each test judges a small notebook in the course's cell conventions: a locked
setup cell, the student's answer cells, and trusted test cells.  The cheat must
score nothing on what it targets, its honest neighbours exactly what they
deserve, and no process may outlive the grading.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from grader.days import Day
from grader.judge import runner, sanitize
from grader.judge.runner import judge_notebook, score_of
from grader.judge.sandbox import Limits, bubblewrap, stray_processes

needs_bwrap = pytest.mark.skipif(bubblewrap() is None,
                                 reason="bubblewrap is not installed (apt-get install bubblewrap)")

HONEST_CUBE = "def cube(x):\n    return x ** 3\n"

TEST_SQUARE = '''import numpy as np
x = np.linspace(-3, 3, 7)
out = square(x)
assert isinstance(out, np.ndarray), f"square must return an array, got {type(out).__name__}"
assert out.shape == x.shape, f"shape {out.shape}, expected {x.shape}"
assert np.allclose(out, x ** 2), "wrong values"
### BEGIN HIDDEN TESTS
SECRET_HIDDEN_MARKER = "hidden-7f3a"
y = np.random.default_rng(0).normal(size=(3, 4))
assert np.allclose(square(y), y ** 2), "wrong values on a random matrix"
### END HIDDEN TESTS
'''

TEST_CUBE = '''import numpy as np
x = np.arange(-2.0, 3.0)
assert np.array_equal(np.asarray(cube(x)), x ** 3), "wrong cube"
'''


def cell(kind, source, gid=None, points=0, tags=None):
    meta = {}
    if gid:
        nbg = {"grade_id": gid, "schema_version": 3, "grade": False, "solution": False,
               "locked": False}
        if kind == "setup":
            nbg["locked"] = True
        elif kind == "answer":
            nbg["solution"] = True
        elif kind == "test":
            nbg.update(grade=True, locked=True, points=points)
        meta["nbgrader"] = nbg
    if tags:
        meta["tags"] = tags
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [],
            "execution_count": None}


def notebook(square_source, cube_source=HONEST_CUBE, extra=()):
    cells = [cell("setup", "import numpy as np\n%matplotlib inline", "setup"),
             cell("answer", square_source, "square"),
             cell("test", TEST_SQUARE, "test_square", 2),
             cell("answer", cube_source, "cube"),
             cell("test", TEST_CUBE, "test_cube", 1),
             cell("demo", "print(square(np.ones(2)))", tags=["demo"]),
             *extra]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


FAST = Limits(call_seconds=5.0, cell_seconds=10.0, memory_bytes=1 << 30)


def judge(square_source, cube_source=HONEST_CUBE, extra=(), limits=FAST):
    judged = judge_notebook(notebook(square_source, cube_source, extra), limits=limits)
    scores = {gid: score_of(out, pts) for gid, out, pts in
              [("test_square", judged.grade_outputs["test_square"], 2),
               ("test_cube", judged.grade_outputs["test_cube"], 1)]}
    return judged, scores


def all_text(judged) -> str:
    import json

    return json.dumps(judged.to_json())


@pytest.fixture(autouse=True)
def no_strays():
    yield
    time.sleep(0.1)
    assert stray_processes() == [], "a sandbox process outlived its grading"


# --- honest work ------------------------------------------------------------------------


def test_honest_answers_get_every_point_and_stubs_none():
    _, scores = judge("def square(x):\n    return x * x\n")
    assert scores == {"test_square": 2, "test_cube": 1}
    _, scores = judge("def square(x):\n    raise NotImplementedError()\n",
                      "def cube(x):\n    raise NotImplementedError()\n")
    assert scores == {"test_square": 0, "test_cube": 0}


def test_a_warning_on_stderr_does_not_cost_points():
    judged, scores = judge("import warnings\ndef square(x):\n"
                           "    warnings.warn('just so you know')\n    import sys\n"
                           "    print('to stderr', file=sys.stderr)\n    return x * x\n")
    assert scores["test_square"] == 2


HIDDEN_CALL = "assert np.allclose(square(y), y ** 2)"


@pytest.mark.parametrize("stacklevel", [1, 2, 3])
def test_a_warning_from_student_code_shows_no_line_of_a_hidden_test(stacklevel):
    judged, scores = judge(f"import warnings\ndef square(x):\n"
                           f"    warnings.warn('from square', stacklevel={stacklevel})\n"
                           f"    return x * x\n")
    assert scores["test_square"] == 2
    text = all_text(judged)
    assert "from square" in text                 # the warning itself is shown
    assert HIDDEN_CALL not in text and "hidden-7f3a" not in text


@pytest.mark.parametrize("raising", [
    "raise ValueError('bad x')",                        # a built-in exception, re-raised here
    "class Oops(Exception):\n        pass\n    raise Oops('mine')",   # the student's own
    "import numpy as np\n    return np.log(-x)",        # a NumPy warning, raised in the sandbox
])
def test_an_exception_or_warning_in_a_hidden_test_shows_no_line_of_it(raising):
    # Fails only on the hidden test's random matrix (2-D), so the failure happens there.
    source = (f"def square(x):\n    if x.ndim == 2:\n        pass\n    else:\n"
              f"        return x * x\n    {raising}\n    return x * x\n")
    judged, _ = judge(source)
    text = all_text(judged)
    assert HIDDEN_CALL not in text and "hidden-7f3a" not in text, text


def test_a_warning_of_the_hidden_test_itself_shows_no_line_of_it():
    nb = notebook("def square(x):\n    return x * x\n")
    nb["cells"][2]["source"] = nb["cells"][2]["source"].replace(
        "### END HIDDEN TESTS", "np.log(-square(y)).sum()\n### END HIDDEN TESTS")
    judged = judge_notebook(nb, limits=FAST)
    text = all_text(judged)
    assert "RuntimeWarning" in text and "np.log(-square(y))" not in text, text


def test_a_student_print_is_shown_but_bounded():
    judged, scores = judge("def square(x):\n    print('x' * 10**6)\n    return x * x\n")
    assert scores["test_square"] == 2
    assert len(all_text(judged)) < 200_000


def test_in_place_change_of_an_argument_is_seen_by_the_test():
    test = ("import numpy as np\nx = np.ones(3)\nsquare(x)\n"
            "assert np.array_equal(x, np.ones(3)), 'square changed its input'\n")
    nb = notebook("def square(x):\n    x *= 2\n    return x * x\n")
    nb["cells"][2]["source"] = test
    judged = judge_notebook(nb, limits=FAST)
    assert score_of(judged.grade_outputs["test_square"], 2) == 0
    assert "changed its input" in all_text(judged)


# --- the cheats of the issue --------------------------------------------------------------


@pytest.mark.parametrize("name, source", [
    ("monkeypatched np.allclose", "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                  "np.testing.assert_allclose = lambda *a, **k: None\n"
                                  "def square(x):\n    return x + 1\n"),
    ("object equal to everything", "class Yes:\n    def __eq__(self, o): return True\n"
                                   "    def __array__(self, *a, **k):\n"
                                   "        import numpy as np; return np.zeros(7)\n"
                                   "    shape = (7,)\n"
                                   "def square(x):\n    return Yes()\n"),
    ("ndarray subclass that compares true", "import numpy as np\n"
                                            "class Yes(np.ndarray):\n"
                                            "    def __eq__(self, o): return np.ones(self.shape, bool)\n"
                                            "def square(x):\n    return np.zeros_like(x).view(Yes)\n"),
    ("IPython transformer", "get_ipython().ast_transformers.append(None)\n"
                            "def square(x):\n    return x\n"),
    ("builtins patched", "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n"
                         "builtins.isinstance = lambda *a: True\n"
                         "def square(x):\n    return x\n"),
    ("answer from torch", "import torch\ndef square(x):\n"
                          "    return torch.tensor(x).pow(2).numpy()\n"),
    ("reads the reference", "def square(x):\n"
                            "    from solutions.day1_forward import relu\n    return relu(x)\n"),
])
def test_cheats_score_zero_and_the_honest_cell_keeps_its_point(name, source):
    judged, scores = judge(source)
    assert scores == {"test_square": 0, "test_cube": 1}, name


def test_torch_gets_a_clear_message():
    judged, _ = judge("import torch\ndef square(x):\n    return torch.tensor(x)\n")
    assert "not available to graded code" in all_text(judged)
    assert "use numpy" in all_text(judged)


@needs_bwrap
def test_hidden_tests_sources_and_gradebook_are_out_of_sight(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("SECRET-GRADEBOOK-CONTENT")
    repo = Path(__file__).resolve().parent.parent
    source = f'''import glob, os
seen = []
for path in [{str(secret)!r}, {str(repo / "solutions" / "day1_forward.py")!r}]:
    try:
        seen.append(open(path).read()[:200])
    except OSError as exc:
        seen.append(type(exc).__name__)
seen += glob.glob({str(repo)!r} + "/*") + glob.glob("/work/*") + glob.glob("/root/*")
def square(x):
    print("SEEN", seen)
    return x * x
'''
    judged, scores = judge(source)
    text = all_text(judged)
    assert "SEEN" in text                  # the student's print did reach the output
    assert "SECRET-GRADEBOOK-CONTENT" not in text
    assert "def sigmoid" not in text and "ANSWERS" not in text
    assert "hidden-7f3a" not in "".join(c["stdout"] for c in judged.cell_results)
    assert str(repo / "day1_forward") not in text
    assert secret.read_text() == "SECRET-GRADEBOOK-CONTENT"


@needs_bwrap
def test_a_detached_process_cannot_outlive_grading_or_touch_the_gradebook(tmp_path):
    target = tmp_path / "gradebook.db"
    target.write_text("original")
    marker = f"detached-{uuid.uuid4().hex[:8]}"
    source = f'''import subprocess
subprocess.Popen(["sh", "-c", "sleep 2; echo hacked > {target}; : {marker}"],
                 start_new_session=True)
import json
import os
if os.fork() == 0:
    os.setsid()
    import time
    time.sleep(2)
    open({str(target)!r}, "w").write("hacked")
    os._exit(0)
def square(x):
    return x * x
'''
    judged, scores = judge(source)
    time.sleep(3)
    assert target.read_text() == "original"
    leftovers = []
    for pid in os.listdir("/proc"):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                leftovers.append(pid)
        except (OSError, ValueError):
            pass
    assert leftovers == []


@needs_bwrap
def test_no_network_and_nothing_of_the_grader_in_the_environment():
    source = '''import os, socket
env = dict(os.environ)
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    net = "connected"
except OSError as exc:
    net = type(exc).__name__
try:
    socket.getaddrinfo("pypi.org", 443)
    dns = "resolved"
except OSError as exc:
    dns = type(exc).__name__
def square(x):
    print("ENV", sorted(env), "NET", net, "DNS", dns)
    return x * x
'''
    judged, scores = judge(source)
    text = all_text(judged)
    assert "NET connected" not in text and "DNS resolved" not in text
    out = next(o["text"] for o in judged.grade_outputs["test_square"]
               if o["output_type"] == "stream")
    env_names = eval(out.split("ENV ", 1)[1].split(" NET", 1)[0])
    assert not [n for n in env_names if "NBGRADER" in n or "JUPYTER" in n or "PYTEST" in n
                or n.startswith("BACKPROP")], env_names
    assert scores["test_square"] == 2


@pytest.mark.parametrize("name, source", [
    ("endless loop", "def square(x):\n    while True:\n        pass\n"),
    ("loop that ignores Ctrl-C", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                 "def square(x):\n    while True:\n        pass\n"),
    ("memory bomb", "def square(x):\n    blocks = []\n    while True:\n"
                    "        blocks.append(bytearray(1 << 28))\n"),
    ("os._exit", "import os\ndef square(x):\n    os._exit(3)\n"),
    ("SIGKILL of itself", "import os, signal\ndef square(x):\n"
                          "    os.kill(os.getpid(), signal.SIGKILL)\n"),
    ("fork bomb", "import os\ndef square(x):\n    while True:\n        try:\n"
                  "            os.fork()\n        except OSError:\n            pass\n"),
    ("output flood", "import sys\ndef square(x):\n    while True:\n"
                     "        sys.stdout.write('spam' * 10000)\n"),
])
def test_a_failure_costs_only_the_test_it_happens_in(name, source):
    start = time.monotonic()
    judged, scores = judge(source)
    assert scores == {"test_square": 0, "test_cube": 1}, name
    square_out = all_text(judged).split('"test_cube"')[0]
    assert judged.events or "MemoryError" in square_out, f"{name}: the failure is reported"
    assert time.monotonic() - start < 60
    assert len(all_text(judged)) < 200_000


def test_an_endless_answer_cell_is_charged_once_and_the_other_tests_run():
    limits = Limits(call_seconds=5.0, cell_seconds=4.0, memory_bytes=1 << 30)
    start = time.monotonic()
    judged, scores = judge("def square(x):\n    return x * x\n",
                           "while True:\n    pass\ndef cube(x):\n    return x ** 3\n",
                           limits=limits)
    seconds = time.monotonic() - start
    assert scores == {"test_square": 2, "test_cube": 0}
    cube_out = all_text(judged)
    assert "cube was not graded" in cube_out and "never finished" in cube_out
    # Found once: one timeout, not one per test; so well under two cell budgets.
    assert [e["kind"] for e in judged.events] == ["timeout"], judged.events
    assert seconds < 2 * limits.cell_seconds + 4, seconds


def test_a_function_its_failing_cell_never_defined_says_why():
    judged, scores = judge("def square(x):\n    return x * x\n",
                           "raise ValueError('oops in my cell')\ndef cube(x):\n    return x ** 3\n")
    assert scores == {"test_square": 2, "test_cube": 0}
    assert "cube was not graded" in all_text(judged) and "oops in my cell" in all_text(judged)


def test_a_submission_never_outlasts_its_budget():
    limits = Limits(call_seconds=5.0, cell_seconds=60.0, submission_seconds=5.0,
                    memory_bytes=1 << 30)
    start = time.monotonic()
    judged, scores = judge("import time\ntime.sleep(3)\ndef square(x):\n    return x * x\n",
                           "while True:\n    pass\ndef cube(x):\n    return x ** 3\n",
                           limits=limits)
    seconds = time.monotonic() - start
    assert seconds < limits.submission_seconds + 4, seconds
    assert scores == {"test_square": 0, "test_cube": 0}
    assert "time budget of 5 s" in all_text(judged)


def test_a_crash_while_loading_costs_nothing_else():
    judged, scores = judge("import os\nos._exit(1)\ndef square(x):\n    return x * x\n")
    # The sandbox died while running the student's cells: nothing could be graded,
    # and the report says so instead of hanging or raising.
    assert scores["test_square"] == 0
    assert judged.events


def test_suspicious_code_is_flagged():
    judged, _ = judge("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                      "import sys\nsys.modules['x'] = None\n"
                      "def square(x):\n    get_ipython()\n    return x * x\n")
    kinds = {s["kind"] for s in judged.suspicious}
    whats = " | ".join(s["what"] for s in judged.suspicious)
    assert {runner.PATCHES, runner.INTERPRETER, runner.KERNEL} <= kinds, whats
    assert "np.allclose" in whats and "sys.modules" in whats and "get_ipython" in whats
    clean, _ = judge("def square(x):\n    return x * x\n")
    assert clean.suspicious == []


def test_an_honest_student_using_sys_os_and_warnings_is_not_flagged():
    honest = ("import sys, os, warnings, math\nfrom os import path\n"
              "def square(x):\n    print('progress', file=sys.stderr)\n"
              "    warnings.warn('a note')\n    here = os.path.join('a', 'b')\n"
              "    names = ['a']\n    names.remove('a')\n    return x * x\n")
    judged, scores = judge(honest)
    assert scores["test_square"] == 2
    assert judged.suspicious == [], judged.suspicious


def test_flags_are_one_line_per_kind_per_student():
    from grader.judge.pipeline import SubmissionReport

    judged, _ = judge("import subprocess\nimport numpy as np\n"
                      "def square(x):\n    subprocess.run(['true'])\n"
                      "    subprocess.Popen(['true'])\n    return x * x\n",
                      "import subprocess\ndef cube(x):\n    return x ** 3\n")
    report = SubmissionReport("s", "d", [], {"nb.ipynb": judged.to_json()})
    lines = report.tampering
    assert len(lines) == 1 and lines[0].startswith(runner.PROCESSES), lines
    assert "more place" in lines[0]


# --- malformed submissions ------------------------------------------------------------------


def _release():
    nb = notebook("def square(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
                  "def cube(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_square":
            c["source"] = TEST_SQUARE.split("### BEGIN HIDDEN TESTS")[0]
    return nb


def submission(square_source, cube_source=HONEST_CUBE):
    """The release as a student would hand it in, with these answers."""
    nb = _release()
    nb["cells"][1]["source"] = square_source
    nb["cells"][3]["source"] = cube_source
    return nb


GRADEBOOK = {"setup": "import numpy as np\n%matplotlib inline", "test_square": TEST_SQUARE,
             "test_cube": TEST_CUBE}


def _write(folder: Path, name: str, data):
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())


def _sanitized_scores(folder):
    result = sanitize.sanitize(folder, {"nb.ipynb": _release()}, {"nb.ipynb": GRADEBOOK})
    nb = result.notebooks["nb.ipynb"]
    judged = judge_notebook(dict(nb), limits=FAST)
    scores = {g: score_of(judged.grade_outputs[g], p)
              for g, p in (("test_square", 2), ("test_cube", 1))}
    return result, scores


def test_edited_tests_and_points_are_restored(tmp_path):
    nb = submission("def square(x):\n    return x + 0\n")
    nb["cells"][2]["source"] = "pass  # test removed\n"
    nb["cells"][2]["metadata"]["nbgrader"]["points"] = 100
    _write(tmp_path, "nb.ipynb", nb)
    result, scores = _sanitized_scores(tmp_path)
    assert scores == {"test_square": 0, "test_cube": 1}
    kinds = [(f.kind, f.tampering) for f in result.findings]
    assert ("restored", True) in kinds
    text = " ".join(f.message for f in result.findings)
    assert "points" in text and "test_square" in text


def test_duplicate_graded_cell_does_not_stop_grading(tmp_path):
    nb = submission("def square(x):\n    return x * x\n")
    nb["cells"].append(dict(nb["cells"][1], source="def square(x):\n    return x * x * 1.0\n"))
    nb["cells"].append(dict(nb["cells"][2]))          # a copied test cell
    _write(tmp_path, "nb.ipynb", nb)
    result, scores = _sanitized_scores(tmp_path)
    assert scores == {"test_square": 2, "test_cube": 1}
    assert sum(f.kind == "duplicate" for f in result.findings) == 2


def test_deleted_cells_come_back_empty(tmp_path):
    nb = submission("def square(x):\n    return x * x\n")
    del nb["cells"][3:5]                             # the cube answer and its test
    _write(tmp_path, "nb.ipynb", nb)
    result, scores = _sanitized_scores(tmp_path)
    assert scores == {"test_square": 2, "test_cube": 0}
    assert {f.kind for f in result.findings} == {"missing"}


@pytest.mark.parametrize("payload, kind", [
    (b'{"cells": [', "unreadable"),
    (b"\x00\x00\x00", "unreadable"),
    (b"[1, 2, 3]", "unreadable"),
])
def test_unreadable_files_are_graded_as_empty(tmp_path, payload, kind):
    _write(tmp_path, "nb.ipynb", payload)
    result, scores = _sanitized_scores(tmp_path)
    assert scores == {"test_square": 0, "test_cube": 0}
    assert result.unreadable == ["nb.ipynb"]
    assert any(f.kind == kind for f in result.findings)


def test_null_bytes_inside_a_good_notebook_are_removed(tmp_path):
    import json

    raw = json.dumps(submission("def square(x):\n    return x * x\n")).encode()
    raw = raw.replace(b'"cells"', b'\x00"cells"', 1)
    _write(tmp_path, "nb.ipynb", raw)
    result, scores = _sanitized_scores(tmp_path)
    assert scores == {"test_square": 2, "test_cube": 1}
    assert any("null bytes" in f.message for f in result.findings)


def test_a_renamed_notebook_is_found_by_its_cells(tmp_path):
    _write(tmp_path, "nb (copy 2).ipynb", submission("def square(x):\n    return x * x\n"))
    _write(tmp_path, "scratch.ipynb", {"cells": [], "metadata": {}, "nbformat": 4,
                                       "nbformat_minor": 5})
    result, scores = _sanitized_scores(tmp_path)
    assert scores == {"test_square": 2, "test_cube": 1}
    kinds = {f.kind for f in result.findings}
    assert {"renamed", "extra"} <= kinds


def test_plan_skips_demo_cells_and_keeps_added_ones():
    nb = notebook("def square(x):\n    return x * x\n",
                  extra=[cell("added", "HELPER = 3\n")])
    cells, tests = runner.cells_to_judge(nb)
    ids = [c for c, _ in cells]
    assert ids == ["0:setup", "1:square", "3:cube", "6:added"]
    assert [g for g, _ in tests] == ["test_square", "test_cube"]


def test_earlier_days_references_are_importable_and_later_ones_are_not():
    source = ("from solutions.day1_forward import sigmoid\n"
              "try:\n    from solutions.day2_backprop import sigmoid_backward\n"
              "    LATER = 'imported'\n"
              "except ImportError as exc:\n    LATER = 'blocked'\n"
              "def square(x):\n    print('LATER', LATER)\n    return x * x\n")
    judged = judge_notebook(notebook(source), limits=FAST, references=[str(Day.named("day1_forward").reference_file)])
    assert score_of(judged.grade_outputs["test_square"], 2) == 2
    assert "LATER blocked" in all_text(judged)
    judged = judge_notebook(notebook(source), limits=FAST, references=[])
    assert score_of(judged.grade_outputs["test_square"], 2) == 0   # day 1 itself: no reference


SQUARE_OF = "def square(x):\n    return x * x\ndef square_of(f, x):\n    return f(x) ** 2\n"


def square_test_score(test, answers=SQUARE_OF, cube_source=HONEST_CUBE):
    """test_square's score when its source is ``test``."""
    nb = notebook(answers, cube_source)
    nb["cells"][2]["source"] = test
    judged = judge_notebook(nb, limits=FAST)
    return score_of(judged.grade_outputs["test_square"], 2), all_text(judged)


def test_a_test_may_ship_its_own_function_to_the_student_code():
    score, text = square_test_score(
        "import numpy as np\ndef halve(v):\n    return v / 2\n"
        "assert np.allclose(square_of(halve, np.array([2.0, 4.0])), [1.0, 4.0])\n")
    assert score == 2, text


def test_a_test_may_pass_one_student_function_to_another():
    # Day 3's training loop takes the student's optimizer; Day 4's network the student's layers.
    test = ("import numpy as np\n"
            "assert np.allclose(square_of(cube, np.array([1.0, 2.0])), [1.0, 64.0])\n")
    score, text = square_test_score(test)
    assert score == 2, text
    # The student's function runs in the sandbox: a wrong cube counts against the student.
    score, _ = square_test_score(test, cube_source="def cube(x):\n    return x\n")
    assert score == 0


def test_overflow_is_seen_by_the_test_as_in_a_kernel():
    naive = "import numpy as np\ndef square(x):\n    return 1.0 / (1.0 + np.exp(-x)) * 0 + x * x\n"
    raising = ("import numpy as np\nz = np.array([-1000.0])\n"
               "with np.errstate(over='raise'):\n"
               "    try:\n        square(z)\n        raised = False\n"
               "    except FloatingPointError:\n        raised = True\n"
               "assert raised, 'np.errstate did not reach the student code'\n")
    warned = ("import warnings\nimport numpy as np\n"
              "with warnings.catch_warnings(record=True) as caught:\n"
              "    warnings.simplefilter('always')\n    square(np.array([-1000.0]))\n"
              "assert any(issubclass(w.category, RuntimeWarning) for w in caught), caught\n")
    for test in (raising, warned):
        nb = notebook(naive)
        nb["cells"][2]["source"] = test
        judged = judge_notebook(nb, limits=FAST)
        assert score_of(judged.grade_outputs["test_square"], 2) == 2, all_text(judged)


@pytest.fixture
def busy_cores():
    """Both cores kept busy by other processes, as on a shared machine."""
    import subprocess
    import sys

    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
             for _ in range(os.cpu_count() or 2)]
    yield
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("load", [False, True], ids=["idle", "busy-cores"])
def test_a_dying_worker_costs_only_its_own_submission(load, request):
    from dying_worker import judge_or_die
    from grader.judge.pipeline import run_tasks

    if load:
        request.getfixturevalue("busy_cores")
    students = ("a", "killer", "b", "c", "d")
    tasks = [{"student": s, "day": "day1_forward", "notebooks": {"nb.ipynb": {}}}
             for s in students]
    results = {r["student"]: r for r in run_tasks(tasks, workers=2, fn=judge_or_die)}
    assert set(results) == set(students)
    for bystander in ("a", "b", "c", "d"):
        assert results[bystander]["notebooks"] == {}, results[bystander]
    assert "worker failed" in results["killer"]["notebooks"]["nb.ipynb"]["error"]


def test_without_bubblewrap_the_judge_says_so_once_and_still_grades(monkeypatch, capsys):
    from grader.judge import sandbox

    monkeypatch.setattr(sandbox, "bubblewrap", lambda: None)
    monkeypatch.setattr(sandbox, "_warned", False)
    _, scores = judge("def square(x):\n    return x * x\n")
    _, again = judge("def square(x):\n    return x + 1\n")
    err = capsys.readouterr().err
    assert err.count("bubblewrap (bwrap) is not installed") == 1
    assert scores == {"test_square": 2, "test_cube": 1}
    assert again == {"test_square": 0, "test_cube": 1}


def test_notebooks_of_one_submission_share_a_sandbox_but_not_a_namespace(monkeypatch):
    """The second notebook reuses the sandbox (no new interpreter), and sees nothing the
    first defined or patched: its tests run as in a fresh kernel."""
    from grader.judge import pipeline, sandbox

    starts = []
    original = sandbox.Sandbox.start
    monkeypatch.setattr(sandbox.Sandbox, "start",
                        lambda self: (starts.append(1), original(self))[1])
    leaky = ("import builtins\nbuiltins.len = lambda x: 0\n"
             "def cube(x):\n    return x ** 3\n"
             "def helper_from_the_first(x):\n    return x\n")
    first = notebook("def square(x):\n    return x * x\n", leaky)
    # The second notebook's square calls a function only the first notebook defines,
    # and its cube test relies on the real len.
    second = notebook("def square(x):\n    return helper_from_the_first(x) ** 2\n",
                      "def cube(x):\n    assert len([1, 2]) == 2, 'len was patched'\n"
                      "    return x ** 3\n")
    task = {"student": "s", "day": "day1_forward",
            "notebooks": {"01.ipynb": first, "02.ipynb": second}, "demo_sources": {},
            "references": [], "limits": {"call_seconds": 5.0, "cell_seconds": 10.0}}
    out = pipeline.judge_task(task)
    scores = {nb: {gid: score_of(o, 1) for gid, o in res["grade_outputs"].items()}
              for nb, res in out["notebooks"].items()}
    assert len(starts) == 1, f"{len(starts)} sandboxes started for one submission"
    assert scores["01.ipynb"] == {"test_square": 1, "test_cube": 1}, out
    assert scores["02.ipynb"]["test_square"] == 0
    assert "helper_from_the_first" in json.dumps(out["notebooks"]["02.ipynb"])
    assert scores["02.ipynb"]["test_cube"] == 1, out["notebooks"]["02.ipynb"]


# --- a graded exercise is not solved by calling the course's own copy of it ---------------

REL_TEST = '''import numpy as np
a, b = np.array([1.0, 2.0]), np.array([1.0, 2.2])
assert abs(relative_error(a, b) - 0.2 / 4.2) < 1e-12, "wrong relative error"
'''
SQUARE_USES_TOOLKIT = ("def square(x):\n    out = x * x\n"
                       "    assert checks.relative_error(out, x ** 2) < 1e-12\n"
                       "    checks.assert_shape(out, x.shape)\n    return out\n")
HONEST_REL = ("def relative_error(a, b):\n    a, b = np.asarray(a, float), np.asarray(b, float)\n"
              "    checks.assert_shape(b, a.shape, 'b')     # another toolkit function: fine\n"
              "    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n")


def toolkit_notebook(rel_source, square_source=SQUARE_USES_TOOLKIT):
    cells = [cell("setup", "import numpy as np\nfrom course import checks", "setup"),
             cell("answer", rel_source, "relative_error"),
             cell("test", REL_TEST, "test_relative_error", 1),
             cell("answer", square_source, "square"),
             cell("test", TEST_SQUARE, "test_square", 2)]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def toolkit_scores(rel_source, square_source=SQUARE_USES_TOOLKIT, references=()):
    judged = judge_notebook(toolkit_notebook(rel_source, square_source), limits=FAST,
                            references=list(references))
    return {"test_relative_error": score_of(judged.grade_outputs["test_relative_error"], 1),
            "test_square": score_of(judged.grade_outputs["test_square"], 2)}, all_text(judged)


def test_honest_answers_keep_their_points_with_the_toolkit_guarded():
    # relative_error uses another toolkit function; square uses the toolkit's relative_error,
    # which is fine: square is not the relative_error exercise.
    scores, text = toolkit_scores(HONEST_REL)
    assert scores == {"test_relative_error": 1, "test_square": 2}, text


MESSAGE = ("relative_error is the exercise: write it yourself, "
           "do not call course.checks.relative_error")


@pytest.mark.parametrize("name, source", [
    ("direct call", "def relative_error(a, b):\n    return checks.relative_error(a, b)\n"),
    ("imported under another name", "from course.checks import relative_error as theirs\n"
                                    "def relative_error(a, b):\n    return theirs(a, b)\n"),
    ("through a helper", "def helper(a, b):\n    return checks.relative_error(a, b)\n"
                         "def relative_error(a, b):\n    return helper(a, b)\n"),
    ("an alias of another function", "def mine(a, b):\n    return checks.relative_error(a, b)\n"
                                     "relative_error = mine\n"),
])
def test_calling_the_toolkits_copy_of_the_exercise_scores_zero(name, source):
    scores, text = toolkit_scores(source)
    assert scores == {"test_relative_error": 0, "test_square": 2}, (name, text)
    assert MESSAGE in text, name


def test_calling_an_earlier_days_reference_of_the_same_name_scores_zero():
    cheat = ("from solutions.day1_forward import relu as theirs\n"
             "def relu(x):\n    return theirs(x)\n")
    honest = "def relu(x):\n    return np.maximum(x, 0.0)\n"
    test = ("import numpy as np\nx = np.array([-1.0, 0.5])\n"
            "assert np.array_equal(relu(x), [0.0, 0.5]), 'wrong relu'\n")
    refs = [str(Day.named("day1_forward").reference_file)]
    for source, points in ((cheat, 0), (honest, 1)):
        nb = toolkit_notebook(HONEST_REL)
        nb["cells"][1]["source"] += "\n" + source
        nb["cells"][2]["source"] = test
        judged = judge_notebook(nb, limits=FAST, references=refs)
        assert score_of(judged.grade_outputs["test_relative_error"], 1) == points, all_text(judged)
        if not points:
            assert ("relu is the exercise: write it yourself, do not call "
                    "solutions.day1_forward.relu") in all_text(judged)


def test_digging_the_original_out_of_a_guarded_function_is_flagged():
    source = ("theirs = checks.relative_error.__closure__[0].cell_contents\n"
              "def relative_error(a, b):\n    return theirs(a, b)\n")
    judged = judge_notebook(toolkit_notebook(source), limits=FAST)
    assert {s["what"] for s in judged.suspicious} >= {
        "uses checks.relative_error.__closure__",
        "uses checks.relative_error.__closure__[0].cell_contents"}
    assert all(s["kind"] == runner.INTERPRETER for s in judged.suspicious)


def test_a_notebook_that_outlasts_its_budget_leaves_the_next_notebook_its_time():
    """Limits.notebook_seconds: a notebook whose cell would take 20 s (under the cell's own
    30 s limit) is stopped at its 4 s budget, and the next notebook is judged in full."""
    from grader.judge import pipeline

    slow = notebook("def square(x):\n    return x * x\n",
                    "import time\ntime.sleep(20)\ndef cube(x):\n    return x ** 3\n")
    honest = notebook("def square(x):\n    return x * x\n")
    task = {"student": "s", "day": "day1_forward",
            "notebooks": {"01.ipynb": slow, "02.ipynb": honest}, "demo_sources": {},
            "references": [], "limits": {"call_seconds": 5.0, "cell_seconds": 30.0,
                                         "notebook_seconds": 4.0, "submission_seconds": 60.0}}
    start = time.monotonic()
    out = pipeline.judge_task(task)
    seconds = time.monotonic() - start
    scores = {nb: {gid: score_of(o, 1) for gid, o in res["grade_outputs"].items()}
              for nb, res in out["notebooks"].items()}
    assert seconds < 15, seconds          # 4 s of the slow notebook, not its 20 s cell
    assert scores["01.ipynb"]["test_cube"] == 0
    assert "the notebook used up its time budget of 4 s" in json.dumps(out["notebooks"]["01.ipynb"])
    assert scores["02.ipynb"] == {"test_square": 1, "test_cube": 1}, out["notebooks"]["02.ipynb"]


def test_the_instructor_sets_every_budget_on_the_command_line(tmp_path, monkeypatch):
    from grader import autograde as ag
    from grader import cli

    seen = {}
    monkeypatch.setattr(ag, "autograde", lambda day, course, students, **kw: seen.update(kw) or [])
    cli.main(["--root", str(tmp_path), "autograde", "day1_forward", "--budget", "100",
              "--notebook-budget", "50", "--cell-budget", "5"])
    limits = seen["limits"]
    assert (limits.submission_seconds, limits.notebook_seconds, limits.cell_seconds) == \
        (100, 50, 5)
    cli.main(["--root", str(tmp_path), "autograde", "day1_forward", "--cell-budget", "7"])
    assert seen["limits"] == Limits(cell_seconds=7)
    cli.main(["--root", str(tmp_path), "autograde", "day1_forward"])
    assert seen["limits"] is None        # the defaults of Limits
