"""An nbgrader course directory and the nbgrader commands run on it.

nbgrader runs in a child process with the repository root as its working
folder, so it reads ``nbgrader_config.py``; the course root is passed on the
command line, which lets ``grader check`` and ``grader demo`` work in folders of
their own without touching the instructor's gradebook.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .days import REPO, Day, built_days

DEFAULT_ROOT = REPO / ".nbgrader"
COURSE_ID = "backprop"


class NbgraderFailed(Exception):
    def __init__(self, args, output):
        self.args_ = args
        self.output = output
        tail = "\n".join(output.strip().splitlines()[-15:])
        super().__init__(f"nbgrader {' '.join(args)} failed:\n{tail}")


@dataclass
class CellScore:
    grade_id: str
    score: float | None
    max_score: float
    auto: bool
    failed: bool


@dataclass
class NotebookScore:
    notebook: str
    cells: list[CellScore] = field(default_factory=list)

    @property
    def auto_score(self):
        return sum(c.score or 0 for c in self.cells if c.auto)

    @property
    def auto_max(self):
        return sum(c.max_score for c in self.cells if c.auto)


class CourseDir:
    course_id = COURSE_ID

    def __init__(self, root: Path = DEFAULT_ROOT, lang: str | None = None):
        self.root = Path(root).resolve()
        # the release's language: None or "en" the English source, "cs" the Czech edition
        # (grader/translations.py)
        self.lang = None if lang in (None, "en") else lang

    # folders --------------------------------------------------------------
    @property
    def source(self):
        return self.root / "source"

    def release(self, day):
        return self.root / "release" / day

    def submitted(self, student, day):
        return self.root / "submitted" / student / day

    def autograded(self, student, day):
        return self.root / "autograded" / student / day

    def feedback(self, student, day):
        return self.root / "feedback" / student / day

    @property
    def db_url(self):
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def students(self, day):
        base = self.root / "submitted"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / day).is_dir())

    def write_sources(self, days: list[Day] | None = None):
        """source/<day>: the day's notebooks as its release shows them (the minutes in the
        opening cell, the extension's badges: ``grader.plan.annotate``), written here so
        that nbgrader's checksums and gradebook hold what the students get."""
        from .materials import without_speaker_notes
        from .notebooks import write_notebook
        from .translations import annotated_notebooks

        self.source.mkdir(parents=True, exist_ok=True)
        for day in days or built_days():
            target = self.source / day.name
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
            target.mkdir()
            for name, nb in annotated_notebooks(day, self.lang).items():
                # the lecturer's speaker notes never reach a student (grader/materials.py)
                write_notebook(without_speaker_notes(nb), target / name)

    # nbgrader --------------------------------------------------------------
    def _args(self, args) -> list[str]:
        return [*args, f"--CourseDirectory.root={self.root}", "--log-level=INFO"]

    @staticmethod
    def nbgrader_env() -> dict:
        # nbgrader runs helper programs (alembic) by name: the environment's bin first.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        return dict(os.environ, PATH=path, PYTHONPATH=os.pathsep.join(
            [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))

    def nbgrader(self, *args, check=True, timeout=None, server=None) -> str:
        """Run an nbgrader command; server: a running ``recording.NbgraderServer``
        to run it in (falls back to a new process if that one has ended)."""
        from .recording import ServerGone

        if server is not None:
            try:
                code, output = server.run(self._args(args))
            except ServerGone:
                server = None
        if server is None:
            proc = subprocess.run([sys.executable, "-m", "nbgrader", *self._args(args)],
                                  cwd=REPO, env=self.nbgrader_env(), capture_output=True,
                                  text=True, timeout=timeout)
            code, output = proc.returncode, proc.stdout + proc.stderr
        if check and code != 0:
            raise NbgraderFailed(list(args), output)
        return output

    def nbgrader_server(self):
        """A process that keeps nbgrader imported between commands (see recording.py)."""
        from .recording import NbgraderServer

        return NbgraderServer(REPO, self.nbgrader_env())

    def generate_assignment(self, day):
        self.write_sources([Day.named(day)])
        self.nbgrader("generate_assignment", day, "--force")

    def nbgrader_autograde(self, day, student=None, timeout=None, submitted=None, results=None,
                           isolate=True, server=None):
        """nbgrader autograde; submitted: the judge's staged copies, results: its outputs."""
        args = ["autograde", day, "--force"]
        if student:
            args.append(f"--student={student}")
        if submitted:
            args.append(f"--CourseDirectory.submitted_directory={submitted}")
        if results:
            args.append(f"--JudgedExecute.results_dir={results}")
        if not isolate:
            args.append("--JudgedExecute.isolate=False")
        return self.nbgrader(*args, timeout=timeout, server=server)

    def generate_feedback(self, day, student):
        return self.nbgrader("generate_feedback", day, f"--student={student}", "--force")

    def export(self, path: Path):
        return self.nbgrader("export", f"--to={path}")

    # gradebook ---------------------------------------------------------------
    @contextlib.contextmanager
    def gradebook(self):
        """nbgrader's Gradebook of this course, made if new (a new gradebook asks the
        ``alembic`` program for its version: the environment's bin goes first on PATH)."""
        from unittest import mock

        from nbgrader.api import Gradebook

        self.root.mkdir(parents=True, exist_ok=True)
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        with mock.patch.dict(os.environ, PATH=path), Gradebook(self.db_url, COURSE_ID) as gb:
            yield gb

    def scores(self, day, student, gradebook=None) -> list[NotebookScore]:
        """A student's recorded scores of a day; gradebook: an open one to read them from."""
        from nbgrader.api import Gradebook, MissingEntry

        if gradebook is None:
            with Gradebook(self.db_url, COURSE_ID) as gb:
                return self.scores(day, student, gb)
        try:
            submission = gradebook.find_submission(day, student)
        except MissingEntry:
            return []
        out = []
        for snb in submission.notebooks:
            nbs = NotebookScore(snb.name)
            for grade in snb.grades:
                auto = grade.cell.cell_type == "code"
                nbs.cells.append(CellScore(
                    grade_id=grade.name,
                    score=grade.score if (auto or grade.manual_score is not None) else None,
                    max_score=grade.max_score,
                    auto=auto,
                    failed=auto and (grade.auto_score or 0) < grade.max_score,
                ))
            nbs.cells.sort(key=lambda c: c.grade_id)
            out.append(nbs)
        return sorted(out, key=lambda n: n.notebook)

    def class_scores(self, day, students) -> dict[str, list[NotebookScore]]:
        """``scores`` of every student, read in one session (a class's cells are
        loaded once, not once per student)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, COURSE_ID) as gb:
            return {s: self.scores(day, s, gb) for s in students}

