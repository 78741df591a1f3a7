# nbgrader configuration of the workbook.  The grader CLI runs nbgrader from the
# repository root, so this file is read; the course directory is .nbgrader/
# (git-ignored) and holds only working folders.  Its source/ folder holds just the
# day notebooks as released (grader.coursedir.write_sources), so formgrader lists the
# days and nothing else.
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, ClearOutput, DeduplicateIds, GetGrades,
                                    IgnorePattern, LimitOutput, OverwriteCells,
                                    OverwriteKernelspec, SaveAutoGrades)

from grader.nbgrader_ext import FastCheckCellMetadata, HideHiddenTests, JudgedExecute

c = get_config()  # noqa: F821 (provided by traitlets)

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.root = ".nbgrader"
c.CourseDirectory.source_directory = "source"
# Copied neither into a release nor from a submission into grading: the toolkit and
# the reference modules are the instructor's, whatever a student's folder holds.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "course", "solutions",
    "plan.toml",
]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.LockCells.lock_readonly_cells = True

c.Execute.timeout = 120
c.Autograde.create_student = True
# Student code never runs in nbgrader's kernel: the judge (grader/judge) runs it in a
# sandbox and the tests in a trusted process; JudgedExecute records their outputs.
# nbgrader's own steps otherwise, its metadata check with the schema compiled once.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, FastCheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    JudgedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, FastCheckCellMetadata,
]

# nbconvert validates a notebook after each preprocessor unless told to validate once,
# after the last: the same check, 6 times fewer (the record step's largest cost after
# the gradebook's queries).
c.Exporter.optimistic_validation = True

c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
