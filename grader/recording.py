"""nbgrader kept running between record batches.

``grader autograde`` records judged students with nbgrader in batches while the rest
of the class is still judged.  Started afresh for every batch, nbgrader spends
seconds importing itself each time; this child process imports it once and runs
one nbgrader command per request, in-process, as nbgrader's own test-suite does
(``NbGraderApp.instance()``, ``initialize``, ``start``, ``reset``).

Four costs of nbgrader's record step are cut here, in this process only, with the same
rows written to the gradebook and the same graded notebooks (``speed_up_nbgrader``; a
test compares both with a fresh nbgrader's):
every ``Gradebook`` nbgrader opens (about seven per notebook) made a new SQLAlchemy
engine, which inspected the tables and compiled every query again, and checked its
course's row; here a gradebook's engine is made, and its tables and course row
checked, once per process.  And ``SaveAutoGrades`` committed, with a disk sync each
time, after every grade and comment (about a hundred per submission); here it commits
once per notebook.  And the cells, grades and comments
nbgrader looks up one by one, one query of six joins each, are found here in one query
per notebook (``_find_in_one_query``).  And each notebook's two passes, sanitizing and
autograding, run on one copy in memory, written once (``_convert_in_memory``), instead
of being written, read back and deep-copied by nbconvert six times.

Protocol: one JSON list of nbgrader arguments per line on stdin; one JSON object
per line on the reply channel: {"code": exit status, "output": what nbgrader printed,
then its log}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading


class ServerGone(Exception):
    """The nbgrader process ended or answered garbage; the caller runs nbgrader anew."""


class NbgraderServer:
    """The parent's handle: ``run(args) -> (code, output)``; one request at a time."""

    def __init__(self, cwd, env):
        self.cwd, self.env = cwd, env
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self):
        """Start nbgrader now (it takes seconds to import), if it is not running."""
        with self._lock:
            self._start()

    def _start(self):
        if self.proc is not None and self.proc.poll() is None:
            return
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.recording"], cwd=self.cwd,
                                     env=self.env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)

    def run(self, args: list[str]) -> tuple[int, str]:
        with self._lock:
            self._start()
            try:
                self.proc.stdin.write(json.dumps(list(args)) + "\n")
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
                reply = json.loads(line)
                return int(reply["code"]), str(reply["output"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self.close()
                raise ServerGone(f"the nbgrader process ended ({exc})") from None

    def close(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()


class _CommitAtEnd:
    """A session whose ``commit`` waits: autoflush still sends every change before the
    next query, and the caller commits them all at once."""

    def __init__(self, session):
        self._session = session

    def commit(self):
        pass

    def __getattr__(self, name):
        return getattr(self._session, name)


def speed_up_nbgrader():
    """One engine per gradebook URL; one commit per notebook in ``SaveAutoGrades``."""
    import nbgrader.api
    from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades

    engines = {}
    create_engine = nbgrader.api.create_engine

    def shared_engine(url, **kwargs):
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = create_engine(url, **kwargs)
        return engines[key]

    nbgrader.api.create_engine = shared_engine

    # Gradebook() inspects the tables and creates the missing ones: once per engine here.
    ready = set()
    inspect, create_all = nbgrader.api.inspect, nbgrader.api.Base.metadata.create_all

    class Made:
        @staticmethod
        def get_table_names():
            return ["made"]      # Gradebook() asks only whether there is any table

    def inspect_once(engine):
        return Made if engine in ready else inspect(engine)

    def create_all_once(bind=None, **kwargs):
        if bind not in ready:
            create_all(bind=bind, **kwargs)
            if bind in engines.values():
                ready.add(bind)

    nbgrader.api.inspect = inspect_once
    nbgrader.api.Base.metadata.create_all = create_all_once

    # Gradebook() makes sure its course's row exists: a query and a commit, about 390
    # times for a class of 30 of Day 1.  Once it exists, it stays (nbgrader removes no
    # course): the check runs once per gradebook and course.
    checked = set()
    check_course = nbgrader.api.Gradebook.check_course

    def check_course_once(self, course_id="default_course", **kwargs):
        key = (str(self.engine.url), course_id)
        if key in checked and not kwargs:
            return None
        found = check_course(self, course_id=course_id, **kwargs)
        checked.add(key)
        return found

    nbgrader.api.Gradebook.check_course = check_course_once

    def preprocess(self, nb, resources):
        # nbgrader's SaveAutoGrades.preprocess, with its per-cell commits made one
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = nbgrader.api.Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            self.gradebook.db = _CommitAtEnd(session)
            try:
                nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            finally:    # what was written is kept, as nbgrader's per-cell commits keep it
                self.gradebook.db = session
                session.commit()
        return nb, resources

    SaveAutoGrades.preprocess = preprocess
    _find_in_one_query()
    _convert_in_memory()


def _convert_in_memory():
    """nbgrader's ``Autograde.convert_single_notebook``, both of its passes over one
    notebook in memory.

    nbgrader sanitizes a submitted notebook through nbconvert's exporter, writes it to
    ``autograded/``, reads it back and autogrades it through the exporter again; each
    pass deep-copies the notebook three times and makes every preprocessor anew.  Here
    the same preprocessors (made once per command) run in the same order on the same
    resources, with nbconvert's normalisation and validation after each pass, and the
    notebook is written once, as nbformat writes it (a test compares the files and the
    gradebook with a fresh nbgrader's)."""
    import datetime

    import nbformat
    from nbconvert.exporters.exporter import ResourcesDict
    from nbgrader import utils
    from nbgrader.converters.autograde import Autograde

    def normalize(nb):
        # nbconvert's normalisation (missing or repeated cell ids get new ones), in place
        in_place = getattr(nbformat.validator, "_normalize", None)
        if in_place is None:
            return nbformat.validator.normalize(nb)[1]
        major, minor = nbformat.reader.get_version(nb)
        in_place(nb, major, minor, True, relax_add_props=False, strip_invalid_metadata=False)
        return nb

    def write(nb, version):
        # nbformat.writes, without its second validation (it only logs; the notebook
        # was validated after its last step, as nbconvert does)
        if nb.get("nbformat") == version and version in nbformat.versions:
            return nbformat.versions[version].writes_json(nb)
        return nbformat.writes(nb, version=version)

    def preprocessors(self, sanitizing):
        made = self.__dict__.setdefault("_made_preprocessors", {})
        if sanitizing not in made:
            exporter, kept = self.exporter, self.exporter._preprocessors
            exporter._preprocessors = []
            try:
                for pp in (self.sanitize_preprocessors if sanitizing
                           else self.autograde_preprocessors):
                    exporter.register_preprocessor(pp)
                made[sanitizing] = exporter._preprocessors
            finally:
                exporter._preprocessors = kept
        return made[sanitizing]

    def one_pass(self, nb, filename, modified):
        # Exporter.from_filename's resources, then from_notebook_node's and _preprocess's
        resources = self.init_single_notebook_resources(filename)
        path, basename = os.path.split(filename)
        resources["metadata"] = ResourcesDict(
            name=os.path.splitext(basename)[0], path=path,
            modified_date=modified.strftime("%B %-d, %Y"))
        resources = self.exporter._init_resources(resources)
        if "language" in nb["metadata"]:
            resources["language"] = nb["metadata"]["language"].lower()
        nb = normalize(nb)
        steps = preprocessors(self, self._sanitizing)
        for step in steps:
            nb, resources = step(nb, resources)
            if not self.exporter.optimistic_validation:
                self.exporter._validate_preprocessor(nb, step)
        if self.exporter.optimistic_validation and steps:
            self.exporter._validate_preprocessor(nb, steps[-1])
        return nb, resources

    def convert_single_notebook(self, notebook_filename):
        self.log.info("Sanitizing %s", notebook_filename)
        self._sanitizing = True
        modified = datetime.datetime.fromtimestamp(os.path.getmtime(notebook_filename),
                                                   tz=datetime.timezone.utc)
        with open(notebook_filename, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
        nb, resources = one_pass(self, nb, notebook_filename, modified)
        dest = os.path.join(self._format_dest(resources["nbgrader"]["assignment"],
                                              resources["nbgrader"]["student"]),
                            os.path.basename(notebook_filename))
        self.log.info("Autograding %s", dest)
        self._sanitizing = False
        try:
            with utils.setenv(NBGRADER_EXECUTION="autograde"):
                nb, resources = one_pass(self, nb, dest,
                                         datetime.datetime.now(tz=datetime.timezone.utc))
        finally:
            self._sanitizing = True
        output = write(nb, self.exporter.nbformat_version)
        if not output.endswith("\n"):
            output += "\n"
        resources["output_suffix"] = ".nbconvert"
        self.write_single_notebook(output, resources)

    Autograde.convert_single_notebook = convert_single_notebook


def _find_in_one_query():
    """Gradebook's ``find_source_cell``, ``find_graded_cell``, ``find_grade`` and
    ``find_comment`` answered from one query per notebook (and student) instead of one
    per cell: OverwriteCells and SaveAutoGrades ask for every cell of a notebook in turn,
    about 80 queries of six joins each per notebook.  Kept on the Gradebook object, so
    only for the life of its session; a name not found falls back to nbgrader's own query
    (its answer, or its MissingEntry)."""
    from nbgrader import api

    def cached(original, load):
        def find(self, name, *where):
            cache = self.__dict__.setdefault("_found_in_one_query", {})
            key = (original.__name__, *where)
            if key not in cache:
                try:
                    cache[key] = load(self, *where)
                except Exception:  # noqa: BLE001 - no shortcut, nbgrader's query decides
                    cache[key] = {}
            found = cache[key].get(name)
            return found if found is not None else original(self, name, *where)
        find.__name__ = original.__name__
        return find

    def notebook_query(self, model, notebook, assignment):
        rows = (self.db.query(model)
                .join(api.Notebook, api.Notebook.id == model.notebook_id)
                .join(api.Assignment, api.Assignment.id == api.Notebook.assignment_id)
                .filter(api.Notebook.name == notebook, api.Assignment.name == assignment)
                .all())
        return {row.name: row for row in rows}

    def submitted_query(self, model, cell_model, notebook, assignment, student):
        rows = (self.db.query(model, cell_model.name)
                .join(cell_model, cell_model.id == model.cell_id)
                .join(api.SubmittedNotebook, api.SubmittedNotebook.id == model.notebook_id)
                .join(api.Notebook, api.Notebook.id == api.SubmittedNotebook.notebook_id)
                .join(api.SubmittedAssignment,
                      api.SubmittedAssignment.id == api.SubmittedNotebook.assignment_id)
                .join(api.Assignment, api.Assignment.id == api.SubmittedAssignment.assignment_id)
                .join(api.Student, api.Student.id == api.SubmittedAssignment.student_id)
                .filter(api.Notebook.name == notebook, api.Assignment.name == assignment,
                        api.Student.id == student)
                .all())
        return {name: row for row, name in rows}

    G = api.Gradebook
    G.find_source_cell = cached(
        G.find_source_cell, lambda self, nb, a: notebook_query(self, api.SourceCell, nb, a))
    G.find_graded_cell = cached(
        G.find_graded_cell, lambda self, nb, a: notebook_query(self, api.GradeCell, nb, a))
    G.find_grade = cached(
        G.find_grade,
        lambda self, nb, a, s: submitted_query(self, api.Grade, api.GradeCell, nb, a, s))
    G.find_comment = cached(
        G.find_comment,
        lambda self, nb, a, s: submitted_query(self, api.Comment, api.SolutionCell, nb, a, s))


def serve():
    import contextlib
    import io
    import logging
    import traceback

    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever nbgrader prints must not reach the reply channel
    from jupyter_core.application import NoStart
    from nbgrader.apps import NbGraderApp

    speed_up_nbgrader()
    for line in sys.stdin:
        args = json.loads(line)
        log = io.StringIO()
        app = NbGraderApp.instance()
        code = 0
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                app.initialize(args)
                app.init_logging(logging.StreamHandler, [log], color=False, subapps=True)
                app.start()
        except NoStart:    # a command app's normal end (launch_instance catches it too)
            pass
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:  # noqa: BLE001 - nbgrader's failure, reported as its output
            code = 1
            log.write(traceback.format_exc())
        finally:
            try:
                app.reset()
            except Exception:  # noqa: BLE001
                NbGraderApp.clear_instance()
        output = printed.getvalue() + log.getvalue()
        replies.write(json.dumps({"code": code, "output": output}) + "\n")
        replies.flush()
    # Every command has committed and answered: end now, without the interpreter's
    # teardown of nbgrader, SQLAlchemy and traitlets (0.4 s the class waited for).
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    serve()
