"""Digits with their labels and predictions, and loss curves."""

from __future__ import annotations

from typing import Mapping
from ..i18n import _ as tr

import numpy as np

from ._base import _new_axes, plt

def plot_digits(X, y, n=20, predictions=None):
    """The first n digits of X (N, 64) or (N, 8, 8) in a grid, titled with their labels.

    y (N,) integer labels.  predictions: labels (N,) or scores (N, C) (argmax taken);
    when given, each title shows label and prediction, in red where they differ.
    Returns the Figure.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim == 2 and X.shape[1] == 64:
        images = X.reshape(-1, 8, 8)
    elif X.ndim == 3 and X.shape[1:] == (8, 8):
        images = X
    else:
        raise ValueError(tr("X must have shape (N, 64) or (N, 8, 8), got {shape}").format(shape=X.shape))
    if len(y) != len(images):
        raise ValueError(tr("X and y must have the same number of rows: X has {x}, y has {y}")
                         .format(x=len(images), y=len(y)))
    if predictions is not None:
        predictions = np.asarray(predictions)
        if predictions.ndim == 2:
            predictions = predictions.argmax(axis=1)
        if predictions.shape != y.shape:
            raise ValueError(tr("predictions must have shape {labels} (labels) or "
                                "({count}, C) (scores), got {shape}")
                             .format(labels=y.shape, count=len(y), shape=predictions.shape))
    count = min(int(n), len(images))
    if count < 1:
        raise ValueError(tr("nothing to show: n={n} and {count} digits").format(n=n, count=len(images)))
    cols = min(count, 10)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.1 * cols, 1.35 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i >= count:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0.0, vmax=float(max(images.max(), 1e-12)))
        if predictions is None:
            ax.set_title(str(y[i]), fontsize="small")
        else:
            wrong = predictions[i] != y[i]
            ax.set_title(f"{y[i]} → {predictions[i]}", fontsize="small",
                         color="red" if wrong else "black")
    if predictions is not None:
        fig.suptitle(tr("label → prediction (red: wrong)"), fontsize="small")
    fig.tight_layout()
    return fig


def plot_loss(history, ax=None, title=None, logy=False):
    """Loss curves: history is a list of floats, or a dict name -> list (e.g. train, val).

    Each curve is drawn against its own step number 1, 2, ...  logy: a logarithmic
    y axis, for losses that fall over orders of magnitude.  Returns the Axes, with one
    line per curve.
    """
    if isinstance(history, Mapping):
        curves = {str(k): np.asarray(v, dtype=np.float64).ravel() for k, v in history.items()}
    else:
        curves = {"loss": np.asarray(history, dtype=np.float64).ravel()}
    ax = _new_axes(ax)
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set_xlabel(tr("step"))
    ax.set_ylabel(tr("loss"))
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax
