"""The instructor's side in headless Chromium: manual grading in formgrader, and the pages
the grader writes (feedback, class summary) with the network blocked.

One small graded class is made for the module: Day 1 released, two demo students
(ada-model hands in the model answers, ben-stub the stubs), autograded by the judge, ada's
feedback written and archived.  Then:

1. ``grader formgrader``'s JupyterLab (127.0.0.1, a free port, a token) has nbgrader's
   instructor plugins on; in formgrader's Manual Grading the instructor opens ada's
   ``01_activations`` submission, gives points and a comment to the derivation answer,
   and ``grader export`` shows ada's total grown by exactly those points;
2. ada's feedback page, unpacked from her archive, typesets every display equation with
   no request leaving the machine (every non-file URL is aborted), no raw ``$$`` left;
3. the class summary page, offline as well, shows its histogram and tables.

Screenshots of every step go to ``<tmp>/screenshots`` (the folder is printed).
"""

from __future__ import annotations

import csv
import json
import re
import secrets
import shutil
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from test_browser import (Steps, _free_port, launch_chromium, needs_browser, own_jupyter_dirs,
                          serving)

from grader import formgrader as fg
from grader.archive import archive_feedback
from grader.autograde import autograde
from grader.coursedir import CourseDir
from grader.demo import demo_submissions
from grader.feedback import export, feedback
from grader.html import offline_math
from grader.summary import write_summary

pytestmark = pytest.mark.browser

DAY = "day1_forward"
NOTEBOOK = "01_activations"
MANUAL_CELL = "sigmoid-prime-derivation"
STUDENTS = ("ada-model", "ben-stub")
GRADED = "ada-model"
POINTS = 1.5
COMMENT = "Right chain rule; say why sigma(1 - sigma) follows from the quotient."


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A CourseDir with Day 1 autograded for two demo students, ada's feedback archived."""
    needs_browser()
    course = CourseDir(tmp_path_factory.mktemp("formgrader") / "course")
    start = time.monotonic()
    demo_submissions(course, DAY, STUDENTS)
    results = autograde(DAY, course, list(STUDENTS), quiet=True)
    assert [r.status for r in results] == ["graded", "graded"], [
        (r.student, r.status, r.message) for r in results]
    pages = feedback(DAY, course, [GRADED], quiet=True)
    assert pages.get(GRADED), "no feedback page for ada-model"
    archive_feedback(DAY, course, [GRADED])
    print(f"class graded in {time.monotonic() - start:.0f} s: {course.root}")
    return course


def _export_scores(course: CourseDir, path: Path) -> dict[str, float]:
    export(course, path)
    with open(path, newline="") as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)
                if row["assignment"] == DAY}


@pytest.fixture
def formgrader_server(graded_class, tmp_path):
    """(base URL, token) of ``grader formgrader``'s JupyterLab on the graded class."""
    course = graded_class
    folder = fg.write_formgrader_config(course)
    env = own_jupyter_dirs(fg.formgrader_environment(course), tmp_path)
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "formgrader.log"
    try:
        with serving(fg.formgrader_command(course, port, token), folder, env, port, token, log,
                     "formgrader's JupyterLab") as base:
            yield base, token
    finally:
        print(f"server log: {log}")


def page_config(base: str, token: str) -> dict:
    """JupyterLab's page configuration as the browser gets it."""
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as r:
        page = r.read().decode()
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      page, re.S)
    assert match, "no jupyter-config-data in JupyterLab's page"
    return json.loads(match.group(1))


def _manual_grade(course: CourseDir, student: str):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        grade = gb.find_grade(MANUAL_CELL, NOTEBOOK, DAY, student)
        comment = gb.find_comment(MANUAL_CELL, NOTEBOOK, DAY, student)
        return grade.manual_score, comment.manual_comment


def test_manual_grading_in_formgrader_changes_the_exported_total(graded_class,
                                                                 formgrader_server, tmp_path):
    from playwright.sync_api import sync_playwright

    course = graded_class
    base, token = formgrader_server
    before = _export_scores(course, tmp_path / "before.csv")
    assert set(before) == set(STUDENTS), before
    assert _manual_grade(course, GRADED)[0] is None, "the derivation is graded already"

    # The instructor's plugins are on in this lab (the student's lab has them off:
    # tests/test_browser.py and tests/test_formgrader.py).
    disabled = page_config(base, token).get("disabledExtensions", [])
    for plugin in fg.INSTRUCTOR_ENABLED_PLUGINS:
        assert plugin not in disabled, f"{plugin} is disabled in formgrader's lab: {disabled}"

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            steps = Steps(page, tmp_path / "screenshots")

            with steps.step("formgrader"):
                page.goto(f"{base}/formgrader?token={token}", wait_until="domcontentloaded",
                          timeout=60_000)
                page.get_by_role("link", name="Manual Grading").first.wait_for()
                assert "course directory root is not a subdirectory" not in page.content()

            with steps.step("manual-grading"):
                page.get_by_role("link", name="Manual Grading").first.click()
                page.locator("table a", has_text=DAY).first.click()
                page.locator("table a", has_text=NOTEBOOK).first.click()
                row = page.locator("tbody tr").filter(
                    has=page.locator("a.name-shown", has_text=GRADED))
                row.wait_for()
                # Names are hidden by default: reveal the row's.
                row.locator("td.reveal .name-hidden").click()
                row.locator("a.name-shown").wait_for()

            with steps.step("submission"):
                row.locator("a.name-shown").click()
                score = page.locator(f"input.score#{MANUAL_CELL}")
                score.wait_for()
                shown = page.locator(".breadcrumb .name-shown").first.inner_text()
                assert GRADED in shown, f"the open submission is {shown!r}, not {GRADED}"
                score.evaluate("e => e.scrollIntoView({block: 'center'})")

            with steps.step("points-and-comment"):
                score.fill(f"{POINTS:g}")
                score.press("Tab")          # formgrader saves a score on change
                comment = page.locator(f"textarea.comment#{MANUAL_CELL}-comment")
                comment.fill(COMMENT)
                comment.press("Tab")
                deadline = time.monotonic() + 30
                while _manual_grade(course, GRADED) != (POINTS, COMMENT):
                    if time.monotonic() > deadline:
                        raise AssertionError(f"formgrader did not save the grade: the "
                                             f"gradebook has {_manual_grade(course, GRADED)}")
                    time.sleep(0.3)
                # Tab moved the focus (and formgrader's scrolling) to the next cell: back.
                page.evaluate("document.activeElement.blur()")
                page.wait_for_timeout(500)
                score.evaluate("e => e.scrollIntoView({block: 'start'})")
                page.evaluate("window.scrollBy(0, -80)")    # below the fixed navigation bar
                page.wait_for_timeout(300)
                answer = score.locator("xpath=ancestor::div[contains(@class, 'nbgrader_cell')]")
                shot = steps.folder / "graded-answer.png"
                answer.first.screenshot(path=str(shot))
                print(f"the graded answer: {shot}")
        finally:
            browser.close()

    after = _export_scores(course, tmp_path / "after.csv")
    assert after[GRADED] == pytest.approx(before[GRADED] + POINTS), (before, after)
    others = {s for s in STUDENTS if s != GRADED}
    assert {s: after[s] for s in others} == {s: before[s] for s in others}


def _offline(context):
    """Every request that would leave the machine fails; a list of what was asked for."""
    asked = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            asked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return asked


def _assert_typeset(page, path: Path, display: int, asked: list):
    """``path`` opened offline typesets its ``display`` equations; no raw $$ is left."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(path.as_uri(), wait_until="load")
    typeset = "document.querySelectorAll('mjx-container[display=\"true\"]').length"
    try:
        page.wait_for_function(f"n => {typeset} >= n", arg=display, timeout=60_000)
    except PlaywrightTimeout:
        raise AssertionError(f"{page.evaluate(typeset)} of {display} display equations typeset "
                             f"offline within 60 s; requests refused: {asked}") from None
    left = page.evaluate("""() => {
        const c = document.body.cloneNode(true);
        c.querySelectorAll('mjx-container, script, style, pre, code, textarea')
          .forEach(n => n.remove());
        return c.textContent; }""")
    assert "$$" not in left, "raw $$ left: ..." + left[left.index("$$") - 80:][:200]
    errors = page.locator("mjx-merror").all_inner_texts()
    assert not errors, f"MathJax could not typeset: {errors}"
    page.locator("mjx-container").first.scroll_into_view_if_needed()


def test_feedback_archive_renders_its_math_offline(graded_class, tmp_path):
    from playwright.sync_api import sync_playwright

    course = graded_class
    archive = course.root / "feedback_archives" / DAY / f"{GRADED}.zip"
    assert archive.is_file(), f"no archive {archive}"
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "unpacked")
    assert f"{DAY}/{NOTEBOOK}.html" in names and f"{DAY}/mathjax-offline.js" in names, names
    page_path = tmp_path / "unpacked" / DAY / f"{NOTEBOOK}.html"
    source = page_path.read_text(encoding="utf-8")
    assert "cdnjs.cloudflare.com/ajax/libs/mathjax" not in source, (
        "the feedback page still loads MathJax from a CDN")
    display = len(re.findall(r"\$\$.+?\$\$", source, re.S))
    assert display > 0, "the feedback page has no display math to check"

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            asked = _offline(context)
            page = context.new_page()
            steps = Steps(page, tmp_path / "screenshots")
            with steps.step("feedback-offline-math"):
                _assert_typeset(page, page_path, display, asked)
            # nbgrader's release_feedback hands out the page alone: the script inside it.
            alone = tmp_path / "alone" / page_path.name
            alone.parent.mkdir()
            shutil.copy(page_path, alone)
            offline_math(alone, inline=True)
            with steps.step("feedback-inline-math"):
                _assert_typeset(page, alone, display, asked)
            print(f"requests refused while offline: {asked}")
        finally:
            browser.close()


def test_class_summary_page_renders_offline(graded_class, tmp_path):
    from playwright.sync_api import sync_playwright

    course = graded_class
    path = write_summary(DAY, course)
    assert path == course.root / "summary" / f"{DAY}.html"
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            _offline(context)
            page = context.new_page()
            steps = Steps(page, tmp_path / "screenshots")
            with steps.step("class-summary"):
                page.goto(path.as_uri(), wait_until="load")
                width = page.evaluate(
                    "document.getElementById('score-histogram').naturalWidth")
                assert width > 100, f"the histogram is not shown (width {width})"
                students = page.locator("table.students tbody tr").all_inner_texts()
                assert len(students) == len(STUDENTS), students
                assert all(any(s in row for row in students) for s in STUDENTS), students
                exercises = page.locator("table.exercises tbody tr").count()
                assert exercises >= 10, f"{exercises} rows in the per-exercise table"
                assert page.locator("#most-failed li").count() > 0
            page.screenshot(path=str(steps.folder / "class-summary-full.png"), full_page=True)
        finally:
            browser.close()
