"""Judge one notebook: student code in the sandbox, the instructor's tests in this process.

The cells that run in the sandbox, in notebook order (``cells_to_judge``): the
instructor's setup cells (restored from the gradebook), the graded answer cells
(the student's) and the cells the student added.  Demo, plot and widget cells and
test cells do not.  Each cell runs as a request of its own, within
``Limits.cell_seconds``: a cell that never finishes or kills its process is found
once and charged once — it is left out of every later start of the sandbox, the
tests that need a function it defines fail at once saying why, and the others run.

Each test cell (visible and hidden part, from the instructor's notebook) runs
here in a fresh namespace where every function the student defined is a
``Proxy``: calling it sends plain data to the sandbox and brings plain data
back.  A crash or timeout costs the test it happened in; the sandbox is then
started again (the student's cells replayed) for the next test.  The whole
submission has a wall-clock budget (``Limits.submission_seconds``), and each of its
notebooks one of its own (``Limits.notebook_seconds``): tests that find it used up
fail at once, so no submission can hold the class.

The result is nbformat outputs per grade cell — what nbgrader's Execute step
would have produced — so nbgrader's own grading, feedback and export apply.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import hashlib
import inspect
import io
import json
import linecache
import textwrap
import time
import traceback
import warnings
from dataclasses import dataclass, field

from . import cells, wire
from .cells import strip_magics
from .sandbox import Limits, Sandbox, SandboxError


class StudentCodeError(Exception):
    """The student's function raised an exception that is not a built-in one."""


class GradingStopped(Exception):
    """The student's code cannot answer: it failed earlier in this test, its cell never
    finished, or the submission's time is up.  Later calls fail at once."""


@dataclass
class Judged:
    """What the judge found for one notebook."""

    key: str = ""                                        # judge_key of what was run
    grade_outputs: dict = field(default_factory=dict)    # grade_id -> list of outputs
    cell_results: list = field(default_factory=list)     # the first run of each student cell
    events: list = field(default_factory=list)           # crashes, timeouts, protocol errors
    suspicious: list = field(default_factory=list)       # static findings in student code
    seconds: float = 0.0
    student_seconds: float = 0.0                          # the student's code ran
    sandbox_seconds: float = 0.0                          # sandboxes started or reset
    # grade_id -> "visible" or "hidden": the part of a failing test whose line raised
    failed_in: dict = field(default_factory=dict)
    cell_seconds: dict = field(default_factory=dict)     # grade id -> first run of its cell
    test_seconds: dict = field(default_factory=dict)     # grade id -> student time in it

    def to_json(self):
        return {"key": self.key, "grade_outputs": self.grade_outputs,
                "failed_in": self.failed_in, "cell_seconds": self.cell_seconds,
                "test_seconds": self.test_seconds,
                "cell_results": self.cell_results, "events": self.events,
                "suspicious": self.suspicious, "seconds": self.seconds,
                "student_seconds": self.student_seconds,
                "sandbox_seconds": self.sandbox_seconds}


class _Session:
    """The sandbox of one notebook: started with the student's cells, started again after
    a failure, and bounded by the submission's deadline."""

    def __init__(self, sandbox_cells, limits: Limits, isolate, references, deadline,
                 sandbox: Sandbox | None = None, time_up: str | None = None,
                 budgets: dict | None = None):
        self.cells = sandbox_cells
        # The model answers' times (grader.judge.budgets): a cell or a test gets a generous
        # multiple of its model's time, with a floor, within the limits' caps.
        self.budgets = budgets or {}
        self.hung: dict[str, str] = {}        # function -> why it is not called again
        self.call_limit = limits.call_seconds
        self.cell_seconds: dict[str, float] = {}
        self.time_up = time_up or (f"the submission used up its time budget of "
                                   f"{limits.submission_seconds:g} s")
        self.limits = limits
        # A sandbox already running for an earlier notebook of the same submission is
        # reused with a fresh namespace (saves the interpreter's start and imports).
        self.sandbox = sandbox or Sandbox(limits, isolate, references)
        self.deadline = deadline              # time.monotonic() when the submission's time is up
        self.skipped: dict[str, str] = {}     # cell id -> why it is left out
        self.errors: dict[str, str] = {}      # cell id -> the exception it raised
        self.cell_results: list = []
        self.events: list = []
        self.functions: set[str] = set()
        self.broken: str | None = None
        self.student_seconds = 0.0
        self.sandbox_seconds = 0.0            # starting sandboxes, fresh namespaces
        self.current = "running the student's cells"
        self.test_deadline = deadline
        self._load(first=True)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _event(self, when, exc: SandboxError, message=None):
        self.events.append({"when": when, "kind": exc.kind, "message": message or str(exc)})

    def _load(self, first=False):
        """Start the sandbox and run the cells; a cell that times out or crashes the process
        is left out and the sandbox started again without it."""
        t = time.monotonic()
        sandbox_before = self.sandbox_seconds
        reuse = first and self.sandbox.proc is not None
        try:
            while True:
                ready = time.monotonic()
                if reuse:
                    reuse = False
                    try:
                        self.sandbox.reset(min(10.0, max(self.left(), 0.1)))
                    except SandboxError:
                        continue    # the earlier notebook left it unusable: start afresh
                    finally:
                        self.sandbox_seconds += time.monotonic() - ready
                else:
                    self.sandbox.close()
                    if self.left() <= 0:
                        self.broken = self._time_up()
                        return
                    try:
                        self.sandbox.start()
                    except SandboxError as exc:
                        self.broken = f"the sandbox did not start: {exc}"
                        self._event("starting the sandbox", exc)
                        return
                    finally:
                        self.sandbox_seconds += time.monotonic() - ready
                failed = None
                for cell_id, source in self.cells:
                    if cell_id in self.skipped:
                        continue
                    gid = cell_id.split(":", 1)[-1]
                    model = self.budgets.get("cells", {}).get(gid)
                    own = budget_for(model, self.limits.cell_seconds, CELL_FLOOR)
                    budget = min(own, self.left())
                    if budget <= 0:
                        self.broken = self._time_up()
                        return
                    started = time.monotonic()
                    try:
                        reply = self.sandbox.run_cell(cell_id, source,
                                                      min(budget + GRACE, self.left()),
                                                      soft=budget)
                        if (reply.get("cell") or {}).get("status") == "timeout":
                            # interrupted inside the sandbox, which goes on without it
                            why = (f"the cell ran longer than {budget:.3g} s" +
                                   (f" (the model answer takes {model:.2g} s)"
                                    if model is not None else ""))
                            exc = SandboxError("timeout", why)
                            self.skipped[cell_id] = _cell_failure(cell_id, exc)
                            self._event(f"running cell {cell_id}", exc)
                            if first:
                                self.cell_results.append({"id": cell_id, "status": "timeout",
                                                          "error": {"ename": "timeout",
                                                                    "evalue": why},
                                                          "stdout": ""})
                            self.functions = set(reply.get("functions", []))
                            continue
                    except SandboxError as exc:
                        failed = cell_id
                        if exc.kind == "timeout" and budget == own and model is not None:
                            exc = SandboxError("timeout", f"the cell ran longer than {own:.3g} s "
                                                          f"(the model answer takes "
                                                          f"{model:.2g} s)")
                        self.skipped[cell_id] = _cell_failure(cell_id, exc)
                        self._event(f"running cell {cell_id}", exc)
                        if first:
                            self.cell_results.append({"id": cell_id, "status": exc.kind,
                                                      "error": {"ename": exc.kind,
                                                                "evalue": str(exc)},
                                                      "stdout": ""})
                        break
                    cell = reply.get("cell") or {}
                    if first:
                        self.cell_results.append(cell)
                        self.cell_seconds[gid] = time.monotonic() - started
                    if cell.get("status") == "error" and isinstance(cell.get("error"), dict):
                        error = cell["error"]
                        self.errors[cell_id] = (f"the cell that defines it "
                                                f"({cell_id.split(':', 1)[-1]}) raised "
                                                f"{error.get('ename')}: {error.get('evalue')}")
                    self.functions = set(reply.get("functions", []))
                if failed is None:
                    self.broken = None
                    self._stand_in_for_hung()
                    return
        finally:
            self.student_seconds += (time.monotonic() - t
                                     - (self.sandbox_seconds - sandbox_before))

    def _stand_in_for_hung(self):
        """In the restarted sandbox, a function that hung is replaced by one that fails at
        once: the student's other functions that call it fail at once too, instead of each
        hanging for its own limit (they could not have finished either)."""
        if not self.hung:
            return
        source = "\n\n".join(
            f"def {name}(*args, **kwargs):\n"
            f"    raise RuntimeError({(name + ' ' + why + ' earlier in this notebook: not run again').__repr__()})"
            for name, why in sorted(self.hung.items()) if name.isidentifier())
        try:
            reply = self.sandbox.run_cell("judge:hung", source, min(5.0, max(self.left(), 0.1)))
            self.functions = set(reply.get("functions", [])) | self.functions
        except SandboxError as exc:
            self._event("replacing functions that hung", exc)

    def _time_up(self) -> str:
        return self.time_up

    def unavailable(self) -> dict[str, str]:
        """Functions that a cell left out or a failing cell never defined -> why."""
        out = {}
        for cell_id, source in self.cells:
            why = self.skipped.get(cell_id) or self.errors.get(cell_id)
            if why:
                for name in cells.defined_functions(source):
                    if name not in self.functions:
                        out[name] = why
        return out

    def begin_test(self, grade_id):
        self.current = grade_id
        self.test_deadline = min(self.deadline, time.monotonic() + self.limits.test_seconds)
        self.call_limit = budget_for(self.budgets.get("tests", {}).get(grade_id),
                                     self.limits.call_seconds, CALL_FLOOR)
        if self.broken and self.sandbox.proc is None and self.left() > 0:
            self._load()

    def call(self, name, args, kwargs):
        if self.left() <= 0:
            raise GradingStopped(f"not run: {self._time_up()}")
        if name in self.hung:
            raise GradingStopped(f"not run: {name} {self.hung[name]} earlier in this "
                                 f"notebook, and is not waited for again")
        if self.broken:
            raise GradingStopped(f"not run: the student's code failed earlier in this test "
                                 f"({self.broken})")
        left = self.test_deadline - time.monotonic()
        if left <= 0:
            raise GradingStopped(f"this test used up its {self.limits.test_seconds:g} s")
        t = time.monotonic()
        limit = min(left, self.call_limit)
        try:
            # Interrupted inside the sandbox at the limit (the process lives on); killed
            # GRACE seconds later if the student's code does not let go.
            reply = self.sandbox.call(name, args, kwargs, min(left, limit + GRACE),
                                      errstate=_geterr(), soft=limit)
            if reply.get("timeout"):
                why = f"ran longer than {limit:.3g} s"
                self.hung[name] = f"{why} (in {self.current})"
                self._event(self.current, SandboxError("timeout", f"{name}: {why}"))
                self._stand_in_for_hung()
                raise GradingStopped(f"{name}: {why}, the time this test allows a call "
                                     f"(a generous multiple of the model answer's)")
            return reply
        except SandboxError as exc:
            if exc.kind == "timeout" and limit == self.call_limit:
                self.hung[name] = f"ran longer than {limit:.3g} s (in {self.current})"
                exc = SandboxError("timeout", f"ran longer than {limit:.3g} s, the time this "
                                              f"test allows a call (a generous multiple of "
                                              f"the model answer's)")
            self.broken = f"{name}: {exc}"
            self._event(self.current, exc, f"{name}: {exc}")
            raise GradingStopped(f"{name}: {exc}") from None
        finally:
            self.student_seconds += time.monotonic() - t

    def close(self):
        self.sandbox.close()


FACTOR = 20          # a student's cell or call may take this many times the model answer's
CELL_FLOOR = 5.0     # ... but never less than this (a definition takes milliseconds; a
CALL_FLOOR = 4.0     # student's loops may be slower than the vectorised model, on a busy machine)
GRACE = 2.0          # after a call's limit, before a process that ignores the interrupt is killed


def budget_for(model: float | None, cap: float, floor: float) -> float:
    """The time a cell or a call may take: FACTOR times the model answer's, at least the
    floor, at most the cap (the limits' own; the cap alone without a model time)."""
    if model is None:
        return cap
    return min(cap, max(floor, FACTOR * float(model)))


def _cell_failure(cell_id: str, exc: SandboxError) -> str:
    what = "never finished" if exc.kind == "timeout" else "ended the process"
    return f"the cell that defines it ({cell_id.split(':', 1)[-1]}) {what}: {exc}"


class Unavailable:
    """Stands for a student function that its cell never defined (the cell never
    finished, crashed its process or raised): a test that calls it fails at once,
    saying why."""

    def __init__(self, name, why):
        self.__name__ = name
        self._why = why

    def __call__(self, *args, **kwargs):
        raise GradingStopped(f"{self.__name__} was not graded: {self._why}")


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


@functools.lru_cache(maxsize=512)
def _compiled(source: str, filename: str):
    """A test cell's code: its body and, if it ends in an expression, that expression.
    Kept per worker: every submission of a class runs the same test cells."""
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body.pop().value), filename, "eval")
    return compile(tree, filename, "exec"), last


def _run_source(source: str, namespace: dict, filename: str):
    """exec a cell like IPython: the value of a last expression is returned."""
    body, last = _compiled(source, filename)
    exec(body, namespace)
    if last is not None:
        return eval(last, namespace)
    return None


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


def failing_part(exc: BaseException, filename: str, hidden: set[int]) -> str:
    """"hidden" when the test's own line that raised ``exc`` is in its hidden part, else
    "visible" (a test's hidden part comes last, so a visible line that raised means the
    visible tests alone failed)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    return "hidden" if frames and frames[-1].lineno in hidden else "visible"


def run_test(grade_id: str, source: str, namespace: dict,
             failed_in: dict | None = None) -> list[dict]:
    """Run one test cell here; its outputs as nbformat dicts.  ``failed_in``, if given,
    gets ``failing_part`` of a failure under the grade id."""
    buffer = io.StringIO()
    outputs = []
    filename = f"<test {grade_id}>"
    # So that inspect.getsource finds functions the test defines and ships to the sandbox.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    hidden = cells.hidden_lines(source)

    def show_warning(message, category, where, lineno, file=None, line=None):
        # A warning raised by the test's own code on a hidden line shows no source.
        if where == filename and lineno in hidden:
            line = "(hidden test)"
        buffer.write(warnings.formatwarning(message, category, where, lineno, line))

    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
                warnings.catch_warnings():
            warnings.showwarning = show_warning
            value = _run_source(strip_magics(source), namespace, filename)
        error = None
    except BaseException as exc:  # noqa: BLE001 - every failure is the test's outcome
        value, error = None, exc
    text = buffer.getvalue()
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text[-50_000:]})
    if error is not None:
        outputs.append(_error_output(error, filename, hidden))
        if failed_in is not None:
            failed_in[grade_id] = failing_part(error, filename, hidden)
    elif value is not None:
        outputs.append({"output_type": "execute_result", "execution_count": None,
                        "metadata": {}, "data": {"text/plain": repr(value)}})
    return outputs


# --- which cells are whose ---------------------------------------------------------------


def cells_to_judge(nb: dict, demo_sources=frozenset()):
    """(sandbox cells [(cell_id, source)], tests [(grade_id, source)]) of one notebook.

    ``nb`` is a submission whose locked and test cells were restored from the
    gradebook (``sanitize``).  ``demo_sources``: ``cells.demo_sources`` of the
    release's notebook, so that a student's copy of a demo cell runs nowhere either.
    Every caller passes exactly these two, so the same notebook gives the same key.
    """
    sandbox_cells, tests = [], []
    for index, cell in enumerate(nb.get("cells", [])):
        role = cells.role(cell, demo_sources)
        if role == cells.TEST:
            tests.append((cells.grade_id(cell), cells.source(cell)))
        elif role in (cells.ANSWER, cells.SETUP):
            sandbox_cells.append((f"{index}:{cells.grade_id(cell)}", cells.source(cell)))
        elif role == cells.ADDED:
            sandbox_cells.append((f"{index}:added", cells.source(cell)))
    return sandbox_cells, tests


def judge_key(sandbox_cells, tests) -> str:
    """Identifies what was judged: the same code and the same tests give the same key."""
    return hashlib.sha256(json.dumps([sandbox_cells, tests]).encode()).hexdigest()


# --- what looks like tampering ------------------------------------------------------------
#
# Only what can change grading is flagged: patching modules, reaching the kernel, the
# builtins or the interpreter's machinery, processes, files and sockets.  A harmless
# import (sys for sys.stderr, warnings, os.path) is not a flag.

PATCHES = "patches a module"
KERNEL = "reaches for the IPython kernel"
BUILTINS = "touches the builtins"
INTERPRETER = "reaches into the interpreter"
PROCESSES = "starts or kills processes"
FILES = "opens or changes files"
NETWORK = "uses the network"
DYNAMIC = "runs code built at run time"
NATIVE = "loads native code"

_NAMES = {"get_ipython": KERNEL, "__builtins__": BUILTINS, "globals": INTERPRETER,
          "__import__": DYNAMIC, "exec": DYNAMIC, "eval": DYNAMIC, "compile": DYNAMIC,
          "open": FILES, "_getframe": INTERPRETER}
_MODULES = {"subprocess": PROCESSES, "multiprocessing": PROCESSES, "pty": PROCESSES,
            "signal": PROCESSES, "socket": NETWORK, "urllib": NETWORK, "requests": NETWORK,
            "http": NETWORK, "ctypes": NATIVE, "cffi": NATIVE, "IPython": KERNEL,
            "ipykernel": KERNEL, "builtins": BUILTINS, "importlib": DYNAMIC, "shutil": FILES,
            "gc": INTERPRETER}
_ATTRIBUTES = {"modules": INTERPRETER, "meta_path": INTERPRETER, "path_hooks": INTERPRETER,
               "settrace": INTERPRETER, "setprofile": INTERPRETER, "_getframe": INTERPRETER,
               "get_objects": INTERPRETER, "system": PROCESSES, "fork": PROCESSES,
               "forkpty": PROCESSES, "popen": PROCESSES, "kill": PROCESSES,
               "killpg": PROCESSES, "_exit": PROCESSES, "execv": PROCESSES,
               "execve": PROCESSES, "spawnv": PROCESSES, "posix_spawn": PROCESSES,
               "remove": FILES, "unlink": FILES, "rename": FILES, "replace": FILES,
               "write_text": FILES, "write_bytes": FILES, "read_text": FILES,
               "read_bytes": FILES, "chmod": FILES,
               # what a function closes over: the worker's guarded toolkit functions
               # (see worker.py) hold the originals there
               "__closure__": INTERPRETER, "__globals__": INTERPRETER,
               "cell_contents": INTERPRETER}
_MODULE_ALIASES = {"np", "numpy", "sys", "os", "math", "builtins", "warnings", "random",
                   "checks", "course", "plots", "data", "widgets", "torch"}


def suspicious_code(cells: list[tuple[str, str]]) -> list[dict]:
    """[{cell, line, kind, what}] for code that could change how it is graded."""
    found = []
    for cell_id, source in cells:
        try:
            tree = ast.parse(strip_magics(source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            kind = what = None
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                bad = [m for m in mods if m.split(".")[0] in _MODULES]
                if bad:
                    kind, what = _MODULES[bad[0].split(".")[0]], f"imports {', '.join(bad)}"
            elif isinstance(node, ast.Name) and node.id in _NAMES:
                kind, what = _NAMES[node.id], f"uses {node.id}"
            elif isinstance(node, ast.Attribute) and node.attr in _ATTRIBUTES \
                    and not (node.attr in ("replace", "remove") and not _on_module(node)):
                kind, what = _ATTRIBUTES[node.attr], f"uses {ast.unparse(node)}"
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) \
                    else [node.target]
                for t in targets:
                    if isinstance(t, ast.Attribute) and _on_module(t):
                        kind, what = PATCHES, f"assigns to {ast.unparse(t)}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("setattr", "delattr") and node.args \
                    and isinstance(node.args[0], ast.Name) \
                    and node.args[0].id in _MODULE_ALIASES:
                kind, what = PATCHES, f"{node.func.id} on {node.args[0].id}"
            if kind:
                found.append({"cell": cell_id, "line": getattr(node, "lineno", 0),
                              "kind": kind, "what": what})
    return found


def _on_module(node: ast.Attribute) -> bool:
    """Whether an attribute hangs off a module name (np.x, sys.stdout, os.path.x)."""
    base = node.value
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and base.id in _MODULE_ALIASES


# --- the whole notebook --------------------------------------------------------------------


def judge_notebook(nb: dict, demo_sources=frozenset(), limits: Limits | None = None,
                   isolate: bool = True, references=(), deadline: float | None = None,
                   sandbox: Sandbox | None = None, time_up: str | None = None,
                   budgets: dict | None = None) -> Judged:
    """Judge a restored submission (see ``cells_to_judge``).

    references: paths of the earlier days' reference modules the student's code may
    import; deadline: time.monotonic() when the submission's time is up (default: its
    whole budget from now); sandbox: one the caller owns and closes, to be reused by
    the next notebook of the same submission (default: a sandbox of its own, closed
    at the end); time_up: what a test that finds the deadline passed says (default:
    the submission's budget is used up).
    """
    start = time.monotonic()
    limits = limits or Limits()
    if deadline is None:
        deadline = start + limits.submission_seconds
    sandbox_cells, tests = cells_to_judge(nb, demo_sources)
    setup = {f"{i}:{cells.grade_id(c)}" for i, c in enumerate(nb.get("cells", []))
             if cells.role(c, demo_sources) == cells.SETUP}
    judged = Judged(key=judge_key(sandbox_cells, tests), suspicious=suspicious_code(
        [c for c in sandbox_cells if c[0] not in setup]))
    session = _Session(sandbox_cells, limits, isolate, references, deadline, sandbox, time_up,
                       budgets)
    try:
        judged.cell_results = session.cell_results
        judged.cell_seconds = session.cell_seconds
        for grade_id, source in tests:
            session.begin_test(grade_id)
            before = session.student_seconds
            namespace = {"__name__": "__main__"}
            namespace.update({name: Unavailable(name, why)
                              for name, why in session.unavailable().items()})
            namespace.update({name: Proxy(name, session) for name in session.functions})
            judged.grade_outputs[grade_id] = run_test(grade_id, source, namespace,
                                                      judged.failed_in)
            judged.test_seconds[grade_id] = session.student_seconds - before
    finally:
        if sandbox is None:
            session.close()
    judged.events = session.events
    judged.student_seconds = session.student_seconds
    judged.sandbox_seconds = session.sandbox_seconds
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


