"""The sandbox side of the judge: runs a student's code cells, then answers calls.

Started by ``grader.judge.sandbox`` (under bubblewrap where available) as
``worker.py REQUEST_FD REPLY_FD TAG``, with this folder (``wire.py``,
``cells.py``) first on its path: under bubblewrap it is mounted read-only at
/judge.  Requests come on REQUEST_FD and replies go out on REPLY_FD, one frame
each (see wire.py).  Nothing here is trusted: the trusted side only ever decodes
plain data from the reply channel, and every reply must echo the request's nonce.

Requests: {"op": "ping", "nonce": str}
          {"op": "reset", "nonce": str}   (a fresh namespace for the next notebook)
          {"op": "cell", "id": str, "source": str, "nonce": str}
          {"op": "call", "name": str, "args": list, "kwargs": dict, "errstate": dict,
           "nonce": str}
"""

import builtins
import importlib.machinery  # here, not in find_spec: importing it there would call find_spec
import io
import os
import signal
import sys
import traceback
import types
import warnings

OUTPUT_LIMIT = 20_000  # characters of print output kept per cell or call


class BoundedText(io.TextIOBase):
    """A stdout that keeps the first OUTPUT_LIMIT characters and drops the rest."""

    def __init__(self):
        self.parts, self.size, self.dropped = [], 0, 0

    def writable(self):
        return True

    def write(self, s):
        s = str(s)
        room = OUTPUT_LIMIT - self.size
        if room > 0:
            self.parts.append(s[:room])
            self.size += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def take(self):
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n[... {self.dropped} more characters of output dropped]"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


class _Blocked(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(
            f"{self.__name__}.{name}: {self.__name__} is not available to graded code. "
            f"The exercises are written in NumPy; use numpy instead.")


class _BlockFinder:
    """`import torch` gives a module whose every use explains that torch is not allowed."""

    blocked = ("torch", "solutions", "grader", "nbgrader")
    # The reference modules of the days before the graded one, as in the student's
    # release: $JUDGE_REFERENCES, e.g. "day1_forward".
    allowed = {"solutions"} | {f"solutions.{m}" for m in
                               os.environ.get("JUDGE_REFERENCES", "").split(",") if m}

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.blocked and name not in self.allowed:
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        return _Blocked(spec.name)

    def exec_module(self, module):
        pass


# --- a graded exercise is not solved by calling the course's own copy of it ---------------
#
# While the judge calls one of the student's functions (a "call" request), a function of
# the toolkit (course.*) or of a bundled earlier day's reference (solutions.*) that has
# that function's name refuses to run: Day 2's numeric_gradient exercise cannot be
# passed by returning course.checks.numeric_gradient(...), nor Day 3's
# mlp_loss_and_grads by returning Day 2's.  It also refuses when the student's function
# of that name is anywhere on the stack (it delegated through a helper of its own).
# Every other toolkit function works as always, and so does the toolkit's copy when a
# different exercise uses it.

_judging = {"name": None, "namespace": {}}


def _delegating(name):
    """Whether a call of the course's ``name`` comes from the student's ``name``."""
    if name == _judging["name"]:
        return True
    own = _judging["namespace"].get(name)
    code = getattr(own, "__code__", None)
    if not isinstance(own, types.FunctionType) or not code.co_filename.startswith("<cell"):
        return False
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def _guarded(fn, name, module):
    def guarded(*args, **kwargs):
        if _judging["name"] is not None and _delegating(name):
            raise RuntimeError(f"{name} is the exercise: write it yourself, do not call "
                               f"{module}.{name}")
        return fn(*args, **kwargs)

    guarded.__name__, guarded.__qualname__ = fn.__name__, fn.__qualname__
    guarded.__doc__, guarded.__module__ = fn.__doc__, fn.__module__
    return guarded


def _guard_module(module):
    for attr, value in list(vars(module).items()):
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            setattr(module, attr, _guarded(value, attr, module.__name__))


class _GuardLoader:
    """The usual loader of a toolkit or reference module, then its functions guarded."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _guard_module(module)


class _GuardFinder:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top not in ("course", "solutions"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None \
                and hasattr(spec.loader, "exec_module"):
            spec.loader = _GuardLoader(spec.loader)
        return spec


def _errstate(requested):
    """np.errstate arguments from the caller's np.geterr(); callbacks become "warn"."""
    out = {}
    if isinstance(requested, dict):
        for kind in ("over", "under", "divide", "invalid"):
            mode = requested.get(kind)
            if mode in ("ignore", "warn", "raise", "print"):
                out[kind] = mode
            elif mode is not None:
                out[kind] = "warn"
    return out


def _warnings(caught, limit=20):
    return [[type(w.message).__name__ if isinstance(w.message, Warning) else "UserWarning",
             str(w.message)[:500]] for w in list(caught or [])[:limit]]


def _arrays(obj, path=()):
    """[(path, array)] for every NumPy array inside lists, tuples and dicts."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        return [(list(path), obj)]
    found = []
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            found += _arrays(v, path + (i,))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            found += _arrays(v, path + (k,))
    return found


class JudgeTimeout(BaseException):
    """A call ran past its time (``"soft"`` seconds of the request): raised inside the
    student's code by an interval timer, so the process lives on for the next test.  Code
    that swallows it keeps running until the trusted side's hard limit kills it."""


def _on_alarm(signum, frame):
    raise JudgeTimeout()


def main():
    requests, replies = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.path[:] = [p for p in sys.path if p]  # no current folder on the path
    if os.environ.get("JUDGE_LIB"):
        sys.path.insert(0, os.environ["JUDGE_LIB"])
    sys.meta_path[:0] = [_BlockFinder(), _GuardFinder()]
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy as np
    import cells  # noqa: E402 (next to this file)
    import wire  # noqa: E402

    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    out = BoundedText()
    sys.stdout = sys.stderr = out

    # The student's code gets its own copy of the builtins (also behind `import
    # builtins`), so that patching them cannot break this loop's own code.
    pristine = dict(builtins.__dict__)
    namespace = {}

    def fresh_namespace():
        """A clean __main__ for the next notebook, as a new kernel would give it
        (modules already imported stay loaded: that is what makes it fast)."""
        own = types.ModuleType("builtins")
        own.__dict__.update(pristine)
        sys.modules["builtins"] = own
        namespace.clear()
        namespace.update({"__name__": "__main__", "__builtins__": own})

    fresh_namespace()
    _judging["namespace"] = namespace   # the same dict, emptied for each notebook

    def make_source(source, name):
        if source is None:
            # One of the student's own functions, passed by a test to another of them.
            fn = namespace.get(name)
            if callable(fn):
                return fn

            def undefined(*args, **kwargs):
                raise NameError(f"the test passes your function {name!r}, which your code "
                                f"does not define")
            return undefined
        scope = {"np": np, "__builtins__": builtins}
        exec(compile(source, f"<instructor {name}>", "exec"), scope)
        return scope[name]

    def functions():
        names = []
        for name, value in list(namespace.items()):
            code = getattr(value, "__code__", None)
            if isinstance(value, types.FunctionType) and code is not None \
                    and code.co_filename.startswith("<cell"):
                names.append(name)
        return sorted(names)

    while True:
        try:
            request = wire.read_frame(requests, make_source)
        except EOFError:
            return
        nonce = request.get("nonce")
        if request.get("op") == "ping":
            reply = {"nonce": nonce, "ok": True}
        elif request.get("op") == "reset":
            fresh_namespace()
            out.take()
            reply = {"nonce": nonce, "ok": True}
        elif request.get("op") == "cell":
            status, error = "ok", None
            soft = request.get("soft")
            before = dict(namespace)
            try:
                code = compile(cells.strip_magics(request["source"]),
                               f"<cell {request['id']}>", "exec")
                try:
                    if isinstance(soft, (int, float)) and soft > 0:
                        signal.setitimer(signal.ITIMER_REAL, float(soft))
                    exec(code, namespace)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except JudgeTimeout:
                # The cell ran past its time: it is left out, as if it had never run (the
                # names it bound are unbound again), and the process goes on.
                status = "timeout"
                namespace.clear()
                namespace.update(before)
            except BaseException as exc:  # the student's error belongs to that cell
                signal.setitimer(signal.ITIMER_REAL, 0)
                status = "error"
                error = {"ename": type(exc).__name__, "evalue": str(exc)[:2000],
                         "traceback": traceback.format_exc(limit=-8)[-4000:]}
            reply = {"nonce": nonce, "ok": True, "functions": functions(),
                     "cell": {"id": request["id"], "status": status, "error": error,
                              "stdout": out.take()}}
        elif request.get("op") == "call":
            fn = namespace.get(request["name"])
            caught, text = [], None
            try:
                if not callable(fn):
                    raise NameError(f"name {request['name']!r} is not defined")
                args, kwargs = request["args"], request["kwargs"]
                before = _arrays([args, kwargs])
                snapshot = [a.copy() for _, a in before]
                # The caller's np.errstate applies here too, and warnings go back to it,
                # so a test sees an overflow as it would in the student's kernel.
                with warnings.catch_warnings(record=True) as caught, \
                        np.errstate(**_errstate(request.get("errstate"))):
                    warnings.simplefilter("always")
                    _judging["name"] = request["name"]
                    soft = request.get("soft")
                    try:
                        if isinstance(soft, (int, float)) and soft > 0:
                            signal.setitimer(signal.ITIMER_REAL, float(soft))
                        value = fn(*args, **kwargs)
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                        _judging["name"] = None
                # An argument changed in place is sent back, so that the trusted side sees
                # the same side effect a call in the student's own kernel would have.
                mutated = [[path, a] for (path, a), old in zip(before, snapshot)
                           if a.shape != old.shape or not np.array_equal(a, old, equal_nan=True)]
                text = out.take()
                reply = {"nonce": nonce, "ok": True, "value": value, "mutated": mutated,
                         "stdout": text, "warnings": _warnings(caught)}
                # Encoded here, once: a value that is not plain data is the student's error.
                payload = wire.encode(reply)
                wire.write_encoded(replies, payload)
                continue
            except BaseException as exc:
                signal.setitimer(signal.ITIMER_REAL, 0)
                evalue = str(exc).replace("value['value']", "the returned value")
                reply = {"nonce": nonce, "ok": False, "ename": type(exc).__name__,
                         "timeout": isinstance(exc, JudgeTimeout),
                         "evalue": evalue[:2000],
                         "traceback": traceback.format_exc(limit=-6)[-3000:],
                         "stdout": out.take() if text is None else text,
                         "warnings": _warnings(caught)}
        else:
            reply = {"nonce": nonce, "ok": False, "ename": "ProtocolError",
                     "evalue": f"unknown request {request.get('op')!r}", "traceback": "",
                     "stdout": ""}
        wire.write_frame(replies, reply)

if __name__ == "__main__":
    main()
