"""Day 1 as a student sees it: JupyterLab in headless Chromium on a fresh release.

The test prepares a workspace with ``lab.prepare_lab``, starts JupyterLab on it
(127.0.0.1, a free port, a token, Jupyter and IPython folders of its own), and then,
in ``01_activations.ipynb``:

1. the derivations are typeset by MathJax and no raw ``$`` is left in the prose;
2. the visible test of an unfilled stub prints the toolkit's "not implemented yet" note;
3. a correct ``sigmoid`` typed into the stub passes its visible test, and a wrong one
   prints the cross-check table that points at the tensor it gets wrong;
4. the activation explorer's slider renders, and the arrow key moves it and redraws;
5. a demo that needs an unfinished function says which, and names the checkpoint to ask
   for, without a traceback;
6. the opening cell states the minutes, and the extension's heading carries its badge;
7. the Validate button reports which tests still fail.

A screenshot of every step goes to ``<tmp_path>/screenshots`` (the folder is printed);
a failing step names its screenshot.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course.checks import not_implemented_message
from grader import lab as student_lab
from grader.coursedir import CourseDir

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DAY = "day1_forward"
NOTEBOOK = "01_activations.ipynb"


def needs_browser():
    """Skip (saying what to install) without Debian's chromium or Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium "
                    f"(`apt-get install chromium`, done by `make test` as root)")
    pytest.importorskip("playwright.sync_api",
                        reason="the playwright package is missing (pip install -e .)")


def launch_chromium(pw):
    """Headless Debian chromium, never a browser Playwright downloads."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

# The reference's stable form (e^(−|z|) never overflows) ...
SIGMOID_RIGHT = """def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"""
# ... and a typical student's way around the overflow: clipping z.  Right for |z| ≤ 20,
# wrong beyond, so only the cross-check's large-z tensor is off.
SIGMOID_CLIPPED = """def sigmoid(z):
    z = np.clip(z, -20.0, 20.0)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"""

SERVER_START_S = 120      # a loaded 2-core machine needs ~30 s
FIRST_RUN_S = 120         # the first cell starts the kernel and imports torch
CELL_RUN_S = 60
VALIDATE_S = 150          # nbgrader runs the whole notebook in a new kernel


# --- the server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen):
    """SIGTERM to the server's process group (server and kernels), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def own_jupyter_dirs(env: dict, tmp_path: Path) -> dict:
    """``env`` without this machine's own Jupyter, IPython or matplotlib set-up: folders of
    the test's own under ``tmp_path``."""
    for var in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_TOKEN", "JUPYTER_PLATFORM_DIRS"):
        env.pop(var, None)
    for var, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                     ("MPLCONFIGDIR", "matplotlib")):
        (tmp_path / sub).mkdir()
        env[var] = str(tmp_path / sub)
    return env


@contextlib.contextmanager
def serving(command, cwd, env, port: int, token: str, log: Path, what: str = "JupyterLab"):
    """Run a Jupyter server's ``command`` (listening on 127.0.0.1:``port``) until it answers
    ``/api/status``; yield its base URL; stop it and its kernels afterwards.  A server that
    exits or does not answer within SERVER_START_S fails the test with its log's end."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{what} exited with {proc.returncode}:\n"
                            + log.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not answer within {SERVER_START_S} s; log:\n"
                            + log.read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield base
    finally:
        _stop(proc)


@pytest.fixture
def lab(tmp_path):
    """(base URL, token, workspace) of a JupyterLab serving a fresh Day 1 release."""
    needs_browser()
    workspace = student_lab.prepare_lab(CourseDir(tmp_path / "course"), tmp_path / "lab",
                                     days=[DAY])
    env = own_jupyter_dirs(student_lab.lab_environment(workspace), tmp_path)
    port, token = _free_port(), secrets.token_hex(16)
    with serving(student_lab.lab_command(workspace, port, token), workspace, env, port, token,
                 tmp_path / "jupyterlab.log") as base:
        yield base, token, workspace


# --- steps and screenshots -------------------------------------------------------------------


class Steps:
    """Numbered steps, each ending with a screenshot; a failing one names its screenshot."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        print(f"screenshots: {folder}")

    def _shoot(self, name) -> Path:
        path = self.folder / f"{self.count:02d}-{name}.png"
        with contextlib.suppress(Exception):
            self.page.screenshot(path=str(path), full_page=False)
        return path

    @contextlib.contextmanager
    def step(self, name: str):
        self.count += 1
        start = time.monotonic()
        try:
            yield
        except Exception as exc:
            path = self._shoot(name + "-FAILED")
            raise AssertionError(f"step {self.count} ({name}) failed: {exc}\n"
                                 f"screenshot: {path}") from exc
        path = self._shoot(name)
        print(f"step {self.count} ({name}) passed in {time.monotonic() - start:.1f} s: {path.name}")


# --- the notebook in the page -----------------------------------------------------------------


def _notebook_cells(workspace: Path) -> list[dict]:
    return json.loads((workspace / DAY / NOTEBOOK).read_text(encoding="utf-8"))["cells"]


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _index(cells, predicate, what) -> int:
    for i, c in enumerate(cells):
        if predicate(c):
            return i
    raise AssertionError(f"{NOTEBOOK} of the release has no {what}")


def _defines(name):
    return lambda c: c["cell_type"] == "code" and re.search(rf"^def {name}\(", _source(c), re.M)


def _calls(name):
    return lambda c: (c["cell_type"] == "code" and f"checks.call({name}," in _source(c)
                      and not _defines(name)(c))


class Notebook:
    def __init__(self, page):
        self.page = page
        self.cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")

    def prompt(self, i) -> str:
        return self.cells.nth(i).locator(".jp-InputPrompt").inner_text().strip()

    def run(self, i, timeout=CELL_RUN_S):
        """Select cell i in command mode, Shift+Enter, wait for its new execution count."""
        cell = self.cells.nth(i)
        cell.scroll_into_view_if_needed()
        before = self.prompt(i)
        cell.locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + timeout
        while True:
            now = self.prompt(i)
            if re.fullmatch(r"\[\d+\]:?", now) and now != before:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"cell {i} did not finish within {timeout} s "
                                     f"(prompt {now!r})")
            time.sleep(0.2)

    def set_text(self, i, text):
        """Click into cell i's editor, select all, type ``text`` in place of it."""
        editor = self.cells.nth(i).locator(".jp-InputArea-editor .cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        self.page.keyboard.press("Control+a")
        # insert_text types the text as one input event: no auto-indent on the way.
        self.page.keyboard.insert_text(text)
        shown = editor.inner_text()
        if shown.strip() != text.strip():
            raise AssertionError(f"cell {i} shows {shown!r} after typing {text!r}")

    def output(self, i) -> str:
        return "\n".join(self.cells.nth(i).locator(".jp-OutputArea-output").all_inner_texts())

    def errors(self, i) -> str:
        """Text of the cell's error and stderr outputs (what a failed test shows)."""
        return "\n".join(self.cells.nth(i).locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        ).all_inner_texts())


def _flat(text: str) -> str:
    return " ".join(text.split())


def _table_row(output: str, tensor: str) -> list[str]:
    for line in output.splitlines():
        if line.split()[:1] == [tensor]:
            return line.split()
    raise AssertionError(f"no row for {tensor!r} in the cross-check table:\n{output}")


def _assert_no_traceback(text: str, where: str):
    for mark in ("Traceback", "Cell In[", "File \""):
        assert mark not in text, f"{where} shows a traceback ({mark!r}):\n{text}"


# --- the test ---------------------------------------------------------------------------------


def test_day1_in_jupyterlab(lab, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    base, token, workspace = lab
    cells = _notebook_cells(workspace)
    setup = _index(cells, lambda c: c["cell_type"] == "code" and "from course import" in
                   _source(c) and c["metadata"].get("nbgrader", {}).get("grade_id") == "setup",
                   "setup cell")
    stub = _index(cells, _defines("sigmoid"), "sigmoid stub")
    test = _index(cells, _calls("sigmoid"), "visible test of sigmoid")
    explorer = _index(cells, lambda c: c["cell_type"] == "code"
                      and "widgets.activation_explorer(" in _source(c), "activation explorer")
    demo = _index(cells, lambda c: c["cell_type"] == "code" and not c["metadata"].get("nbgrader")
                  and "sigmoid_prime" in _source(c) and "tanh_prime" in _source(c)
                  and "widgets." not in _source(c), "demo that plots the activations")
    stubs = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
             and c["metadata"].get("nbgrader", {}).get("solution") and i < explorer]
    markdown = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    display_math = sum(_source(cells[i]).count("$$") // 2 for i in markdown)
    assert display_math > 0, f"{NOTEBOOK} has no display math to check"

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            steps = Steps(page, tmp_path / "screenshots")
            nb = Notebook(page)

            with steps.step("open"):
                page.goto(f"{base}/lab/tree/{DAY}/{NOTEBOOK}?token={token}",
                          wait_until="domcontentloaded", timeout=60_000)
                page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(
                    timeout=60_000)
                page.wait_for_function(
                    "n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
                    arg=len(cells), timeout=30_000)
                dialogs = page.locator(".jp-Dialog").all_inner_texts()
                toasts = page.locator(".jp-Notification-Toast, .Toastify__toast").all_inner_texts()
                assert not dialogs, f"a dialog is open after loading: {dialogs}"
                assert not toasts, f"a notification pops up after loading: {toasts}"
                # No instructor tools for the student (`grader formgrader` has them).
                disabled = page.evaluate("JSON.parse(document.getElementById("
                                         "'jupyter-config-data').textContent).disabledExtensions")
                assert "@jupyter/nbgrader:formgrader" in disabled, disabled
                with pytest.raises(urllib.error.HTTPError, match="404"):
                    urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=30)

            with steps.step("math"):
                typeset = ("document.querySelectorAll("
                           "'.jp-MarkdownCell mjx-container[display=\"true\"]').length")
                try:
                    page.wait_for_function(f"n => {typeset} >= n", arg=display_math,
                                           timeout=60_000)
                except PlaywrightTimeout:
                    raise AssertionError(
                        f"MathJax typeset {page.evaluate(typeset)} of the {display_math} "
                        f"display equations ($$...$$) within 60 s") from None
                texts = page.eval_on_selector_all(
                    ".jp-MarkdownCell .jp-RenderedMarkdown",
                    """els => els.map(el => {
                        const c = el.cloneNode(true);
                        c.querySelectorAll('code, pre, mjx-container, mjx-assistive-mml, '
                                           + 'script').forEach(n => n.remove());
                        return c.textContent; })""")
                assert len(texts) == len(markdown), (
                    f"{len(texts)} rendered markdown cells, the notebook has {len(markdown)}")
                raw = [(i, t) for i, t in zip(markdown, texts) if "$" in t]
                assert not raw, "raw LaTeX left in rendered markdown: " + "; ".join(
                    f"cell {i}: ...{t[max(0, t.index('$') - 40):t.index('$') + 40]}..."
                    for i, t in raw)
                errors = page.locator(".jp-MarkdownCell mjx-merror").all_inner_texts()
                assert not errors, f"MathJax could not typeset: {errors}"

            with steps.step("stub-not-implemented"):
                nb.run(setup, timeout=FIRST_RUN_S)
                assert not nb.errors(setup), f"the setup cell failed:\n{nb.errors(setup)}"
                nb.run(stub)
                nb.run(test)
                shown = nb.output(test)
                assert _flat(not_implemented_message("sigmoid")) in _flat(shown), (
                    f"the test of the stub does not show the 'not implemented yet' note:\n"
                    f"{shown}")
                _assert_no_traceback(shown, "the test of the stub")

            with steps.step("sigmoid-right-passes"):
                nb.set_text(stub, SIGMOID_RIGHT)
                nb.run(stub)
                nb.run(test)
                shown = nb.output(test)
                assert not nb.errors(test), f"the right sigmoid fails its test:\n{shown}"
                for tensor in ("sigmoid(z)", "sigmoid(z_big)"):
                    row = _table_row(shown, tensor)
                    assert row[2] == "yes", f"{tensor} not close for the right sigmoid: {row}"

            with steps.step("sigmoid-clipped-crosscheck"):
                nb.set_text(stub, SIGMOID_CLIPPED)
                nb.run(stub)
                nb.run(test)
                shown, errors = nb.output(test), nb.errors(test)
                assert errors, f"the clipped sigmoid passes its test:\n{shown}"
                assert _table_row(shown, "sigmoid(z)")[2] == "yes", shown
                assert _table_row(shown, "sigmoid(z_big)")[2] == "no", shown
                # The failure names the wrong tensor and only that one.
                assert re.search(r"sigmoid\(z_big\): relative error", errors), errors
                assert not re.search(r"sigmoid\(z\): relative error", errors), errors
                _assert_no_traceback(errors, "the failed cross-check")

            with steps.step("explorer-slider"):
                nb.set_text(stub, SIGMOID_RIGHT)
                for i in stubs:
                    nb.run(i)
                nb.run(explorer)
                cell = nb.cells.nth(explorer)
                slider = cell.locator(".widget-slider").first
                slider.wait_for(timeout=30_000)
                img = cell.locator(".jp-Cell-outputArea img").first
                img.wait_for(timeout=30_000)
                status = cell.locator(".widget-html").first
                before_src, before_text = img.get_attribute("src"), status.inner_text()
                assert "z = 0.50" in before_text, f"status line: {before_text!r}"
                handle = slider.locator(".noUi-handle").first
                handle.focus()
                page.keyboard.press("ArrowRight")
                # The Output widget puts a new <img> in place of the old one: ask the
                # locator again until the picture differs.
                deadline = time.monotonic() + 20
                while img.get_attribute("src") == before_src:
                    if time.monotonic() > deadline:
                        raise AssertionError("the plot was not redrawn after ArrowRight")
                    time.sleep(0.2)
                after_text = status.inner_text()
                assert "z = 0.60" in after_text, f"status after ArrowRight: {after_text!r}"
                readout = slider.locator(".widget-readout").first.inner_text()
                assert readout.strip() == "0.6", f"slider readout {readout!r}"

            with steps.step("demo-names-the-checkpoint"):
                nb.run(demo)
                shown = nb.output(demo)
                # sigmoid is done; the next unfinished function the demo needs is named.
                assert "Finish `sigmoid_prime` first" in shown, shown
                assert "ask the lecturer for checkpoint 01" in shown, shown
                _assert_no_traceback(shown, "the demo with an unfinished function")

            with steps.step("minutes-and-extension-badge"):
                nb.cells.first.scroll_into_view_if_needed()
                opening = nb.cells.first.locator(".jp-RenderedMarkdown")
                timing = r"Time:.*core of this notebook takes about \d+ min"
                deadline = time.monotonic() + 60
                while not re.search(timing, _flat(opening.inner_text())):
                    if time.monotonic() > deadline:
                        raise AssertionError("the opening cell states no minutes: "
                                             + opening.inner_text())
                    time.sleep(0.2)
                for title, badge in (("Leaky ReLU", True), ("The sigmoid", False)):
                    i = _index(cells, lambda c: c["cell_type"] == "markdown"
                               and _source(c).startswith("## ") and title in _source(c),
                               f"section {title!r}")
                    nb.cells.nth(i).scroll_into_view_if_needed()
                    heading = nb.cells.nth(i).locator("h2").first
                    heading.wait_for(timeout=30_000)
                    # A cell scrolled into view may be attached before its text is rendered.
                    deadline = time.monotonic() + 30
                    while title not in (text := heading.inner_text()):
                        if time.monotonic() > deadline:
                            break
                        time.sleep(0.2)
                    assert ("extension, optional" in text) == badge, (title, text)

            with steps.step("validate"):
                page.locator(".jp-NotebookPanel-toolbar .validate-button").first.click()
                dialog = page.locator(".jp-Dialog").filter(has_text="Validation Results")
                dialog.wait_for(timeout=VALIDATE_S * 1000)
                message = dialog.locator("#validation-message")
                classes = message.get_attribute("class") or ""
                report = message.inner_text()
                assert "validation-failed" in classes, (
                    f"Validate does not report the unfilled stubs ({classes}):\n{report}")
                assert "checks.call(sigmoid_prime" in report, report
                assert "checks.call(sigmoid, z)" not in report, (
                    f"Validate lists the passing sigmoid test as failed:\n{report}")
                assert "not implemented yet" in report, report
                page.screenshot(path=str(steps.folder / "validate-dialog.png"))
                dialog.get_by_role("button", name="Ok").click()
        finally:
            browser.close()
