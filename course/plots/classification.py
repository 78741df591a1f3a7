"""Decision boundaries: the class a model predicts at each point of the plane."""

from __future__ import annotations

from typing import Callable

from ..i18n import _ as tr

import numpy as np

from ._base import _new_axes, colors, plt

def class_colors(num_classes: int) -> list:
    """One colour per class, the same in every picture of the course."""
    cmap = plt.get_cmap("tab10" if num_classes <= 10 else "tab20")
    return [cmap(k % cmap.N) for k in range(num_classes)]


def _integer_labels(values: np.ndarray, what: str) -> np.ndarray:
    if values.dtype == bool:
        return values.astype(np.int64)
    if np.issubdtype(values.dtype, np.integer):
        return values.astype(np.int64)
    if np.issubdtype(values.dtype, np.floating) and np.all(np.isfinite(values)) \
            and np.all(values == np.round(values)):
        return values.astype(np.int64)
    raise ValueError(tr("{what}: expected integer class labels, got {dtype} values "
                        "such as {examples}").format(what=what, dtype=values.dtype,
                                                     examples=values.ravel()[:3].tolist()))


def predicted_classes(predict: Callable, points: np.ndarray) -> np.ndarray:
    """Class labels (M,) int64 that ``predict`` gives to points (M, 2) float64.

    predict may return scores (M, C) with C ≥ 2 (the class is the argmax), one logit
    per row (M, 1) (class 1 where the logit is > 0, i.e. σ(logit) > 0.5), or labels (M,).
    """
    out = predict(points)
    if out is None:
        raise ValueError(tr("{name} returned None; did the function forget `return`?")
                         .format(name="predict"))
    scores = np.asarray(out)
    M = len(points)
    if scores.ndim == 2 and scores.shape[0] == M and scores.shape[1] >= 1:
        if scores.shape[1] == 1:
            return (scores[:, 0] > 0).astype(np.int64)
        return np.argmax(scores, axis=1).astype(np.int64)
    if scores.ndim == 1 and scores.shape[0] == M:
        try:
            return _integer_labels(scores, "predict")
        except ValueError:
            raise ValueError(
                tr("predict returned non-integer values of shape ({count},); return labels "
                   "({count},), scores ({count}, C), or one logit per row ({count}, 1)")
                .format(count=M)) from None
    raise ValueError(tr("predict returned shape {shape} for {count} points; expected "
                        "scores ({count}, C), one logit per row ({count}, 1) or labels ({count},)")
                     .format(shape=scores.shape, count=M))


def plot_decision_boundary(predict: Callable, X, y, ax=None, resolution=200, title=None):
    """The class ``predict`` assigns to each point of the plane, with the data on top.

    predict: (M, 2) float64 -> scores (M, C) (class = argmax), a logit (M, 1)
    (class = score > 0) or labels (M,).  X (N, 2), y (N,) integer labels.
    resolution: grid points per axis over the data's bounding box plus a margin.
    Returns the Axes: a filled contour of the predicted class and a scatter of X
    coloured by y in the same colours.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(tr("X must have shape (N, 2) for a picture in the plane, got {shape}")
                         .format(shape=X.shape))
    if len(y) != len(X):
        raise ValueError(tr("X and y must have the same number of rows: X has {x}, y has {y}")
                         .format(x=len(X), y=len(y)))
    y = _integer_labels(y, "y")
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(tr("resolution must be at least 2, got {resolution}")
                         .format(resolution=resolution))
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = np.where(hi > lo, 0.1 * (hi - lo), 1.0)
    xs = np.linspace(lo[0] - margin[0], hi[0] + margin[0], resolution)
    ys = np.linspace(lo[1] - margin[1], hi[1] + margin[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    classes = predicted_classes(predict, grid).reshape(gx.shape)

    K = int(max(classes.max(), y.max() if y.size else 0)) + 1
    if classes.min() < 0 or (y.size and y.min() < 0):
        raise ValueError(tr("class labels must be ≥ 0"))
    # One colour per class: bands [k − ½, k + ½) map class k to colour k exactly.
    cmap = colors.ListedColormap(class_colors(K))
    norm = colors.BoundaryNorm(np.arange(K + 1) - 0.5, K)
    ax = _new_axes(ax, figsize=(5.0, 4.5))
    ax.contourf(gx, gy, classes, levels=np.arange(K + 1) - 0.5, cmap=cmap, norm=norm,
                alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, norm=norm, s=18, edgecolors="k",
               linewidths=0.4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is not None:
        ax.set_title(title)
    return ax
