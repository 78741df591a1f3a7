"""No graded exercise is one call away.

A student's release ships the toolkit (``course``) and the earlier days' reference modules
(``solutions.dayK_*``).  The judge refuses, inside an exercise, a call of the shipped
function of the exercise's own name; an exercise that an earlier day's function of
*another* name solves in one call (Day 3's ``affine_layer_forward`` is Day 1's
``affine_forward``) would still earn its points for one line.  ``find_shortcuts`` runs
each graded function's own test (visible and hidden parts) with the function replaced
by each shipped function that can be called with the same arguments; any that passes
is a shortcut, and the exercise must change (or not be graded again: the day imports it).

Everything here is the instructor's own code (the model answers, the toolkit, the
earlier references), so it runs in this process, not in the sandbox: there are about a
thousand (exercise, candidate) pairs a day, and most fail at their first call.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
import signal
from dataclasses import dataclass

from .days import Day
from .judge import cells

SECONDS = 20      # a candidate still running after this long is no shortcut worth finding


@dataclass(frozen=True)
class Shortcut:
    function: str        # the graded function
    test: str            # its test's grade id
    by: str              # "module.name" of the shipped function that passes its test

    def __str__(self) -> str:
        return (f"{self.function}: its test {self.test} passes with {self.by} in its place: "
                f"the exercise is one call away (change it, or import {self.by} instead of "
                f"grading it again)")


def _positional(fn) -> tuple[int, int] | None:
    """(required, accepted) positional arguments of fn; accepted is large for *args."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    required = accepted = 0
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            accepted += 1
            required += p.default is p.empty
        elif p.kind == p.VAR_POSITIONAL:
            accepted = 10 ** 6
    return required, accepted


def _public_functions(module) -> list[tuple[str, object]]:
    return [(f"{module.__name__}.{name}", fn) for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__
            and not name.startswith("_")]


def _pictures(name: str) -> bool:
    """Functions of the toolkit that draw or build a widget: they compute no exercise."""
    short = name.rsplit(".", 1)[1]
    return short.startswith(("plot_", "draw_")) or short.endswith(
        ("_explorer", "_playground", "_race", "_fit"))


def shipped_functions(day: Day) -> list[tuple[str, object]]:
    """Every public function a release of ``day`` ships: the toolkit's (pictures and
    widgets aside) and the earlier days' references."""
    import course

    out = []
    for info in pkgutil.walk_packages(course.__path__, "course."):
        module = importlib.import_module(info.name)
        out += [(n, f) for n, f in _public_functions(module) if not _pictures(n)]
    for earlier in day.earlier():
        out += _public_functions(earlier.reference())
    return out


def _callable_like(graded, candidate) -> bool:
    a, b = _positional(graded), _positional(candidate)
    return a is not None and b is not None and b[0] <= a[0] <= b[1]


def _impostor(fn):
    def impostor(*args, **kwargs):
        return fn(*args, **kwargs)
    return impostor


class _TooLong(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int):
    def stop(signum, frame):
        raise _TooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _base_namespace(nb) -> tuple[dict, list[tuple[str, list[str], str, float]]]:
    """The notebook's set-up and (solved) answer cells run here; and, per answer cell, the
    test that follows it: (grade id of the test, functions of the cell, its source, points)."""
    from .judge.runner import _run_source

    namespace = {"__name__": "__main__"}
    graded, pending = [], []
    for cell in nb.cells:
        role = cells.role(cell)
        source = cells.source(cell)
        if role in (cells.SETUP, cells.ANSWER):
            with contextlib.redirect_stdout(None):
                _run_source(cells.strip_magics(source), namespace, "<solved>")
            if role == cells.ANSWER:
                pending = cells.defined_functions(source)
        elif role == cells.TEST:
            gid = cells.grade_id(cell)
            own = [f for f in pending if gid == f"test_{f}"]
            if own:
                points = float(cells.nbgrader_meta(cell).get("points", 0))
                graded.append((gid, own, source, points))
    return namespace, graded


def find_shortcuts(day: Day, solved: dict[str, object], progress=None) -> list[Shortcut]:
    """Shortcuts in ``solved`` (the day's source notebooks with the model answers in)."""
    import matplotlib

    matplotlib.use("Agg")
    from .judge.runner import run_test, score_of

    candidates = shipped_functions(day)
    found = []
    for name, nb in solved.items():
        namespace, graded = _base_namespace(nb)
        functions = {k: v for k, v in namespace.items() if inspect.isfunction(v)
                     and getattr(v.__code__, "co_filename", "") == "<solved>"}
        for gid, own, source, points in graded:
            for function in own:
                for label, candidate in candidates:
                    if label.rsplit(".", 1)[1] == function:
                        continue        # the judge refuses the shipped copy of its own name
                    if not _callable_like(functions[function], candidate):
                        continue
                    test_ns = {"__name__": "__main__", **functions,
                               function: _impostor(candidate)}
                    try:
                        with _time_limit(SECONDS):
                            outputs = run_test(gid, source, test_ns)
                    except _TooLong:
                        continue
                    if score_of(outputs, points) >= points > 0:
                        found.append(Shortcut(function, gid, label))
                if progress:
                    progress(function)
    return found
