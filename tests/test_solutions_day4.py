"""The Day 4 reference (`solutions/day4_cnn.py`) against PyTorch, in float64.

Convolutions against ``F.conv2d`` and its autograd on hypothesis-drawn shapes (N = 1,
non-square kernels, strides 1–3 that need not divide the input, paddings 0–2), im2col
and col2im against ``F.unfold`` / ``F.fold``, pooling against ``F.max_pool2d`` and
``F.avg_pool2d`` (overlapping windows, odd sizes, ties from integer-valued inputs), the
receptive field against the extent of an autograd gradient.  Results that are sums of
products are held to a rounding bound relative to the largest element.

The last part checks the wrong-answer library: every wrong answer must differ from
the reference on some input, or it is not a bug but a rewrite.
"""

import inspect

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course import checks
from helpers import differs_at_the_edge, or_error, twice, differs, notebook_function
from course.checks import assert_dtype, assert_shape
from solutions import day4_cnn as day4
from solutions.wrong import day4_cnn as wrong_day4

PROPERTY = settings(max_examples=15, deadline=None)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small arrays: one BLAS and one torch thread are faster than several fighting over 2 cores."""
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(threads)


def assert_sums_close(ours, expected, name, factor=1e-10, floor=1e-13):
    """Shape, float64, then |ours − expected| ≤ factor·max|expected| + floor, elementwise."""
    expected = np.asarray(expected.detach().numpy() if isinstance(expected, torch.Tensor)
                          else expected, dtype=np.float64)
    assert_shape(ours, expected.shape, name)
    assert_dtype(ours, np.float64, name)
    ours = np.asarray(ours)
    bound = factor * (float(np.max(np.abs(expected))) if expected.size else 0.0) + floor
    ok = np.abs(ours - expected) <= bound
    if not ok.all():
        idx = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise AssertionError(f"{name}{list(idx)}: got {ours[idx]!r}, expected {expected[idx]!r}")


@st.composite
def conv_cases(draw, max_side=8):
    """(x, w, b, stride, pad) with a valid output size; seeds make the values."""
    N, C, Fo = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    pad = draw(st.integers(0, 2))
    KH = draw(st.integers(1, H + 2 * pad))
    KW = draw(st.integers(1, W + 2 * pad))
    stride = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    return (rng.normal(size=(N, C, H, W)), rng.normal(size=(Fo, C, KH, KW)), rng.normal(size=Fo),
            stride, pad)


@st.composite
def pool_cases(draw):
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    k = draw(st.integers(1, min(H, W)))
    stride = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    ties = draw(st.booleans())
    x = rng.normal(size=(N, C, H, W))
    return (np.round(x) if ties else x), k, stride, rng


# --- 1-D ---------------------------------------------------------------------------------


@PROPERTY
@given(st.integers(1, 12), st.integers(1, 12), st.integers(0, 2 ** 32 - 1))
def test_correlation_and_convolution_match_numpy_and_torch(n, k, seed):
    k = min(n, k)
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=n), rng.normal(size=k)
    assert_sums_close(day4.correlate1d(x, w), np.correlate(x, w, "valid"), "correlate1d")
    assert_sums_close(day4.convolve1d(x, w), np.convolve(x, w, "valid"), "convolve1d")
    torch_out = F.conv1d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0]
    assert_sums_close(day4.correlate1d(x, w), torch_out, "correlate1d vs conv1d")


def test_output_size_matches_conv2d_shapes():
    for n in (1, 2, 5, 7, 8, 11):
        for k in range(1, n + 5):
            for pad in range(3):
                if k > n + 2 * pad:
                    continue
                for s in (1, 2, 3):
                    out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1),
                                   stride=(s, 1), padding=(pad, 0))
                    got = day4.conv_output_size(n, k, pad, s)
                    assert isinstance(got, int) and got == out.shape[2], (n, k, pad, s)


# --- convolution forward and backward ----------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(conv_cases())
def test_naive_and_fast_convolution_match_conv2d_and_autograd(case):
    x, w, b, stride, pad = case
    xt, wt, bt = checks.to_torch(x, w, b)
    ref = F.conv2d(xt, wt, bt, stride=stride, padding=pad)
    out, cache = day4.conv_forward(x, w, b, stride, pad)
    out_fast, cache_fast = day4.conv_forward_fast(x, w, b, stride, pad)
    assert_sums_close(out, ref, "conv_forward")
    assert_sums_close(out_fast, ref, "conv_forward_fast")
    dout = np.random.default_rng(1).normal(size=out.shape)
    ref.backward(torch.tensor(dout))
    for name, grads in [("conv_backward", day4.conv_backward(dout, cache)),
                        ("conv_backward_fast", day4.conv_backward_fast(dout, cache_fast))]:
        for g, t, label in zip(grads, (xt.grad, wt.grad, bt.grad), ("dx", "dw", "db")):
            assert_sums_close(g, t, f"{name} {label}")


@PROPERTY
@given(conv_cases())
def test_im2col_and_col2im_match_unfold_and_fold(case):
    x, w, _, stride, pad = case
    N, C, H, W = x.shape
    KH, KW = w.shape[2:]
    cols = day4.im2col(x, KH, KW, stride, pad)
    unfold = F.unfold(torch.tensor(x), (KH, KW), stride=stride, padding=pad)
    assert_sums_close(cols, unfold.permute(0, 2, 1).reshape(cols.shape), "im2col")
    c = np.random.default_rng(2).normal(size=cols.shape)
    fold = F.fold(torch.tensor(c).reshape(N, -1, C * KH * KW).permute(0, 2, 1), (H, W), (KH, KW),
                  stride=stride, padding=pad)
    assert_sums_close(day4.col2im(c, x.shape, KH, KW, stride, pad), fold, "col2im")


def test_inputs_are_not_modified():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 2, 6, 5)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    keep = [a.copy() for a in (x, w, b)]
    out, cache = day4.conv_forward_fast(x, w, b, 2, 1)
    day4.conv_backward_fast(np.ones_like(out), cache)
    out, cache = day4.conv_forward(x, w, b, 2, 1)
    day4.conv_backward(np.ones_like(out), cache)
    day4.max_pool_backward(np.ones((2, 2, 2, 2)), (x, 3, 2))
    for a, k in zip((x, w, b), keep):
        np.testing.assert_array_equal(a, k)


# --- pooling ---------------------------------------------------------------------------------


@PROPERTY
@given(pool_cases())
def test_pooling_matches_torch_with_overlaps_and_ties(case):
    x, k, stride, rng = case
    xt = checks.to_torch(x)
    ref = F.max_pool2d(xt, k, stride)
    out, cache = day4.max_pool_forward(x, k, stride)
    assert_sums_close(out, ref, "max_pool_forward", factor=0.0)
    dout = rng.normal(size=out.shape)
    ref.backward(torch.tensor(dout))
    assert_sums_close(day4.max_pool_backward(dout, cache), xt.grad, "max_pool_backward")

    xt = checks.to_torch(x)
    ref = F.avg_pool2d(xt, k, stride)
    out, cache = day4.avg_pool_forward(x, k, stride)
    assert_sums_close(out, ref, "avg_pool_forward")
    ref.backward(torch.tensor(dout))
    assert_sums_close(day4.avg_pool_backward(dout, cache), xt.grad, "avg_pool_backward")


@PROPERTY
@given(pool_cases())
def test_global_average_pooling_matches_torch(case):
    x, _, _, rng = case
    xt = checks.to_torch(x)
    ref = xt.mean(dim=(2, 3))
    out, cache = day4.global_avg_pool_forward(x)
    assert_sums_close(out, ref, "global_avg_pool_forward")
    dout = rng.normal(size=out.shape)
    ref.backward(torch.tensor(dout))
    assert_sums_close(day4.global_avg_pool_backward(dout, cache), xt.grad, "global_avg_pool_backward")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), min_size=0, max_size=4))
def test_receptive_field_is_the_extent_of_a_gradient(layers):
    r = day4.receptive_field(layers)
    size = r + sum(s for _, s in layers) * 4 + 8
    x = torch.ones(1, 1, size, 1, dtype=torch.float64, requires_grad=True)
    h = x
    for k, s in layers:
        h = F.conv2d(h, torch.ones(1, 1, k, 1, dtype=torch.float64), stride=(s, 1))
    h[0, 0, 0, 0].backward()
    assert isinstance(r, int)
    # the extent, first to last pixel reached (a stride larger than the kernel leaves holes)
    reached = np.flatnonzero(x.grad[0, 0, :, 0].numpy())
    assert reached[-1] - reached[0] + 1 == r


# --- the CNN ---------------------------------------------------------------------------------


def random_cnn(rng, C, F1, F2, flat, K):
    return {"w1": rng.normal(0, 0.5, size=(F1, C, 3, 3)), "b1": rng.normal(size=F1),
            "w2": rng.normal(0, 0.3, size=(F2, F1, 3, 3)), "b2": rng.normal(size=F2),
            "W3": rng.normal(0, 0.3, size=(K, flat)), "b3": rng.normal(size=K)}


def torch_cnn_loss(X, y, P, stride=1):
    a1 = F.relu(F.conv2d(torch.tensor(X), P["w1"], P["b1"], stride=stride, padding=1))
    p1 = F.max_pool2d(a1, 2, 2) if stride == 1 else a1
    a2 = F.relu(F.conv2d(p1, P["w2"], P["b2"], stride=stride, padding=1))
    p2 = F.max_pool2d(a2, 2, 2) if stride == 1 else a2
    scores = p2.flatten(1) @ P["W3"].T + P["b3"]
    return F.cross_entropy(scores, torch.tensor(y)), scores, {"conv1": a1, "pool1": p1, "conv2": a2,
                                                             "pool2": p2}


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2 ** 32 - 1), st.sampled_from([1, 2]))
def test_cnn_matches_torch(N, C, h, w, K, seed, stride):
    rng = np.random.default_rng(seed)
    H, W = 4 * h, 4 * w
    params = random_cnn(rng, C, 3, 2, 2 * h * w, K + 1)
    X, y = rng.normal(size=(N, C, H, W)), rng.integers(0, K + 1, size=N)
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    loss, scores, maps = torch_cnn_loss(X, y, P, stride)
    ours, our_maps = day4.cnn_forward(X, params, stride)
    assert_sums_close(ours, scores, "cnn_forward scores")
    for name in maps:
        assert_sums_close(our_maps[name], maps[name], f"cnn_forward {name}")
    loss.backward()
    our_loss, grads = day4.cnn_loss_and_grads(X, y, params, stride)
    assert abs(our_loss - loss.item()) <= 1e-10 * max(1.0, abs(loss.item()))
    for name in params:
        assert_sums_close(grads[name], P[name].grad, f"cnn_loss_and_grads {name}", factor=1e-9)


def test_training_matches_torch_adam():
    rng = np.random.default_rng(11)
    X, y = rng.normal(size=(20, 1, 8, 8)), rng.integers(0, 4, size=20)
    start = random_cnn(rng, 1, 3, 4, 16, 4)
    keep = {k: v.copy() for k, v in start.items()}
    params, history = _given_cells()["train_cnn"](X, y, start, epochs=3, lr=0.01, batch_size=6, seed=2)
    for k in keep:
        np.testing.assert_array_equal(start[k], keep[k])
    P = {k: torch.tensor(v, requires_grad=True) for k, v in keep.items()}
    opt = torch.optim.Adam(list(P.values()), lr=0.01)
    theirs = []
    for epoch in range(3):
        total = 0.0
        for rows in np.array_split(np.random.default_rng(2 + epoch).permutation(20), [6, 12, 18]):
            loss = torch_cnn_loss(X[rows], y[rows], P)[0]
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
        theirs.append(total / 20)
    np.testing.assert_allclose(history, theirs, rtol=1e-9)
    for k in P:
        assert_sums_close(params[k], P[k], f"train_cnn {k}", factor=1e-8)


def test_bars_are_balanced_and_the_cnn_beats_the_mlp_on_them():
    from course.data import BAR_ORIENTATIONS, make_bars
    from solutions.day1_forward import network_forward
    from solutions.day2_backprop import train_mlp

    X, y = make_bars(1100, seed=0)
    assert X.shape == (1100, 1, 12, 12) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [275] * 4 and len(BAR_ORIENTATIONS) == 4
    np.testing.assert_array_equal(make_bars(50, seed=3)[0], make_bars(50, seed=3)[0])
    rng = np.random.default_rng(0)
    start = {"w1": rng.normal(0, np.sqrt(2 / 9), (6, 1, 3, 3)), "b1": np.zeros(6),
             "w2": rng.normal(0, np.sqrt(2 / 54), (8, 6, 3, 3)), "b2": np.zeros(8),
             "W3": rng.normal(0, np.sqrt(2 / 72), (4, 72)), "b3": np.zeros(4)}
    params, _ = _given_cells()["train_cnn"](X[:800], y[:800], start, epochs=4, lr=0.02, batch_size=32, seed=0)
    cnn = np.mean(day4.cnn_forward(X[800:], params)[0].argmax(1) == y[800:])
    n = sum(v.size for v in params.values())
    mlp, _ = train_mlp(X[:800].reshape(800, -1), y[:800], [144, round((n - 4) / 149), 4], epochs=30, lr=0.1)
    dense = np.mean(network_forward(X[800:].reshape(300, -1), mlp).argmax(1) == y[800:])
    assert cnn >= 0.9 and dense <= 0.5, (cnn, dense)
    design = day4.bars_design()
    assert (design["F1"], design["F2"], design["epochs"]) == (6, 8, 4) and n <= 1200


# --- the wrong-answer library ------------------------------------------------------------------




def _probes():
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    out, cache = day4.conv_forward(x, w, b, 2, 1)
    out_fast, cache_fast = day4.conv_forward_fast(x, w, b, 2, 1)
    dout = rng.normal(size=out.shape)
    xi = np.round(rng.normal(size=(2, 2, 7, 7)))
    pool_dout = rng.normal(size=(2, 2, 3, 3))
    cols = rng.normal(size=(2 * 4 * 3, 3 * 3 * 3))
    X_cnn, y_cnn = rng.normal(size=(5, 2, 8, 4)), np.array([0, 2, 1, 2, 0])
    cnn_params = random_cnn(rng, C=2, F1=3, F2=4, flat=4 * 2 * 1, K=3)
    return {
        "correlate1d": lambda f: f(x[0, 0, 0], w[0, 0, :, 0]),
        "convolve1d": lambda f: f(x[0, 0, 0], w[0, 0, :, 0]),
        "conv_output_size": lambda f: [f(n, k, p, s) for n, k, p, s in
                                       [(8, 3, 0, 2), (7, 3, 1, 2), (9, 4, 2, 3), (6, 3, 0, 1)]],
        "conv_forward": lambda f: f(x, w, b, 2, 1)[0],
        "conv_backward": lambda f: f(dout, cache),
        "im2col": lambda f: f(x, 3, 2, 2, 1),
        "col2im": lambda f: f(cols, (2, 3, 7, 6), 3, 3, 2, 1),
        "conv_forward_fast": lambda f: f(x, w, b, 2, 1)[0],
        "conv_backward_fast": lambda f: f(dout, cache_fast),
        "max_pool_forward": lambda f: f(xi, 3, 2)[0],
        "max_pool_backward": lambda f: f(pool_dout, (xi, 3, 2)),
        "avg_pool_forward": lambda f: f(xi, 3, 2)[0],
        "avg_pool_backward": lambda f: f(pool_dout, (xi.shape, 3, 2)),
        "global_avg_pool_forward": lambda f: f(x)[0],
        "global_avg_pool_backward": lambda f: f(dout[:, :, 0, 0], (2, 2, 4, 5)),
        "receptive_field": lambda f: [f([(3, 2), (3, 2)]), f([(5, 1), (2, 2), (3, 1)])],
        "cnn_forward": lambda f: f(X_cnn, cnn_params),
        "cnn_loss_and_grads": lambda f: f(X_cnn, y_cnn, cnn_params),
        "bars_design": lambda f: sorted(f().items()),
    }


PROBES = _probes()
WRONG = wrong_day4.WRONG_ANSWERS




def _state_parameters(fn, target):
    """The parameters an entry adds after its target's: only ones with a default, whose name
    starts with "_" (a wrong answer that keeps state between calls in a default argument)."""
    extra = list(inspect.signature(fn).parameters.values())[len(inspect.signature(target).parameters):]
    assert all(q.name.startswith("_") and q.default is not inspect.Parameter.empty for q in extra), extra
    return extra


def test_every_wrong_answer_targets_a_graded_function_with_its_signature():
    # the target's parameters, in its order; a default may differ (a wrong default is a bug
    # of its own), and state kept between calls may add "_" parameters with a default
    assert len({w.name for w in WRONG}) == len(WRONG)
    for w in WRONG:
        target = getattr(day4, w.target, None)
        assert inspect.isfunction(target), f"{w.name}: no function {w.target} in day4_cnn"
        extra = _state_parameters(w.function, target)
        own = list(inspect.signature(w.function).parameters.values())[:-len(extra) or None]
        theirs = list(inspect.signature(target).parameters.values())
        assert [(q.name, q.kind, q.default is inspect.Parameter.empty) for q in own] == \
            [(q.name, q.kind, q.default is inspect.Parameter.empty) for q in theirs], w.name


# Notebook 02 gives these as read-only cells (issue 28): no exercise, so no wrong answer.
# (Its training loop train_cnn is given too, and is no model answer: GIVEN_TRAIN below.)
GIVEN = {"col2im", "conv_forward_fast", "conv_backward_fast"}


# The practical's hidden judgement (run by the test, not written by the student).
JUDGING = {"bars_design_accuracy", "_bars_design_accuracy"}


def test_every_graded_function_has_a_probe_and_a_wrong_answer():
    public = {n for n, f in vars(day4).items()
              if inspect.isfunction(f) and f.__module__ == day4.__name__} - JUDGING
    assert public == set(PROBES)
    assert public - GIVEN == {w.target for w in WRONG}


def _given_cells():
    """The functions of notebook 02's given cells, run on the reference's im2col and CNN."""
    import nbformat

    from pathlib import Path
    nb = nbformat.read(Path(__file__).parents[1] / "day4_cnn" / "02_fast_convolution_pooling_cnn.ipynb", 4)
    from solutions.day2_backprop import adam, batch_indices

    space = {"np": np, "im2col": day4.im2col, "cnn_loss_and_grads": day4.cnn_loss_and_grads,
             "adam": adam, "batch_indices": batch_indices}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("fast_layers", "train_cnn_given"):
            exec(cell.source, space)
    return space


def test_the_given_cells_compute_the_reference():
    # the given col2im (a bincount over the participant's im2col) and the given layers and loop
    # are what the CNN's model answers call, on every probe and at the edges
    space = _given_cells()
    for name in sorted(GIVEN):
        assert not differs(PROBES[name](space[name]), PROBES[name](getattr(day4, name)), tol=1e-12), name
        for probe in EDGE_PROBES.get(name, []):
            assert not differs(probe(space[name]), probe(getattr(day4, name)), tol=1e-12), name


def _edge_probes():
    """Inputs at the edges, where some wrong answers differ only: values float32 cannot hold,
    the defaults, windows that ceil and floor count differently (5×5 under 2×2 / 2), N = 1,
    the round trip of a forward's cache through the reference backward, the inputs after a
    call, two calls in a row, scores hundreds apart.  Each probe returns one result (or the
    name of the error raised)."""
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    dout = rng.normal(size=(2, 2, 4, 4))                       # conv_forward(x, w, b, 2, 1)'s shape
    fine = 1.0 + 1e-12 * rng.normal(size=(2, 3, 7, 6))         # float32 cannot hold these
    x8, w8 = rng.normal(size=(1, 2, 8, 7)), rng.normal(size=(2, 2, 2, 3))
    dout8 = rng.normal(size=(1, 2, 4, 3))                      # stride 3, pad 2: (8 + 4 − 2) / 3 not whole
    xi, pool_dout = np.round(rng.normal(size=(2, 2, 7, 7))), rng.normal(size=(2, 2, 3, 3))
    x5, dout5 = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(1, 2, 2, 2))
    gdout = rng.normal(size=(2, 3))
    X_cnn, y_cnn = rng.normal(size=(5, 2, 8, 4)), np.array([0, 2, 1, 2, 0])
    cnn_params = random_cnn(rng, C=2, F1=3, F2=4, flat=4 * 2 * 1, K=3)
    loud = dict(cnn_params, b3=np.array([900.0, 0.0, -900.0]))

    def after(f, array, *rest):
        f(array, *rest)
        return array

    return {
        "correlate1d": [lambda f: f(fine[0, 0, 0], w[0, 0, :, 0])],
        "conv_forward": [lambda f: f(x, w, b)[0],
                         lambda f: day4.conv_backward(dout, f(x, w, b, 2, 1)[1])],
        "conv_backward": [lambda f: f(dout8, (x8, w8, np.zeros(2), 3, 2))],
        "im2col": [lambda f: f(fine, 3, 2, 2, 1),
                   lambda f: (f(x, 3, 2, 2, 1), f(x[:, :1], 3, 2, 2, 1))[1]],
        "conv_forward_fast": [lambda f: day4.conv_backward_fast(dout, f(x, w, b, 2, 1)[1])],
        "max_pool_forward": [lambda f: f(fine, 3, 2)[0], lambda f: f(x5, 2, 2)[0],
                             lambda f: day4.max_pool_backward(pool_dout, f(xi, 3, 2)[1])],
        "max_pool_backward": [lambda f: f(dout5, (x5, 2, 2))],
        "avg_pool_forward": [lambda f: day4.avg_pool_backward(pool_dout, f(xi, 3, 2)[1])],
        "avg_pool_backward": [lambda f: after(f, pool_dout.copy(), (xi.shape, 3, 2))],
        "global_avg_pool_forward": [lambda f: f(x[:1])[0],
                                    lambda f: day4.global_avg_pool_backward(gdout[:, :2], f(x[:, :2])[1])],
        "global_avg_pool_backward": [lambda f: f(gdout, (2, 3, 3, 1)),
                                     lambda f: after(f, gdout.copy(), (2, 3, 4, 5))],
        "cnn_forward": [lambda f: f(X_cnn, cnn_params, 2)],
        "cnn_loss_and_grads": [lambda f: f(X_cnn, y_cnn, loud), lambda f: f(X_cnn, y_cnn, cnn_params, 2)],
    }


EDGE_PROBES = _edge_probes()


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_wrong_answer_differs_from_the_reference(wrong):
    reference = PROBES[wrong.target](getattr(day4, wrong.target))
    with np.errstate(all="ignore"):
        result = PROBES[wrong.target](notebook_function(wrong, day4))
        if differs(result, reference):
            return
        for probe in EDGE_PROBES.get(wrong.target, []):
            if differs_at_the_edge(or_error(probe, notebook_function(wrong, day4)),
                                    or_error(probe, getattr(day4, wrong.target))):
                return
    raise AssertionError(f"{wrong.name} gives the reference's results, at the edges too")


def test_the_edge_probes_see_no_difference_in_the_reference():
    # a probe that a correct answer written again would fail is no probe
    for target, probes in EDGE_PROBES.items():
        for probe in probes:
            first = or_error(probe, getattr(day4, target))
            assert not isinstance(first, str), (target, first)
            assert not differs_at_the_edge(or_error(probe, getattr(day4, target)), first), target


def test_the_practicals_judgement_passes_the_model_design_and_is_kept_per_design():
    runs = [day4.bars_design_accuracy(day4.bars_design(), s) for s in (1, 2, 3)]
    assert np.median(runs) >= 0.85, runs              # the hidden test's threshold
    again = day4.bars_design_accuracy(dict(day4.bars_design()), 2)
    assert again == runs[1]
    assert len([k for k in day4._BARS_RUNS if k[1] == 2]) == 1   # the same design, one run
