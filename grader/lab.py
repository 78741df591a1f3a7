"""The student's JupyterLab: a workspace with a fresh release of every built day, its own
Jupyter configuration (no instructor tools, no news or update checks) and the course's kernel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .console import echo
from .coursedir import CourseDir
from .days import built_days
from .release import release
from .translations import TranslationError

#: nbgrader's lab plugins a student does not need: the instructor's tools and the
#: exchange-based assignment and course lists (this course hands out folders).  The
#: notebook toolbar's Validate button (``validate-assignment``) stays.
STUDENT_DISABLED_PLUGINS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:menu",
]

#: The server halves of the same tools; validate_assignment answers the Validate button.
STUDENT_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}

#: JupyterLab settings overrides (defaults a student can still change in the settings
#: editor): no news or update pop-ups, no extension manager asking PyPI.
STUDENT_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}

KERNEL_NAME = "python3"     # the kernelspec name the day notebooks ask for


def lab_config_dir(workspace: Path) -> Path:
    """The workspace's own Jupyter config and data folder (hidden from the file browser)."""
    return Path(workspace) / ".jupyter"


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_lab_config(workspace: Path) -> Path:
    """Server config, lab plugin switches, settings overrides and the kernelspec.

    Everything sits in ``lab_config_dir(workspace)`` and is rewritten on every call;
    what JupyterLab itself saves there (user settings, layouts) is left alone.
    Returns the config folder.
    """

    cfg = lab_config_dir(workspace)
    settings = cfg / "lab" / "settings"
    _write_json(cfg / "jupyter_server_config.json", {
        "ServerApp": {
            "ip": "127.0.0.1",
            "open_browser": False,
            "root_dir": str(Path(workspace).resolve()),
            "jpserver_extensions": STUDENT_SERVER_EXTENSIONS,
        },
        "LabApp": {
            # The server side of the news feed and the update check, off as well.
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "extension_manager": "readonly",
            "app_settings_dir": str(settings),
        },
    })
    _write_json(cfg / "labconfig" / "page_config.json",
                {"disabledExtensions": {p: True for p in STUDENT_DISABLED_PLUGINS}})
    _write_json(settings / "overrides.json", STUDENT_LAB_SETTINGS)
    # The course environment's interpreter, whatever other "python3" kernels the machine has.
    _write_json(cfg / "data" / "kernels" / KERNEL_NAME / "kernel.json", {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (backprop course)",
        "language": "python",
        "metadata": {"debugger": True},
    })
    return cfg


def lab_environment(workspace: Path, base: dict | None = None) -> dict:
    """Environment for the lab server: the workspace's config first, the course's Python on PATH."""

    cfg = lab_config_dir(workspace)
    env = dict(os.environ if base is None else base)
    env.update(
        JUPYTER_CONFIG_DIR=str(cfg),
        JUPYTER_DATA_DIR=str(cfg / "data"),
        # The workspace's folders outrank the environment's, which enable every
        # nbgrader server extension.
        JUPYTER_PREFER_ENV_PATH="0",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    # The repository on PYTHONPATH would make the model answers importable.
    env.pop("PYTHONPATH", None)
    return env


def lab_command(workspace: Path, port: int = 8888, token: str | None = None) -> list[str]:
    """The ``jupyter lab`` command line; token None lets Jupyter make one and print it."""

    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={workspace}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", "--no-browser"]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI runners are often root; Jupyter refuses to start there otherwise.
        cmd.append("--allow-root")
    return cmd


def prepare_lab(course: CourseDir, workspace: Path | None = None, days=None) -> Path:
    """A student workspace holding a fresh release of each built day (kept if it exists);
    in a translated edition (``course.lang``) a day whose translation is not finished is
    left out, with the reason.

    Also writes the workspace's Jupyter configuration (``write_lab_config``).
    """
    lang = course.lang or "en"
    workspace = Path(workspace or course.root / ("lab" if lang == "en" else f"lab_{lang}"))
    workspace = workspace.resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    for day in days or [d.name for d in built_days()]:
        target = workspace / day
        if target.exists():
            try:
                had = json.loads((target / "course" / "release.json").read_text()).get("lang")
            except (OSError, ValueError, AttributeError):
                had = None
            other = f" — it is the {had} edition, not {lang}" if had and had != lang else ""
            echo(f"{target} exists: kept (delete it for a fresh copy){other}")
            continue
        try:
            folder, leaks = release(day, course)
        except TranslationError as exc:
            # a day still being translated stays out of the Czech lab, saying why
            lines = str(exc).splitlines()
            echo(f"{day}: not in the {lang} workspace: " + "\n  ".join(lines[:4])
                 + ("\n  ..." if len(lines) > 4 else ""))
            continue
        if leaks:
            raise RuntimeError("the release holds model answers:\n" + "\n".join(leaks))
        shutil.copytree(folder, target)
    write_lab_config(workspace)
    return workspace


def start_lab(workspace: Path, port: int = 8888) -> int:
    """Run JupyterLab on ``workspace`` (made by prepare_lab) until it is stopped."""

    workspace = Path(workspace).resolve()
    if not (lab_config_dir(workspace) / "jupyter_server_config.json").is_file():
        write_lab_config(workspace)
    cmd = lab_command(workspace, port)
    echo("starting: " + " ".join(cmd))
    proc = subprocess.Popen(cmd, cwd=workspace, env=lab_environment(workspace))
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # Jupyter gets the Ctrl+C as well and shuts its kernels down itself;
            # killing it here would leave them running.
            continue
