"""The live board under a class: 30 students each reporting every 2 s, for 5 minutes.

    .venv/bin/python bench/board_load.py [--students 30] [--every 2] [--minutes 5]

Runs the board's service (grader/board.py) on this machine with a course of its own (a
released Day 1, the students in its gradebook) and the hub's token check replaced by a
table of tokens, opens the page's event stream as the lecturer's browser does, and lets
every student post a record (a random exercise, pass or fail with a library diagnosis)
every ``--every`` seconds, each from a thread of its own.  Each record's time from being
sent to the first event that shows it is measured on the stream.

Prints p50 / p99 / max of that time, the records sent, accepted, refused and shown, and
the service's resident memory.  Goals (issue 26): p99 <= 1 s, nothing dropped, <= 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SERVICE = textwrap.dedent("""
    import asyncio, json, sys
    from pathlib import Path
    import tornado.httpserver
    from grader import board
    from grader.coursedir import CourseDir
    from jupyterhub.services import auth

    root, port, tokens = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    auth.HubOAuthenticated.get_current_user = lambda self: {"name": "lektor"}

    async def authenticate(token):
        return tokens.get(token)

    async def main():
        b = board.Board(CourseDir(Path(root)), {"lektor"}, authenticate)
        app = board.make_app(b, "/services/board/", b"0" * 32)
        app.listen(port, address="127.0.0.1")
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
""")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--every", type=float, default=2.0)
    p.add_argument("--minutes", type=float, default=5.0)
    args = p.parse_args(argv)

    from grader.coursedir import CourseDir
    from grader.release import release

    folder = Path(tempfile.mkdtemp(prefix="board-load-"))
    course = CourseDir(folder / "course")
    students = [f"s{i:02d}" for i in range(args.students)]
    proc = None
    try:
        release("day1_forward", course)
        with course.gradebook() as gb:
            for s in students:
                gb.update_or_create_student(s)
        from grader.board import day_exercises
        exercises = day_exercises(course, "day1_forward")
        tokens = {f"token-{s}": s for s in students}
        port = 20000 + random.randrange(20000)
        proc = subprocess.Popen([sys.executable, "-c", SERVICE, str(course.root), str(port),
                                 json.dumps(tokens)], cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout.readline().strip() == "ready"
        base = f"http://127.0.0.1:{port}/services/board/"

        sent: dict[str, float] = {}            # marker -> time sent
        shown: dict[str, float] = {}
        codes: dict[int, int] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def listen():
            """The lecturer's page: each event is the whole state; a record is shown when
            its marker (a unique diagnosis) first appears."""
            with urllib.request.urlopen(base + "api/events", timeout=600) as stream:
                for raw in stream:
                    line = raw.decode().strip()
                    if not line.startswith("data: "):
                        continue
                    now = time.monotonic()
                    state = json.loads(line[6:])
                    with lock:
                        for record in state["recent"]:
                            marker = record[4]
                            if marker in sent and marker not in shown:
                                shown[marker] = now
                    if stop.is_set() and len(shown) >= len(sent):
                        return

        def student(sid: str):
            rng = random.Random(sid)
            time.sleep(rng.random() * args.every)
            n = 0
            while not stop.is_set():
                notebook, grade_id = rng.choice(exercises)
                marker = f"{sid} mistake {n}"        # unique: the stream shows when it lands
                body = json.dumps({"notebook": notebook, "grade_id": grade_id,
                                   "status": "fail", "check": "likely bug",
                                   "diagnosis": marker, "time": time.time()}).encode()
                req = urllib.request.Request(base + "api/records", data=body, method="POST",
                                             headers={"Authorization": f"token token-{sid}"})
                with lock:
                    sent[marker] = time.monotonic()
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        code = r.status
                except urllib.error.HTTPError as exc:
                    code = exc.code
                except OSError:
                    code = 0
                with lock:
                    codes[code] = codes.get(code, 0) + 1
                    if code != 204:
                        sent.pop(marker, None)
                n += 1
                stop.wait(args.every)

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(0.5)
        threads = [threading.Thread(target=student, args=(s,)) for s in students]
        for t in threads:
            t.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for t in threads:
            t.join()
        deadline = time.monotonic() + 10
        while len(shown) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.2)
        memory = rss_mb(proc.pid)
        delays = sorted(shown[m] - sent[m] for m in shown)
        print(f"board under {args.students} students reporting every {args.every:g} s for "
              f"{args.minutes:g} min ({os.cpu_count()} cores)")
        print(f"  records sent {sum(codes.values())}: " + ", ".join(
            f"{n} × HTTP {c}" for c, n in sorted(codes.items())))
        if delays:
            print(f"  sent -> shown on the page: p50 {1000 * statistics.median(delays):.0f} ms, "
                  f"p99 {1000 * delays[int(0.99 * (len(delays) - 1))]:.0f} ms, "
                  f"max {1000 * delays[-1]:.0f} ms over {len(delays)} records "
                  f"(goal p99 <= 1000 ms)")
        print(f"  accepted but never shown: {len(sent) - len(shown)}")
        print(f"  service memory: {memory:.0f} MB (goal <= 100 MB)")
        return 0 if codes.get(204, 0) == sum(codes.values()) else 1
    finally:
        if proc is not None:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
