"""One neuron fitted by hand: sliders for its weight and bias, the cost landscape beside it."""

from __future__ import annotations

from typing import Callable
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from .panel import Panel, _Problem, _call, _name_of

#: The grid of (w, b) on which the cost landscape is drawn, and the sliders' ranges.
NEURON_W_RANGE = (-4.0, 4.0)
NEURON_B_RANGE = (-3.0, 3.0)
_GRID = 41
_H = 1e-4  # step of the centred differences for the downhill arrow


def _column(name, values):
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1 or len(v) == 0:
        raise ValueError(tr("{name} must hold one number per example, shape (N,) or (N, 1), "
                            "got shape {shape}").format(name=name, shape=v.shape))
    return v


def neuron_fit(x, y, activation: Callable, x_val=None, y_val=None) -> Panel:
    """Fit a = f(w·x + b) to 1-D data by hand and watch the quadratic cost.

    x, y: the training data, (N,) or (N, 1) floats; x_val, y_val: validation data, shown and
    costed but never part of the landscape.  activation: an elementwise f (any shape in,
    the same shape out).  The cost is the slides' C(w, b) = 1/(2N) Σ (y − f(w·x + b))².
    Controls: ``controls["w"]`` in [−4, 4] and ``controls["b"]`` in [−3, 3] (FloatSliders,
    step 0.1).  Left: the data and the neuron's curve; right: C over (w, b) as contours,
    the current (w, b) as a dot and an arrow along −∇C (centred differences).  The status
    line gives C on the training and validation data and ∇C.  ``panel.axes`` holds both
    Axes; ``panel.landscape`` is (w grid, b grid, C) once it could be computed.
    """
    x, y = _column("x", x), _column("y", y)
    if len(x) != len(y):
        raise ValueError(tr("x and y must have the same length: x has {x}, y has {y}")
                         .format(x=len(x), y=len(y)))
    if (x_val is None) != (y_val is None):
        raise ValueError(tr("give both x_val and y_val, or neither"))
    if x_val is not None:
        x_val, y_val = _column("x_val", x_val), _column("y_val", y_val)
        if len(x_val) != len(y_val):
            raise ValueError(tr("x_val and y_val must have the same length: {x} and {y}")
                             .format(x=len(x_val), y=len(y_val)))
    if not callable(activation):
        raise TypeError(tr("activation must be a function f(z), got {type}")
                        .format(type=type(activation).__name__))
    fname = _name_of(activation, "activation")
    controls = {
        "w": widgets.FloatSlider(value=-1.0, min=NEURON_W_RANGE[0], max=NEURON_W_RANGE[1],
                                 step=0.1, description=tr("weight w"), readout_format=".1f"),
        "b": widgets.FloatSlider(value=1.0, min=NEURON_B_RANGE[0], max=NEURON_B_RANGE[1],
                                 step=0.1, description=tr("bias b"), readout_format=".1f"),
    }
    state = {}

    def f(z):
        out = _call(activation, fname, z)
        a = np.asarray(out, dtype=np.float64) if out is not None else None
        if a is None or a.shape != np.shape(z):
            got = "None" if a is None else tr("shape {shape}").format(shape=a.shape)
            raise _Problem(tr("{name} returned {got} for an input of shape {shape}; "
                              "an activation works elementwise and keeps the shape")
                           .format(name=fname, got=got, shape=np.shape(z)))
        return a

    def cost(w, b, xs, ys):
        # w, b broadcast: scalars, or grids with a trailing axis for the examples.
        a = f(np.asarray(w)[..., None] * xs + np.asarray(b)[..., None])
        return 0.5 * np.mean((ys - a) ** 2, axis=-1)

    def draw(panel):
        w, b = float(controls["w"].value), float(controls["b"].value)
        panel.figure.clear()
        left, right = panel.figure.subplots(1, 2)
        panel.ax, panel.axes = left, (left, right)
        c_train = float(cost(w, b, x, y))
        grad = np.array([(cost(w + _H, b, x, y) - cost(w - _H, b, x, y)) / (2 * _H),
                         (cost(w, b + _H, x, y) - cost(w, b - _H, x, y)) / (2 * _H)])
        if "landscape" not in state:
            ws = np.linspace(*NEURON_W_RANGE, _GRID)
            bs = np.linspace(*NEURON_B_RANGE, _GRID)
            Wg, Bg = np.meshgrid(ws, bs)
            state["landscape"] = (ws, bs, cost(Wg, Bg, x, y))
        panel.landscape = state["landscape"]
        ws, bs, C = state["landscape"]

        left.scatter(x, y, s=14, color="C0", label=tr("train"))
        text = tr("w = {w:.1f}  b = {b:.1f}   C(train) = {cost:.4f}").format(w=w, b=b, cost=c_train)
        if x_val is not None:
            left.scatter(x_val, y_val, s=14, color="C1", marker="s", label=tr("validation"))
            text += "   " + tr("C(validation) = {cost:.4f}").format(
                cost=float(cost(w, b, x_val, y_val)))
        lo = min(x.min(), x_val.min()) if x_val is not None else x.min()
        hi = max(x.max(), x_val.max()) if x_val is not None else x.max()
        grid_x = np.linspace(lo, hi, 200)
        left.plot(grid_x, f(w * grid_x + b), color="k", lw=1.5, label=f"a = {fname}(w·x + b)")
        left.set_xlabel("x")
        left.set_ylabel("y, a")
        left.legend(loc="upper left", fontsize=7)

        right.contour(ws, bs, C, levels=20, cmap="viridis", linewidths=0.8)
        right.plot([w], [b], "o", color="C3", ms=7)
        norm = float(np.hypot(*grad))
        if norm > 0:
            step = 0.8 * (-grad) / norm
            right.annotate("", xy=(w + step[0], b + step[1]), xytext=(w, b),
                           arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1.5})
        right.set_xlabel("w")
        right.set_ylabel("b")
        right.set_title(tr("C(w, b) on the training data; arrow: −∇C"), fontsize=8)
        text += f"   ∇C = ({grad[0]:+.3f}, {grad[1]:+.3f})"
        state["gradient"] = grad
        panel.gradient = grad
        return text, True

    box = widgets.HBox([controls["w"], controls["b"]])
    panel = Panel(controls, draw, layout_controls=box, figsize=(9.0, 3.6))
    panel.show()
    return panel
