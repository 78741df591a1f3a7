"""Pictures for the course: activations, decision boundaries, activation statistics,
digits and loss curves.

Every function draws with matplotlib and returns what it drew on (an Axes, or a Figure
when it needs several Axes), so a notebook can add to the picture and a test can look
inside it.  Given ``ax=...`` a function draws there; otherwise it opens a new figure
through pyplot, which ``%matplotlib inline`` shows at the end of the cell.

- ``plot_activation``: f and f′ over z.
- ``plot_decision_boundary``: the class a model predicts at each point of the plane,
  under the data coloured by their labels.
- ``plot_activation_stats``: mean and spread of each layer's activations, and their
  histograms (saturation and dying units show up here first).
- ``plot_digits``: 8×8 digits with their labels, and predictions in red when wrong.
- ``plot_loss``: loss curves, one or several (train / validation).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import BoundaryNorm, ListedColormap

__all__ = ["plot_activation", "plot_decision_boundary", "plot_activation_stats",
           "plot_digits", "plot_loss", "class_colors", "predicted_classes",
           "evaluate_elementwise", "draw_activation"]

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


# --- activations -------------------------------------------------------------------


def evaluate_elementwise(fn: Callable, z: np.ndarray, name: str = "f") -> np.ndarray:
    """fn(z) as float64 of z's shape; ValueError naming both shapes when it is not.

    z (M,) float64 -> (M,) float64.  An elementwise function must keep the shape of its
    input, so a different shape (a sum, a scalar, None) is the student's bug, said here.
    """
    out = fn(z.copy())
    if out is None:
        raise ValueError(f"{name} returned None; did the function forget `return`?")
    try:
        values = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} returned {type(out).__name__}, not numbers") from None
    if values.shape != z.shape:
        raise ValueError(f"{name} returned shape {values.shape} for an input of shape "
                         f"{z.shape}; an elementwise function keeps the shape of z")
    return values


def draw_activation(ax, z, fz, fpz=None, name="f", title=None):
    """Draw f(z) (M,) and, if given, f′(z) (M,) over z (M,) on ``ax``; returns ax.

    The two curves are the only lines drawn, labelled "f(z)" and "f′(z)" with the
    function's name, so that a picture of several activations stays readable.
    """
    ax.plot(z, fz, color="C0", lw=2, label=f"{name}(z)")
    if fpz is not None:
        ax.plot(z, fpz, color="C1", lw=2, ls="--", label=f"{name}′(z)")
    ax.set_xlim(float(np.min(z)), float(np.max(z)))
    ax.set_xlabel("z")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left")
    ax.set_title(name if title is None else title)
    return ax


def plot_activation(f: Callable, fprime: Callable | None = None, z=None, ax=None,
                    title=None):
    """Plot an activation f and its derivative f′ over z.

    f, fprime: elementwise functions, z (M,) float64 -> (M,).  fprime may be None.
    z: the points, default 401 points in [−6, 6].  Returns the Axes, with one line for
    f and one for f′.  An error raised by f or fprime (also NotImplementedError from a
    stub) is not caught: the cell shows it as it would any other call.
    """
    z = np.linspace(*Z_RANGE, 401) if z is None else np.asarray(z, dtype=np.float64).ravel()
    name = _name_of(f, "f")
    fz = evaluate_elementwise(f, z, name)
    fpz = None if fprime is None else evaluate_elementwise(fprime, z, _name_of(fprime, "f′"))
    return draw_activation(_new_axes(ax), z, fz, fpz, name=name, title=title)


# --- decision boundaries -------------------------------------------------------------


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
    raise ValueError(f"{what}: expected integer class labels, got {values.dtype} values "
                     f"such as {values.ravel()[:3].tolist()}")


def predicted_classes(predict: Callable, points: np.ndarray) -> np.ndarray:
    """Class labels (M,) int64 that ``predict`` gives to points (M, 2) float64.

    predict may return scores (M, C) with C ≥ 2 (the class is the argmax), one logit
    per row (M, 1) (class 1 where the logit is > 0, i.e. σ(logit) > 0.5), or labels (M,).
    """
    out = predict(points)
    if out is None:
        raise ValueError("predict returned None; did the function forget `return`?")
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
                f"predict returned non-integer values of shape ({M},); return labels ({M},), "
                f"scores ({M}, C), or one logit per row ({M}, 1)") from None
    raise ValueError(f"predict returned shape {scores.shape} for {M} points; expected "
                     f"scores ({M}, C), one logit per row ({M}, 1) or labels ({M},)")


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
        raise ValueError(f"X must have shape (N, 2) for a picture in the plane, got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X and y must have the same number of rows: X has {len(X)}, "
                         f"y has {len(y)}")
    y = _integer_labels(y, "y")
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = np.where(hi > lo, 0.1 * (hi - lo), 1.0)
    xs = np.linspace(lo[0] - margin[0], hi[0] + margin[0], resolution)
    ys = np.linspace(lo[1] - margin[1], hi[1] + margin[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    classes = predicted_classes(predict, grid).reshape(gx.shape)

    K = int(max(classes.max(), y.max() if y.size else 0)) + 1
    if classes.min() < 0 or (y.size and y.min() < 0):
        raise ValueError("class labels must be ≥ 0")
    # One colour per class: bands [k − ½, k + ½) map class k to colour k exactly.
    cmap = ListedColormap(class_colors(K))
    norm = BoundaryNorm(np.arange(K + 1) - 0.5, K)
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


# --- activation statistics ---------------------------------------------------------


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
        raise ValueError("activations is empty; pass one array per layer")
    labels = [f"layer {i}" for i in range(1, L + 1)] if labels is None else list(labels)
    if len(labels) != L:
        raise ValueError(f"got {len(labels)} labels for {L} layers")
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
    top.plot(x, means, "o-", label="mean")
    top.plot(x, stds, "s--", label="std")
    top.set_xticks(x, labels)
    top.grid(True, alpha=0.3)
    top.legend()
    top.set_title("activations per layer" if title is None else title)
    bins = np.linspace(lo, hi, 41)
    first = None
    for i, (values, raw) in enumerate(zip(finite, layers)):
        ax = fig.add_subplot(grid[1, i], sharex=first)
        first = first or ax
        ax.hist(values, bins=bins, color="C0")
        note = ""
        if values.size < raw.size:
            note = f"\n{raw.size - values.size} not finite"
        ax.set_title(f"{labels[i]}{note}", fontsize="small")
        ax.tick_params(labelsize="x-small")
    return fig


# --- digits and loss ----------------------------------------------------------------


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
        raise ValueError(f"X must have shape (N, 64) or (N, 8, 8), got {X.shape}")
    if len(y) != len(images):
        raise ValueError(f"X and y must have the same number of rows: X has {len(images)}, "
                         f"y has {len(y)}")
    if predictions is not None:
        predictions = np.asarray(predictions)
        if predictions.ndim == 2:
            predictions = predictions.argmax(axis=1)
        if predictions.shape != y.shape:
            raise ValueError(f"predictions must have shape {y.shape} (labels) or "
                             f"({len(y)}, C) (scores), got {predictions.shape}")
    count = min(int(n), len(images))
    if count < 1:
        raise ValueError(f"nothing to show: n={n} and {len(images)} digits")
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
        fig.suptitle("label → prediction (red: wrong)", fontsize="small")
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
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax
