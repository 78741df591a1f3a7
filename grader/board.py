"""The lecturer's live board: where the class is stuck and which mistake it makes, as it
happens (a JupyterHub service, started by ``grader hub``).

Students' kernels post one record per visible test they run (course/report.py) to
``<prefix>api/records`` with their own hub token; the board asks the hub whose token it is,
so no one reports as someone else, and takes records only from the course's students (the
gradebook).  A record holds the exercise, passed / failed / not written yet, the likely
bug's sentence or the kind of check that failed, and the time: never code or values.
Malformed or oversized records get a 4xx and a log line; a student sending a flood is
slowed down (429) without touching the others.  Records are kept in SQLite beside the
gradebook (``<course>/board.sqlite``): the board survives a restart, and ``grader board
--export`` writes them as CSV.

The page (``<prefix>``, the hub's OAuth, instructors only) shows for a day: per exercise
how many pass, fail, have not reached it; the commonest diagnoses now, with who; who is
stuck longest on one exercise and who has run nothing for a while; a timeline of passes.
It updates through server-sent events, without a reload.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import os
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

from .coursedir import CourseDir

log = logging.getLogger("board")

MAX_BODY = 2048
MAX_TEXT = 200
FIELDS = {"notebook", "grade_id", "status", "check", "diagnosis", "time"}
STATUSES = {"pass", "fail", "todo"}
RATE = 2.0           # records per second a student may send, on average ...
BURST = 30           # ... with bursts of this many (a notebook run top to bottom)
IDLE_S = 600         # "has not run anything for a while"
CODE_MARKS = ("def ", "lambda ", "import ", ";", "\n")


class RecordError(ValueError):
    pass


def validate(body: bytes, exercises: dict[str, set[str]]) -> dict:
    """The record in a request body, or RecordError saying what is wrong with it."""
    if len(body) > MAX_BODY:
        raise RecordError(f"record of {len(body)} bytes, more than {MAX_BODY}")
    try:
        record = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RecordError("not a JSON object") from None
    if not isinstance(record, dict):
        raise RecordError("not a JSON object")
    extra = set(record) - FIELDS
    if extra:
        raise RecordError(f"unknown fields {sorted(extra)}")
    for name in ("notebook", "grade_id", "status"):
        if not isinstance(record.get(name), str):
            raise RecordError(f"{name} missing or not a string")
    if record["status"] not in STATUSES:
        raise RecordError(f"status {record['status']!r} is not one of {sorted(STATUSES)}")
    if record["grade_id"] not in exercises.get(record["notebook"], set()):
        raise RecordError(f"no exercise {record['grade_id']!r} in {record['notebook']!r}")
    for name in ("check", "diagnosis"):
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise RecordError(f"{name} must be a string of at most {MAX_TEXT} characters")
        if any(mark in value for mark in CODE_MARKS):
            raise RecordError(f"{name} looks like code; records hold no code")
    return record


class Store:
    """The records, in SQLite."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("""CREATE TABLE IF NOT EXISTS records (
            id INTEGER PRIMARY KEY, received REAL, student TEXT, day TEXT, notebook TEXT,
            grade_id TEXT, status TEXT, check_kind TEXT, diagnosis TEXT)""")
        self.db.commit()

    def add(self, student: str, day: str, record: dict, received: float | None = None):
        self.db.execute(
            "INSERT INTO records (received, student, day, notebook, grade_id, status, "
            "check_kind, diagnosis) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (received or time.time(), student, day, record["notebook"], record["grade_id"],
             record["status"], record.get("check"), record.get("diagnosis")))
        self.db.commit()

    def rows(self, day: str | None = None) -> list[tuple]:
        q = ("SELECT received, student, day, notebook, grade_id, status, check_kind, diagnosis "
             "FROM records")
        args = ()
        if day:
            q, args = q + " WHERE day = ?", (day,)
        return list(self.db.execute(q + " ORDER BY id", args))

    def latest_day(self) -> str | None:
        row = self.db.execute("SELECT day FROM records ORDER BY id DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def export(self, path: Path) -> int:
        rows = self.rows()
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["received_utc", "student", "day", "notebook", "grade_id", "status",
                        "check", "diagnosis"])
            for r in rows:
                w.writerow([time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(r[0])), *r[1:]])
        return len(rows)


def day_exercises(course: CourseDir, day: str) -> list[tuple[str, str]]:
    """(notebook, grade id) of the day's test cells as released, in order."""
    from .notebooks import read_notebook

    out = []
    for path in sorted(course.release(day).glob("*.ipynb")):
        for cell in read_notebook(path).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                out.append((path.stem, meta.get("grade_id", "")))
    return out


def board_state(rows, exercises, students, now: float | None = None) -> dict:
    """What the page shows, from the day's records (oldest first)."""
    now = now or time.time()
    latest = {}                                  # (student, exercise) -> last record
    failing_since = {}                           # (student, exercise) -> start of the streak
    first_pass = {}
    last_seen = {}
    for received, student, _, notebook, grade_id, status, check, diagnosis in rows:
        key = (student, f"{notebook}/{grade_id}")
        latest[key] = (received, status, check, diagnosis)
        last_seen[student] = received
        if status == "fail":
            failing_since.setdefault(key, received)
        else:
            failing_since.pop(key, None)
        if status == "pass":
            first_pass.setdefault(key, received)
    table = []
    diagnoses = defaultdict(list)
    for notebook, grade_id in exercises:
        ex = f"{notebook}/{grade_id}"
        passing = sorted(s for s in students if latest.get((s, ex), (0, None))[1] == "pass")
        failing = sorted(s for s in students if latest.get((s, ex), (0, None))[1] == "fail")
        table.append({"exercise": ex, "pass": len(passing), "fail": len(failing),
                      "not_reached": len(students) - len(passing) - len(failing),
                      "failing": failing})
        for s in failing:
            _, _, check, diagnosis = latest[(s, ex)]
            diagnoses[(ex, diagnosis or f"({check or 'failed'})")].append(s)
    common = sorted(({"exercise": ex, "diagnosis": d, "count": len(who), "students": sorted(who)}
                     for (ex, d), who in diagnoses.items()), key=lambda x: (-x["count"],
                                                                             x["exercise"]))
    stuck = sorted(({"student": s, "exercise": ex, "minutes": round((now - t) / 60, 1)}
                    for (s, ex), t in failing_since.items() if s in students),
                   key=lambda x: -x["minutes"])
    idle = sorted(({"student": s, "minutes": round((now - last_seen[s]) / 60, 1)}
                   if s in last_seen else {"student": s, "minutes": None}
                   for s in students if s not in last_seen or now - last_seen[s] > IDLE_S),
                  key=lambda x: x["student"])
    times = sorted(t for (s, _), t in first_pass.items() if s in students)
    recent = [[received, student, f"{notebook}/{grade_id}", status, diagnosis]
              for received, student, _, notebook, grade_id, status, _, diagnosis in rows[-20:]
              if student in students][::-1]
    return {"students": len(students), "exercises": table, "diagnoses": common[:12],
            "stuck": stuck[:10], "idle": idle, "recent": recent,
            "timeline": [[t, i + 1] for i, t in enumerate(times)], "updated": now}


# --- the service ---------------------------------------------------------------------------


class Board:
    """The service's state: the store, who may report, who may look, and listeners."""

    def __init__(self, course: CourseDir, instructors: set[str], authenticate):
        self.course = course
        self.instructors = set(instructors)
        self.authenticate = authenticate           # token -> user name or None (async)
        self.store = Store(course.root / "board.sqlite")
        self.listeners: set[asyncio.Event] = set()
        self.buckets: dict[str, tuple[float, float]] = {}
        self._students: tuple[float, set[str]] = (0.0, set())
        self._exercises: dict[str, tuple[float, list]] = {}

    def students(self) -> set[str]:
        """The course's students (the gradebook), read again every 10 s."""
        at, known = self._students
        if time.monotonic() - at > 10:
            # the gradebook's own table, read directly: nbgrader's API (SQLAlchemy) would
            # double the service's memory
            try:
                with sqlite3.connect(f"file:{self.course.root / 'gradebook.db'}?mode=ro",
                                     uri=True) as db:
                    known = {row[0] for row in db.execute("SELECT id FROM student")}
            except sqlite3.Error as exc:
                log.warning("gradebook unreadable: %s", exc)
            self._students = (time.monotonic(), known)
        return known

    def exercises(self, day: str) -> list[tuple[str, str]]:
        at, found = self._exercises.get(day, (0.0, []))
        if time.monotonic() - at > 30:
            found = day_exercises(self.course, day)
            self._exercises[day] = (time.monotonic(), found)
        return found

    def released_days(self) -> list[str]:
        base = self.course.root / "release"
        return sorted(p.name for p in base.iterdir()) if base.is_dir() else []

    def day_of(self, notebook: str) -> str | None:
        for day in self.released_days():
            if any(n == notebook for n, _ in self.exercises(day)):
                return day
        return None

    def allow(self, student: str) -> bool:
        """A token bucket per student: RATE records a second, BURST at once."""
        now = time.monotonic()
        tokens, at = self.buckets.get(student, (float(BURST), now))
        tokens = min(BURST, tokens + (now - at) * RATE)
        if tokens < 1:
            self.buckets[student] = (tokens, now)
            return False
        self.buckets[student] = (tokens - 1, now)
        return True

    def state(self, day: str | None) -> dict:
        day = day or self.store.latest_day() or (self.released_days() or [None])[-1]
        if not day:
            return {"day": None, "students": len(self.students()), "exercises": [],
                    "diagnoses": [], "stuck": [], "idle": [], "recent": [], "timeline": [],
                    "days": [], "updated": time.time()}
        state = board_state(self.store.rows(day), self.exercises(day), self.students())
        state.update(day=day, days=self.released_days())
        return state

    def notify(self):
        for event in list(self.listeners):
            event.set()


def make_app(board: Board, prefix: str, cookie_secret: bytes):
    import tornado.web
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

    class Records(tornado.web.RequestHandler):
        def check_xsrf_cookie(self):      # a token, not a cookie, authenticates a record
            pass

        async def post(self):
            header = self.request.headers.get("Authorization", "")
            token = header[6:].strip() if header.lower().startswith("token ") else ""
            student = await board.authenticate(token) if token else None
            if student is None:
                log.warning("record refused: no valid hub token (%s)", self.request.remote_ip)
                raise tornado.web.HTTPError(403, "a student's hub token is needed")
            if student not in board.students():
                log.warning("record refused: %s is not a student of the course", student)
                raise tornado.web.HTTPError(403, f"{student} is not a student of this course")
            if not board.allow(student):
                log.warning("record refused: %s sends too fast", student)
                raise tornado.web.HTTPError(429, "too many records; slow down")
            try:
                day = None
                if len(self.request.body) <= MAX_BODY:
                    peek = json.loads(self.request.body.decode("utf-8"))
                    if isinstance(peek, dict) and isinstance(peek.get("notebook"), str):
                        day = board.day_of(peek["notebook"])
                exercises = defaultdict(set)
                for notebook, grade_id in (board.exercises(day) if day else []):
                    exercises[notebook].add(grade_id)
                record = validate(self.request.body, exercises)
            except (RecordError, UnicodeDecodeError, ValueError) as exc:
                log.warning("record refused from %s: %s", student, exc)
                raise tornado.web.HTTPError(400, str(exc)) from None
            board.store.add(student, day, record)
            board.notify()
            self.set_status(204)

    class Viewer(HubOAuthenticated, tornado.web.RequestHandler):
        def instructor(self):
            user = self.get_current_user()
            if not user:
                return None
            if user.get("name") not in board.instructors:
                raise tornado.web.HTTPError(403, "the board is the instructors'")
            return user

    class Page(Viewer):
        @tornado.web.authenticated
        def get(self):
            self.instructor()
            self.set_header("Content-Type", "text/html; charset=utf-8")
            # The hub's OAuth asks requests other than a page load (the event stream here)
            # for the page's xsrf token.
            token = self.xsrf_token
            token = token.decode() if isinstance(token, bytes) else str(token)
            self.write(PAGE.replace("__PREFIX__", prefix).replace("__XSRF__", token))

    class State(Viewer):
        @tornado.web.authenticated
        def get(self):
            self.instructor()
            self.write(board.state(self.get_argument("day", None)))

    class Events(Viewer):
        @tornado.web.authenticated
        async def get(self):
            self.instructor()
            day = self.get_argument("day", None)
            self.set_header("Content-Type", "text/event-stream")
            self.set_header("Cache-Control", "no-cache")
            event = asyncio.Event()
            board.listeners.add(event)
            try:
                while True:
                    self.write(f"data: {json.dumps(board.state(day))}\n\n")
                    await self.flush()
                    event.clear()
                    try:
                        await asyncio.wait_for(event.wait(), timeout=15)
                    except asyncio.TimeoutError:
                        pass
            except tornado.iostream.StreamClosedError:
                pass
            finally:
                board.listeners.discard(event)

    import tornado.iostream  # noqa: F401  (StreamClosedError above)

    return tornado.web.Application([
        (prefix, Page),
        (prefix + "api/state", State),
        (prefix + "api/events", Events),
        (prefix + "api/records", Records),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
    ], cookie_secret=cookie_secret, xsrf_cookies=False)


def hub_authenticator(api_url: str):
    """token -> the hub user it belongs to (None if none), asked of the hub, cached 60 s."""
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError

    cache: dict[str, tuple[float, str | None]] = {}

    async def authenticate(token: str) -> str | None:
        hit = cache.get(token)
        if hit and time.monotonic() - hit[0] < 60:
            return hit[1]
        try:
            r = await AsyncHTTPClient().fetch(f"{api_url.rstrip('/')}/user", request_timeout=10,
                                              headers={"Authorization": f"token {token}"})
            model = json.loads(r.body)
            name = model.get("name") if model.get("kind", "user") == "user" else None
        except (HTTPClientError, OSError, ValueError):
            name = None
        if len(cache) > 10_000:
            cache.clear()
        cache[token] = (time.monotonic(), name)
        return name
    return authenticate


def serve(course: CourseDir, instructors: set[str], port: int | None = None) -> int:
    """Run the board as the hub's service (its URL, prefix and token come from the hub)."""
    import tornado.ioloop

    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s board] %(message)s")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/board/")
    url = os.environ.get("JUPYTERHUB_SERVICE_URL", f"http://127.0.0.1:{port or 8003}")
    api = os.environ.get("JUPYTERHUB_API_URL", "http://127.0.0.1:8001/hub/api")
    board = Board(course, instructors, hub_authenticator(api))
    app = make_app(board, prefix, os.urandom(32))
    from urllib.parse import urlparse

    where = urlparse(url)
    # a board of a hub that was just stopped may still hold the port for a moment
    deadline = time.monotonic() + 30
    while True:
        try:
            app.listen(port or where.port or 8003, address=where.hostname or "127.0.0.1")
            break
        except OSError as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("port busy (%s), trying again", exc)
            time.sleep(1)
    # the hub's stop takes this process along (grader.hub.HubProcess.stop)
    Path("board.pid").write_text(f"{os.getpid()}\n")
    log.info("board of %s on %s%s", course.root, url, prefix)
    tornado.ioloop.IOLoop.current().start()
    return 0


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Live board</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.2em;color:#222}
h1{font-size:1.3em;margin:0 0 .4em} h2{font-size:1.05em;margin:1.2em 0 .3em}
table{border-collapse:collapse;font-size:.92em} td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.8em;vertical-align:middle}
.p{background:#2a9d4b}.f{background:#d1495b}.r{background:#ccc}
.diag{cursor:pointer} .who{color:#555;font-size:.9em;display:none} .diag.open .who{display:block}
#status{color:#777;font-size:.85em}
.cols{display:flex;gap:2.5em;flex-wrap:wrap}
</style></head><body>
<h1>Live board — <span id="day">…</span> <span id="status">connecting…</span></h1>
<div class="cols"><div>
<h2>Exercises</h2>
<table id="exercises"><thead><tr><th>exercise</th><th>pass</th><th>fail</th>
<th>not reached</th><th></th></tr></thead><tbody></tbody></table>
</div><div>
<h2>Commonest mistakes now</h2><table id="diagnoses"><tbody></tbody></table>
<h2>Stuck longest</h2><table id="stuck"><tbody></tbody></table>
<h2>Nothing run for 10 minutes</h2><div id="idle"></div>
<h2>Passes over time</h2><svg id="timeline" width="420" height="160"></svg>
<h2>Latest</h2><table id="recent"><tbody></tbody></table>
</div></div>
<script>
const prefix = "__PREFIX__";
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
function render(s) {
  document.getElementById("day").textContent = s.day || "no day released";
  const n = Math.max(1, s.students);
  document.querySelector("#exercises tbody").innerHTML = s.exercises.map(e =>
    `<tr data-exercise="${esc(e.exercise)}"><td>${esc(e.exercise)}</td><td class="n pass">${e.pass}</td>` +
    `<td class="n fail">${e.fail}</td><td class="n">${e.not_reached}</td><td>` +
    `<span class="bar p" style="width:${120*e.pass/n}px"></span><span class="bar f" style="width:${120*e.fail/n}px"></span>` +
    `<span class="bar r" style="width:${120*e.not_reached/n}px"></span></td></tr>`).join("");
  const open = new Set([...document.querySelectorAll(".diag.open")].map(r => r.dataset.key));
  document.querySelector("#diagnoses tbody").innerHTML = s.diagnoses.map(d => {
    const key = d.exercise + "|" + d.diagnosis;
    return `<tr class="diag${open.has(key) ? " open" : ""}" data-key="${esc(key)}"><td class="n">${d.count}</td>` +
      `<td><b>${esc(d.exercise)}</b>: ${esc(d.diagnosis)}<div class="who">${d.students.map(esc).join(", ")}</div></td></tr>`;
  }).join("") || "<tr><td>none</td></tr>";
  document.querySelector("#stuck tbody").innerHTML = s.stuck.map(x =>
    `<tr><td>${esc(x.student)}</td><td>${esc(x.exercise)}</td><td class="n">${x.minutes} min</td></tr>`).join("") || "<tr><td>nobody</td></tr>";
  document.getElementById("idle").textContent = s.idle.map(x => x.student).join(", ") || "nobody";
  const svg = document.getElementById("timeline"), t = s.timeline;
  if (t.length) {
    const t0 = t[0][0], t1 = Math.max(t[t.length-1][0], t0 + 60), ymax = Math.max(...t.map(p => p[1]));
    const pts = t.map(p => `${10 + 400*(p[0]-t0)/(t1-t0)},${150 - 140*p[1]/ymax}`).join(" ");
    svg.innerHTML = `<polyline fill="none" stroke="#2a9d4b" stroke-width="2" points="10,150 ${pts}"/>` +
      `<text x="12" y="14" font-size="11">${ymax} passes</text>`;
  } else svg.innerHTML = `<text x="12" y="80" font-size="12">no pass yet</text>`;
  document.querySelector("#recent tbody").innerHTML = (s.recent || []).slice(0, 8).map(r =>
    `<tr><td>${new Date(r[0]*1000).toLocaleTimeString()}</td><td>${esc(r[1])}</td><td>${esc(r[2])}</td>` +
    `<td>${esc(r[3])}</td></tr>`).join("");
  document.getElementById("status").textContent = "live · " + new Date(s.updated*1000).toLocaleTimeString();
}
document.addEventListener("click", ev => { const r = ev.target.closest(".diag"); if (r) r.classList.toggle("open"); });
const day = new URLSearchParams(location.search).get("day");
const query = new URLSearchParams({_xsrf: "__XSRF__"});
if (day) query.set("day", day);
const source = new EventSource(prefix + "api/events?" + query.toString());
source.onmessage = ev => render(JSON.parse(ev.data));
source.onerror = () => { document.getElementById("status").textContent = "reconnecting…"; };
</script></body></html>
"""
