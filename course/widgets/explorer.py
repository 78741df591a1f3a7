"""The activation explorer: f and f′ of each activation, a slider for z."""

from __future__ import annotations

import warnings
from typing import Mapping
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from ..plots import Z_RANGE, draw_activation, evaluate_elementwise

from .panel import Panel, _Problem, _call, _name_of

def _as_pair(name, entry):
    if callable(entry):
        return entry, None
    if isinstance(entry, (tuple, list)) and 1 <= len(entry) <= 2 \
            and callable(entry[0]) and (len(entry) == 1 or entry[1] is None or callable(entry[1])):
        return entry[0], (entry[1] if len(entry) == 2 else None)
    raise TypeError(tr("functions[{name!r}] must be f or a pair (f, fprime) of functions, "
                       "got {type}").format(name=name, type=type(entry).__name__))


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
        raise ValueError(tr("functions is empty; pass {name: (f, fprime)}"))
    grid = np.linspace(*Z_RANGE, 401)
    controls = {
        "name": widgets.Dropdown(options=list(pairs), description=tr("function")),
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
        notes += sorted({tr("warning: {message}").format(message=w.message) for w in caught})
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
