"""The live board without a hub: what a kernel reports (course/report.py), what the service
accepts (grader/board.py), what the page is told, the records kept and exported.  The hub,
real accounts and Chromium are in tests/test_hub.py."""

from __future__ import annotations

import asyncio
import csv
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest

from course import report
from course.checks import CheckFailed, NotImplementedYet, assert_close
from grader import board
from grader.coursedir import CourseDir

MANIFEST = {"tests": {report.cell_key("checks.call(sigmoid, z)\n"): ["01_activations",
                                                                      "test_sigmoid"]}}


# --- the kernel's side ----------------------------------------------------------------------


def test_a_test_cell_becomes_one_record_without_code_or_values():
    src = "checks.call(sigmoid, z)\n"
    try:
        assert_close([2.0, 4.0], [1.0, 2.0], "sigmoid(z)",
                     diagnose=[([2.0, 4.0], "doubled? the factor 2 of the slides' C")])
    except CheckFailed as exc:
        failed = exc
    record = report.record_for(src, failed, MANIFEST)
    assert record["notebook"] == "01_activations" and record["grade_id"] == "test_sigmoid"
    assert record["status"] == "fail" and record["check"] == "likely bug"
    assert record["diagnosis"] == "doubled? the factor 2 of the slides' C"
    assert set(record) == {"notebook", "grade_id", "status", "check", "diagnosis", "time"}
    assert "4.0" not in json.dumps(record) and "relative error" not in json.dumps(record)
    assert report.record_for(src, None, MANIFEST)["status"] == "pass"
    assert report.record_for(src, NotImplementedYet("x"), MANIFEST)["status"] == "todo"
    plain = report.record_for(src, CheckFailed("h: shape (2,) expected (3,)"), MANIFEST)
    assert (plain["check"], plain["diagnosis"]) == ("check", None)
    assert report.record_for(src, ValueError("boom"), MANIFEST)["check"] == "error: ValueError"
    # a cell that is not a released test (the student's own, or an edited test) says nothing
    assert report.record_for("x = 1\n", None, MANIFEST) is None
    assert report.record_for("checks.call(sigmoid, z)  # mine\n", None, MANIFEST) is None
    # the same test with other line endings or trailing blanks is the same test
    assert report.record_for("checks.call(sigmoid, z)   \r\n\n", None, MANIFEST) is not None


class _Events:
    def __init__(self):
        self.callbacks = {"post_run_cell": []}

    def register(self, name, fn):
        self.callbacks[name].append(fn)

    def unregister(self, name, fn):
        self.callbacks[name].remove(fn)


def _result(src, error=None):
    return SimpleNamespace(error_in_exec=error, error_before_exec=None,
                           info=SimpleNamespace(raw_cell=src))


def test_outside_the_hub_nothing_is_installed_and_on_it_records_go_out(monkeypatch):
    shell = SimpleNamespace(events=_Events())
    assert not report.install(shell, environ={})
    assert shell.events.callbacks["post_run_cell"] == []

    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr("course.checks.release_manifest", lambda: MANIFEST)
    env = {report.BOARD_URL: f"http://127.0.0.1:{server.server_port}/r", report.TOKEN: "tok"}
    try:
        assert report.install(shell, environ=env)
        assert report.install(shell, environ=env)          # again: still one callback
        assert len(shell.events.callbacks["post_run_cell"]) == 1
        after = shell.events.callbacks["post_run_cell"][0]
        after(_result("checks.call(sigmoid, z)\n"))
        after(_result("print(1)\n"))
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(got) == 1 and got[0][0] == "token tok" and got[0][1]["status"] == "pass"
    finally:
        server.shutdown()


def test_a_board_that_is_down_or_hangs_costs_the_notebook_nothing(monkeypatch):
    import socket

    monkeypatch.setattr("course.checks.release_manifest", lambda: MANIFEST)
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(1)                       # accepts, never answers
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port_closed = closed.getsockname()[1]
    closed.close()
    try:
        for url in (f"http://127.0.0.1:{hanging.getsockname()[1]}/r",
                    f"http://127.0.0.1:{port_closed}/r", "not a url"):
            shell = SimpleNamespace(events=_Events())
            report.install(shell, environ={report.BOARD_URL: url, report.TOKEN: "t"})
            start = time.monotonic()
            shell.events.callbacks["post_run_cell"][0](_result("checks.call(sigmoid, z)\n"))
            assert time.monotonic() - start < 0.2, url      # sent in the background
    finally:
        hanging.close()


# --- the service's side -----------------------------------------------------------------------


EXERCISES = {"01_activations": {"test_sigmoid", "test_tanh"}}


def _body(**kw):
    record = {"notebook": "01_activations", "grade_id": "test_sigmoid", "status": "fail",
              "check": "likely bug", "diagnosis": "forgot the minus sign?", "time": 1.0}
    record.update(kw)
    return json.dumps({k: v for k, v in record.items() if v is not ...}).encode()


@pytest.mark.parametrize("body, reason", [
    (b"x" * 3000, "more than 2048"),
    (b"[1, 2]", "not a JSON object"),
    (b"\xff\xfe", "not a JSON object"),
    (_body(code="def f(): pass"), "unknown fields ['code']"),
    (_body(status="won"), "status 'won'"),
    (_body(grade_id="test_nothing"), "no exercise 'test_nothing'"),
    (_body(notebook=...), "notebook missing"),
    (_body(diagnosis="def sigmoid(z): return 1"), "looks like code"),
    (_body(diagnosis="x" * 201), "at most 200"),
])
def test_a_malformed_record_is_refused_saying_why(body, reason):
    with pytest.raises(board.RecordError, match=reason.replace("[", r"\[").replace("]", r"\]")
                       .replace("(", r"\(").replace(")", r"\)")):
        board.validate(body, EXERCISES)


def test_a_good_record_passes():
    assert board.validate(_body(), EXERCISES)["grade_id"] == "test_sigmoid"


def test_the_state_counts_latest_outcomes_diagnoses_stuck_and_idle():
    ex = [("01_activations", "test_sigmoid"), ("01_activations", "test_tanh")]
    students = {"ann", "ben", "cleo", "dan"}
    t0 = 1000.0
    rows = [
        (t0, "ann", "d", "01_activations", "test_sigmoid", "fail", "likely bug", "sign?"),
        (t0 + 60, "ben", "d", "01_activations", "test_sigmoid", "fail", "likely bug", "sign?"),
        (t0 + 120, "ann", "d", "01_activations", "test_sigmoid", "fail", "likely bug", "sign?"),
        (t0 + 180, "cleo", "d", "01_activations", "test_sigmoid", "pass", None, None),
        (t0 + 200, "ben", "d", "01_activations", "test_sigmoid", "pass", None, None),
        (t0 + 210, "cleo", "d", "01_activations", "test_tanh", "fail", "check", None),
        (t0 + 220, "zed", "d", "01_activations", "test_tanh", "pass", None, None),   # not ours
    ]
    s = board.board_state(rows, ex, students, now=t0 + 750)
    sig, tanh = s["exercises"]
    assert (sig["pass"], sig["fail"], sig["not_reached"]) == (2, 1, 1)
    assert (tanh["pass"], tanh["fail"], tanh["not_reached"]) == (0, 1, 3)
    assert s["diagnoses"][0]["students"] == ["ann"] and s["diagnoses"][0]["diagnosis"] == "sign?"
    assert {d["diagnosis"] for d in s["diagnoses"]} == {"sign?", "(check)"}
    # ann has failed test_sigmoid since t0 (two fails in a row): the longest streak
    assert s["stuck"][0] == {"student": "ann", "exercise": "01_activations/test_sigmoid",
                             "minutes": 12.5}
    # dan never ran anything; ann's last run is 10.5 min old (more than 10), ben's 9
    # and cleo's 9 are not
    assert [x["student"] for x in s["idle"]] == ["ann", "dan"]
    assert [p[1] for p in s["timeline"]] == [1, 2] and s["students"] == 4


def test_records_survive_a_restart_and_export_as_csv(tmp_path):
    store = board.Store(tmp_path / "board.sqlite")
    store.add("ann", "day1_forward", json.loads(_body()), received=1_800_000_000.0)
    store.db.close()
    again = board.Store(tmp_path / "board.sqlite")
    assert again.rows("day1_forward")[0][1:6] == ("ann", "day1_forward", "01_activations",
                                                  "test_sigmoid", "fail")
    assert again.export(tmp_path / "b.csv") == 1
    with open(tmp_path / "b.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["student"] == "ann" and rows[0]["received_utc"] == "2027-01-15T08:00:00"
    assert rows[0]["diagnosis"] == "forgot the minus sign?"


def test_a_flooding_student_is_slowed_and_the_others_are_not(tmp_path):
    b = board.Board(CourseDir(tmp_path / "course"), {"lektor"}, authenticate=None)
    allowed = sum(b.allow("ann") for _ in range(200))
    assert board.BURST <= allowed <= board.BURST + 2
    assert b.allow("ben")
    assert not b.allow("ann")


def test_the_service_refuses_what_it_must_and_keeps_what_it_takes(tmp_path):
    """The tornado app itself, with a hub that knows two tokens."""
    tornado = pytest.importorskip("tornado")
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError
    from tornado.testing import bind_unused_port

    course = CourseDir(tmp_path / "course")
    with course.gradebook() as gb:
        for sid in ("ann", "ben"):
            gb.update_or_create_student(sid)
    release = course.release("day1_forward")
    release.mkdir(parents=True)
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "checks.call(sigmoid, z)", metadata={"nbgrader": {"grade": True, "solution": False,
                                                          "grade_id": "test_sigmoid",
                                                          "points": 1}})])
    nbformat.write(nb, str(release / "01_activations.ipynb"))
    tokens = {"t-ann": "ann", "t-ben": "ben", "t-eve": "eve"}

    async def authenticate(token):
        return tokens.get(token)

    async def run():
        b = board.Board(course, {"lektor"}, authenticate)
        app = board.make_app(b, "/services/board/", b"0" * 32)
        sock, port = bind_unused_port()
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets([sock])
        url = f"http://127.0.0.1:{port}/services/board/api/records"
        client = AsyncHTTPClient()

        async def post(token, body):
            headers = {"Authorization": f"token {token}"} if token else {}
            try:
                r = await client.fetch(url, method="POST", body=body, headers=headers,
                                       raise_error=False)
                return r.code
            except HTTPClientError as exc:
                return exc.code
        try:
            codes = {
                "ann": await post("t-ann", _body(diagnosis=None, check="check")),
                "no token": await post(None, _body()),
                "a token of no one": await post("forged", _body()),
                "not a student": await post("t-eve", _body()),
                "huge": await post("t-ben", b"{" + b" " * 5000 + b"}"),
                "code": await post("t-ben", _body(diagnosis="import os; os.system('x')")),
            }
            flood = [await post("t-ann", _body(status="pass")) for _ in range(60)]
            codes["ben after ann's flood"] = await post("t-ben", _body(status="pass"))
            page = await client.fetch(f"http://127.0.0.1:{port}/services/board/",
                                      raise_error=False, follow_redirects=False)
            return codes, flood, page.code, b.store.rows("day1_forward")
        finally:
            server.stop()

    import tornado.httpserver  # noqa: F401
    codes, flood, page, rows = asyncio.run(run())
    assert codes == {"ann": 204, "no token": 403, "a token of no one": 403, "not a student": 403,
                     "huge": 400, "code": 400, "ben after ann's flood": 204}, codes
    assert 429 in flood and flood.count(204) >= board.BURST - 2
    assert page in (302, 403, 500) and page != 200      # no page without the hub's login
    students = [r[1] for r in rows]
    assert set(students) == {"ann", "ben"} and "eve" not in students


def test_grader_board_export_writes_the_records_or_says_there_are_none(tmp_path, capsys):
    from grader.cli import main

    root = tmp_path / "course"
    assert main(["--root", str(root), "board", "--export"]) == 1
    assert "no board records" in capsys.readouterr().err
    board.Store(root / "board.sqlite").add("ann", "day1_forward", json.loads(_body()))
    assert main(["--root", str(root), "board", "--export", "--to", str(tmp_path / "o.csv")]) == 0
    assert "1 record(s) written" in capsys.readouterr().out
    assert "ann,day1_forward,01_activations,test_sigmoid,fail" in (tmp_path / "o.csv").read_text()
