"""What a visible test tells the lecturer's live board — on the classroom hub only.

When the notebooks run on the course's JupyterHub (``grader hub``), each visible test that
a student runs sends one small record to the board, a service of the hub: the exercise
(notebook and grade id), whether it passed, failed or is not written yet, the likely bug
the toolkit named (the wrong-answer library's sentence) or the kind of check that failed,
and the time.  Never code, values or the student's text.  It is sent in the background
with the student's own hub token, and any failure to send (no board, a timeout, a refusal)
is silent: the test runs exactly as without it.  Outside the hub nothing is sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time

#: Set by the hub for each student's server (grader/hub.py): where records go.
BOARD_URL = "BACKPROP_BOARD_URL"
TOKEN = "JUPYTERHUB_API_TOKEN"
SEND_TIMEOUT_S = 3.0
MAX_TEXT = 200


def cell_key(source: str) -> str:
    """A test cell's name in ``course/release.json``: a hash of its source as released."""
    text = "\n".join(line.rstrip() for line in source.replace("\r\n", "\n").strip().split("\n"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _one_line(text, limit=MAX_TEXT) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return " ".join(text.split())[:limit]


def record_for(source: str, error, manifest: dict | None = None) -> dict | None:
    """The record of one cell run, or None when the cell is not a visible test."""
    from .checks import CheckFailed, NotImplementedYet, release_manifest

    tests = (manifest if manifest is not None else release_manifest()).get("tests", {})
    where = tests.get(cell_key(source)) if isinstance(tests, dict) else None
    if not (isinstance(where, list) and len(where) == 2):
        return None
    if error is None:
        status, check, diagnosis = "pass", None, None
    elif isinstance(error, (NotImplementedYet, NotImplementedError)):
        status, check, diagnosis = "todo", None, None
    else:
        status = "fail"
        diagnosis = _one_line(getattr(error, "diagnosis", None))
        check = "likely bug" if diagnosis else (
            "check" if isinstance(error, CheckFailed) else f"error: {type(error).__name__}")
    return {"notebook": where[0], "grade_id": where[1], "status": status, "check": check,
            "diagnosis": diagnosis, "time": round(time.time(), 3)}


def _send(url: str, token: str, record: dict) -> None:
    import urllib.request

    try:
        request = urllib.request.Request(
            url, data=json.dumps(record).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_S):
            pass
    except Exception:     # silent by design: the notebook never notices the board
        pass


def install(shell=None, environ=None) -> bool:
    """Report each visible test's outcome after its cell ran; True if installed (on the hub)."""
    environ = os.environ if environ is None else environ
    url, token = environ.get(BOARD_URL), environ.get(TOKEN)
    if not url or not token:
        return False
    if shell is None:
        import sys

        if "IPython" not in sys.modules:
            return False
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None or not hasattr(shell, "events"):
        return False

    def after(result):
        try:
            error = result.error_in_exec or result.error_before_exec
            record = record_for(result.info.raw_cell or "", error)
        except Exception:
            return
        if record is not None:
            threading.Thread(target=_send, args=(url, token, record), daemon=True).start()

    # once per kernel, whatever re-imports the toolkit
    for registered in list(shell.events.callbacks.get("post_run_cell", [])):
        if getattr(registered, "__name__", "") == "after" and \
                getattr(registered, "__module__", "") == __name__:
            shell.events.unregister("post_run_cell", registered)
    shell.events.register("post_run_cell", after)
    return True
