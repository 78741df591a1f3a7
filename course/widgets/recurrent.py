"""Vanishing and exploding gradients through time, and clipping: two sliders."""

from __future__ import annotations

from typing import Callable
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from .. import data
from ..plots.recurrent import draw_gradient_through_time
from .panel import Panel, _Problem, _call

#: The network the widget unrolls: inputs of size D, H hidden units, one sequence.
GRADIENT_NET = {"D": 4, "H": 16, "seed": 0, "lr": 0.1}


def _global_norm(arrays) -> float:
    return float(np.sqrt(sum(np.sum(np.square(np.asarray(a, dtype=np.float64))) for a in arrays)))


def gradient_through_time(rnn_forward: Callable, rnn_backward: Callable,
                          jacobian_product_norms: Callable, clip_by_global_norm: Callable,
                          max_norm: float = 1.0) -> Panel:
    """The spectral radius of W_hh and the sequence length as sliders.

    Uses the student's functions: ``rnn_forward(x, h0, params) -> (h, cache)``,
    ``rnn_backward(dh, cache) -> (dx, dh0, grads)``, ``jacobian_product_norms(W_hh, h)``
    and Day 2's ``clip_by_global_norm(grads, max_norm) -> (clipped, total)``.
    A tanh RNN (``data.recurrent_params``: W_hh = ρ·Q, small inputs, h0 = 0) reads one
    random sequence of length T; the loss is Σ h_T (a loss on the last step only).

    Left: ‖∂h_T/∂h_{T−k}‖ against k (with the line ρ^k).  Right: the length of one
    gradient-descent step lr·‖g‖ on all parameters, without and with clipping to
    ``max_norm``.  Controls: ``controls["radius"]`` (FloatSlider 0.5 … 1.8),
    ``controls["T"]`` (IntSlider 5 … 100).  ``panel.norms`` and ``panel.grad_norm``
    hold the numbers drawn.
    """
    for name, fn in (("rnn_forward", rnn_forward), ("rnn_backward", rnn_backward),
                     ("jacobian_product_norms", jacobian_product_norms),
                     ("clip_by_global_norm", clip_by_global_norm)):
        if not callable(fn):
            raise TypeError(tr("{name} must be a function, got {type}")
                            .format(name=name, type=type(fn).__name__))
    if not max_norm > 0:
        raise ValueError(tr("max_norm must be positive, got {value!r}").format(value=max_norm))
    D, H, seed, lr = (GRADIENT_NET[k] for k in ("D", "H", "seed", "lr"))
    controls = {
        "radius": widgets.FloatSlider(value=0.9, min=0.5, max=1.8, step=0.05,
                                      description=tr("radius ρ"), readout_format=".2f"),
        "T": widgets.IntSlider(value=40, min=5, max=100, step=1, description=tr("length T")),
    }
    x_all = np.random.default_rng(seed + 1).normal(size=(1, 100, D))

    def draw(panel):
        rho, T = float(controls["radius"].value), int(controls["T"].value)
        params = data.recurrent_params(D, H, rho, seed=seed)
        x = x_all[:, :T, :]
        out = _call(rnn_forward, "rnn_forward", x, np.zeros((1, H)), params)
        if not isinstance(out, tuple) or len(out) != 2:
            raise _Problem(tr("rnn_forward must return a pair (h, cache)"))
        h, cache = out
        h = np.asarray(h, dtype=np.float64)
        if h.shape != (1, T, H):
            raise _Problem(tr("rnn_forward returned h of shape {shape}; expected {expected}")
                           .format(shape=h.shape, expected=(1, T, H)))
        norms = np.asarray(_call(jacobian_product_norms, "jacobian_product_norms",
                                 params["W_hh"], h[0]), dtype=np.float64)
        if norms.shape != (T + 1,):
            raise _Problem(tr("jacobian_product_norms returned shape {shape}; "
                              "expected {expected} (k = 0 … T)")
                           .format(shape=norms.shape, expected=(T + 1,)))
        dh = np.zeros((1, T, H))
        dh[0, -1] = 1.0
        back = _call(rnn_backward, "rnn_backward", dh, cache)
        if not isinstance(back, tuple) or len(back) != 3 or not isinstance(back[2], dict):
            raise _Problem(tr("rnn_backward must return (dx, dh0, grads) with grads a dict"))
        grads = [back[2][k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")]
        clipped, total = _call(clip_by_global_norm, "clip_by_global_norm", grads, max_norm)
        step, step_clipped = lr * _global_norm(grads), lr * _global_norm(clipped)
        panel.norms, panel.grad_norm = norms, float(total)
        panel.figure.clear()
        left = panel.figure.add_subplot(1, 2, 1)
        right = panel.figure.add_subplot(1, 2, 2)
        panel.ax = left
        draw_gradient_through_time(left, {"tanh RNN": norms}, {"tanh RNN": rho},
                                   title=f"ρ = {rho:.2f}, T = {T}")
        right.bar([0, 1], [step, step_clipped], color=["C3", "C2"])
        right.set_xticks([0, 1], [tr("not clipped"),
                                 tr("clipped to {max_norm:g}").format(max_norm=max_norm)])
        right.set_yscale("log")
        right.set_ylabel(tr("step length lr·‖g‖ (lr = {lr:g})").format(lr=lr))
        right.set_title(tr("one gradient step on all weights"))
        panel.figure.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.9, wspace=0.35)
        return tr("‖∂h_T/∂h_0‖ = {norm:.3g}   gradient norm {total:.3g}   "
                  "step {step:.3g} → {clipped:.3g} clipped").format(
            norm=norms[-1], total=total, step=step, clipped=step_clipped), True

    box = widgets.HBox([controls["radius"], controls["T"]])
    panel = Panel(controls, draw, layout_controls=box, figsize=(9.6, 3.8))
    panel.show()
    return panel
