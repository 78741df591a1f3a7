"""Recurrent networks: how much of a gradient survives k steps back in time."""

from __future__ import annotations

from typing import Mapping
from ..i18n import _ as tr

import numpy as np

from ._base import _new_axes


def draw_gradient_through_time(ax, norms: Mapping[str, object], radii: Mapping[str, float] | None = None,
                               title: str | None = None):
    """Draw ‖∂h_T/∂h_{T−k}‖ against the distance k, one curve per entry of ``norms``.

    norms: {label: array (T+1,)} with entry k the norm k steps back (entry 0 is 1);
    radii: {label: ρ} adds the dashed line ρ^k, what a linear recurrence with spectral
    radius ρ would give.  A logarithmic y axis: geometric decay and growth are straight
    lines.  Values that are 0, inf or nan are left out.  Returns ax.
    """
    radii = dict(radii or {})
    for i, (label, values) in enumerate(norms.items()):
        values = np.asarray(values, dtype=np.float64).ravel()
        k = np.arange(len(values))
        ok = np.isfinite(values) & (values > 0)
        ax.plot(k[ok], values[ok], "-", color=f"C{i}", lw=1.6, label=label)
        if label in radii:
            # the line ρ^k only as far as it stays near the curve (a few decades around it)
            line = float(radii[label]) ** k
            if ok.any():
                lo, hi = values[ok].min() / 1e3, values[ok].max() * 1e3
                line = np.where((line >= lo) & (line <= hi), line, np.nan)
            ax.plot(k, line, "--", color=f"C{i}", lw=0.9, alpha=0.7,
                    label=f"ρ^k, ρ = {float(radii[label]):.2f}")
    ax.set_yscale("log")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel(tr("time distance k"))
    ax.set_ylabel("‖∂h_T / ∂h_{T−k}‖₂")
    ax.grid(True, which="major", alpha=0.3)
    if norms:
        ax.legend(fontsize=8)
    ax.set_title(title or tr("gradient k steps back in time"))
    return ax


def plot_gradient_through_time(norms: Mapping[str, object], radii: Mapping[str, float] | None = None,
                               ax=None, title: str | None = None):
    """``draw_gradient_through_time`` on a new Axes (or on ``ax``); returns the Axes.

    norms: {label: array (T+1,)}, e.g. what ``jacobian_product_norms`` returns for
    W_hh of several spectral radii; radii: {label: ρ} for the dashed ρ^k lines.
    """
    if not isinstance(norms, Mapping):
        norms = {"‖∂h_T/∂h_{T−k}‖": norms}
    ax = _new_axes(ax)
    return draw_gradient_through_time(ax, norms, radii, title)


def plot_perplexity(losses, vocabulary: int | None = None, ax=None, title: str | None = None, smooth: int = 1):
    """Perplexity exp(loss) against the training step, on a logarithmic y axis.

    losses: the mean cross-entropy (in nats) per character of each step, e.g. ``history["loss"]``
    of ``train_recurrent``; smooth: average over that many steps first (a window mean, so the
    curve is exp of the mean loss of the window).  vocabulary: C draws the dotted line at C,
    the perplexity of a uniform guess over C characters.  Returns the Axes.
    """
    losses = np.asarray(losses, dtype=np.float64).ravel()
    if losses.size == 0:
        raise ValueError(tr("plot_perplexity: no losses to draw (an empty history?)"))
    smooth = max(1, min(int(smooth), losses.size))
    window = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
    ax = _new_axes(ax)
    ax.plot(np.arange(smooth, losses.size + 1), np.exp(window), "-", color="C0", lw=1.6,
            label=tr("perplexity exp(loss), mean of {steps} steps").format(steps=smooth) if smooth > 1
            else tr("perplexity exp(loss)"))
    if vocabulary is not None:
        ax.axhline(float(vocabulary), color="0.5", ls=":", lw=1.0, label=tr("uniform guess: {count}").format(count=int(vocabulary)))
    ax.set_yscale("log")
    ax.set_xlabel(tr("step"))
    ax.set_ylabel(tr("perplexity"))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title or tr("perplexity during training"))
    return ax


def plot_train_validation(train, validation, every: int, ax=None, title: str | None = None, stop: int | None = None):
    """The training loss of every step and the validation loss of every ``every``-th step.

    train: per-step batch losses (steps,); validation: the losses of the evaluations after steps
    every, 2·every, …; stop: an evaluation index to mark (where early stopping kept the model).
    Returns the Axes, with the lines "train" and "validation".
    """
    train = np.asarray(train, dtype=np.float64).ravel()
    validation = np.asarray(validation, dtype=np.float64).ravel()
    if int(every) < 1:
        raise ValueError(tr("plot_train_validation: every must be a positive number of steps, got {every!r}")
                         .format(every=every))
    ax = _new_axes(ax)
    ax.plot(np.arange(1, train.size + 1), train, "-", color="C0", lw=1.0, alpha=0.7, label=tr("train"))
    at = int(every) * np.arange(1, validation.size + 1)
    ax.plot(at, validation, "o-", color="C1", lw=1.6, ms=4, label=tr("validation"))
    if stop is not None and 0 <= int(stop) < validation.size:
        ax.axvline(at[int(stop)], color="C3", ls="--", lw=1.0, label=tr("kept"))
    ax.set_xlabel(tr("step"))
    ax.set_ylabel(tr("cross-entropy"))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title or tr("training and validation loss"))
    return ax


def plot_improvements(results: Mapping[str, object], baseline: str, ax=None, metric: str = "test accuracy"):
    """Mean ± standard deviation over seeds of each configuration, next to the baseline's.

    results: {name: scores of the seeds}; baseline: the name of the reference configuration, drawn
    first, with its mean as a dashed line and its ±1 std band shaded.  One horizontal bar per
    configuration, the error bar the std over the seeds, every seed's score a dot.  Returns the Axes.
    """
    if baseline not in results:
        raise ValueError(tr("plot_improvements: baseline {baseline!r} is not one of {names}")
                         .format(baseline=baseline, names=list(results)))
    names = [baseline] + [name for name in results if name != baseline]
    scores = [np.asarray(results[name], dtype=np.float64).ravel() for name in names]
    ax = _new_axes(ax, figsize=(6.5, 0.45 * len(names) + 1.2))
    y = np.arange(len(names))[::-1]
    means = np.array([s.mean() for s in scores])
    stds = np.array([s.std() for s in scores])
    ax.barh(y, means, xerr=stds, color=["0.6"] + ["C0"] * (len(names) - 1), alpha=0.8, capsize=3)
    for yi, s in zip(y, scores):
        ax.plot(s, np.full(s.size, yi), "k.", ms=4)
    ax.axvline(means[0], color="0.3", ls="--", lw=1.0)
    ax.axvspan(means[0] - stds[0], means[0] + stds[0], color="0.8", alpha=0.5, lw=0)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    lo = min(float((means - stds).min()), float(min(s.min() for s in scores)))
    ax.set_xlim(max(0.0, lo - 0.05), min(1.0, float((means + stds).max()) + 0.03) if metric.endswith("accuracy") else None)
    shown = tr("test accuracy") if metric == "test accuracy" else metric
    ax.set_xlabel(tr("{metric}, mean ± std over {count} seeds").format(metric=shown,
                                                                         count=scores[0].size))
    ax.grid(True, axis="x", alpha=0.3)
    return ax
