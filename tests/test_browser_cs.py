"""Day 1's Czech edition as a student sees it: JupyterLab in headless Chromium.

A Czech release of Day 1 (``prepare_lab`` with ``CourseDir(lang="cs")``), JupyterLab on it
as in tests/test_browser.py, and in ``01_activations.ipynb``:

1. the prose is Czech (the sigmoid's section is "Sigmoida");
2. the visible test of an unfilled stub says "zatím není implementována";
3. a wrong ``relu_prime`` (1 at z = 0) typed into the stub fails its visible test with the
   Czech message and the Czech likely cause.

A screenshot of every step goes to ``<tmp_path>/screenshots`` (the folder is printed).
"""

from __future__ import annotations

import time

import pytest

from grader import lab as student_lab
from grader.coursedir import CourseDir
from test_browser import (DAY, FIRST_RUN_S, NOTEBOOK, Notebook, Steps, _assert_no_traceback,
                          _calls, _defines, _flat, _free_port, _index, _notebook_cells, _source,
                          launch_chromium, needs_browser, own_jupyter_dirs, serving)

pytestmark = pytest.mark.browser

RELU_PRIME_WRONG = """def relu_prime(z):
    return (z >= 0).astype(np.float64)
"""


@pytest.fixture
def lab_cs(tmp_path):
    """(base URL, token, workspace) of a JupyterLab serving a fresh Czech Day 1 release."""
    import secrets

    needs_browser()
    workspace = student_lab.prepare_lab(CourseDir(tmp_path / "course", lang="cs"),
                                        tmp_path / "lab", days=[DAY])
    env = own_jupyter_dirs(student_lab.lab_environment(workspace), tmp_path)
    env["LANG"] = "C.UTF-8"       # the language is the release's, not the environment's
    port, token = _free_port(), secrets.token_hex(16)
    with serving(student_lab.lab_command(workspace, port, token), workspace, env, port, token,
                 tmp_path / "jupyterlab.log") as base:
        yield base, token, workspace


def test_day1_in_czech_in_jupyterlab(lab_cs, tmp_path):
    from playwright.sync_api import sync_playwright

    base, token, workspace = lab_cs
    cells = _notebook_cells(workspace)
    setup = _index(cells, lambda c: c["cell_type"] == "code" and "from course import" in
                   _source(c) and c["metadata"].get("nbgrader", {}).get("grade_id") == "setup",
                   "setup cell")
    sigmoid_stub = _index(cells, _defines("sigmoid"), "sigmoid stub")
    sigmoid_test = _index(cells, _calls("sigmoid"), "visible test of sigmoid")
    stub = _index(cells, _defines("relu_prime"), "relu_prime stub")
    test = _index(cells, _calls("relu_prime"), "visible test of relu_prime")
    heading = _index(cells, lambda c: c["cell_type"] == "markdown"
                     and _source(c).startswith("## 3."), "section 3")
    assert "Sigmoida" in _source(cells[heading]), _source(cells[heading])

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            steps = Steps(page, tmp_path / "screenshots")
            nb = Notebook(page)

            with steps.step("open-czech"):
                page.goto(f"{base}/lab/tree/{DAY}/{NOTEBOOK}?token={token}",
                          wait_until="domcontentloaded", timeout=60_000)
                page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(
                    timeout=60_000)
                page.wait_for_function(
                    "n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
                    arg=len(cells), timeout=30_000)
                nb.cells.nth(heading).scroll_into_view_if_needed()
                h2 = nb.cells.nth(heading).locator("h2").first
                h2.wait_for(timeout=30_000)
                deadline = time.monotonic() + 30
                while "Sigmoida" not in h2.inner_text():
                    if time.monotonic() > deadline:
                        raise AssertionError(f"section 3 reads {h2.inner_text()!r}")
                    time.sleep(0.2)

            with steps.step("stub-not-implemented-in-czech"):
                nb.run(setup, timeout=FIRST_RUN_S)
                assert not nb.errors(setup), f"the setup cell failed:\n{nb.errors(setup)}"
                nb.run(sigmoid_stub)
                nb.run(sigmoid_test)
                shown = _flat(nb.output(sigmoid_test))
                assert "`sigmoid` zatím není implementována" in shown, shown
                assert "not implemented" not in shown, shown
                _assert_no_traceback(shown, "the test of the stub")

            with steps.step("wrong-answer-in-czech"):
                nb.set_text(stub, RELU_PRIME_WRONG)
                nb.run(stub)
                nb.run(test)
                shown = nb.output(test)
                flat = _flat(shown)
                assert nb.errors(test), f"the wrong relu_prime passes its test:\n{shown}"
                assert "Kontrola selhala:" in flat, shown
                assert "relativní chyba" in flat and "čekali jsme 0." in flat, shown
                assert ("Pravděpodobná příčina: 1 v z = 0, kde je relu'(0) v PyTorch 0: "
                        "počítáte z = 0 jako kladné?") in flat, shown
                assert "Likely cause" not in flat and "Check failed" not in flat, shown
                _assert_no_traceback(shown, "the failed test")
        finally:
            browser.close()
