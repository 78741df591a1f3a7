"""Activation statistics: mean, spread and histograms per layer."""

from __future__ import annotations

from typing import Sequence
from ..i18n import _ as tr

import numpy as np

from ._base import plt

def plot_activation_stats(activations: Sequence, labels: Sequence[str] | None = None,
                          title=None):
    """Mean and standard deviation of each layer's activations, and their histograms.

    activations: one array per layer, any shape (e.g. (N, n_l)); all its values count.
    labels: a name per layer, default "layer 1", "layer 2", ...
    Returns the Figure: on top one Axes with two lines (mean, std) over the layers,
    below it one histogram Axes per layer, all on the same value range so that
    shrinking or saturating activations are visible at a glance.
    """
    layers = [np.asarray(a, dtype=np.float64).ravel() for a in activations]
    L = len(layers)
    if L == 0:
        raise ValueError(tr("activations is empty; pass one array per layer"))
    labels = [tr("layer {index}").format(index=i) for i in range(1, L + 1)] if labels is None else list(labels)
    if len(labels) != L:
        raise ValueError(tr("got {labels} labels for {layers} layers").format(labels=len(labels), layers=L))
    finite = [a[np.isfinite(a)] for a in layers]
    means = [float(a.mean()) if a.size else np.nan for a in finite]
    stds = [float(a.std()) if a.size else np.nan for a in finite]
    pooled = np.concatenate(finite)
    lo, hi = (float(pooled.min()), float(pooled.max())) if pooled.size else (-1.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5

    fig = plt.figure(figsize=(max(6.0, 2.2 * L), 5.5))
    grid = fig.add_gridspec(2, L, height_ratios=[1.0, 1.0], hspace=0.6)
    top = fig.add_subplot(grid[0, :])
    x = np.arange(L)
    top.plot(x, means, "o-", label=tr("mean"))
    top.plot(x, stds, "s--", label=tr("std"))
    top.set_xticks(x, labels)
    top.grid(True, alpha=0.3)
    top.legend()
    top.set_title(tr("activations per layer") if title is None else title)
    bins = np.linspace(lo, hi, 41)
    first = None
    for i, (values, raw) in enumerate(zip(finite, layers)):
        ax = fig.add_subplot(grid[1, i], sharex=first)
        first = first or ax
        ax.hist(values, bins=bins, color="C0")
        note = ""
        if values.size < raw.size:
            note = "\n" + tr("{count} not finite").format(count=raw.size - values.size)
        ax.set_title(f"{labels[i]}{note}", fontsize="small")
        ax.tick_params(labelsize="x-small")
    return fig
