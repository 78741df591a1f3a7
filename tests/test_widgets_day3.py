"""`course.widgets.depth_explorer` and `course.plots.plot_depth_statistics`, headless.

The explorer is driven through its controls as a student would; what it keeps of its last
drawing is compared with the Day 3 reference run by hand on the same network, and a stub or
a broken function must show a note instead of crashing.
"""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402

import numpy as np  # noqa: E402

from course import plots, widgets  # noqa: E402
from course.checks import not_implemented_message  # noqa: E402
from solutions import day3_multilayer as day3  # noqa: E402
from helpers import png_of, text_of  # noqa: E402

FUNCTIONS = (day3.mlp_init, day3.mlp_forward, day3.mlp_loss_and_grads)


def by_hand(depth, activation, init, width=100, N=100, seed=0):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(N, width)), rng.integers(0, 10, size=N)
    params = day3.mlp_init([width] * (depth + 1) + [10], activation, init, seed + 1)
    stats = day3.layer_statistics(X, y, params, activation)
    return stats


def test_controls_and_first_drawing():
    w = widgets.depth_explorer(*FUNCTIONS)
    assert list(w.controls) == ["depth", "activation", "init"]
    assert (w.controls["depth"].min, w.controls["depth"].max) == (1, 10)
    assert list(w.controls["activation"].options) == ["sigmoid", "tanh", "relu"]
    assert list(w.controls["init"].options) == ["small", "xavier", "he"]
    assert w.redraws == 1 and w.error is None
    png_of(w)
    depth = w.controls["depth"].value
    assert len(w.activations) == depth and w.grad_norms.shape == (depth + 1,)
    # one histogram per hidden layer and the norm axes
    assert len(w.figure.axes) == depth + 1


def test_drawing_follows_the_controls():
    w = widgets.depth_explorer(*FUNCTIONS)
    before = png_of(w)
    w.controls["depth"].value = 4
    w.controls["activation"].value = "relu"
    w.controls["init"].value = "he"
    assert w.redraws == 4 and png_of(w) != before
    stats = by_hand(4, "relu", "he")
    np.testing.assert_allclose([a.std() for a in w.activations], stats["std"], rtol=1e-12)
    np.testing.assert_allclose(w.grad_norms, stats["grad_norm"], rtol=1e-12)
    assert "relu, he, 4 hidden layers" in w.status.value


def test_sigmoid_small_shows_vanishing_gradients():
    w = widgets.depth_explorer(*FUNCTIONS, depth=8, activation="sigmoid", method="small")
    assert w.grad_norms[0] / w.grad_norms[-1] < 1e-8


def test_a_stub_shows_a_note_and_a_fix_redraws():
    def mlp_forward(X, params, activation="relu"):
        raise NotImplementedError()

    w = widgets.depth_explorer(day3.mlp_init, mlp_forward, day3.mlp_loss_and_grads)
    assert w.error == not_implemented_message("mlp_forward", then="move a control to redraw")
    (output,) = w.output.outputs
    assert "image/png" not in output["data"]

    def broken(X, y, params, activation="relu"):
        raise ValueError("shapes (3,4) and (5,) not aligned")

    w = widgets.depth_explorer(day3.mlp_init, day3.mlp_forward, broken)
    assert "ValueError" in w.error and "not aligned" in w.error
    w = widgets.depth_explorer(*FUNCTIONS)
    assert w.error is None


def test_plot_depth_statistics_draws_histograms_and_norms():
    stats_input = [np.random.default_rng(i).normal(size=(20, 5)) for i in range(3)]
    fig = plots.plot_depth_statistics(stats_input, np.array([1e-6, 1e-3, 1.0, 2.0]))
    assert len(fig.axes) == 4
    norms_ax = fig.axes[-1]
    (line,) = norms_ax.lines
    np.testing.assert_array_equal(line.get_xdata(), [2, 3, 4, 5])
    assert norms_ax.get_yscale() == "log"


# --- the regularisation explorer ---------------------------------------------------------------

REGULARISATION = (day3.l2_penalty, day3.dropout_forward, day3.dropout_backward)


def test_regularisation_controls_and_first_drawing():
    w = widgets.regularisation_explorer(*REGULARISATION)
    assert list(w.controls) == ["lambda", "dropout", "train size"]
    assert 0.0 in w.controls["lambda"].options and 0.0 in w.controls["dropout"].options
    assert w.redraws == 1 and w.runs == 1 and w.error is None
    png_of(w)
    # two panels: the loss curves and the decision boundary
    assert len(w.figure.axes) == 2
    assert len(w.figure.axes[0].lines) == 2
    assert len(w.curves["training loss"]) == len(w.curves["validation loss"]) == len(w.curves["step"])
    # a new network per control value (its speed is measured by bench/day_runtime.py, not
    # here: a timed assertion fails on a busy machine)
    w.controls["lambda"].value = 1e-2
    assert w.runs == 2 and w.error is None


def test_regularisation_overfits_without_cure_and_l2_helps():
    w = widgets.regularisation_explorer(*REGULARISATION, lam=0.0, p=0.0, n_train=20)
    plain = w.curves
    # a big network on 20 points: training loss near 0, validation loss far above and rising
    assert plain["training loss"][-1] < 0.05
    assert plain["validation loss"][-1] > 1.2 * min(plain["validation loss"])
    w.controls["lambda"].value = 1e-2
    l2 = w.curves
    assert l2["training loss"][-1] > plain["training loss"][-1]
    assert l2["validation loss"][-1] < plain["validation loss"][-1]
    assert "λ = 0.01, dropout p = 0, 20 training points" in w.status.value


def test_regularisation_cache_and_the_students_functions_are_used():
    calls = {"penalty": 0, "forward": 0, "backward": 0}

    def l2_penalty(params, lam):
        calls["penalty"] += 1
        return day3.l2_penalty(params, lam)

    def dropout_forward(x, p, mode="train", mask=None):
        calls["forward"] += 1
        return day3.dropout_forward(x, p, mode, mask)

    def dropout_backward(dout, cache):
        calls["backward"] += 1
        return day3.dropout_backward(dout, cache)

    w = widgets.regularisation_explorer(l2_penalty, dropout_forward, dropout_backward, p=0.3)
    assert calls["penalty"] > 0 and calls["forward"] > 0 and calls["backward"] == calls["forward"]
    first = png_of(w)
    w.controls["train size"].value = 160
    assert w.runs == 2 and png_of(w) != first
    before = dict(calls)
    w.controls["train size"].value = 40  # back to a run already made: no new training
    assert w.runs == 2 and calls == before and png_of(w) == first
    # L1 works as the penalty too
    w = widgets.regularisation_explorer(day3.l1_penalty, day3.dropout_forward, day3.dropout_backward,
                                        lam=1e-3)
    assert w.error is None


def test_regularisation_stub_shows_a_note():
    def dropout_forward(x, p, mode="train", mask=None):
        raise NotImplementedError()

    w = widgets.regularisation_explorer(day3.l2_penalty, dropout_forward, day3.dropout_backward, p=0.2)
    assert w.error == not_implemented_message("dropout_forward", then="move a control to redraw")
    (output,) = w.output.outputs
    assert "image/png" not in output["data"]
    # without dropout the stub is not called, and the picture is there
    w.controls["dropout"].value = 0.0
    assert w.error is None
    png_of(w)

    def broken(params, lam):
        raise ValueError("operands could not be broadcast together")

    w = widgets.regularisation_explorer(broken, day3.dropout_forward, day3.dropout_backward)
    assert "ValueError" in w.error and "broadcast" in w.error
