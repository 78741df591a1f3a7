"""nbgrader kept running between record batches.

``grader autograde`` records judged students with nbgrader in batches while the rest
of the class is still judged.  Started afresh for every batch, nbgrader spends
seconds importing itself each time; this child process imports it once and runs
one nbgrader command per request, in-process, as nbgrader's own test-suite does
(``NbGraderApp.instance()``, ``initialize``, ``start``, ``reset``).

Protocol: one JSON list of nbgrader arguments per line on stdin; one JSON object
per line on the reply channel: {"code": exit status, "output": what nbgrader printed,
then its log}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading


class ServerGone(Exception):
    """The nbgrader process ended or answered garbage; the caller runs nbgrader anew."""


class NbgraderServer:
    """The parent's handle: ``run(args) -> (code, output)``; one request at a time."""

    def __init__(self, cwd, env):
        self.cwd, self.env = cwd, env
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self):
        """Start nbgrader now (it takes seconds to import), if it is not running."""
        with self._lock:
            self._start()

    def _start(self):
        if self.proc is not None and self.proc.poll() is None:
            return
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.recording"], cwd=self.cwd,
                                     env=self.env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)

    def run(self, args: list[str]) -> tuple[int, str]:
        with self._lock:
            self._start()
            try:
                self.proc.stdin.write(json.dumps(list(args)) + "\n")
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
                reply = json.loads(line)
                return int(reply["code"]), str(reply["output"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self.close()
                raise ServerGone(f"the nbgrader process ended ({exc})") from None

    def close(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()


def serve():
    import contextlib
    import io
    import logging
    import traceback

    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever nbgrader prints must not reach the reply channel
    from jupyter_core.application import NoStart
    from nbgrader.apps import NbGraderApp

    for line in sys.stdin:
        args = json.loads(line)
        log = io.StringIO()
        app = NbGraderApp.instance()
        code = 0
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                app.initialize(args)
                app.init_logging(logging.StreamHandler, [log], color=False, subapps=True)
                app.start()
        except NoStart:    # a command app's normal end (launch_instance catches it too)
            pass
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:  # noqa: BLE001 - nbgrader's failure, reported as its output
            code = 1
            log.write(traceback.format_exc())
        finally:
            try:
                app.reset()
            except Exception:  # noqa: BLE001
                NbGraderApp.clear_instance()
        output = printed.getvalue() + log.getvalue()
        replies.write(json.dumps({"code": code, "output": output}) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve()
