"""The convolution explorer: a 3×3 kernel, stride and padding as controls, a digit's feature map redrawn."""

from __future__ import annotations

from typing import Callable
from ..i18n import _ as tr

import numpy as np
import ipywidgets as widgets

from ..plots.conv import draw_feature_map
from .panel import Panel, _Problem, _call, _name_of

#: Kernels to start from; "custom" keeps whatever the nine boxes hold.
CONV_PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "vertical edge": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "horizontal edge": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "diagonal": [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
}
def _preset_labels() -> dict:
    """The presets' names as the drop-down shows them (the release's language); the values
    stay the English keys of CONV_PRESETS."""
    return {"identity": tr("identity"), "blur": tr("blur"), "vertical edge": tr("vertical edge"),
            "horizontal edge": tr("horizontal edge"), "sharpen": tr("sharpen"),
            "diagonal": tr("diagonal"), "custom": tr("custom")}


#: Names of the nine kernel boxes, row by row: controls["w[u,v]"].
KERNEL_CONTROLS = [f"w[{u},{v}]" for u in range(3) for v in range(3)]


class _ConvPanel(Panel):
    """A Panel that can hold its redraws while a preset fills the nine boxes."""

    _hold = False

    def _on_change(self, change):
        if not self._hold:
            self.redraw()


def conv_explorer(images, conv_forward: Callable) -> Panel:
    """Pick a digit and a 3×3 kernel, set stride and padding, and see the feature map.

    images: (M, H, W) or (M, 64) (8×8 digits), float64.  conv_forward(x, w, b, stride,
    pad) -> (out, cache) with x (1, 1, H, W), w (1, 1, 3, 3), b (1,), out (1, 1, OH, OW)
    — the student's layer.  Controls: ``controls["image"]`` (IntSlider), ``controls["preset"]``
    (Dropdown of CONV_PRESETS and "custom"), the nine ``controls["w[u,v]"]`` (FloatText),
    ``controls["stride"]`` (1–3), ``controls["pad"]`` (0–2).  Choosing a preset fills the
    boxes; editing a box switches the preset to "custom".  The figure shows the padded
    input with the first window outlined, the kernel and the feature map; the status
    line gives the output size.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 2 and images.shape[1] == 64:
        images = images.reshape(-1, 8, 8)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(tr("images must have shape (M, H, W) or (M, 64), got {shape}")
                         .format(shape=images.shape))
    if not callable(conv_forward):
        raise TypeError(tr("conv_forward must be a function, got {type}")
                        .format(type=type(conv_forward).__name__))
    name = _name_of(conv_forward, "conv_forward")
    start = CONV_PRESETS["vertical edge"]
    controls = {
        "image": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description=tr("image")),
        "preset": widgets.Dropdown(options=[(_preset_labels().get(k, k), k)
                                            for k in [*CONV_PRESETS, "custom"]],
                                   value="vertical edge", description=tr("kernel")),
    }
    for u in range(3):
        for v in range(3):
            controls[f"w[{u},{v}]"] = widgets.FloatText(value=float(start[u][v]), step=0.5,
                                                        layout=widgets.Layout(width="70px"))
    controls["stride"] = widgets.IntSlider(value=1, min=1, max=3, description=tr("stride"))
    controls["pad"] = widgets.IntSlider(value=0, min=0, max=2, description=tr("padding"))

    def kernel():
        return np.array([[controls[f"w[{u},{v}]"].value for v in range(3)] for u in range(3)],
                        dtype=np.float64)

    def draw(panel):
        image = images[controls["image"].value]
        stride, pad = int(controls["stride"].value), int(controls["pad"].value)
        w = kernel()
        result = _call(conv_forward, name, image[None, None], w[None, None], np.zeros(1),
                       stride, pad)
        if not isinstance(result, tuple) or len(result) != 2:
            raise _Problem(tr("{name} must return (out, cache), got {type}")
                           .format(name=name, type=type(result).__name__))
        out = np.asarray(result[0], dtype=np.float64)
        H, W = image.shape
        OH, OW = (H + 2 * pad - 3) // stride + 1, (W + 2 * pad - 3) // stride + 1
        if out.shape != (1, 1, OH, OW):
            raise _Problem(tr("{name} returned shape {shape}; expected (1, 1, {rows}, {cols}) "
                              "for an {height}×{width} image, 3×3 kernel, stride {stride}, "
                              "padding {pad}").format(name=name, shape=out.shape, rows=OH, cols=OW,
                                                      height=H, width=W, stride=stride, pad=pad))
        fig = panel.figure
        fig.clear()
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [H + 2 * pad, 3, OW]})
        panel.ax = axes[0]
        padded = np.pad(image, pad)
        draw_feature_map(axes[0], padded, tr("input, padding {pad}").format(pad=pad))
        axes[0].add_patch(_window_patch())
        draw_feature_map(axes[1], w, tr("kernel"), signed=True)
        draw_feature_map(axes[2], out[0, 0], tr("feature map {rows}×{cols}").format(rows=OH, cols=OW),
                         signed=True)
        panel.feature_map = out[0, 0]
        return tr("{height}×{width} input, 3×3 kernel, stride {stride}, padding {pad} → "
                  "⌊({height} + 2·{pad} − 3)/{stride}⌋ + 1 = {rows} rows; "
                  "map in [{low:.3g}, {high:.3g}]").format(
            height=H, width=W, stride=stride, pad=pad, rows=OH, low=out.min(),
            high=out.max()), True

    panel = _ConvPanel(controls, draw, layout_controls=_layout(controls), figsize=(7.2, 3.0))

    def on_preset(change):
        if change["new"] == "custom":
            return
        panel._hold = True
        try:
            for u in range(3):
                for v in range(3):
                    controls[f"w[{u},{v}]"].value = float(CONV_PRESETS[change["new"]][u][v])
        finally:
            panel._hold = False
        panel.redraw()

    def on_box(change):
        if not panel._hold and controls["preset"].value != "custom":
            panel._hold = True
            controls["preset"].value = "custom"
            panel._hold = False

    # Registered after the panel's own observer: the panel ignores a preset change while
    # held, so a preset costs one redraw, not ten.
    controls["preset"].unobserve(panel._on_change, names="value")
    controls["preset"].observe(on_preset, names="value")
    for key in KERNEL_CONTROLS:
        controls[key].observe(on_box, names="value")
    panel.show()
    return panel


def _window_patch():
    from matplotlib.patches import Rectangle

    return Rectangle((-0.5, -0.5), 3, 3, fill=False, edgecolor="C3", linewidth=2)


def _layout(controls):
    grid = widgets.GridBox([controls[k] for k in KERNEL_CONTROLS],
                           layout=widgets.Layout(grid_template_columns="repeat(3, 75px)"))
    left = widgets.VBox([controls["image"], controls["preset"], controls["stride"], controls["pad"]])
    return widgets.HBox([left, grid])


def feature_map_explorer(images, stages) -> Panel:
    """Pick an image, a layer and a channel of a trained network; its feature map is redrawn.

    images: (M, C, H, W) (or (M, H, W), one channel), float64.  stages: {layer name: function
    x (1, C, H, W) -> maps (1, F, h, w)}, e.g. the network up to that layer with its trained
    parameters.  Controls: ``controls["image"]`` (IntSlider), ``controls["layer"]`` (Dropdown of
    the stages), ``controls["channel"]`` (IntSlider, its maximum set to F − 1 of the layer).
    The figure shows the input and the chosen map (blue < 0 < red); ``panel.feature_map`` holds it.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(tr("images must have shape (M, C, H, W) or (M, H, W), got {shape}")
                         .format(shape=images.shape))
    stages = dict(stages)
    if not stages or not all(callable(f) for f in stages.values()):
        raise ValueError(tr("stages must be a non-empty {name: function} dict"))
    controls = {
        "image": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description=tr("image")),
        "layer": widgets.Dropdown(options=list(stages), description=tr("layer")),
        "channel": widgets.IntSlider(value=0, min=0, max=64, description=tr("channel")),
    }

    def draw(panel):
        name = controls["layer"].value
        fn = stages[name]
        x = images[controls["image"].value]
        maps = np.asarray(_call(fn, _name_of(fn, name), x[None]), dtype=np.float64)
        if maps.ndim != 4 or maps.shape[0] != 1:
            raise _Problem(tr("stage {name!r} returned shape {shape}; expected (1, F, h, w)")
                           .format(name=name, shape=maps.shape))
        F = maps.shape[1]
        if controls["channel"].max != F - 1:
            panel._hold = True
            controls["channel"].max = F - 1     # may clip the value; no redraw for that
            panel._hold = False
        c = int(controls["channel"].value)
        fig = panel.figure
        fig.clear()
        axes = fig.subplots(1, 2)
        panel.ax = axes[0]
        draw_feature_map(axes[0], x[0], tr("input"))
        draw_feature_map(axes[1], maps[0, c],
                         tr("{name}, channel {channel} of {count}").format(name=name, channel=c, count=F),
                         signed=True)
        panel.feature_map = maps[0, c]
        return tr("{name}: {count} maps of {height}×{width}; channel {channel} in "
                  "[{low:.3g}, {high:.3g}]").format(
            name=name, count=F, height=maps.shape[2], width=maps.shape[3], channel=c,
            low=maps[0, c].min(), high=maps[0, c].max()), True

    panel = _ConvPanel(controls, draw, figsize=(6.0, 3.0))
    panel.show()
    return panel
