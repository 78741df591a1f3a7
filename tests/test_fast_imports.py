"""What keeps the judge's processes quick to start, so that a class is graded in time
(bench/grade_class.py): a worker imports no notebook machinery, the grader's
processes skip jsonschema's "iri" grammar, the workers run at the priority they are
given, and torch._dynamo is imported only for a day whose tests need it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_a_judge_worker_imports_no_notebook_machinery():
    # nbformat pulls in jsonschema and its format checkers: seconds per worker start.
    loaded = _python("import sys, grader.judge.pipeline, grader.cli\n"
                     "print(sorted(m for m in ('nbformat', 'jsonschema', 'nbgrader', "
                     "'sqlalchemy') if m in sys.modules))")
    assert loaded == "[]"


def test_grader_processes_validate_notebooks_without_the_iri_grammar():
    out = _python("import grader, sys, nbformat\n"
                  "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
                  "nbformat.validate(nb)\n"
                  "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    assert out == "None"


def _formats(node, found):
    if isinstance(node, dict):
        fmt = node.get("format")
        if isinstance(fmt, str):
            found.add(fmt)
        for value in node.values():
            _formats(value, found)
    elif isinstance(node, list):
        for value in node:
            _formats(value, found)
    return found


@pytest.mark.parametrize("package", ["nbformat", "nbgrader"])
def test_no_schema_the_grader_validates_uses_an_iri_format(package):
    root = Path(__import__(package).__file__).parent
    found = set()
    schemas = [p for p in root.rglob("*.json") if "static" not in p.parts]
    for path in schemas:
        try:
            _formats(json.loads(path.read_text(encoding="utf-8")), found)
        except ValueError:
            continue
    assert schemas, f"no JSON schema found in {root}"
    assert not found & {"iri", "iri-reference"}, found


def test_workers_run_at_the_niceness_they_are_given():
    from dying_worker import niceness

    from grader.judge.pipeline import WORKER_NICENESS, run_tasks

    here = os.nice(0)
    tasks = [{"student": f"s{i}", "day": "d", "notebooks": {}} for i in range(4)]
    results = list(run_tasks(tasks, workers=2, fn=niceness))
    assert len(results) == 4
    assert {r["nice"] for r in results} == {min(19, here + WORKER_NICENESS)}


@pytest.mark.parametrize("day, expected", [("day1_forward", False), ("day3_multilayer", True)])
def test_a_worker_imports_torch_dynamo_only_for_a_day_that_steps_an_optimiser(day, expected):
    # torch._dynamo takes about a second of one core to import, at every class's start;
    # Day 1's tests never step a torch optimiser, Day 3's do.
    code = ("import sys; sys.path.insert(0, 'tests')\n"
            "from dying_worker import dynamo_loaded\n"
            "from grader.judge import pipeline\n"
            "pool = pipeline.executor(2, day=%r)\n"
            "tasks = [{'student': f's{i}', 'day': %r, 'notebooks': {}} for i in range(2)]\n"
            "print(sorted({r['dynamo'] for r in pipeline.run_tasks(tasks, pool=pool, "
            "fn=dynamo_loaded)}))" % (day, day))
    assert _python(code) == str([expected])
