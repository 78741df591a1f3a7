"""A class of 30 on the classroom hub, all at once, on this machine.

    sudo .venv/bin/python bench/hub_class.py [--students 30]

Makes the roster's accounts (prefix ``bph`` and a random tag, removed at the end), starts the
hub (grader/hub.py) on a free port, releases Day 1 to the exchange, and then every student,
each in a thread of their own, at the same moment: logs in on the login form, waits for
their server, fetches Day 1 and submits it through the server's REST API (what the
Assignments tab calls).  Meanwhile the hub's API is asked every half second how it is.

Prints the time until all servers were ready and until all had submitted, the memory of
an idle student server (its processes' resident memory, after the rush), and the hub's
response times under the load; and every request that failed.  Goals (issue 19): all ready
in <= 3 min, <= 150 MB per idle server, no request failing.
"""

from __future__ import annotations

import argparse
import csv
import os
import pwd
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import hub as classroom  # noqa: E402
from grader.coursedir import CourseDir  # noqa: E402

DAY = "day1_forward"


def rss_mb(user: str) -> float:
    """Resident memory of all of the user's processes, in MB."""
    uid = pwd.getpwnam(user).pw_uid
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid != uid:
                continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--ready-s", type=float, default=600)
    args = p.parse_args(argv)
    if os.geteuid() != 0:
        print("run as root: the benchmark makes OS accounts", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="bph-hub-", dir="/tmp"))
    os.chmod(folder, 0o755)
    hub = classroom.Hub(folder / "hub")
    course = CourseDir(folder / "course")
    course.root.mkdir()
    os.chmod(course.root, 0o700)
    tag = "bph" + secrets.token_hex(2)
    roster = folder / "roster.csv"
    students = [f"{tag}-{i:02d}" for i in range(args.students)]
    with open(roster, "w", newline="") as f:
        csv.writer(f).writerows([[f"Student {i}", s] for i, s in enumerate(students)])
    port = 18000 + secrets.randbelow(20000)
    running = None
    failures: list[str] = []
    try:
        t0 = time.monotonic()
        report = classroom.create_accounts(hub, roster, course)
        print(f"{len(students)} accounts and gradebook entries made in "
              f"{time.monotonic() - t0:.1f} s")
        with open(report.passwords, newline="") as f:
            passwords = {r["student_id"]: r["first_password"] for r in csv.DictReader(f)}
        classroom.lock_repository(hub)
        classroom.prepare(hub, "127.0.0.1", port)
        running = classroom.HubProcess(hub, port, folder / "jupyterhub.log").start()
        classroom.release_to_exchange(hub, DAY, course)

        ready, done, latencies = {}, {}, []
        stop = threading.Event()

        def watch():
            import requests
            while not stop.is_set():
                start = time.monotonic()
                try:
                    r = requests.get(f"{running.base}/hub/api/", timeout=30)
                    if r.status_code != 200:
                        failures.append(f"hub API: HTTP {r.status_code}")
                except requests.RequestException as exc:
                    failures.append(f"hub API: {exc}")
                latencies.append(time.monotonic() - start)
                stop.wait(0.5)

        def student(sid: str, start: float):
            try:
                _, api = classroom.student_session(running.base, sid, passwords[sid],
                                                   args.ready_s)
                ready[sid] = time.monotonic() - start
                for action in ("fetch", "submit"):
                    r = api("POST", f"assignments/{action}",
                            data={"course_id": classroom.COURSE_ID, "assignment_id": DAY})
                    body = r.json() if r.headers.get("content-type", "").startswith(
                        "application/json") else {}
                    if r.status_code != 200 or body.get("success") is False:
                        failures.append(f"{sid} {action}: HTTP {r.status_code} "
                                        f"{str(body.get('value', r.text))[:200]}")
                        return
                done[sid] = time.monotonic() - start
            except Exception as exc:   # every failure is counted and shown
                failures.append(f"{sid}: {type(exc).__name__}: {exc}")

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.monotonic()
        threads = [threading.Thread(target=student, args=(s, start)) for s in students]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        watcher.join()
        time.sleep(10)                     # the rush is over: idle servers
        memory = [rss_mb(s) for s in students if s in ready]

        inbound = hub.exchange / classroom.COURSE_ID / "inbound"
        submitted = {p.name.split("+")[0] for p in inbound.iterdir()}
        print(f"\nclass of {len(students)} on {os.cpu_count()} cores, hub on {running.base}")
        print(f"  servers ready:        {len(ready)}/{len(students)}, the last after "
              f"{max(ready.values(), default=float('nan')):.1f} s (goal <= 180 s)")
        print(f"  fetched and submitted: {len(done)}/{len(students)}, the last after "
              f"{max(done.values(), default=float('nan')):.1f} s; "
              f"{len(submitted & set(students))} submissions on the exchange")
        if memory:
            print(f"  idle server memory:   median {statistics.median(memory):.0f} MB, "
                  f"max {max(memory):.0f} MB (goal <= 150 MB)")
        if latencies:
            lat = sorted(latencies)
            print(f"  hub API under load:   median {1000 * statistics.median(lat):.0f} ms, "
                  f"95th percentile {1000 * lat[int(0.95 * (len(lat) - 1))]:.0f} ms, "
                  f"max {1000 * lat[-1]:.0f} ms over {len(lat)} requests")
        print(f"  failed requests:      {len(failures)}")
        for f in failures[:20]:
            print(f"    {f}")
        return 1 if failures or len(done) < len(students) else 0
    finally:
        if running is not None:
            running.stop()
        for s in students:
            subprocess.run(["pkill", "-KILL", "-u", s], capture_output=True)
        try:
            classroom.remove_accounts(hub, roster, course)
        except classroom.HubError as exc:
            print(f"removing the accounts: {exc}", file=sys.stderr)
        classroom.unlock_repository(hub)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
