"""Day 5 reference: recurrent networks — the tanh RNN and backpropagation through time,
vanishing and exploding gradients, LSTM and GRU cells.

Conventions (DESIGN.md, pinned so that every check against PyTorch is exact):

- float64; batch first: a sequence x is (N, T, D), one time step x_t is (N, D), the
  hidden states h are (N, T, H).  Python's time index t = 0 … T−1 is the slides' 1 … T.
- PyTorch's weight layout, a dict of four arrays per cell, two bias vectors as torch has:
  ``{"W_ih": (G·H, D), "W_hh": (G·H, H), "b_ih": (G·H,), "b_hh": (G·H,)}`` with G = 1
  (RNN), 4 (LSTM, gates stacked i, f, g, o) or 3 (GRU, stacked r, z, n);
  ``nn.RNN/LSTM/GRU(batch_first=True).weight_ih_l0`` etc. hold the same numbers.
- Every cell is a ``*_step_forward(...) -> (out, cache)`` / ``*_step_backward(dout, cache)``
  pair; ``*_forward`` runs a whole sequence, ``*_backward`` is backpropagation through time.
  Gradients of the parameters come back as a dict with the parameters' keys.

    RNN   h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)
    LSTM  [i f g o] = x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh (then σ, σ, tanh, σ)
          c_t = f ⊙ c_{t−1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
    GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr);  z = σ(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));  h′ = (1 − z) ⊙ n + z ⊙ h

Every public function here is the model answer of one graded stub in ``day5_rnn/``,
matched by name; it uses numpy, the earlier days' functions imported below (the
notebooks import the same names in their set-up cells), or a function of this module
defined above it in the same notebook.
"""

import numpy as np

from solutions.day2_backprop import adam, clip_by_global_norm


# --- 1. the vanilla RNN: one step --------------------------------------------------------


def rnn_step_forward(x, h_prev, params):
    """One step of the tanh RNN: h = tanh(x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh).

    x: (N, D); h_prev: (N, H); params: {"W_ih": (H, D), "W_hh": (H, H), "b_ih": (H,),
    "b_hh": (H,)}.  Returns (h (N, H), cache) with cache = (x, h_prev, h, params).
    """
    z = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    h = np.tanh(z)
    return h, (x, h_prev, h, params)


def rnn_step_backward(dh, cache):
    """Backward pass of one RNN step.

    dh: ∂C/∂h (N, H), everything that reaches h; cache from ``rnn_step_forward``.
    δ = dh ⊙ (1 − h²) (tanh′ from the output h), then as an affine layer twice:
    dx = δ W_ih, dh_prev = δ W_hh, ∂C/∂W_ih = δᵀ x, ∂C/∂W_hh = δᵀ h_prev,
    ∂C/∂b_ih = ∂C/∂b_hh = Σ over the rows of δ.
    Returns (dx (N, D), dh_prev (N, H), grads {"W_ih", "W_hh", "b_ih", "b_hh"}).
    """
    x, h_prev, h, params = cache
    delta = dh * (1.0 - h * h)
    db = delta.sum(axis=0)
    grads = {"W_ih": delta.T @ x, "W_hh": delta.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return delta @ params["W_ih"], delta @ params["W_hh"], grads


# --- 2. a whole sequence, and backpropagation through time -----------------------------


def rnn_forward(x, h0, params):
    """The tanh RNN over a whole sequence, from the initial state h0.

    x: (N, T, D); h0: (N, H); params as in ``rnn_step_forward``.
    Returns (h (N, T, H), cache): every hidden state h_1 … h_T, and a list of the
    T step caches.
    """
    N, T, _ = x.shape
    h_prev = h0
    hs, caches = [], []
    for t in range(T):
        h_prev, cache = rnn_step_forward(x[:, t, :], h_prev, params)
        hs.append(h_prev)
        caches.append(cache)
    return np.stack(hs, axis=1).reshape(N, T, -1), caches


def rnn_backward(dh, cache):
    """Backpropagation through time for ``rnn_forward``.

    dh: (N, T, H), the gradient of the loss with respect to each h_t from the loss
    terms at step t only (zeros where a step has no loss).  Going back in time,
    the gradient that reaches h_t is dh[:, t] plus what step t+1 sends back
    (its dh_prev); the parameters' gradients are summed over the steps.
    Returns (dx (N, T, D), dh0 (N, H), grads {"W_ih", "W_hh", "b_ih", "b_hh"}).
    """
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][3].items()}
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, step = rnn_step_backward(dh[:, t, :] + dh_next, cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_next, grads


# --- 3. vanishing and exploding through time ----------------------------------------------


def jacobian_product_norms(W_hh, h):
    """How much of a gradient survives k steps back: ‖∂h_T/∂h_{T−k}‖₂ for k = 0 … T.

    W_hh: (H, H); h: (T, H), the hidden states h_1 … h_T of one sequence.
    One step's Jacobian is J_t = ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh, and
    ∂h_T/∂h_{T−k} = J_T J_{T−1} ⋯ J_{T−k+1} (the identity for k = 0).
    Returns the spectral norms (largest singular values), a float64 array (T+1,).
    """
    T, H = h.shape
    product = np.eye(H)
    norms = [1.0]
    for t in range(T - 1, -1, -1):
        product = product @ ((1.0 - h[t] ** 2)[:, None] * W_hh)
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms, dtype=np.float64)


# --- 4. LSTM ------------------------------------------------------------------------------


def lstm_step_forward(x, h_prev, c_prev, params):
    """One LSTM step, torch's gate order i, f, g, o.

    x: (N, D); h_prev, c_prev: (N, H); params {"W_ih": (4H, D), "W_hh": (4H, H),
    "b_ih": (4H,), "b_hh": (4H,)}.  a = x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh (N, 4H),
    split in four blocks of H columns: i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o);
    c = f ⊙ c_prev + i ⊙ g; h = o ⊙ tanh(c).
    Returns (h (N, H), c (N, H), cache).
    """
    H = h_prev.shape[1]
    a = x @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    s = 0.5 * (1.0 + np.tanh(0.5 * a))  # σ(a) = (1 + tanh(a/2))/2, without overflow
    i, f, g, o = s[:, :H], s[:, H:2 * H], np.tanh(a[:, 2 * H:3 * H]), s[:, 3 * H:]
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, params)


def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    dh: ∂C/∂h (N, H); dc: ∂C/∂c (N, H) arriving from the next step's cell state (the
    additive path); cache from ``lstm_step_forward``.  The cell state collects both:
    ∂C/∂c = dc + dh ⊙ o ⊙ (1 − tanh²c); then the gates through c = f ⊙ c_prev + i ⊙ g
    and h = o ⊙ tanh c, their pre-activations through σ′ and tanh′, and the stacked
    (N, 4H) gradient through the two affine maps.
    Returns (dx (N, D), dh_prev (N, H), dc_prev (N, H), grads {"W_ih", "W_hh", "b_ih", "b_hh"}).
    """
    x, h_prev, c_prev, i, f, g, o, c, params = cache
    tc = np.tanh(c)
    dc_total = dc + dh * o * (1.0 - tc * tc)
    da = np.concatenate([dc_total * g * i * (1.0 - i),
                         dc_total * c_prev * f * (1.0 - f),
                         dc_total * i * (1.0 - g * g),
                         dh * tc * o * (1.0 - o)], axis=1)
    db = da.sum(axis=0)
    grads = {"W_ih": da.T @ x, "W_hh": da.T @ h_prev, "b_ih": db, "b_hh": db.copy()}
    return da @ params["W_ih"], da @ params["W_hh"], dc_total * f, grads


def lstm_forward(x, h0, c0, params):
    """An LSTM over a whole sequence from (h0, c0).

    x: (N, T, D); h0, c0: (N, H); params as in ``lstm_step_forward``.
    Returns (h (N, T, H), cache): every hidden state, and the list of step caches.
    """
    N, T, _ = x.shape
    h, c = h0, c0
    hs, caches = [], []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t, :], h, c, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1).reshape(N, T, -1), caches


def lstm_backward(dh, cache):
    """Backpropagation through time for ``lstm_forward``.

    dh: (N, T, H), the loss terms' gradients at each h_t (zeros where none).  Two
    gradients travel back in time: dh_prev into h_{t−1} (added to dh[:, t−1]) and
    dc_prev along the cell state.
    Returns (dx (N, T, D), dh0 (N, H), dc0 (N, H), grads {"W_ih", "W_hh", "b_ih", "b_hh"}).
    """
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
    return dx, dh_next, dc_next, grads


# --- 5. GRU -------------------------------------------------------------------------------


def gru_step_forward(x, h_prev, params):
    """One GRU step in torch's form, gates stacked r, z, n.

    x: (N, D); h_prev: (N, H); params {"W_ih": (3H, D), "W_hh": (3H, H), "b_ih": (3H,),
    "b_hh": (3H,)}.  With gi = x W_ihᵀ + b_ih and gh = h_prev W_hhᵀ + b_hh, each split in
    three blocks of H columns: r = σ(gi_r + gh_r), z = σ(gi_z + gh_z),
    n = tanh(gi_n + r ⊙ gh_n) (the reset gate multiplies W_hn h + b_hn), and
    h = (1 − z) ⊙ n + z ⊙ h_prev.
    Returns (h (N, H), cache).
    """
    H = h_prev.shape[1]
    gi = x @ params["W_ih"].T + params["b_ih"]
    gh = h_prev @ params["W_hh"].T + params["b_hh"]
    rz = 0.5 * (1.0 + np.tanh(0.5 * (gi[:, :2 * H] + gh[:, :2 * H])))  # σ, without overflow
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, gh[:, 2 * H:], params)


def gru_step_backward(dh, cache):
    """Backward pass of one GRU step.

    dh: ∂C/∂h (N, H); cache from ``gru_step_forward``.  h depends on h_prev directly
    (through z ⊙ h_prev) and through the three gates; the gradients of the input side
    (N, 3H) and of the hidden side (N, 3H) differ only in the n block, where the
    hidden side is multiplied by r.
    Returns (dx (N, D), dh_prev (N, H), grads {"W_ih", "W_hh", "b_ih", "b_hh"}).
    """
    x, h_prev, r, z, n, ghn, params = cache
    dan = dh * (1.0 - z) * (1.0 - n * n)
    daz = dh * (h_prev - n) * z * (1.0 - z)
    dar = dan * ghn * r * (1.0 - r)
    dgi = np.concatenate([dar, daz, dan], axis=1)
    dgh = np.concatenate([dar, daz, dan * r], axis=1)
    grads = {"W_ih": dgi.T @ x, "W_hh": dgh.T @ h_prev,
             "b_ih": dgi.sum(axis=0), "b_hh": dgh.sum(axis=0)}
    return dgi @ params["W_ih"], dh * z + dgh @ params["W_hh"], grads


def gru_forward(x, h0, params):
    """A GRU over a whole sequence from h0.

    x: (N, T, D); h0: (N, H); params as in ``gru_step_forward``.
    Returns (h (N, T, H), cache): every hidden state, and the list of step caches.
    """
    N, T, _ = x.shape
    h = h0
    hs, caches = [], []
    for t in range(T):
        h, cache = gru_step_forward(x[:, t, :], h, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1).reshape(N, T, -1), caches


def gru_backward(dh, cache):
    """Backpropagation through time for ``gru_forward``.

    dh: (N, T, H) as in ``rnn_backward``.
    Returns (dx (N, T, D), dh0 (N, H), grads {"W_ih", "W_hh", "b_ih", "b_hh"}).
    """
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    grads = {k: np.zeros_like(v) for k, v in cache[0][6].items()}
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_next, step = gru_step_backward(dh[:, t, :] + dh_next, cache[t])
        for k in grads:
            grads[k] += step[k]
    return dx, dh_next, grads


# --- 6. evaluating a classifier ----------------------------------------------------------


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts of (true class, predicted class) pairs, as sklearn.metrics.confusion_matrix.

    y_true, y_pred: int arrays (N,) with labels in 0 … num_classes−1.
    Returns an int64 array (K, K): entry [i, j] is the number of examples of class i
    predicted as class j (rows: the truth, columns: the prediction).
    """
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return cm


def accuracy(cm):
    """The fraction of correct predictions, trace(cm) / Σ cm, from a confusion matrix (K, K)."""
    cm = np.asarray(cm, dtype=np.float64)
    return float(np.trace(cm) / cm.sum())


def precision_recall_f1(cm):
    """Per-class precision, recall and F1 from a confusion matrix (K, K) (rows: the truth).

    precision_c = cm[c, c] / Σ_i cm[i, c] (of the examples predicted as c, the right ones);
    recall_c = cm[c, c] / Σ_j cm[c, j] (of the examples of class c, the ones found);
    F1_c = 2 P_c R_c / (P_c + R_c), their harmonic mean.  A 0/0 counts as 0, as
    sklearn's ``zero_division=0``.  Returns (precision, recall, f1), float64 arrays (K,).
    """
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2.0 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)
    return precision, recall, f1


def macro_f1(cm):
    """The macro-averaged F1: the plain mean over the classes of each class's F1
    (sklearn's ``f1_score(average="macro")``).  cm: (K, K).  Returns a float."""
    return float(np.mean(precision_recall_f1(cm)[2]))


# --- 6-8. training your recurrent network, the practical, sampling (Part 1) ---------------

def recurrent_loss_and_grads(X, y, params, forward, backward, bptt=None):
    """Loss and gradients of a recurrent model: a cell, then a dense read-out of h_T or of every h_t.

    X: (N, T, D); params: the cell's four arrays plus "W_out" (K, H) and "b_out" (K,).
    forward(x, h0, cell) -> (h (N, T', H), cache) and backward(dh, cache) -> (dx, dh0, grads)
    are a sequence forward/BPTT pair (``rnn_forward``/``rnn_backward``, or the GRU's); h0 = 0.
    y (N,): many-to-one, scores s = h_T W_outᵀ + b_out; y (N, T): a loss on every step, scores
    s_t = h_t W_outᵀ + b_out at each step.  y float: K = 1, loss = mean((s₀ − y)²); y integer:
    softmax cross-entropy; the mean over every (example, step) that has a target.
    bptt = k: truncated BPTT, the state detached every k steps counted from t = 0 (torch's
    ``h = h.detach()`` when t % k == 0): each chunk is differentiated through the losses of its
    own steps only (many-to-one: only the last chunk receives gradient).
    Returns (loss float, grads {the six keys}).
    """
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
        H_all = np.concatenate([c[1] for c in chunks], axis=1)          # (N, T, H)
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


def train_recurrent(X, y, params, forward, backward, steps=20, lr=0.01, max_norm=1.0,
                    batch_size=16, seed=0, bptt=None):
    """Adam with global-norm clipping on ``recurrent_loss_and_grads``.

    Step j trains on rows ``np.random.default_rng(seed + j).choice(N, min(batch_size, N),
    replace=False)``; all six gradients are clipped together to max_norm (None: no clipping)
    with Day 2's ``clip_by_global_norm``, then each array takes a Day 2 ``adam`` step (lr).
    Returns (params, history): new arrays; history = {"loss": per step, "grad_norm": the
    global norm before clipping, per step}.
    """
    params = {key: np.array(v, dtype=np.float64) for key, v in params.items()}
    states = {key: {} for key in params}
    history = {"loss": [], "grad_norm": []}
    N = X.shape[0]
    for j in range(steps):
        rows = np.random.default_rng(seed + j).choice(N, min(batch_size, N), replace=False)
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


def train_on_stream(codes, params, forward, backward, batch_size=8, seq_len=8, steps=20, lr=0.01,
                    max_norm=1.0):
    """A next-symbol model trained on one long stream, the state carried from batch to batch.

    codes: (L,) int, symbols 0 … K−1 (K = params["W_out"].shape[0]); a step's input is the one-hot
    of its symbol, its target the next symbol.  The stream is laid out as batch_size parallel
    tracks of n = (L − 1) // batch_size steps: track b reads codes[b·n + t] and predicts
    codes[b·n + t + 1], t = 0 … n−1 (torch's word-language-model ``batchify``).  Step j trains on
    chunk c = j mod ⌊n / seq_len⌋, the track positions c·seq_len … (c+1)·seq_len − 1 (a last
    partial chunk is never used); its initial state is zero for c = 0 (a new pass over the
    stream) and otherwise the last state of step j−1's forward pass, a constant (torch's
    ``h.detach()``).  Loss: the mean cross-entropy of the read-out at every step of the chunk;
    gradients from ``backward`` of this chunk alone; the six gradients clipped together to
    max_norm (None: no clipping) with Day 2's ``clip_by_global_norm``, then a Day 2 ``adam``
    step per array.  Returns (params, history) as ``train_recurrent``.
    """
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


def temporal_softmax_loss(scores, y, mask):
    """Softmax cross-entropy on every step of a padded batch, the padded steps left out.

    scores: (N, T, K); y: (N, T) int, any value at a padded step; mask: (N, T) bool, True at a
    real step (at least one).  Returns (loss, dscores): the mean cross-entropy over the real steps
    (torch's ``cross_entropy`` with the padded targets set to its ``ignore_index``) and its
    gradient (N, T, K), zero at the padded steps.
    """
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
    ds *= real[:, None] / count
    return loss, ds.reshape(N, T, K)


def sample_with_temperature(scores, temperature, rng_seed):
    """Draw one class from softmax(scores / temperature); temperature 0 means the argmax.

    scores: (K,) float.  p = softmax(scores / τ) with the maximum subtracted first; the draw is
    ``np.random.default_rng(rng_seed).choice(K, p=p)``.  For τ = 0, p is one-hot at the first
    argmax and no random number is used.  Returns (index int, p (K,)).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if temperature == 0:
        p = np.zeros_like(scores)
        p[int(np.argmax(scores))] = 1.0
        return int(np.argmax(scores)), p
    z = scores / temperature
    e = np.exp(z - z.max())
    p = e / e.sum()
    return int(np.random.default_rng(rng_seed).choice(scores.shape[0], p=p)), p


def digits_design():
    """The practical exercise: a tanh RNN reading the digits row by row, within the budget.

    32 hidden units (1,706 parameters with the read-out) see a row of 8 pixels per step; 100
    Adam steps of 32 images at lr 0.015 (about 2.5 epochs of the 1,257 training images), clipped
    to a global norm of 1.5, which clips 30-54 % of the steps.  Test accuracy on split 0 with the
    seeds 0-5: 0.941, 0.915, 0.919, 0.911, 0.930, 0.900 (the practical asks for a median of 0.89
    over the seeds 0, 1, 2); without clipping 0.907, 0.885, 0.922, ...: the accuracy alone would
    not tell, the clipped fraction does.
    """
    return {"H": 32, "lr": 0.015, "steps": 100, "batch_size": 32, "max_norm": 1.5}


# --- manually graded answers (model answers for the solved notebooks) -------------

ANSWERS = {
    "improvements-answer": r"""
Measured (test accuracy, mean ± std over seeds 0, 1, 2; $H = 16$, 40 steps of 16 images, $\eta = 0.05$,
clipping at 1):

| configuration | test accuracy |
|---|---|
| baseline | 0.706 ± 0.005 |
| $H = 32$ | 0.815 ± 0.012 |
| clipping at 0.05 | 0.712 ± 0.011 |
| cosine schedule | 0.621 ± 0.029 |
| dropout 0.3 on $h_T$ | 0.667 ± 0.053 |
| early stopping (80 steps allowed, patience 2) | 0.819 ± 0.013 (kept the weights after 72, 72 and 56 steps) |

1. Clearly better: $H = 32$ (+0.11, about ten standard deviations) and early stopping (+0.11). No measurable
   difference: clipping at 0.05 (+0.006, inside the spread of either). Worse: the cosine schedule (−0.085) and
   dropout (−0.04 on average, with ten times the baseline's spread: one seed lost 0.11).
2. The baseline **underfits / is not done training**: 40 steps of 16 images are 640 images, half a pass over
   the 1,257 training images, and the validation loss is still falling at the last evaluation, close to the
   training loss (no gap, no overfitting). So everything that makes more progress per step helps, and
   everything that restrains the model or slows it down hurts:
   * $H = 32$: more units, more capacity and a larger gradient signal per step, so the same 40 steps fit more
     (and the test accuracy follows, since nothing overfits yet);
   * clipping at 0.05: with Adam the step of each weight is $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$, nearly
     independent of a common scale of the gradient — scaling every gradient down to norm 0.05 hardly changes
     the update (it would matter with plain SGD, where the step is proportional to the gradient);
   * cosine schedule: it lowers the learning rate during the second half, while the model is still far from
     fitted — it spends steps on small moves when large ones were still useful; a schedule helps at the end of
     a long run, when the noise of big steps limits the final loss;
   * dropout: a regulariser, against overfitting — which this model does not have; it adds noise to the
     read-out's input and removes signal from an underfitting model, and the noise shows up as a larger spread;
   * early stopping: it too guards against overfitting, and it never had to stop for that: the validation loss
     fell for most of the 80 steps, it stopped at 56–72 steps on small bumps. Its gain is the longer training,
     not the stopping.
3. The early-stopping run was allowed 80 steps against the baseline's 40: it compares a longer training with a
   shorter one. A fair comparison gives both the same budget (the baseline with 80 steps, against 80 steps with
   early stopping), or compares at equal compute; and it is decided on the validation split, with the test
   split measured once at the end. (Also fair to mention: dropout and the schedule would have to be tried on a
   model that trains long enough to overfit or to plateau, where they are meant to help.)
""",
    "vanishing-answer": r"""
By the chain rule through time, $\partial C/\partial h_{T-k} = \bigl(J_T J_{T-1}\cdots J_{T-k+1}\bigr)^\top
\partial C/\partial h_T$ with one factor $J_t = \operatorname{diag}(1 - h_t^2)\,W_{hh}$ per step: the
same matrix $W_{hh}$ again and again, as in a chain of $k$ neurons that all share one weight.

1. *Vanishing.*  $0 < 1 - h_t^2 \le 1$, so $\lVert J_t\rVert_2 \le \lVert W_{hh}\rVert_2 = \sigma_{\max}(W_{hh})$ and
$\lVert\partial h_T/\partial h_{T-k}\rVert_2 \le \sigma_{\max}^k$.  When the largest singular value (for a
normal $W_{hh}$, the spectral radius $\rho$) is below 1, the gradient from $k$ steps back shrinks at least
geometrically, like $\rho^k$; saturated units ($|h| \to 1$, $1 - h^2 \to 0$) shrink it further.  A loss at
step $T$ then hardly changes the weights through anything that happened many steps earlier: the network
cannot learn long-range dependencies, the gradient is dominated by the last few steps.
2. *Exploding.*  When $\rho > 1$ and the units are not saturated ($1 - h^2 \approx 1$), the product behaves
like $W_{hh}^k$, whose norm grows like $\rho^k$: the gradient grows exponentially with the distance, one
update can be huge and throw the weights away (a cliff of the loss surface).  The bound is only an upper
bound, so with $\rho > 1$ saturation can still make it vanish; but the growth is possible only then.
3. Clipping by global norm caps the length of the step (keeping its direction) and so tames the explosion;
it does nothing for vanishing gradients, which need another architecture: the LSTM/GRU cell state, whose
Jacobian along the additive path is $\operatorname{diag}(f)$ (a gate near 1), not a product with $W_{hh}$.
""".strip(),
    "evaluation-answer": r"""
1. With the model design (32 units, 100 Adam steps of 32 images at lr 0.015, clipping at 1.5) the three seeds
reach a validation accuracy of 0.922, 0.948 and 0.915, i.e. 0.928 ± 0.014, and a macro $F_1$ of 0.928 ± 0.015;
the majority baseline (class 3, the most frequent training class) has accuracy 0.104 (28 of the 270 validation
digits are 3s) and macro $F_1 \approx 0.019$.  The baseline predicts a single class: that class has recall 1
and precision 0.104 ($F_1 = 2 \cdot 0.104 \cdot 1/1.104 \approx 0.19$), every other class has $F_1 = 0$ (never
predicted), so the mean over ten classes is $\approx 0.019$.  Accuracy counts examples, macro $F_1$ counts
classes: with unequal classes a model that ignores the small ones can have a high accuracy and a poor macro
$F_1$; report both (and the per-class values or the confusion matrix).
2. The standard deviation over the seeds is about 0.014, so a difference of 0.01 in one run is within the
noise of the initialisation and the batches alone.  Run both variants over several seeds (the same seeds),
compare mean ± std (or the paired differences), and decide on the validation split; the test split is used
once, at the end.
3. For example: a gated cell (the GRU or LSTM of Part 2) instead of the tanh RNN; more training steps or a
tuned learning rate and clipping threshold; a larger hidden size; a read-out of every hidden state instead of
only the last; early stopping on the validation loss.  Each is chosen on the validation split, never on the
test split.
4. On the 1572 next characters of the unseen stream the language model has a perplexity of 1.24 ± 0.01 and an
accuracy of 0.901 ± 0.004 over the three seeds, against 5.51 and 0.387 for the bigram and 14.49 and 0.210 for
the unigram (of $K = 22$): the bigram knows only the last character, the RNN's state knows which word it is in
and where in the sentence it is.  A sentence holds three choices of one in four, $3 \ln 4 \approx 4.16$ nats,
and about 26 characters ($1572 / 60 \approx 26.2$), so a model that knows the grammar pays about
$4.16 / 26.2 \approx 0.16$ nats per character: a perplexity of about $e^{0.16} \approx 1.17$.  The model is
within about 0.07 of that floor, and its spread over the seeds is smaller than that gap.
""".strip(),
    "pytorch-answer": r"""
**Who does what.** `loss.backward()` does the work of your `rnn_backward` and of the rest of
`recurrent_loss_and_grads`' backward pass: autograd recorded the eight `tanh` steps of `nn.RNN`, the
read-out and the cross-entropy during the forward pass, and runs BPTT back through all of them
(∂C/∂s, the read-out's gradients, then δ through every step, the weight gradients summed over the steps).
`clip_grad_norm_(model.parameters(), max_norm)` is your clipping: all six gradients scaled together to the
global norm (and it returns the norm before clipping, your `history["grad_norm"]`); `optimizer.step()` is
the six `adam` calls, the optimizer keeping one state per parameter as your dict of states did.
**The order.** `clip_grad_norm_` acts on the `.grad` the backward pass has just written. Before
`loss.backward()` it would clip the old gradients (zero after `zero_grad`), and this step's gradient would
go into Adam unclipped; after `optimizer.step()` the step has already been taken with the unclipped
gradient, and the clipped `.grad` is thrown away by the next `zero_grad` — either way no step is ever
clipped. **zero_grad.** `backward()` *adds* each gradient to `.grad` (the += of a node used twice, Day 2);
without zeroing, every step would use the sum of all gradients so far, not the gradient of this batch.
""".strip(),
}
