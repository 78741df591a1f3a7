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

from .explorer import activation_explorer
from .optimizers import RACE_SURFACES, Surface, optimizer_race
from .panel import Panel
from .playground import PLAYGROUND_PARAMETERS, network_playground
from .conv import CONV_PRESETS, KERNEL_CONTROLS, conv_explorer, feature_map_explorer
from .depth import DEPTH_ACTIVATIONS, DEPTH_INITS, depth_explorer, depth_statistics
from .recurrent import GRADIENT_NET, gradient_through_time
from .neuron import NEURON_B_RANGE, NEURON_W_RANGE, neuron_fit
from .regularisation import REGULARISATION_DROPOUTS, REGULARISATION_LAMBDAS, REGULARISATION_SIZES, regularisation_explorer, regularisation_run

__all__ = ["activation_explorer", "network_playground", "Panel", "optimizer_race", "Surface",
           "RACE_SURFACES", "PLAYGROUND_PARAMETERS",
           "depth_explorer", "depth_statistics", "DEPTH_ACTIVATIONS", "DEPTH_INITS",
           "conv_explorer", "CONV_PRESETS", "KERNEL_CONTROLS", "feature_map_explorer",
           "gradient_through_time", "GRADIENT_NET",
           "regularisation_explorer", "regularisation_run", "REGULARISATION_LAMBDAS",
           "REGULARISATION_DROPOUTS", "REGULARISATION_SIZES",
           "neuron_fit", "NEURON_W_RANGE", "NEURON_B_RANGE"]
