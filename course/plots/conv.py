"""Pictures of Day 4: an image next to its feature maps, a bank of kernels, timings."""

from __future__ import annotations

from typing import Mapping, Sequence
from ..i18n import _ as tr

import numpy as np
from ._base import plt


def _as_image(a, name):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1 and a.size == 64:
        return a.reshape(8, 8)
    if a.ndim != 2:
        raise ValueError(tr("{name} must be a 2-D image (H, W) (or a flat 8×8 digit), got shape {shape}")
                         .format(name=name, shape=a.shape))
    return a


def draw_feature_map(ax, image, title="", signed=False):
    """One image on ``ax``: gray for an input, a diverging map (0 = white) for a signed map."""
    image = _as_image(image, "image")
    if signed:
        m = float(np.max(np.abs(image))) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-m, vmax=m)
    else:
        ax.imshow(image, cmap="gray_r")
    ax.set_title(title, fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_feature_maps(image, maps: Sequence, titles: Sequence[str] | None = None,
                      kernels: Sequence | None = None):
    """An input image and the feature maps computed from it, side by side.

    image: (H, W) or a flat digit (64,); maps: a list of 2-D arrays (any sizes);
    titles: one per map; kernels: one 2-D kernel per map, drawn in a row above it.
    Maps and kernels use a diverging colour map with 0 white (blue < 0 < red).
    Returns the Figure.
    """
    maps = [_as_image(m, f"maps[{i}]") for i, m in enumerate(maps)]
    if not maps:
        raise ValueError(tr("maps is empty: pass at least one feature map"))
    titles = list(titles) if titles is not None else [tr("map {index}").format(index=i) for i in range(len(maps))]
    if len(titles) != len(maps):
        raise ValueError(tr("{titles} titles for {maps} maps").format(titles=len(titles), maps=len(maps)))
    if kernels is not None and len(kernels) != len(maps):
        raise ValueError(tr("{kernels} kernels for {maps} maps").format(kernels=len(kernels), maps=len(maps)))
    rows = 1 if kernels is None else 2
    cols = len(maps) + 1
    fig, axes = plt.subplots(rows, cols, figsize=(1.9 * cols, 2.0 * rows), squeeze=False)
    draw_feature_map(axes[-1, 0], image, tr("input"))
    for i, m in enumerate(maps):
        draw_feature_map(axes[-1, i + 1], m, f"{titles[i]} {m.shape[0]}×{m.shape[1]}", signed=True)
    if kernels is not None:
        axes[0, 0].set_axis_off()
        for i, k in enumerate(kernels):
            draw_feature_map(axes[0, i + 1], k, tr("kernel {title}").format(title=titles[i]),
                             signed=True)
    fig.tight_layout()
    return fig


def plot_kernels(w, title=None):
    """Every kernel w[f, c] of a bank (F, C, KH, KW) in a grid, row f, column c. Returns the Figure."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 4:
        raise ValueError(tr("w must have shape (F, C, KH, KW), got {shape}").format(shape=w.shape))
    F, C = w.shape[:2]
    fig, axes = plt.subplots(F, C, figsize=(1.2 * C + 0.4, 1.2 * F + 0.4), squeeze=False)
    for f in range(F):
        for c in range(C):
            draw_feature_map(axes[f, c], w[f, c], f"f{f} c{c}" if C > 1 else f"f{f}", signed=True)
    fig.suptitle(tr("kernels") if title is None else title, fontsize="small")
    fig.tight_layout()
    return fig


def plot_timings(seconds: Mapping[str, float], title=None):
    """A horizontal bar per implementation, labelled with its time. Returns the Axes."""
    if not seconds:
        raise ValueError(tr("seconds is empty: pass {name: seconds}"))
    names = list(seconds)
    values = [float(seconds[n]) for n in names]
    fig, ax = plt.subplots(figsize=(6.0, 0.5 * len(names) + 1.0))
    ax.barh(names, values, color=[f"C{i}" for i in range(len(names))])
    ax.set_xscale("log")
    for i, v in enumerate(values):
        ax.text(v, i, f" {v * 1e3:.3g} ms", va="center", fontsize="small")
    ax.set_xlabel(tr("seconds (log scale)"))
    ax.set_title(tr("time per call") if title is None else title)
    fig.tight_layout()
    return ax
