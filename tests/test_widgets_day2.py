"""`course.widgets.optimizer_race`, headless: driven through its controls as a student would.

The paths it draws are checked against the update rules run by hand on the same surface,
the redraw counter and the figure against the controls, and a stub or a broken rule
against the note it must show instead of crashing.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course import widgets  # noqa: E402
from course.checks import not_implemented_message  # noqa: E402
from helpers import png_of, text_of  # noqa: E402
from solutions import day2_backprop as day2  # noqa: E402

RULES = {"sgd": day2.sgd, "momentum": day2.momentum, "nesterov": day2.nesterov,
         "rmsprop": day2.rmsprop, "adam": day2.adam}


def by_hand(update, surface, steps, **hyper):
    p, state, path = surface.start.copy(), {}, [surface.start.copy()]
    for _ in range(steps):
        p, state = update(p, surface.grad(p), state, **hyper)
        path.append(p)
    return np.array(path)


def adam(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    raise NotImplementedError()


def test_controls_and_first_drawing():
    w = widgets.optimizer_race(RULES)
    assert list(w.controls) == ["surface", "lr", "mu", "steps"]
    assert [v for _, v in w.controls["surface"].options] == list(widgets.RACE_SURFACES)
    lr, mu, steps = w.controls["lr"], w.controls["mu"], w.controls["steps"]
    assert (lr.min, lr.max, lr.base) == (-3, 0, 10) and 1e-3 <= lr.value <= 1
    assert (mu.min, mu.max) == (0.0, 0.99)
    assert (steps.min, steps.max) == (10, 300)
    assert w.redraws == 1 and w.error is None
    png_of(w)
    assert list(w.paths) == list(RULES)
    start = widgets.RACE_SURFACES[w.controls["surface"].value].start
    for name, path in w.paths.items():
        assert path.shape == (steps.value + 1, 2)
        np.testing.assert_array_equal(path[0], start)
        assert f"{name}: loss" in w.status.value
    # One line per rule, with the rule's name in the legend.
    labels = [line.get_label() for line in w.ax.lines]
    assert all(name in labels for name in RULES)


def test_paths_are_the_rules_run_by_hand_with_the_sliders_values():
    w = widgets.optimizer_race(RULES)
    before = png_of(w)
    w.controls["lr"].value = 0.01
    w.controls["mu"].value = 0.5
    w.controls["steps"].value = 40
    assert w.redraws == 4 and png_of(w) != before
    surface = widgets.RACE_SURFACES[w.controls["surface"].value]
    lr, mu = w.controls["lr"].value, w.controls["mu"].value
    for name, update in RULES.items():
        hyper = {"lr": lr, "mu": mu} if name in ("momentum", "nesterov") else {"lr": lr}
        np.testing.assert_allclose(w.paths[name], by_hand(update, surface, 40, **hyper),
                                   rtol=1e-12, atol=1e-15)


def test_momentum_slider_moves_only_the_rules_that_take_mu():
    w = widgets.optimizer_race(RULES)
    old = {k: v.copy() for k, v in w.paths.items()}
    w.controls["mu"].value = 0.3
    for name in ("sgd", "rmsprop", "adam"):
        np.testing.assert_array_equal(w.paths[name], old[name])
    for name in ("momentum", "nesterov"):
        assert not np.array_equal(w.paths[name], old[name])


def test_surface_dropdown_switches_to_the_saddle():
    w = widgets.optimizer_race(RULES)
    w.controls["surface"].value = "saddle"
    assert w.redraws == 2 and w.error is None
    saddle = widgets.RACE_SURFACES["saddle"]
    for path in w.paths.values():
        np.testing.assert_array_equal(path[0], saddle.start)
    assert "saddle" in w.ax.get_title()
    # What the picture is for: with the default sliders plain gradient descent is still
    # crawling along the ridge into the saddle, while Adam has left it for a minimum (0, ±1).
    assert abs(w.paths["sgd"][-1, 1]) < 0.5
    assert abs(abs(w.paths["adam"][-1, 1]) - 1.0) < 0.2


def test_valley_zigzag_and_momentum_gets_further_along_the_valley():
    w = widgets.optimizer_race(RULES)
    w.controls["lr"].value = 0.09
    w.controls["steps"].value = 20
    y = w.paths["sgd"][:, 1]
    # Across the steep direction a step of lr·20 = 1.8 overshoots: y changes sign every step.
    assert np.all(np.sign(y[1:]) == -np.sign(y[:-1]))
    w.controls["lr"].value = 0.01
    start = widgets.RACE_SURFACES["ill-conditioned valley"].start
    assert abs(w.paths["momentum"][-1, 0]) < abs(w.paths["sgd"][-1, 0]) < abs(start[0])


def test_a_stub_rule_shows_its_note_while_the_others_race():
    rules = dict(RULES, adam=adam)
    w = widgets.optimizer_race(rules)
    note = not_implemented_message("adam", then="move a control to redraw")
    assert w.error == f"adam: {note}"
    assert note.replace("`", "") in w.status.value.replace("`", "")
    assert "adam" not in w.paths and set(w.paths) == set(RULES) - {"adam"}
    png_of(w)
    w.controls["lr"].value = 0.1
    assert w.redraws == 2 and w.error == f"adam: {note}"


def test_only_stubs_show_the_note_instead_of_a_figure():
    w = widgets.optimizer_race({"adam": adam})
    note = not_implemented_message("adam", then="move a control to redraw")
    assert note in text_of(w) and w.error is not None
    assert w.paths == {}
    w.controls["steps"].value = 20
    assert w.redraws == 2 and note in text_of(w)


def test_divergence_is_reported_and_the_path_stops():
    w = widgets.optimizer_race({"sgd": day2.sgd})
    # Across the valley (curvature 20) plain descent is stable only for lr < 2/20.
    w.controls["lr"].value = 1.0
    assert "sgd: diverged at step" in w.status.value and w.error is None
    path = w.paths["sgd"]
    assert len(path) < w.controls["steps"].value + 1 and np.all(np.isfinite(path))
    png_of(w)


def test_a_rule_returning_the_wrong_thing_is_named():
    def flat(param, grad, state, lr=0.01):
        return np.zeros(3), state

    def no_state(param, grad, state, lr=0.01):
        return param - lr * grad

    w = widgets.optimizer_race({"flat": flat})
    assert "flat" in w.error and "(3,)" in w.error and "(2,)" in w.error
    w = widgets.optimizer_race({"no_state": no_state})
    assert "no_state" in w.error and "(param, state)" in w.error


def test_other_errors_show_their_type():
    def broken(param, grad, state, lr=0.01):
        raise ZeroDivisionError("boom")

    w = widgets.optimizer_race({"broken": broken, "sgd": day2.sgd})
    assert w.error == "broken: ZeroDivisionError: boom" and "sgd" in w.paths


def test_custom_surface():
    bowl = widgets.Surface(lambda x, y: x * x + y * y, lambda p: 2.0 * p, (1.0, -1.0),
                           (-2.0, 2.0, -2.0, 2.0))
    w = widgets.optimizer_race({"sgd": day2.sgd}, surfaces={"bowl": bowl})
    assert [v for _, v in w.controls["surface"].options] == ["bowl"]
    w.controls["lr"].value = 0.1
    w.controls["steps"].value = 10
    # θ ← θ − 0.1·2θ = 0.8θ on this bowl.
    np.testing.assert_allclose(w.paths["sgd"][-1], 0.8 ** 10 * np.array([1.0, -1.0]))
    assert (w.ax.get_xlim(), w.ax.get_ylim()) == ((-2.0, 2.0), (-2.0, 2.0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        widgets.optimizer_race({})
    with pytest.raises(TypeError, match="updates\\['x'\\]"):
        widgets.optimizer_race({"x": 3})
    with pytest.raises(TypeError, match="Surface"):
        widgets.optimizer_race(RULES, surfaces={"s": (None, None)})
    with pytest.raises(ValueError, match="extent"):
        widgets.Surface(lambda x, y: x, lambda p: p, (0, 0), (1.0, -1.0, 0.0, 1.0))


def test_prints_nothing_outside_jupyter(capsys):
    widgets.optimizer_race(RULES)
    assert capsys.readouterr().out == ""
