"""Typical wrong answers, one module per day, for the tests of the tests.

Each is a function decorated with ``@wrong(target, description)``; it replaces
the model answer of ``target`` in a solved notebook, and ``grader check`` shows
that it loses points on the exercise it targets.  A wrong answer that keeps
every point is a test that cannot see that bug.
"""

from __future__ import annotations


from grader.notebooks import WrongAnswer


def registry():
    """A list and a decorator that appends to it: ``WRONG_ANSWERS, wrong = registry()``."""
    answers: list[WrongAnswer] = []

    def wrong(target: str, description: str):
        def register(fn):
            answers.append(WrongAnswer(f"{target}:{fn.__name__}", target, description, fn))
            return fn
        return register

    return answers, wrong
