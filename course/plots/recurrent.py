"""Recurrent networks: how much of a gradient survives k steps back in time."""

from __future__ import annotations

from typing import Mapping

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
    ax.set_xlabel("time distance k")
    ax.set_ylabel("‖∂h_T / ∂h_{T−k}‖₂")
    ax.grid(True, which="major", alpha=0.3)
    if norms:
        ax.legend(fontsize=8)
    ax.set_title(title or "gradient k steps back in time")
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
