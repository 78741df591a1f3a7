"""`course.checks` and `course.install_friendly_errors`: what a student sees when a check runs.

Every check here is run once on an answer that must pass and once on an answer
that must fail, and the failure's message is read for what it promises: the
expected and actual shape or dtype, the worst element, the tensor that is off,
the likely bug.  Expected numbers are worked out by hand in the comments.
"""

import atexit
import builtins
import contextlib
import io
import re
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import course
from course import checks
from course.checks import (NUMERIC_TOL, TOL, CheckFailed, NotImplementedYet, assert_close,
                           assert_dtype, assert_shape, call, call_pure, check_cases, crosscheck,
                           numeric_gradient, relative_error, to_torch)
from solutions import day1_forward as day1

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def rng(seed=0):
    return np.random.default_rng(seed)


def failure(check, *args, **kwargs) -> str:
    """The message of the CheckFailed that ``check(*args, **kwargs)`` must raise."""
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return str(info.value)


# --- relative_error ----------------------------------------------------------------


@pytest.mark.parametrize("a, b, expected", [
    (1.0, 1.0, 0.0),
    # |1 − 3| / (1 + 3) = 2/4
    (1.0, 3.0, 0.5),
    # opposite signs are as far apart as two numbers get: |−1 − 1| / (1 + 1)
    (-1.0, 1.0, 1.0),
    # elementwise 0/2 and 0.5/4.5 = 1/9; the largest is reported
    ([1.0, 2.0], [1.0, 2.5], 1.0 / 9.0),
    # |a| + |b| = 1e-9 is below the floor 1e-8: 1e-9 / 1e-8
    (0.0, 1e-9, 0.1),
    # both zero: 0 / 1e-8, not 0/0
    (0.0, 0.0, 0.0),
    # 2-D: |2 − 2.2| / 4.2 = 0.2/4.2 beats |10 − 10.1| / 20.1
    ([[10.0, 2.0]], [[10.1, 2.2]], 0.2 / 4.2),
])
def test_relative_error_by_hand(a, b, expected):
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert relative_error(b, a) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_relative_error_is_a_python_float_and_takes_tensors():
    a = np.array([1.0, 3.0])
    err = relative_error(torch.tensor(a), a + np.array([0.0, 1.0]))
    # |3 − 4| / 7
    assert type(err) is float
    assert err == pytest.approx(1.0 / 7.0, rel=1e-12)


def test_relative_error_of_nan_is_infinite_and_of_empty_arrays_zero():
    assert relative_error([1.0, np.nan], [1.0, 2.0]) == float("inf")
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_relative_error_refuses_arrays_of_different_shapes():
    msg = failure(relative_error, np.zeros((2, 3)), np.zeros((3, 2)))
    assert "(2, 3)" in msg and "(3, 2)" in msg


# --- assert_shape and assert_dtype ---------------------------------------------------


def test_assert_shape_passes_and_returns_none():
    assert assert_shape(np.zeros((3, 4)), (3, 4)) is None


@pytest.mark.parametrize("actual, expected, hint", [
    ((3, 5), (3, 4), ""),
    ((4, 3), (3, 4), ".T"),                 # the transpose
    ((2, 6), (3, 4), "check the axes"),     # same size, other layout
    ((3,), (3, 4), "axis is missing"),      # a sum without keepdims
])
def test_assert_shape_names_expected_and_actual(actual, expected, hint):
    msg = failure(assert_shape, np.zeros(actual), expected, name="dW")
    assert msg.startswith("dW:")
    assert f"expected shape {expected}" in msg
    assert f"got {actual}" in msg
    assert hint in msg


def test_assert_dtype_names_expected_and_actual():
    assert assert_dtype(np.zeros(2), np.float64) is None
    msg = failure(assert_dtype, np.zeros(2, dtype=np.float32), np.float64, name="out")
    assert "out:" in msg and "expected dtype float64" in msg and "got float32" in msg
    msg = failure(assert_dtype, np.arange(3), np.float64)
    assert "got int64" in msg


def test_a_non_array_result_is_named():
    msg = failure(assert_shape, None, (2,), name="scores")
    assert "scores" in msg and "NoneType" in msg


# --- assert_close ------------------------------------------------------------------


def test_assert_close_passes_equal_arrays_and_returns_none():
    x = rng().standard_normal((3, 4))
    assert assert_close(x.copy(), x) is None


def test_assert_close_names_the_worst_index_and_both_values():
    expected = np.arange(12.0).reshape(3, 4) + 1.0
    actual = expected.copy()
    actual[0, 1] += 1e-3   # relative error 1e-3 / 4.001 ≈ 2.5e-4
    actual[2, 3] = 13.0    # |13 − 12| / 25 = 0.04, the worst
    msg = failure(assert_close, actual, expected, name="dx")
    assert msg.startswith("dx: relative error 0.04 >")
    assert "at index (2, 3)" in msg
    assert "got 13," in msg and "expected 12." in msg
    assert "Likely cause" not in msg


def test_assert_close_tolerance_is_the_published_one():
    # relative error of 1 + d against 1 is d / (2 + d) ≈ d/2
    assert_close(np.array([1.0 + 1.9 * TOL]), np.array([1.0]))
    failure(assert_close, np.array([1.0 + 2.1 * TOL]), np.array([1.0]))
    assert_close(np.array([1.02]), np.array([1.0]), tol=0.01)


def test_assert_close_adds_the_diagnosis_of_a_known_wrong_answer():
    z = rng(1).standard_normal((4, 3))
    expected = day1.sigmoid(z) * (1 - day1.sigmoid(z))
    forgot_sigma_prime = day1.sigmoid(z)
    off_by_half = 0.5 * expected
    diagnose = [(off_by_half, "a factor ½ too many?"),
                (forgot_sigma_prime, "returned σ(z) instead of σ′(z)?")]
    msg = failure(assert_close, forgot_sigma_prime, expected, diagnose=diagnose)
    assert "Likely cause: returned σ(z) instead of σ′(z)?" in msg
    assert "factor ½" not in msg
    # an answer that matches no known wrong variant gets no guess
    msg = failure(assert_close, expected + 1.0, expected, diagnose=diagnose)
    assert "Likely cause" not in msg


def test_assert_close_checks_shape_then_dtype_then_finiteness():
    expected = np.ones((2, 3))
    msg = failure(assert_close, np.ones((3, 2)), expected, name="a")
    assert "expected shape (2, 3), got (3, 2)" in msg
    msg = failure(assert_close, np.ones((2, 3), dtype=np.float32), expected, name="a")
    assert "expected dtype float64, got float32" in msg
    assert assert_close(np.ones((2, 3), dtype=np.float32), expected, check_dtype=False) is None
    bad = np.ones((2, 3))
    bad[1, 0] = np.inf
    msg = failure(assert_close, bad, expected, name="a")
    assert "nan or inf (first at index (1, 0))" in msg and "overflow" in msg


def test_assert_close_compares_scalars():
    assert assert_close(2.0, 2.0) is None
    msg = failure(assert_close, 2.5, 2.0, name="loss")
    # |2.5 − 2| / 4.5 = 1/9 ≈ 0.111
    assert msg.startswith("loss: relative error 0.111 >")
    assert "index" not in msg


# --- numeric_gradient ----------------------------------------------------------------


def test_numeric_gradient_of_sum_sin_times_upstream_is_cos_times_upstream():
    x = rng(2).uniform(-3, 3, size=(3, 4))
    dout = rng(3).standard_normal((3, 4))
    before = x.copy()
    # d/dx Σ sin(x)·dout = cos(x)·dout; centred differences are off by h²/6·|sin'''| ≈ 2e-11
    assert_close(numeric_gradient(np.sin, x, dout), np.cos(x) * dout, tol=NUMERIC_TOL)
    assert np.array_equal(x, before)


def test_numeric_gradient_without_upstream_uses_ones():
    x = rng(4).standard_normal(5)
    # d/dx Σ x³ = 3x², and a scalar-valued f needs no dout at all
    assert_close(numeric_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, tol=NUMERIC_TOL)
    assert_close(numeric_gradient(lambda v: v ** 3, x), 3 * x ** 2, tol=NUMERIC_TOL)


def test_numeric_gradient_of_an_affine_layer_is_the_backward_formula():
    r = rng(5)
    x, W, b = r.standard_normal((4, 3)), r.standard_normal((2, 3)), r.standard_normal(2)
    dout = r.standard_normal((4, 2))
    # out = x Wᵀ + b: dW = doutᵀ x, dx = dout W, db = Σ_rows dout (exact for a linear map)
    dW = numeric_gradient(lambda W_: day1.affine_forward(x, W_, b)[0], W, dout)
    dx = numeric_gradient(lambda x_: day1.affine_forward(x_, W, b)[0], x, dout)
    db = numeric_gradient(lambda b_: day1.affine_forward(x, W, b_)[0], b, dout)
    assert_close(dW, dout.T @ x, tol=NUMERIC_TOL)
    assert_close(dx, dout @ W, tol=NUMERIC_TOL)
    assert_close(db, dout.sum(axis=0), tol=NUMERIC_TOL)


def test_numeric_gradient_names_both_shapes_when_dout_does_not_fit():
    msg = failure(numeric_gradient, np.sin, np.zeros((2, 3)), np.ones((3, 2)))
    assert "(3, 2)" in msg and "(2, 3)" in msg


# --- crosscheck and to_torch ---------------------------------------------------------


def affine_case(seed=6):
    r = rng(seed)
    return (r.standard_normal((5, 4)), r.standard_normal((3, 4)), r.standard_normal(3),
            r.standard_normal((5, 3)))


def torch_affine_grads(x, W, b, dout):
    """PyTorch autograd's {grad_input, grad_weight, grad_bias} of Σ F.linear(x, W, b)·dout."""
    xt, Wt, bt = to_torch(x, W, b)
    F.linear(xt, Wt, bt).backward(torch.tensor(dout))
    return {"grad_input": xt.grad, "grad_weight": Wt.grad, "grad_bias": bt.grad}


def test_to_torch_gives_float64_leaves_that_require_grad():
    t = to_torch(np.arange(3))
    assert t.dtype == torch.float64 and t.requires_grad and t.is_leaf
    a, b = to_torch(np.zeros(2), np.ones((2, 2)), requires_grad=False)
    assert a.shape == (2,) and b.shape == (2, 2) and not b.requires_grad


def test_crosscheck_prints_the_table_and_passes_correct_gradients(capsys):
    x, W, b, dout = affine_case()
    ours = {"grad_input": dout @ W, "grad_weight": dout.T @ x, "grad_bias": dout.sum(axis=0)}
    assert crosscheck(ours, torch_affine_grads(x, W, b, dout)) is None
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["tensor", "exact", "close"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert set(rows) == {"grad_input", "grad_weight", "grad_bias"}
    assert all(row[2] == "yes" for row in rows.values())


def test_crosscheck_names_only_the_tensor_that_is_off(capsys):
    x, W, b, dout = affine_case()
    ours = {"grad_input": dout @ W,
            "grad_weight": x.T @ dout,   # shape (4, 3): the transpose of what is expected
            "grad_bias": dout.sum(axis=0)}
    wrong_bias = dict(ours, grad_weight=dout.T @ x, grad_bias=dout.mean(axis=0))
    hints = {"grad_bias": "mean instead of sum over the batch?",
             "grad_input": "this hint belongs to a correct tensor"}
    msg = failure(crosscheck, wrong_bias, torch_affine_grads(x, W, b, dout), hints=hints)
    assert msg.startswith("1 of 3 tensors differ from the reference")
    assert "grad_bias: relative error" in msg and "worst at (" in msg
    assert "hint: mean instead of sum over the batch?" in msg
    assert "grad_input" not in msg and "grad_weight" not in msg
    assert "correct tensor" not in msg
    table = capsys.readouterr().out
    assert re.search(r"^grad_bias\s+no\s+no\s", table, re.M)
    assert re.search(r"^grad_weight\s+\S+\s+yes\s", table, re.M)

    msg = failure(crosscheck, ours, torch_affine_grads(x, W, b, dout))
    assert "grad_weight: shape (4, 3), expected (3, 4)" in msg
    assert "grad_bias" not in msg and "grad_input" not in msg


def test_crosscheck_quiet_prints_nothing_and_puts_the_table_in_the_message(capsys):
    ref = {"a": np.ones(3), "b": np.zeros(2)}
    assert crosscheck({"a": np.ones(3), "b": np.zeros(2)}, ref, quiet=True) is None
    msg = failure(crosscheck, {"a": np.ones(3), "b": np.ones(2)}, ref, quiet=True)
    assert capsys.readouterr().out == ""
    assert "tensor" in msg and "max |diff|" in msg


def test_crosscheck_names_a_missing_tensor():
    msg = failure(crosscheck, {"a": np.ones(1)}, {"a": np.ones(1), "grad_h": np.ones(1)})
    assert "grad_h" in msg


# --- check_cases and call ------------------------------------------------------------


SOFTMAX_CASES = [(rng(7).standard_normal((4, 3)),), (rng(8).standard_normal((1, 5)),),
                 (rng(9).standard_normal((2, 2)) + 1e3,)]


def softmax_over_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def test_check_cases_passes_the_reference_and_returns_none():
    assert check_cases(day1.softmax, day1.softmax, SOFTMAX_CASES) is None


def test_check_cases_catches_a_wrong_function_and_names_the_case():
    msg = failure(check_cases, softmax_over_columns, day1.softmax, SOFTMAX_CASES,
                  name="softmax")
    assert msg.startswith("softmax(array (4, 3)): relative error")
    wrong = [(softmax_over_columns, "normalised over the batch axis (0) instead of axis 1?")]
    msg = failure(check_cases, softmax_over_columns, day1.softmax, SOFTMAX_CASES, wrong=wrong)
    assert "Likely cause: normalised over the batch axis (0) instead of axis 1?" in msg


def test_check_cases_catches_an_in_place_mutation_and_keeps_the_callers_arrays():
    def softmax_in_place(z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    cases = [(z.copy(),) for (z,) in SOFTMAX_CASES]
    msg = failure(check_cases, softmax_in_place, day1.softmax, cases)
    assert "softmax_in_place(array (4, 3)) modified its input array in place" in msg
    assert all(np.array_equal(z, original) for (z,), (original,) in zip(cases, SOFTMAX_CASES))


def test_check_cases_catches_a_mutation_inside_a_list_of_parameters():
    # network_forward takes params = [(W1, b1), ...]: the arrays sit inside a list
    X = rng(10).standard_normal((3, 2))
    params = [day1.init_weights(4, 2, "he", seed=1), day1.init_weights(2, 4, "he", seed=2)]

    def network_forward_reusing_biases(X, params, activation="tanh"):
        scores = day1.network_forward(X, params, activation)
        for _, b in params:
            b += 1.0   # the scores are right; the caller's parameters are not
        return scores

    msg = failure(check_cases, network_forward_reusing_biases, day1.network_forward,
                  [(X, params)], name="network_forward")
    assert "modified its input array in place" in msg


def test_check_cases_catches_a_float32_result():
    msg = failure(check_cases, lambda z: day1.softmax(z).astype(np.float32), day1.softmax,
                  SOFTMAX_CASES, name="softmax")
    assert "expected dtype float64, got float32" in msg


def test_check_cases_turns_a_stub_into_a_not_implemented_note():
    def sigmoid(z):
        raise NotImplementedError()

    with pytest.raises(NotImplementedYet) as info:
        check_cases(sigmoid, day1.sigmoid, [(np.zeros(2),)])
    assert isinstance(info.value, CheckFailed)
    assert "`sigmoid` is not implemented yet" in str(info.value)


def test_check_cases_reports_a_crash_as_a_message_about_the_case():
    def affine_forward(x, W, b):
        return x @ W + b   # W is (n_out, n_in): needs W.T

    x, W, b, _ = affine_case()
    msg = failure(check_cases, affine_forward, day1.affine_forward, [(x, W, b)])
    assert msg.startswith("affine_forward(array (5, 4), array (3, 4), array (3,)) raised ValueError")


def test_check_cases_compares_structure_numbers_and_keyword_cases():
    x, W, b, _ = affine_case()
    msg = failure(check_cases, lambda x, W, b: x @ W.T + b, day1.affine_forward, [(x, W, b)],
                  name="affine_forward")
    assert "expected a tuple of 2 items, got array (5, 3)" in msg
    assert check_cases(lambda x, W, b: (x @ W.T + b, None), day1.affine_forward, [(x, W, b)],
                       select=lambda r: r[0]) is None

    A, Y = rng(11).standard_normal((6, 2)), rng(12).standard_normal((6, 2))
    cases = [{"A": A, "Y": Y}]
    assert check_cases(day1.quadratic_cost, day1.quadratic_cost, cases) is None
    msg = failure(check_cases, lambda A, Y: np.sum((Y - A) ** 2) / A.shape[0],
                  day1.quadratic_cost, cases, name="quadratic_cost",
                  wrong=[(lambda A, Y: np.sum((Y - A) ** 2) / A.shape[0], "the ½ is missing?")])
    # without the ½ the cost is 2C: |2C − C| / 3C = 1/3
    assert msg.startswith("quadratic_cost(A=array (6, 2), Y=array (6, 2)): relative error 0.333 >")
    assert "Likely cause: the ½ is missing?" in msg
    msg = failure(check_cases, lambda A, Y: np.array([day1.quadratic_cost(A, Y)]),
                  day1.quadratic_cost, cases, name="quadratic_cost")
    assert "expected a number, got array (1,)" in msg


def test_check_cases_without_cases_is_an_error():
    msg = failure(check_cases, day1.softmax, day1.softmax, [])
    assert "no cases" in msg


def test_call_returns_the_result_or_a_not_implemented_note():
    assert call(day1.relu, -1.0) == 0.0

    def relu_prime(z):
        raise NotImplementedError()

    with pytest.raises(NotImplementedYet, match="`relu_prime` is not implemented yet"):
        call(relu_prime, 1.0)


def test_call_pure_names_the_argument_changed_in_place():
    def step(x, params):
        params["W"] *= 2          # changes the caller's W
        return x
    params = {"W": np.ones((2, 3))}
    msg = failure(call_pure, step, np.zeros(2), params)
    assert "step modified its input params in place" in msg
    assert params["W"][0, 0] == 2.0     # the call happened; only the report is new

    def scale(x, dh):
        dh += 1
        return x
    msg = failure(call_pure, scale, np.zeros(2), dh=np.zeros((1, 4)))
    assert "modified its input dh (1, 4) in place" in msg
    # an untouched input passes and returns the result; objects that cannot be copied
    # (the judge's proxies of student functions) are passed as they are
    assert call_pure(day1.relu, np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]

    class NoCopy:
        def __deepcopy__(self, memo):
            raise TypeError("cannot be copied")

    def apply(x, f):
        return x
    assert call_pure(apply, np.ones(2), f=NoCopy()).tolist() == [1.0, 1.0]


# --- in IPython: a stub's note replaces the traceback --------------------------------


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """A real IPython shell with the handler installed; the process is left as it was found.

    The shell makes itself sys.modules["__main__"] and adds builtins; other tests
    (process pools among them) must not see that, so both are put back afterwards.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    mp = pytest.MonkeyPatch()
    mp.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
    mp.setitem(sys.modules, "__main__", sys.modules["__main__"])
    builtins_before = dict(vars(builtins))
    config = Config()
    config.HistoryManager.enabled = False
    sh = InteractiveShell.instance(colors="nocolor", config=config)
    assert course.install_friendly_errors(sh) is True
    yield sh
    atexit.unregister(sh.atexit_operations)
    InteractiveShell.clear_instance()
    mp.undo()
    for name in set(vars(builtins)) - set(builtins_before):
        delattr(builtins, name)
    vars(builtins).update(builtins_before)


def run(shell, source):
    """Run one cell; (result, printed output without colour codes)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = shell.run_cell(source)
    return result, ANSI.sub("", out.getvalue())


STUB_CELL = '''
import numpy as np

def sigmoid_prime(z):
    """σ′(z), same shape as z."""
    # YOUR CODE HERE
    raise NotImplementedError()
'''


def test_calling_a_stub_in_ipython_prints_a_note_and_fails_the_cell(shell, monkeypatch):
    shown = []
    real_show = shell._showtraceback

    def spy(etype, value, stb):
        shown.append(etype)
        return real_show(etype, value, stb)

    # ipykernel's _showtraceback sends the "error" output by which nbgrader fails the cell
    monkeypatch.setattr(shell, "_showtraceback", spy)
    result, printed = run(shell, STUB_CELL + "\nsigmoid_prime(np.zeros(3))\n")
    assert isinstance(result.error_in_exec, NotImplementedError)
    assert not result.success
    assert shown == [NotImplementedError]
    assert "not implemented yet" in printed
    assert "`sigmoid_prime`" in printed
    assert "Traceback" not in printed


def test_a_stub_under_check_cases_in_ipython_prints_the_note_too(shell):
    result, printed = run(shell, STUB_CELL + (
        "\nfrom course.checks import check_cases\n"
        "check_cases(sigmoid_prime, lambda z: z, [(np.zeros(3),)])\n"))
    assert isinstance(result.error_in_exec, NotImplementedYet)
    assert "`sigmoid_prime` is not implemented yet" in printed
    assert "Traceback" not in printed


def test_a_failed_check_in_ipython_prints_its_message_without_a_traceback(shell):
    result, printed = run(shell, "from course.checks import assert_shape\n"
                                 "import numpy as np\n"
                                 "assert_shape(np.zeros((4, 3)), (3, 4), name='W')\n")
    assert isinstance(result.error_in_exec, CheckFailed)
    assert printed.startswith("Check failed: W: expected shape (3, 4), got (4, 3).")
    assert "Traceback" not in printed


def test_other_errors_keep_their_traceback(shell):
    # the handler is for NotImplementedError only; a real bug still shows where it happened
    result, printed = run(shell, "def f():\n    return 1 / 0\nf()\n")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "Traceback" in printed and "ZeroDivisionError" in printed


def test_install_friendly_errors_outside_ipython_does_nothing():
    assert course.install_friendly_errors(object()) is False
    assert checks.not_implemented_message(None).startswith("this function is not implemented yet")


# --- what grading refuses, the visible tests refuse at once ------------------------------
#
# Each function is compiled in a namespace of its own, as a notebook cell defines it in
# __main__; the toolkit and the references are reachable the way a student reaches them.

def _defined(source: str, **namespace):
    namespace.setdefault("np", np)
    namespace["__name__"] = "__student__"
    exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def test_a_graded_function_that_uses_torch_fails_at_once():
    ns = _defined("import torch\ndef sigmoid(z):\n    return torch.sigmoid(torch.tensor(z)).numpy()\n")
    msg = failure(call, ns["sigmoid"], np.zeros(3))
    assert "sigmoid uses torch" in msg and "NumPy" in msg and "score 0" in msg
    # imported inside the function, through a helper of its own, or one name from torch
    ns = _defined("def sigmoid(z):\n    import torch\n    return torch.sigmoid(torch.tensor(z)).numpy()\n")
    assert "imports torch" in failure(call, ns["sigmoid"], np.zeros(3))
    ns = _defined("import torch.nn.functional as F\n"
                  "def helper(z):\n    return F.sigmoid(z)\n"
                  "def sigmoid(z):\n    return helper(z)\n")
    assert "uses torch" in failure(check_cases, ns["sigmoid"], day1.sigmoid, [(np.zeros(2),)])
    ns = _defined("from torch import sigmoid as s\ndef sigmoid(z):\n    return s(z)\n")
    assert "uses torch" in failure(call, ns["sigmoid"], np.zeros(3))


def test_a_graded_function_that_calls_the_shipped_copy_of_itself_fails_at_once():
    ns = _defined("from course import checks\n"
                  "def numeric_gradient(f, x, dout=None, h=1e-5):\n"
                  "    return checks.numeric_gradient(f, x, dout, h)\n")
    msg = failure(call, ns["numeric_gradient"], lambda x: x, np.zeros(2))
    assert "calls course.checks.numeric_gradient" in msg and "the exercise itself" in msg
    ns = _defined("from solutions.day1_forward import sigmoid as ref\n"
                  "def sigmoid(z):\n    return ref(z)\n")
    assert "calls solutions.day1_forward.sigmoid" in failure(call, ns["sigmoid"], np.zeros(3))


def test_numpy_code_and_other_shipped_functions_are_not_refused():
    ns = _defined("from course import checks\nfrom solutions.day1_forward import sigmoid\n"
                  "def sigmoid_prime(z):\n    s = sigmoid(z)\n"
                  "    assert checks.relative_error(s, s) == 0\n    return s * (1 - s)\n")
    assert np.allclose(call(ns["sigmoid_prime"], np.zeros(2)), 0.25)
    check_cases(ns["sigmoid_prime"], day1.sigmoid_prime, [(np.zeros(2),)])
    # not a plain function (the judge's proxy of a student's function): nothing to inspect
    assert call(lambda z: z, 3) == 3
    checks.refuse_what_grading_refuses(np.exp)


def test_a_known_bug_is_named_only_where_its_output_is_wrong():
    # compared exactly: a float32 round trip is off by about 1e-8, within the 1e-6 at which a
    # known bug's output counts as matched, and so is a bug that is right on this input
    expected = np.array([1.0, 2.0, 3.0]) + 1e-12
    got = expected.astype(np.float32).astype(np.float64)
    right_here = (expected.copy(), "a bug that gives the right answer on this input")
    wrong_here = (got.copy(), "computed in float32")
    msg = failure(assert_close, got, expected, "out", tol=0, diagnose=[right_here, wrong_here])
    assert "Likely cause: computed in float32" in msg
    assert "right answer on this input" not in msg


def test_a_known_bug_that_overflows_is_named_in_the_nan_message():
    expected = np.array([0.5, 1.0])
    got = np.array([0.5, np.nan])
    msg = failure(assert_close, got, expected, "out",
                  diagnose=[(np.array([0.5, np.nan]), "the unsimplified form overflows")])
    assert "contains nan or inf" in msg and "Likely cause: the unsimplified form overflows" in msg
    plain = failure(assert_close, got, expected, "out")
    assert "An overflow in np.exp?" in plain


def test_a_cache_must_hold_what_the_backward_pass_needs_in_any_layout():
    x, h = np.arange(6.0).reshape(2, 3), np.ones((2, 4))
    checks.assert_cache_holds((h, {"inputs": [x]}), {"x": x, "h": h})
    checks.assert_cache_holds([x, h], {"x": x})
    stale = x.copy()
    stale[0, 0] = 99.0
    msg = failure(checks.assert_cache_holds, (stale, h), {"x": x, "h": h})
    assert "holds no exact copy of x (2, 3)" in msg
    # float32 copies are not exact copies
    assert "no exact copy" in failure(checks.assert_cache_holds,
                                      (x.astype(np.float32), h), {"x": x + 1e-12})


def test_a_score_below_its_target_gives_the_exercises_own_advice():
    msg = failure(checks.check_at_least, "accuracy", 0.5, 0.9)
    assert msg == "accuracy: 0.500 is below the target 0.900."
    msg = failure(checks.check_at_least, "accuracy", 0.5, 0.9, advice="More kernels?")
    assert msg.endswith("below the target 0.900. More kernels?")
    assert checks.check_at_least("accuracy", 0.95, 0.9) is None
