"""Notebook transformations: a solved notebook from the stubs, a notebook with a
known wrong answer, and the scan that proves a release holds no model answer.

A stub cell is matched to its model answer by the names of the functions it
defines; a manually graded answer cell by its grade_id (``ANSWERS`` in the day's
reference module).  One source of truth: ``solutions/``.
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType


from .days import Day
from .judge import cells
from .judge.cells import defined_functions, nbgrader_meta

class NotebookError(Exception):
    """A notebook that the tools cannot work with; the message names the notebook and cell."""


def is_solution_cell(cell) -> bool:
    return cells.role(cell) in (cells.ANSWER, cells.MANUAL)


def is_grade_cell(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def _function_source(fn) -> str:
    return textwrap.dedent(inspect.getsource(fn)).rstrip() + "\n"


def solved_notebook(nb, module: ModuleType, path: str = "notebook"):
    """A copy of ``nb`` with every stub cell holding the model answers from ``module``."""
    nb = copy.deepcopy(nb)
    answers = getattr(module, "ANSWERS", {})
    for cell in nb.cells:
        if not is_solution_cell(cell):
            continue
        grade_id = nbgrader_meta(cell).get("grade_id", "?")
        if cell.cell_type == "markdown":
            if grade_id not in answers:
                raise NotebookError(f"{path}: answer cell {grade_id!r} has no model answer in "
                                    f"{module.__name__}.ANSWERS")
            cell.source = answers[grade_id]
            continue
        names = defined_functions(cell.source)
        if not names:
            raise NotebookError(f"{path}: solution cell {grade_id!r} defines no function")
        missing = [n for n in names if not callable(getattr(module, n, None))]
        if missing:
            raise NotebookError(f"{path}: solution cell {grade_id!r} defines {', '.join(missing)}, "
                                f"which {module.__name__} has no model answer for")
        cell.source = "\n\n".join(_function_source(getattr(module, n)) for n in names).rstrip()
    return nb


@dataclass(frozen=True)
class WrongAnswer:
    """A typical student mistake: ``function`` replaces the model answer of ``target``."""

    name: str
    target: str
    description: str
    function: object

    def source(self) -> str:
        tree = ast.parse(_function_source(self.function))
        fn = tree.body[0]
        fn.name = self.target
        fn.decorator_list = []
        return ast.unparse(tree)


def with_wrong_answers(nb, wrongs: list[WrongAnswer]):
    """A copy of a (solved) notebook where each wrong answer replaces its target function."""
    nb = copy.deepcopy(nb)
    for wrong in wrongs:
        for cell in nb.cells:
            if cell.cell_type != "code" or not is_solution_cell(cell):
                continue
            names = defined_functions(cell.source)
            if wrong.target not in names:
                continue
            tree = ast.parse(cell.source)
            pieces = []
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name == wrong.target:
                    pieces.append(wrong.source())
                else:
                    pieces.append(ast.unparse(node))
            cell.source = "\n\n\n".join(pieces)
    return nb


def notebook_defining(notebooks: dict[str, object], function: str) -> str | None:
    """Name of the notebook whose stub cells define ``function``."""
    for name, nb in notebooks.items():
        for cell in nb.cells:
            if cell.cell_type == "code" and is_solution_cell(cell) \
                    and function in defined_functions(cell.source):
                return name
    return None


# --- the release must hold no model answer -------------------------------------


def _body_fingerprint(fn_node) -> str:
    body = fn_node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                                 ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)


def _fingerprints(source: str) -> set[str]:
    try:
        tree = ast.parse(cells.strip_magics(source))
    except SyntaxError:
        return set()
    return {_body_fingerprint(n) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def model_answer_fingerprints(day: Day) -> dict[str, str]:
    """fingerprint -> 'solutions.<day>.<name>' for every function of ``day``'s reference."""
    module = day.reference()
    out = {}
    for name, fn in vars(module).items():
        if inspect.isfunction(fn) and fn.__module__ == module.__name__:
            tree = ast.parse(_function_source(fn))
            out[_body_fingerprint(tree.body[0])] = f"{module.__name__}.{name}"
    return out


def scan_release(release_dir: Path, day: Day) -> list[str]:
    """Problems found: model answers of ``day`` (or a later day) inside the release folder.

    Whole functions of a model answer (by their body's syntax tree), the reference module
    itself, a model answer of ``ANSWERS`` word for word, and the two rules of
    ``grader.leaks`` against the day's own model answers: a cell that answers a manually
    graded question, and a line of a model answer's code in markdown, a docstring or a
    comment.
    """
    from . import leaks

    problems = []
    days = [day, *day.later()]
    names = {d.name for d in days}
    fingerprints = {}
    answers = {}
    for d in days:
        fingerprints.update(model_answer_fingerprints(d))
        for grade_id, text in getattr(d.reference(), "ANSWERS", {}).items():
            answers[grade_id] = " ".join(text.split())[:80]
    files = [p for p in sorted(release_dir.rglob("*")) if p.is_file()]

    def secret(path: Path) -> bool:
        return path.parent.name == "solutions" and path.stem in names

    def reference(path: Path) -> bool:
        return path.parent.name == "solutions" and path.parent.parent == release_dir

    module = day.reference()
    own_answers = dict(getattr(module, "ANSWERS", {}))
    # The earlier days' references are published with the release; the toolkit is not an
    # answer sheet (a widget's source holding a computation does not make it fair game
    # for a docstring).
    published = leaks.published_code(p for p in files if p.suffix == ".py" and reference(p)
                                     and not secret(p))
    lines = leaks.reference_code_lines(module, published)
    for path in files:
        rel = path.relative_to(release_dir)
        if secret(path):
            problems.append(f"{rel}: the reference module of {path.stem} is in the release")
            continue
        sources = []
        if path.suffix == ".py":
            sources = [path.read_text(encoding="utf-8", errors="replace")]
            if not reference(path):     # the toolkit: its docstrings and comments
                text = leaks.prose(sources[0], "code") + "\n" + "\n".join(
                    leaks.strings(sources[0]))
                for written, function, where in leaks.code_line_leaks(text, lines)[:1]:
                    problems.append(f"{rel}: a docstring, comment or message holds the code "
                                    f"of {function} ({written}): {where!r}")
        elif path.suffix == ".ipynb":
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                problems.append(f"{rel}: not valid notebook JSON")
                continue
            nb_cells = nb.get("cells", []) if isinstance(nb, dict) else []
            sources = [cells.source(c) for c in nb_cells]
            problems += [str(leak) for leak in
                         leaks.scan_cells(str(rel), nb_cells, own_answers, lines)]
        for src in sources:
            for fp in _fingerprints(src) & fingerprints.keys():
                problems.append(f"{rel}: contains the model answer {fingerprints[fp]}")
            flat = " ".join(src.split())
            for grade_id, text in answers.items():
                if text and text in flat:
                    problems.append(f"{rel}: contains the model answer to {grade_id!r}")
    return problems


def read_notebook(path: Path):
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:
        raise NotebookError(f"{path}: cannot be read as a notebook ({type(exc).__name__}: {exc})")


def write_notebook(nb, path: Path):
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
