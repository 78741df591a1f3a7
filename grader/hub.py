"""The classroom on a JupyterHub: students need only a browser.

``grader hub`` serves the course from one machine.  The hub runs as root; each student
logs in with an OS account (``grader hub accounts roster.csv`` makes them) and gets a
JupyterLab that runs as that account, in its home, with the course environment's kernel,
nbgrader's Assignments tab and its Validate button (no formgrader, no create-assignment
toolbar).  Assignments, submissions and feedback travel through nbgrader's exchange, a
folder of the hub's.  The instructor works in a terminal on the machine, as root, with the
``grader hub release|collect|feedback`` commands (nbgrader's own with the exchange filled
in) and the rest of ``grader``; an account named with ``--instructor`` also gets formgrader
on the course folder in its hub server.

Everything of the hub lives in one folder, ``--hub-root`` (default /srv/backprop-hub):

    exchange/          nbgrader's exchange (nbgrader sets the permissions it documents)
    state/             root only: the hub's database, cookie secret, generated config,
                       the accounts this command made, first passwords
    jupyter-student/   the students' Jupyter and nbgrader configuration (read-only to them)
    jupyter-instructor/ the instructor's

What a student may read is the release they fetched: the repository (its model answers,
hidden tests, course folder and gradebook) is closed to other accounts by
``lock_repository``, except the course environment ``.venv/`` and ``node_modules/``,
which their servers run from.
"""

from __future__ import annotations

import csv
import datetime as _dt
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sysconfig
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .coursedir import CourseDir
from .days import REPO
from .lab import STUDENT_LAB_SETTINGS, _write_json

DEFAULT_HUB_ROOT = Path("/srv/backprop-hub")
COURSE_ID = "backprop"
#: Every account the roster command makes is in this group; the hub lets its members in.
STUDENT_GROUP = "backprop-students"
#: A valid account name for the roster (Debian's useradd accepts more; this is the safe set).
ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
#: The repository's entries other accounts may read: what the student servers run from.
OPEN_ENTRIES = (".venv", "node_modules")
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
IDLE_TIMEOUT_S = 3600

#: nbgrader's lab plugins on a student's hub server: the Assignments tab (assignment list,
#: course list, the menu that opens them) and the notebook's Validate button stay.
HUB_STUDENT_DISABLED_PLUGINS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
]
HUB_STUDENT_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.course_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}


class HubError(Exception):
    """A hub command cannot go on; the message says what to do."""


@dataclass
class Hub:
    root: Path = DEFAULT_HUB_ROOT
    repo: Path = REPO
    #: the instructor's nbgrader course folder (gradebook, releases); the board's records
    course_root: Path | None = None

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.repo = Path(self.repo).resolve()
        self.course_root = Path(self.course_root or self.repo / ".nbgrader").resolve()

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def student_config(self) -> Path:
        return self.root / "jupyter-student"

    @property
    def instructor_config(self) -> Path:
        return self.root / "jupyter-instructor"

    @property
    def python_env(self) -> Path:
        """The students' interpreter: a venv of a Python any account can run, which sees
        the course environment's packages (``student_python``)."""
        return self.root / "python"

    @property
    def accounts_file(self) -> Path:
        return self.state / "accounts.json"

    @property
    def config_file(self) -> Path:
        return self.state / "jupyterhub_config.py"

    def exchange_args(self) -> list[str]:
        return [f"--Exchange.root={self.exchange}", f"--CourseDirectory.course_id={COURSE_ID}"]

    # -- accounts this command made -----------------------------------------------------
    def made_accounts(self) -> dict:
        if not self.accounts_file.is_file():
            return {}
        return json.loads(self.accounts_file.read_text(encoding="utf-8"))

    def _save_accounts(self, accounts: dict) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        tmp = self.accounts_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(accounts, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.accounts_file)


def is_root() -> bool:
    return os.geteuid() == 0


# --- the folder, its configuration -------------------------------------------------------


def _mkdir(path: Path, mode: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    return path


def prepare(hub: Hub, ip: str = "127.0.0.1", port: int = 8000,
            instructors: tuple[str, ...] = (), idle_timeout: int = IDLE_TIMEOUT_S,
            tls: tuple[str, str] | None = None) -> Path:
    """The hub's folder and configuration; returns the jupyterhub_config.py written."""
    _mkdir(hub.root, 0o755)
    _mkdir(hub.state, 0o700)
    # nbgrader's documented exchange: everyone may write, release and submit set the rest.
    _mkdir(hub.exchange, 0o777)
    student_python(hub)
    write_jupyter_config(hub.student_config, hub, student=True)
    write_jupyter_config(hub.instructor_config, hub, student=False)
    text = hub_config_text(hub, ip, port, instructors, idle_timeout)
    if tls:
        cert, key = (str(Path(p).resolve()) for p in tls)
        for p in (cert, key):
            if not Path(p).is_file():
                raise HubError(f"TLS: {p} is not a file")
        text += f"\n# TLS in the hub itself\nc.JupyterHub.ssl_cert = {cert!r}\n" \
                f"c.JupyterHub.ssl_key = {key!r}\n"
    hub.config_file.write_text(text, encoding="utf-8")
    os.chmod(hub.config_file, 0o600)
    return hub.config_file


COURSE_PREFIX = Path(sys.prefix)
COURSE_SITE = Path(sysconfig.get_paths()["purelib"])


def runs_as_nobody(python: str) -> bool:
    """Whether an account with no rights of its own can start this interpreter."""
    try:
        proc = subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", "pass"],
                              capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def base_interpreters() -> list[str]:
    """Interpreters of the course's Python version: the course's own base, then the system's."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    out = [os.path.realpath(getattr(sys, "_base_executable", sys.executable))]
    for folder in ("/usr/bin", "/usr/local/bin"):
        if os.access(f"{folder}/{version}", os.X_OK):
            out.append(f"{folder}/{version}")
    return list(dict.fromkeys(out))


def student_python(hub: Hub) -> Path:
    """``<hub-root>/python/bin/python``: a venv made from an interpreter of the course's
    version that other accounts can run, whose site-packages add the course environment's
    (torch, numpy, jupyterlab, nbgrader ... installed once).  The course environment's own
    interpreter may live where students cannot reach (e.g. pyenv under /root)."""
    target = hub.python_env / "bin" / "python"
    if target.exists() and runs_as_nobody(str(target)):
        return target
    base = next((p for p in base_interpreters() if runs_as_nobody(p)), None)
    if base is None:
        raise HubError(
            f"no Python {sys.version_info.major}.{sys.version_info.minor} that other accounts "
            f"can run: the course's ({base_interpreters()[0]}) is closed to them; install "
            f"the system's (apt-get install python3.{sys.version_info.minor}-venv)")
    if hub.python_env.exists():
        shutil.rmtree(hub.python_env)
    subprocess.run([base, "-m", "venv", "--without-pip", str(hub.python_env)], check=True,
                   capture_output=True)
    site = next(hub.python_env.glob("lib/python3.*/site-packages"))
    (site / "backprop_course_environment.pth").write_text(
        f"import site; site.addsitedir({str(COURSE_SITE)!r})\n", encoding="utf-8")
    for p in [hub.python_env, *hub.python_env.rglob("*")]:
        if not p.is_symlink():
            os.chmod(p, 0o755 if p.is_dir() or os.access(p, os.X_OK) else 0o644)
    if not runs_as_nobody(str(target)):
        raise HubError(f"{target} was made but other accounts cannot run it")
    return target


def write_jupyter_config(folder: Path, hub: Hub, student: bool) -> Path:
    """A JUPYTER_CONFIG_PATH entry: server extensions, lab plugins, nbgrader's exchange."""
    _mkdir(folder, 0o755)
    extensions = dict(HUB_STUDENT_SERVER_EXTENSIONS)
    disabled = list(HUB_STUDENT_DISABLED_PLUGINS)
    if not student:
        extensions["nbgrader.server_extensions.formgrader"] = True
        disabled = []
    server = {"ServerApp": {"jpserver_extensions": extensions},
              "LabApp": {"news_url": None,
                         "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                         "extension_manager": "readonly"}}
    _write_json(folder / "jupyter_server_config.json", server)
    _write_json(folder / "labconfig" / "page_config.json",
                {"disabledExtensions": {p: True for p in disabled}})
    lines = ["# Written by `grader hub`: nbgrader's exchange of the classroom hub.",
             "c = get_config()  # noqa: F821",
             f"c.Exchange.root = {str(hub.exchange)!r}",
             f"c.CourseDirectory.course_id = {COURSE_ID!r}"]
    if not student:
        lines += ["# the course folder and its settings: the repository's nbgrader_config.py",
                  f"load_subconfig({str(hub.repo / 'nbgrader_config.py')!r})  # noqa: F821",
                  f"c.CourseDirectory.root = {str(hub.repo / '.nbgrader')!r}",
                  f"c.Exchange.root = {str(hub.exchange)!r}"]
    # no news or update pop-ups (defaults a user can still change)
    _write_json(folder / "lab" / "settings" / "overrides.json", STUDENT_LAB_SETTINGS)
    (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for p in folder.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return folder


def hub_config_text(hub: Hub, ip: str, port: int, instructors, idle_timeout: int) -> str:
    """jupyterhub_config.py of the classroom (values written in; read by the hub only)."""
    venv_bin = Path(sys.executable).parent
    python = hub.python_env / "bin" / "python"
    board_command = [sys.executable, "-m", "grader", "--root", str(hub.course_root), "board",
                     *[f"--instructor={name}" for name in sorted(instructors)]]
    return f'''# Written by `grader hub` (grader/hub.py); rewritten on every start.
import os
c = get_config()  # noqa: F821

c.JupyterHub.ip = {ip!r}
c.JupyterHub.port = {port!r}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {port + 1!r}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.ConfigurableHTTPProxy.pid_file = {str(hub.state / "proxy.pid")!r}
c.JupyterHub.pid_file = {str(hub.state / "jupyterhub.pid")!r}
c.JupyterHub.db_url = {"sqlite:///" + str(hub.state / "jupyterhub.sqlite")!r}
c.JupyterHub.cookie_secret_file = {str(hub.state / "jupyterhub_cookie_secret")!r}
c.JupyterHub.cleanup_servers = False      # a restarted hub finds the servers still running

# Who comes in: OS accounts (PAM) of the roster's group, and the instructors.
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {{{STUDENT_GROUP!r}}}
c.Authenticator.admin_users = {set(instructors)!r}
c.Authenticator.allowed_users = {set(instructors)!r}

# Each server runs as its user's OS account, with the course environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{str(python)!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.Spawner.poll_interval = 10      # a server that died is noticed in seconds, then restarted
INSTRUCTORS = {set(instructors)!r}


def _environment(spawner):
    instructor = spawner.user.name in INSTRUCTORS
    config = {str(hub.instructor_config)!r} if instructor else {str(hub.student_config)!r}
    home = os.path.expanduser("~" + spawner.user.name)
    spawner.environment.update({{
        "PATH": {str(python.parent)!r} + ":" + {str(venv_bin)!r} + ":/usr/local/bin:/usr/bin:/bin",
        # ours first, then what the course environment's packages install
        "JUPYTER_CONFIG_PATH": config + ":" + {str(COURSE_PREFIX / "etc" / "jupyter")!r},
        "JUPYTER_PATH": {str(COURSE_PREFIX / "share" / "jupyter")!r},
        "JUPYTERLAB_DIR": {str(COURSE_PREFIX / "share" / "jupyter" / "lab")!r},
        "JUPYTER_PREFER_ENV_PATH": "0",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        # each visible test's outcome to the live board (course/report.py)
        "BACKPROP_BOARD_URL": "http://127.0.0.1:{port + 3}/services/board/api/records",
    }})
    spawner.notebook_dir = {str(hub.repo)!r} if instructor else home
    spawner.args = ["--LabApp.app_settings_dir=" + config + "/lab/settings"]


c.Spawner.pre_spawn_hook = _environment

# Idle servers stop after an hour; their work stays in the home folder.
# The live board (grader/board.py): records from the students' kernels, a page for the
# instructors only.
c.JupyterHub.services = [{{
    "name": "idle-culler",
    "command": [{sys.executable!r}, "-m", "jupyterhub_idle_culler",
                "--timeout={idle_timeout}", "--cull-every={max(5, idle_timeout // 6)}"],
}}, {{
    "name": "board",
    "url": "http://127.0.0.1:{port + 3}",
    "command": {board_command!r},
    "cwd": {str(hub.state)!r},
    "oauth_no_confirm": True,
}}]
c.JupyterHub.load_roles = [{{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}}, {{
    "name": "board-viewers",
    "scopes": ["access:services!service=board"],
    "users": {sorted(instructors)!r},
}}]
'''


# --- the repository closed to other accounts -----------------------------------------


def lock_repository(hub: Hub) -> list[str]:
    """Close the repository to other accounts except what their servers run from.

    The repository folder keeps only ``x`` for others (they may pass through to ``.venv``),
    every other entry loses all access for others.  The modes before are kept in
    ``state/repository-modes.json`` for ``unlock_repository``.  Returns what changed."""
    hub.state.mkdir(parents=True, exist_ok=True)
    saved = hub.state / "repository-modes.json"
    before = json.loads(saved.read_text()) if saved.is_file() else {}
    changed = []
    entries = [hub.repo] + sorted(p for p in hub.repo.iterdir() if p.name not in OPEN_ENTRIES)
    for path in entries:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        new = (mode & ~0o007) | (0o001 if path == hub.repo else 0)
        if new != mode:
            before.setdefault(str(path), mode)
            os.chmod(path, new)
            changed.append(str(path))
    saved.write_text(json.dumps(before, indent=2) + "\n")
    os.chmod(saved, 0o600)
    return changed


def unlock_repository(hub: Hub) -> None:
    """The modes ``lock_repository`` found, back."""
    saved = hub.state / "repository-modes.json"
    if not saved.is_file():
        return
    for path, mode in json.loads(saved.read_text()).items():
        if os.path.lexists(path):
            os.chmod(path, mode)
    saved.unlink()


def readable_by_others(repo: Path) -> list[str]:
    """What in the repository any account could read (beyond OPEN_ENTRIES)."""
    out = []
    if stat.S_IMODE(repo.stat().st_mode) & 0o004:
        out.append(str(repo))
    for p in repo.iterdir():
        if p.name in OPEN_ENTRIES or p.is_symlink():
            continue
        if stat.S_IMODE(p.stat().st_mode) & 0o005:
            out.append(str(p))
    return out


def closed_path_to_environment(hub: Hub) -> str | None:
    """A folder on the way to the course environment's packages that other accounts
    cannot pass."""
    for folder in [*reversed(COURSE_SITE.parents), COURSE_SITE]:
        if folder == Path("/"):
            continue
        if not stat.S_IMODE(folder.stat().st_mode) & 0o001:
            return str(folder)
    return None


# --- accounts from a roster ------------------------------------------------------------


@dataclass
class RosterRow:
    line: int
    name: str
    student_id: str
    email: str = ""

    @property
    def first_last(self) -> tuple[str, str]:
        parts = self.name.split()
        return (" ".join(parts[:-1]) or self.name, parts[-1] if len(parts) > 1 else "")


@dataclass
class RosterProblem:
    line: int
    reason: str

    def __str__(self):
        return f"roster line {self.line}: {self.reason}"


def read_roster(path: Path) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Rows of ``name,student_id[,email]`` (a header row is optional) and every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [RosterProblem(0, f"cannot read {path}: {exc}")]
    rows, problems, seen = [], [], {}
    for line, cells in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if line == 1 and [c.lower() for c in cells[:2]] == ["name", "student_id"]:
            continue
        if len(cells) not in (2, 3):
            problems.append(RosterProblem(line, f"{len(cells)} columns; expected name,"
                                                f"student_id[,email]"))
            continue
        name, sid, email = cells[0], cells[1], (cells[2] if len(cells) == 3 else "")
        if not name:
            problems.append(RosterProblem(line, "the name is empty"))
        if not ACCOUNT_NAME.match(sid):
            problems.append(RosterProblem(
                line, f"student_id {sid!r} is not a valid account name: lower-case letters, "
                      f"digits, '_' and '-', starting with a letter or '_', at most 32"))
            continue
        if sid in seen:
            problems.append(RosterProblem(line, f"student_id {sid!r} repeats line {seen[sid]}"))
            continue
        if email and "@" not in email:
            problems.append(RosterProblem(line, f"email {email!r} has no '@'"))
        seen[sid] = line
        rows.append(RosterRow(line, name, sid, email))
    if not rows and not problems:
        problems.append(RosterProblem(0, f"{path} has no rows"))
    return rows, problems


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@dataclass
class AccountsReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    passwords: Path | None = None
    commands: list[list[str]] = field(default_factory=list)   # what a non-root run would do


def _run(cmd: list[str], dry: bool, report: AccountsReport, input_text: str | None = None):
    report.commands.append(cmd)
    if dry:
        return
    proc = subprocess.run(cmd, input=input_text, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HubError(f"{' '.join(cmd)} failed ({proc.returncode}): "
                       f"{(proc.stderr or proc.stdout).strip()}")


def create_accounts(hub: Hub, roster: Path, course: CourseDir | None = None,
                    dry_run: bool | None = None) -> AccountsReport:
    """OS accounts and nbgrader students from a roster; idempotent.

    A bad roster (a bad row, a repeated id, an id that names an account this command did not
    make) is refused whole, before anything is made; if making an account fails midway,
    the accounts made in this run are removed again.  Each new account gets a first
    password, written once to a file only root can read."""
    rows, problems = read_roster(roster)
    made = hub.made_accounts()
    for row in rows:
        if _account_exists(row.student_id) and row.student_id not in made:
            problems.append(RosterProblem(
                row.line, f"{row.student_id!r} is an existing account this command did not make "
                          f"(a system or personal account); choose another student_id"))
    if problems:
        raise HubError("the roster is refused, nothing was changed:\n  "
                       + "\n  ".join(str(p) for p in problems))
    dry = (not is_root()) if dry_run is None else dry_run
    report = AccountsReport()
    new = [r for r in rows if r.student_id not in made or not _account_exists(r.student_id)]
    report.kept = [r.student_id for r in rows if r not in new]
    if not dry:
        prepare_dirs = hub.state
        prepare_dirs.mkdir(parents=True, exist_ok=True)
        os.chmod(hub.state, 0o700)
    try:
        try:
            grp.getgrnam(STUDENT_GROUP)
        except KeyError:
            _run(["groupadd", STUDENT_GROUP], dry, report)
        passwords = []
        for row in new:
            _run(["useradd", "--create-home", "--shell", "/bin/bash", "--gid", "users",
                  "--groups", STUDENT_GROUP, "--comment", row.name, row.student_id], dry, report)
            if not dry:
                made[row.student_id] = {"name": row.name, "email": row.email,
                                        "created": _dt.datetime.now(_dt.timezone.utc)
                                        .isoformat(timespec="seconds")}
                hub._save_accounts(made)
                home = Path(pwd.getpwnam(row.student_id).pw_dir)
                os.chmod(home, 0o700)
            password = secrets.token_urlsafe(9)
            _run(["chpasswd"], dry, report, input_text=f"{row.student_id}:{password}\n")
            passwords.append((row.student_id, row.name, password))
            report.created.append(row.student_id)
    except HubError:
        if not dry:
            for sid in report.created:
                _remove_account(hub, sid, made, AccountsReport())
        raise
    if passwords and not dry:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        report.passwords = hub.state / f"first-passwords-{stamp}.csv"
        fd = os.open(report.passwords, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            w.writerow(["student_id", "name", "first_password"])
            w.writerows(passwords)
    course = course or CourseDir()
    for row in rows:
        first, last = row.first_last
        report.commands.append(["nbgrader", "db", "student", "add", row.student_id,
                                f"--first-name={first}", f"--last-name={last}"]
                               + ([f"--email={row.email}"] if row.email else []))
    if not dry:
        try:
            with course.gradebook() as gb:
                for row in rows:
                    first, last = row.first_last
                    gb.update_or_create_student(row.student_id, first_name=first,
                                                last_name=last, email=row.email or None)
        except Exception as exc:       # the accounts stand; say what to run again
            raise HubError(f"the accounts are made, but the gradebook ({course.root}) did "
                           f"not take the students: {type(exc).__name__}: {exc}; run the "
                           f"command again once that is fixed") from None
    return report


def _remove_account(hub: Hub, sid: str, made: dict, report: AccountsReport, dry=False):
    if _account_exists(sid):
        if not dry:      # userdel refuses an account that still runs something
            for _ in range(50):
                subprocess.run(["pkill", "-KILL", "-u", sid], capture_output=True)
                if subprocess.run(["pgrep", "-u", sid], capture_output=True).returncode != 0:
                    break
                _sleep(0.2)
        _run(["userdel", "--remove", sid], dry, report)
    if not dry:
        made.pop(sid, None)
        hub._save_accounts(made)
    report.removed.append(sid)


def remove_accounts(hub: Hub, roster: Path, course: CourseDir | None = None,
                    dry_run: bool | None = None) -> AccountsReport:
    """The roster's accounts that this command made, gone with their homes; nbgrader keeps
    the students' grades.  Accounts it did not make are never touched."""
    rows, problems = read_roster(roster)
    if problems:
        raise HubError("the roster is refused, nothing was changed:\n  "
                       + "\n  ".join(str(p) for p in problems))
    dry = (not is_root()) if dry_run is None else dry_run
    made = hub.made_accounts()
    report = AccountsReport()
    for row in rows:
        if row.student_id in made:
            _remove_account(hub, row.student_id, made, report, dry)
        else:
            report.kept.append(row.student_id)
    return report


# --- the instructor's steps through the exchange --------------------------------------


def release_to_exchange(hub: Hub, day: str, course: CourseDir) -> str:
    """The day released (``grader release``) and put on the exchange, with the toolkit
    (the course's nbgrader_config.py keeps course/ and solutions/ out of what nbgrader
    copies from submissions; a release must carry them)."""
    from .release import release

    _, leaks = release(day, course)
    if leaks:
        raise HubError(f"{day}: the release shows model answers ({len(leaks)}); see "
                       f"`grader release {day}`")
    keep_out = [f"--CourseDirectory.ignore={p}" for p in
                (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")]
    return course.nbgrader("release_assignment", day, "--force", *hub.exchange_args(),
                           *keep_out)


def collect_from_exchange(hub: Hub, day: str, course: CourseDir, deadline=None) -> str:
    """nbgrader's collect from the exchange (its owner check warns of a submission made in
    another student's name).  With a deadline (a datetime), the due date goes into the
    gradebook first, and every submission after it is listed as late (nbgrader's late
    penalty applies at autograde)."""
    from .collect import read_timestamp, record_deadline

    if deadline is not None:
        course.root.mkdir(parents=True, exist_ok=True)
        record_deadline(course, day, deadline)
    out = course.nbgrader("collect", day, "--update", *hub.exchange_args())
    if deadline is not None:
        late = []
        for student in course.students(day):
            when = read_timestamp(course.submitted(student, day))
            if when is not None and when > deadline:
                late.append(f"{student} ({when - deadline} late)")
        out += (f"\nlate after {deadline.isoformat()}: " + (", ".join(late) or "nobody")
                + "\n")
    return out


def feedback_to_exchange(hub: Hub, day: str, course: CourseDir) -> str:
    """Feedback pages (with MathJax inside them) put on the exchange for every graded
    student of the day."""
    from .feedback import feedback
    from .html import offline_math

    pages = feedback(day, course, quiet=True)
    for files in pages.values():
        for page in files:
            offline_math(page, inline=True)
    return course.nbgrader("release_feedback", day, *hub.exchange_args())


def _copy_tree_as(source: Path, target: Path, owner: str | None, dir_mode: int, file_mode: int):
    """A copy of ``source`` at ``target`` (replaced), owned by ``owner`` (root if None)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    uid, gid = (pwd.getpwnam(owner).pw_uid, pwd.getpwnam(owner).pw_gid) if owner else (0, 0)
    for p in [target, *target.rglob("*")]:
        os.chown(p, uid, gid, follow_symlinks=False)
        if not p.is_symlink():
            os.chmod(p, dir_mode if p.is_dir() else file_mode)


def checkpoint(hub: Hub, day: str, notebook: str, course: CourseDir,
               students: list[str] | None = None) -> list[str]:
    """One notebook's model answers for whoever is stuck, in the middle of the day
    (``grader release-solutions DAY --notebook NN``), handed out on the hub: to chosen
    students into their homes (``~/DAY/checkpoint-NN/``, theirs alone), or to everyone as
    an assignment ``DAY-checkpoint-NN`` on the exchange (the Assignments tab fetches it).
    Returns where it went."""
    from .solutions_release import release_solutions

    folder, _ = release_solutions(day, course, notebook=notebook)
    name = f"checkpoint-{folder.name}"
    if not students:
        outbound = hub.exchange / COURSE_ID / "outbound"
        if not outbound.is_dir():
            raise HubError(f"nothing released on {hub.exchange} yet: `grader hub release {day}` "
                           f"first")
        target = outbound / f"{day}-{name}"
        _copy_tree_as(folder, target, None, 0o755, 0o644)
        return [str(target)]
    made = hub.made_accounts()
    unknown = [s for s in students if s not in made]
    if unknown:
        raise HubError(f"not students of this hub: {', '.join(unknown)} (see `grader hub "
                       f"accounts`); nothing was handed out")
    out = []
    for student in students:
        target = Path(pwd.getpwnam(student).pw_dir) / day / name
        target.parent.mkdir(exist_ok=True)
        if target.parent.stat().st_uid == 0:
            os.chown(target.parent, pwd.getpwnam(student).pw_uid, pwd.getpwnam(student).pw_gid)
        _copy_tree_as(folder, target, student, 0o700, 0o600)
        out.append(str(target))
    return out


# --- starting it ------------------------------------------------------------------------


def preflight(hub: Hub, instructors=()) -> list[str]:
    """What stops the classroom from working on this machine, each with what to do."""
    out = []
    owner = pwd.getpwuid(hub.repo.stat().st_uid).pw_name
    for name in instructors:
        if name != owner:
            out.append(f"--instructor {name}: the instructor's server works on the course "
                       f"folder as its owner, and {hub.repo} belongs to {owner}; clone the "
                       f"repository as {name} (or `chown -R {name} {hub.repo}`)")
        elif name == "root":
            out.append("--instructor root: no server runs as root; clone the repository as "
                       "the instructor's own account")
    if not is_root():
        out.append("the hub must run as root (it starts each student's server as that "
                   "student's account): run `sudo make hub`")
    if not PROXY.exists():
        out.append(f"{PROXY} is missing: run `npm ci` in {REPO} (make hub does)")
    closed = closed_path_to_environment(hub)
    if closed:
        out.append(f"{closed} is closed to other accounts, so no student server can reach the "
                   f"course environment's packages {COURSE_SITE}: `chmod o+x {closed}` "
                   f"or clone the repository under /srv or /opt")
    open_ = readable_by_others(hub.repo)
    if open_:
        out.append("other accounts can read the repository (model answers, hidden tests, "
                   "the gradebook): " + ", ".join(open_[:4]) + (" ..." if len(open_) > 4
                                                                  else "")
                   + " — `grader hub lock` closes it")
    return out


def hub_command(hub: Hub) -> list[str]:
    return [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(hub.config_file)]


class HubProcess:
    """The hub running in the background (tests, the benchmark) or the foreground (start)."""

    def __init__(self, hub: Hub, port: int, log: Path | None = None):
        self.hub, self.port, self.log = hub, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "HubProcess":
        import urllib.error
        import urllib.request

        out = open(self.log, "ab") if self.log else None
        try:
            self.proc = subprocess.Popen(hub_command(self.hub), cwd=self.hub.state, stdout=out,
                                         stderr=subprocess.STDOUT if out else None,
                                         start_new_session=True)
        finally:
            if out:
                out.close()
        deadline = _monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise HubError(f"the hub exited with {self.proc.returncode}" + self._tail())
            try:
                with urllib.request.urlopen(f"{self.base}/hub/api/", timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if _monotonic() > deadline:
                self.stop()
                raise HubError(f"the hub did not answer within {timeout:.0f} s" + self._tail())
            _sleep(0.5)

    def _tail(self) -> str:
        if self.log and self.log.is_file():
            return ":\n" + self.log.read_text(errors="replace")[-3000:]
        return ""

    def stop(self):
        """SIGTERM to the hub and its proxy; the students' servers run on (a restarted hub
        finds them).  The board, a service of the hub, goes too: a board left behind would
        hold its port with the old hub's credentials."""
        if self.proc is not None and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # the hub's managed services (the culler, the board) run in sessions of their own:
        # the ones of this hub (their hub API is ours) go with it
        for pid in self._services():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        pid_file = self.hub.state / "board.pid"
        try:
            pid = int(pid_file.read_text().strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
            return
        if b"grader" not in command or b"board" not in command:    # a pid used again
            pid_file.unlink(missing_ok=True)
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                _sleep(0.1)
            else:
                continue
            break
        pid_file.unlink(missing_ok=True)


    def _services(self) -> list[int]:
        """Processes that are services of this hub (JUPYTERHUB_SERVICE_NAME set, and the
        hub API at this hub's port)."""
        mine = f"127.0.0.1:{self.port + 1}/".encode()
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                env = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            named = any(e.startswith(b"JUPYTERHUB_SERVICE_NAME=") for e in env)
            ours = any(e.startswith(b"JUPYTERHUB_API_URL=") and mine in e for e in env)
            if named and ours and int(entry) != os.getpid():
                out.append(int(entry))
        return out


def _monotonic() -> float:
    import time
    return time.monotonic()


def _sleep(seconds: float) -> None:
    import time
    time.sleep(seconds)


def start(hub: Hub, ip="127.0.0.1", port=8000, instructors=(), lock=True, tls=None) -> int:
    if lock and is_root():
        lock_repository(hub)
    problems = preflight(hub, instructors)
    if problems:
        raise HubError("the hub cannot start:\n  " + "\n  ".join(problems))
    prepare(hub, ip, port, tuple(instructors), tls=tls)
    print(f"classroom hub on http{'s' if tls else ''}://{ip}:{port}/ (folder {hub.root}); Ctrl-C stops it")
    running = HubProcess(hub, port)

    def stop(signum, frame):      # the hub runs in a session of its own: take it along
        running.stop()
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    running.start(timeout=120)
    try:
        return running.proc.wait()
    except KeyboardInterrupt:
        running.stop()
        return 0


# --- a student's session without a browser (tests, the benchmark) -------------------------


def cookie(session, name: str, path: str):
    """The cookie of that name for that path (the hub and each server set their own)."""
    found = [c for c in session.cookies if c.name == name and c.path.startswith(path)]
    return found[-1].value if found else None


def student_session(base: str, user: str, password: str, ready_s: float = 180):
    """Log in on the hub's login page and wait for the user's server; returns
    (session, api) with api(method, path, **kw) calling the server's REST API."""
    import requests

    s = requests.Session()
    s.get(f"{base}/hub/login", timeout=30)
    r = s.post(f"{base}/hub/login?next=", timeout=ready_s,
               data={"username": user, "password": password,
                     "_xsrf": cookie(s, "_xsrf", "/hub")})
    if r.status_code != 200:
        raise HubError(f"login of {user}: HTTP {r.status_code} at {r.url}")
    deadline = _monotonic() + ready_s
    while True:
        r = s.get(f"{base}/user/{user}/lab", timeout=60)
        if r.status_code == 200 and "jupyter-config-data" in r.text:
            break
        if _monotonic() > deadline:
            raise HubError(f"{user}'s server not ready in {ready_s:.0f} s (HTTP {r.status_code})")
        _sleep(1)
    xsrf = cookie(s, "_xsrf", f"/user/{user}")

    def api(method, path, **kw):
        return s.request(method, f"{base}/user/{user}/{path}", timeout=120,
                         headers={"X-XSRFToken": xsrf}, **kw)
    return s, api
