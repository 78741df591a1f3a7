"""Grading a class with the judge, in three phases around nbgrader.

1. **Sanitize** (here, one submission after another): each submission is rebuilt
   against the release and the gradebook (``sanitize``) into
   ``<root>/judge/staged/<student>/<day>``; the student's own folder is never changed.
   Each is handed to phase 2 as soon as it is staged.
2. **Judge** (through an executor, in parallel): the notebooks of a submission share
   one sandbox, each in a fresh namespace; their student code runs there and their
   tests here; the outputs of every test cell go to
   ``<root>/judge/results/<day>/<student>/<notebook>.json`` with a report.
3. **Record** (``nbgrader autograde`` over batches of judged submissions, while the
   rest are judged; see grader.autograde.Recorder): nbgrader's own sanitizing and
   bookkeeping, with its Execute step replaced by
   ``grader.nbgrader_ext.JudgedExecute``, which puts the judged outputs into the
   grade cells.  The gradebook, formgrader, feedback and export are nbgrader's.

Tasks and results of phase 2 are plain dicts of JSON-able data, so a Dask
cluster can run them as well as local processes; scores do not depend on which.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import shutil
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..days import Day
from . import cells
from .runner import judge_notebook
from .sandbox import Limits, Sandbox

JUDGE_DIR = "judge"


def staged_root(root: Path) -> Path:
    return Path(root) / JUDGE_DIR / "staged"


def results_dir(root: Path, day: str, student: str) -> Path:
    return Path(root) / JUDGE_DIR / "results" / day / student


def gradebook_sources(db_url: str, course_id: str, day: str) -> dict:
    """notebook name (with .ipynb) -> {grade_id: source} of its locked and test cells."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(db_url, course_id) as gb:
        try:
            assignment = gb.find_assignment(day)
        except MissingEntry:
            raise RuntimeError(f"{day} is not in the gradebook; release it first "
                               f"(grader release {day})") from None
        for notebook in assignment.notebooks:
            solution_ids = {c.name for c in notebook.solution_cells}
            out[f"{notebook.name}.ipynb"] = {c.name: c.source for c in notebook.source_cells
                                             if c.name not in solution_ids}
    return out


def release_demo_sources(release: dict) -> dict:
    """notebook name -> ``cells.demo_sources`` of the released notebook (see
    ``runner.cells_to_judge``; the record step computes the same from the same release)."""
    return {name: cells.demo_sources(nb.get("cells", [])) for name, nb in release.items()}


# --- phase 2: one task per submission ------------------------------------------------


def judge_task(task: dict) -> dict:
    """Judge the notebooks of one submission. task and result are plain JSON-able dicts.

    task: {"student", "day", "notebooks": {name: nb dict}, "demo_sources": {name: [src]},
           "references": [path], "limits": {...}, "isolate": bool,
           "budgets": {name: {"cells": {grade id: s}, "tests": {grade id: s}}}}
    (budgets: the model answers' times, ``grader.judge.budgets``; optional)
    The submission's notebooks share one time budget (``Limits.submission_seconds``).
    """
    start = time.monotonic()
    limits = Limits(**task.get("limits", {}))
    deadline = start + limits.submission_seconds
    out = {"student": task["student"], "day": task["day"], "notebooks": {}, "host": os.uname()[1]}
    # One sandbox for the submission's notebooks (one student's code), each notebook in
    # a fresh namespace; restarted only after a failure.
    sandbox = Sandbox(limits, task.get("isolate", True), task.get("references", []))
    try:
        for name, nb in task["notebooks"].items():
            # A notebook's budget is its own, within what is left of the submission's.
            until = time.monotonic() + limits.notebook_seconds
            time_up = (f"the notebook used up its time budget of "
                       f"{limits.notebook_seconds:g} s") if until < deadline else None
            try:
                judged = judge_notebook(nb, frozenset(task["demo_sources"].get(name, [])),
                                        limits, task.get("isolate", True),
                                        task.get("references", []), min(until, deadline),
                                        sandbox, time_up,
                                        task.get("budgets", {}).get(name))
                out["notebooks"][name] = judged.to_json()
            except Exception as exc:  # noqa: BLE001 - the judge's own failure, reported
                out["notebooks"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        sandbox.close()
    out["seconds"] = time.monotonic() - start
    return out


def warm_up(one_thread: bool = False, day: str | None = None):
    """What every test cell imports on the trusted side, imported once per worker
    before its first submission (torch alone takes seconds), so that no student's
    grading time includes it.  one_thread: a pool's workers run one thread each (torch
    and BLAS): two workers with two spinning threads each on two cores spend more time
    waiting for each other than computing.  day: also what that day's tests use first
    (``warm_up_day``)."""
    import numpy  # noqa: F401
    import torch

    import course.checks  # noqa: F401

    if one_thread:
        torch.set_num_threads(1)
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            pass
        else:
            threadpool_limits(limits=1)
    # torch imports parts of itself at first use: a backward pass with a gradient
    # argument imports sympy (0.5 s), the first optimiser torch._dynamo (1.2 s)
    x = torch.ones(3, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.softmax(x * x, dim=0)
    y.backward(torch.ones_like(y))
    if uses_optimisers(day):
        for optimiser in (torch.optim.SGD([x], lr=0.1, momentum=0.9), torch.optim.Adam([x])):
            optimiser.step()
    if day:
        warm_up_day(day)


@functools.lru_cache(maxsize=None)
def day_test_sources(day: str) -> tuple[str, ...]:
    """The sources of the day's test cells, as the course's notebooks have them (none
    for a day this checkout does not know)."""
    try:
        notebooks = Day.named(day).notebooks
    except Exception:  # noqa: BLE001 - an unknown day
        return ()
    from ..notebooks import read_notebook

    found = []
    for path in notebooks:
        try:
            nb = read_notebook(path)
        except Exception:  # noqa: BLE001
            continue
        found += [cells.source(c) for c in nb.cells if cells.role(c) == cells.TEST]
    return tuple(found)


def uses_optimisers(day: str | None) -> bool:
    """Whether the day's tests may step a torch optimiser (its first step imports
    torch._dynamo, about a second of one core).  Unknown or no day: assume so."""
    sources = day_test_sources(day) if day else ()
    return not sources or any("optim" in source for source in sources)


def warm_up_day(day: str) -> None:
    """Before a worker's first submission of ``day``: run the imports of the day's test
    cells (the reference modules, the wrong-answer library, torch.nn.functional …),
    read the bundled digits once if the day uses them, and take one autograd step.

    Without it the class's first submission in each worker paid all of this — seconds,
    several times its own code — as grading overhead (the benchmark's largest
    overhead was always the first submission judged).  Best effort: what fails here
    fails again, reported, in the test that needs it."""
    import ast

    sources = day_test_sources(day)
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                try:
                    exec(compile(ast.Module([node], []), "<warm-up>", "exec"), {})
                except Exception:  # noqa: BLE001
                    pass
    if any("digits" in source for source in sources):
        from course import data

        data.load_digits_split()


# How far below the grader's own process its workers run.  0: at the same priority.
# Workers once ran 5 below it, so that nbgrader's record step (then 0.27 s per Day 1
# submission) kept up; on a machine whose cores another program keeps busy, that
# gave the judge a quarter of a core per worker instead of half, and doubled every
# submission's time.  The record step now costs half as much and keeps up anyway.
WORKER_NICENESS = 0


def _warm_worker(day: str | None = None):
    if WORKER_NICENESS:
        try:
            os.nice(WORKER_NICENESS)
        except OSError:
            pass
    warm_up(one_thread=True, day=day)


class _Serial:
    """An executor that runs each task here, when it is submitted."""

    def submit(self, fn, item):
        future = Future()
        try:
            future.set_result(fn(item))
        except Exception as exc:  # noqa: BLE001 - handed to the caller like a pool would
            future.set_exception(exc)
        return future

    def as_completed(self, futures):
        return list(futures)

    def start(self):
        pass

    def shutdown(self):
        pass


# What a worker imports before its first task.  multiprocessing's fork server imports
# these once; each worker is then forked from it, torch already loaded, in a moment
# (spawned, each of two workers spent about 2 s importing torch, on the same two cores).
# torch._dynamo only for a day whose tests step an optimiser (``uses_optimisers``).
_PRELOAD = ["__main__", "numpy", "torch", "torch.optim", "torch._dynamo",
            "torch.fx.experimental.symbolic_shapes", "course.checks", "grader.judge.pipeline"]


def preload(day: str | None = None) -> list[str]:
    """What the fork server imports before it forks the workers that judge ``day``."""
    return [m for m in _PRELOAD if m != "torch._dynamo" or uses_optimisers(day)]


def _worker_context(day: str | None = None):
    """The fork server, not a fork of this process: a forked copy of a process that has
    run torch, whose thread pools hold locks at fork time, can hang at its first call;
    the fork server has only imported it.  (One fork server per process: the first
    pool's day decides its preload.)"""
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:              # no fork server on this platform
        return multiprocessing.get_context("spawn")
    ctx.set_forkserver_preload(preload(day))
    return ctx


class _Local:
    """Local worker processes, forked from multiprocessing's fork server."""

    def __init__(self, workers, day: str | None = None):
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context(day),
                                        initializer=_warm_worker, initargs=(day,))

    def submit(self, fn, item):
        return self.pool.submit(fn, item)

    def start(self):
        """Start every worker now (the pool starts one per submitted task otherwise):
        they warm up while this process prepares the first tasks.  In a thread: the
        first start waits for the fork server to import torch (seconds), and this
        process meanwhile reads the gradebook and stages the first submissions."""
        def start_all():
            try:
                for _ in range(self.workers):
                    self.pool.submit(os.getpid)
            except Exception:  # noqa: BLE001 - a broken pool fails the first real task
                pass

        self._starting = threading.Thread(target=start_all, daemon=True)
        self._starting.start()

    def as_completed(self, futures):
        return as_completed(futures)

    def shutdown(self):
        if getattr(self, "_starting", None) is not None:
            self._starting.join()
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    def __init__(self, address):
        from distributed import Client

        self.client = Client(address)

    def submit(self, fn, item):
        return self.client.submit(fn, item, pure=False)

    def as_completed(self, futures):
        from distributed import as_completed as dask_completed

        return dask_completed(futures)

    def start(self):
        pass

    def shutdown(self):
        self.client.close()


def executor(workers: int | None = None, scheduler: str | None = None, day: str | None = None):
    """Local processes by default; a Dask cluster when given its scheduler address.
    day: the day the executor will judge (its workers warm up for it)."""
    if scheduler:
        return _Dask(scheduler)
    workers = workers or min(len(os.sched_getaffinity(0)), 8)
    if workers <= 1:
        # one thread here too: the tests here and the student's code in the sandbox take
        # turns, and torch's or BLAS's second thread spinning while the sandbox computes
        # made a Day 4 class of 30 take 53 s instead of 18 s
        warm_up(one_thread=True, day=day)
        return _Serial()
    return _Local(workers, day)


def run_tasks(tasks, workers=None, scheduler=None, fn=None, pool=None):
    """Yield judge_task's result for every task (an iterable, submitted as it yields),
    in the order they finish.

    All tasks share one executor first.  When a worker dies (the pool breaks, a Dask
    worker is lost), every task that was in flight with it fails, the guilty one and
    its bystanders alike; each of them is then run once more alone, in an executor of
    its own, so that only the submission that kills its worker is charged, and one
    submission never stops the class.
    """
    fn = fn or judge_task
    again = []
    pool = pool or executor(workers, scheduler)
    try:
        futures = {pool.submit(fn, t): t for t in tasks}
        for future in pool.as_completed(list(futures)):
            try:
                result = future.result()
            except Exception:  # noqa: BLE001 - the worker died, not the student's test
                again.append(futures[future])
                continue
            yield result
    finally:
        pool.shutdown()
    for task in again:
        alone = _Dask(scheduler) if scheduler else _Local(1)
        try:
            yield alone.submit(fn, task).result()
        except Exception as exc:  # noqa: BLE001 - it killed its worker twice
            yield {"student": task["student"], "day": task["day"], "seconds": 0.0,
                   "notebooks": {n: {"error": f"the judge's worker failed twice on this "
                                              f"submission: {type(exc).__name__}: {exc}"}
                                 for n in task["notebooks"]}}
        finally:
            alone.shutdown()


# --- the whole class -----------------------------------------------------------------


_FINDING_KINDS = {"restored": "changed locked cells, tests or points",
                  "unknown-id": "claims grade ids the notebook does not have"}


@dataclass
class SubmissionReport:
    student: str
    day: str
    findings: list = field(default_factory=list)     # sanitize findings (dicts)
    notebooks: dict = field(default_factory=dict)    # name -> judged summary
    seconds: float = 0.0

    @property
    def tampering(self) -> list[str]:
        """What looks like tampering: one line per kind, with its first place and a count."""
        places: dict[str, list[str]] = {}
        for f in self.findings:
            if f.get("tampering"):
                label = _FINDING_KINDS.get(f["kind"], f["kind"])
                places.setdefault(label, []).append(f"{f['notebook']}: {f['message']}")
        for name, nb in self.notebooks.items():
            for s in nb.get("suspicious", []):
                places.setdefault(s.get("kind", s["what"]), []).append(
                    f"{s['what']} ({name}, cell {s['cell']}, line {s['line']})")
        return [f"{kind}: {where[0]}" + (f" and {len(where) - 1} more place(s)"
                                         if len(where) > 1 else "")
                for kind, where in places.items()]

    @property
    def events(self) -> list[str]:
        out = []
        for name, nb in self.notebooks.items():
            if "error" in nb:
                out.append(f"{name}: the judge failed: {nb['error']}")
            out += [f"{name}: {e['when']}: {e['kind']}: {e['message']}"
                    for e in nb.get("events", [])]
        return out

    def to_json(self):
        return asdict(self) | {"tampering": self.tampering, "events": self.events}


def stage_one(course, day: str, student: str, release: dict, sources: dict) -> tuple:
    """Phase 1 for one submission: its sanitized copy; (notebooks, findings)."""
    import nbformat  # here, not above: a worker process judges without it

    from .sanitize import sanitize

    result = sanitize(course.submitted(student, day), release, sources)
    target = staged_root(course.root) / student / day
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, nb in result.notebooks.items():
        nbformat.write(nb, str(target / name))
    # the submission's time (late penalties) and, from nbgrader's exchange, the secret
    # that names its feedback pages there (release_feedback, fetch_feedback)
    for kept in ("timestamp.txt", "submission_secret.txt"):
        source = course.submitted(student, day) / kept
        if source.is_file():
            shutil.copy2(source, target / kept)
    return result.notebooks, [asdict(f) for f in result.findings]


def judge_class(course, day: str, students: list[str], release: dict, workers=None,
                scheduler=None, limits: Limits | None = None, isolate=True,
                progress=None) -> dict[str, SubmissionReport]:
    """Phases 1 and 2; returns student -> report and writes the results files.

    Each submission is handed to the judge as soon as it is staged, so that the
    workers start (and judge) while the rest of the class is still being staged.
    """
    pool = executor(workers, scheduler, day)
    pool.start()          # the workers warm up while the gradebook is read
    try:
        sources = gradebook_sources(course.db_url, course.course_id, day)
    except BaseException:
        pool.shutdown()
        raise
    demos = release_demo_sources(release)
    references = Day.named(day).reference_files_before()
    limits_dict = asdict(limits) if limits else {}
    from .budgets import model_times

    budgets = model_times(course.root, Day.named(day))
    staged = {}

    def tasks():
        for s in students:
            staged[s] = stage_one(course, day, s, release, sources)
            task = {"student": s, "day": day,
                    "notebooks": {n: dict(nb) for n, nb in staged[s][0].items()},
                    "demo_sources": demos, "references": references, "limits": limits_dict,
                    "isolate": isolate, "budgets": budgets}
            yield json.loads(json.dumps(task))       # plain data only, for any executor

    reports = {}
    for i, result in enumerate(run_tasks(tasks(), workers, scheduler,
                                                       pool=pool), 1):
        student = result["student"]
        folder = results_dir(course.root, day, student)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, judged in result["notebooks"].items():
            (folder / f"{Path(name).stem}.json").write_text(json.dumps(judged))
        report = SubmissionReport(student, day, staged[student][1], {
            n: {k: v for k, v in j.items() if k != "grade_outputs"}
            for n, j in result["notebooks"].items()}, result["seconds"])
        (folder / "report.json").write_text(json.dumps(report.to_json(), indent=1))
        reports[student] = report
        if progress:
            progress(i, len(students), report)
    return reports
