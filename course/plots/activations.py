"""Activations: f and f′ over z."""

from __future__ import annotations

from typing import Callable

from ..i18n import _ as tr

import numpy as np

from ._base import Z_RANGE, _name_of, _new_axes

def evaluate_elementwise(fn: Callable, z: np.ndarray, name: str = "f") -> np.ndarray:
    """fn(z) as float64 of z's shape; ValueError naming both shapes when it is not.

    z (M,) float64 -> (M,) float64.  An elementwise function must keep the shape of its
    input, so a different shape (a sum, a scalar, None) is the student's bug, said here.
    """
    out = fn(z.copy())
    if out is None:
        raise ValueError(tr("{name} returned None; did the function forget `return`?").format(name=name))
    try:
        values = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(tr("{name} returned {type}, not numbers")
                         .format(name=name, type=type(out).__name__)) from None
    if values.shape != z.shape:
        raise ValueError(tr("{name} returned shape {shape} for an input of shape "
                            "{input}; an elementwise function keeps the shape of z")
                         .format(name=name, shape=values.shape, input=z.shape))
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
