"""The instructor's pages and tools without a browser (seconds): formgrader's and the
student lab's configurations, offline math in every HTML page the grader writes, the
feedback archives, and the class summary page on a small gradebook made here.

The browser half (manual grading, the pages rendered offline) is
tests/test_browser_formgrader.py.
"""

from __future__ import annotations

import base64
import html as htmllib
import json
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from grader import formgrader as fg
from grader import html as pages
from grader import lab as student_lab
from grader.archive import archive_feedback, archive_path
from grader.coursedir import CourseDir
from grader.summary import collect, write_summary

# nbgrader's own add_submission trips SQLAlchemy's autoflush warnings.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

# What nbgrader 0.9's feedback template (and nbconvert's) puts in a page's head.
CDN_HEAD = """<head>
<meta charset="utf-8" />
<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>
    <!-- Load mathjax -->
    <script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"> </script>
    <!-- MathJax configuration -->
    <script type="text/x-mathjax-config">
    init_mathjax = function() { MathJax.Hub.Config({}); }
    init_mathjax();
    </script>
</head>
<body><p>$$\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)$$</p></body>"""


# --- configurations ----------------------------------------------------------------------


def _json(path):
    return json.loads(path.read_text())


def test_student_lab_keeps_the_instructor_tools_off(tmp_path):
    cfg = student_lab.write_lab_config(tmp_path / "lab")
    server = _json(cfg / "jupyter_server_config.json")["ServerApp"]["jpserver_extensions"]
    disabled = _json(cfg / "labconfig" / "page_config.json")["disabledExtensions"]
    assert server["nbgrader.server_extensions.formgrader"] is False
    for plugin in fg.INSTRUCTOR_ENABLED_PLUGINS:
        assert disabled.get(plugin) is True, f"the student lab has {plugin} on"


def test_formgrader_turns_the_instructor_tools_on(tmp_path):
    course = CourseDir(tmp_path / "course")
    folder = fg.write_formgrader_config(course)
    cfg = folder / ".jupyter"
    app = _json(cfg / "jupyter_server_config.json")["ServerApp"]
    disabled = _json(cfg / "labconfig" / "page_config.json")["disabledExtensions"]
    assert app["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is True
    assert app["ip"] == "127.0.0.1"
    assert app["root_dir"] == str(course.root)
    for plugin in fg.INSTRUCTOR_ENABLED_PLUGINS:
        assert disabled.get(plugin) is False, f"formgrader's lab has {plugin} off"
    env = fg.formgrader_environment(course)
    assert env["JUPYTER_CONFIG_DIR"] == str(cfg)
    assert fg.formgrader_command(course, 9999)[:4] == [sys.executable, "-m", "jupyter", "lab"]


@pytest.mark.slow
def test_formgrader_reads_the_course_config_on_its_own_course_folder(tmp_path):
    """nbgrader, started where formgrader's server starts, sees this course folder as root
    and the repository's settings (its course id and the judge's preprocessors)."""
    course = CourseDir(tmp_path / "course")
    folder = fg.write_formgrader_config(course)
    code = ("from nbgrader.apps import NbGrader\n"
            "from nbgrader.coursedir import CourseDirectory\n"
            "app = NbGrader(); app.load_config_file()\n"
            "d = CourseDirectory(config=app.config)\n"
            "print(d.root); print(d.course_id)\n"
            "print([p.__name__ for p in app.config.Autograde.autograde_preprocessors][0])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=folder,
                         env=fg.formgrader_environment(course), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [str(course.root), "backprop", "JudgedExecute"], out.stdout


# --- offline math ------------------------------------------------------------------------


def test_every_mathjax_loader_gives_way_to_the_local_script():
    page = pages.use_offline_math(CDN_HEAD)
    assert "mathjax/2.7.7" not in page and "text/x-mathjax-config" not in page
    assert page.count(f'<script src="{pages.SCRIPT_NAME}"></script>') == 1
    assert page.index(pages.SCRIPT_NAME) < page.index("</head>")
    assert "require.min.js" in page            # not a MathJax loader: left as it was
    assert "$$\\delta^L" in page                # the math itself untouched
    assert pages.use_offline_math(page) == page  # a second pass changes nothing


def test_the_math_script_is_the_installed_mathjax_with_the_course_config(tmp_path):
    script = pages.write_math_script(tmp_path).read_bytes()
    bundle = pages.mathjax_bundle().read_bytes()
    assert script.endswith(bundle) and len(bundle) > 1_000_000
    config = json.loads(script[:len(script) - len(bundle)].decode()
                        .removeprefix("window.MathJax = ").rstrip().rstrip(";"))
    assert ["$", "$"] in config["tex"]["inlineMath"]


def test_missing_mathjax_is_named_with_its_package(monkeypatch):
    monkeypatch.setattr(pages.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(pages.MathJaxMissing, match="django-static-mathjax"):
        pages.mathjax_bundle()


def test_a_notebook_page_loads_math_from_beside_it(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "BP1: $$\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)$$")])
    page, script = pages.notebook_html(nb, tmp_path / "out" / "solved.html")
    text = page.read_text()
    assert script == page.parent / pages.SCRIPT_NAME and script.is_file()
    assert not re.search(r"<script[^>]*src=\"[^\"]*(cdn|https?:)[^\"]*mathjax", text, re.I)
    assert f'<script src="{pages.SCRIPT_NAME}"></script>' in text
    assert "\\delta^L" in text


# --- feedback archives -------------------------------------------------------------------


def test_one_archive_per_student_with_pages_that_work_offline(tmp_path):
    course = CourseDir(tmp_path / "course")
    for student in ("ada", "ben"):
        folder = course.feedback(student, "day1_forward")
        folder.mkdir(parents=True)
        (folder / "01_activations.html").write_text(CDN_HEAD)
    course.feedback("cleo", "day2_backprop").mkdir(parents=True)   # another day only
    archives = archive_feedback("day1_forward", course)
    assert archives == {s: archive_path(course, "day1_forward", s) for s in ("ada", "ben")}
    assert archives["ada"] == course.root / "feedback_archives" / "day1_forward" / "ada.zip"
    with zipfile.ZipFile(archives["ada"]) as zf:
        assert sorted(zf.namelist()) == ["day1_forward/01_activations.html",
                                         f"day1_forward/{pages.SCRIPT_NAME}"]
        page = zf.read("day1_forward/01_activations.html").decode()
        assert "cdnjs.cloudflare.com/ajax/libs/mathjax" not in page
        assert zf.read(f"day1_forward/{pages.SCRIPT_NAME}") == pages.math_script()


# --- the class summary -------------------------------------------------------------------

DAY = "day1_forward"
# (notebook, grade id, cell type, points)
CELLS = [("01_activations", "test_sigmoid", "code", 3.0),
         ("01_activations", "sigmoid-prime-derivation", "markdown", 2.0),
         ("02_simple_network", "test_affine_forward", "code", 3.0)]
# student -> {grade id: (auto score, manual score, needs manual grade)}
SCORES = {
    "ada": {"test_sigmoid": (3, None, False), "sigmoid-prime-derivation": (None, 2, False),
            "test_affine_forward": (3, None, False)},
    "ben": {"test_sigmoid": (0, None, False), "sigmoid-prime-derivation": (None, None, True),
            "test_affine_forward": (1, None, False)},
    "dan": {"test_sigmoid": (3, None, False), "sigmoid-prime-derivation": (0, None, False),
            "test_affine_forward": (0, None, False)},
}
DAN_FLAG = "patches a module: assigns to np.allclose (01_activations.ipynb, cell 4, line 2)"


@pytest.fixture
def small_class(tmp_path, monkeypatch):
    """A gradebook of three students (scores above) and a judge report flagging dan."""
    from nbgrader.api import Gradebook

    # A new gradebook asks the alembic program for its schema version (seconds, and it
    # must be on PATH); the version is never read here.
    monkeypatch.setattr("nbgrader.api.get_alembic_version", lambda: "not-asked")
    course = CourseDir(tmp_path / "course")
    course.root.mkdir(parents=True)
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.add_assignment(DAY)
        for nb in dict.fromkeys(c[0] for c in CELLS):
            gb.add_notebook(nb, DAY)
        for nb, gid, kind, points in CELLS:
            gb.add_grade_cell(gid, nb, DAY, max_score=points, cell_type=kind)
        for student, grades in SCORES.items():
            gb.add_student(student)
            gb.add_submission(DAY, student)
            for nb, gid, _, _ in CELLS:
                grade = gb.find_grade(gid, nb, DAY, student)
                grade.auto_score, grade.manual_score, grade.needs_manual_grade = grades[gid]
        gb.db.commit()
    report = course.root / "judge" / "results" / DAY / "dan" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"student": "dan", "tampering": [DAN_FLAG], "events": []}))
    return course


def _rows(page, cls):
    table = re.search(rf'<table class="{cls}">(.*?)</table>', page, re.S).group(1)
    body = table.split("<tbody>")[1]
    return [[htmllib.unescape(re.sub(r"<[^>]+>", "", c)) for c in
             re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_class_summary_counts_what_the_gradebook_holds(small_class):
    summary = collect(DAY, small_class)
    by_id = {e.grade_id: e for e in summary.exercises}
    assert (by_id["test_sigmoid"].passed, len(by_id["test_sigmoid"].scores)) == (2, 3)
    assert (by_id["test_affine_forward"].passed, by_id["test_affine_forward"].scores) == (
        1, [3, 1, 0])
    # ben's derivation is not graded yet: it counts neither as passed nor as failed.
    derivation = by_id["sigmoid-prime-derivation"]
    assert (derivation.passed, len(derivation.scores), derivation.ungraded) == (1, 2, 1)
    assert [e.grade_id for e in summary.most_failed] == [
        "test_affine_forward", "sigmoid-prime-derivation", "test_sigmoid"]
    totals = {s.student: (s.score, s.max_score, s.auto_score, s.manual_score)
              for s in summary.students}
    assert totals == {"ada": (8, 8, 6, 2), "ben": (1, 8, 1, 0), "dan": (3, 8, 3, 0)}


def test_class_summary_page(small_class):
    path = write_summary(DAY, small_class)
    assert path == small_class.root / "summary" / f"{DAY}.html"
    page = path.read_text()
    assert (path.parent / pages.SCRIPT_NAME).is_file()
    assert f'<script src="{pages.SCRIPT_NAME}"></script>' in page

    png = re.search(r'id="score-histogram"[^>]*src="data:image/png;base64,([^"]+)"', page)
    assert png, "no embedded histogram"
    assert base64.b64decode(png.group(1))[:8] == b"\x89PNG\r\n\x1a\n"

    students = _rows(page, "students")
    assert [r[:3] for r in students] == [["ada", "8 / 8", "100 %"], ["ben", "1 / 8", "12 %"],
                                         ["dan", "3 / 8", "38 %"]]
    assert students[1][6] == "0 (needs grading)"
    assert students[2][7] == "1"                     # dan's one flag
    # the core and the extension apart, adding up to the total
    for row in students:
        core, ext = row[3].split(" / "), (row[4] or "0 / 0").split(" / ")
        assert float(core[1]) + float(ext[1]) == float(row[1].split(" / ")[1]), row
        assert float(core[0]) + float(ext[0]) == float(row[1].split(" / ")[0]), row
    exercises = {r[0]: r for r in _rows(page, "exercises")}
    assert exercises["test_sigmoid"][5:7] == ["2/3", "67 %"]
    assert exercises["test_sigmoid"][2] == "core"
    assert exercises["sigmoid-prime-derivation"][8] == "1"

    most_failed = re.search(r'<ol id="most-failed">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r"<code>(.*?)</code>", most_failed)[0] == "test_affine_forward"
    flags = re.search(r'<dl id="judge-flags">(.*?)</dl>', page, re.S).group(1)
    assert "<dt>dan</dt>" in flags and htmllib.escape(DAN_FLAG) in flags
    assert "<dt>ada</dt>" not in flags


def test_class_summary_of_an_ungraded_day_says_what_to_do(tmp_path):
    course = CourseDir(tmp_path / "course")
    course.root.mkdir(parents=True)
    page = write_summary(DAY, course).read_text()
    assert f"grader autograde {DAY}" in page


def test_an_inlined_page_needs_nothing_beside_it(tmp_path):
    page = tmp_path / "feedback.html"
    page.write_text(CDN_HEAD)
    assert pages.offline_math(page, inline=True) == [page]
    text = page.read_text()
    assert not re.search(r"<script[^>]*src=\"[^\"]*mathjax", text, re.I), "a loader is left"
    assert pages.math_script().decode() in text
    assert not (tmp_path / pages.SCRIPT_NAME).exists()
    assert pages.use_offline_math(text, inline=True) == text     # idempotent
    # ... and back to the script beside the page.
    beside = pages.use_offline_math(text)
    assert pages.math_script().decode() not in beside
    assert beside.count(f'<script src="{pages.SCRIPT_NAME}"></script>') == 1


def test_summary_command_writes_the_page(small_class, capsys):
    from grader import cli

    assert cli.main(["--root", str(small_class.root), "summary", DAY]) == 0
    path = small_class.root / "summary" / f"{DAY}.html"
    assert f"class summary: {path}" in capsys.readouterr().out
    assert "<dt>dan</dt>" in path.read_text()


def test_an_archive_keeps_an_inlined_page_inlined(tmp_path):
    course = CourseDir(tmp_path / "course")
    folder = course.feedback("ada", "day1_forward")
    folder.mkdir(parents=True)
    page = folder / "01_activations.html"
    page.write_text(CDN_HEAD)
    pages.offline_math(page, inline=True)           # grader feedback --inline-math
    inlined = page.read_text()
    assert pages.uses_offline_math(inlined) and not pages.uses_offline_math(CDN_HEAD)
    archive = archive_feedback("day1_forward", course)["ada"]
    with zipfile.ZipFile(archive) as zf:
        assert zf.read("day1_forward/01_activations.html").decode() == inlined
