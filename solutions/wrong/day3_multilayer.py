"""Typical wrong answers of Day 3; each must lose points on the exercise it targets.

A wrong answer replaces its target in a solved notebook, where the earlier days' functions
imported by the set-up cell and the Day 3 functions defined earlier are in scope; the imports
below only make this module importable on its own.
"""

import numpy as np

from solutions.day1_forward import affine_forward, init_weights, sigmoid  # noqa: F401
from solutions.day2_backprop import (affine_backward, batch_indices, numeric_gradient,  # noqa: F401
                                     relative_error, relu_backward)
from solutions.day3_multilayer import (early_stopping, mlp_forward, mlp_loss_and_grads,  # noqa: F401
                                       relu_layer_forward,
                                       sigmoid_layer_backward, sigmoid_layer_forward,
                                       tanh_layer_backward, tanh_layer_forward)
from solutions.wrong import registry

WRONG_ANSWERS, wrong = registry()


# --- 1. layers ---------------------------------------------------------------------------


@wrong("relu_layer_forward", "a leaky ReLU (0.01·z for z < 0) instead of max(0, z)")
def relu_layer_forward_leaky(z):
    return np.where(z > 0, z, 0.01 * z), z


@wrong("relu_layer_forward", "negative entries zeroed in place: the caller's z is changed")
def relu_layer_forward_in_place(z):
    z[z < 0] = 0.0
    return z, z


@wrong("sigmoid_layer_forward", "the sign lost: 1/(1 + e^{z})")
def sigmoid_layer_forward_sign(z):
    a = 1.0 / (1.0 + np.exp(z))
    return a, a


@wrong("sigmoid_layer_forward", "σ as e^z / (1 + e^z): inf/inf = nan for z ≥ 710")
def sigmoid_layer_forward_exp_ratio(z):
    e = np.exp(z)
    a = e / (1.0 + e)
    return a, a


@wrong("sigmoid_layer_backward", "σ applied again to the cached activation: σ(a)(1 − σ(a))")
def sigmoid_layer_backward_twice(dout, cache):
    s = 1.0 / (1.0 + np.exp(-cache))
    return dout * s * (1.0 - s)


@wrong("sigmoid_layer_backward", "a(1 − a) computed in the cache's own array: the cached activation is changed")
def sigmoid_layer_backward_in_place(dout, cache):
    s = cache
    s *= 1.0 - s
    return dout * s


@wrong("tanh_layer_forward", "2σ(z) − 1, which is tanh(z/2), not tanh(z)")
def tanh_layer_forward_via_sigmoid(z):
    a = 2.0 / (1.0 + np.exp(-z)) - 1.0
    return a, a


@wrong("tanh_layer_forward", "tanh as (e^z − e^{−z}) / (e^z + e^{−z}): inf/inf = nan for |z| ≥ 710")
def tanh_layer_forward_exp_formula(z):
    ep, em = np.exp(z), np.exp(-z)
    a = (ep - em) / (ep + em)
    return a, a


@wrong("tanh_layer_backward", "tanh applied again to the cached activation: 1 − tanh²(a)")
def tanh_layer_backward_twice(dout, cache):
    return dout * (1.0 - np.tanh(cache) ** 2)


# --- 2. the network -----------------------------------------------------------------------


@wrong("mlp_init", "one seed for every layer: layers of one shape start identical")
def mlp_init_same_seed(sizes, activation="relu", init="auto", seed=0):
    if init == "auto":
        init = "he" if activation == "relu" else "xavier"
    return [init_weights(n_out, n_in, init, seed)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


@wrong("mlp_init", "\"auto\" picks Xavier for ReLU too")
def mlp_init_always_xavier(sizes, activation="relu", init="auto", seed=0):
    if init == "auto":
        init = "xavier"
    return [init_weights(n_out, n_in, init, seed + i)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]


@wrong("mlp_init", "the weights memoised per (shape, method) in a default argument: later calls and "
                   "layers of one shape get the first weights, whatever the seed")
def mlp_init_memoised(sizes, activation="relu", init="auto", seed=0, _weights={}):
    if init == "auto":
        init = "he" if activation == "relu" else "xavier"
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        key = (n_out, n_in, init)
        if key not in _weights:
            _weights[key] = init_weights(n_out, n_in, init, seed + i)[0]
        params.append((_weights[key].copy(), np.zeros(n_out)))
    return params


@wrong("mlp_init", "one generator for the whole network instead of init_weights(…, seed + l − 2) per layer")
def mlp_init_one_generator(sizes, activation="relu", init="auto", seed=0):
    if init == "auto":
        init = "he" if activation == "relu" else "xavier"
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = {"small": 0.01, "xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in)}[init]
        params.append((std * rng.standard_normal((n_out, n_in)), np.zeros(n_out)))
    return params


@wrong("mlp_forward", "the activation applied after the last layer too: scores squashed")
def mlp_forward_activation_on_scores(X, params, activation="relu"):
    layer_forward = {"relu": relu_layer_forward, "sigmoid": sigmoid_layer_forward,
                     "tanh": tanh_layer_forward}[activation]
    caches, a = [], X
    for i, (W, b) in enumerate(params):
        z, affine_cache = affine_forward(a, W, b)
        a, act_cache = layer_forward(z)
        caches.append((affine_cache, None if i == len(params) - 1 else act_cache))
    return a, caches


@wrong("mlp_forward", "every activation cache holds z, as ReLU's: σ and tanh backward need a")
def mlp_forward_caches_z(X, params, activation="relu"):
    layer_forward = {"relu": relu_layer_forward, "sigmoid": sigmoid_layer_forward,
                     "tanh": tanh_layer_forward}[activation]
    caches, a = [], X
    for i, (W, b) in enumerate(params):
        z, affine_cache = affine_forward(a, W, b)
        if i == len(params) - 1:
            caches.append((affine_cache, None))
            return z, caches
        a, _ = layer_forward(z)
        caches.append((affine_cache, z))
    return a, caches


@wrong("mlp_loss_and_grads", "dscores not divided by N: the gradient of the summed, not the mean, loss")
def mlp_loss_and_grads_not_mean(X, y, params, activation="relu"):
    layer_backward = {"relu": relu_backward, "sigmoid": sigmoid_layer_backward,
                      "tanh": tanh_layer_backward}[activation]
    scores, caches = mlp_forward(X, params, activation)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(N), y].mean())
    dout = np.exp(log_p)
    dout[np.arange(N), y] -= 1.0
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        affine_cache, act_cache = caches[i]
        if act_cache is not None:
            dout = layer_backward(dout, act_cache)
        dout, dW, db = affine_backward(dout, affine_cache)
        grads[i] = (dW, db)
    return loss, grads


@wrong("mlp_loss_and_grads", "the activation's backward skipped between the layers")
def mlp_loss_and_grads_no_activation_backward(X, y, params, activation="relu"):
    scores, caches = mlp_forward(X, params, activation)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(N), y].mean())
    dout = np.exp(log_p)
    dout[np.arange(N), y] -= 1.0
    dout /= N
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        dout, dW, db = affine_backward(dout, caches[i][0])
        grads[i] = (dW, db)
    return loss, grads


@wrong("mlp_loss_and_grads", "softmax without subtracting the row maximum: exp overflows for scores in the hundreds")
def mlp_loss_and_grads_no_max_shift(X, y, params, activation="relu"):
    layer_backward = {"relu": relu_backward, "sigmoid": sigmoid_layer_backward,
                      "tanh": tanh_layer_backward}[activation]
    scores, caches = mlp_forward(X, params, activation)
    N = scores.shape[0]
    e = np.exp(scores)
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[np.arange(N), y]).mean())
    dout = p.copy()
    dout[np.arange(N), y] -= 1.0
    dout /= N
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        affine_cache, act_cache = caches[i]
        if act_cache is not None:
            dout = layer_backward(dout, act_cache)
        dout, dW, db = affine_backward(dout, affine_cache)
        grads[i] = (dW, db)
    return loss, grads


@wrong("mlp_loss_and_grads", "the loss as log of the (stable) softmax probability: log 0 = −inf when the "
                             "true class scores hundreds below the best")
def mlp_loss_and_grads_log_of_softmax(X, y, params, activation="relu"):
    layer_backward = {"relu": relu_backward, "sigmoid": sigmoid_layer_backward,
                      "tanh": tanh_layer_backward}[activation]
    scores, caches = mlp_forward(X, params, activation)
    N = scores.shape[0]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[np.arange(N), y]).mean())
    dout = p.copy()
    dout[np.arange(N), y] -= 1.0
    dout /= N
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        affine_cache, act_cache = caches[i]
        if act_cache is not None:
            dout = layer_backward(dout, act_cache)
        dout, dW, db = affine_backward(dout, affine_cache)
        grads[i] = (dW, db)
    return loss, grads


@wrong("network_gradient_check", "the absolute difference max|a − b| instead of the relative error")
def network_gradient_check_absolute(loss_and_grads, X, y, params, h=1e-5):
    _, grads = loss_and_grads(X, y, params)
    errors = []
    for i, (W, b) in enumerate(params):
        pair = []
        for j, (p, g) in enumerate(zip((W, b), grads[i])):
            def loss_of(value, i=i, j=j):
                changed = [list(layer) for layer in params]
                changed[i][j] = value
                return loss_and_grads(X, y, [tuple(layer) for layer in changed])[0]
            pair.append(float(np.max(np.abs(g - numeric_gradient(loss_of, p, h=h)))))
        errors.append(tuple(pair))
    return errors


@wrong("network_gradient_check", "only the weights checked: the bias error reported as 0")
def network_gradient_check_weights_only(loss_and_grads, X, y, params, h=1e-5):
    _, grads = loss_and_grads(X, y, params)
    errors = []
    for i, (W, b) in enumerate(params):
        def loss_of(value, i=i):
            changed = [list(layer) for layer in params]
            changed[i][0] = value
            return loss_and_grads(X, y, [tuple(layer) for layer in changed])[0]
        errors.append((relative_error(grads[i][0], numeric_gradient(loss_of, W, h=h)), 0.0))
    return errors


@wrong("network_gradient_check", "the step h ignored: numeric_gradient called with its own default")
def network_gradient_check_ignores_h(loss_and_grads, X, y, params, h=1e-5):
    _, grads = loss_and_grads(X, y, params)
    errors = []
    for i, (W, b) in enumerate(params):
        pair = []
        for j, (p, g) in enumerate(zip((W, b), grads[i])):
            def loss_of(value, i=i, j=j):
                changed = [list(layer) for layer in params]
                changed[i][j] = value
                return loss_and_grads(X, y, [tuple(layer) for layer in changed])[0]
            pair.append(relative_error(g, numeric_gradient(loss_of, p)))
        errors.append(tuple(pair))
    return errors


@wrong("network_gradient_check", "the parameters nudged in place by +h, −2h, +h: rounding leaves them changed")
def network_gradient_check_nudges_in_place(loss_and_grads, X, y, params, h=1e-5):
    _, grads = loss_and_grads(X, y, params)
    errors = []
    for i, (W, b) in enumerate(params):
        pair = []
        for p, g in zip((W, b), grads[i]):
            numeric = np.zeros_like(p)
            for idx in np.ndindex(*p.shape):
                p[idx] += h
                plus = loss_and_grads(X, y, params)[0]
                p[idx] -= 2 * h
                minus = loss_and_grads(X, y, params)[0]
                p[idx] += h
                numeric[idx] = (plus - minus) / (2 * h)
            pair.append(relative_error(g, numeric))
        errors.append(tuple(pair))
    return errors


@wrong("layer_statistics", "gradient norms listed from the last layer to the first")
def layer_statistics_reversed(X, y, params, activation="relu"):
    _, caches = mlp_forward(X, params, activation)
    hidden = [caches[i][0][0] for i in range(1, len(params))]
    _, grads = mlp_loss_and_grads(X, y, params, activation)
    return {"mean": np.array([a.mean() for a in hidden]),
            "std": np.array([a.std() for a in hidden]),
            "grad_norm": np.array([np.sqrt(np.sum(dW * dW)) for dW, _ in grads][::-1])}


@wrong("layer_statistics", "statistics of the weighted inputs z instead of the activations a")
def layer_statistics_of_z(X, y, params, activation="relu"):
    _, caches = mlp_forward(X, params, activation)
    zs = []
    for i in range(len(params) - 1):
        x, W, b = caches[i][0]
        zs.append(x @ W.T + b)
    _, grads = mlp_loss_and_grads(X, y, params, activation)
    return {"mean": np.array([z.mean() for z in zs]),
            "std": np.array([z.std() for z in zs]),
            "grad_norm": np.array([np.sqrt(np.sum(dW * dW)) for dW, _ in grads])}


@wrong("layer_statistics", "std as √(E[a²] − E[a]²): cancels when the activations sit near one value")
def layer_statistics_one_pass_std(X, y, params, activation="relu"):
    _, caches = mlp_forward(X, params, activation)
    hidden = [caches[i][0][0] for i in range(1, len(params))]
    _, grads = mlp_loss_and_grads(X, y, params, activation)
    return {"mean": np.array([a.mean() for a in hidden]),
            "std": np.array([np.sqrt(np.mean(a * a) - a.mean() ** 2) for a in hidden]),
            "grad_norm": np.array([np.sqrt(np.sum(dW * dW)) for dW, _ in grads])}


# --- 4. splits, early stopping, training ---------------------------------------------------


@wrong("stratified_split", "not stratified: one permutation of all rows, cut once")
def stratified_split_not_stratified(y, val_fraction, test_fraction, seed=0):
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    n_val = int(round(len(y) * val_fraction))
    return (np.sort(rows[n_test + n_val:]), np.sort(rows[n_test:n_test + n_val]),
            np.sort(rows[:n_test]))


@wrong("stratified_split", "data leakage: the test rows stay in the training part")
def stratified_split_test_leaks(y, val_fraction, test_fraction, seed=0):
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(len(rows) * test_fraction))
        n_val = int(round(len(rows) * val_fraction))
        parts[2].append(rows[:n_test])
        parts[1].append(rows[n_test:n_test + n_val])
        parts[0].append(np.concatenate([rows[:n_test], rows[n_test + n_val:]]))
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)


@wrong("stratified_split", "the classes taken as 0..K−1 (K distinct labels): labels with gaps are lost")
def stratified_split_classes_by_count(y, val_fraction, test_fraction, seed=0):
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for c in range(len(np.unique(y))):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(len(rows) * test_fraction))
        n_val = int(round(len(rows) * val_fraction))
        parts[2].append(rows[:n_test])
        parts[1].append(rows[n_test:n_test + n_val])
        parts[0].append(rows[n_test + n_val:])
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)


@wrong("stratified_split", "counts rounded half up, int(n·f + 0.5), not with Python's round: ties differ")
def stratified_split_round_half_up(y, val_fraction, test_fraction, seed=0):
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_test = int(len(rows) * test_fraction + 0.5)
        n_val = int(len(rows) * val_fraction + 0.5)
        parts[2].append(rows[:n_test])
        parts[1].append(rows[n_test:n_test + n_val])
        parts[0].append(rows[n_test + n_val:])
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)


@wrong("stratified_split", "at least one test and one validation row per class (max(1, ...)): "
                            "a class of one example leaves none for training")
def stratified_split_at_least_one(y, val_fraction, test_fraction, seed=0):
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_test = max(1, int(round(len(rows) * test_fraction)))
        n_val = max(1, int(round(len(rows) * val_fraction)))
        parts[2].append(rows[:n_test])
        parts[1].append(rows[n_test:n_test + n_val])
        parts[0].append(rows[n_test + n_val:])
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)


@wrong("early_stopping", "returns the last epoch run instead of the best one")
def early_stopping_last_epoch(val_history, patience):
    best = None
    for e, loss in enumerate(val_history):
        if best is None or loss < val_history[best]:
            best = e
        elif e - best >= patience:
            return e, e
    return None, len(val_history) - 1 if len(val_history) else None


@wrong("early_stopping", "a tie counted as an improvement (≤ instead of <)")
def early_stopping_ties_improve(val_history, patience):
    best = None
    for e, loss in enumerate(val_history):
        if best is None or loss <= val_history[best]:
            best = e
        elif e - best >= patience:
            return e, best
    return None, best


@wrong("early_stopping", "best starts at epoch 0: an empty history gives (None, 0), not (None, None)")
def early_stopping_best_starts_at_zero(val_history, patience):
    best = 0
    for e in range(1, len(val_history)):
        if val_history[e] < val_history[best]:
            best = e
        elif e - best >= patience:
            return e, best
    return None, best


@wrong("early_stopping", "`if not val_history` for the empty case: a NumPy array of losses raises")
def early_stopping_truth_of_history(val_history, patience):
    if not val_history:
        return None, None
    best = 0
    for e in range(1, len(val_history)):
        if val_history[e] < val_history[best]:
            best = e
        elif e - best >= patience:
            return e, best
    return None, best


@wrong("train", "the last partial batch dropped")
def train_drops_last_batch(X, y, params, loss_and_grads, update, state=None, schedule=None,
                           epochs=10, batch_size=32, seed=0, X_val=None, y_val=None,
                           patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params] if state is None else [tuple(s) for s in state]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total, seen = 0.0, 0
        for rows in batch_indices(N, batch_size, seed + epoch):
            if len(rows) < batch_size:
                continue
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            seen += len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / max(seen, 1))
        if X_val is None:
            best_params, history["best_epoch"] = params, epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        if best == epoch:
            best_params = params
        history["best_epoch"] = best
        if stop is not None:
            break
    return best_params, history


@wrong("train", "the parameters of the last epoch returned, not those of the best")
def train_returns_last(X, y, params, loss_and_grads, update, state=None, schedule=None,
                       epochs=10, batch_size=32, seed=0, X_val=None, y_val=None, patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params] if state is None else [tuple(s) for s in state]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / N)
        if X_val is None:
            history["best_epoch"] = epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        history["best_epoch"] = best
        if stop is not None:
            break
    return params, history


@wrong("train", "the optimizer state started afresh ({}) on every step")
def train_forgets_state(X, y, params, loss_and_grads, update, state=None, schedule=None,
                        epochs=10, batch_size=32, seed=0, X_val=None, y_val=None, patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            params = [(update(W, dW, {}, **hyper)[0], update(b, db, {}, **hyper)[0])
                      for (W, b), (dW, db) in zip(params, grads)]
        history["train_loss"].append(total / N)
        if X_val is None:
            best_params, history["best_epoch"] = params, epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        if best == epoch:
            best_params = params
        history["best_epoch"] = best
        if stop is not None:
            break
    return best_params, history


@wrong("train", "the same shuffle every epoch: batch_indices(N, batch_size, seed), the epoch not added")
def train_same_seed_every_epoch(X, y, params, loss_and_grads, update, state=None, schedule=None,
                                epochs=10, batch_size=32, seed=0, X_val=None, y_val=None, patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params] if state is None else [tuple(s) for s in state]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total = 0.0
        for rows in batch_indices(N, batch_size, seed):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / N)
        if X_val is None:
            best_params, history["best_epoch"] = params, epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        if best == epoch:
            best_params = params
        history["best_epoch"] = best
        if stop is not None:
            break
    return best_params, history


@wrong("train", "the initial optimizer states passed as `state` ignored: {} everywhere")
def train_ignores_initial_state(X, y, params, loss_and_grads, update, state=None, schedule=None,
                                epochs=10, batch_size=32, seed=0, X_val=None, y_val=None,
                                patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / N)
        if X_val is None:
            best_params, history["best_epoch"] = params, epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        if best == epoch:
            best_params = params
        history["best_epoch"] = best
        if stop is not None:
            break
    return best_params, history


@wrong("train", "without a schedule, lr=None passed to the rule instead of leaving its default")
def train_lr_none_without_schedule(X, y, params, loss_and_grads, update, state=None, schedule=None,
                                   epochs=10, batch_size=32, seed=0, X_val=None, y_val=None,
                                   patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params] if state is None else [tuple(s) for s in state]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        lr = schedule(epoch) if schedule is not None else None
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, lr=lr)
                b, sb = update(b, db, sb, lr=lr)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / N)
        if X_val is None:
            best_params, history["best_epoch"] = params, epoch
            continue
        history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
        stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
        if best == epoch:
            best_params = params
        history["best_epoch"] = best
        if stop is not None:
            break
    return best_params, history


@wrong("train", "without validation data no epoch counts as the best: the start parameters returned")
def train_without_validation_returns_start(X, y, params, loss_and_grads, update, state=None,
                                           schedule=None, epochs=10, batch_size=32, seed=0,
                                           X_val=None, y_val=None, patience=None):
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    states = [({}, {}) for _ in params] if state is None else [tuple(s) for s in state]
    history = {"loss": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best_params = params
    N = X.shape[0]
    for epoch in range(epochs):
        hyper = {} if schedule is None else {"lr": schedule(epoch)}
        total = 0.0
        for rows in batch_indices(N, batch_size, seed + epoch):
            loss, grads = loss_and_grads(X[rows], y[rows], params)
            history["loss"].append(float(loss))
            total += float(loss) * len(rows)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        history["train_loss"].append(total / N)
        if X_val is not None:
            history["val_loss"].append(float(loss_and_grads(X_val, y_val, params)[0]))
            stop, best = early_stopping(history["val_loss"], epochs if patience is None else patience)
            if best == epoch:
                best_params = params
            history["best_epoch"] = best
            if stop is not None:
                break
    return best_params, history


# --- 5. regularisation and dropout ------------------------------------------------------------


@wrong("l2_penalty", "the biases decayed too")
def l2_penalty_decays_biases(params, lam):
    cost = 0.5 * lam * sum(float(np.sum(W * W)) + float(np.sum(b * b)) for W, b in params)
    return cost, [(lam * W, lam * b) for W, b in params]


@wrong("l2_penalty", "the gradient without λ: W instead of λW")
def l2_penalty_gradient_without_lambda(params, lam):
    cost = 0.5 * lam * sum(float(np.sum(W * W)) for W, _ in params)
    return cost, [(W.copy(), np.zeros_like(b)) for W, b in params]


@wrong("l2_penalty", "the ½ of the cost kept in the gradient: (λ/2)W")
def l2_penalty_half_in_gradient(params, lam):
    cost = 0.5 * lam * sum(float(np.sum(W * W)) for W, _ in params)
    return cost, [(0.5 * lam * W, np.zeros_like(b)) for W, b in params]


@wrong("l1_penalty", "the biases decayed too")
def l1_penalty_decays_biases(params, lam):
    cost = lam * sum(float(np.sum(np.abs(W))) + float(np.sum(np.abs(b))) for W, b in params)
    return cost, [(lam * np.sign(W), lam * np.sign(b)) for W, b in params]


@wrong("l1_penalty", "the ½ of the L2 term carried over: (λ/2)Σ|W| and (λ/2)·sign(W)")
def l1_penalty_half(params, lam):
    cost = 0.5 * lam * sum(float(np.sum(np.abs(W))) for W, _ in params)
    return cost, [(0.5 * lam * np.sign(W), np.zeros_like(b)) for W, b in params]


@wrong("l1_penalty", "the L2 gradient kept: λW instead of λ·sign(W)")
def l1_penalty_gradient_lambda_w(params, lam):
    cost = lam * sum(float(np.sum(np.abs(W))) for W, _ in params)
    return cost, [(lam * W, np.zeros_like(b)) for W, b in params]


@wrong("sgd_l2", "the decay not scaled by the learning rate: θ − lr·g − λθ")
def sgd_l2_decay_without_lr(param, grad, state, lr=0.01, weight_decay=0.0):
    return param - lr * grad - weight_decay * param, dict(state)


@wrong("adamw", "L2 added to the gradient (Adam with weight_decay), not decoupled decay")
def adamw_coupled(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                  weight_decay=0.01):
    grad = grad + weight_decay * param
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


@wrong("adamw", "the decay not scaled by the learning rate: θ(1 − λ)")
def adamw_decay_without_lr(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                           weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    return param * (1.0 - weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps), \
        {"m": m, "v": v, "t": t}


@wrong("adamw", "ε inside the square root: √(v̂ + ε) in place of torch's √v̂ + ε")
def adamw_eps_inside_root(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                          weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    return param * (1.0 - lr * weight_decay) - lr * m_hat / np.sqrt(v_hat + eps), {"m": m, "v": v, "t": t}


@wrong("adamw", "β₁ and β₂ written as 0.9 and 0.999: the beta1, beta2 arguments ignored")
def adamw_fixed_betas(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = 0.9 * state.get("m", 0.0) + 0.1 * grad
    v = 0.999 * state.get("v", 0.0) + 0.001 * grad * grad
    m_hat = m / (1.0 - 0.9 ** t)
    v_hat = v / (1.0 - 0.999 ** t)
    decayed = param * (1.0 - lr * weight_decay)
    return decayed - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


@wrong("adamw", "the moments updated in place (m *= β₁ ...): the state passed in is changed")
def adamw_moments_in_place(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                           weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = state["m"] if "m" in state else np.zeros_like(param)
    v = state["v"] if "v" in state else np.zeros_like(param)
    m *= beta1
    m += (1.0 - beta1) * grad
    v *= beta2
    v += (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    decayed = param * (1.0 - lr * weight_decay)
    return decayed - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


@wrong("dropout_forward", "not scaled: x ⊙ mask (plain, not inverted, dropout)")
def dropout_forward_not_scaled(x, p, mode="train", mask=None):
    if mode == "eval":
        return np.array(x, dtype=np.float64), (mask, p, mode)
    return x * mask, (mask, p, mode)


@wrong("dropout_forward", "scaled at eval time too: x / (1 − p)")
def dropout_forward_scaled_at_eval(x, p, mode="train", mask=None):
    if mode == "eval":
        return x / (1.0 - p), (mask, p, mode)
    return x * mask / (1.0 - p), (mask, p, mode)


@wrong("dropout_forward", "p taken as the keep probability: divided by p")
def dropout_forward_keep_probability(x, p, mode="train", mask=None):
    if mode == "eval":
        return np.array(x, dtype=np.float64), (mask, p, mode)
    return x * mask / p, (mask, p, mode)


@wrong("dropout_forward", "the mask applied before the mode is looked at: eval mode without a mask "
                          "(its default None) fails")
def dropout_forward_mask_before_mode(x, p, mode="train", mask=None):
    out = x * mask / (1.0 - p)
    if mode == "eval":
        return np.array(x, dtype=np.float64), (mask, p, mode)
    return out, (mask, p, mode)


@wrong("dropout_forward", "the cache holds the scaled mask mask/(1 − p) that the forward pass used, "
                          "not the 0/1 mask")
def dropout_forward_cache_scaled_mask(x, p, mode="train", mask=None):
    if mode == "eval":
        return np.array(x, dtype=np.float64), (mask, p, mode)
    scaled = mask / (1.0 - p)
    return x * scaled, (scaled, p, mode)


@wrong("dropout_forward", "the scale 1/(1 − p) kept as np.float32: every kept unit rounded to float32's precision")
def dropout_forward_float32_scale(x, p, mode="train", mask=None):
    if mode == "eval":
        return np.array(x, dtype=np.float64), (mask, p, mode)
    scale = np.float32(1.0 / (1.0 - p))
    return (x * mask * scale).astype(np.float64), (mask, p, mode)


@wrong("dropout_backward", "the mask not reused in backward: dout / (1 − p) everywhere")
def dropout_backward_no_mask(dout, cache):
    mask, p, mode = cache
    if mode == "eval":
        return np.array(dout, dtype=np.float64)
    return dout / (1.0 - p)


@wrong("dropout_backward", "the 1/(1 − p) of the forward pass left out of backward")
def dropout_backward_not_scaled(dout, cache):
    mask, p, mode = cache
    if mode == "eval":
        return np.array(dout, dtype=np.float64)
    return dout * mask



@wrong("dropout_mask", "p taken as the keep probability: True where the draw is below p")
def dropout_mask_keep_probability(shape, p, seed):
    return np.random.default_rng(seed).random(shape) < p


@wrong("dropout_mask", "the global generator: np.random.random ignores the seed")
def dropout_mask_ignores_seed(shape, p, seed):
    return np.random.random(shape) >= p


@wrong("dropout_mask", "one pattern for every example: a mask of the units, broadcast over the rows")
def dropout_mask_one_pattern(shape, p, seed):
    units = np.random.default_rng(seed).random(shape[-1:]) >= p
    return np.array(np.broadcast_to(units, shape))


@wrong("dropout_mask", "exactly round(p·n) units dropped in every row: a fixed count, not independent draws")
def dropout_mask_fixed_count(shape, p, seed):
    rng = np.random.default_rng(seed)
    n = shape[-1]
    row = np.arange(n) >= int(round(p * n))
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    return np.stack([rng.permutation(row) for _ in range(rows)]).reshape(shape)

# --- 7. batch normalisation ------------------------------------------------------------------


@wrong("batchnorm_forward", "biased and unbiased variance swapped: the running variance biased, "
                            "the normalisation unbiased")
def batchnorm_forward_variances_swapped(x, gamma, beta, state, mode="train", momentum=0.1, eps=1e-5):
    if mode == "train":
        N = x.shape[0]
        mu = x.mean(axis=0)
        var = x.var(axis=0) * N / (N - 1)
        new_state = {"running_mean": (1.0 - momentum) * state["running_mean"] + momentum * mu,
                     "running_var": (1.0 - momentum) * state["running_var"]
                     + momentum * x.var(axis=0)}
    else:
        mu, var = state["running_mean"], state["running_var"]
        new_state = {"running_mean": np.array(mu, dtype=np.float64),
                     "running_var": np.array(var, dtype=np.float64)}
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mode), new_state


@wrong("batchnorm_forward", "running averages updated in eval mode too")
def batchnorm_forward_updates_in_eval(x, gamma, beta, state, mode="train", momentum=0.1, eps=1e-5):
    N = x.shape[0]
    batch_mu, batch_var = x.mean(axis=0), x.var(axis=0)
    new_state = {"running_mean": (1.0 - momentum) * state["running_mean"] + momentum * batch_mu,
                 "running_var": (1.0 - momentum) * state["running_var"]
                 + momentum * batch_var * N / max(N - 1, 1)}
    mu, var = (batch_mu, batch_var) if mode == "train" else (state["running_mean"], state["running_var"])
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mode), new_state


@wrong("batchnorm_forward", "the momentum argument ignored: 0.1 written into the running averages")
def batchnorm_forward_fixed_momentum(x, gamma, beta, state, mode="train", momentum=0.1, eps=1e-5):
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        N = x.shape[0]
        new_state = {"running_mean": 0.9 * state["running_mean"] + 0.1 * mu,
                     "running_var": 0.9 * state["running_var"] + 0.1 * var * N / (N - 1)}
    else:
        mu, var = state["running_mean"], state["running_var"]
        new_state = {"running_mean": np.array(mu, dtype=np.float64),
                     "running_var": np.array(var, dtype=np.float64)}
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mode), new_state


@wrong("batchnorm_forward", "momentum weights the old running average, as an optimizer's momentum does: "
                             "r ← ρ·r + (1 − ρ)·batch value, the other convention than torch's")
def batchnorm_forward_momentum_weights_old(x, gamma, beta, state, mode="train", momentum=0.1, eps=1e-5):
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        N = x.shape[0]
        new_state = {"running_mean": momentum * state["running_mean"] + (1.0 - momentum) * mu,
                     "running_var": momentum * state["running_var"] + (1.0 - momentum) * var * N / (N - 1)}
    else:
        mu, var = state["running_mean"], state["running_var"]
        new_state = {"running_mean": np.array(mu, dtype=np.float64),
                     "running_var": np.array(var, dtype=np.float64)}
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mode), new_state


@wrong("batchnorm_forward", "the cache holds the standard deviation √(σ² + ε), not its inverse")
def batchnorm_forward_cache_std(x, gamma, beta, state, mode="train", momentum=0.1, eps=1e-5):
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        N = x.shape[0]
        new_state = {"running_mean": (1.0 - momentum) * state["running_mean"] + momentum * mu,
                     "running_var": (1.0 - momentum) * state["running_var"]
                     + momentum * var * N / (N - 1)}
    else:
        mu, var = state["running_mean"], state["running_var"]
        new_state = {"running_mean": np.array(mu, dtype=np.float64),
                     "running_var": np.array(var, dtype=np.float64)}
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std, mode), new_state


@wrong("batchnorm_backward", "μ_B and σ²_B treated as constants in train mode: dx = dout ⊙ γ/σ")
def batchnorm_backward_constant_statistics(dout, cache):
    x_hat, gamma, inv_std, mode = cache
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@wrong("batchnorm_backward", "the σ²_B path left out: only the mean of dx̂ subtracted")
def batchnorm_backward_without_variance_path(dout, cache):
    x_hat, gamma, inv_std, mode = cache
    dx_hat = dout * gamma
    if mode != "train":
        return dx_hat * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
    return inv_std * (dx_hat - dx_hat.mean(axis=0)), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@wrong("batchnorm_backward", "the two means taken over the units of each example (axis 1), not over the batch")
def batchnorm_backward_means_over_units(dout, cache):
    x_hat, gamma, inv_std, mode = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if mode != "train":
        return dx_hat * inv_std, dgamma, dbeta
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                    - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta


@wrong("batchnorm_backward", "dx̂ computed in dout's own array (dout *= γ): the caller's dout is changed")
def batchnorm_backward_in_place(dout, cache):
    x_hat, gamma, inv_std, mode = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout
    dx_hat *= gamma
    if mode != "train":
        return dx_hat * inv_std, dgamma, dbeta
    dx = inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0))
    return dx, dgamma, dbeta


# --- 7b. data augmentation -----------------------------------------------------------------


@wrong("augment_digits", "np.roll: pixels shifted out come back on the other side")
def augment_digits_wraps_around(X, y, seed=0, max_shift=1, noise_std=0.0):
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    shifts = rng.integers(-max_shift, max_shift + 1, size=(N, 2))
    noise = noise_std * rng.normal(size=(N, 64))
    images = np.asarray(X, dtype=np.float64).reshape(N, 8, 8)
    out = np.stack([np.roll(img, (dy, dx), axis=(0, 1)) for img, (dy, dx) in zip(images, shifts)])
    return np.clip(out.reshape(N, 64) + noise, 0.0, 1.0), np.array(y, copy=True)


@wrong("augment_digits", "the shift the wrong way: up and left for positive shifts")
def augment_digits_reversed(X, y, seed=0, max_shift=1, noise_std=0.0):
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    shifts = rng.integers(-max_shift, max_shift + 1, size=(N, 2))
    noise = noise_std * rng.normal(size=(N, 64))
    m = max_shift
    padded = np.pad(np.asarray(X, dtype=np.float64).reshape(N, 8, 8), ((0, 0), (m, m), (m, m)))
    out = np.empty((N, 8, 8))
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, m + dy:m + dy + 8, m + dx:m + dx + 8]
    return np.clip(out.reshape(N, 64) + noise, 0.0, 1.0), np.array(y, copy=True)


@wrong("augment_digits", "the noisy pixels not clipped to [0, 1]")
def augment_digits_not_clipped(X, y, seed=0, max_shift=1, noise_std=0.0):
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    shifts = rng.integers(-max_shift, max_shift + 1, size=(N, 2))
    noise = noise_std * rng.normal(size=(N, 64))
    m = max_shift
    padded = np.pad(np.asarray(X, dtype=np.float64).reshape(N, 8, 8), ((0, 0), (m, m), (m, m)))
    out = np.empty((N, 8, 8))
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, m - dy:m - dy + 8, m - dx:m - dx + 8]
    return out.reshape(N, 64) + noise, np.array(y, copy=True)


@wrong("augment_digits", "the images handled in float32 (as image libraries do): pixels rounded to float32")
def augment_digits_float32_images(X, y, seed=0, max_shift=1, noise_std=0.0):
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    shifts = rng.integers(-max_shift, max_shift + 1, size=(N, 2))
    noise = noise_std * rng.normal(size=(N, 64))
    m = max_shift
    padded = np.pad(np.asarray(X, dtype=np.float32).reshape(N, 8, 8), ((0, 0), (m, m), (m, m)))
    out = np.empty((N, 8, 8), dtype=np.float32)
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, m - dy:m - dy + 8, m - dx:m - dx + 8]
    return np.clip(out.reshape(N, 64) + noise, 0.0, 1.0).astype(np.float64), np.array(y, copy=True)


# --- the practical exercise ----------------------------------------------------------------------


@wrong("digits_design", "over-large and unregularised: 64-256-256-10, no L2, no dropout (overconfident)")
def digits_design_overlarge_unregularised():
    return {"sizes": [64, 256, 256, 10], "activation": "relu", "init": "he", "lam": 0.0,
            "dropout": 0.0, "lr": 0.05, "epochs": 60, "batch_size": 20, "augment": 0, "noise": 0.0}


@wrong("digits_design", "softmax regression: 64-10, no hidden layer and no cure")
def digits_design_softmax_regression():
    return {"sizes": [64, 10], "activation": "relu", "init": "he", "lam": 0.0,
            "dropout": 0.0, "lr": 0.05, "epochs": 60, "batch_size": 20, "augment": 0, "noise": 0.0}


@wrong("digits_design", "a cure in name only: 64-256-256-10 with λ = 10⁻⁹, which changes nothing (overconfident)")
def digits_design_cure_in_name_only():
    return {"sizes": [64, 256, 256, 10], "activation": "relu", "init": "he", "lam": 1e-9,
            "dropout": 0.0, "lr": 0.05, "epochs": 60, "batch_size": 20, "augment": 0, "noise": 0.0}


@wrong("digits_design", "over the budget: 64-512-512-10")
def digits_design_over_budget():
    return {"sizes": [64, 512, 512, 10], "activation": "relu", "init": "he", "lam": 3e-3,
            "dropout": 0.2, "lr": 0.05, "epochs": 60, "batch_size": 20, "augment": 0, "noise": 0.0}


# --- batch norm backward, step by step on the graph ----------------------------------------------


@wrong("bn_affine_backward", "dβ and dγ averaged over the batch instead of summed")
def bn_affine_backward_mean(dout, x_hat, gamma):
    return dout * gamma, (dout * x_hat).mean(axis=0), dout.mean(axis=0)


@wrong("bn_normalise_backward", "ds not summed over the rows: s is shared by the whole column")
def bn_normalise_backward_not_summed(dx_hat, x_c, inv_std):
    return dx_hat * inv_std, dx_hat * x_c


@wrong("bn_inv_std_backward", "the power of s one too low: −½ s² instead of −½ s³")
def bn_inv_std_backward_square(dinv_std, inv_std):
    return -0.5 * inv_std ** 2 * dinv_std


@wrong("bn_inv_std_backward", "the minus sign of the power −½ lost")
def bn_inv_std_backward_sign(dinv_std, inv_std):
    return 0.5 * inv_std ** 3 * dinv_std


@wrong("bn_variance_backward", "the unbiased 1/(N − 1) of the running average in place of the 1/N of the batch")
def bn_variance_backward_unbiased(dvar, x_c):
    return dvar * 2.0 * x_c / max(x_c.shape[0] - 1, 1)


@wrong("bn_center_backward", "the path through μ forgotten: dx = dx_c")
def bn_center_backward_no_mean_path(dx_c):
    return np.array(dx_c, dtype=np.float64)


@wrong("bn_center_backward", "the mean subtracted in place (dx_c -= ...): the caller's dx_c is changed")
def bn_center_backward_in_place(dx_c):
    dx_c -= dx_c.mean(axis=0)
    return dx_c
