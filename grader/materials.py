"""The lecturer's materials, made from the day notebooks: the notebooks stay the one source
of the lecture, the handout and the exercises.

    grader handout DAY    one A4 PDF: title page with the day's timetable, contents with
                          page numbers, the Czech–English glossary, the derivations with
                          typeset math, each exercise's statement and stub, page numbers
    grader slides DAY     one reveal.js deck per notebook, with speaker notes
    grader guide DAY      the timetable, the points per notebook, the manually graded
                          exercises and the typical mistakes (``lecturer_guide``)

**What a page shows** (``lecture_cells``): the markdown cells and the stubs as released
(nbgrader's ``ClearSolutions`` on the annotated notebook, as ``grader release`` does),
never a test cell (so never a hidden test), a manually graded answer cell or the set-up.
A demo cell shows the figures it draws when run on the model answers (``with_figures``).

**Slides** follow the cell metadata ``slideshow.slide_type`` where the notebook has it
(slide, subslide, fragment, skip, notes, -); elsewhere a default: a ``#``/``##`` heading
starts a slide, any other markdown cell and a demo's figures a sub-slide (the deck is
stepped through linearly, so the right arrow visits every one), a stub appears as a
fragment under the statement before it.  Speaker notes are cells of type ``notes`` and the text of the metadata field
``course.notes`` (``{"course": {"notes": "…"}}``): they go into ``<aside class="notes">``
(reveal.js's speaker view, key S) and nowhere else: ``without_speaker_notes`` takes them
out of any notebook that students get.

**Offline**: reveal.js comes from the project's ``node_modules`` (npm's ``reveal.js``,
``make node``) and is copied beside the decks; math is typeset by the MathJax the grader
ships (``grader.html``).  The handout is printed by Debian's Chromium through Playwright
with every request but ``file:`` and ``data:`` blocked, after MathJax has finished; its
text (``pdftotext``) is checked with the project's leak rules before it is kept.
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .days import REPO, Day
from .judge import cells

CHROMIUM = Path(os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REVEAL = REPO / "node_modules" / "reveal.js"
#: What a deck needs of reveal.js's dist/ (the theme embeds its fonts as data: URLs).
REVEAL_FILES = ("reveal.js", "reveal.css", "theme/white.css", "plugin/notes.js")
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
MATH_WAIT_MS = 120_000


class MaterialsError(RuntimeError):
    """Something the materials need is missing; the message says what to install."""


# --- what a page shows -------------------------------------------------------------------


def speaker_notes(cell) -> str:
    """The cell's ``course.notes`` text ('' when none)."""
    meta = cell.get("metadata", {}).get("course", {})
    notes = meta.get("notes", "") if isinstance(meta, dict) else ""
    return "\n".join(notes) if isinstance(notes, list) else str(notes or "")


def slide_type(cell) -> str | None:
    """The cell's ``slideshow.slide_type`` when it is one reveal.js knows, else None."""
    meta = cell.get("metadata", {}).get("slideshow", {})
    kind = meta.get("slide_type") if isinstance(meta, dict) else None
    return kind if kind in SLIDE_TYPES else None


def without_speaker_notes(nb):
    """A copy of ``nb`` without notes cells and without ``course.notes``: what a student
    may see of a notebook that carries speaker notes."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if slide_type(c) != "notes"]
    for c in nb.cells:
        meta = c.get("metadata", {}).get("course")
        if isinstance(meta, dict):
            meta.pop("notes", None)
    return nb


def notes_in(nb) -> list[str]:
    """Where ``nb`` holds speaker notes ('cell N: …'); [] for a notebook fit for students."""
    out = []
    for index, c in enumerate(nb["cells"] if isinstance(nb, dict) else nb.cells):
        if slide_type(c) == "notes":
            out.append(f"cell {index}: a notes cell")
        if speaker_notes(c):
            out.append(f"cell {index}: course.notes")
    return out


def released_stubs(nb):
    """A copy of ``nb`` whose answer cells are what ``grader release`` gives the student
    (nbgrader's ClearSolutions: any ``### BEGIN SOLUTION`` block becomes the stub)."""
    from nbgrader.preprocessors import ClearSolutions

    nb = copy.deepcopy(nb)
    nb, _ = ClearSolutions().preprocess(nb, {})
    return nb


# --- figures: the demo cells run on the model answers -----------------------------------

FIGURE_CELL_S = 120        # one demo cell; a slower one gives no figure
FIGURE_KINDS = ("image/png", "image/svg+xml")


def with_figures(nb, day: Day, name: str = "notebook", timeout: int = FIGURE_CELL_S,
                 folder: Path | None = None):
    """A copy of ``nb`` whose demo cells hold the outputs they give when run on the model
    answers: the set-up, the solved answer cells and the demos are run in a fresh kernel
    (no test cell: nothing hidden runs) in ``folder`` (what a demo saves lands there, not
    in the repository; a later notebook of the day finds it); a demo that fails or times
    out stays empty."""
    from nbclient import NotebookClient

    from .notebooks import solved_notebook

    solved = solved_notebook(nb, day.reference(), name)
    keep = [i for i, c in enumerate(solved.cells)
            if c.cell_type == "code" and cells.role(c) in (cells.SETUP, cells.ANSWER,
                                                             cells.DEMO, cells.ADDED)]
    run = copy.deepcopy(solved)
    run.cells = [copy.deepcopy(solved.cells[i]) for i in keep]
    for c in run.cells:
        c.outputs = []
    client = NotebookClient(run, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder or day.folder)}})
    try:    # the kernel's own chatter (its TCP warning) stays off the terminal
        client.execute(stderr=subprocess.DEVNULL)
    except Exception as exc:    # a dead kernel or a timeout: the figures made so far are kept
        print(f"figures of {name}: the run stopped ({type(exc).__name__}); "
              f"later demos show no figure", file=sys.stderr)
    out = copy.deepcopy(nb)
    for index, c in zip(keep, run.cells):
        errors = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            print(f"figures of {name}: cell {index} ({cells.role(c)}) failed on the model "
                  f"answers: {errors[0].get('ename')}: {errors[0].get('evalue', '')[:120]}",
                  file=sys.stderr)
        if cells.role(out.cells[index]) == cells.DEMO:
            out.cells[index].outputs = [o for o in c.get("outputs", [])
                                        if any(k in o.get("data", {}) for k in FIGURE_KINDS)]
    return out


def figures_html(cell) -> list[str]:
    """The images among a cell's outputs, as <img> with data: URLs (or inline SVG)."""
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if "image/png" in data:
            png = "".join(data["image/png"]).replace("\n", "")
            out.append(f'<img class="figure" src="data:image/png;base64,{png}">')
        elif "image/svg+xml" in data:
            out.append("".join(data["image/svg+xml"]))
    return out


@dataclass
class Piece:
    kind: str              # "markdown" | "stub" | "figure" | "notes"
    source: str
    cell: dict
    notes: str = ""


def lecture_cells(nb) -> list[Piece]:
    """The cells of a notebook that a handout or a deck shows, in order (see the module)."""
    out = []
    for cell in released_stubs(nb).cells:
        role = cells.role(cell)
        notes = speaker_notes(cell)
        if slide_type(cell) == "notes":
            out.append(Piece("notes", cells.source(cell), cell))
        elif role == cells.TEXT and cell.get("cell_type") == "markdown":
            out.append(Piece("markdown", cells.source(cell), cell, notes))
        elif role == cells.ANSWER:
            out.append(Piece("stub", cells.source(cell).rstrip(), cell, notes))
        elif role == cells.DEMO and figures_html(cell):
            out.append(Piece("figure", "\n".join(figures_html(cell)), cell, notes))
        elif notes:
            out.append(Piece("notes", notes, cell))
    return out


def day_notebooks(day: Day, figures: bool = False, lang: str | None = None) -> dict[str, object]:
    """The day's notebooks as the release shows them (minutes, extension badges), in the
    edition ``lang`` (None: the English source; "cs": translated from locale/cs/); with
    ``figures``, their demo cells' figures drawn from the model answers."""
    from .translations import annotated_notebooks

    notebooks = annotated_notebooks(day, lang)
    if figures:
        import tempfile

        with tempfile.TemporaryDirectory(prefix=f"{day.name}-figures-") as folder:
            notebooks = {name: with_figures(nb, day, name, folder=Path(folder))
                         for name, nb in notebooks.items()}
    return notebooks


def split_glossary(text: str) -> tuple[str, str] | None:
    """(glossary, the rest of the cell) when the markdown ``text`` holds the day's glossary:
    from the line that names it (a heading or a bold line with "glossary") to the end of the
    table after it; None otherwise."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines)
                  if any(w in line.lower() for w in ("glossary", "slovníček"))
                  and line.lstrip().startswith(("#", "**"))), None)
    if start is None:
        return None
    table = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("|")),
                 None)
    if table is None:
        return None
    end = table
    while end < len(lines) and lines[end].lstrip().startswith("|"):
        end += 1
    return "\n".join(lines[start:end]), "\n".join(lines[:start] + lines[end:])


# --- markdown to HTML ----------------------------------------------------------------------

_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">&#182;</a>')
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


def markdown_html(text: str) -> str:
    """Markdown with its math left for MathJax (nbconvert's renderer), without the ¶ links."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return _ANCHOR.sub("", markdown2html_mistune(text))


def headings(text: str) -> list[tuple[int, str]]:
    """(level, text) of the markdown headings of a cell (not those inside code fences)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [(len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]


def plain(text: str) -> str:
    """A heading as text: no markdown emphasis or code quotes, math kept as written."""
    return re.sub(r"[*_`]", "", text).replace(" ★ extension, optional", " ★").strip()


def stub_html(source: str) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    return highlight(source, PythonLexer(), HtmlFormatter(nowrap=False, cssclass="code"))


def code_style() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass="code").get_style_defs(".code")


def function_names(source: str) -> list[str]:
    return cells.defined_functions(source)


# --- the handout ---------------------------------------------------------------------------

HANDOUT_STYLE = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.4;
       color: #111; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 1.2em; } h3 { font-size: 12pt; }
h1, h2, h3 { font-family: "DejaVu Sans", Arial, sans-serif; break-after: avoid; }
.title-page, .contents, .notebook, .glossary { break-before: page; }
.title-page { break-before: auto; }
.title-page h1 { font-size: 26pt; margin-top: 30mm; }
table { border-collapse: collapse; margin: 0.6em 0; }
td, th { border: 1px solid #bbb; padding: 2px 8px; vertical-align: top; }
.timetable td:first-child { white-space: nowrap; font-family: "DejaVu Sans Mono", monospace; }
.contents ol { list-style: none; padding-left: 0; } .contents li { margin: 2px 0; }
.contents li.toc-section { padding-left: 1.5em; }
.contents a { color: #111; text-decoration: none; display: flex; }
.contents .dots { flex: 1; border-bottom: 1px dotted #888; margin: 0 4px 4px; }
.contents .page { min-width: 2em; text-align: right; }
.exercise { border-left: 3px solid #3465a4; padding: 0 0 0 8px; margin: 0.8em 0;
            break-inside: avoid; }
.exercise .label { font-family: "DejaVu Sans", Arial, sans-serif; font-weight: bold;
                   color: #3465a4; }
.figures { text-align: center; break-inside: avoid; }
img.figure { max-width: 100%; max-height: 110mm; }
pre { font-size: 8.5pt; white-space: pre-wrap; background: #f6f6f6; padding: 6px; }
code { font-size: 9pt; }
mjx-container[display="true"] { overflow-x: auto; }
"""

FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
          '{title} · <span class="pageNumber"></span> / <span class="totalPages"></span></div>')


@dataclass
class Handout:
    day: Day
    html: str
    toc: list[tuple[str, str, int]] = field(default_factory=list)   # (anchor, text, level)
    title: str = ""


def day_title(day: Day, notebooks: dict) -> str:
    for nb in notebooks.values():
        for piece in lecture_cells(nb):
            found = headings(piece.source)
            if found:
                return plain(found[0][1]).split(" · ")[0].split(" — ")[0]
    return day.name


def _block(what: str, lang: str | None) -> str:
    """A block of ``plan.schedule`` ("lecture before 01_x", "lab: 01_x, core", "lunch")
    in ``lang``."""
    from .translations import tr

    m = re.fullmatch(r"lecture before (\S+)", what)
    if m:
        return tr("lecture before {notebook}", lang).format(notebook=m.group(1))
    m = re.fullmatch(r"lab: (\S+), core", what)
    if m:
        return tr("lab: {notebook}, core", lang).format(notebook=m.group(1))
    return tr("lunch", lang) if what == "lunch" else what


def timetable_html(day: Day, lang: str | None = None) -> str:
    from .plan import CORE, EXTENSION, LAB_MINUTES, DayPlan, PlanError, _clock, schedule
    from .translations import tr

    try:
        plan = DayPlan.load(day)
        blocks = schedule(day)
    except PlanError as exc:
        return f"<p>{html.escape(tr('No timetable:', lang))} {html.escape(str(exc))}</p>"
    rows = "".join(f"<tr><td>{_clock(a)}–{_clock(b)}</td><td>{html.escape(_block(what, lang))}"
                   f"</td><td>{b - a} min</td></tr>" for a, b, what in blocks)
    end = blocks[-1][1] if blocks else 0
    ext = {stem: m[EXTENSION] for stem, m in plan.minutes().items() if m[EXTENSION]}
    text = tr("The core ends at {end}: lecture {lecture} min, lab {lab} min (of about "
              "{planned}).", lang).format(end=_clock(end), lecture=sum(plan.lecture.values()),
                                          lab=plan.total(CORE), planned=LAB_MINUTES)
    if ext:
        text += " " + tr("Extension, for the fast participant or for home:", lang) + " " + \
            ", ".join(f"{stem} {m} min" for stem, m in ext.items()) + "."
    return (f'<table class="timetable"><tr><th>{html.escape(tr("time", lang))}</th>'
            f'<th>{html.escape(tr("block", lang))}</th><th>{html.escape(tr("length", lang))}'
            f"</th></tr>{rows}</table><p>{html.escape(text)}</p>")


def handout_html(day: Day, notebooks: dict | None = None, lang: str | None = None) -> Handout:
    """The handout of ``day`` as one HTML body (see the module); ``notebooks`` as from
    ``day_notebooks`` (default: without figures); its fixed words in ``lang``."""
    from .translations import tr

    notebooks = notebooks if notebooks is not None else day_notebooks(day, lang=lang)
    title = day_title(day, notebooks)
    toc: list[tuple[str, str, int]] = []
    glossary = ""
    parts = []
    count = 0

    def anchor(text: str, level: int) -> str:
        nonlocal count
        count += 1
        toc.append((f"h{count}", plain(text), level))
        return f"h{count}"

    for name, nb in notebooks.items():
        pieces = lecture_cells(nb)
        body = []
        opened = False
        for piece in pieces:
            if piece.kind == "notes":
                continue
            split = split_glossary(piece.source) if not glossary else None
            if split:
                glossary = markdown_html(split[0])
                piece = Piece(piece.kind, split[1], piece.cell)
                if not piece.source.strip():
                    continue
            if piece.kind == "figure":
                body.append(f'<div class="figures">{piece.source}</div>')
                continue
            if piece.kind == "stub":
                names = ", ".join(function_names(piece.source)) or tr("the stub", lang)
                body.append(f'<div class="exercise"><div class="label">'
                            f'{html.escape(tr("Exercise:", lang))} '
                            f'{html.escape(names)}</div>{stub_html(piece.source)}</div>')
                continue
            rendered = markdown_html(piece.source)
            for level, text in headings(piece.source):
                if level > 2:
                    continue
                if level == 1 and opened:
                    level = 2
                opened = opened or level == 1
                tag = f"<h{level}"
                at = rendered.find(tag)
                if at >= 0:
                    end = rendered.find(">", at)
                    attrs = rendered[at + len(tag):end]
                    attrs = re.sub(r'\s*id="[^"]*"', "", attrs)
                    ident = anchor(text, level)
                    rendered = (rendered[:at] + f'<h{level} id="{ident}" data-toc="1"{attrs}'
                                + rendered[end:])
            body.append(rendered)
        parts.append(f'<section class="notebook" data-notebook="{html.escape(name)}">'
                     + "\n".join(body) + "</section>")

    timetable_title = tr("The day's timetable", lang)
    contents = "".join(
        f'<li class="{"toc-notebook" if level == 1 else "toc-section"}"><a href="#{ident}">'
        f'<span class="text">{html.escape(text)}</span><span class="dots"></span>'
        f'<span class="page" data-for="{ident}"></span></a></li>'
        for ident, text, level in toc)
    page = (f'<section class="title-page"><h1>{html.escape(title)}</h1>'
            f"<p>{html.escape(tr('Python – Backpropagation in neural networks', lang))} · "
            f"{html.escape(day.name)}</p>"
            f"<h2>{html.escape(timetable_title)}</h2>"
            f"{timetable_html(day, lang)}</section>"
            f'<section class="contents"><h2>{html.escape(tr("Contents", lang))}</h2>'
            f'<ol>{contents}</ol></section>'
            + (f'<section class="glossary">{glossary}</section>' if glossary else "")
            + "\n".join(parts))
    return Handout(day, page, toc, title)


def needs_chromium():
    if not CHROMIUM.exists():
        raise MaterialsError(f"{CHROMIUM} not found: install Debian's chromium "
                             f"(apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise MaterialsError("the playwright package is missing (pip install -e .)") from None


def offline_page(context, blocked: list[str]):
    """A page of ``context`` that may load file: and data: URLs only; the others are
    aborted and listed in ``blocked``."""
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return page


def wait_for_math(page, timeout_ms: int = MATH_WAIT_MS):
    """Until MathJax has typeset the whole page."""
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=timeout_ms)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


def pdf_text(pdf: Path) -> str:
    if not shutil.which("pdftotext"):
        raise MaterialsError("pdftotext is missing: apt-get install poppler-utils")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def heading_pages(text: str, toc) -> dict[str, int]:
    """anchor -> page (1-based) where each heading of ``toc`` stands in the PDF's text,
    searched in order after the contents (the pages up to the one listing the last
    heading); headings not found are left out."""
    pages = [_squeeze(p) for p in text.split("\f")]
    keys = [(ident, _squeeze(heading.split("$")[0])[:40]) for ident, heading, _ in toc]
    keys = [(ident, words) for ident, words in keys if len(words) >= 3]
    if not keys:
        return {}
    last = next((i for i, p in enumerate(pages) if keys[-1][1] in p), len(pages))
    out, at = {}, last + 1
    for ident, words in keys:
        for index in range(at, len(pages)):
            if words in pages[index]:
                out[ident] = index + 1
                at = index
                break
    return out


def handout_leaks(text: str, day: Day) -> list[str]:
    """The project's leak rules on a handout's text: a line of a model answer's code, a
    model answer to a manually graded question, a line of a hidden test."""
    from . import leaks
    from .notebooks import read_notebook

    module = day.reference()
    published = leaks.published_code(d.reference_file for d in day.earlier())
    lines = leaks.reference_code_lines(module, published)
    out = [f"holds the code of {function} ({written}): {where!r}"
           for written, function, where in leaks.code_line_leaks(text, lines)]
    for grade_id, answer in getattr(module, "ANSWERS", {}).items():
        if leaks.is_answer(text, answer):
            out.append(f"holds the model answer to {grade_id!r}")
    squeezed = _squeeze(text)
    for path in day.notebooks:
        nb = read_notebook(path)
        visible = _squeeze("\n".join(cells.source(c) for c in nb.cells
                                     if not cells.hidden_lines(cells.source(c))))
        for cell in nb.cells:
            src = cells.source(cell)
            for number in sorted(cells.hidden_lines(src)):
                line = _squeeze(src.splitlines()[number - 1])
                if len(line) >= 25 and "HIDDENTESTS" not in line and line not in visible \
                        and line in squeezed:
                    out.append(f"holds a line of a hidden test of {path.name} "
                               f"({cells.grade_id(cell)}): {line[:60]!r}")
    return out


@dataclass
class HandoutResult:
    pdf: Path
    pages: int
    blocked: list[str]
    leaks: list[str]
    images: int = 0


def write_handout(day: Day, pdf: Path, keep_html: bool = False, figures: bool = True,
                  notebooks: dict | None = None, lang: str | None = None) -> HandoutResult:
    """``day``'s handout as an A4 PDF at ``pdf`` (printed twice: the second time with the
    contents' page numbers found in the first print).  A handout whose text leaks is
    removed; the result lists why."""
    from playwright.sync_api import sync_playwright

    from .html import standalone_page

    needs_chromium()
    pdf = Path(pdf).resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    handout = handout_html(day, notebooks if notebooks is not None
                           else day_notebooks(day, figures=figures, lang=lang), lang)
    page_path = pdf.with_suffix(".html")
    written = standalone_page(page_path, handout.title, handout.html,
                              HANDOUT_STYLE + code_style())
    blocked: list[str] = []
    footer = FOOTER.format(title=html.escape(f"{handout.title} ({day.name})"))
    options = dict(format="A4", print_background=True, display_header_footer=True,
                   header_template="<span></span>", footer_template=footer,
                   margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=CHROMIUM_ARGS)
            try:
                page = offline_page(browser.new_context(), blocked)
                page.goto(page_path.as_uri())
                wait_for_math(page)
                page.pdf(path=str(pdf), **options)
                found = heading_pages(pdf_text(pdf), handout.toc)
                page.evaluate("""(pages) => {
                    for (const [id, n] of Object.entries(pages)) {
                        const el = document.querySelector(`.page[data-for="${id}"]`);
                        if (el) el.textContent = String(n);
                    }}""", found)
                page.pdf(path=str(pdf), **options)
            finally:
                browser.close()
    finally:
        if not keep_html:
            for path in written:
                path.unlink(missing_ok=True)
    text = pdf_text(pdf)
    problems = handout_leaks(text, day)
    if problems:
        pdf.unlink()
    return HandoutResult(pdf, text.count("\f") or 1, blocked, problems,
                         handout.html.count('<img class="figure"'))


# --- the slides ----------------------------------------------------------------------------

DECK_STYLE = """
.reveal .slides section { text-align: left; font-size: 0.62em; height: 100%;
                          overflow-y: auto; }
.reveal h1 { font-size: 1.9em; } .reveal h2 { font-size: 1.5em; } .reveal h3 { font-size: 1.2em; }
.reveal table { font-size: 0.8em; }
.reveal pre { width: 100%; font-size: 0.72em; box-shadow: none; }
.reveal pre code { max-height: none; }
.reveal img.figure { max-height: 640px; margin: 0 auto; display: block; }
.reveal .exercise-label { color: #3465a4; font-weight: bold; }
"""


@dataclass
class Slide:
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def slide_of(piece: Piece) -> str:
    """The piece's slide type: its metadata, else the default (see the module)."""
    given = slide_type(piece.cell)
    if given:
        return given
    if piece.kind == "stub":
        return "fragment"
    if piece.kind == "notes":
        return "notes"
    if piece.kind == "figure":
        return "subslide"
    found = headings(piece.source)
    if found and piece.source.lstrip().startswith("#") and found[0][0] <= 2:
        return "slide"
    return "subslide"


def deck_slides(nb, lang: str | None = None) -> list[list[Slide]]:
    """Columns of slides (reveal.js's horizontal slides, each with its vertical ones)."""
    columns: list[list[Slide]] = []

    def current() -> Slide:
        if not columns:
            columns.append([Slide()])
        return columns[-1][-1]

    for piece in lecture_cells(nb):
        kind = slide_of(piece)
        if kind == "skip":
            continue
        if kind == "notes":
            current().notes.append(markdown_html(piece.source))
            continue
        if kind == "slide":
            columns.append([Slide()])
        elif kind == "subslide":
            if not columns:
                columns.append([Slide()])
            else:
                columns[-1].append(Slide())
        if piece.kind == "figure":
            body = f'<div class="figures">{piece.source}</div>'
        elif piece.kind == "stub":
            from .translations import tr

            names = ", ".join(function_names(piece.source))
            body = (f'<p class="exercise-label">{html.escape(tr("Exercise:", lang))} '
                    f'{html.escape(names)}</p>'
                    f'<pre><code class="language-python">{html.escape(piece.source)}'
                    f"</code></pre>")
        else:
            body = markdown_html(piece.source)
        slide = current()
        slide.parts.append(f'<div class="fragment">{body}</div>' if kind == "fragment"
                           else body)
        if piece.notes:
            slide.notes.append(markdown_html(piece.notes))
    return [[s for s in column if s.parts] for column in columns if any(s.parts for s in column)]


def with_lecturer_notes(day: Day, nb, lang: str | None = None):
    """A copy of ``nb`` whose exercise stubs carry speaker notes from the day's own data:
    the minutes the plan gives the exercise and where participants get stuck (the
    wrong-answer library's entries for its functions), after any notes written by hand."""
    import tomllib

    from .translations import tr

    try:
        items = tomllib.loads((day.folder / "plan.toml").read_text(encoding="utf-8")).get(
            "items", {})
    except (OSError, ValueError, AttributeError):
        items = {}
    try:
        wrongs = day.wrong_answers()
    except Exception:      # a day without a library yet: minutes only
        wrongs = []
    by_target: dict[str, list[str]] = {}
    for w in wrongs:
        by_target.setdefault(w.target, []).append(w.description)
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cells.role(cell) != cells.ANSWER:
            continue
        names = cells.defined_functions(cells.source(cell))
        minutes = items.get(cells.grade_id(cell))
        stuck = [tr(d, lang) for n in names for d in by_target.get(n, [])]
        lines = []
        if isinstance(minutes, (int, float)):
            lines.append(tr("About {minutes} min for a competent participant (the day's plan).",
                            lang).format(minutes=f"{minutes:g}"))
        if stuck:
            lines.append(tr("Where participants get stuck (solutions/wrong/):", lang))
            lines += [f"- {d}" for d in stuck]
        if lines:
            meta = cell.setdefault("metadata", {}).setdefault("course", {})
            own = speaker_notes(cell)
            meta["notes"] = "\n".join(([own, ""] if own else []) + lines)
    return nb


def deck_html(title: str, nb, lang: str | None = None) -> str:
    def section(slide: Slide) -> str:
        notes = (f'<aside class="notes">{"".join(slide.notes)}</aside>' if slide.notes else "")
        return f"<section>{''.join(slide.parts)}{notes}</section>"

    sections = []
    for column in deck_slides(nb, lang):
        inner = "".join(section(s) for s in column)
        sections.append(inner if len(column) == 1 else f"<section>{inner}</section>")
    return f"""<!DOCTYPE html>
<html lang="{lang or 'en'}">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="reveal/theme/white.css">
<style>{DECK_STYLE}</style>
<script src="mathjax-offline.js"></script>
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(sections)}
</div></div>
<script src="reveal/reveal.js"></script>
<script src="reveal/plugin/notes.js"></script>
<script>
Reveal.initialize({{hash: true, navigationMode: "linear", width: 1280, height: 800,
                    margin: 0.04, plugins: [RevealNotes]}});
</script>
</body>
</html>
"""


def reveal_dist() -> Path:
    dist = REVEAL / "dist"
    missing = [f for f in REVEAL_FILES if not (dist / f).is_file()]
    if missing:
        raise MaterialsError(f"reveal.js is not installed in {REVEAL} (missing {missing}): "
                             f"make node (npm ci)")
    return dist


def write_slides(day: Day, folder: Path, figures: bool = True,
                 notebooks: dict | None = None, lang: str | None = None) -> list[Path]:
    """One deck per notebook of ``day`` in ``folder``, reveal.js and MathJax beside them;
    ``notebooks`` as from ``day_notebooks`` (default: made here, with ``figures``)."""
    from .html import write_math_script

    dist = reveal_dist()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in REVEAL_FILES:
        target = folder / "reveal" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dist / name, target)
    write_math_script(folder)
    decks = []
    if notebooks is None:
        notebooks = day_notebooks(day, figures=figures, lang=lang)
    for name, nb in notebooks.items():
        path = folder / (Path(name).stem + ".html")
        path.write_text(deck_html(f"{day.name} · {Path(name).stem}",
                                  with_lecturer_notes(day, nb, lang), lang), encoding="utf-8")
        decks.append(path)
    return decks


# What a browser would load by itself: src=, a <link>'s href, url(), @import (a link the
# reader may click, such as MathJax's "about" box, is no load).
_OUTSIDE = re.compile(r"""(?:\bsrc\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|url\(\s*["']?"""
                      r"""|@import\s+(?:url\(\s*)?["']?)\s*(?:https?:)?//""", re.I)


def outside_references(folder: Path) -> list[str]:
    """Files of ``folder`` that load something from another host (src/href/url()/@import
    with an http(s): or protocol-relative URL): 'file: text'."""
    out = []
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and path.suffix in (".html", ".css", ".js"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for m in _OUTSIDE.finditer(text):
                out.append(f"{path.relative_to(folder)}: {text[m.start():m.end() + 40]!r}")
    return out


# --- the lecturer's guide ------------------------------------------------------------------


def points(day: Day) -> dict[str, dict[str, float]]:
    """notebook stem -> {part: points}: the graded cells' points, core and extension."""
    from .notebooks import read_notebook
    from .plan import PARTS, grade_parts

    out = {}
    for path in day.notebooks:
        nb = read_notebook(path)
        parts = grade_parts(nb, path.name)
        sums = {part: 0.0 for part in PARTS}
        for cell in nb.cells:
            meta = cells.nbgrader_meta(cell)
            if meta.get("grade"):
                sums[parts.get(meta.get("grade_id"), "core")] += float(meta.get("points", 0))
        out[path.stem] = sums
    return out


def manual_items(day: Day) -> list[tuple[str, str, float]]:
    """(notebook stem, grade id, points) of the manually graded answers."""
    from .notebooks import read_notebook

    return [(path.stem, cells.grade_id(c), float(cells.nbgrader_meta(c).get("points", 0)))
            for path in day.notebooks for c in read_notebook(path).cells
            if cells.role(c) == cells.MANUAL]


def lecturer_guide(day: Day, start: str = "09:00") -> str:
    """``grader guide DAY``: the timetable (``grader.plan.timetable``), then the points per
    notebook, the manually graded answers and the typical mistakes per exercise."""
    from .plan import CORE, EXTENSION, timetable

    lines = [timetable(day, start), "", "Points per notebook (core + extension):"]
    for stem, sums in points(day).items():
        lines.append(f"  {stem}: {sums[CORE]:g} + {sums[EXTENSION]:g}")
    manual = manual_items(day)
    lines += ["", "Graded by hand (grader formgrader):"]
    lines += [f"  {stem}: {gid} ({pts:g} points)" for stem, gid, pts in manual] or ["  none"]
    try:
        wrongs = day.wrong_answers()
    except Exception as exc:   # a day without a library of wrong answers yet
        wrongs = []
        lines += ["", f"Typical mistakes: none recorded ({type(exc).__name__})"]
    if wrongs:
        lines += ["", "Typical mistakes (the wrong-answer library, solutions/wrong/):"]
        by_target: dict[str, list[str]] = {}
        for w in wrongs:
            by_target.setdefault(w.target, []).append(w.description)
        for target, descriptions in by_target.items():
            lines.append(f"  {target}:")
            lines += [f"    - {d}" for d in descriptions]
    return "\n".join(lines)


# --- commands ------------------------------------------------------------------------------


def default_folder(course, day: str) -> Path:
    return course.root / "materials" / day


def handout_command(args, course) -> int:
    import sys

    from .days import built_day

    day = built_day(args.day)
    suffix = f"_{course.lang}" if course.lang else ""
    pdf = args.to or default_folder(course, args.day) / f"{args.day}_handout{suffix}.pdf"
    try:
        result = write_handout(day, pdf, figures=not getattr(args, "no_figures", False),
                               lang=course.lang)
    except MaterialsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.leaks:
        print(f"error: the handout of {args.day} holds what students must not see "
              f"(not written):\n  " + "\n  ".join(result.leaks), file=sys.stderr)
        return 1
    print(f"handout of {args.day}: {result.pdf} ({result.pages} pages, "
          f"{result.images} figures)")
    if result.blocked:
        print(f"  blocked {len(result.blocked)} request(s) to the network: "
              f"{result.blocked[:3]}")
    return 0


def slides_command(args, course) -> int:
    import sys

    from .days import built_day

    folder = args.to or default_folder(course, args.day) / (
        f"slides_{course.lang}" if course.lang else "slides")
    try:
        decks = write_slides(built_day(args.day), folder,
                             figures=not getattr(args, "no_figures", False), lang=course.lang)
    except MaterialsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"slides of {args.day} in {folder} (open a deck in a browser; S: speaker view):")
    for deck in decks:
        print(f"  {deck.name}")
    return 0
