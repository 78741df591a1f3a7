"""The answer-leak check of a student release: no cell answers a manually graded question
of the day, and no docstring, comment or markdown holds a line of a model answer's code.

Two rules, both against the day's own model answers in ``solutions/<day>.py``:

**A cell that answers a question** (``is_answer``).  Texts are compared as sequences of
tokens (words, numbers, LaTeX commands, single symbols; case, spacing, markdown and LaTeX
layout such as ``$``, braces, ``\\left``, ``\\,`` ignored), in *shingles* of
``SHINGLE`` consecutive tokens.  A release cell answers the question ``grade_id`` when

- it holds at least ``ANSWER_SHARE`` (half) of the shingles of ``ANSWERS[grade_id]``: most
  of the model answer is on the page, however it is wrapped or split; or
- at least ``CELL_SHARE`` (half) of the cell's own shingles, and at least ``MIN_SHARED``
  of them, come from the model answer: the cell is mostly a (partial) copy of it, e.g.
  the proof's decisive steps in a "compare with yours" cell.

A rewording that keeps a formula or two, or a question that names the quantities its
answer uses, shares few shingles and passes; so does an unrelated cell.

**Code of a model answer in prose** (``code_line_leaks``).  From every function of the
day's reference, each simple statement (an assignment, a ``return``, an expression), the
expression it assigns or returns alone, and each element of a returned tuple are
*candidate lines*.  A candidate is distinctive when it computes something — arithmetic,
a comparison or logic: ``x @ W.T + b``, ``(A - Y) / N``; not ``return x``, ``pass``,
``n = x.shape[0]`` or a bare call of a helper, which say how to use an API — when it
is at least ``MIN_CHARS`` long without spacing, when it does not draw random numbers
(``rng.integers(...)`` is the exercise's contract: the tests reproduce the same
numbers, so the stub must say how they are drawn) and when the release does not publish
it anyway in an earlier day's reference module (bundled with it): neither the same line
nor, for two or more operations, the same computation under other names (Day 2's
``X @ W1.T + b1`` is Day 1's published ``x @ W.T + b``).  The toolkit does not count as
published: it is the student's API, not an answer sheet.

A distinctive line leaks when it stands whole (not as a piece of a longer expression:
``dz1.T @ X`` inside ``(1 / m) * dz1.T @ X`` does not count) in a markdown cell, a
docstring or a comment of the release, compared with spacing and markdown code quotes
removed and −, ×, ᵀ, ⊙ read as -, *, .T, *.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import textwrap
import tokenize
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SHINGLE = 6          # tokens per shingle
ANSWER_SHARE = 0.5   # a cell holding this share of a model answer's shingles answers it
CELL_SHARE = 0.5     # ... or a cell this share of whose shingles come from the answer,
MIN_SHARED = 25      # ... and at least this many
MIN_CHARS = 6        # a code line shorter than this (spacing removed) is no leak


@dataclass(frozen=True)
class Leak:
    where: str        # "02_four_equations.ipynb cell 10 (grade_id)" or a file
    what: str         # "answers 'bp2-proof' (73% of the model answer, 90% of the cell)"
    line: str         # the first matching line of the release

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.line!r}"


# --- texts: tokens and shingles ----------------------------------------------------------

_LAYOUT = re.compile(r"\\(left|right|bigl|bigr|Bigl|Bigr|big|Big|biggl|biggr|mathrm|text|"
                     r"operatorname|displaystyle|quad|qquad|tag)\b|\\[,;:! ]|[${}`*_#|>]")
_TOKEN = re.compile(r"\\[A-Za-z]+|[A-Za-z0-9]+|\S")


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return _TOKEN.findall(_LAYOUT.sub(" ", text))


def shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    t = tokens(text)
    return {tuple(t[i:i + size]) for i in range(len(t) - size + 1)}


def answer_match(cell_text: str, answer: str, answer_shingles=None):
    """(share of the answer in the cell, share of the cell from the answer, shared count)."""
    a = answer_shingles if answer_shingles is not None else shingles(answer)
    c = shingles(cell_text)
    shared = len(a & c)
    return (shared / len(a) if a else 0.0), (shared / len(c) if c else 0.0), shared


def is_answer(cell_text: str, answer: str, answer_shingles=None) -> bool:
    of_answer, of_cell, shared = answer_match(cell_text, answer, answer_shingles)
    return of_answer >= ANSWER_SHARE or (of_cell >= CELL_SHARE and shared >= MIN_SHARED)


def _first_shared_line(cell_text: str, answer_shingles) -> str:
    for line in cell_text.splitlines():
        if shingles(line) & answer_shingles:
            return line.strip()
    return next((ln.strip() for ln in cell_text.splitlines() if ln.strip()), "")


# --- code lines --------------------------------------------------------------------------

_UNICODE_OPS = {"−": "-", "–": "-", "×": "*", "ᵀ": ".T", "⊙": "*"}


def squeeze(text: str) -> str:
    """Text with all spacing and markdown code quotes removed, and −, ×, ᵀ as in Python."""
    for k, v in _UNICODE_OPS.items():
        text = text.replace(k, v)
    return re.sub(r"[\s`]+", "", text)


def _computes(node) -> bool:
    """Whether an expression does arithmetic, a comparison or logic (``x @ W.T + b``,
    ``z > 0``); a bare name, attribute, index or call of a helper (``N = A.shape[0]``,
    ``cols = im2col(x, ...)``) is how to use the API, not an answer."""
    return _arithmetic(node) > 0


# Methods of NumPy's random generators: a line drawing random numbers is part of an
# exercise's contract, not of its answer (the tests reproduce the same numbers, so the
# stub must say how and in which order they are drawn).
_RANDOM_DRAWS = {"default_rng", "integers", "normal", "standard_normal", "uniform", "random",
                 "choice", "permutation", "permuted", "shuffle", "binomial", "rand", "randn",
                 "randint", "seed"}


def _draws_random_numbers(node) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr in _RANDOM_DRAWS for n in ast.walk(node))


def _arithmetic(node) -> int:
    return sum(isinstance(n, (ast.BinOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.AugAssign))
               or (isinstance(n, ast.UnaryOp) and not isinstance(n.operand, ast.Constant))
               for n in ast.walk(node))


def _candidates(source: str):
    """(squeezed, written, number of arithmetic operations) of ``source``'s candidate
    lines that compute something (see the module docstring)."""
    source = textwrap.dedent(source)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return,
                                 ast.Expr)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue                                    # a docstring
        value = getattr(node, "value", None)
        if value is None or _draws_random_numbers(node):
            continue
        written = ast.get_source_segment(source, node) or ast.unparse(node)
        candidates = [(node, written)]
        if not isinstance(node, ast.Expr):             # return E, x = E: E alone too
            candidates.append((value, ast.get_source_segment(source, value)))
        if isinstance(value, ast.Tuple):                # return dx, dW, db: each one
            candidates += [(e, ast.get_source_segment(source, e)) for e in value.elts]
        for part, text in candidates:
            if not _computes(part):
                continue
            for form in {squeeze(text or ""), squeeze(ast.unparse(part))}:
                if len(form) >= MIN_CHARS:
                    yield form, written, _arithmetic(part)


def code_lines(source: str) -> list[tuple[str, str]]:
    """[(squeezed text, the line as written)] of the distinctive lines of ``source``'s
    functions (see the module docstring)."""
    return [(form, written) for form, written, _ in _candidates(source)]


_NAME = re.compile(r"(?<![.\w])(?!np\b)[A-Za-z_]\w*")


def shape(squeezed: str) -> str:
    """A squeezed line with its variable names blanked: ``X@W1.T+b1`` -> ``_@_.T+_``."""
    return _NAME.sub("_", squeezed)


@dataclass
class Published:
    """Code the release publishes anyway (the earlier days' references): its
    squeezed text, and the shapes of its computations of two or more operations."""

    text: str = ""
    shapes: frozenset = frozenset()

    def holds(self, squeezed: str, operations: int) -> bool:
        return squeezed in self.text or (operations >= 2 and shape(squeezed) in self.shapes)


def reference_code_lines(module, published: Published | None = None
                         ) -> list[tuple[str, str, str]]:
    """[(squeezed, written, 'module.function')] of every function of a reference module,
    leaving out what the release publishes anyway: the same line, or the same computation
    of two or more operations under other names (Day 2's ``X @ W1.T + b1`` is Day 1's
    ``x @ W.T + b``)."""
    published = published or Published()
    out, seen = [], set()
    for name, fn in vars(module).items():
        if not (inspect.isfunction(fn) and fn.__module__ == module.__name__):
            continue
        for text, written, operations in _candidates(inspect.getsource(fn)):
            if text in seen or published.holds(text, operations):
                continue
            seen.add(text)
            out.append((text, written, f"{module.__name__}.{name}"))
    return out


def strings(source: str) -> list[str]:
    """The string literals of Python code (messages, hints), f-strings' text included."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def prose(source: str, cell_type: str, test: bool = False) -> str:
    """What a reader sees as text: a markdown cell whole; of code, the docstrings and
    comments, one per line.  Of a (visible) test cell, everything: its code, its comments
    and its messages and hints — a visible test checks, it does not state the answer."""
    if cell_type != "code":
        return source
    if test:
        from .judge.cells import strip_magics

        return strip_magics(source) + "\n" + "\n".join(strings(strip_magics(source)))
    from .judge.cells import strip_magics

    source = strip_magics(source)          # %matplotlib inline would hide every docstring
    parts = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef,
                                 ast.ClassDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    parts.append(doc)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                parts.append(tok.string.lstrip("#"))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return "\n".join(parts)


_PY_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?|\*\*|//|\S")
_OPERATORS = set("+-*/@%<>=&|^")


def _standing_whole(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole expression there, not a piece of a longer one
    (``dz1.T @ X`` inside ``(1 / m) * dz1.T @ X``)."""
    before = text[:start].rstrip()
    if start and (text[start - 1].isalnum() or text[start - 1] in "_."):
        return False
    if before and before[-1] in _OPERATORS - {"="} and not before.endswith(("==", "<=", ">=")):
        return False
    nxt = text[end:end + 2]
    if nxt[:1].isalnum() or nxt[:1] in ("_", "(", "[") \
            or (nxt[:1] == "." and (nxt[1:].isalnum() or nxt[1:] == "_")):
        return False     # continued: a call, an index, an attribute (a full stop is not)
    after = text[end:].lstrip()
    return not (after and after[0] in _OPERATORS - {"=", "<", ">"})


def _pattern(squeezed: str) -> re.Pattern:
    return re.compile(r"\s*".join(re.escape(t) for t in _PY_TOKEN.findall(squeezed)))


def code_line_leaks(text: str, lines) -> list[tuple[str, str, str]]:
    """[(written, function, line of text)] for the code ``lines`` found in ``text``, each
    standing whole (see ``_standing_whole``)."""
    flat = squeeze(text)
    written_lines = text.splitlines()
    for k, v in _UNICODE_OPS.items():
        text = text.replace(k, v)
    found, seen = [], set()
    for squeezed, written, function in lines:
        if squeezed not in flat or (written, function) in seen:
            continue
        for m in _pattern(squeezed).finditer(text):
            if _standing_whole(text, m.start(), m.end()):
                number = text.count("\n", 0, m.start())      # the line as written
                found.append((written, function, written_lines[number].strip()))
                seen.add((written, function))
                break
    return found


# --- a whole release -----------------------------------------------------------------------


def published_code(paths) -> Published:
    """What the files the release publishes anyway (the earlier days' references) hold:
    their squeezed text (docstrings and comments are public too) and the shapes of their
    computations."""
    texts, shapes = [], set()
    for p in paths:
        source = Path(p).read_text(encoding="utf-8", errors="replace")
        texts.append(squeeze(source))
        try:
            shapes |= {shape(form) for form, _, ops in _candidates(source) if ops >= 2}
        except SyntaxError:
            pass
    return Published("\n".join(texts), frozenset(shapes))


def cell_label(index: int, cell) -> str:
    from .judge import cells

    gid = cells.grade_id(cell)
    return f"cell {index}" + (f" ({gid})" if gid else "")


def scan_cells(name: str, nb_cells, answers: dict, lines) -> list[Leak]:
    """Leaks in the cells of one notebook: ``answers`` {grade_id: model answer text},
    ``lines`` as from ``reference_code_lines``."""
    from .judge import cells

    found = []
    answer_shingles = {gid: shingles(text) for gid, text in answers.items()}
    for index, cell in enumerate(nb_cells):
        src = cells.source(cell)
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        if not src.strip():
            continue
        label = f"{name} {cell_label(index, cell)}"
        for gid, text in answers.items():
            if is_answer(src, text, answer_shingles[gid]):
                of_answer, of_cell, _ = answer_match(src, text, answer_shingles[gid])
                found.append(Leak(label, f"answers {gid!r} ({of_answer:.0%} of the model "
                                         f"answer, {of_cell:.0%} of the cell)",
                                  _first_shared_line(src, answer_shingles[gid])))
        test = cells.role(cell) == cells.TEST
        hits = code_line_leaks(prose(src, kind, test), lines)
        if hits:
            written, function, where = hits[0]
            what = ("markdown" if kind != "code" else "a visible test" if test
                    else "a docstring or comment")
            more = f"; {len(hits) - 1} more line(s)" if len(hits) > 1 else ""
            found.append(Leak(label, f"{what} holds the code of {function} "
                                     f"({written}{more})", where))
    return found
