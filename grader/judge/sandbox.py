"""A process that runs student code and nothing else, and the trusted side's handle on it.

Under bubblewrap the sandbox sees a read-only Python with NumPy, the course
toolkit and the worker, an empty /tmp, no network, its own PID namespace, and
nothing of the repository, the solutions, the notebooks, the gradebook or other
students' files.  Limits: address space, CPU time, file size, process count (a
pids cgroup when one can be made, RLIMIT_NPROC otherwise), and a wall-clock
timeout on every request.  When a request fails by timeout or crash, the whole
process group is killed; the runner then starts a fresh sandbox and replays the
student's cells (``runner._Session``).

Requests: run one cell (``run_cell``), call one student function (``call``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import wire

HERE = Path(__file__).resolve().parent
_warned = False


@dataclass
class Limits:
    memory_bytes: int = 3 << 30       # address space of the sandbox process
    cpu_seconds: int = 600            # CPU time over the sandbox's whole life
    file_bytes: int = 64 << 20        # largest file it may write (in its own /tmp)
    processes: int = 64               # processes and threads
    cell_seconds: float = 60.0        # running one of the student's cells
    call_seconds: float = 20.0        # one call of a student function
    test_seconds: float = 90.0        # all student calls of one test cell together
    notebook_seconds: float = 300.0    # one notebook of it, every restart
    submission_seconds: float = 600.0  # the whole submission, every notebook, every restart


class SandboxError(Exception):
    """The sandbox failed a request: crashed, timed out, or answered garbage."""

    def __init__(self, kind: str, message: str):
        self.kind = kind            # crash | timeout | protocol
        super().__init__(message)


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def _site_packages():
    import numpy

    return Path(numpy.__file__).resolve().parent.parent


def _course_dir():
    import course.checks

    return Path(course.checks.__file__).resolve().parent


def _pids_cgroup(limit: int) -> Path | None:
    """A pids cgroup (v1 or v2) capped at ``limit`` tasks, or None where we may not make one."""
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        try:
            controllers = base / "cgroup.subtree_control"
            if base.name != "pids" and not (controllers.exists()
                                            and "pids" in controllers.read_text().split()):
                continue
            group = base / f"backprop-judge-{uuid.uuid4().hex[:12]}"
            group.mkdir()
            (group / "pids.max").write_text(str(limit))
            return group
        except OSError:
            continue
    return None


class Sandbox:
    """One sandbox process.  references: paths of the reference modules (earlier days')
    that student code may import as ``solutions.<name>``."""

    def __init__(self, limits: Limits | None = None, isolate: bool = True,
                 references: list[str] = ()):
        self.references = [Path(r) for r in references]
        self.limits = limits or Limits()
        self.isolate = isolate
        self.proc: subprocess.Popen | None = None
        self.cgroup: Path | None = None
        self.tmp: Path | None = None

    # lifecycle -------------------------------------------------------------
    def _command(self, tmp: Path, fds=("3", "4")) -> list[str]:
        py = sys.executable
        worker = ["-B"]
        if self.isolate and bubblewrap():
            site = _site_packages()
            base = Path(sys.base_prefix).resolve()
            prefix = Path(sys.prefix)
            cmd = [bubblewrap(), "--unshare-all", "--die-with-parent", "--new-session",
                   "--ro-bind", "/usr", "/usr",
                   "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                   "--symlink", "usr/bin", "/bin",
                   # /tmp first: a bind below it (a checkout or venv in /tmp) must stay visible.
                   "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                   "--ro-bind", str(base), str(base)]
            if prefix.resolve() != base:
                cmd += ["--ro-bind", str(prefix), str(prefix)]
            if not str(site).startswith((str(base), str(prefix))):
                cmd += ["--ro-bind", str(site), str(site)]
            cmd += ["--ro-bind", str(tmp / "lib"), "/judge-lib"]
            cmd += ["--tmpfs", str(site / "torch"),
                    # The toolkit at /judge-lib/course: importable whatever way it is
                    # installed here (editable, a checkout on PYTHONPATH, a worktree).
                    "--ro-bind", str(_course_dir()), "/judge-lib/course",
                    "--ro-bind", str(HERE), "/judge",
                    "--chdir", "/tmp", "--clearenv",
                    "--setenv", "HOME", "/tmp", "--setenv", "PATH", "/usr/bin:/bin"]
            for k, v in dict(self._env(), JUDGE_LIB="/judge-lib").items():
                cmd += ["--setenv", k, v]
            return cmd + [py, *worker, "/judge/worker.py", *fds, run_tag()]
        return [py, *worker, str(HERE / "worker.py"), *fds, run_tag()]

    def _env(self):
        return {"JUDGE_REFERENCES": ",".join(r.stem for r in self.references),
                "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
                "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}

    def start(self) -> None:
        global _warned
        if self.isolate and not bubblewrap() and not _warned:
            print("warning: bubblewrap (bwrap) is not installed: student code runs with resource "
                  "limits only, without filesystem and network isolation. Install it with "
                  "`apt-get install bubblewrap`.", file=sys.stderr)
            _warned = True
        self.tmp = Path(tempfile.mkdtemp(prefix="judge-"))
        lib = self.tmp / "lib" / "solutions"
        lib.mkdir(parents=True)
        if self.isolate and bubblewrap():
            (self.tmp / "lib" / "course").mkdir()        # where bubblewrap mounts the toolkit
        else:
            (self.tmp / "lib" / "course").symlink_to(_course_dir(), target_is_directory=True)
        (lib / "__init__.py").write_text("")
        for path in self.references:
            shutil.copy2(path, lib / path.name)
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        limits = self.limits
        self.cgroup = _pids_cgroup(limits.processes)
        cgroup = self.cgroup

        def preexec():
            import resource

            if cgroup is not None:
                (cgroup / "cgroup.procs").write_text(str(os.getpid()))
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if os.getuid() != 0:
                nproc = limits.processes + _count_own_processes()
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        env = dict(self._env(), PATH="/usr/bin:/bin", HOME=str(self.tmp),
                   JUDGE_LIB=str(self.tmp / "lib"))
        self.proc = subprocess.Popen(
            self._command(self.tmp, (str(req_r), str(rep_w))), cwd=self.tmp, env=env, pass_fds=(req_r, rep_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=preexec, start_new_session=True, close_fds=True)
        os.close(req_r)
        os.close(rep_w)
        self._requests, self._replies = req_w, rep_r
        # Alive and answering before any student code runs: a sandbox that cannot start
        # is the judge's failure, never blamed on the first cell.
        self.request({"op": "ping"}, 60.0)

    @staticmethod
    def _kill(proc) -> int | None:
        """Kill the sandbox's process group; its exit status if it had ended by itself."""
        status = proc.poll()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        return status if status is not None else proc.returncode

    def close(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            self._kill(proc)
            for fd in (self._requests, self._replies):
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.cgroup is not None:
            _kill_cgroup(self.cgroup)
            self.cgroup = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # requests -----------------------------------------------------------------
    def request(self, message: dict, timeout: float) -> dict:
        if self.proc is None:
            raise SandboxError("crash", "the sandbox is not running")
        nonce = secrets.token_hex(16)
        message = dict(message, nonce=nonce)
        try:
            wire.write_frame(self._requests, message)
        except (BrokenPipeError, OSError):
            self._fail()
            raise SandboxError("crash", f"the student's process had ended "
                                        f"({self._exit_description()})")
        try:
            reply = wire.read_frame(self._replies, deadline=time.monotonic() + timeout)
        except TimeoutError:
            self._fail()
            raise SandboxError("timeout", f"no answer within {timeout:g} s (an endless loop, "
                                          f"or far too slow); the process was stopped")
        except EOFError:
            self._fail()
            raise SandboxError("crash", f"the student's process ended "
                                        f"({self._exit_description()})")
        except wire.WireError as exc:
            self._fail()
            raise SandboxError("protocol", f"the student's process sent an unreadable reply: {exc}")
        if not isinstance(reply, dict) or reply.get("nonce") != nonce:
            self._fail()
            raise SandboxError("protocol", "the student's process sent a reply that does not "
                                           "answer the request (output written to the grader's "
                                           "channel?)")
        return reply

    def _fail(self):
        if self.proc is not None:
            self._exit = self._kill(self.proc)
        self.close()

    def _exit_description(self):
        code = getattr(self, "_exit", None)
        if code is None and self.proc is not None:
            code = self.proc.poll()
        if code is None:
            return "no exit status"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def run_cell(self, cell_id: str, source: str, timeout: float | None = None,
                 soft: float | None = None) -> dict:
        """Run one of the student's cells: {"cell": {id, status, error, stdout},
        "functions": [names of the student's functions defined so far]}.  soft: seconds
        after which the worker interrupts the cell, undoes the names it bound and answers
        status "timeout", the process still running."""
        message = {"op": "cell", "id": cell_id, "source": source}
        if soft:
            message["soft"] = float(soft)
        return self.request(message, timeout or self.limits.cell_seconds)

    def reset(self, timeout: float = 10.0) -> None:
        """A fresh namespace for the next notebook of the same submission: its modules
        stay imported, its functions and variables are gone (see worker.py)."""
        self.request({"op": "reset"}, timeout)

    def call(self, name: str, args, kwargs, timeout: float | None = None,
             errstate: dict | None = None, soft: float | None = None) -> dict:
        """Call a student function.  soft: seconds after which the worker interrupts it
        and answers ``{"ok": False, "timeout": True}``, the process still running;
        timeout: when this side gives up and kills the process."""
        message = {"op": "call", "name": name, "args": list(args), "kwargs": dict(kwargs),
                   "errstate": dict(errstate or {})}
        if soft:
            message["soft"] = float(soft)
        return self.request(message, timeout or self.limits.call_seconds)


def _count_own_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def _kill_cgroup(group: Path):
    for _ in range(500):          # SIGKILL takes a moment: up to a second, looked at often
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not pids:
            break
        time.sleep(0.002)
    try:
        group.rmdir()
    except OSError:
        pass


def run_tag() -> str:
    """A word on every sandbox's command line: $BACKPROP_JUDGE_TAG, inherited by workers."""
    return os.environ.get("BACKPROP_JUDGE_TAG", "judge")


def stray_processes(marker: str = "/judge/worker.py", tag: str | None = None) -> list[int]:
    """PIDs of sandbox workers of this run (``run_tag``) still alive; none may outlive grading."""
    tag = tag or run_tag()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if (marker in cmd or str(HERE / "worker.py") in cmd) and cmd.split()[-1:] == [tag]:
            found.append(int(entry))
    return found
