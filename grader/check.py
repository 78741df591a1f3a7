"""Check a day's tests: the solved notebooks must get every point, the stubs none, and
every known wrong answer must lose points on the exercise it targets."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .autograde import GradedSubmission, autograde
from .console import echo
from .coursedir import CourseDir, NbgraderFailed
from .days import Day
from .judge import cells
from .plan import budget_line, plan_problems
from .progress import Progress
from .notebooks import (NotebookError, WrongAnswer, is_grade_cell, nbgrader_meta, notebook_defining,
                        read_notebook, solved_notebook, with_wrong_answers)
from .release import release, release_notebooks, write_submission


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



VISIBLE, HIDDEN, MISSED = "visible", "hidden only", "MISSED"

# At least this share of a day's library must be caught only by its hidden tests: the
# hidden tier earns its points with bugs that only edge inputs reveal.
HIDDEN_SHARE = 0.25


@dataclass
class WrongVerdict:
    """One wrong answer judged alone: the solved submission with only its target replaced."""

    wrong: WrongAnswer
    lost: list = field(default_factory=list)    # (grade_id, points lost, "visible"|"hidden")
    error: str | None = None                    # the judge could not judge it

    @property
    def own_test(self) -> str:
        return f"test_{self.wrong.target}"

    @property
    def tier(self) -> str:
        """VISIBLE when the visible part of its own exercise's test fails, HIDDEN when only
        the hidden part does, MISSED when its own exercise keeps every point."""
        parts = {part for gid, _, part in self.lost if gid == self.own_test}
        if "visible" in parts:
            return VISIBLE
        return HIDDEN if parts else MISSED

    def describe(self) -> str:
        if self.error:
            return f"not judged: {self.error}"
        if not self.lost:
            return "loses nothing"
        return ", ".join(f"{gid} −{pts:g} ({part})" for gid, pts, part in self.lost)


@dataclass
class CheckReport:
    day: str
    rows: list = field(default_factory=list)      # (notebook, grade_id, points, solved, stub)
    wrong: list = field(default_factory=list)     # WrongVerdict, in the library's order
    leaks: list = field(default_factory=list)
    shortcuts: list = field(default_factory=list)   # grader.shortcuts.Shortcut
    plan: list = field(default_factory=list)        # grader.plan.plan_problems
    minutes: str = ""                               # grader.plan.budget_line
    errors: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {VISIBLE: 0, HIDDEN: 0, MISSED: 0}
        for v in self.wrong:
            out[v.tier] += 1
        return out

    @property
    def hidden_share_ok(self) -> bool:
        return not self.wrong or self.counts()[HIDDEN] >= HIDDEN_SHARE * len(self.wrong)

    @property
    def ok(self):
        return (not self.errors and not self.leaks and not self.shortcuts and not self.plan
                and bool(self.rows) and self.hidden_share_ok
                and all(solved == pts and stub == 0 for _, _, pts, solved, stub in self.rows)
                and all(v.tier != MISSED and not v.error for v in self.wrong))

    def format(self) -> str:
        out = [f"grader check {self.day}", ""]
        out.append(f"{'notebook':<28} {'cell':<30} {'points':>6}  {'solved':<7} {'stub':<7} verdict")
        for nb, gid, pts, solved, stub in self.rows:
            good = solved == pts and stub == 0
            out.append(f"{nb:<28} {gid:<30} {pts:>6g}  "
                       f"{'pass' if solved == pts else 'FAIL':<7} "
                       f"{'fails' if stub == 0 else 'PASSES':<7} {'ok' if good else 'PROBLEM'}")
        if self.wrong:
            out += ["", "known wrong answers, each judged alone (the model answers with that one "
                        "function replaced);", "caught by: the visible tests of its own exercise, "
                        "its hidden tests only, or MISSED (its exercise keeps every point):"]
            for v in self.wrong:
                out.append(f"  {v.tier:<12} {v.wrong.name:<52} {v.describe()}")
            c = self.counts()
            share = c[HIDDEN] / len(self.wrong)
            out += ["", f"wrong answers: {len(self.wrong)}; caught by the visible tests: "
                        f"{c[VISIBLE]}; caught only by the hidden tests: {c[HIDDEN]} "
                        f"({share:.0%}); missed: {c[MISSED]}"]
            if not self.hidden_share_ok:
                out.append(f"PROBLEM: fewer than {HIDDEN_SHARE:.0%} of the library is caught only "
                           f"by the hidden tests: the hidden tier needs bugs that only edge "
                           f"inputs reveal")
        if self.minutes:
            out += ["", self.minutes]
        if self.plan:
            out += ["", "the day's plan (core and extension, minutes; grader/plan.py):"]
            out += [f"  {p}" for p in self.plan]
        if self.shortcuts:
            out += ["", "exercises one call away (a shipped function passes their test):"]
            out += [f"  {s}" for s in self.shortcuts]
        if self.leaks:
            out += ["", "model answers found in the release:"] + [f"  {p}" for p in self.leaks]
        if self.errors:
            out += ["", "errors:"] + [f"  {e}" for e in self.errors]
        out += ["", "check passed" if self.ok else "check FAILED"]
        return "\n".join(out)


def source_notebooks(day: Day) -> dict[str, object]:
    """The day's instructor notebooks (hidden tests included), by file name."""
    return {p.name: read_notebook(p) for p in day.notebooks}


def hidden_part_not_last(notebooks: dict[str, object]) -> list[str]:
    """Test cells with visible code after a hidden part: a failure in the hidden part would
    hide whether the visible tests alone catch a bug."""
    out = []
    for name, nb in notebooks.items():
        for cell in nb.cells:
            if cells.role(cell) != cells.TEST:
                continue
            src = cells.source(cell)
            hidden = cells.hidden_lines(src)
            lines = src.splitlines()
            if hidden and any(line.strip() and not line.lstrip().startswith("#")
                              for line in lines[max(hidden):]):
                out.append(f"{name} {cells.grade_id(cell)}: visible code follows the hidden "
                           f"tests; put the hidden part at the end of the cell")
    return out


def tests_reaching_ahead(notebooks: dict[str, object]) -> list[str]:
    """Test cells that call a student's function defined below them: a wrong later function
    would cost this exercise's points too (and a notebook run top to bottom could not run
    them)."""
    import ast

    def student_names(code: str) -> set[str]:
        """Names the cell reads and does not bind itself (an import of a reference under
        the same name shadows the student's function)."""
        try:
            tree = ast.parse(cells.strip_magics(code))
        except SyntaxError:
            return set()
        read, bound = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
                args = node.args
                bound |= {a.arg for a in args.args + args.kwonlyargs + args.posonlyargs}
        return read - bound

    out = []
    for name, nb in notebooks.items():
        defined_at = {}
        for index, cell in enumerate(nb.cells):
            if cells.role(cell) == cells.ANSWER:
                for fn in cells.defined_functions(cells.source(cell)):
                    defined_at.setdefault(fn, index)
        for index, cell in enumerate(nb.cells):
            if cells.role(cell) != cells.TEST:
                continue
            used = student_names(cells.source(cell))
            later = sorted(fn for fn, at in defined_at.items() if at > index and fn in used)
            if later:
                out.append(f"{name} {cells.grade_id(cell)}: calls {', '.join(later)}, defined "
                           f"below it: test a function with what comes before it (a reference "
                           f"from solutions in the hidden part)")
    return out


def wrong_answer_notebook(nb, wrong: WrongAnswer) -> dict:
    """The notebook of one wrong answer judged alone: solved, with only ``wrong.target``
    replaced, and only the tests that come after the target's cell (a test above it cannot
    call it in a notebook run top to bottom)."""
    nb = with_wrong_answers(nb, [wrong])
    kept, seen = [], False
    for cell in nb.cells:
        if cells.role(cell) == cells.ANSWER and wrong.target in cells.defined_functions(
                cells.source(cell)):
            seen = True
        if cells.role(cell) == cells.TEST and not seen:
            continue
        kept.append(cell)
    nb.cells = kept
    return json.loads(json.dumps(nb))


BATCH = 6     # wrong answers judged in one sandbox, one after another (a fresh namespace each)


def wrong_answer_tasks(day: Day, items: list[tuple[str, object, WrongAnswer]],
                       limits=None) -> list[dict]:
    """The judge's tasks for [(home notebook, solved notebook, wrong answer)]: each wrong
    answer a "notebook" of its own, so that a batch of them shares one sandbox start (the
    judge resets its namespace between notebooks, as a new kernel would)."""
    tasks = []
    for start in range(0, len(items), BATCH):
        batch = items[start:start + BATCH]
        notebooks = {w.name: wrong_answer_notebook(nb, w) for _, nb, w in batch}
        tasks.append({"student": f"wrong-{start // BATCH + 1}", "day": day.name,
                      "notebooks": notebooks,
                      "demo_sources": {k: cells.demo_sources(nb["cells"])
                                       for k, nb in notebooks.items()},
                      "references": day.reference_files_before(),
                      "limits": asdict(limits) if limits else {}, "isolate": True})
    return tasks


def judge_wrong_answers(day: Day, solved: dict[str, object], wrongs: list[WrongAnswer],
                        workers=None, progress=None) -> list[WrongVerdict]:
    """Each wrong answer judged alone, through the judge's worker pool, in batches that
    share a sandbox; verdicts in the library's order."""
    from .judge import pipeline
    from .judge.runner import score_of

    verdicts, items = {}, []
    points = {}
    for name, nb in solved.items():
        for cell in nb.cells:
            if cells.role(cell) == cells.TEST:
                points[(name, cells.grade_id(cell))] = float(nbgrader_meta(cell).get("points", 0))
    for w in wrongs:
        home = notebook_defining(solved, w.target)
        if home is None:
            verdicts[w.name] = WrongVerdict(w, error=f"no answer cell defines {w.target}")
            continue
        items.append((home, solved[home], w))
    homes = {w.name: home for home, _, w in items}
    by_name = {w.name: w for w in wrongs}
    # grouped by notebook, so that a batch replays one notebook's cells
    items.sort(key=lambda item: item[0])
    done = 0
    for result in pipeline.run_tasks(wrong_answer_tasks(day, items), workers):
        for name, judged in result["notebooks"].items():
            w, home = by_name[name], homes[name]
            verdict = WrongVerdict(w)
            if "error" in judged:
                verdict.error = judged["error"]
            for gid, outputs in judged.get("grade_outputs", {}).items():
                pts = points.get((home, gid), 0.0)
                got = score_of(outputs, pts)
                if got < pts:
                    verdict.lost.append((gid, pts - got, judged.get("failed_in", {}).get(
                        gid, "visible")))
            verdicts[w.name] = verdict
            done += 1
            if progress:
                progress(done, len(items), verdict)
    return [verdicts[w.name] for w in wrongs]


def solved_failures(course: CourseDir, day: str, result: GradedSubmission) -> list[str]:
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


def check(day: str, with_wrong=True, quiet=False, keep: Path | None = None,
          workers: int | None = None, lang: str | None = None) -> CheckReport:
    report = CheckReport(day)
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=f"check-{day}-"))
    try:
        course = CourseDir(tmp / "course", lang=lang)
        say = (lambda text: None) if quiet else echo
        say(f"check {day}: releasing in {course.root}")
        folder, report.leaks = release(day, course)
        stubs = release_notebooks(folder)
        module = Day.named(day).reference()
        solved = {n: solved_notebook(nb, module, n) for n, nb in stubs.items()}
        write_submission(course, "solved", day, solved)
        write_submission(course, "stub", day, stubs)
        say(f"check {day}: grading the solved and the stub notebooks")
        results = {r.student: r for r in autograde(day, course, ["solved", "stub"], quiet=quiet)}
        for r in results.values():
            if r.status != "graded":
                report.errors.append(f"{r.student}: {r.status}: {r.message}")
        report.errors += solved_failures(course, day, results["solved"])
        for nb, cells_ in grade_cell_order(stubs).items():
            for gid, auto, pts in cells_:
                if not auto:
                    continue
                s = results["solved"].cell(gid)
                t = results["stub"].cell(gid)
                report.rows.append((nb, gid, pts, s.score if s else None, t.score if t else None))
        sources = source_notebooks(Day.named(day))
        report.errors += hidden_part_not_last(sources) + tests_reaching_ahead(sources)
        report.plan = plan_problems(Day.named(day))
        report.minutes = budget_line(Day.named(day))
        solved_sources = {n: solved_notebook(nb, module, n) for n, nb in sources.items()}
        wrongs = Day.named(day).wrong_answers() if with_wrong else []
        if wrongs:
            say(f"check {day}: judging {len(wrongs)} known wrong answer(s), each alone")
            bar = Progress(len(wrongs), f"check {day}", quiet=quiet)
            report.wrong = judge_wrong_answers(
                Day.named(day), solved_sources, wrongs, workers,
                lambda i, n, v: bar.step(f"{v.tier:<12} {v.wrong.name}"))
            bar.close()
        if with_wrong:
            say(f"check {day}: trying every shipped function in place of each exercise")
            from .shortcuts import find_shortcuts

            report.shortcuts = find_shortcuts(Day.named(day), solved_sources)
    except (NotebookError, NbgraderFailed) as exc:
        report.errors.append(str(exc))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return report
