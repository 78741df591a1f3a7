"""Day 4's pictures and widgets, headless: `course.plots.conv`, `conv_explorer`,
`feature_map_explorer`, driven through their controls as a student would.

The feature maps shown are checked against the reference convolution on the same
input, the redraw counter against the controls (a preset fills nine boxes with one
redraw), and a stub or a broken layer against the note it must show instead of crashing.
"""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course import data, plots, widgets  # noqa: E402
from course.checks import not_implemented_message  # noqa: E402
from solutions import day4_cnn as day4  # noqa: E402
from helpers import png_of, text_of  # noqa: E402

DIGITS = np.random.default_rng(0).uniform(0.0, 1.0, size=(5, 64))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def kernel_of(panel):
    return np.array([[panel.controls[f"w[{u},{v}]"].value for v in range(3)] for u in range(3)])


def test_conv_explorer_shows_the_reference_feature_map():
    w = widgets.conv_explorer(DIGITS, day4.conv_forward)
    assert w.redraws == 1 and w.error is None
    assert set(widgets.KERNEL_CONTROLS) <= set(w.controls)
    assert w.controls["preset"].value == "vertical edge"
    png_of(w)
    expected = day4.conv_forward(DIGITS[0].reshape(1, 1, 8, 8), kernel_of(w)[None, None], np.zeros(1))[0]
    np.testing.assert_allclose(w.feature_map, expected[0, 0])
    assert "6 rows" in w.status.value


def test_stride_padding_and_image_change_the_map():
    w = widgets.conv_explorer(DIGITS, day4.conv_forward)
    w.controls["stride"].value = 2
    w.controls["pad"].value = 1
    assert w.redraws == 3
    assert w.feature_map.shape == (4, 4)           # ⌊(8 + 2 − 3)/2⌋ + 1
    w.controls["image"].value = 3
    x = DIGITS[3].reshape(1, 1, 8, 8)
    expected = day4.conv_forward(x, kernel_of(w)[None, None], np.zeros(1), 2, 1)[0]
    np.testing.assert_allclose(w.feature_map, expected[0, 0])


def test_a_preset_fills_the_boxes_with_one_redraw_and_editing_makes_it_custom():
    w = widgets.conv_explorer(DIGITS, day4.conv_forward)
    before = w.redraws
    w.controls["preset"].value = "blur"
    assert w.redraws == before + 1
    np.testing.assert_allclose(kernel_of(w), np.full((3, 3), 1 / 9))
    np.testing.assert_allclose(w.feature_map, day4.conv_forward(
        DIGITS[0].reshape(1, 1, 8, 8), np.full((1, 1, 3, 3), 1 / 9), np.zeros(1))[0][0, 0])
    w.controls["w[1,1]"].value = 2.0
    assert w.controls["preset"].value == "custom"
    assert w.redraws == before + 2
    assert kernel_of(w)[1, 1] == 2.0


def test_a_stub_or_a_wrong_shape_shows_a_note():
    def conv_forward(x, w, b, stride=1, pad=0):
        raise NotImplementedError()

    w = widgets.conv_explorer(DIGITS, conv_forward)
    assert w.error == not_implemented_message("conv_forward", then="move a control to redraw")
    assert "not implemented" in text_of(w)

    def padded_wrong(x, w, b, stride=1, pad=0):
        return np.zeros((1, 1, 8, 8)), None

    w = widgets.conv_explorer(DIGITS, padded_wrong)
    assert "expected (1, 1, 6, 6)" in w.error


def test_feature_map_explorer_follows_layer_and_channel():
    X, _ = data.make_bars(6, seed=2)
    rng = np.random.default_rng(1)
    params = {"w1": rng.normal(size=(3, 1, 3, 3)), "b1": np.zeros(3),
              "w2": rng.normal(size=(5, 3, 3, 3)), "b2": np.zeros(5),
              "W3": rng.normal(size=(4, 45)), "b3": np.zeros(4)}
    stages = {name: (lambda x, name=name: day4.cnn_forward(x, params)[1][name])
              for name in ("conv1", "pool1", "conv2", "pool2")}
    w = widgets.feature_map_explorer(X, stages)
    assert w.redraws == 1 and w.error is None
    png_of(w)
    assert w.controls["channel"].max == 2
    w.controls["channel"].value = 2
    np.testing.assert_allclose(w.feature_map, day4.cnn_forward(X[:1], params)[1]["conv1"][0, 2])
    w.controls["layer"].value = "pool2"
    assert w.controls["channel"].max == 4 and w.feature_map.shape == (3, 3)
    w.controls["image"].value = 4
    np.testing.assert_allclose(w.feature_map, day4.cnn_forward(X[4:5], params)[1]["pool2"][0, 2])

    def broken(x):
        raise ValueError("no maps")

    w = widgets.feature_map_explorer(X, {"broken": broken})
    assert w.error == "ValueError: no maps"


def test_plots_draw_maps_kernels_and_timings():
    fig = plots.plot_feature_maps(DIGITS[0], [np.ones((6, 6)), -np.ones((4, 4))], titles=["a", "b"],
                                  kernels=[np.eye(3), np.ones((3, 3))])
    titles = [ax.get_title() for ax in fig.axes]
    assert "kernel a" in titles and "kernel b" in titles
    assert "a 6×6" in titles and "b 4×4" in titles and "input" in titles
    fig = plots.plot_kernels(np.zeros((2, 3, 3, 3)))
    assert len(fig.axes) == 6
    ax = plots.plot_timings({"mine": 0.1, "torch": 0.001})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mine", "torch"]
    with pytest.raises(ValueError):
        plots.plot_feature_maps(DIGITS[0], [])
    with pytest.raises(ValueError):
        plots.plot_kernels(np.zeros((3, 3)))


def test_bars_are_reproducible_and_labelled_by_orientation():
    X, y = data.make_bars(8, size=10, length=4, noise=0.0, seed=4)
    assert X.shape == (8, 1, 10, 10)
    for image, label in zip(X[:, 0], y):
        rows, cols = np.nonzero(image)
        assert len(rows) == 4
        direction = {0: (0, 1), 1: (1, 0), 2: (1, 1), 3: (1, -1)}[int(label)]
        assert (rows[-1] - rows[0], (cols[-1] - cols[0]) if label != 3 else cols[0] - cols[-1]) == \
            (3 * direction[0], 3 * abs(direction[1]))
    with pytest.raises(ValueError):
        data.make_bars(4, size=5, length=6)
