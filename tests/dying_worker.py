"""A stand-in for the judge's task function whose worker process dies on one submission.

A module of its own, importing nothing, so that each worker process the test spawns
starts in a moment even on a busy machine."""

import os


def judge_or_die(task):
    if task["student"] == "killer":
        os._exit(1)
    return {"student": task["student"], "day": task["day"], "notebooks": {}, "seconds": 0.0}


def niceness(task):
    """The worker's scheduling niceness (tests/test_fast_imports.py)."""
    return {"student": task["student"], "day": task["day"], "notebooks": {}, "seconds": 0.0,
            "nice": os.nice(0)}


def dynamo_loaded(task):
    """Whether torch._dynamo is imported in the worker (tests/test_fast_imports.py)."""
    import sys

    return {"student": task["student"], "day": task["day"], "notebooks": {}, "seconds": 0.0,
            "dynamo": "torch._dynamo" in sys.modules}
