"""Sliders where looking beats reading: an activation explorer and a 2→2→1 playground.

Both are built from standard ipywidgets: controls, one line of text, and an
``ipywidgets.Output`` holding the matplotlib figure, redrawn on every change.  Each
function displays its panel (inside Jupyter) and returns it; the panel exposes

- ``controls``: {name: widget}, e.g. ``panel.controls["z"].value = 1.5``;
- ``output``: the Output with the figure (a PNG) or, when nothing can be drawn, a note;
- ``status``: the text line (values, accuracy, or what went wrong);
- ``figure``, ``ax``: the matplotlib Figure and Axes of the last drawing;
- ``redraws``: how many times it has redrawn; ``error``: the last problem, or None.

The functions shown are often a student's unfinished ones.  A stub that raises
NotImplementedError shows the course's "not implemented yet" note inside the panel;
any other exception shows its type and message there.  Nothing raises into Jupyter.

The figures are made without pyplot on purpose: a pyplot figure opened in a widget
callback would be shown again, stale, under the next cell that runs.
"""

from __future__ import annotations

import base64
import html
import io
import warnings
from typing import Callable, Mapping

import numpy as np
import ipywidgets as widgets
from matplotlib.figure import Figure

from .checks import not_implemented_message
from .plots import Z_RANGE, draw_activation, evaluate_elementwise, plot_decision_boundary

__all__ = ["activation_explorer", "network_playground", "Panel"]

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


# --- activation explorer ----------------------------------------------------------


def _as_pair(name, entry):
    if callable(entry):
        return entry, None
    if isinstance(entry, (tuple, list)) and 1 <= len(entry) <= 2 \
            and callable(entry[0]) and (len(entry) == 1 or entry[1] is None or callable(entry[1])):
        return entry[0], (entry[1] if len(entry) == 2 else None)
    raise TypeError(f"functions[{name!r}] must be f or a pair (f, fprime) of functions, "
                    f"got {type(entry).__name__}")


def activation_explorer(functions: Mapping[str, tuple]) -> Panel:
    """Pick an activation, move z, and see f, f′ and their values at z.

    functions: {name: (f, fprime)}, each an elementwise function (M,) -> (M,); fprime
    may be None.  Controls: ``controls["name"]`` (Dropdown), ``controls["z"]``
    (FloatSlider in [−6, 6], step 0.1).  The figure shows f and f′ over [−6, 6] with a
    marker at z; the status line gives f(z) and f′(z), and any numpy warning
    (an overflow in exp, say) raised while computing them.
    """
    pairs = {str(name): _as_pair(name, entry) for name, entry in dict(functions).items()}
    if not pairs:
        raise ValueError("functions is empty; pass {name: (f, fprime)}")
    grid = np.linspace(*Z_RANGE, 401)
    controls = {
        "name": widgets.Dropdown(options=list(pairs), description="function"),
        "z": widgets.FloatSlider(value=0.5, min=Z_RANGE[0], max=Z_RANGE[1], step=0.1,
                                 description="z", readout_format=".1f"),
    }

    def draw(panel):
        name = controls["name"].value
        z0 = float(controls["z"].value)
        f, fprime = pairs[name]
        points = np.append(grid, z0)
        notes = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fz = _call(lambda p: evaluate_elementwise(f, p, _name_of(f, name)),
                       _name_of(f, name), points)
            fpz = None
            if fprime is not None:
                try:
                    label = _name_of(fprime, name + "′")
                    fpz = _call(lambda p: evaluate_elementwise(fprime, p, label), label, points)
                except _Problem as problem:
                    # f alone is worth seeing while f′ is still a stub.
                    notes.append(problem.course_message)
                    panel.error = problem.course_message
        notes += sorted({f"warning: {w.message}" for w in caught})
        ax = draw_activation(panel.ax, grid, fz[:-1], None if fpz is None else fpz[:-1],
                             name=name)
        ax.plot([z0], [fz[-1]], "o", color="C0", ms=7)
        text = f"z = {z0:.2f}   {name}(z) = {fz[-1]:.6g}"
        if fpz is not None:
            ax.plot([z0], [fpz[-1]], "o", color="C1", ms=7)
            text += f"   {name}′(z) = {fpz[-1]:.6g}"
        ax.axvline(z0, color="0.6", lw=0.8, zorder=0)
        if notes:
            text += "   |   " + "   |   ".join(notes)
        return text, True

    box = widgets.HBox([controls["name"], controls["z"]])
    panel = Panel(controls, draw, layout_controls=box)
    panel.show()
    return panel


# --- 2→2→1 playground ---------------------------------------------------------------

#: Slider names in the order of params = [(W1, b1), (W2, b2)], W as in the slides' w_jk.
PLAYGROUND_PARAMETERS = ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "b1[0]", "b1[1]",
                         "W2[0,0]", "W2[0,1]", "b2[0]"]
# Two hidden units at an angle and an output that weighs them against each other:
# a bent boundary from the start, so every slider visibly moves it.
PLAYGROUND_START = [2.0, 1.0, -1.0, 2.0, 0.5, -0.5, 2.0, -2.0, 0.0]


def _params_from(values):
    v = np.asarray(values, dtype=np.float64)
    return [(v[0:4].reshape(2, 2), v[4:6].copy()), (v[6:8].reshape(1, 2), v[8:9].copy())]


def network_playground(X, y, forward: Callable) -> Panel:
    """Nine sliders for the weights of a 2→2→1 network and its decision boundary.

    X (N, 2) float64, y (N,) labels 0 or 1.  forward(X, params) -> scores (N, 1), with
    params = [(W1 (2, 2), b1 (2,)), (W2 (1, 2), b2 (1,))]; the class is
    σ(score) > 0.5, i.e. score > 0.  Controls: ``controls["W1[0,0]"]`` ... ``controls["b2[0]"]``
    (FloatSliders in [−5, 5]).  The status line gives the accuracy on (X, y).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X and y must have the same number of rows: X has {len(X)}, "
                         f"y has {len(y)}")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"y must hold labels 0 and 1 for a network with one output, "
                         f"got {np.unique(y)[:5].tolist()}")
    y = y.astype(np.int64)
    if not callable(forward):
        raise TypeError(f"forward must be a function forward(X, params), got "
                        f"{type(forward).__name__}")
    controls = {name: widgets.FloatSlider(value=start, min=-5.0, max=5.0, step=0.1,
                                          description=name, readout_format=".1f",
                                          layout=widgets.Layout(width="300px"))
                for name, start in zip(PLAYGROUND_PARAMETERS, PLAYGROUND_START)}
    fname = _name_of(forward, "forward")

    def scores(points, params):
        out = _call(forward, fname, points, params)
        if out is None:
            raise _Problem(f"{fname} returned None; did the function forget `return`?")
        s = np.asarray(out, dtype=np.float64)
        if s.shape != (len(points), 1):
            raise _Problem(f"{fname} returned shape {s.shape} for {len(points)} points; "
                           f"expected ({len(points)}, 1), one score per point")
        return s

    def draw(panel):
        values = [controls[name].value for name in PLAYGROUND_PARAMETERS]
        # A fresh copy per call: a forward that changes its params cannot change the sliders.
        s = scores(X, _params_from(values))
        accuracy = float(np.mean((s[:, 0] > 0).astype(np.int64) == y))
        plot_decision_boundary(lambda P: scores(P, _params_from(values)), X, y,
                               ax=panel.ax, resolution=120)
        return f"accuracy on the {len(y)} points: {100 * accuracy:.1f} %", True

    columns = [widgets.VBox([controls[n] for n in PLAYGROUND_PARAMETERS[i:j]])
               for i, j in ((0, 4), (4, 6), (6, 9))]
    labels = ["hidden weights W1", "hidden biases b1", "output W2, b2"]
    box = widgets.HBox([widgets.VBox([widgets.HTML(f"<b>{t}</b>"), c])
                        for t, c in zip(labels, columns)])
    panel = Panel(controls, draw, layout_controls=box, figsize=(5.0, 4.2))
    panel.show()
    return panel


# --- optimizer race ------------------------------------------------------------------

__all__ += ["optimizer_race", "Surface", "RACE_SURFACES"]


class Surface:
    """A 2-D loss surface for ``optimizer_race``.

    f(x, y) -> loss, elementwise on arrays of one shape (the contour is drawn from
    f on a grid); grad(p) -> ∇f at p, p and the result (2,); start (2,): where
    every optimizer starts; extent (xmin, xmax, ymin, ymax): the part of the plane shown.
    """

    def __init__(self, f: Callable, grad: Callable, start, extent):
        self.f = f
        self.grad = grad
        self.start = np.asarray(start, dtype=np.float64).reshape(2)
        self.extent = tuple(float(e) for e in extent)
        if len(self.extent) != 4 or self.extent[0] >= self.extent[1] \
                or self.extent[2] >= self.extent[3]:
            raise ValueError(f"extent must be (xmin, xmax, ymin, ymax) with min < max, "
                             f"got {extent}")


def _valley_f(x, y):
    return 0.5 * (x * x + 20.0 * y * y)


def _valley_grad(p):
    return np.array([p[0], 20.0 * p[1]])


def _saddle_f(x, y):
    return x * x - y * y + 0.5 * y ** 4


def _saddle_grad(p):
    return np.array([2.0 * p[0], -2.0 * p[1] + 2.0 * p[1] ** 3])


#: The default surfaces: a valley 20 times steeper across than along (curvatures 1 and 20),
#: and f = x² − y² + y⁴/2, a saddle at the origin between two minima at (0, ±1), with the
#: start almost exactly on the ridge line y = 0 that leads into the saddle.
RACE_SURFACES = {
    "ill-conditioned valley": Surface(_valley_f, _valley_grad, (-4.5, 1.0), (-5.0, 5.0, -1.5, 1.5)),
    "saddle": Surface(_saddle_f, _saddle_grad, (-1.8, 1e-3), (-2.0, 2.0, -1.6, 1.6)),
}

#: How far a path may leave the picture before it counts as diverged and stops.
_RACE_BOUND = 1e6


def _takes(fn, name: str) -> bool:
    """Whether fn accepts the keyword ``name`` (its own parameter, or **kwargs)."""
    import inspect

    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


def race_path(update: Callable, surface: Surface, steps: int, lr: float, mu: float | None = None):
    """The points of one optimizer on one surface: (path (k+1, 2), note or None).

    update(param, grad, state, lr=..., [mu=...]) -> (param, state), state starting as {};
    mu is passed only to rules that take it.  The path stops early (with a note) when it
    leaves every reasonable range (diverges) or stops being finite.
    """
    hyper = {"lr": lr}
    if mu is not None and _takes(update, "mu"):
        hyper["mu"] = mu
    label = _name_of(update, "update")
    p, state = surface.start.copy(), {}
    path = [p.copy()]
    with np.errstate(all="ignore"):
        for step in range(1, steps + 1):
            grad = np.asarray(surface.grad(p), dtype=np.float64)
            result = _call(lambda *a: update(*a, **hyper), label, p.copy(), grad, state)
            if not isinstance(result, tuple) or len(result) != 2:
                raise _Problem(f"{label} returned {type(result).__name__}; expected a pair "
                               f"(param, state)")
            p, state = result
            p = np.asarray(p, dtype=np.float64)
            if p.shape != (2,):
                raise _Problem(f"{label} returned param of shape {p.shape}; expected (2,), "
                               f"the shape of the param it was given")
            if not isinstance(state, dict):
                raise _Problem(f"{label} returned state of type {type(state).__name__}; "
                               f"expected a dict")
            if not np.all(np.isfinite(p)) or np.max(np.abs(p)) > _RACE_BOUND:
                return np.array(path), f"diverged at step {step}"
            path.append(p.copy())
    return np.array(path), None


def optimizer_race(updates: Mapping[str, Callable], surfaces: Mapping[str, Surface] | None = None
                   ) -> Panel:
    """Race update rules down a 2-D loss surface and draw each one's path.

    updates: {name: update}, each update(param, grad, state, lr=..., [mu=...]) ->
    (param, state) with param and grad of shape (2,) and state a dict, {} at the start
    (the course's rules ``sgd``, ``momentum``, ``nesterov``, ``rmsprop``, ``adam``).
    Every rule gets the same learning rate; the momentum slider goes to the rules with
    a ``mu`` parameter.  surfaces: {name: Surface} (default ``RACE_SURFACES``: an
    ill-conditioned valley and a saddle).

    Controls: ``controls["surface"]`` (Dropdown), ``controls["lr"]`` (FloatLogSlider,
    1e-3 … 1), ``controls["mu"]`` (FloatSlider, 0 … 0.99), ``controls["steps"]``
    (IntSlider, 10 … 300).  The figure shows the contours of the loss and one path per
    rule; the status line gives each rule's loss after the last step.  ``panel.paths``
    holds the paths drawn, {name: (k+1, 2) array}.  A rule that is still a stub (or
    fails) gets its note in the status line while the others race on; when none can
    run, the panel shows the note instead of a figure.
    """
    updates = dict(updates)
    if not updates:
        raise ValueError("updates is empty; pass {name: update}")
    for name, fn in updates.items():
        if not callable(fn):
            raise TypeError(f"updates[{name!r}] must be a function update(param, grad, state, "
                            f"**hyper), got {type(fn).__name__}")
    surfaces = dict(RACE_SURFACES if surfaces is None else surfaces)
    if not surfaces:
        raise ValueError("surfaces is empty; pass {name: Surface} or leave it out")
    for name, s in surfaces.items():
        if not isinstance(s, Surface):
            raise TypeError(f"surfaces[{name!r}] must be a course.widgets.Surface, "
                            f"got {type(s).__name__}")
    controls = {
        "surface": widgets.Dropdown(options=list(surfaces), description="surface"),
        "lr": widgets.FloatLogSlider(value=0.03, base=10, min=-3, max=0, step=0.05,
                                     description="lr", readout_format=".3g"),
        "mu": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                  description="momentum μ", readout_format=".2f"),
        "steps": widgets.IntSlider(value=100, min=10, max=300, step=10, description="steps"),
    }

    def draw(panel):
        surface = surfaces[controls["surface"].value]
        lr, mu = float(controls["lr"].value), float(controls["mu"].value)
        steps = int(controls["steps"].value)
        x0, x1, y0, y1 = surface.extent
        gx, gy = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 120))
        fz = np.asarray(surface.f(gx, gy), dtype=np.float64)
        ax = panel.ax
        # Levels spaced evenly in the loss seen on the picture, so the valley floor shows.
        ax.contour(gx, gy, fz, levels=np.quantile(fz, np.linspace(0.0, 1.0, 22)[1:-1]),
                   colors="0.7", linewidths=0.7)
        ax.plot(*surface.start, "ko", ms=6, zorder=5)
        panel.paths = {}
        results, problems = [], []
        for i, (name, update) in enumerate(updates.items()):
            try:
                path, note = race_path(update, surface, steps, lr, mu)
            except _Problem as problem:
                problems.append(f"{name}: {problem.course_message}")
                continue
            panel.paths[name] = path
            ax.plot(path[:, 0], path[:, 1], "-", color=f"C{i}", lw=1.4, marker=".", ms=3,
                    label=name, zorder=4)
            end = path[-1]
            loss = float(surface.f(end[0], end[1]))
            results.append(f"{name}: {note}" if note else f"{name}: loss {loss:.4g}")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(f"{controls['surface'].value}: {steps} steps, lr = {lr:.3g}, μ = {mu:.2f}")
        if not panel.paths:
            raise _Problem("   |   ".join(problems))
        ax.legend(loc="upper right", fontsize=8)
        if problems:
            panel.error = problems[0]
        return "   ".join(results + problems), True

    box = widgets.VBox([widgets.HBox([controls["surface"], controls["steps"]]),
                        widgets.HBox([controls["lr"], controls["mu"]])])
    panel = Panel(controls, draw, layout_controls=box, figsize=(6.4, 4.2))
    panel.show()
    return panel
