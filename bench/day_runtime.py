"""How long each built day takes, solved, top to bottom (budget: 60 s per day on 2 cores).

    .venv/bin/python bench/day_runtime.py [DAY ...]

The solved notebooks (model answers put into the stubs) of each day's student
release run in a fresh kernel each, as a student would run them; printed per
notebook: wall time and the slowest cells, and per day the total against the
budget.  Also the slowest visible test cell (budget 2 s).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from grader.coursedir import CourseDir  # noqa: E402
from grader.days import Day, built_days  # noqa: E402
from grader.notebooks import solved_notebook  # noqa: E402
from grader.release import release  # noqa: E402

DAY_BUDGET = 60.0
TEST_BUDGET = 2.0


class TimedClient(NotebookClient):
    """Records the wall time of every cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.times = []

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        start = time.monotonic()
        try:
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        finally:
            self.times.append((time.monotonic() - start, cell_index, cell))


def run_day(day: str) -> float:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{day}-"))
    try:
        folder, _ = release(day, CourseDir(tmp / "course"))
        total, slowest_test = 0.0, (0.0, "")
        for path in sorted(folder.glob("*.ipynb")):
            nb = solved_notebook(nbformat.read(str(path), 4), Day.named(day).reference(), path.name)
            client = TimedClient(nb, timeout=600, kernel_name="python3",
                                 resources={"metadata": {"path": str(folder)}})
            start = time.monotonic()
            client.execute()
            wall = time.monotonic() - start
            total += wall
            worst = sorted(client.times, key=lambda t: -t[0])[:3]
            print(f"  {path.name:<40} {wall:6.1f} s   slowest cells: " + ", ".join(
                f"#{i} {s:.1f} s" for s, i, _ in worst))
            for seconds, _, cell in client.times:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code" \
                        and seconds > slowest_test[0]:
                    slowest_test = (seconds, gid)
        verdict = "within" if total <= DAY_BUDGET else "OVER"
        print(f"{day}: {total:.1f} s in all ({verdict} the {DAY_BUDGET:g} s budget); slowest "
              f"test cell {slowest_test[1]} {slowest_test[0]:.2f} s (budget {TEST_BUDGET:g} s)")
        return total
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    days = (argv if argv is not None else sys.argv[1:]) or [d.name for d in built_days()]
    for day in days:
        print(f"{day}:")
        run_day(day)


if __name__ == "__main__":
    main()
