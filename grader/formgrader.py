"""The instructor's JupyterLab: nbgrader's formgrader on the course folder.

Manual grading (the derivation answers), the gradebook and nbgrader's other instructor
tools, in a JupyterLab that serves the course folder itself.  Like the student's lab
(grader/lab.py) it runs on 127.0.0.1 with a configuration of its own, kept in
``<root>/.formgrader/``; unlike it, the instructor's extensions are on:

    <root>/.formgrader/nbgrader_config.py       the repository's nbgrader_config.py with
                                                this course folder as its root
    <root>/.formgrader/jupyter/...              server, lab and kernel configuration

The server starts in ``<root>/.formgrader/`` (formgrader reads nbgrader_config.py from the
folder the server was started in) and serves ``<root>`` (formgrader needs the course
folder inside the server's root).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .console import echo
from .coursedir import CourseDir
from .days import REPO
from .lab import (STUDENT_LAB_SETTINGS, _write_json, lab_command, lab_environment,
                  write_lab_config)

#: nbgrader's lab plugins for the instructor; the exchange-based lists stay off (this
#: course hands out folders; see README on JupyterHub).
INSTRUCTOR_ENABLED_PLUGINS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:menu",
]
INSTRUCTOR_DISABLED_PLUGINS = [
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
]

INSTRUCTOR_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
}


def formgrader_dir(course: CourseDir) -> Path:
    """The server's working folder: its nbgrader_config.py, its Jupyter config under jupyter/."""
    return course.root / ".formgrader"


def write_formgrader_config(course: CourseDir) -> Path:
    """nbgrader and Jupyter configuration of the instructor's server; returns its folder."""
    folder = formgrader_dir(course)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(
        "# Written by `grader formgrader`: the course's configuration on this course folder.\n"
        f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})  # noqa: F821\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course.root)!r}\n", encoding="utf-8")
    # The student lab's files (kernel, settings overrides), then the instructor's switches.
    cfg = write_lab_config(folder)          # folder/.jupyter
    _write_json(cfg / "jupyter_server_config.json", {
        "ServerApp": {
            "ip": "127.0.0.1",
            "open_browser": False,
            "root_dir": str(course.root),
            "jpserver_extensions": INSTRUCTOR_SERVER_EXTENSIONS,
        },
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "extension_manager": "readonly",
            "app_settings_dir": str(cfg / "lab" / "settings"),
        },
    })
    _write_json(cfg / "labconfig" / "page_config.json", {"disabledExtensions": {
        **{p: True for p in INSTRUCTOR_DISABLED_PLUGINS},
        **{p: False for p in INSTRUCTOR_ENABLED_PLUGINS}}})
    _write_json(cfg / "lab" / "settings" / "overrides.json", STUDENT_LAB_SETTINGS)
    return folder


def formgrader_environment(course: CourseDir, base: dict | None = None) -> dict:
    """The lab's environment on the formgrader folder, with the repository importable:
    the course's nbgrader_config.py imports grader, and the instructor may see solutions."""
    env = lab_environment(formgrader_dir(course), base)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in (base or os.environ).get("PYTHONPATH", "").split(os.pathsep)
                       if p])
    return env


def formgrader_command(course: CourseDir, port: int = 8888, token: str | None = None):
    return lab_command(course.root, port, token)


def formgrader_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/formgrader"


def start_formgrader(course: CourseDir, port: int = 8888) -> int:
    """Run the instructor's JupyterLab until it is stopped (Ctrl+C)."""
    folder = write_formgrader_config(course)
    cmd = formgrader_command(course, port)
    echo(f"formgrader (manual grading): {formgrader_url(port)} "
         f"(open the URL with the token printed below)")
    echo("starting: " + " ".join(cmd))
    proc = subprocess.Popen(cmd, cwd=folder, env=formgrader_environment(course))
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue
