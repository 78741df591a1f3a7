"""The Czech edition: gettext catalogues beside the English notebooks.

The English notebooks stay the source. Each notebook has a catalogue,
``locale/<lang>/<day>/<notebook>.po``; the toolkit's messages have ``locale/<lang>/toolkit.po``.

What is translated, one entry each:

- every markdown cell, **whole** (the msgid is the cell's full text, msgctxt its cell id): a
  cell is one thought (a derivation, a question, a hint), its paragraphs and lists refer to each
  other and its math sits between them, so a translator sees and writes it as one piece;
- every stub's docstring (msgctxt ``<cell id>:<function>:docstring``), the text between the
  quotes exactly as it stands in the cell, indentation included;
- manually graded questions are markdown cells, so they are covered by the first rule.

Code is never translated (test cells, hints in comments, the toolkit's code); the math
between ``$`` stays as it is, the translator copies it.

``update`` works as ``msgmerge``: a text whose English changed keeps its old translation,
marked fuzzy, with the old English as ``#| msgid``; a text that went away becomes obsolete
(``#~``). ``translated_notebook`` applies a catalogue and refuses a missing or fuzzy entry,
naming the notebook, the cell and the English text.
"""

from __future__ import annotations

import ast
import copy
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import polib

from .days import REPO, Day, built_days
from .notebooks import NotebookError, read_notebook

LOCALE = REPO / "locale"
LANGUAGES = ("cs",)
TOOLKIT_JSON = REPO / "course" / "locale"
#: a translated docstring may not close its literal
QUOTES = ('"""', "'''")


class TranslationError(NotebookError):
    """A released text without a finished translation."""


@dataclass(frozen=True)
class Text:
    notebook: str     # file stem, e.g. 01_activations
    context: str      # msgctxt
    english: str      # msgid
    cell: str         # cell id, for messages


def _docstrings(source: str):
    """[(function name, raw docstring text between the quotes)] of the top-level functions."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                literal = ast.get_source_segment(source, first.value)
                for quote in ('"""', "'''"):
                    start = literal.find(quote)
                    if start >= 0 and literal.endswith(quote):
                        out.append((node.name, literal[start + 3:-3]))
                        break
    return out


def _is_notes(cell) -> bool:
    from .materials import slide_type

    return slide_type(cell) == "notes"


def texts(nb, notebook: str) -> list[Text]:
    """The texts a student reads in ``nb`` (an English source notebook)."""
    from .judge import cells

    out = []
    for index, cell in enumerate(nb.cells):
        cid = cell.get("id") or f"cell-{index}"
        if _is_notes(cell):
            continue
        if cell.cell_type == "markdown" and cell.source.strip():
            out.append(Text(notebook, cid, cell.source, cid))
        elif cell.cell_type == "code" and cells.role(cell) == cells.ANSWER:
            for name, doc in _docstrings(cell.source):
                if doc.strip():
                    out.append(Text(notebook, f"{cid}:{name}:docstring", doc, cid))
    return out


def catalogue_path(day: Day, notebook: str, lang: str) -> Path:
    return LOCALE / lang / day.name / f"{notebook}.po"


def load(path: Path) -> polib.POFile:
    if path.exists():
        return polib.pofile(str(path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Project-Id-Version": "backprop-workbook", "Language": path.parts[-3]
                   if path.parent.parent.name != "locale" else path.parent.name,
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit"}
    return po


def merge(po: polib.POFile, found: list[tuple[str, str]]) -> polib.POFile:
    """msgmerge in Python: ``found`` [(msgctxt, msgid)] in order -> a new catalogue whose
    entries keep their translations; a changed English text keeps the old translation,
    fuzzy; entries no longer found are kept obsolete."""
    by_key = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    by_ctxt = {}
    for e in po:
        if not e.obsolete:
            by_ctxt.setdefault(e.msgctxt, e)
    new = polib.POFile(wrapwidth=0)
    new.metadata = po.metadata
    used = set()
    for ctxt, msgid in found:
        old = by_key.get((ctxt, msgid))
        if old is not None:
            entry = copy.copy(old)
        else:
            entry = polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr="")
            prev = by_ctxt.get(ctxt)
            if prev is not None and prev.msgstr:
                entry.msgstr = prev.msgstr
                entry.flags = ["fuzzy"]
                entry.previous_msgid = prev.msgid if "fuzzy" not in prev.flags else \
                    (prev.previous_msgid or prev.msgid)
            if prev is not None:
                used.add(id(prev))
        used.add(id(old)) if old is not None else None
        new.append(entry)
    for e in po:
        if e.obsolete:
            new.append(e)
        elif id(e) not in used:
            e.obsolete = True
            new.append(e)
    return new


def update(lang: str = "cs", days: list[Day] | None = None) -> list[tuple[str, str, int, int, int]]:
    """Bring the catalogues of ``days`` (default: every built day) in step with the English
    notebooks; compile the toolkit's catalogue for the release. Returns
    [(day, notebook, translated, fuzzy, total)]."""
    rows = []
    for day in days or built_days():
        for path in day.notebooks:
            found = texts(read_notebook(path), path.stem)
            target = catalogue_path(day, path.stem, lang)
            merged = merge(load(target), [(t.context, t.english) for t in found])
            merged.metadata["Language"] = lang
            target.parent.mkdir(parents=True, exist_ok=True)
            merged.save(str(target))
            rows.append((day.name, path.stem, *counts(merged)))
    compile_toolkit(lang)
    return rows


def counts(po: polib.POFile) -> tuple[int, int, int]:
    live = [e for e in po if not e.obsolete]
    fuzzy = sum(1 for e in live if "fuzzy" in e.flags)
    done = sum(1 for e in live if e.msgstr and "fuzzy" not in e.flags)
    return done, fuzzy, len(live)


def completeness(rows) -> str:
    out, by_day = [], {}
    for day, nb, done, fuzzy, total in rows:
        by_day.setdefault(day, [0, 0, 0])
        for i, v in enumerate((done, fuzzy, total)):
            by_day[day][i] += v
    for day, (done, fuzzy, total) in by_day.items():
        out.append(f"{day}: {done}/{total} translated ({100 * done // max(total, 1)} %)"
                   + (f", {fuzzy} fuzzy" if fuzzy else ""))
        for d, nb, dn, fz, tt in rows:
            if d == day:
                out.append(f"  {nb}: {dn}/{tt}" + (f", {fz} fuzzy" if fz else ""))
    return "\n".join(out)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 100 else line[:97] + "..."


def translated_notebook(nb, day: Day, notebook: str, lang: str):
    """A copy of the English ``nb`` with its texts in ``lang``; TranslationError naming every
    missing or fuzzy entry (notebook, cell, English text)."""
    po = load(catalogue_path(day, notebook, lang))
    entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    nb = copy.deepcopy(nb)
    problems = []
    by_cell = {}
    for t in texts(nb, notebook):
        e = entries.get((t.context, t.english))
        if e is None or not e.msgstr:
            problems.append(f"{day.name}/{notebook}.ipynb, cell {t.cell}: no {lang} translation "
                            f"of {_short(t.english)!r}")
        elif "fuzzy" in e.flags:
            problems.append(f"{day.name}/{notebook}.ipynb, cell {t.cell}: the {lang} translation "
                            f"is fuzzy (the English changed) for {_short(t.english)!r}")
        else:
            by_cell.setdefault(t.cell, []).append((t, e.msgstr))
    if problems:
        raise TranslationError(f"{len(problems)} text(s) without a finished {lang} translation "
                               f"(run `grader translations update --lang {lang}` and translate "
                               f"locale/{lang}/):\n  " + "\n  ".join(problems))
    for index, cell in enumerate(nb.cells):
        cid = cell.get("id") or f"cell-{index}"
        for t, czech in by_cell.get(cid, []):
            if t.context == cid:
                cell.source = czech
            elif t.english in cell.source and not any(q in czech for q in QUOTES):
                cell.source = cell.source.replace(t.english, czech, 1)
            else:
                problems.append(f"{day.name}/{notebook}.ipynb, cell {t.cell}: the {lang} "
                                f"docstring cannot replace {_short(t.english)!r}")
    if problems:
        raise TranslationError("\n".join(problems))
    return nb


# --- the toolkit's messages -----------------------------------------------------------------

def toolkit_catalogue(lang: str) -> Path:
    return LOCALE / lang / "toolkit.po"


def compile_toolkit(lang: str) -> Path | None:
    """locale/<lang>/toolkit.po -> course/locale/<lang>.json ({English: translation}, finished
    entries only), shipped with the toolkit in every release: the messages a student's
    kernel can print (``kernel_messages``), not those only the hidden tests and the
    wrong-answer library give (the grader translates those, from the .po, on the feedback)."""
    src = toolkit_catalogue(lang)
    if not src.exists():
        return None
    po = polib.pofile(str(src))
    shown = set(kernel_messages())
    table = {e.msgid: e.msgstr for e in po if e.msgid in shown
             and e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    TOOLKIT_JSON.mkdir(exist_ok=True)
    out = TOOLKIT_JSON / f"{lang}.json"
    out.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return out


def toolkit_text(english: str, lang: str | None) -> str:
    """A grader-side text (the feedback and summary pages, the lecturer's materials, a
    wrong-answer library's description) in ``lang``, from locale/<lang>/toolkit.po."""
    if not lang or lang == "en":
        return english
    return _toolkit_table(lang).get(english) or english


# --- the release ------------------------------------------------------------------------------

def _annotation_pieces() -> list[str]:
    """The English pieces ``plan.annotate`` adds to a release (minutes, badge, legend, the
    live board's sentence), longest first so that a piece inside another goes last."""
    from . import plan

    legend = plan.LEGEND.format(badge=plan.BADGE)
    pieces = [plan.REPORT_LINE, legend, "**Time:** the core of this notebook takes about ",
              "; the extension about ", " min more. ", "; it has no extension.", plan.BADGE]
    return sorted(pieces, key=len, reverse=True)


def annotated_notebooks(day: Day, lang: str | None) -> dict[str, object]:
    """``plan.annotated_notebooks`` in ``lang``: each notebook translated from its catalogue,
    then annotated, then the annotation's own words translated (locale/<lang>/toolkit.po)."""
    from . import plan

    if not lang or lang == "en":
        return plan.annotated_notebooks(day)
    try:
        minutes = plan.DayPlan.load(day).minutes()
    except plan.PlanError:
        minutes = {}
    table = _toolkit_table(lang)
    missing = [p for p in _annotation_pieces() if not table.get(p)]
    if missing:
        raise TranslationError(f"locale/{lang}/toolkit.po: no finished translation of "
                               + "; ".join(repr(_short(m)) for m in missing))
    out, problems = {}, []
    untranslated = untranslated_messages(day, lang)
    if untranslated:
        problems.append(f"{len(untranslated)} message(s) a student of {day.name} can read "
                        f"without a finished {lang} translation (run `grader translations "
                        f"update --toolkit --lang {lang}` and translate locale/{lang}/toolkit.po):"
                        "\n  " + "\n  ".join(untranslated))
    for i, path in enumerate(day.notebooks):
        english = read_notebook(path)
        try:
            nb = translated_notebook(english, day, path.stem, lang)
        except TranslationError as exc:
            problems.append(str(exc))
            continue
        for before, after in zip(english.cells, nb.cells):
            if plan.heading_level(before) != plan.heading_level(after):
                problems.append(f"{day.name}/{path.name}, cell {before.get('id')}: the {lang} "
                                f"text must keep the heading level of the English one")
        plan.annotate(nb, minutes.get(path.stem), first=i == 0)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for piece in _annotation_pieces():
                    cell.source = cell.source.replace(piece, table[piece])
        out[path.name] = nb
    if problems:
        raise TranslationError("\n".join(problems))
    return out


def _toolkit_table(lang: str) -> dict[str, str]:
    """{English: translation} of the finished entries of locale/<lang>/toolkit.po."""
    path = toolkit_catalogue(lang)
    if not path.exists():
        return {}
    return dict(_read_table(str(path), path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _read_table(path: str, mtime: int) -> tuple:
    return tuple((e.msgid, e.msgstr) for e in polib.pofile(path)
                 if e.msgstr and not e.obsolete and "fuzzy" not in e.flags)


def write_toolkit_catalogue(lang: str, english: list[str]):
    """Add the English texts missing from locale/<lang>/toolkit.po (untranslated)."""
    path = toolkit_catalogue(lang)
    po = load(path)
    po.metadata["Language"] = lang
    have = {e.msgid for e in po}
    for text in english:
        if text not in have:
            po.append(polib.POEntry(msgid=text, msgstr=""))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


# --- the messages a student reads from the toolkit and the tests ---------------------------
#
# One catalogue, locale/<lang>/toolkit.po, msgid = the English message.  Collected from the
# code (never translated in it; the toolkit translates when it prints):
#
# - ``_("...")``, ``t("...")`` and ``tr("...", lang)`` calls in course/ and grader/ (the toolkit's own
#   messages, the feedback and summary pages);
# - in the days' test cells (their hidden part too: its messages reach the feedback):
#   the diagnoses ``diagnose=[(value, "...")]``, ``wrong=[(fn, "...")]``, the hints
#   ``hints={name: "..."}``, the advice and the score's name of ``check_at_least`` /
#   ``check_at_most`` / ``check_budget``, and ``CheckFailed("...")`` with a literal;
# - the wrong-answer library's descriptions, ``@wrong(target, "...")``.

TOOLKIT_SOURCES = (REPO / "course", REPO / "grader")
#: check functions whose leading literal arguments are read by a student: (name, positions)
_SCORE_CHECKS = {"check_at_least": (0, 3), "check_at_most": (0, 3), "check_budget": (0,)}


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value.strip() else None


def _called(node) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else None


def _pair_messages(node):
    """The second items of the (value, "message") pairs in a list or tuple literal."""
    if isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                text = _literal(item.elts[1])
                if text:
                    yield text


def _fstring_template(node: ast.JoinedStr) -> str | None:
    """An f-string message as a template: each ``{expression}`` becomes ``{v1}``, ``{v2}``…
    (the toolkit finds the values again in the printed message: course.i18n.Translator);
    None when its fixed text holds a brace or too little to recognise it by."""
    parts, k = [], 0
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            if "{" in value.value or "}" in value.value:
                return None
            parts.append(value.value)
        else:
            k += 1
            parts.append(f"{{v{k}}}")
    template = "".join(parts)
    fixed = "".join(p for p in parts if not p.startswith("{v"))
    return template if k and sum(c.isalpha() for c in fixed) >= 12 else None


def code_messages(source: str) -> list[str]:
    """The student-read English literals of one test cell or module (see above)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called(node)
        if name in ("_", "t", "tr") and node.args and _literal(node.args[0]):
            out.append(node.args[0].value)
        elif name == "CheckFailed" and node.args and _literal(node.args[0]):
            out.append(node.args[0].value)
        elif name == "CheckFailed" and node.args and isinstance(node.args[0], ast.JoinedStr):
            template = _fstring_template(node.args[0])
            if template:
                out.append(template)
        elif name == "wrong" and len(node.args) == 2 and _literal(node.args[1]) \
                and _literal(node.args[0]):
            out.append(node.args[1].value)
        if name in _SCORE_CHECKS:
            for i in _SCORE_CHECKS[name]:
                if i < len(node.args) and _literal(node.args[i]):
                    out.append(node.args[i].value)
        for kw in node.keywords:
            if kw.arg in ("diagnose", "wrong"):
                out.extend(_pair_messages(kw.value))
            elif kw.arg == "hints" and isinstance(kw.value, ast.Dict):
                out.extend(t for t in map(_literal, kw.value.values) if t)
            elif kw.arg == "advice" and _literal(kw.value):
                out.append(kw.value.value)
    return out


def _wrong_modules(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.module.rsplit(".", 1)[1] for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            and node.module.startswith("solutions.wrong.")}


def toolkit_messages() -> list[str]:
    """The messages of the toolkit and the grader's pages (``_()`` / ``tr()`` calls) and
    the release's annotation pieces."""
    out = list(_annotation_pieces())
    for folder in TOOLKIT_SOURCES:
        for path in sorted(folder.rglob("*.py")):
            out += code_messages(path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(out))


def _visible_part(source: str) -> str | None:
    """A test cell's source without its hidden part; None if that does not parse alone."""
    from .judge import cells

    hidden = cells.hidden_lines(source)
    visible = "\n".join(line for number, line in enumerate(source.splitlines(), 1)
                        if number not in hidden)
    try:
        ast.parse(visible)
    except SyntaxError:
        return None
    return visible


def day_messages(day: Day, kernel_only: bool = False) -> list[tuple[str, str]]:
    """[(where, English message)] a student of ``day`` can read from its tests and the
    wrong-answer library's entries they use; where = "<day>/<notebook>.ipynb, cell <id>"
    or "solutions/wrong/<module>.py".  kernel_only: those the student's own kernel can
    print (the visible part of the tests), not those only the judge's grading shows."""
    from .judge import cells

    out, modules = [], {day.name}
    for path in day.notebooks:
        for index, cell in enumerate(read_notebook(path).cells):
            if cells.role(cell) != cells.TEST:
                continue
            where = f"{day.name}/{path.name}, cell {cell.get('id') or f'cell-{index}'}"
            source = cell.source
            if kernel_only:
                source = _visible_part(source) or source
            out += [(where, m) for m in code_messages(source)]
            modules |= _wrong_modules(cell.source)
    if kernel_only:
        return out
    for module in sorted(modules):
        path = REPO / "solutions" / "wrong" / f"{module}.py"
        if path.is_file():
            out += [(f"solutions/wrong/{path.name}", m)
                    for m in code_messages(path.read_text(encoding="utf-8"))]
    return out


def update_toolkit(lang: str = "cs", days: list[Day] | None = None) -> tuple[int, int, int]:
    """Bring locale/<lang>/toolkit.po in step with the code (msgmerge's rule for texts that
    went away: obsolete, kept), compile it; (translated, fuzzy, total)."""
    found = toolkit_messages()
    for day in days or built_days():
        found += [m for _, m in day_messages(day)]
    found = list(dict.fromkeys(found))
    path = toolkit_catalogue(lang)
    po = load(path)
    po.metadata["Language"] = lang
    old = {e.msgid: e for e in po if e.msgid}
    new = polib.POFile(wrapwidth=0)
    new.metadata = po.metadata
    for msgid in found:
        entry = old.pop(msgid, None)
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr="")
        entry.obsolete = False
        if "{" in msgid and "python-brace-format" not in entry.flags:
            entry.flags.append("python-brace-format")
        new.append(entry)
    for entry in old.values():
        entry.obsolete = True
        new.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    new.save(str(path))
    compile_toolkit(lang)
    return counts(new)


def kernel_messages(days: list[Day] | None = None) -> list[str]:
    """The messages a student's kernel can print: the toolkit's and the visible tests'."""
    out = toolkit_messages()
    for day in days or built_days():
        out += [m for _, m in day_messages(day, kernel_only=True)]
    return list(dict.fromkeys(out))


def untranslated_messages(day: Day, lang: str) -> list[str]:
    """What a student of ``day`` would read in English in a ``lang`` release: a toolkit or
    visible test message without a finished entry in the shipped catalogue
    (course/locale/<lang>.json, compiled from locale/<lang>/toolkit.po), a hidden test's or
    the wrong-answer library's (shown on the feedback) without one in toolkit.po."""
    path = TOOLKIT_JSON / f"{lang}.json"
    shipped = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    table = _toolkit_table(lang)
    kernel = set(day_messages(day, kernel_only=True))
    out = [f"toolkit: {_short(m)!r}" for m in toolkit_messages() if not shipped.get(m)]
    out += [f"{where}: {_short(m)!r}" for where, m in day_messages(day)
            if not (shipped if (where, m) in kernel else table).get(m)]
    return list(dict.fromkeys(out))


def tr(english: str, lang: str | None) -> str:
    """A grader-side text (feedback and summary pages) in ``lang``."""
    return toolkit_text(english, lang)
