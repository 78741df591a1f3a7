"""nbgrader steps of our own, plugged into its pipelines by ``nbgrader_config.py``."""

import json
import traceback
from pathlib import Path

import nbformat
from nbgrader.preprocessors import CheckCellMetadata, ClearHiddenTests, NbGraderPreprocessor
from traitlets import Bool, Unicode


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback step: a hidden test shows its outcome and message, never its source.

    nbgrader's autograde puts the hidden tests back into the graded notebook, and
    its feedback step renders that notebook as it is.  This step removes the hidden
    regions from every grade cell and reduces each error output of a grade cell to
    its exception name and message, since a traceback quotes the lines around the
    failure, which may be hidden ones.
    """

    def preprocess(self, nb, resources):
        from grader.judge import cells

        clear = ClearHiddenTests()
        for cell in nb.cells:
            if cells.role(cell) != cells.TEST:
                continue
            clear._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    output["traceback"] = [message]
        return nb, resources


class JudgedExecute(NbGraderPreprocessor):
    """Autograde step in place of nbgrader's Execute: outputs come from the judge.

    The student's code never runs in nbgrader's process or in a kernel.  Each grade
    cell gets the outputs its test produced in the judge (``grader.judge``): the
    results written by ``grader autograde`` when they belong to exactly this
    notebook's code and tests (same key), otherwise the notebook is judged here and
    now, so that nbgrader's own ``autograde`` command is as safe as ours.
    """

    results_dir = Unicode("", help="Folder of the judge's results "
                                   "(<root>/judge/results).").tag(config=True)
    isolate = Bool(True, help="Run student code under bubblewrap.").tag(config=True)

    def preprocess(self, nb, resources):
        from grader.days import Day
        from grader.judge import cells
        from grader.judge.runner import cells_to_judge, judge_key, judge_notebook

        info = resources.get("nbgrader", {})
        day, student, name = info.get("assignment"), info.get("student"), info.get("notebook")
        # The same inputs as the judging step: the released notebook's demo cells.
        demos = frozenset(cells.demo_sources(self._release_cells(str(day), str(name))))
        judged = None
        path = Path(self.results_dir) / str(day) / str(student) / f"{name}.json"
        failure = None
        if self.results_dir and path.is_file():
            data = json.loads(path.read_text())
            if "error" in data:
                # The judge itself failed on this notebook (twice): every test says so.
                judged, failure = {"grade_outputs": {}}, data["error"]
            elif data.get("key") == judge_key(*cells_to_judge(nb, demos)):
                judged = data
            else:
                self.log.warning("judge results for %s/%s do not match the notebook; "
                                 "judging it again", student, name)
        if judged is None:
            try:
                references = Day.named(str(day)).reference_files_before()
            except ValueError:
                references = []
            judged = judge_notebook(nb, demos, isolate=self.isolate,
                                    references=references).to_json()
        outputs = judged.get("grade_outputs", {})
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            cell.execution_count = None
            gid = cells.grade_id(cell)
            if cells.role(cell) == cells.TEST:
                cell.outputs = [nbformat.from_dict(o) for o in outputs.get(gid, [{
                    "output_type": "error", "ename": "NotGraded",
                    "evalue": failure or "the judge produced no result for this test",
                    "traceback": []}])]
        return nb, resources

    def _release_cells(self, day: str, name: str) -> list:
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.release_directory, ".", day)) / f"{name}.ipynb"
        try:
            return json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            return []



def metadata_validator():
    """nbgrader's v3 metadata validator with its JSON schema compiled once.

    nbgrader checks every cell with ``jsonschema.validate``, which checks the schema
    itself and builds a new validator each time: about a fifth of a second per
    notebook, twice per notebook in autograde.  Here the schema step is nbgrader's
    own (same version errors, same ``ValidationError``), only compiled once, and a
    cell's metadata that passed it once (the same in every submission) passes at once
    after; the rest of nbgrader's rules run unchanged.
    """
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema
        from nbgrader.nbgraderformat.common import BaseMetadataValidator
        from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

        class CompiledSchema(BaseMetadataValidator):
            def validate_cell(self, cell):
                if "nbgrader" not in cell.metadata:
                    return
                meta = cell.metadata["nbgrader"]
                if meta.get("schema_version", 0) != self.schema_version:
                    return BaseMetadataValidator.validate_cell(self, cell)  # its errors
                # The same metadata comes in every submission (OverwriteCells restores
                # it): a cell's metadata found valid once is not checked again.
                key = json.dumps(meta, sort_keys=True, default=repr)
                if key in self._valid:
                    return
                error = jsonschema.exceptions.best_match(self._compiled.iter_errors(meta))
                if error is not None:
                    raise error
                if len(self._valid) < 10_000:
                    self._valid.add(key)

        # MRO: MetadataValidatorV3's own rules, then CompiledSchema's schema step.
        class Validator(MetadataValidatorV3, CompiledSchema):
            def __init__(self):
                super().__init__()
                kind = jsonschema.validators.validator_for(self.schema)
                kind.check_schema(self.schema)
                self._compiled = kind(self.schema)
                self._valid: set[str] = set()

        _VALIDATOR = Validator()
    return _VALIDATOR


_VALIDATOR = None


class FastCheckCellMetadata(CheckCellMetadata):
    """nbgrader's CheckCellMetadata (unique grade ids, valid metadata), with the
    validator of ``metadata_validator``."""

    def preprocess(self, nb, resources):
        from nbgrader.nbgraderformat import ValidationError

        try:
            metadata_validator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources
