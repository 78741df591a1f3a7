"""Make any submission gradable: what the student may change is kept, the rest restored.

A student's notebook is untrusted bytes.  For each notebook of the release this
finds the submitted file (also under another name), reads it however broken it
is, and rebuilds it cell by cell against the release and the gradebook:

- a graded answer cell keeps the student's source; its metadata (grade id, points,
  flags) and cell type come from the release;
- a locked cell (instructions, setup, tests) gets the gradebook's source, hidden
  tests included, whatever the student made of it;
- a graded cell the student deleted comes back from the release (an empty answer);
- a copy of a graded cell, or a cell claiming a grade id the release does not
  have, loses its nbgrader metadata and counts as a cell the student added;
- a file that cannot be read at all is replaced by the release (every answer
  empty), and the report says why.

Every repair is a ``Finding`` in the report; nbgrader then sees only well-formed
notebooks, so one broken submission never stops the class.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import cells

RESTORED_FLAGS = ("grade", "solution", "locked", "points", "grade_id", "schema_version",
                  "task")


@dataclass
class Finding:
    notebook: str
    kind: str          # unreadable | renamed | missing | restored | duplicate | unknown-id | ...
    message: str
    tampering: bool = False


@dataclass
class Sanitized:
    notebooks: dict = field(default_factory=dict)     # release name -> nbformat notebook
    findings: list = field(default_factory=list)
    unreadable: list = field(default_factory=list)    # release names replaced by the release


def read_untrusted(path: Path) -> tuple[dict | None, list[str]]:
    """(notebook as a dict, notes) from bytes that may be anything; None if unusable."""
    notes = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [f"cannot read the file: {exc}"]
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
        notes.append("the file held null bytes; they were removed")
    try:
        data = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError as exc:
        return None, notes + [f"not valid JSON ({exc}); it cannot be opened by Jupyter either"]
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, notes + ["not a notebook: no list of cells"]
    if data.get("nbformat") != 4:
        try:
            data = nbformat.convert(nbformat.from_dict(data), 4)
            notes.append("converted to notebook format 4")
        except Exception as exc:  # noqa: BLE001 - any failure means unusable
            return None, notes + [f"notebook format {data.get('nbformat')!r} not supported "
                                  f"({type(exc).__name__})"]
    return data, notes


def _grade_ids(nb: dict) -> set:
    return {cells.grade_id(c) for c in nb.get("cells", [])} - {None}


def match_files(submitted: list[Path], release_names: list[str], read) -> tuple[dict, list]:
    """release name -> submitted path; a renamed notebook is found by its grade ids."""
    chosen, findings = {}, []
    left = [p for p in submitted]
    for name in release_names:
        for p in left:
            if p.name == name:
                chosen[name] = p
                left.remove(p)
                break
    for name in release_names:
        if name in chosen:
            continue
        wanted = read.release_ids[name]
        best, best_overlap = None, 0
        for p in left:
            nb, _ = read(p)
            overlap = len(_grade_ids(nb) & wanted) if nb else 0
            if overlap > best_overlap:
                best, best_overlap = p, overlap
        if best is not None:
            chosen[name] = best
            left.remove(best)
            findings.append(Finding(name, "renamed",
                                    f"{best.name} was graded as {name} (it holds its cells)"))
    for p in left:
        findings.append(Finding(p.name, "extra", f"{p.name} is not a notebook of this "
                                                 f"assignment; it was not graded"))
    return chosen, findings


def rebuild(student: dict, release: dict, gradebook_sources: dict, name: str) \
        -> tuple[dict, list[Finding]]:
    """The submission's cells checked against the release (see module docstring)."""
    findings = []
    release_cells = release["cells"]
    release_by_id = {cells.grade_id(c): c for c in release_cells if cells.grade_id(c)}
    order = [cells.grade_id(c) for c in release_cells if cells.grade_id(c)]

    def restored(gid, student_cell=None):
        original = release_by_id[gid]
        cell = copy.deepcopy(original)
        meta = cells.nbgrader_meta(original)
        if meta.get("solution") and student_cell is not None:
            cell["source"] = cells.source(student_cell)
        elif gid in gradebook_sources:
            cell["source"] = gradebook_sources[gid]
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell.pop("attachments", None)
        return cell

    out, seen = [], set()
    for raw in student.get("cells", []):
        if not isinstance(raw, dict) or raw.get("cell_type") not in ("code", "markdown", "raw"):
            findings.append(Finding(name, "bad-cell", "a cell that is not a notebook cell was "
                                                      "dropped", tampering=False))
            continue
        meta = cells.nbgrader_meta(raw)
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid in release_by_id and gid not in seen:
            seen.add(gid)
            original = release_by_id[gid]
            om = cells.nbgrader_meta(original)
            changed = [k for k in RESTORED_FLAGS if meta.get(k) != om.get(k)]
            if changed:
                findings.append(Finding(name, "restored",
                                        f"cell {gid}: changed {', '.join(changed)} restored from "
                                        f"the release", tampering=True))
            if raw.get("cell_type") != original["cell_type"]:
                findings.append(Finding(name, "restored", f"cell {gid}: type "
                                        f"{raw.get('cell_type')} restored to "
                                        f"{original['cell_type']}", tampering=True))
            if not om.get("solution") and om.get("grade") and original["cell_type"] == "code" \
                    and cells.source(raw).strip() != cells.source(original).strip():
                findings.append(Finding(name, "restored", f"test cell {gid} was edited; the "
                                        f"original test was used", tampering=True))
            out.append(restored(gid, raw))
            continue
        cell = {"cell_type": raw["cell_type"], "metadata": {}, "source": cells.source(raw)}
        tags = (raw.get("metadata") or {}).get("tags") if isinstance(raw.get("metadata"), dict) \
            else None
        if isinstance(tags, list):
            cell["metadata"]["tags"] = [t for t in tags if isinstance(t, str)]
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if gid in seen:
            findings.append(Finding(name, "duplicate", f"a copy of graded cell {gid} is graded "
                                    f"as an ordinary cell; the first {gid} counts",
                                    tampering=False))
        elif gid is not None:
            findings.append(Finding(name, "unknown-id", f"a cell claims grade id {gid!r}, which "
                                    f"this notebook does not have; it counts as an ordinary cell",
                                    tampering=True))
        out.append(cell)
    # Deleted graded cells come back after the graded cell that preceded them.
    for i, gid in enumerate(order):
        if gid in seen:
            continue
        findings.append(Finding(name, "missing", f"cell {gid} was deleted; restored from the "
                                f"release" + (" (its answer counts as empty)"
                                              if cells.nbgrader_meta(release_by_id[gid]).get("solution")
                                              else "")))
        at = 0
        for prev in reversed(order[:i]):
            idx = next((k for k, c in enumerate(out) if cells.grade_id(c) == prev), None)
            if idx is not None:
                at = idx + 1
                break
        out.insert(at, restored(gid))
        seen.add(gid)
    nb = {"cells": out, "metadata": copy.deepcopy(release.get("metadata", {})),
          "nbformat": 4, "nbformat_minor": release.get("nbformat_minor", 5)}
    nb = nbformat.from_dict(nb)
    if nb.nbformat_minor >= 5:
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{i}"
    else:
        for cell in nb.cells:
            cell.pop("id", None)
    nbformat.validate(nb)
    return nb, findings


class _Reader:
    """Reads each submitted file once."""

    def __init__(self, release_ids):
        self.release_ids = release_ids
        self.cache = {}

    def __call__(self, path):
        if path not in self.cache:
            self.cache[path] = read_untrusted(path)
        return self.cache[path]


def sanitize(submitted_dir: Path, release: dict, gradebook_sources: dict) -> Sanitized:
    """release: name -> notebook dict; gradebook_sources: name -> {grade_id: source}."""
    result = Sanitized()
    files = sorted(p for p in Path(submitted_dir).glob("*.ipynb") if p.is_file())
    reader = _Reader({n: _grade_ids(nb) for n, nb in release.items()})
    chosen, findings = match_files(files, list(release), reader)
    result.findings += findings
    for name, release_nb in release.items():
        path = chosen.get(name)
        student, notes = (reader(path) if path else (None, ["the notebook was not submitted"]))
        for note in notes:
            result.findings.append(Finding(name, "unreadable" if student is None else "repaired",
                                           note))
        if student is None:
            # Graded as the release itself: every answer empty, every test in place.
            result.unreadable.append(name)
            student = release_nb
        nb, cell_findings = rebuild(student, release_nb, gradebook_sources.get(name, {}), name)
        result.findings += cell_findings
        result.notebooks[name] = nb
    return result
