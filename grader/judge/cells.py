"""What a notebook cell is, decided in one place, and how its code is read.

A cell of a day notebook has one role:

- ``ANSWER``: a graded code cell the student fills (nbgrader ``solution``);
- ``MANUAL``: a manually graded markdown answer (``solution`` and ``grade``);
- ``TEST``: an autograded test cell (``grade``, not ``solution``);
- ``SETUP``: a locked code cell with a grade id that is neither (imports, shared data);
- ``DEMO``: a picture, widget or training cell (tag ``demo``, or the source of one of the
  instructor's demo cells): it runs nowhere when grading;
- ``ADDED``: any other code cell: one the student added;
- ``TEXT``: any other markdown or raw cell.

Standard library only: the sandbox's worker imports this module too.
"""

from __future__ import annotations

import ast

ANSWER, MANUAL, TEST, SETUP, DEMO, ADDED, TEXT = (
    "answer", "manual", "test", "setup", "demo", "added", "text")


def nbgrader_meta(cell) -> dict:
    """The cell's nbgrader metadata; {} for anything malformed."""
    if not isinstance(cell, dict):
        return {}
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def source(cell) -> str:
    """The cell's source as one string, whether stored as a string or a list of lines."""
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def tags(cell) -> list:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    found = meta.get("tags") if isinstance(meta, dict) else None
    return [t for t in found if isinstance(t, str)] if isinstance(found, list) else []


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def role(cell, demo_sources=frozenset()) -> str:
    """The cell's role (see the module docstring)."""
    meta = nbgrader_meta(cell)
    gid = meta.get("grade_id")
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return MANUAL if gid and meta.get("solution") and meta.get("grade") else TEXT
    if gid and meta.get("solution"):
        return ANSWER
    if gid and meta.get("grade"):
        return TEST
    if gid and meta.get("locked"):
        return SETUP
    if "demo" in tags(cell) or source(cell).strip() in demo_sources:
        return DEMO
    return ADDED


def demo_sources(release_cells) -> list[str]:
    """Sources of the instructor's code cells that carry no nbgrader metadata (demos):
    a student's copy of one is a demo too, and runs nowhere."""
    return sorted({source(c).strip() for c in release_cells
                   if isinstance(c, dict) and c.get("cell_type") == "code"
                   and not nbgrader_meta(c)})


def hidden_lines(code: str) -> set[int]:
    """Line numbers (1-based) of a test's hidden part, its two marker lines included."""
    out, inside = set(), False
    for number, line in enumerate(code.splitlines(), 1):
        if "### BEGIN HIDDEN TESTS" in line:
            inside = True
        if inside:
            out.add(number)
        if "### END HIDDEN TESTS" in line:
            inside = False
    return out


def strip_magics(code: str) -> str:
    """Python of an IPython cell: a cell magic (``%%``) skips the whole cell; line magics
    and shell escapes (``%``, ``!``) become ``pass``, so line numbers stay right."""
    lines = code.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "pass  # cell magic: not run when grading"
    return "\n".join("pass  # magic" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in lines)


def defined_functions(code: str) -> list[str]:
    """Names of the top-level functions a code cell defines."""
    try:
        tree = ast.parse(strip_magics(code))
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
