"""The panel every widget of the course is: controls, a status line, a figure redrawn on change;
and how a student's failing function is shown inside it."""

from __future__ import annotations

import base64
import html
import io
from typing import Callable, Mapping

import ipywidgets as widgets

from ..checks import not_implemented_message

_DPI = 90


def _problem(exc: BaseException, name: str) -> str:
    """What a student sees instead of a traceback."""
    if isinstance(exc, NotImplementedError):
        return not_implemented_message(name, then="move a control to redraw")
    return f"{type(exc).__name__}: {exc}"


def _name_of(fn, default: str) -> str:
    name = getattr(fn, "__name__", None)
    return default if not name or name == "<lambda>" else name


class Panel(widgets.VBox):
    """A VBox of controls, a status line and an Output with a figure, redrawn on change.

    draw(panel) draws on ``panel.ax`` and returns (status text, whether there is a
    picture to show).  It may raise, and the panel shows the problem instead (see
    ``_problem``); it may also set ``panel.error`` for a problem it drew around.
    """

    def __init__(self, controls: Mapping[str, widgets.Widget], draw: Callable,
                 layout_controls: widgets.Widget | None = None,
                 figsize=(6.4, 3.8)):
        self.controls = dict(controls)
        self.output = widgets.Output(layout=widgets.Layout(min_height=f"{figsize[1] * _DPI}px"))
        self.status = widgets.HTML()
        from matplotlib.figure import Figure  # at first use: matplotlib is slow to import

        self.figure = Figure(figsize=figsize, dpi=_DPI)
        self.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)
        self.ax = None
        self.redraws = 0
        self.error: str | None = None
        self._draw = draw
        self._shown_in = None
        box = layout_controls or widgets.VBox(list(self.controls.values()))
        super().__init__([box, self.status, self.output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    def _on_change(self, change):
        self.redraw()

    def redraw(self):
        """Draw again from the controls' values; never raises."""
        self.redraws += 1
        self.figure.clear()
        self.ax = self.figure.add_subplot()
        self.error = None
        try:
            text, drew = self._draw(self)
        except Exception as exc:  # a student's function: show it, never crash the UI
            text = getattr(exc, "course_message", None) or _problem(exc, "this function")
            drew = False
            self.error = text
        self.status.value = f"<span style='{self._style()}'>{html.escape(text)}</span>"
        if drew:
            self.output.outputs = (self._figure_output(),)
        else:
            self.output.outputs = ({"output_type": "display_data",
                                    "data": {"text/plain": text}, "metadata": {}},)

    def _style(self) -> str:
        return "color:#b00020" if self.error else "font-family:monospace"

    def _figure_output(self) -> dict:
        buffer = io.BytesIO()
        # Fixed margins rather than a tight bounding box: half the cost of a redraw.
        self.figure.savefig(buffer, format="png", dpi=_DPI)
        return {"output_type": "display_data",
                "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
                         "text/plain": "<figure>"},
                "metadata": {}}

    def show(self):
        """Display the panel (done once by the function that built it, inside Jupyter)."""
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return
        from IPython.display import display

        self._shown_in = getattr(shell, "execution_count", None)
        display(self._repr_mimebundle_(), raw=True)

    def _ipython_display_(self):
        # The building function has displayed the panel already; when the same cell
        # also ends with the returned panel, a second, identical view is left out.
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and self._shown_in is not None \
                and getattr(shell, "execution_count", None) == self._shown_in:
            return
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)


class _Problem(Exception):
    """A problem already worded for the student (which function, what went wrong)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.course_message = message


def _call(fn, label: str, *args):
    try:
        return fn(*args)
    except Exception as exc:
        raise _Problem(_problem(exc, _name_of(fn, label))) from exc
