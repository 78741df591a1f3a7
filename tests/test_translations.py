"""The Czech edition (grader/translations.py): catalogues beside the English notebooks."""

import copy
import json
import shutil

import polib
import pytest

from grader import translations
from grader.check import check
from grader.coursedir import CourseDir
from grader.days import Day
from grader.notebooks import read_notebook

DAY = Day.named("day1_forward")
NB = DAY.notebooks[0]


@pytest.fixture
def locale(tmp_path, monkeypatch):
    """A copy of locale/ the test may change."""
    target = tmp_path / "locale"
    shutil.copytree(translations.LOCALE, target)
    monkeypatch.setattr(translations, "LOCALE", target)
    return target


def test_czech_release_grades_as_the_english_one(tmp_path):
    """Day 1 released in Czech: the solved notebooks get every point, the stubs none, every
    known wrong answer loses points, the leak rules find nothing (``grader check --lang cs``,
    one worker); the notebooks carry the Czech texts and release.json says cs."""
    report = check(DAY.name, quiet=True, keep=tmp_path / "check", lang="cs", workers=1)
    assert not report.errors, report.errors
    assert report.wrong and not [v.wrong.name for v in report.wrong if v.tier == "MISSED"]
    assert report.ok, report.format()
    assert not report.leaks, report.leaks
    assert report.rows
    for nb, gid, pts, solved, stub in report.rows:
        assert solved == pts, (nb, gid, solved, pts)
        assert not stub, (nb, gid, stub)
    folder = tmp_path / "check" / "course" / "release" / DAY.name
    assert json.loads((folder / "course" / "release.json").read_text())["lang"] == "cs"
    released = read_notebook(folder / NB.name)
    text = "\n".join(c.source for c in released.cells)
    assert "Učení z dat" in text and "účelová funkce" in text
    assert "**Čas:**" in text and "**Time:**" not in text


def test_missing_entry_names_notebook_cell_and_english(locale, tmp_path):
    path = locale / "cs" / DAY.name / f"{NB.stem}.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgctxt == "sigmoid-intro")
    entry.msgstr = ""
    po.save(str(path))
    with pytest.raises(translations.TranslationError) as exc:
        CourseDir(tmp_path / "course", lang="cs").write_sources([DAY])
    message = str(exc.value)
    assert f"{DAY.name}/{NB.stem}.ipynb, cell sigmoid-intro" in message
    assert "## 3. The sigmoid" in message


def test_fuzzy_entry_fails_the_release(locale, tmp_path):
    path = locale / "cs" / DAY.name / f"{NB.stem}.po"
    po = polib.pofile(str(path))
    next(e for e in po if e.msgctxt == "tanh-intro").flags.append("fuzzy")
    po.save(str(path))
    with pytest.raises(translations.TranslationError, match=r"cell tanh-intro: the cs "
                       r"translation is fuzzy .*The hyperbolic tangent"):
        translations.annotated_notebooks(DAY, "cs")


def test_a_changed_english_sentence_makes_its_entry_fuzzy(locale):
    """msgmerge's rule: the old translation kept, marked fuzzy, the old English remembered;
    a cell that went away leaves an obsolete entry."""
    nb = copy.deepcopy(read_notebook(NB))
    cell = next(c for c in nb.cells if c.get("id") == "relu-intro")
    old = cell.source
    cell.source = old.replace("An exact $0$ is more common than it looks",
                              "An exact $0$ happens more often than one would think")
    assert cell.source != old
    nb.cells = [c for c in nb.cells if c.get("id") != "explorer-intro"]
    po = translations.load(locale / "cs" / DAY.name / f"{NB.stem}.po")
    before = next(e for e in po if e.msgctxt == "relu-intro")
    assert before.msgstr and "fuzzy" not in before.flags
    merged = translations.merge(po, [(t.context, t.english)
                                     for t in translations.texts(nb, NB.stem)])
    entry = next(e for e in merged if e.msgctxt == "relu-intro" and not e.obsolete)
    assert "fuzzy" in entry.flags
    assert entry.msgid == cell.source and entry.previous_msgid == old
    assert entry.msgstr == before.msgstr
    assert [e.obsolete for e in merged if e.msgctxt == "explorer-intro"] == [1]
    others = [e for e in merged if not e.obsolete and e.msgctxt != "relu-intro"]
    assert others and not any("fuzzy" in e.flags for e in others)
    with pytest.raises(translations.TranslationError, match="cell relu-intro"):
        merged.save(str(locale / "cs" / DAY.name / f"{NB.stem}.po"))
        translations.translated_notebook(nb, DAY, NB.stem, "cs")


def test_catalogues_in_step_with_the_english_notebooks():
    """Every text of Day 1 has a finished translation, and its math is the English math:
    the same $...$ and $$...$$ spans, as often."""
    import re
    from collections import Counter

    def math(text):
        return Counter(re.findall(r"\$\$.*?\$\$|\$[^$]+\$", text, flags=re.S))

    for path in DAY.notebooks:
        po = translations.load(translations.catalogue_path(DAY, path.stem, "cs"))
        live = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
        for t in translations.texts(read_notebook(path), path.stem):
            e = live.get((t.context, t.english))
            assert e is not None and e.msgstr and "fuzzy" not in e.flags, (path.stem, t.cell)
            assert math(e.msgstr) == math(t.english), (path.stem, t.cell)


def test_toolkit_speaks_the_release_language(tmp_path):
    """course/i18n.py reads the language from release.json, not from the environment:
    a Czech release says "not implemented yet" and the cross-check table in Czech, an
    English one (or LANG=cs_CZ without a Czech release) in English."""
    import os
    import subprocess
    import sys

    from grader.days import REPO

    assert json.loads((REPO / "course" / "locale" / "cs.json").read_text())
    script = ("from course import checks\n"
              "print(checks.not_implemented_message('sigmoid'))\n"
              "print(checks.format_table([checks.compare('a', [1.0], [2.0], 1e-7)]))\n")
    out = {}
    for lang in ("cs", "en"):
        folder = tmp_path / lang
        shutil.copytree(REPO / "course", folder / "course",
                        ignore=shutil.ignore_patterns("__pycache__", "release.json"))
        (folder / "course" / "release.json").write_text(json.dumps({"lang": lang}))
        out[lang] = subprocess.run([sys.executable, "-c", script], cwd=folder, text=True,
                                   capture_output=True, check=True,
                                   env=dict(os.environ, LANG="cs_CZ.UTF-8", PYTHONPATH="")).stdout
    assert "`sigmoid` zatím není implementována" in out["cs"]
    assert "tenzor" in out["cs"] and "přesně" in out["cs"]
    assert "`sigmoid` is not implemented yet" in out["en"] and "tensor" in out["en"]


def test_update_reports_completeness_and_changes_nothing_in_step(locale, tmp_path, monkeypatch,
                                                               capsys):
    """`grader translations update` on catalogues already in step: Day 1 complete, the files
    unchanged; the completeness per day and per notebook printed."""
    from grader.cli import main

    monkeypatch.setattr(translations, "TOOLKIT_JSON", tmp_path / "compiled")
    monkeypatch.setattr(translations, "built_days", lambda: [DAY])
    before = {p: p.read_bytes() for p in (locale / "cs" / DAY.name).glob("*.po")}
    assert main(["translations", "update", "--lang", "cs"]) == 0
    out = capsys.readouterr().out
    assert "day1_forward: 49/49 translated (100 %)" in out
    assert "  01_activations: 23/23" in out and "  02_simple_network: 26/26" in out
    assert {p: p.read_bytes() for p in before} == before
    assert json.loads((tmp_path / "compiled" / "cs.json").read_text())["Check failed:"]


def test_a_czech_checkpoint_is_czech_and_solved(tmp_path):
    import nbformat

    from grader.days import REPO
    from grader.solutions_release import STUB_MARKERS, release_solutions

    folder, _ = release_solutions("day1_forward", CourseDir(tmp_path / "c", lang="cs"),
                                  notebook="01")
    nb = nbformat.read(folder / "01_activations.ipynb", 4)
    english = nbformat.read(REPO / "day1_forward" / "01_activations.ipynb", 4)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert prose[0] != next(c.source for c in english.cells if c.cell_type == "markdown")
    answers = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and not [m for a in answers for m in STUB_MARKERS if m in a]
    assert json.loads((folder / "course" / "release.json").read_text())["lang"] == "cs"


# --- the toolkit's and the tests' messages, the pages, the materials (issue 21) -------------

def _run_in_release(tmp_path, lang, script):
    """``script`` run by a fresh Python in a folder holding a copy of the toolkit whose
    release.json says ``lang`` (the environment says Czech either way); its stdout."""
    import os
    import subprocess
    import sys

    from grader.days import REPO

    folder = tmp_path / lang
    shutil.copytree(REPO / "course", folder / "course",
                    ignore=shutil.ignore_patterns("__pycache__", "release.json"))
    (folder / "course" / "release.json").write_text(json.dumps({"lang": lang}))
    return subprocess.run([sys.executable, "-c", script], cwd=folder, text=True,
                          capture_output=True, check=True,
                          env=dict(os.environ, LANG="cs_CZ.UTF-8", PYTHONPATH=str(REPO))).stdout


WRONG_ANSWER_SCRIPT = """
import numpy as np
from course import checks
from solutions.wrong.day1_forward import relu_prime_at_zero
# Day 1's visible test of relu_prime, with the wrong answer's output
d = relu_prime_at_zero(np.array([-2.0, 0.0, 3.0]))
for check in (
    lambda: checks.assert_close(d, np.array([0.0, 0.0, 1.0]), "relu_prime([-2, 0, 3])",
        diagnose=[(np.array([0.0, 1.0, 1.0]),
                   "1 at z = 0, where PyTorch's relu'(0) is 0: z = 0 counted as positive?")]),
    lambda: checks.crosscheck({"relu_prime(z)": d}, {"relu_prime(z)": np.array([0.0, 0.0, 1.0])},
        hints={"relu_prime(z)": "which value at z == 0? PyTorch's relu'(0) is 0"}),
    lambda: checks.assert_shape(d, (3, 1), "relu_prime(z)"),
    lambda: checks.check_at_least("accuracy on 400 noisy XOR points", 0.5, 0.9),
):
    try:
        check()
    except checks.CheckFailed as exc:
        print("".join(exc._render_traceback_()))
# a test cell's own message, built with an f-string (Day 1's test of init_weights)
method, W = "he", np.full((2, 3), 0.5)
try:
    raise checks.CheckFailed(f"method {method!r}: mean of W is {W.mean():.3g}, expected ≈ 0")
except checks.CheckFailed as exc:
    print(exc)
import matplotlib
matplotlib.use("Agg")
from course.plots import training
ax = training.plot_loss([3.0, 2.0, 1.0])
print("axes:", ax.get_xlabel(), "/", ax.get_ylabel())
"""


def test_a_wrong_answer_speaks_the_release_language(tmp_path):
    """A wrong answer's messages in the student's kernel (a visible test's diagnosis, a
    cross-check hint, a shape, a score) and a plot's labels in Czech in a Czech release, in English in an
    English one, whatever LANG says.  (The wrong-answer library's descriptions reach a
    student through the hidden tests, on the feedback: see the feedback's test.)"""
    cs = _run_in_release(tmp_path, "cs", WRONG_ANSWER_SCRIPT)
    en = _run_in_release(tmp_path, "en", WRONG_ANSWER_SCRIPT)
    for czech in ("Kontrola selhala:", "relativní chyba 1 > 1e-07 na indexu (1,): vyšlo 1, "
                  "čekali jsme 0.",
                  "Pravděpodobná příčina: 1 v z = 0, kde je relu'(0) v PyTorch 0: počítáte "
                  "z = 0 jako kladné?",
                  "1 z 1 tenzorů se liší od reference",
                  "nápověda: jaká hodnota v z == 0? relu'(0) v PyTorch je 0",
                  "relu_prime(z): čekali jsme tvar (3, 1), dostali jsme (3,).",
                  "přesnost na 400 zašuměných bodech XOR: 0.500 je pod cílem 0.900.",
                  "axes: krok / ztráta", "metoda 'he': průměr W je 0.5, čekali jsme ≈ 0"):
        assert czech in cs, (czech, cs)
    for english in ("Check failed:", "Likely cause: 1 at z = 0, where PyTorch's relu'(0) is 0",
                    "hint: which value at z == 0?", "expected shape (3, 1), got (3,).",
                    "accuracy on 400 noisy XOR points: 0.500 is below the target 0.900.",
                    "axes: step / loss", "method 'he': mean of W is 0.5, expected ≈ 0"):
        assert english in en, (english, en)
    assert "Likely cause" not in cs and "Pravděpodobná" not in en


def _with_new_diagnosis(monkeypatch, message):
    """Day 1's notebooks as read by grader.translations, one visible test given a new
    diagnosis ``message``."""
    real = translations.read_notebook

    def read(path):
        nb = real(path)
        if path.name == NB.name:
            cell = next(c for c in nb.cells if c.get("id") == "test_relu_prime")
            cell.source = cell.source.replace(
                '"1 at z = 0, where PyTorch\'s relu\'(0) is 0: z = 0 counted as positive?")',
                '"1 at z = 0, where PyTorch\'s relu\'(0) is 0: z = 0 counted as positive?"), '
                f'(np.array([1.0, 1.0, 1.0]), {message!r})', 1)
            assert message in cell.source
        return nb

    monkeypatch.setattr(translations, "read_notebook", read)


def test_a_new_untranslated_diagnosis_fails_the_release_naming_it(locale, tmp_path, monkeypatch):
    """A diagnosis added to a test cell: the Czech release fails naming the notebook, the
    cell and the English text; `update --toolkit` adds it to toolkit.po untranslated; once
    translated there, the release goes through and the kernel's catalogue has it."""
    from grader.cli import main

    monkeypatch.setattr(translations, "TOOLKIT_JSON", tmp_path / "compiled")
    monkeypatch.setattr(translations, "built_days", lambda: [DAY])
    assert main(["translations", "update", "--toolkit", "--lang", "cs"]) == 0
    message = "every slope 1: the negative side ignored?"
    _with_new_diagnosis(monkeypatch, message)
    with pytest.raises(translations.TranslationError) as exc:
        CourseDir(tmp_path / "course", lang="cs").write_sources([DAY])
    assert f"{DAY.name}/{NB.name}, cell test_relu_prime: {message!r}" in str(exc.value)
    before = {p: p.read_bytes() for p in (locale / "cs" / DAY.name).glob("*.po")}
    assert main(["translations", "update", "--toolkit", "--lang", "cs"]) == 0
    assert {p: p.read_bytes() for p in before} == before       # the notebooks' catalogues
    po = polib.pofile(str(locale / "cs" / "toolkit.po"))
    entry = next(e for e in po if e.msgid == message)
    assert entry.msgstr == "" and not entry.obsolete
    entry.msgstr = "všude sklon 1: ignorovaná záporná strana?"
    po.save(str(locale / "cs" / "toolkit.po"))
    translations.compile_toolkit("cs")
    CourseDir(tmp_path / "course", lang="cs").write_sources([DAY])
    compiled = json.loads((tmp_path / "compiled" / "cs.json").read_text())
    assert compiled[message] == "všude sklon 1: ignorovaná záporná strana?"


def test_the_kernel_catalogue_holds_no_hidden_message():
    """course/locale/cs.json ships with every release: the toolkit's and the visible
    tests' messages, not the wrong-answer library's descriptions nor a hidden test's."""
    from grader.days import REPO, built_days

    shipped = json.loads((REPO / "course" / "locale" / "cs.json").read_text())
    kernel = set(translations.kernel_messages())
    hidden_only = {m for d in built_days() for _, m in translations.day_messages(d)} - kernel
    assert hidden_only and not hidden_only & set(shipped)
    assert "derivative 1 at z = 0 (PyTorch uses 0)" in hidden_only
    assert "Likely cause:" in shipped


def _complete(day) -> str | None:
    """None when every catalogue of ``day`` is finished, else why not."""
    for path in day.notebooks:
        try:
            translations.translated_notebook(read_notebook(path), day, path.stem, "cs")
        except translations.TranslationError as exc:
            return str(exc).splitlines()[0]
    missing = translations.untranslated_messages(day, "cs")
    return f"{len(missing)} message(s) untranslated" if missing else None


def _without_docstrings(source: str) -> str:
    for _name, doc in translations._docstrings(source):
        source = source.replace(doc, "", 1)
    return source


def _built_days():
    from grader.days import built_days

    return built_days()


@pytest.mark.parametrize("day", _built_days(), ids=lambda d: d.name)
def test_czech_release_is_the_english_program(day):
    """The judge sees the same programs: the Czech edition of a day whose catalogues are
    complete has the English notebooks' cells, one for one, with the same cell types, ids,
    metadata (nbgrader's included) and code; only markdown text and stub docstrings
    differ.  With Day 1 graded for real in Czech above, every such day grades as the
    English one.  A day still being translated is skipped, saying why."""
    why = _complete(day)
    if why:
        pytest.skip(f"{day.name}'s Czech catalogues are not complete yet: {why}")
    from grader.plan import annotated_notebooks

    czech, english = translations.annotated_notebooks(day, "cs"), annotated_notebooks(day)
    assert list(czech) == list(english)
    for name in english:
        cz, en = czech[name], english[name]
        assert len(cz.cells) == len(en.cells), name
        changed = 0
        for a, b in zip(cz.cells, en.cells):
            assert (a.cell_type, a.get("id"), a.metadata) == (b.cell_type, b.get("id"),
                                                               b.metadata), (name, b.get("id"))
            if b.cell_type == "code":
                assert _without_docstrings(a.source) == _without_docstrings(b.source), \
                    (name, b.get("id"))
            else:
                changed += a.source != b.source
        assert changed, f"{name}: no markdown cell translated"


@pytest.mark.parametrize("day", _built_days(), ids=lambda d: d.name)
def test_czech_release_leaks_nothing(day, tmp_path):
    """The leak rules on the Czech release of each complete day (nbgrader's student
    version, the toolkit and its Czech catalogue beside it) find nothing."""
    why = _complete(day)
    if why:
        pytest.skip(f"{day.name}'s Czech catalogues are not complete yet: {why}")
    if day.name == DAY.name:
        pytest.skip("Day 1's Czech release is checked by the real grading above")
    from grader.release import release

    folder, leaks = release(day.name, CourseDir(tmp_path / "course", lang="cs"))
    assert not leaks, leaks
    assert (folder / "course" / "locale" / "cs.json").is_file()
    assert json.loads((folder / "course" / "release.json").read_text())["lang"] == "cs"


def test_feedback_and_summary_of_a_czech_release_are_czech(tmp_path):
    """A Czech release graded (one worker) with a known wrong answer: the feedback page
    shows the judge's messages, nbgrader's words and the part scores in Czech (the hidden
    test's diagnosis from the wrong-answer library too), and the summary page is Czech."""
    from grader.autograde import autograde
    from grader.feedback import feedback, feedback_text
    from grader.notebooks import solved_notebook, with_wrong_answers
    from grader.release import release, release_notebooks, write_submission
    from grader.summary import write_summary

    course = CourseDir(tmp_path / "course", lang="cs")
    folder, leaks = release(DAY.name, course)
    assert not leaks
    stubs = release_notebooks(folder)
    nb = solved_notebook(stubs[NB.name], DAY.reference(), NB.name)
    # one caught by its visible test, one by its hidden test only (the library's words)
    wrong = [w for w in DAY.wrong_answers() if w.name in (
        "leaky_relu_prime:leaky_prime_zero_slope", "leaky_relu:leaky_relu_maximum")]
    assert len(wrong) == 2
    write_submission(course, "alice", DAY.name, {NB.name: with_wrong_answers(nb, wrong)})
    [graded] = autograde(DAY.name, course, ["alice"], quiet=True, workers=1)
    assert graded.status == "graded", graded.message
    assert graded.notebooks[0].cells and any(c.failed for c in graded.notebooks[0].cells)
    page = feedback(DAY.name, course, ["alice"], quiet=True)["alice"]
    text = feedback_text(next(p for p in page if p.stem == NB.stem))
    for czech in ("Kontrola selhala:", "Pravděpodobná příčina: sklon 0 na záporné straně: "
                  "ignorujete alpha?", "Pravděpodobná příčina: max(z, αz): správně jen pro "
                  "α ≤ 1, pro α > 1 vybere αz tam, kde z > 0", "Jádro:", "Testovací buňka",
                  "Body:"):
        assert czech in text, czech
    for english in ("Likely cause", "Core:", "Test cell", "Score:", "relative error"):
        assert english not in text, english
    summary = write_summary(DAY.name, course).read_text(encoding="utf-8")
    assert "Přehled třídy: day1_forward" in summary and "Studenti" in summary
    assert "Class summary" not in summary and "Per exercise" not in summary


def test_handout_and_slides_in_czech(tmp_path):
    """grader handout/slides --lang cs: the notebooks' Czech text and the materials' own
    words in Czech (the handout's HTML; the printed PDF is the same page)."""
    from grader import materials

    import html

    handout = html.unescape(materials.handout_html(DAY, lang="cs").html)
    for czech in ("Časový plán dne", "Obsah", "Sigmoida", "Úloha: sigmoid", "oběd"):
        assert czech in handout, czech
    for english in ("The day's timetable", "Contents", "Exercise:", "The sigmoid"):
        assert english not in handout, english
    assert "slovníček" in handout.split('<section class="glossary">')[1][:400].lower()
    english = html.unescape(materials.handout_html(DAY).html)
    assert "The day's timetable" in english and "Časový plán" not in english
    try:
        materials.reveal_dist()
    except materials.MaterialsError as exc:
        pytest.skip(str(exc))
    decks = materials.write_slides(DAY, tmp_path / "slides", figures=False, lang="cs")
    deck = decks[0].read_text(encoding="utf-8")
    assert '<html lang="cs">' in deck and "Úloha: sigmoid" in deck and "Sigmoida" in deck
    assert "Kde se účastníci zasekávají" in deck and "Exercise:" not in deck


def test_czech_lab_leaves_out_a_day_still_being_translated(locale, tmp_path, capsys):
    """`grader lab --lang cs` (`make lab LANG=cs`): a day whose catalogue has a missing
    entry is left out of the Czech workspace (<root>/lab_cs), saying which text."""
    from grader.lab import prepare_lab

    path = locale / "cs" / DAY.name / f"{NB.stem}.po"
    po = polib.pofile(str(path))
    next(e for e in po if e.msgctxt == "sigmoid-intro").msgstr = ""
    po.save(str(path))
    workspace = prepare_lab(CourseDir(tmp_path / "course", lang="cs"), days=[DAY.name])
    assert workspace == (tmp_path / "course" / "lab_cs").resolve()
    assert not (workspace / DAY.name).exists()
    out = capsys.readouterr().out
    assert f"{DAY.name}: not in the cs workspace" in out and "cell sigmoid-intro" in out
