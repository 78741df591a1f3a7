"""Instructor tooling of the backprop workbook: a CLI over nbgrader (release, check,
autograde, feedback, export, demo)."""
