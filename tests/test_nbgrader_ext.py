"""Our steps inside nbgrader's pipelines behave as nbgrader's own."""

import copy

import nbformat
import pytest
from nbgrader.converters.autograde import Autograde
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
from nbgrader.preprocessors import CheckCellMetadata
from traitlets.config import PyFileConfigLoader

from grader.days import REPO
from grader.nbgrader_ext import FastCheckCellMetadata, metadata_validator

NOTEBOOK = REPO / "day2_backprop" / "02_four_equations.ipynb"


def _verdict(validator, nb):
    try:
        validator.validate_nb(nb)
        return "valid"
    except Exception as exc:  # noqa: BLE001 - the verdicts are compared
        return f"{type(exc).__name__}: {exc}"


def _grade_cell(nb):
    return next(i for i, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("grade"))


BREAKS = {
    "valid": lambda nb, i: None,
    "points of the wrong type": lambda nb, i: nb.cells[i].metadata.nbgrader.update(points="x"),
    "no points": lambda nb, i: nb.cells[i].metadata.nbgrader.pop("points"),
    "old schema": lambda nb, i: nb.cells[i].metadata.nbgrader.update(schema_version=2),
    "newer schema": lambda nb, i: nb.cells[i].metadata.nbgrader.update(schema_version=4),
    "empty grade id": lambda nb, i: nb.cells[i].metadata.nbgrader.update(grade_id=""),
    "unknown key type": lambda nb, i: nb.cells[i].metadata.nbgrader.update(locked="yes"),
    "duplicate grade id": lambda nb, i: nb.cells[i + 1].metadata.update(
        nbgrader=copy.deepcopy(nb.cells[i].metadata.nbgrader)),
}


@pytest.mark.parametrize("case", BREAKS)
def test_the_compiled_metadata_check_gives_nbgraders_verdict(case):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    BREAKS[case](nb, _grade_cell(nb))
    ours, theirs = _verdict(metadata_validator(), nb), _verdict(MetadataValidatorV3(), nb)
    assert ours == theirs
    assert (ours == "valid") == (case == "valid")


def test_our_autograde_steps_are_nbgraders_with_the_fast_check():
    """If nbgrader changes its default sanitising steps, our list must follow."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    ours = list(config.Autograde.sanitize_preprocessors)
    default = [FastCheckCellMetadata if p is CheckCellMetadata else p
               for p in Autograde().sanitize_preprocessors]
    assert ours == default
    assert CheckCellMetadata not in config.Autograde.autograde_preprocessors
    assert FastCheckCellMetadata in config.Autograde.autograde_preprocessors


def test_one_nbgrader_process_runs_command_after_command(tmp_path):
    """The record step's nbgrader process: a failing command reports nbgrader's exit
    status and log, the next command runs in the same process, and a process that
    has ended is started again."""
    from grader.coursedir import CourseDir, NbgraderFailed

    course = CourseDir(tmp_path / "course")
    course.root.mkdir()
    server = course.nbgrader_server()
    try:
        with pytest.raises(NbgraderFailed) as failed:
            course.nbgrader("autograde", "no_such_day", server=server)
        assert "no_such_day" in failed.value.output
        pid = server.proc.pid
        course.nbgrader("db", "student", "add", "novak_jan", "--last-name=Novák",
                        server=server)
        listed = course.nbgrader("db", "student", "list", server=server)
        assert "novak_jan" in listed and "Novák" in listed
        assert server.proc.pid == pid, "each command started a new nbgrader process"
        server.proc.kill()
        server.proc.wait()
        assert "novak_jan" in course.nbgrader("db", "student", "list", server=server)
        assert server.proc.pid != pid
    finally:
        server.close()
    assert server.proc is None
