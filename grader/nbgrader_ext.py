"""nbgrader steps of our own, plugged into its pipelines by ``nbgrader_config.py``."""

from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from nbgrader import utils


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback step: a hidden test shows its outcome and message, never its source.

    nbgrader's autograde puts the hidden tests back into the graded notebook, and
    its feedback step renders that notebook as it is.  This step removes the hidden
    regions from every grade cell and reduces each error output of a grade cell to
    its exception name and message, since a traceback quotes the lines around the
    failure, which may be hidden ones.
    """

    def preprocess(self, nb, resources):
        clear = ClearHiddenTests()
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            clear._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    output["traceback"] = [message]
        return nb, resources
