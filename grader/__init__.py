"""Instructor tooling of the backprop workbook: a CLI over nbgrader (release, check,
autograde, feedback, export, demo)."""

import sys as _sys

# jsonschema, which nbformat imports, compiles a grammar for the JSON-schema string
# formats "iri" and "iri-reference" when the package rfc3987_syntax is installed
# (jupyter-events pulls it in): about 2 s at every start of a process that reads a
# notebook, and of every nbgrader command the grader runs.  No schema that nbformat,
# nbconvert or nbgrader validates uses those formats (tests/test_fast_imports.py
# checks), so the grader's processes go without that checker.  Only when jsonschema
# is not loaded yet: a process that already has it keeps what it has.
if "jsonschema" not in _sys.modules:
    _sys.modules.setdefault("rfc3987_syntax", None)
