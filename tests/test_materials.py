"""The lecturer's materials (grader/materials.py): the handout PDF, the reveal.js decks,
the lecturer's guide, and what none of them may show.

Browser tests (``-m browser``) print Day 1's handout to PDF through Debian's Chromium and
step through one deck with the network blocked; the rest is cheap and runs for every day.
Artefacts (a page of the handout as PNG, screenshots of the deck) go to the test's tmp
folder, which the test prints.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import nbformat
import pytest

from grader import materials
from grader.coursedir import CourseDir
from grader.days import built_day, built_days
from grader.judge import cells

DAY = "day1_forward"
DAYS = [d.name for d in built_days()]


def text_of(page: str) -> str:
    """An HTML page's text, roughly as pdftotext gives it."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# --- what the pages show -------------------------------------------------------------------


@pytest.mark.parametrize("day", DAYS)
def test_handout_page_and_decks_of_every_day_build_without_tests_answers_or_leaks(day):
    d = built_day(day)
    handout = materials.handout_html(d)
    assert handout.toc, f"{day}: no headings in the contents"
    glossary = re.search(r'<section class="glossary">(.*?)</section>', handout.html, re.S)
    assert glossary and "English" in glossary.group(1), f"{day}: no glossary section"
    assert "BEGIN HIDDEN TESTS" not in handout.html
    assert "YOUR ANSWER HERE" not in handout.html
    stubs = [cells.defined_functions(cells.source(c))
             for p in d.notebooks for c in nbformat.read(p, 4).cells
             if cells.role(c) == cells.ANSWER]
    for names in stubs:
        for name in names:
            assert re.search(rf"Exercise: [^<]*\b{name}\b", handout.html), \
                f"{day}: the exercise {name} is not in the handout"
    decks = [materials.deck_html(name, nb) for name, nb in materials.day_notebooks(d).items()]
    assert not any("BEGIN HIDDEN TESTS" in deck for deck in decks)
    # the rules look for lines and shingles, so one text of the handout and decks will do
    assert materials.handout_leaks("\n".join(map(text_of, [handout.html, *decks])), d) == []


def test_leak_rules_on_a_handout_see_a_model_answer_and_a_hidden_test():
    d = built_day(DAY)
    clean = text_of(materials.handout_html(d).html)
    answer = next(iter(d.reference().ANSWERS.values()))
    hidden = next(line.strip() for p in d.notebooks for c in nbformat.read(p, 4).cells
                  for n, line in enumerate(cells.source(c).splitlines(), 1)
                  if n in cells.hidden_lines(cells.source(c)) and len(line.strip()) > 40
                  and "HIDDEN" not in line)
    found = materials.handout_leaks(clean + "\n" + answer + "\n" + hidden, d)
    assert any("model answer to" in f for f in found), found
    assert any("hidden test" in f for f in found), found


def test_slides_default_derivation_and_speaker_notes():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nopening"),
        nbformat.v4.new_markdown_cell("## 1. Section\n\n$$a = b$$",
                                      metadata={"course": {"notes": "ask about b"}}),
        nbformat.v4.new_markdown_cell("more of section 1"),
        nbformat.v4.new_code_cell("def f(x):\n    raise NotImplementedError()",
                                  metadata={"nbgrader": {"solution": True, "grade": False,
                                                         "grade_id": "f", "locked": False}}),
        nbformat.v4.new_markdown_cell("stays 15 minutes here",
                                      metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_markdown_cell("not shown", metadata={"slideshow": {"slide_type": "skip"}}),
        nbformat.v4.new_code_cell("assert f(1) == 1\n### BEGIN HIDDEN TESTS\nsecret\n"
                                  "### END HIDDEN TESTS",
                                  metadata={"nbgrader": {"grade": True, "solution": False,
                                                         "grade_id": "test_f", "points": 1}}),
    ]
    columns = materials.deck_slides(nb)
    assert [len(c) for c in columns] == [1, 2]           # ## starts a slide, the rest subslides
    section = columns[1]
    assert 'class="fragment"' in section[1].parts[-1]    # the stub comes as a fragment
    assert "ask about b" in section[0].notes[0] and "15 minutes" in section[1].notes[0]
    deck = materials.deck_html("t", nb)
    assert "not shown" not in deck and "secret" not in deck and "assert f(1)" not in deck
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', deck, re.S)
    assert len(notes) == 2
    assert "ask about b" not in deck.replace(notes[0], "")
    # what students may see of such a notebook
    assert len(materials.notes_in(nb)) == 2
    assert materials.notes_in(materials.without_speaker_notes(nb)) == []


def test_release_sources_carry_no_speaker_notes(tmp_path, monkeypatch):
    from grader import plan

    original = plan.annotated_notebooks

    def with_notes(day):
        out = original(day)
        for nb in out.values():
            nb.cells.insert(1, nbformat.v4.new_markdown_cell(
                "lecturer only", metadata={"slideshow": {"slide_type": "notes"}}))
            nb.cells[0].metadata.setdefault("course", {})["notes"] = "lecturer only"
        return out

    monkeypatch.setattr(plan, "annotated_notebooks", with_notes)
    course = CourseDir(tmp_path / "course")
    course.write_sources([built_day(DAY)])
    written = sorted((course.source / DAY).glob("*.ipynb"))
    assert written
    for path in written:
        assert materials.notes_in(nbformat.read(path, 4)) == [], path.name


def test_outside_references_are_found():
    found = materials.outside_references(materials.REVEAL / "dist" / "theme")
    assert any("fonts.googleapis.com" in f for f in found)


def test_lecturer_guide_has_points_manual_items_and_mistakes():
    d = built_day(DAY)
    text = materials.lecturer_guide(d)
    assert "09:00" in text
    manual = materials.manual_items(d)
    assert manual and all(gid in text for _, gid, _ in manual)
    pts = materials.points(d)
    assert re.search(r"01_activations: \d+ \+ \d+", text), text
    assert sum(sum(p.values()) for p in pts.values()) > 0
    first = d.wrong_answers()[0]
    assert first.description in text


# --- in the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def day1_with_figures():
    """Day 1's notebooks with the demos' figures (the demos run once for both tests)."""
    return materials.day_notebooks(built_day(DAY), figures=True)


def needs_tools(*tools):
    try:
        materials.needs_chromium()
    except materials.MaterialsError as exc:
        pytest.skip(str(exc))
    for tool in tools:
        if not shutil.which(tool):
            pytest.skip(f"{tool} is missing: apt-get install poppler-utils")


@pytest.mark.browser
def test_handout_pdf_of_day1(tmp_path, day1_with_figures):
    needs_tools("pdftotext", "pdftoppm", "pdfimages")
    d = built_day(DAY)
    result = materials.write_handout(d, tmp_path / "handout.pdf", notebooks=day1_with_figures)
    print(f"\nhandout of {DAY}: {result.pages} pages, {result.images} figures, "
          f"artefacts in {tmp_path}")
    listed = subprocess.run(["pdfimages", "-list", str(result.pdf)], check=True,
                            capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(listed) >= 3 and len(listed) == result.images, listed
    assert result.leaks == [] and result.blocked == []
    text = materials.pdf_text(result.pdf)
    flat = re.sub(r"\s+", "", text)
    handout = materials.handout_html(d)
    for _, heading, _ in handout.toc:
        words = re.sub(r"\s+", "", heading.split("$")[0])[:40]
        assert words in flat, f"heading {heading!r} not in the PDF's text"
    assert "Contents" in text and "The day's timetable" in text and "lunch" in text
    pages = text.split("\f")
    glossary = next(i for i, p in enumerate(pages) if "Czech–English glossary" in p)
    first = re.sub(r"\s+", "", handout.toc[0][1])[:30]
    assert glossary < next(i for i, p in enumerate(pages)
                           if first in re.sub(r"\s+", "", p) and i > 1), "glossary not first"
    assert result.pages >= 5 and f"1 / {result.pages}" in text
    contents = pages[1]
    numbers = [int(n) for n in re.findall(r"(\d+)\s*$", contents, re.M)]
    assert len(numbers) >= len(handout.toc) - 1 and numbers == sorted(numbers), contents
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "3", "-l", "3", str(result.pdf),
                    str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


@pytest.mark.browser
def test_deck_offline_math_fragments_figures(tmp_path, day1_with_figures):
    needs_tools()
    from playwright.sync_api import sync_playwright

    decks = materials.write_slides(built_day(DAY), tmp_path / "slides",
                                   notebooks=day1_with_figures)
    assert materials.outside_references(tmp_path / "slides") == []
    for deck in decks:
        assert not re.search(r"https?://", deck.read_text()), deck.name
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots in {shots}")
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(materials.CHROMIUM), headless=True,
                                     args=materials.CHROMIUM_ARGS)
        try:
            page = materials.offline_page(browser.new_context(viewport={"width": 1280,
                                                                       "height": 800}), blocked)
            page.goto(decks[0].as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=60_000)
            materials.wait_for_math(page)
            page.screenshot(path=str(shots / "00.png"))
            total = page.evaluate("() => Reveal.getTotalSlides()")
            assert total > 5
            seen_fragment = seen_math = seen_figure = False
            for step in range(1, 120):
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(30)
                current = page.locator(".reveal .slides section.present:not(.stack)")
                math = current.locator("mjx-container").count() > 0
                fragment = current.locator(".fragment.visible").count() > 0
                figure = current.locator("img.figure").count() > 0
                if (math and not seen_math) or (fragment and not seen_fragment) \
                        or (figure and not seen_figure):
                    page.wait_for_timeout(900)      # the slide's transition
                    page.screenshot(path=str(shots / f"{step:03d}.png"))
                seen_math, seen_fragment, seen_figure = (
                    seen_math or math, seen_fragment or fragment, seen_figure or figure)
                if seen_fragment and seen_math and seen_figure:
                    break
            assert page.evaluate("() => Reveal.getProgress()") > 0
            assert seen_math, "no typeset math on the slides stepped through"
            assert seen_fragment, "no fragment shown on the slides stepped through"
            assert seen_figure, "no figure on the slides stepped through"
        finally:
            browser.close()
    assert blocked == [], f"the deck asked the network for {blocked}"


def test_exercise_slides_carry_the_plans_minutes_and_the_librarys_mistakes_as_notes():
    day = built_day(DAY)
    nb = nbformat.read(day.notebooks[0], 4)
    noted = materials.with_lecturer_notes(day, nb)
    assert materials.notes_in(nb) == []                    # the source is left alone
    text = materials.deck_html("deck", noted)
    asides = re.findall(r'<aside class="notes">(.*?)</aside>', text, re.S)
    sigmoid = [a for a in asides if "e^-z overflows" in a]
    assert sigmoid, "no speaker note names the library's sigmoid mistake"
    assert re.search(r"About \d+ min", sigmoid[0])
    # and none of it reaches a student: the release drops course.notes
    assert materials.notes_in(materials.without_speaker_notes(noted)) == []
