"""Collect handed-in notebooks into nbgrader's ``submitted/<student>/<day>/`` folders.

Students of an in-person course hand in files: an upload folder, a zip downloaded
from a learning platform (``novak_jan_01_activations.ipynb``, ``Novák Jan -
01_activations (1).ipynb``, ``Jan Novák_123_assignsubmission_file_01_activations.ipynb``,
one folder or one zip per student, zips inside zips).  ``collect`` finds every file,
decides whose it is and which released notebook it is, and writes it as
``submitted/<student>/<day>/<notebook as released>.ipynb`` with nbgrader's
``timestamp.txt``, so that ``grader autograde`` and nbgrader's late penalties see it:

1. **find** every file under each path (folders, zips, zips inside zips, read in
   memory: nothing is extracted, so a name inside a zip can never write elsewhere),
   with its time: the zip entry's time (zips store local time, read as this
   machine's), else the file's modification time;
2. **name** it: the file-name pattern (``--pattern``, a regex with the named groups
   ``notebook`` and, optionally, ``student``) is searched in the file name without
   ``.ipynb`` and without a ``Copy of`` prefix.  The ``notebook`` group is matched
   to the day's released names ignoring case, punctuation and anything around them
   (`` (1)``, ``_final``).  With no ``student`` group, or an empty one, the student
   is the nearest folder (or zip) that holds the file and is not the day's folder.
   The student's id is the name in lowercase ASCII, diacritics removed (``Novák
   Jan`` → ``novak_jan``), or what ``--student-map`` says for it;
3. **check** that it is a notebook (JSON with a list of cells);
4. **place** it: of two copies of one student's notebook the newer wins and the
   other is reported; a file already in ``submitted/`` is replaced only by a newer
   one (a newer one in place is kept and the incoming file reported), never
   silently; ``timestamp.txt`` holds the newest time of the student's notebooks.

Everything that is not placed is reported with the reason.

Why not nbgrader's ``zip_collect`` (``ZipCollectApp`` with ``ExtractorPlugin`` and
``FileNameCollectorPlugin``): its layout and ``timestamp.txt`` are the ones written
here, but its steps do not fit handed-in files as they come:

- the extractor unpacks with setuptools' ``unpack_archive``, which drops each
  entry's time, so the only time left is one the file name carries (none does here);
- the collector's regex must yield the exact released file name: any other name
  (``(1)``, other case, a prefix) is copied under its own name or, with
  ``--strict``, skipped with a log line; ids are used as written (``Novák Jan``);
- it keeps one timestamp per student, and two copies of a notebook without
  timestamps in their names stop the whole run;
- placing a student clears their ``submitted`` folder (``--force``) or stops when it
  is not empty, so one late notebook cannot be added to a submission, and a newer
  submission in place is never compared with the incoming one;
- what it skipped is only in its log, not in a report.
What is reused: nbgrader's folder layout and its ``timestamp.txt`` format (the one
``nbgrader submit`` writes), and its gradebook for the due date (``--deadline``, ``record_deadline``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from .coursedir import CourseDir
from .days import Day
from .progress import Progress

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
# A learning platform's decoration around a student's name (Moodle's assignment export).
_PLATFORM_SUFFIX = re.compile(r"_\d+_assignsubmission_\w*$", re.I)
_COPY_PREFIX = re.compile(r"^(copy of|kopie)\s+", re.I)
_NOT_DECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss",
                                 "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE", "œ": "oe"})

# reasons a file is not placed (the report groups by them)
NOT_NOTEBOOK = "not a notebook"
UNREADABLE = "unreadable JSON"
UNKNOWN_NOTEBOOK = "unknown notebook"
NO_STUDENT = "no student"
NOT_IN_MAP = "student not in the student map"
NEWER_IN_PLACE = "a newer submission is already in place"
SKIPPED = "hidden or system file"


class CollectError(ValueError):
    """Bad input to collect (a path, a pattern, a map, a deadline); the message says what to do."""


# --- names -------------------------------------------------------------------------------


def student_id(name: str) -> str:
    """``Novák Jan`` → ``novak_jan``: lowercase ASCII, diacritics removed, words joined by ``_``."""
    name = _PLATFORM_SUFFIX.sub("", name.strip())
    ascii_ = unicodedata.normalize("NFKD", name.translate(_NOT_DECOMPOSED))
    ascii_ = ascii_.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9.-]+", "_", ascii_).strip("._-")


def _key(text: str) -> str:
    """Text compared with released names: lowercase ASCII words joined by ``_``."""
    return "_" + re.sub(r"[^a-z0-9]+", "_", student_id(text).lower()).strip("_") + "_"


def match_notebook(text: str, released: list[str]) -> str | None:
    """The released notebook name (``01_activations.ipynb``) that ``text`` names, or None.

    Case, punctuation and anything around the name are ignored (``Copy of
    01_Activations (1)``); of several released names found, the longest wins.
    """
    key = _key(text)
    hits = [n for n in released if _key(Path(n).stem) in key]
    if not hits:
        return None
    hits.sort(key=lambda n: len(_key(Path(n).stem)), reverse=True)
    return hits[0]


def default_pattern(released: list[str]) -> str:
    """Anything before a released name is the student: ``novak_jan_01_activations``."""
    names = "|".join(r"[\W_]+".join(re.escape(w) for w in re.split(r"[\W_]+", Path(n).stem) if w)
                     for n in sorted(released, key=len, reverse=True))
    return rf"^(?P<student>.*?)[\W_]*(?P<notebook>{names})"


def compile_pattern(pattern: str | None, released: list[str]) -> re.Pattern:
    text = pattern or default_pattern(released)
    try:
        compiled = re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise CollectError(f"--pattern {text!r} is not a regular expression: {exc}") from None
    if "notebook" not in compiled.groupindex:
        raise CollectError(f"--pattern {text!r} has no group (?P<notebook>...); it needs one "
                           f"for the notebook's name and may have (?P<student>...)")
    return compiled


def read_student_map(path: Path) -> dict[str, str]:
    """CSV rows ``name,student_id`` (a header row is allowed): name as found → nbgrader id."""
    try:
        rows = list(csv.reader(Path(path).read_text(encoding="utf-8-sig").splitlines()))
    except OSError as exc:
        raise CollectError(f"cannot read the student map {path}: {exc}") from None
    out = {}
    for number, row in enumerate(rows, 1):
        row = [c.strip() for c in row]
        if not any(row):
            continue
        if len(row) < 2 or not row[1]:
            raise CollectError(f"{path}, line {number}: expected 'name,student_id', got {row}")
        if number == 1 and row[1].lower().replace(" ", "_") in ("student_id", "id", "student"):
            continue
        if "/" in row[1] or row[1] in (".", ".."):
            raise CollectError(f"{path}, line {number}: {row[1]!r} cannot be a student id")
        out[student_id(row[0])] = row[1]
    return out


# --- 1. find --------------------------------------------------------------------------------


@dataclass
class Found:
    source: str                      # where it came from, for the report
    parts: tuple[str, ...]           # folders and zips inside the input, the file name last
    time: datetime                   # aware
    size: int
    read: Callable[[], bytes]


def _zip_name(info: zipfile.ZipInfo) -> str:
    # Zips without the UTF-8 flag are decoded as cp437 by Python; most such zips hold UTF-8.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _zip_members(archive: zipfile.ZipFile, label: str, prefix: tuple) -> Iterator[Found]:
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = PurePosixPath(_zip_name(info).replace("\\", "/"))
        parts = prefix + tuple(p for p in name.parts if p not in ("", ".", "..", "/"))
        try:
            when = datetime(*info.date_time).astimezone()
        except ValueError:
            when = datetime.now().astimezone()
        source = f"{label}:{name}"
        if name.suffix.lower() == ".zip" and info.file_size <= MAX_ARCHIVE_BYTES:
            try:
                inner = zipfile.ZipFile(io.BytesIO(archive.read(info)))
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                yield Found(source, parts, when, info.file_size, _raiser(exc))
                continue
            yield from _zip_members(inner, source, parts[:-1] + (name.stem,))
            continue
        yield Found(source, parts, when, info.file_size,
                    lambda a=archive, i=info: a.read(i))


def _raiser(exc):
    def read():
        raise exc
    return read


def _file(path: Path, parts: tuple) -> Found:
    stat = path.stat()
    return Found(str(path), parts, datetime.fromtimestamp(stat.st_mtime, timezone.utc),
                 stat.st_size, path.read_bytes)


def find(paths: list[Path]) -> Iterator[Found]:
    """Every file under the paths: folders walked, zips (and zips inside them) read."""
    for path in map(Path, paths):
        if not path.exists():
            raise CollectError(f"{path} does not exist; give folders, zips or notebooks")
        files = [(path, ())] if path.is_file() else [
            (p, p.relative_to(path).parts) for p in sorted(path.rglob("*")) if p.is_file()]
        for file, parts in files:
            parts = parts or (file.name,)
            if file.suffix.lower() == ".zip":
                try:
                    archive = zipfile.ZipFile(file)
                except (zipfile.BadZipFile, OSError) as exc:
                    yield Found(str(file), parts, datetime.now(timezone.utc), 0, _raiser(exc))
                    continue
                # The zip's own name is a folder level only inside a folder (one zip per
                # student); a zip given on the command line is the whole class.
                yield from _zip_members(archive, str(file),
                                        parts[:-1] + ((file.stem,) if path.is_dir() else ()))
            else:
                yield _file(file, parts)


# --- 2. name, 3. check ------------------------------------------------------------------------


@dataclass
class Placed:
    student: str
    notebook: str
    source: str
    time: datetime
    status: str = "new"              # new | replaced | unchanged


@dataclass
class CollectReport:
    day: str
    submitted: Path
    placed: list[Placed] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)   # (source, reason, detail)
    duplicates: list[tuple[str, str]] = field(default_factory=list)      # (dropped, kept)
    deadline: datetime | None = None

    @property
    def students(self) -> dict[str, list[Placed]]:
        out: dict[str, list[Placed]] = {}
        for p in sorted(self.placed, key=lambda p: (p.student, p.notebook)):
            out.setdefault(p.student, []).append(p)
        return out

    def late(self) -> dict[str, datetime]:
        if self.deadline is None:
            return {}
        return {s: max(p.time for p in ps) for s, ps in self.students.items()
                if max(p.time for p in ps) > self.deadline}

    def format(self, per_reason: int = 8) -> str:
        students = self.students
        changed = [p for p in self.placed if p.status != "unchanged"]
        lines = [f"collect {self.day}: {len(changed)} notebook(s) placed, "
                 f"{len(self.placed) - len(changed)} already in place, for {len(students)} "
                 f"student(s) in {self.submitted}/<student>/{self.day}"]
        late = self.late()
        for student, ps in students.items():
            newest = max(p.time for p in ps)
            what = ", ".join(sorted({p.status for p in ps} - {"new"}))
            mark = f"  LATE by {_duration(newest - self.deadline)}" if student in late else ""
            lines.append(f"  {student:<24} {len(ps)} notebook(s)  "
                         f"{newest.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
                         + (f"  ({what})" if what else "") + mark)
        if self.duplicates:
            lines.append(f"duplicates, the newest kept ({len(self.duplicates)}):")
            lines += [f"  {dropped}  (kept {kept})" for dropped, kept in
                      self.duplicates[:per_reason]]
            if len(self.duplicates) > per_reason:
                lines.append(f"  ... and {len(self.duplicates) - per_reason} more")
        if self.rejected:
            lines.append(f"not placed ({len(self.rejected)} file(s)):")
            by_reason: dict[str, list] = {}
            for source, reason, detail in self.rejected:
                by_reason.setdefault(reason, []).append((source, detail))
            for reason, items in by_reason.items():
                lines.append(f"  {reason} ({len(items)}):")
                lines += [f"    {s}" + (f": {d}" if d else "") for s, d in items[:per_reason]]
                if len(items) > per_reason:
                    lines.append(f"    ... and {len(items) - per_reason} more")
        if self.deadline is not None:
            lines.append(f"deadline {self.deadline.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC: "
                         f"{len(late)} late "
                         f"submission(s)")
        return "\n".join(lines)


def _duration(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours < 48 else f"{hours // 24} days"


def _is_hidden(parts: tuple) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _name(found: Found, pattern: re.Pattern, released: list[str], day: str,
          student_map: dict | None) -> tuple[str, str] | tuple[None, str, str]:
    """(student, released notebook name), or (None, reason, detail)."""
    stem = _COPY_PREFIX.sub("", found.parts[-1][: -len(".ipynb")].strip())
    match = pattern.search(stem)
    notebook = match_notebook(match.group("notebook") or "", released) if match else None
    if notebook is None:
        return None, UNKNOWN_NOTEBOOK, f"names none of {', '.join(released)}"
    raw = (match.groupdict().get("student") or "").strip(" _-.")
    if not student_id(raw):
        day_key = _key(day)
        folders = [p for p in reversed(found.parts[:-1]) if _key(p) not in (day_key, "__")]
        raw = folders[0] if folders else ""
    sid = student_id(raw)
    if not sid:
        return None, NO_STUDENT, "no name in the file name and no folder of a student"
    if student_map is not None:
        if sid not in student_map:
            return None, NOT_IN_MAP, f"{raw!r} ({sid})"
        sid = student_map[sid]
    return sid, notebook


def _check(data: bytes) -> str | None:
    """Why the bytes are not a notebook, or None."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return str(exc)[:120]
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "JSON, but no list of cells"
    return None


# --- 4. place -------------------------------------------------------------------------------


def timestamp_text(when: datetime) -> str:
    """nbgrader's own format (what ``nbgrader submit`` writes)."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def read_timestamp(folder: Path) -> datetime | None:
    """The time in ``timestamp.txt`` (nbgrader's format or ISO; UTC unless it says otherwise)."""
    import dateutil.parser

    try:
        text = (folder / "timestamp.txt").read_text().strip()
        when = dateutil.parser.parse(text.replace(" UTC", "+00:00"))
    except (OSError, ValueError, OverflowError):
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when


def parse_deadline(text: str) -> datetime:
    """ISO time; without a zone it is UTC, as nbgrader reads due dates."""
    try:
        when = datetime.fromisoformat(text.strip().replace(" UTC", "+00:00"))
        return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when
    except ValueError:
        raise CollectError(f"--deadline {text!r} is not a time; write e.g. "
                           f"2026-11-27T17:00 (UTC) or 2026-11-27T18:00+01:00") from None


def _write(path: Path, data: bytes, when: datetime):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".collecting")
    tmp.write_bytes(data)
    stamp = when.timestamp()
    os.utime(tmp, (stamp, stamp))
    os.replace(tmp, path)


def released_names(course: CourseDir, day: str) -> list[str]:
    """The day's notebook names as released (the source folder's if not released yet)."""
    names = sorted(p.name for p in course.release(day).glob("*.ipynb"))
    return names or [p.name for p in Day.named(day).notebooks]


def collect(day: str, paths: list[Path], course: CourseDir, pattern: str | None = None,
            deadline: str | datetime | None = None, student_map: Path | dict | None = None,
            quiet: bool = False) -> CollectReport:
    """Place every handed-in notebook under ``paths`` into ``course``'s submitted folder."""
    released = released_names(course, day)
    if not released:
        raise CollectError(f"{day} has no notebooks to collect")
    regex = compile_pattern(pattern, released)
    mapping = read_student_map(student_map) if isinstance(student_map, (str, Path)) \
        else student_map
    report = CollectReport(day, course.root / "submitted")
    if deadline is not None:
        report.deadline = deadline if isinstance(deadline, datetime) else parse_deadline(deadline)
    found = list(find(paths))

    # name and check every file; the newest copy of each (student, notebook) wins
    chosen: dict[tuple[str, str], tuple[Found, bytes]] = {}
    bar = Progress(len(found), f"collect {day}", quiet=quiet)
    for f in found:
        if _is_hidden(f.parts):
            report.rejected.append((f.source, SKIPPED, ""))
            bar.step(f"{f.parts[-1]}: skipped")
            continue
        if not f.parts[-1].lower().endswith(".ipynb"):
            report.rejected.append((f.source, NOT_NOTEBOOK, ""))
            bar.step(f"{f.parts[-1]}: not a notebook")
            continue
        named = _name(f, regex, released, day, mapping)
        if named[0] is None:
            report.rejected.append((f.source, named[1], named[2]))
            bar.step(f"{f.parts[-1]}: {named[1]}")
            continue
        student, notebook = named
        try:
            if f.size > MAX_NOTEBOOK_BYTES:
                raise ValueError(f"{f.size} bytes, more than a notebook of this course holds")
            data = f.read()
        except (OSError, ValueError, zipfile.BadZipFile, RuntimeError) as exc:
            report.rejected.append((f.source, UNREADABLE, f"cannot read: {exc}"))
            bar.step(f"{f.parts[-1]}: unreadable")
            continue
        why = _check(data)
        if why:
            report.rejected.append((f.source, UNREADABLE, why))
            bar.step(f"{f.parts[-1]}: unreadable JSON")
            continue
        key = (student, notebook)
        if key in chosen:
            old, old_data = chosen[key]
            newer, older = ((f, data), (old, old_data)) if f.time > old.time else \
                ((old, old_data), (f, data))
            same = " (the same content)" if data == old_data else ""
            when = f"{older[0].time.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
            report.duplicates.append((f"{older[0].source} [{when}]{same}",
                                      f"{newer[0].source}"))
            chosen[key] = newer
        else:
            chosen[key] = (f, data)
        bar.step(f"{student} {notebook}")
    bar.close()

    for student in sorted({s for s, _ in chosen}):
        folder = course.submitted(student, day)
        placed_times = []
        for (s, notebook), (f, data) in sorted(chosen.items()):
            if s != student:
                continue
            target = folder / notebook
            status = "new"
            if target.exists():
                in_place = datetime.fromtimestamp(target.stat().st_mtime, timezone.utc)
                if target.read_bytes() == data:
                    status = "unchanged"
                elif f.time > in_place:
                    status = "replaced"
                else:
                    report.rejected.append((f.source, NEWER_IN_PLACE,
                                            f"{target} from {in_place:%Y-%m-%d %H:%M:%S} UTC "
                                            f"kept; remove it to place this one"))
                    continue
            if status != "unchanged":
                _write(target, data, f.time)
            placed_times.append(f.time)
            report.placed.append(Placed(student, notebook, f.source, f.time, status))
        if placed_times:
            stamp = max([*placed_times, read_timestamp(folder) or placed_times[0]])
            (folder / "timestamp.txt").write_text(timestamp_text(stamp))
    return report


def record_deadline(course: CourseDir, day: str, deadline: datetime):
    """The due date into the gradebook, where nbgrader's late penalties read it."""
    with course.gradebook() as gb:
        gb.update_or_create_assignment(day, duedate=deadline.astimezone(timezone.utc)
                                       .replace(tzinfo=None))
