"""`course.plots` and `course.widgets`, headless.

Plots are checked by what they drew (lines and their data, the contour and scatter,
titles and colours); widgets by driving their controls as a student would and
watching the redraw counter, the status line and the figure in the Output change.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course import plots, widgets  # noqa: E402
from course.checks import not_implemented_message  # noqa: E402
from helpers import png_of, text_of  # noqa: E402
from solutions import day1_forward as day1  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def moons():
    from course.data import make_2d

    return make_2d("moons", n=120, seed=0)


def sigmoid_prime(z):
    raise NotImplementedError()


def network_forward(X, params):
    raise NotImplementedError()


# --- plot_activation -------------------------------------------------------------------


def test_plot_activation_draws_f_and_fprime_over_the_default_grid():
    ax = plots.plot_activation(day1.tanh, day1.tanh_prime)
    assert len(ax.lines) == 2
    f_line, fp_line = ax.lines
    z = f_line.get_xdata()
    assert len(z) == 401 and z[0] == -6.0 and z[-1] == 6.0
    np.testing.assert_array_equal(f_line.get_ydata(), day1.tanh(z))
    np.testing.assert_array_equal(fp_line.get_ydata(), day1.tanh_prime(z))
    assert "tanh" in f_line.get_label() and "′" in fp_line.get_label()


def test_plot_activation_uses_the_given_axes_points_and_title():
    fig, ax = plt.subplots()
    z = np.linspace(-1.0, 2.0, 7)
    out = plots.plot_activation(day1.relu, z=z, ax=ax, title="ReLU")
    assert out is ax and len(ax.lines) == 1
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), z)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), np.maximum(z, 0))
    assert ax.get_title() == "ReLU"


def test_plot_activation_names_the_shape_of_a_non_elementwise_result():
    with pytest.raises(ValueError, match=r"shape \(\).*\(401,\)"):
        plots.plot_activation(lambda z: np.sum(z))


def test_plot_activation_lets_a_stub_raise():
    # The notebook's own handler turns this into the "not implemented yet" note.
    with pytest.raises(NotImplementedError):
        plots.plot_activation(day1.sigmoid, sigmoid_prime)


# --- plot_decision_boundary ----------------------------------------------------------


def test_decision_boundary_has_a_contour_and_a_scatter_of_the_data():
    X, y = moons()
    ax = plots.plot_decision_boundary(lambda P: P[:, :1], X, y, resolution=60, title="x₁ > 0")
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)
                and not isinstance(c, ContourSet)]
    assert len(contours) == 1 and len(scatters) == 1
    np.testing.assert_array_equal(scatters[0].get_offsets(), X)
    ax.figure.canvas.draw()  # colours are mapped from y at draw time
    colours = scatters[0].get_facecolors()
    # Same label, same colour; different labels, different colours.
    assert np.allclose(colours[y == 0], colours[y == 0][0])
    assert not np.allclose(colours[y == 0][0], colours[y == 1][0])
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    assert x_lo < X[:, 0].min() and x_hi > X[:, 0].max()
    assert y_lo < X[:, 1].min() and y_hi > X[:, 1].max()
    assert ax.get_title() == "x₁ > 0"


def _band_x_ranges(ax):
    """(min x, max x) of the filled region of each predicted class, class by class."""
    contour = next(c for c in ax.collections if isinstance(c, ContourSet))
    out = []
    for path in contour.get_paths():
        v = path.vertices
        out.append((v[:, 0].min(), v[:, 0].max()) if len(v) else None)
    return out


@pytest.mark.parametrize("predict", [
    lambda P: P[:, :1] - 0.5,                                  # logit (M, 1): class = score > 0
    lambda P: np.column_stack([0.5 - P[:, 0], P[:, 0] - 0.5]),  # scores (M, 2): argmax
    lambda P: (P[:, 0] > 0.5).astype(np.int64),                # labels (M,)
], ids=["logit", "scores", "labels"])
def test_decision_boundary_puts_each_class_where_predict_says(predict):
    X, y = moons()
    ax = plots.plot_decision_boundary(predict, X, y, resolution=101)
    (lo0, hi0), (lo1, hi1) = _band_x_ranges(ax)[:2]
    step = np.diff(ax.get_xlim())[0] / 100
    assert hi0 <= 0.5 + step and lo1 >= 0.5 - step
    assert lo0 < 0 and hi1 > 1


def test_predicted_classes_reads_logits_scores_and_labels():
    P = np.array([[-1.0, 2.0], [3.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(plots.predicted_classes(lambda p: p[:, :1], P), [0, 1, 0])
    np.testing.assert_array_equal(plots.predicted_classes(lambda p: p, P), [1, 0, 0])
    np.testing.assert_array_equal(plots.predicted_classes(lambda p: np.array([2, 0, 1]), P),
                                  [2, 0, 1])


@pytest.mark.parametrize("bad, shape", [
    (lambda P: P[:3], r"\(3, 2\)"),
    (lambda P: np.full(len(P), 0.3), r"non-integer"),
    (lambda P: None, r"None"),
])
def test_decision_boundary_says_what_is_wrong_with_predict(bad, shape):
    X, y = moons()
    with pytest.raises(ValueError, match=shape):
        plots.plot_decision_boundary(bad, X, y)


def test_decision_boundary_rejects_data_outside_the_plane():
    with pytest.raises(ValueError, match=r"\(N, 2\).*\(5, 3\)"):
        plots.plot_decision_boundary(lambda P: P, np.zeros((5, 3)), np.zeros(5, int))


# --- plot_activation_stats -------------------------------------------------------------


def test_activation_stats_has_mean_and_std_lines_and_a_histogram_per_layer():
    rng = np.random.default_rng(0)
    acts = [rng.standard_normal((50, 8)), np.tanh(3 * rng.standard_normal((50, 8))),
            0.01 * rng.standard_normal((50, 4))]
    fig = plots.plot_activation_stats(acts, labels=["a", "b", "c"], title="init")
    assert isinstance(fig, Figure) and len(fig.axes) == 1 + len(acts)
    top = fig.axes[0]
    assert top.get_title() == "init"
    mean_line, std_line = top.lines
    np.testing.assert_allclose(mean_line.get_ydata(), [a.mean() for a in acts])
    np.testing.assert_allclose(std_line.get_ydata(), [a.std() for a in acts])
    assert [t.get_text() for t in top.get_xticklabels()] == ["a", "b", "c"]
    for ax, a, label in zip(fig.axes[1:], acts, "abc"):
        assert sum(p.get_height() for p in ax.patches) == a.size
        assert ax.get_title() == label
    # The same bins for every layer: saturation is comparable between layers.
    edges = [tuple(p.get_x() for p in ax.patches) for ax in fig.axes[1:]]
    assert len(set(edges)) == 1
    assert edges[0][0] == min(a.min() for a in acts)


def test_activation_stats_counts_values_that_are_not_finite():
    fig = plots.plot_activation_stats([np.array([0.0, 1.0]), np.array([np.inf, np.nan, 2.0])])
    assert "2 not finite" in fig.axes[2].get_title()
    assert "not finite" not in fig.axes[1].get_title()
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [0.5, 2.0])


def test_activation_stats_rejects_labels_that_do_not_match():
    with pytest.raises(ValueError, match="2 labels for 3 layers"):
        plots.plot_activation_stats([np.zeros(2)] * 3, labels=["a", "b"])


# --- plot_digits and plot_loss ------------------------------------------------------------


def test_plot_digits_shows_n_images_with_labels_and_wrong_predictions_in_red():
    from course.data import load_digits_split

    s = load_digits_split()
    y = s.y_test[:12]
    predictions = y.copy()
    predictions[[1, 5]] = (y[[1, 5]] + 1) % 10
    fig = plots.plot_digits(s.X_test[:12], y, n=12, predictions=predictions)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12
    np.testing.assert_array_equal(shown[3].images[0].get_array(), s.X_test[3].reshape(8, 8))
    for i, ax in enumerate(shown):
        title = ax.title
        assert title.get_text() == f"{y[i]} → {predictions[i]}"
        red = matplotlib.colors.same_color(title.get_color(), "red")
        assert red == (i in (1, 5)), i


def test_plot_digits_without_predictions_titles_the_labels():
    X = np.zeros((5, 64))
    fig = plots.plot_digits(X, np.arange(5), n=20)
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["0", "1", "2", "3", "4"]


def test_plot_digits_shows_the_first_n():
    X = np.random.default_rng(0).random((12, 8, 8))
    fig = plots.plot_digits(X, np.arange(12) % 10, n=7)
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["0", "1", "2", "3", "4", "5", "6"]
    np.testing.assert_array_equal(shown[6].images[0].get_array(), X[6])


def test_plot_loss_draws_one_line_per_curve():
    ax = plots.plot_loss([3.0, 2.0, 1.5])
    assert len(ax.lines) == 1
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [3.0, 2.0, 1.5])
    assert ax.get_yscale() == "linear"
    ax = plots.plot_loss({"train": [3, 2, 1, 0.5], "val": [3, 2.5]}, logy=True, title="run")
    assert [line.get_label() for line in ax.lines] == ["train", "val"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [3, 2.5])
    assert ax.get_yscale() == "log" and ax.get_title() == "run"


# --- activation_explorer ------------------------------------------------------------------


def explorer(**functions):
    functions = functions or {"sigmoid": (day1.sigmoid, day1.sigmoid_prime),
                              "tanh": (day1.tanh, day1.tanh_prime)}
    return widgets.activation_explorer(functions)


def test_activation_explorer_controls():
    w = explorer()
    assert list(w.controls["name"].options) == ["sigmoid", "tanh"]
    z = w.controls["z"]
    assert (z.min, z.max, z.step) == (-6.0, 6.0, 0.1)
    assert z.continuous_update
    assert w.redraws == 1 and w.error is None
    png_of(w)


def test_activation_explorer_redraws_when_z_moves():
    w = explorer()
    before = png_of(w)
    w.controls["z"].value = -2.0
    assert w.redraws == 2
    assert png_of(w) != before
    # The marker sits at z on each curve and the text gives the values there.
    markers = [line for line in w.ax.lines if len(line.get_xdata()) == 1]
    assert [(m.get_xdata()[0], m.get_ydata()[0]) for m in markers] == [
        (-2.0, day1.sigmoid(np.array([-2.0]))[0]), (-2.0, day1.sigmoid_prime(np.array([-2.0]))[0])]
    assert f"{day1.sigmoid(np.array([-2.0]))[0]:.6g}" in w.status.value
    assert f"{day1.sigmoid_prime(np.array([-2.0]))[0]:.6g}" in w.status.value


def test_activation_explorer_redraws_for_another_function():
    w = explorer()
    before = png_of(w)
    w.controls["name"].value = "tanh"
    assert w.redraws == 2 and png_of(w) != before
    curve = w.ax.lines[0]
    np.testing.assert_array_equal(curve.get_ydata(), day1.tanh(curve.get_xdata()))
    assert "tanh(z) = " in w.status.value


def test_activation_explorer_shows_the_note_for_a_stub_derivative_and_still_draws_f():
    w = explorer(sigmoid=(day1.sigmoid, sigmoid_prime))
    note = not_implemented_message("sigmoid_prime", then="move a control to redraw")
    assert w.error == note
    assert note.replace("`", "") in w.status.value.replace("`", "")
    png_of(w)  # f alone is drawn
    w.controls["z"].value = 1.0
    assert w.redraws == 2 and w.error == note


def test_activation_explorer_shows_the_note_for_a_stub_function():
    def relu(z):
        raise NotImplementedError()

    w = explorer(relu=(relu, None))
    note = not_implemented_message("relu", then="move a control to redraw")
    assert w.error == note and note in text_of(w)
    w.controls["z"].value = 2.0
    assert w.redraws == 2 and note in text_of(w)


def test_activation_explorer_shows_other_errors_with_their_type():
    def broken(z):
        raise ZeroDivisionError("boom")

    w = explorer(broken=(broken, None), shape=(lambda z: z.sum(), None))
    assert w.error == "ZeroDivisionError: boom" and "ZeroDivisionError: boom" in text_of(w)
    w.controls["name"].value = "shape"
    assert w.error.startswith("ValueError") and "shape ()" in w.error


def test_activation_explorer_reports_numpy_warnings():
    def naive_sigmoid(z):
        return 1.0 / (1.0 + np.exp(-1000 * z))

    w = explorer(naive=(naive_sigmoid, None))
    assert "overflow" in w.status.value


# --- network_playground ---------------------------------------------------------------------


def accuracy_from_sliders(w, X, y):
    values = [w.controls[name].value for name in widgets.PLAYGROUND_PARAMETERS]
    v = np.array(values)
    params = [(v[0:4].reshape(2, 2), v[4:6]), (v[6:8].reshape(1, 2), v[8:9])]
    scores = day1.network_forward(X, params)
    return np.mean((scores[:, 0] > 0) == y)


def test_network_playground_has_nine_sliders_in_range():
    X, y = moons()
    w = widgets.network_playground(X, y, day1.network_forward)
    assert list(w.controls) == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "b1[0]", "b1[1]",
                                "W2[0,0]", "W2[0,1]", "b2[0]"]
    for slider in w.controls.values():
        assert (slider.min, slider.max) == (-5.0, 5.0)
    assert any(slider.value != 0 for slider in w.controls.values())
    assert w.redraws == 1 and w.error is None
    assert f"{100 * accuracy_from_sliders(w, X, y):.1f} %" in w.status.value


def test_network_playground_redraws_when_a_slider_moves():
    X, y = moons()
    w = widgets.network_playground(X, y, day1.network_forward)
    before = png_of(w)
    w.controls["b2[0]"].value = 3.0
    assert w.redraws == 2 and png_of(w) != before
    assert f"{100 * accuracy_from_sliders(w, X, y):.1f} %" in w.status.value
    w.controls["W1[1,0]"].value = -4.0
    assert w.redraws == 3
    assert f"{100 * accuracy_from_sliders(w, X, y):.1f} %" in w.status.value


def test_network_playground_passes_the_slider_values_as_params():
    X, y = moons()
    seen = []

    def forward(X, params):
        seen.append([(W.copy(), b.copy()) for W, b in params])
        return day1.network_forward(X, params)

    w = widgets.network_playground(X, y, forward)
    w.controls["W1[0,1]"].value = 4.5
    (W1, b1), (W2, b2) = seen[-1]
    assert W1.shape == (2, 2) and b1.shape == (2,) and W2.shape == (1, 2) and b2.shape == (1,)
    assert W1[0, 1] == 4.5
    assert W1[1, 0] == w.controls["W1[1,0]"].value and b2[0] == w.controls["b2[0]"].value


def test_network_playground_shows_the_note_for_a_stub():
    X, y = moons()
    w = widgets.network_playground(X, y, network_forward)
    note = not_implemented_message("network_forward", then="move a control to redraw")
    assert w.error == note and note in text_of(w)
    w.controls["b1[0]"].value = 1.0
    assert w.redraws == 2 and note in text_of(w)


def test_network_playground_names_a_wrong_output_shape():
    X, y = moons()
    w = widgets.network_playground(X, y, lambda X, params: X)
    assert "(120, 2)" in w.error and "(120, 1)" in w.error


def test_network_playground_rejects_labels_other_than_0_and_1():
    X, _ = moons()
    with pytest.raises(ValueError, match="0 and 1"):
        widgets.network_playground(X, np.arange(len(X)) % 3, day1.network_forward)


# --- display -----------------------------------------------------------------------------------


class FakeShell:
    execution_count = 7


def test_panels_display_once_per_cell(monkeypatch):
    import IPython
    import IPython.display

    shown = []
    shell = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    w = explorer()
    assert len(shown) == 1
    w._ipython_display_()  # the same cell ends with the returned panel
    assert len(shown) == 1
    shell.execution_count = 8
    w._ipython_display_()  # shown again on purpose, in a later cell
    assert len(shown) == 2


def test_panels_print_nothing_outside_jupyter(capsys):
    explorer()
    X, y = moons()
    widgets.network_playground(X, y, day1.network_forward)
    assert capsys.readouterr().out == ""


# --- neuron_fit (Day 1 introduction) ----------------------------------------------------------


def neuron_panel(activation=np.tanh, validation=True):
    from course import data

    d = data.make_neuron_curve(n=40, seed=3)
    if validation:
        return d, widgets.neuron_fit(d.X_train, d.y_train, activation, d.X_val, d.y_val)
    return d, widgets.neuron_fit(d.X_train[:, 0], d.y_train, activation)


def quadratic(w, b, x, y):
    return 0.5 * np.mean((y - np.tanh(w * x[:, 0] + b)) ** 2)


def test_neuron_fit_has_two_sliders_and_shows_both_costs():
    d, w = neuron_panel()
    assert (w.controls["w"].min, w.controls["w"].max) == widgets.NEURON_W_RANGE
    assert (w.controls["b"].min, w.controls["b"].max) == widgets.NEURON_B_RANGE
    assert w.error is None and w.redraws == 1
    png_of(w)
    start = (w.controls["w"].value, w.controls["b"].value)
    assert f"C(train) = {quadratic(*start, d.X_train, d.y_train):.4f}" in w.status.value
    assert f"C(validation) = {quadratic(*start, d.X_val, d.y_val):.4f}" in w.status.value


def test_neuron_fit_redraws_and_the_cost_falls_near_the_generating_weights():
    d, w = neuron_panel()
    before, c_before = png_of(w), quadratic(-1.0, 1.0, d.X_train, d.y_train)
    w.controls["w"].value, w.controls["b"].value = 1.5, -0.5
    assert w.redraws == 3 and png_of(w) != before
    c_after = quadratic(1.5, -0.5, d.X_train, d.y_train)
    assert c_after < 0.1 * c_before
    assert f"C(train) = {c_after:.4f}" in w.status.value
    # The neuron's curve is f(w·x + b) on the left axes.
    curve = w.axes[0].lines[0]
    np.testing.assert_allclose(curve.get_ydata(), np.tanh(1.5 * curve.get_xdata() - 0.5))


def test_neuron_fit_arrow_points_downhill_and_the_landscape_is_the_cost():
    d, w = neuron_panel(validation=False)
    w.controls["w"].value = 0.5
    grad = w.gradient
    step = -0.05 * grad / np.hypot(*grad)
    here = quadratic(0.5, 1.0, d.X_train, d.y_train)
    assert quadratic(0.5 + step[0], 1.0 + step[1], d.X_train, d.y_train) < here
    ws, bs, C = w.landscape
    assert C.shape == (len(bs), len(ws))
    np.testing.assert_allclose(C[7, 11], quadratic(ws[11], bs[7], d.X_train, d.y_train))
    assert "C(validation)" not in w.status.value


def test_neuron_fit_shows_the_note_for_a_stub_and_names_a_bad_shape():
    def sigmoid(z):
        raise NotImplementedError()

    _, w = neuron_panel(sigmoid)
    note = not_implemented_message("sigmoid", then="move a control to redraw")
    assert w.error == note and note in text_of(w)
    _, w = neuron_panel(lambda z: np.sum(z))
    assert "keeps the shape" in w.error


def test_neuron_fit_rejects_mismatched_data():
    with pytest.raises(ValueError, match="same length"):
        widgets.neuron_fit(np.zeros(3), np.zeros(4), np.tanh)
    with pytest.raises(ValueError, match="both x_val and y_val"):
        widgets.neuron_fit(np.zeros(3), np.zeros(3), np.tanh, x_val=np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        widgets.neuron_fit(np.zeros((3, 2)), np.zeros(3), np.tanh)


def test_the_toolkit_imports_no_drawing_library_until_it_draws():
    """The set-up cell of every notebook imports course.checks, data, plots and widgets,
    and the judge runs it for every submission: matplotlib, ipywidgets and IPython come
    only with the first picture or widget.  Every exported name still resolves."""
    import subprocess
    import sys

    code = ("import sys\nfrom course import checks, data, plots, widgets\n"
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "missing = [n for n in widgets.__all__ if getattr(widgets, n, None) is None]\n"
            "assert not missing, missing\n"
            "assert 'ipywidgets' in sys.modules\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
