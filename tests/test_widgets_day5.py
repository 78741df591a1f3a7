"""`course.widgets.gradient_through_time` and `course.plots.plot_gradient_through_time`,
headless: driven through the sliders as a student would, the numbers drawn checked against
the reference functions run by hand, and a stub shown as a note instead of a crash."""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course import data, plots, widgets  # noqa: E402
from course.checks import not_implemented_message  # noqa: E402
from solutions import day2_backprop as day2  # noqa: E402
from solutions import day5_rnn as day5  # noqa: E402
from helpers import png_of, text_of  # noqa: E402

FUNCTIONS = (day5.rnn_forward, day5.rnn_backward, day5.jacobian_product_norms, day2.clip_by_global_norm)


def by_hand(rho, T):
    net = widgets.GRADIENT_NET
    params = data.recurrent_params(net["D"], net["H"], rho, seed=net["seed"])
    x = np.random.default_rng(net["seed"] + 1).normal(size=(1, 100, net["D"]))[:, :T]
    h, cache = day5.rnn_forward(x, np.zeros((1, net["H"])), params)
    dh = np.zeros((1, T, net["H"]))
    dh[0, -1] = 1.0
    grads = day5.rnn_backward(dh, cache)[2]
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return day5.jacobian_product_norms(params["W_hh"], h[0]), total


def test_controls_and_first_drawing():
    w = widgets.gradient_through_time(*FUNCTIONS)
    assert list(w.controls) == ["radius", "T"]
    assert (w.controls["radius"].min, w.controls["radius"].max) == (0.5, 1.8)
    assert (w.controls["T"].min, w.controls["T"].max) == (5, 100)
    assert w.redraws == 1 and w.error is None
    png_of(w)
    norms, total = by_hand(w.controls["radius"].value, w.controls["T"].value)
    np.testing.assert_allclose(w.norms, norms, rtol=1e-12)
    assert w.grad_norm == pytest.approx(total, rel=1e-12)


def test_sliders_redraw_and_a_large_radius_explodes_while_clipping_caps_the_step():
    w = widgets.gradient_through_time(*FUNCTIONS)
    before = png_of(w)
    w.controls["radius"].value = 0.6
    w.controls["T"].value = 60
    assert w.redraws == 3 and png_of(w) != before
    small = w.norms[-1]
    assert small < 1e-6  # vanished 60 steps back
    w.controls["radius"].value = 1.5
    assert w.norms[-1] > 10.0 and w.norms[-1] > 1e6 * small
    norms, total = by_hand(1.5, 60)
    np.testing.assert_allclose(w.norms, norms, rtol=1e-12)
    # the status names the step before and after clipping: lr·‖g‖ → lr·max_norm
    lr = widgets.GRADIENT_NET["lr"]
    assert f"step {lr * total:.3g} → {lr * 1.0:.3g} clipped" in w.status.value


def test_a_stub_shows_its_note_instead_of_a_figure():
    def jacobian_product_norms(W_hh, h):
        raise NotImplementedError()

    w = widgets.gradient_through_time(day5.rnn_forward, day5.rnn_backward, jacobian_product_norms,
                                      day2.clip_by_global_norm)
    note = not_implemented_message("jacobian_product_norms", then="move a control to redraw")
    assert w.error == note and note in text_of(w)
    w.controls["T"].value = 10
    assert w.redraws == 2 and note in text_of(w)


def test_a_wrong_shape_is_named():
    def jacobian_product_norms(W_hh, h):
        return np.ones(len(h))

    w = widgets.gradient_through_time(day5.rnn_forward, day5.rnn_backward, jacobian_product_norms,
                                      day2.clip_by_global_norm)
    assert "jacobian_product_norms" in w.error and "(k = 0 … T)" in w.error


def test_bad_arguments():
    with pytest.raises(TypeError, match="rnn_backward"):
        widgets.gradient_through_time(day5.rnn_forward, 3, day5.jacobian_product_norms,
                                      day2.clip_by_global_norm)
    with pytest.raises(ValueError, match="max_norm"):
        widgets.gradient_through_time(*FUNCTIONS, max_norm=0.0)


def test_plot_draws_one_curve_per_entry_and_the_radius_lines():
    ax = plots.plot_gradient_through_time({"a": 0.5 ** np.arange(10), "b": np.array([1.0, 2.0, np.inf, 0.0])},
                                          radii={"a": 0.5})
    labels = [line.get_label() for line in ax.lines]
    assert "a" in labels and "b" in labels and "ρ^k, ρ = 0.50" in labels
    assert ax.get_yscale() == "log"
    b = next(line for line in ax.lines if line.get_label() == "b")
    assert list(b.get_ydata()) == [1.0, 2.0]  # inf and 0 left out
    ax2 = plots.plot_gradient_through_time(np.ones(4))
    assert len([line for line in ax2.lines if line.get_label() != "_child1"]) >= 1


def test_prints_nothing_outside_jupyter(capsys):
    widgets.gradient_through_time(*FUNCTIONS)
    assert capsys.readouterr().out == ""


# --- the pictures of §11–12: perplexity, train against validation, improvements over seeds ------


def test_plot_perplexity_draws_exp_of_the_window_mean_and_the_uniform_line():
    import matplotlib.pyplot as plt

    losses = np.log(np.array([8.0, 4.0, 2.0, 2.0]))
    ax = plots.plot_perplexity(losses, vocabulary=8)
    curve = next(line for line in ax.lines if line.get_label().startswith("perplexity"))
    np.testing.assert_allclose(curve.get_ydata(), [8.0, 4.0, 2.0, 2.0])
    np.testing.assert_allclose(curve.get_xdata(), [1, 2, 3, 4])
    uniform = next(line for line in ax.lines if line.get_label() == "uniform guess: 8")
    assert list(uniform.get_ydata()) == [8.0, 8.0] and ax.get_yscale() == "log"
    ax2 = plots.plot_perplexity(losses, smooth=2)
    smooth = ax2.lines[0]
    np.testing.assert_allclose(smooth.get_ydata(), np.exp([(np.log(8) + np.log(4)) / 2, (np.log(4) + np.log(2)) / 2,
                                                            np.log(2)]))
    np.testing.assert_allclose(smooth.get_xdata(), [2, 3, 4])
    with pytest.raises(ValueError, match="no losses"):
        plots.plot_perplexity([])
    plt.close("all")


def test_plot_train_validation_puts_each_evaluation_at_its_step_and_marks_the_kept_one():
    import matplotlib.pyplot as plt

    ax = plots.plot_train_validation(np.linspace(2.0, 1.0, 12), [1.8, 1.5, 1.6], every=4, stop=1)
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_allclose(lines["validation"].get_xdata(), [4, 8, 12])
    np.testing.assert_allclose(lines["validation"].get_ydata(), [1.8, 1.5, 1.6])
    assert len(lines["train"].get_xdata()) == 12
    assert list(lines["kept"].get_xdata()) == [8, 8]
    with pytest.raises(ValueError, match="every"):
        plots.plot_train_validation([1.0], [1.0], every=0)
    plt.close("all")


def test_plot_improvements_draws_mean_and_std_per_configuration_baseline_first():
    import matplotlib.pyplot as plt

    results = {"bigger": np.array([0.8, 0.9]), "baseline": np.array([0.6, 0.7, 0.8])[:2], "worse": [0.5, 0.5]}
    ax = plots.plot_improvements(results, baseline="baseline")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["baseline", "bigger", "worse"]
    bars = sorted(ax.patches[:3], key=lambda p: -p.get_y())           # top to bottom
    np.testing.assert_allclose([b.get_width() for b in bars], [0.65, 0.85, 0.5])
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert dashed and np.allclose(dashed[0].get_xdata(), 0.65)
    assert "3" not in ax.get_xlabel() and "2 seeds" in ax.get_xlabel()
    with pytest.raises(ValueError, match="baseline"):
        plots.plot_improvements(results, baseline="nope")
    plt.close("all")
