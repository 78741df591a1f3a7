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

import importlib

# The widgets are imported when first used, not with the package: ipywidgets and
# IPython take a fifth of a second to import, which every graded run would pay
# (the set-up cell imports ``course.widgets``; graded code never draws).
_WHERE = {  # name -> the module of this package that defines it
    "activation_explorer": "explorer",
    "RACE_SURFACES": "optimizers",
    "Surface": "optimizers",
    "optimizer_race": "optimizers",
    "Panel": "panel",
    "PLAYGROUND_PARAMETERS": "playground",
    "network_playground": "playground",
    "CONV_PRESETS": "conv",
    "KERNEL_CONTROLS": "conv",
    "conv_explorer": "conv",
    "feature_map_explorer": "conv",
    "DEPTH_ACTIVATIONS": "depth",
    "DEPTH_INITS": "depth",
    "depth_explorer": "depth",
    "depth_statistics": "depth",
    "GRADIENT_NET": "recurrent",
    "gradient_through_time": "recurrent",
    "NEURON_B_RANGE": "neuron",
    "NEURON_W_RANGE": "neuron",
    "neuron_fit": "neuron",
    "REGULARISATION_DROPOUTS": "regularisation",
    "REGULARISATION_LAMBDAS": "regularisation",
    "REGULARISATION_SIZES": "regularisation",
    "regularisation_explorer": "regularisation",
    "regularisation_run": "regularisation",
}

__all__ = ["activation_explorer", "network_playground", "Panel", "optimizer_race", "Surface",
           "RACE_SURFACES", "PLAYGROUND_PARAMETERS",
           "depth_explorer", "depth_statistics", "DEPTH_ACTIVATIONS", "DEPTH_INITS",
           "conv_explorer", "CONV_PRESETS", "KERNEL_CONTROLS", "feature_map_explorer",
           "gradient_through_time", "GRADIENT_NET",
           "regularisation_explorer", "regularisation_run", "REGULARISATION_LAMBDAS",
           "REGULARISATION_DROPOUTS", "REGULARISATION_SIZES",
           "neuron_fit", "NEURON_W_RANGE", "NEURON_B_RANGE"]


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
