"""The instructor's steps: release, check, autograde, feedback, export, demo."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .coursedir import CourseDir, NbgraderFailed, NotebookScore, earlier_days, later_days
from .notebooks import (REPO, NotebookError, WrongAnswer, discover_days, is_grade_cell,
                        nbgrader_meta, notebook_defining, read_notebook, reference_module,
                        scan_release, solved_notebook, with_wrong_answers, write_notebook,
                        wrong_answers)


def say(*parts, **kw):
    print(*parts, flush=True, **kw)


# --- release --------------------------------------------------------------------


def bundle_toolkit(release_dir: Path, day: str):
    """Put the course toolkit and the earlier days' reference modules beside the notebooks."""
    shutil.copytree(REPO / "course", release_dir / "course", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    before = earlier_days(day)
    target = release_dir / "solutions"
    if target.exists():
        shutil.rmtree(target)
    # Always a package, even with no earlier day: beside the notebooks it comes first on
    # the kernel's path, so `import solutions` never reaches an installed copy.
    target.mkdir()
    (target / "__init__.py").write_text(
        '"""Reference modules of the days before this one: earlier days\' working code."""\n')
    for d in before:
        shutil.copy2(REPO / "solutions" / f"{d}.py", target / f"{d}.py")


def release(day: str, course: CourseDir) -> tuple[Path, list[str]]:
    """Student version of ``day`` in ``course``'s release folder; returns (folder, leaks)."""
    course.generate_assignment(day)
    folder = course.release(day)
    bundle_toolkit(folder, day)
    return folder, scan_release(folder, day, later_days(day))


def release_notebooks(folder: Path) -> dict[str, object]:
    return {p.name: read_notebook(p) for p in sorted(folder.glob("*.ipynb"))}


def grade_cell_order(notebooks: dict[str, object]) -> dict[str, list[tuple[str, bool, float]]]:
    """notebook -> [(grade_id, autograded, points)] in the order of the cells."""
    out = {}
    for name, nb in notebooks.items():
        cells = []
        for cell in nb.cells:
            if is_grade_cell(cell):
                meta = nbgrader_meta(cell)
                cells.append((meta["grade_id"], cell.cell_type == "code",
                              float(meta.get("points", 0))))
        out[Path(name).stem] = cells
    return out


def write_submission(course: CourseDir, student: str, day: str, notebooks: dict[str, object]):
    folder = course.submitted(student, day)
    if folder.exists():
        shutil.rmtree(folder)
    for name, nb in notebooks.items():
        write_notebook(nb, folder / name)
    return folder


# --- autograde ---------------------------------------------------------------------


@dataclass
class Result:
    student: str
    day: str
    status: str = "graded"          # graded | error | empty
    message: str = ""
    notebooks: list[NotebookScore] = field(default_factory=list)
    seconds: float = 0.0
    report: object = None           # grader.judge.pipeline.SubmissionReport

    @property
    def auto_score(self):
        return sum(n.auto_score for n in self.notebooks)

    @property
    def auto_max(self):
        return sum(n.auto_max for n in self.notebooks)

    @property
    def flags(self) -> list[str]:
        return self.report.tampering if self.report else []

    def cell(self, grade_id):
        for n in self.notebooks:
            for c in n.cells:
                if c.grade_id == grade_id:
                    return c
        return None


def autograde(day: str, course: CourseDir, students=None, quiet=False, workers=None,
              scheduler=None, isolate=True) -> list[Result]:
    """Judge every submission (in parallel), then record the grades with nbgrader.

    See grader.judge.pipeline for the three phases.  A submission that cannot be
    read is graded as empty and reported; nothing stops the rest of the class.
    """
    from .judge import pipeline

    students = list(students or course.students(day))
    if not students:
        return []
    folder = course.release(day)
    release_files = sorted(folder.glob("*.ipynb"))
    if not release_files:
        raise NotebookError(f"{day} has not been released in {course.root}; run "
                            f"`grader release {day}` first")
    release_nbs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in release_files}
    results = {s: Result(s, day) for s in students}
    present = []
    for s in students:
        if any(course.submitted(s, day).glob("*.ipynb")):
            present.append(s)
        else:
            results[s].status = "empty"
            results[s].message = f"no notebook in {course.submitted(s, day)}"

    def progress(i, n, report):
        if not quiet:
            flags = f"  {len(report.tampering)} flag(s)" if report.tampering else ""
            events = f"  {len(report.events)} failure(s) in student code" if report.events else ""
            say(f"[{i}/{n}] judged {report.student:<20} ({report.seconds:.1f} s){flags}{events}")

    start = time.monotonic()
    reports = pipeline.judge_class(course, day, present, release_nbs, workers=workers,
                                   scheduler=scheduler, isolate=isolate, progress=progress)
    if not quiet:
        say(f"recording grades with nbgrader ({len(present)} submissions)")
    output = ""
    try:
        output = course.autograde(day, submitted=pipeline.staged_root(course.root),
                                  results=course.root / pipeline.JUDGE_DIR / "results",
                                  isolate=isolate)
    except NbgraderFailed as exc:
        output = exc.output
    seconds = (time.monotonic() - start) / max(1, len(present))
    for s in present:
        r = results[s]
        r.report = reports.get(s)
        r.seconds = r.report.seconds if r.report else seconds
        r.notebooks = course.scores(day, s)
        if not r.notebooks or not course.autograded(s, day).is_dir():
            lines = [ln for ln in output.splitlines() if s in ln and "rror" in ln]
            r.status = "error"
            r.message = lines[-1].strip() if lines else "nbgrader could not record the grades"
    if not quiet:
        for s in students:
            r = results[s]
            if r.status == "graded":
                say(f"  {s:<20} {r.auto_score:g}/{r.auto_max:g} autograded points")
            else:
                say(f"  {s:<20} {r.status.upper()}: {r.message}")
    return [results[s] for s in students]


def judge_report(results: list[Result]) -> str:
    """What the instructor should look at: repairs, failures and signs of tampering."""
    lines = []
    for r in results:
        rep = r.report
        if rep is None:
            continue
        notes = [f["message"] for f in rep.findings if not f.get("tampering")]
        if not (rep.tampering or rep.events or notes):
            continue
        lines.append(f"{r.student} ({r.day}):")
        lines += [f"  FLAG   {t}" for t in rep.tampering]
        lines += [f"  failed {e}" for e in rep.events]
        lines += [f"  note   {n}" for n in notes]
    return "\n".join(lines) if lines else "nothing to report: no repairs, failures or flags"


def summary(results: list[Result]) -> str:
    graded = [r for r in results if r.status == "graded"]
    bad = [r for r in results if r.status != "graded"]
    lines = [f"{len(graded)} of {len(results)} submissions graded"]
    for r in bad:
        lines.append(f"  {r.student}: {r.status}: {r.message}")
    return "\n".join(lines)


# --- check: the tests of a day against the model answers, the stubs and known bugs -------


@dataclass
class CheckReport:
    day: str
    rows: list = field(default_factory=list)      # (notebook, grade_id, points, solved, stub)
    wrong: list = field(default_factory=list)     # (WrongAnswer, cells lost, ok)
    leaks: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return (not self.errors and not self.leaks and bool(self.rows)
                and all(solved == pts and stub == 0 for _, _, pts, solved, stub in self.rows)
                and all(ok for _, _, ok in self.wrong))

    def format(self) -> str:
        out = [f"grader check {self.day}", ""]
        out.append(f"{'notebook':<28} {'cell':<30} {'points':>6}  {'solved':<7} {'stub':<7} verdict")
        for nb, gid, pts, solved, stub in self.rows:
            good = solved == pts and stub == 0
            out.append(f"{nb:<28} {gid:<30} {pts:>6g}  "
                       f"{'pass' if solved == pts else 'FAIL':<7} "
                       f"{'fails' if stub == 0 else 'PASSES':<7} {'ok' if good else 'PROBLEM'}")
        if self.wrong:
            out += ["", "known wrong answers (each must lose points on the exercise it targets):"]
            for w, lost, ok in self.wrong:
                what = ", ".join(lost) if lost else "loses nothing"
                out.append(f"  {'ok     ' if ok else 'PROBLEM'} {w.name:<40} {what}")
        if self.leaks:
            out += ["", "model answers found in the release:"] + [f"  {p}" for p in self.leaks]
        if self.errors:
            out += ["", "errors:"] + [f"  {e}" for e in self.errors]
        out += ["", "check passed" if self.ok else "check FAILED"]
        return "\n".join(out)


def _rounds(wrongs: list[WrongAnswer]) -> list[list[WrongAnswer]]:
    """Group wrong answers so that no two in a group target the same function."""
    rounds: list[list[WrongAnswer]] = []
    for w in wrongs:
        for r in rounds:
            if all(x.target != w.target for x in r):
                r.append(w)
                break
        else:
            rounds.append([w])
    return rounds


def solved_failures(course: CourseDir, day: str, result: Result) -> list[str]:
    """Why the model answers lost points: the judge's failures and each failing test's error."""
    from .judge import pipeline

    out = list(result.report.events if result.report else [])
    folder = pipeline.results_dir(course.root, day, result.student)
    for n in result.notebooks:
        path = folder / f"{n.notebook}.json"
        judged = json.loads(path.read_text()) if path.is_file() else {}
        if "error" in judged:
            out.append(f"{n.notebook}: {judged['error']}")
        for c in n.cells:
            if not c.auto or (c.score or 0) >= c.max_score:
                continue
            errors = [o for o in judged.get("grade_outputs", {}).get(c.grade_id, [])
                      if o.get("output_type") == "error"]
            what = (f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors
                    else "no error recorded")
            out.append(f"solved {n.notebook} {c.grade_id}: {what[:300]}")
    return out


def check(day: str, with_wrong=True, quiet=False, keep: Path | None = None) -> CheckReport:
    report = CheckReport(day)
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=f"check-{day}-"))
    try:
        course = CourseDir(tmp / "course")
        folder, report.leaks = release(day, course)
        stubs = release_notebooks(folder)
        module = reference_module(day)
        solved = {n: solved_notebook(nb, module, n) for n, nb in stubs.items()}
        write_submission(course, "solved", day, solved)
        write_submission(course, "stub", day, stubs)
        wrongs = wrong_answers(day) if with_wrong else []
        rounds = _rounds(wrongs)
        for i, group in enumerate(rounds):
            nbs = {}
            for w in group:
                home = notebook_defining(solved, w.target)
                if home is None:
                    report.errors.append(f"wrong answer {w.name}: no stub cell defines {w.target}")
                    continue
                nbs[home] = with_wrong_answers(nbs.get(home, solved[home]), [w])
            write_submission(course, f"wrong{i + 1}", day, nbs)
        students = ["solved", "stub"] + [f"wrong{i + 1}" for i in range(len(rounds))]
        results = {r.student: r for r in autograde(day, course, students, quiet=quiet)}
        for r in results.values():
            if r.status != "graded":
                report.errors.append(f"{r.student}: {r.status}: {r.message}")
        report.errors += solved_failures(course, day, results["solved"])
        for nb, cells in grade_cell_order(stubs).items():
            for gid, auto, pts in cells:
                if not auto:
                    continue
                s = results["solved"].cell(gid)
                t = results["stub"].cell(gid)
                report.rows.append((nb, gid, pts, s.score if s else None, t.score if t else None))
        for i, group in enumerate(rounds):
            r = results[f"wrong{i + 1}"]
            for w in group:
                lost = [f"{c.grade_id} −{c.max_score - (c.score or 0):g}"
                        for n in r.notebooks for c in n.cells
                        if c.auto and (c.score or 0) < c.max_score]
                targeted = [x for x in lost if x.startswith(f"test_{w.target} ")]
                report.wrong.append((w, lost, bool(targeted)))
    except (NotebookError, NbgraderFailed) as exc:
        report.errors.append(str(exc))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return report


# --- feedback and export ------------------------------------------------------------------


def hidden_test_lines(day: str) -> list[str]:
    """The distinctive lines of the day's hidden tests (to prove feedback never shows them).

    A line that also appears outside the hidden regions (in a visible test, a stub's
    docstring, a derivation, a model or known wrong answer) is not distinctive and is
    left out.
    """
    hidden, visible = [], set()
    for path in sorted((REPO / day).glob("*.ipynb")):
        for cell in read_notebook(path).cells:
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "### END HIDDEN TESTS" in line:
                    inside = False
                elif inside and len(line.strip()) >= 20:
                    hidden.append(line.strip())
                else:
                    visible.add(line.strip())
    # Lines of the model answers and known wrong answers appear in submissions too.
    answers = [REPO / "solutions" / f"{day}.py", REPO / "solutions" / "wrong" / f"{day}.py"]
    shown = "\n".join([*visible, *(p.read_text() for p in answers if p.is_file())])
    return [h for h in dict.fromkeys(hidden) if h not in shown]


def feedback_text(path: Path) -> str:
    """What a feedback page shows, as text: tags removed (highlighted code is split into
    many spans), entities decoded."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]*>", "", path.read_text(encoding="utf-8")))


def feedback(day: str, course: CourseDir, students=None, quiet=False) -> dict[str, list[Path]]:
    """Feedback HTML per student; checks that no hidden test's source is in it."""

    students = students or [s for s in course.students(day) if course.autograded(s, day).is_dir()]
    hidden = hidden_test_lines(day)
    out = {}
    for i, student in enumerate(students, 1):
        try:
            course.generate_feedback(day, student)
        except NbgraderFailed as exc:
            if not quiet:
                say(f"[{i}/{len(students)}] {student:<20} FEEDBACK FAILED: "
                    f"{str(exc).splitlines()[-1]}")
            continue
        files = sorted(course.feedback(student, day).glob("*.html"))
        for f in files:
            text = feedback_text(f)
            leaked = [h for h in hidden if h in text]
            if leaked:
                raise RuntimeError(f"{f} shows hidden test source, e.g. {leaked[0]!r}")
        out[student] = files
        if not quiet:
            say(f"[{i}/{len(students)}] {student:<20} {len(files)} feedback file(s) in "
                f"{course.feedback(student, day)}")
    return out


def export(course: CourseDir, path: Path | None = None) -> Path:
    path = Path(path or course.root / "grades.csv").resolve()
    course.export(path)
    return path


# --- demo ------------------------------------------------------------------------------------


DEMO_STUDENTS = {
    "ada-model": "submits the model answers",
    "ben-stub": "submits the stubs untouched",
    "cleo-bugs": "makes typical mistakes",
    "dan-patch": "cheats: patches NumPy's comparisons and returns an always-equal array",
    "eve-steal": "cheats: loads the model answers from the instructor's disk at grading "
                 "time and leaves a process behind to rewrite the gradebook",
}

_PATCH_CHEAT = """import numpy as np
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
class _AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True
"""

_STEAL_CHEAT = """import subprocess
try:
    exec(open({reference!r}).read())
except OSError:
    pass
subprocess.Popen(["sh", "-c", "sleep 5; echo 'all full marks' > {gradebook}"],
                 start_new_session=True)
"""


def cheating_notebooks(stubs: dict, day: str, course: CourseDir) -> tuple[dict, dict]:
    """The two cheaters' submissions of one day: (dan's notebooks, eve's notebooks)."""
    from .notebooks import defined_functions, is_solution_cell

    dan, eve = {}, {}
    reference = str(REPO / "solutions" / f"{day}.py")
    for name, nb in stubs.items():
        d, e = copy.deepcopy(nb), copy.deepcopy(nb)
        first = True
        for cd, ce in zip(d.cells, e.cells):
            if cd.cell_type != "code" or not is_solution_cell(cd):
                continue
            fakes = "".join(f"def {fn}(*args, **kwargs):\n"
                            f"    return np.zeros(1).view(_AlwaysEqual)\n"
                            for fn in defined_functions(cd.source))
            cd.source = _PATCH_CHEAT + fakes
            if first:
                ce.source = _STEAL_CHEAT.format(reference=reference,
                                                gradebook=course.root / "gradebook.db")
                first = False
        dan[name], eve[name] = d, e
    return dan, eve


def typical_mistakes(day: str, count=3) -> list[WrongAnswer]:
    picks, targets = [], set()
    for w in wrong_answers(day):
        if w.target not in targets:
            picks.append(w)
            targets.add(w.target)
        if len(picks) == count:
            break
    return picks


def score_table(results: dict[str, dict[str, Result]], days: list[str]) -> str:
    width = max(14, *(len(d) + 2 for d in days))
    head = f"{'student':<12}" + "".join(f"{d:>{width}}" for d in days) + f"{'total':>{width}}"
    lines = [head, "-" * len(head)]
    for student, per_day in results.items():
        row, total, total_max = f"{student:<12}", 0.0, 0.0
        for d in days:
            r = per_day.get(d)
            if r is None or r.status != "graded":
                cell = "error" if r else "-"
            else:
                cell = f"{r.auto_score:g}/{r.auto_max:g}"
                total += r.auto_score
                total_max += r.auto_max
            row += f"{cell:>{width}}"
        row += f"{f'{total:g}/{total_max:g}':>{width}}"
        lines.append(row)
    return "\n".join(lines)


def demo(root: Path | None = None, days=None) -> dict[str, dict[str, Result]]:
    """Release every built day, simulate a class, autograde, feedback, export, score table."""
    course = CourseDir(root or CourseDir().root / "demo")
    if course.root.exists():
        shutil.rmtree(course.root)
    days = days or discover_days()
    results: dict[str, dict[str, Result]] = {s: {} for s in DEMO_STUDENTS}
    say(f"demo course in {course.root}")
    for student, what in DEMO_STUDENTS.items():
        say(f"  {student}: {what}")
    for day in days:
        say(f"\n== {day}: release")
        folder, leaks = release(day, course)
        if leaks:
            raise RuntimeError("the release holds model answers:\n" + "\n".join(leaks))
        say(f"released to {folder} (no model answer of {day} in it)")
        stubs = release_notebooks(folder)
        module = reference_module(day)
        solved = {n: solved_notebook(nb, module, n) for n, nb in stubs.items()}
        mistakes = typical_mistakes(day)
        buggy = dict(solved)
        for w in mistakes:
            home = notebook_defining(solved, w.target)
            buggy[home] = with_wrong_answers(buggy[home], [w])
        write_submission(course, "ada-model", day, solved)
        write_submission(course, "ben-stub", day, stubs)
        write_submission(course, "cleo-bugs", day, buggy)
        dan, eve = cheating_notebooks(stubs, day, course)
        write_submission(course, "dan-patch", day, dan)
        write_submission(course, "eve-steal", day, eve)
        say("cleo-bugs' mistakes: " + "; ".join(f"{w.target}: {w.description}" for w in mistakes))
        say(f"== {day}: autograde")
        day_results = autograde(day, course, list(DEMO_STUDENTS))
        for r in day_results:
            results[r.student][day] = r
        say(f"== {day}: judge report")
        say(judge_report(day_results))
        say(f"== {day}: feedback")
        feedback(day, course, list(DEMO_STUDENTS))
    csv = export(course)
    say(f"\ngrades exported to {csv}")
    say("\nautograded points (manually graded answers are left for the instructor):\n")
    say(score_table(results, days))
    return results


# --- the student's JupyterLab ----------------------------------------------------------------

#: nbgrader's lab plugins a student does not need: the instructor's tools and the
#: exchange-based assignment and course lists (this course hands out folders).  The
#: notebook toolbar's Validate button (``validate-assignment``) stays.
STUDENT_DISABLED_PLUGINS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:menu",
]

#: The server halves of the same tools; validate_assignment answers the Validate button.
STUDENT_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}

#: JupyterLab settings overrides (defaults a student can still change in the settings
#: editor): no news or update pop-ups, no extension manager asking PyPI.
STUDENT_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}

KERNEL_NAME = "python3"     # the kernelspec name the day notebooks ask for


def lab_config_dir(workspace: Path) -> Path:
    """The workspace's own Jupyter config and data folder (hidden from the file browser)."""
    return Path(workspace) / ".jupyter"


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_lab_config(workspace: Path) -> Path:
    """Server config, lab plugin switches, settings overrides and the kernelspec.

    Everything sits in ``lab_config_dir(workspace)`` and is rewritten on every call;
    what JupyterLab itself saves there (user settings, layouts) is left alone.
    Returns the config folder.
    """
    import sys

    cfg = lab_config_dir(workspace)
    settings = cfg / "lab" / "settings"
    _write_json(cfg / "jupyter_server_config.json", {
        "ServerApp": {
            "ip": "127.0.0.1",
            "open_browser": False,
            "root_dir": str(Path(workspace).resolve()),
            "jpserver_extensions": STUDENT_SERVER_EXTENSIONS,
        },
        "LabApp": {
            # The server side of the news feed and the update check, off as well.
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "extension_manager": "readonly",
            "app_settings_dir": str(settings),
        },
    })
    _write_json(cfg / "labconfig" / "page_config.json",
                {"disabledExtensions": {p: True for p in STUDENT_DISABLED_PLUGINS}})
    _write_json(settings / "overrides.json", STUDENT_LAB_SETTINGS)
    # The course environment's interpreter, whatever other "python3" kernels the machine has.
    _write_json(cfg / "data" / "kernels" / KERNEL_NAME / "kernel.json", {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (backprop course)",
        "language": "python",
        "metadata": {"debugger": True},
    })
    return cfg


def lab_environment(workspace: Path, base: dict | None = None) -> dict:
    """Environment for the lab server: the workspace's config first, the course's Python on PATH."""
    import os
    import sys

    cfg = lab_config_dir(workspace)
    env = dict(os.environ if base is None else base)
    env.update(
        JUPYTER_CONFIG_DIR=str(cfg),
        JUPYTER_DATA_DIR=str(cfg / "data"),
        # The workspace's folders outrank the environment's, which enable every
        # nbgrader server extension.
        JUPYTER_PREFER_ENV_PATH="0",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    # The repository on PYTHONPATH would make the model answers importable.
    env.pop("PYTHONPATH", None)
    return env


def lab_command(workspace: Path, port: int = 8888, token: str | None = None) -> list[str]:
    """The ``jupyter lab`` command line; token None lets Jupyter make one and print it."""
    import os
    import sys

    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={workspace}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", "--no-browser"]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI runners are often root; Jupyter refuses to start there otherwise.
        cmd.append("--allow-root")
    return cmd


def prepare_lab(course: CourseDir, workspace: Path | None = None, days=None) -> Path:
    """A student workspace holding a fresh release of each built day (kept if it exists).

    Also writes the workspace's Jupyter configuration (``write_lab_config``).
    """
    workspace = Path(workspace or course.root / "lab").resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    for day in days or discover_days():
        target = workspace / day
        if target.exists():
            say(f"{target} exists: kept (delete it for a fresh copy)")
            continue
        folder, leaks = release(day, course)
        if leaks:
            raise RuntimeError("the release holds model answers:\n" + "\n".join(leaks))
        shutil.copytree(folder, target)
    write_lab_config(workspace)
    return workspace


def start_lab(workspace: Path, port: int = 8888) -> int:
    """Run JupyterLab on ``workspace`` (made by prepare_lab) until it is stopped."""
    import subprocess

    workspace = Path(workspace).resolve()
    if not (lab_config_dir(workspace) / "jupyter_server_config.json").is_file():
        write_lab_config(workspace)
    cmd = lab_command(workspace, port)
    say("starting: " + " ".join(cmd))
    proc = subprocess.Popen(cmd, cwd=workspace, env=lab_environment(workspace))
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # Jupyter gets the Ctrl+C as well and shuts its kernels down itself;
            # killing it here would leave them running.
            continue
