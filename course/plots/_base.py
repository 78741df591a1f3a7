"""What every picture of the course shares: the default z grid, a new Axes, a name."""

from __future__ import annotations

import importlib


class LazyModule:
    """A module imported at its first use.  matplotlib costs a second or more to import;
    the graded code imports the toolkit in every sandbox but never draws."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)


plt = LazyModule("matplotlib.pyplot")
colors = LazyModule("matplotlib.colors")


#: The default z grid of ``plot_activation``: wide enough to show saturation.
Z_RANGE = (-6.0, 6.0)


def _new_axes(ax, figsize=(6.0, 4.0)):
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _name_of(fn, default: str) -> str:
    name = getattr(fn, "__name__", None)
    return default if not name or name == "<lambda>" else name
