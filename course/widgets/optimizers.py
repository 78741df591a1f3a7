"""The optimizer race: update rules side by side on a 2-D surface."""

from __future__ import annotations

from typing import Callable, Mapping
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets


from .panel import Panel, _Problem, _call, _name_of

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
            raise ValueError(tr("extent must be (xmin, xmax, ymin, ymax) with min < max, "
                                "got {extent}").format(extent=extent))


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

def _surface_labels() -> dict:
    """The default surfaces' names as the drop-down shows them (the values stay these keys)."""
    return {"ill-conditioned valley": tr("ill-conditioned valley"), "saddle": tr("saddle")}


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
                raise _Problem(tr("{name} returned {type}; expected a pair (param, state)")
                               .format(name=label, type=type(result).__name__))
            p, state = result
            p = np.asarray(p, dtype=np.float64)
            if p.shape != (2,):
                raise _Problem(tr("{name} returned param of shape {shape}; expected (2,), "
                                  "the shape of the param it was given")
                               .format(name=label, shape=p.shape))
            if not isinstance(state, dict):
                raise _Problem(tr("{name} returned state of type {type}; expected a dict")
                               .format(name=label, type=type(state).__name__))
            if not np.all(np.isfinite(p)) or np.max(np.abs(p)) > _RACE_BOUND:
                return np.array(path), tr("diverged at step {step}").format(step=step)
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
        raise ValueError(tr("updates is empty; pass {name: update}"))
    for name, fn in updates.items():
        if not callable(fn):
            raise TypeError(tr("updates[{name!r}] must be a function update(param, grad, state, "
                               "**hyper), got {type}").format(name=name, type=type(fn).__name__))
    surfaces = dict(RACE_SURFACES if surfaces is None else surfaces)
    if not surfaces:
        raise ValueError(tr("surfaces is empty; pass {name: Surface} or leave it out"))
    for name, s in surfaces.items():
        if not isinstance(s, Surface):
            raise TypeError(tr("surfaces[{name!r}] must be a course.widgets.Surface, got {type}")
                            .format(name=name, type=type(s).__name__))
    controls = {
        "surface": widgets.Dropdown(options=[(_surface_labels().get(n, n), n) for n in surfaces],
                                    description=tr("surface")),
        "lr": widgets.FloatLogSlider(value=0.03, base=10, min=-3, max=0, step=0.05,
                                     description="lr", readout_format=".3g"),
        "mu": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                  description=tr("momentum μ"), readout_format=".2f"),
        "steps": widgets.IntSlider(value=100, min=10, max=300, step=10, description=tr("steps")),
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
            results.append(f"{name}: {note}" if note else
                           tr("{name}: loss {loss:.4g}").format(name=name, loss=loss))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(tr("{surface}: {steps} steps, lr = {lr:.3g}, μ = {mu:.2f}").format(
            surface=controls["surface"].value, steps=steps, lr=lr, mu=mu))
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
