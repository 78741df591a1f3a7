"""Typical wrong answers, one module per day, for the tests of the tests.

Each is a function decorated with ``@wrong(target, description)``; it replaces
the model answer of ``target`` in a solved notebook, and ``grader check`` shows
that it loses points on the exercise it targets.  A wrong answer that keeps
every point is a test that cannot see that bug.

The library is the one vocabulary of typical bugs: a hidden test that knows a
bug imports its entry and names it with ``diagnoses(...)``, so each bug has one
name, one description and one implementation.
"""

from __future__ import annotations


from grader.notebooks import WrongAnswer


def registry():
    """A list and a decorator that appends to it: ``WRONG_ANSWERS, wrong = registry()``."""
    answers: list[WrongAnswer] = []

    def wrong(target: str, description: str):
        def register(fn):
            answers.append(WrongAnswer(f"{target}:{fn.__name__}", target, description, fn))
            fn.description = description
            return fn
        return register

    return answers, wrong


def diagnoses(*functions) -> list[tuple]:
    """(function, description) pairs of library entries, the ``wrong=`` argument of
    ``course.checks.check_cases``: a result that matches one names its bug."""
    missing = [getattr(fn, "__name__", repr(fn)) for fn in functions
               if not hasattr(fn, "description")]
    if missing:
        raise ValueError(f"not entries of the wrong-answer library (no @wrong): {missing}")
    return [(fn, fn.description) for fn in functions]
