"""Deep networks at initialisation: each hidden layer's activations and each layer's gradient norm."""

from __future__ import annotations

from typing import Sequence
from ..i18n import _ as tr

import numpy as np
from ._base import plt


def draw_depth_statistics(fig, activations: Sequence, grad_norms, title=None):
    """Draw on ``fig``: one histogram per hidden layer (one shared value range) and, below,
    the gradient norm of every layer on a log scale.  Returns (histogram Axes list, norm Axes)."""
    layers = [np.asarray(a, dtype=np.float64).ravel() for a in activations]
    norms = np.asarray(grad_norms, dtype=np.float64).ravel()
    if not layers:
        raise ValueError(tr("activations is empty; pass one array per hidden layer"))
    finite = [a[np.isfinite(a)] for a in layers]
    pooled = np.concatenate(finite) if finite else np.zeros(0)
    lo, hi = (float(pooled.min()), float(pooled.max())) if pooled.size else (-1.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    bins = np.linspace(lo, hi, 31)
    grid = fig.add_gridspec(2, len(layers), height_ratios=[1.0, 1.1], hspace=0.55, wspace=0.15)
    hist_axes = []
    for i, values in enumerate(finite):
        ax = fig.add_subplot(grid[0, i])
        ax.hist(values, bins=bins, color="C0")
        ax.set_yticks([])
        ax.tick_params(labelsize="xx-small")
        ax.set_title(f"a^{i + 2}\nstd {values.std():.2g}" if values.size else f"a^{i + 2}",
                     fontsize="x-small")
        hist_axes.append(ax)
    bottom = fig.add_subplot(grid[1, :])
    layer_numbers = np.arange(2, len(norms) + 2)
    shown = np.where(norms > 0, norms, np.nan)
    bottom.semilogy(layer_numbers, shown, "o-", color="C3")
    bottom.set_xticks(layer_numbers)
    bottom.set_xlabel(tr("layer l"))
    bottom.set_ylabel("‖∂C/∂w^l‖")
    bottom.grid(True, alpha=0.3)
    if title:
        hist_axes[0].figure.suptitle(title, fontsize="small")
    return hist_axes, bottom


def plot_depth_statistics(activations: Sequence, grad_norms, title=None):
    """Histograms of each hidden layer's activations and the gradient norm per layer.

    activations: one array per hidden layer (a², ..., a^{L−1}), any shape; grad_norms: (L − 1,)
    the norms ‖∂C/∂w^l‖ for l = 2..L.  Returns the Figure.
    """
    fig = plt.figure(figsize=(max(6.0, 1.1 * len(activations)), 4.8))
    draw_depth_statistics(fig, activations, grad_norms, title)
    return fig
