"""Checks the notebooks' tests use: the one place for shapes, tolerances and messages.

Everything a test says to a student comes from here, so that every exercise of
every day speaks the same way:

- ``relative_error(a, b)``: max over elements of |a−b| / max(1e-8, |a|+|b|).
- ``assert_shape`` / ``assert_dtype``: messages name the expected and the actual.
- ``assert_close``: shape, dtype, then values; names the worst element and, when
  the answer matches a known wrong variant, the likely bug.
- ``numeric_gradient(f, x, dout)``: centred differences of Σ f(x)·dout, so any
  array function can be checked against its backward pass.
- ``crosscheck``: the per-tensor table (exact / close / max |diff| / worst at)
  against PyTorch autograd, raising when a tensor is off.
- ``check_cases``: one exercise against a reference over a grid of inputs, also
  checking that inputs are not mutated and float64 is kept.
- ``refuse_what_grading_refuses``: graded code that uses torch, or calls the toolkit's
  or an earlier day's copy of the exercise itself, fails at once (``call`` and
  ``check_cases`` ask it first): at grading it would score 0.

Every check returns None: nbgrader scores a test cell whose last expression
is a number as that many points, so a check must never end a cell with one.

Failures raise ``CheckFailed`` (an AssertionError).  In Jupyter it prints its
message alone, without a traceback; a stub that still raises
NotImplementedError gets a short "not implemented yet" note instead of a
traceback (see ``course.install_friendly_errors``).
"""

from __future__ import annotations

import copy
import dis
import inspect
import math
import types
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .i18n import _, translate_message

#: Default tolerance on ``relative_error`` for float64 results.
TOL = 1e-7
#: Default tolerance for a comparison against a centred-difference gradient.
NUMERIC_TOL = 1e-6


class CheckFailed(AssertionError):
    """A check did not pass; the message says what, where, and the likely cause.

    A message of the catalogue (a test cell's ``raise checks.CheckFailed("...")``, also
    one built with an f-string, found by its fixed text) is shown in the release's
    language."""

    def __init__(self, *args):
        if len(args) == 1 and isinstance(args[0], str):
            args = (translate_message(args[0]),)
        super().__init__(*args)

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback.
        return [f"\x1b[31m{_('Check failed:')}\x1b[0m {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


class NotImplementedYet(CheckFailed):
    """Raised (and shown without a traceback) when a stub has not been filled in."""

    def _render_traceback_(self):
        # Bold, not coloured: JupyterLab draws error output on a pale red background.
        return [f"\x1b[1m{line}\x1b[0m" for line in str(self).splitlines()]


def release_manifest() -> dict:
    """What the release wrote beside the toolkit (``course/release.json``): the day, and
    which notebook's model answers (checkpoint) hold each exercise.  {} outside a release."""
    import json
    from pathlib import Path

    try:
        data = json.loads((Path(__file__).parent / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def checkpoint_note(name: str | None) -> str:
    """"finish X first — or ask for checkpoint NN" for an exercise of this release."""
    checkpoints = release_manifest().get("checkpoints", {})
    notebook = checkpoints.get(name or "") if isinstance(checkpoints, dict) else None
    if not isinstance(notebook, str):
        return ""
    number = notebook.split("_")[0]
    return _(" Stuck? Finish `{name}` first — or ask the lecturer for checkpoint {number} "
             "(the model answers of {notebook}).").format(name=name, number=number,
                                                         notebook=notebook)


def not_implemented_message(name: str | None, then: str | None = None) -> str:
    what = f"`{name}`" if name else _("this function")
    then = then or _("run this test again")
    return _(
        "{what} is not implemented yet. Replace `raise NotImplementedError()` in its "
        "cell with your code, run that cell, then {then}."
    ).format(what=what, then=_(then)) + checkpoint_note(name)


# --- what grading refuses, refused at once ---------------------------------------------

_SHIPPED = ("course", "solutions")


def _top(module_name) -> str:
    return str(module_name or "").split(".")[0]


def _names(code) -> tuple[set, set, set]:
    """(global names, attribute names, imported modules) a code object and the
    functions, lambdas and comprehensions inside it read."""
    globals_, attrs, imports = set(), set(), set()
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            globals_.add(ins.argval)
        elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            attrs.add(ins.argval)
        elif ins.opname == "IMPORT_NAME":
            imports.add(ins.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            g, a, i = _names(const)
            globals_ |= g
            attrs |= a
            imports |= i
    return globals_, attrs, imports


def refuse_what_grading_refuses(fn: Callable, name: str | None = None) -> None:
    """Raise CheckFailed if the graded function ``fn`` (or a helper of its own that it
    calls) uses torch, or calls the toolkit's or an earlier day's function of the
    exercise's own name: the grader runs graded code without torch and refuses that
    call, so the exercise would score 0 there although it passes here."""
    if not isinstance(fn, types.FunctionType):
        return
    name = name or fn.__name__

    def uses_torch(what: str):
        raise CheckFailed(_("{name} {what}: graded code is run without torch when it is graded, "
                            "so this answer would score 0 there. Write it with NumPy.")
                          .format(name=name, what=what))

    def calls_itself(where: str):
        raise CheckFailed(_("{name} calls {where}.{name}: that is the exercise itself. Write it "
                            "yourself: when graded, that call is refused and the exercise "
                            "scores 0.").format(name=name, where=where))

    seen, todo = set(), [fn]
    while todo:
        f = todo.pop()
        if f.__code__ in seen:
            continue
        seen.add(f.__code__)
        globals_, attrs, imports = _names(f.__code__)
        for module in imports:
            if _top(module) == "torch":
                uses_torch(_("imports {module}").format(module=module))
        for g in globals_:
            value = f.__globals__.get(g)
            if value is None or isinstance(value, (int, float, str, bool)):
                continue
            if isinstance(value, types.ModuleType):
                if _top(value.__name__) == "torch":
                    uses_torch(_("uses torch (`{g}`)").format(g=g))
                if _top(value.__name__) in _SHIPPED and name in attrs \
                        and callable(getattr(value, name, None)):
                    calls_itself(value.__name__)
                continue
            where = getattr(value, "__module__", None)
            if _top(where) == "torch":
                uses_torch(_("uses torch (`{g}`)").format(g=g))
            if isinstance(value, types.FunctionType):
                if _top(where) in _SHIPPED and value.__name__ == name:
                    calls_itself(where)
                if where == fn.__module__:        # a helper of the student's own
                    todo.append(value)


# --- basic measures ----------------------------------------------------------------


def _as_array(x, name="value"):
    try:
        import torch

        if isinstance(x, torch.Tensor):
            return x.detach().cpu().numpy()
    except ImportError:  # pragma: no cover - torch is in the course environment
        pass
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (int, float, np.number, bool, list, tuple)):
        return np.asarray(x)
    raise CheckFailed(
        _("{name}: expected a NumPy array or a number, got {type}. "
          "Did the function return something else (None, a tuple)?")
        .format(name=name, type=type(x).__name__)
    )


def relative_error(a, b) -> float:
    """max |a−b| / max(1e-8, |a|+|b|), elementwise then the largest; 0.0 for empty arrays."""
    a = np.asarray(_as_array(a), dtype=np.float64)
    b = np.asarray(_as_array(b), dtype=np.float64)
    if a.shape != b.shape:
        raise CheckFailed(
            _("relative_error: shapes differ, {a} and {b}; compare arrays of one shape")
            .format(a=a.shape, b=b.shape)
        )
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        err = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    if np.isnan(err).any():
        return math.inf
    return float(err.max())


def _worst_index(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim == 0:
        return ()
    with np.errstate(invalid="ignore"):
        err = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    err = np.where(np.isnan(err), np.inf, err)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), a.shape))


def assert_shape(actual, expected_shape, name="output"):
    """Raise CheckFailed naming both shapes when ``actual.shape != expected_shape``."""
    arr = _as_array(actual, name)
    expected_shape = tuple(expected_shape)
    if arr.shape != expected_shape:
        hint = ""
        if arr.shape == expected_shape[::-1] and arr.ndim == 2:
            hint = " " + _("It is the transpose of what is expected: a missing or extra `.T`?")
        elif arr.size == int(np.prod(expected_shape)):
            hint = " " + _("Same number of elements, different layout: check the axes.")
        elif arr.ndim < len(expected_shape):
            hint = " " + _("An axis is missing: a sum or a mean over the wrong axis, or keepdims?")
        raise CheckFailed(
            _("{name}: expected shape {expected}, got {actual}.").format(
                name=name, expected=expected_shape, actual=arr.shape) + hint
        )


def assert_dtype(actual, expected_dtype=np.float64, name="output"):
    """Raise CheckFailed naming both dtypes when they differ."""
    arr = _as_array(actual, name)
    if arr.dtype != np.dtype(expected_dtype):
        raise CheckFailed(
            _("{name}: expected dtype {expected}, got {actual}. "
              "Keep the computation in float64 (e.g. avoid int arrays, np.float32 or astype).")
            .format(name=name, expected=np.dtype(expected_dtype), actual=arr.dtype)
        )


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"array {x.shape}"
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_describe(v) for v in x[:4])
        more = ", ..." if len(x) > 4 else ""
        return f"{type(x).__name__}[{inner}{more}]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in list(x.items())[:4]) + "}"
    return repr(x)


def assert_close(actual, expected, name="output", tol=TOL, diagnose=(), check_dtype=True):
    """Compare arrays or numbers: shape, dtype (float64), then relative error ≤ tol.

    diagnose: pairs (wrong_value, message); when ``actual`` is close to a known
    wrong answer, its message is added ("forgot σ′?").
    """
    exp = _as_array(expected, f"{name} (expected)")
    act = _as_array(actual, name)
    if act.shape != exp.shape:
        assert_shape(act, exp.shape, name)
    if check_dtype and np.issubdtype(exp.dtype, np.floating):
        assert_dtype(act, exp.dtype, name)
    if not np.issubdtype(act.dtype, np.number) and act.dtype != bool:
        raise CheckFailed(_("{name}: expected numbers, got an array of {dtype}")
                          .format(name=name, dtype=act.dtype))
    if act.size and not np.all(np.isfinite(act)) and np.all(np.isfinite(exp)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(act))[0])
        likely = _likely_cause(act, exp, diagnose, tol)
        raise _diagnosed(CheckFailed(
            _("{name}: contains nan or inf (first at index {bad}) where the expected values are "
              "finite.").format(name=name, bad=bad) + " "
            + (f"{_('Likely cause:')} {hint_text(likely)}" if likely else
               _("An overflow in np.exp? Subtract the maximum, or use a form that "
                 "cannot overflow."))
        ), likely)
    err = relative_error(act, exp)
    if err <= tol:
        return None
    idx = _worst_index(act, exp)
    got = act[idx] if act.ndim else act
    want = exp[idx] if exp.ndim else exp
    values = dict(name=name, err=f"{err:.3g}", tol=f"{tol:g}", idx=idx,
                  got=f"{float(got):.8g}", want=f"{float(want):.8g}")
    msg = (_("{name}: relative error {err} > {tol} at index {idx}: got {got}, expected {want}.")
           if idx else _("{name}: relative error {err} > {tol}: got {got}, expected {want}.")
           ).format(**values)
    likely = _likely_cause(act, exp, diagnose, tol)
    if likely:
        msg += f"\n{_('Likely cause:')} {hint_text(likely)}"
    raise _diagnosed(CheckFailed(msg), likely)


def _diagnosed(exc: CheckFailed, likely: str | None) -> CheckFailed:
    """The known bug's sentence on the exception too (the live board counts it), in English
    as the library and the test cell write it, whatever the release's language."""
    exc.diagnosis = likely
    return exc


def _likely_cause(act, exp, diagnose, tol) -> str | None:
    """The message of the first known wrong answer that ``act`` matches (nan and inf where
    it has them) and that differs from the expected value on this input (a bug whose
    output is right here explains nothing)."""
    for wrong, hint in diagnose:
        try:
            w = _as_array(wrong)
        except CheckFailed:
            continue
        if w.shape != act.shape or not np.issubdtype(w.dtype, np.number):
            continue
        same_gaps = np.array_equal(np.isnan(w), np.isnan(act)) and np.array_equal(
            np.where(np.isinf(w), w, 0), np.where(np.isinf(act), act, 0))
        if not same_gaps:
            continue
        finite = np.isfinite(w) & np.isfinite(act)
        if finite.any() and relative_error(act[finite], w[finite]) > max(tol, 1e-6):
            continue
        right_here = np.all(np.isfinite(w)) and np.all(np.isfinite(exp)) and \
            relative_error(w, exp) <= tol
        if not right_here:
            return hint
    return None


def hint_text(hint) -> str:
    """A diagnosis written in a test cell or the wrong-answer library, in the release's
    language; several joined with "; or " are translated one by one."""
    if not isinstance(hint, str):
        return hint
    said = _(hint)
    if said == hint and "; or " in hint:
        said = _("; or ").join(_(part) for part in hint.split("; or "))
    return said


# --- numeric gradient ----------------------------------------------------------


def numeric_gradient(f: Callable, x, dout=None, h: float = 1e-5):
    """Centred-difference gradient of Σ f(x)·dout with respect to x.

    f takes one array (shaped like x) and returns an array (or a number); dout is
    the upstream gradient, shaped like f(x), and defaults to ones.  For a
    function of several inputs, close over the others:
    ``numeric_gradient(lambda W: affine_forward(x, W, b)[0], W, dout)``.
    x itself is not modified.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = np.asarray(f(x.copy()), dtype=np.float64)
        x[idx] = old - h
        fm = np.asarray(f(x.copy()), dtype=np.float64)
        x[idx] = old
        d = np.ones_like(fp) if dout is None else np.asarray(dout, dtype=np.float64)
        if d.shape != fp.shape:
            raise CheckFailed(
                _("numeric_gradient: dout has shape {dout} but f(x) has shape {out}; "
                  "pass an upstream gradient shaped like the output")
                .format(dout=d.shape, out=fp.shape)
            )
        grad[idx] = np.sum((fp - fm) * d) / (2.0 * h)
    return grad


# --- the cross-check table -------------------------------------------------------


def compare(name, ours, reference, tol=TOL):
    """One row of the cross-check table: dict with exact, close, max_diff, worst, note."""
    ref = _as_array(reference, f"{name} (reference)")
    row = {"name": name, "exact": False, "close": False, "max_diff": math.nan,
           "rel_error": math.nan, "worst": None, "note": ""}
    try:
        act = _as_array(ours, name)
    except CheckFailed as exc:
        row["note"] = str(exc)
        return row
    if act.shape != ref.shape:
        row["note"] = _("shape {actual}, expected {expected}").format(actual=act.shape,
                                                                      expected=ref.shape)
        return row
    a = np.asarray(act, dtype=np.float64)
    r = np.asarray(ref, dtype=np.float64)
    row["exact"] = bool(np.array_equal(a, r))
    row["rel_error"] = relative_error(a, r)
    row["close"] = row["rel_error"] <= tol
    row["max_diff"] = float(np.max(np.abs(a - r))) if a.size else 0.0
    row["worst"] = _worst_index(a, r) if a.size and not row["exact"] else None
    return row


def format_table(rows) -> str:
    header = (f"{_('tensor'):<22} {_('exact'):<6} {_('close'):<6} {_('max |diff|'):>11}  "
              f"{_('rel. error'):>10}  {_('worst at')}")
    yes, no = _("yes"), _("no")
    lines = [header, "-" * len(header)]
    for r in rows:
        if r["note"]:
            lines.append(f"{r['name']:<22} {no:<6} {no:<6} {'':>11}  {'':>10}  {r['note']}")
            continue
        worst = "" if r["worst"] is None else str(r["worst"])
        lines.append(
            f"{r['name']:<22} {yes if r['exact'] else no:<6} {yes if r['close'] else no:<6} "
            f"{r['max_diff']:>11.3g}  {r['rel_error']:>10.3g}  {worst}"
        )
    return "\n".join(lines)


def crosscheck(ours: dict, reference: dict, tol=TOL, hints: dict | None = None, quiet=False):
    """Print the table comparing each of ``ours`` with ``reference`` (e.g. PyTorch autograd).

    ours, reference: {name: array or tensor}, same keys.  Raises CheckFailed
    listing every tensor that is off, with the hint for that tensor if given.
    """
    missing = [k for k in reference if k not in ours]
    if missing:
        raise CheckFailed(_("crosscheck: no value given for {names}")
                          .format(names=", ".join(missing)))
    rows = [compare(k, ours[k], reference[k], tol) for k in reference]
    table = format_table(rows)
    if not quiet:
        print(table)
    bad = [r for r in rows if not r["close"]]
    if bad:
        lines = [_("{bad} of {total} tensors differ from the reference (relative error > "
                   "{tol}):").format(bad=len(bad), total=len(rows), tol=f"{tol:g}")]
        for r in bad:
            err = f"{r['rel_error']:.3g}"
            if r["note"]:
                line = f"{r['name']}: {r['note']}"
            elif r["worst"] not in (None, ()):
                line = _("{name}: relative error {err} worst at {index}").format(
                    name=r["name"], err=err, index=r["worst"])
            else:
                line = _("{name}: relative error {err}").format(name=r["name"], err=err)
            lines.append(f"  {line}")
            if hints and r["name"] in hints:
                lines.append(f"    {_('hint:')} {hint_text(hints[r['name']])}")
        if quiet:
            lines.append(table)
        raise CheckFailed("\n".join(lines))
    return None


def to_torch(*arrays, requires_grad=True):
    """float64 torch tensors (leaf, requiring grad) from NumPy arrays, for a cross-check."""
    import torch

    out = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)
           for a in arrays]
    return out[0] if len(out) == 1 else out


# --- an exercise against a reference over many inputs ----------------------------


def _compare_structure(ours, ref, path, tol, diagnose_here):
    """Raise CheckFailed at the first place where ours and ref differ."""
    if isinstance(ref, (tuple, list)):
        if not isinstance(ours, (tuple, list)) or len(ours) != len(ref):
            raise CheckFailed(_("{path}: expected a {type} of {n} items, got {got}").format(
                path=path, type=type(ref).__name__, n=len(ref), got=_describe(ours)))
        for i, (o, r) in enumerate(zip(ours, ref)):
            _compare_structure(o, r, f"{path}[{i}]", tol, ())
        return
    if isinstance(ref, dict):
        if not isinstance(ours, dict) or set(ours) != set(ref):
            raise CheckFailed(_("{path}: expected a dict with keys {keys}, got {got}").format(
                path=path, keys=sorted(ref), got=_describe(ours)))
        for k in ref:
            _compare_structure(ours[k], ref[k], f"{path}[{k!r}]", tol, ())
        return
    if isinstance(ref, (float, int, np.floating, np.integer)) and not isinstance(ref, bool):
        if isinstance(ours, np.ndarray) and ours.shape == ():
            ours = ours.item()
        if not isinstance(ours, (float, int, np.floating, np.integer)) or isinstance(ours, bool):
            raise CheckFailed(_("{path}: expected a number, got {got}").format(
                path=path, got=_describe(ours)))
        assert_close(np.float64(ours), np.float64(ref), path, tol, diagnose_here, check_dtype=False)
        return
    assert_close(ours, ref, path, tol, diagnose_here)


def _unchanged(before, after) -> bool:
    """False if an array in ``before``, also one inside a tuple, list or dict
    (params [(W1, b1), ...], a cache), differs from its counterpart in ``after``."""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and after.shape == before.shape
                and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, (tuple, list)):
        return (isinstance(after, (tuple, list)) and len(after) == len(before)
                and all(_unchanged(b, a) for b, a in zip(before, after)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and set(after) == set(before)
                and all(_unchanged(before[k], after[k]) for k in before))
    return True


def check_cases(fn: Callable, reference: Callable, cases: Iterable, name: str | None = None,
                tol=TOL, select: Callable | None = None,
                wrong: Sequence[tuple[Callable, str]] = ()):
    """Call ``fn`` and ``reference`` on every case and compare what they return.

    cases: tuples of positional arguments, or dicts of keyword arguments.
    select: picks the part of the result to compare (e.g. ``lambda r: r[0]`` to
    skip a cache).  wrong: (wrong_function, message) pairs; a result that
    matches a wrong function names the likely bug.  Also checks that fn leaves
    its array inputs unchanged.
    """
    name = name or getattr(fn, "__name__", "function")
    refuse_what_grading_refuses(fn)
    select = select or (lambda r: r)
    count = 0
    for count, case in enumerate(cases, start=1):
        args, kwargs = (case, {}) if isinstance(case, tuple) else ((), dict(case))
        desc = ", ".join([_describe(a) for a in args] +
                         [f"{k}={_describe(v)}" for k, v in kwargs.items()])
        label = f"{name}({desc})"
        student_args, student_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        try:
            got = fn(*student_args, **student_kwargs)
        except NotImplementedError:
            raise NotImplementedYet(not_implemented_message(name)) from None
        except CheckFailed:
            raise
        except Exception as exc:  # a student's error becomes a message about this case
            raise CheckFailed(_("{call} raised {error}: {message}").format(
                call=label, error=type(exc).__name__, message=exc)) from None
        for before, after in zip(list(args) + list(kwargs.values()),
                                 list(student_args) + list(student_kwargs.values())):
            if not _unchanged(before, after):
                raise CheckFailed(_("{call} modified its input array in place; work on a copy "
                                    "(e.g. use `x = x.copy()` or out-of-place ops).")
                                  .format(call=label))
        expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        diagnose = []
        for wrong_fn, message in wrong:
            try:
                diagnose.append((select(wrong_fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))),
                                 message))
            except Exception:
                continue
        _compare_structure(select(got), select(expected), label, tol, diagnose)
    if count == 0:
        raise CheckFailed(_("check_cases({name}): no cases given; a check without cases proves "
                            "nothing").format(name=name))
    return None


def _arrays_in(value, depth=0):
    """Every array inside nested tuples, lists and dicts."""
    if depth > 6:
        return
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays_in(v, depth + 1)
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _arrays_in(v, depth + 1)


def assert_cache_holds(cache, needed: dict, name="cache"):
    """Raise CheckFailed unless ``cache`` (any nesting of tuples, lists and dicts) holds an
    exact copy of every array in ``needed`` ({what: array}).  The cache's layout stays the
    student's; what the backward pass must find in it does not."""
    inside = list(_arrays_in(cache))
    for what, array in needed.items():
        array = np.asarray(array)
        if not any(a.shape == array.shape and np.array_equal(a, array) for a in inside):
            raise CheckFailed(_("{name}: holds no exact copy of {what} {shape}; the backward "
                                "pass needs it. Was it changed after it was stored, or another "
                                "array stored in its place?")
                              .format(name=name, what=what, shape=array.shape))
    return None


def call(fn: Callable, *args, **kwargs):
    """Call a student's function; a stub still raising NotImplementedError becomes a short
    note, and what grading would refuse fails at once (``refuse_what_grading_refuses``)."""
    refuse_what_grading_refuses(fn)
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise NotImplementedYet(not_implemented_message(getattr(fn, "__name__", None))) from None


def _snapshot(value, depth=0):
    """Copies of the arrays inside tuples, lists and dicts; everything else as it is
    (functions, the judge's proxies and other objects are not copied)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if depth > 6:
        return value
    if isinstance(value, (tuple, list)):
        return type(value)(_snapshot(v, depth + 1) for v in value) \
            if type(value) in (tuple, list) else [_snapshot(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _snapshot(v, depth + 1) for k, v in value.items()}
    return value


def call_pure(fn: Callable, *args, **kwargs):
    """``call``, then a stop if ``fn`` changed one of its input arrays in place (also one
    inside a tuple, list or dict such as params or a cache), naming the argument: what a
    test compares afterwards would otherwise be the changed input, and the message would
    blame the values instead of the in-place change."""
    before = (_snapshot(args), _snapshot(kwargs))
    out = call(fn, *args, **kwargs)
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    pairs = [(names[k] if k < len(names) else _("argument {n}").format(n=k + 1), b, a)
             for k, (b, a) in enumerate(zip(before[0], args))]
    pairs += [(k, before[1][k], kwargs[k]) for k in kwargs]
    for what, b, a in pairs:
        if not _unchanged(b, a):
            shape = f" {a.shape}" if isinstance(a, np.ndarray) else ""
            raise CheckFailed(_("{function} modified its input {what}{shape} in place: compute "
                                "into a new array, or work on a copy").format(
                function=getattr(fn, "__name__", None) or _("the function"), what=what,
                shape=shape))
    return out


# --- Day 4: sizes are whole numbers ----------------------------------------------------


def assert_int(value, name="output"):
    """Raise CheckFailed unless ``value`` is a Python or NumPy integer (not a float, not bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise CheckFailed(
            _("{name}: expected a whole number (int), got {type} {value}. Sizes count pixels: "
              "use integer division // rather than /, or int(...).")
            .format(name=name, type=type(value).__name__, value=repr(value))
        )
    return None


def check_design(design, fields: dict, limits: dict | None = None, name="design"):
    """A dict of hyper-parameters: every field present with its type, each within its limits.

    fields: {key: int or float}; limits: {key: (low, high)}, both ends allowed.
    """
    if not isinstance(design, dict):
        raise CheckFailed(_("{name}: expected a dict with the keys {keys}, got {type}")
                          .format(name=name, keys=sorted(fields), type=type(design).__name__))
    missing = [k for k in fields if k not in design]
    if missing:
        raise CheckFailed(_("{name}: the keys {missing} are missing; expected {keys}")
                          .format(name=name, missing=missing, keys=sorted(fields)))
    for key, kind in fields.items():
        value = design[key]
        ok = (isinstance(value, (int, np.integer)) and not isinstance(value, bool)) if kind is int \
            else isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not ok:
            raise CheckFailed((_("{name}[{key}]: expected an int, got {type} {value}")
                               if kind is int else
                               _("{name}[{key}]: expected a number, got {type} {value}"))
                              .format(name=name, key=repr(key), type=type(value).__name__,
                                      value=repr(value)))
    for key, (low, high) in (limits or {}).items():
        if not low <= design[key] <= high:
            raise CheckFailed(_("{name}[{key}] = {value} is outside the allowed range "
                                "{low}..{high}").format(name=name, key=repr(key),
                                                       value=repr(design[key]), low=low, high=high))
    return None


def check_budget(what, value, limit):
    """Raise CheckFailed when a count (parameters, epochs, seconds) exceeds its budget."""
    if value > limit:
        raise CheckFailed(_("{what}: {value} is over the budget of {limit}; make the design "
                            "smaller").format(what=_(what), value=f"{value:g}", limit=f"{limit:g}"))
    print(_("{what}: {value} (budget {limit})").format(what=_(what), value=f"{value:g}",
                                                        limit=f"{limit:g}"))
    return None


def check_at_least(what, value, target, advice=""):
    """Raise CheckFailed when a score (an accuracy) is below its target; print it otherwise.
    advice: what to try, in the words of the exercise (it differs from day to day)."""
    if not value >= target:
        raise CheckFailed((_("{what}: {value} is below the target {target}.").format(
            what=_(what), value=f"{value:.3f}", target=f"{target:.3f}")
            + " " + hint_text(advice)).rstrip())
    print(_("{what}: {value} (target {target})").format(what=_(what), value=f"{value:.3f}",
                                                        target=f"{target:.3f}"))
    return None


def check_at_most(what, value, limit, advice=""):
    """Raise CheckFailed when a score that should be small (a test loss) is above its limit."""
    if not value <= limit:
        raise CheckFailed((_("{what}: {value} is above the limit {limit}.").format(
            what=_(what), value=f"{value:.3f}", limit=f"{limit:.3f}")
            + " " + hint_text(advice)).rstrip())
    print(_("{what}: {value} (limit {limit})").format(what=_(what), value=f"{value:.3f}",
                                                      limit=f"{limit:.3f}"))
    return None
