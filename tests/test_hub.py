"""The classroom on a JupyterHub, with its real parts: the hub and its proxy, OS accounts made
from a roster, nbgrader's exchange, Chromium.

One hub serves the module (``classroom``); its accounts carry a prefix of this run and are
removed at the end, with the hub's folder; the repository's modes are given back.  The
tests need root (accounts); elsewhere they skip, saying so.

1. a week through the hub in a browser: three students log in, fetch Day 1 from the
   Assignments tab, work (one through the notebook's editor), submit; the instructor
   collects, autogrades through the judge and releases feedback; each student fetches it
   and sees their own score, which the export shows too;
2. permissions: what a student cannot read, nbgrader's ownership check;
3. faults: the hub restarted mid-week, a student's server killed while working.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from grader import hub as classroom
from grader.coursedir import CourseDir

pytestmark = [pytest.mark.slow]

DAY = "day1_forward"
A, B = "01_activations.ipynb", "02_simple_network.ipynb"
READY_S = 180             # a student's server on a loaded 2-core machine

SIGMOID = """def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"""


def needs_accounts():
    if os.geteuid() != 0:
        pytest.skip("the classroom makes OS accounts: run the tests as root (CI does)")
    for tool in ("useradd", "userdel", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing: this machine cannot make accounts")


# --- the hub of this module --------------------------------------------------------------


def _free_ports(n=3) -> int:
    """A port p with p .. p+n-1 free on 127.0.0.1 (the hub uses three)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        if p + n > 65535:
            continue
        ok = True
        for q in range(p, p + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", q))
                except OSError:
                    ok = False
        if ok:
            return p
    raise RuntimeError("no three free ports in a row")


class Classroom:
    def __init__(self, folder: Path, prefix: str):
        self.folder = folder
        self.prefix = prefix
        self.hub = classroom.Hub(folder / "hub", course_root=folder / "course")
        self.course = CourseDir(folder / "course")
        self.port = _free_ports(4)            # the hub, its API, the proxy's API, the board
        self.base = f"http://127.0.0.1:{self.port}"
        self.running: classroom.HubProcess | None = None
        self.log = folder / "jupyterhub.log"
        self.students = {f"{prefix}-ann": "Ann Novak", f"{prefix}-ben": "Ben Dvorak",
                         f"{prefix}-cleo": "Cleo Svoboda"}
        self.passwords: dict[str, str] = {}
        self.roster = folder / "roster.csv"
        #: the instructor: an account of the hub, not a student (made by the fixture)
        self.teacher = f"{prefix}-teach"

    def start(self, idle_timeout=classroom.IDLE_TIMEOUT_S):
        classroom.prepare(self.hub, "127.0.0.1", self.port, instructors=(self.teacher,),
                          idle_timeout=idle_timeout)
        self.running = classroom.HubProcess(self.hub, self.port, self.log).start()

    def stop(self):
        if self.running is not None:
            self.running.stop()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def as_student(self, student, *cmd, check=True, cwd=None) -> subprocess.CompletedProcess:
        """A command run as the student's account, in their home, with their environment."""
        home = pwd.getpwnam(student).pw_dir
        python = self.hub.python_env / "bin" / "python"
        full = ["runuser", "-u", student, "--", "env", "-i", f"HOME={home}", f"USER={student}",
                f"PATH={python.parent}:/usr/bin:/bin",
                f"JUPYTER_CONFIG_PATH={self.hub.student_config}", *cmd]
        proc = subprocess.run(full, cwd=cwd or home, capture_output=True, text=True,
                              timeout=300)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} as {student} failed:\n"
                                 f"{proc.stdout}{proc.stderr}")
        return proc

    def nbgrader_as(self, student, *args, check=True):
        python = str(self.hub.python_env / "bin" / "python")
        return self.as_student(student, python, "-m", "nbgrader", *args, check=check)


@pytest.fixture(scope="module")
def room():
    needs_accounts()
    closed = classroom.closed_path_to_environment(classroom.Hub())
    if closed:
        pytest.skip(f"{closed} is closed to other accounts, so no student account can reach "
                    f"the course environment in this checkout: clone it elsewhere (/srv, /tmp)")
    if not classroom.PROXY.exists():
        pytest.fail(f"{classroom.PROXY} is missing: `make test` installs it (npm ci)")
    folder = Path(tempfile.mkdtemp(prefix="bpt-hub-", dir="/tmp"))
    os.chmod(folder, 0o755)
    prefix = "bpt" + secrets.token_hex(2)
    room = Classroom(folder, prefix)
    group_existed = _group_exists(classroom.STUDENT_GROUP)
    room.course.root.mkdir()
    os.chmod(room.course.root, 0o700)
    with open(room.roster, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "student_id", "email"])
        for sid, name in room.students.items():
            w.writerow([name, sid, f"{sid}@example.org"])
    try:
        classroom.lock_repository(room.hub)
        report = classroom.create_accounts(room.hub, room.roster, room.course)
        with open(report.passwords, newline="") as f:
            room.passwords = {r["student_id"]: r["first_password"] for r in csv.DictReader(f)}
        subprocess.run(["useradd", "--create-home", "--comment", "Lecturer", room.teacher],
                       check=True, capture_output=True)
        room.passwords[room.teacher] = secrets.token_urlsafe(9)
        subprocess.run(["chpasswd"], input=f"{room.teacher}:{room.passwords[room.teacher]}\n",
                       text=True, check=True, capture_output=True)
        room.start()
        yield room
    finally:
        room.stop()
        for sid in room.students:
            subprocess.run(["pkill", "-KILL", "-u", sid], capture_output=True)
        with contextlib.suppress(Exception):
            classroom.remove_accounts(room.hub, room.roster, room.course)
        for sid in [*room.students, room.teacher]:       # whatever a failure above left
            subprocess.run(["pkill", "-KILL", "-u", sid], capture_output=True)
            if _account_exists(sid):
                subprocess.run(["userdel", "--remove", sid], capture_output=True)
        if not group_existed and _group_exists(classroom.STUDENT_GROUP):
            subprocess.run(["groupdel", classroom.STUDENT_GROUP], capture_output=True)
        classroom.unlock_repository(room.hub)
        # the hub's log (the board's too) outlives the folder, for a failure's story
        with contextlib.suppress(OSError):
            shutil.copy2(room.log, Path(tempfile.gettempdir()) / "backprop-hub-test.log")
        shutil.rmtree(folder, ignore_errors=True)


def _group_exists(name) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _account_exists(name) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def login(room: Classroom, student: str):
    """(session, api): the student logged in through the login form, their server ready."""
    return classroom.student_session(room.base, student, room.passwords[student], READY_S)


# --- unit checks of the roster (no accounts made) ----------------------------------------------


def test_a_bad_roster_is_refused_whole_with_each_row_and_its_reason(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,student_id,email\n"
                      "Ann Novak,ann-1,ann@example.org\n"
                      "Ben,Ben Dvorak\n"                    # not an account name
                      "Cleo,ann-1\n"                        # repeats line 2
                      "Dan,dan,no-at-sign\n"
                      "Eve,eve,a@b,extra\n"
                      "Root,root\n")                        # an existing system account
    hub = classroom.Hub(tmp_path / "hub")
    with pytest.raises(classroom.HubError) as info:
        classroom.create_accounts(hub, roster, CourseDir(tmp_path / "course"), dry_run=True)
    msg = str(info.value)
    assert "nothing was changed" in msg
    for expected in ("line 3: student_id 'Ben Dvorak' is not a valid account name",
                     "line 4: student_id 'ann-1' repeats line 2",
                     "line 5: email 'no-at-sign' has no '@'",
                     "line 6: 4 columns",
                     "line 7: 'root' is an existing account this command did not make"):
        assert expected in msg, msg
    assert not (tmp_path / "hub").exists() and not (tmp_path / "course").exists()


def test_without_root_the_roster_command_says_what_it_would_run(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Ann Novak,zz-ann-1\nBen Dvorak,zz-ben-1,ben@example.org\n")
    report = classroom.create_accounts(classroom.Hub(tmp_path / "hub"), roster,
                                       CourseDir(tmp_path / "course"), dry_run=True)
    lines = [" ".join(c) for c in report.commands]
    assert any(line.startswith("useradd ") and line.endswith(" zz-ann-1") for line in lines)
    assert "nbgrader db student add zz-ben-1 --first-name=Ben --last-name=Dvorak " \
           "--email=ben@example.org" in lines
    assert not _account_exists("zz-ann-1")


def test_lock_closes_the_repository_but_the_environment_and_unlock_restores(tmp_path):
    repo = tmp_path / "repo"
    for d in ("solutions", ".venv", ".nbgrader", "node_modules"):
        (repo / d).mkdir(parents=True)
    (repo / "README.md").write_text("x")
    os.chmod(repo, 0o755)
    hub = classroom.Hub(tmp_path / "hub", repo=repo)
    assert str(repo / "solutions") in classroom.readable_by_others(repo)
    classroom.lock_repository(hub)
    mode = lambda p: oct(os.stat(p).st_mode & 0o777)  # noqa: E731
    assert mode(repo) == "0o751"
    assert mode(repo / "solutions") == "0o750" and mode(repo / ".nbgrader") == "0o750"
    assert mode(repo / ".venv") == "0o755" and mode(repo / "node_modules") == "0o755"
    assert classroom.readable_by_others(repo) == []
    classroom.unlock_repository(hub)
    assert mode(repo) == "0o755" and mode(repo / "solutions") == "0o755"


def test_the_hub_configuration_runs_students_as_themselves_without_instructor_tools(tmp_path):
    hub = classroom.Hub(tmp_path / "hub")
    text = classroom.hub_config_text(hub, "127.0.0.1", 8000, ("lektor",), 3600)
    compile(text, "jupyterhub_config.py", "exec")
    assert 'c.JupyterHub.spawner_class = "localprocess"' in text
    assert f"{classroom.STUDENT_GROUP!r}" in text and "'lektor'" in text
    assert "jupyterhub_idle_culler" in text and "--timeout=3600" in text
    assert str(classroom.PROXY) in text
    classroom.write_jupyter_config(tmp_path / "student", hub, student=True)
    server = json.loads((tmp_path / "student" / "jupyter_server_config.json").read_text())
    ext = server["ServerApp"]["jpserver_extensions"]
    assert ext["nbgrader.server_extensions.formgrader"] is False
    assert ext["nbgrader.server_extensions.assignment_list"] is True
    assert ext["nbgrader.server_extensions.validate_assignment"] is True
    page = json.loads((tmp_path / "student" / "labconfig" / "page_config.json").read_text())
    assert set(page["disabledExtensions"]) == {"@jupyter/nbgrader:formgrader",
                                               "@jupyter/nbgrader:create-assignment"}
    nbconfig = (tmp_path / "student" / "nbgrader_config.py").read_text()
    assert f"c.Exchange.root = {str(hub.exchange)!r}" in nbconfig
    assert "load_subconfig" not in nbconfig      # nothing of the instructor's course folder


# --- 1. the week in a browser ------------------------------------------------------------------


def _gradebook_scores(room: Classroom) -> dict:
    """{student: {notebook: (auto score, auto max, {grade_id: score})}} from the gradebook."""
    out = {}
    for sid in room.students:
        out[sid] = {}
        for nb in room.course.scores(DAY, sid):
            out[sid][nb.notebook] = (nb.auto_score, nb.auto_max,
                                     {c.grade_id: c.score for c in nb.cells if c.auto})
    return out


def test_a_week_through_the_hub_in_a_browser(room, tmp_path):
    from playwright.sync_api import sync_playwright

    from grader.autograde import autograde
    from grader.feedback import export
    from grader.notebooks import read_notebook, solved_notebook
    from solutions import day1_forward
    from test_browser import Notebook, Steps, launch_chromium, needs_browser

    needs_browser()
    ann, ben, cleo = room.students
    classroom.release_to_exchange(room.hub, DAY, room.course)
    released = room.course.release(DAY)
    # what Ann hands in: the model answers, written through her own server
    solved = {n: nbformat.writes(solved_notebook(read_notebook(released / n), day1_forward, n))
              for n in (A, B)}
    shots = tmp_path / "screenshots"

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for sid in room.students:
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.set_default_timeout(60_000)
                steps = Steps(page, shots / sid)
                lab = f"{room.base}/user/{sid}/lab"
                with steps.step("login-page"):
                    page.goto(f"{room.base}/hub/login", wait_until="domcontentloaded")
                    page.fill("#username_input", sid)
                    page.fill("#password_input", room.passwords[sid])
                with steps.step("logged-in"):
                    page.click("#login_submit")
                    page.wait_for_url(f"**/user/{sid}/lab**", timeout=READY_S * 1000)
                    page.locator("#jp-main-dock-panel").wait_for(timeout=READY_S * 1000)
                    config = json.loads(page.locator("#jupyter-config-data").text_content())
                    assert "@jupyter/nbgrader:formgrader" in config["disabledExtensions"]
                    assert "@jupyter/nbgrader:create-assignment" in config["disabledExtensions"]
                with steps.step("assignments-tab"):
                    _open_assignments(page)
                    released_list = page.locator("#released_assignments_list")
                    released_list.locator(f".list_item:has-text('{DAY}')").wait_for()
                    released_list.locator(f".list_item:has-text('{DAY}') button",
                                          has_text="Fetch").click()
                    fetched = page.locator("#fetched_assignments_list")
                    fetched.locator(f".list_item:has-text('{DAY}')").first.wait_for()
                home = Path(pwd.getpwnam(sid).pw_dir)
                assert (home / DAY / A).is_file(), f"{sid}: fetch put nothing in {home / DAY}"
                assert os.stat(home / DAY / A).st_uid == pwd.getpwnam(sid).pw_uid
                if sid == ann:
                    with steps.step("work-written-through-the-server"):
                        for name, text in solved.items():
                            status = page.evaluate(_PUT_NOTEBOOK, [sid, f"{DAY}/{name}", text])
                            assert status in (200, 201), f"saving {name}: HTTP {status}"
                elif sid == ben:
                    with steps.step("a-stub-filled-in-the-editor"):
                        _fill_sigmoid_and_run_its_test(page, room, sid, Notebook(page))
                if sid == cleo:    # the deadline passed just before Cleo submits
                    deadline = datetime.datetime.now(datetime.timezone.utc)
                    time.sleep(0.5)
                with steps.step("submitted"):
                    page.goto(lab, wait_until="domcontentloaded")
                    page.locator("#jp-main-dock-panel").wait_for()
                    _open_assignments(page)
                    fetched = page.locator("#fetched_assignments_list")
                    fetched.locator(f".list_item:has-text('{DAY}') button",
                                    has_text="Submit").first.click()
                    page.locator(f"#submitted_assignments_list .list_item:has-text('{DAY}')"
                                 ).first.wait_for(timeout=120_000)
                page.context.close()

            # the instructor, in a terminal on the machine
            out = classroom.collect_from_exchange(room.hub, DAY, room.course, deadline)
            assert "cheating attempt" not in out, out
            assert sorted(room.course.students(DAY)) == sorted(room.students)
            late = re.search(r"late after \S+: (.*)", out).group(1)
            assert cleo in late and ann not in late and ben not in late, late
            results = {r.student: r for r in autograde(DAY, room.course, quiet=True)}
            assert all(r.status == "graded" for r in results.values()), results
            classroom.feedback_to_exchange(room.hub, DAY, room.course)
            scores = _gradebook_scores(room)
            points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
                      for c in read_notebook(released / A).cells
                      if c.metadata.get("nbgrader", {}).get("grade")}
            full = {n: s[1] for n, s in scores[ann].items()}
            assert all(scores[ann][n][0] == full[n] > 0 for n in full), scores[ann]
            assert scores[ben][A[:-6]][0] == points["test_sigmoid"], scores[ben]
            assert scores[ben][B[:-6]][0] == 0 and all(s[0] == 0 for s in scores[cleo].values())

            for sid in room.students:
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.set_default_timeout(60_000)
                steps = Steps(page, shots / f"{sid}-feedback")
                with steps.step("feedback-fetched"):
                    page.goto(f"{room.base}/hub/login", wait_until="domcontentloaded")
                    page.fill("#username_input", sid)
                    page.fill("#password_input", room.passwords[sid])
                    page.click("#login_submit")
                    page.locator("#jp-main-dock-panel").wait_for(timeout=READY_S * 1000)
                    _open_assignments(page)
                    submitted = page.locator("#submitted_assignments_list")
                    submitted.locator("button", has_text="Fetch Feedback").first.click()
                    submitted.locator("text=(view feedback)").first.wait_for(timeout=120_000)
                home = Path(pwd.getpwnam(sid).pw_dir)
                pages = sorted((home / DAY / "feedback").glob(f"*/{A[:-6]}.html"))
                assert pages, f"{sid}: no feedback page in {home / DAY / 'feedback'}"
                rel = pages[-1].relative_to(home)
                with steps.step("feedback-page"):
                    page.goto(f"{room.base}/user/{sid}/files/{rel}",
                              wait_until="domcontentloaded")
                    text = page.locator("body").inner_text()
                    shown = _score_line(text)
                    want = _notebook_total(room, sid, A[:-6])
                    assert shown == want, f"{sid}'s feedback shows {shown}, the gradebook {want}"
                    # manual questions are not graded yet: the score is the autograded one
                    assert shown[0] == scores[sid][A[:-6]][0]
                page.context.close()
        finally:
            browser.close()

    grades = export(room.course, room.folder / "grades.csv")
    with open(grades, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == DAY]
    by_student = {}
    for r in rows:
        by_student[r["student_id"]] = by_student.get(r["student_id"], 0) + float(r["score"])
    expected = {sid: sum(s[0] for s in scores[sid].values()) for sid in room.students}
    assert by_student == pytest.approx(expected), (by_student, expected)


_PUT_NOTEBOOK = """async ([user, path, text]) => {
    const xsrf = document.cookie.split('; ').find(c => c.startsWith('_xsrf='));
    const r = await fetch(`/user/${user}/api/contents/${path}`, {
        method: 'PUT', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json',
                  'X-XSRFToken': xsrf ? decodeURIComponent(xsrf.slice(6)) : ''},
        body: JSON.stringify({type: 'notebook', format: 'json', content: JSON.parse(text)})});
    return r.status; }"""


def _open_assignments(page):
    page.click("#jp-menu-panel .lm-MenuBar-itemLabel:text-is('Nbgrader')")
    page.click(".lm-Menu-itemLabel:text-is('Assignment List')")
    page.locator("#released_assignments_list").wait_for()


def _fill_sigmoid_and_run_its_test(page, room, sid, nb):
    from test_browser import FIRST_RUN_S, _calls, _defines, _index, _source

    cells = nbformat.read(Path(pwd.getpwnam(sid).pw_dir) / DAY / A, 4).cells
    setup = _index(cells, lambda c: c["metadata"].get("nbgrader", {}).get("grade_id") == "setup",
                   "setup cell")
    stub = _index(cells, _defines("sigmoid"), "sigmoid stub")
    test = _index(cells, _calls("sigmoid"), "visible test of sigmoid")
    assert "raise NotImplementedError" in _source(cells[stub])
    _open_notebook(page, room, sid, len(cells))
    nb.run(setup, timeout=FIRST_RUN_S)
    nb.set_text(stub, SIGMOID)
    nb.run(stub)
    nb.run(test)
    assert not nb.errors(test), f"the right sigmoid fails its visible test:\n{nb.output(test)}"
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    path = Path(pwd.getpwnam(sid).pw_dir) / DAY / A
    while "np.exp(-np.abs(z))" not in path.read_text():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} was not saved")
        time.sleep(0.5)


def _notebook_total(room, sid, notebook) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(room.course.db_url) as gb:
        nb = gb.find_submission_notebook(notebook, DAY, sid)
        return float(nb.score), float(nb.max_score)


def _open_notebook(page, room, sid, n_cells):
    """The student's Day 1 notebook open, every cell in the page, the kernel idle.  Its
    saved prompts are cleared first (as the student's own file): a cell run in an earlier
    session would show the same ``[1]:`` that its first run in a new kernel shows."""
    path = Path(pwd.getpwnam(sid).pw_dir) / DAY / A
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
    stat_ = path.stat()
    nbformat.write(nb, str(path))
    os.chown(path, stat_.st_uid, stat_.st_gid)
    page.goto(f"{room.base}/user/{sid}/lab/tree/{DAY}/{A}", wait_until="domcontentloaded")
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
        arg=n_cells, timeout=120_000)
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=120_000)


def _score_line(text: str) -> tuple[float, float]:
    m = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
    assert m, f"no 'Score: x / y' on the feedback page:\n{text[:1500]}"
    return float(m.group(1)), float(m.group(2))


# --- 2. permissions ----------------------------------------------------------------------------


def _released(room: Classroom):
    if not (room.hub.exchange / classroom.COURSE_ID / "outbound" / DAY).is_dir():
        classroom.release_to_exchange(room.hub, DAY, room.course)


def _fetched(room: Classroom, sid: str) -> Path:
    home = Path(pwd.getpwnam(sid).pw_dir)
    if not (home / DAY).is_dir():
        room.nbgrader_as(sid, "fetch_assignment", DAY)
    return home / DAY


def _can_read(room, sid, path) -> bool:
    return room.as_student(sid, "cat", str(path), check=False).returncode == 0


def _can_list(room, sid, path) -> bool:
    return room.as_student(sid, "ls", str(path), check=False).returncode == 0


def test_a_student_reads_only_what_is_theirs_and_collect_catches_a_false_owner(room):
    ann, ben, cleo = room.students
    _released(room)
    for sid in (ann, ben):
        _fetched(room, sid)
    room.nbgrader_as(ben, "submit", DAY)
    inbound = room.hub.exchange / classroom.COURSE_ID / "inbound"
    bens = sorted(p for p in inbound.iterdir() if p.name.startswith(f"{ben}+{DAY}+"))
    assert bens, f"ben's submission is not in {inbound}"

    # the check can see: a student reads their own files and what is open to all
    assert _can_read(room, ann, Path(pwd.getpwnam(ann).pw_dir) / DAY / A)
    assert _can_list(room, ann, room.hub.exchange)
    assert _can_read(room, ann, room.hub.student_config / "nbgrader_config.py")

    ben_home = Path(pwd.getpwnam(ben).pw_dir)
    closed = {
        "ben's home": ben_home,
        "ben's notebook": ben_home / DAY / A,
        "the exchange's inbound folder": inbound,
        "the model answers": classroom.REPO / "solutions" / "day1_forward.py",
        "the instructor's notebooks with hidden tests": classroom.REPO / DAY / A,
        "the repository's course folder": classroom.REPO / ".nbgrader",
        "the course folder of this class": room.course.root,
        "the gradebook": room.course.root / "gradebook.db",
        "the hub's state (database, first passwords)": room.hub.state,
        "the first passwords": next(room.hub.state.glob("first-passwords-*.csv")),
    }
    # nbgrader hides a submission by its name: a random part, in a folder no one lists
    assert re.fullmatch(rf"{re.escape(ben)}\+{DAY}\+[^+]+\+[A-Za-z0-9_-]{{12,}}", bens[-1].name), \
        bens[-1].name
    opened = [what for what, path in closed.items()
              if (_can_list if path.is_dir() else _can_read)(room, ann, path)]
    assert not opened, f"{ann} can read: {', '.join(opened)}"
    # nor import the model answers through the course environment
    proc = room.as_student(ann, str(room.hub.python_env / "bin" / "python"), "-c",
                           "import solutions.day1_forward", check=False)
    assert proc.returncode != 0 and ("PermissionError" in proc.stderr
                                     or "ModuleNotFoundError" in proc.stderr), proc.stderr

    # honest submissions: no warning; one made under ben's name by ann: nbgrader's check
    out = classroom.collect_from_exchange(room.hub, DAY, room.course)
    assert "cheating attempt" not in out, out
    time.sleep(1.1)        # a later timestamp than ben's own
    room.nbgrader_as(ann, "submit", DAY, f"--student={ben}")
    out = classroom.collect_from_exchange(room.hub, DAY, room.course)
    assert re.search(rf"claims to be submitted by {ben} but is owned by {ann}; cheating "
                     rf"attempt\?", out), out


def test_a_checkpoint_reaches_the_chosen_student_or_everyone(room):
    from grader.solutions_release import STUB_MARKERS

    ann, ben, cleo = room.students
    _released(room)
    _fetched(room, ann)
    with pytest.raises(classroom.HubError, match="not students of this hub: root"):
        classroom.checkpoint(room.hub, DAY, "01", room.course, ["root"])
    target, = map(Path, classroom.checkpoint(room.hub, DAY, "01", room.course, [cleo]))
    assert target == Path(pwd.getpwnam(cleo).pw_dir) / DAY / "checkpoint-01"
    text = (target / A).read_text()
    answers = [c.source for c in nbformat.reads(text, 4).cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and not [m for a in answers for m in STUB_MARKERS if m in a], \
        "the checkpoint holds a stub"
    assert not (target / B).exists(), "a checkpoint is one notebook's answers"
    assert os.stat(target / A).st_uid == pwd.getpwnam(cleo).pw_uid
    assert _can_read(room, cleo, target / A)
    assert not _can_read(room, ann, target / A)
    assert not (Path(pwd.getpwnam(ann).pw_dir) / DAY / "checkpoint-01").exists()
    # to everyone: an assignment on the exchange, fetched as any other
    classroom.checkpoint(room.hub, DAY, "01", room.course)
    room.nbgrader_as(ann, "fetch_assignment", f"{DAY}-checkpoint-01")
    fetched = Path(pwd.getpwnam(ann).pw_dir) / f"{DAY}-checkpoint-01" / A
    assert fetched.read_text() == text


# --- 3. faults ---------------------------------------------------------------------------------


def _submissions(room) -> list[str]:
    inbound = room.hub.exchange / classroom.COURSE_ID / "inbound"
    return sorted(p.name for p in inbound.iterdir())


def test_a_restarted_hub_and_a_killed_server_lose_no_work(room):
    ann, ben, cleo = room.students
    _released(room)
    _fetched(room, cleo)
    room.nbgrader_as(cleo, "submit", DAY)
    before = _submissions(room)
    session, api = login(room, ann)
    saved = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("ann's notes")])
    r = api("PUT", "api/contents/notes.ipynb", json={"type": "notebook", "format": "json",
                                                 "content": json.loads(nbformat.writes(saved))})
    assert r.status_code in (200, 201), r.text

    # the hub restarted mid-week: submissions, saved work and logins are all still there
    room.stop()
    room.start()
    assert _submissions(room) == before
    session, api = login(room, ann)
    r = api("GET", "api/contents/notes.ipynb")
    assert r.status_code == 200 and "ann's notes" in json.dumps(r.json()["content"]), r.text
    out = classroom.collect_from_exchange(room.hub, DAY, room.course)
    assert cleo in room.course.students(DAY), out

    # ann's server killed while she works: the saved notebook survives, a new server comes
    pids = subprocess.run(["pgrep", "-u", ann, "-f", "jupyterhub.singleuser"],
                          capture_output=True, text=True).stdout.split()
    assert pids, f"no server process of {ann}"
    for pid in pids:
        os.kill(int(pid), signal.SIGKILL)
    notes = Path(pwd.getpwnam(ann).pw_dir) / "notes.ipynb"
    assert "ann's notes" in notes.read_text()
    deadline = time.monotonic() + READY_S
    while True:           # the hub notices within its poll interval; logging in starts anew
        try:
            session, api = login(room, ann)
            r = api("GET", "api/contents/notes.ipynb")
            if r.status_code == 200:
                break
        except classroom.HubError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{ann} has no working server {READY_S} s after the kill:\n"
                                 + room.log_text()[-3000:])
        time.sleep(2)
    assert "ann's notes" in json.dumps(r.json()["content"])
    new = subprocess.run(["pgrep", "-u", ann, "-f", "jupyterhub.singleuser"],
                         capture_output=True, text=True).stdout.split()
    assert new and not set(new) & set(pids), (pids, new)

    # an idle server is stopped by the culler (here after 20 s); the work stays
    room.stop()
    room.start(idle_timeout=20)
    deadline = time.monotonic() + 120
    while subprocess.run(["pgrep", "-u", ann, "-f", "jupyterhub.singleuser"],
                         capture_output=True).returncode == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"{ann}'s idle server still runs 120 s after a 20 s idle "
                                 f"timeout:\n" + room.log_text()[-3000:])
        time.sleep(2)
    assert "idle-culler" in room.log_text()
    assert "ann's notes" in notes.read_text()
    room.stop()
    room.start()
    # three restarts later, this hub has one culler and one board: none left behind
    _wait_for("the board up", lambda: _answers(
        f"http://127.0.0.1:{room.port + 3}/services/board/api/records"), timeout=60)
    names = sorted(_service_name(pid) for pid in room.running._services())
    assert names == ["board", "idle-culler"], names


def _service_name(pid: int) -> str:
    env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return next(e.split(b"=", 1)[1].decode() for e in env
                if e.startswith(b"JUPYTERHUB_SERVICE_NAME="))


# --- 4. the live board -------------------------------------------------------------------------


def _server_token(student: str) -> str:
    """The hub token the student's server (and so their kernels) holds."""
    pids = subprocess.run(["pgrep", "-u", student, "-f", "jupyterhub.singleuser"],
                          capture_output=True, text=True).stdout.split()
    assert pids, f"no server of {student}"
    env = Path(f"/proc/{pids[0]}/environ").read_bytes().split(b"\0")
    return next(e.split(b"=", 1)[1].decode() for e in env
                if e.startswith(b"JUPYTERHUB_API_TOKEN="))


def _browser_login(page, room: Classroom, user: str, next_path: str = ""):
    page.goto(f"{room.base}/hub/login" + (f"?next={next_path}" if next_path else ""),
              wait_until="domcontentloaded")
    page.fill("#username_input", user)
    page.fill("#password_input", room.passwords[user])
    page.click("#login_submit")


def _board_row(page, exercise: str) -> tuple[int, int]:
    row = page.locator(f'#exercises tr[data-exercise="{exercise}"]')
    return int(row.locator("td.pass").inner_text()), int(row.locator("td.fail").inner_text())


def _wait_for(what: str, check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.5)


def test_the_live_board_sees_the_class_as_it_works(room, tmp_path):
    import requests
    from playwright.sync_api import sync_playwright

    from test_browser import Notebook, Steps, _defines, _index, launch_chromium, needs_browser

    needs_browser()
    ann, ben, cleo = room.students
    _released(room)
    home = Path(pwd.getpwnam(ann).pw_dir)
    _fetched(room, ann)
    records = f"http://127.0.0.1:{room.port + 3}/services/board/api/records"
    board_page = f"{room.base}/services/board/"
    exercise = "01_activations/test_relu_prime"

    # a student's own token posts as that student; nothing else gets in
    session, _ = login(room, ann)
    token = _server_token(ann)
    good = {"notebook": "01_activations", "grade_id": "test_tanh", "status": "fail",
            "check": "check", "diagnosis": None, "time": time.time()}

    def post(body, tok=token):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return requests.post(records, data=data, timeout=30,
                             headers={"Authorization": f"token {tok}"} if tok else {})
    _wait_for("the board answers", lambda: _answers(records))
    assert post(good).status_code == 204
    assert post(good, tok=None).status_code == 403
    assert post(good, tok="not-a-token").status_code == 403
    assert post(b"{" + b" " * 4000 + b"}").status_code == 400
    assert post(dict(good, diagnosis="def sigmoid(z): return z")).status_code == 400
    r = session.get(board_page, timeout=60)
    assert r.status_code == 403, f"a student opened the board: HTTP {r.status_code} {r.url}"

    # relu_prime_at_zero of the wrong-answer library, as a student types it; the visible
    # test names it (its "Likely cause"), and that sentence is what the board counts
    message = None
    wrong = "def relu_prime(z):\n    return (z >= 0).astype(np.float64)\n"
    right = "def relu_prime(z):\n    return (z > 0).astype(np.float64)\n"
    _fetched(room, ben)
    cells = nbformat.read(home / DAY / A, 4).cells
    setup = _index(cells, lambda c: c["metadata"].get("nbgrader", {}).get("grade_id") == "setup",
                   "setup cell")
    stub = _index(cells, _defines("relu_prime"), "relu_prime stub")
    test = _index(cells, lambda c: c["metadata"].get("nbgrader", {}).get("grade_id")
                  == "test_relu_prime", "visible test of relu_prime")
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            teacher = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
            teacher.set_default_timeout(60_000)
            shots = Steps(teacher, tmp_path / "screenshots" / "board")
            with shots.step("board-opened"):
                _browser_login(teacher, room, room.teacher, "/services/board/")
                teacher.wait_for_url("**/services/board/**", timeout=120_000)
                teacher.locator(f'#exercises tr[data-exercise="{exercise}"]').wait_for()
                teacher.evaluate("window.__notReloaded = true")
                passes, _ = _board_row(teacher, exercise)
            notebooks = {}
            for sid in (ann, ben):
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.set_default_timeout(60_000)
                nb = notebooks[sid] = Notebook(page)
                with Steps(page, tmp_path / "screenshots" / sid).step("the-mistake"):
                    _browser_login(page, room, sid)
                    page.locator("#jp-main-dock-panel").wait_for(timeout=READY_S * 1000)
                    _open_notebook(page, room, sid, len(cells))
                    nb.run(setup, timeout=120)
                    nb.set_text(stub, wrong)
                    nb.run(stub)
                    nb.run(test)
                    said = re.search(r"Likely cause: (.*)", nb.errors(test))
                    assert said, f"no likely cause named:\n{nb.errors(test)}"
                    assert message in (None, said.group(1).strip())
                    message = said.group(1).strip()
            with shots.step("two-make-the-same-mistake"):
                row = teacher.locator("#diagnoses tr.diag", has_text=message)
                _wait_for("two students with the library's mistake on the board",
                          lambda: row.count() and row.first.locator("td.n").inner_text() == "2")
                row.first.click()
                who = row.first.locator(".who").inner_text()
                assert ann in who and ben in who, who
                assert "test_relu_prime" in row.first.inner_text()
                assert teacher.evaluate("window.__notReloaded === true")
            with shots.step("the-fix-shows"):
                nb = notebooks[ann]
                nb.set_text(stub, right)
                nb.run(stub)
                nb.run(test)
                assert not nb.errors(test), nb.output(test)
                _wait_for("ann's pass on the board",
                          lambda: _board_row(teacher, exercise)[0] == passes + 1)
                _wait_for("the mistake now counts one", lambda: row.first.locator(
                    "td.n").inner_text() == "1" and ann not in row.first.inner_text())
                assert teacher.evaluate("window.__notReloaded === true"), "the page reloaded"

            # the board restarted (the hub starts it again): the records are still there
            with shots.step("after-a-restart"):
                subprocess.run(["pkill", "-f", f"--root {room.course.root} board"])
                _wait_for("the board back", lambda: _answers(records), timeout=120)
                teacher.reload()
                teacher.locator(f'#exercises tr[data-exercise="{exercise}"]').wait_for()
                assert _board_row(teacher, exercise)[0] == passes + 1
        finally:
            browser.close()
    kept = board_rows(room)
    assert any(r[1] == ann and r[4] == "test_relu_prime" and r[5] == "pass" for r in kept)
    assert any(r[1] == ben and r[4] == "test_relu_prime" and r[7] == message for r in kept)
    assert all(r[1] in room.students for r in kept)


def _answers(url) -> bool:
    import requests
    try:
        return requests.post(url, data=b"{}", timeout=5).status_code in (400, 403)
    except requests.RequestException:
        return False


def board_rows(room: Classroom):
    from grader.board import Store
    return Store(room.course.root / "board.sqlite").rows()
