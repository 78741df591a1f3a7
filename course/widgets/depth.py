"""The depth explorer: depth, activation and initialisation as controls; every hidden layer's
activations and every layer's gradient norm redrawn."""

from __future__ import annotations

from typing import Callable
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from ..plots.depth import draw_depth_statistics
from .panel import Panel, _call

#: The activations and initialisations offered (the names Day 3's functions take).
DEPTH_ACTIVATIONS = ("sigmoid", "tanh", "relu")
DEPTH_INITS = ("small", "xavier", "he")


def depth_statistics(init: Callable, forward: Callable, loss_and_grads: Callable, depth: int,
                     activation: str, method: str, width=100, classes=10, N=100, seed=0):
    """(hidden activations [a², ..., a^{L−1}], gradient norms (L − 1,)) of a fresh network.

    init(sizes, activation, method, seed) -> params; forward(X, params, activation) ->
    (scores, caches) with caches[i][0] = (input of layer i, W, b); loss_and_grads(X, y,
    params, activation) -> (loss, grads).  The network has ``depth`` hidden layers of
    ``width`` units; X is N(0, 1) (N, width) and y random labels, both fixed by seed.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, width))
    y = rng.integers(0, classes, size=N)
    params = _call(init, "mlp_init", [width] * (depth + 1) + [classes], activation, method, seed + 1)
    _, caches = _call(forward, "mlp_forward", X, params, activation)
    hidden = [np.asarray(caches[i][0][0]) for i in range(1, len(params))]
    _, grads = _call(loss_and_grads, "mlp_loss_and_grads", X, y, params, activation)
    norms = np.array([float(np.sqrt(np.sum(np.square(dW)))) for dW, _ in grads])
    return hidden, norms


def depth_explorer(init: Callable, forward: Callable, loss_and_grads: Callable, width=100,
                   depth=6, activation="sigmoid", method="small", seed=0) -> Panel:
    """Controls "depth" (1–10 hidden layers), "activation" and "init"; the figure shows the
    histogram of every hidden layer's activations and the gradient norm of every layer.

    The panel also keeps ``activations`` and ``grad_norms`` of the last drawing.
    """
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=10, description=tr("hidden layers")),
        "activation": widgets.Dropdown(options=list(DEPTH_ACTIVATIONS), value=activation,
                                       description=tr("activation")),
        "init": widgets.Dropdown(options=list(DEPTH_INITS), value=method, description=tr("init")),
    }

    def draw(panel):
        d = panel.controls["depth"].value
        act = panel.controls["activation"].value
        meth = panel.controls["init"].value
        hidden, norms = depth_statistics(init, forward, loss_and_grads, d, act, meth,
                                         width=width, seed=seed)
        panel.activations, panel.grad_norms = hidden, norms
        panel.figure.clear()
        axes, bottom = draw_depth_statistics(panel.figure, hidden, norms)
        panel.ax = bottom
        ratio = norms[0] / norms[-1] if norms[-1] > 0 else float("nan")
        return tr("{activation}, {init}, {depth} hidden layers: std of a² {first:.3g}, "
                  "of the last hidden layer {last:.3g}; "
                  "‖∂C/∂w²‖ / ‖∂C/∂w^L‖ = {ratio:.3g}").format(
            activation=act, init=meth, depth=d, first=hidden[0].std(), last=hidden[-1].std(),
            ratio=ratio), True

    panel = Panel(controls, draw, figsize=(9.0, 4.6))
    panel.show()
    return panel
