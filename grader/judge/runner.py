"""Judge one notebook: student code in the sandbox, the instructor's tests in this process.

The cells that run in the sandbox, in notebook order: the instructor's setup
cells (locked, restored from the instructor's notebook), the graded solution
cells (the student's), and cells the student added.  Demo, plot and widget
cells (tag ``demo``, or unchanged instructor cells) and test cells do not.

Each test cell (visible and hidden part, from the instructor's notebook) runs
here in a fresh namespace where every function the student defined is a
``Proxy``: calling it sends plain data to the sandbox and brings plain data
back.  A crash or timeout costs the test it happened in; the sandbox is then
restarted (the student's cells replayed) for the next test.

The result is nbformat outputs per grade cell — what nbgrader's Execute step
would have produced — so nbgrader's own grading, feedback and export apply.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import io
import linecache
import textwrap
import time
import traceback
import warnings
from dataclasses import dataclass, field

from . import wire
from .sandbox import Limits, Sandbox, SandboxError

TEST_SECONDS = 90.0   # all student calls of one test cell together


def _meta(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell) -> list:
    return list((cell.get("metadata") or {}).get("tags") or [])


class StudentCodeError(Exception):
    """The student's function raised an exception that is not a built-in one."""


class GradingStopped(Exception):
    """The sandbox failed earlier in this test (crash, timeout); later calls fail at once."""


@dataclass
class Judged:
    """What the judge found for one notebook."""

    key: str = ""                                        # judge_key of what was run
    grade_outputs: dict = field(default_factory=dict)    # grade_id -> list of outputs
    cell_results: list = field(default_factory=list)     # sandbox load report per cell
    events: list = field(default_factory=list)           # crashes, timeouts, protocol errors
    suspicious: list = field(default_factory=list)       # static findings in student code
    seconds: float = 0.0
    student_seconds: float = 0.0

    def to_json(self):
        return {"key": self.key, "grade_outputs": self.grade_outputs, "cell_results": self.cell_results,
                "events": self.events, "suspicious": self.suspicious,
                "seconds": self.seconds, "student_seconds": self.student_seconds}


class _Session:
    """The sandbox for one notebook, restarted between tests when it failed."""

    def __init__(self, cells, limits, isolate, references=()):
        self.sandbox = Sandbox(cells, limits, isolate, references)
        self.broken: str | None = None
        self.events: list = []
        self.student_seconds = 0.0
        self.functions: set[str] = set()
        self.deadline = None
        t = time.monotonic()
        try:
            report = self.sandbox.start()
            self.functions = set(report.get("functions", []))
        except SandboxError as exc:
            self.broken = str(exc)
            self.events.append({"when": "running the student's cells", "kind": exc.kind,
                                "message": str(exc)})
        self.student_seconds += time.monotonic() - t

    def begin_test(self, grade_id):
        self.current = grade_id
        self.deadline = time.monotonic() + TEST_SECONDS
        if self.broken and self.sandbox.proc is None:
            t = time.monotonic()
            try:
                report = self.sandbox.restart()
                self.functions = set(report.get("functions", []))
                self.broken = None
            except SandboxError as exc:
                self.broken = str(exc)
                self.events.append({"when": f"restarting for {grade_id}", "kind": exc.kind,
                                    "message": str(exc)})
            self.student_seconds += time.monotonic() - t

    def call(self, name, args, kwargs):
        if self.broken:
            raise GradingStopped(f"not run: the student's code failed earlier in this test "
                                 f"({self.broken})")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise GradingStopped(f"this test used up its {TEST_SECONDS:g} s")
        t = time.monotonic()
        try:
            return self.sandbox.call(name, args, kwargs,
                                     min(left, self.sandbox.limits.call_seconds),
                                     errstate=_geterr())
        except SandboxError as exc:
            self.broken = f"{name}: {exc}"
            self.events.append({"when": self.current, "kind": exc.kind,
                                "message": f"{name}: {exc}"})
            raise GradingStopped(f"{name}: {exc}") from None
        finally:
            self.student_seconds += time.monotonic() - t

    def close(self):
        self.sandbox.close()


def _shippable(value):
    """Arguments for the sandbox: plain data; instructor functions as their source, the
    student's own functions (their proxies) by name."""
    if isinstance(value, Proxy):
        return wire.StudentFunction(value.__name__)
    if inspect.isfunction(value):
        if value.__name__ == "<lambda>":
            raise wire.WireError("a lambda cannot be sent to the student's code; "
                                 "pass a function defined with def")
        return wire.Source(textwrap.dedent(inspect.getsource(value)), value.__name__)
    if isinstance(value, tuple):
        return tuple(_shippable(v) for v in value)
    if isinstance(value, list):
        return [_shippable(v) for v in value]
    if isinstance(value, dict):
        return {k: _shippable(v) for k, v in value.items()}
    return value


def _geterr() -> dict:
    import numpy as np

    return dict(np.geterr())


def _rewarn(items, function: str):
    """Issue here the warnings the student's function raised in the sandbox.

    They are attributed to the student's function, not to the line of the test that
    called it: a warning shown with its caller's line would print hidden test source
    (``warnings.warn(..., stacklevel=2)`` in student code asks for exactly that).
    """
    for item in items or []:
        try:
            name, message = str(item[0]), str(item[1])
        except (TypeError, IndexError):
            continue
        category = getattr(builtins, name, None)
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = UserWarning
        warnings.warn_explicit(message, category, f"<your function {function}>", 0)


def _write_back(arguments, mutated):
    """Apply in-place changes the student's function made to its array arguments."""
    import numpy as np

    for item in mutated:
        try:
            path, new = item
            target = arguments
            for key in path:
                target = target[key]
        except (TypeError, KeyError, IndexError, ValueError):
            continue
        if isinstance(target, np.ndarray) and isinstance(new, np.ndarray) \
                and target.shape == new.shape and target.flags.writeable:
            np.copyto(target, new, casting="unsafe")


class Proxy:
    """Stands for a student's function in a trusted test."""

    def __init__(self, name, session: _Session):
        self.__name__ = self.__qualname__ = name
        self._session = session

    def __repr__(self):
        return f"<student function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        reply = self._session.call(self.__name__, _shippable(list(args)), _shippable(kwargs))
        if reply.get("stdout"):
            print(reply["stdout"], end="" if reply["stdout"].endswith("\n") else "\n")
        _rewarn(reply.get("warnings"), self.__name__)
        if reply.get("ok"):
            _write_back([list(args), kwargs], reply.get("mutated") or [])
            return reply["value"]
        ename, evalue = str(reply.get("ename")), str(reply.get("evalue"))
        if ename == "WireError":
            raise TypeError(f"{self.__name__} returned something that cannot be graded: {evalue}")
        exc_type = getattr(builtins, ename, None)
        if isinstance(exc_type, type) and issubclass(exc_type, Exception) \
                and exc_type.__module__ == "builtins":
            raise exc_type(evalue)
        raise StudentCodeError(f"{ename}: {evalue}")


def _run_source(source: str, namespace: dict, filename: str):
    """exec a cell like IPython: the value of a last expression is returned."""
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        return eval(compile(last, filename, "eval"), namespace)
    return None


def _strip_magics(source: str) -> str:
    return "\n".join("pass" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in source.splitlines())


def hidden_lines(source: str) -> set[int]:
    """Line numbers (1-based) of a test's hidden part, markers included."""
    out, inside = set(), False
    for number, line in enumerate(source.splitlines(), 1):
        if "### BEGIN HIDDEN TESTS" in line:
            inside = True
        if inside:
            out.add(number)
        if "### END HIDDEN TESTS" in line:
            inside = False
    return out


def _error_output(exc: BaseException, filename: str, hidden: set[int] = frozenset()) -> dict:
    """An nbformat error output; a line of the hidden part is shown by its number only."""
    render = getattr(exc, "_render_traceback_", None)
    if callable(render):
        try:
            lines = list(render())
        except Exception:
            lines = [f"{type(exc).__name__}: {exc}"]
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename == filename]
        lines = [f"  line {f.lineno}: " + ("(hidden test)" if f.lineno in hidden else f.line)
                 for f in frames[-3:]]
        lines.append(f"{type(exc).__name__}: {exc}")
    return {"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc),
            "traceback": lines}


def run_test(grade_id: str, source: str, namespace: dict) -> list[dict]:
    """Run one test cell here; its outputs as nbformat dicts."""
    buffer = io.StringIO()
    outputs = []
    filename = f"<test {grade_id}>"
    # So that inspect.getsource finds functions the test defines and ships to the sandbox.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    hidden = hidden_lines(source)

    def show_warning(message, category, where, lineno, file=None, line=None):
        # A warning raised by the test's own code on a hidden line shows no source.
        if where == filename and lineno in hidden:
            line = "(hidden test)"
        buffer.write(warnings.formatwarning(message, category, where, lineno, line))

    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
                warnings.catch_warnings():
            warnings.showwarning = show_warning
            value = _run_source(_strip_magics(source), namespace, filename)
        error = None
    except BaseException as exc:  # noqa: BLE001 - every failure is the test's outcome
        value, error = None, exc
    text = buffer.getvalue()
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text[-50_000:]})
    if error is not None:
        outputs.append(_error_output(error, filename, hidden))
    elif value is not None:
        outputs.append({"output_type": "execute_result", "execution_count": None,
                        "metadata": {}, "data": {"text/plain": repr(value)}})
    return outputs


# --- which cells are whose ---------------------------------------------------------------


def plan(nb: dict, demo_sources=frozenset()):
    """(sandbox cells [(cell_id, source)], tests [(grade_id, source)]) of one notebook.

    ``nb`` is a submission whose locked and test cells were restored from the
    gradebook (``sanitize``): tests are its autograded code cells; the sandbox runs
    its solution cells, its locked setup cells and the cells the student added.
    Demo cells (tag ``demo``, or any cell whose source is an instructor's demo cell,
    ``demo_sources``) run nowhere: they draw pictures and widgets.
    """
    sandbox_cells, tests = [], []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = _meta(cell)
        gid = meta.get("grade_id")
        source = _source(cell)
        if gid and meta.get("grade") and not meta.get("solution"):
            tests.append((gid, source))
        elif gid and (meta.get("solution") or meta.get("locked")):
            sandbox_cells.append((f"{index}:{gid}", source))
        elif "demo" in _tags(cell) or source.strip() in demo_sources:
            continue
        else:
            sandbox_cells.append((f"{index}:added", source))
    return sandbox_cells, tests


def judge_key(sandbox_cells, tests) -> str:
    """Identifies what was judged: the same code and the same tests give the same key."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps([sandbox_cells, tests]).encode()).hexdigest()


# --- what looks like tampering ------------------------------------------------------------

_SUSPICIOUS_NAMES = {
    "get_ipython": "reaches for the IPython shell",
    "__builtins__": "touches builtins", "builtins": "touches builtins",
    "globals": "reads or changes the global namespace",
    "setattr": "sets attributes dynamically", "__import__": "imports dynamically",
    "exec": "executes code from a string", "eval": "evaluates code from a string",
    "open": "opens a file", "_getframe": "inspects the call stack",
}
_SUSPICIOUS_MODULES = {"os", "sys", "subprocess", "multiprocessing", "socket", "ctypes",
                       "signal", "shutil", "importlib", "inspect", "gc", "pty", "IPython",
                       "pathlib", "threading", "urllib", "requests", "torch"}


def suspicious_code(cells: list[tuple[str, str]]) -> list[dict]:
    found = []
    for cell_id, source in cells:
        try:
            tree = ast.parse(_strip_magics(source))
        except SyntaxError:
            continue
        np_names = {"np", "numpy"}
        for node in ast.walk(tree):
            what = None
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                bad = [m for m in mods if m.split(".")[0] in _SUSPICIOUS_MODULES]
                if bad:
                    what = f"imports {', '.join(bad)}"
            elif isinstance(node, ast.Name) and node.id in _SUSPICIOUS_NAMES:
                what = _SUSPICIOUS_NAMES[node.id]
            elif isinstance(node, ast.Attribute) and node.attr in ("modules", "_exit", "fork",
                                                                   "kill", "system", "_getframe"):
                what = f"uses .{node.attr}"
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    base = t
                    while isinstance(base, ast.Attribute):
                        base = base.value
                    if isinstance(t, ast.Attribute) and isinstance(base, ast.Name) \
                            and base.id in np_names:
                        what = f"assigns to {ast.unparse(t)} (changes numpy)"
            if what:
                found.append({"cell": cell_id, "line": getattr(node, "lineno", 0), "what": what})
    return found


# --- the whole notebook --------------------------------------------------------------------


def judge_notebook(nb: dict, demo_sources=frozenset(), limits: Limits | None = None,
                   isolate: bool = True, setup_ids=frozenset(), references=()) -> Judged:
    """Judge a restored submission (see ``plan``).

    setup_ids: grade ids of the instructor's setup cells (not scanned for tampering);
    references: the earlier days' reference modules the student's code may import.
    """
    start = time.monotonic()
    sandbox_cells, tests = plan(nb, demo_sources)
    judged = Judged(key=judge_key(sandbox_cells, tests), suspicious=suspicious_code(
        [c for c in sandbox_cells if c[0].split(":", 1)[1] not in setup_ids]))
    session = _Session(sandbox_cells, limits, isolate, references)
    try:
        if session.sandbox.load_report:
            judged.cell_results = session.sandbox.load_report.get("cells", [])
        for grade_id, source in tests:
            session.begin_test(grade_id)
            namespace = {"__name__": "__main__"}
            namespace.update({name: Proxy(name, session) for name in session.functions})
            judged.grade_outputs[grade_id] = run_test(grade_id, source, namespace)
    finally:
        session.close()
    judged.events = session.events
    judged.student_seconds = session.student_seconds
    judged.seconds = time.monotonic() - start
    return judged


def score_of(outputs: list[dict], points: float) -> float:
    """nbgrader's rule: an error scores 0; a number as the last value is partial credit."""
    for out in outputs:
        if out.get("output_type") == "error":
            return 0.0
    for out in outputs:
        if out.get("output_type") == "execute_result":
            try:
                return float(out["data"]["text/plain"])
            except (KeyError, ValueError):
                pass
    return float(points)


