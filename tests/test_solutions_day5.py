"""The Day 5 reference (`solutions/day5_rnn.py`) against PyTorch, in float64.

Every cell — tanh RNN, LSTM, GRU — runs over hypothesis-drawn N, T, D, H (T = 1 and
N = 1 included), with h0 (and c0) given or zero, against ``nn.RNN`` / ``nn.LSTM`` /
``nn.GRU(batch_first=True)`` with the same weights: the hidden states, and the gradients of
x, h0 (c0) and all four parameters for a random upstream gradient on every step or only on
the last one.  The step functions are checked the same way (a sequence of length 1, with
an upstream gradient on the LSTM's cell state too); ``jacobian_product_norms`` against the
spectral norms of autograd Jacobians of the unrolled recurrence.

Values are sums of products, so they are held to a bound relative to the largest element
of the tensor (``assert_sums_close``, as for Day 2).  The last part checks the wrong-answer
library: every wrong answer must differ from the reference on a fixed input.
"""

import inspect

import numpy as np
import pytest
import sklearn.metrics
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course import checks, data
from helpers import differs_at_the_edge, or_error, twice, differs, notebook_function
from course.checks import assert_dtype, assert_shape
from solutions import day1_forward as day1
from solutions import day5_rnn as day5
from solutions.wrong import day5_rnn as wrong_day5

PROPERTY = settings(max_examples=15, deadline=None)
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def assert_sums_close(ours, expected, name, factor=1e-10, floor=1e-13):
    expected = np.asarray(expected, dtype=np.float64)
    assert_shape(ours, expected.shape, name)
    assert_dtype(ours, np.float64, name)
    ours = np.asarray(ours)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    bound = factor * scale + floor
    ok = np.abs(ours - expected) <= bound
    if not ok.all():
        idx = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise AssertionError(f"{name}{list(idx)}: got {ours[idx]!r}, expected {expected[idx]!r} "
                             f"(allowed {bound:.3g})")


def random_params(rng, kind, D, H, scale=0.6):
    G = GATES[kind]
    return {"W_ih": rng.normal(0.0, scale, size=(G * H, D)), "W_hh": rng.normal(0.0, scale, size=(G * H, H)),
            "b_ih": rng.normal(0.0, 0.5, size=G * H), "b_hh": rng.normal(0.0, 0.5, size=G * H)}


def torch_module(kind, params, D, H):
    module = MODULES[kind](D, H, batch_first=True).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(params["W_ih"]))
        module.weight_hh_l0.copy_(torch.tensor(params["W_hh"]))
        module.bias_ih_l0.copy_(torch.tensor(params["b_ih"]))
        module.bias_hh_l0.copy_(torch.tensor(params["b_hh"]))
    return module


def torch_param_grads(module):
    return {"W_ih": module.weight_ih_l0.grad, "W_hh": module.weight_hh_l0.grad,
            "b_ih": module.bias_ih_l0.grad, "b_hh": module.bias_hh_l0.grad}


shapes = st.tuples(st.integers(1, 4), st.integers(1, 7), st.integers(1, 5), st.integers(1, 6))


@PROPERTY
@given(kind=st.sampled_from(["rnn", "lstm", "gru"]), shape=shapes, zero_state=st.booleans(),
       last_only=st.booleans(), seed=st.integers(0, 2 ** 31))
def test_sequence_forward_and_bptt_match_torch(kind, shape, zero_state, last_only, seed):
    N, T, D, H = shape
    rng = np.random.default_rng(seed)
    params = random_params(rng, kind, D, H)
    x = rng.normal(size=(N, T, D))
    h0 = np.zeros((N, H)) if zero_state else rng.normal(size=(N, H))
    c0 = np.zeros((N, H)) if zero_state else rng.normal(size=(N, H))
    dh = rng.normal(size=(N, T, H))
    if last_only:
        dh[:, :-1] = 0.0
    module = torch_module(kind, params, D, H)
    tx, th, tc = checks.to_torch(x, h0[None], c0[None])
    if kind == "lstm":
        out, _ = module(tx, (th, tc))
        h, cache = day5.lstm_forward(x, h0, c0, params)
        dx, dh0, dc0, grads = day5.lstm_backward(dh, cache)
    else:
        out, _ = module(tx, th)
        forward, backward = (day5.rnn_forward, day5.rnn_backward) if kind == "rnn" else \
            (day5.gru_forward, day5.gru_backward)
        h, cache = forward(x, h0, params)
        dx, dh0, grads = backward(dh, cache)
    (out * torch.tensor(dh)).sum().backward()
    assert_sums_close(h, out.detach().numpy(), "h")
    assert_sums_close(dx, tx.grad.numpy(), "dx")
    assert_sums_close(dh0, th.grad[0].numpy(), "dh0")
    if kind == "lstm":
        assert_sums_close(dc0, tc.grad[0].numpy(), "dc0")
    for k, g in torch_param_grads(module).items():
        assert_sums_close(grads[k], g.numpy(), f"d{k}")


@PROPERTY
@given(kind=st.sampled_from(["rnn", "lstm", "gru"]),
       shape=st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 6)),
       seed=st.integers(0, 2 ** 31))
def test_step_functions_match_torch(kind, shape, seed):
    N, D, H = shape
    rng = np.random.default_rng(seed)
    params = random_params(rng, kind, D, H, scale=1.0)
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    module = torch_module(kind, params, D, H)
    tx, th, tc = checks.to_torch(x[:, None, :], h_prev[None], c_prev[None])
    if kind == "lstm":
        out, (_, c_n) = module(tx, (th, tc))
        h, c, cache = day5.lstm_step_forward(x, h_prev, c_prev, params)
        dx, dh_prev, dc_prev, grads = day5.lstm_step_backward(dh, dc, cache)
        ((out[:, 0] * torch.tensor(dh)).sum() + (c_n[0] * torch.tensor(dc)).sum()).backward()
        assert_sums_close(c, c_n[0].detach().numpy(), "c")
        assert_sums_close(dc_prev, tc.grad[0].numpy(), "dc_prev")
    else:
        out, _ = module(tx, th)
        forward, backward = (day5.rnn_step_forward, day5.rnn_step_backward) if kind == "rnn" else \
            (day5.gru_step_forward, day5.gru_step_backward)
        h, cache = forward(x, h_prev, params)
        dx, dh_prev, grads = backward(dh, cache)
        (out[:, 0] * torch.tensor(dh)).sum().backward()
    assert_sums_close(h, out[:, 0].detach().numpy(), "h")
    assert_sums_close(dx, tx.grad[:, 0].numpy(), "dx")
    assert_sums_close(dh_prev, th.grad[0].numpy(), "dh_prev")
    for k, g in torch_param_grads(module).items():
        assert_sums_close(grads[k], g.numpy(), f"d{k}")


@PROPERTY
@given(T=st.integers(1, 8), H=st.integers(1, 5), scale=st.sampled_from([0.3, 1.0, 2.0]),
       seed=st.integers(0, 2 ** 31))
def test_jacobian_product_norms_are_those_of_autograd_jacobians(T, H, scale, seed):
    rng = np.random.default_rng(seed)
    W_hh, W_ih, x = rng.normal(0.0, scale, size=(H, H)), rng.normal(size=(H, 2)), rng.normal(size=(T, 2))
    tW_hh, tW_ih, tx = torch.tensor(W_hh), torch.tensor(W_ih), torch.tensor(x)

    def run(h, first):
        for t in range(first, T + 1):
            h = torch.tanh(tx[t - 1] @ tW_ih.T + h @ tW_hh.T)
        return h

    states = [torch.zeros(H, dtype=torch.float64)]
    for t in range(1, T + 1):
        states.append(torch.tanh(tx[t - 1] @ tW_ih.T + states[-1] @ tW_hh.T))
    h = torch.stack(states[1:]).numpy()
    norms = day5.jacobian_product_norms(W_hh, h)
    expected = [1.0] + [torch.linalg.matrix_norm(torch.autograd.functional.jacobian(
        lambda v, k=k: run(v, T - k + 1), states[T - k]), ord=2).item() for k in range(1, T + 1)]
    assert_shape(norms, (T + 1,), "norms")
    # 1 − h² of a saturated unit loses digits to cancellation (relative error ≈ ε/(1 − h²)),
    # differently in torch's tanh backward: agree to 1e-6 relative, and below 1e-12
    # (a gradient that has vanished) in absolute terms.
    np.testing.assert_allclose(norms, expected, rtol=1e-6, atol=1e-12)


def test_jacobian_norms_follow_the_spectral_radius_in_the_linear_regime():
    # h = 0 everywhere: the product is W_hh^k, and W_hh = ρQ has ‖W_hh^k‖ = ρ^k exactly.
    for rho in (0.5, 1.0, 1.5):
        W = data.recurrent_params(2, 6, rho, seed=3)["W_hh"]
        np.testing.assert_allclose(day5.jacobian_product_norms(W, np.zeros((12, 6))),
                                   rho ** np.arange(13), rtol=1e-10)


def test_recurrent_params_layout_and_radius():
    p = data.recurrent_params(3, 5, 1.3, gates=4, seed=1)
    assert p["W_ih"].shape == (20, 3) and p["W_hh"].shape == (20, 5)
    assert p["b_ih"].shape == (20,) and not p["b_hh"].any()
    for block in range(4):
        W = p["W_hh"][5 * block:5 * (block + 1)]
        np.testing.assert_allclose(np.abs(np.linalg.eigvals(W)), 1.3)
    with pytest.raises(ValueError, match="spectral_radius"):
        data.recurrent_params(3, 5, 0.0)


def test_inputs_are_not_modified():
    rng = np.random.default_rng(5)
    params = random_params(rng, "lstm", 3, 4)
    x, h0, c0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    copies = [a.copy() for a in (x, h0, c0)] + [v.copy() for v in params.values()]
    h, cache = day5.lstm_forward(x, h0, c0, params)
    day5.lstm_backward(np.ones_like(h), cache)
    for a, b in zip([x, h0, c0, *params.values()], copies):
        np.testing.assert_array_equal(a, b)


# --- evaluation measures against sklearn.metrics --------------------------------------


@PROPERTY
@given(N=st.integers(1, 60), C=st.integers(2, 8), seed=st.integers(0, 2 ** 31))
def test_measures_match_sklearn(N, C, seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, C, size=N)
    y_pred = np.where(rng.uniform(size=N) < 0.5, y_true, rng.integers(0, C, size=N))
    labels = list(range(C))
    cm = day5.confusion_matrix(y_true, y_pred, C)
    np.testing.assert_array_equal(cm, sklearn.metrics.confusion_matrix(y_true, y_pred, labels=labels))
    assert day5.accuracy(cm) == pytest.approx(sklearn.metrics.accuracy_score(y_true, y_pred), abs=1e-15)
    P, R, F, _ = sklearn.metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                                 zero_division=0)
    for ours, theirs in zip(day5.precision_recall_f1(cm), (P, R, F)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert day5.macro_f1(cm) == pytest.approx(
        sklearn.metrics.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0),
        rel=1e-12, abs=1e-15)


def test_adding_problem():
    X, y = data.adding_problem(500, 12, seed=4)
    assert X.shape == (500, 12, 2) and y.shape == (500,) and X.dtype == np.float64
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :6].sum(axis=1) == 1) and np.all(markers[:, 6:].sum(axis=1) == 1)
    np.testing.assert_allclose(y, (X[:, :, 0] * markers).sum(axis=1))
    assert abs(np.mean((y - 1.0) ** 2) - 1.0 / 6.0) < 0.03
    again, _ = data.adding_problem(500, 12, seed=4)
    np.testing.assert_array_equal(X, again)
    with pytest.raises(ValueError):
        data.adding_problem(3, 1)


# --- training with the student's cells: against a torch loop --------------------------


def _torch_gru_run(X, y, params, steps, lr, max_norm, batch_size, seed, bptt):
    N, T, D = X.shape
    H = params["W_hh"].shape[1]
    gru = torch.nn.GRU(D, H, batch_first=True).double()
    out = torch.nn.Linear(H, params["W_out"].shape[0]).double()
    tensors = {"W_ih": gru.weight_ih_l0, "W_hh": gru.weight_hh_l0, "b_ih": gru.bias_ih_l0,
               "b_hh": gru.bias_hh_l0, "W_out": out.weight, "b_out": out.bias}
    with torch.no_grad():
        for k, t in tensors.items():
            t.copy_(torch.tensor(params[k]))
    opt = torch.optim.Adam(list(tensors.values()), lr=lr)
    losses, grads0 = [], None
    for s in range(steps):
        rows = np.random.default_rng(seed + s).choice(N, min(batch_size, N), replace=False)
        h = torch.zeros(1, len(rows), H, dtype=torch.float64)
        k = T if bptt is None else bptt
        for start in range(0, T, k):
            _, h = gru(torch.tensor(X[rows, start:start + k]), h.detach())
        scores = out(h[0])
        if np.issubdtype(y.dtype, np.integer):
            loss = torch.nn.functional.cross_entropy(scores, torch.tensor(y[rows]))
        else:
            loss = torch.mean((scores[:, 0] - torch.tensor(y[rows])) ** 2)
        opt.zero_grad()
        loss.backward()
        if grads0 is None:
            grads0 = {k: t.grad.clone().numpy() for k, t in tensors.items()}
        torch.nn.utils.clip_grad_norm_(list(tensors.values()), np.inf if max_norm is None else max_norm)
        opt.step()
        losses.append(loss.item())
    return {k: t.detach().numpy() for k, t in tensors.items()}, losses, grads0


@settings(max_examples=8, deadline=None)
@given(N=st.integers(1, 6), T=st.integers(1, 7), D=st.integers(1, 3), H=st.integers(1, 4),
       C=st.integers(1, 3), bptt=st.sampled_from([None, 1, 2, 3]), max_norm=st.sampled_from([None, 0.2, 5.0]),
       seed=st.integers(0, 2 ** 31))
def test_training_loop_and_truncated_bptt_match_torch(N, T, D, H, C, bptt, max_norm, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, T, D))
    y = rng.integers(0, C, size=N) if C > 1 else rng.normal(size=N)
    params = dict(random_params(rng, "gru", D, H, scale=0.7), W_out=rng.normal(size=(C, H)),
                  b_out=rng.normal(size=C))
    batch = int(rng.integers(1, N + 1))
    theirs, losses, grads0 = _torch_gru_run(X, y, params, 3, 0.05, max_norm, batch, 5, bptt)
    rows = np.random.default_rng(5).choice(N, batch, replace=False)
    loss, grads = day5.recurrent_loss_and_grads(X[rows], y[rows], params, day5.gru_forward, day5.gru_backward, bptt)
    assert abs(loss - losses[0]) <= 1e-9 * max(1.0, abs(loss))
    for k in params:
        np.testing.assert_allclose(grads[k], grads0[k], rtol=1e-7, atol=1e-10)
    ours, history = day5.train_recurrent(X, y, params, day5.gru_forward, day5.gru_backward, steps=3, lr=0.05,
                                         max_norm=max_norm, batch_size=batch, seed=5, bptt=bptt)
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-7, atol=1e-12)
    for k in params:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(C=st.integers(1, 30), T=st.sampled_from([0, 0.01, 0.5, 1.0, 3.0]), scale=st.sampled_from([1.0, 100.0]),
       seed=st.integers(0, 2 ** 31))
def test_sample_with_temperature_matches_torch_softmax(C, T, scale, seed):
    scores = np.random.default_rng(seed).normal(size=C) * scale
    index, p = day5.sample_with_temperature(scores, T, seed)
    assert isinstance(index, int) and 0 <= index < C and p[index] > 0
    if T == 0:
        assert index == int(np.argmax(scores)) and p.sum() == 1.0
    else:
        np.testing.assert_allclose(p, torch.softmax(torch.tensor(scores) / T, dim=0).numpy(), rtol=1e-10, atol=1e-300)
        assert index == np.random.default_rng(seed).choice(C, p=p)


def _torch_stream(codes, params, batch_size, seq_len, steps, lr, max_norm):
    K, H = params["W_out"].shape
    rnn, out = torch.nn.RNN(K, H, batch_first=True).double(), torch.nn.Linear(H, K).double()
    tensors = {"W_ih": rnn.weight_ih_l0, "W_hh": rnn.weight_hh_l0, "b_ih": rnn.bias_ih_l0, "b_hh": rnn.bias_hh_l0,
               "W_out": out.weight, "b_out": out.bias}
    with torch.no_grad():
        for key, t in tensors.items():
            t.copy_(torch.tensor(params[key]))
    opt = torch.optim.Adam(list(tensors.values()), lr=lr)
    n = (len(codes) - 1) // batch_size
    tracks = torch.tensor(codes[:batch_size * n + 1])
    inputs = torch.stack([tracks[b * n:(b + 1) * n] for b in range(batch_size)])
    targets = torch.stack([tracks[b * n + 1:(b + 1) * n + 1] for b in range(batch_size)])
    losses, h = [], None
    for j in range(steps):
        c = j % (n // seq_len)
        h = torch.zeros(1, batch_size, H, dtype=torch.float64) if c == 0 else h.detach()
        states, h = rnn(torch.nn.functional.one_hot(inputs[:, c * seq_len:(c + 1) * seq_len], K).double(), h)
        loss = torch.nn.functional.cross_entropy(out(states).reshape(-1, K), targets[:, c * seq_len:(c + 1) * seq_len].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(tensors.values()), np.inf if max_norm is None else max_norm)
        opt.step()
        losses.append(loss.item())
    return {key: t.detach().numpy() for key, t in tensors.items()}, losses


@pytest.mark.parametrize("batch_size, seq_len, steps, max_norm", [(4, 7, 12, 0.5), (3, 5, 20, None), (1, 9, 5, 1.0)])
def test_train_on_stream_matches_torch_with_the_state_detached_between_steps(batch_size, seq_len, steps, max_norm):
    rng = np.random.default_rng(31)
    K, H = 5, 4
    codes = rng.integers(0, K, size=203)
    params = dict(random_params(rng, "rnn", K, H, scale=0.5), W_out=rng.normal(size=(K, H)), b_out=rng.normal(size=K))
    ours, history = day5.train_on_stream(codes, params, day5.rnn_forward, day5.rnn_backward, batch_size=batch_size,
                                         seq_len=seq_len, steps=steps, lr=0.05, max_norm=max_norm)
    theirs, losses = _torch_stream(codes, params, batch_size, seq_len, steps, 0.05, max_norm)
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-10)
    for key in params:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("N, T, K", [(1, 1, 2), (4, 6, 5), (3, 2, 1)])
def test_temporal_softmax_loss_is_torch_cross_entropy_with_the_padded_targets_ignored(N, T, K):
    rng = np.random.default_rng(N * 100 + T * 10 + K)
    lengths = rng.integers(1, T + 1, size=N)
    lengths[0] = T
    mask = np.arange(T)[None, :] < lengths[:, None]
    scores, y = rng.normal(size=(N, T, K)) * 3.0, rng.integers(0, K, size=(N, T))
    loss, dscores = day5.temporal_softmax_loss(scores, np.where(mask, y, -1), mask)
    t = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(t.reshape(-1, K), torch.tensor(np.where(mask, y, -100)).reshape(-1),
                                                 ignore_index=-100)
    expected.backward()
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12)
    np.testing.assert_allclose(dscores, t.grad.numpy(), rtol=1e-10, atol=1e-15)
    assert np.all(dscores[~mask] == 0.0)


# --- the wrong-answer library ---------------------------------------------------------




def _probes():
    rng = np.random.default_rng(11)
    N, T, D, H = 2, 4, 3, 3
    x_seq, x = rng.normal(size=(N, T, D)), rng.normal(size=(N, D))
    h0, c0 = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    dh_seq, dh, dc = rng.normal(size=(N, T, H)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    p = {kind: random_params(rng, kind, D, H, scale=0.8) for kind in GATES}
    y_true = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3])
    y_pred = np.array([0, 0, 0, 1, 2, 1, 0, 2, 2, 3, 0, 0])
    cm = day5.confusion_matrix(y_true, y_pred, 4)
    x_long, y_real = rng.normal(size=(4, 7, D)), rng.normal(size=4)
    p_model = dict(p["gru"], W_out=rng.normal(size=(1, H)), b_out=rng.normal(size=1))
    y_steps = rng.normal(size=(4, 7))
    ppl_scores, ppl_targets = rng.normal(size=(3, 5, 4)), rng.integers(0, 4, size=(3, 5))
    stream = rng.integers(0, 5, size=203)
    padded = np.arange(5)[None, :] < np.array([[5], [2], [3]])     # three sequences of lengths 5, 2, 3
    stream_model = dict(random_params(rng, "rnn", 5, H, scale=0.5), W_out=rng.normal(size=(5, H)), b_out=rng.normal(size=5))
    return {
        "rnn_step_forward": lambda f: f(x, h0, p["rnn"])[0],
        "rnn_step_backward": lambda f: f(dh, day5.rnn_step_forward(x, h0, p["rnn"])[1]),
        "rnn_forward": lambda f: f(x_seq, h0, p["rnn"])[0],
        "rnn_backward": lambda f: f(dh_seq, day5.rnn_forward(x_seq, h0, p["rnn"])[1]),
        "jacobian_product_norms": lambda f: f(p["rnn"]["W_hh"], np.tanh(rng.normal(size=(6, H)))),
        "lstm_step_forward": lambda f: f(x, h0, c0, p["lstm"])[:2],
        "lstm_step_backward": lambda f: f(dh, dc, day5.lstm_step_forward(x, h0, c0, p["lstm"])[2]),
        "lstm_forward": lambda f: f(x_seq, h0, c0, p["lstm"])[0],
        "lstm_backward": lambda f: f(dh_seq, day5.lstm_forward(x_seq, h0, c0, p["lstm"])[1]),
        "gru_step_forward": lambda f: f(x, h0, p["gru"])[0],
        "gru_step_backward": lambda f: f(dh, day5.gru_step_forward(x, h0, p["gru"])[1]),
        "gru_forward": lambda f: f(x_seq, h0, p["gru"])[0],
        "gru_backward": lambda f: f(dh_seq, day5.gru_forward(x_seq, h0, p["gru"])[1]),
        "confusion_matrix": lambda f: f(y_true, y_pred, 4),
        "accuracy": lambda f: f(cm),
        "precision_recall_f1": lambda f: f(cm),
        "macro_f1": lambda f: f(cm),
        "recurrent_loss_and_grads": lambda f: [f(x_long, y_real, p_model, day5.gru_forward, day5.gru_backward, 3),
                                               or_error(f, x_long, y_steps, p_model, day5.gru_forward,
                                                         day5.gru_backward, 3)],
        "sample_with_temperature": lambda f: [f(np.array([800.0, 799.0, 0.0]), 0.5, 3)[1],
                                              f(np.array([1.0, 2.0, 0.5]), 2.0, 3)[1]],
        "digits_design": lambda f: [float(v) for _, v in sorted(f().items())],
        "train_recurrent": lambda f: f(x_long, y_real, p_model, day5.gru_forward, day5.gru_backward, steps=3,
                                       lr=0.05, max_norm=0.3, batch_size=3)[0],
        # 4 tracks of 50 steps in chunks of 7: two passes, and a partial chunk that must stay unused
        "train_on_stream": lambda f: f(stream, stream_model, day5.rnn_forward, day5.rnn_backward, batch_size=4, seq_len=7,
                                       steps=12, lr=0.05, max_norm=0.5),
        "temporal_softmax_loss": lambda f: f(ppl_scores, np.where(padded, ppl_targets, -1), padded),
    }


PROBES = _probes()
WRONG = wrong_day5.WRONG_ANSWERS




def _edge_probes():
    """Inputs at the edges, where some wrong answers differ only: pre-activations and scores of
    several hundred, the round trip of a forward's cache through the reference backward, N = 1,
    int32 labels, every option, two calls in a row, the inputs after a call, nan losses, counts
    float32 cannot hold.  Each probe returns one result (or the name of the error raised)."""
    rng = np.random.default_rng(12)
    N, T, D, H = 2, 4, 3, 3
    x_seq, x = rng.normal(size=(N, T, D)), rng.normal(size=(N, D))
    h0, c0 = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    dh_seq, dh, dc = rng.normal(size=(N, T, H)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    p = {kind: random_params(rng, kind, D, H, scale=0.8) for kind in GATES}
    big = {kind: dict(q, W_ih=q["W_ih"] * 3000.0) for kind, q in p.items()}
    X, y = rng.normal(size=(4, 5, 2)), rng.integers(0, 3, size=4)
    model = dict(random_params(rng, "gru", 2, 3), W_out=rng.normal(size=(3, 3)), b_out=rng.normal(size=3))
    loud = dict(model, b_out=np.array([900.0, 0.0, -900.0]))
    one = (rng.normal(size=(1, 3, 2)), rng.normal(size=1))

    def after(f, array, *rest):
        f(array, *rest)
        return array

    return {
        "rnn_step_forward": [lambda f: f(x, h0, big["rnn"])[0],
                             lambda f: day5.rnn_step_backward(dh, f(x, h0, p["rnn"])[1])],
        "rnn_step_backward": [lambda f: twice(f, dh, day5.rnn_step_forward(x, h0, p["rnn"])[1])],
        "rnn_forward": [lambda f: day5.rnn_backward(dh_seq, f(x_seq, h0, p["rnn"])[1])],
        "lstm_step_forward": [lambda f: f(x, h0, c0, big["lstm"])[:2],
                              lambda f: day5.lstm_step_backward(dh, dc, f(x, h0, c0, p["lstm"])[2])],
        "lstm_step_backward": [lambda f: twice(f, dh, dc, day5.lstm_step_forward(x, h0, c0, p["lstm"])[2])],
        "lstm_forward": [lambda f: day5.lstm_backward(dh_seq, f(x_seq, h0, c0, p["lstm"])[1]),
                         lambda f: np.shape(f(x_seq[:1, :1], h0[:1], c0[:1], p["lstm"])[0])],
        "gru_step_forward": [lambda f: f(x, h0, big["gru"])[0],
                             lambda f: day5.gru_step_backward(dh, f(x, h0, p["gru"])[1])],
        "gru_forward": [lambda f: day5.gru_backward(dh_seq, f(x_seq, h0, p["gru"])[1])],
        "recurrent_loss_and_grads": [
            lambda f: f(X, y.astype(np.int32), model, day5.gru_forward, day5.gru_backward),
            lambda f: f(X, y, loud, day5.gru_forward, day5.gru_backward)],
        "train_recurrent": [
            lambda f: f(*one, dict(model, W_out=model["W_out"][:1], b_out=model["b_out"][:1]),
                        day5.gru_forward, day5.gru_backward, steps=2, batch_size=4)[0],
            lambda f: f(X, y, model, day5.gru_forward, day5.gru_backward, steps=2, bptt=2)[0],
            lambda f: f(X, y, model, day5.gru_forward, day5.gru_backward, steps=2, max_norm=None)[0]],
        "temporal_softmax_loss": [lambda f: f(np.array([[[900.0, 0.0], [0.0, -900.0]]]), np.array([[1, -1]]),
                                              np.array([[True, False]]))],
        "sample_with_temperature": [lambda f: f(np.array([1.0, 3.0, 2.0]), 0, 5)[1],
                                    lambda f: after(f, np.array([1.0, 3.0, 2.0]), 0.7, 5)],
        "confusion_matrix": [lambda f: float(np.issubdtype(np.asarray(f(np.array([0, 1]), np.array([1, 1]), 2)).dtype,
                                                           np.integer))],
        "accuracy": [lambda f: f(np.array([[2 ** 24 + 1, 2], [3, 2 ** 24 + 1]]))],
        "precision_recall_f1": [lambda f: f(np.array([[5, 1, 0], [2, 7, 1], [0, 3, 9]]))],
        "macro_f1": [lambda f: f(np.array([[2, 1, 0], [1, 3, 0], [0, 0, 0]]))],
    }


EDGE_PROBES = _edge_probes()


def _state_parameters(fn, target):
    """The parameters an entry adds after its target's: only ones with a default, whose name
    starts with "_" (a wrong answer that keeps state between calls in a default argument)."""
    extra = list(inspect.signature(fn).parameters.values())[len(inspect.signature(target).parameters):]
    assert all(q.name.startswith("_") and q.default is not inspect.Parameter.empty for q in extra), extra
    return extra


def test_every_wrong_answer_targets_a_graded_function_with_its_signature():
    assert len({w.name for w in WRONG}) == len(WRONG)
    for w in WRONG:
        target = getattr(day5, w.target, None)
        assert inspect.isfunction(target), f"{w.name}: no function {w.target} in day5_rnn"
        signature = inspect.signature(w.function)
        extra = _state_parameters(w.function, target)
        own = signature.replace(parameters=list(signature.parameters.values())[:len(signature.parameters) - len(extra)])
        assert own == inspect.signature(target), w.name


def test_every_graded_function_has_a_probe_and_a_wrong_answer():
    public = {n for n, f in vars(day5).items()
              if inspect.isfunction(f) and f.__module__ == day5.__name__}
    assert public == set(PROBES)
    assert public == {w.target for w in WRONG}


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_wrong_answer_differs_from_the_reference(wrong):
    reference = PROBES[wrong.target](getattr(day5, wrong.target))
    result = PROBES[wrong.target](notebook_function(wrong, day5))
    if differs(result, reference):
        return
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for probe in EDGE_PROBES.get(wrong.target, []):
            if differs_at_the_edge(or_error(probe, notebook_function(wrong, day5)),
                                    or_error(probe, getattr(day5, wrong.target))):
                return
    raise AssertionError(f"{wrong.name} gives the reference's results, at the edges too")


def test_the_edge_probes_see_no_difference_in_the_reference():
    # a probe that a correct answer written again would fail is no probe
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for target, probes in EDGE_PROBES.items():
            for probe in probes:
                first = or_error(probe, getattr(day5, target))
                assert not isinstance(first, str), (target, first)
                assert not differs_at_the_edge(or_error(probe, getattr(day5, target)), first), target


def test_diagnoses_name_each_wrong_answer_of_a_target_once():
    for target in {w.target for w in WRONG}:
        pairs = wrong_day5.diagnoses(target)
        assert [m for _, m in pairs] == [w.description for w in WRONG if w.target == target]


# --- per-step losses, perplexity, and the improvements of §11–12 ----------------------


def _torch_per_step_loss(X, y, params, bptt):
    """nn.GRU + Linear on every step, the state detached every bptt steps (t % k == 0)."""
    N, T, D = X.shape
    H = params["W_hh"].shape[1]
    gru = torch_module("gru", params, D, H)
    out = torch.nn.Linear(H, params["W_out"].shape[0]).double()
    with torch.no_grad():
        out.weight.copy_(torch.tensor(params["W_out"]))
        out.bias.copy_(torch.tensor(params["b_out"]))
    h = torch.zeros(1, N, H, dtype=torch.float64)
    k = T if bptt is None else bptt
    states = []
    for start in range(0, T, k):
        o, h = gru(torch.tensor(X[:, start:start + k]), h.detach())
        states.append(o)
    scores = out(torch.cat(states, dim=1))
    if np.issubdtype(y.dtype, np.integer):
        loss = torch.nn.functional.cross_entropy(scores.reshape(N * T, -1), torch.tensor(y.reshape(-1)))
    else:
        loss = torch.mean((scores[..., 0] - torch.tensor(y)) ** 2)
    loss.backward()
    grads = dict(torch_param_grads(gru), W_out=out.weight.grad, b_out=out.bias.grad)
    return loss.item(), {k: v.numpy() for k, v in grads.items()}


@settings(max_examples=10, deadline=None)
@given(N=st.integers(1, 4), T=st.integers(1, 9), D=st.integers(1, 3), H=st.integers(1, 4),
       C=st.integers(1, 3), bptt=st.sampled_from([None, 1, 2, 3, 4]), seed=st.integers(0, 2 ** 31))
def test_per_step_loss_with_truncated_bptt_matches_torch(N, T, D, H, C, bptt, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, T, D))
    y = rng.integers(0, C, size=(N, T)) if C > 1 else rng.normal(size=(N, T))
    params = dict(random_params(rng, "gru", D, H, scale=0.7), W_out=rng.normal(size=(C, H)),
                  b_out=rng.normal(size=C))
    loss, grads = day5.recurrent_loss_and_grads(X, y, params, day5.gru_forward, day5.gru_backward, bptt)
    their_loss, theirs = _torch_per_step_loss(X, y, params, bptt)
    assert abs(loss - their_loss) <= 1e-10 * max(1.0, abs(loss))
    for k in params:
        np.testing.assert_allclose(grads[k], theirs[k], rtol=1e-7, atol=1e-11)


@settings(max_examples=15, deadline=None)
@given(shape=st.sampled_from([(1, 2), (7, 3), (2, 5, 6), (4, 1, 30)]), scale=st.sampled_from([1.0, 300.0]),
       seed=st.integers(0, 2 ** 31))
def test_perplexity_as_exp_of_day1_cross_entropy_matches_torch(shape, scale, seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=shape) * scale
    targets = rng.integers(0, shape[-1], size=shape[:-1])
    theirs = torch.exp(torch.nn.functional.cross_entropy(torch.tensor(scores.reshape(-1, shape[-1])),
                                                         torch.tensor(targets.reshape(-1))))
    # Past a mean cross-entropy of about 709 both overflow to inf, which counts as equal.
    with np.errstate(over="ignore"):
        ours = np.exp(day1.softmax_cross_entropy(scores.reshape(-1, shape[-1]), targets.reshape(-1)))
    np.testing.assert_allclose(ours, theirs.item(), rtol=1e-9)
    uniform = day1.softmax_cross_entropy(np.zeros(shape).reshape(-1, shape[-1]), targets.reshape(-1))
    assert np.exp(uniform) == pytest.approx(shape[-1])


def test_delayed_recall():
    X, y = data.delayed_recall(300, 6, symbols=4, seed=3)
    assert X.shape == (300, 7, 5) and y.shape == (300,) and X.dtype == np.float64
    assert np.issubdtype(y.dtype, np.integer) and set(np.unique(y)) <= set(range(4))
    np.testing.assert_array_equal(X[:, 0, :4].argmax(axis=1), y)
    assert np.all(X.sum(axis=2) == 1.0)                       # one symbol (or the cue) per step
    assert np.all(X[:, -1, 4] == 1.0) and np.all(X[:, :-1, 4] == 0.0)
    again, y_again = data.delayed_recall(300, 6, symbols=4, seed=3)
    np.testing.assert_array_equal(X, again)
    # the distractors say nothing about the answer: the symbol at step 2 agrees with y by chance only
    assert abs(np.mean(X[:, 1, :4].argmax(axis=1) == y) - 0.25) < 0.08
    with pytest.raises(ValueError, match="delay"):
        data.delayed_recall(10, 0)
