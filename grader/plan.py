"""A day's plan: which items are core and which extension, and how many minutes each takes.

**Core and extension** are marked in one place: the metadata of a section's heading cell,
``{"course": {"part": "extension"}}``.  A section runs from its heading to the next
heading of the same or a higher level, and every cell in it (derivations, stubs, tests,
questions, demos) is of its heading's part; a section without a mark takes its parent's,
and the notebook starts as core.  A mark on any other cell is an error: sections are
what a participant skips.

**Minutes** are estimated once, per item, in ``<day>/plan.toml`` beside the notebooks::

    [items]                        # every answer cell (code) and manually graded question
    sigmoid = 6

    [lecture]                      # the lecture blocks before each notebook, minutes
    01_activations = 60

    [outline]                      # the syllabus's bullets of the day -> core items
    "Activation functions" = ["sigmoid", "relu"]

A notebook's minutes per part are its reading (its prose at ``WORDS_PER_MINUTE``, and
``DEMO_MINUTES`` for each demo cell it runs, counted in the part of their section) plus
its items, with ``RERUN`` added for reruns and typos; the release states them in the
notebook's opening cell and ``grader guide DAY`` lays out the day from them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .days import Day
from .judge import cells

CORE, EXTENSION = "core", "extension"
PARTS = (CORE, EXTENSION)
META = "course"            # cell.metadata[META]["part"]
RERUN = 0.10               # reruns, typos and reading a failing test's message
WORDS_PER_MINUTE = 110     # derivations with formulas, read with care
DEMO_MINUTES = 1.0         # run a demo cell, look at its picture
LAB_MINUTES = 270          # a training day's lab: about 4.5 h beside the lecture
PLAN_FILE = "plan.toml"

_HEADING = re.compile(r"^(#{1,6})\s")


class PlanError(ValueError):
    """A plan or a mark that cannot be used; the message names the file and the item."""


def heading_level(cell) -> int | None:
    if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
        return None
    for line in cells.source(cell).splitlines():
        if line.strip():
            m = _HEADING.match(line)
            return len(m.group(1)) if m else None
    return None


def mark(cell) -> str | None:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    own = meta.get(META) if isinstance(meta, dict) else None
    part = own.get("part") if isinstance(own, dict) else None
    return part if isinstance(part, str) else None


def cell_parts(nb_cells, name: str = "notebook") -> list[str]:
    """The part of every cell, by the sections its headings open (see the module)."""
    stack: list[tuple[int, str]] = []
    out = []
    for index, cell in enumerate(nb_cells):
        level, own = heading_level(cell), mark(cell)
        if own is not None and own not in PARTS:
            raise PlanError(f"{name} cell {index}: part {own!r} is neither 'core' nor "
                            f"'extension'")
        if level is None:
            if own is not None:
                raise PlanError(f"{name} cell {index}: only a section's heading cell carries "
                                f"a part (mark the heading of the section it belongs to)")
            out.append(stack[-1][1] if stack else CORE)
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        part = own or (stack[-1][1] if stack else CORE)
        stack.append((level, part))
        out.append(part)
    return out


def grade_parts(nb, name: str = "notebook") -> dict[str, str]:
    """grade id -> part, for every graded cell (answers, questions, tests) of a notebook."""
    nb_cells = nb["cells"] if isinstance(nb, dict) else nb.cells
    out = {}
    for cell, part in zip(nb_cells, cell_parts(nb_cells, name)):
        gid = cells.grade_id(cell)
        if gid and cells.role(cell) in (cells.ANSWER, cells.MANUAL, cells.TEST):
            out[gid] = part
    return out


def day_parts(day: Day) -> dict[tuple[str, str], str]:
    """(notebook stem, grade id) -> part, over the day's source notebooks."""
    from .notebooks import read_notebook

    out = {}
    for path in day.notebooks:
        for gid, part in grade_parts(read_notebook(path), path.name).items():
            out[(path.stem, gid)] = part
    return out


def items_of(nb) -> list[tuple[str, str]]:
    """(grade id, part) of the items a participant works on: answer cells and questions."""
    nb_cells = nb["cells"] if isinstance(nb, dict) else nb.cells
    return [(cells.grade_id(c), p) for c, p in zip(nb_cells, cell_parts(nb_cells))
            if cells.role(c) in (cells.ANSWER, cells.MANUAL)]


def reading_minutes(nb) -> dict[str, float]:
    """part -> minutes to read the notebook's prose and run its demos (see the module)."""
    nb_cells = nb["cells"] if isinstance(nb, dict) else nb.cells
    out = {part: 0.0 for part in PARTS}
    for cell, part in zip(nb_cells, cell_parts(nb_cells)):
        role = cells.role(cell)
        if role == cells.TEXT and cell.get("cell_type") == "markdown":
            out[part] += len(re.findall(r"\w+", cells.source(cell))) / WORDS_PER_MINUTE
        elif role == cells.DEMO or (role == cells.ADDED and cells.source(cell).strip()):
            out[part] += DEMO_MINUTES
    return out


def _round5(minutes: float) -> int:
    return 5 * round(minutes / 5) if minutes >= 2.5 else (5 if minutes > 0 else 0)


@dataclass
class DayPlan:
    day: Day
    items: dict = field(default_factory=dict)       # grade id -> minutes
    lecture: dict = field(default_factory=dict)     # stem -> minutes of lecture before it
    outline: dict = field(default_factory=dict)     # bullet -> [grade id]

    @property
    def path(self) -> Path:
        return self.day.folder / PLAN_FILE

    @classmethod
    def load(cls, day: Day) -> "DayPlan":
        path = day.folder / PLAN_FILE
        if not path.is_file():
            raise PlanError(f"{day.name} has no {PLAN_FILE}: write the minutes of its items "
                            f"there (see grader/plan.py)")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise PlanError(f"{path}: not valid TOML: {exc}") from None
        return cls(day, dict(data.get("items", {})), dict(data.get("lecture", {})),
                   dict(data.get("outline", {})))

    # derived -----------------------------------------------------------------
    def notebook_items(self) -> dict[str, list[tuple[str, str]]]:
        from .notebooks import read_notebook

        return {p.stem: items_of(read_notebook(p)) for p in self.day.notebooks}

    def raw_minutes(self) -> dict[str, dict[str, float]]:
        """stem -> {part: minutes}, reruns included, not rounded."""
        from .notebooks import read_notebook

        out = {}
        for path in self.day.notebooks:
            nb = read_notebook(path)
            raw = reading_minutes(nb)
            for gid, part in items_of(nb):
                raw[part] += float(self.items.get(gid, 0))
            out[path.stem] = {part: raw[part] * (1 + RERUN) for part in PARTS}
        return out

    def minutes(self) -> dict[str, dict[str, int]]:
        """stem -> {part: minutes}, rounded to 5 minutes (an extension of a few minutes
        shows as 5, not as none)."""
        return {stem: {part: _round5(m) for part, m in parts.items()}
                for stem, parts in self.raw_minutes().items()}

    def total(self, part: str) -> int:
        """The day's minutes of a part, rounded once (not the sum of rounded notebooks)."""
        return _round5(sum(m[part] for m in self.raw_minutes().values()))

    def problems(self) -> list[str]:
        """What keeps the plan from being true: items without minutes, minutes of items
        that do not exist, outline bullets without a core item, a core over the lab."""
        out = []
        where = f"{self.day.name}/{PLAN_FILE}"
        try:
            per_notebook = self.notebook_items()
        except PlanError as exc:
            return [str(exc)]
        parts = {gid: part for items in per_notebook.values() for gid, part in items}
        for gid in parts:
            if gid not in self.items:
                out.append(f"{where}: no minutes for {gid!r} under [items]")
        for gid in self.items:
            if gid not in parts:
                out.append(f"{where}: [items] {gid!r} is no answer cell or question of the day")
        for stem in self.lecture:
            if stem not in per_notebook:
                out.append(f"{where}: [lecture] {stem!r} is no notebook of the day")
        if not self.outline:
            out.append(f"{where}: no [outline]: the syllabus's bullets of the day and the "
                       f"core items that cover them")
        for bullet, gids in self.outline.items():
            core = [g for g in gids if parts.get(g) == CORE]
            unknown = [g for g in gids if g not in parts]
            if unknown:
                out.append(f"{where}: outline bullet {bullet!r} names {unknown}, which are no "
                           f"items of the day")
            if not core:
                out.append(f"{where}: outline bullet {bullet!r} is covered by no core item")
        return out

    def over_budget(self) -> list[str]:
        """Why the day's core does not fit a training day (its lab, or 16:15 from 9:00)."""
        out = []
        core = self.total(CORE)
        if core > LAB_MINUTES:
            out.append(f"{self.day.name}: the core takes {core} min, more than the "
                       f"{LAB_MINUTES} min of lab in a training day: move items to the "
                       f"extension")
        blocks = schedule(self.day)
        if blocks and blocks[-1][1] > DAY_ENDS:
            out.append(f"{self.day.name}: starting at 09:00, the core ends at "
                       f"{_clock(blocks[-1][1])}, after {_clock(DAY_ENDS)}: shorten the "
                       f"lecture blocks or the core")
        return out


def mark_problems(day: Day) -> list[str]:
    """Marks that cannot be read, and tests in another part than the answer they test."""
    from .notebooks import read_notebook

    out = []
    for path in day.notebooks:
        try:
            parts = grade_parts(read_notebook(path), path.name)
        except PlanError as exc:
            out.append(str(exc))
            continue
        for gid, part in parts.items():
            if gid.startswith("test_") and gid[5:] in parts and parts[gid[5:]] != part:
                out.append(f"{path.name}: {gid} is {part} but {gid[5:]} is {parts[gid[5:]]}")
    return out


# --- what the release shows -------------------------------------------------------------

BADGE = "★ *extension, optional*"
LEGEND = ("Sections marked {badge} are the **extension**: for a fast participant, or for home. "
          "The **core** (every other section) is what the day's lab is planned for.")


def time_line(minutes: dict[str, int]) -> str:
    core, ext = minutes[CORE], minutes[EXTENSION]
    line = f"**Time:** the core of this notebook takes about {core} min"
    if ext:
        return line + f"; the extension about {ext} min more. " + LEGEND.format(badge=BADGE)
    return line + "; it has no extension."


def annotate(nb, minutes: dict[str, int] | None, first: bool = False):
    """The release's copy of ``nb`` shows its parts: the expected minutes in its opening
    (first markdown) cell, and a badge on the heading of every section where the
    extension begins; the day's first notebook says what the live board is told.  ``nb`` is
    changed in place and returned."""
    parts = cell_parts(nb.cells)
    previous = CORE
    for cell, part in zip(nb.cells, parts):
        level = heading_level(cell)
        if level is not None and part == EXTENSION and (previous == CORE or mark(cell)):
            lines = cell.source.splitlines()
            top = next(i for i, line in enumerate(lines) if line.strip())
            if BADGE not in lines[top]:
                lines[top] = f"{lines[top].rstrip()} {BADGE}"
            cell.source = "\n".join(lines)
        previous = part
    extra = ([time_line(minutes)] if minutes is not None else []) + \
        ([REPORT_LINE] if first else [])
    if extra:
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = "\n\n".join([cell.source.rstrip(), *extra])
                break
    return nb


#: The day's first notebook says what its tests tell the live board (course/report.py).
REPORT_LINE = ("**On the classroom hub** each test you run tells the lecturer's live board which "
               "exercise it checked, whether it passed, and which known mistake it found — never "
               "your code or your numbers — so that the lecturer sees where the class needs help.")


def checkpoints(day: Day) -> dict[str, str]:
    """function or question -> the notebook whose model answers hold it (a checkpoint the
    lecturer can release: ``grader release-solutions DAY --notebook NN``)."""
    from .notebooks import read_notebook

    out = {}
    for path in day.notebooks:
        for cell in read_notebook(path).cells:
            if cells.role(cell) == cells.ANSWER:
                for name in cells.defined_functions(cells.source(cell)):
                    out[name] = path.stem
    return out


def annotated_notebooks(day: Day) -> dict[str, object]:
    """The day's notebooks with their parts shown (``annotate``), by file name; the minutes
    only where the day has a plan."""
    from .notebooks import read_notebook

    try:
        minutes = DayPlan.load(day).minutes()
    except PlanError:
        minutes = {}
    return {p.name: annotate(read_notebook(p), minutes.get(p.stem), first=i == 0)
            for i, p in enumerate(day.notebooks)}


# --- scores per part ----------------------------------------------------------------------


def part_scores(notebooks, parts: dict[tuple[str, str], str]) -> dict[str, list[float]]:
    """part -> [score, max] over graded cells (``coursedir.NotebookScore``s); a manual
    answer not graded yet counts 0.  ``parts`` as from ``day_parts``."""
    out = {part: [0.0, 0.0] for part in PARTS}
    for nb in notebooks:
        for c in nb.cells:
            part = parts.get((nb.notebook, c.grade_id), CORE)
            out[part][0] += c.score or 0.0
            out[part][1] += c.max_score
    return out


# --- the lecturer's timetable -------------------------------------------------------------

LUNCH = 30                 # minutes
LUNCH_AFTER = 12 * 60      # lunch at noon
DAY_ENDS = 16 * 60 + 15    # the core should end by about 16:00 for a 9:00 start


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule(day: Day, start: str = "09:00") -> list[tuple[int, int, str]]:
    """[(start, end, what)] in minutes after midnight: per notebook its lecture block,
    then its core lab; lunch at noon (a block that crosses noon goes on after it)."""
    plan = DayPlan.load(day)
    hours, minutes = (int(x) for x in start.split(":"))
    now = hours * 60 + minutes
    out, lunch = [], now >= LUNCH_AFTER
    for stem, parts in plan.minutes().items():
        for length, what in ((plan.lecture.get(stem, 0), f"lecture before {stem}"),
                             (parts[CORE], f"lab: {stem}, core")):
            if not lunch and now + length > LUNCH_AFTER:
                before = LUNCH_AFTER - now
                if before:
                    out.append((now, LUNCH_AFTER, what))
                out.append((LUNCH_AFTER, LUNCH_AFTER + LUNCH, "lunch"))
                now, length, lunch = LUNCH_AFTER + LUNCH, length - before, True
            if length:
                out.append((now, now + length, what))
                now += length
    return out


def timetable(day: Day, start: str = "09:00") -> str:
    """The day as the lecturer runs it (``grader guide DAY``)."""
    plan = DayPlan.load(day)
    blocks = schedule(day, start)
    lines = [f"{day.name}: the day's timetable (from {plan.path.relative_to(day.folder.parent)})",
             ""]
    lines += [f"  {_clock(a)}–{_clock(b)}  {what} ({b - a} min)" for a, b, what in blocks]
    end = blocks[-1][1] if blocks else 0
    minutes = plan.minutes()
    ext = {stem: m[EXTENSION] for stem, m in minutes.items() if m[EXTENSION]}
    lines += ["", f"The core ends at {_clock(end)}: lecture {sum(plan.lecture.values())} min, "
                  f"lab {plan.total(CORE)} min (of about {LAB_MINUTES})."]
    if ext:
        lines.append("Extension, for the fast participant or for home: " + ", ".join(
            f"{stem} {m} min" for stem, m in ext.items()) + ".")
    lines.append("Checkpoints (a notebook's model answers, for whoever is stuck): "
                 "grader release-solutions " + day.name + " --notebook NN")
    problems = plan.problems() + plan.over_budget()
    if problems:
        lines += ["", "The plan does not hold yet:"] + [f"  {p}" for p in problems]
    return "\n".join(lines)


def plan_problems(day: Day) -> list[str]:
    """What keeps the day's plan and marks from being usable (``grader check`` fails on
    these): unreadable marks or plan, items without minutes, bullets without a core item."""
    try:
        return mark_problems(day) + DayPlan.load(day).problems()
    except PlanError as exc:
        return [str(exc)]


def budget_line(day: Day) -> str:
    """One line for ``grader check``: the core's and the extension's minutes, and whether
    the core fits the day."""
    try:
        plan = DayPlan.load(day)
        over = plan.over_budget()
    except PlanError as exc:
        return f"the day's minutes: {exc}"
    text = (f"the day's minutes: core {plan.total(CORE)} of {LAB_MINUTES}, extension "
            f"{plan.total(EXTENSION)} (grader guide {day.name})")
    return text + ("; OVER: " + "; ".join(over) if over else "; the core fits the day")
