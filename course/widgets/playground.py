"""The 2→2→1 playground: every weight and bias a slider, the decision boundary redrawn."""

from __future__ import annotations

from typing import Callable
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from ..plots import plot_decision_boundary

from .panel import Panel, _Problem, _call, _name_of

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
        raise ValueError(tr("X must have shape (N, 2), got {shape}").format(shape=X.shape))
    if len(y) != len(X):
        raise ValueError(tr("X and y must have the same number of rows: X has {x}, y has {y}")
                         .format(x=len(X), y=len(y)))
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(tr("y must hold labels 0 and 1 for a network with one output, "
                            "got {labels}").format(labels=np.unique(y)[:5].tolist()))
    y = y.astype(np.int64)
    if not callable(forward):
        raise TypeError(tr("forward must be a function forward(X, params), got {type}")
                        .format(type=type(forward).__name__))
    controls = {name: widgets.FloatSlider(value=start, min=-5.0, max=5.0, step=0.1,
                                          description=name, readout_format=".1f",
                                          layout=widgets.Layout(width="300px"))
                for name, start in zip(PLAYGROUND_PARAMETERS, PLAYGROUND_START)}
    fname = _name_of(forward, "forward")

    def scores(points, params):
        out = _call(forward, fname, points, params)
        if out is None:
            raise _Problem(tr("{name} returned None; did the function forget `return`?")
                           .format(name=fname))
        s = np.asarray(out, dtype=np.float64)
        if s.shape != (len(points), 1):
            raise _Problem(tr("{name} returned shape {shape} for {count} points; "
                              "expected ({count}, 1), one score per point")
                           .format(name=fname, shape=s.shape, count=len(points)))
        return s

    def draw(panel):
        values = [controls[name].value for name in PLAYGROUND_PARAMETERS]
        # A fresh copy per call: a forward that changes its params cannot change the sliders.
        s = scores(X, _params_from(values))
        accuracy = float(np.mean((s[:, 0] > 0).astype(np.int64) == y))
        plot_decision_boundary(lambda P: scores(P, _params_from(values)), X, y,
                               ax=panel.ax, resolution=120)
        return tr("accuracy on the {count} points: {percent:.1f} %").format(
            count=len(y), percent=100 * accuracy), True

    columns = [widgets.VBox([controls[n] for n in PLAYGROUND_PARAMETERS[i:j]])
               for i, j in ((0, 4), (4, 6), (6, 9))]
    labels = [tr("hidden weights W1"), tr("hidden biases b1"), tr("output W2, b2")]
    box = widgets.HBox([widgets.VBox([widgets.HTML(f"<b>{t}</b>"), c])
                        for t, c in zip(labels, columns)])
    panel = Panel(controls, draw, layout_controls=box, figsize=(5.0, 4.2))
    panel.show()
    return panel
