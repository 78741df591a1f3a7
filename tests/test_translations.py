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
