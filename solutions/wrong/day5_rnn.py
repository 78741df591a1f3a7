"""Typical wrong answers of Day 5; each must lose points on the exercise it targets.

A wrong answer replaces its target in a solved notebook, where the set-up cell's imports
(numpy) and the Day 5 functions defined earlier in the same notebook
are in scope; the imports below only make this module importable on its own, and let the
hidden tests use these functions to name a likely bug.  Caches have the reference's layout.
An entry that keeps state between calls keeps it in a default argument whose name starts
with "_", a parameter its target lacks.
"""

import numpy as np

from solutions.day5_rnn import (gru_step_backward, gru_step_forward, lstm_step_backward,
                                lstm_step_forward, precision_recall_f1, rnn_step_backward,
                                rnn_step_forward)
from solutions.day2_backprop import adam, clip_by_global_norm
from solutions.day5_rnn import recurrent_loss_and_grads
from solutions.wrong import registry

WRONG_ANSWERS, wrong = registry()


# --- 1. the tanh RNN ------------------------------------------------------------------------


@wrong("rnn_step_forward", "one bias only: b_hh left out")
def rnn_step_forward_one_bias(x, h_prev, params):
    z = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T
    h = np.tanh(z)
    return h, (x, h_prev, h, params)


@wrong("rnn_step_forward", "h_prev @ W_hh without the transpose")
def rnn_step_forward_untransposed(x, h_prev, params):
    z = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"] + params["b_hh"]
    h = np.tanh(z)
    return h, (x, h_prev, h, params)


@wrong("rnn_step_forward", "tanh written out as (e^z − e^−z)/(e^z + e^−z): inf/inf = nan for |z| ≥ 710")
def rnn_step_forward_tanh_by_hand(x, h_prev, params):
    z = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    h = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    return h, (x, h_prev, h, params)


@wrong("rnn_step_forward", "the cache holds the new state h where h_prev belongs")
def rnn_step_forward_cache_h_for_h_prev(x, h_prev, params):
    z = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    h = np.tanh(z)
    return h, (x, h, h, params)


@wrong("rnn_step_backward", "tanh′ taken of the wrong side: 1 − tanh(h)² instead of 1 − h²")
def rnn_step_backward_tanh_of_output(dh, cache):
    x, h_prev, h, params = cache
    delta = dh * (1.0 - np.tanh(h) ** 2)
    db = delta.sum(axis=0)
    grads = {"W_ih": delta.T @ x, "W_hh": delta.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return delta @ params["W_ih"], delta @ params["W_hh"], grads


@wrong("rnn_step_backward", "dh_prev = δ W_hhᵀ: the transpose of the forward map applied twice")
def rnn_step_backward_dh_prev_transposed(dh, cache):
    x, h_prev, h, params = cache
    delta = dh * (1.0 - h * h)
    db = delta.sum(axis=0)
    grads = {"W_ih": delta.T @ x, "W_hh": delta.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return delta @ params["W_ih"], delta @ params["W_hh"].T, grads


@wrong("rnn_step_backward", "tanh′ multiplied into dh in place (dh *= 1 − h²): the caller's dh is changed")
def rnn_step_backward_dh_in_place(dh, cache):
    x, h_prev, h, params = cache
    dh *= 1.0 - h * h
    delta = dh
    db = delta.sum(axis=0)
    grads = {"W_ih": delta.T @ x, "W_hh": delta.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return delta @ params["W_ih"], delta @ params["W_hh"], grads


@wrong("rnn_step_backward", "h² computed in place in the cache (h *= h): a second backward pass on the "
                           "same cache is wrong")
def rnn_step_backward_squares_cached_h(dh, cache):
    x, h_prev, h, params = cache
    h *= h
    delta = dh * (1.0 - h)
    db = delta.sum(axis=0)
    grads = {"W_ih": delta.T @ x, "W_hh": delta.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return delta @ params["W_ih"], delta @ params["W_hh"], grads


@wrong("rnn_forward", "h0 ignored: the sequence starts from zeros")
def rnn_forward_ignores_h0(x, h0, params):
    N, T, _ = x.shape
    h_prev = np.zeros_like(h0)
    hs, caches = [], []
    for t in range(T):
        h_prev, cache = rnn_step_forward(x[:, t, :], h_prev, params)
        hs.append(h_prev)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


@wrong("rnn_forward", "one state buffer overwritten in place at every step: every step's cache sees "
                      "the last state as its h_prev")
def rnn_forward_state_buffer_reused(x, h0, params):
    N, T, _ = x.shape
    h_prev = h0.copy()
    hs, caches = [], []
    for t in range(T):
        h, cache = rnn_step_forward(x[:, t, :], h_prev, params)
        hs.append(h)
        caches.append(cache)
        h_prev[:] = h
    return np.stack(hs, axis=1), caches


@wrong("rnn_backward", "gradient of h not accumulated from the next step (only the local loss)")
def rnn_backward_local_only(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][3].items()}
    dh_prev = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_prev, step = rnn_step_backward(dh[:, t, :], cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_prev, grads


@wrong("rnn_backward", "gradient of h0 missing: zeros returned for dh0")
def rnn_backward_no_dh0(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][3].items()}
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, step = rnn_step_backward(dh[:, t, :] + dh_next, cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, np.zeros((N, H)), grads


@wrong("rnn_backward", "parameter gradients overwritten at each step instead of summed over time")
def rnn_backward_overwrites(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {}
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, grads = rnn_step_backward(dh[:, t, :] + dh_next, cache[t])
    return dx, dh_next, grads


@wrong("jacobian_product_norms", "the tanh′ factor diag(1 − h²) left out: powers of W_hh only")
def jacobian_product_norms_without_tanh_prime(W_hh, h):
    T, H = h.shape
    product = np.eye(H)
    norms = [1.0]
    for t in range(T - 1, -1, -1):
        product = product @ W_hh
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms, dtype=np.float64)


@wrong("jacobian_product_norms", "W_hh diag(1 − h²): the tanh′ factor on the wrong side of W_hh")
def jacobian_product_norms_factor_order(W_hh, h):
    T, H = h.shape
    product = np.eye(H)
    norms = [1.0]
    for t in range(T - 1, -1, -1):
        product = product @ (W_hh * (1.0 - h[t] ** 2)[None, :])
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms, dtype=np.float64)


# --- 2. LSTM ----------------------------------------------------------------------------------


@wrong("lstm_step_forward", "gate order i, f, o, g instead of torch's i, f, g, o")
def lstm_step_forward_ifog(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    a = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    s = 0.5 * (1.0 + np.tanh(0.5 * a))
    i, f, o, g = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, params)


@wrong("lstm_step_forward", "i and f swapped: gate order f, i, g, o")
def lstm_step_forward_fi_swapped(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    a = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    s = 0.5 * (1.0 + np.tanh(0.5 * a))
    f, i, g, o = s[:, :H], s[:, H:2 * H], np.tanh(a[:, 2 * H:3 * H]), s[:, 3 * H:]
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, params)


@wrong("lstm_step_forward", "h = o ⊙ c: the tanh of the cell state left out")
def lstm_step_forward_no_tanh_c(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    a = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    s = 0.5 * (1.0 + np.tanh(0.5 * a))  # σ(a) = (1 + tanh(a/2))/2, without overflow
    i, f, g, o = s[:, :H], s[:, H:2 * H], np.tanh(a[:, 2 * H:3 * H]), s[:, 3 * H:]
    c = f * c_prev + i * g
    h = o * c
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, params)


@wrong("lstm_step_forward", "σ written as e^a/(1 + e^a): inf/inf = nan for a ≥ 710")
def lstm_step_forward_sigmoid_exp_ratio(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    a = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    s = np.exp(a) / (1.0 + np.exp(a))
    i, f, g, o = s[:, :H], s[:, H:2 * H], np.tanh(a[:, 2 * H:3 * H]), s[:, 3 * H:]
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, params)


@wrong("lstm_step_forward", "the cache holds tanh(c) where the backward pass reads c")
def lstm_step_forward_cache_tanh_c(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    a = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    s = 0.5 * (1.0 + np.tanh(0.5 * a))
    i, f, g, o = s[:, :H], s[:, H:2 * H], np.tanh(a[:, 2 * H:3 * H]), s[:, 3 * H:]
    c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    return h, c, (x, h_prev, c_prev, i, f, g, o, tc, params)


@wrong("lstm_step_backward", "the upstream dc forgotten: only dh reaches the cell state")
def lstm_step_backward_no_dc(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, c, params = cache
    tc = np.tanh(c)
    dc_total = dh * o * (1.0 - tc * tc)
    da = np.concatenate([dc_total * g * i * (1.0 - i),
                         dc_total * c_prev * f * (1.0 - f),
                         dc_total * i * (1.0 - g * g),
                         dh * tc * o * (1.0 - o)], axis=1)
    db = da.sum(axis=0)
    grads = {"W_ih": da.T @ x, "W_hh": da.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return da @ params["W_ih"], da @ params["W_hh"], dc_total * f, grads


@wrong("lstm_step_backward", "tanh′(c) left out of the path from h to c")
def lstm_step_backward_no_tanh_prime(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, c, params = cache
    tc = np.tanh(c)
    dc_total = dc + dh * o
    da = np.concatenate([dc_total * g * i * (1.0 - i),
                         dc_total * c_prev * f * (1.0 - f),
                         dc_total * i * (1.0 - g * g),
                         dh * tc * o * (1.0 - o)], axis=1)
    db = da.sum(axis=0)
    grads = {"W_ih": da.T @ x, "W_hh": da.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return da @ params["W_ih"], da @ params["W_hh"], dc_total * f, grads


@wrong("lstm_step_backward", "the path from h added into the upstream dc in place (dc += …): the caller's dc "
                            "is changed")
def lstm_step_backward_dc_in_place(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, c, params = cache
    tc = np.tanh(c)
    dc += dh * o * (1.0 - tc * tc)
    dc_total = dc
    da = np.concatenate([dc_total * g * i * (1.0 - i),
                         dc_total * c_prev * f * (1.0 - f),
                         dc_total * i * (1.0 - g * g),
                         dh * tc * o * (1.0 - o)], axis=1)
    db = da.sum(axis=0)
    grads = {"W_ih": da.T @ x, "W_hh": da.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return da @ params["W_ih"], da @ params["W_hh"], dc_total * f, grads


@wrong("lstm_step_backward", "tanh(c) written into the cache (np.tanh(c, out=c)): a second backward pass "
                            "on the same cache is wrong")
def lstm_step_backward_tanh_into_cache(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, c, params = cache
    tc = np.tanh(c, out=c)
    dc_total = dc + dh * o * (1.0 - tc * tc)
    da = np.concatenate([dc_total * g * i * (1.0 - i),
                         dc_total * c_prev * f * (1.0 - f),
                         dc_total * i * (1.0 - g * g),
                         dh * tc * o * (1.0 - o)], axis=1)
    db = da.sum(axis=0)
    grads = {"W_ih": da.T @ x, "W_hh": da.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return da @ params["W_ih"], da @ params["W_hh"], dc_total * f, grads


@wrong("lstm_forward", "c0 ignored: the cell state starts from zeros")
def lstm_forward_ignores_c0(x, h0, c0, params):
    N, T, _ = x.shape
    h, c = h0, np.zeros_like(c0)
    hs, caches = [], []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t, :], h, c, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


@wrong("lstm_forward", "one buffer for h and one for c overwritten in place at every step: every "
                       "step's cache sees the last states as its h_prev and c_prev")
def lstm_forward_state_buffers_reused(x, h0, c0, params):
    N, T, _ = x.shape
    h, c = h0.copy(), c0.copy()
    hs, caches = [], []
    for t in range(T):
        h_new, c_new, cache = lstm_step_forward(x[:, t, :], h, c, params)
        hs.append(h_new)
        caches.append(cache)
        h[:], c[:] = h_new, c_new
    return np.stack(hs, axis=1), caches


@wrong("lstm_forward", "the stacked states squeezed: h loses its axes of size 1 (N = 1, T = 1 or H = 1)")
def lstm_forward_squeezed(x, h0, c0, params):
    N, T, _ = x.shape
    h, c = h0, c0
    hs, caches = [], []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t, :], h, c, params)
        hs.append(h)
        caches.append(cache)
    return np.squeeze(np.stack(hs, axis=1)), caches


@wrong("lstm_backward", "the cell state's gradient not carried back in time (dc = 0 at every step)")
def lstm_backward_no_dc_path(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][8].items()}
    dh_next, dc_prev = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, dc_prev, step = lstm_step_backward(dh[:, t, :] + dh_next,
                                                                 np.zeros((N, H)), cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_next, dc_prev, grads


@wrong("lstm_backward", "gradient of h not accumulated from the next step (only the local loss)")
def lstm_backward_local_only(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][8].items()}
    dh_prev, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_prev, dc_next, step = lstm_step_backward(dh[:, t, :], dc_next, cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_prev, dc_next, grads


@wrong("lstm_backward", "gradients of h0 and c0 missing: zeros returned")
def lstm_backward_no_initial_grads(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][8].items()}
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, dc_next, step = lstm_step_backward(dh[:, t, :] + dh_next, dc_next,
                                                                 cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, np.zeros((N, H)), np.zeros((N, H)), grads


# --- 3. GRU -----------------------------------------------------------------------------------


@wrong("gru_step_forward", "the paper's form: r applied before W_hn, W_hn (r ⊙ h) + b_hn")
def gru_step_forward_paper_form(x, h_prev, params):
    H = h_prev.shape[1]
    gi = x @ params["W_ih"].T + params["b_ih"]
    gh = h_prev @ params["W_hh"].T + params["b_hh"]
    rz = 0.5 * (1.0 + np.tanh(0.5 * (gi[:, :2 * H] + gh[:, :2 * H])))  # σ, without overflow
    r, z = rz[:, :H], rz[:, H:]
    ghn = (r * h_prev) @ params["W_hh"][2 * H:].T + params["b_hh"][2 * H:]
    n = np.tanh(gi[:, 2 * H:] + ghn)
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, gh[:, 2 * H:], params)


@wrong("gru_step_forward", "b_hn outside the reset gate: (W_hn h) ⊙ r + b_hn")
def gru_step_forward_bias_outside_r(x, h_prev, params):
    H = h_prev.shape[1]
    gi = x @ params["W_ih"].T + params["b_ih"]
    gh = h_prev @ params["W_hh"].T + params["b_hh"]
    rz = 0.5 * (1.0 + np.tanh(0.5 * (gi[:, :2 * H] + gh[:, :2 * H])))  # σ, without overflow
    r, z = rz[:, :H], rz[:, H:]
    whn = h_prev @ params["W_hh"][2 * H:].T
    n = np.tanh(gi[:, 2 * H:] + r * whn + params["b_hh"][2 * H:])
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, gh[:, 2 * H:], params)


@wrong("gru_step_forward", "r and z swapped: gate order z, r, n")
def gru_step_forward_rz_swapped(x, h_prev, params):
    H = h_prev.shape[1]
    gi = x @ params["W_ih"].T + params["b_ih"]
    gh = h_prev @ params["W_hh"].T + params["b_hh"]
    zr = 0.5 * (1.0 + np.tanh(0.5 * (gi[:, :2 * H] + gh[:, :2 * H])))
    z, r = zr[:, :H], zr[:, H:]
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, gh[:, 2 * H:], params)


@wrong("gru_step_forward", "h′ = z ⊙ n + (1 − z) ⊙ h: the other papers' convention, not torch's")
def gru_step_forward_z_convention(x, h_prev, params):
    H = h_prev.shape[1]
    gi = x @ params["W_ih"].T + params["b_ih"]
    gh = h_prev @ params["W_hh"].T + params["b_hh"]
    rz = 0.5 * (1.0 + np.tanh(0.5 * (gi[:, :2 * H] + gh[:, :2 * H])))  # σ, without overflow
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    h = z * n + (1.0 - z) * h_prev
    return h, (x, h_prev, r, z, n, gh[:, 2 * H:], params)


@wrong("gru_step_forward", "σ written as e^a/(1 + e^a): inf/inf = nan for a ≥ 710")
def gru_step_forward_sigmoid_exp_ratio(x, h_prev, params):
    H = h_prev.shape[1]
    gi = x @ params["W_ih"].T + params["b_ih"]
    gh = h_prev @ params["W_hh"].T + params["b_hh"]
    a = gi[:, :2 * H] + gh[:, :2 * H]
    rz = np.exp(a) / (1.0 + np.exp(a))
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, gh[:, 2 * H:], params)


@wrong("gru_step_backward", "the direct path z ⊙ dh into dh_prev forgotten")
def gru_step_backward_no_direct_path(dh, cache):
    x, h_prev, r, z, n, ghn, params = cache
    dan = dh * (1.0 - z) * (1.0 - n * n)
    daz = dh * (h_prev - n) * z * (1.0 - z)
    dar = dan * ghn * r * (1.0 - r)
    dgi = np.concatenate([dar, daz, dan], axis=1)
    dgh = np.concatenate([dar, daz, dan * r], axis=1)
    grads = {"W_ih": dgi.T @ x, "W_hh": dgh.T @ h_prev,
             "b_ih": dgi.sum(axis=0), "b_hh": dgh.sum(axis=0)}
    return dgi @ params["W_ih"], dgh @ params["W_hh"], grads


@wrong("gru_step_backward", "the hidden side's n block not multiplied by r (as if r were outside)")
def gru_step_backward_r_forgotten(dh, cache):
    x, h_prev, r, z, n, ghn, params = cache
    dan = dh * (1.0 - z) * (1.0 - n * n)
    daz = dh * (h_prev - n) * z * (1.0 - z)
    dar = dan * ghn * r * (1.0 - r)
    dgi = np.concatenate([dar, daz, dan], axis=1)
    dgh = np.concatenate([dar, daz, dan], axis=1)
    grads = {"W_ih": dgi.T @ x, "W_hh": dgh.T @ h_prev,
             "b_ih": dgi.sum(axis=0), "b_hh": dgh.sum(axis=0)}
    return dgi @ params["W_ih"], dh * z + dgh @ params["W_hh"], grads


@wrong("gru_forward", "h0 ignored: the sequence starts from zeros")
def gru_forward_ignores_h0(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros_like(h0)
    hs, caches = [], []
    for t in range(T):
        h, cache = gru_step_forward(x[:, t, :], h, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


@wrong("gru_forward", "one state buffer overwritten in place at every step: every step's cache sees "
                      "the last state as its h_prev")
def gru_forward_state_buffer_reused(x, h0, params):
    N, T, _ = x.shape
    h = h0.copy()
    hs, caches = [], []
    for t in range(T):
        h_new, cache = gru_step_forward(x[:, t, :], h, params)
        hs.append(h_new)
        caches.append(cache)
        h[:] = h_new
    return np.stack(hs, axis=1), caches


@wrong("gru_backward", "gradient of h not accumulated from the next step (only the local loss)")
def gru_backward_local_only(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][6].items()}
    dh_prev = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_prev, step = gru_step_backward(dh[:, t, :], cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_prev, grads


@wrong("gru_backward", "gradient of h0 missing: zeros returned for dh0")
def gru_backward_no_dh0(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][6].items()}
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, step = gru_step_backward(dh[:, t, :] + dh_next, cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, np.zeros((N, H)), grads


def diagnoses(target):
    """(function, description) of every wrong answer of ``target``: the hidden tests name a
    likely bug with these (``checks.check_cases(..., wrong=diagnoses("rnn_forward"))``)."""
    return [(w.function, w.description) for w in WRONG_ANSWERS if w.target == target]


# --- 4. evaluation ------------------------------------------------------------------------


@wrong("confusion_matrix", "rows and columns swapped: rows hold the prediction")
def confusion_matrix_transposed(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_pred, dtype=np.int64), np.asarray(y_true, dtype=np.int64)), 1)
    return cm


@wrong("accuracy", "the mean of the per-class recalls (balanced accuracy), not the fraction correct")
def accuracy_balanced(cm):
    cm = np.asarray(cm, dtype=np.float64)
    return float(np.mean(np.diag(cm) / np.maximum(cm.sum(axis=1), 1.0)))


@wrong("precision_recall_f1", "precision and recall swapped: sums over the rows for precision")
def precision_recall_f1_swapped(cm):
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=1), cm.sum(axis=0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2.0 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)
    return precision, recall, f1


@wrong("precision_recall_f1", "F1 as the arithmetic mean (P + R)/2 instead of the harmonic mean")
def precision_recall_f1_arithmetic(cm):
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    return precision, recall, (precision + recall) / 2.0


@wrong("macro_f1", "F1 averaged the wrong way: the F1 of the mean precision and the mean recall")
def macro_f1_of_means(cm):
    precision, recall, _ = precision_recall_f1(cm)
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return 2.0 * p * r / (p + r) if p + r > 0 else 0.0


@wrong("macro_f1", "F1 weighted by the class sizes (average=\"weighted\"), not the plain mean")
def macro_f1_weighted(cm):
    cm = np.asarray(cm, dtype=np.float64)
    support = cm.sum(axis=1)
    return float(np.sum(precision_recall_f1(cm)[2] * support) / support.sum())


@wrong("confusion_matrix", "counts kept in a float array (np.zeros makes float64), not integers")
def confusion_matrix_float_counts(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes))
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


@wrong("accuracy", "counts turned into float32: the fraction rounded to 7 digits")
def accuracy_float32(cm):
    cm = np.asarray(cm, dtype=np.float32)
    return float(np.trace(cm) / cm.sum())


@wrong("precision_recall_f1", "an epsilon added to every denominator instead of treating 0/0: every value slightly off")
def precision_recall_f1_epsilon(cm):
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    precision = tp / (cm.sum(axis=0) + 1e-9)
    recall = tp / (cm.sum(axis=1) + 1e-9)
    f1 = 2.0 * precision * recall / (precision + recall + 1e-9)
    return precision, recall, f1


@wrong("macro_f1", "the mean over the classes that occur only: a class absent from both truth and "
                   "prediction left out")
def macro_f1_present_classes_only(cm):
    cm = np.asarray(cm)
    present = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
    return float(np.mean(precision_recall_f1(cm)[2][present]))


# --- 7. training with your own cells ------------------------------------------------------


@wrong("recurrent_loss_and_grads", "truncation chunks counted back from the end instead of from t = 0")
def recurrent_loss_and_grads_chunks_from_end(X, y, params, forward, backward, bptt=None):
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    h = np.zeros((N, params["W_hh"].shape[1]))
    k = T if bptt is None else int(bptt)
    starts = [0] + list(range(T % k, T, k)) if T % k else list(range(0, T, k))
    for start, stop in zip(starts, starts[1:] + [T]):
        hs, cache = forward(X[:, start:stop], h, cell)
        h = hs[:, -1]
    scores = h @ params["W_out"].T + params["b_out"]
    if np.issubdtype(np.asarray(y).dtype, np.integer):
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(N), y].mean())
        ds = np.exp(logp)
        ds[np.arange(N), y] -= 1.0
        ds /= N
    else:
        r = scores[:, 0] - y
        loss = float(np.mean(r * r))
        ds = (2.0 * r / N)[:, None]
    dhs = np.zeros_like(hs)
    dhs[:, -1] = ds @ params["W_out"]
    _, _, g = backward(dhs, cache)
    grads = {key: g[key] for key in cell}
    grads["W_out"] = ds.T @ h
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("recurrent_loss_and_grads", "the state reset to zeros at each chunk instead of carried over (detached)")
def recurrent_loss_and_grads_state_reset(X, y, params, forward, backward, bptt=None):
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    k = T if bptt is None else int(bptt)
    for start in range(0, T, k):
        hs, cache = forward(X[:, start:start + k], np.zeros((N, params["W_hh"].shape[1])), cell)
    h = hs[:, -1]
    scores = h @ params["W_out"].T + params["b_out"]
    if np.issubdtype(np.asarray(y).dtype, np.integer):
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(N), y].mean())
        ds = np.exp(logp)
        ds[np.arange(N), y] -= 1.0
        ds /= N
    else:
        r = scores[:, 0] - y
        loss = float(np.mean(r * r))
        ds = (2.0 * r / N)[:, None]
    dhs = np.zeros_like(hs)
    dhs[:, -1] = ds @ params["W_out"]
    _, _, g = backward(dhs, cache)
    grads = {key: g[key] for key in cell}
    grads["W_out"] = ds.T @ h
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("recurrent_loss_and_grads", "squared error without the mean: summed over the batch")
def recurrent_loss_and_grads_summed(X, y, params, forward, backward, bptt=None):
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    h = np.zeros((N, params["W_hh"].shape[1]))
    k = T if bptt is None else int(bptt)
    for start in range(0, T, k):
        hs, cache = forward(X[:, start:start + k], h, cell)
        h = hs[:, -1]
    scores = h @ params["W_out"].T + params["b_out"]
    if np.issubdtype(np.asarray(y).dtype, np.integer):
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(N), y].sum())
        ds = np.exp(logp)
        ds[np.arange(N), y] -= 1.0
    else:
        r = scores[:, 0] - y
        loss = float(np.sum(r * r))
        ds = (2.0 * r)[:, None]
    dhs = np.zeros_like(hs)
    dhs[:, -1] = ds @ params["W_out"]
    _, _, g = backward(dhs, cache)
    grads = {key: g[key] for key in cell}
    grads["W_out"] = ds.T @ h
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("recurrent_loss_and_grads", "per-step losses with truncation: only the last chunk back-propagated")
def recurrent_loss_and_grads_last_chunk_only(X, y, params, forward, backward, bptt=None):
    def _readout_loss(states, targets, params):
        M = states.shape[0]
        scores = states @ params["W_out"].T + params["b_out"]
        if np.issubdtype(np.asarray(targets).dtype, np.integer):
            shifted = scores - scores.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            ds = np.exp(logp)
            ds[np.arange(M), targets] -= 1.0
            return float(-logp[np.arange(M), targets].mean()), ds / M
        r = scores[:, 0] - targets
        return float(np.mean(r * r)), (2.0 * r / M)[:, None]

    y = np.asarray(y)
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    h = np.zeros((N, params["W_hh"].shape[1]))
    k = T if bptt is None else int(bptt)
    chunks = []
    for start in range(0, T, k):
        hs, cache = forward(X[:, start:start + k], h, cell)
        h = hs[:, -1]
        chunks.append((start, hs, cache))
    if y.ndim == 2:
        states = np.concatenate([c[1] for c in chunks], axis=1).reshape(N * T, -1)
        loss, ds = _readout_loss(states, y.reshape(-1), params)
        dH = (ds @ params["W_out"]).reshape(N, T, -1)
        start, hs, cache = chunks[-1]
        _, _, g = backward(dH[:, start:], cache)
    else:
        states = h
        loss, ds = _readout_loss(states, y, params)
        start, hs, cache = chunks[-1]
        dhs = np.zeros_like(hs)
        dhs[:, -1] = ds @ params["W_out"]
        _, _, g = backward(dhs, cache)
    grads = {key: g[key] for key in cell}
    grads["W_out"] = ds.T @ states
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("recurrent_loss_and_grads", "per-step losses: the state not detached, full BPTT across the chunks")
def recurrent_loss_and_grads_per_step_not_truncated(X, y, params, forward, backward, bptt=None):
    def _readout_loss(states, targets, params):
        M = states.shape[0]
        scores = states @ params["W_out"].T + params["b_out"]
        if np.issubdtype(np.asarray(targets).dtype, np.integer):
            shifted = scores - scores.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            ds = np.exp(logp)
            ds[np.arange(M), targets] -= 1.0
            return float(-logp[np.arange(M), targets].mean()), ds / M
        r = scores[:, 0] - targets
        return float(np.mean(r * r)), (2.0 * r / M)[:, None]

    y = np.asarray(y)
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    h0 = np.zeros((N, params["W_hh"].shape[1]))
    if y.ndim == 2:
        hs, cache = forward(X, h0, cell)
        states = hs.reshape(N * T, -1)
        loss, ds = _readout_loss(states, y.reshape(-1), params)
        _, _, g = backward((ds @ params["W_out"]).reshape(N, T, -1), cache)
    else:
        k = T if bptt is None else int(bptt)
        h = h0
        for start in range(0, T, k):
            hs, cache = forward(X[:, start:start + k], h, cell)
            h = hs[:, -1]
        states = h
        loss, ds = _readout_loss(states, y, params)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = ds @ params["W_out"]
        _, _, g = backward(dhs, cache)
    grads = {key: g[key] for key in cell}
    grads["W_out"] = ds.T @ states
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("recurrent_loss_and_grads", "class labels recognised as int64 only: int32 labels taken as "
                                   "regression targets")
def recurrent_loss_and_grads_int64_only(X, y, params, forward, backward, bptt=None):
    y = np.asarray(y)
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    h = np.zeros((N, params["W_hh"].shape[1]))
    k = T if bptt is None else int(bptt)
    per_step = y.ndim == 2
    classes = y.dtype == np.int64
    chunks = []
    for start in range(0, T, k):
        hs, cache = forward(X[:, start:start + k], h, cell)
        h = hs[:, -1]
        chunks.append((start, hs, cache))
    if per_step:
        H_all = np.concatenate([c[1] for c in chunks], axis=1)
        states, targets = H_all.reshape(N * T, -1), y.reshape(N * T)
    else:
        states, targets = h, y
    M = states.shape[0]
    scores = states @ params["W_out"].T + params["b_out"]
    if classes:
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(M), targets].mean())
        ds = np.exp(logp)
        ds[np.arange(M), targets] -= 1.0
        ds /= M
    else:
        r = scores[:, 0] - targets
        loss = float(np.mean(r * r))
        ds = (2.0 * r / M)[:, None]
    dstates = ds @ params["W_out"]
    grads = {key: np.zeros_like(v) for key, v in cell.items()}
    if per_step:
        dH = dstates.reshape(N, T, -1)
        for start, hs, cache in chunks:
            _, _, g = backward(dH[:, start:start + hs.shape[1]], cache)
            for key in grads:
                grads[key] += g[key]
    else:
        start, hs, cache = chunks[-1]
        dhs = np.zeros_like(hs)
        dhs[:, -1] = dstates
        _, _, g = backward(dhs, cache)
        for key in grads:
            grads[key] += g[key]
    grads["W_out"] = ds.T @ states
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("recurrent_loss_and_grads", "cross-entropy without the largest score subtracted: exp overflows "
                                   "for scores ≥ 710")
def recurrent_loss_and_grads_no_max_shift(X, y, params, forward, backward, bptt=None):
    y = np.asarray(y)
    N, T, _ = X.shape
    cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
    h = np.zeros((N, params["W_hh"].shape[1]))
    k = T if bptt is None else int(bptt)
    per_step = y.ndim == 2
    classes = np.issubdtype(y.dtype, np.integer)
    chunks = []
    for start in range(0, T, k):
        hs, cache = forward(X[:, start:start + k], h, cell)
        h = hs[:, -1]
        chunks.append((start, hs, cache))
    if per_step:
        H_all = np.concatenate([c[1] for c in chunks], axis=1)
        states, targets = H_all.reshape(N * T, -1), y.reshape(N * T)
    else:
        states, targets = h, y
    M = states.shape[0]
    scores = states @ params["W_out"].T + params["b_out"]
    if classes:
        logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(M), targets].mean())
        ds = np.exp(logp)
        ds[np.arange(M), targets] -= 1.0
        ds /= M
    else:
        r = scores[:, 0] - targets
        loss = float(np.mean(r * r))
        ds = (2.0 * r / M)[:, None]
    dstates = ds @ params["W_out"]
    grads = {key: np.zeros_like(v) for key, v in cell.items()}
    if per_step:
        dH = dstates.reshape(N, T, -1)
        for start, hs, cache in chunks:
            _, _, g = backward(dH[:, start:start + hs.shape[1]], cache)
            for key in grads:
                grads[key] += g[key]
    else:
        start, hs, cache = chunks[-1]
        dhs = np.zeros_like(hs)
        dhs[:, -1] = dstates
        _, _, g = backward(dhs, cache)
        for key in grads:
            grads[key] += g[key]
    grads["W_out"] = ds.T @ states
    grads["b_out"] = ds.sum(axis=0)
    return loss, grads


@wrong("train_recurrent", "clipping each parameter array on its own instead of the global norm")
def train_recurrent_clip_per_array(X, y, params, forward, backward, steps=20, lr=0.01, max_norm=1.0,
                                   batch_size=16, seed=0, bptt=None):
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    for s in range(steps):
        rows = np.random.default_rng(seed + s).choice(X.shape[0], min(batch_size, X.shape[0]), replace=False)
        loss, grads = recurrent_loss_and_grads(X[rows], y[rows], params, forward, backward, bptt)
        total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
        for key in params:
            g = grads[key] if max_norm is None else clip_by_global_norm([grads[key]], max_norm)[0][0]
            params[key], states[key] = adam(params[key], g, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_recurrent", "clipping skipped: the raw gradients go to Adam")
def train_recurrent_no_clipping(X, y, params, forward, backward, steps=20, lr=0.01, max_norm=1.0,
                                batch_size=16, seed=0, bptt=None):
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    for s in range(steps):
        rows = np.random.default_rng(seed + s).choice(X.shape[0], min(batch_size, X.shape[0]), replace=False)
        loss, grads = recurrent_loss_and_grads(X[rows], y[rows], params, forward, backward, bptt)
        for key in params:
            params[key], states[key] = adam(params[key], grads[key], states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(float(np.sqrt(sum(np.sum(g * g) for g in grads.values()))))
    return params, history


@wrong("train_recurrent", "the batch not capped at N: choice(N, batch_size) fails when batch_size > N")
def train_recurrent_batch_not_capped(X, y, params, forward, backward, steps=20, lr=0.01, max_norm=1.0,
                                     batch_size=16, seed=0, bptt=None):
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    N = X.shape[0]
    for s in range(steps):
        rows = np.random.default_rng(seed + s).choice(N, batch_size, replace=False)
        loss, grads = recurrent_loss_and_grads(X[rows], y[rows], params, forward, backward, bptt)
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_recurrent", "bptt not passed on: the loss and gradients always use full BPTT")
def train_recurrent_bptt_dropped(X, y, params, forward, backward, steps=20, lr=0.01, max_norm=1.0,
                                 batch_size=16, seed=0, bptt=None):
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    N = X.shape[0]
    for s in range(steps):
        rows = np.random.default_rng(seed + s).choice(N, min(batch_size, N), replace=False)
        loss, grads = recurrent_loss_and_grads(X[rows], y[rows], params, forward, backward)
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_recurrent", "max_norm=None (no clipping) not handled: clip_by_global_norm gets None")
def train_recurrent_none_not_handled(X, y, params, forward, backward, steps=20, lr=0.01, max_norm=1.0,
                                     batch_size=16, seed=0, bptt=None):
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    N = X.shape[0]
    for s in range(steps):
        rows = np.random.default_rng(seed + s).choice(N, min(batch_size, N), replace=False)
        loss, grads = recurrent_loss_and_grads(X[rows], y[rows], params, forward, backward, bptt)
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


# --- 8. sampling with a temperature -------------------------------------------------------


@wrong("sample_with_temperature", "scores multiplied by the temperature instead of divided")
def sample_with_temperature_multiplied(scores, temperature, rng_seed):
    scores = np.asarray(scores, dtype=np.float64)
    if temperature == 0:
        p = np.zeros_like(scores)
        p[int(np.argmax(scores))] = 1.0
        return int(np.argmax(scores)), p
    z = scores * temperature
    e = np.exp(z - z.max())
    p = e / e.sum()
    return int(np.random.default_rng(rng_seed).choice(scores.shape[0], p=p)), p


@wrong("sample_with_temperature", "no max-subtraction: exp overflows for large scores / small T")
def sample_with_temperature_no_max(scores, temperature, rng_seed):
    scores = np.asarray(scores, dtype=np.float64)
    if temperature == 0:
        p = np.zeros_like(scores)
        p[int(np.argmax(scores))] = 1.0
        return int(np.argmax(scores)), p
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(scores / temperature)
        p = e / e.sum()
    if not np.all(np.isfinite(p)):
        return 0, p
    return int(np.random.default_rng(rng_seed).choice(scores.shape[0], p=p)), p


@wrong("sample_with_temperature", "T = 0: the argmax returned, but p is the softmax at T = 1, not one-hot")
def sample_with_temperature_zero_p_softmax(scores, temperature, rng_seed):
    scores = np.asarray(scores, dtype=np.float64)
    if temperature == 0:
        e = np.exp(scores - scores.max())
        return int(np.argmax(scores)), e / e.sum()
    z = scores / temperature
    e = np.exp(z - z.max())
    p = e / e.sum()
    return int(np.random.default_rng(rng_seed).choice(scores.shape[0], p=p)), p


@wrong("sample_with_temperature", "the largest score subtracted in place: the caller's scores are changed")
def sample_with_temperature_shift_in_place(scores, temperature, rng_seed):
    scores = np.asarray(scores, dtype=np.float64)
    if temperature == 0:
        p = np.zeros_like(scores)
        p[int(np.argmax(scores))] = 1.0
        return int(np.argmax(scores)), p
    scores -= scores.max()
    e = np.exp(scores / temperature)
    p = e / e.sum()
    return int(np.random.default_rng(rng_seed).choice(scores.shape[0], p=p)), p


# --- 9. the practical exercise ------------------------------------------------------------


@wrong("digits_design", "over-small: 4 hidden units cannot hold what 8 rows of a digit say")
def digits_design_too_small():
    return {"H": 4, "lr": 0.015, "steps": 100, "batch_size": 32, "max_norm": 1.5}


@wrong("digits_design", "unclipped: max_norm so large that it never clips")
def digits_design_unclipped():
    return {"H": 32, "lr": 0.015, "steps": 100, "batch_size": 32, "max_norm": 1e9}


@wrong("digits_design", "clipping in name only: max_norm = 5 is inside the limits but never reached on this task "
                        "(test accuracy 0.907, 0.885, 0.922 on the seeds 0, 1, 2: the accuracy alone would pass)")
def digits_design_never_clips():
    return {"H": 32, "lr": 0.015, "steps": 100, "batch_size": 32, "max_norm": 5.0}


@wrong("digits_design", "clipping every step: max_norm = 0.1 is below every gradient norm of the run, so the "
                        "threshold decides nothing")
def digits_design_clips_always():
    return {"H": 32, "lr": 0.015, "steps": 100, "batch_size": 32, "max_norm": 0.1}


# --- 10. a language model on a stream --------------------------------------------------


@wrong("train_on_stream", 'the state reset to zero at every step: nothing is carried across batches')
def train_on_stream_state_reset(codes, params, forward, backward, batch_size=8, seq_len=8, steps=20, lr=0.01,
                                max_norm=1.0):
    codes = np.asarray(codes)
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    K, H = params["W_out"].shape
    n = (codes.shape[0] - 1) // batch_size
    chunks = n // seq_len
    inputs = np.stack([codes[b * n:(b + 1) * n] for b in range(batch_size)])
    targets = np.stack([codes[b * n + 1:(b + 1) * n + 1] for b in range(batch_size)])
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    h = np.zeros((batch_size, H))
    for j in range(steps):
        c = j % chunks
        h = np.zeros((batch_size, H))
        x = np.eye(K)[inputs[:, c * seq_len:(c + 1) * seq_len]]             # (B, seq_len, K)
        y = targets[:, c * seq_len:(c + 1) * seq_len].reshape(-1)
        cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
        hs, cache = forward(x, h, cell)
        h = hs[:, -1]
        states_flat = hs.reshape(-1, H)
        scores = states_flat @ params["W_out"].T + params["b_out"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        M = y.shape[0]
        loss = float(-logp[np.arange(M), y].mean())
        ds = np.exp(logp)
        ds[np.arange(M), y] -= 1.0
        ds /= M
        _, _, grads = backward((ds @ params["W_out"]).reshape(hs.shape), cache)
        grads = dict(grads, W_out=ds.T @ states_flat, b_out=ds.sum(axis=0))
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_on_stream", 'the state not detached: each step also back-propagates through the earlier chunks of the pass '
                          '(their caches kept), as if the carried state were still attached to them')
def train_on_stream_not_detached(codes, params, forward, backward, batch_size=8, seq_len=8, steps=20, lr=0.01,
                                 max_norm=1.0):
    codes = np.asarray(codes)
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    K, H = params["W_out"].shape
    n = (codes.shape[0] - 1) // batch_size
    chunks = n // seq_len
    inputs = np.stack([codes[b * n:(b + 1) * n] for b in range(batch_size)])
    targets = np.stack([codes[b * n + 1:(b + 1) * n + 1] for b in range(batch_size)])
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    h = np.zeros((batch_size, H))
    earlier = []
    for j in range(steps):
        c = j % chunks
        if c == 0:
            h = np.zeros((batch_size, H))
            earlier = []
        x = np.eye(K)[inputs[:, c * seq_len:(c + 1) * seq_len]]             # (B, seq_len, K)
        y = targets[:, c * seq_len:(c + 1) * seq_len].reshape(-1)
        cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
        hs, cache = forward(x, h, cell)
        h = hs[:, -1]
        states_flat = hs.reshape(-1, H)
        scores = states_flat @ params["W_out"].T + params["b_out"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        M = y.shape[0]
        loss = float(-logp[np.arange(M), y].mean())
        ds = np.exp(logp)
        ds[np.arange(M), y] -= 1.0
        ds /= M
        _, dh0, grads = backward((ds @ params["W_out"]).reshape(hs.shape), cache)
        grads = dict(grads)
        for shape, old_cache in reversed(earlier):       # the carried state still attached to its chunks
            dhs = np.zeros(shape)
            dhs[:, -1] = dh0
            _, dh0, g = backward(dhs, old_cache)
            for key in g:
                grads[key] = grads[key] + g[key]
        earlier.append((hs.shape, cache))
        grads = dict(grads, W_out=ds.T @ states_flat, b_out=ds.sum(axis=0))
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_on_stream", 'the state carried over from the end of one pass over the stream into the start of the next')
def train_on_stream_never_reset(codes, params, forward, backward, batch_size=8, seq_len=8, steps=20, lr=0.01,
                                max_norm=1.0):
    codes = np.asarray(codes)
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    K, H = params["W_out"].shape
    n = (codes.shape[0] - 1) // batch_size
    chunks = n // seq_len
    inputs = np.stack([codes[b * n:(b + 1) * n] for b in range(batch_size)])
    targets = np.stack([codes[b * n + 1:(b + 1) * n + 1] for b in range(batch_size)])
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    h = np.zeros((batch_size, H))
    for j in range(steps):
        c = j % chunks
        x = np.eye(K)[inputs[:, c * seq_len:(c + 1) * seq_len]]             # (B, seq_len, K)
        y = targets[:, c * seq_len:(c + 1) * seq_len].reshape(-1)
        cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
        hs, cache = forward(x, h, cell)
        h = hs[:, -1]
        states_flat = hs.reshape(-1, H)
        scores = states_flat @ params["W_out"].T + params["b_out"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        M = y.shape[0]
        loss = float(-logp[np.arange(M), y].mean())
        ds = np.exp(logp)
        ds[np.arange(M), y] -= 1.0
        ds /= M
        _, _, grads = backward((ds @ params["W_out"]).reshape(hs.shape), cache)
        grads = dict(grads, W_out=ds.T @ states_flat, b_out=ds.sum(axis=0))
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_on_stream", 'the last, shorter chunk of each track used as a step of its own')
def train_on_stream_partial_chunk(codes, params, forward, backward, batch_size=8, seq_len=8, steps=20, lr=0.01,
                                  max_norm=1.0):
    codes = np.asarray(codes)
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    K, H = params["W_out"].shape
    n = (codes.shape[0] - 1) // batch_size
    chunks = -(-n // seq_len)
    inputs = np.stack([codes[b * n:(b + 1) * n] for b in range(batch_size)])
    targets = np.stack([codes[b * n + 1:(b + 1) * n + 1] for b in range(batch_size)])
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    h = np.zeros((batch_size, H))
    for j in range(steps):
        c = j % chunks
        if c == 0:
            h = np.zeros((batch_size, H))
        x = np.eye(K)[inputs[:, c * seq_len:(c + 1) * seq_len]]             # (B, seq_len, K)
        y = targets[:, c * seq_len:(c + 1) * seq_len].reshape(-1)
        cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
        hs, cache = forward(x, h, cell)
        h = hs[:, -1]
        states_flat = hs.reshape(-1, H)
        scores = states_flat @ params["W_out"].T + params["b_out"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        M = y.shape[0]
        loss = float(-logp[np.arange(M), y].mean())
        ds = np.exp(logp)
        ds[np.arange(M), y] -= 1.0
        ds /= M
        _, _, grads = backward((ds @ params["W_out"]).reshape(hs.shape), cache)
        grads = dict(grads, W_out=ds.T @ states_flat, b_out=ds.sum(axis=0))
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


@wrong("train_on_stream", 'the cross-entropy summed over the steps of the chunk (averaged over the tracks only)')
def train_on_stream_summed_over_steps(codes, params, forward, backward, batch_size=8, seq_len=8, steps=20, lr=0.01,
                                      max_norm=1.0):
    codes = np.asarray(codes)
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    K, H = params["W_out"].shape
    n = (codes.shape[0] - 1) // batch_size
    chunks = n // seq_len
    inputs = np.stack([codes[b * n:(b + 1) * n] for b in range(batch_size)])
    targets = np.stack([codes[b * n + 1:(b + 1) * n + 1] for b in range(batch_size)])
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    h = np.zeros((batch_size, H))
    for j in range(steps):
        c = j % chunks
        if c == 0:
            h = np.zeros((batch_size, H))
        x = np.eye(K)[inputs[:, c * seq_len:(c + 1) * seq_len]]             # (B, seq_len, K)
        y = targets[:, c * seq_len:(c + 1) * seq_len].reshape(-1)
        cell = {key: params[key] for key in ("W_ih", "W_hh", "b_ih", "b_hh")}
        hs, cache = forward(x, h, cell)
        h = hs[:, -1]
        states_flat = hs.reshape(-1, H)
        scores = states_flat @ params["W_out"].T + params["b_out"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        M = y.shape[0]
        loss = float(-logp[np.arange(M), y].sum() / batch_size)
        ds = np.exp(logp)
        ds[np.arange(M), y] -= 1.0
        ds /= batch_size
        _, _, grads = backward((ds @ params["W_out"]).reshape(hs.shape), cache)
        grads = dict(grads, W_out=ds.T @ states_flat, b_out=ds.sum(axis=0))
        keys = list(params)
        g = [grads[key] for key in keys]
        total = float(np.sqrt(sum(np.sum(a * a) for a in g)))
        if max_norm is not None:
            g, total = clip_by_global_norm(g, max_norm)
        for key, gk in zip(keys, g):
            params[key], states[key] = adam(params[key], gk, states[key], lr=lr)
        history["loss"].append(loss)
        history["grad_norm"].append(total)
    return params, history


# --- 11. variable-length sequences ----------------------------------------------------------


@wrong("temporal_softmax_loss", "the mean over every step, padded ones included: the padding dilutes the loss")
def temporal_softmax_loss_mean_over_all(scores, y, mask):
    scores = np.asarray(scores, dtype=np.float64)
    N, T, K = scores.shape
    real = np.asarray(mask, dtype=bool).reshape(-1)
    targets = np.where(real, np.asarray(y).reshape(-1), 0)
    flat = scores.reshape(N * T, K)
    shifted = flat - flat.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N * T)
    loss = float(-logp[rows, targets][real].sum() / (N * T))
    ds = np.exp(logp)
    ds[rows, targets] -= 1.0
    ds *= real[:, None] / (N * T)
    return loss, ds.reshape(N, T, K)


@wrong("temporal_softmax_loss", "the padded steps left out of the loss but not out of its gradient")
def temporal_softmax_loss_padding_in_gradient(scores, y, mask):
    scores = np.asarray(scores, dtype=np.float64)
    N, T, K = scores.shape
    real = np.asarray(mask, dtype=bool).reshape(-1)
    targets = np.where(real, np.asarray(y).reshape(-1), 0)
    flat = scores.reshape(N * T, K)
    shifted = flat - flat.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N * T)
    count = real.sum()
    loss = float(-logp[rows, targets][real].sum() / count)
    ds = np.exp(logp)
    ds[rows, targets] -= 1.0
    ds /= count
    return loss, ds.reshape(N, T, K)


@wrong("temporal_softmax_loss", "no maximum subtracted: exp overflows for scores of several hundred")
def temporal_softmax_loss_no_max_shift(scores, y, mask):
    scores = np.asarray(scores, dtype=np.float64)
    N, T, K = scores.shape
    real = np.asarray(mask, dtype=bool).reshape(-1)
    targets = np.where(real, np.asarray(y).reshape(-1), 0)
    flat = scores.reshape(N * T, K)
    e = np.exp(flat)
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(N * T)
    count = real.sum()
    loss = float(-np.log(p[rows, targets])[real].sum() / count)
    ds = p.copy()
    ds[rows, targets] -= 1.0
    ds *= real[:, None] / count
    return loss, ds.reshape(N, T, K)
